"""Reading a case's casework records: the current summary, the chronology, reviews due, what a
correction request is about, a record named by the first digits of its id."""
from __future__ import annotations

import datetime as _dt
import uuid
from typing import Any

from ledger.errors import NotFound
from ledger.records.casework.base import ALERT_KINDS, CaseRecord, looks_like_uuid

__all__ = ["chronology", "current_summary", "records_about", "resolve_record_id", "reviews_due"]


def current_summary(case: CaseRecord) -> dict[str, Any] | None:
    """The case summary in force (the latest; older ones are superseded), or None."""
    current = [r for r in case.records.values() if r["kind"] == "case_summary" and r["status"] == "current"]
    return max(current, key=lambda r: (r["recorded_at"], str(r["id"]))) if current else None


def chronology(case: CaseRecord) -> list[dict[str, Any]]:
    """The chronology entries in the order of the events they record."""
    entries = [r for r in case.records.values() if r["kind"] == "chronology_entry"]
    return sorted(entries, key=lambda r: (r["details"]["event_date"], r["recorded_at"]))


def reviews_due(case: CaseRecord, today: _dt.date) -> list[dict[str, Any]]:
    """Active hazards and alerts whose review date has passed (``today`` a local date)."""
    return [r for r in case.records.values()
            if r["kind"] in ALERT_KINDS and r["status"] == "active" and r["details"]["review_date"] < today]


def records_about(case: CaseRecord, target_id: uuid.UUID | str) -> list[dict[str, Any]]:
    """The correction requests (with any disagreement) about a note or record: kept next to it."""
    tid = str(target_id)
    return [r for r in case.records.values()
            if r["kind"] == "correction_request" and r["details"]["what"] == tid]


def resolve_record_id(case: CaseRecord, text: str) -> uuid.UUID:
    """A record's id from its UUID or its first hex digits (at least 4)."""
    t = str(text).strip().lower()
    if looks_like_uuid(t):
        return uuid.UUID(t)
    matches = [r["id"] for key, r in case.records.items() if key.startswith(t)] if len(t) >= 4 else []
    if len(matches) != 1:
        many = "s" if len(matches) > 1 else ""
        raise NotFound(f"{text!r} names {len(matches) or 'no'} record{many} on the case of "
                       f"{case.child['name']}; give the record id (or more of its digits)")
    rid = matches[0]
    return rid if isinstance(rid, uuid.UUID) else uuid.UUID(str(rid))
