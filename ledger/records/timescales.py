"""Recording timescales: when a record is due, and how late it is (policy s.3, s.7, s.9, s.10, s.18).

The timescales are data, not code. :func:`load_table` reads a TOML file of ``[[rule]]`` rows;
the default is ``timescales.toml`` shipped beside this module (the policy's own table, every
row of every sub-table of s.18 plus the general rules of s.3, s.9 and s.10). A local authority
replaces it with its own file: ``load_table(path)``, then pass ``table=`` to :func:`due_by` and
:func:`lateness`. Each row says where it comes from (``section``, ``table``), quotes the
policy's ``wording``, says what ``starts`` the clock and gives the limit (``amount`` and
``unit``), and, where the policy is ambiguous, a ``note`` with the reading chosen.

Units (:data:`UNITS`):

* ``hours``: exact elapsed time (UTC arithmetic: 24 hours across the spring clock change ends
  at 11:00 BST, not 10:00). Weekends and bank holidays count like any other hour.
* ``working_days``: England and Wales working days. A day is a working day unless it is a
  Saturday, a Sunday or a bank holiday in England, substitute days and one-off holidays
  included (the 2022 platinum jubilee, the Queen's state funeral on 2022-09-19, the
  coronation on 2023-05-08), from the ``holidays`` package with ``subdiv="ENG"`` (without the
  subdivision, Easter Monday and the August bank holiday are missing). One-off holidays are
  known only as far as the installed ``holidays`` release knows them: upgrade it when one is
  announced.
* ``calendar_days`` and ``months``: counted on the calendar. The due day is not moved off a
  weekend or a bank holiday. A month after 31 January is 28 (or 29) February.

Counting: the day the clock starts is day zero, unless the row sets ``start_is_day_one``
(only for ``working_days`` and ``calendar_days``). So "within 5 working days" of an event on
Friday 23 December 2022 is Wednesday 4 January 2023 (the 26th, 27th and 2nd are bank
holidays). A row with ``before = true`` is a deadline before the clock event ("5 working days
before meeting"): the count runs backwards from it.

Due times: a day-based limit is due at the END of the due day, 23:59:59.999999 Europe/London,
and the start day is the start's date in Europe/London. An hours limit is due at the exact
instant. Due times are returned in Europe/London.

Lateness: a record made or finalised after its due time is late, by ``done_at - due``, and,
for day-based limits, by the whole working days from the due day to the day it was done (a
Friday limit met on the Saturday is late by a day and zero working days). A record done at or
before its due time is not late: :func:`lateness` returns ``None``.

Refusals, each a :class:`TimescaleError` (a :class:`~ledger.errors.LedgerError`) whose message
names the rule, the field, and the observed and expected values:

* :class:`TimescaleTableError`: the table file cannot be read, is not TOML, or a row misses a
  field, has an unknown field, a value of the wrong type, an unknown unit, a negative amount,
  a duplicate or malformed name (the message names the file, the row and the field);
* :class:`UnknownTimescale`: a rule name the table does not have (the message lists the
  nearest known names);
* :class:`TimescaleError`: a naive datetime, or a datetime where a date is meant (a
  ``datetime`` is a ``date`` in Python, and would silently miss every bank holiday).
"""

from __future__ import annotations

import calendar
import datetime as _dt
import difflib
import functools
import importlib.resources
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final
from zoneinfo import ZoneInfo

import holidays

from ledger.errors import LedgerError
from ledger.integrity.topics import stored_as

__all__ = [
    "LONDON",
    "UNITS",
    "Lateness",
    "TimescaleError",
    "TimescaleRule",
    "TimescaleTable",
    "TimescaleTableError",
    "UnknownTimescale",
    "add_working_days",
    "default_table",
    "due_by",
    "is_working_day",
    "lateness",
    "load_table",
    "working_days_between",
]

#: Dates and due times are reckoned in England's local time.
LONDON: Final = ZoneInfo("Europe/London")


def local_today(now: _dt.datetime) -> _dt.date:
    """Today's date in England at ``now`` (the clock may run in UTC: 00:30 BST is 23:30 UTC)."""
    return now.astimezone(LONDON).date()


def start_of_day(day: _dt.date) -> _dt.datetime:
    """Midnight, London time, of ``day`` (dates in England are local dates)."""
    return _dt.datetime.combine(day, _dt.time(), tzinfo=LONDON)
