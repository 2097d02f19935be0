"""Every benchmark runs at a tiny size (issue 16: a benchmark that breaks is a defect).

Each script in ``bench/`` runs in a subprocess, as bench/README.md says to run it, with the smallest
sizes its options allow, from a temporary folder (its cache, ``$CASELEDGER_BENCH_CACHE``, points there
too, so nothing is left in the repository or the home folder). A test asserts that the script exits 0
and prints its figures; never what the figures are (timings vary from machine to machine). On
PostgreSQL each run gets schemas of its own, dropped afterwards.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import PG_URL, pg_available, require_pg

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
NUMBER = r"[\d,]+(?:\.\d+)?"

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        require_pg()
    return str(request.param)


@pytest.fixture
def bench_schema() -> Iterator[str]:
    """A prefix for the PostgreSQL schemas ``bench/_build.py`` makes (``$CASELEDGER_BENCH_SCHEMA``), of this
    test's own; whatever is left under it is dropped afterwards."""
    prefix = "t_" + uuid.uuid4().hex[:10] + "_bench"
    try:
        yield prefix
    finally:
        if pg_available() is None:
            for schema in schemas_like(prefix):
                with psycopg.connect(PG_URL, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def schemas_like(prefix: str) -> list[str]:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        rows = conn.execute("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
                            (prefix + "%",)).fetchall()
    return [row[0] for row in rows]


def run(tmp_path: Path, script: str, *args: str, env: dict[str, str] | None = None,
        timeout: float = 120) -> str:
    """Run ``bench/<script>`` from ``tmp_path``; it must exit 0 without a traceback. Its stdout."""
    full_env = {**os.environ, "CASELEDGER_BENCH_CACHE": str(tmp_path / "cache"), "CASELEDGER_BENCH_PG": PG_URL,
                "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}  # no bench/__pycache__ in the repository
    proc = subprocess.run([sys.executable, str(BENCH / script), *args], cwd=tmp_path, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def lines_matching(out: str, pattern: str) -> list[str]:
    return [line for line in out.splitlines() if re.search(pattern, line)]


def test_append_compares_the_same_user_visible_events_on_both_sides(tmp_path: Path, backend: str) -> None:
    """It used to stop with 'expected 100 events per side, stored: ledger 150' once every write also
    recorded an access attempt: both sides now count the note's two events on the case stream."""
    out = run(tmp_path, "append.py", "--backend", backend, "--notes", "20", "--rounds", "2",
              "--notes-per-case", "10", "--pg-url", PG_URL)
    row = lines_matching(out, rf"^{backend}\s+{NUMBER}\s+{NUMBER}\s+\d+\.\d\d\s")
    assert len(row) == 1, out
    assert row[0].split()[-3:] == ["80", "+", "80"], row  # 20 notes x 2 events x 2 rounds, each side
    assert re.search(rf"^{backend}: the ledger also stored, per note, [\d.]+ AccessLog\.AttemptRecorded", out,
                     re.M), out
    assert re.search(rf"^{backend}: rounds \(ledger/plain events/s\) {NUMBER}/{NUMBER}, {NUMBER}/{NUMBER};", out,
                     re.M), out
    assert "skipped" not in out


def test_verify_prints_its_rate_the_floor_and_memory(tmp_path: Path, backend: str, bench_schema: str) -> None:
    size = "--events" if backend == "sqlite" else "--pg-events"
    out = run(tmp_path, "verify.py", "--backend", backend, size, "1000", "--cases", "50",
              env={"CASELEDGER_BENCH_SCHEMA": bench_schema})
    row = lines_matching(out, rf"^{backend}\s+1,000\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+yes$")
    assert len(row) == 1, out
    assert "goals:" in out and "peak memory < 200 MB" in out
    if backend == "sqlite":
        assert re.search(r"sqlite3 directly .* hashed: [\d,]+ events/s", out), out
        assert (tmp_path / "cache" / "ledger-1000.db").exists()
    else:
        assert schemas_like(bench_schema) == []  # dropped without --keep-pg


def test_proofs_prints_latencies_and_every_proof_verifies(tmp_path: Path) -> None:
    out = run(tmp_path, "proofs.py", "--events", "1000", "--cases", "50", "--samples", "20", "--warmup", "2")
    for kind in ("inclusion proof, generate (stored)", "inclusion proof, verify",
                 "consistency proof, generate (stored)", "consistency proof, verify"):
        assert lines_matching(out, rf"{re.escape(kind)}\s+{NUMBER} (ms|us)\s+{NUMBER} (ms|us)"), (kind, out)
    assert "every proof verified (22 inclusion, 22 consistency)" in out


def test_projections_prints_the_rebuild_rate_of_each(tmp_path: Path, backend: str, bench_schema: str) -> None:
    size = "--events" if backend == "sqlite" else "--pg-events"
    out = run(tmp_path, "projections.py", "--backend", backend, size, "1000",
              env={"CASELEDGER_BENCH_SCHEMA": bench_schema})
    rebuilt = lines_matching(out, rf"^  rebuild \w+\s+{NUMBER} s\s+{NUMBER} events/s")
    assert len(rebuilt) >= 5, out
    assert lines_matching(out, rf"^  all projections\s+{NUMBER} s\s+{NUMBER} events/s\s+\(goal"), out
    assert lines_matching(out, rf"catch-up when already at the head: {NUMBER} ms"), out
    if backend == "postgresql":
        assert schemas_like(bench_schema) == []


def test_rollback_prints_the_time_to_carry_one_out(tmp_path: Path, backend: str) -> None:
    db = ["--db", PG_URL] if backend == "postgresql" else []
    out = run(tmp_path, "rollback.py", "--events", "200", "--samples", "2", *db)
    assert lines_matching(out, rf"^  carry out: median {NUMBER} ms, min {NUMBER} ms, max {NUMBER} ms"), out
    assert f"on {backend}: a case of " in out


def test_access_prints_the_added_latency_the_read_rate_and_the_report_time(tmp_path: Path, backend: str) -> None:
    db = ["--db", PG_URL] if backend == "postgresql" else []
    out = run(tmp_path, "access.py", "--reads", "20", "--threads", "2", "--events", "1000", "--staff", "2",
              "--samples", "2", *db)
    assert lines_matching(out, rf"added per read: median -?{NUMBER} ms"), out
    assert lines_matching(out, rf"sustained recorded reads, 2 threads .*: {NUMBER} reads/s$"), out
    assert lines_matching(out, rf"^  report of worker000 .* median {NUMBER} ms, max {NUMBER} ms over 2 runs"), out


def test_views_prints_chronology_and_as_of_read_times(tmp_path: Path, backend: str) -> None:
    """On PostgreSQL the read replayed without snapshots used to find no case: it looked in tables named
    after its own class."""
    out = run(tmp_path, "views.py", "--backend", backend, "--pg-url", PG_URL, "--events", "300",
              "--samples", "5")
    assert lines_matching(out, rf"chronology of a 151-event case, .*: median {NUMBER} ms, p99 {NUMBER} ms"), out
    assert lines_matching(out, rf"with snapshots .*: median {NUMBER} ms, p99 {NUMBER} ms"), out
    assert lines_matching(out, rf"replayed from event zero: +median {NUMBER} ms, p99 {NUMBER} ms"), out


def test_demo_prints_its_figures_and_pins_nothing_in_the_users_configuration(
        tmp_path: Path, config_dir: Path) -> None:
    """The demo ledger lives in a folder removed at the end: its pinned key must go with it."""
    out = run(tmp_path, "demo.py", "--children", "1")
    figures = dict(line.split(None, 1) for line in out.splitlines())
    assert figures["children"] == "1" and int(figures["events"]) > 100 and figures["verified"] == "True"
    assert float(figures["events/s"]) > 0
    assert not (config_dir / "verifiers.toml").exists()


def test_the_builder_builds_once_then_reuses_its_cache(tmp_path: Path) -> None:
    first = json.loads(run(tmp_path, "_build.py", "--events", "600", "--cases", "20"))
    assert first["events"] == 600 and first["reused"] is False
    assert Path(first["db"]) == tmp_path / "cache" / "ledger-600.db"
    again = json.loads(run(tmp_path, "_build.py", "--events", "600", "--cases", "20"))
    assert again["reused"] is True and again["db"] == first["db"]
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["ledger-600.db", "ledger-600.json"]


def test_faults_kills_writers_and_prints_what_was_acknowledged_and_lost(tmp_path: Path, backend: str,
                                                                       bench_schema: str) -> None:
    out = run(tmp_path, "faults.py", "--kills", "2", "--backend", backend, "--pg-url", PG_URL,
              env={"CASELEDGER_BENCH_SCHEMA": bench_schema})
    assert lines_matching(out, rf"^{backend}: 2 kills, {NUMBER} notes acknowledged, 0 lost, {NUMBER} stored "
                               rf"\({NUMBER} committed but killed before their ok line\), .* verify passed"), out
    if backend == "postgresql":
        assert schemas_like(bench_schema) == []


def test_access_commit_prints_each_mode_at_each_thread_count(tmp_path: Path, backend: str,
                                                              bench_schema: str) -> None:
    out = run(tmp_path, "access_commit.py", "--backend", backend, "--pg-url", PG_URL, "--attempts", "8",
              "--threads", "1,2", env={"CASELEDGER_BENCH_SCHEMA": bench_schema})
    durable = "synchronous = FULL, journal_mode = wal" if backend == "sqlite" else "synchronous_commit = on"
    assert re.search(rf"^{backend}: {durable}\b.*; 8 recorded reads per row$", out, re.M), out
    for threads in (1, 2):
        for mode in ("one tx per attempt", "group commit"):
            assert lines_matching(out, rf"^\s+{threads}\s+{mode}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+"
                                       rf"{NUMBER}$"), (threads, mode, out)
        assert lines_matching(out, rf"^\s+{threads}\s+not recorded\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+-\s+-$"), out
        assert lines_matching(out, rf"^\s+{threads}\s+group commit / one tx per attempt: {NUMBER}x; "
                                   rf"group commit / not recorded: {NUMBER}x$"), out
    if backend == "postgresql":
        assert schemas_like(bench_schema) == []


def test_api_prints_reads_writes_and_the_floor_at_each_client_count_and_the_goals(tmp_path: Path, backend: str,
                                                                                 bench_schema: str) -> None:
    out = run(tmp_path, "api.py", "--backend", backend, "--pg-url", PG_URL, "--seconds", "0.3", "--clients", "1,2",
              "--notes", "1", "--workers", "1", env={"CASELEDGER_BENCH_SCHEMA": bench_schema})
    assert re.search(rf"^{backend}: caseledger serve --workers 1; 2 social workers", out, re.M), out
    for clients in (1, 2):
        for what in ("recorded reads", "note writes", r"floor \(no write\)"):
            assert lines_matching(out, rf"^\s+{clients}\s+{what}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+0$"), \
                (clients, what, out)
        assert lines_matching(out, rf"^\s+{clients}\s+recorded reads / floor: {NUMBER}x$"), out
        assert lines_matching(out, rf"^\s+{backend} --workers 1, {clients} clients: recorded reads {NUMBER}x the "
                                   r"floor \(goal >= 0.7x\): (met|missed)$"), out
    assert "PostgreSQL at 32 clients (goal >= 1,000 recorded reads/s, p99 < 50 ms): not measured" in out
    if backend == "postgresql":
        assert schemas_like(bench_schema) == []
