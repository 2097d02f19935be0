"""The per-case read views, materialised: chronology, case view and case summary rows per case.

Materialised projections (:mod:`projections.runner`) whose rows are the output of the pure
functions of :mod:`projections.views`, computed on the case as it stood after an event:

* ``chronology``: ``view_chronology``, one row per entry of the court chronology (a superset of
  the ordinary one; ``court_only`` marks the entries only the court version shows), keyed by
  ``<case id>:<seq>``: case_id, seq, date, title, category, positive, source_kind, source_id,
  detail, by, time; and ``view_chronology_cases``, one row per case (its version, the child, the
  number of rows) so that a case's rows can be replaced (old surplus rows deleted) and read back;
* ``case_view``: ``view_case_views``, one row per case: ``views.case_view(case)`` (dated by the
  day of the case's latest event, as the pure function does by default) as JSON;
* ``summary``: ``view_case_summaries``, one row per case: ``views.summary_view(case,
  now=case.modified_on)`` as JSON.

Every event of a case record can change these views, so every CaseRecord event class is a
topic; none is decoded (only its stream and version are read): the projection loads the case at
that version (``ledger.case(id, version=...)``; snapshots make this cheap) and replaces that
case's rows with the rows computed from it.

Batching: inside :meth:`PerCaseProjection.batched` (the runner's catch-up batches and the
from-zero fold of a rebuild) an event only notes its case and version; on leaving the batch
each case touched is computed once, at the last version seen, and its rows are staged before
the view's batch writes rows and position in one transaction (the projection's context exits
before the view's). Outside a batch each event is computed at once, before its position.
"""

from __future__ import annotations

import datetime as _dt
import json
import uuid
from abc import abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from eventsourcing.persistence import Tracking
from eventsourcing.utils import get_topic

from ledger.records.case import CaseRecord
from projections import views
from projections.caseindex import CASE_EVENTS
from projections.plain import jsonable
from projections.projection import LedgerProjection
from projections.store import Column, MemoryView, Table, ViewTarget

__all__ = ["CaseSummaries", "CaseViews", "Chronology", "MaterialisedCase", "PerCaseProjection",
           "read_case_view", "read_chronology", "read_summary"]

CHRONOLOGY = Table("view_chronology", (
    Column("entry_key"), Column("case_id"), Column("seq", "int"), Column("date"), Column("title"),
    Column("category"), Column("positive", "int"), Column("source_kind"), Column("source_id"), Column("detail"),
    Column("by"), Column("time"), Column("court_only", "int"),
), indexes=("case_id",))
CHRONOLOGY_CASES = Table("view_chronology_cases", (
    Column("case_id"), Column("version", "int"), Column("child"), Column("entries", "int"),
    Column("position", "int"),
))
CASE_VIEWS = Table("view_case_views", (
    Column("case_id"), Column("version", "int"), Column("position", "int"), Column("body"),
))
SUMMARIES = Table("view_case_summaries", (
    Column("case_id"), Column("version", "int"), Column("position", "int"), Column("body"),
))

TOPICS = tuple(sorted(get_topic(c) for c in CASE_EVENTS))


def _dumps(value: Any) -> str:
    return json.dumps(jsonable(value), ensure_ascii=False, sort_keys=True)


class PerCaseProjection(LedgerProjection):
    """Replaces a case's rows with rows computed from the case at the event's version."""

    topics = TOPICS
    per_case = True
    decoded_topics: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, view: ViewTarget, ledger: Any = None) -> None:
        super().__init__(view, ledger)
        self._pending: dict[str, tuple[int, int]] = {}  # case id -> (version, notification id)
        self._deferred = False

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:  # type: ignore[override]
        cid = str(domain_event.originator_id)
        self._pending[cid] = (domain_event.originator_version, tracking.notification_id)
        if not self._deferred:
            self._compute_pending()
        self.view.insert_tracking(tracking)

    @contextmanager
    def batched(self) -> Iterator[None]:
        """Note events only; on a normal exit compute each case touched once (its last version)."""
        self._deferred = True
        try:
            yield
            self._compute_pending()
        finally:
            self._deferred = False
            self._pending.clear()

    def _compute_pending(self) -> None:
        if self.ledger is None:
            raise RuntimeError(f"projection {self.name} needs the ledger to load cases")
        pending, self._pending = self._pending, {}
        for cid, (version, position) in pending.items():
            case = self.ledger.case(uuid.UUID(cid), version=version)
            self.replace_case(cid, case, position)

    @abstractmethod
    def replace_case(self, cid: str, case: CaseRecord, position: int) -> None:
        """Replace the rows of case ``cid`` with those computed from ``case`` (at ``position``)."""


