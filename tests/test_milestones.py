"""Process milestones (ledger/records/milestones/) through CaseLedger, on both backends, and the CLI.

The ``borough`` fixture gives the staff of tests/conftest.py and one open case: Amira Hassan,
Assessment team, Jane Smith (social worker); Grace Obi manages Assessment. Every refusal is
checked for its exact type and message, and for having written nothing.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from commands.cli import cli
from ledger.application import LONDON, CaseLedger
from ledger.errors import LedgerError, PermissionDenied, RuleViolation
from ledger.integrity.encoding import decode, encode
from ledger.records import milestones
from ledger.records.case import CaseRecord
from ledger.records.fields import Field
from projections.views import case_view
from tests.conftest import Borough, Clock, add_staff, refused

EXE = Path(sys.executable).parent / "caseledger"



def when(month: int, day: int, hour: int = 10, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=LONDON)


class Path_:
    """Records milestones on the borough's case, moving the clock to just after each one."""

    def __init__(self, borough: Borough, clock: Clock) -> None:
        self.app = borough.ledger
        self.case_id = borough.case_id
        self.clock = clock

    def __call__(self, acting: str, kind: str, at: dt.datetime, **details: Any) -> uuid.UUID:
        self.clock.now = max(self.clock.now, at + dt.timedelta(hours=1))
        return self.app.casework.record_milestone(acting, self.case_id, kind=kind, occurred_at=at, **details)

    def refused(self, error: type[LedgerError], message: str, acting: str, kind: str, at: dt.datetime,
                **details: Any) -> LedgerError:
        self.clock.now = max(self.clock.now, at + dt.timedelta(hours=1))
        return refused(self.app, error, message, self.app.casework.record_milestone, acting, self.case_id,
                       kind=kind, occurred_at=at, **details)

    @property
    def state(self) -> dict[str, Any]:
        return self.app.case(self.case_id).process


@pytest.fixture
def rec(borough: Borough, clock: Clock) -> Path_:
    return Path_(borough, clock)


# --- a believable child protection pathway ---------------------------------------------------------


def test_child_protection_pathway(rec: Path_) -> None:
    rec("jane.smith", "contact", when(10, 28, 9), source="school: designated safeguarding lead",
        channel="telephone", concern="bruising on arm")
    assert rec.state["contact"]["decision"] is None
    rec("grace.obi", "referral_decision", when(10, 28, 15), decision="referral_accepted")
    rec("jane.smith", "cf_assessment_started", when(11, 3))
    rec("jane.smith", "cf_assessment_completed", when(11, 20),
        factors=["domestic abuse", "parental mental health"], recommendation="strategy_discussion")
    rec("grace.obi", "cf_assessment_authorised", when(11, 23))
    s = rec.state
    assert s["assessment"]["status"] == "authorised"
    assert s["assessment"]["factors"] == ["domestic abuse", "parental mental health"]
    assert s["assessment"]["authorised_by"]["staff_id"] == "grace.obi"

    rec("jane.smith", "strategy_discussion", when(11, 24), decision="s47", attendees=["police", "health"])
    rec("jane.smith", "s47_started", when(11, 24, 14))
    assert rec.state["s47"]["status"] == "open"
    rec("grace.obi", "s47_outcome", when(12, 4), outcome="substantiated_icpc")
    assert rec.state["s47"]["status"] == "awaiting_icpc"
    rec("jane.smith", "icpc", when(12, 10), decision="cp_plan", chair="IRO Ruth Ellis")
    rec("grace.obi", "cp_plan_started", when(12, 10, 13), category="neglect")
    rec("jane.smith", "core_group_meeting", when(12, 20))
    rec("jane.smith", "core_group_meeting", when(1, 15, year=2027))
    rec("grace.obi", "cp_plan_category_changed", when(2, 1, year=2027), category="multiple",
        reason="emotional harm also evidenced")
    rec("jane.smith", "rcpc", when(3, 5, year=2027), decision="no_cp_plan")
    rec("grace.obi", "cp_plan_ended", when(3, 5, 14, year=2027), reason="review conference: no plan",
        step_down="cin_plan")
    rec("jane.smith", "cin_plan_started", when(3, 6, year=2027))
    rec("jane.smith", "cin_plan_reviewed", when(4, 6, year=2027))

    s = rec.state
    assert s["s47"]["status"] == "concluded"
    plan = s["cp_plan"]
    assert plan["active"] is False
    assert (plan["category_initial"], plan["category_latest"]) == ("neglect", "multiple")
    assert plan["core_groups"] == 2 and plan["reviews"] == 1
    assert plan["started_at"] == when(12, 10, 13) and plan["ended_at"] == when(3, 5, 14, year=2027)
    assert s["cin_plan"]["active"] and s["cin_plan"]["reviews"] == 1
    assert s["last"]["kind"] == "cin_plan_reviewed"

    # The stored case agrees with a replay of its milestones, and survives the canonical encoding.
    case = rec.app.case(rec.case_id)
    assert len(case.milestones) == 17 and case.version == 18
    assert milestones.replay(case.milestones) == case.process
    assert decode(encode(case.process)) == case.process


