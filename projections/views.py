"""Per-case read views: pure functions of a :class:`~ledger.records.case.CaseRecord` (no storage, no clock).

* :func:`chronology` (policy s.8): the dated list of significant events in the child's life, in
  the order of the events (not of the writing), from birth or before; process milestones in plain
  English together with the worker's chronology entries (positive changes marked). ``court=True``
  gives the fuller court version: every dated record, still without deleted notes.
* :func:`case_view`: what a worker opens: the child, allocation, process state in plain words,
  open hazards and alerts, the latest summary, recent notes with their amendments and any
  service user's disagreement beside them, decisions, documents.
* :func:`summary_view` (s.9): the latest case summary, whether it is overdue, and what has
  changed since it was written (what the next summary must cover).
* :func:`audit_view`: the complete history as recorded, deleted notes included (AUDIT-ONLY).
* :func:`hazard_rows` (s.10): one case's open hazards and alerts as flat rows.

This module holds the case view and the summary view; the others live beside it and are named
here too, so that every read view has one way in: :mod:`projections.chronology`,
:mod:`projections.audit_view`, :mod:`projections.note_views` (a note as read, its amendments and
corrections), and :mod:`projections.wording` (codes, people, dates and milestones in plain English).

Never shown outside the audit view: deleted notes, superseded milestones (``superseded_by`` set).
A view built from ``case_as_of(...)`` (:mod:`projections.asof`) is the view as it stood then.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ledger.records import casework
from ledger.records.case import CaseRecord
from ledger.records.dates import day_text
from projections.audit_view import audit_view, withhold_deleted
from projections.chronology import ChronologyEntry, chronology
from projections.note_views import NOTE_FIELDS, amendments_view, correction_view, note_changes, note_view
from projections.wording import local_date, milestone_title, process_in_words, who, words

__all__ = ["NOTE_FIELDS", "SUMMARY_FIELDS", "ChronologyEntry", "amendments_view", "audit_view", "case_view",
           "chronology", "correction_view", "hazard_rows", "local_date", "milestone_title", "note_changes",
           "note_view", "process_in_words", "summary_fields", "summary_view", "who", "withhold_deleted", "words"]

RECENT_NOTES = 10


def _default_today(case: CaseRecord) -> _dt.date:
    """When the caller gives no date: the day of the case's latest event (keeps views pure)."""
    return local_date(case.modified_on)


# --- the case view ------------------------------------------------------------------------------------


def age(born: _dt.date, today: _dt.date) -> str:
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    if months < 0:
        return "not yet born"
    if months < 24:
        return f"{months} month{'s' if months != 1 else ''}"
    return f"{months // 12} years"


def alert_row(case: CaseRecord, r: dict[str, Any], today: _dt.date) -> dict[str, Any]:
    d = r["details"]
    return {"case_id": str(case.id), "child": case.child["name"], "team": case.team,
            "worker": case.worker.get("full_name", ""), "record_id": str(r["id"]), "kind": r["kind"],
            "type": d.get("type") or d.get("mappa_category") or "", "description": d["description"],
            "started_on": d["started_on"], "review_date": d["review_date"], "overdue": d["review_date"] < today}


def hazard_rows(case: CaseRecord, *, today: _dt.date) -> list[dict[str, Any]]:
    """Open hazards and alerts of one case (policy s.10), each a flat row, soonest review first."""
    rows = [alert_row(case, r, today) for r in case.records.values()
            if r["kind"] in casework.ALERT_KINDS and r["status"] == "active"]
    return sorted(rows, key=lambda row: (row["review_date"], row["record_id"]))


#: The fields of a case summary in the order they are read, in words (policy s.9); any other
#: field a summary holds is read after these, by its name.
SUMMARY_FIELDS = {"life_for_the_child": "What life is like for the child",
                  "progress_against_care_plan": "Progress against the care plan", "strengths": "Strengths",
                  "concerns": "Concerns", "new_issues": "New issues", "how_handled": "How they were handled",
                  "engagement": "Engagement with services",
                  "focus_next_three_months": "Focus for the next three months"}
_SUMMARY_META = ("id", "written_at", "recorded_at", "by", "next_update_due", "supersedes")


def summary_fields(s: dict[str, Any]) -> list[tuple[str, Any]]:
    """What a summary (as :func:`case_view` and :func:`summary_view` give it) records, as
    (words, value) in reading order: every field it holds, none left out."""
    held = [k for k in s if k not in _SUMMARY_META]
    order = [k for k in SUMMARY_FIELDS if k in held] + [k for k in held if k not in SUMMARY_FIELDS]
    return [(SUMMARY_FIELDS.get(k) or words(k).capitalize(), s[k]) for k in order]


def _summary(r: dict[str, Any] | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"id": str(r["id"]), "written_at": r["occurred_at"], "recorded_at": r["recorded_at"], "by": who(r["by"]),
            "next_update_due": r["details"].get("next_update_due"),
            **{k: v for k, v in r["details"].items() if k not in ("supersedes", "next_update_due")}}


