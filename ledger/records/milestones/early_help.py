"""Early help: the early help assessment and team around the family meetings.

* A TAF meeting needs early help first (an early help assessment or a referral decision of
  early help), and is never dated before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from ledger.records.fields import Field
from ledger.records.milestones.base import NOTES, Ctx, Fold, Kind, State

_F = Field


# --- sequence rules ----------------------------------------------------------------------------


def _r_taf(c: Ctx) -> None:
    eh = c.state["early_help"]
    ref = c.state["referral"]
    if eh is None and not (ref is not None and ref["decision"] == "early_help"):
        raise c.refuse(f"a TAF meeting needs early help first (an early help assessment or a referral "
                       f"decision of early help); neither is recorded on the case of {c.child}")
    c.not_before((eh or {}).get("assessment_at") or (ref["at"] if ref else None), "the early help it follows")


# --- the kinds, in process order ---------------------------------------------------------------

MILESTONES: tuple[Kind, ...] = (
    Kind("early_help_assessment", "an early help assessment", "early help", (
        _F("consent", "bool", required=True, help="the family consented to early help"),
        NOTES,
    )),
    Kind("taf_meeting", "a team around the family meeting", "early help", (
        _F("attendees", "text_list"),
        NOTES,
    ), first="early help (an early help assessment or a referral decision of early help)", rule=_r_taf),
)


# --- fold ------------------------------------------------------------------------------------------


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


FOLDS: dict[str, Fold] = {
    "early_help_assessment": _f_eha,
    "taf_meeting": _f_taf,
}
