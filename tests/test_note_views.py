"""What people read of a case note and a case summary (policy s.7, s.9, Appendix 1: "the child is
missing from the records"): the child seen (alone, bedroom), the child's views in their own words,
the actions, the interpreter and who provided third-party information, in ``case view`` and
``case show``; every field of a summary in ``case view`` and ``summary``; an amendment with exactly
the fields it changed, old and new, in ``case view`` and ``history``. Storage on SQLite and
PostgreSQL; one run of the commands end to end on SQLite."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import uuid
from pathlib import Path

from commands.cli_views import case_view_text, history_text, summary_text
from commands.render import case_text
from ledger.application import LONDON, CaseLedger
from projections import views
from tests.conftest import Borough, Clock, open_amira

EXE = Path(sys.executable).parent / "caseledger"

VISIT = dict(
    kind="home_visit", occurred_at=dt.datetime(2026, 10, 29, 15, 0, tzinfo=LONDON), finalise=True,
    facts="Visited Amira at home with her mother and her uncle, who told me about the school run.",
    analysis="Amira seemed relaxed with her mother.", actions="Ring the school about attendance.",
    source="third_party", provided_by="Mr Hassan (uncle)", child_seen=True, child_seen_alone=True, bedroom_seen=True,
    child_views="I like my room. Mum makes pancakes.",
    interpreter={"name": "Layla Aziz", "kind": "contracted_service"},
)
SUMMARY = dict(
    kind="case_summary", occurred_at=dt.datetime(2026, 11, 2, 9, 30, tzinfo=LONDON),
    life_for_the_child="Amira is often hungry but loves school.",
    progress_against_care_plan="Attendance up from 80% to 92%.",
    strengths="A warm bond with her mother; a trusted teacher.",
    concerns="Little food in the house at weekends.",
    new_issues="Mother's hours at work have changed.",
    how_handled="Referred to the food bank; breakfast club place agreed.",
    engagement="Mother engages well; father declines contact.",
    focus_next_three_months="Food, routines and school attendance.",
)


def visit(app: CaseLedger, case_id: uuid.UUID) -> uuid.UUID:
    return app.casework.record_note("jane.smith", case_id, **VISIT)  # type: ignore[arg-type]


def test_case_view_and_case_show_show_the_child_and_who_said_what(borough: Borough) -> None:
    app, cid = borough.ledger, borough.case_id
    visit(app, cid)
    case = app.case(cid)
    expected = [
        "    Actions: Ring the school about attendance.",
        "    Information provided by: Mr Hassan (uncle)",
        "    Child seen alone; bedroom seen",
        '    In the child\'s words: "I like my room. Mum makes pancakes."',
        "    Interpreter: Layla Aziz (contracted service)",
    ]
    for text in (case_view_text(views.case_view(case)), case_text(case)):
        lines = text.splitlines()
        for line in expected:
            assert line in lines, f"{line!r} missing from:\n{text}"


def test_a_child_not_seen_is_said(borough: Borough) -> None:
    app, cid = borough.ledger, borough.case_id
    app.casework.record_note("jane.smith", cid, kind="telephone_call", finalise=True,
                             occurred_at=dt.datetime(2026, 10, 30, 10, 0, tzinfo=LONDON),
                             facts="Telephone call with Amira's mother about the school run.")
    text = case_view_text(views.case_view(app.case(cid)))
    assert "    Child not seen" in text.splitlines()
    assert "Child seen" not in text


def test_words_recorded_as_a_quote_are_quoted_once(borough: Borough) -> None:
    """The demo (and people) often record the child's views with their own quotation marks."""
    app, cid = borough.ledger, borough.case_id
    views_as_quoted = '"I just sort myself out for food." "It\'s fine."'
    app.casework.record_note("jane.smith", cid, **{**VISIT, "child_views": views_as_quoted})
    text = case_view_text(views.case_view(app.case(cid)))
    assert '    In the child\'s words: "I just sort myself out for food." "It\'s fine."' in text.splitlines()
    assert '""' not in text


def test_every_field_of_the_summary_is_read(borough: Borough, clock: Clock) -> None:
    app, cid = borough.ledger, borough.case_id
    app.casework.record("jane.smith", cid, **SUMMARY)  # type: ignore[arg-type]
    case = app.case(cid)
    expected = [
        "  What life is like for the child: Amira is often hungry but loves school.",
        "  Progress against the care plan: Attendance up from 80% to 92%.",
        "  Strengths: A warm bond with her mother; a trusted teacher.",
        "  Concerns: Little food in the house at weekends.",
        "  New issues: Mother's hours at work have changed.",
        "  How they were handled: Referred to the food bank; breakfast club place agreed.",
        "  Engagement with services: Mother engages well; father declines contact.",
        "  Focus for the next three months: Food, routines and school attendance.",
    ]
    for text in (case_view_text(views.case_view(case)), summary_text(views.summary_view(case, now=clock.now))):
        lines = text.splitlines()
        # every field, in this order, one after the other
        start = lines.index(expected[0])
        assert lines[start:start + len(expected)] == expected, text


