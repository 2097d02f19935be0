"""Process milestones: the statutory workflow of a child's case (policy s.3, s.7, s.13, s.18).

A milestone is a dated step of the process (a contact, a referral decision, an assessment
authorised, a strategy discussion, a child protection plan started, a placement, a final
order...). Each kind is declared once in :data:`REGISTRY`: its fields (:class:`~ledger.records.fields.Field`),
who may record it, and what must come first. :func:`check` applies those rules before
:meth:`~ledger.records.case.CaseRecord.record_milestone` writes anything; :func:`fold` computes the
case's process state from the milestones (pure, and only plain values: the state is part of
the case snapshot, stored with the ledger's canonical encoding); :func:`replay` rebuilds it
from a list of entries, skipping the superseded ones (roll-backs, policy s.13).

The milestone's date is its ``occurred_at`` (when it happened, never in the future). Dates are
compared as calendar dates in England: two steps on the same day are in order whatever their
times.

Rules (each refusal is a :class:`~ledger.errors.RuleViolation` that names the rule and what is
missing; a refused milestone writes nothing):

* The kind must be one of :data:`KINDS`; the details must match its fields (no unknown field,
  required fields present, values of the declared type, choices known).
* Who records: referral decisions, NFA, authorising an assessment, S47 outcomes and "ICPC not
  required", starting, re-categorising and ending a CP plan, ending a CIN plan, the start and end
  of being looked after, legal planning, the pre-proceedings letter, issuing proceedings, final
  orders and case transfers need team manager or above (:class:`~ledger.errors.PermissionDenied`
  otherwise). Every other kind (meetings, visits, plans, placements, conferences, reviews) needs
  a practice or management role (social worker to head of service, IRO, EDT).
* Contact and referral: a referral decision needs a contact awaiting a decision. No further
  action is refused while a CP or CIN plan is active, the child is looked after, or care
  proceedings are open (each ends by its own milestone first). A child and
  family assessment cannot start while one is in progress, nor after a referral decision of no
  further action or early help with no later accepted referral. Completion needs an assessment
  in progress; authorisation needs a completed, unauthorised assessment.
* Child protection: a section 47 enquiry needs a strategy discussion that decided on one (and
  none open already). An S47 outcome and "ICPC not required" need an open S47. An initial child
  protection conference needs a section 47 enquiry that is open or concluded with an ICPC to
  follow. A CP plan starts after a conference that decided on a plan, never while one is active;
  its category changes (to a different one) and it ends only while active, never before it
  started. Core groups and review conferences need an active CP plan.
* Child in need and early help: a CIN plan is reviewed and ended only while active; one
  cannot start while another is active. A TAF meeting needs early help first (an early help
  assessment or a referral decision of early help).
* Looked after: a child becomes looked after once at a time; ceasing needs the child to be
  looked after with no open placement. A placement starts only while the child is looked after,
  and only when no placement is open (a move ends the current one first, with the reason for
  the change); a placement ends only when open. LAC reviews and care plans need the child to be
  looked after; a placement plan needs an open placement; a pathway plan needs a child who is
  or has been looked after.
* Legal: a pre-proceedings letter needs a legal planning meeting that decided on
  pre-proceedings; the pre-proceedings meeting needs the letter. Care proceedings are issued
  after a legal planning meeting that decided to issue, never while proceedings are open;
  hearings and the final order need open proceedings. A care order made while the child is
  looked after changes the legal status to a care order (s31).
* A case transfer names a team other than the one holding the case.
* Dates: a milestone is never dated before the earlier milestone it follows (the contact it
  decides, the assessment it completes, the strategy discussion of the S47, the S47 of the
  conference, the plan it reviews or ends, the placement it ends, the letter of the meeting...).
"""

from __future__ import annotations

import copy
import datetime as _dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from ledger.errors import RuleViolation
from ledger.integrity.topics import stored_as
from ledger.records.dates import day_text
from ledger.records.fields import Field, check_details, describe
from ledger.records.staff import Role, StaffMember
from ledger.records.timescales import LONDON

#: A process state or a milestone's details: a plain dict (stored with the canonical encoding).
State = dict[str, Any]

__all__ = ["KINDS", "REGISTRY", "Kind", "check", "describe_kind", "fold", "initial_state", "replay"]


#: Roles that may record the practice milestones (as ``ledger.records.case.CASEWORK_ROLES``).
PRACTICE_ROLES = (Role.SOCIAL_WORKER, Role.SENIOR_PRACTITIONER, Role.TEAM_MANAGER, Role.SERVICE_MANAGER,
                  Role.HEAD_OF_SERVICE, Role.IRO, Role.EDT)

REFERRAL_DECISIONS = ("no_further_action", "early_help", "referral_accepted")
CP_CATEGORIES = ("neglect", "physical", "emotional", "sexual", "multiple")
CONFERENCE_DECISIONS = ("cp_plan", "no_cp_plan")
S47_OUTCOMES = ("substantiated_icpc", "substantiated_no_icpc", "not_substantiated")
LEGAL_STATUSES = ("s20", "s38_interim_care_order", "s31_care_order", "police_protection",
                  "emergency_protection_order", "s21_placement_order", "remand")
PLACEMENT_TYPES = ("foster_care", "kinship_foster_care", "residential_home", "secure_unit",
                   "placed_with_parents", "supported_accommodation", "adoptive_placement", "other")
LPM_DECISIONS = ("pre_proceedings", "issue_proceedings", "no_legal_action")
ORDERS = ("care_order", "supervision_order", "placement_order", "special_guardianship_order",
          "child_arrangements_order", "no_order")


# --- the context a rule sees ------------------------------------------------------------------


