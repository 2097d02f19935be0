"""The demo borough (commands/demo.py): it builds, verifies, is reproducible and has what a tour needs.

The ``ledger`` fixture runs each test on SQLite and on PostgreSQL. The borough is read back
through the ledger's own API (``ledger.records.case``), never through the demo's plan.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest

from commands.demo import END_DAY, START_DAY, DemoSummary, build_demo
from commands.tour import tour_text
from ledger.access.policy import is_out_of_hours
from ledger.application import LONDON, CaseLedger
from ledger.errors import RuleViolation
from ledger.integrity.chains import iter_rows, verify_store
from ledger.integrity.verify import verify_ledger
from ledger.records.case import CaseRecord, DecisionKind, NoteSource
from ledger.records.staff import StaffMember
from projections.access_report import staff_report
from projections.compliance import compliance_report

TEAMS = {"Assessment", "Child in Need", "Child Protection", "Children in Care", "Care Leavers", "Early Help"}


def weekdays_after(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``; Saturdays and Sundays do not count."""
    return sum(1 for i in range(1, (end - start).days + 1) if (start + dt.timedelta(days=i)).weekday() < 5)


def stored_rows(app: CaseLedger) -> list[tuple[str, int, str, bytes]]:
    return [
        (str(r.originator_id), r.originator_version, r.topic, bytes(r.state)) for r in iter_rows(app.recorder)
    ]


def all_cases(app: CaseLedger) -> list[CaseRecord]:
    return [app.case(i) for i in app.case_ids()]


def all_notes(cases: list[CaseRecord]) -> list[tuple[CaseRecord, dict[str, Any]]]:
    return [(c, n) for c in cases for n in c.notes.values()]


def test_weekdays_after_counts_only_monday_to_friday() -> None:
    # Friday 30 Oct 2026 -> Monday 2 Nov: one working day; -> Friday 6 Nov: five.
    assert weekdays_after(dt.date(2026, 10, 30), dt.date(2026, 11, 2)) == 1
    assert weekdays_after(dt.date(2026, 10, 30), dt.date(2026, 11, 6)) == 5


def test_a_small_demo_builds_and_verifies(ledger: CaseLedger, clock: Any) -> None:
    calls: list[tuple[int, int]] = []
    summary = build_demo(ledger, children=6, seed=7, progress=lambda done, total: calls.append((done, total)))

    report = verify_store(ledger.recorder)
    assert report.ok, report.problems[:3]
    assert report.cases == 6 == summary.children == len(ledger.case_ids())
    assert summary.events == report.events == ledger.integrity.event_count()
    assert isinstance(summary, DemoSummary)
    assert summary.staff == len(ledger.list_staff())
    # progress: every action reported once, in order, against a fixed total
    total = calls[-1][1]
    assert [d for d, _ in calls] == list(range(1, total + 1))
    assert {t for _, t in calls} == {total}
    # the ledger's own clock and id generator are given back
    assert ledger.clock is clock
    assert ledger.new_id is uuid.uuid4
    # every example id for the tour names a case record in this ledger
    examples = [
        summary.example_rich_case,
        summary.example_deleted_note_case,
        summary.example_amended_case,
        summary.example_interpreter_case,
        summary.example_closed_case,
    ]
    assert all(e in ledger.case_ids() for e in examples), examples


def test_the_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    def build(name: str, seed: int) -> list[tuple[str, int, str, bytes]]:
        app = CaseLedger(str(tmp_path / name))
        try:
            build_demo(app, children=4, seed=seed)
            return stored_rows(app)
        finally:
            app.close()

    first, again, other = build("a.db", 3), build("b.db", 3), build("c.db", 4)
    assert len(first) > 200
    assert first == again  # same streams, versions, types and stored bytes (so the same event hashes)
    assert first != other
    assert {r[0] for r in first if "CaseRecord" in r[2]} != {r[0] for r in other if "CaseRecord" in r[2]}


def test_both_backends_store_the_same_bytes(ledger: CaseLedger, tmp_path: Path) -> None:
    build_demo(ledger, children=3, seed=11)
    reference = CaseLedger(str(tmp_path / "reference.db"))
    try:
        build_demo(reference, children=3, seed=11)
        assert stored_rows(ledger) == stored_rows(reference)
    finally:
        reference.close()


