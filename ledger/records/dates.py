"""Dates and times as people read them: one format wherever a person reads the ledger.

- a day: ``05 Dec 2026``;
- a moment: ``05 Dec 2026 14:30 GMT``: London time, with the zone named (``GMT`` in winter,
  ``BST`` in summer), so that a time read in court a decade later is not ambiguous.

Machines get ISO 8601 instead (JSON and CSV: a day as ``2026-12-05``, a moment with its offset,
``2026-12-05T14:30:00+00:00``); nothing here is parsed back. A moment without a time zone is a
programming error, not a London time: it is refused.
"""

from __future__ import annotations

import datetime as _dt

from ledger.records.timescales import LONDON

__all__ = ["DAY_FORMAT", "MOMENT_WIDTH", "day_text", "iso_day_text", "iso_moment_text", "moment_text"]

DAY_FORMAT = "%d %b %Y"
#: The width of a moment as read (``05 Dec 2026 14:30 GMT``): a table's column of times.
MOMENT_WIDTH = 21


def day_text(value: _dt.date | _dt.datetime | None, *, missing: str = "-") -> str:
    """``05 Dec 2026``; a moment gives its London day."""
    if value is None:
        return missing
    if isinstance(value, _dt.datetime):
        value = _london(value).date()
    return value.strftime(DAY_FORMAT)


def moment_text(value: _dt.datetime | None, *, missing: str = "-") -> str:
    """``05 Dec 2026 14:30 GMT`` (or ``BST``): London time with the zone named."""
    if value is None:
        return missing
    local = _london(value)
    return f"{local.strftime(DAY_FORMAT)} {local.strftime('%H:%M')} {local.tzname()}"


def iso_day_text(value: str | None, *, missing: str = "-") -> str:
    """A day held as ISO 8601 text (a stored row, a report's JSON), ``2026-12-05``, as people read
    it: ``05 Dec 2026``."""
    return day_text(_dt.date.fromisoformat(value), missing=missing) if value else missing


def iso_moment_text(value: str | None, *, missing: str = "-") -> str:
    """A moment held as ISO 8601 text with its offset, ``2026-12-05T14:30:00+00:00``, as people
    read it: ``05 Dec 2026 14:30 GMT``."""
    return moment_text(_dt.datetime.fromisoformat(value), missing=missing) if value else missing


def _london(value: _dt.datetime) -> _dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"the moment {value.isoformat()} has no time zone")
    return value.astimezone(LONDON)