#: The units a limit may be given in.
UNITS: Final = ("hours", "working_days", "calendar_days", "months")
#: Units counted in whole days (due at the end of the due day).
DAY_UNITS: Final = frozenset({"working_days", "calendar_days", "months"})
#: A day-based limit is due at this local time on the due day.
END_OF_DAY: Final = _dt.time(23, 59, 59, 999999)

_PACKAGED_TABLE = "timescales.toml"
_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_ONE_DAY = _dt.timedelta(days=1)


class TimescaleError(LedgerError):
    """A timescale cannot be worked out: a naive datetime, a datetime passed as a date, ..."""


class TimescaleTableError(TimescaleError):
    """The timescales table is unreadable or a row is invalid (names the file, row and field)."""


class UnknownTimescale(TimescaleError):
    """No rule of that name in the timescales table."""


# --- working days ------------------------------------------------------------------------------


@functools.cache
def _bank_holidays(year: int) -> frozenset[_dt.date]:
    """England's bank holidays in ``year``: substitute days and one-off holidays included."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def _require_date(value: object, name: str) -> _dt.date:
    if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
        raise TimescaleError(
            f"{name} must be a date, got {type(value).__name__} {value!r}"
            + (" (take .astimezone(LONDON).date() first)" if isinstance(value, _dt.datetime) else "")
        )
    return value


def _require_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TimescaleError(f"{name} must be a whole number of days, got {type(value).__name__} {value!r}")
    return value


def is_working_day(d: _dt.date) -> bool:
    """True unless ``d`` is a Saturday, a Sunday or a bank holiday in England."""
    d = _require_date(d, "d")
    return d.weekday() < 5 and d not in _bank_holidays(d.year)


def add_working_days(start: _dt.date, days: int) -> _dt.date:
    """The date that is ``days`` working days after ``start`` (before it, if ``days`` < 0).

    ``start`` itself is never counted: one working day after a Saturday is the Monday, one
    before a Monday is the Friday. ``days`` = 0 gives ``start`` itself, working day or not.
    """
    day = _require_date(start, "start")
    days = _require_int(days, "days")
    step = _ONE_DAY if days >= 0 else -_ONE_DAY
    for _ in range(abs(days)):
        day += step
        while not is_working_day(day):
            day += step
    return day


def _weekdays_up_to(d: _dt.date) -> int:
    """Monday-to-Friday days from 0001-01-01 (a Monday) up to and including ``d``."""
    weeks, rest = divmod(d.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def working_days_between(a: _dt.date, b: _dt.date) -> int:
    """The working days counted going from ``a`` to ``b``: negative when ``b`` is before ``a``.

    Forwards, the days after ``a`` up to and including ``b``; backwards, the days from ``b`` up
    to but not including ``a`` (the days :func:`add_working_days` steps over). Monday to
    Tuesday is 1, Friday to Monday is 1, Monday to Friday before is -1, a day to itself is 0,
    and ``working_days_between(a, add_working_days(a, n)) == n`` for every ``n``.
    """
    a, b = _require_date(a, "a"), _require_date(b, "b")
    if b < a:
        return -working_days_between(b - _ONE_DAY, a - _ONE_DAY)
    holidays_in_range = sum(
        1
        for year in range(a.year, b.year + 1)
        for h in _bank_holidays(year)
        if a < h <= b and h.weekday() < 5
    )
    return _weekdays_up_to(b) - _weekdays_up_to(a) - holidays_in_range


def _add_months(d: _dt.date, months: int) -> _dt.date:
    years, month0 = divmod(d.month - 1 + months, 12)
    year = d.year + years
    return d.replace(year=year, month=month0 + 1, day=min(d.day, calendar.monthrange(year, month0 + 1)[1]))


def _require_aware(value: object, name: str, rule: str) -> _dt.datetime:
    if not isinstance(value, _dt.datetime):
        raise TimescaleError(
            f"rule {rule!r}: {name} must be a timezone-aware datetime, got {type(value).__name__} {value!r}"
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise TimescaleError(
            f"rule {rule!r}: {name} must be a timezone-aware datetime, got the naive {value.isoformat()}"
        )
    return value


# --- the rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lateness:
    """How late a record was: ``done_at`` is after ``due`` by ``late_by``.

    ``working_days_late`` counts the working days after the due day up to and including the
    day it was done (Europe/London); it is ``None`` for limits in hours.
    """

    rule: str
    due: _dt.datetime
    done_at: _dt.datetime
    late_by: _dt.timedelta
    working_days_late: int | None


@dataclass(frozen=True)
class TimescaleRule:
    """One row of the timescales table. Invalid rows cannot be built.

    ``amount`` is never negative: a deadline before the clock event says ``before=True``.
    """

    name: str
    section: str
    record: str
    wording: str
    starts: str
    amount: int
    unit: str
    table: str = ""
    before: bool = False
    start_is_day_one: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        where = f"rule {self.name!r}"
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise TimescaleTableError(
                f"{where}: field 'name' must be a snake_case identifier (lower-case letters, digits "
                f"and single underscores, starting with a letter), got {self.name!r}"
            )
        for text in ("section", "record", "wording", "starts"):
            value = getattr(self, text)
            if not isinstance(value, str) or not value.strip():
                raise TimescaleTableError(f"{where}: field {text!r} must be non-empty text, got {value!r}")
        for text in ("table", "note"):
            if not isinstance(getattr(self, text), str):
                raise TimescaleTableError(
                    f"{where}: field {text!r} must be text, got {getattr(self, text)!r}"
                )
        if self.unit not in UNITS:
            raise TimescaleTableError(
                f"{where}: field 'unit' is {self.unit!r}; expected one of: {', '.join(UNITS)}"
            )
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TimescaleTableError(
                f"{where}: field 'amount' must be a whole number, got {type(self.amount).__name__} "
                f"{self.amount!r}"
            )
        if self.amount < 0:
            raise TimescaleTableError(
                f"{where}: field 'amount' is {self.amount}; expected 0 or more (for a deadline before "
                f"the clock event, set before = true)"
            )
        for flag in ("before", "start_is_day_one"):
            if not isinstance(getattr(self, flag), bool):
                raise TimescaleTableError(
                    f"{where}: field {flag!r} must be true or false, got {getattr(self, flag)!r}"
                )
        if self.start_is_day_one and self.unit not in ("working_days", "calendar_days"):
            raise TimescaleTableError(
                f"{where}: field 'start_is_day_one' is true with unit {self.unit!r}; expected only "
                f"with working_days or calendar_days"
            )
        if self.start_is_day_one and self.amount < 1:
            raise TimescaleTableError(
                f"{where}: field 'start_is_day_one' is true with amount {self.amount}; expected an "
                f"amount of 1 or more (the start day is day one)"
            )

    @property
    def in_days(self) -> bool:
        """True when the limit is in days or months (due at the end of a day)."""
        return self.unit in DAY_UNITS

    def due_day(self, start: _dt.date) -> _dt.date:
        """The due date for a clock started on local date ``start`` (day-based units only)."""
        start = _require_date(start, "start")
        sign = -1 if self.before else 1
        if self.unit == "working_days":
            if self.start_is_day_one and is_working_day(start):
                return add_working_days(start, sign * (self.amount - 1))
            return add_working_days(start, sign * self.amount)
        if self.unit == "calendar_days":
            return start + sign * (self.amount - self.start_is_day_one) * _ONE_DAY
        if self.unit == "months":
            return _add_months(start, sign * self.amount)
        raise TimescaleError(f"rule {self.name!r}: a limit in {self.unit} has no due day; use due_by")

    def due_by(self, started_at: _dt.datetime) -> _dt.datetime:
        """When a record under this rule is due, for a clock started at ``started_at``."""
        started_at = _require_aware(started_at, "started_at", self.name)
        if self.unit == "hours":
            offset = _dt.timedelta(hours=self.amount) * (-1 if self.before else 1)
            return (started_at.astimezone(_dt.UTC) + offset).astimezone(LONDON)
        due = self.due_day(started_at.astimezone(LONDON).date())
        return _dt.datetime.combine(due, END_OF_DAY, tzinfo=LONDON)

    def lateness(self, started_at: _dt.datetime, done_at: _dt.datetime) -> Lateness | None:
        """How late a record done at ``done_at`` was; ``None`` if it was on time."""
        due = self.due_by(started_at)
        done_at = _require_aware(done_at, "done_at", self.name)
        late_by = done_at.astimezone(_dt.UTC) - due.astimezone(_dt.UTC)
        if late_by <= _dt.timedelta(0):
            return None
        days_late = (
            working_days_between(due.date(), done_at.astimezone(LONDON).date()) if self.in_days else None
        )
        return Lateness(self.name, due, done_at, late_by, days_late)


@dataclass(frozen=True)
class TimescaleTable:
    """The rules of one timescales table, by name; ``source`` says where they were read from."""

    rules: tuple[TimescaleRule, ...]
    source: str
    _by_name: Mapping[str, TimescaleRule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.rules:
            raise TimescaleTableError(f"timescales table {self.source}: no rules; expected [[rule]] rows")
        by_name: dict[str, TimescaleRule] = {}
        for rule in self.rules:
            if rule.name in by_name:
                raise TimescaleTableError(
                    f"timescales table {self.source}: duplicate rule name {rule.name!r}; expected each "
                    f"name once"
                )
            by_name[rule.name] = rule
        object.__setattr__(self, "_by_name", MappingProxyType(by_name))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def rule(self, name: str) -> TimescaleRule:
        """The rule called ``name``, or :class:`UnknownTimescale` naming a few known ones."""
        found = self._by_name.get(name) if isinstance(name, str) else None
        if found is None:
            nearest = difflib.get_close_matches(str(name), self.names, n=3, cutoff=0.6)
            shown = nearest or list(self.names[:5])
            raise UnknownTimescale(
                f"no timescale rule {name!r} in {self.source}; known rules include "
                f"{', '.join(shown)} ({len(self.names)} in all)"
            )
        return found

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[TimescaleRule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)


# --- loading -----------------------------------------------------------------------------------

_REQUIRED: Final = {
    "name": str,
    "section": str,
    "record": str,
    "wording": str,
    "starts": str,
    "amount": int,
    "unit": str,
}
_OPTIONAL: Final = {"table": str, "before": bool, "start_is_day_one": bool, "note": str}
_TOML_TYPE: Final = {str: "text", int: "an integer", bool: "true or false"}


def _rule_from_row(row: object, number: int, source: str) -> TimescaleRule:
    if not isinstance(row, dict):
        raise TimescaleTableError(f"timescales table {source}: row {number} is not a table ([[rule]])")
    label = row.get("name")
    where = f"timescales table {source}: row {number}" + (f" ({label!r})" if isinstance(label, str) else "")
    unknown = sorted(set(row) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise TimescaleTableError(
            f"{where}: unknown field {unknown[0]!r}; expected fields: {', '.join([*_REQUIRED, *_OPTIONAL])}"
        )
    for key, kind in {**_REQUIRED, **_OPTIONAL}.items():
        if key not in row:
            if key in _REQUIRED:
                raise TimescaleTableError(f"{where}: missing field {key!r}")
            continue
        value = row[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise TimescaleTableError(
                f"{where}: field {key!r} must be {_TOML_TYPE[kind]}, got {type(value).__name__} {value!r}"
            )
    try:
        return TimescaleRule(**row)
    except TimescaleTableError as e:  # "rule 'name': field ...": add the file and the row
        raise TimescaleTableError(f"timescales table {source}: row {number}: {e}") from None


def load_table(path: str | Path | None = None) -> TimescaleTable:
    """Read and validate a timescales table; ``None`` reads the one shipped with the ledger."""
    if path is None:
        resource = importlib.resources.files("ledger.records").joinpath(_PACKAGED_TABLE)
        source = f"the packaged {_PACKAGED_TABLE}"
    else:
        resource, source = Path(path), str(path)
    try:
        text = resource.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise TimescaleTableError(f"timescales table {source}: cannot read it ({e})") from e
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise TimescaleTableError(f"timescales table {source}: not valid TOML ({e})") from e
    unknown = sorted(set(data) - {"title", "rule"})
    if unknown:
        raise TimescaleTableError(
            f"timescales table {source}: unknown top-level key {unknown[0]!r}; "
            f"expected title and [[rule]] rows"
        )
    rows = data.get("rule", [])
    if not isinstance(rows, list):
        raise TimescaleTableError(f"timescales table {source}: 'rule' must be [[rule]] rows")
    return TimescaleTable(tuple(_rule_from_row(row, n, source) for n, row in enumerate(rows, 1)), source)


@functools.cache
def default_table() -> TimescaleTable:
    """The packaged table, read once."""
    return load_table()


# --- the public questions ----------------------------------------------------------------------


def due_by(rule: str, started_at: _dt.datetime, *, table: TimescaleTable | None = None) -> _dt.datetime:
    """When a record under ``rule`` is due, for a clock started at ``started_at`` (aware)."""
    return (default_table() if table is None else table).rule(rule).due_by(started_at)


def lateness(
    rule: str, started_at: _dt.datetime, done_at: _dt.datetime, *, table: TimescaleTable | None = None
) -> Lateness | None:
    """How late a record under ``rule`` made or finalised at ``done_at`` was; ``None`` if on time."""
    return (default_table() if table is None else table).rule(rule).lateness(started_at, done_at)


stored_as(__name__, "ledger.timescales")  # its classes keep the topics they were first stored under
