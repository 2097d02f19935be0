"""Reads through the CLI go through the access policy (issue 6), on SQLite and PostgreSQL.

The borough of tests/conftest.py: Amira Hassan's case, held by the Assessment team, Jane Smith
allocated; Kofi Mensah is a social worker in Child Protection, not on the case; Helen Cole is
the service manager. The CLI runs in-process on the same database.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from commands.cli import main
from ledger.access.log import ATTEMPT_TOPICS
from tests.conftest import Borough

SECRETS = ("Amira", "Hassan", "2016", "Jane Smith")


@dataclass
class Result:
    exit_code: int
    output: str  # stdout and stderr


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
        return Result(code, out.out + out.err)
    return invoke


def attempts_by(borough: Borough, staff_id: str) -> list[Any]:
    app = borough.ledger
    found = [app.mapper.to_domain_event(n) for n in app.notifications(topics=ATTEMPT_TOPICS)]  # noqa: SLF001
    return [e for e in found if e.actor["staff_id"] == staff_id]


def test_a_read_by_someone_not_on_the_case_needs_a_reason_and_shows_nothing_without_one(
        borough: Borough, run: Callable[..., Result]) -> None:
    case = str(borough.case_id)
    denied = run("case", "view", case, "--as", "cp.worker")
    assert denied.exit_code == 1
    assert "access denied" in denied.output and "state why" in denied.output
    assert not any(s in denied.output for s in SECRETS), denied.output
    granted = run("case", "view", case, "--as", "cp.worker", "--purpose",
                  "covering the duty desk for the Assessment team today")
    assert granted.exit_code == 0, granted.output
    assert "Amira Hassan" in granted.output
    recorded = attempts_by(borough, "cp.worker")
    assert [(e.outcome.value, e.rule_id, e.flag and e.flag.value) for e in recorded] == [
        ("denied", "self_claim_without_reason", None), ("granted", "self_claim", "review")]
    assert recorded[1].purpose == "covering the duty desk for the Assessment team today"


def test_every_read_command_is_recorded_with_its_part(borough: Borough, run: Callable[..., Result]) -> None:
    case = str(borough.case_id)
    for command in (["case", "show", case], ["case", "view", case], ["chronology", case], ["summary", case],
                    ["history", case], ["milestone", "list", case], ["record", "list", case]):
        result = run(*command, "--as", "jane.smith", "--json")
        assert result.exit_code == 0, (command, result.output)
    parts = [e.part.value for e in attempts_by(borough, "jane.smith") if e.action.value == "read"]
    assert parts == ["case_view", "case_view", "chronology", "summary", "audit_view", "process", "case_view"]
    without = run("chronology", case)
    assert without.exit_code == 1 and "no acting staff member" in without.output


def test_case_list_shows_only_what_the_person_may_open(borough: Borough, run: Callable[..., Result]) -> None:
    mine = json.loads(run("case", "list", "--as", "jane.smith", "--json").output)
    assert [c["child"] for c in mine] == ["Amira Hassan"]
    theirs = json.loads(run("case", "list", "--as", "cp.worker", "--json").output)
    assert theirs == []
    listed = [e for e in attempts_by(borough, "jane.smith") if e.part.value == "case_list"]
    assert [str(e.case_id) for e in listed] == [str(borough.case_id)]
    assert attempts_by(borough, "cp.worker") == []  # nothing was attempted on a case not listed


def test_a_restricted_record_opens_only_by_break_glass_with_a_basis(
        borough: Borough, run: Callable[..., Result]) -> None:
    case = str(borough.case_id)
    borough.ledger.access.restrict("helen.cole", borough.case_id, kind="adoption",
                                   reason="adoption placement order made; matching agreed by the panel")
    purpose = ["--purpose", "police report the child missing from the placement tonight"]
    denied = run("case", "view", case, "--as", "cp.worker", *purpose)
    assert denied.exit_code == 1 and "restricted (adoption)" in denied.output
    assert not any(s in denied.output for s in SECRETS), denied.output
    glass = run("case", "view", case, "--as", "cp.worker", *purpose, "--break-glass", "concern_for_safety")
    assert glass.exit_code == 0, glass.output
    assert "Amira Hassan" in glass.output
    flags = [(e.outcome.value, e.flag and e.flag.value, e.restriction) for e in attempts_by(borough, "cp.worker")]
    assert flags == [("denied", "disciplinary", "adoption"), ("granted", "alert", "adoption")]
    assert run("case", "list", "--as", "omar.farah", "--json").output.strip() == "[]"  # team, not named
