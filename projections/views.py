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

Never shown outside the audit view: deleted notes, superseded milestones (``superseded_by`` set).
A view built from ``case_as_of(...)`` (:mod:`projections.asof`) is the view as it stood then.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from ledger.records import casework
from ledger.records import milestones as ms
from ledger.records.case import LOCAL_ZONE, CaseRecord
from ledger.records.dates import day_text

__all__ = ["NOTE_FIELDS", "SUMMARY_FIELDS", "ChronologyEntry", "amendments_view", "audit_view", "case_view",
           "chronology", "hazard_rows", "milestone_title", "note_changes", "note_view", "summary_fields",
           "summary_view", "withhold_deleted"]

RECENT_NOTES = 10


def local_date(value: _dt.datetime | _dt.date) -> _dt.date:
    return value.astimezone(LOCAL_ZONE).date() if isinstance(value, _dt.datetime) else value


def words(value: Any) -> str:
    value = getattr(value, "value", value)
    return str(value).replace("_", " ") if value is not None else ""


def who(stamp: dict[str, Any] | None) -> str:
    """'Jane Smith, Social Worker' (name and designation, policy s.7)."""
    if not stamp:
        return ""
    return ", ".join(p for p in (stamp.get("full_name"), stamp.get("designation")) if p)


def _default_today(case: CaseRecord) -> _dt.date:
    """When the caller gives no date: the day of the case's latest event (keeps views pure)."""
    return local_date(case.modified_on)


# --- milestone titles ---------------------------------------------------------------------------

LEGAL_STATUS = {
    "s20": "section 20, accommodated with consent", "s38_interim_care_order": "interim care order (section 38)",
    "s31_care_order": "care order (section 31)", "police_protection": "police protection",
    "emergency_protection_order": "emergency protection order",
    "s21_placement_order": "placement order (section 21)", "remand": "remanded",
}
REFERRAL = {"no_further_action": "no further action", "early_help": "early help",
            "referral_accepted": "referral accepted for a social work assessment"}
S47 = {"substantiated_icpc": "concerns substantiated; an initial child protection conference to be held",
       "substantiated_no_icpc": "concerns substantiated; no conference needed",
       "not_substantiated": "concerns not substantiated"}


def _opt(prefix: str, value: Any) -> str:
    return f"{prefix}{words(value)}" if value not in (None, "", []) else ""


def _cp_category_after(case: CaseRecord, entry: dict[str, Any]) -> str:
    """The category of the CP plan started after ``entry`` (a conference that agreed a plan)."""
    live = [m for m in case.milestones if m.get("superseded_by") is None]
    later = live[live.index(entry) + 1:] if entry in live else []
    for m in later:
        if m["kind"] == "cp_plan_started":
            return f" (category: {words(m['details'].get('category'))})"
        if m["kind"] in ("icpc", "rcpc"):
            break
    return ""


def milestone_title(kind: str, d: dict[str, Any], case: CaseRecord | None = None,
                    entry: dict[str, Any] | None = None) -> str:
    """A milestone in plain English, e.g. 'Initial child protection conference: child protection plan
    agreed (category: neglect)' (the category comes from the plan started after the conference)."""
    g: Any = d.get
    if kind in ("icpc", "rcpc"):
        name = "Initial child protection conference" if kind == "icpc" else "Review child protection conference"
        if g("decision") == "cp_plan":
            more = _cp_category_after(case, entry) if case is not None and entry is not None else ""
            outcome = ("child protection plan agreed" if kind == "icpc" else "the plan continues") + more
        else:
            outcome = "no child protection plan" if kind == "icpc" else "the plan is to end"
        return f"{name}: {outcome}{_opt(', chaired by ', g('chair'))}"
    titles: dict[str, Any] = {
        "contact": lambda: f"Contact from {g('source')}{_opt(' by ', g('channel'))}{_opt(': ', g('concern'))}",
        "referral_decision": lambda: f"Referral decision: {REFERRAL.get(g('decision'), words(g('decision')))}",
        "nfa": lambda: f"No further action: {g('reason')}",
        "cf_assessment_started": lambda: "Child and family assessment started",
        "cf_assessment_completed": lambda: "Child and family assessment completed"
        + (f" (factors: {'; '.join(g('factors') or [])})" if g("factors") else "")
        + _opt("; recommendation: ", g("recommendation")),
        "cf_assessment_authorised": lambda: "Child and family assessment authorised by a manager",
        "strategy_discussion": lambda: "Strategy discussion: " + (
            "a section 47 enquiry to start" if g("decision") == "s47" else "no section 47 enquiry"),
        "s47_started": lambda: "Section 47 enquiry started",
        "s47_outcome": lambda: f"Section 47 enquiry outcome: {S47.get(g('outcome'), words(g('outcome')))}",
        "icpc_not_required": lambda: f"Initial child protection conference not required: {g('reason')}",
        "cp_plan_started": lambda: f"Child protection plan started (category: {words(g('category'))})",
        "cp_plan_category_changed": lambda: f"Child protection plan category changed to {words(g('category'))}"
        + _opt(": ", g("reason")),
        "cp_plan_ended": lambda: f"Child protection plan ended: {g('reason')}"
        + _opt("; step down to ", g("step_down")),
        "core_group_meeting": lambda: "Core group meeting",
        "cin_plan_started": lambda: "Child in need plan started",
        "cin_plan_reviewed": lambda: "Child in need plan reviewed",
        "cin_plan_ended": lambda: f"Child in need plan ended: {g('reason')}",
        "early_help_assessment": lambda: "Early help assessment (the family " + (
            "consented)" if g("consent") else "did not consent)"),
        "taf_meeting": lambda: "Team around the family meeting",
        "became_looked_after": lambda: "Became looked after (legal status: "
        f"{LEGAL_STATUS.get(g('legal_status'), words(g('legal_status')))})",
        "ceased_looked_after": lambda: f"Ceased to be looked after: {g('reason')}",
        "placement_started": lambda: f"Placement started: {words(g('placement_type'))} with {g('carer')}",
        "placement_ended": lambda: f"Placement ended: {g('reason')}",
        "lac_review": lambda: "Looked-after review" + _opt(", chaired by ", g("chair")),
        "care_plan": lambda: "Care plan" + _opt(" (permanence plan: ", g("permanence_plan"))
        + (")" if g("permanence_plan") else ""),
        "placement_plan": lambda: "Placement plan",
        "pathway_plan": lambda: "Pathway plan",
        "legal_planning_meeting": lambda: "Legal planning meeting: threshold "
        + ("met" if g("threshold_met") else "not met") + f"; decision: {words(g('decision'))}",
        "pre_proceedings_letter": lambda: "Letter before proceedings sent (Public Law Outline)",
        "pre_proceedings_meeting": lambda: "Pre-proceedings meeting",
        "care_proceedings_issued": lambda: f"Care proceedings issued at {g('court')} "
        f"(application: {words(g('application'))})",
        "court_hearing": lambda: f"Court hearing ({words(g('hearing'))}): {g('outcome')}",
        "final_order": lambda: f"Final order: {words(g('order'))}",
        "private_fostering_notification": lambda: f"Private fostering arrangement notified (carer: {g('carer')})",
        "case_transfer": lambda: f"Case transferred to the {g('to_team')} team" + _opt(": ", g("reason")),
    }
    make = titles.get(kind)
    return make() if make else words(kind).capitalize()


