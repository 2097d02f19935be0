"""Snapshots: read only when they belong to the stored events, and checked against them by verify.

A snapshot (eventsourcing's, every ``CaseLedger.snapshotting_intervals`` events) is a cache of a
record's state at a version, kept in its own table: it is not hash-chained and not in the Merkle
log, so whoever can write to the database can edit one, and the application would show the edit
(a child's name, a note's facts) while the events stay intact. Two rules:

* **Read** (:class:`CheckedRepository`): a snapshot at version V is used only if the stored event at
  V is read with it and the snapshot's ``last_hash`` (the aggregate's record of the hash of its last
  event) equals that event's ``event_hash``, and its class is one of the ledger's. Otherwise (a
  snapshot left over from events since rewritten or restored, one that cannot be decoded) the record
  is replayed from its first event. This cheap check cannot see an edit of the snapshot's other
  fields (nothing chained holds a hash of the state): that is what verify is for.
* **Verify** (:func:`check_snapshots`): every stored snapshot is compared, field by field, with the
  state replayed from its stream's events up to its version (Python equality: a value the application
  would treat alike, ``1`` for ``True`` or ``Decimal('1.00')`` for ``Decimal('1.0')``, is not told apart).
  Each snapshotted stream is replayed once, in version order (cost: the events of the
  streams that have a snapshot, up to their last one); streams already reported broken are skipped.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from itertools import chain
from typing import Any

from eventsourcing.application import AggregateNotFoundError, ProjectorFunction, Repository
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

from ledger.errors import EncodingError
from ledger.integrity.chains import Problem, _as_uuid, _display
from ledger.integrity.encoding import CanonicalTranscoder, decode
from ledger.integrity.topics import stored_as
from ledger.storage import translate_storage_errors

__all__ = ["CheckedRepository", "check_snapshots", "snapshot_table"]

#: Only classes of the ledger's own modules are built from a stored topic.
_OWN_TOPICS = "ledger."


class CheckedRepository(Repository[uuid.UUID]):
    """eventsourcing's repository, using a snapshot only when it belongs to the stored events."""

    def _reconstruct_aggregate(self, aggregate_id: uuid.UUID, version: int | None,
                               projector_func: ProjectorFunction[Any, Any]) -> Any:
        aggregate = None
        if self.snapshot_store is not None:
            aggregate = self._from_snapshot(aggregate_id, version, projector_func)
        if aggregate is None:
            aggregate = projector_func(None, self.event_store.get(originator_id=aggregate_id, lte=version))
        if aggregate is None:
            raise AggregateNotFoundError(f"Aggregate {aggregate_id!r} version {version!r} not found.")
        return aggregate

    def _from_snapshot(self, aggregate_id: uuid.UUID, version: int | None,
                       projector_func: ProjectorFunction[Any, Any]) -> Any:
        assert self.snapshot_store is not None
        try:
            found = list(self.snapshot_store.get(originator_id=aggregate_id, desc=True, limit=1, lte=version))
        except (ValueError, TypeError, KeyError, EncodingError, ImportError, AttributeError):
            return None  # a snapshot that cannot be decoded is no snapshot: replay
        if not found:
            return None
        snapshot = found[0]
        at = snapshot.originator_version
        events = list(self.event_store.get(originator_id=aggregate_id, gt=at - 1, lte=version))
        if not events or not _belongs(snapshot, events[0]):
            return None
        return projector_func(None, chain([snapshot], events[1:]))


def _belongs(snapshot: Any, event: Any) -> bool:
    """The snapshot is of the stored event's hash, and of the record class as it is now: a snapshot
    from an older class version lacks what that class did not keep (a case's closure history), so
    the record is replayed from its events instead of being upcast from an incomplete state."""
    state = getattr(snapshot, "state", None)
    topic = str(getattr(snapshot, "topic", ""))
    if not (isinstance(state, dict) and topic.startswith(_OWN_TOPICS)
            and event.originator_version == snapshot.originator_version
            and state.get("last_hash") == getattr(event, "event_hash", None)):
        return False
    return bool(state.get("class_version", 1) == getattr(resolve_topic(topic), "class_version", 1))


