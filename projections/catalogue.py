"""The ledger's materialised projections, by name: the one list the runner and the CLI read.

Above the projections (:mod:`projections.hazards`, :mod:`projections.caseindex`,
:mod:`projections.caseviews`) and below :mod:`projections.runner`, which runs them by name: the
projections import only what a projection is (:mod:`projections.projection`), so nothing here
imports in a circle. A new projection is added to :data:`PROJECTIONS`, in the order
``caseledger projections status`` lists them.
"""

from __future__ import annotations

from ledger.errors import NotFound
from projections.caseindex import CaseIndex
from projections.caseviews import CaseSummaries, CaseViews, Chronology
from projections.hazards import HazardRegister
from projections.projection import LedgerProjection

__all__ = ["PROJECTIONS", "projection_class", "projection_classes"]

#: Every projection, by its name.
PROJECTIONS: dict[str, type[LedgerProjection]] = {
    cls.name: cls for cls in (HazardRegister, CaseIndex, Chronology, CaseViews, CaseSummaries)
}


def projection_classes() -> dict[str, type[LedgerProjection]]:
    """The projections by name."""
    return PROJECTIONS


def projection_class(name: str) -> type[LedgerProjection]:
    classes = projection_classes()
    if name not in classes:
        raise NotFound(f"no projection named {name!r}; the projections are: {', '.join(classes)}")
    return classes[name]
