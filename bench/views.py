"""Read-view benchmarks (issue 5): prints figures, asserts nothing.

* chronology of a case with 5,000 events: median read time, from the materialised chronology
  (catch up + read its rows) and, for comparison, computed from the case aggregate;
* the case as of a random version of a 10,000-event case: median and p99, with snapshots
  (every 100 events) against the same reads replayed from event zero, in the same run.

Run:  python bench/views.py [--backend sqlite|postgresql] [--samples 200] [--events 10000]
      (--events: the as-of case's events; the chronology's case has half as many)
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
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

PG_URL = os.environ.get("CASELEDGER_BENCH_PG") or os.environ.get(
    "CASELEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"
)


class NoSnapshots(CaseLedger):
    """The same ledger, reading past versions by replaying from event zero."""

    name = CaseLedger.name  # the same tables (a subclass would otherwise be named after itself, which on
    # PostgreSQL is a table prefix: it read an empty ``nosnapshots_events`` and found no case)
    snapshotting_intervals = {}  # type: ignore[assignment]
    is_snapshotting_enabled = False


def build_case(app: CaseLedger, events: int) -> uuid.UUID:
    """A case with about ``events`` events, written in one transaction per 1,000 events."""
    start = dt.datetime(2026, 1, 5, 9, tzinfo=LONDON)
    clock = {"now": start}
    app.clock = lambda: clock["now"]
    add_staff(app)
    case = app.cases.open("jane.smith", child_name="Amira Hassan", date_of_birth=dt.date(2016, 5, 14),
                          referral_date=dt.date(2026, 1, 2), referral_source="school", team="Assessment",
                          worker="jane.smith")
    actor = app.staff_member("jane.smith")
    from ledger.records.case import note_content

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
    """The 99th percentile by nearest rank (the largest value when there are fewer than 100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * 0.99) - 1)]


def fresh_location(args: argparse.Namespace, tmp: str, name: str) -> tuple[str, str | None]:
    """(db, schema to drop): a SQLite file in ``tmp``, or a fresh schema on ``--pg-url``."""
    if args.backend == "sqlite":
        return f"{tmp}/{name}.db", None
    import psycopg

    schema = f"bench_{name}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{args.pg_url}{'&' if '?' in args.pg_url else '?'}schema={schema}", schema


def drop_schema(url: str, schema: str | None) -> None:
    if schema is not None:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def bench_chronology(db: str, events: int, samples: int) -> None:
    small = CaseLedger(db)
    try:
        print(f"building a {events:,}-event case ...", file=sys.stderr, flush=True)
        cid = build_case(small, events)
        from projections import runner
        from projections.caseviews import read_chronology

        runner.catch_up(small, "chronology")
        view = runner.view_of(small, "chronology")

        def materialised() -> None:
            runner.catch_up(small, "chronology")
            read_chronology(view, cid)

        stored = timed(materialised, samples)
        reads = timed(lambda: chronology(small.case(cid)), samples // 4 or 1)
        version = small.case(cid).version
        print(f"  chronology of a {version:,}-event case, materialised rows (catch-up + read): "
              f"median {statistics.median(stored):.1f} ms, p99 {p99(stored):.1f} ms  (goal: median < 20 ms)")
        print(f"  the same computed from the case aggregate (for comparison): "
              f"median {statistics.median(reads):.1f} ms, p99 {p99(reads):.1f} ms")
    finally:
        small.close()


def bench_as_of(db: str, events: int, samples: int, rng: random.Random) -> None:
    big = CaseLedger(db)
    plain = NoSnapshots(db)
    try:
        print(f"building a {events:,}-event case ...", file=sys.stderr, flush=True)
        cid = build_case(big, events)
        head = big.case(cid).version
        versions = [rng.randint(1, head) for _ in range(samples)]
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
    finally:
        big.close()
        plain.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default=PG_URL,
                        help="PostgreSQL database (env CASELEDGER_BENCH_PG or CASELEDGER_TEST_PG); each case goes "
                             "in a fresh schema, dropped afterwards")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--events", type=int, default=10_000,
                        help="events on the case read as of past versions; the chronology's case has half")
    args = parser.parse_args()
    if args.samples < 1 or args.events < 20:
        parser.error("--samples must be at least 1 and --events at least 20")
    rng = random.Random(1)
    print(f"caseledger read-view benchmark on {args.backend}; {args.samples} samples each", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        db, schema = fresh_location(args, tmp, "views")
        try:
            bench_chronology(db, args.events // 2, args.samples)
        finally:
            drop_schema(args.pg_url, schema)
        db, schema = fresh_location(args, tmp, "views_as_of")
        try:
            bench_as_of(db, args.events, args.samples, rng)
        finally:
            drop_schema(args.pg_url, schema)


if __name__ == "__main__":
    main()
