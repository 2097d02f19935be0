"""PostgreSQL: the events recorder that also appends to the Merkle log, in the same transaction.

eventsourcing takes ``LOCK TABLE ... IN EXCLUSIVE MODE`` on the events table before each
insert, so appends to the log are serialised in notification-id order.

Durability of access attempts. A transaction that stores only access-attempt events
(:data:`ledger.access.log.ATTEMPT_TOPICS`: the attempt recorded before a read returns data)
runs with ``SET LOCAL synchronous_commit TO off``: the server commits it (its events, their
Merkle leaves and the new head, atomically, visible to every other session) and answers
without waiting for its WAL to be flushed to disk; the WAL writer flushes it within
``3 x wal_writer_delay`` (600 ms with the default 200 ms). What this guarantees and what it
does not:

* when the write returns, the server has committed it: if the ledger's process (the client)
  stops, is killed or loses its connection right after the read returned data, the attempt is
  not lost;
* a crash of the PostgreSQL server or its machine within that window can lose the last such
  commits (each as a whole: never an event without its leaf, never a broken chain, never a
  gap in the log, as it comes back up at a consistent earlier point). It cannot lose an
  attempt while keeping a later commit that waited for the disk: flushing the WAL up to any
  later synchronous commit (every other write of the ledger) flushes the attempts before it.

Every other transaction (case events, staff changes, batches of attempts mixed with anything
else) keeps the server's ``synchronous_commit`` setting.

Waiting for the server. ``connect_timeout`` (the URL's, :func:`ledger.storage.backend_for`) is
the whole wait of one call of the recorder. eventsourcing retries a call that fails on a lost
connection (``@retry(max_attempts=10, wait=0.2)``), and each try waited for the pool's full
timeout: an outage blocked a writer 36-52 s before "couldn't get a connection after 5.00 sec".
Here (:class:`LedgerPostgresFactory`) each of the recorder's calls has one deadline, its start
plus the timeout: a try waits for a connection only until then, and a wait that ends without
one raises :class:`~ledger.storage.DatabaseUnreachable` (or, when every connection of the pool
was in use all along, :class:`~ledger.storage.NoFreeConnection`), which nothing retries. A stale pooled
connection (the server restarted) is still retried, within the deadline. Each connection
attempt gives up after the timeout too (libpq's ``connect_timeout``, at least 2 s), and the
pool gives up reconnecting in the background after it, so that a new attempt starts at the next
call once the server is back. A ledger opened read-only has ``default_transaction_read_only``
on for every connection.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    PersistenceError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresFactory
from eventsourcing.utils import Environment, EnvType, strtobool
from psycopg.rows import DictRow
from psycopg.sql import SQL
from psycopg.types.composite import register_composite
from psycopg_pool import PoolTimeout

from ledger.access.log import ATTEMPT_TOPICS
from ledger.integrity.merkle_log import LogDialect, append_to_log
from ledger.integrity.topics import stored_as
from ledger.storage import READ_ONLY_KEY, DatabaseUnreachable, NoFreeConnection, check_previous_events

__all__ = ["LedgerPostgresFactory", "PostgresLedgerRecorder"]

#: How eventsourcing's ``PostgresDatastore.get_connection`` translates driver errors (the same order).
_DRIVER_ERRORS: tuple[tuple[type[psycopg.Error], type[PersistenceError]], ...] = (
    (psycopg.InterfaceError, InterfaceError), (psycopg.OperationalError, OperationalError),
    (psycopg.DataError, DataError), (psycopg.IntegrityError, IntegrityError),
    (psycopg.InternalError, InternalError), (psycopg.ProgrammingError, ProgrammingError),
    (psycopg.NotSupportedError, NotSupportedError), (psycopg.DatabaseError, DatabaseError),
    (psycopg.Error, PersistenceError),
)


class _Call(threading.local):
    """The deadline of the recorder call this thread is in (None: not in one)."""

    deadline: float | None = None


_call = _Call()


@contextmanager
def within_deadline(timeout: float) -> Iterator[None]:
    """One deadline for everything inside (the outermost call sets it): see the module docstring."""
    if _call.deadline is not None:
        yield
        return
    _call.deadline = time.monotonic() + timeout
    try:
        yield
    finally:
        _call.deadline = None


class LedgerPostgresFactory(PostgresFactory):
    """eventsourcing's PostgreSQL factory, with the waits bounded and the read-only setting."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        bound_waits(self.datastore, read_only=strtobool(self.env.get(READ_ONLY_KEY) or "no"))


