"""What every milestone module shares: a kind, the context its rule sees, and the process state's shape.

* :class:`Kind`: one kind of milestone (its fields, who records it, what must come first, its
  rule), declared once in the module of its process family;
* :class:`Ctx`: what a sequence rule sees (the case, its process state, the details, the date);
* :func:`initial_state`: the process state of a case with no milestones; every family's fold
  writes into its keys (:data:`Fold`).

Dates are compared as calendar dates in England (:func:`local_date`): two steps on the same day
are in order whatever their times.
"""

from __future__ import annotations

import copy
import datetime as _dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ledger.errors import RuleViolation
from ledger.integrity.topics import stored_as
from ledger.records.dates import day_text
from ledger.records.fields import Field
from ledger.records.staff import Role
from ledger.records.timescales import LONDON

__all__ = ["NOTES", "PRACTICE_ROLES", "Ctx", "Fold", "Kind", "State", "day", "full_state", "initial_state",
           "local_date"]

#: A process state or a milestone's details: a plain dict (stored with the canonical encoding).
State = dict[str, Any]
#: A family's fold of one milestone into the state: (state, details, occurred_at, entry), in place.
Fold = Callable[[State, State, Any, Mapping[str, Any]], None]

#: Roles that may record the practice milestones (as ``ledger.records.case.CASEWORK_ROLES``).
PRACTICE_ROLES = (Role.SOCIAL_WORKER, Role.SENIOR_PRACTITIONER, Role.TEAM_MANAGER, Role.SERVICE_MANAGER,
                  Role.HEAD_OF_SERVICE, Role.IRO, Role.EDT)

#: The short summary most kinds take.
NOTES = Field("notes", help="a short summary (the detail goes in a case note)")


# --- the context a rule sees ------------------------------------------------------------------


@dataclass
class Ctx:
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
        if local_date(self.at) < local_date(earlier):
            raise RuleViolation(
                f"{self.kind.title} dated {day(self.at)} cannot come before {what} it follows, "
                f"on {day(earlier)}; milestones are dated by the event (occurred_at)"
            )


def local_date(value: _dt.datetime | _dt.date) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.astimezone(LONDON).date()
    return value


def day(value: _dt.datetime | _dt.date | None) -> str:
    """'03 Nov 2026' (the date in England, :func:`ledger.records.dates.day_text`)."""
    return day_text(value)


# --- a kind --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of milestone: its fields, who records it, and what must come first."""

    name: str
    title: str  # "an initial child protection conference": used in messages
    stage: str  # the part of the process, for help
    fields: tuple[Field, ...] = ()
    managers: bool = False  # team manager or above; else any practice role
    first: str = ""  # what must come first, in words (for help)
    rule: Callable[[Ctx], None] | None = None

    @property
    def who(self) -> str:
        if self.managers:
            return "team manager or above"
        return "a practice or management role (social worker to head of service, IRO, EDT)"


# --- the process state -----------------------------------------------------------------------------


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


def full_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """A private copy of ``state`` with every key present (a stored state may predate a key)."""
    out = initial_state()
    out.update(copy.deepcopy(dict(state)))
    return out


stored_as(__name__, "ledger.milestones")  # its classes keep the topics they were first stored under
