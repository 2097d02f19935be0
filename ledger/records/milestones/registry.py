"""The kinds of milestone, in process order, and the check each milestone passes before it is written.

:data:`REGISTRY` gathers the kinds each process family declares (contact and referral,
assessment, child protection, child in need, early help, looked after, legal, the others);
:func:`check` applies a kind's rules (who records it, its fields, its sequence rule) before
:meth:`~ledger.records.case.CaseRecord.record_milestone` writes anything; :func:`recording` gives
the fields of the event it writes.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Mapping
from typing import Any

from ledger.errors import RuleViolation
from ledger.records.fields import check_details, describe, explained_reason, not_future
from ledger.records.milestones import (
    assessment,
    child_in_need,
    child_protection,
    contact,
    early_help,
    legal,
    looked_after,
    other,
)
from ledger.records.milestones.base import PRACTICE_ROLES, Ctx, Kind, full_state
from ledger.records.staff import Role, StaffMember

__all__ = ["KINDS", "REGISTRY", "check", "describe_kind", "kind_of", "recording"]

#: Every kind, by name, in process order.
REGISTRY: dict[str, Kind] = {k.name: k for k in (
    *contact.MILESTONES, *assessment.MILESTONES, *child_protection.MILESTONES, *child_in_need.MILESTONES,
    *early_help.MILESTONES, *looked_after.MILESTONES, *legal.MILESTONES, *other.MILESTONES,
)}

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


def recording(case: Any, *, actor: StaffMember, milestone_id: uuid.UUID, kind: str, details: dict[str, Any],
              occurred_at: _dt.datetime, now: _dt.datetime) -> dict[str, Any]:
    """MilestoneRecorded's fields, once the milestone may be recorded on ``case`` (an open
    :class:`~ledger.records.case.CaseRecord`): dated by the event, not before the child's birth,
    its details and sequence checked (:func:`check`), with any reason for recording it late."""
    occurred_at = case.after_birth("occurred_at", not_future("occurred_at", occurred_at, now), "a milestone")
    details = dict(details)
    late_reason = explained_reason("late_reason", details.pop("late_reason", None),
                                   "recording a milestone after its timescale (policy s.18)", required=False)
    details = check(case, kind=kind, details=details, occurred_at=occurred_at, actor=actor)
    if late_reason:  # why it was recorded after its timescale (policy s.18)
        details["late_reason"] = late_reason
    return {"actor": actor.stamp(), "timestamp": now, "occurred_at": occurred_at, "milestone_id": milestone_id,
            "kind": kind, "details": details}


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
        state = full_state(getattr(case, "process", None) or {})
        k.rule(Ctx(kind=k, case=case, state=state, details=normalised, at=occurred_at))
    return normalised