# --- chronology (s.8) -------------------------------------------------------------------------------


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


# --- the case view ------------------------------------------------------------------------------------


def age(born: _dt.date, today: _dt.date) -> str:
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    if months < 0:
        return "not yet born"
    if months < 24:
        return f"{months} month{'s' if months != 1 else ''}"
    return f"{months // 12} years"


def process_in_words(case: CaseRecord) -> list[str]:
    """The current process state, one plain sentence per part (from the folded milestones)."""
    s = {**ms.initial_state(), **(case.process or {})}

    def day(v: Any) -> str:
        return day_text(v) if v else "?"

    lines: list[str] = []
    c = s["contact"]
    if c and not c.get("decision"):
        lines.append(f"Contact from {c.get('source')} on {day(c['at'])}: awaiting a referral decision")
    a = s["assessment"]
    if a:
        state = {"started": f"in progress since {day(a['started_at'])}",
                 "completed": f"completed {day(a['completed_at'])}, awaiting authorisation",
                 "authorised": f"authorised {day(a['authorised_at'])}"}.get(a["status"], a["status"])
        lines.append(f"Child and family assessment: {state}")
    s47 = s["s47"]
    if s47:
        if s47["status"] == "open":
            state = f"open since {day(s47['started_at'])}"
        else:  # concluded on the date of its outcome, whether or not the conference has been held
            outcome = s47.get("outcome")
            said = ("concerns substantiated, an initial child protection conference" if outcome == "substantiated_icpc"
                    else S47.get(outcome, words(outcome)))
            state = f"concluded {day(s47.get('concluded_at'))}" + (f" ({said})" if outcome else "")
            if s47["status"] == "awaiting_icpc":
                state += "; awaiting the initial child protection conference"
        lines.append(f"Section 47 enquiry: {state}")
    cp = s["cp_plan"]
    if cp:
        if cp["active"]:
            lines.append(f"Child protection plan since {day(cp['started_at'])} "
                         f"(category: {words(cp['category_latest'])})")
        else:
            lines.append(f"Child protection plan ended {day(cp['ended_at'])}: {cp.get('end_reason')}")
    cin = s["cin_plan"]
    if cin:
        lines.append(f"Child in need plan since {day(cin['started_at'])}" if cin["active"]
                     else f"Child in need plan ended {day(cin['ended_at'])}")
    la = s["looked_after"]
    if la:
        if la["status"] == "looked_after":
            lines.append(f"Looked after since {day(la['since'])} (legal status: "
                         f"{LEGAL_STATUS.get(la['legal_status'], words(la['legal_status']))})")
        else:
            lines.append(f"Ceased to be looked after {day(la['ceased_at'])}: {la.get('ceased_reason')}")
    p = (s["placement"] or {}).get("current")
    if p:
        lines.append(f"Current placement: {words(p['placement_type'])} with {p['carer']} since {day(p['started_at'])}")
    proc = (s["legal"] or {}).get("proceedings")
    if proc:
        order = words((proc.get("final_order") or {}).get("order"))
        lines.append(f"Care proceedings issued {day(proc['issued_at'])} at {proc.get('court')}"
                     if proc["status"] == "open" else f"Care proceedings concluded: {order}")
    eh = s["early_help"]
    if eh and not (cp and cp["active"]) and not (la and la["status"] == "looked_after"):
        lines.append("Early help" + (f": {eh['taf_meetings']} team around the family meeting(s)"
                                     if eh.get("taf_meetings") else ""))
    if not lines:
        lines.append("No process milestone recorded yet")
    return lines


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


# --- the audit view ------------------------------------------------------------------------------------


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