def test_looked_after_pathway(rec: Path_) -> None:
    rec("grace.obi", "became_looked_after", when(11, 3), legal_status="s20")
    rec("jane.smith", "placement_started", when(11, 3, 16), placement_type="foster_care",
        carer="Mr and Mrs Okoro")
    rec("jane.smith", "placement_plan", when(11, 5))
    rec("jane.smith", "care_plan", when(11, 10), permanence_plan="return_home")
    rec("jane.smith", "lac_review", when(11, 30), chair="IRO Ruth Ellis", recommendations=["contact plan"])
    rec("jane.smith", "placement_ended", when(12, 15), reason="carers' health: placement could not continue")
    rec("jane.smith", "placement_started", when(12, 15, 15), placement_type="kinship_foster_care",
        carer="Aunt: Leila Hassan")
    rec("grace.obi", "legal_planning_meeting", when(12, 20), threshold_met=True, decision="issue_proceedings")
    rec("grace.obi", "care_proceedings_issued", when(1, 5, year=2027), court="East London Family Court",
        application="care_order")
    rec("jane.smith", "court_hearing", when(1, 20, year=2027), hearing="case_management",
        outcome="timetable set")
    rec("grace.obi", "final_order", when(6, 1, year=2027), order="care_order")
    rec("jane.smith", "lac_review", when(6, 10, year=2027))
    rec("jane.smith", "pathway_plan", when(6, 20, year=2027))

    s = rec.state
    la = s["looked_after"]
    assert la["status"] == "looked_after" and la["legal_status"] == "s31_care_order"
    assert la["since"] == when(11, 3)
    assert s["placement"]["current"]["carer"] == "Aunt: Leila Hassan"
    assert [p["carer"] for p in s["placement"]["history"]] == ["Mr and Mrs Okoro"]
    assert s["placement"]["history"][0]["reason"].startswith("carers' health")
    assert s["lac_review"]["count"] == 2 and s["lac_review"]["latest_at"] == when(6, 10, year=2027)
    assert s["plans"]["care_plan"] == when(11, 10) and s["plans"]["pathway_plan"] == when(6, 20, year=2027)
    assert s["legal"]["plo_stage"] == "final_order"
    assert s["legal"]["proceedings"]["status"] == "concluded"
    assert len(s["legal"]["proceedings"]["hearings"]) == 1

    # Ceasing needs the placement ended first.
    rec.refused(RuleViolation, r"^ceasing to be looked after needs the placement ended first; the placement "
                r"with Aunt: Leila Hassan since 15 Dec 2026 is open$",
                "grace.obi", "ceased_looked_after", when(7, 1, year=2027),
                reason="special guardianship order")
    rec("jane.smith", "placement_ended", when(7, 1, year=2027), reason="special guardianship order made")
    rec("grace.obi", "ceased_looked_after", when(7, 1, 12, year=2027), reason="special guardianship order")
    assert rec.state["looked_after"]["status"] == "ceased"
    assert rec.state["placement"]["current"] is None


def test_early_help_pre_proceedings_and_other_kinds(rec: Path_) -> None:
    rec("jane.smith", "contact", when(10, 29), source="health visitor")
    rec("grace.obi", "referral_decision", when(10, 29, 14), decision="early_help")
    rec("jane.smith", "taf_meeting", when(10, 30))  # early help by the referral decision
    rec("jane.smith", "early_help_assessment", when(10, 30, 15), consent=True)
    rec("grace.obi", "legal_planning_meeting", when(10, 31), threshold_met=True, decision="pre_proceedings")
    rec("grace.obi", "pre_proceedings_letter", when(10, 31, 12))
    rec("jane.smith", "pre_proceedings_meeting", when(11, 1), attendees=["parents", "solicitor"])
    rec("jane.smith", "private_fostering_notification", when(11, 1, 12), carer="family friend",
        arrangement_start=dt.date(2026, 10, 20))
    rec("grace.obi", "case_transfer", when(11, 1, 13), to_team="Child Protection",
        reason="S47 threshold met at the strategy discussion")
    s = rec.state
    assert s["early_help"]["taf_meetings"] == 1 and s["early_help"]["consent"] is True
    assert s["legal"]["plo_stage"] == "pre_proceedings_meeting"
    assert s["legal"]["pre_proceedings"] == {"letter_at": when(10, 31, 12), "meeting_at": when(11, 1)}
    assert s["private_fostering"]["arrangement_start"] == dt.date(2026, 10, 20)
    assert s["transfers"][0]["to_team"] == "Child Protection"
    # An early help referral decision means no C&F assessment until a new referral is accepted.
    rec.refused(RuleViolation, r"^a child and family assessment needs an accepted referral; the referral "
                r"decision of 29 Oct 2026 on the case of Amira Hassan was early help",
                "jane.smith", "cf_assessment_started", when(11, 1, 14))


