"""Per-case read views (chronology, case view, summary, audit view, hazard rows), "as of" any
point, snapshots, and the read commands end to end. Storage tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ledger.application import LONDON, CaseLedger
from ledger.errors import NotFound
from ledger.integrity.checkpoint import SigningKey
from ledger.integrity.verify import verify_ledger
from ledger.records.case import CaseRecord
from projections import views
from projections.asof import case_as_of
from projections.render_html import chronology_html
from tests.conftest import Borough, Clock, add_staff, open_amira
from tests.test_milestones import pre_v2_snapshot

EXE = Path(sys.executable).parent / "caseledger"


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


@dataclass
class Story:
    """A believable case, and the points (time, global position, version) after each step."""

    case_id: uuid.UUID
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    points: list[tuple[dt.datetime, int, int]] = field(default_factory=list)


def build(app: CaseLedger, clock: Clock, case_id: uuid.UUID) -> Story:
    s = Story(case_id)

    def step(name: str | None, value: Any = None) -> None:
        if name:
            s.ids[name] = value
        s.points.append((clock.now, app.recorder.max_notification_id(), app.case(case_id).version))
        clock.advance(minutes=10)

    step(None)
    m = lambda who, kind, when, **d: app.casework.record_milestone(who, case_id, kind=kind, occurred_at=when, **d)  # noqa: E731
    step("visit", app.casework.record_note(
        "jane.smith", case_id, kind="home_visit", occurred_at=at(29, 15), finalise=True,
        facts="Visited Amira at home with her mother. Little food in the kitchen.", child_seen=True))
    step("contact", m("jane.smith", "contact", at(28, 9, 30), source="school", concern="Arrives hungry"))
    step("referral", m("grace.obi", "referral_decision", at(28, 16), decision="referral_accepted"))
    step("cfa", m("jane.smith", "cf_assessment_started", at(29, 9)))
    step("strategy", m("jane.smith", "strategy_discussion", at(30, 11), decision="s47"))
    step("s47", m("jane.smith", "s47_started", at(30, 14)))
    step("outcome", m("grace.obi", "s47_outcome", at(31, 12), outcome="substantiated_icpc"))
    step("icpc", m("jane.smith", "icpc", at(2, 9, 30, month=11), decision="cp_plan", chair="R. Patel"))
    step("plan", m("grace.obi", "cp_plan_started", at(2, 9, 45, month=11), category="neglect"))
    rec = lambda who, kind, when, **d: app.casework.record(who, case_id, kind=kind, occurred_at=when, **d)  # noqa: E731
    step("prebirth", rec("jane.smith", "chronology_entry", at(2, 10, month=11), event_date=dt.date(2015, 9, 1),
                         what_happened="Older brother Yusuf became looked after, before Amira was born",
                         category="family"))
    step("award", rec("jane.smith", "chronology_entry", at(2, 10, month=11), event_date=dt.date(2026, 10, 31),
                      what_happened="Amira won the school reading award", category="achievement", positive=True))
    step("hazard", rec("jane.smith", "hazard", at(29, 16), type="dangerous_pet", started_on=dt.date(2026, 10, 29),
                       description="Large dog loose in the hall, see the home visit",
                       source_record=str(s.ids["visit"]), review_date=dt.date(2027, 1, 15)))
    step("wrong", app.casework.record_note("jane.smith", case_id, kind="telephone_call", occurred_at=at(31, 10),
                                           facts="Call about a different child (wrong record)", finalise=True))
    app.casework.delete_note("grace.obi", case_id, s.ids["wrong"], reason="Recorded on the wrong child in error")
    step(None)
    step("call", app.casework.record_note("jane.smith", case_id, kind="telephone_call", occurred_at=at(1, 11, month=11),
                                          facts="Telephone call with Amira's mother.", finalise=True))
    app.casework.amend_note("jane.smith", case_id, s.ids["call"], facts="Telephone call with Amira's aunt.",
                            reason="The aunt was on the phone, not the mother")
    step(None)
    step("correction", rec("jane.smith", "correction_request", at(2, 11, month=11), requested_by="Ms Hassan (mother)",
                           what=str(s.ids["visit"]), request="There was food in the fridge"))
    app.casework.update("jane.smith", case_id, s.ids["correction"], action="disagreement",
                        in_their_own_words="I do not agree: the fridge was full", by_whom="Ms Hassan (mother)")
    step(None)
    step("decision", app.casework.record_decision(
        "grace.obi", case_id, decision="Hold an initial child protection conference",
        reasons="Neglect substantiated", risks_considered="Ongoing neglect",
        options_not_chosen=[{"option": "CIN plan", "why_not": "Risk too high"}], occurred_at=at(31, 13)))
    step("document", rec("jane.smith", "document", at(2, 12, month=11), name="School letter.pdf", doc_type="letter",
                         sha256="ab" * 32, date_received=dt.date(2026, 11, 1)))
    step("summary", rec("jane.smith", "case_summary", at(2, 13, month=11),
                        life_for_the_child="Amira is often hungry but loves school.",
                        focus_next_three_months="Food, routines and school attendance."))
    return s


@pytest.fixture
def story(borough: Borough, clock: Clock) -> Story:
    return build(borough.ledger, clock, borough.case_id)


def replayed(app: CaseLedger, case_id: uuid.UUID, version: int) -> CaseRecord:
    """The case rebuilt by folding its events ourselves, from event zero."""
    case = None
    for event in app.events.get(case_id, lte=version):
        case = event.mutate(case)
    assert isinstance(case, CaseRecord)
    return case


def all_views(case: CaseRecord) -> Any:
    return ([e.as_dict() for e in views.chronology(case)], [e.as_dict() for e in views.chronology(case, court=True)],
            views.case_view(case, today=dt.date(2026, 11, 20)), views.audit_view(case),
            views.summary_view(case, now=at(20, 12, month=11)), views.hazard_rows(case, today=dt.date(2027, 2, 1)))


# --- chronology -------------------------------------------------------------------------------------


def test_chronology_is_in_event_date_order_from_before_birth(borough: Borough, story: Story) -> None:
    case = borough.ledger.case(borough.case_id)
    entries = views.chronology(case)
    dates = [e.date for e in entries]
    assert dates == sorted(dates)
    assert entries[0].source_id == str(story.ids["prebirth"]) and entries[0].date < dt.date(2016, 5, 14)
    assert entries[1].title == "Amira Hassan born" and entries[1].date == dt.date(2016, 5, 14)
    titles = [e.title for e in entries]
    assert "Initial child protection conference: child protection plan agreed (category: neglect), " \
           "chaired by R. Patel" in titles
    # recorded after the later milestones, but ordered by its event date
    award = next(e for e in entries if e.source_id == str(story.ids["award"]))
    assert award.positive and award.category == "achievement"
    assert titles.index(award.title) < titles.index(next(t for t in titles if t.startswith("Initial child")))
    milestone_ids = {str(m["id"]) for m in case.milestones}
    for e in entries:
        if e.source == "milestone":
            assert e.source_id in milestone_ids
        if e.source == "chronology_entry":
            assert e.source_id in case.records
    assert not any(e.source in ("case_note", "decision") for e in entries)  # court format only


def test_court_chronology_has_every_dated_record_but_no_deleted_note(borough: Borough, story: Story) -> None:
    case = borough.ledger.case(borough.case_id)
    court = views.chronology(case, court=True)
    ids = {e.source_id for e in court}
    assert {str(story.ids[k]) for k in ("visit", "call", "decision", "document", "hazard")} <= ids
    assert str(story.ids["wrong"]) not in ids
    assert str(story.ids["wrong"]) not in {e.source_id for e in views.chronology(case)}
    visit = next(e for e in court if e.source_id == str(story.ids["visit"]))
    assert visit.title.startswith("Case note (home visit): Visited Amira") and visit.date == dt.date(2026, 10, 29)
    assert [e.date for e in court] == sorted(e.date for e in court)
    assert not any("wrong record" in e.title for e in court)


def test_superseded_milestones_are_left_out(borough: Borough, story: Story) -> None:
    """Roll-backs do not exist yet: the filter is tested on a copied case state."""
    case = copy.deepcopy(borough.ledger.case(borough.case_id))
    icpc = next(m for m in case.milestones if m["kind"] == "icpc")
    icpc["superseded_by"] = uuid.uuid4()
    for court in (False, True):
        assert str(icpc["id"]) not in {e.source_id for e in views.chronology(case, court=court)}
    audit = [r for r in views.audit_view(case) if r["ref"] == str(icpc["id"])]
    assert audit and audit[0]["superseded_by"] == str(icpc["superseded_by"])


def test_every_closure_and_re_opening_is_in_the_chronology(borough: Borough, story: Story, clock: Clock) -> None:
    app, cid = borough.ledger, borough.case_id
    clock.now = at(10, 10, month=11)
    app.cases.close("grace.obi", cid, reason="Needs met by universal services", closed_on=dt.date(2026, 11, 9))
    after_first = clock.now
    clock.now = at(17, 11, month=11)
    app.cases.reopen("grace.obi", cid, reason="New referral from the school: Amira hungry again")
    clock.now = at(17, 15, month=11)
    app.cases.close("grace.obi", cid, reason="Referred on to early help")  # closed the day it was re-opened
    expected = [(dt.date(2026, 11, 9), "Case closed: Needs met by universal services"),
                (dt.date(2026, 11, 17), "Case re-opened: New referral from the school: Amira hungry again"),
                (dt.date(2026, 11, 17), "Case closed: Referred on to early help")]
    case = app.case(cid)
    for court in (False, True):
        entries = [e for e in views.chronology(case, court=court) if e.category == "closure"]
        assert [(e.date, e.title) for e in entries] == expected
        assert {e.by for e in entries} == {"Grace Obi, Team Manager"}
        assert [e.source for e in entries] == ["closure", "reopening", "closure"]
    page = chronology_html(case.child, views.chronology(case, court=True), case_id=str(cid))
    assert "Case re-opened: New referral from the school: Amira hungry again" in page
    assert page.count("Case closed: ") == 2
    # as the record stood after the first closure: that closure only
    then = case_as_of(app, cid, at=after_first)
    assert [(e.date, e.title) for e in views.chronology(then) if e.category == "closure"] == expected[:1]
    # re-opened and open again: the closure and the re-opening both stay
    clock.now = at(18, 9, month=11)
    app.cases.reopen("grace.obi", cid, reason="Early help could not engage the family")
    titles = [e.title for e in views.chronology(app.case(cid))]
    assert [t for t in titles if t.startswith("Case ")] == [t for _, t in expected] + [
        "Case re-opened: Early help could not engage the family"]


def test_a_snapshot_from_before_the_closure_history_keeps_its_last_closure(
        borough: Borough, story: Story, clock: Clock) -> None:
    app, cid = borough.ledger, borough.case_id
    clock.now = at(10, 10, month=11)
    app.cases.close("grace.obi", cid, reason="Needs met by universal services", closed_on=dt.date(2026, 11, 9))
    pre_v2_snapshot(app, cid)
    clock.now = at(17, 11, month=11)
    app.cases.reopen("grace.obi", cid, reason="New referral from the school")
    case = app.case(cid)  # read through the old snapshot, then the re-opening replayed
    assert [(e.date, e.title) for e in views.chronology(case) if e.category == "closure"] == [
        (dt.date(2026, 11, 9), "Case closed: Needs met by universal services"),
        (dt.date(2026, 11, 17), "Case re-opened: New referral from the school")]


# --- the case view, summary, hazards ---------------------------------------------------------------------


def test_case_view(borough: Borough, story: Story) -> None:
    case = borough.ledger.case(borough.case_id)
    v = views.case_view(case, today=dt.date(2026, 11, 20))
    assert v["child"]["age"] == "10 years" and v["allocation"]["worker"] == "Jane Smith, Social Worker"
    assert "Child protection plan since 02 Nov 2026 (category: neglect)" in v["process"]
    notes = {n["id"]: n for n in v["recent_notes"]}
    assert str(story.ids["wrong"]) not in notes and v["notes_total"] == 2
    assert [n["id"] for n in v["recent_notes"]] == [str(story.ids["call"]), str(story.ids["visit"])]
    amended = notes[str(story.ids["call"])]
    assert amended["content"]["facts"] == "Telephone call with Amira's aunt."
    assert amended["amendments"][0]["previous"]["facts"] == "Telephone call with Amira's mother."
    assert amended["amendments"][0]["by"] == "Jane Smith, Social Worker"
    disagreement = notes[str(story.ids["visit"])]["corrections"][0]["disagreements"][0]
    assert disagreement["in_their_own_words"] == "I do not agree: the fridge was full"
    assert [a["record_id"] for a in v["alerts"]] == [str(story.ids["hazard"])] and not v["alerts"][0]["overdue"]
    assert v["summary"]["life_for_the_child"].startswith("Amira is often hungry")
    assert v["decisions"][0]["decision"].startswith("Hold an initial")
    assert v["documents"][0]["name"] == "School letter.pdf"
    assert views.case_view(case, today=dt.date(2027, 1, 16))["alerts"][0]["overdue"]


def test_summary_overdue_after_three_months_and_what_changed(borough: Borough, story: Story, clock: Clock) -> None:
    app = borough.ledger
    v = views.summary_view(app.case(borough.case_id), now=clock.now)
    assert v["written_on"] == dt.date(2026, 11, 2) and v["due"] == dt.date(2027, 2, 2)
    assert not v["overdue"] and v["must_cover"] == []
    assert not views.summary_view(app.case(borough.case_id), now=at(2, 18, month=2).replace(year=2027))["overdue"]
    assert views.summary_view(app.case(borough.case_id), now=at(3, 9, month=2).replace(year=2027))["overdue"]
    clock.advance(days=1)
    app.casework.record("jane.smith", borough.case_id, kind="hazard", occurred_at=clock.now, type="verbal_abuse",
                        started_on=clock.now.date(), description="Father shouted at the worker, see the visit",
                        source_record=str(story.ids["visit"]), review_date=dt.date(2027, 3, 1))
    app.casework.record_milestone("jane.smith", borough.case_id, kind="core_group_meeting", occurred_at=clock.now)
    v = views.summary_view(app.case(borough.case_id), now=clock.now)
    assert any(item.startswith("New hazard: Father shouted") for item in v["must_cover"])
    assert any("Core group meeting" in item for item in v["must_cover"])
    assert len(v["since"]["milestones"]) == 1 and len(v["since"]["hazards"]) == 1
    app.cases.close("grace.obi", borough.case_id, reason="Needs now met by universal services")
    assert not views.summary_view(app.case(borough.case_id), now=at(3, 9, month=3).replace(year=2027))["overdue"]


def test_hazard_rows_are_flat_and_marked_overdue(borough: Borough, story: Story) -> None:
    case = borough.ledger.case(borough.case_id)
    (row,) = views.hazard_rows(case, today=dt.date(2027, 1, 16))
    assert set(row) == {"case_id", "child", "team", "worker", "record_id", "kind", "type", "description",
                        "started_on", "review_date", "overdue"}
    assert row["overdue"] and row["type"] == "dangerous_pet" and row["child"] == "Amira Hassan"
    assert not views.hazard_rows(case, today=dt.date(2027, 1, 15))[0]["overdue"]


# --- the audit view -------------------------------------------------------------------------------------


def test_audit_view_keeps_deleted_notes_and_original_text(borough: Borough, story: Story) -> None:
    rows = views.audit_view(borough.ledger.case(borough.case_id))
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)
    deleted = [r for r in rows if r["action"] == "note_deleted"]
    assert len(deleted) == 1 and deleted[0]["ref"] == str(story.ids["wrong"])
    assert deleted[0]["by"] == "Grace Obi, Team Manager"
    assert deleted[0]["reason"] == "Recorded on the wrong child in error"
    assert deleted[0]["content"]["facts"].startswith("Call about a different child")
    call = [r for r in rows if r["ref"] == str(story.ids["call"])]
    assert [r["action"] for r in call] == ["note_recorded", "note_finalised", "note_amended"]
    assert call[0]["content"]["facts"] == "Telephone call with Amira's mother."
    assert call[2]["previous"]["facts"] == "Telephone call with Amira's mother."
    assert call[2]["content"]["facts"] == "Telephone call with Amira's aunt."
    assert any(r["action"] == "correction_request_disagreement" for r in rows)


# --- as of ------------------------------------------------------------------------------------------------


def test_as_of_times_and_positions_equal_a_fresh_replay(borough: Borough, story: Story) -> None:
    app, cid = borough.ledger, borough.case_id
    for when, position, version in story.points[::3] + story.points[-1:]:
        expected = all_views(replayed(app, cid, version))
        by_time = case_as_of(app, cid, at=when)
        by_position = case_as_of(app, cid, position=position)
        assert by_time.version == by_position.version == version
        assert all_views(by_time) == expected
        assert all_views(by_position) == expected
        # just before the next step: still the same version
        assert case_as_of(app, cid, at=when + dt.timedelta(minutes=9)).version == version
    with pytest.raises(NotFound, match="did not exist yet"):
        case_as_of(app, cid, at=at(1, 0))
    with pytest.raises(NotFound, match="did not exist yet"):
        case_as_of(app, cid, position=1)


def test_a_version_read_through_a_snapshot_equals_one_replayed_from_zero(
        ledger: CaseLedger, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CaseLedger, "snapshotting_intervals", {CaseRecord: 4})
    add_staff(ledger)
    c = ledger.cases.open("jane.smith", child_name="Amira Hassan", date_of_birth=dt.date(2016, 5, 14),
                          referral_date=dt.date(2026, 10, 28), referral_source="school", team="Assessment",
                          worker="jane.smith")
    clock.advance(hours=1)
    story = build(ledger, clock, c.id)
    assert ledger.snapshots is not None
    taken = [s.originator_version for s in ledger.snapshots.get(c.id)]
    assert taken and all(v % 4 == 0 for v in taken)
    latest = ledger.case(c.id).version
    for version in range(1, latest + 1):
        through = ledger.case(c.id, version=version)
        fresh = replayed(ledger, c.id, version)
        assert {k: v for k, v in vars(through).items() if k != "_pending_events"} == \
               {k: v for k, v in vars(fresh).items() if k != "_pending_events"}
    assert all_views(case_as_of(ledger, c.id, at=story.points[-1][0])) == all_views(replayed(ledger, c.id, latest))
    # an explicit snapshot is read back, and the snapshots are not records: verify ignores them
    version = next(v for v in range(latest - 1, 0, -1) if v % 4)  # not already snapshotted
    ledger.take_snapshot(c.id, version=version)
    assert version in [s.originator_version for s in ledger.snapshots.get(c.id)]
    assert all_views(ledger.case(c.id, version=version + 1)) == all_views(replayed(ledger, c.id, version + 1))
    key = SigningKey.generate("test.example/caseledger")
    ledger.integrity.sign_checkpoint(key)
    assert verify_ledger(ledger.recorder, verifier=key.verifier()).ok


# --- HTML and the command line ------------------------------------------------------------------------------


def test_html_escapes_everything() -> None:
    entry = views.ChronologyEntry(dt.date(2026, 1, 2), "<script>alert(1)</script> & co", "family",
                                  "chronology_entry", "x", positive=True, detail="\"quoted\" <b>")
    page = chronology_html({"name": "Amira <Hassan>", "date_of_birth": dt.date(2016, 5, 14)}, [entry], case_id="c",
                           authority="Borough & <Co>")
    assert "<script>" not in page and "&lt;script&gt;" in page and "Amira &lt;Hassan&gt;" in page
    assert "Borough &amp; &lt;Co&gt;" in page and "@page" in page and "counter(page)" in page
    assert "http" not in page.replace('lang="en-GB"', "")  # no external assets


def run(*args: str) -> subprocess.CompletedProcess[str]:
    # Every read is by somebody (the access policy): here the team manager of the case's team.
    proc = subprocess.run([str(EXE), *args, "--as", "grace.obi"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_read_commands_end_to_end(tmp_path: Path) -> None:
    db = str(tmp_path / "borough.db")
    clock = Clock()
    app = CaseLedger(db, clock=clock)
    c = open_amira(app, clock, referral_source="school")
    story = build(app, clock, c.id)
    app.close()
    cid = str(c.id)[:8]
    table = run("chronology", cid, "--db", db).stdout
    assert "Amira Hassan born" in table and "* Amira won the school reading award" in table
    data = json.loads(run("chronology", cid, "--db", db, "--format", "json", "--court").stdout)
    assert data["court"] and str(story.ids["wrong"]) not in {e["source_id"] for e in data["entries"]}
    rows = list(csv.DictReader(io.StringIO(run("chronology", cid, "--db", db, "--format", "csv").stdout)))
    assert rows[0]["date"] == "2015-09-01" and any(r["positive"] == "yes" for r in rows)
    out = tmp_path / "chronology.html"
    run("chronology", cid, "--db", db, "--format", "html", "--out", str(out), "--authority", "Royal Borough of Test")
    page = out.read_text()
    assert "Amira Hassan" in page and "@page" in page and "Royal Borough of Test" in page
    when, position, version = story.points[5]
    early = json.loads(run("case", "view", cid, "--db", db, "--json", "--as-of",
                           when.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")).stdout)
    assert early["version"] == version and early["recent_notes"][0]["id"] == str(story.ids["visit"])
    by_position = json.loads(run("case", "view", cid, "--db", db, "--json", "--as-of", f"@{position}").stdout)
    assert by_position["version"] == version
    assert "Recent case notes" in run("case", "view", cid, "--db", db).stdout
    summary = json.loads(run("summary", cid, "--db", db, "--json").stdout)
    assert summary["summary"]["focus_next_three_months"].startswith("Food")
    history = json.loads(run("history", cid, "--db", db, "--json").stdout)
    assert any(r["action"] == "note_deleted" and r["ref"] == str(story.ids["wrong"]) for r in history)
    assert "note_deleted" in run("history", cid, "--db", db).stdout
    proc = subprocess.run([str(EXE), "case", "view", cid, "--db", db, "--as", "grace.obi",
                           "--as-of", "2020-01-01 09:00"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "did not exist yet" in proc.stderr  # NotFound is refused (1)


def test_history_withholds_deleted_text_from_all_but_managers_and_auditors(tmp_path: Path) -> None:
    """`history` is audit-only for deleted notes (policy s.12): the allocated worker and an outsider
    with a stated purpose see that a note was deleted, by whom, when and why, never its text;
    the team manager of the holding team sees it. Every attempt is in the access log."""
    db = str(tmp_path / "borough.db")
    clock = Clock()
    app = CaseLedger(db, clock=clock)
    c = open_amira(app, clock, referral_source="school")
    story = build(app, clock, c.id)
    app.close()
    cid, wrong = str(c.id)[:8], str(story.ids["wrong"])
    secret = "Call about a different child (wrong record)"

    def history(*who: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([str(EXE), "history", cid, "--db", db, *who], capture_output=True, text=True,
                              timeout=60)
        assert proc.returncode == 0, proc.stderr
        return proc

    for who in (["--as", "jane.smith"], ["--as", "cp.worker", "--purpose", "covering duty for the allocated worker"]):
        text = history(*who)
        assert secret not in text.stdout
        assert "text withheld (audit-only): deleted by Grace Obi, Team Manager on " in text.stdout
        assert "Recorded on the wrong child in error" in text.stdout
        assert "reading the text of a deleted case note is audit-only" in text.stderr
        rows = json.loads(history(*who, "--json").stdout)
        mine = [r for r in rows if r["ref"] == wrong]
        assert mine and all("content" not in r and "previous" not in r and "withheld" in r for r in mine)
    full = history("--as", "grace.obi")
    assert secret in full.stdout and "withheld" not in full.stdout
    app = CaseLedger(db, clock=clock)
    try:
        from tests.test_access import attempts
        parts = [(e.actor["staff_id"], e.part.value, e.outcome.value) for e in attempts(app)
                 if e.part.value == "deleted_content"]
    finally:
        app.close()
    assert parts == [("jane.smith", "deleted_content", "denied")] * 2 + [
        ("cp.worker", "deleted_content", "denied")] * 2 + [("grace.obi", "deleted_content", "granted")]
