"""The audit view (AUDIT-ONLY): the complete history of a case as recorded, deleted notes included.

For team managers, auditors and investigators; :func:`withhold_deleted` takes the text of deleted
notes out for a reader the access policy refuses it. A pure function of a
:class:`~ledger.records.case.CaseRecord` and, optionally, its events.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any

from ledger.records.case import CaseRecord
from ledger.records.dates import day_text
from projections.note_views import note_changes
from projections.wording import milestone_title, who, words

__all__ = ["audit_view", "withhold_deleted"]


def _rollback_notes(rollbacks: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Milestone id -> 'superseded by roll-back R, agreed by X, carried out by Y' (or 'restored by ...'),
    oldest first, for every milestone a roll-back touched."""
    out: dict[str, list[str]] = {}
    for rb in sorted(rollbacks.values(), key=lambda r: r["at"]):
        for effect, ids in (("superseded", rb["superseded"]), ("restored", rb["restored"])):
            for i in ids:
                out.setdefault(str(i), []).append(
                    f"{effect} by roll-back {rb['id']}, agreed by {who(rb['agreed_by'])}, carried out by "
                    f"{who(rb['carried_out_by'])} on {day_text(rb['at'])}")
    return out


def withhold_deleted(case: CaseRecord, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The audit view without the text of deleted notes, for a reader the access policy refuses
    part ``deleted_content``: every row of a deleted note keeps who did what and when, and says
    "deleted by X on D: reason" in place of its text (policy s.12: the deletion stays visible)."""
    deleted = {str(n["id"]): n["deleted"] for n in case.notes.values() if n["deleted"]}
    out = []
    for r in rows:
        dl = deleted.get(r["ref"]) if r["action"].startswith("note_") else None
        if dl is None:
            out.append(r)
            continue
        r = {k: v for k, v in r.items() if k not in ("content", "previous", "changes")}
        r["withheld"] = (f"text withheld (audit-only): deleted by {who(dl['by'])} on "
                         f"{day_text(dl['at'])}: {dl['reason']}")
        out.append(r)
    return out


def audit_view(case: CaseRecord, events: Iterable[Any] = ()) -> list[dict[str, Any]]:
    """AUDIT-ONLY: the complete history of the case as recorded, in recorded order.

    For team managers, auditors and investigators: the text of deleted notes only for those the
    access policy grants part ``deleted_content`` (else :func:`withhold_deleted`); it shows every
    note including deleted ones (who deleted it, when and why), every revision
    and amendment with the text it replaced, superseded milestones, every casework record and
    update. The case state keeps only the current allocation and the last closure; pass the
    case's ``events`` (``ledger.events.get(case_id, lte=case.version)``) to add every allocation,
    closure and re-opening.
    """
    rows: list[dict[str, Any]] = []

    def add(at: _dt.datetime, action: str, ref: Any, by: dict[str, Any] | None, text: str, **more: Any) -> None:
        rows.append({"at": at, "action": action, "ref": str(ref), "by": who(by), "text": text, **more})

    add(case.created_on, "case_opened", case.id, case.opened_by,
        f"Case opened for {case.child['name']}, referred {day_text(case.referral['date'])} "
        f"by {case.referral['source']}")
    for n in case.notes.values():
        nid, first = n["id"], (n["revisions"][0]["previous"] if n["revisions"] else None)
        original = n["amendments"][0]["previous"] if n["amendments"] else n["content"]
        add(n["recorded_at"], "note_recorded", nid, n["author"], f"Case note ({words(n['kind'])}) drafted",
            occurred_at=n["occurred_at"], content=first if first is not None else original)
        for i, rev in enumerate(n["revisions"]):
            nxt = n["revisions"][i + 1]["previous"] if i + 1 < len(n["revisions"]) else original
            add(rev["at"], "note_revised", nid, n["author"], "Draft revised", previous=rev["previous"], content=nxt,
                changes=note_changes(rev["previous"], nxt))
        if n["finalised_at"]:
            add(n["finalised_at"], "note_finalised", nid, n["author"], "Case note finalised")
        for i, am in enumerate(n["amendments"]):
            nxt = n["amendments"][i + 1]["previous"] if i + 1 < len(n["amendments"]) else n["content"]
            add(am["at"], "note_amended", nid, am["by"], f"Amended: {am['reason']}", previous=am["previous"],
                content=nxt, reason=am["reason"], changes=note_changes(am["previous"], nxt))
        if n["deleted"]:
            dl = n["deleted"]
            add(dl["at"], "note_deleted", nid, dl["by"], f"Deleted: {dl['reason']}", reason=dl["reason"],
                content=n["content"])
    for d in case.decisions:
        add(d["recorded_at"], "decision_recorded", d["id"], d["decided_by"],
            f"{words(d['kind']).capitalize()} decision: {d['decision']}", occurred_at=d["occurred_at"],
            detail={k: d[k] for k in ("reasons", "risks_considered", "options_not_chosen")})
    rollbacks = getattr(case, "rollbacks", None) or {}
    touched = _rollback_notes(rollbacks)
    for m in case.milestones:
        sup = m.get("superseded_by")
        notes = touched.get(str(m["id"]), [])
        add(m["recorded_at"], "milestone_recorded", m["id"], m["by"],
            milestone_title(m["kind"], m["details"]) + "".join(f" [{n}]" for n in notes),
            occurred_at=m["occurred_at"], kind=m["kind"], details=m["details"],
            superseded_by=str(sup) if sup is not None else None, rollbacks=notes)
    for rb in rollbacks.values():
        add(rb["at"], "rolled_back", rb["id"], rb["carried_out_by"],
            f"Roll-back {rb['id']} of the process ({words(rb['matter'])}) to version {rb['to_version']}: "
            f"{len(rb['superseded'])} milestone(s) superseded, {len(rb['restored'])} restored; casework untouched. "
            f"Reason: {rb['reason']}; raised by {who(rb['raised_by'])}, requested by {who(rb['requested_by'])}, "
            f"agreed by {who(rb['agreed_by'])}, carried out by {who(rb['carried_out_by'])}",
            to_version=rb["to_version"], superseded=[str(i) for i in rb["superseded"]],
            restored=[str(i) for i in rb["restored"]])
    for r in case.records.values():
        add(r["recorded_at"], f"{r['kind']}_recorded", r["id"], r["by"], f"{words(r['kind']).capitalize()} recorded",
            occurred_at=r["occurred_at"], details=r["details"], status=r["status"])
        for u in r["updates"]:
            add(u["recorded_at"], f"{r['kind']}_{u['action']}", r["id"], u["by"],
                f"{words(r['kind']).capitalize()}: {u['action']}", occurred_at=u["occurred_at"],
                details=u["details"], previous=u["previous"])
    seen_closure = False
    for e in events:
        name = type(e).__name__
        if name == "Allocated":
            add(e.timestamp, "allocated", case.id, e.actor, f"Allocated to {e.worker.get('full_name')} "
                f"({e.team}): {e.reason}")
        elif name == "Closed":
            seen_closure = True
            add(e.timestamp, "case_closed", case.id, e.actor, f"Closed on {day_text(e.closed_on)}: {e.reason}")
        elif name == "Reopened":
            add(e.timestamp, "case_reopened", case.id, e.actor, f"Re-opened: {e.reason}")
    if case.closure and not seen_closure:
        add(case.modified_on if case.status == "closed" else case.created_on, "case_closed", case.id,
            case.closure["by"], f"Closed on {day_text(case.closure['closed_on'])}: {case.closure['reason']}")
    order = {"case_opened": 0, "note_recorded": 1, "note_revised": 2, "note_finalised": 3}
    return sorted(rows, key=lambda r: (r["at"], order.get(r["action"], 5)))
