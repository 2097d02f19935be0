"""``caseledger rollback ...`` through click's CliRunner, on both backends: output, JSON, exit codes.

The case and its wrong authorisation are recorded through the API (``tests.test_rollback.story``);
the roll-back is requested, shown, refused, agreed, carried out, listed and reported through the
command line, as the helpdesk, the managers and the service manager would.
"""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from commands.cli import main
from ledger.application import CaseLedger
from tests.conftest import Borough, Clock
from tests.test_rollback import REASON, story


def run(db: str, *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``caseledger ARGS --db DB``, run in-process."""
    with CliRunner().isolation() as (out, err, _):
        try:
            main([*args, "--db", db])
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
        return code, out.getvalue().decode(), err.getvalue().decode()


def ok(db: str, *args: str) -> str:
    code, out, err = run(db, *args)
    assert code == 0, (args, code, out, err)
    return out


def js(db: str, *args: str) -> Any:
    return json.loads(ok(db, *args, "--json"))


def test_the_roll_back_commands_end_to_end(db: str, borough: Borough, clock: Clock) -> None:
    s = story(borough, clock)
    cid = str(s.case_id)
    request = js(db, "rollback", "request", "--as", "sam.hd", "--case", cid[:8], "--before-milestone", str(s.wrong),
                 "--matter", "cf_assessment_authorised", "--raised-by", "grace.obi", "--reason", REASON)
    rid = request["id"]
    assert request["status"] == "requested" and request["case_id"] == cid
    assert [e["id"] for e in request["would_supersede"]] == [str(s.wrong), str(s.cin)]
    kept = {k["ref"] for k in request["casework_kept"]}
    assert {str(s.note), str(s.hazard), str(s.decision)} <= kept
    assert request["may_decide"][0] == "helen.cole"

    text = ok(db, "rollback", "show", rid[:8], "--as", "helen.cole")
    assert f"Roll-back {rid}: awaiting agreement until" in text
    assert "Process events it would supersede (2):" in text
    assert "Child and family assessment authorised by a manager" in text
    assert "Casework recorded after the point, which stays" in text and str(s.hazard) in text

    # refused: exit 1, the rule and the person in the message, on stderr
    code, out, err = run(db, "rollback", "agree", rid, "--as", "liam.walsh")
    assert code == 1 and out == ""
    assert "Liam Walsh is the team manager of the Child Protection team, but the case is held by the Assessment" \
        in err
    code, _, err = run(db, "rollback", "carry-out", rid, "--as", "sam.hd", "--json")
    assert code == 1 and json.loads(err)["error"] == "RuleViolation" and "has not been agreed" in json.loads(err)[
        "message"]
    code, _, err = run(db, "rollback", "request", "--as", "sam.hd", "--case", cid, "--at", "yesterday",
                       "--matter", "cf_assessment_authorised", "--raised-by", "grace.obi", "--reason", REASON)
    assert code == 2 and "'yesterday' is not a date and time" in err
    code, _, err = run(db, "rollback", "request", "--as", "jane.smith", "--case", cid, "--version", "3",
                       "--matter", "cf_assessment_authorised", "--raised-by", "grace.obi", "--reason", REASON)
    assert code == 1 and "only the helpdesk may request a roll-back" in err

    assert "Agreed roll-back" in ok(db, "rollback", "agree", rid, "--as", "helen.cole")
    done = js(db, "rollback", "carry-out", rid, "--as", "sam.hd")
    assert done["status"] == "carried_out" and done["carried_out_by"] == "Sam Hughes"
    app = CaseLedger(db)
    try:
        case = app.case(s.case_id)
        assert {m["id"] for m in case.milestones if m["superseded_by"] is not None} == {s.wrong, s.cin}
    finally:
        app.close()

    rows = js(db, "rollback", "list", "--as", "ann.audit", "--status", "carried_out")
    assert [r["id"] for r in rows] == [rid]
    listed = ok(db, "rollback", "list", "--as", "helen.cole")
    assert rid[:8] in listed and "carried_out" in listed
    code, _, err = run(db, "rollback", "list", "--as", "jane.smith")
    assert code == 1 and "the roll-back list and report are for the helpdesk" in err

    report = js(db, "rollback", "report", "--as", "helen.cole", "--alert-rate", "0")
    assert report["per_team"]["Assessment"]["carried_out"] == 1 and report["highlighted_teams"] == ["Assessment"]
    assert report["per_requester"]["grace.obi"]["cases"] == [cid]
    text = ok(db, "rollback", "report", "--as", "helen.cole", "--team", "Assessment")
    assert "Assessment: 1 requested, 1 agreed, 0 declined, 0 withdrawn, 0 expired, 1 carried out" in text
    assert "HIGHLIGHTED" not in text
    assert "HIGHLIGHTED" in ok(db, "rollback", "report", "--as", "helen.cole", "--alert-rate", "0")
    code, _, err = run(db, "rollback", "report", "--as", "helen.cole", "--from", "2026-12-01", "--to", "2026-01-01")
    assert code == 2 and "--from 01 Dec 2026 is after --to 01 Jan 2026" in err
    assert "No roll-back requests in this window" in ok(db, "rollback", "report", "--as", "helen.cole", "--from",
                                                        "2099-01-01")


def test_decline_withdraw_and_expire_from_the_command_line(db: str, borough: Borough, clock: Clock) -> None:
    s = story(borough, clock)
    cid = str(s.case_id)
    args = ("--as", "sam.hd", "--case", cid, "--version", str(s.point), "--matter", "cf_assessment_authorised",
            "--raised-by", "jane.smith", "--reason", REASON)
    first = js(db, "rollback", "request", *args)["id"]
    second = js(db, "rollback", "request", *args)["id"]
    code, _, err = run(db, "rollback", "decline", first, "--as", "grace.obi", "--reason", "no")
    assert code == 1 and "declining a roll-back needs a reason that explains why" in err
    assert "Declined roll-back" in ok(db, "rollback", "decline", first, "--as", "grace.obi", "--reason",
                                      "The date recorded is the right one")
    assert "Withdrew roll-back" in ok(db, "rollback", "withdraw", second, "--as", "jane.smith", "--reason",
                                      "Raised on the wrong case record")
    statuses = {r["id"]: r["status"] for r in js(db, "rollback", "list", "--as", "sam.hd")}
    assert statuses == {first: "declined", second: "withdrawn"}
    assert js(db, "rollback", "expire") == []  # nothing awaiting agreement past its time