def test_the_borough_reads_back_as_the_issue_asks(ledger: CaseLedger) -> None:
    """One build per backend, read back through ``ledger.records.case``; each check is a function below."""
    summary = build_demo(ledger, children=6, seed=1)
    cases = all_cases(ledger)
    check_staff_directory(ledger)
    check_corrections_interpreters_and_sources(summary, cases)
    check_children_speak_for_themselves_at_their_age(cases)
    check_decisions_name_reasons_risks_options_and_supervisees(summary, cases)
    check_recording_is_timely_mostly_and_late_sometimes(summary, cases)
    check_journeys_close_move_teams_and_start_before_birth(ledger, summary, cases)


def check_staff_directory(app: CaseLedger) -> None:
    staff = app.list_staff()
    first_event = next(iter_rows(app.recorder))
    assert first_event.topic == "ledger.staff:StaffMember.Joined"
    first_member = app.repository.get(uuid.UUID(str(first_event.originator_id)))
    assert isinstance(first_member, StaffMember)
    assert [r.value for r in first_member.roles] == ["admin"]
    assert first_member.designation == "Systems Administrator"
    for team in TEAMS:
        members = [m for m in staff if m.team == team]
        assert sum(m.designation == "Team Manager" for m in members) == 1, team
        assert 3 <= len(members) - 1 <= 5, (team, [m.full_name for m in members])
    designations = {m.designation for m in staff}
    assert {
        "Social Worker",
        "Senior Practitioner",
        "Team Manager",
        "Service Manager",
        "Head of Service",
        "Independent Reviewing Officer",
        "Helpdesk Analyst",
        "Quality Assurance Auditor",
    } <= designations
    assert len({m.full_name for m in staff}) == len(staff)


def check_corrections_interpreters_and_sources(summary: DemoSummary, cases: list[CaseRecord]) -> None:
    notes = all_notes(cases)

    deleted = [n for _, n in notes if n["deleted"]]
    assert deleted and len(deleted) == summary.deletions
    for n in deleted:
        assert len(n["deleted"]["reason"].split()) >= 3
        assert "team_manager" in n["deleted"]["by"]["roles"]
    assert any(
        "wrong child" in n["deleted"]["reason"]
        or "twice" in n["deleted"]["reason"]
        or "in error" in n["deleted"]["reason"]
        for n in deleted
    )

    amended = [n for _, n in notes if n["amendments"]]
    assert amended and sum(len(n["amendments"]) for n in amended) == summary.amendments
    for n in amended:
        change = n["amendments"][0]
        assert len(change["reason"].split()) >= 3
        assert change["previous"] != n["content"]

    interpreted = [n["content"]["interpreter"] for _, n in notes if n["content"]["interpreter"]]
    assert interpreted
    assert all(
        i["name"] and i["kind"].value in ("contracted_service", "family_member", "staff_member", "friend")
        for i in interpreted
    )

    third_party = [n for _, n in notes if n["content"]["source"] is NoteSource.THIRD_PARTY]
    assert len(third_party) >= 6  # at least each referral
    assert all(n["content"]["provided_by"] for n in third_party)

    # facts kept apart from analysis and actions
    visits = [n for _, n in notes if n["kind"].value == "home_visit" and not n["deleted"]]
    assert visits and all(
        n["content"]["facts"] and n["content"]["analysis"] and n["content"]["actions"] for n in visits
    )


def check_children_speak_for_themselves_at_their_age(cases: list[CaseRecord]) -> None:
    with_views = [(c, n) for c, n in all_notes(cases) if n["content"]["child_views"]]
    assert len(with_views) >= 10
    for c, n in with_views:
        dob = c.child["date_of_birth"]
        assert dob is not None, c.child  # an unborn baby has no views
        day = n["occurred_at"].astimezone(LONDON).date()
        age = day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
        assert age >= 3, (c.child["name"], age, n["content"]["child_views"])
        assert n["content"]["child_views"].startswith('"')  # in their own words
    assert any(n["content"]["child_seen_alone"] for _, n in with_views)


def check_decisions_name_reasons_risks_options_and_supervisees(
    summary: DemoSummary, cases: list[CaseRecord]
) -> None:
    decisions = [d for c in cases for d in c.decisions]
    assert len(decisions) == summary.decisions
    supervision = [d for d in decisions if d["kind"] is DecisionKind.SUPERVISION]
    management = [d for d in decisions if d["kind"] is DecisionKind.MANAGEMENT]
    assert supervision and management
    for d in decisions:
        assert d["reasons"] and d["risks_considered"] and d["options_not_chosen"]
        assert all(o["option"] and o["why_not"] for o in d["options_not_chosen"])
        assert d["occurred_at"] <= d["recorded_at"]
    for d in supervision:
        assert d["supervisee"] and d["supervisee"]["staff_id"] != d["decided_by"]["staff_id"]
        assert "team_manager" in d["decided_by"]["roles"]


