"""Storage faults: a database that lost its last commits, concurrent writers, missing or foreign files.

Every test here runs on a real database (SQLite, and PostgreSQL in a schema of its own).
"""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ledger.access.log import access_day, access_stream_id
from ledger.application import CaseLedger
from ledger.integrity.verify import verify_ledger
from tests.conftest import PG_URL, Borough, Clock


def _schema(url: str) -> str:
    return url.rsplit("schema=", 1)[1]


@contextlib.contextmanager
def lost_tail(db: str, tmp_path: Path) -> Iterator[None]:
    """Everything committed inside the block is lost afterwards, as after a database crash that
    came back at the consistent point where the block began (the running ledger is not told)."""
    if not db.startswith("postgresql"):
        saved = tmp_path / "before-crash.db"
        with sqlite3.connect(db) as live, sqlite3.connect(saved) as copy:
            live.backup(copy)
        yield
        with sqlite3.connect(saved) as copy, sqlite3.connect(db) as live:
            copy.backup(live)
        return
    schema, saved = _schema(db), "s_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,))]
        conn.execute(f"CREATE SCHEMA {saved}")
        for t in tables:
            conn.execute(f'CREATE TABLE {saved}."{t}" AS TABLE {schema}."{t}"')
    try:
        yield
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            for t in tables:
                conn.execute(f'DELETE FROM {schema}."{t}"')
                conn.execute(f'INSERT INTO {schema}."{t}" SELECT * FROM {saved}."{t}"')
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {saved} CASCADE")


def stream_versions(app: CaseLedger, stream_id: uuid.UUID) -> list[int]:
    return [e.originator_version for e in app.recorder.select_events(stream_id)]


def test_an_append_after_a_lost_tail_follows_what_is_stored_not_what_was_remembered(
        borough: Borough, clock: Clock, db: str, tmp_path: Path) -> None:
    """A running ledger remembers jane's access log at its last version; the database loses the
    last attempt; the next attempt must follow the stored stream (no gap, verify passes)."""
    app = borough.ledger
    app.access.open_record("jane.smith", borough.case_id)
    with lost_tail(db, tmp_path):
        app.access.open_record("jane.smith", borough.case_id)
    app.access.open_record("jane.smith", borough.case_id)
    stream = access_stream_id("jane.smith", access_day(clock.now))
    assert stream_versions(app, stream) == [1, 2]
    report = verify_ledger(app.recorder, verifier=None)
    assert report.ok, report.problems


def test_a_staff_change_after_a_lost_tail_is_not_built_on_the_remembered_member(
        borough: Borough, db: str, tmp_path: Path) -> None:
    app = borough.ledger
    with lost_tail(db, tmp_path):
        app.staff.change("admin", "jane.smith", designation="Senior Social Worker")
    app.staff.change("admin", "jane.smith", designation="Advanced Practitioner")
    assert app.staff_member("jane.smith").designation == "Advanced Practitioner"
    assert verify_ledger(app.recorder, verifier=None).ok


# --- opening: a missing ledger, a file that is not one ---------------------------------------

