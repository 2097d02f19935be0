"""The chronology (policy s.8): the dated list of significant events in the child's life.

In the order of the events (not of the writing), from birth or before: process milestones in
plain English together with the worker's chronology entries (positive changes marked), every
closure and re-opening and every roll-back that corrected the process. ``court=True`` gives the
fuller court version: every dated record, still without deleted notes. A pure function of a
:class:`~ledger.records.case.CaseRecord` (no storage, no clock); superseded milestones are never shown.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass
from typing import Any

from ledger.records import casework
from ledger.records import milestones as ms
from ledger.records.case import CaseRecord
from projections.wording import local_date, milestone_title, who, words

__all__ = ["ChronologyEntry", "chronology"]


@dataclass(frozen=True)
class ChronologyEntry:
    """One dated line of a chronology, linked to the record it comes from."""

    date: _dt.date
    title: str
    category: str
    source: str  # birth, referral, milestone, chronology_entry, case_note, decision, record kind, closure
    source_id: str | None  # the note, record or milestone id (None for the child's birth)
    positive: bool = False
    detail: str = ""
    by: str = ""
    time: _dt.datetime | None = None  # when on the day, where the record has a time (orders the day)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _entry_key(e: ChronologyEntry) -> tuple[Any, ...]:
    # by the date of the event; within a day, date-only entries first, then by time
    return (e.date, e.time is not None, e.time or _dt.datetime.min.replace(tzinfo=_dt.UTC))


def _record_entry(r: dict[str, Any]) -> ChronologyEntry | None:
    """A casework record as a court chronology line (every dated record)."""
    d, kind = r["details"], r["kind"]
    base = {"source": kind, "source_id": str(r["id"]), "by": who(r["by"])}
    if kind in casework.ALERT_KINDS:
        what = {"hazard": f"Hazard recorded ({words(d.get('type'))})", "risk_to_children": "Risk to children alert",
                "mappa_alert": f"MAPPA alert ({d.get('person')})"}[kind]
        ended = " (since ended)" if r["status"] == "ended" else ""
        return ChronologyEntry(d["started_on"], f"{what}: {d['description']}{ended}", "safeguarding", **base)
    if kind == "document":
        day = d.get("date_received") or local_date(r["occurred_at"])
        return ChronologyEntry(day, f"Document received: {d['name']} ({words(d['doc_type'])})", "document",
                               detail=d.get("description", ""), **base)
    if kind == "case_summary":
        return ChronologyEntry(local_date(r["occurred_at"]), "Case summary written", "summary",
                               detail=d["life_for_the_child"], time=r["occurred_at"], **base)
    if kind == "information_sharing":
        verb = "shared with" if d["shared"] else "not shared with"
        if d["direction"] == "request_to":
            verb = "sought from" if d["shared"] else "not sought from"
        return ChronologyEntry(local_date(r["occurred_at"]), f"Information {verb} {d['organisation']}: "
                               f"{d['information']}", "information sharing", detail=d["reasoning"],
                               time=r["occurred_at"], **base)
    if kind == "consent":
        return ChronologyEntry(local_date(r["occurred_at"]), f"Consent {d['status']} by {d['by_whom']}: {d['scope']}",
                               "consent", time=r["occurred_at"], **base)
    if kind == "correction_request":
        return ChronologyEntry(local_date(r["occurred_at"]), f"Correction requested by {d['requested_by']}: "
                               f"{d['request']}", "correction", time=r["occurred_at"], **base)
    if kind == "case_audit":
        return ChronologyEntry(d["audit_date"], f"Case audit ({words(d['audit_type'])}): {d['findings']}",
                               "audit", **base)
    return None


def _closure_entries(case: CaseRecord) -> list[ChronologyEntry]:
    """Every closure and re-opening of the case, in order. A closure recorded on the day it is dated
    keeps its time (a close, re-open and close on one day read in that order)."""
    history = getattr(case, "closure_history", None)
    if history is None:  # a state from before the history was kept: its last closure only
        last = case.closure
        history = [] if not last else [{"action": "closed", "on": last["closed_on"], "reason": last["reason"],
                                         "by": last["by"], "at": None}]
    out = []
    for h in history:
        at = h["at"] if h["at"] is not None and local_date(h["at"]) == h["on"] else None
        if h["action"] == "closed":
            out.append(ChronologyEntry(h["on"], f"Case closed: {h['reason']}", "closure", "closure", str(case.id),
                                       by=who(h["by"]), time=at))
        else:
            out.append(ChronologyEntry(h["on"], f"Case re-opened: {h['reason']}", "closure", "reopening",
                                       str(case.id), by=who(h["by"]), time=at))
    return out


def _rollback_entries(case: CaseRecord) -> list[ChronologyEntry]:
    """Every roll-back carried out on the case: what it corrected and superseded, who agreed it and
    who carried it out (the milestones it superseded are no longer in the chronology)."""
    rollbacks = getattr(case, "rollbacks", None) or {}
    by_id = {str(m["id"]): m for m in case.milestones}

    def titles(ids: list[Any]) -> str:
        found = [by_id[str(i)] for i in ids if str(i) in by_id]
        return "; ".join(milestone_title(m["kind"], m["details"]) for m in found)

    out = []
    for rb in rollbacks.values():
        matter = ms.REGISTRY[rb["matter"]].title if rb["matter"] in ms.REGISTRY else words(rb["matter"])
        effect = f"superseded {titles(rb['superseded'])}" if rb["superseded"] else "nothing superseded"
        if rb["restored"]:
            effect += f"; restored {titles(rb['restored'])}"
        out.append(ChronologyEntry(
            local_date(rb["at"]), f"Process corrected by roll-back {rb['id']} ({matter}): {effect}; agreed by "
            f"{who(rb['agreed_by'])}, carried out by {who(rb['carried_out_by'])}", "process correction",
            "rollback", str(rb["id"]), detail=f"Reason: {rb['reason']}", by=who(rb["carried_out_by"]),
            time=rb["at"]))
    return out


def chronology(case: CaseRecord, *, court: bool = False) -> list[ChronologyEntry]:
    """The chronology (policy s.8), ordered by the date of the event.

    From birth (the date of birth is the first entry when known) or before (a worker's entry may
    be dated before birth); the referral, process milestones in plain English (superseded ones
    left out), the worker's chronology entries (what happened, category, positive changes marked)
    every closure and re-opening, and every roll-back that corrected the process (who agreed it and
    who carried it out). ``court=True`` adds every dated record: each finalised case note (date, kind
    and facts), decisions, documents received, hazards and alerts and the other casework records.
    Deleted notes never appear.
    """
    out: list[ChronologyEntry] = []
    child = case.child
    if child.get("date_of_birth"):
        out.append(ChronologyEntry(child["date_of_birth"], f"{child['name']} born", "birth", "birth", None))
    out.append(ChronologyEntry(case.referral["date"], f"Referred to children's social care "
                               f"(referral from: {case.referral['source']})", "referral", "referral", str(case.id)))
    for m in case.milestones:
        if m.get("superseded_by") is not None:
            continue
        stage = ms.REGISTRY[m["kind"]].stage if m["kind"] in ms.REGISTRY else "process"
        out.append(ChronologyEntry(local_date(m["occurred_at"]), milestone_title(m["kind"], m["details"], case, m),
                                   stage, "milestone", str(m["id"]), detail=m["details"].get("notes") or "",
                                   by=who(m["by"]), time=m["occurred_at"]))
    for r in casework.chronology(case):
        d = r["details"]
        out.append(ChronologyEntry(d["event_date"], d["what_happened"], d["category"], "chronology_entry",
                                   str(r["id"]), positive=bool(d.get("positive")), by=who(r["by"])))
    out.extend(_closure_entries(case))
    out.extend(_rollback_entries(case))
    if court:
        for n in case.visible_notes():
            if n["status"] != "final":
                continue
            out.append(ChronologyEntry(local_date(n["occurred_at"]), f"Case note ({words(n['kind'])}): "
                                       f"{n['content']['facts']}", "case note", "case_note", str(n["id"]),
                                       detail=n["content"].get("analysis", ""), by=who(n["author"]),
                                       time=n["occurred_at"]))
        for dec in case.decisions:
            out.append(ChronologyEntry(local_date(dec["occurred_at"]), f"{words(dec['kind']).capitalize()} decision: "
                                       f"{dec['decision']}", "decision", "decision", str(dec["id"]),
                                       detail=dec["reasons"], by=who(dec["decided_by"]), time=dec["occurred_at"]))
        for r in case.records.values():
            entry = _record_entry(r)
            if entry is not None:
                out.append(entry)
    return sorted(out, key=_entry_key)