# --- refusals ---------------------------------------------------------------------------------------


def test_icpc_before_any_s47(rec: Path_) -> None:
    rec.refused(RuleViolation, r"^an initial child protection conference needs a section 47 enquiry first; "
                r"none is open on the case of Amira Hassan$",
                "jane.smith", "icpc", when(11, 2, 8), decision="cp_plan")


def test_icpc_after_an_s47_concluded_without_one(rec: Path_) -> None:
    rec("jane.smith", "strategy_discussion", when(11, 2, 8), decision="s47")
    rec("jane.smith", "s47_started", when(11, 2, 9))
    rec("grace.obi", "s47_outcome", when(11, 5), outcome="not_substantiated")
    rec.refused(RuleViolation, r"needs a section 47 enquiry first; the enquiry started on 02 Nov 2026 on the "
                r"case of Amira Hassan concluded on 05 Nov 2026 \(not substantiated\)$",
                "jane.smith", "icpc", when(11, 6), decision="cp_plan")


def pre_v2_snapshot(app: CaseLedger, case_id: uuid.UUID, **state: Any) -> None:
    """Store a snapshot of the case as the ledger stored them before the case state's version 2
    (no class version, no closure history), with ``state`` changed: what an older ledger holds."""
    case = app.case(case_id)
    taken = CaseRecord.Snapshot.take(case)
    old = {k: v for k, v in taken.state.items() if k not in ("class_version", "closure_history")}
    assert app.snapshots is not None
    app.snapshots.put([dataclasses.replace(taken, state={**old, **state})])


def test_s47_is_concluded_on_the_date_of_its_outcome_when_an_icpc_follows(rec: Path_) -> None:
    outcome_at, icpc_at = when(1, 13, 11, year=2027), when(1, 14, 10, year=2027)
    rec("jane.smith", "strategy_discussion", when(1, 8, year=2027), decision="s47")
    rec("jane.smith", "s47_started", when(1, 8, 14, year=2027))
    rec("grace.obi", "s47_outcome", outcome_at, outcome="substantiated_icpc")
    s47 = rec.state["s47"]
    assert (s47["status"], s47["concluded_at"]) == ("awaiting_icpc", outcome_at)
    process = case_view(rec.app.case(rec.case_id), today=dt.date(2027, 1, 13))["process"]
    assert ("Section 47 enquiry: concluded 13 Jan 2027 (concerns substantiated, an initial child protection "
            "conference); awaiting the initial child protection conference") in process

    rec("jane.smith", "icpc", icpc_at, decision="cp_plan", chair="IRO Ruth Ellis")
    s47 = rec.state["s47"]
    assert (s47["status"], s47["outcome"], s47["concluded_at"]) == ("concluded", "substantiated_icpc", outcome_at)
    process = case_view(rec.app.case(rec.case_id), today=dt.date(2027, 1, 20))["process"]
    assert ("Section 47 enquiry: concluded 13 Jan 2027 (concerns substantiated, an initial child protection "
            "conference)") in process
    assert not any("14 Jan 2027" in line for line in process if line.startswith("Section 47"))

    # a snapshot folded the old way (concluded on the ICPC's date) gives the new value when read
    case = rec.app.case(rec.case_id)
    old_process = copy.deepcopy(case.process)
    old_process["s47"]["concluded_at"] = icpc_at
    pre_v2_snapshot(rec.app, rec.case_id, process=old_process)
    again = rec.app.case(rec.case_id)
    assert again.process == milestones.replay(again.milestones) == case.process
    assert again.process["s47"]["concluded_at"] == outcome_at


