"""What a projection is: the base of the ledger's materialised projections.

A projection (:class:`LedgerProjection`, an ``eventsourcing.projection.Projection``) folds the
ledger's events, in global order, into rows of its own ``view_*`` tables (:mod:`projections.store`):
its ``process_event(event, tracking)`` applies one event through a
:class:`~projections.store.ViewTarget` and then records the position with
``view.insert_tracking(tracking)``. Events of the topics it counts but does not read arrive as an
:class:`EventHeader`, not decoded. :mod:`projections.runner` runs them; :mod:`projections.catalogue`
lists them by name.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from ledger.application import CaseLedger
from projections.store import Table, ViewTarget

__all__ = ["EventHeader", "LedgerProjection"]


@dataclass(frozen=True)
class EventHeader:
    """An event of a topic the projection counts but does not read: not decoded."""

    originator_id: uuid.UUID | str
    originator_version: int
    topic: str


class LedgerProjection(Projection[Any]):
    """Base of the ledger's projections: tables, topics, and the event-then-tracking step."""

    name: str = ""
    tables: ClassVar[tuple[Table, ...]] = ()
    topics: tuple[str, ...] = ()
    decoded_topics: ClassVar[frozenset[str]] = frozenset()
    description: ClassVar[str] = ""
    per_case: ClassVar[bool] = False  # rows per case computed from the case (rebuilt by name or --all)

    def __init__(self, view: ViewTarget, ledger: CaseLedger | None = None) -> None:
        super().__init__(view)
        self.ledger = ledger  # for projections that read more than the event (the per-case views)

    @property
    def view(self) -> ViewTarget:
        return self._view  # type: ignore[no-any-return]

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:  # type: ignore[override]
        """Apply the event to the rows, then record the position (with the rows, on a database)."""
        self.apply(domain_event, tracking)
        self.view.insert_tracking(tracking)

    @contextmanager
    def batched(self) -> Iterator[None]:
        """Around a batch of events, inside the view's batch (it exits first, so whatever it
        stages is written with the batch's position). Nothing by default; the per-case views
        (:mod:`projections.caseviews`) compute each case touched once here."""
        yield

    @singledispatchmethod
    def apply(self, event: Any, tracking: Tracking) -> None:
        """Events the projection has no handler for change nothing (the position still moves)."""
