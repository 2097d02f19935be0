"""The case index: one row per case record, for ``caseledger case list`` and the like.

A materialised projection (:mod:`projections.runner`) into ``view_cases``: case id, child,
date of birth (or expected), referral date, team, worker (staff id and name, as allocated
now), status (open/closed), when it was opened and last closed, how many events the case's
stream holds, its last version and the notification id (global position) of its last event.

Events handled: every event of a case record counts (its ``events``, ``last_version`` and
``last_position``); ``Opened``, ``Allocated``, ``Closed`` and ``Reopened`` also set fields and
are the only ones decoded. The others arrive as headers (stream, version, topic): the index
never needs their fields, and not decoding them is what makes a rebuild fast.
"""

from __future__ import annotations

import datetime as _dt
import inspect
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.utils import get_topic

from ledger.integrity.chain import ChainedEvent
from ledger.records.case import CaseRecord
from projections.projection import EventHeader, LedgerProjection
from projections.store import Column, Table, ViewTarget

__all__ = ["CaseIndex", "case_index"]

CASES = Table("view_cases", (
    Column("case_id"), Column("child"), Column("date_of_birth"), Column("referral_date"), Column("team"),
    Column("worker_id"), Column("worker"), Column("status"), Column("opened_at"), Column("closed_on"),
    Column("events", "int"), Column("last_version", "int"), Column("last_position", "int"),
), indexes=("team", "worker_id"))

#: Every event class of a case record (new ones are picked up here, so none is missed).
CASE_EVENTS = tuple(c for _, c in inspect.getmembers(CaseRecord, inspect.isclass) if issubclass(c, ChainedEvent)
                    and c.__qualname__.startswith("CaseRecord."))
DECODED = (CaseRecord.Opened, CaseRecord.Allocated, CaseRecord.Closed, CaseRecord.Reopened)


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, (_dt.date, _dt.datetime)) else value


class CaseIndex(LedgerProjection):
    name = "cases"
    description = "the case index: child, team, worker, status, events, last position"
    tables = (CASES,)
    topics = tuple(sorted(get_topic(c) for c in CASE_EVENTS))
    decoded_topics = frozenset(get_topic(c) for c in DECODED)

    @singledispatchmethod
    def apply(self, event: Any, tracking: Tracking) -> None:
        """Any other case event (decoded or a header) is counted."""
        self._count(event, tracking)

    def _count(self, event: Any, tracking: Tracking, **changes: Any) -> None:
        cid = str(event.originator_id)
        row = self.view.get(CASES.name, cid)
        if row is None:  # an event before Opened cannot happen; ignore rather than invent a row
            return
        row.update(changes)
        row["events"] += 1
        row["last_version"] = event.originator_version
        row["last_position"] = tracking.notification_id
        self.view.put(CASES.name, cid, row)

    @apply.register
    def _opened(self, event: CaseRecord.Opened, tracking: Tracking) -> None:
        cid = str(event.originator_id)
        self.view.put(CASES.name, cid, {
            "case_id": cid, "child": event.child_name,
            "date_of_birth": _iso(event.date_of_birth or event.expected_date_of_birth),
            "referral_date": _iso(event.referral_date), "team": event.team,
            "worker_id": event.worker.get("staff_id"), "worker": event.worker.get("full_name"),
            "status": "open", "opened_at": _iso(event.timestamp), "closed_on": None,
            "events": 1, "last_version": event.originator_version, "last_position": tracking.notification_id})

    @apply.register
    def _allocated(self, event: CaseRecord.Allocated, tracking: Tracking) -> None:
        self._count(event, tracking, team=event.team, worker_id=event.worker.get("staff_id"),
                    worker=event.worker.get("full_name"))

    @apply.register
    def _closed(self, event: CaseRecord.Closed, tracking: Tracking) -> None:
        self._count(event, tracking, status="closed", closed_on=_iso(event.closed_on))

    @apply.register
    def _reopened(self, event: CaseRecord.Reopened, tracking: Tracking) -> None:
        self._count(event, tracking, status="open")

    @apply.register
    def _header(self, event: EventHeader, tracking: Tracking) -> None:
        self._count(event, tracking)


def case_index(view: ViewTarget, *, team: str | None = None, worker: str | None = None,
               status: str | None = None) -> list[dict[str, Any]]:
    """The index as read from ``view`` (stored or in memory), by team then child."""
    rows = [r for r in view.rows(CASES.name)
            if (team is None or (r["team"] or "").lower() == team.lower())
            and (worker is None or r["worker_id"] == worker)
            and (status is None or r["status"] == status)]
    return sorted(rows, key=lambda r: (r["team"] or "", r["child"] or "", r["case_id"]))
