"""Restricted records and need-to-know access (policy s.11): who decides, and for how long.

* Restricting a record, lifting a restriction and granting, renewing or revoking need-to-know
  access are decided by a service manager or head of service (:data:`RESTRICTING_ROLES`), each
  with a reason that explains. Restricting is not recording casework: a closed record may be
  restricted, and its restriction lifted, like an open one.
* A record is restricted once at a time (the restriction is lifted first); ``staff_concerned``
  goes with a staff restriction only.
* A grant is to a named worker who has not left, on a restricted record; it runs for
  :data:`GRANT_MONTHS` calendar months unless an earlier end is given, and is renewed, not
  granted twice. A revoked grant is not renewed or revoked again (grant it again); one that has
  ended is not revoked.

Each command function checks a command's rules and gives the fields of the event the case records
(or raises, and nothing is written); :func:`add_grant` and :func:`renew_grant` are what the grant
events do. Functions of plain values and of the case's state: the case imports this module, never
the reverse.
"""

from __future__ import annotations

import datetime as _dt
import enum
from typing import Any

from ledger.errors import NotFound, RuleViolation
from ledger.records.dates import day_text
from ledger.records.fields import aware, explained_reason
from ledger.records.staff import Role, StaffMember
from ledger.records.timescales import LONDON

__all__ = ["GRANT_MONTHS", "RESTRICTING_ROLES", "add_grant", "find_grant", "grant", "grant_until", "kind_label",
           "lift", "months_after", "renew", "renew_grant", "require_decider", "require_restricted", "restrict",
           "revoke"]

#: Who decides to restrict a record, lift a restriction or grant need-to-know access (s.11).
RESTRICTING_ROLES = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
#: A need-to-know grant runs for six calendar months unless an earlier end is given.
GRANT_MONTHS = 6


def months_after(moment: _dt.datetime, months: int) -> _dt.datetime:
    """``moment`` plus calendar ``months`` in London time (31 Aug + 6 months is 28/29 Feb)."""
    local = moment.astimezone(LONDON)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    next_month = _dt.date(year + (month == 12), month % 12 + 1, 1)
    day = min(local.day, (next_month - _dt.timedelta(days=1)).day)
    return local.replace(year=year, month=month, day=day)


def kind_label(kind: Any) -> str:
    """A restriction's kind in words ('staff member's relative'); ``kind`` a RestrictionKind or its value."""
    value = str(getattr(kind, "value", kind))
    return {"staff_member": "staff member", "staff_relative": "staff member's relative",
            "temporary": "temporary"}.get(value, value)


def require_decider(actor: StaffMember, what: str) -> None:
    """Restrictions and grants are decided by a service manager or head of service (policy s.11)."""
    actor.require(f"{what} is decided by a service manager or head of service (policy s.11)", *RESTRICTING_ROLES)


# --- the commands: each checks its rules and gives the fields of the event the case records ---------


def restrict(case: Any, *, actor: StaffMember, kind: enum.Enum, reason: str, now: _dt.datetime,
             staff_concerned: StaffMember | None) -> dict[str, Any]:
    """RecordRestricted's fields (``actor`` may decide, :func:`require_decider`; ``kind`` a RestrictionKind)."""
    current = getattr(case, "restriction", None)
    if current is not None:
        raise RuleViolation(
            f"the record is already restricted ({kind_label(current['kind'])}) since "
            f"{day_text(current['at'])} by {current['by']['full_name']}; lift that restriction first"
        )
    if staff_concerned is not None and kind.value not in ("staff_member", "staff_relative"):
        raise RuleViolation(
            f"staff_concerned names the member of staff a staff restriction is about; the kind "
            f"given is {kind.value}")
    return {"actor": actor.stamp(), "timestamp": now, "occurred_at": now, "kind": kind,
            "reason": explained_reason("reason", reason, "restricting a record (policy s.11)"),
            "staff_concerned": staff_concerned.stamp() if staff_concerned is not None else None}


def lift(case: Any, *, actor: StaffMember, reason: str, now: _dt.datetime) -> dict[str, Any]:
    """RestrictionLifted's fields."""
    require_decider(actor, "lifting a restriction")
    require_restricted(case, "lift the restriction of")
    return {"actor": actor.stamp(), "timestamp": now, "occurred_at": now,
            "reason": explained_reason("reason", reason, "lifting a restriction")}


