"""Hazards and alerts (policy s.10): the hazard, the risk to children alert, the MAPPA alert.

* ``hazard`` (s.10): ``type`` is one of dangerous_pet, person_known_to_be_violent,
  verbal_abuse, racial_abuse, other; ``started_on`` (the date it started or was first known)
  is required and not in the future; ``description`` is required and must refer to a specific
  dated record or document: either ``source_record`` (the id of a case note or a document
  record on this case; its date is copied into ``source_date``) or ``source_document`` with
  its ``source_date``; ``review_date`` is required, not in the past and at most six months
  after the day the hazard is recorded. Updates: ``review`` (``outcome``; ``next_review_date``
  after today and at most six months ahead), ``update`` (a new ``description``, optionally a
  new source), ``end`` (a ``reason`` that explains). An ended alert accepts no update.
* ``risk_to_children`` and ``mappa_alert`` (s.10, the front-screen alerts): the same rules and
  actions as a hazard (a dated source, a review within six months), without ``type``; a MAPPA
  alert names the ``person`` managed under MAPPA, with optional ``mappa_category`` and
  ``mappa_level``.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ledger.errors import RuleViolation
from ledger.records.casework.base import REVIEW_MONTHS, Action, Ctx, Kind, add_months, explained, find_source
from ledger.records.dates import day_text
from ledger.records.fields import Field

__all__ = ["HAZARD", "HAZARD_TYPES", "MAPPA_ALERT", "RISK_TO_CHILDREN", "SOURCE_FIELDS"]


# --- hazards and alerts (s.10) ---------------------------------------------------------------

SOURCE_FIELDS = (
    Field("source_record",
          help="id of the case note or document record on this case that details the concern"),
    Field("source_document", help="the document that details the concern, when it is not on this case"),
    Field("source_date", "date",
          help="the date of source_document (taken from the record with source_record)"),
)


def _check_source(ctx: Ctx, d: dict[str, Any], what: str, *, required: bool) -> None:
    """The description refers to a specific dated record or document (policy s.10)."""
    if d.get("source_record"):
        if d.get("source_document"):
            raise RuleViolation(f"{what}: give source_record or source_document, not both")
        if d.get("source_date"):
            raise RuleViolation(f"{what}: source_date is taken from the source record; leave it out "
                                "with source_record")
        src = find_source(ctx.case, "source_record", d["source_record"], kinds=("case_note", "document"),
                      what=what)
        d["source_record"] = src["id"]
        d["source_date"] = src["date"]
    elif d.get("source_document"):
        if not d.get("source_date"):
            raise RuleViolation(f"source_date is required with source_document for {what}: the description "
                                "refers to a specific dated document (policy s.10)")
        if d["source_date"] > ctx.today:
            raise RuleViolation(f"source_date {day_text(d['source_date'])} is in the future "
                                f"(today is {day_text(ctx.today)})")
    elif d.get("source_date"):
        raise RuleViolation(f"source_date for {what} goes with source_document (the document it dates)")
    elif required:
        raise RuleViolation(
            f"the description of {what} must refer to a specific dated case record or document that "
            "details the concern (policy s.10): give source_record (a case note or document id on this "
            "case) or source_document with its source_date"
        )


def _check_review_date(field_name: str, day: _dt.date, today: _dt.date, what: str, *,
                       strictly_after: bool = False) -> None:
    latest = add_months(today, REVIEW_MONTHS)
    if day < today or (strictly_after and day == today):
        raise RuleViolation(f"{field_name} {day_text(day)} for {what} is in the past (today is {day_text(today)}); "
                            f"a review date is {'after' if strictly_after else 'on or after'} today")
    if day > latest:
        raise RuleViolation(
            f"{field_name} {day_text(day)} for {what} is more than six months away; it is reviewed within six "
            f"months (policy s.10): at the latest {day_text(latest)}"
        )


def _alert_kind(name: str, title: str, extra: tuple[Field, ...], help_text: str) -> Kind:
    def check(ctx: Ctx, d: dict[str, Any]) -> dict[str, Any]:
        if d["started_on"] > ctx.today:
            raise RuleViolation(f"started_on {day_text(d['started_on'])} for {title} is in the future "
                                f"(today is {day_text(ctx.today)}): the date it started or was first known")
        _check_source(ctx, d, title, required=True)
        _check_review_date("review_date", d["review_date"], ctx.today, title)
        return d

    def review(ctx: Ctx, record: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
        _check_review_date("next_review_date", d["next_review_date"], ctx.today, title, strictly_after=True)
        return d

    def update(ctx: Ctx, record: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
        _check_source(ctx, d, title, required=False)
        return d

    def end(ctx: Ctx, record: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
        d["reason"] = explained("reason", d["reason"], f"ending {title}")
        return d

    active = ("active",)
    return Kind(
        name=name, title=title, policy="s.10", help=help_text,
        fields=(
            *extra,
            Field("started_on", "date", required=True, help="the date it started or was first known"),
            Field("description", required=True, help="the risk, referring to the dated record or document"),
            *SOURCE_FIELDS,
            Field("review_date", "date", required=True, help="not in the past, within six months"),
        ),
        check=check,
        actions={
            "review": Action("review", "reviewed: the outcome and the next review date (within six months)",
                             (Field("outcome", required=True, help="what the review found"),
                              Field("next_review_date", "date", required=True,
                                    help="after today, within six months")), review, active),
            "update": Action("update", "a new description (and source); the old one is kept",
                             (Field("description", required=True), *SOURCE_FIELDS), update, active),
            "end": Action("end", "the alert no longer applies",
                          (Field("reason", required=True, help="why it ends (at least three words, twelve letters)"),),
                          end, active),
        },
        initial_status=lambda details: "active",
    )


HAZARD_TYPES = ("dangerous_pet", "person_known_to_be_violent", "verbal_abuse", "racial_abuse", "other")

HAZARD = _alert_kind(
    "hazard", "a hazard",
    (Field("type", "choice", required=True, choices=HAZARD_TYPES),
     Field("concerns_person", help="the child or adult it is about")),
    "A warning about a risk of harm to staff or others (policy s.10).",
)
RISK_TO_CHILDREN = _alert_kind(
    "risk_to_children", "a risk to children alert",
    (Field("person", help="the person who poses the risk"),),
    "A front-screen alert that a person poses a risk to children (policy s.10).",
)
MAPPA_ALERT = _alert_kind(
    "mappa_alert", "a MAPPA alert",
    (Field("person", required=True, help="the person managed under MAPPA"),
     Field("mappa_category", "choice", choices=("registered_sexual_offender", "violent_offender",
                                                "other_dangerous_offender")),
     Field("mappa_level", "choice", choices=("level_1", "level_2", "level_3"))),
    "A front-screen MAPPA (multi-agency public protection arrangements) alert (policy s.10).",
)