def case_view(case: CaseRecord, *, today: _dt.date | None = None, recent: int = RECENT_NOTES) -> dict[str, Any]:
    """What a worker opens (deleted notes and superseded milestones are left out).

    ``today`` (a local date) dates the child's age and the overdue reviews; by default the day of
    the case's latest event, so that the view of a past version reads as it did then.
    """
    today = today or _default_today(case)
    child = case.child
    born = child.get("date_of_birth")
    notes = list(reversed(case.visible_notes()))[:recent]
    documents = sorted((r for r in case.records.values() if r["kind"] == "document"),
                       key=lambda r: (r["recorded_at"], str(r["id"])), reverse=True)
    return {
        "case_id": str(case.id), "version": case.version, "as_of": case.modified_on, "status": case.status,
        "child": {"name": child["name"], "date_of_birth": born,
                  "expected_date_of_birth": child.get("expected_date_of_birth"),
                  "age": age(born, today) if born else
                  f"unborn (expected {day_text(child.get('expected_date_of_birth'))})"},
        "referral": case.referral,
        "allocation": {"team": case.team, "worker": who(case.worker), "staff_id": case.worker.get("staff_id")},
        "closure": case.closure if case.status == "closed" else None,
        "process": process_in_words(case),
        "alerts": hazard_rows(case, today=today),
        "summary": _summary(casework.current_summary(case)),
        "recent_notes": [note_view(case, n) for n in notes],
        "notes_total": len(case.visible_notes()),
        "decisions": [{"id": str(d["id"]), "kind": words(d["kind"]), "occurred_at": d["occurred_at"],
                       "decision": d["decision"], "reasons": d["reasons"], "risks_considered": d["risks_considered"],
                       "options_not_chosen": d["options_not_chosen"], "by": who(d["decided_by"])}
                      for d in sorted(case.decisions, key=lambda d: d["occurred_at"], reverse=True)],
        "documents": [{"id": str(r["id"]), "name": r["details"]["name"], "doc_type": r["details"]["doc_type"],
                       "date_received": r["details"].get("date_received"), "sha256": r["details"]["sha256"],
                       "recorded_at": r["recorded_at"]} for r in documents],
    }


# --- the case summary (s.9) -----------------------------------------------------------------------------


def summary_view(case: CaseRecord, *, now: _dt.datetime) -> dict[str, Any]:
    """The latest summary, whether it is overdue (more than three months old at ``now``, open cases), and what
    was recorded since it was written: what the next summary must cover."""
    today = local_date(now)
    current = casework.current_summary(case)
    since = current["recorded_at"] if current else None
    written = local_date(current["occurred_at"]) if current else None
    due = casework.add_months(written or case.referral["date"], casework.SUMMARY_MONTHS)

    def new(at: _dt.datetime) -> bool:
        return since is None or at > since

    alerts = [r for r in case.records.values() if r["kind"] in casework.ALERT_KINDS and new(r["recorded_at"])]
    ended = [r for r in case.records.values() if r["kind"] in casework.ALERT_KINDS
             and any(u["action"] == "end" and new(u["recorded_at"]) for u in r["updates"])]
    decisions = [d for d in case.decisions if new(d["recorded_at"])]
    steps = [m for m in case.milestones if m.get("superseded_by") is None and new(m["recorded_at"])]
    notes = [n for n in case.visible_notes() if new(n["recorded_at"])]
    entries = [r for r in casework.chronology(case) if new(r["recorded_at"])]
    cover = ([f"New {words(r['kind'])}: {r['details']['description']}" for r in alerts]
             + [f"Ended {words(r['kind'])}: {r['details']['description']}" for r in ended]
             + [f"{day_text(m['occurred_at'])}: {milestone_title(m['kind'], m['details'], case, m)}" for m in steps]
             + [f"Decision {day_text(d['occurred_at'])}: {d['decision']}" for d in decisions]
             + [f"{day_text(r['details']['event_date'])}: {r['details']['what_happened']}"
                + (" (positive)" if r["details"].get("positive") else "") for r in entries])
    if notes:
        cover.append(f"{len(notes)} case note(s) recorded since "
                     + (f"the summary of {day_text(written)}" if written else "the referral"))
    return {
        "case_id": str(case.id), "child": case.child["name"], "summary": _summary(current),
        "written_on": written, "due": due, "status": case.status,
        "overdue": case.status == "open" and today > due,  # a closed case has no summary due
        "age_days": (today - written).days if written else None,
        "since": {"hazards": [alert_row(case, r, today) for r in alerts],
                  "hazards_ended": [str(r["id"]) for r in ended],
                  "decisions": [str(d["id"]) for d in decisions], "milestones": [str(m["id"]) for m in steps],
                  "notes": [str(n["id"]) for n in notes], "chronology_entries": [str(r["id"]) for r in entries]},
        "must_cover": cover,
    }
