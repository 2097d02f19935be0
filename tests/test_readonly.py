"""A read-only ledger: verify runs on a read-only copy and writes nothing; what must write says so.

An auditor checks a copy of the SQLite file in a folder they cannot write: ``verify`` must say
"Intact" (exit 0), not fail at opening (exit 2, which reads like "could not check"), and leave
no ``-wal``/``-shm`` file behind. A command that records (every read of a record records an
access attempt first) says in one line that the ledger is read-only and exits 2.

Tests run as root, whom file permissions do not stop, so the commands on a read-only copy run
as the unprivileged user ``nobody`` (``setpriv`` or ``runuser``).
"""

from __future__ import annotations

import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from commands import cli as cli_module
from commands.cli import main
from ledger.application import CaseLedger
from ledger.integrity.checkpoint import SigningKey
from ledger.storage import ReadOnlyLedger
from tests.conftest import Clock, add_staff, open_amira

PROJECT = Path(__file__).resolve().parent.parent
ORIGIN = "readonly.example/caseledger"


def unprivileged_prefix(cwd: Path) -> list[str] | None:
    """How to run a program as an unprivileged user here ([] when we are not root), or None."""
    if os.geteuid() != 0:
        return []
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        return None
    for prefix in (["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"],
                   ["runuser", "-u", "nobody", "--"]):
        if shutil.which(prefix[0]) is None:
            continue
        probe = subprocess.run([*prefix, sys.executable, "-c", "import commands.cli"], cwd=cwd, env=_env(),
                               capture_output=True, text=True, timeout=120)
        if probe.returncode == 0:
            return prefix
    return None


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
    env["PYTHONPATH"] = str(PROJECT)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder the unprivileged user can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="caseledger-readonly-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(folder)


def build_ledger(path: Path) -> tuple[str, str]:
    """A small ledger with a case and a signed checkpoint: (its case id, the verifier key)."""
    clock = Clock()
    app = CaseLedger(str(path), clock=clock)
    try:
        case = open_amira(app, clock, referral_source="school")
        app.casework.record_note("jane.smith", case.id, kind="telephone_call", occurred_at=clock.now,
                                 facts="Phone call with the school about attendance.")
        key = SigningKey.generate(ORIGIN)
        app.integrity.sign_checkpoint(key)
    finally:
        app.close()
    assert not Path(f"{path}-wal").exists(), "the ledger was not closed cleanly"
    return str(case.id), key.verifier_key()


def read_only_copy(shared: Path, writable_folder: bool) -> tuple[Path, str, str]:
    """A copy of a small ledger, the file read-only, in a folder read-only (or writable by anyone)."""
    source = shared / "source"
    source.mkdir()
    case_id, verifier = build_ledger(source / "ledger.db")
    copy = shared / "copy"
    copy.mkdir()
    shutil.copy(source / "ledger.db", copy / "ledger.db")
    (copy / "ledger.db").chmod(0o444)
    copy.chmod(0o777 if writable_folder else 0o555)
    return copy, case_id, verifier


