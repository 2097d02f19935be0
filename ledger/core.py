"""The ledger's core: the machinery every service of the application runs on.

:class:`LedgerCore` is eventsourcing's application over the chosen backend, with what each
command needs and no command of its own:

* the store: :meth:`LedgerCore.store` saves a command's new events in one atomic write (storage
  errors translated); snapshots of case records are read only when they belong to their events;
* the clock and new ids: :meth:`LedgerCore.now` (a time with a zone, or a refusal), ``new_id``;
* the acting person: :meth:`LedgerCore.actor` (a staff member, stamped with the channel the
  command came through), :meth:`LedgerCore.unlisted_stamp` for someone not in the directory;
* the ledger's own reads, unrecorded, for the machinery (a person's read of a record goes
  through the access service, which decides and records it first): :meth:`LedgerCore.case`,
  :meth:`LedgerCore.case_ids`, :meth:`LedgerCore.resolve_case_id`, :meth:`LedgerCore.staff_member`,
  :meth:`LedgerCore.list_staff`, :meth:`LedgerCore.staff_ids`, and the scans they are built on
  (:meth:`LedgerCore.stream_ids`, :meth:`LedgerCore.notifications`);
* running a command: :meth:`LedgerCore.run` runs it again, whole, when its write conflicts with a
  concurrent one; :func:`command` marks a service's method as such a command.

A service (:class:`Service`) holds the core it runs on (``self.ledger``), never the application
class that holds the services (:class:`ledger.application.CaseLedger` derives from
:class:`LedgerCore`), so no service imports the application and the imports run one way:
``ledger.application`` -> ``ledger.services.*`` -> ``ledger.core``.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import datetime as _dt
import functools
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar, cast

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.utils import get_topic

from ledger.access.group_commit import AttemptCommitter
from ledger.channel import Channel
from ledger.errors import NotFound, PermissionDenied, RuleViolation
from ledger.ids import resolve_prefix
from ledger.integrity.snapshots import CheckedRepository
from ledger.records.case import CaseRecord
from ledger.records.staff import StaffMember, staff_stream_id
from ledger.storage import Backend, ConflictError, backend_for, no_ledger, refuse_if_read_only, translate_storage_errors

__all__ = ["COMMAND_TRIES", "SYSTEM_ACTOR", "Clock", "LedgerCore", "Service", "attempts_recorded_in_this_thread",
           "command", "count_recorded_attempts", "utc_now"]

Clock = Callable[[], _dt.datetime]

#: The actor stamp of the ledger itself, for the first administrator (bootstrapping).
SYSTEM_ACTOR = {"staff_id": "system", "full_name": "caseledger set-up", "designation": "System",
                "team": "", "roles": []}

#: How many times a command is tried in all when its write conflicts with a concurrent one.
COMMAND_TRIES = 12

_R = TypeVar("_R")
_F = TypeVar("_F", bound=Callable[..., Any])
_running = threading.local()  # whether this thread is inside a command (only the outermost retries)
_tally = threading.local()    # how many access attempts this thread has written


def utc_now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


def attempts_recorded_in_this_thread() -> int:
    """How many access attempts this thread has written (for the conflict message of a command)."""
    return int(getattr(_tally, "recorded", 0))


def count_recorded_attempts(count: int) -> None:
    """Count ``count`` access attempts as written by this thread (the access service calls it)."""
    _tally.recorded = attempts_recorded_in_this_thread() + count


class LedgerCore(Application[uuid.UUID]):
    """The store, the clock, the acting person and the ledger's own reads, under every service.

    ``CaseLedger(db=...)`` (:mod:`ledger.application`) is the class callers use; this one holds what
    its services share. ``channel``: through what the actions reach the ledger
    (:mod:`ledger.channel`); it is copied into the actor stamp of every event this ledger writes
    (``actor["channel"]``). The CLI gives ``Channel.this_process("cli", ...)``; without one, events
    carry no channel.
    """

    name = "CaseLedger"
    #: The backend's ledger recorder (:mod:`ledger.storage`: SQLite or PostgreSQL, with the Merkle log).
    recorder: Any
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
        #: The channel of the work running in this thread or task, when it differs from ``channel``
        #: (a server's request: :meth:`through`).
        self._through: contextvars.ContextVar[Channel | None] = contextvars.ContextVar(
            f"caseledger_channel_{id(self)}", default=None)
        self.clock = clock
        self.new_id = new_id  # the demo passes a seeded generator, so that it is reproducible
        self._staff_cache: dict[uuid.UUID, StaffMember] = {}  # never changed in place: see staff_member
        self._staff_lock = threading.Lock()
        self._caches: list[dict[Any, Any]] = [self._staff_cache]
        with translate_storage_errors(f"opening the ledger at {self.backend.display}"):
            super().__init__(env=self.backend.env)
            #: Writes access attempts, several callers' in one durable commit (ledger.access.group_commit).
            self.attempt_committer = AttemptCommitter(self.repository, lambda *save: self.store(*save))
            # Touch the store so an unreachable database fails here, clearly.
            if not create and not self.recorder.has_ledger_tables():
                raise no_ledger(self.backend.display)
            self.recorder.max_notification_id()

    # --- running a command ----------------------------------------------------------------

    def run(self, command: Callable[[], _R]) -> _R:
        """Run a command again, whole, when its write conflicts with someone else's (bounded).

        Each try loads the records afresh and applies every rule again to what is stored now (the
        access policy too): a command is never re-played on the state it first saw. Each try is a
        decision of its own, so each try records its own access attempt; when every try conflicts,
        the message says how many attempts were recorded and that the command's write was not made.
        Tries are spread by a random wait growing from 10 ms to at most 0.5 s. A command run inside
        another is run once: the outer one retries.
        """
        if getattr(_running, "command", False):
            return command()
        _running.command = True
        attempts_before = attempts_recorded_in_this_thread()
        try:
            for tried in range(1, COMMAND_TRIES + 1):
                try:
                    return command()
                except ConflictError as e:
                    for cache in self._caches:  # what we remember may be what someone else changed
                        cache.clear()
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

    def new_cache(self) -> dict[Any, Any]:
        """A cache of stored state for a service, emptied when a command's write conflicts."""
        cache: dict[Any, Any] = {}
        self._caches.append(cache)
        return cache

    # --- saving -----------------------------------------------------------------------------

    def store(self, what: str, *aggregates: Any) -> None:
        """Save the aggregates' new events in one atomic write; ``what`` names the write in errors."""
        with translate_storage_errors(what):
            self.save(*aggregates)

    def now(self) -> _dt.datetime:
        """The ledger clock's time (a clock that gives no time zone is refused)."""
        now = self.clock()
        if now.tzinfo is None:
            raise RuleViolation("the ledger's clock gave a time with no time zone")
        return now

    # --- the staff directory, as the machinery reads it ---------------------------------------

    def staff_member(self, staff_id: str, *, for_change: bool = False) -> StaffMember:
        """The staff member as now recorded (a private copy when it is to be changed).

        Staff streams are short and read on every command (the actor), so they are kept in
        memory and fast-forwarded: one read of any newer events, never a replay.

        Safe for several threads at once (a server's requests): a member in the cache is never
        changed in place. Fast-forwarding applies the newer events to a copy, which then replaces
        the cached one (the later version wins when two threads race), so a thread reading a member
        never sees it half changed by another. What this returns without ``for_change`` is shared:
        read it, never change it.
        """
        stream_id = staff_stream_id(staff_id)
        with translate_storage_errors(f"reading staff member {staff_id}"):
            cached = self._staff_cache.get(stream_id)
            member: Any
            if cached is None:
                try:
                    member = self.repository.get(stream_id)
                except AggregateNotFoundError:
                    raise NotFound(f"no staff member with the id {staff_id!r} in the staff directory") from None
            else:
                member = cached
                newer = list(self.events.get(stream_id, gt=cached.version))
                if newer:
                    member = copy.deepcopy(cached)
                    for event in newer:
                        member = event.mutate(member)  # type: ignore[attr-defined]
        assert isinstance(member, StaffMember)
        with self._staff_lock:
            current = self._staff_cache.get(stream_id)
            if current is None or current.version < member.version:
                self._staff_cache[stream_id] = member
        return copy.deepcopy(member) if for_change else member

    def list_staff(self) -> list[StaffMember]:
        """Everyone in the staff directory (those who left too), by team and name."""
        members: list[StaffMember] = [self.repository.get(i) for i in self.stream_ids(StaffMember.Joined)]
        return sorted(members, key=lambda m: (m.team, m.full_name))

    def staff_ids(self) -> list[str]:
        return [m.staff_id for m in self.list_staff()]

    def actor(self, staff_id: str | None) -> StaffMember:
        """The staff member acting, stamped with the channel the command came through."""
        if not staff_id:
            raise PermissionDenied(
                "no acting staff member: say who you are with --as STAFF_ID or CASELEDGER_USER"
            )
        return self.staff_member(staff_id).acting_through(self._channel_stamp())

    @contextlib.contextmanager
    def through(self, channel: Channel | None) -> Iterator[None]:
        """Inside (in this thread or task only), the events this ledger writes carry ``channel``
        instead of :attr:`channel`: a server answering several requests at once names each one's
        route on its own events, without changing what the other threads write."""
        token = self._through.set(channel)
        try:
            yield
        finally:
            self._through.reset(token)

    def _channel_stamp(self) -> dict[str, Any] | None:
        channel = self._through.get() or self.channel
        return channel.as_dict() if channel is not None else None

    def unlisted_stamp(self, stamp: dict[str, Any]) -> dict[str, Any]:
        """The actor stamp of someone not (yet) in the staff directory, with the channel."""
        channel = self._channel_stamp()
        return {**stamp, "channel": channel} if channel is not None else dict(stamp)

    # --- case records, as the machinery reads them ----------------------------------------------

    def case(self, case_id: uuid.UUID | str, version: int | None = None) -> CaseRecord:
        """The case record (as of ``version``): the ledger's own read, not a person's.

        Unrecorded and not decided by the access policy: it serves the ledger's machinery
        (commands, projections, verification, roll-backs). A person reads a record through
        ``ledger.access.open_record`` (or a command that does), which decides and records the
        attempt first.
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
        """The case's full id, from its id or the first hex digits of exactly one case's id."""
        return resolve_prefix(case_id, self.case_ids, "case record")

    def case_ids(self) -> list[uuid.UUID]:
        return self.stream_ids(CaseRecord.Opened)

    # --- scanning -------------------------------------------------------------------------------

    def stream_ids(self, created_event: type, limit: int | None = None) -> list[uuid.UUID]:
        """Ids of the streams whose first event is ``created_event``, in the order created."""
        ids: list[uuid.UUID] = []
        for n in self.notifications(topics=[get_topic(created_event)]):
            oid = n.originator_id
            ids.append(oid if isinstance(oid, uuid.UUID) else uuid.UUID(str(oid)))
            if limit is not None and len(ids) >= limit:
                break
        return ids

    def notifications(self, topics: Sequence[str] = (), page: int = 500) -> Iterator[Any]:
        """Every stored event (of ``topics``), in global order, read ``page`` at a time."""
        start = 1
        while True:
            with translate_storage_errors("reading the ledger"):
                batch = self.recorder.select_notifications(start, page, topics=topics)
            if not batch:
                return
            yield from batch
            start = batch[-1].id + 1


class Service:
    """A group of the application's commands, over the core it runs on (``self.ledger``)."""

    def __init__(self, ledger: LedgerCore) -> None:
        self.ledger = ledger


def command(method: _F) -> _F:
    """Mark a service's method as a command that writes: run whole again on a conflicting write
    (:meth:`LedgerCore.run`)."""

    @functools.wraps(method)
    def run(service: Service, /, *args: Any, **kwargs: Any) -> Any:
        return service.ledger.run(lambda: method(service, *args, **kwargs))

    return cast(_F, run)
