"""Opening, allocating and closing a case record: what a case needs, and who may (policy s.3).

The rules :class:`~ledger.records.case.CaseRecord`'s ``open``, ``allocate`` and ``close`` obey
(each refusal is a :class:`~ledger.errors.RuleViolation` naming the rule, the field and the
people involved; a refused command writes nothing):

* Opening: the child's name, a date of birth or (pre-birth) an expected date of birth, the
  referral date and source, and an allocated team and worker are required. The worker must be
  a social worker, senior practitioner or team manager in that team. Dates are calendar dates,
  not in the future; no date of birth before :data:`EARLIEST_BIRTH`, nor after the referral.
* Allocating needs team manager or above, and a worker of the team that will hold the case,
  other than the one allocated now.
* Closing needs team manager or above. A case with draft notes cannot be closed: they must be
  finalised or deleted first. A case is closed on a day not in the future.
* Re-opening needs a closed case and team manager or above. Allocating, closing and re-opening
  need a reason that explains.

Each command function checks a command's rules and gives the fields of the event the case records
(or raises, and nothing is written). Functions of plain values and of the case's state: the case
imports this module, never the reverse.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ledger.errors import RuleViolation
from ledger.records.dates import day_text
from ledger.records.fields import calendar_date, explained_reason, not_future, text_field
from ledger.records.staff import CASEWORK_ROLES, Role, StaffMember
from ledger.records.timescales import local_today

__all__ = ["ALLOCATABLE_ROLES", "EARLIEST_BIRTH", "allocation", "check_worker", "closed", "closure", "opened",
           "opening", "reopened", "reopening"]

#: Roles that may hold a case as its allocated worker.
ALLOCATABLE_ROLES = (Role.SOCIAL_WORKER, Role.SENIOR_PRACTITIONER, Role.TEAM_MANAGER)
#: No date of birth before this (a typing slip: 1016 for 2016).
EARLIEST_BIRTH = _dt.date(1900, 1, 1)


# --- the commands: each checks its rules and gives the fields of the event the case records ---------


def opening(*, actor: StaffMember, child_name: str, referral_date: _dt.date, referral_source: str, team: str,
            worker: StaffMember, now: _dt.datetime, occurred_at: _dt.datetime, date_of_birth: _dt.date | None,
            expected_date_of_birth: _dt.date | None) -> dict[str, Any]:
    """Opened's fields, once everything opening a case needs is there and right."""
    actor.require("opening a case record needs a practice or management role", *CASEWORK_ROLES)
    name = text_field("child_name", child_name, required=True, rule=" to open a case record")
    if (date_of_birth is None) == (expected_date_of_birth is None):
        raise RuleViolation(
            "opening a case record needs either date_of_birth or, for a pre-birth referral, "
            "expected_date_of_birth (one of the two, not both)"
        )
    calendar_date("referral_date", referral_date)
    for field, value in (("date_of_birth", date_of_birth),
                         ("expected_date_of_birth", expected_date_of_birth)):
        if value is not None:
            calendar_date(field, value)
    today = local_today(now)
    if referral_date > today:
        raise RuleViolation(f"referral_date {day_text(referral_date)} is in the future "
                            f"(today is {day_text(today)})", field="referral_date")
    if date_of_birth is not None and date_of_birth > today:
        raise RuleViolation(
            f"date_of_birth {day_text(date_of_birth)} is in the future; for an unborn child give "
            "expected_date_of_birth", fields=("date_of_birth", "expected_date_of_birth")
        )
    born = date_of_birth if date_of_birth is not None else expected_date_of_birth
    field = "date_of_birth" if date_of_birth is not None else "expected_date_of_birth"
    if born is not None and born < EARLIEST_BIRTH:
        raise RuleViolation(f"{field} {day_text(born)} is before {EARLIEST_BIRTH.year}: a child's date of birth "
                            f"is on or after {day_text(EARLIEST_BIRTH)}", field=field)
    if date_of_birth is not None and date_of_birth > referral_date:
        raise RuleViolation(
            f"date_of_birth {day_text(date_of_birth)} is after the referral_date "
            f"{day_text(referral_date)}: a child is referred once born; a referral before birth gives "
            "expected_date_of_birth",
            fields=("date_of_birth", "referral_date", "expected_date_of_birth"))
    source = text_field("referral_source", referral_source, required=True, rule=" to open a case record")
    check_worker(worker, team)
    return {"actor": actor.stamp(), "timestamp": now, "occurred_at": not_future("occurred_at", occurred_at, now),
            "child_name": name, "date_of_birth": date_of_birth, "expected_date_of_birth": expected_date_of_birth,
            "referral_date": referral_date, "referral_source": source, "team": team, "worker": worker.stamp()}


