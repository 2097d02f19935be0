"""Formatting for the command line: JSON-ready values and plain-English text.

No business rules here: it only turns what the ledger returns into something to read.
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
import uuid
from decimal import Decimal
from typing import Any

from ledger.application import LONDON
from ledger.case import CaseRecord
from ledger.staff import StaffMember


def jsonable(value: Any) -> Any:
    """Plain JSON values: UUIDs and dates as strings, enums as their value, bytes as hex."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def dumps(value: Any) -> str:
    return json.dumps(jsonable(value), indent=2, ensure_ascii=False)


def local(value: _dt.datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(LONDON).strftime("%d %b %Y %H:%M")


def day(value: _dt.date | None) -> str:
    return value.strftime("%d %b %Y") if value else "-"


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
        "team": m.team, "roles": [r.value for r in m.roles], "active": m.active,
    }


def note_dict(note: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": note["id"], "kind": note["kind"], "occurred_at": note["occurred_at"],
        "recorded_at": note["recorded_at"], "status": note["status"],
        "finalised_at": note["finalised_at"], "author": note["author"], **note["content"],
        "amendments": [
            {"at": a["at"], "by": a["by"], "reason": a["reason"], "previous": a["previous"]}
            for a in note["amendments"]
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
        c = n["content"]
        state = "draft" if n["status"] == "draft" else f"finalised {local(n['finalised_at'])}"
        lines.append(f"- {local(n['occurred_at'])}  {n['kind'].value.replace('_', ' ')}  "
                     f"[{state}]  by {who(n['author'])}   id {n['id']}")
        lines.append(f"    Facts: {c['facts']}")
        if c["analysis"]:
            lines.append(f"    Analysis: {c['analysis']}")
        if c["actions"]:
            lines.append(f"    Actions: {c['actions']}")
        if c["source"].value == "third_party":
            lines.append(f"    Information provided by: {c['provided_by']}")
        if c["child_seen"]:
            lines.append("    Child seen" + (" alone" if c["child_seen_alone"] else "")
                         + ("; bedroom seen" if c.get("bedroom_seen") else ""))
        if c["child_views"]:
            lines.append(f"    In the child's words: \"{c['child_views']}\"")
        if c["interpreter"]:
            kind = c["interpreter"]["kind"].value.replace("_", " ")
            lines.append(f"    Interpreter: {c['interpreter']['name']} ({kind})")
        for a in n["amendments"]:
            lines.append(f"    Amended {local(a['at'])} by {who(a['by'])}: {a['reason']}")
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
