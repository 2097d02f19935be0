"""The staff directory's commands: add a staff member, change their details, record their leaving.

Who may: the first staff member is added by the ledger itself and must be an admin; after that,
only an admin adds, changes or records the leaving of anyone, and the directory always keeps an
active admin. Staff ids are never reused. Reading the directory is the ledger's own read
(:meth:`ledger.core.LedgerCore.staff_member`, ``list_staff``, ``staff_ids``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from ledger.core import SYSTEM_ACTOR, Service, command
from ledger.errors import RuleViolation
from ledger.records.staff import Role, StaffMember, staff_stream_id, validate_email, validate_roles
from ledger.storage import translate_storage_errors

__all__ = ["StaffService", "email_free_for"]


class StaffService(Service):
    """``ledger.staff``: add, change, record_leaving."""

    @command
    def add(self, acting: str | None, *, staff_id: str, full_name: str, designation: str,
            team: str, roles: Iterable[str | Role], email: str | None = None) -> StaffMember:
        """Add a staff member. The first one added must be an admin and needs no ``acting``.

        ``email``: the address they sign in with (single sign-on), refused when another active
        staff member signs in with it; recorded in the same write as their joining."""
        ledger = self.ledger
        now = ledger.now()
        if not ledger.stream_ids(StaffMember.Joined, limit=1):
            roles = validate_roles(roles)
            if Role.ADMIN not in roles:
                raise RuleViolation(
                    "the staff directory is empty: the first staff member added must hold the "
                    "admin role, so that they can add the others"
                )
            actor_stamp = ledger.unlisted_stamp(SYSTEM_ACTOR)
        else:
            actor = ledger.actor(acting)
            actor.require("adding a staff member needs the admin role", Role.ADMIN)
            actor_stamp = actor.stamp()
        with translate_storage_errors("checking the staff directory"):
            existing: StaffMember | None
            try:
                existing = ledger.repository.get(staff_stream_id(staff_id))
            except AggregateNotFoundError:
                existing = None
        if existing is not None:
            raise RuleViolation(
                f"staff id {staff_id!r} is already used by {existing.full_name}; staff ids are never reused"
            )
        member = StaffMember.join(actor=actor_stamp, staff_id=staff_id, full_name=full_name,
                                  designation=designation, team=team, roles=roles, occurred_at=now)
        if email:
            address = email_free_for(ledger.list_staff(), staff_id, email)
            member.change(actor=actor_stamp, occurred_at=now, email=address)
        ledger.store(f"adding staff member {staff_id}", member)
        return member

    @command
    def change(self, acting: str | None, staff_id: str, **changes: Any) -> StaffMember:
        """Change a staff member's details (name, designation, team, roles, sign-in email: one
        another active member signs in with is refused; ``""`` removes it)."""
        ledger = self.ledger
        actor = ledger.actor(acting)
        actor.require("changing a staff member's details needs the admin role", Role.ADMIN)
        member = ledger.staff_member(staff_id, for_change=True)
        if changes.get("email") is not None:
            changes["email"] = email_free_for(ledger.list_staff(), staff_id, changes["email"])
        if "roles" in changes and Role.ADMIN not in validate_roles(changes["roles"]):
            self._keep_an_admin(member, "remove the admin role from")
        member.change(actor=actor.stamp(), occurred_at=ledger.now(), **changes)
        ledger.store(f"changing staff member {staff_id}", member)
        return member

    @command
    def record_leaving(self, acting: str | None, staff_id: str, reason: str) -> StaffMember:
        """Record that a staff member left (they keep their id, and can no longer act)."""
        ledger = self.ledger
        actor = ledger.actor(acting)
        actor.require("recording that a staff member left needs the admin role", Role.ADMIN)
        member = ledger.staff_member(staff_id, for_change=True)
        self._keep_an_admin(member, "record the leaving of")
        member.leave(actor=actor.stamp(), occurred_at=ledger.now(), reason=reason)
        ledger.store(f"recording that {staff_id} left", member)
        return member

    def _keep_an_admin(self, member: StaffMember, what: str) -> None:
        """Refuse a change that would leave the directory with no active admin to manage it."""
        if not (member.active and member.has_role(Role.ADMIN)):
            return
        others = [m for m in self.ledger.list_staff()
                  if m.staff_id != member.staff_id and m.active and m.has_role(Role.ADMIN)]
        if not others:
            raise RuleViolation(
                f"cannot {what} {member.full_name}: they are the only active admin, and nobody could "
                "then manage the staff directory; give another staff member the admin role first"
            )


def email_free_for(members: Iterable[StaffMember], staff_id: str, email: str) -> str:
    """``email`` as stored (``""`` when blank), refused when another active staff member among
    ``members`` already signs in with it: one address names one person."""
    if not email.strip():
        return ""
    address = validate_email(email)
    other = next((m for m in members if m.active and m.email == address and m.staff_id != staff_id), None)
    if other is not None:
        raise RuleViolation(f"email {address!r} is already the sign-in email of {other.full_name} "
                            f"({other.staff_id}); one address names one person", field="email")
    return address
