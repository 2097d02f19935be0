"""Legal: legal planning, the Public Law Outline's pre-proceedings, care proceedings and orders.

* A pre-proceedings letter needs a legal planning meeting that decided on pre-proceedings; the
  pre-proceedings meeting needs the letter.
* Care proceedings are issued after a legal planning meeting that decided to issue, never while
  proceedings are open; hearings and the final order need open proceedings.
* A care order made while the child is looked after changes the legal status to a care order
  (s31); a placement order, to a placement order (s21).
* Legal planning, the letter, issuing proceedings and final orders need team manager or above.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from ledger.records.fields import Field
from ledger.records.milestones.base import NOTES, Ctx, Fold, Kind, State, day

LPM_DECISIONS = ("pre_proceedings", "issue_proceedings", "no_legal_action")
ORDERS = ("care_order", "supervision_order", "placement_order", "special_guardianship_order",
          "child_arrangements_order", "no_order")

_F = Field


# --- sequence rules ----------------------------------------------------------------------------


def _r_pre_proceedings_letter(c: Ctx) -> None:
    lpm = c.state["legal"]["legal_planning"]
    if lpm is None or lpm["decision"] != "pre_proceedings":
        why = ("no legal planning meeting is recorded" if lpm is None else
               f"the legal planning meeting of {day(lpm['at'])} decided on "
               f"{lpm['decision'].replace('_', ' ')}")
        raise c.refuse(f"a pre-proceedings letter needs a legal planning meeting that decided on "
                       f"pre-proceedings; {why} on the case of {c.child}")
    c.not_before(lpm["at"], "the legal planning meeting")


def _r_pre_proceedings_meeting(c: Ctx) -> None:
    pre = c.state["legal"]["pre_proceedings"]
    if pre is None or pre["letter_at"] is None:
        raise c.refuse(f"a pre-proceedings meeting needs the pre-proceedings letter first; none is recorded "
                       f"on the case of {c.child}")
    c.not_before(pre["letter_at"], "the pre-proceedings letter")


def _r_proceedings_issued(c: Ctx) -> None:
    legal = c.state["legal"]
    proc = legal["proceedings"]
    if proc is not None and proc["status"] == "open":
        raise c.refuse(f"care proceedings are already open on the case of {c.child} (issued "
                       f"{day(proc['issued_at'])}); record the final order first")
    lpm = legal["legal_planning"]
    if lpm is None or lpm["decision"] != "issue_proceedings":
        why = ("no legal planning meeting is recorded" if lpm is None else
               f"the legal planning meeting of {day(lpm['at'])} decided on "
               f"{lpm['decision'].replace('_', ' ')}")
        raise c.refuse(f"issuing care proceedings needs a legal planning meeting that decided to issue; "
                       f"{why} on the case of {c.child}")
    c.not_before(lpm["at"], "the legal planning meeting")


def _open_proceedings(c: Ctx, what: str) -> None:
    proc = c.state["legal"]["proceedings"]
    if proc is None or proc["status"] != "open":
        why = (f"none have been issued on the case of {c.child}" if proc is None else
               f"the proceedings issued on {day(proc['issued_at'])} ended with a final order on "
               f"{day(proc['final_order']['at'])}")
        raise c.refuse(f"{what} needs open care proceedings; {why}")
    c.not_before(proc["issued_at"], "the issue of the proceedings")


def _r_court_hearing(c: Ctx) -> None:
    _open_proceedings(c, "a court hearing")


def _r_final_order(c: Ctx) -> None:
    _open_proceedings(c, "a final order")


# --- the kinds, in process order ---------------------------------------------------------------

MILESTONES: tuple[Kind, ...] = (
    Kind("legal_planning_meeting", "a legal planning meeting", "legal", (
        _F("threshold_met", "bool", required=True, help="the threshold for proceedings is met"),
        _F("decision", "choice", required=True, choices=LPM_DECISIONS),
        NOTES,
    ), managers=True),
    Kind("pre_proceedings_letter", "a pre-proceedings letter", "legal", (
        NOTES,
    ), managers=True, first="a legal planning meeting that decided on pre-proceedings",
        rule=_r_pre_proceedings_letter),
    Kind("pre_proceedings_meeting", "a pre-proceedings meeting", "legal", (
        _F("attendees", "text_list"),
        NOTES,
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
        NOTES,
    ), managers=True, first="open care proceedings", rule=_r_final_order),
)


# --- fold ------------------------------------------------------------------------------------------


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


FOLDS: dict[str, Fold] = {
    "legal_planning_meeting": _f_lpm,
    "pre_proceedings_letter": _f_pp_letter,
    "pre_proceedings_meeting": _f_pp_meeting,
    "care_proceedings_issued": _f_issued,
    "court_hearing": _f_hearing,
    "final_order": _f_final_order,
}
