"""SQLite: the events recorder that also appends to the Merkle log, in the same transaction.

Durability. The database is in WAL mode (eventsourcing sets it) and every connection the
ledger opens sets ``PRAGMA synchronous = NORMAL``: a commit is appended to the WAL file (a
write to the operating system) but not fsynced; the WAL is fsynced at each checkpoint. What
this guarantees and what it does not:

* once a write (an access attempt, a case event) has returned, it is committed: if the ledger's
  process stops, is killed or crashes right after, the commit is in the OS's file cache and
  is there when the database is next opened (no attempt is lost if the process stops after a
  read returned data);
* an operating-system crash or power loss can lose the last commits made since the last WAL
  checkpoint (their transactions are rolled back as a whole: the database stays consistent,
  and an event is never left without its Merkle leaf, nor a leaf without its event, nor a
  broken hash chain). With ``synchronous = FULL`` (SQLite's default) each commit waited for an
  fsync (~1 ms or more per write), which only protects against that case; a ledger that must
  survive power loss with no lost commit belongs on PostgreSQL.

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

    previous_event_sql = "SELECT topic, state FROM stored_events WHERE originator_id = ? AND originator_version = ?"

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
                connection.cursor().execute("PRAGMA synchronous = NORMAL")  # see the module docstring
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
        check_previous_events(c, self.previous_event_sql, self.stream_key, stored_events)
        if stored_events:
            assert ids is not None
            append_to_log(self.log, c, stored_events, ids)
        return ids


stored_as(__name__, "ledger.sqlite_store")  # its classes keep the topics they were first stored under
