"""Children in care: becoming and ceasing to be looked after, placements, reviews and plans (policy s.18).

* A child becomes looked after (team manager or above) once at a time; ceasing needs the child
  to be looked after with no open placement.
* A placement starts only while the child is looked after, and only when no placement is open
  (a move ends the current one first, with the reason for the change); a placement ends only
  when open.
* LAC reviews and care plans need the child to be looked after; a placement plan needs an open
  placement; a pathway plan needs a child who is or has been looked after.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from ledger.records.fields import Field
from ledger.records.milestones.base import NOTES, Ctx, Fold, Kind, State, day

LEGAL_STATUSES = ("s20", "s38_interim_care_order", "s31_care_order", "police_protection",
                  "emergency_protection_order", "s21_placement_order", "remand")
PLACEMENT_TYPES = ("foster_care", "kinship_foster_care", "residential_home", "secure_unit",
                   "placed_with_parents", "supported_accommodation", "adoptive_placement", "other")

_F = Field


# --- sequence rules ----------------------------------------------------------------------------


def _r_became_looked_after(c: Ctx) -> None:
    la = c.state["looked_after"]
    if la is not None and la["status"] == "looked_after":
        raise c.refuse(f"{c.child} is already looked after (since {day(la['since'])}, "
                       f"{la['legal_status']}); record a final order to change the legal status")


def _looked_after(c: Ctx, what: str) -> dict[str, Any]:
    la = c.state["looked_after"]
    if la is None or la["status"] != "looked_after":
        why = (f"{c.child} is not looked after" if la is None else
               f"{c.child} ceased to be looked after on {day(la['ceased_at'])}")
        raise c.refuse(f"{what} needs the child to be looked after first; {why}")
    c.not_before(la["since"], "becoming looked after")
    return cast(State, la)


def _r_ceased_looked_after(c: Ctx) -> None:
    _looked_after(c, "ceasing to be looked after")
    current = c.state["placement"]["current"]
    if current is not None:
        raise c.refuse(f"ceasing to be looked after needs the placement ended first; the placement with "
                       f"{current['carer']} since {day(current['started_at'])} is open")


def _r_placement_started(c: Ctx) -> None:
    _looked_after(c, "a placement")
    current = c.state["placement"]["current"]
    if current is not None:
        raise c.refuse(f"a new placement needs the current one ended first (placement_ended, with the reason "
                       f"for the change); the placement with {current['carer']} since "
                       f"{day(current['started_at'])} is open")


def _r_placement_ended(c: Ctx) -> None:
    current = c.state["placement"]["current"]
    if current is None:
        raise c.refuse(f"ending a placement needs an open placement; none is open on the case of {c.child}")
    c.not_before(current["started_at"], "the start of the placement")


def _r_lac_review(c: Ctx) -> None:
    _looked_after(c, "a looked-after review")


def _r_care_plan(c: Ctx) -> None:
    _looked_after(c, "a care plan")


def _r_placement_plan(c: Ctx) -> None:
    current = c.state["placement"]["current"]
    if current is None:
        raise c.refuse(f"a placement plan needs an open placement; none is open on the case of {c.child}")
    c.not_before(current["started_at"], "the start of the placement")


def _r_pathway_plan(c: Ctx) -> None:
    if c.state["looked_after"] is None:
        raise c.refuse(f"a pathway plan is for a child who is or has been looked after; {c.child} has not "
                       "been looked after")
    c.not_before(c.state["looked_after"]["first_since"], "becoming looked after")


# --- the kinds, in process order ---------------------------------------------------------------

MILESTONES: tuple[Kind, ...] = (
    Kind("became_looked_after", "becoming looked after", "looked after", (
        _F("legal_status", "choice", required=True, choices=LEGAL_STATUSES),
        NOTES,
    ), managers=True, first="the child not already looked after", rule=_r_became_looked_after),
    Kind("ceased_looked_after", "ceasing to be looked after", "looked after", (
        _F("reason", "reason", required=True,
           help="e.g. returned home to her parents; special guardianship order made; adoption order made"),
    ), managers=True, first="the child looked after, with no open placement", rule=_r_ceased_looked_after),
    Kind("placement_started", "a placement", "looked after", (
        _F("placement_type", "choice", required=True, choices=PLACEMENT_TYPES),
        _F("carer", required=True, help="the carer or provider"),
        NOTES,
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
        NOTES,
    ), first="the child looked after", rule=_r_care_plan),
    Kind("placement_plan", "a placement plan", "looked after", (
        NOTES,
    ), first="an open placement", rule=_r_placement_plan),
    Kind("pathway_plan", "a pathway plan", "looked after", (
        NOTES,
    ), first="a child who is or has been looked after", rule=_r_pathway_plan),
)


# --- fold ------------------------------------------------------------------------------------------


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


FOLDS: dict[str, Fold] = {
    "became_looked_after": _f_became_la,
    "ceased_looked_after": _f_ceased_la,
    "placement_started": _f_placement_started,
    "placement_ended": _f_placement_ended,
    "lac_review": _f_lac_review,
    "care_plan": _f_plan,
    "placement_plan": _f_plan,
    "pathway_plan": _f_plan,
}
