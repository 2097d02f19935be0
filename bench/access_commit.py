"""Durable access attempts with and without group commit (issue 13): prints figures, asserts nothing.

Every access attempt is committed durably before the call that records it returns (PostgreSQL:
synchronous commit; SQLite: ``synchronous = FULL`` in WAL mode). Group commit
(:mod:`ledger.access.group_commit`) lets concurrent attempts share one transaction. This measures,
on each backend and in the same run, ``--threads`` threads (default 1, 8 and 32, each a different
social worker of the team holding the case) making recorded reads (``CaseLedger.check_access(...,
"read", "case_view")``: load the case, decide, record the attempt, durably) as fast as they can:

* **one tx per attempt**: the baseline, durable without group commit (each caller commits its own
  attempt in a transaction of its own, in its own thread: ``AttemptCommitter(grouped=False)``);
* **group commit**: the same, with the committer grouping (the ledger's default);
* **not recorded**: the floor, the same read decided but not recorded (``CaseLedger.case`` and
  :func:`ledger.access.policy.decide`, no write): what the write costs is the distance to it.

For each: recorded attempts/s, the p50 and p99 latency of one call, the transactions committed
and the attempts per transaction. The modes take turns at each thread count (baseline, grouped,
floor), on one ledger, so that noise falls on all. Timings vary from machine to machine;
compare figures from the same run.

Run:  python bench/access_commit.py                        # SQLite and PostgreSQL, ~1 minute
      python bench/access_commit.py --backend sqlite --attempts 500 --threads 1,4
      python bench/access_commit.py --backend postgresql --pg-url postgresql://postgres@127.0.0.1:5432/test
The SQLite ledger is a file in a temporary folder (on the same disk as the working folder when
``TMPDIR`` says so); PostgreSQL runs go in a fresh schema (``$CASELEDGER_BENCH_SCHEMA`` prefix,
default ``caseledger_bench``), dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from ledger.access.policy import Action, Part, decide  # noqa: E402
from ledger.application import LONDON, CaseLedger  # noqa: E402

PG_URL = os.environ.get("CASELEDGER_BENCH_PG") or os.environ.get(
    "CASELEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
MODES = (("one tx per attempt", False), ("group commit", True), ("not recorded", None))


def p99(values: list[float]) -> float:
    """The 99th percentile by nearest rank (the largest value when there are fewer than 100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * 0.99) - 1)]


def build(db: str, readers: int) -> tuple[CaseLedger, uuid.UUID]:
    """A team manager, ``readers`` social workers of the Assessment team, and one case that team holds."""
    clock = {"now": dt.datetime(2026, 11, 2, 9, 0, tzinfo=LONDON)}
    app = CaseLedger(db, clock=lambda: clock["now"])
    app.staff.add(None, staff_id="admin", full_name="Priya Raman", designation="Systems Administrator",
                  team="Business Support", roles=["admin"])
    app.staff.add("admin", staff_id="grace.obi", full_name="Grace Obi", designation="Team Manager",
                  team="Assessment", roles=["team_manager"])
    for i in range(readers):
        app.staff.add("admin", staff_id=f"worker{i:02d}", full_name=f"Social Worker {i}",
                      designation="Social Worker", team="Assessment", roles=["social_worker"])
    case = app.cases.open("grace.obi", child_name="Amira Hassan", date_of_birth=dt.date(2016, 5, 14),
                          referral_date=dt.date(2026, 10, 28), referral_source="school: designated safeguarding lead",
                          team="Assessment", worker="worker00")
    for i in range(5):
        app.casework.record_note("worker00", case.id, kind="telephone_call", occurred_at=clock["now"],
                                 facts=f"Call {i} with the school about attendance.", finalise=True)
    for i in range(readers):  # warm up: each reader's staff record cached, their access log of the day opened
        app.access.check(f"worker{i:02d}", case.id, "read", "case_view")
    return app, case.id


