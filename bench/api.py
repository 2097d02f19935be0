"""The HTTP API under load (issue 13): prints figures, asserts nothing.

Starts ``caseledger serve`` (a subprocess, as a council would run it) on each backend over a borough
like the demo's (an Assessment team: a team manager and ``--clients`` social workers, each allocated a
child's case with a few finalised case notes), and drives it from httpx async clients on loopback,
at 1, 8 and 32 concurrent clients (``--clients``), each client a different social worker with an API
token of their own:

* **recorded reads**: ``GET /api/v1/cases/{case}`` (the case view), each decided by the access policy
  and its access attempt committed durably before the answer (synchronous commit on PostgreSQL,
  ``synchronous = FULL`` on SQLite; the attempts of concurrent requests share commits);
* **note writes**: ``POST /api/v1/cases/{case}/notes`` (a draft case note on the worker's own case:
  the note's event and the write's access attempt);
* **floor**: in this process, in the same run, the same case view computed by the same number of
  threads without an access write (``ledger.case`` and ``projections.views.case_view``, no HTTP):
  what a recorded read could at best cost.

For each: requests/s, p50 and p99 latency (ms, as the client saw it), and the server's errors. Then
the goals, each said met or missed: >= 1,000 recorded reads/s on PostgreSQL at 32 clients with
p99 < 50 ms; recorded reads at >= 0.7x the floor. ``--workers 2`` (PostgreSQL only) runs the
PostgreSQL server with two worker processes as well. Timings vary from machine to machine, and the
clients share the machine with the server; compare figures from the same run.

Run:  python bench/api.py                      # SQLite and PostgreSQL, ~2 minutes
      python bench/api.py --backend sqlite --seconds 2 --clients 1,8
      python bench/api.py --backend postgresql --workers 1,2
PostgreSQL runs go in a fresh schema (``$CASELEDGER_BENCH_SCHEMA`` prefix, default ``caseledger_bench``),
dropped afterwards; SQLite in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from ledger.application import LONDON, CaseLedger  # noqa: E402
from projections import views  # noqa: E402

PG_URL = os.environ.get("CASELEDGER_BENCH_PG") or os.environ.get(
    "CASELEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
EXE = Path(sys.executable).parent / "caseledger"
GOAL_RATE, GOAL_P99, GOAL_FLOOR = 1000.0, 50.0, 0.7


def p99(values: list[float]) -> float:
    """The 99th percentile by nearest rank (the largest value when there are fewer than 100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * 0.99) - 1)]


