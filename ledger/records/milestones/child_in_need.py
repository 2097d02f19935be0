"""Child in need: the CIN plan, its reviews and its end (policy s.18).

* A CIN plan cannot start while another is active; it is reviewed and ended (team manager or
  above) only while active, never before it started.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from ledger.records.fields import Field
from ledger.records.milestones.base import NOTES, Ctx, Fold, Kind, State, day

_F = Field


# --- sequence rules ----------------------------------------------------------------------------


def _r_cin_started(c: Ctx) -> None:
    plan = c.state["cin_plan"]
    if plan is not None and plan["active"]:
        raise c.refuse(f"a child in need plan is already active on the case of {c.child} (started "
                       f"{day(plan['started_at'])}); review it or end it instead")


def _active_cin(c: Ctx, what: str) -> None:
    plan = c.state["cin_plan"]
    if plan is None or not plan["active"]:
        why = (f"none has started on the case of {c.child}" if plan is None else
               f"the plan on the case of {c.child} ended on {day(plan['ended_at'])}")
        raise c.refuse(f"{what} needs an active child in need plan; {why}")
    c.not_before(plan["started_at"], "the start of the CIN plan")


def _r_cin_reviewed(c: Ctx) -> None:
    _active_cin(c, "reviewing a CIN plan")


def _r_cin_ended(c: Ctx) -> None:
    _active_cin(c, "ending a CIN plan")


# --- the kinds, in process order ---------------------------------------------------------------

MILESTONES: tuple[Kind, ...] = (
    Kind("cin_plan_started", "a child in need plan", "child in need", (
        NOTES,
    ), first="no CIN plan active", rule=_r_cin_started),
    Kind("cin_plan_reviewed", "a child in need plan review", "child in need", (
        NOTES,
    ), first="an active CIN plan", rule=_r_cin_reviewed),
    Kind("cin_plan_ended", "the end of a child in need plan", "child in need", (
        _F("reason", "reason", required=True),
    ), managers=True, first="an active CIN plan", rule=_r_cin_ended),
)


# --- fold ------------------------------------------------------------------------------------------


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


FOLDS: dict[str, Fold] = {
    "cin_plan_started": _f_cin_started,
    "cin_plan_reviewed": _f_cin_reviewed,
    "cin_plan_ended": _f_cin_ended,
}