def test_s47_concluded_by_an_icpc_with_no_outcome_or_no_icpc_needed(rec: Path_) -> None:
    rec("jane.smith", "strategy_discussion", when(11, 2, 8), decision="s47")
    rec("jane.smith", "s47_started", when(11, 2, 9))
    rec("jane.smith", "icpc", when(11, 16), decision="cp_plan")  # no outcome recorded first
    assert rec.state["s47"]["concluded_at"] == when(11, 16)
    rec("jane.smith", "strategy_discussion", when(11, 20), decision="s47")
    rec("jane.smith", "s47_started", when(11, 20, 14))
    rec("grace.obi", "s47_outcome", when(11, 24), outcome="substantiated_icpc")
    rec("grace.obi", "icpc_not_required", when(11, 25), reason="the family moved out of the area")
    s47 = rec.state["s47"]
    assert (s47["status"], s47["concluded_at"]) == ("concluded", when(11, 24))


def test_s47_needs_a_strategy_discussion_that_decided_on_one(rec: Path_) -> None:
    rec.refused(RuleViolation, r"^a section 47 enquiry needs a strategy discussion that decided on one; no "
                r"strategy discussion is recorded on the case of Amira Hassan$",
                "jane.smith", "s47_started", when(11, 2, 8))
    rec("jane.smith", "strategy_discussion", when(11, 2, 8), decision="no_s47")
    rec.refused(RuleViolation, r"the strategy discussion of 02 Nov 2026 decided on no section 47 enquiry",
                "jane.smith", "s47_started", when(11, 2, 9))


def test_cp_plan_end_before_start(rec: Path_) -> None:
    rec.refused(RuleViolation, r"^a CP plan cannot end before it started; none has started on the case of "
                r"Amira Hassan$", "grace.obi", "cp_plan_ended", when(11, 2, 8),
                reason="the conference decided no plan")
    rec("jane.smith", "strategy_discussion", when(11, 2, 8), decision="s47")
    rec("jane.smith", "s47_started", when(11, 2, 9))
    rec("jane.smith", "icpc", when(11, 16), decision="cp_plan")
    rec("grace.obi", "cp_plan_started", when(11, 16, 12), category="physical")
    rec.refused(RuleViolation, r"^a CP plan cannot end before it started: it started on 16 Nov 2026, the end "
                r"given is 10 Nov 2026$", "grace.obi", "cp_plan_ended", when(11, 10),
                reason="the family moved away")
    rec.refused(RuleViolation, r"^a child protection plan is already active on the case of Amira Hassan",
                "grace.obi", "cp_plan_started", when(11, 17), category="neglect")
    rec.refused(RuleViolation, r"^the CP plan's category is already physical",
                "grace.obi", "cp_plan_category_changed", when(11, 17), category="physical")
    rec.refused(RuleViolation, r"^no further action cannot be recorded while the case of Amira Hassan has a "
                r"child protection plan \(since 16 Nov 2026\)", "grace.obi", "nfa", when(11, 17),
                reason="the family needs no more help")


def test_cp_plan_needs_a_conference_that_decided_on_one(rec: Path_) -> None:
    rec.refused(RuleViolation, r"^a CP plan starts after a child protection conference that decided on one; "
                r"no child protection conference is recorded on the case of Amira Hassan$",
                "grace.obi", "cp_plan_started", when(11, 2, 8), category="neglect")
    rec.refused(RuleViolation,
                r"^a core group meeting needs an active child protection plan; none has started",
                "jane.smith", "core_group_meeting", when(11, 2, 8))


def test_authorising_an_assessment(rec: Path_) -> None:
    rec.refused(RuleViolation,
                r"^authorising an assessment needs a completed assessment; none has been started "
                r"on the case of Amira Hassan$", "grace.obi", "cf_assessment_authorised", when(11, 2, 8))
    rec("jane.smith", "cf_assessment_started", when(11, 2, 8))
    rec.refused(RuleViolation, r"^authorising an assessment needs a completed assessment; the assessment "
                r"started on 02 Nov 2026 is not completed$", "grace.obi", "cf_assessment_authorised",
                when(11, 3))
    rec.refused(RuleViolation, r"^a child and family assessment cannot start while one is in progress",
                "jane.smith", "cf_assessment_started", when(11, 3))
    rec("jane.smith", "cf_assessment_completed", when(11, 20), factors=["neglect"])
    # by a social worker: the role rule
    rec.refused(PermissionDenied, r"^recording authorising a child and family assessment "
                r"\(cf_assessment_authorised\) needs the role team manager or above; Jane Smith is a social "
                r"worker$", "jane.smith", "cf_assessment_authorised", when(11, 21))
    # dated before the completion it follows
    rec.refused(RuleViolation, r"^authorising a child and family assessment dated 19 Nov 2026 cannot come "
                r"before the completion of the assessment it follows, on 20 Nov 2026",
                "grace.obi", "cf_assessment_authorised", when(11, 19))
    rec("grace.obi", "cf_assessment_authorised", when(11, 21))
    rec.refused(RuleViolation, r"was already authorised on 21 Nov 2026", "grace.obi",
                "cf_assessment_authorised", when(11, 22))


