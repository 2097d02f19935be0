"""The case ledger application: the Python API for recording, over either backend.

Each method loads the streams it needs, lets the aggregate apply its rules, and saves the
new events in one atomic write. A refused command raises a :class:`~ledger.errors.LedgerError`
and writes nothing. The acting staff member is always named by staff id; the ledger copies
their full name, designation and team onto every event (policy s.7).
"""

from __future__ import annotations

import base64
import copy
import datetime as _dt
import functools
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.utils import get_topic

from ledger.access.commands import AccessCommands, attempts_recorded_in_this_thread
from ledger.access.group_commit import AttemptCommitter
from ledger.access.investigation import AccessInvestigation
from ledger.access.policy import Action, Part
from ledger.adoption import AdoptionCommands
from ledger.channel import Channel
from ledger.errors import NotFound, PermissionDenied, RuleViolation
from ledger.ids import resolve_prefix
from ledger.integrity.checkpoint import Checkpoint, SigningKey
from ledger.integrity.snapshots import CheckedRepository
from ledger.integrity.transparency import TransparencyLog
from ledger.records.case import CaseRecord, note_content
from ledger.records.staff import Role, StaffMember, staff_stream_id, validate_roles
from ledger.records.timescales import LONDON, start_of_day
from ledger.rollback_commands import RollbackCommands
from ledger.storage import Backend, ConflictError, backend_for, no_ledger, refuse_if_read_only, translate_storage_errors

__all__ = ["LONDON", "CaseLedger", "Clock", "utc_now"]

Clock = Callable[[], _dt.datetime]

#: The actor stamp of the ledger itself, for the first administrator (bootstrapping).
SYSTEM_ACTOR = {"staff_id": "system", "full_name": "caseledger set-up", "designation": "System",
                "team": "", "roles": []}


def utc_now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


#: How many times a command is tried in all when its write conflicts with a concurrent one.
COMMAND_TRIES = 12

_F = TypeVar("_F", bound=Callable[..., Any])
_running = threading.local()  # whether this thread is inside a command (only the outermost retries)


def retried_on_conflict(command: _F) -> _F:
    """Run a command again, whole, when its write conflicts with someone else's (bounded).

    Each try loads the records afresh and applies every rule again to what is stored now (the
    access policy too): a command is never re-played on the state it first saw. Each try is a
    decision of its own, so each try records its own access attempt; when every try conflicts,
    the message says how many attempts were recorded and that the command's write was not made.
    Tries are spread by a random wait growing from 10 ms to at most 0.5 s.
    """

    @functools.wraps(command)
    def run(self: CaseLedger, *args: Any, **kwargs: Any) -> Any:
        if getattr(_running, "command", False):
            return command(self, *args, **kwargs)  # a command inside another: the outer one retries
        _running.command = True
        attempts_before = attempts_recorded_in_this_thread()
        try:
            for tried in range(1, COMMAND_TRIES + 1):
                try:
                    return command(self, *args, **kwargs)
                except ConflictError as e:
                    self._staff_cache.clear()  # what we remember may be what someone else changed
                    if tried == COMMAND_TRIES:
                        attempts = attempts_recorded_in_this_thread() - attempts_before
                        kept = (f"your {attempts} access attempt{'' if attempts == 1 else 's'} "
                                f"({'one per try' if attempts == tried else 'of these tries'}) "
                                f"{'is' if attempts == 1 else 'are'} recorded, nothing else was written"
                                if attempts else "nothing was written")
                        raise ConflictError(
                            f"{e.what or 'writing'}: not done: the record was changed by someone else at "
                            f"the same time, on each of {tried} tries; {kept}; read it again and retry"
                        ) from e
                    time.sleep(random.uniform(0, min(0.5, 0.01 * 2 ** tried)))  # noqa: S311
            raise AssertionError("unreachable")
        finally:
            _running.command = False

    return run  # type: ignore[return-value]


