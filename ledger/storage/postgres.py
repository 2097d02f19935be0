"""PostgreSQL: the events recorder that also appends to the Merkle log, in the same transaction.

eventsourcing takes ``LOCK TABLE ... IN EXCLUSIVE MODE`` on the events table before each
insert, so appends to the log are serialised in notification-id order: one transaction's events
get consecutive notification ids, and their leaves are appended at once, in that order.

What is durable when. Every connection the ledger opens commits synchronously: if the
server's ``synchronous_commit`` for the session is ``off`` (in ``postgresql.conf``, for the role
or database, or in ``PGOPTIONS``), the ledger sets it to ``on`` when the connection is made; a
stronger setting (``remote_write``, ``remote_apply``, with synchronous standbys) is kept, never
lowered. So, for every transaction (case events, staff changes, access attempts alone or with
anything else, checkpoints):

* when the write returns, the server has committed it (its events, their Merkle leaves and the
  new head, atomically, visible to every other session at once) and flushed its WAL to disk:
  it survives a kill of the ledger's process, a crash of the PostgreSQL server, of its machine
  or a power cut, as far as the server runs with ``fsync`` on (the default; with it off nothing
  is durable) and the disk keeps what it says it flushed;
* a write that fails is not stored at all: the transaction is rolled back as a whole, including
  when the Merkle append fails in Python after the inserts (eventsourcing catches that error
  inside its transaction block and would commit; :class:`PostgresLedgerRecorder` carries it out
  of the block first, so that the block rolls back);
* a write that was committed but whose answer was lost (the connection broke at the commit) is
  stored although its caller was not answered; eventsourcing tries it again on a new
  connection, which is refused as a conflict (the events are there), and the caller gets an
  error (an access attempt is then appended again after what is stored, :mod:`ledger.access.group_commit`:
  stored twice, never lost).

The cost of waiting for the disk on every access attempt is won back by group commit
(:mod:`ledger.access.group_commit`): concurrent attempts of one process share one transaction.

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


#: Run on every new connection (autocommit): commits wait for the disk, see the module docstring.
SYNCHRONOUS_COMMIT = ("SELECT set_config('synchronous_commit', 'on', false) "
                      "WHERE current_setting('synchronous_commit') = 'off'")


class _RollBack(BaseException):
    """Carries an error out of eventsourcing's transaction block (which catches ``Exception``
    inside it and would then commit), so that the block rolls back; unwrapped by the recorder."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


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
    configure = pool._configure

    def configure_connection(conn: psycopg.Connection[Any]) -> None:
        if configure is not None:
            configure(conn)  # eventsourcing's: autocommit, idle-in-transaction timeout
        conn.execute(SYNCHRONOUS_COMMIT)

    pool._configure = configure_connection
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
        self.previous_events_sql = (f'SELECT originator_id, originator_version, topic, state '
                                    f'FROM "{schema}"."{events_table_name}" WHERE ')
        self.previous_event_pair = "(originator_id = %s AND originator_version = %s)"
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
            try:
                return super().insert_events(*args, **kwargs)
            except _RollBack as rolled_back:  # rolled back: see _fetch_ids_after_insert_events
                error = rolled_back.error
                if isinstance(error, psycopg.Error):  # as eventsourcing's get_connection would have said it
                    ours = next(mine for theirs, mine in _DRIVER_ERRORS if isinstance(error, theirs))
                    raise ours(str(error)) from error
                raise error from error.__cause__

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
        # Before the insert and outside eventsourcing's try: a refusal here rolls the transaction back.
        check_previous_events(curs, self.previous_events_sql, self.previous_event_pair, self.stream_key,
                              stored_events)
        super()._insert_events(curs, stored_events, **kwargs)

    def _fetch_ids_after_insert_events(self, curs: Any, stored_events: Sequence[StoredEvent],
                                       **kwargs: Any) -> Sequence[int] | None:
        # eventsourcing calls this inside its transaction block, in a try that keeps any Exception
        # and raises it only after the block has committed: _RollBack gets out of the block first.
        try:
            ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
            if stored_events:
                assert ids is not None
                append_to_log(self.log, curs, stored_events, ids)
        except Exception as e:
            raise _RollBack(e) from e
        return ids


stored_as(__name__, "ledger.postgres_store")  # its classes keep the topics they were first stored under
