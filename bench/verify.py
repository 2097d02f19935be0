#!/usr/bin/env python3
"""Verification throughput: ``verify_ledger`` on a large ledger, against the physical floor.

Run from the repository root::

    python bench/verify.py                                # SQLite, 1,000,000 events
    python bench/verify.py --events 10000000              # the 10M memory goal (long build)
    python bench/verify.py --backend both                 # + PostgreSQL, 200,000 events
    python bench/verify.py --events 100000 --profile      # cProfile of the verify, top costs

What it measures, per backend, on a ledger built (or reused from the cache) by
``bench/_build.py``:

* **verify**: ``ledger.integrity.verify.verify_ledger(recorder, verifier=...)``, the real thing,
  with the bench verifier key: every stream's hash chain from the raw rows, every leaf of the
  Merkle log against its row, the tree recomputed, every stored node against its children,
  the head, and every signed checkpoint. Events/s = events / wall-clock seconds of that call.
* **floor**: a bare loop that only reads the raw rows (``recorder.select_notifications``
  pages of the same size verify reads, ``ledger.integrity.chains.PAGE``) and hashes each row's stored
  bytes once with SHA-256: what any verification has to do at the least.

Each runs in its own child process (``python bench/verify.py --_child ...``) that opens the
ledger and runs only that; the verify child's peak memory is its ``ru_maxrss``
(``getrusage(RUSAGE_SELF)`` at its end, the figure the parent would read through
``RUSAGE_CHILDREN`` for that one child). It includes the interpreter, imports and the open
ledger (the baseline, printed separately). SQLite: the file is read once before timing so
that both sides find it in the page cache. Progress goes to stderr, figures to stdout.

This is a benchmark, not a test: it prints figures and never fails on timings (it exits
non-zero only if the ledger does not verify).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _build  # noqa: E402

GOAL_EPS = 300_000  # events/s on SQLite
GOAL_RATIO = 2.0  # verify time / floor time
GOAL_MEM_MB = 200.0  # peak memory at 10 million events
MEM_GOAL_EVENTS = 10_000_000
DEFAULT_EVENTS = 1_000_000
DEFAULT_PG_EVENTS = 200_000


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kilobytes


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return _maxrss_mb()


# --- the child processes --------------------------------------------------------------------


def child(kind: str, db: str, verifier: str) -> int:
    """Open the ledger, run only ``kind`` (verify, floor, profile), print one JSON line."""
    from ledger.application import CaseLedger
    from ledger.integrity.chains import PAGE
    from ledger.integrity.checkpoint import VerifierKey
    from ledger.integrity.verify import verify_ledger

    app = CaseLedger(db)
    recorder = app.recorder
    total = app.integrity.event_count()
    key = VerifierKey.from_string(verifier)
    baseline = _rss_mb()
    progress = _build.Progress(f"{kind}", total)
    out: dict[str, Any] = {"kind": kind, "baseline_rss_mb": baseline, "page": PAGE}

    def report_progress(done: int) -> None:
        progress.update(done)

    if kind == "floor":
        t0 = time.perf_counter()
        n = 0
        start = 1
        sha = hashlib.sha256
        while True:
            batch = recorder.select_notifications(start, PAGE)
            if not batch:
                break
            for row in batch:
                sha(row.state).digest()
            n += len(batch)
            start = batch[-1].id + 1
            progress.update(n)
        seconds = time.perf_counter() - t0
        progress.close(n)
        out.update(events=n, seconds=seconds, ok=True)
    elif kind == "rawfloor":  # SQLite only: the driver alone, no Notification objects
        import sqlite3

        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        sha = hashlib.sha256
        t0 = time.perf_counter()
        n, start = 0, 1
        while True:
            rows = conn.execute("SELECT rowid, state FROM stored_events WHERE rowid >= ? ORDER BY rowid "
                                "LIMIT ?", (start, PAGE)).fetchall()
            if not rows:
                break
            for _, state in rows:
                sha(state).digest()
            n += len(rows)
            start = rows[-1][0] + 1
        seconds = time.perf_counter() - t0
        conn.close()
        out.update(events=n, seconds=seconds, ok=True)
    elif kind in ("verify", "profile"):
        if kind == "profile":
            import cProfile
            import pstats

            prof = cProfile.Profile()
            t0 = time.perf_counter()
            prof.enable()
            report = verify_ledger(recorder, verifier=key, progress=report_progress)
            prof.disable()
            seconds = time.perf_counter() - t0
            stats = pstats.Stats(prof, stream=sys.stderr)
            print("\n--- cProfile of verify_ledger, by own time ---", file=sys.stderr)
            stats.sort_stats("tottime").print_stats(25)
            print("--- by cumulative time ---", file=sys.stderr)
            stats.sort_stats("cumulative").print_stats(25)
        else:
            t0 = time.perf_counter()
            report = verify_ledger(recorder, verifier=key, progress=report_progress)
            seconds = time.perf_counter() - t0
        progress.close(report.chains.events)
        out.update(events=report.chains.events, seconds=seconds, ok=report.ok,
                   log_size=report.log_size, cases=report.chains.cases, streams=report.chains.streams,
                   checkpoints=len(report.checkpoints),
                   problems=[p.as_dict() for p in report.problems[:5]]
                   + [c.as_dict() for c in report.checkpoints if not c.ok][:5])
    else:
        raise SystemExit(f"unknown child kind {kind!r}")
    app.close()
    out["maxrss_mb"] = _maxrss_mb()
    print(json.dumps(out), flush=True)
    return 0


def run_child(kind: str, info: _build.BuildInfo) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_child", kind, "--_db", info.db,
           "--_verifier", info.verifier]
    before = os.getloadavg()[0]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)  # stderr: progress, passed through
    if proc.returncode != 0:
        raise SystemExit(f"the {kind} child failed (exit {proc.returncode})")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["load_before"] = before
    result["load_after"] = os.getloadavg()[0]
    result["children_maxrss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return result


# --- the parent -----------------------------------------------------------------------------


@dataclass
class Result:
    backend: str
    info: _build.BuildInfo
    verify: dict[str, Any]
    floor: dict[str, Any]
    verify_runs: list[float]
    floor_runs: list[float]
    raw: dict[str, Any] | None = None

    @property
    def verify_eps(self) -> float:
        return self.verify["events"] / self.verify["seconds"]

    @property
    def floor_eps(self) -> float:
        return self.floor["events"] / self.floor["seconds"]

    @property
    def ratio(self) -> float:
        return self.verify["seconds"] / self.floor["seconds"]


def warm_sqlite(path: str) -> float:
    t0 = time.perf_counter()
    with open(path, "rb") as f:
        while f.read(16 << 20):
            pass
    return time.perf_counter() - t0


def bench(backend: str, info: _build.BuildInfo, repeat: int) -> Result:
    if backend == "sqlite":
        secs = warm_sqlite(info.db)
        print(f"  read {info.size_bytes / 1e6:,.0f} MB once to warm the page cache ({secs:.1f}s)",
              file=sys.stderr)
    best_v: dict[str, Any] | None = None
    best_f: dict[str, Any] | None = None
    v_runs: list[float] = []
    f_runs: list[float] = []
    for r in range(repeat):
        order = ("floor", "verify") if r % 2 == 0 else ("verify", "floor")
        for kind in order:
            print(f"  {backend} run {r + 1}/{repeat}: {kind} ...", file=sys.stderr, flush=True)
            res = run_child(kind, info)
            if kind == "verify":
                if not res["ok"]:
                    print(f"  VERIFY FAILED: {res['problems']}", file=sys.stderr)
                v_runs.append(res["events"] / res["seconds"])
                if best_v is None or res["seconds"] < best_v["seconds"]:
                    best_v = res
            else:
                f_runs.append(res["events"] / res["seconds"])
                if best_f is None or res["seconds"] < best_f["seconds"]:
                    best_f = res
    assert best_v is not None and best_f is not None
    raw = None
    if backend == "sqlite":
        print(f"  {backend}: raw driver floor (sqlite3 directly, for information) ...", file=sys.stderr)
        raw = run_child("rawfloor", info)
    return Result(backend, info, best_v, best_f, v_runs, f_runs, raw)


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--events", type=int, default=None,
                        help=f"events in the ledger (default {DEFAULT_EVENTS:,} on SQLite, "
                             f"{DEFAULT_PG_EVENTS:,} on PostgreSQL)")
    parser.add_argument("--pg-events", type=int, default=None,
                        help="events in the PostgreSQL ledger (default: --events if given, "
                             f"else {DEFAULT_PG_EVENTS:,})")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side (best reported)")
    parser.add_argument("--rebuild", action="store_true", help="build the ledger afresh, not from the cache")
    parser.add_argument("--cases", type=int, default=_build.DEFAULT_CASES)
    parser.add_argument("--batch", type=int, default=_build.DEFAULT_BATCH,
                        help="events per write when building")
    parser.add_argument("--pg-url", default=_build.PG_URL)
    parser.add_argument("--keep-pg", action="store_true",
                        help="keep the PostgreSQL bench schema for the next run (default: drop it)")
    parser.add_argument("--profile", action="store_true",
                        help="instead of timing, run verify_ledger under cProfile and print the top costs")
    parser.add_argument("--_child", help=argparse.SUPPRESS)
    parser.add_argument("--_db", help=argparse.SUPPRESS)
    parser.add_argument("--_verifier", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        return child(args._child, args._db, args._verifier)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    sqlite_events = args.events or DEFAULT_EVENTS
    pg_events = args.pg_events or args.events or DEFAULT_PG_EVENTS

    print("caseledger verify benchmark: verify_ledger vs the bare read-and-hash floor")
    print(f"python {platform.python_version()}, eventsourcing {importlib.metadata.version('eventsourcing')}, "
          f"{os.cpu_count()} CPUs ({platform.machine()}, {platform.system()}), "
          f"load average at start {os.getloadavg()[0]:.2f} (other sessions may share this machine)")
    kinds = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in kinds:
        print(f"PostgreSQL ledger: {pg_events:,} events"
              + ("" if args.pg_events or args.events else " (the PostgreSQL default is smaller than "
                                                        "SQLite's: building it takes longer)"))
    print()

    results: list[Result] = []
    notes: list[str] = []
    failed = False
    for kind in kinds:
        if kind == "sqlite":
            info = _build.sqlite_ledger(sqlite_events, rebuild=args.rebuild, cases=args.cases,
                                        batch=args.batch)
        else:
            error = _build.pg_unreachable(args.pg_url)
            if error:
                notes.append(f"postgresql skipped: not reachable at {args.pg_url}: {error.splitlines()[0]}")
                print(f"  {notes[-1]}", file=sys.stderr)
                continue
            info = _build.pg_ledger(pg_events, url=args.pg_url, rebuild=args.rebuild, cases=args.cases,
                                    batch=args.batch)
        try:
            if args.profile:
                res = run_child("profile", info)
                print(f"{kind}: verify_ledger under cProfile: {res['events']:,} events in "
                      f"{res['seconds']:.1f}s ({res['events'] / res['seconds']:,.0f} events/s with the "
                      "profiler's overhead); the tables are on stderr")
                continue
            results.append(bench(kind, info, args.repeat))
        finally:
            if kind == "postgresql" and not args.keep_pg:
                _build.drop_pg(info, args.pg_url)
                print(f"  dropped {info.display} (--keep-pg keeps it for the next run)", file=sys.stderr)
    if args.profile:
        return 0

    header = (f"{'backend':<11} {'events':>11} {'verify ev/s':>12} {'floor ev/s':>11} {'ratio':>6} "
              f"{'peak RSS MB':>12} {'baseline MB':>12} {'ok':>4}")
    print(header)
    print("-" * len(header))
    for r in results:
        v = r.verify
        failed |= not v["ok"]
        print(f"{r.backend:<11} {v['events']:>11,} {r.verify_eps:>12,.0f} {r.floor_eps:>11,.0f} "
              f"{r.ratio:>6.1f} {v['maxrss_mb']:>12,.1f} {v['baseline_rss_mb']:>12,.1f} "
              f"{'yes' if v['ok'] else 'NO':>4}")
    print()
    print("verify ev/s = events / seconds of verify_ledger(recorder, verifier=key) (chains, Merkle leaves, "
          "tree, stored nodes, head, signed checkpoints);")
    print("floor ev/s = the same rows read by select_notifications in pages of the same size and each "
          "row's state hashed once with SHA-256; ratio = verify seconds / floor seconds.")
    print("peak RSS = ru_maxrss of the child process that runs only the verify (interpreter, imports and "
          "the open ledger included: baseline = RSS just before the verify starts).")
    for r in results:
        v, f = r.verify, r.floor
        built = (f"reused from the cache (built earlier in {r.info.build_seconds:,.0f}s)" if r.info.reused
                 else f"built in this run in {r.info.build_seconds:,.0f}s")
        print(f"{r.backend}: {r.info.display}, {r.info.events:,} events, {v['cases']:,} cases, "
              f"{v['streams']:,} streams, {v['checkpoints']} signed checkpoints, {built}"
              + (f", {r.info.size_bytes / 1e6:,.0f} MB" if r.info.size_bytes else ""))
        print(f"  verify {v['seconds']:,.1f}s, floor {f['seconds']:,.1f}s; page {v['page']:,} rows; "
              f"load average (1 min) before/after: verify {v['load_before']:.2f}/{v['load_after']:.2f}, "
              f"floor {f['load_before']:.2f}/{f['load_after']:.2f}")
        if len(r.verify_runs) > 1:
            print(f"  all runs ev/s: verify {', '.join(f'{x:,.0f}' for x in r.verify_runs)}; "
                  f"floor {', '.join(f'{x:,.0f}' for x in r.floor_runs)}")
        if r.raw:
            print(f"  for information: the same rows read with sqlite3 directly (SELECT rowid, state; no "
                  f"Notification objects) and hashed: {r.raw['events'] / r.raw['seconds']:,.0f} events/s; "
                  f"select_notifications costs {r.floor['seconds'] / r.raw['seconds']:.1f}x that")
        if not v["ok"]:
            print(f"  THE LEDGER DID NOT VERIFY: {v['problems']}")
    for n in notes:
        print(n)
    half = 0.5 * (os.cpu_count() or 1)
    busy = [r for r in results if max(r.verify["load_before"], r.floor["load_before"]) > half]
    if busy:
        print(f"note: the machine was loaded by other work during {', '.join(r.backend for r in busy)} "
              "(load average above half the CPUs): figures may be low and noisy.")
    print()
    print("goals:")
    sqlite = next((r for r in results if r.backend == "sqlite"), None)
    if sqlite:
        print(f"  >= {GOAL_EPS:,} events/s on SQLite: {sqlite.verify_eps:,.0f} -> "
              f"{met(sqlite.verify_eps >= GOAL_EPS)}")
    else:
        print(f"  >= {GOAL_EPS:,} events/s on SQLite: not measured in this run")
    for r in results:
        print(f"  within {GOAL_RATIO:.0f}x of the bare floor ({r.backend}): {r.ratio:.1f}x -> "
              f"{met(r.ratio <= GOAL_RATIO)}")
    at_10m = [r for r in results if r.verify["events"] >= MEM_GOAL_EVENTS]
    if at_10m:
        for r in at_10m:
            print(f"  peak memory < {GOAL_MEM_MB:.0f} MB at {MEM_GOAL_EVENTS:,} events ({r.backend}): "
                  f"{r.verify['maxrss_mb']:,.1f} MB -> {met(r.verify['maxrss_mb'] < GOAL_MEM_MB)}")
    else:
        measured = ", ".join(f"{r.verify['maxrss_mb']:,.1f} MB at {r.verify['events']:,} events ({r.backend})"
                             for r in results)
        print(f"  peak memory < {GOAL_MEM_MB:.0f} MB at {MEM_GOAL_EVENTS:,} events: not measured at 10M in "
              f"this run (peak here: {measured or 'none'})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
