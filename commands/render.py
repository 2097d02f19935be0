"""Formatting for the command line: JSON-ready values and plain-English text.

No business rules here: it only turns what the ledger returns into something to read.
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
from typing import Any

from ledger.records.case import CaseRecord
from ledger.records.dates import day_text, moment_text
from ledger.records.staff import StaffMember
from projections import views
from projections.plain import jsonable


def dumps(value: Any) -> str:
    return json.dumps(jsonable(value), indent=2, ensure_ascii=False)


def local(value: _dt.datetime | None) -> str:
    """A moment as people read it: ``05 Dec 2026 14:30 GMT`` (:func:`ledger.records.dates.moment_text`)."""
    return moment_text(value)


def day(value: _dt.date | _dt.datetime | None) -> str:
    """A day as people read it: ``05 Dec 2026`` (:func:`ledger.records.dates.day_text`)."""
    return day_text(value)


def who(stamp: dict[str, Any] | None) -> str:
    """"Jane Smith, Social Worker, Assessment" (policy s.7)."""
    if not stamp:
        return "-"
    parts = [stamp.get("full_name", "?"), stamp.get("designation", "")]
    if stamp.get("team"):
        parts.append(stamp["team"])
    return ", ".join(p for p in parts if p)


def staff_dict(m: StaffMember) -> dict[str, Any]:
    return {
        "staff_id": m.staff_id, "full_name": m.full_name, "designation": m.designation,
        "team": m.team, "roles": [r.value for r in m.roles], "active": m.active, "email": m.email,
    }


def note_dict(note: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": note["id"], "kind": note["kind"], "occurred_at": note["occurred_at"],
        "recorded_at": note["recorded_at"], "status": note["status"],
        "finalised_at": note["finalised_at"], "author": note["author"], **note["content"],
        "amendments": [
            {"at": a["at"], "by": a["by"], "reason": a["reason"], "previous": a["previous"],
             "changes": c["changes"]}
            for a, c in zip(note["amendments"], views.amendments_view(note), strict=True)
        ],
        "deleted": note["deleted"],
    }


def case_dict(case: CaseRecord, *, include_deleted: bool = False) -> dict[str, Any]:
    notes = (sorted(case.notes.values(), key=lambda n: (n["occurred_at"], n["recorded_at"]))
             if include_deleted else case.visible_notes())
    return {
        "case_id": case.id, "version": case.version, "status": case.status,
        "child": case.child, "referral": case.referral, "team": case.team,
        "worker": case.worker, "closure": case.closure,
        "notes": [note_dict(n) for n in notes],
        "decisions": case.decisions,
    }


def field_words(field: str, value: Any) -> str:
    """One value of a note's field as read: yes/no, the interpreter's name and kind, text quoted,
    "(none)" when blank."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "(none)"
    if field == "interpreter" and isinstance(value, dict):
        return f"{value.get('name')} ({views.words(value.get('kind'))})"
    if field == "source" or isinstance(value, enum.Enum):
        return views.words(value)
    return quoted(str(value))


def quoted(text: str) -> str:
    """Someone's own words in quotation marks, once: words recorded with their own marks (the
    child's views are often written down as quotes) are shown as recorded."""
    text = text.strip()
    recorded_as_quote = len(text) > 1 and text[0] in "\"“" and text[-1] in "\"”"
    return text if recorded_as_quote else f'"{text}"'


def change_text(change: dict[str, Any], verb: str = "amended") -> str:
    """One changed field of a note ({field, was, now}): 'Actions amended: was "..."; now "..."'."""
    label = views.NOTE_FIELDS.get(change["field"]) or views.words(change["field"]).capitalize()
    return (f"{label} {verb}: was {field_words(change['field'], change['was'])}; "
            f"now {field_words(change['field'], change['now'])}")