@dataclass
class _Ctx:
    kind: Kind
    case: Any
    state: dict[str, Any]
    details: dict[str, Any]
    at: _dt.datetime

    @property
    def child(self) -> str:
        return str(self.case.child["name"])

    def refuse(self, text: str) -> RuleViolation:
        return RuleViolation(text)

    def not_before(self, earlier: _dt.datetime | _dt.date | None, what: str) -> None:
        """Refuse a date before the earlier milestone this one follows (calendar days, London)."""
        if earlier is None:
            return
        if _local_date(self.at) < _local_date(earlier):
            raise RuleViolation(
                f"{self.kind.title} dated {_day(self.at)} cannot come before {what} it follows, "
                f"on {_day(earlier)}; milestones are dated by the event (occurred_at)"
            )


def _local_date(value: _dt.datetime | _dt.date) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.astimezone(LONDON).date()
    return value


def _day(value: _dt.datetime | _dt.date | None) -> str:
    """'03 Nov 2026' (the date in England, :func:`ledger.records.dates.day_text`)."""
    return day_text(value)


# --- the registry --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of milestone: its fields, who records it, and what must come first."""

    name: str
    title: str  # "an initial child protection conference": used in messages
    stage: str  # the part of the process, for help
    fields: tuple[Field, ...] = ()
    managers: bool = False  # team manager or above; else any practice role
    first: str = ""  # what must come first, in words (for help)
    rule: Callable[[_Ctx], None] | None = None

    @property
    def who(self) -> str:
        if self.managers:
            return "team manager or above"
        return "a practice or management role (social worker to head of service, IRO, EDT)"


# --- sequence rules ----------------------------------------------------------------------------


def _r_nfa(c: _Ctx) -> None:
    s = c.state
    active = []
    if s["cp_plan"] is not None and s["cp_plan"]["active"]:
        active.append(f"a child protection plan (since {_day(s['cp_plan']['started_at'])}): end it with "
                      "cp_plan_ended")
    if s["cin_plan"] is not None and s["cin_plan"]["active"]:
        active.append(f"a child in need plan (since {_day(s['cin_plan']['started_at'])}): end it with "
                      "cin_plan_ended")
    if s["looked_after"] is not None and s["looked_after"]["status"] == "looked_after":
        active.append(f"looked-after status (since {_day(s['looked_after']['since'])}): record "
                      "ceased_looked_after")
    if s["legal"]["proceedings"] is not None and s["legal"]["proceedings"]["status"] == "open":
        active.append(f"care proceedings (issued {_day(s['legal']['proceedings']['issued_at'])}): "
                      "record the final order")
    if active:
        raise c.refuse(f"no further action cannot be recorded while the case of {c.child} has "
                       + "; and ".join(active))


def _r_referral_decision(c: _Ctx) -> None:
    contact = c.state["contact"]
    if contact is None:
        raise c.refuse(f"a referral decision needs a contact first; no contact is recorded on the case of "
                       f"{c.child}")
    if contact.get("decision"):
        raise c.refuse(
            f"a referral decision needs a contact awaiting a decision; the contact of {_day(contact['at'])} "
            f"on the case of {c.child} was decided on {_day(contact['decided_at'])} "
            f"({contact['decision'].replace('_', ' ')}): record the new contact first")
    c.not_before(contact["at"], "the contact")


def _r_assessment_started(c: _Ctx) -> None:
    a = c.state["assessment"]
    if a is not None and a["status"] == "started":
        raise c.refuse(
            f"a child and family assessment cannot start while one is in progress; the assessment started "
            f"on {_day(a['started_at'])} on the case of {c.child} is not completed")
    ref = c.state["referral"]
    if ref is not None:
        if ref["decision"] != "referral_accepted":
            raise c.refuse(
                f"a child and family assessment needs an accepted referral; the referral decision of "
                f"{_day(ref['at'])} on the case of {c.child} was {ref['decision'].replace('_', ' ')}: "
                "record a new contact and a referral decision first")
        c.not_before(ref["at"], "the referral decision")
    c.not_before(c.case.referral["date"], "the referral")


def _r_assessment_completed(c: _Ctx) -> None:
    a = c.state["assessment"]
    if a is None or a["status"] != "started":
        raise c.refuse(
            "completing an assessment needs an assessment in progress; "
            + (f"none has been started on the case of {c.child}" if a is None else
               f"the assessment started on {_day(a['started_at'])} is already {a['status']}"))
    c.not_before(a["started_at"], "the start of the assessment")


def _r_assessment_authorised(c: _Ctx) -> None:
    a = c.state["assessment"]
    if a is None:
        raise c.refuse(f"authorising an assessment needs a completed assessment; none has been started on "
                       f"the case of {c.child}")
    if a["status"] == "started":
        raise c.refuse(f"authorising an assessment needs a completed assessment; the assessment started on "
                       f"{_day(a['started_at'])} is not completed")
    if a["status"] == "authorised":
        raise c.refuse(f"the assessment started on {_day(a['started_at'])} was already authorised on "
                       f"{_day(a['authorised_at'])}; an assessment is authorised once")
    c.not_before(a["completed_at"], "the completion of the assessment")


def _r_s47_started(c: _Ctx) -> None:
    s47 = c.state["s47"]
    if s47 is not None and s47["status"] in ("open", "awaiting_icpc"):
        raise c.refuse(f"a section 47 enquiry is already open on the case of {c.child} (started "
                       f"{_day(s47['started_at'])}); record its outcome first")
    sd = c.state["strategy"]
    if sd is None or sd["decision"] != "s47" or sd["s47_started"]:
        why = ("no strategy discussion is recorded" if sd is None else
               f"the strategy discussion of {_day(sd['at'])} decided on no section 47 enquiry"
               if sd["decision"] != "s47" else
               f"the strategy discussion of {_day(sd['at'])} already led to the enquiry started "
               f"{_day(s47['started_at'] if s47 else None)}")
        raise c.refuse(f"a section 47 enquiry needs a strategy discussion that decided on one; {why} "
                       f"on the case of {c.child}")
    c.not_before(sd["at"], "the strategy discussion")


