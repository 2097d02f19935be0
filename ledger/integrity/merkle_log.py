"""The live Merkle log: every stored event is a leaf, appended in the same transaction.

Choice: the tree is extended inside the transaction that inserts the events, not by a
follower. The events' notification ids are known there, and the store serialises writers
(PostgreSQL takes ``LOCK TABLE ... IN EXCLUSIVE MODE`` on the events table for each insert;
SQLite has one writer), so leaves are appended in exactly the global order, with no gap, and
an event can never be committed without its leaf, nor a leaf without its event. A follower
would need its own crash recovery and would leave a window where events are unlogged.

Tables (names per backend, see :mod:`ledger.storage.sqlite` and :mod:`ledger.storage.postgres`):

* ``merkle_leaves(leaf_index, notification_id)``: leaf i is the event with that notification
  id; leaf indexes run 0, 1, 2, ... with no gap even where notification ids have gaps;
* ``merkle_nodes(level, idx, hash)``: the hash of every perfect subtree, level 0 being the
  leaf hashes (node (l, i) covers leaves ``[i*2^l, (i+1)*2^l)``); proofs read O(log n) of them;
* ``merkle_head(id=1, size, frontier)``: the tree size and its right frontier (the roots of
  the perfect subtrees along the right edge, at most 64 hashes), so an append reads one row;
* ``checkpoints(seq, size, root, note, signed_at)``: the signed tree heads, oldest first.

The leaf entry of an event is :func:`ledger.integrity.encoding.log_entry` of its stored row: its type,
stream id, version and stored bytes, so nothing of a row can change without changing its leaf.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ledger.integrity.encoding import log_entry_hash
from ledger.integrity.merkle import node_hash
from ledger.integrity.topics import stored_as

__all__ = ["Frontier", "LogDialect", "append_to_log", "frontier_root"]

HASH_SIZE = 32
EMPTY_ROOT = bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


@dataclass(frozen=True)
class Frontier:
    """Tree size and the hashes of the perfect subtrees on its right edge, largest first."""

    size: int
    hashes: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if len(self.hashes) != bin(self.size).count("1"):
            raise ValueError(f"frontier of size {self.size} needs {bin(self.size).count('1')} "
                             f"hashes, has {len(self.hashes)}")

    def to_bytes(self) -> bytes:
        return b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, size: int, blob: bytes) -> Frontier:
        return cls(size, tuple(blob[i:i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE)))

    def root(self) -> bytes:
        return frontier_root(self.hashes)


def frontier_root(hashes: Sequence[bytes]) -> bytes:
    """The RFC 9162 root of a tree from its right frontier."""
    if not hashes:
        return EMPTY_ROOT
    root = hashes[-1]
    for h in reversed(hashes[:-1]):
        root = node_hash(h, root)
    return root


def extend(frontier: Frontier, leaf_hashes: Sequence[bytes]) -> tuple[Frontier, list[tuple[int, int, bytes]]]:
    """Append leaves: the new frontier and every new perfect-subtree node (level, idx, hash)."""
    stack = list(frontier.hashes)
    size = frontier.size
    nodes: list[tuple[int, int, bytes]] = []
    for h in leaf_hashes:
        idx, level, cur = size, 0, h
        nodes.append((0, idx, cur))
        while idx & 1:
            cur = node_hash(stack.pop(), cur)
            idx >>= 1
            level += 1
            nodes.append((level, idx, cur))
        stack.append(cur)
        size += 1
    return Frontier(size, tuple(stack)), nodes


class LogDialect:
    """The SQL of the log tables for one backend (placeholder style and table names)."""

    def __init__(self, ph: str, leaves: str, nodes: str, head: str, checkpoints: str, events: str = "",
                 event_id: str = "") -> None:
        self.ph = ph
        self.leaves, self.nodes, self.head, self.checkpoints = leaves, nodes, head, checkpoints
        #: One page of raw stored events in global order, each with its leaf index and stored leaf
        #: hash (NULL where the event has no leaf): what verification reads.
        #: Text columns are read as bytes on SQLite (placeholder ``?``), which stores any bytes in a TEXT
        #: column: a value that is not UTF-8 is then reported on its row, not as a failure to read.
        def text(column: str) -> str:
            return f"CAST(e.{column} AS BLOB)" if ph == "?" else f"e.{column}"

        self.raw_rows_sql = self.q(
            f"SELECT e.{event_id}, {text('originator_id')}, e.originator_version, {text('topic')}, e.state, "
            "l.leaf_index, n.hash "
            f"FROM {events} e LEFT JOIN {leaves} l ON l.notification_id = e.{event_id} "
            f"LEFT JOIN {nodes} n ON n.level = 0 AND n.idx = l.leaf_index "
            f"WHERE e.{event_id} >= ? ORDER BY e.{event_id} LIMIT ?")

    def q(self, sql: str) -> str:
        return sql.replace("?", self.ph)

    def read_head(self, cursor: Any) -> Frontier:
        cursor.execute(f"SELECT size, frontier FROM {self.head} WHERE id = 1")
        row = cursor.fetchone()
        if row is None:
            return Frontier(0, ())
        size, blob = (row["size"], row["frontier"]) if isinstance(row, dict) else (row[0], row[1])
        return Frontier.from_bytes(int(size), bytes(blob))

    def write(self, cursor: Any, before: Frontier, after: Frontier, notification_ids: Sequence[int],
              nodes: list[tuple[int, int, bytes]]) -> None:
        cursor.executemany(self.q(f"INSERT INTO {self.leaves} (leaf_index, notification_id) VALUES (?, ?)"),
                           [(before.size + i, nid) for i, nid in enumerate(notification_ids)])
        cursor.executemany(self.q(f"INSERT INTO {self.nodes} (level, idx, hash) VALUES (?, ?, ?)"), nodes)
        if before.size == 0:
            cursor.execute(self.q(f"INSERT INTO {self.head} (id, size, frontier) VALUES (1, ?, ?)"),
                           (after.size, after.to_bytes()))
        else:
            cursor.execute(self.q(f"UPDATE {self.head} SET size = ?, frontier = ? WHERE id = 1 AND size = ?"),
                           (after.size, after.to_bytes(), before.size))


def event_leaf_hash(topic: str, originator_id: uuid.UUID | str, version: int, state: bytes) -> bytes:
    oid = originator_id if isinstance(originator_id, uuid.UUID) else uuid.UUID(str(originator_id))
    return log_entry_hash(topic, oid.bytes, version, state)


def append_to_log(dialect: LogDialect, cursor: Any, stored_events: Sequence[Any],
                  notification_ids: Sequence[int]) -> None:
    """Extend the log with ``stored_events`` (already inserted, with these ids), same transaction.

    All of one transaction's events are appended at once (one read and one write of the head), in
    notification-id order whatever order they were given in (a batch of several streams' events)."""
    if len(notification_ids) != len(stored_events):
        raise RuntimeError(f"got {len(notification_ids)} notification ids for {len(stored_events)} events")
    ordered = sorted(zip(notification_ids, stored_events, strict=True), key=lambda pair: pair[0])
    before = dialect.read_head(cursor)
    leaves = [event_leaf_hash(e.topic, e.originator_id, e.originator_version, e.state) for _, e in ordered]
    after, nodes = extend(before, leaves)
    dialect.write(cursor, before, after, [nid for nid, _ in ordered], nodes)


stored_as(__name__, "ledger.merkle_log")  # its classes keep the topics they were first stored under