def note_lines(n: dict[str, Any]) -> list[str]:
    """The body of a case note as read (a :func:`projections.views.note_view`), indented under
    its heading: facts, analysis, actions, who provided third-party information, whether the child
    was seen (alone; bedroom), the child's views in their own words, the interpreter, why it was
    written up late; each amendment with exactly the fields it changed (was, now); the service
    user's correction requests and disagreements (policy s.7, s.9, Appendix 1)."""
    c = n["content"]
    lines = [f"    Facts: {c['facts']}"]
    if c.get("analysis"):
        lines.append(f"    Analysis: {c['analysis']}")
    if c.get("actions"):
        lines.append(f"    Actions: {c['actions']}")
    if views.words(c.get("source")) == "third party" or c.get("provided_by"):
        lines.append(f"    Information provided by: {c.get('provided_by') or '-'}")
    if c.get("child_seen"):
        lines.append("    Child seen" + (" alone" if c.get("child_seen_alone") else " (not alone)")
                     + ("; bedroom seen" if c.get("bedroom_seen") else ""))
    else:
        lines.append("    Child not seen")
    if c.get("child_views"):
        lines.append(f"    In the child's words: {quoted(c['child_views'])}")
    if c.get("interpreter"):
        lines.append(f"    Interpreter: {field_words('interpreter', c['interpreter'])}")
    if c.get("late_reason"):
        lines.append(f"    Written up late: {c['late_reason']}")
    for a in n["amendments"]:
        lines.append(f"    Amended {local(a['at'])} by {a['by']}: {a['reason']}")
        lines += [f"      {change_text(ch)}" for ch in a["changes"]]
    for cr in n["corrections"]:
        lines.append(f"    Correction requested by {cr['requested_by']}: {cr['request']} [{views.words(cr['status'])}]")
        for d in cr["disagreements"]:
            lines.append(f"      Disagreement ({d['by_whom']}): {quoted(d['in_their_own_words'])}")
    return lines


def summary_lines(s: dict[str, Any]) -> list[str]:
    """Every field a case summary records (policy s.9), in reading order, indented."""
    return [f"  {label}: {value}" for label, value in views.summary_fields(s)]


def case_text(case: CaseRecord) -> str:
    child = case.child
    born = (f"born {day(child['date_of_birth'])}" if child["date_of_birth"]
            else f"expected {day(child['expected_date_of_birth'])} (pre-birth)")
    lines = [
        f"{child['name']} ({born})",
        f"Case {case.id}   status: {case.status}   events: {case.version}",
        f"Referred {day(case.referral['date'])} by {case.referral['source']}",
        f"Allocated to {who(case.worker)}",
    ]
    if case.closure and case.status == "closed":
        lines.append(f"Closed {day(case.closure['closed_on'])} by {who(case.closure['by'])}: "
                     f"{case.closure['reason']}")
    notes = case.visible_notes()
    lines.append("")
    lines.append(f"Case notes ({len(notes)})")
    for n in notes:
        state = "draft" if n["status"] == "draft" else f"finalised {local(n['finalised_at'])}"
        lines.append(f"- {local(n['occurred_at'])}  {n['kind'].value.replace('_', ' ')}  "
                     f"[{state}]  by {who(n['author'])}   id {n['id']}")
        lines += note_lines(views.note_view(case, n))
    lines.append("")
    lines.append(f"Decisions ({len(case.decisions)})")
    for d in case.decisions:
        lines.append(f"- {local(d['occurred_at'])}  {d['kind'].value} decision by {who(d['decided_by'])}")
        lines.append(f"    Decision: {d['decision']}")
        lines.append(f"    Reasons: {d['reasons']}")
        lines.append(f"    Risks considered: {d['risks_considered']}")
        for o in d["options_not_chosen"]:
            lines.append(f"    Not chosen: {o['option']} (because {o['why_not']})")
    deleted = [n for n in case.notes.values() if n["deleted"]]
    if deleted:
        lines.append("")
        lines.append(f"{len(deleted)} deleted case note(s) are kept in the ledger and not shown here.")
    return "\n".join(lines)
