"""Roll-back benchmark (issue 7): prints figures, asserts nothing.

Carrying out a roll-back on a case of 10,000 events with the point half-way (5,000 events after
it: case notes, finalisations and process milestones): the median time of
``ledger.rollbacks.carry_out``, the real command (the access decision and its recorded attempt,
loading the case from its nearest snapshot, checking the agreement still holds, the case's
``RolledBack`` event and the request's ``CarriedOut`` event in one transaction). Goal: < 200 ms.

Each sample is a fresh request, agreed, then carried out (only the carrying-out is timed). The
samples alternate between rolling back to the half-way point (superseding every milestone after
it) and rolling back to just before the previous roll-back (restoring them), so every sample
moves the same milestones and replays the whole process state. Before each sample the case's
snapshot is refreshed (untimed; snapshots are caches, ``CaseLedger.snapshotting_intervals``), so
that the events read after the snapshot hold no roll-back of an earlier sample: each sample is a
roll-back of a 10,000-event case read from its latest snapshot, as in use.

Run:  python bench/rollback.py                      # SQLite, 10,000 events, 21 samples
      python bench/rollback.py --events 2000 --samples 5   # a quick run
      python bench/rollback.py --db 'postgresql://postgres@127.0.0.1:5432/test?schema=bench_rb'
      (a PostgreSQL URL without ?schema= gets a fresh schema, dropped afterwards)
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledger.application import LONDON, CaseLedger  # noqa: E402
from ledger.records.case import note_content  # noqa: E402
from tests.conftest import add_staff  # noqa: E402

REASON = "The plan reviews were recorded against the wrong plan"


def build_case(app: CaseLedger, events: int, clock: dict[str, dt.datetime]) -> tuple[uuid.UUID, int]:
    """A case of about ``events`` events; returns it and the version half-way (the point)."""
    add_staff(app)
    case = app.cases.open("jane.smith", child_name="Amira Hassan", date_of_birth=dt.date(2016, 5, 14),
                          referral_date=dt.date(2026, 1, 2), referral_source="school", team="Assessment",
                          worker="jane.smith")
    start = clock["now"]
    live = app.case(case.id)
    worker, manager = app.staff_member("jane.smith"), app.staff_member("grace.obi")

    def step(minutes: int) -> dt.datetime:
        clock["now"] = clock["now"] + dt.timedelta(minutes=minutes)
        return clock["now"]

    def milestone(actor: object, kind: str, **details: object) -> None:
        now = step(5)
        live.record_milestone(actor=actor, milestone_id=uuid.uuid4(), kind=kind, details=details,  # type: ignore[arg-type]
                              occurred_at=now, now=now)

    milestone(worker, "contact", source="school", channel="telephone")
    milestone(manager, "referral_decision", decision="referral_accepted")
    milestone(worker, "cf_assessment_started")
    milestone(worker, "cf_assessment_completed", factors=["neglect"], recommendation="cin_plan")
    milestone(manager, "cf_assessment_authorised")
    milestone(worker, "cin_plan_started")
    point = 0
    i = 0
    while live.version < events:
        if point == 0 and live.version >= events // 2:
            point = live.version
        if i % 4 == 3:
            milestone(worker, "cin_plan_reviewed")
        else:
            now = step(10)
            nid = uuid.uuid4()
            live.record_case_note(actor=worker, note_id=nid, kind="telephone_call", occurred_at=now, now=now,
                                  content=note_content(facts=f"Call {i} with the school about attendance.",
                                                       analysis="Attendance is improving.",
                                                       actions="Call next week."))
            live.finalise_case_note(actor=worker, note_id=nid, now=now)
        i += 1
        if live.version % 1000 < 2 or live.version >= events:
            app.save(live)
            live = app.case(case.id)
    app.save(live)
    if start > clock["now"]:
        raise AssertionError("the clock went backwards")
    return case.id, point


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000, help="events on the case (default 10,000)")
    parser.add_argument("--samples", type=int, default=21, help="roll-backs carried out and timed (default 21)")
    parser.add_argument("--db", help="a SQLite file or postgresql:// URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    dropped = None
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"{tmp}/rollback.db"
        if db.startswith("postgresql") and "schema=" not in db:
            import psycopg

            dropped = "bench_rollback_" + uuid.uuid4().hex[:8]
            with psycopg.connect(db, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {dropped}")
            db = f"{db}{'&' if '?' in db else '?'}schema={dropped}"
        try:
            clock = {"now": dt.datetime(2026, 1, 5, 9, tzinfo=LONDON)}
            app = CaseLedger(db, clock=lambda: clock["now"])
            print(f"building a {args.events:,}-event case on {app.backend.kind} ...", file=sys.stderr, flush=True)
            cid, point = build_case(app, args.events, clock)
            head = app.case(cid).version
            after = head - point
            print(f"caseledger roll-back benchmark on {app.backend.kind}: a case of {head:,} events, the point at "
                  f"version {point:,} ({after:,} events after it); {args.samples} roll-backs carried out", flush=True)
            times, moved = [], []
            target = point
            for n in range(args.samples):
                clock["now"] += dt.timedelta(minutes=10)
                r = app.rollbacks.request("sam.hd", cid, matter="cin_plan_reviewed", reason=REASON,
                                          raised_by="jane.smith", point_version=target)
                app.rollbacks.agree("grace.obi", r.id)
                clock["now"] += dt.timedelta(minutes=10)
                if app.case(cid).version % 100:  # untimed (a multiple of 100 has its snapshot already)
                    app.take_snapshot(cid)
                t = time.perf_counter()
                done = app.rollbacks.carry_out("sam.hd", r.id)
                times.append((time.perf_counter() - t) * 1000)
                carried = done.carried_out or {}
                moved.append(len(carried.get("superseded", [])) + len(carried.get("restored", [])))
                # next: undo it (roll back to just before this roll-back), then do it again
                target = carried["case_version"] - 1 if n % 2 == 0 else point
            print(f"  carry out: median {statistics.median(times):.1f} ms, min {min(times):.1f} ms, "
                  f"max {max(times):.1f} ms  (goal: median < 200 ms)")
            print(f"  milestones superseded or restored per roll-back: {min(moved):,} to {max(moved):,}; "
                  f"the case has {app.case(cid).version:,} events after the runs")
            app.close()
        finally:
            if dropped is not None:
                import psycopg

                with psycopg.connect(args.db, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA IF EXISTS {dropped} CASCADE")


if __name__ == "__main__":
    main()