def _open_s47(c: _Ctx, what: str, statuses: tuple[str, ...] = ("open",)) -> dict[str, Any]:
    s47 = c.state["s47"]
    if s47 is None or s47["status"] not in statuses:
        why = (f"none is open on the case of {c.child}" if s47 is None else
               f"the enquiry started on {_day(s47['started_at'])} on the case of {c.child} concluded on "
               f"{_day(s47['concluded_at'])}"
               + (f" ({s47['outcome'].replace('_', ' ')})" if s47["outcome"] else ""))
        raise c.refuse(f"{what} needs a section 47 enquiry first; {why}")
    c.not_before(s47["started_at"], "the start of the section 47 enquiry")
    return cast(State, s47)


def _r_s47_outcome(c: _Ctx) -> None:
    _open_s47(c, "a section 47 outcome")


def _r_icpc_not_required(c: _Ctx) -> None:
    _open_s47(c, "recording that no ICPC is required", ("open", "awaiting_icpc"))


def _r_icpc(c: _Ctx) -> None:
    _open_s47(c, "an initial child protection conference", ("open", "awaiting_icpc"))


def _r_cp_plan_started(c: _Ctx) -> None:
    plan = c.state["cp_plan"]
    if plan is not None and plan["active"]:
        raise c.refuse(f"a child protection plan is already active on the case of {c.child} (started "
                       f"{_day(plan['started_at'])}); change its category or end it instead")
    conf = c.state["conference"]
    if conf is None or conf["decision"] != "cp_plan" or conf["plan_started"]:
        why = ("no child protection conference is recorded" if conf is None else
               f"the {conf['title']} of {_day(conf['at'])} decided on no plan"
               if conf["decision"] != "cp_plan" else
               f"the plan decided by the {conf['title']} of {_day(conf['at'])} was already started")
        raise c.refuse(f"a CP plan starts after a child protection conference that decided on one; {why} "
                       f"on the case of {c.child}")
    c.not_before(conf["at"], f"the {conf['title']}")


def _active_cp_plan(c: _Ctx, what: str) -> dict[str, Any]:
    plan = c.state["cp_plan"]
    if plan is None or not plan["active"]:
        why = (f"none has started on the case of {c.child}" if plan is None else
               f"the plan on the case of {c.child} ended on {_day(plan['ended_at'])}")
        raise c.refuse(f"{what} needs an active child protection plan; {why}")
    c.not_before(plan["started_at"], "the start of the CP plan")
    return cast(State, plan)


def _r_cp_plan_category_changed(c: _Ctx) -> None:
    plan = _active_cp_plan(c, "changing the category of a CP plan")
    if c.details["category"] == plan["category_latest"]:
        raise c.refuse(f"the CP plan's category is already {plan['category_latest']}; a change names a "
                       "different category")


def _r_cp_plan_ended(c: _Ctx) -> None:
    plan = c.state["cp_plan"]
    if plan is None:
        raise c.refuse(f"a CP plan cannot end before it started; none has started on the case of {c.child}")
    if not plan["active"]:
        raise c.refuse(f"the CP plan on the case of {c.child} already ended on {_day(plan['ended_at'])}")
    if _local_date(c.at) < _local_date(plan["started_at"]):
        raise c.refuse(f"a CP plan cannot end before it started: it started on {_day(plan['started_at'])}, "
                       f"the end given is {_day(c.at)}")


def _r_core_group(c: _Ctx) -> None:
    _active_cp_plan(c, "a core group meeting")


def _r_rcpc(c: _Ctx) -> None:
    _active_cp_plan(c, "a review child protection conference")


def _r_cin_started(c: _Ctx) -> None:
    plan = c.state["cin_plan"]
    if plan is not None and plan["active"]:
        raise c.refuse(f"a child in need plan is already active on the case of {c.child} (started "
                       f"{_day(plan['started_at'])}); review it or end it instead")


def _active_cin(c: _Ctx, what: str) -> None:
    plan = c.state["cin_plan"]
    if plan is None or not plan["active"]:
        why = (f"none has started on the case of {c.child}" if plan is None else
               f"the plan on the case of {c.child} ended on {_day(plan['ended_at'])}")
        raise c.refuse(f"{what} needs an active child in need plan; {why}")
    c.not_before(plan["started_at"], "the start of the CIN plan")


def _r_cin_reviewed(c: _Ctx) -> None:
    _active_cin(c, "reviewing a CIN plan")


def _r_cin_ended(c: _Ctx) -> None:
    _active_cin(c, "ending a CIN plan")


def _r_taf(c: _Ctx) -> None:
    eh = c.state["early_help"]
    ref = c.state["referral"]
    if eh is None and not (ref is not None and ref["decision"] == "early_help"):
        raise c.refuse(f"a TAF meeting needs early help first (an early help assessment or a referral "
                       f"decision of early help); neither is recorded on the case of {c.child}")
    c.not_before((eh or {}).get("assessment_at") or (ref["at"] if ref else None), "the early help it follows")


def _r_became_looked_after(c: _Ctx) -> None:
    la = c.state["looked_after"]
    if la is not None and la["status"] == "looked_after":
        raise c.refuse(f"{c.child} is already looked after (since {_day(la['since'])}, "
                       f"{la['legal_status']}); record a final order to change the legal status")


def _looked_after(c: _Ctx, what: str) -> dict[str, Any]:
    la = c.state["looked_after"]
    if la is None or la["status"] != "looked_after":
        why = (f"{c.child} is not looked after" if la is None else
               f"{c.child} ceased to be looked after on {_day(la['ceased_at'])}")
        raise c.refuse(f"{what} needs the child to be looked after first; {why}")
    c.not_before(la["since"], "becoming looked after")
    return cast(State, la)


def _r_ceased_looked_after(c: _Ctx) -> None:
    _looked_after(c, "ceasing to be looked after")
    current = c.state["placement"]["current"]
    if current is not None:
        raise c.refuse(f"ceasing to be looked after needs the placement ended first; the placement with "
                       f"{current['carer']} since {_day(current['started_at'])} is open")


