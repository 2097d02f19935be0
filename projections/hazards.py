"""The authority-wide hazard register: every open hazard and alert, on every case (policy s.10).

A materialised projection (:mod:`projections.runner`) of the ledger's events into two tables:

* ``view_hazards``: one row per active hazard, risk to children alert or MAPPA alert (keyed
  by record id): its case, kind, type, description, person, started_on, review_date,
  last_reviewed, who recorded it and the notification id of its last change. An ended alert
  leaves the table (the ledger keeps it);
* ``view_hazard_cases``: the context each row is shown with, per case: the child, team and
  worker (as allocated now) and whether the case is open. Kept apart so that a
  re-allocation is one row, not an update of every alert on the case.

Events handled: ``CaseRecord.Opened``, ``Allocated``, ``Closed``, ``Reopened`` (context);
``CaseworkRecorded`` of an alert kind (a new row); ``CaseworkUpdated`` on an alert:
``review`` (the review date moves to ``next_review_date``; last reviewed on the review's
local date), ``update`` (a new description) and ``end`` (the row goes). Updates of other
records miss the table and change nothing. Every value comes from the event's own fields.

``overdue`` is computed when the register is read (:func:`register`), against the day asked
about: the review date is before that day. Dates are kept as ISO text (they sort as dates).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.utils import get_topic

from ledger.records.case import LOCAL_ZONE, CaseRecord
from ledger.records.casework import ALERT_KINDS
from projections.projection import LedgerProjection
from projections.store import Column, Table, ViewTarget

__all__ = ["HazardRegister", "register"]

HAZARDS = Table("view_hazards", (
    Column("record_id"), Column("case_id"), Column("kind"), Column("type"), Column("description"),
    Column("person"), Column("started_on"), Column("review_date"), Column("last_reviewed"),
    Column("recorded_by"), Column("recorded_at"), Column("position", "int"),
), indexes=("case_id",))
CASES = Table("view_hazard_cases", (
    Column("case_id"), Column("child"), Column("team"), Column("worker_id"), Column("worker"), Column("status"),
))


def _day(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.astimezone(LOCAL_ZONE).date().isoformat()
    return value.isoformat() if isinstance(value, _dt.date) else str(value)


class HazardRegister(LedgerProjection):
    name = "hazards"
    description = "every open hazard and alert across the authority"
    tables = (HAZARDS, CASES)
    topics = tuple(get_topic(c) for c in (CaseRecord.Opened, CaseRecord.Allocated, CaseRecord.Closed,
                                          CaseRecord.Reopened, CaseRecord.CaseworkRecorded,
                                          CaseRecord.CaseworkUpdated))
    decoded_topics = frozenset(topics)

    @singledispatchmethod
    def apply(self, event: Any, tracking: Tracking) -> None:
        """Other events change nothing."""

    @apply.register
    def _opened(self, event: CaseRecord.Opened, tracking: Tracking) -> None:
        cid = str(event.originator_id)
        self.view.put(CASES.name, cid, {
            "case_id": cid, "child": event.child_name, "team": event.team,
            "worker_id": event.worker.get("staff_id"), "worker": event.worker.get("full_name"),
            "status": "open"})

    @apply.register
    def _allocated(self, event: CaseRecord.Allocated, tracking: Tracking) -> None:
        self._context(event, team=event.team, worker_id=event.worker.get("staff_id"),
                      worker=event.worker.get("full_name"))

    @apply.register
    def _closed(self, event: CaseRecord.Closed, tracking: Tracking) -> None:
        self._context(event, status="closed")

    @apply.register
    def _reopened(self, event: CaseRecord.Reopened, tracking: Tracking) -> None:
        self._context(event, status="open")

    def _context(self, event: Any, **changes: Any) -> None:
        cid = str(event.originator_id)
        row = self.view.get(CASES.name, cid)
        if row is not None:
            self.view.put(CASES.name, cid, {**row, **changes})

    @apply.register
    def _recorded(self, event: CaseRecord.CaseworkRecorded, tracking: Tracking) -> None:
        if event.kind not in ALERT_KINDS:
            return
        d = event.details
        rid = str(event.record_id)
        self.view.put(HAZARDS.name, rid, {
            "record_id": rid, "case_id": str(event.originator_id), "kind": event.kind,
            "type": d.get("type") or d.get("mappa_category"), "description": d.get("description"),
            "person": d.get("person") or d.get("concerns_person"), "started_on": _day(d.get("started_on")),
            "review_date": _day(d.get("review_date")), "last_reviewed": None,
            "recorded_by": event.actor.get("full_name"), "recorded_at": event.timestamp.isoformat(),
            "position": tracking.notification_id})

    @apply.register
    def _updated(self, event: CaseRecord.CaseworkUpdated, tracking: Tracking) -> None:
        rid = str(event.record_id)
        row = self.view.get(HAZARDS.name, rid)
        if row is None:  # not an alert, or an alert already ended
            return
        d = event.details
        if event.action == "end":
            self.view.delete(HAZARDS.name, rid)
            return
        if event.action == "review":
            row["review_date"] = _day(d["next_review_date"])
            row["last_reviewed"] = _day(event.occurred_at)
        elif event.action == "update" and d.get("description"):
            row["description"] = d["description"]
        row["position"] = tracking.notification_id
        self.view.put(HAZARDS.name, rid, row)


def register(view: ViewTarget, *, today: _dt.date, team: str | None = None, overdue_only: bool = False,
             include_closed: bool = False) -> list[dict[str, Any]]:
    """The register as read from ``view`` (stored or in memory): overdue for review first.

    Alerts on closed cases are left out unless ``include_closed`` (nobody can review them
    until the case is re-opened).
    """
    cases = {r["case_id"]: r for r in view.rows(CASES.name)}
    today_text = today.isoformat()
    out = []
    for row in view.rows(HAZARDS.name):
        ctx = cases.get(row["case_id"], {})
        if not include_closed and ctx.get("status") == "closed":
            continue
        if team is not None and (ctx.get("team") or "").lower() != team.lower():
            continue
        overdue = bool(row["review_date"]) and row["review_date"] < today_text
        if overdue_only and not overdue:
            continue
        out.append({**row, "child": ctx.get("child"), "team": ctx.get("team"), "worker_id": ctx.get("worker_id"),
                    "worker": ctx.get("worker"), "case_status": ctx.get("status"), "overdue": overdue})
    out.sort(key=lambda r: (not r["overdue"], r["review_date"] or "", r["team"] or "", r["child"] or "",
                            r["record_id"]))
    return out
