"""The child and family assessment: started, completed, authorised (policy s.18).

* An assessment cannot start while one is in progress, nor after a referral decision of no
  further action or early help with no later accepted referral; it is never dated before the
  referral decision (or the referral) it follows.
* Completion needs an assessment in progress; authorisation (team manager or above) needs a
  completed, unauthorised assessment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from ledger.records.fields import Field
from ledger.records.milestones.base import NOTES, Ctx, Fold, Kind, State, day

_F = Field
_CFA = "child and family assessment"


# --- sequence rules ----------------------------------------------------------------------------


def _r_assessment_started(c: Ctx) -> None:
    a = c.state["assessment"]
    if a is not None and a["status"] == "started":
        raise c.refuse(
            f"a child and family assessment cannot start while one is in progress; the assessment started "
            f"on {day(a['started_at'])} on the case of {c.child} is not completed")
    ref = c.state["referral"]
    if ref is not None:
        if ref["decision"] != "referral_accepted":
            raise c.refuse(
                f"a child and family assessment needs an accepted referral; the referral decision of "
                f"{day(ref['at'])} on the case of {c.child} was {ref['decision'].replace('_', ' ')}: "
                "record a new contact and a referral decision first")
        c.not_before(ref["at"], "the referral decision")
    c.not_before(c.case.referral["date"], "the referral")


def _r_assessment_completed(c: Ctx) -> None:
    a = c.state["assessment"]
    if a is None or a["status"] != "started":
        raise c.refuse(
            "completing an assessment needs an assessment in progress; "
            + (f"none has been started on the case of {c.child}" if a is None else
               f"the assessment started on {day(a['started_at'])} is already {a['status']}"))
    c.not_before(a["started_at"], "the start of the assessment")


def _r_assessment_authorised(c: Ctx) -> None:
    a = c.state["assessment"]
    if a is None:
        raise c.refuse(f"authorising an assessment needs a completed assessment; none has been started on "
                       f"the case of {c.child}")
    if a["status"] == "started":
        raise c.refuse(f"authorising an assessment needs a completed assessment; the assessment started on "
                       f"{day(a['started_at'])} is not completed")
    if a["status"] == "authorised":
        raise c.refuse(f"the assessment started on {day(a['started_at'])} was already authorised on "
                       f"{day(a['authorised_at'])}; an assessment is authorised once")
    c.not_before(a["completed_at"], "the completion of the assessment")


# --- the kinds, in process order ---------------------------------------------------------------

MILESTONES: tuple[Kind, ...] = (
    Kind("cf_assessment_started", "a child and family assessment", "child and family assessment", (
        _F("notes", help="scope of the assessment"),
    ), first="no assessment in progress; an accepted referral (not NFA or early help)",
        rule=_r_assessment_started),
    Kind("cf_assessment_completed", "completing a child and family assessment", _CFA, (
        _F("factors", "text_list", required=True,
           help="factors identified (e.g. domestic abuse; parental mental health)"),
        _F("recommendation", "choice", choices=("no_further_action", "early_help", "cin_plan",
                                                "strategy_discussion", "looked_after")),
        NOTES,
    ), first="an assessment in progress", rule=_r_assessment_completed),
    Kind("cf_assessment_authorised", "authorising a child and family assessment", _CFA, (
        NOTES,
    ), managers=True, first="a completed assessment, not yet authorised", rule=_r_assessment_authorised),
)


# --- fold ------------------------------------------------------------------------------------------


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


FOLDS: dict[str, Fold] = {
    "cf_assessment_started": _f_assessment_started,
    "cf_assessment_completed": _f_assessment_completed,
    "cf_assessment_authorised": _f_assessment_authorised,
}