def test_roles(rec: Path_) -> None:
    rec.refused(PermissionDenied, r"^access denied: recording on this case needs .*; Sam Hughes is a helpdesk, "
                r"not on this case$", "sam.hd", "contact", when(11, 2, 8), source="police")
    rec.refused(PermissionDenied,
                r"needs the role team manager or above; Omar Farah is a senior practitioner$",
                "omar.farah", "became_looked_after", when(11, 2, 8), legal_status="s20")
    rec("helen.cole", "became_looked_after", when(11, 2, 8), legal_status="police_protection")  # above TM


def test_placement_without_looked_after(rec: Path_) -> None:
    rec.refused(RuleViolation, r"^a placement needs the child to be looked after first; Amira Hassan is not "
                r"looked after$", "jane.smith", "placement_started", when(11, 2, 8),
                placement_type="foster_care", carer="Mrs Adams")
    rec.refused(RuleViolation, r"^ending a placement needs an open placement; none is open on the case of "
                r"Amira Hassan$", "jane.smith", "placement_ended", when(11, 2, 8), reason="the carers moved away")
    rec("grace.obi", "became_looked_after", when(11, 2, 8), legal_status="s20")
    rec("jane.smith", "placement_started", when(11, 2, 9), placement_type="foster_care", carer="Mrs Adams")
    rec.refused(RuleViolation,
                r"^a new placement needs the current one ended first \(placement_ended, with the "
                r"reason for the change\); the placement with Mrs Adams since 02 Nov 2026 is open$",
                "jane.smith", "placement_started", when(11, 3), placement_type="residential_home",
                carer="Oak House")
    rec.refused(RuleViolation,
                r"^the end of a placement dated 01 Nov 2026 cannot come before the start of the "
                r"placement it follows, on 02 Nov 2026", "jane.smith", "placement_ended", when(11, 1),
                reason="the carers moved away")
    rec.refused(RuleViolation, r"^Amira Hassan is already looked after \(since 02 Nov 2026, s20\)",
                "grace.obi", "became_looked_after", when(11, 3), legal_status="s31_care_order")


def test_referral_decision_needs_a_contact_awaiting_one(rec: Path_) -> None:
    rec.refused(RuleViolation, r"^a referral decision needs a contact first; no contact is recorded on the "
                r"case of Amira Hassan$", "grace.obi", "referral_decision", when(11, 2, 8),
                decision="referral_accepted")
    rec("jane.smith", "contact", when(11, 2, 8), source="police")
    rec("grace.obi", "referral_decision", when(11, 2, 9), decision="no_further_action")
    assert rec.state["nfa"]["at"] == when(11, 2, 9)
    rec.refused(RuleViolation, r"the contact of 02 Nov 2026 on the case of Amira Hassan was decided on "
                r"02 Nov 2026 \(no further action\): record the new contact first",
                "grace.obi", "referral_decision", when(11, 2, 10), decision="early_help")


def test_legal_sequence(rec: Path_) -> None:
    rec.refused(RuleViolation, r"^a pre-proceedings letter needs a legal planning meeting that decided on "
                r"pre-proceedings; no legal planning meeting is recorded", "grace.obi",
                "pre_proceedings_letter", when(11, 2, 8))
    rec.refused(RuleViolation, r"^a pre-proceedings meeting needs the pre-proceedings letter first",
                "jane.smith", "pre_proceedings_meeting", when(11, 2, 8))
    rec.refused(RuleViolation, r"^a court hearing needs open care proceedings; none have been issued",
                "jane.smith", "court_hearing", when(11, 2, 8), hearing="other", outcome="adjourned")
    rec("grace.obi", "legal_planning_meeting", when(11, 2, 8), threshold_met=False,
        decision="no_legal_action")
    rec.refused(RuleViolation, r"^issuing care proceedings needs a legal planning meeting that decided to "
                r"issue; the legal planning meeting of 02 Nov 2026 decided on no legal action",
                "grace.obi", "care_proceedings_issued", when(11, 2, 9), court="X", application="care_order")


