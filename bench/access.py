"""Access benchmarks (issue 6): prints figures, asserts nothing.

(a) Reads of the case view with access recording off and on, in the same run, interleaved:
    off = ``ledger.case(id)`` + building the case view; on = ``ledger.access.open_record(staff, id,
    Part.CASE_VIEW)`` (decided and recorded before it returns) + building the case view. Prints
    the added latency per read (median and p99 of on minus off) and the sustained recorded
    reads/s (one thread, then ``--threads`` threads, each a different staff member reading).
    Goals: <= 1 ms median added per read; >= 2,000 recorded reads/s on PostgreSQL.
(b) The access report of one staff member over a year of a ledger of ``--events`` events
    (default 1,000,000; ``--staff`` people, default 300, about nine attempts each a day). Goal:
    < 200 ms. The ledger is built fast: staff and cases through the
    API, then a year of access attempts by ``--staff`` people (the bulk of a real ledger's events)
    generated through the ``AccessLog`` aggregate itself (hash-chained as a command would) and
    saved thousands per transaction through the ledger's recorder (so the Merkle log is appended
    too). Build progress is printed on stderr.

Run:  python bench/access.py [--db PATH|postgresql://postgres@127.0.0.1:5432/test?schema=bench_access]
                             [--reads 2000] [--events 1000000] [--skip-reads] [--skip-report]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledger.access.log import AccessLog, attempt_fields  # noqa: E402
from ledger.access.policy import Decision, Flag, Outcome, Part  # noqa: E402
from ledger.application import LONDON, CaseLedger  # noqa: E402
from projections.access_report import staff_report  # noqa: E402
from projections.views import case_view  # noqa: E402
from tests.conftest import add_staff  # noqa: E402

TEAMS = ["Assessment", "Child Protection", "Children in Care", "Disabled Children", "Early Help"]


def p99(values: list[float]) -> float:
    """The 99th percentile by nearest rank (the largest value when there are fewer than 100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * 0.99) - 1)]


def fresh_db(base: str | None, tmp: str, name: str) -> tuple[str, str | None]:
    """(db, schema to drop): a SQLite file in ``tmp``, or a fresh schema on the PostgreSQL URL."""
    if base is None or not base.startswith("postgres"):
        return f"{tmp}/{name}.db", None
    import psycopg

    url, _, query = base.partition("?")
    schema = (dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("schema") or "bench_access")
    schema = f"{schema}_{name}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{url}?schema={schema}", schema