def grant(case: Any, *, actor: StaffMember, staff: StaffMember, reason: str, now: _dt.datetime,
          until: _dt.datetime | None) -> dict[str, Any]:
    """AccessGranted's fields."""
    require_decider(actor, "granting need-to-know access to a restricted record")
    require_restricted(case, "grant need-to-know access to")
    if not staff.active:
        raise RuleViolation(f"{staff.full_name} ({staff.staff_id}) has left and cannot be granted access")
    held = case.access_grants.get(staff.staff_id)
    if held is not None and held["revoked"] is None and held["until"] > now:
        raise RuleViolation(
            f"{staff.full_name} already has need-to-know access until "
            f"{held['until'].isoformat(timespec='minutes')}; renew it instead")
    return {"actor": actor.stamp(), "timestamp": now, "occurred_at": now, "staff": staff.stamp(),
            "until": grant_until(until, now),
            "reason": explained_reason("reason", reason, "granting need-to-know access")}


def renew(case: Any, *, actor: StaffMember, staff_id: str, reason: str, now: _dt.datetime,
          until: _dt.datetime | None) -> dict[str, Any]:
    """AccessGrantRenewed's fields."""
    require_decider(actor, "renewing need-to-know access")
    held = find_grant(case, staff_id, "renew")
    return {"actor": actor.stamp(), "timestamp": now, "occurred_at": now,
            "staff_id": staff_id, "until": grant_until(until, now),
            "reason": explained_reason("reason", reason,
                                       f"renewing the need-to-know access of {held['staff']['full_name']}")}


def revoke(case: Any, *, actor: StaffMember, staff_id: str, reason: str, now: _dt.datetime) -> dict[str, Any]:
    """AccessGrantRevoked's fields (a grant that has ended is not revoked)."""
    require_decider(actor, "revoking need-to-know access")
    held = find_grant(case, staff_id, "revoke")
    if held["until"] <= now:
        raise RuleViolation(
            f"the need-to-know access of {held['staff']['full_name']} already ended on "
            f"{held['until'].isoformat(timespec='minutes')}; there is nothing to revoke")
    return {"actor": actor.stamp(), "timestamp": now, "occurred_at": now, "staff_id": staff_id,
            "reason": explained_reason("reason", reason,
                                       f"revoking the need-to-know access of {held['staff']['full_name']}")}


# --- what the events do to the case's grants --------------------------------------------------------


def add_grant(grants: dict[str, dict[str, Any]] | None, *, staff: dict[str, Any], until: _dt.datetime,
              reason: str, by: dict[str, Any], at: _dt.datetime) -> dict[str, dict[str, Any]]:
    """The case's grants with a new one for ``staff`` (a new dict: ``grants`` is not changed)."""
    grants = dict(grants or {})
    grants[staff["staff_id"]] = {
        "staff": staff, "until": until, "reason": reason, "by": by,
        "at": at, "renewals": [], "revoked": None,
    }
    return grants


def renew_grant(grant: dict[str, Any], *, until: _dt.datetime, reason: str, by: dict[str, Any],
                at: _dt.datetime) -> None:
    """Renew ``grant`` in place; its renewals keep the end each replaced."""
    grant["renewals"].append({"at": at, "by": by, "reason": reason, "previous_until": grant["until"]})
    grant["until"] = until


# --- helpers ------------------------------------------------------------------------------------------


def require_restricted(case: Any, what: str) -> None:
    """Refuse to ``what`` a record that is not restricted."""
    if getattr(case, "restriction", None) is None:
        raise RuleViolation(f"cannot {what} this record: it is not restricted")


def find_grant(case: Any, staff_id: str, what: str) -> dict[str, Any]:
    """The need-to-know grant of ``staff_id`` on ``case``, refused when there is none or it was revoked."""
    require_restricted(case, f"{what} need-to-know access to")
    grant = (getattr(case, "access_grants", None) or {}).get(staff_id)
    if grant is None:
        raise NotFound(f"no need-to-know grant for {staff_id!r} on this record")
    if grant["revoked"] is not None:
        raise RuleViolation(
            f"the need-to-know access of {grant['staff']['full_name']} was revoked on "
            f"{day_text(grant['revoked']['at'])} by {grant['revoked']['by']['full_name']}; grant it again")
    return grant  # type: ignore[no-any-return]


def grant_until(until: Any, now: _dt.datetime) -> _dt.datetime:
    """The end of a need-to-know grant: six months from ``now`` unless an earlier end is given."""
    longest = months_after(now, GRANT_MONTHS)
    if until is None:
        return longest
    until = aware("until", until)
    if until <= now:
        raise RuleViolation(f"until {until.isoformat(timespec='minutes')} is not in the future")
    if until > longest:
        raise RuleViolation(
            f"until {until.isoformat(timespec='minutes')} is more than {GRANT_MONTHS} months away; a "
            f"need-to-know grant runs at most to {longest.isoformat(timespec='minutes')} and is renewed")
    return until  # type: ignore[no-any-return]