def _r_placement_started(c: _Ctx) -> None:
    _looked_after(c, "a placement")
    current = c.state["placement"]["current"]
    if current is not None:
        raise c.refuse(f"a new placement needs the current one ended first (placement_ended, with the reason "
                       f"for the change); the placement with {current['carer']} since "
                       f"{_day(current['started_at'])} is open")


def _r_placement_ended(c: _Ctx) -> None:
    current = c.state["placement"]["current"]
    if current is None:
        raise c.refuse(f"ending a placement needs an open placement; none is open on the case of {c.child}")
    c.not_before(current["started_at"], "the start of the placement")


def _r_lac_review(c: _Ctx) -> None:
    _looked_after(c, "a looked-after review")


def _r_care_plan(c: _Ctx) -> None:
    _looked_after(c, "a care plan")


def _r_placement_plan(c: _Ctx) -> None:
    current = c.state["placement"]["current"]
    if current is None:
        raise c.refuse(f"a placement plan needs an open placement; none is open on the case of {c.child}")
    c.not_before(current["started_at"], "the start of the placement")


def _r_pathway_plan(c: _Ctx) -> None:
    if c.state["looked_after"] is None:
        raise c.refuse(f"a pathway plan is for a child who is or has been looked after; {c.child} has not "
                       "been looked after")
    c.not_before(c.state["looked_after"]["first_since"], "becoming looked after")


def _r_pre_proceedings_letter(c: _Ctx) -> None:
    lpm = c.state["legal"]["legal_planning"]
    if lpm is None or lpm["decision"] != "pre_proceedings":
        why = ("no legal planning meeting is recorded" if lpm is None else
               f"the legal planning meeting of {_day(lpm['at'])} decided on "
               f"{lpm['decision'].replace('_', ' ')}")
        raise c.refuse(f"a pre-proceedings letter needs a legal planning meeting that decided on "
                       f"pre-proceedings; {why} on the case of {c.child}")
    c.not_before(lpm["at"], "the legal planning meeting")


def _r_pre_proceedings_meeting(c: _Ctx) -> None:
    pre = c.state["legal"]["pre_proceedings"]
    if pre is None or pre["letter_at"] is None:
        raise c.refuse(f"a pre-proceedings meeting needs the pre-proceedings letter first; none is recorded "
                       f"on the case of {c.child}")
    c.not_before(pre["letter_at"], "the pre-proceedings letter")


def _r_proceedings_issued(c: _Ctx) -> None:
    legal = c.state["legal"]
    proc = legal["proceedings"]
    if proc is not None and proc["status"] == "open":
        raise c.refuse(f"care proceedings are already open on the case of {c.child} (issued "
                       f"{_day(proc['issued_at'])}); record the final order first")
    lpm = legal["legal_planning"]
    if lpm is None or lpm["decision"] != "issue_proceedings":
        why = ("no legal planning meeting is recorded" if lpm is None else
               f"the legal planning meeting of {_day(lpm['at'])} decided on "
               f"{lpm['decision'].replace('_', ' ')}")
        raise c.refuse(f"issuing care proceedings needs a legal planning meeting that decided to issue; "
                       f"{why} on the case of {c.child}")
    c.not_before(lpm["at"], "the legal planning meeting")


def _open_proceedings(c: _Ctx, what: str) -> None:
    proc = c.state["legal"]["proceedings"]
    if proc is None or proc["status"] != "open":
        why = (f"none have been issued on the case of {c.child}" if proc is None else
               f"the proceedings issued on {_day(proc['issued_at'])} ended with a final order on "
               f"{_day(proc['final_order']['at'])}")
        raise c.refuse(f"{what} needs open care proceedings; {why}")
    c.not_before(proc["issued_at"], "the issue of the proceedings")


def _r_court_hearing(c: _Ctx) -> None:
    _open_proceedings(c, "a court hearing")


def _r_final_order(c: _Ctx) -> None:
    _open_proceedings(c, "a final order")


def _r_case_transfer(c: _Ctx) -> None:
    if c.details["to_team"] == c.case.team:
        raise c.refuse(f"the case of {c.child} is already held by the {c.case.team} team; a transfer names "
                       "another team")


# --- the kinds -------------------------------------------------------------------------------------

_F = Field
_CFA = "child and family assessment"
_NOTES = _F("notes", help="a short summary (the detail goes in a case note)")

