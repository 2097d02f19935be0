#!/usr/bin/env python3
"""Projection rebuild rate: ``projections.runner.rebuild`` of every projection on a large ledger.

Run from the repository root::

    python bench/projections.py                          # SQLite, 1,000,000 events (cached build)
    python bench/projections.py --events 200000          # smaller (builds in about a minute)
    python bench/projections.py --backend both --pg-events 200000

The ledger comes from ``bench/_build.py`` (cached). A rebuild writes ``view_*`` tables, so
on SQLite the cached file is copied to a scratch file first (the cache stays untouched); on
PostgreSQL the bench schema is dropped at the end, as ``bench/verify.py`` does (``--keep-pg``
keeps it for the next run, less the view tables the rebuild wrote).

Per projection: the wall-clock seconds of ``rebuild`` (read the notification log from event
zero, filtered by the projection's topics, decode what it reads, fold in memory, then one
transaction replacing the rows and the position), and the rate in ledger events per second
(the ledger's size over those seconds: a rebuild has to cover the whole log). The goal is
>= 50,000 events/s on SQLite. This is a benchmark: it prints figures, never asserts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

# This file's name is the package's: take the bench folder off the path, load _build by file.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))
sys.modules.pop("projections", None)


def _load_build():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("_build", _HERE / "_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["_build"] = module
    spec.loader.exec_module(module)
    return module


_build = _load_build()

from ledger.application import CaseLedger  # noqa: E402
from projections import runner  # noqa: E402

GOAL = 50_000


def bench(db: str, label: str, events: int) -> None:
    led = CaseLedger(db)
    try:
        top = runner.head(led)
        total = 0.0
        print(f"{label}: {events:,} events (head {top:,})")
        for name in runner.projection_classes():
            t0 = time.perf_counter()
            result = runner.rebuild(led, name)
            seconds = time.perf_counter() - t0
            total += seconds
            rows = ", ".join(f"{t} {n:,}" for t, n in result["rows"].items())
            print(f"  rebuild {name:<8} {seconds:8.2f} s  {top / seconds:>12,.0f} events/s  ({rows})")
        rate = top / total
        print(f"  all projections {total:8.2f} s  {rate:>12,.0f} events/s  "
              f"(goal >= {GOAL:,}: {'met' if rate >= GOAL else 'NOT met'})")
        t0 = time.perf_counter()
        for name in runner.projection_classes():
            runner.catch_up(led, name)
        print(f"  catch-up when already at the head: {1000 * (time.perf_counter() - t0):.1f} ms")
    finally:
        led.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--pg-events", type=int, default=200_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--pg-url", default=_build.PG_URL)
    parser.add_argument("--keep-pg", action="store_true",
                        help="keep the PostgreSQL bench schema (less its view tables) for the next run "
                             "(default: drop it)")
    args = parser.parse_args(argv)
    if args.backend in ("sqlite", "both"):
        info = _build.sqlite_ledger(args.events)
        scratch = Path(tempfile.mkdtemp(prefix="caseledger-bench-proj-"))
        try:
            copy = scratch / "ledger.db"
            shutil.copyfile(info.db, copy)
            bench(str(copy), "SQLite", info.events)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    if args.backend in ("postgresql", "both"):
        why = _build.pg_unreachable(args.pg_url)
        if why:
            print(f"PostgreSQL skipped: {why}")
            return 0
        info = _build.pg_ledger(args.pg_events, url=args.pg_url)
        try:
            bench(info.db, "PostgreSQL", info.events)
        finally:
            if args.keep_pg:
                drop_views(info.db, args.pg_url)
            else:
                _build.drop_pg(info, args.pg_url)
    return 0


def drop_views(db: str, url: str) -> None:
    """Drop the ``view_*`` tables a rebuild wrote into the kept bench schema (every projection's)."""
    import psycopg

    schema = db.rsplit("schema=", 1)[1]
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_name LIKE 'view\\_%%'",
            (schema,))]
        for table in tables:
            conn.execute(f'DROP TABLE IF EXISTS {schema}."{table}"')


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
