"""A case "as of" any point: a moment in time, or a position in the global order of events.

The version is found from the case's stored rows (one query: each event's version, its
notification id and its stored bytes, whose ``timestamp`` is when the ledger took it), then the
case is read at that version with :meth:`~ledger.application.CaseLedger.case`, which starts
from the nearest snapshot at or before it (see ``CaseLedger.snapshotting_intervals``) and
replays only the events after it.

* ``at``: the case as it stood at that moment: every event of the case recorded at or before
  ``at`` (the stream's prefix up to the first event recorded after it).
* ``position``: every event of the case whose notification id (global position) is at most
  ``position``, i.e. what a reader of the first ``position`` notifications had seen.

Before the case existed, :class:`~ledger.errors.NotFound` says so, with when it was opened.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from dataclasses import dataclass
from typing import Any

from ledger.errors import NotFound, RuleViolation
from ledger.integrity.encoding import decode
from ledger.records.case import CaseRecord
from ledger.records.dates import moment_text
from ledger.storage import translate_storage_errors

__all__ = ["StoredPoint", "case_as_of", "stream_points", "version_at"]


@dataclass(frozen=True)
class StoredPoint:
    """One stored event of a stream: its version, global position and when it was recorded."""

    version: int
    position: int
    recorded_at: _dt.datetime


def _col(row: Any, name: str, index: int) -> Any:
    try:
        return row[name]
    except (KeyError, IndexError, TypeError):
        return row[index]


def stream_points(ledger: Any, stream_id: uuid.UUID) -> list[StoredPoint]:
    """Every stored event of a stream, in version order (read from the raw rows; one query)."""
    recorder = ledger.recorder
    table, id_column = recorder.log_events_table
    sql = recorder.log.q(f"SELECT originator_version, {id_column} AS nid, state FROM {table} "
                         "WHERE originator_id = ? ORDER BY originator_version")
    with translate_storage_errors(f"reading the events of case {stream_id}"), \
            recorder.datastore.transaction(commit=False) as c:
        c.execute(sql, (recorder.stream_key(stream_id),))
        rows = c.fetchall()
    return [StoredPoint(int(_col(r, "originator_version", 0)), int(_col(r, "nid", 1)),
                        decode(bytes(_col(r, "state", 2)))["timestamp"]) for r in rows]


def version_at(points: list[StoredPoint], *, at: _dt.datetime | None = None,
               position: int | None = None) -> int | None:
    """The last version at ``at`` or ``position`` (None: before the stream's first event)."""
    version = None
    for p in points:
        if (at is not None and p.recorded_at > at) or (position is not None and p.position > position):
            break
        version = p.version
    return version


def _london(when: _dt.datetime) -> str:
    return moment_text(when)


def case_as_of(ledger: Any, case_id: uuid.UUID | str, *, at: _dt.datetime | None = None,
               position: int | None = None) -> CaseRecord:
    """The case as it stood at ``at`` (aware datetime) or at global ``position`` (neither: now)."""
    if at is not None and position is not None:
        raise RuleViolation("give a moment (at) or a global position, not both")
    cid = ledger.resolve_case_id(case_id)
    if at is None and position is None:
        return ledger.case(cid)  # type: ignore[no-any-return]
    if at is not None and (not isinstance(at, _dt.datetime) or at.tzinfo is None or at.utcoffset() is None):
        raise RuleViolation(f"the moment {at!r} needs a date, a time and a time zone")
    if position is not None and (isinstance(position, bool) or not isinstance(position, int) or position < 0):
        raise RuleViolation(f"the global position must be a whole number, not negative; got {position!r}")
    points = stream_points(ledger, cid)
    if not points:
        raise NotFound(f"no case record {cid}")
    version = version_at(points, at=at, position=position)
    if version is None:
        first = points[0]
        when = (f"at {_london(at)}" if at is not None else f"at global position {position}")
        raise NotFound(f"case {cid} did not exist yet {when}: it was opened at {_london(first.recorded_at)} "
                       f"(global position {first.position})")
    return ledger.case(cid, version=version)  # type: ignore[no-any-return]