def run_as_nobody(prefix: list[str], *args: str, cwd: Path) -> tuple[int, str, str]:
    proc = subprocess.run([*prefix, sys.executable, "-c", "from commands.cli import main; main()", *args],
                          cwd=cwd, env=_env(), capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def nobody_or_skip(cwd: Path) -> list[str]:
    prefix = unprivileged_prefix(cwd)
    if prefix is None:
        message = "no way to run a command as an unprivileged user (setpriv, runuser) here"
        if os.environ.get("CI"):
            pytest.fail(message + " (under CI this test must run)")
        pytest.skip(message)
    return prefix


NOT_RECORDED = {
    "": "nobody is named (say who you are with --as STAFF_ID, or CASELEDGER_USER, to record it)",
    "ann.audit": "the ledger at ledger.db is read-only here",
}


@pytest.mark.parametrize("acting", ["", "ann.audit"], ids=["nobody named", "named"])
@pytest.mark.parametrize("writable_folder", [False, True], ids=["read-only folder", "read-only file"])
def test_verify_on_a_read_only_copy_is_intact_and_leaves_no_file(shared_dir: Path, writable_folder: bool,
                                                                  acting: str) -> None:
    """Named or not, verify runs on the copy; starting it cannot be recorded there, and it says so in one line."""
    copy, _, verifier = read_only_copy(shared_dir, writable_folder)
    before = (copy / "ledger.db").read_bytes()
    nobody = nobody_or_skip(copy)
    named = ["--as", acting] if acting else []
    code, out, err = run_as_nobody(nobody, "verify", "--db", "ledger.db", "--verifier-key", verifier, *named,
                                   cwd=copy)
    assert (code, err) == (0, f"Not recorded in the access log: {NOT_RECORDED[acting]}.\n"), err
    assert out.startswith("Intact: "), out
    assert "not yet covered" not in out  # nothing was recorded past the checkpoint
    assert (copy / "ledger.db").read_bytes() == before
    code, out, err = run_as_nobody(nobody, "staff", "list", "--db", "ledger.db", cwd=copy)
    assert (code, err) == (0, "")
    assert "jane.smith" in out
    assert sorted(p.name for p in copy.iterdir()) == ["ledger.db"]  # no -wal, no -shm


READS = "an access attempt for each record it reads (and any change it makes)"


@pytest.mark.parametrize(("name", "args", "records"), [
    ("case list", ["--as", "jane.smith"], READS),
    ("note add", ["CASE", "--as", "jane.smith", "--kind", "telephone_call", "--occurred-at", "2026-11-02 10:00",
                  "--facts", "A call."], READS),
    ("checkpoint", ["--key", "KEY"], "a signed checkpoint"),
])
def test_a_command_that_records_on_a_read_only_copy_is_one_line_exit_2(
        shared_dir: Path, name: str, args: list[str], records: str) -> None:
    copy, case_id, _ = read_only_copy(shared_dir, writable_folder=False)
    nobody = nobody_or_skip(copy)
    key = shared_dir / "source" / "ledger.key"
    SigningKey.generate(ORIGIN).save(key)
    key.chmod(0o444)
    args = [case_id if a == "CASE" else str(key) if a == "KEY" else a for a in args]
    code, out, err = run_as_nobody(nobody, *name.split(), *args, "--db", "ledger.db", cwd=copy)
    assert (code, out) == (2, "")
    assert err == (f"caseledger: the ledger at ledger.db is read-only; caseledger {name} records {records} "
                   "and needs write access\n")
    assert sorted(p.name for p in copy.iterdir()) == ["ledger.db"]


def test_a_ledger_opened_read_only_refuses_a_write_and_writes_nothing(db: str) -> None:
    app = CaseLedger(db, clock=Clock())
    add_staff(app)
    before = app.integrity.event_count()
    app.close()
    reader = CaseLedger(db, clock=Clock(), read_only=True)
    try:
        assert "jane.smith" in reader.staff_ids()
        with pytest.raises(ReadOnlyLedger, match=r"^adding staff member ann\.other: the ledger is read-only here, "
                                                 r"nothing was written \("):
            reader.staff.add("admin", staff_id="ann.other", full_name="Ann Other", designation="Social Worker",
                             team="Assessment", roles=["social_worker"])
    finally:
        reader.close()
    app = CaseLedger(db)
    try:
        assert app.integrity.event_count() == before
        assert "ann.other" not in app.staff_ids()
    finally:
        app.close()


@pytest.mark.parametrize("acting", ["", "ann.audit"], ids=["nobody named", "named"])
def test_the_connection_verify_reads_through_cannot_write(db: str, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str], acting: str) -> None:
    """Not only does verify write nothing: the database refuses any write through its connection
    (SQLite opened with mode=ro; PostgreSQL with default_transaction_read_only), also when it has
    first recorded the named person's start of it (through a connection of its own, closed)."""
    app = CaseLedger(db, clock=Clock())
    add_staff(app)
    key = SigningKey.generate(ORIGIN)
    app.integrity.sign_checkpoint(key)
    app.close()
    refusals: list[BaseException] = []
    real_verify = cli_module.verify_ledger

    def verify_after_trying_to_write(recorder: Any, **kwargs: Any) -> Any:
        try:
            with recorder.datastore.transaction(commit=True) as cursor:
                cursor.execute("CREATE TABLE written_by_verify (a integer)")
        except Exception as e:  # noqa: BLE001 (the refusal is what is checked)
            refusals.append(e)
        return real_verify(recorder, **kwargs)

    monkeypatch.setattr(cli_module, "verify_ledger", verify_after_trying_to_write)
    main(["verify", "--db", db, "--verifier-key", key.verifier_key(), *(["--as", acting] if acting else [])])
    assert capsys.readouterr().out.startswith("Intact: ")
    assert len(refusals) == 1
    cause: BaseException | None = refusals[0]
    while cause is not None and not isinstance(cause, (sqlite3.OperationalError, psycopg.Error)):
        cause = cause.__cause__
    if db.startswith("postgresql://"):
        assert isinstance(cause, psycopg.errors.ReadOnlySqlTransaction), refusals[0]
    else:
        assert isinstance(cause, sqlite3.OperationalError) and "readonly database" in str(cause), refusals[0]


def test_a_missing_ledger_opened_read_only_is_no_ledger_and_is_not_created(tmp_path: Path) -> None:
    from ledger.errors import StorageError

    with pytest.raises(StorageError, match=r"^no ledger at .*typo\.db \(create one with caseledger init\)$"):
        CaseLedger(str(tmp_path / "typo.db"), read_only=True)
    assert list(tmp_path.iterdir()) == []
