"""SQLite: the events recorder that also appends to the Merkle log, in the same transaction.

What is durable when. The database is in WAL mode (eventsourcing sets it) and every connection
the ledger opens for writing sets ``PRAGMA synchronous = FULL``: each commit appends its pages to
the WAL file and fsyncs it before the commit returns (and checkpoints, which copy the WAL into
the database file, fsync too). So, for every transaction (case events, staff changes, access
attempts, checkpoints):

* when the write returns, it is committed and on disk: readable by every other connection and
  process at once, and kept through a kill or crash of the ledger's process, an operating-system
  crash or a power cut, as far as the disk keeps what it says it flushed;
* a write that fails, or is cut short by any of those, is not stored at all: SQLite rolls back
  an incomplete transaction as a whole when the database is next opened (never an event without
  its Merkle leaf, nor a leaf without its event, nor a broken hash chain).

Each commit waits for one fsync (about a millisecond on an SSD, more on a disk or a network
file system); access attempts made at the same moment share one (:mod:`ledger.access.group_commit`).
Until issue 13 the ledger used ``synchronous = NORMAL`` (no fsync at commit), which lost the last
commits on a power cut: an attempt whose data was already shown could vanish.

Read-only. A ledger opened through a ``mode=ro`` URI (:func:`ledger.storage.sqlite_read_only_uri`)
gets connections that write nothing: no ``PRAGMA journal_mode`` change (eventsourcing's pool would
set WAL on a database that does not report it, which an ``immutable`` one does not), no
``synchronous`` setting, and ``PRAGMA query_only`` on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteConnection, SQLiteCursor, SQLiteDatastore

from ledger.integrity.merkle_log import LogDialect, append_to_log
from ledger.integrity.topics import stored_as
from ledger.storage import check_previous_events

__all__ = ["SQLiteLedgerRecorder"]


class SQLiteLedgerRecorder(SQLiteApplicationRecorder):
    """Stores events (eventsourcing's table) and the log tables of :mod:`ledger.integrity.merkle_log`."""

    log = LogDialect("?", "merkle_leaves", "merkle_nodes", "merkle_head", "checkpoints", "stored_events", "rowid")
    log_events_table = ("stored_events", "rowid")
    #: The global position of a stream's event (the stream id is stored as hex text).
    position_sql = "SELECT rowid AS nid FROM stored_events WHERE originator_id = ? AND originator_version = ?"

    #: The stored events a new append follows (:func:`ledger.storage.check_previous_events`).
    previous_events_sql = "SELECT originator_id, originator_version, topic, state FROM stored_events WHERE "
    previous_event_pair = "(originator_id = ? AND originator_version = ?)"

    stream_events_sql = ("SELECT topic, originator_version, state FROM stored_events "
                         "WHERE originator_id = ? ORDER BY originator_version")

    def __init__(self, datastore: SQLiteDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        pool = datastore.pool
        create = pool._create_connection
        self.read_only = pool.db_name.startswith("file:") and "mode=ro" in pool.db_name
        if self.read_only:
            pool.is_journal_mode_wal = True  # never asked or changed: see the module docstring

        def create_connection() -> SQLiteConnection:
            connection = create()
            if self.read_only:
                connection.cursor().execute("PRAGMA query_only = ON")
            elif not pool.is_sqlite_memory_mode:
                connection.cursor().execute("PRAGMA synchronous = FULL")  # see the module docstring
            return connection

        pool._create_connection = create_connection  # type: ignore[method-assign]

    def has_ledger_tables(self) -> bool:
        """Whether this database holds a ledger (its events and Merkle head tables)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                      "('stored_events', 'merkle_head')")
            return int(c.fetchone()[0]) == 2

    @staticmethod
    def stream_key(stream_id: UUID) -> str:
        return stream_id.hex

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS merkle_leaves (leaf_index INTEGER PRIMARY KEY, "
            "notification_id INTEGER NOT NULL UNIQUE)",
            "CREATE TABLE IF NOT EXISTS merkle_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, "
            "hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID",
            "CREATE TABLE IF NOT EXISTS merkle_head (id INTEGER PRIMARY KEY CHECK (id = 1), "
            "size INTEGER NOT NULL, frontier BLOB NOT NULL)",
            "CREATE TABLE IF NOT EXISTS checkpoints (seq INTEGER PRIMARY KEY, size INTEGER NOT NULL, "
            "root BLOB NOT NULL, note TEXT NOT NULL, signed_at TEXT NOT NULL)",
        ]

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        # After the insert, which takes the write lock (a read first would make the transaction's
        # snapshot stale under a concurrent writer: SQLITE_BUSY). A refusal rolls it all back.
        check_previous_events(c, self.previous_events_sql, self.previous_event_pair, self.stream_key,
                              stored_events)
        if stored_events:
            assert ids is not None
            append_to_log(self.log, c, stored_events, ids)
        return ids


stored_as(__name__, "ledger.sqlite_store")  # its classes keep the topics they were first stored under
