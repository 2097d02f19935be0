"""Recording-timescale compliance: due, overdue, late and on time, as of any moment."""

from __future__ import annotations

import datetime as dt

from ledger.application import LONDON, CaseLedger
from projections.compliance import compliance_items, compliance_report
from tests.conftest import Borough, Clock


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=LONDON)


def note(app: CaseLedger, clock: Clock, case_id: object, kind: str, occurred: dt.datetime,
         finalised: dt.datetime | None, **extra: object) -> None:
    clock.now = occurred + dt.timedelta(hours=1)
    nid = app.casework.record_note("jane.smith", case_id, kind=kind, occurred_at=occurred,
                                   facts=f"{kind} with the family.", **extra)
    if finalised is not None:
        clock.now = finalised
        app.casework.finalise_note("jane.smith", case_id, nid)


def statuses(app: CaseLedger, case_id: object, as_of: dt.datetime) -> dict[str, str]:
    return {i.what + " " + i.started_at.date().isoformat(): i.status
            for i in compliance_items(app.case(case_id), as_of) if i.what.endswith("note")}


def test_notes_are_judged_against_their_timescale_in_working_days(borough: Borough, clock: Clock) -> None:
    app, case_id = borough.ledger, borough.case_id
    # Monday 21 Dec 2026: 5 working days skip Christmas Day and the Boxing Day substitute
    # (Monday 28 Dec): due at the end of Wednesday 30 Dec.
    note(app, clock, case_id, "telephone_call", at(2026, 12, 21), at(2026, 12, 30, 17))
    # An email the same day, finalised the morning after the limit: late.
    note(app, clock, case_id, "email", at(2026, 12, 21, 11), at(2026, 12, 31, 9))
    # Supervision on Friday 2 April 2027 (Good Friday is 26 March): due Friday 9 April.
    note(app, clock, case_id, "supervision", at(2027, 4, 2), None)
    clock.now = at(2027, 4, 20)
    result = statuses(app, case_id, at(2027, 4, 20))
    assert result == {
        "telephone call note 2026-12-21": "on_time",
        "email note 2026-12-21": "late",
        "supervision note 2027-04-02": "overdue",
    }
    # As of a moment before the supervision was due, it is only due, not overdue.
    assert statuses(app, case_id, at(2027, 4, 9, 12))["supervision note 2027-04-02"] == "due"
    # Before the email was finalised it was overdue, not late.
    assert statuses(app, case_id, at(2026, 12, 31, 8))["email note 2026-12-21"] == "overdue"


def test_a_note_recorded_after_the_moment_asked_about_does_not_count(borough: Borough, clock: Clock) -> None:
    app, case_id = borough.ledger, borough.case_id
    note(app, clock, case_id, "telephone_call", at(2026, 12, 1), at(2026, 12, 2))
    assert statuses(app, case_id, at(2026, 11, 30)) == {}


def test_report_percentages_and_late_reason_per_worker_and_team(borough: Borough, clock: Clock) -> None:
    app, case_id = borough.ledger, borough.case_id
    note(app, clock, case_id, "telephone_call", at(2026, 12, 1), at(2026, 12, 2))
    note(app, clock, case_id, "telephone_call", at(2026, 12, 1, 11), at(2026, 12, 15),
         late_reason="Off sick for a week")
    as_of = at(2026, 12, 20)
    report = compliance_report(app, as_of=as_of, worker="jane.smith")
    assert report.counts["on_time"] >= 1 and report.counts["late"] >= 1
    late = [i for i in report.items if i.status == "late" and i.what == "telephone call note"]
    assert late[0].late_reason == "Off sick for a week"
    assert late[0].late_by is not None and late[0].late_by > dt.timedelta(days=5)
    team = compliance_report(app, as_of=as_of, team="Assessment")
    assert team.counts == report.counts
    other = compliance_report(app, as_of=as_of, team="Child Protection")
    assert other.judged == 0 and other.percent_on_time is None
    whole = compliance_report(app, as_of=as_of)
    assert whole.percent_on_time == round(100 * whole.counts["on_time"] / whole.judged, 1)


def test_each_hazard_review_cycle_is_judged_against_its_own_review_date(borough: Borough, clock: Clock) -> None:
    app, case_id = borough.ledger, borough.case_id
    hid = app.casework.record(
        "jane.smith", case_id, kind="hazard", type="dangerous_pet", started_on=dt.date(2026, 11, 2),
        description="Large dog, not kept in another room during visits",
        source_document="Police notification", source_date=dt.date(2026, 10, 30),
        review_date=dt.date(2027, 2, 1), occurred_at=clock.now)

    def reviews(as_of: dt.datetime) -> list[tuple[str, str]]:
        return [(i.due.date().isoformat(), i.status) for i in compliance_items(app.case(case_id), as_of)
                if i.what == "hazard review"]

    assert reviews(at(2027, 1, 15)) == [("2027-02-01", "due")]
    assert reviews(at(2027, 2, 3)) == [("2027-02-01", "overdue")]
    clock.now = at(2027, 2, 5)  # reviewed four days late; next review by 1 July
    app.casework.update("grace.obi", case_id, hid, action="review", outcome="Dog still in the house",
                        next_review_date="2027-07-01")
    assert reviews(at(2027, 3, 1)) == [("2027-02-01", "late"), ("2027-07-01", "due")]
    clock.now = at(2027, 6, 1)
    app.casework.update("grace.obi", case_id, hid, action="end", reason="The family has rehomed the dog")
    assert reviews(at(2027, 8, 1)) == [("2027-02-01", "late"), ("2027-07-01", "on_time")]


def test_a_late_milestone_carries_its_reason_and_a_re_referral_restarts_the_assessment_clock(
        borough: Borough, clock: Clock) -> None:
    app, case_id = borough.ledger, borough.case_id

    def step(acting: str, kind: str, when: dt.datetime, recorded: dt.datetime, **details: object) -> None:
        clock.now = recorded
        app.casework.record_milestone(acting, case_id, kind=kind, occurred_at=when, **details)

    step("jane.smith", "contact", at(2026, 11, 2), at(2026, 11, 2, 12), source="school")
    step("grace.obi", "referral_decision", at(2026, 11, 2, 15), at(2026, 11, 9),
         decision="referral_accepted", late_reason="The manager was on leave until the 9th")
    step("jane.smith", "cf_assessment_started", at(2026, 11, 10), at(2026, 11, 10, 12))
    step("jane.smith", "cf_assessment_completed", at(2026, 11, 20), at(2026, 11, 20, 12), factors=["neglect"])
    step("grace.obi", "cf_assessment_authorised", at(2026, 11, 23), at(2026, 11, 23, 12))
    # A new referral in the new year: its assessment is judged from the new referral.
    step("jane.smith", "contact", at(2027, 3, 1), at(2027, 3, 1, 12), source="police")
    step("grace.obi", "referral_decision", at(2027, 3, 1, 15), at(2027, 3, 1, 16), decision="referral_accepted")
    step("jane.smith", "cf_assessment_started", at(2027, 3, 2), at(2027, 3, 2, 12))
    items = compliance_items(app.case(case_id), at(2027, 3, 10))
    decision = [i for i in items if i.what == "referral decision" and i.status == "late"]
    assert decision and decision[0].late_reason == "The manager was on leave until the 9th"
    assessments = [i for i in items if i.rule == "cf_assessment_completion"]
    assert [(i.started_at, i.status) for i in assessments] == [(at(2027, 3, 1, 15), "due")]
