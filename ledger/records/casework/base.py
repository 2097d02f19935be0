"""What every kind of casework record shares: the shape of a kind, the context its rules see, and helpers.

* :class:`Kind` (its fields, its rules, its update :class:`Action` s, who records it) and
  :class:`Ctx` (the case, who acts, and when), declared once here and used by each kind's module;
* :class:`CaseRecord`: what a casework rule reads of a case (the case imports this package,
  never the reverse);
* :func:`find_source`: the note or record on this case a record refers to (refused when not
  there); :func:`add_months`, :func:`local_date`, :func:`explained`.
"""
from __future__ import annotations

import calendar
import datetime as _dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ledger.errors import NotFound, RuleViolation
from ledger.integrity.topics import stored_as
from ledger.records.fields import Field, explained_reason
from ledger.records.staff import StaffMember
from ledger.records.timescales import LONDON, local_today

__all__ = ["ALERT_KINDS", "IDENTITY_DOCUMENTS", "REVIEW_MONTHS", "SUMMARY_MONTHS", "Action", "CaseRecord", "Check",
           "Ctx", "Kind", "UpdateCheck", "add_months", "explained", "find_source", "local_date", "looks_like_uuid"]


class CaseRecord(Protocol):
    """What a casework rule reads of a case (:class:`ledger.records.case.CaseRecord` is one): the
    case imports this module, never the reverse."""

    child: dict[str, Any]
    notes: dict[str, dict[str, Any]]
    records: dict[str, dict[str, Any]]


#: Hazards and alerts are reviewed within six months (policy s.10).
REVIEW_MONTHS = 6
#: The case summary is updated every three months (policy s.9).
SUMMARY_MONTHS = 3
ALERT_KINDS = ("hazard", "risk_to_children", "mappa_alert")
IDENTITY_DOCUMENTS = ("birth_certificate", "passport", "identification")


# --- small helpers ---------------------------------------------------------------------------


def add_months(day: _dt.date, months: int) -> _dt.date:
    """``day`` plus whole calendar months (31 August + 6 months is 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return _dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _today(now: _dt.datetime) -> _dt.date:
    return local_today(now)


def local_date(when: _dt.datetime) -> _dt.date:
    return when.astimezone(LONDON).date()


def _uuid_text(field_name: str, value: str) -> str:
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise RuleViolation(f"{field_name} {value!r} is not a record id (a UUID)") from None


def looks_like_uuid(value: str) -> bool:
    try:
        uuid.UUID(value.strip())
    except ValueError:
        return False
    return True


def explained(field_name: str, value: Any, what: str) -> str:
    return explained_reason(field_name, value, what)


def find_source(case: CaseRecord, field_name: str, ref: str, *, kinds: tuple[str, ...] | None = None,
            what: str) -> dict[str, Any]:
    """The note or record ``ref`` on this case, as {"kind", "date"}; refused when not there."""
    rid = _uuid_text(field_name, ref)
    note = case.notes.get(rid)
    if note is not None and (kinds is None or "case_note" in kinds):
        if note["deleted"]:
            raise RuleViolation(f"{field_name} {rid} is a deleted case note; {what} cannot rest on it")
        return {"id": rid, "kind": "case_note", "date": local_date(note["occurred_at"])}
    record = case.records.get(rid)
    if record is not None and (kinds is None or record["kind"] in kinds):
        day = record["details"].get("date_received") if record["kind"] == "document" else None
        return {"id": rid, "kind": record["kind"], "date": day or local_date(record["occurred_at"])}
    allowed = "a case note or a record" if kinds is None else " or ".join(
        "a case note" if k == "case_note" else f"a {k.replace('_', ' ')} record" for k in kinds)
    raise NotFound(f"{field_name} {rid} is not {allowed} on the case of {case.child['name']}")


@dataclass(frozen=True)
class Ctx:
    """What a rule may look at besides the details: the case, who acts, and when."""

    case: CaseRecord
    actor: StaffMember
    occurred_at: _dt.datetime
    now: _dt.datetime

    @property
    def today(self) -> _dt.date:
        return _today(self.now)


Check = Callable[[Ctx, dict[str, Any]], dict[str, Any]]
UpdateCheck = Callable[[Ctx, dict[str, Any], dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Action:
    """An update a kind of record accepts."""

    name: str
    help: str
    fields: tuple[Field, ...]
    check: UpdateCheck | None = None
    #: the record's statuses in which the action is allowed (empty: any)
    statuses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    name: str
    title: str  # "a hazard"
    policy: str
    help: str
    fields: tuple[Field, ...]
    check: Check | None = None
    actions: dict[str, Action] = field(default_factory=dict)
    initial_status: Callable[[dict[str, Any]], str] = lambda details: "current"
    #: who may record: None for the practice and management roles
    who: Callable[[StaffMember, str], None] | None = None


stored_as(__name__, "ledger.casework")  # its classes keep the topics they were first stored under