def allocation(case: Any, *, actor: StaffMember, team: str, worker: StaffMember, reason: str,
               now: _dt.datetime) -> dict[str, Any]:
    """Allocated's fields, once ``case`` (an open :class:`~ledger.records.case.CaseRecord`) may be
    allocated to ``worker`` in ``team``."""
    actor.require("allocating a case needs the role team manager or above", at_least=Role.TEAM_MANAGER)
    check_worker(worker, team)
    if worker.staff_id == case.worker["staff_id"] and team == case.team:
        raise RuleViolation(f"{worker.full_name} is already the allocated worker in {team}")
    return {"actor": actor.stamp(), "timestamp": now, "occurred_at": now, "team": team, "worker": worker.stamp(),
            "reason": explained_reason(
                "reason", reason, f"allocating the case to {worker.full_name} ({worker.staff_id}) in {team}")}


def closure(case: Any, *, actor: StaffMember, reason: str, closed_on: _dt.date, now: _dt.datetime) -> dict[str, Any]:
    """Closed's fields, once ``case`` (an open :class:`~ledger.records.case.CaseRecord`) may be closed
    on ``closed_on``."""
    actor.require("closing a case needs the role team manager or above", at_least=Role.TEAM_MANAGER)
    drafts = [n for n in case.notes.values() if n["status"] == "draft" and not n["deleted"]]
    if drafts:
        raise RuleViolation(
            f"the case of {case.child['name']} has {len(drafts)} draft case note(s); finalise "
            "or delete them before closing (all recording is finalised, policy s.3)"
        )
    if calendar_date("closed_on", closed_on) > local_today(now):
        raise RuleViolation(f"closed_on {day_text(closed_on)} is in the future "
                            f"(today is {day_text(local_today(now))})")
    return {"actor": actor.stamp(), "timestamp": now, "occurred_at": now,
            "reason": explained_reason("reason", reason, "closing a case"), "closed_on": closed_on}


def reopening(case: Any, *, actor: StaffMember, reason: str, now: _dt.datetime) -> dict[str, Any]:
    """Reopened's fields, once ``case`` (a closed :class:`~ledger.records.case.CaseRecord`) may be re-opened."""
    if case.status != "closed":
        raise RuleViolation(f"the case of {case.child['name']} is open; only a closed case is re-opened")
    actor.require("re-opening a case needs the role team manager or above", at_least=Role.TEAM_MANAGER)
    return {"actor": actor.stamp(), "timestamp": now, "occurred_at": now,
            "reason": explained_reason("reason", reason, "re-opening a case")}


# --- what the events do to the case --------------------------------------------------------------


def opened(case: Any, event: Any) -> None:
    """The state of a case just opened (``event`` its Opened event): a child, a referral, an allocation."""
    case.child = {
        "name": event.child_name,
        "date_of_birth": event.date_of_birth,
        "expected_date_of_birth": event.expected_date_of_birth,
    }
    case.referral = {"date": event.referral_date, "source": event.referral_source}
    case.team = event.team
    case.worker = event.worker
    case.status = "open"
    case.closure = None
    case.closure_history = []  # every closure and re-opening: action, on, reason, by, at
    case.notes = {}
    case.decisions = []
    case.opened_by = event.actor
    case.milestones = []  # process milestones, in the order recorded
    case.process = {}  # the process state folded from the milestones (ledger.records.milestones)
    case.records = {}  # casework records by id: hazards, chronology entries, ... (ledger.records.casework)


def closed(case: Any, event: Any) -> None:
    """A case closed (``event`` its Closed event): the closure, and one more entry in its history."""
    case.status = "closed"
    case.closure = {"reason": event.reason, "closed_on": event.closed_on, "by": event.actor}
    case.closure_history.append({"action": "closed", "on": event.closed_on, "reason": event.reason,
                                 "by": event.actor, "at": event.timestamp})


def reopened(case: Any, event: Any) -> None:
    """A case re-opened (``event`` its Reopened event), on the day it happened in England."""
    case.status = "open"
    case.closure_history.append({"action": "reopened", "on": local_today(event.occurred_at),
                                 "reason": event.reason, "by": event.actor, "at": event.timestamp})


# --- helpers ------------------------------------------------------------------------------------------


def check_worker(worker: StaffMember, team: str) -> None:
    if not team or not isinstance(team, str):
        raise RuleViolation("team is required: a case is allocated to a team and a worker")
    if not worker.active:
        raise RuleViolation(f"{worker.full_name} ({worker.staff_id}) has left and cannot be allocated a case")
    if not worker.has_role(*ALLOCATABLE_ROLES):
        raise RuleViolation(
            f"the allocated worker must be a social worker, senior practitioner or team manager; "
            f"{worker.full_name} is {worker.role_label}"
        )
    if worker.team != team:
        raise RuleViolation(
            f"{worker.full_name} is in the {worker.team} team, not {team}: allocate to a worker "
            "of the team that holds the case"
        )