def drop(base: str | None, schema: str | None) -> None:
    if schema and base:
        import psycopg

        with psycopg.connect(base.partition("?")[0], autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


# --- (a) reads with recording off and on -----------------------------------------------------------


def bench_reads(db: str, reads: int, threads: int) -> None:
    app = CaseLedger(db)
    add_staff(app)
    for i in range(threads):
        app.staff.add("admin", staff_id=f"reader{i}", full_name=f"Reader {i}", designation="Social Worker",
                      team="Assessment", roles=["social_worker"])
    case = app.cases.open("jane.smith", child_name="Amira Hassan", date_of_birth=dt.date(2016, 5, 14),
                          referral_date=dt.date(2026, 1, 2), referral_source="school", team="Assessment",
                          worker="jane.smith")
    for i in range(20):
        app.casework.record_note("jane.smith", case.id, kind="telephone_call", occurred_at=app.clock(),
                                 facts=f"Call {i} with the school about attendance.", finalise=True)
    cid = case.id
    for _ in range(50):  # warm up both paths (staff cache, access-log stream cache, connections)
        case_view(app.case(cid))
        case_view(app.access.open_record("jane.smith", cid, Part.CASE_VIEW))
    off, on = [], []
    for _ in range(reads):
        t = time.perf_counter()
        case_view(app.case(cid))
        t1 = time.perf_counter()
        case_view(app.access.open_record("jane.smith", cid, Part.CASE_VIEW))
        t2 = time.perf_counter()
        off.append((t1 - t) * 1000)
        on.append((t2 - t1) * 1000)
    added = [b - a for a, b in zip(off, on, strict=True)]
    print(f"  case view read, recording off: median {statistics.median(off):.2f} ms, p99 {p99(off):.2f} ms")
    print(f"  case view read, recording on:  median {statistics.median(on):.2f} ms, p99 {p99(on):.2f} ms")
    print(f"  added per read: median {statistics.median(on) - statistics.median(off):.2f} ms "
          f"(paired: median {statistics.median(added):.2f} ms, p99 {p99(added):.2f} ms)  (goal: <= 1 ms median)")
    started = time.perf_counter()
    for _ in range(reads):
        case_view(app.access.open_record("jane.smith", cid, Part.CASE_VIEW))
    rate = reads / (time.perf_counter() - started)
    print(f"  sustained recorded reads, 1 thread: {rate:,.0f} reads/s")
    if threads > 1:
        per = max(1, reads // threads)
        errors: list[BaseException] = []

        def worker(i: int) -> None:
            try:
                for _ in range(per):
                    case_view(app.access.open_record(f"reader{i}", cid, Part.CASE_VIEW))
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)

        pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
        started = time.perf_counter()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - started
        print(f"  sustained recorded reads, {threads} threads (one staff member each): "
              f"{per * threads / elapsed:,.0f} reads/s" + (f"  ({len(errors)} threads failed: {errors[0]})"
                                                           if errors else ""))
    print(f"  (goal: >= 2,000 recorded reads/s on PostgreSQL; backend here: {app.backend.kind})")
    app.close()


# --- (b) the report over a year of a large ledger ---------------------------------------------------


def build_year(db: str, events: int, staff: int, batch: int = 5000) -> tuple[CaseLedger, str, dt.date]:
    """A ledger of about ``events`` events, nearly all access attempts over one year."""
    rng = random.Random(6)
    year_start = dt.date(2026, 1, 1)
    clock = {"now": dt.datetime(2025, 12, 1, 9, tzinfo=LONDON)}
    app = CaseLedger(db, clock=lambda: clock["now"])
    app.staff.add(None, staff_id="admin", full_name="Priya Raman", designation="Systems Administrator",
                  team="Business Support", roles=["admin"])
    ids = [f"worker{i:03d}" for i in range(staff)]
    for i, sid in enumerate(ids):
        app.staff.add("admin", staff_id=sid, full_name=f"Worker {i}", designation="Social Worker",
                      team=TEAMS[i % len(TEAMS)], roles=["social_worker"])
    cases = []
    for i in range(200):
        worker = ids[i % staff]
        cases.append(app.cases.open(worker, child_name=f"Child {i}", date_of_birth=dt.date(2015, 1, 1),
                                    referral_date=dt.date(2025, 11, 1), referral_source="school",
                                    team=TEAMS[(i % staff) % len(TEAMS)], worker=worker))
    stamps = {sid: app.staff_member(sid).stamp() for sid in ids}
    granted = Decision(Outcome.GRANTED, "Worker is in the team that holds the case", "team")
    claim = Decision(Outcome.GRANTED, "Worker is not on the case and stated a reason: a legitimate-relationship "
                     "self-claim, recorded and flagged for review", "self_claim", flag=Flag.REVIEW)
    base = app.integrity.event_count()
    per_day = max(1, (events - base) // (365 * staff))
    total = per_day * 365 * staff
    written, pending, last_print = 0, [], time.perf_counter()
    print(f"  building: {staff} staff, 200 cases, {per_day} attempts per person per day for 365 days "
          f"({total:,} access events)", file=sys.stderr, flush=True)
    for d in range(365):
        day = year_start + dt.timedelta(days=d)
        for sid in ids:
            log = None
            for k in range(per_day):
                when = dt.datetime(day.year, day.month, day.day, 8, tzinfo=LONDON) + dt.timedelta(
                    minutes=int(k * 600 / per_day) + rng.randint(0, 5))
                case = cases[rng.randrange(len(cases))]
                decision = claim if rng.random() < 0.02 else granted
                fields = attempt_fields(actor=stamps[sid], now=when, decision=decision, action="read",
                                        part=Part.CASE_VIEW, case_id=case.id, case_ref=str(case.id),
                                        case_team=case.team, purpose="sibling on my caseload" if decision is claim
                                        else "", case_version=1)
                if log is None:
                    log = AccessLog.first_attempt(staff_id=sid, day=day, **fields)
                else:
                    log.record(**fields)
            pending.append(log)
            written += per_day
            if sum(len(x.pending_events) for x in pending) >= batch:
                app.save(*pending)
                pending = []
                if time.perf_counter() - last_print > 5:
                    print(f"    {written:,} / {total:,} access events", file=sys.stderr, flush=True)
                    last_print = time.perf_counter()
    if pending:
        app.save(*pending)
    clock["now"] = dt.datetime(2027, 1, 1, 9, tzinfo=LONDON)
    return app, ids[0], year_start


def bench_report(db: str, events: int, staff: int, samples: int) -> None:
    started = time.perf_counter()
    app, target, first = build_year(db, events, staff)
    print(f"  built {app.integrity.event_count():,} events in {time.perf_counter() - started:.0f} s", flush=True)
    last = first + dt.timedelta(days=364)
    app2 = CaseLedger(db, clock=app.clock)  # a fresh process-like ledger: no caches
    report = staff_report(app2, target, first, last).report
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        staff_report(app2, target, first, last)
        times.append((time.perf_counter() - t) * 1000)
    print(f"  report of {target} over {first} to {last}: {report['summary']['attempts']:,} attempts, "
          f"{report['summary']['flagged']:,} flagged; median {statistics.median(times):.0f} ms, "
          f"max {max(times):.0f} ms over {samples} runs  (goal: < 200 ms)")
    t = time.perf_counter()
    rows = app2.investigation.attempt_rows(target, first, last)
    fetch = (time.perf_counter() - t) * 1000
    print(f"    of which reading the {len(rows):,} events of 365 daily streams in one query: {fetch:.0f} ms")
    app.close()
    app2.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="SQLite path or postgresql:// URL (with ?schema=NAME; default: a temp SQLite)")
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--staff", type=int, default=300)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--skip-reads", action="store_true")
    parser.add_argument("--skip-report", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kind = "postgresql" if (args.db or "").startswith("postgres") else "sqlite"
        print(f"caseledger access benchmark on {kind}", flush=True)
        if not args.skip_reads:
            db, schema = fresh_db(args.db, tmp, f"reads_{uuid.uuid4().hex[:6]}")
            try:
                bench_reads(db, args.reads, args.threads)
            finally:
                drop(args.db, schema)
        if not args.skip_report:
            db, schema = fresh_db(args.db, tmp, f"year_{uuid.uuid4().hex[:6]}")
            try:
                bench_report(db, args.events, args.staff, args.samples)
            finally:
                drop(args.db, schema)


if __name__ == "__main__":
    main()