class Chronology(PerCaseProjection):
    name = "chronology"
    description = "each case's chronology (court version; ordinary entries marked)"
    tables = (CHRONOLOGY, CHRONOLOGY_CASES)

    def replace_case(self, cid: str, case: CaseRecord, position: int) -> None:
        court = views.chronology(case, court=True)
        plain = views.chronology(case)
        # The ordinary chronology is the court one without the court-only entries (same sort, and
        # the ordinary entries come first in it, so their relative order is kept): match in order.
        ordinary, i = set(), 0
        for seq, entry in enumerate(court):
            if i < len(plain) and entry == plain[i]:
                ordinary.add(seq)
                i += 1
        if i != len(plain):  # pragma: no cover - the pure functions changed shape
            raise RuntimeError(f"case {cid}: the chronology is not a part of the court chronology")
        before = self.view.get(CHRONOLOGY_CASES.name, cid)
        for seq, x in enumerate(court):
            key = f"{cid}:{seq:06d}"
            self.view.put(CHRONOLOGY.name, key, {
                "entry_key": key, "case_id": cid, "seq": seq, "date": jsonable(x.date), "title": x.title,
                "category": x.category, "positive": int(x.positive), "source_kind": x.source,
                "source_id": x.source_id, "detail": x.detail, "by": x.by,
                "time": jsonable(x.time) if x.time is not None else None, "court_only": int(seq not in ordinary)})
        for seq in range(len(court), before["entries"] if before else 0):
            self.view.delete(CHRONOLOGY.name, f"{cid}:{seq:06d}")
        self.view.put(CHRONOLOGY_CASES.name, cid, {
            "case_id": cid, "version": case.version, "child": _dumps(case.child), "entries": len(court),
            "position": position})


class CaseViews(PerCaseProjection):
    name = "case_view"
    description = "each case's case view (dated by its latest event), as JSON"
    tables = (CASE_VIEWS,)

    def replace_case(self, cid: str, case: CaseRecord, position: int) -> None:
        self.view.put(CASE_VIEWS.name, cid, {"case_id": cid, "version": case.version, "position": position,
                                              "body": _dumps(views.case_view(case))})


class CaseSummaries(PerCaseProjection):
    name = "summary"
    description = "each case's summary view (at its latest event), as JSON"
    tables = (SUMMARIES,)

    def replace_case(self, cid: str, case: CaseRecord, position: int) -> None:
        self.view.put(SUMMARIES.name, cid, {"case_id": cid, "version": case.version, "position": position,
                                             "body": _dumps(views.summary_view(case, now=case.modified_on))})


# --- reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialisedCase:
    """What the chronology command needs of the case, as the rows hold it."""

    id: uuid.UUID
    version: int
    child: dict[str, Any]


def _case_rows(view: Any, table: Table, cid: str) -> list[dict[str, Any]]:
    """The rows of ``table`` whose case_id is ``cid`` (stored rows on a database), by key."""
    if isinstance(view, MemoryView):
        return [r for r in view.rows(table.name) if r["case_id"] == cid]
    with view.datastore.transaction(commit=False) as c:
        c.execute(f"SELECT * FROM {view._quote(table.name)} WHERE case_id = {view._param} "
                  f"ORDER BY {table.key}", (cid,))
        return [{n: r[n] for n in table.names} for r in c.fetchall()]


def _day(value: Any) -> Any:
    return _dt.date.fromisoformat(value) if isinstance(value, str) else value


def read_chronology(view: Any, case_id: uuid.UUID | str, *, court: bool = False
                    ) -> tuple[MaterialisedCase, list[views.ChronologyEntry]] | None:
    """The case's chronology as materialised (None: no row for that case)."""
    cid = str(case_id)
    meta = view.get(CHRONOLOGY_CASES.name, cid)
    if meta is None:
        return None
    child = json.loads(meta["child"])
    for k in ("date_of_birth", "expected_date_of_birth"):
        if child.get(k):
            child[k] = _day(child[k])
    entries = [views.ChronologyEntry(
        date=_day(r["date"]), title=r["title"], category=r["category"], source=r["source_kind"],
        source_id=r["source_id"], positive=bool(r["positive"]), detail=r["detail"] or "", by=r["by"] or "",
        time=_dt.datetime.fromisoformat(r["time"]) if r["time"] else None)
        for r in sorted(_case_rows(view, CHRONOLOGY, cid), key=lambda r: r["seq"])
        if court or not r["court_only"]]
    return MaterialisedCase(uuid.UUID(cid), meta["version"], child), entries


def _body(view: Any, table: Table, case_id: uuid.UUID | str) -> dict[str, Any] | None:
    row = view.get(table.name, str(case_id))
    return json.loads(row["body"]) if row is not None else None


def read_case_view(view: Any, case_id: uuid.UUID | str) -> dict[str, Any] | None:
    """The stored case view (plain JSON values), or None."""
    return _body(view, CASE_VIEWS, case_id)


def read_summary(view: Any, case_id: uuid.UUID | str) -> dict[str, Any] | None:
    """The stored summary view (plain JSON values), or None."""
    return _body(view, SUMMARIES, case_id)
