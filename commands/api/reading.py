"""Reading a case over HTTP exactly as the command line reads it (:mod:`commands.cli_views`).

The same access decision (on the record as it is now), recorded first; the same "as of" rule
(``@POSITION`` or a date and time, London when no offset is given); the same views
(:mod:`projections.views`, the materialised chronology), so that ``GET /cases/{case}`` and
``caseledger case view --json`` give the same JSON for the same case and moment (a test compares).
Parse errors name the request's field and raise :class:`~ledger.errors.RuleViolation` (422).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Any

from ledger.access.policy import BreakGlassBasis, Part
from ledger.application import LONDON, CaseLedger, utc_now
from ledger.errors import PermissionDenied, RuleViolation
from ledger.records.fields import require_time
from projections import runner, views
from projections.asof import case_as_of
from projections.caseviews import read_chronology

__all__ = ["Reading", "chronology", "history", "parse_as_of", "parse_when", "read_case"]


@dataclasses.dataclass(frozen=True)
class Reading:
    """Why a record is opened: ``purpose`` and the break-glass ``basis``, as ``--purpose`` and
    ``--break-glass`` on the command line (``X-Purpose`` and ``X-Break-Glass`` over HTTP)."""

    purpose: str = ""
    basis: str | None = None

    @classmethod
    def of(cls, purpose: str | None, basis: str | None, basis_field: str = "break_glass") -> Reading:
        if basis is not None and basis.strip():
            allowed = [b.value for b in BreakGlassBasis]
            if basis.strip() not in allowed:
                raise RuleViolation(f"{basis_field} {basis!r} is not a break-glass basis; the bases are: "
                                    f"{', '.join(allowed)}", field=basis_field)
            return cls((purpose or "").strip(), basis.strip())
        return cls((purpose or "").strip(), None)


def parse_when(value: str | None, field: str, entry: str | None = None) -> _dt.datetime | None:
    """'2026-11-21 14:30' (London time) or ISO 8601 with an offset, as the CLI reads it; ``entry``:
    a kind of entry dated by a moment (a date alone is refused)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise RuleViolation(f"{field} must be a date and time like '2026-11-21 14:30'", field=field)
    if entry is not None:
        require_time(field, value, entry)
    try:
        when = _dt.datetime.fromisoformat(value.strip().replace("T", " "))
    except ValueError:
        raise RuleViolation(f"{field} {value!r} is not a date and time like '2026-11-21 14:30' (London) or "
                            "'2026-11-21T14:30:00+00:00'", field=field) from None
    return when.replace(tzinfo=LONDON) if when.tzinfo is None else when


def parse_as_of(value: str) -> tuple[int | None, _dt.datetime | None]:
    """``@POSITION`` (a global event position) or a date and time: (position, moment)."""
    text = value.strip()
    if text.startswith("@"):
        try:
            position = int(text[1:])
        except ValueError:
            raise RuleViolation(f"as_of {value!r}: a global position is @ and a whole number, e.g. @1200",
                                field="as_of") from None
        return position, None
    return None, parse_when(text, "as_of")


def read_case(ledger: CaseLedger, acting: str, case_id: str, as_of: str | None, part: Part,
              reading: Reading) -> tuple[Any, _dt.datetime]:
    """The case (as of ``as_of``) and the moment its views are dated by: decided on the record as it is
    now and recorded first (as ``commands.cli_views.read_case``)."""
    current = ledger.access.open_record(acting, case_id, part, purpose=reading.purpose, basis=reading.basis)
    if as_of is None:
        return current, utc_now()
    position, at = parse_as_of(as_of)
    if position is not None:
        c = case_as_of(ledger, str(current.id), position=position)
        return c, c.modified_on
    assert at is not None
    return case_as_of(ledger, str(current.id), at=at), at


def chronology(ledger: CaseLedger, acting: str, case_id: str, as_of: str | None, court: bool,
               reading: Reading) -> dict[str, Any]:
    """The chronology as ``caseledger chronology --json`` gives it: materialised when not as of a moment."""
    found = None
    if as_of is None:
        cid = ledger.access.open_record(acting, case_id, Part.CHRONOLOGY, purpose=reading.purpose,
                                        basis=reading.basis).id
        runner.catch_up(ledger, "chronology")
        found = read_chronology(runner.view_of(ledger, "chronology"), cid, court=court)
    if found is None:
        c, _ = read_case(ledger, acting, case_id, as_of, Part.CHRONOLOGY, reading)
        entries = views.chronology(c, court=court)
    else:
        c, entries = found
    return {"case_id": c.id, "version": c.version, "child": c.child["name"], "court": court, "as_of": as_of,
            "entries": [x.as_dict() for x in entries]}


def history(ledger: CaseLedger, acting: str, case_id: str, as_of: str | None,
            reading: Reading) -> tuple[list[dict[str, Any]], str]:
    """The audit view as ``caseledger history --json`` gives it, and why deleted notes' text was
    withheld ("" when it was not): a second decision, recorded like every read."""
    c, _ = read_case(ledger, acting, case_id, as_of, Part.AUDIT_VIEW, reading)
    rows = views.audit_view(c, ledger.events.get(c.id, lte=c.version))
    withheld = ""
    if any(n["deleted"] for n in c.notes.values()):
        try:
            ledger.access.check(acting, c.id, "read", Part.DELETED_CONTENT, purpose=reading.purpose,
                                basis=reading.basis)
        except PermissionDenied as e:
            rows = views.withhold_deleted(c, rows)
            withheld = str(e).removeprefix("access denied: ")
    return rows, withheld