def check_recording_is_timely_mostly_and_late_sometimes(
    summary: DemoSummary, cases: list[CaseRecord]
) -> None:
    final = [n for _, n in all_notes(cases) if n["status"] == "final"]
    lag = [
        weekdays_after(
            n["occurred_at"].astimezone(LONDON).date(), n["finalised_at"].astimezone(LONDON).date()
        )
        for n in final
    ]
    late = sum(d > 5 for d in lag)
    assert late >= 1
    assert 0.05 <= late / len(final) <= 0.25, (late, len(final))
    assert sum(d <= 3 for d in lag) / len(final) >= 0.7
    # The demo also counts bank holidays as non-working days, so it finds at most as many late notes.
    assert 0 < summary.late_notes <= late
    start = dt.datetime.combine(START_DAY, dt.time(), tzinfo=LONDON)
    end = dt.datetime.combine(END_DAY, dt.time(17, 30), tzinfo=LONDON)
    for _, n in all_notes(cases):
        recorded = n["recorded_at"].astimezone(LONDON)
        assert n["occurred_at"] <= n["recorded_at"]
        assert start <= recorded <= end
        if "edt" in n["author"]["roles"]:  # EDT records on the night, out of hours (the access policy)
            assert is_out_of_hours(recorded), recorded
            continue
        assert recorded.weekday() < 5 and dt.time(9) <= recorded.time() <= dt.time(17, 30), recorded
        if n["finalised_at"]:
            assert n["finalised_at"] >= n["recorded_at"]


def check_journeys_close_move_teams_and_start_before_birth(
    app: CaseLedger, summary: DemoSummary, cases: list[CaseRecord]
) -> None:
    closed = [c for c in cases if c.closure]
    assert closed and len(closed) <= summary.closures
    assert all(
        len(c.closure["reason"].split()) >= 3 and c.closure["closed_on"] >= c.referral["date"] for c in closed
    )
    moved = [c for c in cases if app.case(c.id, version=1).team != c.team]
    assert moved, "no case was re-allocated to another team"
    assert {c.team for c in cases} | {app.case(c.id, version=1).team for c in cases} <= TEAMS
    assert any(c.child["expected_date_of_birth"] for c in cases)
    assert all(START_DAY <= c.referral["date"] <= END_DAY and c.referral["source"] for c in cases)


def test_the_whole_vocabulary_is_used_believably(ledger: CaseLedger) -> None:
    """Milestones in the order of the process, casework records, and what compliance makes of them."""
    summary = build_demo(ledger, children=8, seed=1)
    assert verify_store(ledger.recorder).ok
    cases = all_cases(ledger)
    check_milestones_follow_the_process(summary, cases)
    check_casework_records(summary, cases)
    check_the_wrong_authorisation(ledger, summary)
    check_compliance_sees_on_time_late_and_overdue(ledger)


def check_milestones_follow_the_process(summary: DemoSummary, cases: list[CaseRecord]) -> None:
    # what must come before each kind, in recording order on the same case
    needs = {"referral_decision": "contact", "s47_started": "strategy_discussion", "icpc": "s47_started",
             "cp_plan_started": "icpc", "core_group_meeting": "cp_plan_started", "rcpc": "cp_plan_started",
             "cf_assessment_completed": "cf_assessment_started",
             "cf_assessment_authorised": "cf_assessment_completed", "cin_plan_reviewed": "cin_plan_started",
             "taf_meeting": "early_help_assessment", "placement_started": "became_looked_after",
             "lac_review": "became_looked_after", "care_plan": "became_looked_after",
             "pre_proceedings_meeting": "pre_proceedings_letter", "final_order": "care_proceedings_issued"}
    kinds: set[str] = set()
    for c in cases:
        seen: list[str] = []
        for m in c.milestones:
            if m["kind"] in needs and m["kind"] != "taf_meeting":
                assert needs[m["kind"]] in seen, (c.child["name"], m["kind"], seen)
            assert m["occurred_at"] <= m["recorded_at"]
            seen.append(m["kind"])
        kinds.update(seen)
        assert seen[:2] == ["contact", "referral_decision"], (c.child["name"], seen[:3])
        moved = [m["details"]["to_team"] for m in c.milestones if m["kind"] == "case_transfer"]
        assert not moved or moved[-1] == c.team, (c.child["name"], moved, c.team)
    assert summary.milestones == sum(len(c.milestones) for c in cases)
    assert {"contact", "referral_decision", "cf_assessment_authorised", "strategy_discussion", "s47_started",
            "icpc", "cp_plan_started", "core_group_meeting", "rcpc", "cin_plan_started", "early_help_assessment",
            "taf_meeting", "case_transfer", "became_looked_after", "placement_started", "lac_review",
            "care_plan"} <= kinds, kinds
    categories = {m["details"]["category"] for c in cases for m in c.milestones if m["kind"] == "cp_plan_started"}
    assert categories and categories <= {"neglect", "physical", "emotional", "sexual", "multiple"}
    assert 0 < summary.late_milestones < summary.milestones / 5


