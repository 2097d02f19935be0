"""The demo's calendar: the demo year, working days and hours, and how dates are written."""

from __future__ import annotations

import datetime as _dt

from ledger.application import LONDON
from ledger.records import timescales as _ts

END_DAY = _dt.date(2026, 10, 30)
#: The first day of the demo year.
START_DAY = END_DAY - _dt.timedelta(days=365)
DAY_OPENS = _dt.time(9, 0)
#: Office hours (the access policy's: a record opened after 17:00 is flagged as out of hours).
DAY_CLOSES = _dt.time(17, 0)
END_TIME = _dt.datetime.combine(END_DAY, _dt.time(17, 30), tzinfo=LONDON)
#: The year's casework stops here, leaving the last afternoon to the access story (demo/access.py).
CASEWORK_END = _dt.datetime.combine(END_DAY, _dt.time(14, 30), tzinfo=LONDON)
#: A note finalised more than this many working days after the event is late (policy s.7).
LATE_AFTER = 5


def is_working_day(day: _dt.date) -> bool:
    """Monday to Friday, not a bank holiday in England (:mod:`ledger.records.timescales`)."""
    return _ts.is_working_day(day)


def add_working_days(day: _dt.date, n: int) -> _dt.date:
    """``n`` working days after ``day`` (``n`` = 0: ``day`` itself, or the next working day)."""
    while not _ts.is_working_day(day):
        day += _dt.timedelta(days=1)
    return _ts.add_working_days(day, n)


def working_days_between(start: _dt.date, end: _dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (Monday to Tuesday is 1)."""
    return _ts.working_days_between(start, end)


def _at(day: _dt.date, hour: int, minute: int) -> _dt.datetime:
    return _dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def _in_hours(when: _dt.datetime) -> _dt.datetime:
    """``when`` if it falls in working hours, else the next opening time (monotonic)."""
    day = when.date()
    if is_working_day(day) and DAY_OPENS <= when.time() < DAY_CLOSES:
        return when
    if is_working_day(day) and when.time() < DAY_OPENS:
        return _at(day, 9, 0)
    return _at(add_working_days(day + _dt.timedelta(days=1), 0), 9, 0)


def _long_date(day: _dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def _short_date(day: _dt.date) -> str:
    return f"{day.day} {day:%B}"


def _clock_time(when: _dt.datetime) -> str:
    h = when.hour % 12 or 12
    return f"{h}.{when.minute:02d}{'am' if when.hour < 12 else 'pm'}"


def _age(dob: _dt.date, on: _dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
