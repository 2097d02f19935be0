"""Chronology entries (policy s.8): the significant events of the child's life.

* ``chronology_entry`` (s.8): ``event_date`` is required, not after today, and may be before
  the child's birth; ``what_happened`` and ``category`` are required; ``positive`` marks a
  positive change or achievement; ``source`` (optional) is a note or record id on this case
  (checked) or the name of a document. Update: ``correct`` (the changed fields and a
  ``reason`` that explains; the previous values stay in the entry's updates).
"""

from __future__ import annotations

from typing import Any

from ledger.errors import RuleViolation
from ledger.records.casework.base import Action, Ctx, Kind, explained, find_source, looks_like_uuid
from ledger.records.dates import day_text
from ledger.records.fields import Field

__all__ = ["CHRONOLOGY_CATEGORIES", "CHRONOLOGY_ENTRY", "CHRONOLOGY_FIELDS"]


# --- chronology (s.8) ------------------------------------------------------------------------

CHRONOLOGY_CATEGORIES = ("birth", "health", "education", "family", "placement", "safeguarding",
                         "achievement", "legal", "other")


def _check_chronology(ctx: Ctx, d: dict[str, Any]) -> dict[str, Any]:
    if "event_date" in d and d["event_date"] > ctx.today:
        raise RuleViolation(
            f"event_date {day_text(d['event_date'])} for a chronology entry is after today ({day_text(ctx.today)}): "
            "a chronology records events that have happened (policy s.8)"
        )
    source = d.get("source")
    if source and looks_like_uuid(source):
        d["source"] = find_source(ctx.case, "source", source, what="a chronology entry")["id"]
    return d


def _correct_chronology(ctx: Ctx, record: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
    d["reason"] = explained("reason", d["reason"], "correcting a chronology entry")
    changes = {k: v for k, v in d.items() if k != "reason"}
    if not changes:
        raise RuleViolation("a correction to a chronology entry changes at least one of: event_date, "
                            "what_happened, category, positive, source")
    if all(record["details"].get(k) == v for k, v in changes.items()):
        raise RuleViolation("the correction changes nothing: the values given are the entry's current ones")
    return _check_chronology(ctx, d)


CHRONOLOGY_FIELDS = (
    Field("event_date", "date", required=True,
          help="when it happened (may be before birth; not after today)"),
    Field("what_happened", required=True),
    Field("category", "choice", required=True, choices=CHRONOLOGY_CATEGORIES),
    Field("positive", "bool", help="a positive change or achievement"),
    Field("source", help="the note or record id on this case, or the document it comes from"),
)

CHRONOLOGY_ENTRY = Kind(
    name="chronology_entry", title="a chronology entry", policy="s.8",
    help="A significant event in the child's life, good or bad, from birth or before (policy s.8).",
    fields=CHRONOLOGY_FIELDS,
    check=_check_chronology,
    actions={"correct": Action(
        "correct", "correct the entry; the previous values stay in its history",
        tuple(Field(f.name, f.type, False, f.help, f.choices) for f in CHRONOLOGY_FIELDS)
        + (Field("reason", required=True, help="why it is corrected (at least three words, twelve letters)"),),
        _correct_chronology)},
)
