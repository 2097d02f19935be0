"""Roll-back requests (policy s.13): ``ledger.rollbacks`` of :class:`~ledger.application.CaseLedger`.

The rules are in :mod:`ledger.records.rollback`; these methods load the streams, go through the access
policy for every touch of a case (:meth:`ledger.services.access.AccessService.gate`: the attempt is
recorded, granted or denied, before anything else), and save. A request, an agreement and a carrying-out each touch
the case; withdrawing touches only the request. The helpdesk is entitled to the case through
the roll-back it works on (``rollback={"id", "case_id", "helpdesk"}``, :func:`ledger.access.policy.decide`);
an agreement is an :attr:`~ledger.access.policy.Action.AUTHORISE` of the process.

When a roll-back rule refuses before the case is read (not helpdesk, self-agreement, a manager
of another team, not agreed yet, expired...), the attempt is recorded as denied with that rule
(rule id ``rollback_rule``) and nothing else is written. A refusal after the access policy has
granted the attempt (nothing to roll back, the case changed since the agreement) writes nothing
besides that recorded attempt.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

from eventsourcing.application import AggregateNotFoundError

from ledger.access.policy import Action, Decision, Outcome, Part
from ledger.core import LedgerCore, Service, command
from ledger.errors import LedgerError, NotFound, PermissionDenied, RuleViolation
from ledger.ids import resolve_prefix
from ledger.records import milestones
from ledger.records.case import CaseRecord, aware, explained_reason
from ledger.records.dates import moment_text
from ledger.records.rollback import (
    EXPIRY_WORKING_DAYS,
    Effect,
    RollbackRequest,
    RollbackStatus,
    effect_on,
    kept_label,
    require_helpdesk,
)
from ledger.records.staff import Role, StaffMember
from ledger.services.access import AccessService
from ledger.storage import translate_storage_errors

__all__ = ["RollbackDetails", "RollbackService"]

#: The actor stamp of the ledger itself, for expiries (no person acts).
EXPIRY_ACTOR = {"staff_id": "system", "full_name": "caseledger (roll-back expiry)", "designation": "System",
                "team": "", "roles": []}


@dataclass(frozen=True)
class RollbackDetails:
    """A request as shown to someone entitled to the case: what it would do now and what stays."""

    request: RollbackRequest
    case: CaseRecord
    effect: Effect | None                 # what carrying it out would do now (None once it has ended)
    kept: list[dict[str, Any]]            # casework recorded after the point: it stays
    may_decide: list[StaffMember]         # who may agree or decline it (active)


def require_monitor(actor: StaffMember) -> None:
    """Listing and reporting roll-backs: the helpdesk, auditors, team managers and above (s.13 monitoring)."""
    if not actor.active:
        raise PermissionDenied(f"{actor.full_name} ({actor.staff_id}) has left and cannot read roll-backs")
    if actor.has_role(Role.HELPDESK, Role.AUDITOR) or actor.at_least(Role.TEAM_MANAGER):
        return
    raise PermissionDenied(
        "the roll-back list and report are for the helpdesk, auditors, team managers and above (policy s.13: "
        f"the service manager monitors the frequency of roll-backs); {actor.full_name} is {actor.role_label}")


class RollbackService(Service):
    """``ledger.rollbacks``: request, agree, decline, withdraw, carry_out, expire; and the reads: get, ids,
    resolve_id, find (a list for those who monitor roll-backs), details (a request with what it would do)."""

    def __init__(self, ledger: LedgerCore, access: AccessService) -> None:
        super().__init__(ledger)
        self.access = access
        #: Working days a request may await agreement before it expires
        #: (see :data:`ledger.records.rollback.EXPIRY_WORKING_DAYS`).
        self.expiry_working_days: int = EXPIRY_WORKING_DAYS

    # --- reading ---------------------------------------------------------------------------------

    def ids(self) -> list[uuid.UUID]:
        return self.ledger.stream_ids(RollbackRequest.Requested)

    def resolve_id(self, rollback_id: uuid.UUID | str) -> uuid.UUID:
        return resolve_prefix(rollback_id, self.ids, "roll-back request")

    def get(self, rollback_id: uuid.UUID | str) -> RollbackRequest:
        """The roll-back request (its id or first hex digits). Unrecorded: the ledger's own read."""
        rid = self.resolve_id(rollback_id)
        with translate_storage_errors(f"reading roll-back request {rid}"):
            try:
                request: Any = self.ledger.repository.get(rid)
            except AggregateNotFoundError:
                raise NotFound(f"no roll-back request {rid}") from None
        if not isinstance(request, RollbackRequest):
            raise NotFound(f"no roll-back request {rid} ({type(request).__name__} stream)")
        return request

    def _all_rollbacks(self) -> Iterator[RollbackRequest]:
        for rid in self.ids():
            yield self.get(rid)

    def find(self, acting: str | None, *, case_id: uuid.UUID | str | None = None,
             team: str | None = None, status: RollbackStatus | str | None = None) -> list[RollbackRequest]:
        """Roll-back requests, oldest first; ``status`` as it stands now (an unagreed request past its time
        is expired). For the helpdesk, auditors, team managers and above."""
        require_monitor(self.ledger.actor(acting))
        wanted = RollbackStatus(status) if status is not None else None
        cid = self.ledger.resolve_case_id(case_id) if case_id is not None else None
        now = self.ledger.now()
        return [r for r in self._all_rollbacks()
                if (cid is None or r.case_id == cid) and (team is None or r.case_team == team)
                and (wanted is None or r.status_at(now) is wanted)]

    def details(self, acting: str | None, rollback_id: uuid.UUID | str) -> RollbackDetails:
        """A request with what it would supersede now and the casework after its point that stays.

        Reads the case: through the access policy (a read of the process, recorded); the helpdesk is
        entitled through the roll-back itself.
        """
        request = self.get(rollback_id)
        _, _, case = self.access.gate(acting, request.case_id, Action.READ, Part.PROCESS,
                                      purpose=f"reading roll-back request {request.id}", item=str(request.id),
                                      rollback={"id": request.id, "case_id": request.case_id, "helpdesk": None})
        now = self.ledger.now()
        ended = request.status_at(now) in (RollbackStatus.DECLINED, RollbackStatus.WITHDRAWN,
                                           RollbackStatus.CARRIED_OUT, RollbackStatus.EXPIRED)
        kept = self._kept_after(case.id, request.point["version"],
                                request.carried_out["case_version"] if request.carried_out else None)
        return RollbackDetails(request, case, None if ended else request.effect(case), kept,
                               self._deciders(case, request))

    def _kept_after(self, case_id: uuid.UUID, version: int, skip: int | None = None) -> list[dict[str, Any]]:
        """The casework events of the case after ``version`` (all but process milestones): they stay."""
        out = []
        with translate_storage_errors(f"reading the events of case {case_id}"):
            for e in self.ledger.events.get(case_id, gt=version):
                label = kept_label(e)
                if label is None or e.originator_version == skip:
                    continue
                ref = next((getattr(e, f) for f in ("note_id", "record_id", "decision_id", "rollback_id")
                            if hasattr(e, f)), None)
                out.append({"version": e.originator_version, "kind": label, "ref": ref,
                            "occurred_at": getattr(e, "occurred_at", None),
                            "recorded_at": getattr(e, "timestamp", None),
                            "by": getattr(e, "actor", {}).get("full_name", "")})
        return out

    def _deciders(self, case: CaseRecord, request: RollbackRequest) -> list[StaffMember]:
        """Who may agree or decline: the case team's manager(s), then service managers and heads of service."""
        barred = {request.requested_by["staff_id"], request.raised_by["staff_id"]}
        staff = [m for m in self.ledger.list_staff() if m.active and m.staff_id not in barred]
        managers = [m for m in staff if m.has_role(Role.TEAM_MANAGER) and m.team == case.team
                    and not m.has_role(Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)]
        above = [m for m in staff if m.has_role(Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)]
        return managers + sorted(above, key=lambda m: (m.rank, m.full_name))

    # --- the workflow --------------------------------------------------------------------------------

    @command
    def request(self, acting: str | None, case_id: uuid.UUID | str, *, matter: str,
                reason: str, raised_by: str, point_version: int | None = None,
                point_at: _dt.datetime | None = None,
                before_milestone: uuid.UUID | str | None = None) -> RollbackRequest:
        """The helpdesk asks to roll the case's process back to a point (one of ``point_version``,
        ``point_at`` or ``before_milestone``); see :mod:`ledger.records.rollback` for the rules."""
        given = [n for n, v in (("point_version", point_version), ("point_at", point_at),
                                ("before_milestone", before_milestone)) if v is not None]
        if len(given) != 1:
            raise RuleViolation("a roll-back request needs exactly one point: point_version (a case version), "
                                "point_at (a date and time) or before_milestone (a milestone id); got "
                                + (", ".join(given) or "none"))
        if matter not in milestones.REGISTRY:
            raise RuleViolation(f"matter {matter!r} is not a kind of process milestone; the process matters are: "
                                + ", ".join(milestones.KINDS))
        reason = explained_reason("reason", reason, "requesting a roll-back (policy s.13)")
        if point_at is not None:
            aware("point_at", point_at)
        if point_version is not None and (isinstance(point_version, bool) or not isinstance(point_version, int)):
            raise RuleViolation(f"point_version must be a whole number (a case version), got {point_version!r}")
        try:
            raiser = self.ledger.staff_member(raised_by)
        except NotFound as e:
            raise NotFound(f"raised_by: {e}") from None
        request_id = self.ledger.new_id()
        actor = self._rollback_actor(acting, case_id, Action.READ, purpose=reason, item=str(request_id))
        cid = self._case_or_record(acting, case_id, Action.READ, purpose=reason, item=str(request_id))
        self._rule(actor, cid, None, Action.READ, reason, str(request_id),
                   lambda: require_helpdesk(actor, "request a roll-back"))
        _, actor, case = self.access.gate(acting, cid, Action.READ, Part.PROCESS, purpose=reason,
                                          item=str(request_id),
                                          rollback={"id": request_id, "case_id": cid, "helpdesk": actor.staff_id})
        now = self.ledger.now()
        version, described = self._point(case, now, point_version, point_at, before_milestone)
        then = self.ledger.case(cid, version=version)
        inactive = [e["id"] for e in then.milestones if e.get("superseded_by") is not None]
        effect = effect_on(case, len(then.milestones), inactive)
        kept: dict[str, int] = {}
        for item in self._kept_after(cid, version):
            kept[item["kind"]] = kept.get(item["kind"], 0) + 1
        request = RollbackRequest.request(
            request_id=request_id, actor=actor, case=case, point_version=version,
            point_recorded_at=then.modified_on, point_given=described, milestones_at_point=len(then.milestones),
            inactive_at_point=inactive, matter=matter, reason=reason, raised_by=raiser, effect=effect, kept=kept,
            now=now, expiry_working_days=self.expiry_working_days)
        self.ledger.store(f"requesting a roll-back of case {cid}", request)
        return request

    @command
    def agree(self, acting: str | None, rollback_id: uuid.UUID | str) -> RollbackRequest:
        """The team manager of the case's team (or above) agrees the roll-back as it would now act."""
        request, actor, case = self._decider_on(acting, rollback_id, "agree")
        request.agree(actor=actor, case=case, now=self.ledger.now())
        self.ledger.store(f"agreeing roll-back {request.id}", request)
        return request

    @command
    def decline(self, acting: str | None, rollback_id: uuid.UUID | str, *, reason: str) -> RollbackRequest:
        """The team manager of the case's team (or above) declines the roll-back, with a reason."""
        reason = explained_reason("reason", reason, "declining a roll-back")
        request, actor, case = self._decider_on(acting, rollback_id, "decline", why=reason)
        request.decline(actor=actor, case=case, reason=reason, now=self.ledger.now())
        self.ledger.store(f"declining roll-back {request.id}", request)
        return request

    def _decider_on(self, acting: str | None, rollback_id: uuid.UUID | str, verb: str,
                    why: str = "") -> tuple[RollbackRequest, StaffMember, CaseRecord]:
        """The request, and the person agreeing or declining it (``verb``) with the case, once the
        roll-back's own rule (who may decide) and then the access policy (an authorisation of the
        process, recorded) let them; ``why`` is the reason given, for the recorded purpose."""
        request = self.get(rollback_id)
        doing = "agreeing" if verb == "agree" else "declining"
        purpose = f"{doing} roll-back {request.id}" + (f": {why}" if why else "")
        actor = self._rollback_actor(acting, request.case_id, Action.AUTHORISE, purpose=purpose, item=str(request.id))
        now = self.ledger.now()
        case = self.ledger.case(request.case_id)
        self._rule(actor, request.case_id, case, Action.AUTHORISE, purpose, str(request.id),
                   lambda: request.check_decider(actor, case, verb, now))
        _, actor, case = self.access.gate(acting, request.case_id, Action.AUTHORISE, Part.PROCESS, purpose=purpose,
                                          item=str(request.id))
        return request, actor, case

    @command
    def withdraw(self, acting: str | None, rollback_id: uuid.UUID | str, *, reason: str) -> RollbackRequest:
        """The helpdesk, or the person who raised it, withdraws the request (the case is not read)."""
        actor = self.ledger.actor(acting)
        request = self.get(rollback_id)
        request.withdraw(actor=actor, reason=reason, now=self.ledger.now())
        self.ledger.store(f"withdrawing roll-back {request.id}", request)
        return request

    @command
    def carry_out(self, acting: str | None, rollback_id: uuid.UUID | str) -> RollbackRequest:
        """The helpdesk carries out an agreed roll-back: the case's ``RolledBack`` event and the request's
        ``CarriedOut`` event in one atomic write."""
        request = self.get(rollback_id)
        purpose = f"carrying out roll-back {request.id}"
        actor = self._rollback_actor(acting, request.case_id, Action.WRITE, purpose=purpose, item=str(request.id))
        now = self.ledger.now()
        self._rule(actor, request.case_id, None, Action.WRITE, purpose, str(request.id),
                   lambda: request.check_carry_out(actor, now))
        _, actor, case = self.access.gate(acting, request.case_id, Action.WRITE, Part.PROCESS, purpose=purpose,
                                          item=str(request.id), rollback={"id": request.id, "case_id": request.case_id,
                                                                          "helpdesk": actor.staff_id})
        request.carry_out(actor=actor, case=case, now=self.ledger.now())
        self.ledger.store(f"carrying out roll-back {request.id}", case, request)
        return request

    @command
    def expire(self, now: _dt.datetime | None = None) -> list[RollbackRequest]:
        """Record the expiry of every request not agreed in time (a scheduled job; reads and commands
        already treat them as expired). Returns those expired now."""
        now = now or self.ledger.now()
        expired = []
        for request in self._all_rollbacks():
            if request.status is RollbackStatus.REQUESTED and request.status_at(now) is RollbackStatus.EXPIRED:
                request.expire(actor=EXPIRY_ACTOR, now=now)
                self.ledger.store(f"recording the expiry of roll-back {request.id}", request)
                expired.append(request)
        return expired

    # --- helpers ---------------------------------------------------------------------------------------

    def _rollback_actor(self, acting: str | None, case_id: uuid.UUID | str, action: Action, *,
                        purpose: str, item: str) -> StaffMember:
        """The acting staff member; an unknown one is recorded as a denied attempt (by the access gate)."""
        try:
            return self.ledger.actor(acting)
        except (NotFound, PermissionDenied):
            self.access.gate(acting, case_id, action, Part.PROCESS, purpose=purpose, item=item)
            raise

    def _case_or_record(self, acting: str | None, case_id: uuid.UUID | str, action: Action, *,
                        purpose: str, item: str) -> uuid.UUID:
        """The case's full id; a case that does not exist is recorded as a denied attempt (by the access gate)."""
        try:
            return self.ledger.resolve_case_id(case_id)
        except NotFound:
            self.access.gate(acting, case_id, action, Part.PROCESS, purpose=purpose, item=item)
            raise

    def _rule(self, actor: StaffMember, case_id: uuid.UUID, case: CaseRecord | None, action: Action,
              purpose: str, item: str, check: Any) -> None:
        """Run a roll-back rule; when it refuses, record the attempt as denied by that rule, then raise."""
        try:
            check()
        except LedgerError as e:
            self._refuse(actor, case_id, case, action, purpose, item, e)

    def _refuse(self, actor: StaffMember, case_id: uuid.UUID, case: CaseRecord | None,
                action: Action, purpose: str, item: str, error: LedgerError) -> NoReturn:
        self.access.record_attempt(actor.stamp(), Decision(Outcome.DENIED, str(error), "rollback_rule"),
                                   now=self.ledger.now(), action=action, part=Part.PROCESS, case_id=case_id,
                                   case_ref=str(case_id), item=item, purpose=purpose,
                                   case_version=case.version if case is not None else None,
                                   case_team=case.team if case is not None else "")
        raise error

    def _point(self, case: CaseRecord, now: _dt.datetime, version: int | None, at: _dt.datetime | None,
               before: uuid.UUID | str | None) -> tuple[int, str]:
        """The point as a case version, and how it was given (in words)."""
        opened = moment_text(case.created_on)
        if version is not None:
            if version < 1:
                raise RuleViolation(f"point_version {version} is before the case existed: its first event, the "
                                    f"opening on {opened}, is version 1")
            if version > case.version:
                raise RuleViolation(f"point_version {version} is in the future: the case's latest event is version "
                                    f"{case.version}")
            return version, f"version {version}"
        if at is not None:
            shown = moment_text(at)
            if at > now:
                raise RuleViolation(f"point_at {shown} is in the future (now is "
                                    f"{moment_text(now)})")
            if at < case.created_on:
                raise RuleViolation(f"point_at {shown} is before the case existed: it was opened on {opened}")
            with translate_storage_errors(f"reading the events of case {case.id}"):
                found = next((e.originator_version for e in self.ledger.events.get(case.id, desc=True)
                              if getattr(e, "timestamp", at) <= at), 1)
            return found, f"{shown} (version {found})"
        text = str(before)
        with translate_storage_errors(f"reading the events of case {case.id}"):
            for e in self.ledger.events.get(case.id):
                if type(e).__name__ == "MilestoneRecorded" and str(getattr(e, "milestone_id", "")) == text:
                    return e.originator_version - 1, f"just before milestone {text} ({e.kind})"  # type: ignore[attr-defined]
        raise NotFound(f"before_milestone: no milestone {text} on the case of {case.child['name']}")
