"""The access investigation (issue 6): the report, its evidence bundle and FHIR export, the alert
list and reviews, on SQLite and PostgreSQL (the ``borough`` fixture of tests/conftest.py).

One scenario (:func:`scenario`) puts Omar Farah (senior practitioner, Assessment) through every
kind of flagged access, at chosen times on the test clock: a plain read, a denied attempt and a
break-glass on a staff member's relative's restricted record, ten records in twenty minutes, a
read at nine in the evening, a self-claimed read after moving to Child Protection, and an attempt
after leaving. Eve Night (EDT) reads in the evening too; Kofi Mensah self-claims a read.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from commands.cli import main
from ledger.access.bundle import verify_bundle
from ledger.access.facts import Thresholds
from ledger.application import LONDON, CaseLedger
from ledger.errors import NotFound, PermissionDenied, RuleViolation
from ledger.integrity.checkpoint import SigningKey
from ledger.integrity.evidence import export_events
from ledger.integrity.evidence import verify_bundle as verify_events_only
from projections.access_fhir import fhir_bundle
from projections.access_report import case_report, report_csv, report_text, staff_report
from tests.conftest import Borough, Clock, refused
from tests.test_access import add_extra_staff

CHILD = "Amira Hassan"
NOV = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


@dataclass
class Scenario:
    app: CaseLedger
    clock: Clock
    amira: uuid.UUID
    restricted: uuid.UUID
    others: list[uuid.UUID]


def _open(app: CaseLedger, name: str) -> uuid.UUID:
    return app.cases.open("jane.smith", child_name=name, date_of_birth=dt.date(2015, 3, 1),
                          referral_date=dt.date(2026, 10, 28), referral_source="school", team="Assessment",
                          worker="jane.smith").id


def _try(app: CaseLedger, *args: Any, **kwargs: Any) -> None:
    try:
        app.access.open_record(*args, **kwargs)
    except PermissionDenied:
        pass


@pytest.fixture
def scenario(borough: Borough, clock: Clock) -> Scenario:
    app = borough.ledger
    add_extra_staff(app)
    others = [_open(app, f"Child {i} Example") for i in range(9)]
    restricted = _open(app, "Noah Staffchild")
    app.access.restrict("helen.cole", restricted, kind="staff_relative",
                        reason="the child's mother works in the Assessment team")
    s = Scenario(app, clock, borough.case_id, restricted, others)
    clock.now = at(2, 12)                                   # Monday, in hours: nothing to flag
    app.access.open_record("omar.farah", s.amira)
    clock.now = at(2, 14)
    app.access.open_record("cp.worker", s.amira, purpose="the child's brother is on my caseload")
    clock.now = at(3, 10)                                   # denied, then break-glass, on the restricted record
    _try(app, "omar.farah", restricted)
    clock.now = at(3, 10, 5)
    app.access.open_record("omar.farah", restricted, purpose="child reported missing from school today",
                           basis="concern_for_safety")
    for i, cid in enumerate([s.amira, *others]):           # ten different records in 18 minutes
        clock.now = at(3, 11, 2 * i)
        app.access.open_record("omar.farah", cid)
    clock.now = at(4, 21)                                   # out of hours: Omar (flagged), EDT (its work)
    app.access.open_record("omar.farah", s.amira)
    app.access.open_record("eve.night", s.amira)
    clock.now = at(5, 10)
    app.staff.change("admin", "omar.farah", team="Child Protection")
    clock.now = at(5, 10, 30)
    app.access.open_record("omar.farah", s.amira, purpose="checking the sibling's referral history")
    clock.now = at(6, 10)
    app.staff.record_leaving("admin", "omar.farah", reason="moved to another authority")
    clock.now = at(6, 10, 30)
    _try(app, "omar.farah", s.amira)
    clock.now = at(9, 10)
    return s


def kinds(row: dict[str, Any]) -> set[str]:
    return {f["kind"] for f in row["flags"]}


def test_staff_report_finds_and_flags_each_kind(scenario: Scenario) -> None:
    report = staff_report(scenario.app, "omar.farah", *NOV).report
    rows = report["attempts"]
    assert report["subject"] == {"kind": "staff", "staff_id": "omar.farah", "name": "Omar Farah"}
    assert len(rows) == 16 and [r["at"] for r in rows] == sorted(r["at"] for r in rows)
    plain, denied, glass, *bulk = rows[:13]
    late, claim, left = rows[13:]
    assert kinds(plain) == set() and plain["outcome"] == "granted" and plain["rule_id"] == "team"
    assert kinds(denied) == {"denied_restricted", "staff_record"} and denied["outcome"] == "denied"
    assert kinds(glass) == {"break_glass", "staff_record"}
    assert "concern for safety" in glass["flags"][0]["text"] and "child reported missing" in glass["flags"][0]["text"]
    assert all("bulk_browsing" in kinds(r) for r in bulk) and len({r["case_id"] for r in bulk}) == 10
    assert "10 different records within 30 minutes" in bulk[0]["flags"][0]["text"]
    assert kinds(late) == {"out_of_hours"}
    assert kinds(claim) == {"self_claim", "after_team_move"}
    assert "after leaving the Assessment team" in claim["flags"][1]["text"]
    assert kinds(left) == {"after_team_move", "after_leaving"} and left["rule_id"] == "left"
    assert report["summary"]["flags"] == {"denied_restricted": 1, "break_glass": 1, "self_claim": 1,
                                          "staff_record": 2, "out_of_hours": 1, "bulk_browsing": 10,
                                          "after_team_move": 2, "after_leaving": 1}
    text = report_text(report)
    for words in ("FLAG: denied attempt on a restricted record", "FLAG: break-glass", "FLAG: bulk browsing",
                  "FLAG: out of working hours", "FLAG: self-claimed access", "FLAG: after leaving the authority",
                  "FLAG: record of a member of staff's relative", "reason given: \"checking the sibling's"):
        assert words in text, words
    assert CHILD not in text and CHILD not in json.dumps(report)


def test_thresholds_and_period_are_parameters(scenario: Scenario) -> None:
    strict = staff_report(scenario.app, "omar.farah", *NOV, thresholds=Thresholds(11, 30)).report
    assert "bulk_browsing" not in strict["summary"]["flags"]
    loose = staff_report(scenario.app, "omar.farah", *NOV, thresholds=Thresholds(3, 5)).report
    assert loose["summary"]["flags"]["bulk_browsing"] == 10
    one_day = staff_report(scenario.app, "omar.farah", dt.date(2026, 11, 4), dt.date(2026, 11, 4)).report
    assert [r["at"][:10] for r in one_day["attempts"]] == ["2026-11-04"]
    with pytest.raises(ValueError, match="bulk_cases must be at least 2"):
        Thresholds(1, 30)


def test_edt_out_of_hours_is_not_flagged(scenario: Scenario) -> None:
    rows = staff_report(scenario.app, "eve.night", *NOV).report["attempts"]
    assert len(rows) == 1 and rows[0]["rule_id"] == "edt_out_of_hours" and rows[0]["flags"] == []


def test_case_report_lists_everyone(scenario: Scenario) -> None:
    report = case_report(scenario.app, scenario.amira).report
    people = [r["staff_id"] for r in report["attempts"]]
    assert sorted(set(people)) == ["cp.worker", "eve.night", "omar.farah"]
    assert people.count("omar.farah") == 5 and all(r["case_id"] == str(scenario.amira) for r in report["attempts"])
    claim = next(r for r in report["attempts"] if r["staff_id"] == "cp.worker")
    assert claim["rule_id"] == "self_claim" and claim["purpose"] == "the child's brother is on my caseload"
    assert not any("bulk_browsing" in kinds(r) for r in report["attempts"])  # a staff report's finding
    text = report_text(report)
    assert "Kofi Mensah" in text and "Eve Night" in text and CHILD not in text
    csv_text = report_csv(report)
    assert csv_text.splitlines()[0].startswith("ref,at,staff_id") and len(csv_text.splitlines()) == 8
    restricted = case_report(scenario.app, scenario.restricted).report
    assert [(r["staff_id"], r["action"], r["outcome"]) for r in restricted["attempts"]] == [
        ("helen.cole", "restrict", "granted"), ("omar.farah", "read", "denied"), ("omar.farah", "read", "granted")]


def test_report_for_an_unknown_staff_id(scenario: Scenario) -> None:
    with pytest.raises(NotFound, match="no staff member with the id 'nobody.here'"):
        staff_report(scenario.app, "nobody.here", *NOV)


# --- evidence -------------------------------------------------------------------------------------


def _bundle(s: Scenario) -> tuple[dict[str, Any], SigningKey]:
    key = SigningKey.generate("test.example/caseledger")
    built = staff_report(s.app, "omar.farah", *NOV)
    s.app.integrity.sign_checkpoint(key)
    return export_events(s.app.recorder, built.cited, verifier_key=key.verifier_key(), report=built.report), key


def test_report_evidence_verifies_offline(scenario: Scenario) -> None:
    bundle, key = _bundle(scenario)
    topics = {e["topic"].rsplit(":", 1)[1] for e in bundle["events"]}
    assert topics == {"AccessLog.LogOpened", "AccessLog.AttemptRecorded", "StaffMember.Joined",
                      "StaffMember.Changed", "StaffMember.Left"}
    report = verify_bundle(json.dumps(bundle), key.verifier_key())
    assert report.ok, report.problems
    assert report.events == 16 + 3


def test_the_integrity_check_alone_does_not_pass_a_report_it_cannot_derive(scenario: Scenario) -> None:
    """ledger.integrity knows nothing of access reports: its verify of a bundle that carries one
    fails, saying where the report is checked, rather than passing a report it never read."""
    bundle, key = _bundle(scenario)
    report = verify_events_only(json.dumps(bundle), key.verifier_key())
    assert not report.ok
    assert report.problems == ["report: this bundle carries a report, which is not checked here; verify it with "
                               "ledger.access.bundle.verify_bundle (as 'caseledger evidence verify' does)"]


@pytest.mark.parametrize("where", ["rule", "flag", "time", "dropped_row", "event"])
def test_report_evidence_fails_when_one_byte_changes(scenario: Scenario, where: str) -> None:
    bundle, key = _bundle(scenario)
    text = json.dumps(bundle)
    if where == "rule":      # one character of the rule that decided
        text = text.replace("Omar Farah is in the Assessment team", "Omar Farah is in the Assessment tean", 1)
    elif where == "flag":    # one digit of a flag's words
        text = text.replace("bulk browsing: 10 different", "bulk browsing: 11 different", 1)
    elif where == "time":    # one digit of when
        first = bundle["report"]["attempts"][0]["at"]
        text = text.replace(f'"at": "{first}"', f'"at": "{first.replace("12:", "13:", 1)}"', 1)
    elif where == "dropped_row":
        bundle["report"]["attempts"].pop(1)
        text = json.dumps(bundle)
    else:                    # one bit of the break-glass attempt's stored bytes
        i = next(i for i, e in enumerate(bundle["events"]) if e["version"] == 2 and "AccessLog" in e["topic"])
        state = bytearray(base64.b64decode(bundle["events"][i]["state"]))
        state[-3] ^= 0x01
        bundle["events"][i]["state"] = base64.b64encode(bytes(state)).decode()
        text = json.dumps(bundle)
    assert text != json.dumps(bundle) or where in ("dropped_row", "event")
    report = verify_bundle(text, key.verifier_key())
    assert not report.ok
    expected = "its bytes do not match" if where == "event" else "report:"
    assert any(expected in p for p in report.problems), report.problems


def test_report_evidence_needs_a_covering_checkpoint(scenario: Scenario) -> None:
    key = SigningKey.generate("test.example/caseledger")
    scenario.app.integrity.sign_checkpoint(key)
    scenario.clock.now = at(9, 22)
    scenario.app.access.open_record("eve.night", scenario.amira)  # newer than the checkpoint
    built = staff_report(scenario.app, "eve.night", *NOV)
    with pytest.raises(RuleViolation, match="newer than the latest signed checkpoint"):
        export_events(scenario.app.recorder, built.cited, verifier_key=key.verifier_key(), report=built.report)


# --- FHIR ------------------------------------------------------------------------------------------


def test_fhir_bundle_validates_and_names_no_child(scenario: Scenario) -> None:
    from fhir.resources.R4B.bundle import Bundle

    report = staff_report(scenario.app, "omar.farah", *NOV).report
    data = fhir_bundle(report, origin="test.example/caseledger", now=at(9, 12))
    parsed = Bundle.model_validate(data)
    assert parsed.type == "collection" and len(parsed.entry) == 16
    events = [e["resource"] for e in data["entry"]]
    denied = events[1]
    assert denied["outcome"] == "4" and denied["action"] == "R" and "restricted" in denied["outcomeDesc"]
    assert denied["agent"][0]["who"]["identifier"]["value"] == "omar.farah" and denied["agent"][0]["requestor"]
    assert denied["entity"][0]["what"]["identifier"]["value"] == str(scenario.restricted)
    assert {"type": "part", "valueString": "case_view"} in denied["entity"][0]["detail"]
    glass = events[2]
    assert glass["outcome"] == "0"
    assert [c["coding"][0]["code"] for c in glass["purposeOfEvent"]] == ["ETREAT", "BTG"]
    assert events[0]["purposeOfEvent"][0]["coding"][0]["code"] == "TREAT"
    assert "Noah Staffchild" not in json.dumps(data) and CHILD not in json.dumps(data)


# --- alerts and reviews -----------------------------------------------------------------------------


def _ref(app: CaseLedger, staff_id: str, rule_id: str) -> str:
    return next(a.ref for a in app.investigation.unreviewed_alerts() if a.staff_id == staff_id and a.rule_id == rule_id)


def test_alerts_list_and_review(scenario: Scenario) -> None:
    app = scenario.app
    alerts = app.investigation.unreviewed_alerts()
    assert [(a.staff_id, a.flag) for a in alerts if a.flag] == [
        ("cp.worker", "review"), ("omar.farah", "disciplinary"), ("omar.farah", "alert"),
        ("omar.farah", "review")]
    omar = [r["ref"] for r in staff_report(app, "omar.farah", *NOV).report["attempts"] if r["flags"]]
    assert [a.ref for a in alerts if a.staff_id == "omar.farah"] == omar and len(alerts) == 1 + len(omar)
    glass = _ref(app, "omar.farah", "break_glass")
    review = app.investigation.review("helen.cole", glass, outcome="appropriate",
                                      note="The child was missing and the safety plan was needed")
    assert review.reviewed_by["staff_id"] == "helen.cole" and review.outcome.value == "appropriate"
    still = app.investigation.unreviewed_alerts()
    assert glass not in [a.ref for a in still] and len(still) == len(alerts) - 1
    row = next(r for r in staff_report(app, "omar.farah", *NOV).report["attempts"] if r["ref"] == glass)
    assert row["review"]["by"] == "Helen Cole (helen.cole)" and row["review"]["outcome"] == "appropriate"
    refused(app, RuleViolation, r"attempt A\d+ was already reviewed by Helen Cole .* reviewed once",
            app.investigation.review, "david.hart", glass, outcome="inappropriate_referred",
            note="A second opinion here")


def test_review_refusals(scenario: Scenario) -> None:
    app = scenario.app
    denied = _ref(app, "omar.farah", "restricted_not_named")
    good = {"outcome": "inappropriate_referred", "note": "No reason to open a restricted record"}
    refused(app, PermissionDenied, r"reviewing a flagged access attempt is for a service manager or head of "
            r"service \(policy s.11\); Grace Obi is a team manager", app.investigation.review, "grace.obi", denied,
            **good)
    refused(app, PermissionDenied, "Jane Smith is a social worker", app.investigation.review, "jane.smith", denied,
            **good)
    refused(app, RuleViolation, "reviewing an access attempt needs a note that explains why",
            app.investigation.review, "helen.cole", denied, outcome="appropriate", note="fine")
    refused(app, RuleViolation, "outcome 'ok' is not one of: appropriate, inappropriate_advised",
            app.investigation.review, "helen.cole", denied, outcome="ok", note="No reason to open it")
    refused(app, NotFound, "no access attempt with the reference 'A99999'", app.investigation.review, "helen.cole",
            "A99999", **good)
    refused(app, NotFound, "no access attempt with the reference 'A0'", app.investigation.review, "helen.cole", "A0",
            **good)  # leaf 0 is the admin joining, not an attempt
    refused(app, NotFound, "'yesterday' is not an attempt reference", app.investigation.review, "helen.cole",
            "yesterday", **good)
    plain = staff_report(app, "omar.farah", *NOV).report["attempts"][0]["ref"]
    refused(app, RuleViolation, f"attempt {plain} was not flagged", app.investigation.review, "helen.cole", plain,
            **good)
    # Helen Cole's own flagged attempt: a record restricted because it concerns her
    app.access.restrict("david.hart", scenario.others[0], kind="staff_member", staff_concerned="helen.cole",
                        reason="the child is the service manager's own nephew")
    _try(app, "helen.cole", scenario.others[0])
    own = _ref(app, "helen.cole", "staff_concerned")
    refused(app, PermissionDenied, "nobody reviews their own access attempt", app.investigation.review, "helen.cole",
            own, **good)
    app.investigation.review("david.hart", own, **good)
    assert own not in [a.ref for a in app.investigation.unreviewed_alerts()]


def test_reading_the_access_log_is_for_managers_and_auditors(scenario: Scenario) -> None:
    app = scenario.app
    for staff_id in ("helen.cole", "david.hart", "ann.audit"):
        assert app.investigation.investigator(staff_id).staff_id == staff_id
    with pytest.raises(PermissionDenied, match="reading the access log .* Jane Smith is a social worker"):
        app.investigation.investigator("jane.smith")


# --- the command line (click's CliRunner, in process) ----------------------------------------------


def cli(db: str, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    with runner.isolation(env={"CASELEDGER_DB": db, "CASELEDGER_USER": None, "CASELEDGER_KEY": None}) as io:
        out, err = io[0], io[1]
        try:
            main(list(args))
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
    return code, out.getvalue().decode(), err.getvalue().decode()


def test_cli_report_alerts_review_evidence_fhir(db: str, scenario: Scenario, tmp_path: Path) -> None:
    key_file = tmp_path / "test.key"
    SigningKey.generate("test.example/caseledger").save(key_file)
    code, out, err = cli(db, "access", "report", "--as", "helen.cole", "--staff", "omar.farah",
                         "--from", "2026-11-01", "--to", "2026-11-30")
    assert code == 0, err
    assert "Access report: Omar Farah (omar.farah), 01 Nov 2026 to 30 Nov 2026" in out
    assert "16 attempts on 11 records; 2 denied; 15 flagged." in out and "FLAG: break-glass" in out
    code, out, _ = cli(db, "access", "report", "--as", "helen.cole", "--case", str(scenario.amira)[:8], "--json")
    # helen.cole too: the report she read named the children, and each name shown is a recorded read
    assert code == 0 and {r["staff_id"] for r in json.loads(out)["attempts"]} == {"cp.worker", "eve.night",
                                                                                  "omar.farah", "helen.cole"}
    code, out, _ = cli(db, "access", "report", "--as", "helen.cole", "--case", str(scenario.amira), "--csv")
    assert code == 0 and out.startswith("ref,at,staff_id") and len(out.splitlines()) == 10  # 7 + her 2 reads
    evidence, fhir = tmp_path / "omar.json", tmp_path / "omar-fhir.json"
    code, out, err = cli(db, "access", "report", "--as", "helen.cole", "--staff", "omar.farah", "--from",
                         "2026-11-01", "--to", "2026-11-30", "--key", str(key_file), "--evidence", str(evidence),
                         "--fhir", str(fhir))
    assert code == 0, err
    assert "signed a new checkpoint" in out and "Wrote 16 AuditEvent resources" in out
    verifier = SigningKey.load(key_file).verifier_key()
    code, out, _ = cli(db, "evidence", "verify", str(evidence), "--verifier-key", verifier)
    assert code == 0 and out.startswith("VALID: 19 events")
    evidence.write_text(evidence.read_text().replace("out of working hours (04 Nov", "out of working hours (05 Nov"))
    code, out, _ = cli(db, "evidence", "verify", str(evidence), "--verifier-key", verifier)
    assert code == 1 and "NOT VALID" in out and "report: attempt A" in out
    assert json.loads(fhir.read_text())["resourceType"] == "Bundle"

    code, out, _ = cli(db, "access", "alerts", "--as", "helen.cole")
    assert code == 0 and "flagged access attempts waiting for review" in out
    assert "BULK BROWSING" in out and "FLAG: after leaving the authority" in out and "DENIED" in out
    code, out, _ = cli(db, "access", "alerts", "--as", "helen.cole", "--json")
    # 15 of Omar's, as his report, and Kofi's self-claim (Helen's own reads of names, by the wall
    # clock, may be out of hours too)
    assert len([a for a in json.loads(out)["alerts"] if a["staff_id"] != "helen.cole"]) == 16
    code, out, _ = cli(db, "access", "alerts", "--as", "helen.cole", "--json")
    ref = next(a["ref"] for a in json.loads(out)["alerts"] if a["flag"] == "alert")
    code, out, err = cli(db, "access", "review", "--as", "helen.cole", "--attempt", ref, "--outcome",
                         "appropriate", "--note", "Child missing: the safety plan was needed")
    assert code == 0 and f"Recorded the review of attempt {ref}" in out, err
    code, out, _ = cli(db, "access", "alerts", "--as", "helen.cole", "--json")
    assert ref not in [a["ref"] for a in json.loads(out)["alerts"]]
    code, _, err = cli(db, "access", "review", "--as", "helen.cole", "--attempt", ref, "--outcome",
                       "appropriate", "--note", "A second look at it")
    assert code == 1 and "already reviewed" in err
    code, _, err = cli(db, "access", "alerts", "--as", "jane.smith")
    assert code == 1 and "Jane Smith is a social worker" in err
    code, _, err = cli(db, "access", "report", "--as", "helen.cole")
    assert code == 2 and "give exactly one of --staff STAFF_ID or --case CASE" in err
    code, _, err = cli(db, "access", "report", "--as", "helen.cole", "--staff", "omar.farah", "--from", "2026-11-30",
                       "--to", "2026-11-01")
    assert code == 2 and "the period ends (01 Nov 2026) before it starts (30 Nov 2026)" in err


# --- the README's "Investigating access" example runs as written (after the walk-through) ---------


def test_readme_investigating_access_runs_as_written(tmp_path: Path) -> None:
    import os
    import re
    import subprocess
    import sys

    from tests.test_readme import README, walkthrough

    block = re.search(r"```sh\n(.*?)```", README.read_text().split("## Investigating access", 1)[1], re.S)
    assert block is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", walkthrough() + block.group(1)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Access report: Jane Smith (jane.smith), 01 Jan 2026 to " in proc.stdout
    assert "VALID: " in proc.stdout and "NOT VALID" not in proc.stdout
    assert (tmp_path / "who-opened-the-case.csv").read_text().startswith("ref,at,staff_id")
    assert json.loads((tmp_path / "jane-access-fhir.json").read_text())["resourceType"] == "Bundle"
    page = (tmp_path / "jane-access.html").read_text()
    assert "Access report: Jane Smith (jane.smith)" in page and "OFFICIAL-SENSITIVE" in page


# --- one derivation of flags: report, alert list and review agree (issue 11) -------------------------


def test_report_alerts_and_review_agree_on_every_flag(scenario: Scenario) -> None:
    app = scenario.app
    rows = staff_report(app, "omar.farah", *NOV).report["attempts"]
    flagged = {r["ref"]: kinds(r) for r in rows if r["flags"]}
    # bulk browsing, out of hours, break-glass, denied restricted, self-claim after a team move, after leaving
    assert set().union(*flagged.values()) >= {"bulk_browsing", "out_of_hours", "break_glass", "denied_restricted",
                                              "after_team_move", "after_leaving"}
    alerts = {a.ref: {k for k, _ in f} for a, f in app.investigation.alerts() if a.staff_id == "omar.farah"}
    assert alerts == flagged
    note = {"outcome": "appropriate", "note": "Checked with the worker and their manager"}
    for ref, found in flagged.items():
        assert app.investigation.review("helen.cole", ref, **note).attempt_stream is not None, found
    report = staff_report(app, "omar.farah", *NOV).report
    assert all(r["review"] is not None for r in report["attempts"] if r["flags"])
    assert not [a for a in app.investigation.unreviewed_alerts() if a.staff_id == "omar.farah"]
    plain = next(r["ref"] for r in rows if not r["flags"])
    refused(app, RuleViolation, rf"attempt {plain} was not flagged \(granted: ", app.investigation.review,
            "helen.cole", plain, **note)


def test_review_describes_a_denied_attempt_as_denied(scenario: Scenario) -> None:
    app = scenario.app
    _try(app, "kofi.mensah", scenario.others[1])           # an outsider, in hours, no reason given: denied
    row = staff_report(app, "kofi.mensah", *NOV).report["attempts"][-1]
    assert row["outcome"] == "denied" and not row["flags"]
    refused(app, RuleViolation, rf"attempt {row['ref']} was not flagged \(denied: ", app.investigation.review,
            "helen.cole", row["ref"], outcome="appropriate", note="Checked with the worker and their manager")


# --- what the report shows: the child where the reader may see it, the version seen, full teams ------


def test_report_names_the_child_only_where_the_reader_may_open_the_record(db: str, scenario: Scenario) -> None:
    args = ("access", "report", "--staff", "omar.farah", "--from", "2026-11-01", "--to", "2026-11-30")
    code, out, err = cli(db, *args, "--as", "helen.cole")           # the service manager may open both
    assert code == 0, err
    assert f"record: {CHILD} (case {scenario.amira}), version " in out
    assert f"record: Noah Staffchild (case {scenario.restricted}), version " in out
    assert "held by the Assessment team" in out
    code, out, err = cli(db, *args, "--as", "ann.audit")            # an auditor: not the restricted record
    assert code == 0, err
    assert f"record: {CHILD} (case {scenario.amira})" in out
    assert f"record: case {scenario.restricted} (restricted), version " in out and "Noah Staffchild" not in out
    code, out, _ = cli(db, *args, "--as", "ann.audit", "--json")
    rows = json.loads(out)["attempts"]
    denied = next(r for r in rows if r["outcome"] == "denied" and r["restriction"])
    assert denied["child_name"] is None and denied["child_note"] == "restricted"
    assert isinstance(denied["case_version"], int) and "Noah Staffchild" not in out
    assert {r["child_name"] for r in rows if r["case_id"] == str(scenario.amira)} == {CHILD}
    code, out, _ = cli(db, *args, "--as", "ann.audit", "--csv")
    head, *lines = out.splitlines()
    assert {"child_name", "child_note", "case_version"} <= set(head.split(",")) and "Noah Staffchild" not in out
    assert any(f",{CHILD}," in line for line in lines) and any(",restricted," in line for line in lines)


def test_case_report_shows_full_team_names(db: str, scenario: Scenario) -> None:
    code, out, err = cli(db, "access", "report", "--as", "helen.cole", "--case", str(scenario.amira))
    assert code == 0, err
    assert out.startswith(f"Access report: {CHILD} (case record {scenario.amira})")
    assert "who: Omar Farah (omar.farah), " in out and "Child Protection team" in out
    assert "(Assess)" not in out and "(Child)" not in out


# --- --case by the child's name ----------------------------------------------------------------------


def test_case_report_by_the_childs_name(db: str, scenario: Scenario) -> None:
    code, out, err = cli(db, "access", "report", "--as", "helen.cole", "--case", "amira hass")
    assert code == 0, err
    assert out.startswith(f"Access report: {CHILD} (case record {scenario.amira})")
    code, out, err = cli(db, "access", "report", "--as", "helen.cole", "--case", "Example")
    assert code == 1 and "9 case records have a child whose name contains 'Example': Child 0 Example (case " in err
    assert "give the case id with --case" in err and out == ""
    code, out, err = cli(db, "access", "report", "--as", "helen.cole", "--case", "Nobody Called This")
    assert code == 1 and "no case record you may open has a child whose name contains 'Nobody Called This'" in err
    # the service manager may open the restricted record; an auditor may not, and learns nothing of it
    code, out, err = cli(db, "access", "report", "--as", "helen.cole", "--case", "Staffchild")
    assert code == 0, err
    assert out.startswith("Access report: Noah Staffchild")
    code, out, err = cli(db, "access", "report", "--as", "ann.audit", "--case", "Staffchild")
    assert code == 1 and err.strip() == ("caseledger: no case record you may open has a child whose name contains "
                                         "'Staffchild', and no case id starts with it: give the case id, or a "
                                         "part of the child's name")


# --- the printable form: --format html --out (issue 11) ----------------------------------------------

ODD = 'Zoë "Z" <b>Marsh</b> & Co'        # a name with every character HTML gives meaning to
HTML_REPORT = ("access", "report", "--staff", "omar.farah", "--from", "2026-11-01", "--to", "2026-11-30",
               "--format", "html")


def _odd_child(s: Scenario) -> uuid.UUID:
    odd = _open(s.app, ODD)
    s.clock.now = at(9, 10, 5)
    _try(s.app, "omar.farah", odd)                     # after leaving: denied, flagged
    return odd


def test_html_report_is_a_marked_printable_page_with_every_flag_in_words(db: str, scenario: Scenario,
                                                                         tmp_path: Path) -> None:
    _odd_child(scenario)
    glass = _ref(scenario.app, "omar.farah", "break_glass")
    scenario.app.investigation.review("david.hart", glass, outcome="appropriate",
                                      note="Child missing: the <safety plan> was needed")
    page = tmp_path / "omar.html"
    code, out, err = cli(db, *HTML_REPORT, "--as", "helen.cole", "--out", str(page))
    assert code == 0, err
    assert out.strip() == f"Wrote the access report (17 attempts, html) to {page}."
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>")
    # page numbers and the protective marking at the top and the bottom of every printed page
    assert 'content: "Page " counter(page) " of " counter(pages)' in html
    assert '@top-right { content: "OFFICIAL-SENSITIVE"' in html and '@bottom-right { content: "OFFICIAL-SENSITIVE"' \
        in html
    assert html.count('<div class="marking">OFFICIAL-SENSITIVE</div>') == 2
    assert "<h1>Access report: Omar Farah (omar.farah), 01 Nov 2026 to 30 Nov 2026</h1>" in html
    assert "17 attempts on 12 records; 3 denied; 16 flagged" in html
    # each attempt's flags, in the words of the text report, and the count of each kind
    rows = staff_report(scenario.app, "omar.farah", *NOV).report["attempts"]
    assert len(rows) == 17
    for r in rows:
        assert f'<td class="ref">{r["ref"]}</td>' in html
        for f in r["flags"]:
            assert f"<li>{escape(f['text'])}</li>" in html, f["text"]
    assert "<tr><td>bulk browsing</td><td>10</td></tr>" in html
    assert "<tr><td>after leaving the authority</td><td>2</td></tr>" in html
    assert "Not yet reviewed (on the service manager's alert list)." in html
    assert re.search(r"Reviewed 09 Nov 2026 \d\d:\d\d GMT by David Hart \(david.hart\): appropriate: Child missing: "
                     r"the &lt;safety plan&gt; was needed</div>", html)
    assert "child reported missing from school today" in html and "concern for safety" in html
    # names escaped: the service manager may open every record, so every name is shown
    assert "Zoë &quot;Z&quot; &lt;b&gt;Marsh&lt;/b&gt; &amp; Co (case " in html
    assert "<b>Marsh</b>" not in html and '"Z"' not in html
    assert f"Noah Staffchild (case {scenario.restricted})" in html and f"{CHILD} (case {scenario.amira})" in html
    assert "Produced " in html and " by helen.cole." in html


def test_html_report_names_no_child_the_reader_may_not_see(db: str, scenario: Scenario, tmp_path: Path) -> None:
    page = tmp_path / "omar-audit.html"
    code, _, err = cli(db, *HTML_REPORT, "--as", "ann.audit", "--out", str(page))  # an auditor: not restricted ones
    assert code == 0, err
    html = page.read_text()
    assert f'<span class="restricted">case {scenario.restricted} (restricted), version ' in html
    assert "Noah Staffchild" not in html and "Staffchild" not in html
    assert f"{CHILD} (case {scenario.amira})" in html


def test_html_case_report_lists_who_opened_it(db: str, scenario: Scenario, tmp_path: Path) -> None:
    odd = _odd_child(scenario)
    code, out, err = cli(db, "access", "report", "--as", "helen.cole", "--case", str(odd), "--format", "html")
    assert code == 0, err
    assert out.startswith("<!DOCTYPE html>") and "<th>Who</th>" in out
    assert (f"<title>Access report: Zoë &quot;Z&quot; &lt;b&gt;Marsh&lt;/b&gt; &amp; Co (case record {odd}), "
            "all recorded attempts</title>") in out
    assert "<td>Omar Farah (omar.farah), Senior Practitioner, Child Protection team</td>" in out
    assert "<b>Marsh</b>" not in out


def test_html_report_output_is_checked_before_any_work(db: str, scenario: Scenario, tmp_path: Path) -> None:
    before = scenario.app.recorder.max_notification_id()
    missing = tmp_path / "no" / "such" / "omar.html"
    code, out, err = cli(db, *HTML_REPORT, "--as", "helen.cole", "--out", str(missing))
    assert code == 2 and out == ""
    assert err.strip() == f"caseledger: --out {missing}: no folder {missing.parent} (create it first)"
    assert not (tmp_path / "no").exists()
    assert scenario.app.recorder.max_notification_id() == before   # no read of a name was recorded
    code, _, err = cli(db, *HTML_REPORT, "--as", "helen.cole", "--json")
    assert code == 2 and "choose one output: --json or --format html (or write it to a file with --out)" in err
    code, _, err = cli(db, *HTML_REPORT, "--as", "helen.cole", "--csv")
    assert code == 2 and "choose one output: --csv or --format html" in err
    code, out, err = cli(db, *HTML_REPORT, "--as", "helen.cole", "--json", "--out", str(tmp_path / "o.html"))
    assert code == 0, err
    assert json.loads(out) == {"out": str(tmp_path / "o.html"), "attempts": 16, "format": "html"}