def check_casework_records(summary: DemoSummary, cases: list[CaseRecord]) -> None:
    records = [(c, r) for c in cases for r in c.records.values()]
    by_kind: dict[str, list[tuple[CaseRecord, dict[str, Any]]]] = {}
    for c, r in records:
        by_kind.setdefault(r["kind"], []).append((c, r))
    alerts = by_kind.get("hazard", []) + by_kind.get("mappa_alert", [])
    assert alerts and any(r["updates"] for _, r in alerts)
    for c, r in alerts:  # each refers to a real dated note on the case
        note = c.notes[r["details"]["source_record"]]
        assert not note["deleted"]
        assert r["details"]["source_date"] == note["occurred_at"].astimezone(LONDON).date()
    summaries = by_kind["case_summary"]
    assert summary.case_summaries == len(summaries) >= len(cases)
    assert any(r["status"] == "superseded" for _, r in summaries)
    chronology = [r for _, r in by_kind["chronology_entry"]]
    assert any(r["details"].get("positive") for r in chronology)
    documents = [r["details"] for _, r in by_kind["document"]]
    assert summary.documents == len(documents)
    assert all(len(d["sha256"]) == 64 and int(d["sha256"], 16) >= 0 for d in documents)
    assert len({d["sha256"] for d in documents}) == len(documents)
    assert {"drawing", "letter"} <= {d["doc_type"] for d in documents}
    assert all(d["keep_original_paper"] for d in documents if d["doc_type"] == "birth_certificate")
    sharing = [r["details"] for _, r in by_kind["information_sharing"]]
    assert sharing and all(d["basis"] for d in sharing if d["shared"])
    assert {r["details"]["status"] for _, r in by_kind["consent"]} & {"given", "refused"}
    audits = [r for _, r in by_kind["case_audit"]]
    assert audits and all(
        "auditor" in r["by"]["roles"] or "team_manager" in r["by"]["roles"] for r in audits
    )
    assert {r["details"]["audit_type"] for r in audits} >= {"case_file_audit", "case_transfer_audit"}
    requests = [r for _, r in by_kind["correction_request"]]
    assert requests and requests[0]["outcome"] and requests[0]["disagreements"]
    late = [n for _, n in all_notes(cases) if n["content"].get("late_reason") and n["finalised_at"]]
    assert late and summary.late_reasons >= len(late)
    for n in late:  # a reason is given only where the note was late
        days = weekdays_after(n["occurred_at"].astimezone(LONDON).date(), n["finalised_at"].astimezone(LONDON).date())
        assert days > 5, (days, n["content"]["late_reason"])


def check_the_wrong_authorisation(app: CaseLedger, summary: DemoSummary) -> None:
    assert summary.wrongly_authorised_case in app.case_ids()
    case = app.case(summary.wrongly_authorised_case)
    wrong = next(m for m in case.milestones if m["id"] == summary.wrongly_authorised_milestone)
    assert wrong["kind"] == "cf_assessment_authorised"
    completed = [m for m in case.milestones if m["kind"] == "cf_assessment_completed"
                 and m["recorded_at"] < wrong["recorded_at"]][-1]
    # the mistake: dated the day the assessment was completed, though it was authorised days later
    assert wrong["occurred_at"].date() == completed["occurred_at"].date()
    assert weekdays_after(wrong["occurred_at"].date(), wrong["recorded_at"].date()) >= 3


