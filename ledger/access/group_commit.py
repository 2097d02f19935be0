"""Group commit of access attempts: concurrent attempts share one durable transaction.

Every access attempt is recorded before the read or change it is about goes ahead
(:mod:`ledger.access.commands`), and the commit that records it waits for the disk (synchronous
commit on PostgreSQL, ``synchronous = FULL`` on SQLite: see :mod:`ledger.storage.postgres` and
:mod:`ledger.storage.sqlite`). A flush of the disk costs about a millisecond or more, so a server
answering many people at once would spend its time waiting for one flush per attempt. The
:class:`AttemptCommitter` lets the attempts that arrive together share one transaction, hence one
flush and one append to the Merkle log.

How (leader and followers). A caller puts its attempts in the queue. If no commit is in flight,
it becomes the leader: it takes everything queued (its own attempts, and those of whoever queued
meanwhile), writes them in one transaction and wakes the others. A caller that arrives while a
commit is in flight waits; when that commit ends, one of the waiting callers becomes the next
leader and commits, at once, everything queued by then. So a lone caller (the CLI, a quiet server)
never waits for a window that brings nobody: it commits at once, as it always did; and under load
the attempts that arrived during one commit (a few milliseconds) go together in the next.

One batch is one transaction. Its attempts are grouped by access-log stream (a person's day),
appended to each stream in the order their callers queued, and saved with one
``Application.save`` of all those streams: one ``insert_events`` call, so one transaction in which
the recorder inserts every event and appends all their leaves to the Merkle log at once, in
notification-id order (:func:`ledger.integrity.merkle_log.append_to_log`). Several people's streams
may share a batch.

What is durable when:

* when :meth:`AttemptCommitter.append` returns, the transaction holding the caller's attempts has
  committed and its commit has reached the disk (the database's write-ahead log is flushed): the
  attempts are readable from any other connection or process at once, and survive a kill of this
  process, a crash of the database server, of the operating system or a power cut (as far as the
  disk keeps what it says it flushed). The caller returns data only after that;
* while a caller waits, its attempts are in this process's memory only. If the process dies
  then, they are lost or, if their commit had just reached the database, stored without the
  caller having been answered: either way the caller returned nothing (no record was shown);
* when a batch's commit fails, none of its attempts is stored (the transaction is rolled back
  as a whole: never an event without its Merkle leaf, never part of a batch), and every caller
  of that batch gets the error (its own copy, naming its own attempts and nobody else's): its
  read or change does not go ahead. The next batch is written afresh, from what is stored.

Conflicts. Each stream is appended to optimistically, at the version this process last wrote
(kept in memory, so an append does not read the stream first). If another process (another
server worker, a CLI command) appended to one of the batch's streams meanwhile, or the database
lost its last commits, the save is refused as a conflict (nothing written) and the whole batch is
built again from the stored streams and saved again, up to :data:`~ledger.access.log.RECORD_RETRIES`
times; then every caller gets the :class:`~ledger.storage.ConflictError`.

``grouped=False`` gives the behaviour before group commit (each caller commits its own attempts
in a transaction of its own, in its own thread): the baseline of ``bench/access_commit.py``.
"""

from __future__ import annotations

import copy
import datetime as _dt
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from ledger.access.log import RECORD_RETRIES, AccessLog, access_day, access_stream_id
from ledger.errors import LedgerError, StorageError
from ledger.storage import ConflictError, translate_storage_errors

__all__ = ["AttemptCommitter"]

#: Stands for "what was being done" in the message of a batch's error, until each caller's copy
#: of the error says it in its own words (its own attempts, nobody else's).
_BATCH = "\x00recording a batch of access attempts\x00"
#: How many access-log streams are kept in memory (at the version last written) before forgetting them all.
CACHED_STREAMS = 1000


@dataclass(eq=False)
class _Request:
    """One caller's attempts: one person, one day, committed together."""

    staff_id: str
    day: _dt.date
    attempts: Sequence[dict[str, Any]]
    done: bool = False
    error: BaseException | None = None
    stream_id: uuid.UUID = field(init=False)

    def __post_init__(self) -> None:
        self.stream_id = access_stream_id(self.staff_id, self.day)

    def what(self) -> str:
        return f"recording {len(self.attempts)} access attempt(s) by {self.staff_id}"