def build(db: str, workers: int, notes: int) -> tuple[list[str], dict[str, str]]:
    """The borough: ``workers`` social workers, each with a case and an API token. (case ids, tokens by worker)."""
    clock = {"now": dt.datetime(2026, 11, 2, 9, 0, tzinfo=LONDON)}
    app = CaseLedger(db, clock=lambda: clock["now"])
    try:
        app.staff.add(None, staff_id="admin", full_name="Priya Raman", designation="Systems Administrator",
                      team="Business Support", roles=["admin"])
        app.staff.add("admin", staff_id="grace.obi", full_name="Grace Obi", designation="Team Manager",
                      team="Assessment", roles=["team_manager"])
        cases, tokens = [], {}
        for i in range(workers):
            staff_id = f"worker{i:02d}"
            app.staff.add("admin", staff_id=staff_id, full_name=f"Social Worker {i}", designation="Social Worker",
                          team="Assessment", roles=["social_worker"])
            case = app.cases.open("grace.obi", child_name=f"Child {i:02d} Hassan", date_of_birth=dt.date(2016, 5, 14),
                                  referral_date=dt.date(2026, 10, 28),
                                  referral_source="school: designated safeguarding lead", team="Assessment",
                                  worker=staff_id)
            for n in range(notes):
                app.casework.record_note(staff_id, case.id, kind="telephone_call", occurred_at=clock["now"],
                                         facts=f"Call {n} with the school about attendance.", finalise=True)
            cases.append(str(case.id))
            tokens[staff_id] = app.tokens.issue("admin", staff_id, label="bench").token
    finally:
        app.close()
    return cases, tokens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(db: str, workers: int, folder: str) -> Iterator[str]:
    """``caseledger serve`` on a free loopback port until the block ends; its API's base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
    log = open(Path(folder) / f"serve-{port}.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([str(EXE), "serve", "--db", db, "--port", str(port), "--workers", str(workers)],
                            cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError(f"caseledger serve did not start:\n{(Path(folder) / log.name).read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


async def drive(clients: int, seconds: float, request: Callable[[httpx.AsyncClient, int, int], Awaitable[int]],
                base: str) -> dict[str, float]:
    """``clients`` concurrent clients sending ``request`` for ``seconds``: the figures."""
    latencies: list[float] = []
    errors = [0]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        for i in range(clients):  # warm: one connection per client, each worker's log of the day opened
            await request(client, i, -1)
        stop = time.perf_counter() + seconds

        async def one(i: int) -> None:
            n = 0
            while time.perf_counter() < stop:
                t = time.perf_counter()
                status = await request(client, i, n)
                latencies.append((time.perf_counter() - t) * 1000)
                if status >= 400:
                    errors[0] += 1
                n += 1

        began = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(clients)))
        elapsed = time.perf_counter() - began
    return {"rate": len(latencies) / elapsed, "p50": statistics.median(latencies), "p99": p99(latencies),
            "n": len(latencies), "errors": errors[0]}


def floor(db: str, cases: list[str], clients: int, seconds: float) -> dict[str, float]:
    """The case view computed in this process by ``clients`` threads, no HTTP and no access write."""
    app = CaseLedger(db, create=False)
    try:
        latencies: list[list[float]] = [[] for _ in range(clients)]
        start = threading.Barrier(clients + 1)
        stop = [0.0]

        def reader(i: int) -> None:
            mine, case_id = latencies[i], cases[i % len(cases)]
            start.wait()
            while time.perf_counter() < stop[0]:
                t = time.perf_counter()
                c = app.case(case_id)
                views.case_view(c, today=views.local_date(app.now()))
                mine.append((time.perf_counter() - t) * 1000)

        pool = [threading.Thread(target=reader, args=(i,)) for i in range(clients)]
        for t in pool:
            t.start()
        stop[0] = time.perf_counter() + seconds
        began = time.perf_counter()
        start.wait()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - began
    finally:
        app.close()
    every = [ms for mine in latencies for ms in mine]
    return {"rate": len(every) / elapsed, "p50": statistics.median(every), "p99": p99(every), "n": len(every),
            "errors": 0}


def row(clients: int, what: str, f: dict[str, float]) -> None:
    print(f"  {clients:>7}  {what:<16} {f['rate']:>9,.0f} {f['p50']:>8.2f} {f['p99']:>8.2f} {f['n']:>8,.0f} "
          f"{f['errors']:>6,.0f}", flush=True)


def bench_backend(backend: str, args: argparse.Namespace, tmp: str, results: dict[tuple[str, int, int], Any]) -> None:
    schema = None
    if backend == "sqlite":
        db = str(Path(tmp) / "api.db")
    else:
        schema = f"{os.environ.get('CASELEDGER_BENCH_SCHEMA', 'caseledger_bench')}_api_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.pg_url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        db = f"{args.pg_url}{'&' if '?' in args.pg_url else '?'}schema={schema}"
    try:
        staff = max(args.clients)
        cases, tokens = build(db, staff, args.notes)
        ids = list(tokens)

        async def read(client: httpx.AsyncClient, i: int, n: int) -> int:
            r = await client.get(f"/cases/{cases[i]}", headers={"Authorization": f"Bearer {tokens[ids[i]]}"})
            return r.status_code

        async def write(client: httpx.AsyncClient, i: int, n: int) -> int:
            r = await client.post(f"/cases/{cases[i]}/notes", headers={"Authorization": f"Bearer {tokens[ids[i]]}"},
                                  json={"kind": "telephone_call", "occurred_at": "2026-11-02 08:30",
                                        "facts": f"Call {n} with the school nurse about Child {i:02d}'s health."})
            return r.status_code

        for workers in ([1] if backend == "sqlite" else args.workers):
            print(f"{backend}: caseledger serve --workers {workers}; {staff} social workers, each a case of "
                  f"{args.notes} notes; {args.seconds:g} s per row")
            print(f"  {'clients':>7}  {'what':<16} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'requests':>8} "
                  f"{'errors':>6}")
            with serving(db, workers, tmp) as base:
                for clients in args.clients:
                    reads = asyncio.run(drive(clients, args.seconds, read, base))
                    row(clients, "recorded reads", reads)
                    writes = asyncio.run(drive(clients, args.seconds, write, base))
                    row(clients, "note writes", writes)
                    lowest = floor(db, cases, clients, args.seconds)
                    row(clients, "floor (no write)", lowest)
                    print(f"  {clients:>7}  recorded reads / floor: {reads['rate'] / lowest['rate']:.2f}x")
                    results[(backend, workers, clients)] = (reads, lowest)
    finally:
        if schema is not None:
            with psycopg.connect(args.pg_url, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def goals(results: dict[tuple[str, int, int], Any]) -> None:
    """The issue's goals beside the figures, each said met or missed."""
    print("goals (issue 13):")
    for (backend, workers, clients), (reads, lowest) in sorted(results.items()):
        ratio = reads["rate"] / lowest["rate"]
        print(f"  {backend} --workers {workers}, {clients} clients: recorded reads {ratio:.2f}x the floor "
              f"(goal >= {GOAL_FLOOR}x): {'met' if ratio >= GOAL_FLOOR else 'missed'}")
    pg = {k: v for k, v in results.items() if k[0] == "postgresql" and k[2] == 32}
    if not pg:
        print(f"  PostgreSQL at 32 clients (goal >= {GOAL_RATE:,.0f} recorded reads/s, p99 < {GOAL_P99:g} ms): "
              "not measured in this run")
    for (_, workers, _), (reads, _) in sorted(pg.items()):
        rate_ok, p99_ok = reads["rate"] >= GOAL_RATE, reads["p99"] < GOAL_P99
        print(f"  postgresql --workers {workers}, 32 clients: {reads['rate']:,.0f} recorded reads/s (goal >= "
              f"{GOAL_RATE:,.0f}): {'met' if rate_ok else 'missed'}; p99 {reads['p99']:.1f} ms (goal < "
              f"{GOAL_P99:g} ms): {'met' if p99_ok else 'missed'}")