class CaseLedger(AccessCommands, AccessInvestigation, RollbackCommands, AdoptionCommands,
                 Application[uuid.UUID]):
    """The ledger. ``CaseLedger(db="caseledger.db")`` or ``CaseLedger(db="postgresql://...")``.

    ``channel``: through what the actions reach the ledger (:mod:`ledger.channel`); it is copied
    into the actor stamp of every event this ledger writes (``actor["channel"]``). The CLI gives
    ``Channel.this_process("cli", ...)``; without one, events carry no channel.
    """

    name = "CaseLedger"
    #: Snapshots of case records every 100 events (eventsourcing), so that a case, or a past version
    #: of it (``projections.asof``), is rebuilt from the nearest snapshot, not from event zero. They
    #: are caches in their own table, encoded with the canonical transcoder; they are not records:
    #: not hash-chained, not in the Merkle log (deleting them loses nothing). So they are never
    #: trusted blindly: one is read only with the stored event at its version, whose hash it must
    #: hold, and ``verify`` compares every one with its replayed events (:mod:`ledger.integrity.snapshots`).
    snapshotting_intervals = {CaseRecord: 100}

    def construct_repository(self) -> CheckedRepository:
        """eventsourcing's repository, reading a snapshot only when it belongs to the stored events."""
        base = super().construct_repository()
        checked = CheckedRepository(base.event_store, snapshot_store=base.snapshot_store,
                                    fastforward=base.fastforward, fastforward_skipping=base.fastforward_skipping,
                                    deepcopy_from_cache=base.deepcopy_from_cache)
        checked.cache = base.cache
        return checked

    def __init__(self, db: str | None = None, *, clock: Clock = utc_now,
                 new_id: Callable[[], uuid.UUID] = uuid.uuid4,
                 backend: Backend | None = None, create: bool = True, read_only: bool = False,
                 channel: Channel | None = None) -> None:
        """``create=False``: open an existing ledger only (``no ledger at PATH`` otherwise).

        ``read_only=True``: an existing ledger, opened so that nothing can be written (a read-only
        copy can be verified; :func:`ledger.storage.backend_for`). Any write then fails with
        :class:`~ledger.storage.ReadOnlyLedger`. Only for what records nothing: a read of a case
        record records an access attempt first, and needs a ledger opened for writing.
        """
        create = create and not read_only
        self.backend = backend or backend_for(db, create=create, read_only=read_only)
        if not read_only:
            refuse_if_read_only(self.backend)
        self.channel = channel
        self.clock = clock
        self.new_id = new_id  # the demo passes a seeded generator, so that it is reproducible
        self._staff_cache: dict[uuid.UUID, StaffMember] = {}
        with translate_storage_errors(f"opening the ledger at {self.backend.display}"):
            super().__init__(env=self.backend.env)
            self.attempt_committer = AttemptCommitter(self.repository, lambda *save: self._save(*save))
            # Touch the store so an unreachable database fails here, clearly.
            if not create and not self.recorder.has_ledger_tables():
                raise no_ledger(self.backend.display)
            self.recorder.max_notification_id()

    # --- saving --------------------------------------------------------------------------

    def _save(self, what: str, *aggregates: Any) -> None:
        with translate_storage_errors(what):
            self.save(*aggregates)

    def _now(self) -> _dt.datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise RuleViolation("the ledger's clock gave a time with no time zone")
        return now

    # --- staff directory ---------------------------------------------------------------

    def staff_member(self, staff_id: str, *, for_change: bool = False) -> StaffMember:
        """The staff member as now recorded (a private copy when it is to be changed).

        Staff streams are short and read on every command (the actor), so they are kept in
        memory and fast-forwarded: one read of any newer events, never a replay.
        """
        stream_id = staff_stream_id(staff_id)
        with translate_storage_errors(f"reading staff member {staff_id}"):
            member = self._staff_cache.get(stream_id)
            if member is None:
                try:
                    member = self.repository.get(stream_id)
                except AggregateNotFoundError:
                    raise NotFound(f"no staff member with the id {staff_id!r} in the staff directory") from None
            else:
                for event in self.events.get(stream_id, gt=member.version):
                    member = event.mutate(member)  # type: ignore[attr-defined]
        assert isinstance(member, StaffMember)
        self._staff_cache[stream_id] = member
        return copy.deepcopy(member) if for_change else member

    def _actor(self, staff_id: str | None) -> StaffMember:
        if not staff_id:
            raise PermissionDenied(
                "no acting staff member: say who you are with --as STAFF_ID or CASELEDGER_USER"
            )
        return self.staff_member(staff_id).acting_through(self._channel_stamp())

    def _channel_stamp(self) -> dict[str, Any] | None:
        return self.channel.as_dict() if self.channel is not None else None

    def _unlisted_stamp(self, stamp: dict[str, Any]) -> dict[str, Any]:
        """The actor stamp of someone not (yet) in the staff directory, with the channel."""
        channel = self._channel_stamp()
        return {**stamp, "channel": channel} if channel is not None else dict(stamp)

    def staff_ids(self) -> list[str]:
        return [m.staff_id for m in self.list_staff()]

    def list_staff(self) -> list[StaffMember]:
        members: list[StaffMember] = [self.repository.get(i) for i in self._stream_ids(StaffMember.Joined)]
        return sorted(members, key=lambda m: (m.team, m.full_name))

    def add_staff(self, acting: str | None, *, staff_id: str, full_name: str, designation: str,
                  team: str, roles: Iterable[str | Role]) -> StaffMember:
        """Add a staff member. The first one added must be an admin and needs no ``acting``."""
        now = self._now()
        if not self._stream_ids(StaffMember.Joined, limit=1):
            roles = validate_roles(roles)
            if Role.ADMIN not in roles:
                raise RuleViolation(
                    "the staff directory is empty: the first staff member added must hold the "
                    "admin role, so that they can add the others"
                )
            actor_stamp = self._unlisted_stamp(SYSTEM_ACTOR)
        else:
            actor = self._actor(acting)
            actor.require("adding a staff member needs the admin role", Role.ADMIN)
            actor_stamp = actor.stamp()
        with translate_storage_errors("checking the staff directory"):
            existing: StaffMember | None
            try:
                existing = self.repository.get(staff_stream_id(staff_id))
            except AggregateNotFoundError:
                existing = None
        if existing is not None:
            raise RuleViolation(
                f"staff id {staff_id!r} is already used by {existing.full_name}; staff ids are never reused"
            )
        member = StaffMember.join(actor=actor_stamp, staff_id=staff_id, full_name=full_name,
                                  designation=designation, team=team, roles=roles, occurred_at=now)
        self._save(f"adding staff member {staff_id}", member)
        return member

    def change_staff(self, acting: str | None, staff_id: str, **changes: Any) -> StaffMember:
        actor = self._actor(acting)
        actor.require("changing a staff member's details needs the admin role", Role.ADMIN)
        member = self.staff_member(staff_id, for_change=True)
        if "roles" in changes and Role.ADMIN not in validate_roles(changes["roles"]):
            self._keep_an_admin(member, "remove the admin role from")
        member.change(actor=actor.stamp(), occurred_at=self._now(), **changes)
        self._save(f"changing staff member {staff_id}", member)
        return member

    def staff_leaves(self, acting: str | None, staff_id: str, reason: str) -> StaffMember:
        actor = self._actor(acting)
        actor.require("recording that a staff member left needs the admin role", Role.ADMIN)
        member = self.staff_member(staff_id, for_change=True)
        self._keep_an_admin(member, "record the leaving of")
        member.leave(actor=actor.stamp(), occurred_at=self._now(), reason=reason)
        self._save(f"recording that {staff_id} left", member)
        return member

    def _keep_an_admin(self, member: StaffMember, what: str) -> None:
        """Refuse a change that would leave the directory with no active admin to manage it."""
        if not (member.active and member.has_role(Role.ADMIN)):
            return
        others = [m for m in self.list_staff()
                  if m.staff_id != member.staff_id and m.active and m.has_role(Role.ADMIN)]
        if not others:
            raise RuleViolation(
                f"cannot {what} {member.full_name}: they are the only active admin, and nobody could "
                "then manage the staff directory; give another staff member the admin role first"
            )

    # --- case records ------------------------------------------------------------------

    def case(self, case_id: uuid.UUID | str, version: int | None = None) -> CaseRecord:
        """The case record (as of ``version``): the ledger's own read, not a person's.

        Unrecorded and not decided by the access policy: it serves the ledger's machinery
        (commands, projections, verification, roll-backs). A person reads a record through
        :meth:`open_record` (or a command that does), which decides and records the attempt first.
        """
        cid = self.resolve_case_id(case_id)
        with translate_storage_errors(f"reading case {cid}"):
            case: CaseRecord
            try:
                case = self.repository.get(cid, version=version)
            except AggregateNotFoundError:
                raise NotFound(f"no case record {cid}") from None
        if not isinstance(case, CaseRecord):
            raise NotFound(f"no case record {cid} ({type(case).__name__} stream)")
        return case

    def resolve_case_id(self, case_id: uuid.UUID | str) -> uuid.UUID:
        return resolve_prefix(case_id, self.case_ids, "case record")

    def case_ids(self) -> list[uuid.UUID]:
        return self._stream_ids(CaseRecord.Opened)

    def open_case(self, acting: str | None, *, child_name: str, referral_date: _dt.date,
                  referral_source: str, team: str, worker: str,
                  date_of_birth: _dt.date | None = None,
                  expected_date_of_birth: _dt.date | None = None) -> CaseRecord:
        actor = self._actor(acting)
        now = self._now()
        case = CaseRecord.open(
            case_id=self.new_id(), actor=actor, child_name=child_name, referral_date=referral_date,
            referral_source=referral_source, team=team, worker=self.staff_member(worker),
            now=now,
            # a referral_date that is not a date is refused by CaseRecord.open, by name
            occurred_at=(min(start_of_day(referral_date), now)
                         if isinstance(referral_date, _dt.date) else now),
            date_of_birth=date_of_birth, expected_date_of_birth=expected_date_of_birth,
        )
        self._save("opening a case record", case)
        return case

    def allocate(self, acting: str | None, case_id: uuid.UUID | str, *, team: str, worker: str,
                 reason: str) -> CaseRecord:
        _, actor, case = self._access(acting, case_id, Action.WRITE, Part.PROCESS, purpose=reason)
        case.allocate(actor=actor, team=team, worker=self.staff_member(worker), reason=reason,
                      now=self._now())
        self._save("allocating a case", case)
        return case

    def record_case_note(self, acting: str | None, case_id: uuid.UUID | str, *, kind: str,
                         occurred_at: _dt.datetime, facts: str, finalise: bool = False,
                         **content: Any) -> uuid.UUID:
        """Record a case note as a draft (or draft and finalise at once); returns its id."""
        _, actor, case = self._access(acting, case_id, Action.WRITE, Part.NOTE)
        note_id = self.new_id()
        now = self._now()
        case.record_case_note(actor=actor, note_id=note_id, kind=kind, occurred_at=occurred_at,
                              now=now, content=note_content(facts=facts, **content))
        if finalise:
            case.finalise_case_note(actor=actor, note_id=note_id, now=now)
        self._save("recording a case note", case)
        return note_id

    def _note_id(self, case_id: uuid.UUID | str, note_id: uuid.UUID | str) -> tuple[Any, Callable[[], None]]:
        """The case note ``note_id`` names on the case: a UUID, or the first hex digits of exactly one note's id.

        Returns (the id, or the text as typed when it names none, and a check that raises the error). The
        check runs after the access decision, so that a person who may not open the case learns nothing
        about its notes: the attempt is decided and recorded first."""
        try:
            case = self.case(case_id)
        except NotFound:
            return note_id, lambda: None  # the access decision reports the missing case
        try:
            found = resolve_prefix(note_id, lambda: [uuid.UUID(k) for k in case.notes], "case note")
        except NotFound as e:
            error = e

            def fail() -> None:
                raise error

            return note_id, fail
        return found, lambda: None

    def revise_case_note(self, acting: str | None, case_id: uuid.UUID | str, note_id: uuid.UUID | str,
                         *, occurred_at: _dt.datetime | None = None, **changes: Any) -> None:
        nid, unresolved = self._note_id(case_id, note_id)
        _, actor, case = self._access(acting, case_id, Action.WRITE, Part.NOTE, item=str(nid))
        unresolved()
        note = case.notes.get(str(nid))
        base = dict(note["content"]) if note else {}
        content = note_content(**{**base, **changes}) if note else {}
        case.revise_case_note(actor=actor, note_id=nid, content=content, occurred_at=occurred_at,
                              now=self._now())
        self._save("revising a case note", case)

    def finalise_case_note(self, acting: str | None, case_id: uuid.UUID | str,
                           note_id: uuid.UUID | str) -> None:
        nid, unresolved = self._note_id(case_id, note_id)
        _, actor, case = self._access(acting, case_id, Action.WRITE, Part.NOTE, item=str(nid))
        unresolved()
        case.finalise_case_note(actor=actor, note_id=nid, now=self._now())
        self._save("finalising a case note", case)

    def amend_case_note(self, acting: str | None, case_id: uuid.UUID | str, note_id: uuid.UUID | str,
                        *, reason: str, **changes: Any) -> None:
        nid, unresolved = self._note_id(case_id, note_id)
        _, actor, case = self._access(acting, case_id, Action.WRITE, Part.NOTE, item=str(nid), purpose=reason)
        unresolved()
        note = case.notes.get(str(nid))
        content = note_content(**{**note["content"], **changes}) if note else {}
        case.amend_case_note(actor=actor, note_id=nid, content=content, reason=reason, now=self._now())
        self._save("amending a case note", case)

    def delete_case_note(self, acting: str | None, case_id: uuid.UUID | str, note_id: uuid.UUID | str,
                         *, reason: str) -> None:
        nid, unresolved = self._note_id(case_id, note_id)
        _, actor, case = self._access(acting, case_id, Action.DELETE, Part.NOTE, item=str(nid), purpose=reason)
        unresolved()
        case.delete_case_note(actor=actor, note_id=nid, reason=reason, now=self._now())
        self._save("deleting a case note", case)

    def record_decision(self, acting: str | None, case_id: uuid.UUID | str, *, decision: str,
                        reasons: str, risks_considered: str,
                        options_not_chosen: Sequence[dict[str, str]], kind: str = "management",
                        occurred_at: _dt.datetime | None = None,
                        supervisee: str | None = None) -> uuid.UUID:
        _, actor, case = self._access(acting, case_id, Action.WRITE, Part.PROCESS)
        now = self._now()
        decision_id = self.new_id()
        case.record_decision(
            actor=actor, decision_id=decision_id, kind=kind, decision=decision, reasons=reasons,
            risks_considered=risks_considered, options_not_chosen=options_not_chosen,
            occurred_at=occurred_at or now, now=now,
            supervisee=self.staff_member(supervisee) if supervisee else None,
        )
        self._save("recording a decision", case)
        return decision_id

    def record_milestone(self, acting: str | None, case_id: uuid.UUID | str, *, kind: str,
                         occurred_at: _dt.datetime | None = None, **details: Any) -> uuid.UUID:
        """Record a process milestone (see :mod:`ledger.records.milestones` for the kinds and rules)."""
        # Recorded as a write: the milestone's own rule says which kinds need team manager or above.
        _, actor, case = self._access(acting, case_id, Action.WRITE, Part.PROCESS, item=kind)
        now = self._now()
        milestone_id = self.new_id()
        case.record_milestone(actor=actor, milestone_id=milestone_id, kind=kind, details=details,
                              occurred_at=occurred_at or now, now=now)
        self._save(f"recording the milestone {kind}", case)
        return milestone_id

    def record_casework(self, acting: str | None, case_id: uuid.UUID | str, *, kind: str,
                        occurred_at: _dt.datetime | None = None, **details: Any) -> uuid.UUID:
        """Record a casework record (see :mod:`ledger.records.casework` for the kinds and rules)."""
        _, actor, case = self._access(acting, case_id, Action.WRITE, _casework_part(kind), item=kind)
        now = self._now()
        record_id = self.new_id()
        case.record_casework(actor=actor, record_id=record_id, kind=kind, details=details,
                             occurred_at=occurred_at or now, now=now)
        self._save(f"recording a {kind.replace('_', ' ')}", case)
        return record_id

    def update_casework(self, acting: str | None, case_id: uuid.UUID | str, record_id: uuid.UUID | str, *,
                        action: str, occurred_at: _dt.datetime | None = None, **details: Any) -> None:
        _, actor, case = self._access(acting, case_id, Action.WRITE, Part.CASE_VIEW, item=str(record_id))
        now = self._now()
        case.update_casework(actor=actor, record_id=_note_uuid(record_id), action=action, details=details,
                             occurred_at=occurred_at or now, now=now)
        self._save(f"updating a record ({action})", case)

    def close_case(self, acting: str | None, case_id: uuid.UUID | str, *, reason: str,
                   closed_on: _dt.date | None = None) -> CaseRecord:
        _, actor, case = self._access(acting, case_id, Action.WRITE, Part.PROCESS, purpose=reason)
        now = self._now()
        case.close(actor=actor, reason=reason, closed_on=closed_on or now.astimezone(LONDON).date(), now=now)
        self._save("closing a case", case)
        return case

    def reopen_case(self, acting: str | None, case_id: uuid.UUID | str, *, reason: str) -> CaseRecord:
        _, actor, case = self._access(acting, case_id, Action.WRITE, Part.PROCESS, purpose=reason)
        case.reopen(actor=actor, reason=reason, now=self._now())
        self._save("re-opening a case", case)
        return case

    # --- restriction (policy s.11): through the access policy, then the case's own rules ---

    def restrict_record(self, acting: str | None, case_id: uuid.UUID | str, *, kind: str, reason: str,
                        staff_concerned: str | None = None) -> CaseRecord:
        _, actor, case = self._access(acting, case_id, Action.RESTRICT, Part.RESTRICTION, purpose=reason)
        case.restrict(actor=actor, kind=kind, reason=reason, now=self._now(),
                      staff_concerned=self.staff_member(staff_concerned) if staff_concerned else None)
        self._save("restricting a record", case)
        return case

    def lift_restriction(self, acting: str | None, case_id: uuid.UUID | str, *, reason: str) -> CaseRecord:
        _, actor, case = self._access(acting, case_id, Action.RESTRICT, Part.RESTRICTION, purpose=reason)
        case.lift_restriction(actor=actor, reason=reason, now=self._now())
        self._save("lifting a restriction", case)
        return case

    def grant_access(self, acting: str | None, case_id: uuid.UUID | str, *, staff: str, reason: str,
                     until: _dt.datetime | None = None) -> CaseRecord:
        _, actor, case = self._access(acting, case_id, Action.RESTRICT, Part.RESTRICTION, purpose=reason,
                                      item=staff)
        case.grant_access(actor=actor, staff=self.staff_member(staff), reason=reason, until=until,
                          now=self._now())
        self._save(f"granting need-to-know access to {staff}", case)
        return case

    def renew_grant(self, acting: str | None, case_id: uuid.UUID | str, *, staff: str, reason: str,
                    until: _dt.datetime | None = None) -> CaseRecord:
        _, actor, case = self._access(acting, case_id, Action.RESTRICT, Part.RESTRICTION, purpose=reason,
                                      item=staff)
        case.renew_grant(actor=actor, staff_id=staff, reason=reason, until=until, now=self._now())
        self._save(f"renewing the need-to-know access of {staff}", case)
        return case

    def revoke_grant(self, acting: str | None, case_id: uuid.UUID | str, *, staff: str,
                     reason: str) -> CaseRecord:
        _, actor, case = self._access(acting, case_id, Action.RESTRICT, Part.RESTRICTION, purpose=reason,
                                      item=staff)
        case.revoke_grant(actor=actor, staff_id=staff, reason=reason, now=self._now())
        self._save(f"revoking the need-to-know access of {staff}", case)
        return case

    # --- scanning --------------------------------------------------------------------------

    def _stream_ids(self, created_event: type, limit: int | None = None) -> list[uuid.UUID]:
        """Ids of the streams whose first event is ``created_event``, in the order created."""
        ids: list[uuid.UUID] = []
        for n in self._notifications(topics=[get_topic(created_event)]):
            oid = n.originator_id
            ids.append(oid if isinstance(oid, uuid.UUID) else uuid.UUID(str(oid)))
            if limit is not None and len(ids) >= limit:
                break
        return ids

    def _notifications(self, topics: Sequence[str] = (), page: int = 500) -> Iterator[Any]:
        start = 1
        while True:
            with translate_storage_errors("reading the ledger"):
                batch = self.recorder.select_notifications(start, page, topics=topics)
            if not batch:
                return
            yield from batch
            start = batch[-1].id + 1

    # --- the transparency log ---------------------------------------------------------------

    @property
    def transparency(self) -> TransparencyLog:
        """The Merkle log and checkpoints (``log`` is eventsourcing's notification log)."""
        return TransparencyLog(self.recorder)

    def sign_checkpoint(self, key: SigningKey) -> tuple[Checkpoint, str]:
        """Sign the current tree head with ``key`` (its name is the log's origin) and store it."""
        return self.transparency.sign(key, key.name, self._now())

    def prove_event(self, case_id: uuid.UUID | str, version: int | None = None) -> dict[str, Any]:
        """The inclusion proof of a case event against the latest signed checkpoint."""
        cid = self.resolve_case_id(case_id)
        if version is None:
            version = self.case(cid).version
        log = self.transparency
        index, _, leaf = log.leaf_of(cid, version)
        history = log.checkpoints()
        if not history or history[-1].size <= index:
            raise RuleViolation(
                f"event version {version} of case {cid} is not yet covered by a signed checkpoint; "
                "run 'caseledger checkpoint' first"
            )
        latest = history[-1]
        proof = log.inclusion_proof(index, latest.size)
        b64 = base64.b64encode
        return {"case": cid, "version": version, "leaf_index": index, "leaf_hash": b64(leaf).decode(),
                "tree_size": latest.size, "root": b64(latest.root).decode(),
                "proof": [b64(p).decode() for p in proof], "checkpoint": latest.note}

    def event_count(self) -> int:
        """How many events the ledger holds (the Merkle log's size: notification ids may have gaps).

        A damaged log head falls back to the highest notification id: ``verify`` reports it.
        """
        try:
            return self.transparency.head().size
        except ValueError:
            with translate_storage_errors("reading the ledger"):
                return self.recorder.max_notification_id() or 0