def test_unknown_kind_field_required_and_choice(rec: Path_) -> None:
    rec.refused(RuleViolation, r"^'case_conference' is not a kind of milestone; the kinds are: contact, "
                r"referral_decision, nfa, .*case_transfer$", "jane.smith", "case_conference", when(11, 2, 8))
    rec.refused(RuleViolation, r"^a strategy discussion \(strategy_discussion\) has no field 'venue'; its "
                r"fields are: decision, attendees, notes$", "jane.smith", "strategy_discussion", when(11, 2,
                                                                                                      8),
                decision="s47", venue="police station")
    rec.refused(RuleViolation, r"^decision is required for a strategy discussion \(strategy_discussion\)",
                "jane.smith", "strategy_discussion", when(11, 2, 8))
    rec.refused(RuleViolation, r"^category for a child protection plan \(cp_plan_started\) must be one of: "
                r"neglect, physical, emotional, sexual, multiple; got 'financial'$",
                "grace.obi", "cp_plan_started", when(11, 2, 8), category="financial")
    before = rec.app.case(rec.case_id).version
    with pytest.raises(RuleViolation, match=r"^occurred_at .* is in the future"):
        rec.app.casework.record_milestone("jane.smith", rec.case_id, kind="contact", occurred_at=rec.clock.now
                                          + dt.timedelta(days=1), source="police")
    assert rec.app.case(rec.case_id).version == before


# Every reason explains (ledger.records.fields.explained_reason): at least 3 words and 12 letters. A milestone's
# reason is checked with its other fields, before what must come first, so these need no history.
_EXPLAIN = r"needs a {field} that explains why \(at least 3 words and 12 letters; it has {counts}\); got {got}$"


@pytest.mark.parametrize("acting, kind, details, message", [
    ("grace.obi", "nfa", {"reason": "a b c"}, r"^no further action \(nfa\) "
     + _EXPLAIN.format(field="reason", counts="3 words and 3 letters", got="'a b c'")),
    ("grace.obi", "nfa", {"reason": "  NFA  "}, r"^no further action \(nfa\) "
     + _EXPLAIN.format(field="reason", counts="1 word and 3 letters", got="'NFA'")),
    ("grace.obi", "cp_plan_ended", {"reason": "moved away", "step_down": "cin_plan"},
     r"^the end of a child protection plan \(cp_plan_ended\) "
     + _EXPLAIN.format(field="reason", counts="2 words and 9 letters", got="'moved away'")),
    ("grace.obi", "case_transfer", {"to_team": "Child Protection", "reason": "S47"},
     r"^a case transfer \(case_transfer\) " + _EXPLAIN.format(field="reason", counts="1 word and 1 letter",
                                                               got="'S47'")),
    ("grace.obi", "placement_ended", {"reason": "1 2 3 4"}, r"^the end of a placement \(placement_ended\) "
     + _EXPLAIN.format(field="reason", counts="0 words and 0 letters", got="'1 2 3 4'")),
    ("jane.smith", "contact", {"source": "school", "late_reason": "late"},
     r"^recording a milestone after its timescale \(policy s\.18\) "
     + _EXPLAIN.format(field="late_reason", counts="1 word and 4 letters", got="'late'")),
], ids=["nfa-three-letters", "nfa-padded-acronym", "cp-plan-ended-two-words", "transfer-optional-given",
        "placement-ended-digits", "late-reason"])
def test_a_milestone_reason_must_explain(rec: Path_, acting: str, kind: str, details: dict[str, Any],
                                         message: str) -> None:
    error = rec.refused(RuleViolation, message, acting, kind, when(11, 2, 8), **details)
    assert error.field == ("late_reason" if "late_reason" in details else "reason")
    assert rec.app.case(rec.case_id).milestones == []


def test_an_optional_milestone_reason_may_be_left_out_but_a_given_one_is_kept(rec: Path_) -> None:
    rec("jane.smith", "contact", when(10, 28, 9), source="school", late_reason="  ")
    rec("grace.obi", "referral_decision", when(10, 28, 15), decision="referral_accepted", reason="")
    rec("grace.obi", "case_transfer", when(10, 29), to_team="Child Protection")
    rec("grace.obi", "case_transfer", when(10, 30), to_team="Child in Need",
        reason="  The strategy discussion decided no section 47 enquiry.  ")
    kept = [m["details"] for m in rec.app.case(rec.case_id).milestones]
    assert kept[0] == {"source": "school"} and "reason" not in kept[1] and "reason" not in kept[2]
    assert kept[3]["reason"] == "The strategy discussion decided no section 47 enquiry."