def numbers(text: str, option: str, parser: argparse.ArgumentParser) -> list[int]:
    try:
        found = [int(t) for t in text.split(",")]
    except ValueError:
        parser.error(f"{option} {text!r}: whole numbers separated by commas, e.g. 1,8,32")
    if any(n < 1 for n in found):
        parser.error(f"{option} must be at least 1")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=PG_URL, help="PostgreSQL server (a fresh schema is used and dropped)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per row (default 5)")
    parser.add_argument("--clients", default="1,8,32", help="concurrent clients, comma-separated (default 1,8,32)")
    parser.add_argument("--workers", default="1,2", help="PostgreSQL server worker processes to try (default 1,2)")
    parser.add_argument("--notes", type=int, default=20, help="finalised notes on each case (default 20)")
    args = parser.parse_args()
    args.clients = numbers(args.clients, "--clients", parser)
    args.workers = numbers(args.workers, "--workers", parser)
    if args.seconds <= 0 or args.notes < 0:
        parser.error("--seconds must be more than 0 and --notes at least 0")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(f"the HTTP API on loopback, httpx async clients; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    results: dict[tuple[str, int, int], Any] = {}
    with tempfile.TemporaryDirectory(prefix="caseledger-api-bench-") as tmp:
        for backend in backends:
            bench_backend(backend, args, tmp, results)
    goals(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