#: The commands that write (each retried whole on a conflict, :func:`retried_on_conflict`).
WRITE_COMMANDS = (
    "add_staff", "change_staff", "staff_leaves", "open_case", "allocate", "record_case_note",
    "revise_case_note", "finalise_case_note", "amend_case_note", "delete_case_note", "record_decision",
    "record_milestone", "record_casework", "update_casework", "close_case", "reopen_case",
    "restrict_record", "lift_restriction", "grant_access", "renew_grant", "revoke_grant",
    "request_rollback", "agree_rollback", "decline_rollback", "withdraw_rollback", "carry_out_rollback",
    "expire_rollbacks", "match_for_adoption", "review_attempt",
)
for _name in WRITE_COMMANDS:
    setattr(CaseLedger, _name, retried_on_conflict(getattr(CaseLedger, _name)))


def _casework_part(kind: str) -> Part:
    """The part of the record a casework record belongs to, for the access log."""
    return {"document": Part.DOCUMENT, "chronology_entry": Part.CHRONOLOGY, "case_summary": Part.SUMMARY,
            "case_audit": Part.CASE_AUDIT}.get(kind, Part.CASE_VIEW)


def _note_uuid(note_id: uuid.UUID | str) -> uuid.UUID:
    if isinstance(note_id, uuid.UUID):
        return note_id
    try:
        return uuid.UUID(str(note_id))
    except ValueError:
        raise NotFound(f"{note_id!r} is not a case note id (a UUID)") from None
