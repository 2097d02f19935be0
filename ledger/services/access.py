"""Access to case records (policy s.7, s.11): the decision and its record before every read and
write, the lists a person may see, and restrictions and need-to-know grants.

Every attempt by a person to read or change a child's record is decided by the access policy
(:func:`ledger.access.policy.decide`) and recorded in the access log (:mod:`ledger.access.log`) before
anything is returned or written, granted or denied (:meth:`AccessService.gate`, which every
service that touches a case goes through). A denial raises :class:`~ledger.errors.PermissionDenied`
whose message is the rule, and says nothing else about the record.

Restricting a record, lifting it, and granting, renewing or revoking a person's need-to-know
access go through the access policy (action ``restrict``), then the case's own rules.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Sequence
from typing import Any

from ledger.access.log import attempt_fields
from ledger.access.policy import Action, Decision, Outcome, Part, decide
from ledger.core import LedgerCore, Service, command, count_recorded_attempts
from ledger.errors import NotFound, PermissionDenied
from ledger.integrity.topics import stored_as
from ledger.records.case import CaseRecord
from ledger.records.staff import Role, StaffMember

__all__ = ["AccessService"]


class AccessService(Service):
    """``ledger.access``: open_record, check, list_records, readable_cases, gate, record_attempt(s),
    restrict, lift_restriction, grant, renew_grant, revoke_grant."""

    def __init__(self, ledger: LedgerCore) -> None:
        super().__init__(ledger)

    # --- deciding and recording -------------------------------------------------------------

    def check(self, acting: str | None, case_id: uuid.UUID | str, action: Action | str,
              part: Part | str, *, purpose: str = "", basis: str | None = None, item: str = "",
              client: str | None = None, out_of_hours: bool | None = None,
              rollback: dict[str, Any] | None = None) -> Decision:
        """Decide an attempt (:func:`ledger.access.policy.decide`), record it, then return or refuse.

        The attempt is recorded in the access log (its own streams, :mod:`ledger.access.log`)
        before this returns, granted or denied. A denial raises :class:`PermissionDenied`
        whose message is the rule, and says nothing else about the record.
        """
        decision, _, _ = self.gate(acting, case_id, action, part, purpose=purpose, basis=basis, item=item,
                                   client=client, out_of_hours=out_of_hours, rollback=rollback)
        return decision

    def gate(self, acting: str | None, case_id: uuid.UUID | str, action: Action | str, part: Part | str,
             *, purpose: str = "", basis: str | None = None, item: str = "", client: str | None = None,
             out_of_hours: bool | None = None,
             rollback: dict[str, Any] | None = None) -> tuple[Decision, StaffMember, CaseRecord]:
        """What every touch of a case goes through: the attempt decided and recorded, then the decision,
        the acting staff member and the case, or :class:`PermissionDenied` (see :meth:`check`).

        An acting id not in the directory, or a case that does not exist, is recorded as a denied
        attempt too."""
        ledger = self.ledger
        action, part = Action(action), Part(part)
        now = ledger.now()
        attempt: dict[str, Any] = {"action": action, "part": part, "case_ref": str(case_id), "item": item,
                                   "purpose": purpose, "basis": basis, "client": client, "now": now}
        try:
            actor = ledger.actor(acting)
        except (NotFound, PermissionDenied) as e:
            who = str(acting or "")[:64] or "(nobody)"
            stamp = ledger.unlisted_stamp({"staff_id": who, "full_name": "", "designation": "", "team": "",
                                           "roles": []})
            refusal = Decision(Outcome.DENIED, str(e), "unknown_staff")
            self.record_attempt(stamp, refusal, case_id=None, **attempt)
            raise PermissionDenied(f"access denied: {e}") from None
        try:
            case = ledger.case(case_id)
        except NotFound as e:
            self.record_attempt(actor.stamp(), Decision(Outcome.DENIED, str(e), "no_such_case"), case_id=None,
                                **attempt)
            raise
        decision = decide(actor, case, action, part, purpose=purpose, break_glass_basis=basis, now=now,
                          out_of_hours=out_of_hours, rollback=rollback, item=item)
        self.record_attempt(actor.stamp(), decision, case_id=case.id, case_version=case.version,
                            case_team=case.team, **attempt)
        if not decision.granted:
            raise PermissionDenied(f"access denied: {decision.rule}")
        return decision, actor, case

    def gate_oversight(self, acting: str | None, part: Part | str, *, covering: str, item: str, rule: str,
                       rule_id: str, roles: Sequence[Role], action: Action | str = Action.READ,
                       purpose: str = "", client: str | None = None) -> StaffMember:
        """The audit of the audit (EHR-S FM TI.2.2#04): a use of what is not one case record (the access
        log, the ledger's integrity), decided by ``roles`` and recorded as an attempt of the person first,
        granted or denied, like a read of a record. The attempt has no case id; ``covering`` (its
        ``case_ref``) names whose attempts or which case it covered, ``item`` what was done (an access
        report, the alert list, a verification). Returns the acting staff member, or raises as
        :meth:`~ledger.records.staff.StaffMember.require` does (the message is ``rule`` and who they are)."""
        ledger = self.ledger
        part, action = Part(part), Action(action)
        attempt: dict[str, Any] = {"now": ledger.now(), "action": action, "part": part, "case_id": None,
                                   "case_ref": covering, "item": item, "purpose": purpose, "client": client}
        try:
            actor = ledger.actor(acting)
        except (NotFound, PermissionDenied) as e:
            who = str(acting or "")[:64] or "(nobody)"
            stamp = ledger.unlisted_stamp({"staff_id": who, "full_name": "", "designation": "", "team": "",
                                           "roles": []})
            self.record_attempt(stamp, Decision(Outcome.DENIED, str(e), "unknown_staff"), **attempt)
            raise
        try:
            actor.require(rule, *roles)
        except PermissionDenied as e:
            self.record_attempt(actor.stamp(), Decision(Outcome.DENIED, str(e), f"not_{rule_id}"), **attempt)
            raise
        self.record_attempt(actor.stamp(), Decision(Outcome.GRANTED, f"{rule}; {actor.full_name} is "
                                                    f"{actor.role_label}", rule_id), **attempt)
        return actor

    def open_record(self, acting: str | None, case_id: uuid.UUID | str, part: Part | str = Part.CASE_VIEW, *,
                    purpose: str = "", basis: str | None = None, item: str = "", client: str | None = None,
                    action: Action | str = Action.READ) -> CaseRecord:
        """The case, for ``acting`` to read ``part`` of it: decided and recorded first (see :meth:`check`).

        Every read of a child's record by a person goes through here (the CLI's views, the HTTP
        API); ``ledger.case`` is the unrecorded internal read used by the ledger's own machinery.
        """
        _, _, case = self.gate(acting, case_id, action, part, purpose=purpose, basis=basis, item=item,
                               client=client)
        return case

    def list_records(self, acting: str | None, *, client: str | None = None) -> list[CaseRecord]:
        """The case records ``acting`` may read without stating a reason, each recorded as read
        (part ``case_list``: the child's name, team, worker and status); see :meth:`readable_cases`."""
        return self.readable_cases(acting, Part.CASE_LIST, client=client)

    def readable_cases(self, acting: str | None, part: Part | str, *, client: str | None = None,
                       among: Sequence[uuid.UUID | str] | None = None) -> list[CaseRecord]:
        """The case records ``acting`` may read ``part`` of without stating a reason, each recorded.

        A list or a register across cases (the case list, the hazard register, a compliance
        report) is itself a read of every record it shows, so each case shown is an attempt in
        the access log, written in one batch before anything is returned. Records the person
        would need a reason or break-glass for are left out, and nothing is recorded for them:
        they were not attempted. ``among``: only these cases (those a register would show), not
        every case in the ledger.
        """
        ledger = self.ledger
        part = Part(part)
        actor = ledger.actor(acting)
        now = ledger.now()
        shown: list[tuple[CaseRecord, Decision]] = []
        for case_id in (dict.fromkeys(among) if among is not None else ledger.case_ids()):
            case = ledger.case(case_id)
            decision = decide(actor, case, Action.READ, part, now=now)
            if decision.granted and not decision.flagged:
                shown.append((case, decision))
        self.record_attempts(actor.stamp(), [
            {"decision": d, "now": now, "action": Action.READ, "part": part, "case_id": c.id,
             "case_version": c.version, "case_team": c.team, "client": client} for c, d in shown])
        return [c for c, _ in shown]

    def record_attempts(self, actor: dict[str, Any], attempts: Sequence[dict[str, Any]]) -> None:
        """Append several attempts of one person, made at one moment, to their access log in one write."""
        if attempts:
            self._append_attempts(actor["staff_id"], attempts[0]["now"], [
                attempt_fields(actor=actor, now=a["now"], decision=a["decision"], action=a["action"],
                               part=a["part"], case_id=a["case_id"], case_ref=str(a["case_id"]),
                               case_version=a.get("case_version"), case_team=a.get("case_team", ""),
                               client=a.get("client")) for a in attempts])

    def record_attempt(self, actor: dict[str, Any], decision: Decision, *, now: _dt.datetime, action: Action,
                       part: Part, case_id: uuid.UUID | None, case_ref: str = "", item: str = "",
                       purpose: str = "", basis: str | None = None, case_version: int | None = None,
                       case_team: str = "", client: str | None = None) -> None:
        """Append one attempt to the actor's access log of the day (see :meth:`_append_attempts`)."""
        self._append_attempts(actor["staff_id"], now, [attempt_fields(
            actor=actor, now=now, decision=decision, action=action, part=part, case_id=case_id,
            case_ref=case_ref or str(case_id or ""), item=item, purpose=purpose, basis=basis,
            case_version=case_version, case_team=case_team, client=client)])

    def _append_attempts(self, staff_id: str, now: _dt.datetime, attempts: list[dict[str, Any]]) -> None:
        """Append attempts to ``staff_id``'s access log of the day; durably committed before this returns.

        The ledger's :class:`~ledger.access.group_commit.AttemptCommitter` writes them, in one
        transaction with the attempts of whoever else is recording at the same moment (retried after
        a concurrent append to the same stream); see there for what is durable when. When that
        commit fails, this raises its error and none of the attempts is written.
        """
        self.ledger.attempt_committer.append(staff_id, now, attempts)
        count_recorded_attempts(len(attempts))

    # --- restriction (policy s.11): through the access policy, then the case's own rules ---------

    @command
    def restrict(self, acting: str | None, case_id: uuid.UUID | str, *, kind: str, reason: str,
                 staff_concerned: str | None = None) -> CaseRecord:
        """Restrict the record (``kind``: why it is restricted), with a reason."""
        ledger = self.ledger
        _, actor, case = self.gate(acting, case_id, Action.RESTRICT, Part.RESTRICTION, purpose=reason)
        case.restrict(actor=actor, kind=kind, reason=reason, now=ledger.now(),
                      staff_concerned=ledger.staff_member(staff_concerned) if staff_concerned else None)
        ledger.store("restricting a record", case)
        return case

    @command
    def lift_restriction(self, acting: str | None, case_id: uuid.UUID | str, *, reason: str) -> CaseRecord:
        _, actor, case = self.gate(acting, case_id, Action.RESTRICT, Part.RESTRICTION, purpose=reason)
        case.lift_restriction(actor=actor, reason=reason, now=self.ledger.now())
        self.ledger.store("lifting a restriction", case)
        return case

    @command
    def grant(self, acting: str | None, case_id: uuid.UUID | str, *, staff: str, reason: str,
              until: _dt.datetime | None = None) -> CaseRecord:
        """Grant ``staff`` need-to-know access to a restricted record (until ``until``, when given)."""
        ledger = self.ledger
        _, actor, case = self.gate(acting, case_id, Action.RESTRICT, Part.RESTRICTION, purpose=reason, item=staff)
        case.grant_access(actor=actor, staff=ledger.staff_member(staff), reason=reason, until=until,
                          now=ledger.now())
        ledger.store(f"granting need-to-know access to {staff}", case)
        return case

    @command
    def renew_grant(self, acting: str | None, case_id: uuid.UUID | str, *, staff: str, reason: str,
                    until: _dt.datetime | None = None) -> CaseRecord:
        _, actor, case = self.gate(acting, case_id, Action.RESTRICT, Part.RESTRICTION, purpose=reason, item=staff)
        case.renew_grant(actor=actor, staff_id=staff, reason=reason, until=until, now=self.ledger.now())
        self.ledger.store(f"renewing the need-to-know access of {staff}", case)
        return case

    @command
    def revoke_grant(self, acting: str | None, case_id: uuid.UUID | str, *, staff: str,
                     reason: str) -> CaseRecord:
        _, actor, case = self.gate(acting, case_id, Action.RESTRICT, Part.RESTRICTION, purpose=reason, item=staff)
        case.revoke_grant(actor=actor, staff_id=staff, reason=reason, now=self.ledger.now())
        self.ledger.store(f"revoking the need-to-know access of {staff}", case)
        return case


stored_as(__name__, "ledger.access_commands")  # its classes keep the topics they were first stored under