def bound_waits(datastore: PostgresDatastore, *, read_only: bool) -> None:
    """Configure ``datastore``'s pool and connections (before it is opened): see the module docstring."""
    pool = datastore.pool
    timeout = float(pool.timeout)
    kwargs = pool.kwargs
    assert isinstance(kwargs, dict)
    where = f"{kwargs['host']}:{kwargs['port']}"
    kwargs["connect_timeout"] = max(2, math.ceil(timeout))
    if read_only:
        kwargs["options"] = "-c default_transaction_read_only=on"
    pool.reconnect_timeout = timeout
    in_use = [0]  # connections handed out and not yet returned
    counting = threading.Lock()

    @contextmanager
    def get_connection() -> Iterator[psycopg.Connection[DictRow]]:
        deadline = _call.deadline
        wait = timeout if deadline is None else deadline - time.monotonic()
        if wait <= 0:
            raise DatabaseUnreachable(where, timeout)
        try:
            pool.open(wait=False)
            with pool.connection(timeout=wait) as conn:
                with counting:
                    in_use[0] += 1
                try:
                    for info in datastore.psycopg_type_adapters.values():
                        if not conn.adapters.types.get(info.oid):
                            register_composite(info, conn)
                    yield conn
                finally:
                    with counting:
                        in_use[0] -= 1
        except PoolTimeout as e:
            size = pool.max_size
            if in_use[0] >= size:  # the pool was full and busy: the database did answer
                raise NoFreeConnection(where, timeout, size) from e
            raise DatabaseUnreachable(where, timeout) from e
        except psycopg.Error as e:
            ours = next(mine for theirs, mine in _DRIVER_ERRORS if isinstance(e, theirs))
            raise ours(str(e)) from e

    datastore.get_connection = get_connection  # type: ignore[method-assign]


class PostgresLedgerRecorder(PostgresApplicationRecorder):
    """Stores events (eventsourcing's table) and the log tables of :mod:`ledger.integrity.merkle_log`."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema = datastore.schema
        prefix = events_table_name.removesuffix("_events")

        def name(table: str) -> str:
            return f'"{schema}"."{prefix}_{table}"'

        self.log = LogDialect("%s", name("merkle_leaves"), name("merkle_nodes"), name("merkle_head"),
                              name("checkpoints"), f'"{schema}"."{events_table_name}"', "notification_id")
        self.log_events_table = (f'"{schema}"."{events_table_name}"', "notification_id")
        self.position_sql = (f'SELECT notification_id AS nid FROM "{schema}"."{events_table_name}" '
                             "WHERE originator_id = %s AND originator_version = %s")
        self.previous_event_sql = (f'SELECT topic, state FROM "{schema}"."{events_table_name}" '
                                   "WHERE originator_id = %s AND originator_version = %s")
        self.stream_events_sql = (f'SELECT topic, originator_version, state FROM "{schema}"."{events_table_name}" '
                                  "WHERE originator_id = %s ORDER BY originator_version")
        for statement in (
            f"CREATE TABLE IF NOT EXISTS {self.log.leaves} (leaf_index bigint PRIMARY KEY, "
            "notification_id bigint NOT NULL UNIQUE)",
            f"CREATE TABLE IF NOT EXISTS {self.log.nodes} (level smallint NOT NULL, idx bigint NOT NULL, "
            "hash bytea NOT NULL, PRIMARY KEY (level, idx))",
            f"CREATE TABLE IF NOT EXISTS {self.log.head} (id smallint PRIMARY KEY CHECK (id = 1), "
            "size bigint NOT NULL, frontier bytea NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self.log.checkpoints} (seq bigint PRIMARY KEY, "
            "size bigint NOT NULL, root bytea NOT NULL, note text NOT NULL, signed_at text NOT NULL)",
        ):
            self.sql_create_statements.append(SQL(statement))  # type: ignore[arg-type]

    def create_table(self) -> None:
        """Create the tables, one process at a time: several processes opening a new ledger at
        once (a server's workers, parallel commands) would otherwise race in PostgreSQL's catalog
        ("tuple concurrently updated"). A session advisory lock, keyed on the schema, serialises
        them; the later ones find the tables there."""
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (f"caseledger:{self.datastore.schema}",))
            try:
                super().create_table()
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (f"caseledger:{self.datastore.schema}",))

    def has_ledger_tables(self) -> bool:
        """Whether this schema holds a ledger (its events and Merkle head tables)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute("SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL AS ok",
                         (self.log_events_table[0], self.log.head))
            row = curs.fetchone()
            return bool(row and row["ok"])

    @staticmethod
    def stream_key(stream_id: UUID) -> UUID:
        return stream_id

    # eventsourcing retries these (see the module docstring): one deadline for all the tries of a call.

    def _deadline(self) -> Any:
        return within_deadline(float(self.datastore.pool.timeout))

    def insert_events(self, *args: Any, **kwargs: Any) -> Any:
        with self._deadline():
            return super().insert_events(*args, **kwargs)

    def select_events(self, *args: Any, **kwargs: Any) -> Any:
        with self._deadline():
            return super().select_events(*args, **kwargs)

    def select_notifications(self, *args: Any, **kwargs: Any) -> Any:
        with self._deadline():
            return super().select_notifications(*args, **kwargs)

    def max_notification_id(self) -> int | None:
        with self._deadline():
            top: int | None = super().max_notification_id()
            return top

    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        # Pipelined with the insert (no round trip of its own); see the module docstring.
        if stored_events and all(e.topic in ATTEMPT_TOPICS for e in stored_events):
            curs.execute("SET LOCAL synchronous_commit TO off")
        # Before the insert and outside eventsourcing's try: a refusal here rolls the transaction back.
        check_previous_events(curs, self.previous_event_sql, self.stream_key, stored_events)
        super()._insert_events(curs, stored_events, **kwargs)

    def _fetch_ids_after_insert_events(self, curs: Any, stored_events: Sequence[StoredEvent],
                                       **kwargs: Any) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if stored_events:
            assert ids is not None
            append_to_log(self.log, curs, stored_events, ids)
        return ids


stored_as(__name__, "ledger.postgres_store")  # its classes keep the topics they were first stored under
