"""Child protection: strategy discussion, section 47 enquiry, conferences, the CP plan (policy s.18).

* A section 47 enquiry needs a strategy discussion that decided on one (and none open already).
  An S47 outcome and "ICPC not required" (team manager or above) need an open S47.
* An initial child protection conference needs a section 47 enquiry that is open or concluded
  with an ICPC to follow.
* A CP plan (team manager or above) starts after a conference that decided on a plan, never
  while one is active; its category changes (to a different one) and it ends only while
  active, never before it started.
* Core groups and review conferences need an active CP plan.
* Each is never dated before the step it follows (the strategy discussion of the S47, the S47
  of the conference, the conference of the plan, the start of the plan).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from ledger.records.fields import Field
from ledger.records.milestones.base import NOTES, Ctx, Fold, Kind, State, day, local_date

CP_CATEGORIES = ("neglect", "physical", "emotional", "sexual", "multiple")
CONFERENCE_DECISIONS = ("cp_plan", "no_cp_plan")
S47_OUTCOMES = ("substantiated_icpc", "substantiated_no_icpc", "not_substantiated")

_F = Field


# --- sequence rules ----------------------------------------------------------------------------


def _r_s47_started(c: Ctx) -> None:
    s47 = c.state["s47"]
    if s47 is not None and s47["status"] in ("open", "awaiting_icpc"):
        raise c.refuse(f"a section 47 enquiry is already open on the case of {c.child} (started "
                       f"{day(s47['started_at'])}); record its outcome first")
    sd = c.state["strategy"]
    if sd is None or sd["decision"] != "s47" or sd["s47_started"]:
        why = ("no strategy discussion is recorded" if sd is None else
               f"the strategy discussion of {day(sd['at'])} decided on no section 47 enquiry"
               if sd["decision"] != "s47" else
               f"the strategy discussion of {day(sd['at'])} already led to the enquiry started "
               f"{day(s47['started_at'] if s47 else None)}")
        raise c.refuse(f"a section 47 enquiry needs a strategy discussion that decided on one; {why} "
                       f"on the case of {c.child}")
    c.not_before(sd["at"], "the strategy discussion")


def _open_s47(c: Ctx, what: str, statuses: tuple[str, ...] = ("open",)) -> dict[str, Any]:
    s47 = c.state["s47"]
    if s47 is None or s47["status"] not in statuses:
        why = (f"none is open on the case of {c.child}" if s47 is None else
               f"the enquiry started on {day(s47['started_at'])} on the case of {c.child} concluded on "
               f"{day(s47['concluded_at'])}"
               + (f" ({s47['outcome'].replace('_', ' ')})" if s47["outcome"] else ""))
        raise c.refuse(f"{what} needs a section 47 enquiry first; {why}")
    c.not_before(s47["started_at"], "the start of the section 47 enquiry")
    return cast(State, s47)


def _r_s47_outcome(c: Ctx) -> None:
    _open_s47(c, "a section 47 outcome")


def _r_icpc_not_required(c: Ctx) -> None:
    _open_s47(c, "recording that no ICPC is required", ("open", "awaiting_icpc"))


def _r_icpc(c: Ctx) -> None:
    _open_s47(c, "an initial child protection conference", ("open", "awaiting_icpc"))


def _r_cp_plan_started(c: Ctx) -> None:
    plan = c.state["cp_plan"]
    if plan is not None and plan["active"]:
        raise c.refuse(f"a child protection plan is already active on the case of {c.child} (started "
                       f"{day(plan['started_at'])}); change its category or end it instead")
    conf = c.state["conference"]
    if conf is None or conf["decision"] != "cp_plan" or conf["plan_started"]:
        why = ("no child protection conference is recorded" if conf is None else
               f"the {conf['title']} of {day(conf['at'])} decided on no plan"
               if conf["decision"] != "cp_plan" else
               f"the plan decided by the {conf['title']} of {day(conf['at'])} was already started")
        raise c.refuse(f"a CP plan starts after a child protection conference that decided on one; {why} "
                       f"on the case of {c.child}")
    c.not_before(conf["at"], f"the {conf['title']}")


def _active_cp_plan(c: Ctx, what: str) -> dict[str, Any]:
    plan = c.state["cp_plan"]
    if plan is None or not plan["active"]:
        why = (f"none has started on the case of {c.child}" if plan is None else
               f"the plan on the case of {c.child} ended on {day(plan['ended_at'])}")
        raise c.refuse(f"{what} needs an active child protection plan; {why}")
    c.not_before(plan["started_at"], "the start of the CP plan")
    return cast(State, plan)


def _r_cp_plan_category_changed(c: Ctx) -> None:
    plan = _active_cp_plan(c, "changing the category of a CP plan")
    if c.details["category"] == plan["category_latest"]:
        raise c.refuse(f"the CP plan's category is already {plan['category_latest']}; a change names a "
                       "different category")


def _r_cp_plan_ended(c: Ctx) -> None:
    plan = c.state["cp_plan"]
    if plan is None:
        raise c.refuse(f"a CP plan cannot end before it started; none has started on the case of {c.child}")
    if not plan["active"]:
        raise c.refuse(f"the CP plan on the case of {c.child} already ended on {day(plan['ended_at'])}")
    if local_date(c.at) < local_date(plan["started_at"]):
        raise c.refuse(f"a CP plan cannot end before it started: it started on {day(plan['started_at'])}, "
                       f"the end given is {day(c.at)}")


def _r_core_group(c: Ctx) -> None:
    _active_cp_plan(c, "a core group meeting")


def _r_rcpc(c: Ctx) -> None:
    _active_cp_plan(c, "a review child protection conference")


# --- the kinds, in process order ---------------------------------------------------------------

MILESTONES: tuple[Kind, ...] = (
    Kind("strategy_discussion", "a strategy discussion", "child protection", (
        _F("decision", "choice", required=True, choices=("s47", "no_s47"),
           help="whether to start a section 47 enquiry"),
        _F("attendees", "text_list", help="agencies present (police; health; children's social care)"),
        NOTES,
    )),
    Kind("s47_started", "a section 47 enquiry", "child protection", (
        NOTES,
    ), first="a strategy discussion that decided on a section 47 enquiry; no S47 open",
        rule=_r_s47_started),
    Kind("s47_outcome", "a section 47 outcome", "child protection", (
        _F("outcome", "choice", required=True, choices=S47_OUTCOMES),
        NOTES,
    ), managers=True, first="an open section 47 enquiry", rule=_r_s47_outcome),
    Kind("icpc_not_required", "recording that no ICPC is required", "child protection", (
        _F("reason", "reason", required=True),
    ), managers=True, first="an open section 47 enquiry", rule=_r_icpc_not_required),
    Kind("icpc", "an initial child protection conference", "child protection", (
        _F("decision", "choice", required=True, choices=CONFERENCE_DECISIONS),
        _F("chair", help="the independent chair"),
        NOTES,
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
        NOTES,
    ), first="an active CP plan", rule=_r_core_group),
    Kind("rcpc", "a review child protection conference", "child protection", (
        _F("decision", "choice", required=True, choices=CONFERENCE_DECISIONS,
           help="cp_plan: the plan continues; no_cp_plan: end it (record cp_plan_ended)"),
        _F("chair"),
        NOTES,
    ), first="an active CP plan", rule=_r_rcpc),
)


# --- fold ------------------------------------------------------------------------------------------


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


FOLDS: dict[str, Fold] = {
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
}