class AttemptCommitter:
    """Writes access attempts to the access log, concurrent callers' together (see the module docstring).

    ``repository``: where the access-log streams are read (``get(stream_id)``); ``save(what, *logs)``:
    saves the logs in one transaction, raising the ledger's storage errors
    (:func:`~ledger.storage.translate_storage_errors`) for ``what``. One per application.
    """

    def __init__(self, repository: Any, save: Callable[..., None], *, grouped: bool = True) -> None:
        self._repository = repository
        self._save = save
        self.grouped = grouped
        self._changed = threading.Condition()
        self._queue: list[_Request] = []
        self._committing = False
        self._logs: dict[uuid.UUID, AccessLog] = {}  # each stream at the version this process last wrote
        self._counting = threading.Lock()
        #: Transactions committed by this committer, and the attempts they held (read by tests and benchmarks).
        self.transactions = 0
        self.attempts = 0

    @property
    def waiting(self) -> int:
        """How many callers are queued for the next commit (not counting one in flight)."""
        with self._changed:
            return len(self._queue)

    def append(self, staff_id: str, now: _dt.datetime, attempts: Sequence[dict[str, Any]]) -> None:
        """Append ``attempts`` (:func:`~ledger.access.log.attempt_fields`, all made at ``now``) to
        ``staff_id``'s access log of the day; returns once they are durably committed.

        Raises the error of the commit that held them when it failed: then none of them is stored.
        """
        if not attempts:
            return
        request = _Request(staff_id, access_day(now), list(attempts))
        if not self.grouped:
            self._write([request])
            return
        with self._changed:
            self._queue.append(request)
            while self._committing and not request.done:
                self._changed.wait()
            if not request.done:  # nobody is committing: lead, with everything queued so far
                batch, self._queue = self._queue, []
                self._committing = True
        if request.done:  # a leader committed it
            if request.error is not None:
                raise _for_caller(request.error, request, led=False)
            return
        error: BaseException | None = None
        try:
            self._write(batch)
        except BaseException as e:
            error = e
        finally:
            with self._changed:
                for queued in batch:
                    queued.done, queued.error = True, error
                self._committing = False
                self._changed.notify_all()
        if error is not None:
            raise _for_caller(error, request, led=True)

    def _write(self, batch: list[_Request]) -> None:
        """Save ``batch`` in one transaction; retried as a whole after a conflict (module docstring)."""
        streams: dict[uuid.UUID, list[_Request]] = {}
        for request in batch:
            streams.setdefault(request.stream_id, []).append(request)
        what = batch[0].what() if len(batch) == 1 else _BATCH
        for tried in range(RECORD_RETRIES + 1):
            logs = [self._appended(requests) for requests in streams.values()]
            try:
                self._save(what, *logs)
            except ConflictError:
                if tried == RECORD_RETRIES:
                    raise
                continue  # the logs just built are dropped: read again from the store, append after
            with self._counting:
                self.transactions += 1
                self.attempts += sum(len(r.attempts) for r in batch)
                if len(self._logs) > CACHED_STREAMS:
                    self._logs.clear()
                for log in logs:
                    self._logs[log.id] = log
            return

    def _appended(self, requests: list[_Request]) -> AccessLog:
        """One stream with the requests' attempts triggered on it (not saved), from memory or the store."""
        first = requests[0]
        with self._counting:  # popped: a log whose save fails is never reused
            log = self._logs.pop(first.stream_id, None)
        if log is None:
            with translate_storage_errors(f"reading the access log of {first.staff_id}"):
                try:
                    log = self._repository.get(first.stream_id)
                except AggregateNotFoundError:
                    log = None
        for request in requests:
            for fields in request.attempts:
                if log is None:
                    log = AccessLog.first_attempt(staff_id=request.staff_id, day=request.day, **fields)
                else:
                    log.record(**fields)
        assert log is not None  # a request holds at least one attempt
        return log


def _for_caller(error: BaseException, request: _Request, *, led: bool) -> BaseException:
    """The error a caller of a failed batch raises: the leader its own, the others a copy each (one
    exception object is raised in one thread only), in which "what was being done" names the
    caller's own attempts where the batch's message stood for them (never the other callers')."""
    message = error.args[0] if isinstance(error, LedgerError) and error.args and isinstance(error.args[0], str) else ""
    if led and _BATCH not in message:
        return error
    if not isinstance(error, Exception):  # the leader was interrupted (KeyboardInterrupt, SystemExit)
        own: BaseException = StorageError(f"{request.what()}: not done: the commit was interrupted ({error!r})")
    else:
        try:
            own = copy.copy(error)
        except Exception:  # noqa: BLE001 - an exception class that cannot be rebuilt from its args
            own = RuntimeError(f"{request.what()}: {error}")
    own.__cause__ = error
    if _BATCH in message:
        own.args = (message.replace(_BATCH, request.what()), *error.args[1:])
        if isinstance(own, ConflictError):
            own.what = request.what()
    return own
