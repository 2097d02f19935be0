"""The whole recording vocabulary through the command line: every kind of casework record, a
pathway of process milestones, and the compliance report, each end to end in a subprocess."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli import Ledger, err, js, led, template  # noqa: F401  (fixtures)

WHEN = "2026-11-03 10:00"

# kind -> (acting staff id, --set values); dates stay within the rules as of the test's run.
KINDS: dict[str, tuple[str, list[str]]] = {
    "hazard": ("jane.smith", ["type=dangerous_pet", "started_on=2026-11-02",
                              "description=Large dog loose in the garden during the visit",
                              "source_document=Police notification", "source_date=2026-10-30",
                              "review_date=2027-02-01"]),
    "risk_to_children": ("jane.smith", ["person=Mr Darren Cole", "started_on=2026-11-02",
                                        "description=Convicted of offences against children in 2019",
                                        "source_document=Probation letter", "source_date=2026-10-30",
                                        "review_date=2027-02-01"]),
    "mappa_alert": ("grace.obi", ["person=Mr Darren Cole", "mappa_category=registered_sexual_offender",
                                  "mappa_level=level_2", "started_on=2026-11-02",
                                  "description=Managed under MAPPA level 2 by the police",
                                  "source_document=MAPPA minutes", "source_date=2026-10-30",
                                  "review_date=2027-02-01"]),
    "chronology_entry": ("jane.smith", ["event_date=2016-05-14",
                                        "what_happened=Amira was born at North Middlesex Hospital",
                                        "category=birth", "positive=yes"]),
    "case_summary": ("jane.smith", ["life_for_the_child=Amira is ten, loves drawing and worries about her mum",
                                    "focus_next_three_months=Complete the assessment and agree a plan"]),
    "information_sharing": ("jane.smith", ["direction=request_from", "organisation=Brookfield Primary School",
                                           "information=Attendance record for this term", "shared=yes",
                                           "reasoning=The school needs it to support Amira's attendance plan",
                                           "basis=concern_for_safety"]),
    "consent": ("jane.smith", ["status=given", "by_whom=Ms Hassan (mother)",
                               "scope=Speaking to the GP and the school", "written=yes"]),
    "case_audit": ("grace.obi", ["audit_type=case_file_audit", "audit_date=2026-11-03",
                                 "findings=Recording is up to date; the child's views are recorded",
                                 "actions_arising=Add a chronology entry for the school move"]),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_of_record_through_the_cli(led: Ledger, kind: str) -> None:  # noqa: F811
    acting, values = KINDS[kind]
    sets = [arg for value in values for arg in ("--set", value)]
    added = js(led("record", "add", led.case_id, kind, "--as", acting, "--occurred-at", WHEN, *sets, "--json"))
    listed = js(led("record", "list", led.case_id, "--kind", kind, "--as", "grace.obi", "--json"))
    records = listed if isinstance(listed, list) else listed["records"]
    assert any(str(r["record_id"]) == str(added["record_id"]) and r["kind"] == kind for r in records), listed


def test_correction_request_and_document_through_the_cli(led: Ledger, tmp_path: Path) -> None:  # noqa: F811
    drawing = tmp_path / "drawing.png"
    drawing.write_bytes(b"\x89PNG pretend drawing of my family")
    doc = js(led("document", "add", led.case_id, str(drawing), "--as", "jane.smith", "--doc-type", "drawing",
                 "--json"))
    assert len(doc["sha256"]) == 64
    req = js(led("record", "add", led.case_id, "correction_request", "--as", "jane.smith", "--occurred-at", WHEN,
                 "--set", "requested_by=Ms Hassan (mother)", "--set", f"what={led.note_id}",
                 "--set", "request=The note says I was not at home; I was upstairs", "--json"))
    led("record", "update", led.case_id, str(req["record_id"]), "disagreement", "--as", "jane.smith",
        "--set", "in_their_own_words=I was upstairs with the baby the whole time",
        "--set", "by_whom=Ms Hassan (mother)")
    shown = js(led("record", "list", led.case_id, "--kind", "correction_request", "--as", "grace.obi", "--json"))
    text = str(shown)
    assert "I was upstairs with the baby the whole time" in text


def test_a_pathway_of_milestones_and_a_refusal_through_the_cli(led: Ledger) -> None:  # noqa: F811
    refused = led("milestone", "add", led.case_id, "icpc", "--as", "jane.smith", "--occurred-at", WHEN,
                  "--set", "decision=cp_plan", "--json", check=1)
    assert "section 47" in err(refused)["message"]
    steps = [
        ("jane.smith", "contact", ["source=school", "channel=telephone"]),
        ("grace.obi", "referral_decision", ["decision=referral_accepted"]),
        ("jane.smith", "cf_assessment_started", []),
        ("jane.smith", "cf_assessment_completed", ["factors=neglect;school attendance",
                                                   "recommendation=cin_plan"]),
        ("grace.obi", "cf_assessment_authorised", []),
    ]
    for acting, kind, values in steps:
        sets = [arg for value in values for arg in ("--set", value)]
        led("milestone", "add", led.case_id, kind, "--as", acting, "--occurred-at", WHEN, *sets)
    listed = js(led("milestone", "list", led.case_id, "--as", "grace.obi", "--json"))
    kinds = [m["kind"] for m in (listed["milestones"] if isinstance(listed, dict) else listed)]
    assert kinds == [k for _, k, _ in steps]


def test_compliance_through_the_cli(led: Ledger) -> None:  # noqa: F811
    # The seeded home visit of 2 Nov 2026 was written up when the ledger was seeded (after the
    # five working days ran out on 9 Nov): late, with how late it was.
    report = js(led("compliance", "--case", led.case_id, "--as", "grace.obi", "--json"))
    late = [i for i in report["items"] if i["status"] == "late" and i["what"] == "home visit note"]
    assert late and late[0]["late_by_hours"] > 0 and report["percent_on_time"] is not None
    team = js(led("compliance", "--team", "Assessment", "--as", "grace.obi", "--json"))
    assert sum(team["counts"].values()) >= 1
    bad = led("compliance", "--case", led.case_id, "--team", "Assessment", "--as", "grace.obi", "--json", check=1)
    assert "at most one of" in err(bad)["message"]
