"""How the records read in plain English: codes as words, who (name and designation), dates in
England, each process milestone as a line, and the process state as sentences.

Pure functions of a :class:`~ledger.records.case.CaseRecord` and its values (no storage, no
clock), shared by every read view (:mod:`projections.views`, :mod:`projections.chronology`,
:mod:`projections.audit_view`, :mod:`projections.note_views`).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ledger.records import milestones as ms
from ledger.records.case import LOCAL_ZONE, CaseRecord
from ledger.records.dates import day_text

__all__ = ["LEGAL_STATUS", "REFERRAL", "S47", "local_date", "milestone_title", "process_in_words", "who", "words"]


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


# --- the process in words ----------------------------------------------------------------------------


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
