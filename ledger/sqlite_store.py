"""SQLite: the events recorder that also appends to the Merkle log, in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from ledger.merkle_log import LogDialect, append_to_log

__all__ = ["SQLiteLedgerRecorder"]


class SQLiteLedgerRecorder(SQLiteApplicationRecorder):
    """Stores events (eventsourcing's table) and the log tables of :mod:`ledger.merkle_log`."""

    log = LogDialect("?", "merkle_leaves", "merkle_nodes", "merkle_head", "checkpoints", "stored_events", "rowid")
    log_events_table = ("stored_events", "rowid")
    #: The global position of a stream's event (the stream id is stored as hex text).
    position_sql = "SELECT rowid AS nid FROM stored_events WHERE originator_id = ? AND originator_version = ?"

    stream_events_sql = ("SELECT topic, originator_version, state FROM stored_events "
                         "WHERE originator_id = ? ORDER BY originator_version")

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
        if stored_events:
            assert ids is not None
            append_to_log(self.log, c, stored_events, ids)
        return ids
