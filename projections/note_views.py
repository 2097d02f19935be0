"""A case note as read: its content in reading order, its amendments with exactly what each changed,
and the service user's correction requests and disagreements beside it (policy s.3, s.7)."""

from __future__ import annotations

from typing import Any

from ledger.records import casework
from ledger.records.case import CaseRecord
from projections.wording import who, words

__all__ = ["NOTE_FIELDS", "amendments_view", "correction_view", "note_changes", "note_view"]


#: The written fields of a case note in reading order, in words (policy s.7, Appendix 1).
NOTE_FIELDS = {"facts": "Facts", "analysis": "Analysis", "actions": "Actions", "source": "Source",
               "provided_by": "Information provided by", "child_seen": "Child seen",
               "child_seen_alone": "Child seen alone", "bedroom_seen": "Bedroom seen",
               "child_views": "The child's views", "interpreter": "Interpreter",
               "late_reason": "Reason for writing up late"}


_YES_NO = ("child_seen", "child_seen_alone", "bedroom_seen")  # absent is "no"


def _blank(value: Any) -> bool:
    return value is None or value is False or value == ""


def note_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields of a note's content that differ between two versions, in reading order, each
    ``{"field", "was", "now"}``. A field absent on one side and blank (or false) on the other has
    not changed (``bedroom_seen`` and ``late_reason`` are kept only when set); a yes/no field reads
    False when absent."""
    def value(content: dict[str, Any], k: str) -> Any:
        return bool(content.get(k)) if k in _YES_NO else content.get(k)

    order = list(NOTE_FIELDS) + sorted((set(before) | set(after)) - set(NOTE_FIELDS))
    return [{"field": k, "was": value(before, k), "now": value(after, k)} for k in order
            if before.get(k) != after.get(k) and not (_blank(before.get(k)) and _blank(after.get(k)))]


def amendments_view(n: dict[str, Any]) -> list[dict[str, Any]]:
    """A note's amendments, oldest first: when, by whom, why, the content it replaced
    (``previous``) and exactly the fields it changed (``changes``: field, was, now)."""
    out = []
    for i, a in enumerate(n["amendments"]):
        after = n["amendments"][i + 1]["previous"] if i + 1 < len(n["amendments"]) else n["content"]
        out.append({"at": a["at"], "by": who(a["by"]), "reason": a["reason"], "previous": a["previous"],
                    "changes": note_changes(a["previous"], after)})
    return out


def note_view(case: CaseRecord, n: dict[str, Any]) -> dict[str, Any]:
    """A note as read: its current content, amendments (with the text they replaced and the
    fields they changed), and the service user's correction requests and disagreements beside it."""
    return {
        "id": str(n["id"]), "kind": words(n["kind"]), "occurred_at": n["occurred_at"],
        "recorded_at": n["recorded_at"], "status": n["status"], "finalised_at": n.get("finalised_at"),
        "author": who(n["author"]), "content": n["content"],
        "amendments": amendments_view(n),
        "corrections": [correction_view(r) for r in casework.records_about(case, n["id"])],
    }


def correction_view(r: dict[str, Any]) -> dict[str, Any]:
    d = r["details"]
    return {"id": str(r["id"]), "requested_by": d["requested_by"], "request": d["request"], "status": r["status"],
            "outcome": r.get("outcome"), "disagreements": [
                {"in_their_own_words": x["in_their_own_words"], "by_whom": x["by_whom"],
                 "how_obtained": x.get("how_obtained", ""), "at": x["at"]} for x in r.get("disagreements", [])]}