# --- verification -----------------------------------------------------------------------------------


def snapshot_table(recorder: Any) -> str:
    """The snapshots table beside the events table (``stored_snapshots``; ``"schema"."caseledger_snapshots"``)."""
    events, _ = recorder.log_events_table
    head, _, tail = str(events).rpartition("events")
    return head + "snapshots" + tail


def _table_exists(cursor: Any, table: str, sqlite: bool) -> bool:
    if sqlite:
        cursor.execute("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
        row = cursor.fetchone()
        return bool(row[0])
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL AS ok", (table,))
    row = cursor.fetchone()
    return bool(row["ok"] if isinstance(row, dict) else row[0])


def _cell(row: Any, name: str, index: int) -> Any:
    return row[name] if isinstance(row, dict) else row[index]


def _stored_snapshots(recorder: Any) -> list[tuple[str, int]]:
    """``(stream id as text, version)`` of every stored snapshot, by stream then version."""
    sqlite = recorder.log.ph == "?"
    table = snapshot_table(recorder)
    oid = "CAST(originator_id AS BLOB)" if sqlite else "originator_id"
    with translate_storage_errors("reading stored snapshots"), recorder.datastore.transaction(commit=False) as c:
        if not _table_exists(c, table, sqlite):
            return []
        c.execute(f"SELECT {oid} AS oid, originator_version AS v FROM {table} ORDER BY originator_id, "
                  "originator_version")
        rows = c.fetchall()
    out = []
    for r in rows:
        key = _cell(r, "oid", 0)
        text = bytes(key).decode(errors="replace") if isinstance(key, (bytes, memoryview)) else str(key)
        out.append((text, int(_cell(r, "v", 1))))
    return out


def _read(recorder: Any, sql: str, params: tuple[Any, ...]) -> list[Any]:
    with translate_storage_errors("reading stored snapshots"), recorder.datastore.transaction(commit=False) as c:
        c.execute(sql, params)
        return list(c.fetchall())


def check_snapshots(recorder: Any, broken: Iterable[str] = ()) -> tuple[int, list[Problem]]:
    """Compare every stored snapshot with its stream replayed from the stored events (module docstring).

    ``broken``: streams (as displayed) whose chain is already reported; their snapshots are not checked.
    Returns ``(snapshots checked, problems)``; a problem names the stream and the snapshot's version.
    """
    skip = set(broken)
    by_stream: dict[str, list[int]] = {}
    for key, version in _stored_snapshots(recorder):
        by_stream.setdefault(key, []).append(version)
    table = snapshot_table(recorder)
    mapper: Mapper[uuid.UUID] = Mapper(transcoder=CanonicalTranscoder())
    checked, problems = 0, []
    for key, versions in by_stream.items():
        stream = _as_uuid(key)
        if stream is None:
            problems.append(Problem(key, versions[0], f"a snapshot is stored for stream id {key!r}, which is not a "
                                                      "UUID: the snapshots table was changed outside the ledger", -1))
            continue
        if _display(stream) in skip:
            continue
        checked += len(versions)
        problem = _check_stream(recorder, mapper, table, stream, versions)
        if problem is not None:
            problems.append(problem)
    return checked, problems


def _check_stream(recorder: Any, mapper: Mapper[uuid.UUID], table: str, stream: uuid.UUID,
                  versions: list[int]) -> Problem | None:
    """The first snapshot of ``stream`` that differs from the replay of its events, if any."""
    sqlite = recorder.log.ph == "?"
    events = _read(recorder, recorder.stream_events_sql, (recorder.stream_key(stream),))
    topic_col = "CAST(topic AS BLOB)" if sqlite else "topic"
    snapshots = _read(recorder, recorder.log.q(f"SELECT originator_version AS v, {topic_col} AS topic, state FROM "
                                               f"{table} WHERE originator_id = ? ORDER BY originator_version"),
                      (recorder.stream_key(stream),))
    wanted = {int(_cell(r, "v", 0)): (_text(_cell(r, "topic", 1)), bytes(_cell(r, "state", 2))) for r in snapshots}
    aggregate: Any = None
    at = 0
    for row in events:
        version = int(_cell(row, "originator_version", 1))
        if version > versions[-1]:
            break
        topic = str(_cell(row, "topic", 0))
        if not topic.startswith(_OWN_TOPICS) or version != at + 1:
            break  # the chain check reports it
        event: Any = mapper.to_domain_event(StoredEvent(stream, version, topic, bytes(_cell(row, "state", 2))))
        aggregate = event.mutate(aggregate)
        at = version
        if version in wanted:
            differs = _differs(aggregate, *wanted.pop(version))
            if differs:
                return _problem(stream, version, differs)
    for version in sorted(wanted):
        return Problem(_display(stream), version, f"snapshot at version {version}: the stream has no event "
                                                  f"{version} (it has {at}): the snapshots table was changed "
                                                  "outside the ledger, or events were removed", -1)
    return None


def _text(value: Any) -> str:
    return bytes(value).decode(errors="replace") if isinstance(value, (bytes, memoryview)) else str(value)


def _expected_state(aggregate: Any) -> dict[str, Any]:
    state = dict(vars(aggregate))
    for private in ("_id", "_version", "_pending_events"):
        state.pop(private, None)
    class_version = getattr(type(aggregate), "class_version", 1)
    if class_version > 1:
        state["class_version"] = class_version
    return state


def _differs(aggregate: Any, stored_topic: str, stored: bytes) -> list[str]:
    """What differs between the stored snapshot and the replayed aggregate (empty when they agree)."""
    snapshot_class = getattr(type(aggregate), "Snapshot", Snapshot)
    try:
        fields = decode(stored)
    except EncodingError:
        return ["its stored bytes, which are unreadable"]
    if not isinstance(fields, dict) or not isinstance(fields.get("state"), dict):
        return ["its stored bytes, which are not a snapshot"]
    expected = _expected_state(aggregate)
    expected.pop("class_version", None)
    differs = []
    if stored_topic != get_topic(snapshot_class) or fields.get("topic") != get_topic(type(aggregate)):
        differs.append("its type")
    differs.extend(f"field {name}" for name in sorted(set(fields) - {"timestamp", "topic", "state"}))
    state = dict(fields["state"])
    # A snapshot of an older class version (never read by the application, see _belongs) is
    # upcast as eventsourcing would, and compared on the fields it held: it cannot hold what its
    # class did not keep (a case's closure history before class version 2).
    cls, stored_version = type(aggregate), state.pop("class_version", 1)
    current = getattr(cls, "class_version", 1)
    if not isinstance(stored_version, int) or stored_version > current:
        return [*differs, "its class version"]
    names = set(state) | set(expected)
    if stored_version < current:
        names = set(state)
        for v in range(stored_version, current):
            getattr(cls, f"upcast_v{v}_v{v + 1}")(state)
    for name in sorted(names):
        if name not in state or name not in expected or state[name] != expected[name]:
            differs.append(name.lstrip("_"))
    return differs


def _problem(stream: uuid.UUID, version: int, differs: list[str]) -> Problem:
    shown = ", ".join(differs[:5]) + (f" and {len(differs) - 5} more" if len(differs) > 5 else "")
    return Problem(_display(stream), version,
                   f"snapshot of stream {stream} at version {version} does not match its events ({shown} "
                   "differ from the replayed record): the snapshots table was changed outside the ledger, "
                   "and the application may have shown the changed record", -1)


stored_as(__name__, "ledger.snapshots")  # its classes keep the topics they were first stored under