REGISTRY: dict[str, Kind] = {k.name: k for k in [
    # contact and referral
    Kind("contact", "a contact", "contact and referral", (
        _F("source", required=True, help="who made contact: police, school, health, family, anonymous..."),
        _F("channel", "choice", choices=("telephone", "email", "online_form", "in_person", "letter", "mash")),
        _F("concern", help="the concern, in a line"),
    )),
    Kind("referral_decision", "a referral decision", "contact and referral", (
        _F("decision", "choice", required=True, choices=REFERRAL_DECISIONS,
           help="decided within one working day of the contact"),
        _F("reason", "reason"),
    ), managers=True, first="a contact awaiting a decision", rule=_r_referral_decision),
    Kind("nfa", "no further action", "contact and referral", (
        _F("reason", "reason", required=True, help="why no further action"),
    ), managers=True, first="no active CP or CIN plan, looked-after status or open proceedings", rule=_r_nfa),
    # child and family assessment
    Kind("cf_assessment_started", "a child and family assessment", "child and family assessment", (
        _F("notes", help="scope of the assessment"),
    ), first="no assessment in progress; an accepted referral (not NFA or early help)",
        rule=_r_assessment_started),
    Kind("cf_assessment_completed", "completing a child and family assessment", _CFA, (
        _F("factors", "text_list", required=True,
           help="factors identified (e.g. domestic abuse; parental mental health)"),
        _F("recommendation", "choice", choices=("no_further_action", "early_help", "cin_plan",
                                                "strategy_discussion", "looked_after")),
        _NOTES,
    ), first="an assessment in progress", rule=_r_assessment_completed),
    Kind("cf_assessment_authorised", "authorising a child and family assessment", _CFA, (
        _NOTES,
    ), managers=True, first="a completed assessment, not yet authorised", rule=_r_assessment_authorised),
    # child protection
    Kind("strategy_discussion", "a strategy discussion", "child protection", (
        _F("decision", "choice", required=True, choices=("s47", "no_s47"),
           help="whether to start a section 47 enquiry"),
        _F("attendees", "text_list", help="agencies present (police; health; children's social care)"),
        _NOTES,
    )),
    Kind("s47_started", "a section 47 enquiry", "child protection", (
        _NOTES,
    ), first="a strategy discussion that decided on a section 47 enquiry; no S47 open",
        rule=_r_s47_started),
    Kind("s47_outcome", "a section 47 outcome", "child protection", (
        _F("outcome", "choice", required=True, choices=S47_OUTCOMES),
        _NOTES,
    ), managers=True, first="an open section 47 enquiry", rule=_r_s47_outcome),
    Kind("icpc_not_required", "recording that no ICPC is required", "child protection", (
        _F("reason", "reason", required=True),
    ), managers=True, first="an open section 47 enquiry", rule=_r_icpc_not_required),
    Kind("icpc", "an initial child protection conference", "child protection", (
        _F("decision", "choice", required=True, choices=CONFERENCE_DECISIONS),
        _F("chair", help="the independent chair"),
        _NOTES,
    ), first="a section 47 enquiry, open or concluded with an ICPC to follow", rule=_r_icpc),
    Kind("cp_plan_started", "a child protection plan", "child protection", (
        _F("category", "choice", required=True, choices=CP_CATEGORIES, help="category of abuse"),
    ), managers=True, first="a conference that decided on a CP plan; no plan active",
        rule=_r_cp_plan_started),
    Kind("cp_plan_category_changed", "changing the category of a CP plan", "child protection", (
        _F("category", "choice", required=True, choices=CP_CATEGORIES, help="the new category of abuse"),
        _F("reason", "reason"),
    ), managers=True, first="an active CP plan", rule=_r_cp_plan_category_changed),
    Kind("cp_plan_ended", "the end of a child protection plan", "child protection", (
        _F("reason", "reason", required=True, help="e.g. review conference decided no plan; moved out of the area"),
        _F("step_down", "choice", choices=("cin_plan", "early_help", "no_further_action", "looked_after")),
    ), managers=True, first="an active CP plan (a plan cannot end before it started)", rule=_r_cp_plan_ended),
    Kind("core_group_meeting", "a core group meeting", "child protection", (
        _F("attendees", "text_list"),
        _NOTES,
    ), first="an active CP plan", rule=_r_core_group),
    Kind("rcpc", "a review child protection conference", "child protection", (
        _F("decision", "choice", required=True, choices=CONFERENCE_DECISIONS,
           help="cp_plan: the plan continues; no_cp_plan: end it (record cp_plan_ended)"),
        _F("chair"),
        _NOTES,
    ), first="an active CP plan", rule=_r_rcpc),
    # child in need
    Kind("cin_plan_started", "a child in need plan", "child in need", (
        _NOTES,
    ), first="no CIN plan active", rule=_r_cin_started),
    Kind("cin_plan_reviewed", "a child in need plan review", "child in need", (
        _NOTES,
    ), first="an active CIN plan", rule=_r_cin_reviewed),
    Kind("cin_plan_ended", "the end of a child in need plan", "child in need", (
        _F("reason", "reason", required=True),
    ), managers=True, first="an active CIN plan", rule=_r_cin_ended),
    # early help
    Kind("early_help_assessment", "an early help assessment", "early help", (
        _F("consent", "bool", required=True, help="the family consented to early help"),
        _NOTES,
    )),
    Kind("taf_meeting", "a team around the family meeting", "early help", (
        _F("attendees", "text_list"),
        _NOTES,
    ), first="early help (an early help assessment or a referral decision of early help)", rule=_r_taf),
    # looked after
    Kind("became_looked_after", "becoming looked after", "looked after", (
        _F("legal_status", "choice", required=True, choices=LEGAL_STATUSES),
        _NOTES,
    ), managers=True, first="the child not already looked after", rule=_r_became_looked_after),
    Kind("ceased_looked_after", "ceasing to be looked after", "looked after", (
        _F("reason", "reason", required=True,
           help="e.g. returned home to her parents; special guardianship order made; adoption order made"),
    ), managers=True, first="the child looked after, with no open placement", rule=_r_ceased_looked_after),
    Kind("placement_started", "a placement", "looked after", (
        _F("placement_type", "choice", required=True, choices=PLACEMENT_TYPES),
        _F("carer", required=True, help="the carer or provider"),
        _NOTES,
    ), first="the child looked after; no placement open", rule=_r_placement_started),
    Kind("placement_ended", "the end of a placement", "looked after", (
        _F("reason", "reason", required=True, help="the reason for the change"),
    ), first="an open placement", rule=_r_placement_ended),
    Kind("lac_review", "a looked-after review", "looked after", (
        _F("chair", help="the IRO who chaired"),
        _F("recommendations", "text_list"),
    ), first="the child looked after", rule=_r_lac_review),
    Kind("care_plan", "a care plan", "looked after", (
        _F("permanence_plan", "choice", choices=("return_home", "kinship_care", "long_term_fostering",
                                                 "adoption", "special_guardianship", "residential",
                                                 "independence")),
        _NOTES,
    ), first="the child looked after", rule=_r_care_plan),
    Kind("placement_plan", "a placement plan", "looked after", (
        _NOTES,
    ), first="an open placement", rule=_r_placement_plan),
    Kind("pathway_plan", "a pathway plan", "looked after", (
        _NOTES,
    ), first="a child who is or has been looked after", rule=_r_pathway_plan),
    # legal
    Kind("legal_planning_meeting", "a legal planning meeting", "legal", (
        _F("threshold_met", "bool", required=True, help="the threshold for proceedings is met"),
        _F("decision", "choice", required=True, choices=LPM_DECISIONS),
        _NOTES,
    ), managers=True),
    Kind("pre_proceedings_letter", "a pre-proceedings letter", "legal", (
        _NOTES,
    ), managers=True, first="a legal planning meeting that decided on pre-proceedings",
        rule=_r_pre_proceedings_letter),
    Kind("pre_proceedings_meeting", "a pre-proceedings meeting", "legal", (
        _F("attendees", "text_list"),
        _NOTES,
    ), first="the pre-proceedings letter", rule=_r_pre_proceedings_meeting),
    Kind("care_proceedings_issued", "issuing care proceedings", "legal", (
        _F("court", required=True),
        _F("application", "choice", required=True, choices=("care_order", "supervision_order",
                                                            "placement_order")),
    ), managers=True, first="a legal planning meeting that decided to issue; no proceedings open",
        rule=_r_proceedings_issued),
    Kind("court_hearing", "a court hearing", "legal", (
        _F("hearing", "choice", required=True, choices=("case_management", "interim_care_order",
                                                        "issues_resolution", "final", "other")),
        _F("outcome", required=True),
    ), first="open care proceedings", rule=_r_court_hearing),
    Kind("final_order", "a final order", "legal", (
        _F("order", "choice", required=True, choices=ORDERS),
        _NOTES,
    ), managers=True, first="open care proceedings", rule=_r_final_order),
    # other
    Kind("private_fostering_notification", "a private fostering notification", "private fostering", (
        _F("carer", required=True, help="the private foster carer"),
        _F("arrangement_start", "date", help="when the arrangement started or will start"),
        _NOTES,
    )),
    Kind("case_transfer", "a case transfer", "transfer", (
        _F("to_team", required=True, help="the team receiving the case"),
        _F("reason", "reason"),
    ), managers=True, first="a team other than the one holding the case", rule=_r_case_transfer),
]}