def test_closed_case_accepts_no_milestone(rec: Path_) -> None:
    rec.app.cases.close("grace.obi", rec.case_id, reason="needs met by universal services")
    rec.refused(RuleViolation,
                r"^cannot record a process milestone on the case of Amira Hassan: it was closed",
                "jane.smith", "contact", when(11, 2, 8), source="police")


# --- pure: fold, replay, the registry ---------------------------------------------------------------


def entry(kind: str, at: dt.datetime, superseded_by: uuid.UUID | None = None, **details: Any) -> dict[str,
                                                                                                      Any]:
    return {"id": uuid.uuid4(), "kind": kind, "details": details, "occurred_at": at, "recorded_at": at,
            "by": {"staff_id": "grace.obi", "full_name": "Grace Obi"}, "superseded_by": superseded_by}


def test_fold_is_pure_and_equals_replay() -> None:
    entries = [
        entry("strategy_discussion", when(11, 2), decision="s47"),
        entry("s47_started", when(11, 2, 12)),
        entry("icpc", when(11, 16), decision="cp_plan"),
        entry("cp_plan_started", when(11, 16, 12), category="sexual"),
        entry("core_group_meeting", when(11, 26)),
    ]
    state: dict[str, Any] = {}
    snapshots = []
    for e in entries:
        frozen = json.dumps(state, default=str, sort_keys=True)
        new = milestones.fold(state, e)
        assert json.dumps(state, default=str, sort_keys=True) == frozen, "fold changed its input"
        assert new is not state
        snapshots.append(new)
        state = new
    assert state == milestones.replay(entries)
    assert snapshots[2]["cp_plan"] is None and snapshots[3]["cp_plan"]["category_initial"] == "sexual"
    assert state["cp_plan"]["core_groups"] == 1
    assert decode(encode(state)) == state  # canonical encoding: no floats, sets or custom objects
    assert milestones.fold(None, entries[0]) == milestones.fold({}, entries[0])


def test_replay_skips_superseded() -> None:
    wrong = entry("cp_plan_started", when(11, 16), superseded_by=uuid.uuid4(), category="neglect")
    entries = [entry("icpc", when(11, 16), decision="cp_plan"), wrong,
               entry("cp_plan_started", when(11, 17), category="emotional")]
    state = milestones.replay(entries)
    assert state["cp_plan"]["category_initial"] == "emotional"
    assert state["cp_plan"]["started_at"] == when(11, 17)
    assert milestones.replay([]) == milestones.initial_state()


def test_fold_is_tolerant_of_replays_out_of_sequence() -> None:
    """A replay that skips superseded entries may break a sequence; the fold still gives a state."""
    state = milestones.replay([entry(k, when(11, 2)) for k in milestones.KINDS])
    assert state["last"]["kind"] == milestones.KINDS[-1]
    assert decode(encode(state)) == state


def test_registry_and_help() -> None:
    assert milestones.KINDS[0] == "contact" and len(milestones.KINDS) == len(set(milestones.KINDS)) == 37
    for name in milestones.KINDS:
        k = milestones.REGISTRY[name]
        assert all(isinstance(f, Field) for f in k.fields)
        text = milestones.describe_kind(name)
        assert text.startswith(f"{name}: ") and "who may record it" in text
    assert "team manager or above" in milestones.describe_kind("cp_plan_started")
    assert "section 47 enquiry" in milestones.describe_kind("icpc")
    with pytest.raises(RuleViolation, match="is not a kind of milestone"):
        milestones.describe_kind("nope")


# --- the CLI -----------------------------------------------------------------------------------------