def check_compliance_sees_on_time_late_and_overdue(app: CaseLedger) -> None:
    report = compliance_report(app, as_of=dt.datetime.combine(END_DAY, dt.time(17, 30), tzinfo=LONDON))
    assert report.counts["on_time"] > report.counts["late"] > 0
    assert report.counts["overdue"] > 0
    whats = {i.what for i in report.items}
    assert {"case summary", "C&F assessment authorised", "icpc"} <= whats
    assert any(i.status == "late" and i.late_reason for i in report.items)


def test_a_ledger_that_holds_events_is_refused(ledger: CaseLedger) -> None:
    ledger.staff.add(
        None,
        staff_id="admin",
        full_name="Priya Raman",
        designation="Systems Administrator",
        team="Business Support",
        roles=["admin"],
    )
    with pytest.raises(RuleViolation, match=r"the demo fills an empty ledger, but .* already holds 1 event;"):
        build_demo(ledger, children=2)
    assert ledger.integrity.event_count() == 1


def test_at_least_one_child(ledger: CaseLedger) -> None:
    with pytest.raises(RuleViolation, match="the demo needs at least one child; got children=0"):
        build_demo(ledger, children=0)
    assert ledger.integrity.event_count() == 0


def test_the_demo_restricts_two_records_and_the_access_report_finds_its_inappropriate_attempts(
        ledger: CaseLedger) -> None:
    """Issue 6: restricted adoption and staff-relative records, and attempts the report flags."""
    summary = build_demo(ledger, children=12, seed=1)
    sm = summary.service_manager
    assert sm is not None and ledger.staff_member(sm).has_role("service_manager")
    adoption = ledger.case(summary.restricted_adoption_case or "")
    relative = ledger.case(summary.restricted_staff_relative_case or "")
    assert adoption.restriction is not None and relative.restriction is not None
    assert adoption.restriction["kind"].value == "adoption"
    assert relative.restriction["kind"].value == "staff_relative"
    assert adoption.restriction["by"]["staff_id"] == relative.restriction["by"]["staff_id"] == sm
    concerned = summary.staff_concerned
    assert relative.restriction["staff_concerned"]["staff_id"] == concerned
    assert set(adoption.access_grants) == {summary.need_to_know_worker}
    # the investigating officer's own view, as `caseledger access report --staff` builds it
    ledger.investigation.investigator(sm)

    def flags(staff_id: str | None) -> list[set[str]]:
        assert staff_id is not None
        report = staff_report(ledger, staff_id, END_DAY, END_DAY).report
        return [{f["kind"] for f in row["flags"]} for row in report["attempts"]]

    assert {"denied_restricted", "staff_record"} in flags(concerned)
    curious = flags(summary.inappropriate_access_worker)
    assert any({"denied_restricted", "bulk_browsing"} <= f for f in curious)
    assert sum("self_claim" in f for f in curious) >= 2
    assert sum("bulk_browsing" in f for f in curious) >= 10
    assert {"self_claim", "out_of_hours"} in curious
    assert {"break_glass", "staff_record"} in flags(summary.break_glass_worker)
    # the worker with a need-to-know grant opened the adoption record without any flag
    assert flags(summary.need_to_know_worker)[-1] == set()
    # the service manager's alert list holds the break-glass, unreviewed
    alerts = ledger.investigation.unreviewed_alerts()
    glass = [a for a in alerts if a.rule_id == "break_glass"]
    assert [(a.staff_id, a.case_id, a.basis) for a in glass] == [
        (summary.break_glass_worker, relative.id, "concern_for_safety")]
    assert {a.staff_id for a in alerts} == {concerned, summary.inappropriate_access_worker,
                                           summary.break_glass_worker}
    assert summary.flagged_attempts == sum(bool(f) for p in (concerned, summary.inappropriate_access_worker,
                                                              summary.break_glass_worker) for f in flags(p))
    # all of it inside the demo year, and the ledger still verifies
    end = dt.datetime.combine(END_DAY, dt.time(17, 30), tzinfo=LONDON)
    assert all(a.at <= end for a in alerts)
    report = verify_store(ledger.recorder)
    assert report.ok, report.problems[:3]
    # the tour names the report to run, and never the child of a restricted record
    text = tour_text(ledger, summary, verify_ledger(ledger.recorder, verifier=None))
    assert f"caseledger access report --as {sm} --staff {summary.inappropriate_access_worker}" in text
    assert adoption.child["name"] not in text and relative.child["name"] not in text
