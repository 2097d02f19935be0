"""kill -9 of writer processes at random moments, at larger counts (issue 15): prints figures.

The same ledger, writers, kills and checks as ``tests/faults/test_kill_writers.py`` (all in
``tests/faults/writers.py``): writers record finalised case notes in a loop, each is killed with
SIGKILL a random (seeded) time after it starts, and afterwards every acknowledged note must be
stored once and finalised, no stream may have a gap, the Merkle log must have one leaf per event
and ``verify`` must pass. It prints, for each backend: kills, notes acknowledged, lost, stored,
committed-but-unacknowledged (killed after the commit, before the ``ok`` line: allowed), access
attempts whose note never committed, events, leaves, and the time. It exits 1 if a check fails
(the figures of the other backend are still printed).

Run:  python bench/faults.py                                  # 300 kills on SQLite and PostgreSQL
      python bench/faults.py --kills 1000 --backend sqlite
      python bench/faults.py --backend postgresql --pg-url postgresql://postgres@127.0.0.1:5432/test
PostgreSQL runs go in a fresh schema (``$CASELEDGER_BENCH_SCHEMA`` prefix, default ``caseledger_bench``),
dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from tests.faults.writers import build_ledger, check_ledger, kill_writers  # noqa: E402

PG_URL = os.environ.get("CASELEDGER_BENCH_PG") or os.environ.get(
    "CASELEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def run_backend(backend: str, args: argparse.Namespace, tmp: str) -> bool:
    """One backend's kills and checks; its figures printed. True when every check held."""
    schema = None
    if backend == "sqlite":
        db = str(Path(tmp) / "faults.db")
    else:
        schema = f"{os.environ.get('CASELEDGER_BENCH_SCHEMA', 'caseledger_bench')}_faults_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.pg_url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        db = f"{args.pg_url}{'&' if '?' in args.pg_url else '?'}schema={schema}"
    try:
        case_ids = build_ledger(db)
        print(f"{backend}: {args.kills} writers, each killed {args.min_delay}-{args.max_delay} ms after it starts "
              f"(seed {args.seed})", file=sys.stderr, flush=True)
        runs = kill_writers(db, case_ids, args.kills, seed=args.seed,
                            delay=(args.min_delay / 1000, args.max_delay / 1000))
        try:
            figures = check_ledger(db, case_ids, runs)
        except AssertionError as e:
            print(f"{backend}: {runs.kills} kills, {runs.acknowledged_notes} notes acknowledged: CHECK FAILED: {e}")
            return False
        print(figures.line(backend))
        return True
    finally:
        if schema is not None:
            with psycopg.connect(args.pg_url, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--kills", type=int, default=300, help="writers killed per backend (default 300)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=PG_URL,
                        help="PostgreSQL database (env CASELEDGER_BENCH_PG or CASELEDGER_TEST_PG)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--min-delay", type=int, default=50, help="earliest kill, ms after the writer starts")
    parser.add_argument("--max-delay", type=int, default=400, help="latest kill, ms after the writer starts")
    args = parser.parse_args()
    if args.kills < 1 or not 0 <= args.min_delay <= args.max_delay:
        parser.error("--kills must be at least 1, and 0 <= --min-delay <= --max-delay")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    ok = True
    with tempfile.TemporaryDirectory(prefix="caseledger-faults-") as tmp:
        for backend in backends:
            ok = run_backend(backend, args, tmp) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
