"""The ledger's transparency log as stored: tree heads, proofs from stored nodes, checkpoints.

Rules:

* proofs are built from the stored perfect-subtree nodes (O(log n) reads), never by rehashing
  all leaves (:mod:`ledger.integrity.merkle_tree`);
* the ledger never signs a checkpoint that is not consistent with the previous one it signed:
  a consistency proof from the stored nodes is generated and verified against the previous
  checkpoint's root first (:func:`ledger.integrity.merkle.verify_consistency`);
* the signing key is read from a file outside the database; only the signed note goes in.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg

from ledger.errors import IntegrityError, NotFound
from ledger.integrity.checkpoint import Checkpoint, SigningKey, sign_checkpoint
from ledger.integrity.merkle import verify_consistency
from ledger.integrity.merkle_log import Frontier, LogDialect
from ledger.integrity.merkle_tree import tree_consistency_proof, tree_inclusion_proof, tree_root
from ledger.integrity.snapshots import snapshot_table
from ledger.integrity.topics import stored_as
from ledger.storage import translate_storage_errors

__all__ = ["StoredCheckpoint", "TransparencyLog"]


@dataclass(frozen=True)
class StoredCheckpoint:
    seq: int
    size: int
    root: bytes
    note: str
    signed_at: str
    bad_text: str = ""  # the text column whose stored bytes are not UTF-8 ("note", "signed_at"), if any


def _text(value: Any, column: str, bad: list[str]) -> str:
    """A text column as stored: SQLite hands over bytes (cast), so that bytes that are not UTF-8 are
    reported on their checkpoint, not raised as a driver error that stops verification."""
    if not isinstance(value, (bytes, memoryview)):
        return str(value)
    try:
        return bytes(value).decode()
    except UnicodeDecodeError:
        bad.append(column)
        return bytes(value).decode(errors="replace")


def col(row: Any, name: str, index: int) -> Any:
    """A column of a row from either backend (sqlite3.Row or psycopg dict row)."""
    try:
        return row[name]
    except (KeyError, IndexError, TypeError):
        return row[index]


class TransparencyLog:
    """Read and extend the stored log of one ledger (``recorder`` of a :class:`CaseLedger`)."""

    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder
        self.dialect: LogDialect = recorder.log
        self.datastore = recorder.datastore

    @contextmanager
    def _read(self, what: str) -> Iterator[Any]:
        with translate_storage_errors(what), self.datastore.transaction(commit=False) as cursor:
            yield cursor

    # --- tree ------------------------------------------------------------------------------

    def head(self) -> Frontier:
        with self._read("reading the Merkle log head") as c:
            return self.dialect.read_head(c)

    def node(self, cursor: Any, level: int, idx: int) -> bytes:
        cursor.execute(self.dialect.q(f"SELECT hash FROM {self.dialect.nodes} WHERE level = ? AND idx = ?"),
                       (level, idx))
        row = cursor.fetchone()
        if row is None:
            raise IntegrityError(f"Merkle node (level {level}, index {idx}) is missing from the store")
        return bytes(col(row, "hash", 0))

    def root(self, size: int) -> bytes:
        with self._read("reading the Merkle log") as c:
            return tree_root(size, lambda level, idx: self.node(c, level, idx))

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        with self._read("building an inclusion proof") as c:
            return tree_inclusion_proof(index, size, lambda level, idx: self.node(c, level, idx))

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        with self._read("building a consistency proof") as c:
            return tree_consistency_proof(old_size, new_size, lambda level, idx: self.node(c, level, idx))

    def leaf_of(self, stream_id: uuid.UUID, version: int) -> tuple[int, int, bytes]:
        """``(leaf index, notification id, leaf hash)`` of a stream's event."""
        with self._read("finding an event in the Merkle log") as c:
            c.execute(self.dialect.q(self.recorder.position_sql), (self.recorder.stream_key(stream_id), version))
            row = c.fetchone()
            if row is None:
                raise NotFound(f"no event version {version} in stream {stream_id}")
            nid = int(col(row, "nid", 0))
            c.execute(self.dialect.q(f"SELECT leaf_index FROM {self.dialect.leaves} WHERE notification_id = ?"),
                      (nid,))
            leaf = c.fetchone()
            if leaf is None:
                raise IntegrityError(f"event version {version} of stream {stream_id} has no leaf in the log")
            index = int(col(leaf, "leaf_index", 0))
            return index, nid, self.node(c, 0, index)

    def first_orphan_leaf(self) -> tuple[int, int] | None:
        """The first ``(leaf index, notification id)`` whose event is not in the store, if any."""
        events, event_id = self.recorder.log_events_table
        with self._read("reading Merkle leaves") as c:
            c.execute(f"SELECT l.leaf_index AS li, l.notification_id AS nid FROM {self.dialect.leaves} l "
                      f"LEFT JOIN {events} e ON e.{event_id} = l.notification_id "
                      f"WHERE e.{event_id} IS NULL ORDER BY l.leaf_index LIMIT 1")
            row = c.fetchone()
            return None if row is None else (int(col(row, "li", 0)), int(col(row, "nid", 1)))

    def counts(self) -> tuple[int, int, int | None, int | None]:
        """``(stored events, stored leaves, lowest leaf index, highest leaf index)``: cheap aggregate reads."""
        events, _ = self.recorder.log_events_table
        with self._read("counting stored events and leaves") as c:
            c.execute(f"SELECT COUNT(*) AS n FROM {events}")
            n_events = int(col(c.fetchone(), "n", 0))
            c.execute(f"SELECT COUNT(*) AS n, MIN(leaf_index) AS lo, MAX(leaf_index) AS hi FROM {self.dialect.leaves}")
            row = c.fetchone()
            lo, hi = col(row, "lo", 1), col(row, "hi", 2)
            return (n_events, int(col(row, "n", 0)), None if lo is None else int(lo),
                    None if hi is None else int(hi))

    def store_check(self) -> tuple[str, list[str]]:
        """The store's own integrity check: ``(what was checked, what it found wrong)``.

        SQLite: ``PRAGMA integrity_check`` (every page, and every index against its table: a damaged
        index hides rows from lookups while a scan still reads them). PostgreSQL: amcheck's
        ``bt_index_check`` on every index of the ledger's tables (snapshots too) when the extension is
        installed in the database; without it, or without the right to run it, nothing beyond what the
        server checks itself, and the report says it was not run (verify never installs anything: it
        does not write).
        """
        with self._read("running the store's integrity check") as c:
            if self.dialect.ph == "?":
                c.execute("PRAGMA integrity_check(20)")
                found = [str(col(r, "integrity_check", 0)) for r in c.fetchall()]
                return "SQLite integrity_check", [] if found == ["ok"] else found
            c.execute("SELECT n.nspname AS schema FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace "
                      "WHERE x.extname = 'amcheck'")
            found_schema = c.fetchone()
            if found_schema is None:
                return ("not run (the PostgreSQL amcheck extension is not installed in this database: "
                        "CREATE EXTENSION amcheck)"), []
            check = '"' + str(col(found_schema, "schema", 0)).replace('"', '""') + '".bt_index_check'
            events, _ = self.recorder.log_events_table
            tables = [events, self.dialect.leaves, self.dialect.nodes, self.dialect.head, self.dialect.checkpoints,
                      snapshot_table(self.recorder)]
            c.execute("SELECT i.indexrelid::regclass::text AS name FROM pg_index i WHERE i.indrelid = ANY(ARRAY["
                      + ", ".join(f"to_regclass('{t}')" for t in tables) + "]) ORDER BY 1")
            names = [str(col(r, "name", 0)) for r in c.fetchall()]
            label = f"PostgreSQL amcheck bt_index_check on {len(names)} indexes"
            for name in names:
                try:
                    c.execute(f"SELECT {check}(%s::regclass)", (name,))
                except (psycopg.errors.IndexCorrupted, psycopg.errors.DataCorrupted) as e:
                    return label, [f"index {name}: {e}"]  # the check's own report of a damaged index
                except psycopg.Error as e:  # no permission to run it, say: not a finding about the data
                    return f"not run (PostgreSQL amcheck bt_index_check failed: {str(e).strip()})", []
            return label, []

    def nodes_between(self, level: int, first: int, last: int) -> dict[int, bytes]:
        """Stored nodes of one level with index in ``[first, last]``."""
        with self._read("reading Merkle nodes") as c:
            c.execute(self.dialect.q(f"SELECT idx, hash FROM {self.dialect.nodes} WHERE level = ? "
                                     "AND idx >= ? AND idx <= ?"), (level, first, last))
            return {int(col(r, "idx", 0)): bytes(col(r, "hash", 1)) for r in c.fetchall()}

    def node_counts(self) -> list[tuple[int, int]]:
        """``(level, number of stored nodes)`` for every level present."""
        with self._read("counting Merkle nodes") as c:
            c.execute(f"SELECT level, COUNT(*) AS n FROM {self.dialect.nodes} GROUP BY level ORDER BY level")
            return [(int(col(r, "level", 0)), int(col(r, "n", 1))) for r in c.fetchall()]

    def checkpoints(self) -> list[StoredCheckpoint]:
        text = "CAST({0} AS BLOB) AS {0}" if self.dialect.ph == "?" else "{0}"
        with self._read("reading checkpoints") as c:
            c.execute(f"SELECT seq, size, root, {text.format('note')}, {text.format('signed_at')} "
                      f"FROM {self.dialect.checkpoints} ORDER BY seq")
            rows = c.fetchall()
        history = []
        for r in rows:
            bad: list[str] = []
            note, signed_at = _text(col(r, "note", 3), "note", bad), _text(col(r, "signed_at", 4), "signed_at", bad)
            history.append(StoredCheckpoint(int(col(r, "seq", 0)), int(col(r, "size", 1)), bytes(col(r, "root", 2)),
                                            note, signed_at, " and ".join(bad)))
        return history

    def sign(self, key: SigningKey, origin: str, now: _dt.datetime) -> tuple[Checkpoint, str]:
        """Sign the current tree head, after proving it extends the last signed checkpoint."""
        head = self.head()
        cp = Checkpoint(origin, head.size, head.root())
        history = self.checkpoints()
        if history:
            last = history[-1]
            if head.size < last.size:
                raise IntegrityError(
                    f"refusing to sign: the log has {head.size} leaves but the last signed checkpoint "
                    f"has {last.size} (truncated, or restored from an older backup)"
                )
            proof = self.consistency_proof(last.size, head.size) if last.size else []
            if last.size and not verify_consistency(last.size, head.size, last.root, cp.root, proof):
                raise IntegrityError(
                    f"refusing to sign: the log of size {head.size} is not consistent with the last "
                    f"signed checkpoint (size {last.size}); history was rewritten"
                )
        note = sign_checkpoint(cp, key)
        seq = (history[-1].seq + 1) if history else 1
        with translate_storage_errors("storing a checkpoint"), self.datastore.transaction(commit=True) as c:
            c.execute(self.dialect.q(f"INSERT INTO {self.dialect.checkpoints} (seq, size, root, note, signed_at) "
                                     "VALUES (?, ?, ?, ?, ?)"), (seq, cp.size, cp.root, note, now.isoformat()))
        return cp, note


stored_as(__name__, "ledger.transparency")  # its classes keep the topics they were first stored under
