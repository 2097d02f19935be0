"""Verification: re-read the raw stored rows and prove every stream's hash chain.

It never rebuilds aggregates or decodes values into objects: each row's bytes are hashed as
stored (:func:`ledger.integrity.encoding.stored_event_digest`). Rows are streamed a page at a time in
the store's global order; memory holds one page and, per stream, the last version and hash,
so it grows with the number of streams (children, staff), not with the number of events.

For each stream it checks, in order:

1. the stored bytes decode to a map with ``event_hash`` and ``prev_hash``;
2. the recomputed hash equals the stored ``event_hash`` (content, type, stream and version
   are all bound in, so an edited byte, a moved payload or a changed version shows here);
3. the version is the next one (1 first, then no gap, no repeat);
4. ``prev_hash`` equals the previous event's hash (zero for version 1).

The first failure of a stream is reported with the stream id, the version and what is
wrong; later rows of a broken stream are not reported again (one bad event would otherwise
be reported as a cascade).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from eventsourcing.persistence import ApplicationRecorder, Notification

from ledger.errors import EncodingError
from ledger.integrity.encoding import GENESIS_HASH, log_entry_hash, stored_event_digest
from ledger.integrity.topics import stored_as
from ledger.storage import translate_storage_errors

__all__ = ["Problem", "RawRow", "VerificationReport", "iter_raw_rows", "iter_rows", "verify_store"]

PAGE = 2_000


@dataclass(frozen=True)
class Problem:
    """The first bad position of a stream and what is wrong with it."""

    stream: str
    version: int
    problem: str
    position: int  # the row's place in the store's global order

    def as_dict(self) -> dict[str, Any]:
        return {"case": self.stream, "version": self.version, "problem": self.problem,
                "position": self.position}


@dataclass
class VerificationReport:
    events: int = 0
    streams: int = 0
    cases: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "events": self.events, "cases": self.cases,
                "streams": self.streams, "problems": [p.as_dict() for p in self.problems]}


def iter_rows(recorder: ApplicationRecorder, page: int = PAGE) -> Iterator[Notification]:
    """Every stored event row, in global order, a page at a time."""
    start = 1
    while True:
        with translate_storage_errors("reading stored events for verification"):
            batch = recorder.select_notifications(start, page)
        if not batch:
            return
        yield from batch
        start = batch[-1].id + 1


class RawRow(NamedTuple):
    """One stored event as read for verification, with its leaf as stored (None if missing)."""

    id: int
    originator_id: Any  # hex text on SQLite, uuid.UUID on PostgreSQL
    originator_version: int
    topic: str
    state: bytes
    leaf_index: int | None
    leaf_hash: bytes | None
    bad_text: str = ""  # the text column whose stored bytes are not UTF-8, if any


#: Below every id a store can hold (SQLite rowids and PostgreSQL bigints are signed 64-bit): a row
#: written at id -1 or 0 outside the ledger is read like any other.
LOWEST_ID = -(2**63)


def _text(value: Any, column: str, bad: list[str]) -> Any:
    if not isinstance(value, (bytes, memoryview)):
        return value
    try:
        return bytes(value).decode()
    except UnicodeDecodeError:
        bad.append(column)
        return bytes(value).decode(errors="replace")


def _raw_row(r: Any) -> RawRow:
    bad: list[str] = []
    oid, topic = _text(r[1], "stream id", bad), _text(r[3], "topic", bad)
    return RawRow(r[0], oid, r[2], topic, bytes(r[4]), r[5], None if r[6] is None else bytes(r[6]),
                  " and ".join(bad))


def iter_raw_rows(recorder: Any, page: int = PAGE) -> Iterator[list[RawRow]]:
    """Pages of raw stored events in global order, joined with their Merkle leaves: every row, whatever
    its id (the ledger's start at 1; one written at 0 or below by hand is read too)."""
    sql = recorder.log.raw_rows_sql
    start = LOWEST_ID
    while True:
        with translate_storage_errors("reading stored events for verification"), \
                recorder.datastore.transaction(commit=False) as cursor:
            if type(cursor).__module__.startswith("psycopg"):
                cursor.row_factory = _tuple_rows(cursor)
            cursor.execute(sql, (start, page))
            rows = [_raw_row(r) for r in cursor.fetchall()]
        if not rows:
            return
        yield rows
        start = rows[-1].id + 1


def _tuple_rows(cursor: Any) -> Any:
    try:  # psycopg: plain tuples are cheaper than dict rows
        from psycopg.rows import tuple_row

        return tuple_row
    except ImportError:  # pragma: no cover
        return cursor.row_factory


class LeafObserver(Protocol):
    def __call__(self, row: RawRow, position: int, recomputed: bytes, /) -> None: ...


def verify_store(recorder: Any, progress: Callable[[int], None] | None = None,
                 on_leaf: LeafObserver | None = None) -> VerificationReport:
    """Check every stream's chain in one streaming pass (see the module docstring).

    With ``on_leaf``, each row's Merkle leaf hash is also recomputed and handed over with the
    row and its position (the Merkle-log check rides on this pass).
    """
    report = VerificationReport()
    # stream key -> (last good version, its hash); None once the stream is reported broken.
    heads: dict[Any, tuple[int, bytes] | None] = {}
    case_topic_prefix = "ledger.case:CaseRecord."
    case_streams: set[Any] = set()
    position = 0
    stream_bytes_of: dict[Any, bytes | None] = {}
    for page in iter_raw_rows(recorder):
        for row in page:
            key = row.originator_id
            stream_bytes = stream_bytes_of.get(key, b"")
            if stream_bytes == b"":
                stream_bytes = stream_bytes_of[key] = _stream_bytes(key)
            if row.topic.startswith(case_topic_prefix):
                case_streams.add(key)
            if on_leaf is not None:
                on_leaf(row, position, _leaf(row, stream_bytes))
            position += 1
            head = heads.get(key, _GENESIS_HEAD)
            if head is None:
                continue
            version = row.originator_version
            problem: str | None
            if row.bad_text:
                problem, event_hash = (f"the stored {row.bad_text} is not UTF-8 text (its bytes were changed "
                                       "outside the ledger)"), b""
            elif stream_bytes is None:
                problem, event_hash = f"stream id {key!r} is not a UUID", b""
            else:
                try:
                    recomputed, event_hash, prev = stored_event_digest(row.topic, stream_bytes, version, row.state)
                except EncodingError as e:
                    problem, event_hash = f"stored bytes are unreadable: {e}", b""
                else:
                    problem = _chain_problem(version, head, recomputed, event_hash, prev)
            if problem:
                report.problems.append(Problem(_display(key), version, problem, row.id))
                heads[key] = None
            else:
                heads[key] = (version, event_hash)
        report.events = position
        if progress is not None:
            progress(position)
    report.streams = len(heads)
    report.cases = len(case_streams)
    report.problems.sort(key=lambda p: p.position)
    return report


_GENESIS_HEAD = (0, GENESIS_HASH)


def _stream_bytes(key: Any) -> bytes | None:
    if isinstance(key, uuid.UUID):
        return key.bytes
    try:
        raw = bytes.fromhex(str(key))
    except ValueError:
        raw = b""
    if len(raw) == 16:
        return raw
    parsed = _as_uuid(str(key))
    return parsed.bytes if parsed else None


def _display(key: Any) -> str:
    parsed = key if isinstance(key, uuid.UUID) else _as_uuid(str(key))
    return str(parsed) if parsed else str(key)


def _leaf(row: RawRow, stream_bytes: bytes | None) -> bytes:
    return log_entry_hash(row.topic, stream_bytes or bytes(16), row.originator_version, row.state)


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _chain_problem(version: int, head: tuple[int, bytes], recomputed: bytes, stored: bytes,
                   prev: bytes) -> str | None:
    last_version, last_hash = head
    if recomputed != stored:
        return (
            "event hash does not match its content (the event's bytes, type, stream or "
            f"version were changed): stored {stored.hex()[:16]}…, recomputed {recomputed.hex()[:16]}…"
        )
    if version != last_version + 1:
        if version <= last_version:
            return f"version {version} comes after version {last_version}: a repeated or reordered event"
        missing = (f"version {last_version + 1}" if version == last_version + 2
                   else f"versions {last_version + 1} to {version - 1}")
        return f"{missing} missing: the stream jumps from version {last_version} to {version}"
    if prev != last_hash:
        expected = "the genesis hash (zeros)" if last_version == 0 else f"the hash of version {last_version}"
        return (
            f"chain broken: previous-hash {prev.hex()[:16]}… is not {expected} "
            f"({last_hash.hex()[:16]}…)"
        )
    return None


stored_as(__name__, "ledger.verify")  # its classes keep the topics they were first stored under