def cli_run(cwd: Path, *args: str, check: int = 0) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
    proc = subprocess.run([str(EXE), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == check, (args, proc.returncode, proc.stdout, proc.stderr)
    return proc


def test_cli_milestones_end_to_end(tmp_path: Path) -> None:
    db = str(tmp_path / "ledger.db")
    app = CaseLedger(db)
    try:
        add_staff(app)
        case = app.cases.open("jane.smith", child_name="Amira Hassan", date_of_birth=dt.date(2016, 5, 14),
                              referral_date=dt.date(2024, 10, 28), referral_source="school",
                              team="Assessment", worker="jane.smith")
        case_id = str(case.id)
    finally:
        app.close()
    base = ("--db", db)
    out = cli_run(tmp_path, "milestone", "add", case_id[:8], "strategy_discussion", *base, "--as",
                  "jane.smith",
                  "--occurred-at", "2024-11-04 10:00", "--set", "decision=s47",
                  "--set", "attendees=police; health", "--set", "attendees=school", "--json")
    added = json.loads(out.stdout)
    assert added["details"]["attendees"] == ["police", "health", "school"]
    cli_run(tmp_path, "milestone", "add", case_id, "s47_started", *base, "--as", "jane.smith",
            "--occurred-at", "2024-11-04 15:00")
    cli_run(tmp_path, "milestone", "add", case_id, "became_looked_after", *base, "--as", "grace.obi",
            "--occurred-at", "2024-11-05 18:00", "--set", "legal_status=police_protection")
    # a typed field parsed from text
    cli_run(tmp_path, "milestone", "add", case_id, "legal_planning_meeting", *base, "--as", "grace.obi",
            "--occurred-at", "2024-11-06 10:00", "--set", "threshold_met=yes", "--set",
            "decision=pre_proceedings")
    # refusals: exit 1 with the rule's message
    proc = cli_run(tmp_path, "milestone", "add", case_id, "icpc", *base, "--as", "jane.smith",
                   "--occurred-at", "2024-11-06 10:00", "--set", "decision=maybe", "--json", check=1)
    error = json.loads(proc.stderr.strip().splitlines()[-1])
    assert error["error"] == "RuleViolation" and "must be one of: cp_plan, no_cp_plan" in error["message"]
    proc = cli_run(tmp_path, "milestone", "add", case_id, "cf_assessment_authorised", *base, "--as",
                   "jane.smith",
                   "--occurred-at", "2024-11-06 10:00", check=1)
    assert "needs the role team manager or above; Jane Smith is a social worker" in proc.stderr
    proc = cli_run(tmp_path, "milestone", "add", case_id, "legal_planning_meeting", *base, "--as",
                   "grace.obi",
                   "--occurred-at", "2024-11-06 10:00", "--set", "threshold_met=perhaps", check=1)
    assert "threshold_met: 'perhaps' is not yes or no" in proc.stderr
    cli_run(tmp_path, "milestone", "add", case_id, "contact", *base, "--as", "jane.smith",
            "--occurred-at", "2024-11-06 10:00", "--set", "source", check=2)
    proc = cli_run(tmp_path, "milestone", "add", case_id, "case_transfer", *base, "--as", "grace.obi",
                   "--occurred-at", "2024-11-06 10:00", "--set", "to_team=Child Protection", "--set",
                   "reason=a b c", check=1)
    assert ("a case transfer (case_transfer) needs a reason that explains why (at least 3 words and 12 letters; "
            "it has 3 words and 3 letters); got 'a b c'") in proc.stderr

    listed = json.loads(cli_run(tmp_path, "milestone", "list", case_id, *base, "--as", "grace.obi", "--json").stdout)
    assert [m["kind"] for m in listed["milestones"]] == ["strategy_discussion", "s47_started",
                                                         "became_looked_after", "legal_planning_meeting"]
    assert listed["process"]["s47"]["status"] == "open"
    assert listed["process"]["looked_after"]["legal_status"] == "police_protection"
    assert listed["process"]["legal"]["legal_planning"]["threshold_met"] is True
    text = cli_run(tmp_path, "milestone", "list", case_id, *base, "--as", "grace.obi").stdout
    assert "Milestones of Amira Hassan" in text and "strategy_discussion" in text
    assert "Section 47: open (started 04 Nov 2024)" in text and "Looked after since 05 Nov 2024" in text

    kinds = json.loads(cli_run(tmp_path, "milestone", "kinds", "--json").stdout)
    assert [k["kind"] for k in kinds] == list(milestones.KINDS)
    text = cli_run(tmp_path, "milestone", "kinds", "icpc").stdout
    assert "what must come first: a section 47 enquiry" in text and "decision (one of cp_plan" in text
    text = cli_run(tmp_path, "milestone", "kinds", "nfa").stdout
    assert "reason (text that explains: at least 3 words and 12 letters, required)" in text
    proc = cli_run(tmp_path, "milestone", "kinds", "nope", check=1)
    assert "'nope' is not a kind of milestone" in proc.stderr


@pytest.mark.parametrize("command", ["add", "list", "kinds"])
def test_cli_help_has_examples(command: str) -> None:
    result = CliRunner().invoke(cli, ["milestone", command, "--help"], prog_name="caseledger")
    assert result.exit_code == 0 and "Example:" in result.output
    assert f"caseledger milestone {command}" in result.output
