"""Verification: re-read the raw stored rows and prove every stream's hash chain.

It never rebuilds aggregates or decodes values into objects: each row's bytes are hashed as
stored (:func:`ledger.encoding.stored_event_digest`). Rows are streamed a page at a time in
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
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Notification

from ledger.encoding import GENESIS_HASH, stored_event_digest
from ledger.errors import EncodingError
from ledger.storage import translate_storage_errors

__all__ = ["Problem", "VerificationReport", "verify_store"]

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


def verify_store(recorder: ApplicationRecorder,
                 progress: Callable[[int], None] | None = None,
                 on_row: Callable[[Notification], None] | None = None) -> VerificationReport:
    """Check every stream's chain in one streaming pass (see the module docstring).

    ``on_row`` sees every raw row in global order (the Merkle-log check rides on this pass).
    """
    report = VerificationReport()
    # stream id -> (last good version, its hash); None once the stream is reported broken.
    heads: dict[str, tuple[int, bytes] | None] = {}
    case_topic_suffix = "ledger.case:CaseRecord."
    case_streams: set[str] = set()
    for row in iter_rows(recorder):
        report.events += 1
        if progress is not None and report.events % 1000 == 0:
            progress(report.events)
        if on_row is not None:
            on_row(row)
        oid = row.originator_id
        stream_uuid = oid if isinstance(oid, uuid.UUID) else _as_uuid(str(oid))
        stream = str(stream_uuid) if stream_uuid else str(oid)
        if row.topic.startswith(case_topic_suffix):
            case_streams.add(stream)
        if stream not in heads:
            heads[stream] = (0, GENESIS_HASH)
        head = heads[stream]
        if head is None:
            continue
        version = row.originator_version
        problem, event_hash = _check_row(row, stream_uuid, version, head)
        if problem:
            report.problems.append(Problem(stream, version, problem, row.id))
            heads[stream] = None
        else:
            heads[stream] = (version, event_hash)
    if progress is not None:
        progress(report.events)
    report.streams = len(heads)
    report.cases = len(case_streams)
    report.problems.sort(key=lambda p: p.position)
    return report


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _check_row(row: Notification, stream_uuid: uuid.UUID | None, version: int,
               head: tuple[int, bytes]) -> tuple[str | None, bytes]:
    """``(problem or None, the row's stored event hash)``."""
    if stream_uuid is None:
        return f"stream id {row.originator_id!r} is not a UUID", b""
    try:
        recomputed, stored, prev = stored_event_digest(row.topic, stream_uuid, version, row.state)
    except EncodingError as e:
        return f"stored bytes are unreadable: {e}", b""
    return _chain_problem(version, head, recomputed, stored, prev), stored


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
