"""Read-view benchmarks (issue 5): prints figures, asserts nothing.

* chronology of a case with 5,000 events: median read time (load the case + build the view);
* the case as of a random version of a 10,000-event case: median and p99, with snapshots
  (every 100 events) against the same reads replayed from event zero, in the same run.

Run:  python bench/views.py [--backend sqlite|postgresql] [--samples 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledger.application import LONDON, CaseLedger  # noqa: E402
from projections.views import chronology  # noqa: E402
from tests.conftest import add_staff  # noqa: E402


class NoSnapshots(CaseLedger):
    """The same ledger, reading past versions by replaying from event zero."""

    snapshotting_intervals = {}  # type: ignore[assignment]
    is_snapshotting_enabled = False


def build_case(app: CaseLedger, events: int) -> uuid.UUID:
    """A case with about ``events`` events, written in one transaction per 1,000 events."""
    start = dt.datetime(2026, 1, 5, 9, tzinfo=LONDON)
    clock = {"now": start}
    app.clock = lambda: clock["now"]
    add_staff(app)
    case = app.open_case("jane.smith", child_name="Amira Hassan", date_of_birth=dt.date(2016, 5, 14),
                         referral_date=dt.date(2026, 1, 2), referral_source="school", team="Assessment",
                         worker="jane.smith")
    actor = app.staff_member("jane.smith")
    from ledger.case import note_content

    live = app.case(case.id)
    i = 0
    while live.version < events:
        clock["now"] = start + dt.timedelta(minutes=10 * i)
        nid = uuid.uuid4()
        live.record_case_note(actor=actor, note_id=nid, kind="telephone_call", occurred_at=clock["now"],
                              now=clock["now"], content=note_content(
                                  facts=f"Call {i} with the school about attendance and wellbeing this week.",
                                  analysis="Attendance is improving; keep the plan.", actions="Call next week."))
        live.finalise_case_note(actor=actor, note_id=nid, now=clock["now"])
        i += 1
        if live.version % 1000 < 2 or live.version >= events:
            app.save(live)
            live = app.case(case.id)
    return case.id


def timed(fn, samples: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(samples):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p99(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.99) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        if args.backend == "sqlite":
            db = f"{tmp}/views.db"
        else:
            import psycopg

            schema = "bench_views_" + uuid.uuid4().hex[:8]
            with psycopg.connect(args.pg_url, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            db = f"{args.pg_url}?schema={schema}"
        try:
            print(f"caseledger read-view benchmark on {args.backend}; {args.samples} samples each", flush=True)
            small = CaseLedger(db)
            print("building a 5,000-event case ...", file=sys.stderr, flush=True)
            cid5 = build_case(small, 5_000)
            from projections import runner
            from projections.caseviews import read_chronology

            runner.catch_up(small, "chronology")
            view = runner.view_of(small, "chronology")

            def materialised() -> None:
                runner.catch_up(small, "chronology")
                read_chronology(view, cid5)

            stored = timed(materialised, args.samples)
            reads = timed(lambda: chronology(small.case(cid5)), args.samples // 4 or 1)
            version = small.case(cid5).version
            print(f"  chronology of a {version:,}-event case, materialised rows (catch-up + read): "
                  f"median {statistics.median(stored):.1f} ms, p99 {p99(stored):.1f} ms  (goal: median < 20 ms)")
            print(f"  the same computed from the case aggregate (for comparison): "
                  f"median {statistics.median(reads):.1f} ms, p99 {p99(reads):.1f} ms")
            small.close()
        finally:
            pass
        db2 = f"{tmp}/views10k.db" if args.backend == "sqlite" else db.replace("?schema=", "?schema=") + ""
        if args.backend == "postgresql":
            import psycopg

            schema2 = "bench_views10k_" + uuid.uuid4().hex[:8]
            with psycopg.connect(args.pg_url, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema2}")
            db2 = f"{args.pg_url}?schema={schema2}"
        big = CaseLedger(db2)
        print("building a 10,000-event case ...", file=sys.stderr, flush=True)
        cid = build_case(big, 10_000)
        head = big.case(cid).version
        plain = NoSnapshots(db2)
        versions = [rng.randint(1, head) for _ in range(args.samples)]
        it = iter(versions)
        with_snap = timed(lambda: big.case(cid, version=next(it)), len(versions))
        it = iter(versions)
        without = timed(lambda: plain.case(cid, version=next(it)), len(versions))
        print(f"  case as of a random version of a {head:,}-event case ({len(versions)} reads):")
        print(f"    with snapshots (every 100 events): median {statistics.median(with_snap):.1f} ms, "
              f"p99 {p99(with_snap):.1f} ms  (goal: p99 < 20 ms)")
        print(f"    replayed from event zero:          median {statistics.median(without):.1f} ms, "
              f"p99 {p99(without):.1f} ms")
        print(f"    speed-up at p99: {p99(without) / p99(with_snap):.1f}x")
        big.close()
        plain.close()
        if args.backend == "postgresql":
            import psycopg

            with psycopg.connect(args.pg_url, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                conn.execute(f"DROP SCHEMA IF EXISTS {schema2} CASCADE")


if __name__ == "__main__":
    main()