def test_an_amendment_of_the_actions_shows_only_the_actions_was_and_now(borough: Borough) -> None:
    app, cid = borough.ledger, borough.case_id
    nid = visit(app, cid)
    app.casework.amend_note("jane.smith", cid, nid, actions="Ring the school and the GP about attendance.",
                            reason="The GP is to be rung as well")
    case = app.case(cid)
    (note,) = views.case_view(case)["recent_notes"]
    assert note["amendments"][0]["changes"] == [{"field": "actions", "was": "Ring the school about attendance.",
                                                 "now": "Ring the school and the GP about attendance."}]
    text = case_view_text(views.case_view(case))
    assert ('      Actions amended: was "Ring the school about attendance."; '
            'now "Ring the school and the GP about attendance."') in text.splitlines()
    assert "Facts amended" not in text and "(was:" not in text
    history = history_text("Amira Hassan", views.audit_view(case))
    assert ('    Actions amended: was "Ring the school about attendance."; '
            'now "Ring the school and the GP about attendance."') in history.splitlines()
    assert "Facts amended" not in history and "Original:" not in history


def test_each_amendment_shows_its_own_changes(borough: Borough) -> None:
    """Two amendments: the first changed the facts, the second the child's being seen alone; each
    lists its own field against the text it replaced and the text that replaced it."""
    app, cid = borough.ledger, borough.case_id
    nid = visit(app, cid)
    app.casework.amend_note("jane.smith", cid, nid, facts="Visited Amira at home with her aunt and her uncle.",
                            reason="The aunt was there, not the mother")
    app.casework.amend_note("grace.obi", cid, nid, child_seen_alone=False, bedroom_seen=False,
                            reason="The aunt stayed in the room throughout")
    (note,) = views.case_view(app.case(cid))["recent_notes"]
    first, second = (a["changes"] for a in note["amendments"])
    assert [c["field"] for c in first] == ["facts"]
    assert first[0]["now"] == "Visited Amira at home with her aunt and her uncle."
    assert [(c["field"], c["was"], c["now"]) for c in second] == [
        ("child_seen_alone", True, False), ("bedroom_seen", True, False)]
    lines = case_view_text(views.case_view(app.case(cid))).splitlines()
    assert "      Child seen alone amended: was yes; now no" in lines
    assert "      Bedroom seen amended: was yes; now no" in lines
    assert "    Child seen (not alone)" in lines


def test_the_changes_of_a_deleted_note_are_withheld_with_its_text(borough: Borough) -> None:
    app, cid = borough.ledger, borough.case_id
    nid = visit(app, cid)
    app.casework.amend_note("jane.smith", cid, nid, actions="Ring the GP.", reason="The school was rung already")
    app.casework.delete_note("grace.obi", cid, nid, reason="Recorded on the wrong child in error")
    case = app.case(cid)
    rows = [r for r in views.withhold_deleted(case, views.audit_view(case)) if r["ref"] == str(nid)]
    assert rows and all("changes" not in r and "content" not in r and "withheld" in r for r in rows)
    assert "Ring the GP" not in history_text("Amira Hassan", rows)


def run(*args: str) -> str:
    proc = subprocess.run([str(EXE), *args, "--as", "grace.obi"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_read_commands_show_it(tmp_path: Path) -> None:
    """`case view`, `summary` and `history` as typed, and `case view --json` carrying the changes."""
    db = str(tmp_path / "borough.db")
    clock = Clock()
    app = CaseLedger(db, clock=clock)
    c = open_amira(app, clock, referral_source="school")
    nid = visit(app, c.id)
    app.casework.amend_note("jane.smith", c.id, nid, actions="Ring the GP.", reason="The school was rung already")
    app.casework.record("jane.smith", c.id, **SUMMARY)  # type: ignore[arg-type]
    app.close()
    cid = str(c.id)[:8]
    view = run("case", "view", cid, "--db", db)
    for shown in ("Child seen alone; bedroom seen", "In the child's words: \"I like my room.",
                  "Interpreter: Layla Aziz (contracted service)", "Information provided by: Mr Hassan (uncle)",
                  "Actions: Ring the GP.",
                  'Actions amended: was "Ring the school about attendance."; now "Ring the GP."',
                  "Strengths: A warm bond with her mother", "Engagement with services: Mother engages well"):
        assert shown in view, f"{shown!r} missing from:\n{view}"
    assert "(was:" not in view and "Facts amended" not in view
    data = json.loads(run("case", "view", cid, "--db", db, "--json"))
    assert data["recent_notes"][0]["amendments"][0]["changes"] == [
        {"field": "actions", "was": "Ring the school about attendance.", "now": "Ring the GP."}]
    summary = run("summary", cid, "--db", db)
    assert "Concerns: Little food in the house at weekends." in summary
    assert "How they were handled: Referred to the food bank" in summary
    history = run("history", cid, "--db", db)
    assert 'Actions amended: was "Ring the school about attendance."; now "Ring the GP."' in history
    assert "Original:" not in history
