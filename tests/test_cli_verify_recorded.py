"""``caseledger verify`` over the command line is recorded too (issue 13, the audit of the audit).

Starting a verification is an access attempt of the person who ran it, as ``POST /api/v1/verify``
records it: part ``integrity``, covering "the whole ledger", item "verification", decided by the same
rule (a service manager, head of service or auditor). Nobody named: it verifies all the same and says
on stderr, in one line, that it is not recorded. (A read-only copy: tests/test_readonly.py.)

The borough of tests/conftest.py, on SQLite and PostgreSQL: Ann Dale is the auditor, Helen Cole the
service manager, Jane Smith a social worker. The CLI runs in-process on the same database.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from commands.cli import main
from ledger.access.log import ATTEMPT_TOPICS
from ledger.integrity.checkpoint import SigningKey
from tests.conftest import Borough

ORIGIN = "verify-recorded.example/caseledger"
UNNAMED = ("Not recorded in the access log: nobody is named (say who you are with --as STAFF_ID, or "
           "CASELEDGER_USER, to record it).\n")


@dataclass
class Result:
    exit_code: int
    out: str
    err: str


@pytest.fixture
def signed(borough: Borough) -> str:
    """The borough with a signed checkpoint (so that verify can say Intact): its verifier key."""
    key = SigningKey.generate(ORIGIN)
    borough.ledger.integrity.sign_checkpoint(key)
    return key.verifier_key()


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], db: str) -> Callable[..., Result]:
    """``caseledger ARGS --db DB`` in-process, through ``main`` (which prints refusals and sets the exit code)."""
    def invoke(*args: str) -> Result:
        code = 0
        try:
            main([*args, "--db", db])
        except SystemExit as e:
            code = int(e.code or 0)
        out = capsys.readouterr()
        return Result(code, out.out, out.err)
    return invoke


def attempts(borough: Borough) -> list[Any]:
    app = borough.ledger
    return [app.mapper.to_domain_event(n) for n in app.notifications(topics=ATTEMPT_TOPICS)]


def report_on(run: Callable[..., Result], staff_id: str) -> list[dict[str, Any]]:
    """The access report on ``staff_id``, as the service manager reads it with the CLI."""
    result = run("access", "report", "--as", "helen.cole", "--staff", staff_id, "--json")
    assert result.exit_code == 0, result.err
    rows: list[dict[str, Any]] = json.loads(result.out)["attempts"]
    return rows


def test_a_named_verification_shows_in_the_access_report_on_that_person(
        borough: Borough, signed: str, run: Callable[..., Result]) -> None:
    assert [r for r in report_on(run, "ann.audit") if r["part"] == "integrity"] == []
    result = run("verify", "--as", "ann.audit", "--verifier-key", signed)
    assert (result.exit_code, result.err) == (0, ""), result.err
    assert result.out.startswith("Intact: ")
    # recorded before the verification, so the verification covers it: past the checkpoint are Helen's report
    # above and Ann's verification
    assert "\n2 newest events" in result.out and "not yet covered by a signed checkpoint" in result.out
    rows = [r for r in report_on(run, "ann.audit") if r["part"] == "integrity"]
    assert [(r["case_ref"], r["item"], r["action"], r["outcome"], r["rule_id"], r["case_id"]) for r in rows] == [
        ("the whole ledger", "verification", "read", "granted", "verifier", None)]
    assert rows[0]["rule"] == ("verifying the whole ledger is for a service manager, head of service or auditor; "
                               "Ann Dale is an auditor")
    recorded = [e for e in attempts(borough) if e.actor["staff_id"] == "ann.audit"]
    assert len(recorded) == 1
    assert recorded[0].actor["channel"]["command"] == "caseledger verify"


def test_a_named_verification_with_json_prints_the_same_report(
        borough: Borough, signed: str, run: Callable[..., Result]) -> None:
    result = run("verify", "--as", "helen.cole", "--verifier-key", signed, "--json")
    assert (result.exit_code, result.err) == (0, ""), result.err
    report = json.loads(result.out)
    assert report["ok"] is True and report["verifier"]["source"] == "given"
    assert [(r["item"], r["outcome"]) for r in report_on(run, "helen.cole") if r["part"] == "integrity"] == [
        ("verification", "granted")]


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_an_unnamed_verification_says_so_in_one_line_and_records_nothing(
        borough: Borough, signed: str, run: Callable[..., Result], as_json: bool) -> None:
    before = borough.ledger.recorder.max_notification_id()
    result = run("verify", "--verifier-key", signed, *(["--json"] if as_json else []))
    assert result.exit_code == 0, result.err
    assert result.err == UNNAMED
    if as_json:
        report = json.loads(result.out)
        assert report["ok"] is True and report["unsigned_events"] == 0
    else:
        assert result.out.startswith("Intact: ") and "not yet covered" not in result.out
    assert borough.ledger.recorder.max_notification_id() == before


def test_a_person_who_may_not_verify_is_refused_and_the_refusal_recorded(
        borough: Borough, signed: str, run: Callable[..., Result]) -> None:
    result = run("verify", "--as", "jane.smith", "--verifier-key", signed)
    assert (result.exit_code, result.out) == (1, "")  # refused before anything is verified
    assert result.err == ("caseledger: verifying the whole ledger is for a service manager, head of service or "
                          "auditor; Jane Smith is a social worker\n")
    rows = report_on(run, "jane.smith")
    assert [(r["case_ref"], r["item"], r["outcome"], r["rule_id"]) for r in rows if r["part"] == "integrity"] == [
        ("the whole ledger", "verification", "denied", "not_verifier")]


def test_someone_not_in_the_staff_directory_is_refused_and_the_refusal_recorded(
        borough: Borough, signed: str, run: Callable[..., Result]) -> None:
    result = run("verify", "--as", "not.on.staff", "--verifier-key", signed, "--json")
    assert (result.exit_code, result.out) == (1, "")
    assert json.loads(result.err)["message"] == "no staff member with the id 'not.on.staff' in the staff directory"
    recorded = [e for e in attempts(borough) if e.actor["staff_id"] == "not.on.staff"]
    assert [(e.part.value, e.item, e.outcome.value, e.rule_id) for e in recorded] == [
        ("integrity", "verification", "denied", "unknown_staff")]


def test_a_verification_that_cannot_run_records_nothing(
        borough: Borough, signed: str, run: Callable[..., Result], tmp_path: Any) -> None:
    """A checkpoint file that is missing: one line, exit 2, and no attempt (nothing was started)."""
    before = borough.ledger.recorder.max_notification_id()
    result = run("verify", "--as", "ann.audit", "--verifier-key", signed, "--checkpoint", str(tmp_path / "nope.txt"))
    assert (result.exit_code, result.out) == (2, "")
    assert result.err == f"caseledger: --checkpoint {tmp_path / 'nope.txt'}: no such file\n"
    assert borough.ledger.recorder.max_notification_id() == before


@pytest.fixture
def read_only_role(pg_schema_url: str) -> Any:
    """The schema's URL for a role whose every transaction is read-only (as on a hot standby, or a replica an
    auditor is given): it may otherwise write the tables, so a write is refused only as read-only."""
    import uuid

    import psycopg

    from tests.conftest import PG_URL

    schema = pg_schema_url.rsplit("schema=", 1)[1]
    role = "t_reader_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
        conn.execute(f"ALTER ROLE {role} SET default_transaction_read_only = on")
    try:
        yield pg_schema_url.replace("postgresql://postgres@", f"postgresql://{role}@", 1), schema, role
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


def test_a_named_verification_of_a_read_only_postgresql_database_says_so_and_verifies(
        read_only_role: Any, capsys: pytest.CaptureFixture[str]) -> None:
    import psycopg

    from ledger.application import CaseLedger
    from tests.conftest import PG_URL, Clock, open_amira

    url, schema, role = read_only_role
    app = CaseLedger(url.replace(f"{role}@", "postgres@", 1), clock=(clock := Clock()))
    try:
        open_amira(app, clock)
        key = SigningKey.generate(ORIGIN)
        app.integrity.sign_checkpoint(key)
        before = app.recorder.max_notification_id()
    finally:
        app.close()
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        conn.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA {schema} TO {role}")
        conn.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
    code = 0
    try:
        main(["verify", "--db", url, "--as", "ann.audit", "--verifier-key", key.verifier_key()])
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("Intact: ") and "not yet covered" not in out
    assert err == f"Not recorded in the access log: the ledger at {url} is read-only here.\n"
    app = CaseLedger(url.replace(f"{role}@", "postgres@", 1), create=False)
    try:
        assert app.recorder.max_notification_id() == before
    finally:
        app.close()