#: The kinds, in process order.
KINDS: tuple[str, ...] = tuple(REGISTRY)


def kind_of(kind: str) -> Kind:
    found = REGISTRY.get(kind) if isinstance(kind, str) else None
    if found is None:
        raise RuleViolation(f"{kind!r} is not a kind of milestone; the kinds are: {', '.join(KINDS)}")
    return found


def describe_kind(kind: str) -> str:
    """Help text for one kind: what it is, who records it, what must come first, its fields."""
    k = kind_of(kind)
    fields = describe(k.fields) if k.fields else "(none)"
    return "\n".join([
        f"{k.name}: {k.title} ({k.stage})",
        f"  who may record it: {k.who}",
        f"  what must come first: {k.first or 'nothing'}",
        "  fields:",
        *(f"    {line}" for line in fields.splitlines()),
    ])


# --- check ---------------------------------------------------------------------------------------


def check(case: Any, *, kind: str, details: Mapping[str, Any], occurred_at: _dt.datetime,
          actor: StaffMember) -> dict[str, Any]:
    """The normalised details of a milestone ``kind`` on ``case``, or a RuleViolation/PermissionDenied."""
    k = kind_of(kind)
    if k.managers:
        actor.require(f"recording {k.title} ({k.name}) needs the role team manager or above",
                      at_least=Role.TEAM_MANAGER)
    else:
        actor.require(f"recording {k.title} ({k.name}) needs a practice or management role", *PRACTICE_ROLES)
    if not isinstance(details, Mapping):
        raise RuleViolation(f"the details of {k.title} must be a mapping of field to value, got {details!r}")
    normalised = check_details(f"{k.title} ({k.name})", k.fields, details)
    if k.rule is not None:
        state = _full(getattr(case, "process", None) or {})
        k.rule(_Ctx(kind=k, case=case, state=state, details=normalised, at=occurred_at))
    return normalised


# --- fold ------------------------------------------------------------------------------------------


def initial_state() -> dict[str, Any]:
    """The process state of a case with no milestones."""
    return {
        "contact": None,       # the latest contact: at, source, channel, decision, decided_at
        "referral": None,      # the latest referral decision: at, decision
        "nfa": None,           # the latest "no further action": at, reason
        "assessment": None,    # the latest C&F assessment: status, started/completed/authorised_at, factors
        "assessments": 0,      # how many were started
        "strategy": None,      # the latest strategy discussion: at, decision, s47_started
        "s47": None,           # the latest S47: status (open, awaiting_icpc, concluded), outcome, dates
        "conference": None,    # the latest ICPC/RCPC: kind, title, at, decision, plan_started
        "cp_plan": None,       # active, category_initial, category_latest, started_at, ended_at, ...
        "cin_plan": None,      # active, started_at, last_review_at, reviews, ended_at, end_reason
        "early_help": None,    # assessment_at, consent, last_taf_at, taf_meetings
        "looked_after": None,  # status, legal_status, since, first_since, ceased_at, episodes
        "placement": {"current": None, "history": []},
        "lac_review": None,    # latest_at, count
        "plans": {"care_plan": None, "placement_plan": None, "pathway_plan": None},
        "legal": {"plo_stage": None, "legal_planning": None, "pre_proceedings": None, "proceedings": None},
        "private_fostering": None,
        "transfers": [],
        "last": None,          # the latest milestone: kind, at
    }


_STATE_KEYS = frozenset(initial_state())


def _full(state: Mapping[str, Any]) -> dict[str, Any]:
    """A private copy of ``state`` with every key present (a stored state may predate a key)."""
    out = initial_state()
    out.update(copy.deepcopy(dict(state)))
    return out


def fold(state: Mapping[str, Any] | None, entry: Mapping[str, Any]) -> dict[str, Any]:
    """The process state after ``entry`` (a new dict; ``state`` is not changed).

    Tolerant by design: it never refuses (:func:`check` did that before the milestone was
    written), so a replay that skips superseded entries always gives a state.
    """
    new = _full(state or {})
    fold_into(new, entry)
    return new


