"""Access to case records, through the application (policy s.7, s.11): a mixin of
:class:`~ledger.application.CaseLedger`.

Every attempt by a person to read or change a child's record is decided by the access policy
(:func:`ledger.access.policy.decide`) and recorded in the access log (:mod:`ledger.access.log`) before
anything is returned or written, granted or denied. A denial raises
:class:`~ledger.errors.PermissionDenied` whose message is the rule, and says nothing else about
the record.
"""

from __future__ import annotations

import datetime as _dt
import threading
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ledger.access.group_commit import AttemptCommitter
from ledger.access.log import attempt_fields
from ledger.access.policy import Action, Decision, Outcome, Part, decide
from ledger.errors import NotFound, PermissionDenied
from ledger.integrity.topics import stored_as
from ledger.records.case import CaseRecord
from ledger.records.staff import StaffMember

__all__ = ["AccessCommands", "attempts_recorded_in_this_thread"]

_tally = threading.local()


def attempts_recorded_in_this_thread() -> int:
    """How many access attempts this thread has written (for the conflict message of a command)."""
    return int(getattr(_tally, "recorded", 0))


class AccessCommands:
    """Deciding and recording access attempts (mixed into :class:`~ledger.application.CaseLedger`)."""

    if TYPE_CHECKING:
        repository: Any
        attempt_committer: AttemptCommitter

        def _actor(self, staff_id: str | None) -> StaffMember: ...
        def _unlisted_stamp(self, stamp: dict[str, Any]) -> dict[str, Any]: ...
        def _now(self) -> _dt.datetime: ...
        def _save(self, what: str, *aggregates: Any) -> None: ...
        def case(self, case_id: uuid.UUID | str, version: int | None = None) -> CaseRecord: ...
        def case_ids(self) -> list[uuid.UUID]: ...

    def check_access(self, acting: str | None, case_id: uuid.UUID | str, action: Action | str,
                     part: Part | str, *, purpose: str = "", basis: str | None = None, item: str = "",
                     client: str | None = None, out_of_hours: bool | None = None,
                     rollback: dict[str, Any] | None = None) -> Decision:
        """Decide an attempt (:func:`ledger.access.policy.decide`), record it, then return or refuse.

        The attempt is recorded in the access log (its own streams, :mod:`ledger.access.log`)
        before this returns, granted or denied. A denial raises :class:`PermissionDenied`
        whose message is the rule, and says nothing else about the record.
        """
        decision, _, _ = self._access(acting, case_id, action, part, purpose=purpose, basis=basis, item=item,
                                      client=client, out_of_hours=out_of_hours, rollback=rollback)
        return decision

    def _access(self, acting: str | None, case_id: uuid.UUID | str, action: Action | str, part: Part | str,
                *, purpose: str = "", basis: str | None = None, item: str = "", client: str | None = None,
                out_of_hours: bool | None = None,
                rollback: dict[str, Any] | None = None) -> tuple[Decision, StaffMember, CaseRecord]:
        action, part = Action(action), Part(part)
        now = self._now()
        attempt: dict[str, Any] = {"action": action, "part": part, "case_ref": str(case_id), "item": item,
                                   "purpose": purpose, "basis": basis, "client": client, "now": now}
        try:
            actor = self._actor(acting)
        except (NotFound, PermissionDenied) as e:
            who = str(acting or "")[:64] or "(nobody)"
            stamp = self._unlisted_stamp({"staff_id": who, "full_name": "", "designation": "", "team": "",
                                          "roles": []})
            refusal = Decision(Outcome.DENIED, str(e), "unknown_staff")
            self.record_access(stamp, refusal, case_id=None, **attempt)
            raise PermissionDenied(f"access denied: {e}") from None
        try:
            case = self.case(case_id)
        except NotFound as e:
            self.record_access(actor.stamp(), Decision(Outcome.DENIED, str(e), "no_such_case"), case_id=None,
                               **attempt)
            raise
        decision = decide(actor, case, action, part, purpose=purpose, break_glass_basis=basis, now=now,
                          out_of_hours=out_of_hours, rollback=rollback, item=item)
        self.record_access(actor.stamp(), decision, case_id=case.id, case_version=case.version,
                           case_team=case.team, **attempt)
        if not decision.granted:
            raise PermissionDenied(f"access denied: {decision.rule}")
        return decision, actor, case

    def open_record(self, acting: str | None, case_id: uuid.UUID | str, part: Part | str = Part.CASE_VIEW, *,
                    purpose: str = "", basis: str | None = None, item: str = "", client: str | None = None,
                    action: Action | str = Action.READ) -> CaseRecord:
        """The case, for ``acting`` to read ``part`` of it: decided and recorded first (see :meth:`check_access`).

        Every read of a child's record by a person goes through here (the CLI's views, the HTTP
        API); :meth:`case` is the unrecorded internal read used by the ledger's own machinery.
        """
        _, _, case = self._access(acting, case_id, action, part, purpose=purpose, basis=basis, item=item,
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
        part = Part(part)
        actor = self._actor(acting)
        now = self._now()
        shown: list[tuple[CaseRecord, Decision]] = []
        for case_id in (dict.fromkeys(among) if among is not None else self.case_ids()):
            case = self.case(case_id)
            decision = decide(actor, case, Action.READ, part, now=now)
            if decision.granted and not decision.flagged:
                shown.append((case, decision))
        self.record_accesses(actor.stamp(), [
            {"decision": d, "now": now, "action": Action.READ, "part": part, "case_id": c.id,
             "case_version": c.version, "case_team": c.team, "client": client} for c, d in shown])
        return [c for c, _ in shown]

    def record_accesses(self, actor: dict[str, Any], attempts: Sequence[dict[str, Any]]) -> None:
        """Append several attempts of one person, made at one moment, to their access log in one write."""
        if attempts:
            self._append_attempts(actor["staff_id"], attempts[0]["now"], [
                attempt_fields(actor=actor, now=a["now"], decision=a["decision"], action=a["action"],
                               part=a["part"], case_id=a["case_id"], case_ref=str(a["case_id"]),
                               case_version=a.get("case_version"), case_team=a.get("case_team", ""),
                               client=a.get("client")) for a in attempts])

    def record_access(self, actor: dict[str, Any], decision: Decision, *, now: _dt.datetime, action: Action,
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

        The application's :class:`~ledger.access.group_commit.AttemptCommitter` writes them, in one
        transaction with the attempts of whoever else is recording at the same moment (retried after
        a concurrent append to the same stream); see there for what is durable when. When that
        commit fails, this raises its error and none of the attempts is written.
        """
        self.attempt_committer.append(staff_id, now, attempts)
        _tally.recorded = attempts_recorded_in_this_thread() + len(attempts)


stored_as(__name__, "ledger.access_commands")  # its classes keep the topics they were first stored under
