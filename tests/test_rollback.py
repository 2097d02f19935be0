"""Roll-backs (policy s.13, issue 7): the workflow, every refusal, the effect on the case, monitoring.

Every test runs on SQLite and PostgreSQL (the ``ledger`` fixture). The story: Grace Obi, team
manager of Assessment, authorised Amira's assessment with the date it was completed instead of the
day she authorised it; a CIN plan was started after. The helpdesk (Sam Hughes) asks to roll the
process back to just before that authorisation; casework recorded since (a visit, a hazard, a
decision) stays.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from commands.demo import build_demo
from ledger.access.log import ATTEMPT_TOPICS
from ledger.application import LONDON, CaseLedger
from ledger.errors import LedgerError, NotFound, PermissionDenied, RuleViolation
from ledger.integrity.checkpoint import SigningKey
from ledger.integrity.verify import verify_ledger
from ledger.records import milestones
from ledger.records.rollback import RollbackStatus
from projections.asof import case_as_of
from projections.rollbacks import rollback_report
from projections.views import audit_view, case_view, chronology
from tests.conftest import Borough, Clock

REASON = "Authorised with the completion date, not the day it was authorised"


def written(app: CaseLedger) -> int:
    """Events stored other than access attempts (which every touch of a case records)."""
    return sum(1 for n in app.notifications() if n.topic not in ATTEMPT_TOPICS)


def verified(app: CaseLedger) -> bool:
    """What 'caseledger verify' checks: every chain, the Merkle log and a freshly signed checkpoint."""
    key = SigningKey.generate("rollback-test.example/caseledger")
    app.integrity.sign_checkpoint(key)
    report = verify_ledger(app.recorder, verifier=key.verifier())
    assert report.ok, report.as_dict()
    return True


def attempts(app: CaseLedger) -> list[Any]:
    out = []
    for n in app.notifications(topics=list(ATTEMPT_TOPICS)):
        out.append(app.mapper.to_domain_event(n))
    return out


def refused(app: CaseLedger, error: type[LedgerError], message: str, command: Any, *args: Any,
            **kwargs: Any) -> LedgerError:
    """Refused with exactly ``error``; nothing written but the recorded access attempt(s)."""
    before = written(app)
    with pytest.raises(error, match=message) as caught:
        command(*args, **kwargs)
    assert type(caught.value) is error, f"{type(caught.value).__name__}: {caught.value}"
    assert written(app) == before, "a refused roll-back command wrote events"
    return caught.value


@dataclass
class Story:
    app: CaseLedger
    case_id: uuid.UUID
    point: int                 # the case version just before the wrong authorisation
    wrong: uuid.UUID           # the wrong authorisation
    cin: uuid.UUID             # the CIN plan started after it
    note: uuid.UUID            # casework after the point
    hazard: uuid.UUID
    decision: uuid.UUID


def story(b: Borough, clock: Clock) -> Story:
    app, cid = b.ledger, b.case_id
    app.casework.record_milestone("jane.smith", cid, kind="contact", occurred_at=clock.now - dt.timedelta(minutes=30),
                                  source="school", channel="telephone")
    app.casework.record_milestone("grace.obi", cid, kind="referral_decision", decision="referral_accepted")
    clock.advance(hours=1)
    app.casework.record_milestone("jane.smith", cid, kind="cf_assessment_started")
    clock.advance(days=1)
    completed_at = clock.now
    app.casework.record_milestone("jane.smith", cid, kind="cf_assessment_completed", factors=["neglect"],
                                  recommendation="cin_plan")
    point = app.case(cid).version
    clock.advance(days=3)
    wrong = app.casework.record_milestone("grace.obi", cid, kind="cf_assessment_authorised", occurred_at=completed_at)
    clock.advance(hours=1)
    note = app.casework.record_note("jane.smith", cid, kind="home_visit", occurred_at=clock.now,
                                    facts="Visited Amira at home with her mother.", child_seen=True,
                                    child_views="I like my room.", finalise=True)
    hazard = app.casework.record("jane.smith", cid, kind="hazard", type="dangerous_pet",
                                 started_on=clock.now.date(), description="Large dog loose in the garden",
                                 source_document="Home visit", source_date=clock.now.date(),
                                 review_date=clock.now.date() + dt.timedelta(days=90))
    decision = app.casework.record_decision("grace.obi", cid, decision="Start a child in need plan",
                                            reasons="The assessment found unmet needs", risks_considered="Neglect",
                                            options_not_chosen=[{"option": "Close", "why_not": "Needs are unmet"}])
    clock.advance(hours=1)
    cin = app.casework.record_milestone("jane.smith", cid, kind="cin_plan_started")
    clock.advance(hours=1)
    return Story(app, cid, point, wrong, cin, note, hazard, decision)


def request(s: Story, **kwargs: Any) -> Any:
    args = {"matter": "cf_assessment_authorised", "reason": REASON, "raised_by": "grace.obi",
            "before_milestone": s.wrong, **kwargs}
    return s.app.rollbacks.request("sam.hd", s.case_id, **args)


# --- the whole workflow ----------------------------------------------------------------------------------


def test_request_agree_carry_out_then_record_the_right_date(borough: Borough, clock: Clock) -> None:
    s = story(borough, clock)
    app = s.app
    before = app.case(s.case_id)
    r = request(s)
    assert r.status is RollbackStatus.REQUESTED and r.point["version"] == s.point
    assert [e["id"] for e in r.requested_effect["superseded"]] == [s.wrong, s.cin]
    assert r.requested_effect["restored"] == []
    details = app.rollbacks.details("sam.hd", r.id)
    assert details.effect is not None and [e["id"] for e in details.effect.superseded] == [s.wrong, s.cin]
    kept_refs = {k["ref"] for k in details.kept}
    assert {s.note, s.hazard, s.decision} <= kept_refs
    assert all(k["kind"] != "MilestoneRecorded" for k in details.kept)
    assert [m.staff_id for m in details.may_decide][:1] == ["helen.cole"]  # grace raised it: not her

    clock.advance(hours=2)
    app.rollbacks.agree("helen.cole", r.id)
    # casework after the agreement does not conflict with it
    later_note = app.casework.record_note("jane.smith", s.case_id, kind="telephone_call", occurred_at=clock.now,
                                          facts="Called the school about attendance.", finalise=True)
    clock.advance(hours=1)
    case_version, request_version = app.case(s.case_id).version, app.rollbacks.get(r.id).version
    done = app.rollbacks.carry_out("sam.hd", r.id)
    assert done.status is RollbackStatus.CARRIED_OUT
    assert app.rollbacks.get(r.id).version == request_version + 1
    case = app.case(s.case_id)
    assert case.version == case_version + 1  # one event on the case, written with the request's

    # the process is what it was at the point: a fresh replay of the milestones held then
    then = app.case(s.case_id, version=s.point)
    assert case.process == milestones.replay(then.milestones)
    assert case.process["assessment"]["status"] == "completed" and case.process["cin_plan"] is None
    # ... and every casework record stays, as it was
    assert case.notes == {**before.notes, str(later_note): case.notes[str(later_note)]}
    assert case.records == before.records and case.decisions == before.decisions
    assert {str(s.note), str(later_note)} <= set(case.notes)
    # nothing is removed: the superseded milestones stay, marked
    by_id = {m["id"]: m for m in case.milestones}
    assert by_id[s.wrong]["superseded_by"] == r.id and by_id[s.cin]["superseded_by"] == r.id
    assert len(case.milestones) == len(before.milestones)
    assert verified(app)

    # the chronology and the case view no longer show them; the audit view does, saying who
    assert str(s.wrong) not in {e.source_id for e in chronology(case)}
    assert str(s.cin) not in {e.source_id for e in chronology(case, court=True)}
    assert any("awaiting authorisation" in line for line in case_view(case)["process"])
    rows = audit_view(case, app.events.get(s.case_id))
    wrong_row = next(row for row in rows if row["ref"] == str(s.wrong))
    assert wrong_row["superseded_by"] == str(r.id)
    assert (f"superseded by roll-back {r.id}, agreed by Helen Cole, Service Manager, carried out by "
            f"Sam Hughes, Helpdesk Analyst") in wrong_row["text"]
    assert any(row["action"] == "rolled_back" and "casework untouched" in row["text"] for row in rows)

    # the right authorisation can now be recorded, dated the day it happened
    right_day = then.modified_on + dt.timedelta(days=3)
    app.casework.record_milestone("grace.obi", s.case_id, kind="cf_assessment_authorised", occurred_at=right_day)
    case = app.case(s.case_id)
    assert case.process["assessment"]["status"] == "authorised"
    assert case.process["assessment"]["authorised_at"] == right_day
    refused(app, RuleViolation, "is carried out by Sam Hughes", app.rollbacks.carry_out, "sam.hd", r.id)


def test_the_roll_back_itself_is_in_the_chronology(borough: Borough, clock: Clock) -> None:
    s = story(borough, clock)
    app = s.app
    r = request(s)
    clock.advance(hours=2)
    app.rollbacks.agree("helen.cole", r.id)
    clock.advance(hours=1)
    before = {e.title for e in chronology(app.case(s.case_id))}
    assert not any(t.startswith("Process corrected") for t in before)
    app.rollbacks.carry_out("sam.hd", r.id)
    done_at = clock.now
    case = app.case(s.case_id)
    for court in (False, True):
        entries = chronology(case, court=court)
        ids = {e.source_id for e in entries}
        assert str(s.wrong) not in ids and str(s.cin) not in ids
        rolled = [e for e in entries if e.source == "rollback"]
        assert len(rolled) == 1
        e = rolled[0]
        assert e.title == (f"Process corrected by roll-back {r.id} (authorising a child and family assessment): "
                           "superseded Child and family assessment authorised by a manager; Child in need plan "
                           "started; agreed by Helen Cole, Service Manager, carried out by Sam Hughes, Helpdesk "
                           "Analyst")
        assert (e.source_id, e.date, e.time, e.detail) == (str(r.id), done_at.date(), done_at, f"Reason: {REASON}")
    # as the record stood before it was carried out: no roll-back entry, the milestones shown
    then = case_as_of(app, s.case_id, at=done_at - dt.timedelta(minutes=1))
    ids = {e.source_id for e in chronology(then)}
    assert str(s.wrong) in ids and str(r.id) not in ids


def test_as_of_views_show_what_they_showed_then(borough: Borough, clock: Clock) -> None:
    s = story(borough, clock)
    app = s.app
    before_request = clock.now
    clock.advance(minutes=5)
    r = request(s)
    clock.advance(hours=1)
    app.rollbacks.agree("helen.cole", r.id)
    during = clock.now
    clock.advance(hours=1)
    app.rollbacks.carry_out("sam.hd", r.id)
    after = clock.now
    for at, shown in ((before_request, True), (during, True), (after, False)):
        then = case_as_of(app, s.case_id, at=at)
        ids = {e.source_id for e in chronology(then)}
        assert (str(s.wrong) in ids) is shown and (str(s.cin) in ids) is shown, at
        assert (then.process["assessment"]["status"] == "authorised") is shown
        assert str(s.note) in then.notes


def test_a_roll_back_is_reversed_only_by_another_roll_back(borough: Borough, clock: Clock) -> None:
    s = story(borough, clock)
    app = s.app
    original = app.case(s.case_id).process
    r1 = request(s)
    app.rollbacks.agree("helen.cole", r1.id)
    app.rollbacks.carry_out("sam.hd", r1.id)
    rolled_back_at = app.case(s.case_id).version
    clock.advance(days=1)
    r2 = app.rollbacks.request("sam.hd", s.case_id, matter="cin_plan_started", raised_by="jane.smith",
                               reason="The first roll-back went back too far", point_version=rolled_back_at - 1)
    assert {e["id"] for e in r2.requested_effect["restored"]} == {s.wrong, s.cin}
    app.rollbacks.agree("grace.obi", r2.id)
    app.rollbacks.carry_out("sam.hd", r2.id)
    case = app.case(s.case_id)
    assert case.process == original
    assert all(m["superseded_by"] is None for m in case.milestones)
    row = next(r for r in audit_view(case) if r["ref"] == str(s.wrong))
    assert f"superseded by roll-back {r1.id}" in row["text"] and f"restored by roll-back {r2.id}" in row["text"]
    assert verified(app)


# --- refusals -----------------------------------------------------------------------------------------------


def test_only_the_helpdesk_requests_and_the_point_must_be_on_the_case(borough: Borough, clock: Clock) -> None:
    s = story(borough, clock)
    app = s.app
    args = {"matter": "cf_assessment_authorised", "reason": REASON, "raised_by": "grace.obi"}
    refused(app, PermissionDenied, "only the helpdesk may request a roll-back .*Jane Smith is a social worker",
            app.rollbacks.request, "jane.smith", s.case_id, point_version=s.point, **args)
    head = app.case(s.case_id).version
    refused(app, RuleViolation, f"point_version {head + 1} is in the future: the case's latest event is version "
            f"{head}", app.rollbacks.request, "sam.hd", s.case_id, point_version=head + 1, **args)
    refused(app, RuleViolation, "point_at .* is in the future", app.rollbacks.request, "sam.hd", s.case_id,
            point_at=clock.now + dt.timedelta(days=1), **args)
    refused(app, RuleViolation, "point_version 0 is before the case existed", app.rollbacks.request, "sam.hd",
            s.case_id, point_version=0, **args)
    refused(app, RuleViolation, "point_at .* is before the case existed: it was opened on", app.rollbacks.request,
            "sam.hd", s.case_id, point_at=dt.datetime(2026, 1, 1, 9, tzinfo=LONDON), **args)
    refused(app, RuleViolation, "nothing to roll back", app.rollbacks.request, "sam.hd", s.case_id,
            point_version=head, **args)
    refused(app, RuleViolation, "exactly one point", app.rollbacks.request, "sam.hd", s.case_id, **args)
    refused(app, RuleViolation, r"needs a reason that explains why \(at least 3 words and 12 letters; [^)]*\)",
            app.rollbacks.request,
            "sam.hd", s.case_id, point_version=s.point, **{**args, "reason": "wrong date"})
    refused(app, RuleViolation, "matter 'tea_break' is not a kind of process milestone", app.rollbacks.request,
            "sam.hd", s.case_id, point_version=s.point, **{**args, "matter": "tea_break"})
    refused(app, RuleViolation, "matter nfa is not among the process milestones this roll-back would supersede",
            app.rollbacks.request, "sam.hd", s.case_id, point_version=s.point, **{**args, "matter": "nfa"})
    refused(app, RuleViolation, "raised_by names the worker or manager .*Ann Dale is an auditor",
            app.rollbacks.request, "sam.hd", s.case_id, point_version=s.point, **{**args, "raised_by": "ann.audit"})
    refused(app, NotFound, "raised_by: no staff member with the id 'nobody'", app.rollbacks.request, "sam.hd",
            s.case_id, point_version=s.point, **{**args, "raised_by": "nobody"})
    # a moment resolves to the last case event recorded at or before it
    r = app.rollbacks.request("sam.hd", s.case_id, point_at=app.case(s.case_id, version=s.point).modified_on,
                              **args)
    assert r.point["version"] == s.point


def test_who_may_agree(borough: Borough, clock: Clock) -> None:
    s = story(borough, clock)
    app = s.app
    app.staff.add("admin", staff_id="tm.hd", full_name="Rita Moss", designation="Team Manager (helpdesk cover)",
                  team="Assessment", roles=["team_manager", "helpdesk"])
    r = app.rollbacks.request("tm.hd", s.case_id, matter="cf_assessment_authorised", reason=REASON,
                              raised_by="jane.smith", before_milestone=s.wrong)
    refused(app, PermissionDenied, f"agreeing roll-back {r.id}: Rita Moss requested it and cannot also agree it",
            app.rollbacks.agree, "tm.hd", r.id)
    r2 = request(s)  # raised by Grace Obi, the team manager
    refused(app, PermissionDenied, f"agreeing roll-back {r2.id}: Grace Obi raised it \\(raised_by\\) and cannot "
            "also agree it", app.rollbacks.agree, "grace.obi", r2.id)
    refused(app, PermissionDenied, "Liam Walsh is the team manager of the Child Protection team, but the case is "
            "held by the Assessment team", app.rollbacks.agree, "liam.walsh", r2.id)
    refused(app, PermissionDenied, "is for the team manager of the Assessment team or above .*Omar Farah is a "
            "senior practitioner", app.rollbacks.agree, "omar.farah", r2.id)
    refused(app, PermissionDenied, "Sam Hughes requested it and cannot also agree it", app.rollbacks.agree,
            "sam.hd", r2.id)
    refused(app, PermissionDenied, "access denied: no staff member with the id 'ghost'", app.rollbacks.agree,
            "ghost", r2.id)
    # every refused attempt was recorded in the access log, denied, with the roll-back rule
    denied = [a for a in attempts(app) if a.rule_id == "rollback_rule"]
    assert {a.actor["staff_id"] for a in denied} == {"tm.hd", "grace.obi", "liam.walsh", "omar.farah", "sam.hd"}
    assert all(a.outcome.value == "denied" and a.case_id == s.case_id for a in denied)
    # the team manager of the team agrees when she did not raise it; a service manager for the other
    app.rollbacks.agree("grace.obi", r.id)
    app.rollbacks.agree("helen.cole", r2.id)
    refused(app, RuleViolation, "already agreed by Helen Cole", app.rollbacks.agree, "helen.cole", r2.id)


def test_carry_out_needs_the_helpdesk_an_agreement_and_no_new_process_event(borough: Borough,
                                                                             clock: Clock) -> None:
    s = story(borough, clock)
    app = s.app
    r = request(s)
    refused(app, RuleViolation, f"roll-back {r.id} has not been agreed: the team manager of the Assessment team",
            app.rollbacks.carry_out, "sam.hd", r.id)
    app.rollbacks.agree("helen.cole", r.id)
    refused(app, PermissionDenied, "only the helpdesk may carry out a roll-back .*Grace Obi is a team manager",
            app.rollbacks.carry_out, "grace.obi", r.id)
    clock.advance(hours=1)
    review = app.casework.record_milestone("jane.smith", s.case_id, kind="cin_plan_reviewed")
    refused(app, RuleViolation, "since it was agreed by Helen Cole .*cin_plan_reviewed recorded .* by Jane Smith.*"
            "must be agreed again", app.rollbacks.carry_out, "sam.hd", r.id)
    assert app.case(s.case_id).process["cin_plan"]["reviews"] == 1
    app.rollbacks.agree("helen.cole", r.id)  # agreed again, with the review in it
    app.rollbacks.carry_out("sam.hd", r.id)
    case = app.case(s.case_id)
    assert {m["id"] for m in case.milestones if m["superseded_by"] == r.id} == {s.wrong, s.cin, review}


def test_decline_withdraw_and_expiry(borough: Borough, clock: Clock) -> None:
    s = story(borough, clock)
    app = s.app
    declined = request(s)
    refused(app, RuleViolation, "declining a roll-back needs a reason that explains", app.rollbacks.decline,
            "helen.cole", declined.id, reason="no")
    app.rollbacks.decline("helen.cole", declined.id, reason="The date recorded was the right one")
    refused(app, RuleViolation, f"cannot agree roll-back {declined.id}: it is declined by Helen Cole",
            app.rollbacks.agree, "helen.cole", declined.id)
    refused(app, RuleViolation, "is declined by Helen Cole .*: The date recorded was the right one; it cannot be "
            "carried out", app.rollbacks.carry_out, "sam.hd", declined.id)

    withdrawn = request(s)
    refused(app, PermissionDenied, "withdrawing roll-back .* is for the helpdesk or Grace Obi, who raised it; "
            "Kofi Mensah is a social worker", app.rollbacks.withdraw, "cp.worker", withdrawn.id,
            reason="Not my case at all")
    app.rollbacks.withdraw("grace.obi", withdrawn.id, reason="I found the right form instead")
    assert app.rollbacks.get(withdrawn.id).status is RollbackStatus.WITHDRAWN

    stale = request(s)
    agreed = request(s)
    app.rollbacks.agree("helen.cole", agreed.id)
    assert stale.expires_at.astimezone(LONDON).date() == dt.date(2026, 11, 20)  # 10 working days after 6 Nov
    clock.now = stale.expires_at + dt.timedelta(minutes=1)
    refused(app, RuleViolation, "it is expired \\(not agreed by 20 Nov 2026 23:59 GMT\\)", app.rollbacks.agree,
            "helen.cole", stale.id)
    refused(app, RuleViolation, "is expired \\(not agreed by 20 Nov 2026 23:59 GMT\\); it cannot be carried out",
            app.rollbacks.carry_out, "sam.hd", stale.id)
    assert [r.id for r in app.rollbacks.find("helen.cole", status="expired")] == [stale.id]
    expired = app.rollbacks.expire()
    assert [r.id for r in expired] == [stale.id] and app.rollbacks.get(stale.id).status is RollbackStatus.EXPIRED
    assert app.rollbacks.expire() == []
    app.rollbacks.carry_out("sam.hd", agreed.id)  # an agreed request does not expire
    statuses = {r.id: r.status for r in app.rollbacks.find("ann.audit", case_id=s.case_id)}
    assert statuses == {declined.id: RollbackStatus.DECLINED, withdrawn.id: RollbackStatus.WITHDRAWN,
                        stale.id: RollbackStatus.EXPIRED, agreed.id: RollbackStatus.CARRIED_OUT}
    refused(app, PermissionDenied, "the roll-back list and report are for the helpdesk, auditors, team managers "
            "and above", app.rollbacks.find, "jane.smith")


def test_the_monitoring_report(borough: Borough, clock: Clock) -> None:
    s = story(borough, clock)
    app = s.app
    a, b, c = request(s), request(s), request(s)
    app.rollbacks.agree("helen.cole", a.id)
    app.rollbacks.carry_out("sam.hd", a.id)
    app.rollbacks.decline("helen.cole", b.id, reason="Already carried out by another request")
    report = rollback_report(app.rollbacks.find("helen.cole"), now=clock.now, alert_rate=2)
    team = report["per_team"]["Assessment"]
    assert {k: team[k] for k in ("requests", "agreed", "declined", "carried_out", "awaiting")} == {
        "requests": 3, "agreed": 1, "declined": 1, "carried_out": 1, "awaiting": 1}
    assert team["cases"] == [str(s.case_id)] and team["per_month"] == {"2026-11": 3}
    assert report["highlighted_teams"] == ["Assessment"] and team["alert_months"] == ["2026-11"]
    assert rollback_report(app.rollbacks.find("helen.cole"), now=clock.now, alert_rate=3)["highlighted_teams"] == []
    assert report["per_requester"]["grace.obi"]["requests"] == 3
    assert report["per_requester"]["grace.obi"]["name"] == "Grace Obi"
    assert report["per_matter"]["cf_assessment_authorised"]["declined"] == 1
    assert report["per_month"]["2026-11"]["requests"] == 3
    assert rollback_report(app.rollbacks.find("helen.cole"), now=clock.now, team="Child Protection",
                           )["totals"]["requests"] == 0
    outside = rollback_report(app.rollbacks.find("helen.cole"), now=clock.now, since=dt.date(2026, 12, 1))
    assert outside["totals"]["requests"] == 0 and c.id


# --- the demo's wrongly authorised assessment ------------------------------------------------------------


def test_the_demo_wrong_authorisation_is_rolled_back_and_authorised_again(ledger: CaseLedger,
                                                                          clock: Clock) -> None:
    summary = build_demo(ledger, children=8, seed=1)
    assert summary.wrongly_authorised_case is not None and summary.wrongly_authorised_milestone is not None
    cid, wrong_id = summary.wrongly_authorised_case, summary.wrongly_authorised_milestone
    case = ledger.case(cid)
    wrong = next(m for m in case.milestones if m["id"] == wrong_id)
    staff = ledger.list_staff()
    helpdesk = next(m.staff_id for m in staff if "helpdesk" in [r.value for r in m.roles])
    manager = next(m for m in staff if m.team == case.team and "team_manager" in [r.value for r in m.roles])
    # raised by the manager who clicked it (the worker, if that is the manager who agrees)
    raiser = wrong["by"]["staff_id"] if wrong["by"]["staff_id"] != manager.staff_id else case.worker["staff_id"]
    other = next(m for m in staff if m.team != case.team and m.staff_id != raiser
                 and "team_manager" in [r.value for r in m.roles])
    clock.now = case.modified_on + dt.timedelta(days=7)
    r = ledger.rollbacks.request(helpdesk, cid, matter="cf_assessment_authorised", reason=REASON,
                                 raised_by=raiser, before_milestone=wrong_id)
    refused(ledger, PermissionDenied, f"{other.full_name} is the team manager of the {other.team} team",
            ledger.rollbacks.agree, other.staff_id, r.id)
    ledger.rollbacks.agree(manager.staff_id, r.id)
    ledger.rollbacks.carry_out(helpdesk, r.id)
    after = ledger.case(cid)
    assert after.process["assessment"]["status"] == "completed"
    assert after.notes == case.notes and after.records == case.records and after.decisions == case.decisions
    if after.status == "closed":
        ledger.cases.reopen(manager.staff_id, cid, reason="To record the assessment authorisation correctly")
    right = wrong["recorded_at"]  # the day the manager really authorised it
    ledger.casework.record_milestone(manager.staff_id, cid, kind="cf_assessment_authorised", occurred_at=right)
    final = ledger.case(cid)
    assert final.process["assessment"]["authorised_at"] == right
    titles = [e.title for e in chronology(final) if e.source == "milestone"]
    assert titles.count("Child and family assessment authorised by a manager") == 1
    assert verified(ledger)
