"""Contact and referral: the contact, the referral decision, no further action (policy s.3, s.18).

* A referral decision needs a contact awaiting a decision, and is never dated before it.
* No further action is refused while a CP or CIN plan is active, the child is looked after, or
  care proceedings are open (each ends by its own milestone first).
* A referral decision and no further action need team manager or above.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger.records.fields import Field
from ledger.records.milestones.base import Ctx, Fold, Kind, State, day

REFERRAL_DECISIONS = ("no_further_action", "early_help", "referral_accepted")

_F = Field


# --- sequence rules ----------------------------------------------------------------------------


def _r_nfa(c: Ctx) -> None:
    s = c.state
    active = []
    if s["cp_plan"] is not None and s["cp_plan"]["active"]:
        active.append(f"a child protection plan (since {day(s['cp_plan']['started_at'])}): end it with "
                      "cp_plan_ended")
    if s["cin_plan"] is not None and s["cin_plan"]["active"]:
        active.append(f"a child in need plan (since {day(s['cin_plan']['started_at'])}): end it with "
                      "cin_plan_ended")
    if s["looked_after"] is not None and s["looked_after"]["status"] == "looked_after":
        active.append(f"looked-after status (since {day(s['looked_after']['since'])}): record "
                      "ceased_looked_after")
    if s["legal"]["proceedings"] is not None and s["legal"]["proceedings"]["status"] == "open":
        active.append(f"care proceedings (issued {day(s['legal']['proceedings']['issued_at'])}): "
                      "record the final order")
    if active:
        raise c.refuse(f"no further action cannot be recorded while the case of {c.child} has "
                       + "; and ".join(active))


def _r_referral_decision(c: Ctx) -> None:
    contact = c.state["contact"]
    if contact is None:
        raise c.refuse(f"a referral decision needs a contact first; no contact is recorded on the case of "
                       f"{c.child}")
    if contact.get("decision"):
        raise c.refuse(
            f"a referral decision needs a contact awaiting a decision; the contact of {day(contact['at'])} "
            f"on the case of {c.child} was decided on {day(contact['decided_at'])} "
            f"({contact['decision'].replace('_', ' ')}): record the new contact first")
    c.not_before(contact["at"], "the contact")


# --- the kinds, in process order ---------------------------------------------------------------

MILESTONES: tuple[Kind, ...] = (
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
)


# --- fold ------------------------------------------------------------------------------------------


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


FOLDS: dict[str, Fold] = {
    "contact": _f_contact,
    "referral_decision": _f_referral_decision,
    "nfa": _f_nfa,
}