def fold_into(state: dict[str, Any], entry: Mapping[str, Any]) -> None:
    """Apply ``entry`` to ``state`` in place: how a case record's own state is kept up to date
    (copying the whole process state for every milestone made replays slow)."""
    if len(state) < len(_STATE_KEYS):  # a stored state may predate a key (building a fresh state costs)
        for key, value in initial_state().items():
            state.setdefault(key, value)
    kind = entry["kind"]
    at = entry["occurred_at"]
    d = copy.deepcopy(dict(entry.get("details") or {}))
    apply = _FOLDS.get(kind)
    if apply is not None:
        apply(state, d, at, entry)
    state["last"] = {"kind": kind, "at": at}


def replay(entries: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The process state from ``entries`` in order, skipping those superseded (roll-backs)."""
    state = initial_state()
    for entry in entries:
        if entry.get("superseded_by") is None:
            state = fold(state, entry)
    return state


def _f_contact(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    s["contact"] = {"at": at, "source": d.get("source"), "channel": d.get("channel"),
                    "concern": d.get("concern"), "decision": None, "decided_at": None}


def _f_referral_decision(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    s["referral"] = {"at": at, "decision": d.get("decision"), "reason": d.get("reason"),
                     "by": e.get("by")}
    if s["contact"] is not None:
        s["contact"]["decision"] = d.get("decision")
        s["contact"]["decided_at"] = at
    if d.get("decision") == "no_further_action":
        s["nfa"] = {"at": at, "reason": d.get("reason") or "referral decision"}
    if d.get("decision") == "early_help":
        s["early_help"] = s["early_help"] or {"assessment_at": None, "consent": None, "last_taf_at": None,
                                              "taf_meetings": 0}


def _f_nfa(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    s["nfa"] = {"at": at, "reason": d.get("reason")}


def _f_assessment_started(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    s["assessment"] = {"status": "started", "started_at": at, "completed_at": None, "authorised_at": None,
                       "authorised_by": None, "factors": [], "recommendation": None}
    s["assessments"] += 1


def _assessment(s: State, at: Any) -> State:
    if s["assessment"] is None:
        s["assessment"] = {"status": "started", "started_at": None, "completed_at": None,
                           "authorised_at": None, "authorised_by": None, "factors": [],
                           "recommendation": None}
    return cast(State, s["assessment"])


def _f_assessment_completed(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    a = _assessment(s, at)
    a.update(status="completed", completed_at=at, factors=list(d.get("factors") or []),
             recommendation=d.get("recommendation"))


def _f_assessment_authorised(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    a = _assessment(s, at)
    a.update(status="authorised", authorised_at=at, authorised_by=e.get("by"))


def _f_strategy(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    s["strategy"] = {"at": at, "decision": d.get("decision"), "s47_started": False}


def _f_s47_started(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    s["s47"] = {"status": "open", "started_at": at, "outcome": None, "concluded_at": None}
    if s["strategy"] is not None:
        s["strategy"]["s47_started"] = True


def _s47(s: State) -> State:
    if s["s47"] is None:
        s["s47"] = {"status": "open", "started_at": None, "outcome": None, "concluded_at": None}
    return cast(State, s["s47"])


def _f_s47_outcome(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    s47 = _s47(s)
    # The enquiry concludes on the date of its outcome, whatever the outcome: one that leads to an
    # ICPC is concluded then too (awaiting the conference), and the conference does not change it.
    s47.update(outcome=d.get("outcome"), concluded_at=at,
               status="awaiting_icpc" if d.get("outcome") == "substantiated_icpc" else "concluded")


def _f_icpc_not_required(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    s47 = _s47(s)
    s47.update(status="concluded", icpc_not_required=d.get("reason"))
    if s47["outcome"] is None:  # no outcome recorded before it: concluded by this decision
        s47["concluded_at"] = at


def _f_conference(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    kind = e["kind"]
    s["conference"] = {"kind": kind, "title": "ICPC" if kind == "icpc" else "review conference", "at": at,
                       "decision": d.get("decision"), "plan_started": False}
    if kind == "icpc":
        s47 = _s47(s)
        s47["status"] = "concluded"
        if s47["outcome"] is None:  # an ICPC with no outcome recorded before it: the conference concludes it
            s47.update(outcome="substantiated_icpc", concluded_at=at)
    elif s["cp_plan"] is not None:
        s["cp_plan"]["last_review_at"] = at
        s["cp_plan"]["reviews"] = s["cp_plan"].get("reviews", 0) + 1


def _f_cp_plan_started(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    s["cp_plan"] = {"active": True, "category_initial": d.get("category"),
                    "category_latest": d.get("category"),
                    "categories": [{"category": d.get("category"), "from": at}], "started_at": at,
                    "ended_at": None, "end_reason": None, "step_down": None, "core_groups": 0,
                    "last_core_group_at": None, "last_review_at": None, "reviews": 0}
    if s["conference"] is not None:
        s["conference"]["plan_started"] = True


def _cp(s: State) -> State:
    if s["cp_plan"] is None:
        _f_cp_plan_started(s, {}, None, {})
    return cast(State, s["cp_plan"])


def _f_cp_category(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    plan = _cp(s)
    plan["category_latest"] = d.get("category")
    plan["categories"].append({"category": d.get("category"), "from": at})


def _f_cp_ended(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    _cp(s).update(active=False, ended_at=at, end_reason=d.get("reason"), step_down=d.get("step_down"))


def _f_core_group(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    plan = _cp(s)
    plan["core_groups"] += 1
    plan["last_core_group_at"] = at


def _f_cin_started(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    s["cin_plan"] = {"active": True, "started_at": at, "last_review_at": None, "reviews": 0,
                     "ended_at": None, "end_reason": None}


def _cin(s: State) -> State:
    if s["cin_plan"] is None:
        _f_cin_started(s, {}, None, {})
    return cast(State, s["cin_plan"])


def _f_cin_reviewed(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    plan = _cin(s)
    plan["reviews"] += 1
    plan["last_review_at"] = at


def _f_cin_ended(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    _cin(s).update(active=False, ended_at=at, end_reason=d.get("reason"))


def _eh(s: State) -> State:
    if s["early_help"] is None:
        s["early_help"] = {"assessment_at": None, "consent": None, "last_taf_at": None, "taf_meetings": 0}
    return cast(State, s["early_help"])


def _f_eha(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    _eh(s).update(assessment_at=at, consent=d.get("consent"))


def _f_taf(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    eh = _eh(s)
    eh["taf_meetings"] += 1
    eh["last_taf_at"] = at


def _f_became_la(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    prior = s["looked_after"] or {}
    episodes = list(prior.get("episodes") or [])
    episodes.append({"since": at, "legal_status": d.get("legal_status"), "ceased_at": None, "reason": None})
    s["looked_after"] = {"status": "looked_after", "legal_status": d.get("legal_status"), "since": at,
                         "first_since": prior.get("first_since") or at, "ceased_at": None,
                         "ceased_reason": None, "episodes": episodes}


def _f_ceased_la(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    la = s["looked_after"]
    if la is None:
        return
    la.update(status="ceased", ceased_at=at, ceased_reason=d.get("reason"))
    if la["episodes"]:
        la["episodes"][-1].update(ceased_at=at, reason=d.get("reason"))


def _f_placement_started(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    p = s["placement"]
    if p["current"] is not None:  # a replay without the end: close it where the new one starts
        p["history"].append({**p["current"], "ended_at": at, "reason": None})
    p["current"] = {"placement_type": d.get("placement_type"), "carer": d.get("carer"), "started_at": at}


def _f_placement_ended(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    p = s["placement"]
    if p["current"] is None:
        return
    p["history"].append({**p["current"], "ended_at": at, "reason": d.get("reason")})
    p["current"] = None


def _f_lac_review(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    prior = s["lac_review"] or {"count": 0}
    s["lac_review"] = {"latest_at": at, "count": prior["count"] + 1,
                       "recommendations": list(d.get("recommendations") or [])}


def _f_plan(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    s["plans"][e["kind"]] = at


def _legal(s: State, stage: str) -> State:
    s["legal"]["plo_stage"] = stage
    return cast(State, s["legal"])


def _f_lpm(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    _legal(s, "legal_planning")["legal_planning"] = {"at": at, "decision": d.get("decision"),
                                                    "threshold_met": d.get("threshold_met")}


def _f_pp_letter(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    _legal(s, "pre_proceedings_letter")["pre_proceedings"] = {"letter_at": at, "meeting_at": None}


def _f_pp_meeting(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    legal = _legal(s, "pre_proceedings_meeting")
    legal["pre_proceedings"] = {**(legal["pre_proceedings"] or {"letter_at": None}), "meeting_at": at}


def _f_issued(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    _legal(s, "proceedings_issued")["proceedings"] = {
        "status": "open", "issued_at": at, "court": d.get("court"), "application": d.get("application"),
        "hearings": [], "final_order": None}


def _proceedings(s: State) -> State:
    if s["legal"]["proceedings"] is None:
        _f_issued(s, {}, None, {})
    return cast(State, s["legal"]["proceedings"])


def _f_hearing(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    _proceedings(s)["hearings"].append({"at": at, "hearing": d.get("hearing"), "outcome": d.get("outcome")})


def _f_final_order(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    proc = _proceedings(s)
    proc.update(status="concluded", final_order={"at": at, "order": d.get("order")})
    s["legal"]["plo_stage"] = "final_order"
    la = s["looked_after"]
    if d.get("order") == "care_order" and la is not None and la["status"] == "looked_after":
        la["legal_status"] = "s31_care_order"
    if d.get("order") == "placement_order" and la is not None and la["status"] == "looked_after":
        la["legal_status"] = "s21_placement_order"


def _f_private_fostering(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    s["private_fostering"] = {"notified_at": at, "carer": d.get("carer"),
                              "arrangement_start": d.get("arrangement_start")}


def _f_transfer(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    s["transfers"].append({"at": at, "to_team": d.get("to_team"), "reason": d.get("reason")})


_FOLDS: dict[str, Callable[[State, State, Any, Mapping[str, Any]], None]] = {
    "contact": _f_contact,
    "referral_decision": _f_referral_decision,
    "nfa": _f_nfa,
    "cf_assessment_started": _f_assessment_started,
    "cf_assessment_completed": _f_assessment_completed,
    "cf_assessment_authorised": _f_assessment_authorised,
    "strategy_discussion": _f_strategy,
    "s47_started": _f_s47_started,
    "s47_outcome": _f_s47_outcome,
    "icpc_not_required": _f_icpc_not_required,
    "icpc": _f_conference,
    "rcpc": _f_conference,
    "cp_plan_started": _f_cp_plan_started,
    "cp_plan_category_changed": _f_cp_category,
    "cp_plan_ended": _f_cp_ended,
    "core_group_meeting": _f_core_group,
    "cin_plan_started": _f_cin_started,
    "cin_plan_reviewed": _f_cin_reviewed,
    "cin_plan_ended": _f_cin_ended,
    "early_help_assessment": _f_eha,
    "taf_meeting": _f_taf,
    "became_looked_after": _f_became_la,
    "ceased_looked_after": _f_ceased_la,
    "placement_started": _f_placement_started,
    "placement_ended": _f_placement_ended,
    "lac_review": _f_lac_review,
    "care_plan": _f_plan,
    "placement_plan": _f_plan,
    "pathway_plan": _f_plan,
    "legal_planning_meeting": _f_lpm,
    "pre_proceedings_letter": _f_pp_letter,
    "pre_proceedings_meeting": _f_pp_meeting,
    "care_proceedings_issued": _f_issued,
    "court_hearing": _f_hearing,
    "final_order": _f_final_order,
    "private_fostering_notification": _f_private_fostering,
    "case_transfer": _f_transfer,
}
assert set(_FOLDS) == set(REGISTRY), set(_FOLDS) ^ set(REGISTRY)


stored_as(__name__, "ledger.milestones")  # its classes keep the topics they were first stored under