def run(app: CaseLedger, case_id: uuid.UUID, threads: int, attempts: int, grouped: bool | None) -> dict[str, float]:
    """``threads`` threads making ``attempts`` recorded reads in all (``grouped`` None: decided, not
    recorded): the figures."""
    committer = app.attempt_committer
    committer.grouped = bool(grouped)

    def read(staff_id: str) -> None:
        if grouped is None:
            decide(app.actor(staff_id), app.case(case_id), Action.READ, Part.CASE_VIEW, now=app.clock())
        else:
            app.access.check(staff_id, case_id, "read", "case_view")
    per = max(1, attempts // threads)
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []
    start = threading.Barrier(threads + 1)

    def reader(i: int) -> None:
        staff_id, mine = f"worker{i:02d}", latencies[i]
        start.wait()
        try:
            for _ in range(per):
                t = time.perf_counter()
                read(staff_id)
                mine.append((time.perf_counter() - t) * 1000)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    pool = [threading.Thread(target=reader, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    transactions, recorded = committer.transactions, committer.attempts
    start.wait()
    began = time.perf_counter()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{len(errors)} of {threads} threads failed: {errors[0]}") from errors[0]
    every = [ms for mine in latencies for ms in mine]
    transactions = committer.transactions - transactions
    return {"rate": len(every) / elapsed, "p50": statistics.median(every), "p99": p99(every),
            "transactions": transactions, "per_tx": (committer.attempts - recorded) / max(1, transactions)}


def durability(app: CaseLedger) -> str:
    """What the ledger's own connections are told about commits, as the database reports it."""
    if app.backend.kind == "sqlite":
        with app.recorder.datastore.transaction(commit=False) as c:
            c.execute("PRAGMA synchronous")
            level = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(c.fetchone()[0], "?")
            c.execute("PRAGMA journal_mode")
            return f"synchronous = {level}, journal_mode = {c.fetchone()[0]}"
    with app.recorder.datastore.get_connection() as conn:
        sync = conn.execute("SHOW synchronous_commit").fetchone()
        fsync = conn.execute("SHOW fsync").fetchone()
        assert sync is not None and fsync is not None
        return f"synchronous_commit = {sync['synchronous_commit']}, fsync = {fsync['fsync']}"


def bench_backend(backend: str, args: argparse.Namespace, tmp: str) -> None:
    schema = None
    if backend == "sqlite":
        db = str(Path(tmp) / "access_commit.db")
    else:
        schema = (f"{os.environ.get('CASELEDGER_BENCH_SCHEMA', 'caseledger_bench')}_access_commit_"
                  f"{uuid.uuid4().hex[:8]}")
        with psycopg.connect(args.pg_url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        db = f"{args.pg_url}{'&' if '?' in args.pg_url else '?'}schema={schema}"
    try:
        app, case_id = build(db, max(args.threads))
        try:
            print(f"{backend}: {durability(app)}; {args.attempts:,} recorded reads per row")
            print(f"  {'threads':>7}  {'mode':<18} {'attempts/s':>10} {'p50 ms':>8} {'p99 ms':>8} "
                  f"{'transactions':>12} {'attempts/tx':>11}")
            for threads in args.threads:
                rates = {}
                for name, grouped in MODES:
                    f = run(app, case_id, threads, args.attempts, grouped)
                    rates[grouped] = f["rate"]
                    written = (f"{f['transactions']:>12,.0f} {f['per_tx']:>11.2f}" if grouped is not None
                               else f"{'-':>12} {'-':>11}")
                    print(f"  {threads:>7}  {name:<18} {f['rate']:>10,.0f} {f['p50']:>8.2f} {f['p99']:>8.2f} "
                          f"{written}", flush=True)
                print(f"  {threads:>7}  group commit / one tx per attempt: {rates[True] / rates[False]:.2f}x; "
                      f"group commit / not recorded: {rates[True] / rates[None]:.2f}x")
        finally:
            app.close()
    finally:
        if schema is not None:
            with psycopg.connect(args.pg_url, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=PG_URL, help="PostgreSQL server (a fresh schema is used and dropped)")
    parser.add_argument("--attempts", type=int, default=2000, help="recorded reads per row (default 2000)")
    parser.add_argument("--threads", default="1,8,32", help="thread counts, comma-separated (default 1,8,32)")
    args = parser.parse_args()
    try:
        args.threads = [int(t) for t in args.threads.split(",")]
    except ValueError:
        parser.error(f"--threads {args.threads!r}: whole numbers separated by commas, e.g. 1,8,32")
    if any(t < 1 for t in args.threads) or args.attempts < 1:
        parser.error("--threads and --attempts must be at least 1")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(f"durable access attempts, one transaction each vs group commit; Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="caseledger-access-commit-") as tmp:
        for backend in backends:
            bench_backend(backend, args, tmp)
    print("(issue 13's goal for the HTTP API, bench/api.py: >= 1,000 recorded reads/s on PostgreSQL at 32 clients, "
          "p99 < 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