def cli(*args: str, cwd: Path) -> tuple[int, str, str]:
    """Run the CLI's entry point in a subprocess (exit code, stdout, stderr)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
    proc = subprocess.run([sys.executable, "-c", "from commands.cli import main; main()", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("command", [["verify"], ["staff", "list"], ["case", "list", "--as", "x"],
                                     ["checkpoint"]])
def test_a_missing_sqlite_ledger_is_not_created_by_any_command_but_init(tmp_path: Path, command: list[str]) -> None:
    code, out, err = cli(*command, "--db", "typo.db", cwd=tmp_path)
    assert (code, out) == (2, "")
    assert err == "caseledger: no ledger at typo.db (create one with caseledger init)\n"
    assert not (tmp_path / "typo.db").exists()


def test_init_creates_the_ledger_and_then_other_commands_open_it(tmp_path: Path) -> None:
    assert cli("init", "--db", "new.db", cwd=tmp_path)[0] == 0
    code, out, err = cli("staff", "list", "--db", "new.db", cwd=tmp_path)
    assert (code, err) == (0, "")


def test_a_postgresql_schema_without_a_ledger_is_no_ledger(pg_schema_url: str, tmp_path: Path) -> None:
    code, out, err = cli("staff", "list", "--db", pg_schema_url, cwd=tmp_path)
    assert code == 2
    assert err.startswith("caseledger: no ledger at postgresql://") and err.endswith(
        " (create one with caseledger init)\n") and err.count("\n") == 1
    with psycopg.connect(PG_URL) as conn:
        assert conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
                            (_schema(pg_schema_url),)).fetchone() == (0,)


def test_a_file_that_is_not_a_sqlite_database_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("these are my notes, not a ledger\n" * 100)
    code, out, err = cli("verify", "--db", "notes.txt", cwd=tmp_path)
    assert code == 2
    assert err.startswith("caseledger: opening the ledger at notes.txt: ") and "not a database" in err
    assert err.count("\n") == 1, err


# --- two writers on the same case ------------------------------------------------------------

WRITERS = 16  # each ledger holds a pool of its own: 16 stays well inside PostgreSQL's 100 connections


def test_parallel_writers_on_one_case_all_succeed_with_no_gap(borough: Borough, db: str, clock: Clock) -> None:
    """16 threads, each with a ledger of its own, record a note on the same case at once: each
    command retries whole on a conflict, so every note is written and the case has no gap."""
    import datetime as dt
    import threading

    errors: list[BaseException] = []
    # A thread that cannot open its ledger breaks the barrier (no one waits for ever).
    start = threading.Barrier(WRITERS, timeout=60)

    def writer(n: int) -> None:
        app: CaseLedger | None = None
        try:
            app = CaseLedger(db, clock=clock)
            start.wait()
            app.casework.record_note("jane.smith", borough.case_id, kind="telephone_call",
                                     occurred_at=clock.now - dt.timedelta(minutes=30),
                                     facts=f"Phone call number {n} with the school about attendance.")
        except BaseException as e:  # noqa: BLE001 (collected and reported below)
            start.abort()
            errors.append(e)
        finally:
            if app is not None:
                app.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a writer did not finish within 5 minutes"
    assert errors == []
    app = borough.ledger
    case = app.case(borough.case_id)
    assert len(case.notes) == WRITERS
    assert stream_versions(app, borough.case_id) == list(range(1, case.version + 1))
    assert verify_ledger(app.recorder, verifier=None).ok


def test_when_every_try_conflicts_the_message_says_what_was_kept(borough: Borough, clock: Clock,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone else writes to the case between each try's read and its write: after the bounded
    tries the command gives up, and says that its access attempts (one per try) were recorded
    and that the note was not written."""
    import datetime as dt

    from ledger import core
    from ledger.services.access import AccessService

    app, other = borough.ledger, CaseLedger(borough.ledger.backend.display if not
                                            borough.ledger.backend.kind == "postgresql" else None,
                                            clock=clock, backend=borough.ledger.backend)
    monkeypatch.setattr(core, "COMMAND_TRIES", 3)
    real_gate = AccessService.gate

    def access_then_someone_writes(self: AccessService, *args: Any, **kwargs: Any) -> Any:
        result = real_gate(self, *args, **kwargs)
        if self is not app.access:
            return result
        import threading  # someone else, in a thread of their own
        t = threading.Thread(target=other.casework.record_note, args=("omar.farah", borough.case_id), kwargs=dict(
            kind="telephone_call", occurred_at=clock.now - dt.timedelta(minutes=5),
            facts="A call from the GP surgery about an appointment."))
        t.start()
        t.join()
        return result

    before = app.case(borough.case_id)
    stream = access_stream_id("jane.smith", access_day(clock.now))
    monkeypatch.setattr(AccessService, "gate", access_then_someone_writes)
    from ledger.storage import ConflictError
    with pytest.raises(ConflictError, match=r"not done: the record was changed by "
                       r"someone else at the same time, on each of 3 tries; your 3 access attempts \(one per "
                       r"try\) are recorded, nothing else was written; read it again and retry$"):
        app.casework.record_note("jane.smith", borough.case_id, kind="telephone_call",
                                 occurred_at=clock.now - dt.timedelta(minutes=30), facts="Jane's note.")
    monkeypatch.undo()
    after = app.case(borough.case_id)
    assert len(after.notes) == len(before.notes) + 3  # the other's three notes, not Jane's
    assert all(n["content"]["facts"] != "Jane's note." for n in after.notes.values())
    assert len(stream_versions(app, stream)) == 3
    other.close()
