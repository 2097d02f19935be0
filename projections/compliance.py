"""Recording-timescale compliance (policy s.3, s.7, s.9, s.10, s.18), as of any moment.

Every recordable item gets a due time when its clock starts (:mod:`ledger.records.timescales`);
as of a moment T an item is:

* ``on_time``: done (finalised / recorded) by its due time, and by T;
* ``late``: done by T, but after its due time (by how much, and the reason given if any);
* ``overdue``: not done by T, and its due time has passed;
* ``due``: not done by T, due time still ahead.

Only what the ledger held at T counts: items recorded after T are left out, a note deleted
after T still counts, a note finalised after T is not yet done. Compliance is
``on_time / (on_time + late + overdue)``.

The items and the rule each follows:

========================================  ========================================
item                                      rule (clock start -> done)
========================================  ========================================
case note: visit, S47/CP case             visit_record_s47_cp (event -> finalised)
case note: visit, other cases             visit_record_cin_lac_leaver
case note: telephone call, contact, email case_note_contact
case note: supervision                    supervision_note
case note: meeting, other                 recording_finalised
first management decision on a case       management_decision_referral (decision -> recorded)
other management / supervision decision   management_decision_other
milestone (see MILESTONE_RULES)           its rule (the milestone's date -> recorded)
C&F assessment                            cf_assessment_completion / _authorisation (referral ->
                                          completed / authorised)
care plan                                 care_plan_after_looked_after
case summary, chronology                  case_summary_update / chronology_update (last one, or
                                          the referral -> the next one)
hazard                                    its review date -> reviewed or ended
========================================  ========================================
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ledger.records.case import CaseRecord
from ledger.records.timescales import due_by, start_of_day

__all__ = ["ComplianceItem", "ComplianceReport", "compliance_items", "summarise"]

NOTE_RULES = {
    "telephone_call": "case_note_contact",
    "contact": "case_note_contact",
    "email": "case_note_contact",
    "supervision": "supervision_note",
    "meeting": "recording_finalised",
    "other": "recording_finalised",
}
#: Milestones recorded late against their own timescale: kind -> rule.
MILESTONE_RULES = {
    "contact": "contact_referral_recording",
    "referral_decision": "contact_referral_recording",
    "strategy_discussion": "strategy_discussion_record",
    "s47_started": "cp_recording",
    "s47_outcome": "cp_recording",
    "icpc": "cp_recording",
    "rcpc": "cp_review_decisions",
    "core_group_meeting": "core_group_minutes",
    "cin_plan_started": "cin_plan_after_meeting",
    "cin_plan_reviewed": "cin_plan_after_meeting",
    "early_help_assessment": "recording_finalised",
    "taf_meeting": "recording_finalised",
    "placement_plan": "placement_plan",
    "lac_review": "lac_review_minutes",
    "legal_planning_meeting": "legal_planning_record",
    "pre_proceedings_letter": "pre_proceedings_letter_upload",
    "pre_proceedings_meeting": "pre_proceedings_meeting_record",
    "private_fostering_notification": "private_fostering_notification_record",
}
STATUSES = ("on_time", "late", "overdue", "due")


@dataclass(frozen=True)
class ComplianceItem:
    case_id: str
    child: str
    what: str
    rule: str
    started_at: _dt.datetime
    due: _dt.datetime
    done_at: _dt.datetime | None
    status: str
    worker: str  # staff id the item is attributed to
    team: str
    late_reason: str = ""

    @property
    def late_by(self) -> _dt.timedelta | None:
        if self.status == "late" and self.done_at is not None:
            return self.done_at - self.due
        return None

    def as_dict(self) -> dict[str, Any]:
        late = self.late_by
        return {"case": self.case_id, "child": self.child, "what": self.what, "rule": self.rule,
                "started_at": self.started_at.isoformat(), "due": self.due.isoformat(),
                "done_at": self.done_at.isoformat() if self.done_at else None, "status": self.status,
                "late_by_hours": round(late.total_seconds() / 3600) if late else None,
                "worker": self.worker, "team": self.team, "late_reason": self.late_reason}


def _status(due: _dt.datetime, done: _dt.datetime | None, as_of: _dt.datetime) -> tuple[str, _dt.datetime | None]:
    if done is not None and done <= as_of:
        return ("on_time" if done <= due else "late"), done
    return ("overdue" if due < as_of else "due"), None


def compliance_items(case: CaseRecord, as_of: _dt.datetime) -> list[ComplianceItem]:
    """Every recordable item of one case, judged as of ``as_of``."""
    items: list[ComplianceItem] = []
    child = case.child["name"]
    cid = str(case.id)

    def add(what: str, rule: str, start: _dt.datetime, done: _dt.datetime | None, by: dict[str, Any],
            late_reason: str = "") -> None:
        due = due_by(rule, start)
        status, done_at = _status(due, done, as_of)
        items.append(ComplianceItem(cid, child, what, rule, start, due, done_at, status,
                                    by.get("staff_id", ""), by.get("team", ""), late_reason))

    process = case.process or {}
    cp_case = bool(process.get("s47") or process.get("cp_plan"))
    for note in case.notes.values():
        if note["recorded_at"] > as_of or (note["deleted"] and note["deleted"]["at"] <= as_of):
            continue
        kind = note["kind"].value
        rule = NOTE_RULES.get(kind) or ("visit_record_s47_cp" if cp_case else "visit_record_cin_lac_leaver")
        add(f"{kind.replace('_', ' ')} note", rule, note["occurred_at"], note["finalised_at"], note["author"],
            note["content"].get("late_reason", ""))
    for i, decision in enumerate(case.decisions):
        if decision["recorded_at"] > as_of:
            continue
        rule = "management_decision_referral" if i == 0 else "management_decision_other"
        add(f"{decision['kind'].value} decision", rule, decision["occurred_at"], decision["recorded_at"],
            decision["decided_by"])
    for m in case.milestones:
        if m["recorded_at"] > as_of or m.get("superseded_by"):
            continue
        rule = MILESTONE_RULES.get(m["kind"])
        if rule:
            add(m["kind"].replace("_", " "), rule, m["occurred_at"], m["recorded_at"], m["by"],
                str(m["details"].get("late_reason", "")))
    items += _outcome_items(case, as_of)
    items += _periodic_items(case, as_of)
    return items


def _milestone_times(case: CaseRecord, kind: str, as_of: _dt.datetime) -> list[_dt.datetime]:
    return [m["occurred_at"] for m in case.milestones
            if m["kind"] == kind and m["recorded_at"] <= as_of and not m.get("superseded_by")]


def _outcome_items(case: CaseRecord, as_of: _dt.datetime) -> list[ComplianceItem]:
    """Deadlines for outcomes: the assessment after a referral, the care plan after becoming looked after."""
    out: list[ComplianceItem] = []
    worker = case.worker
    for start_kind, done_kind, rule, what in (
        ("cf_assessment_started", "cf_assessment_completed", "cf_assessment_completion", "C&F assessment completed"),
        ("cf_assessment_started", "cf_assessment_authorised", "cf_assessment_authorisation",
         "C&F assessment authorised"),
        ("became_looked_after", "care_plan", "care_plan_after_looked_after", "care plan"),
    ):
        starts = _milestone_times(case, start_kind, as_of)
        if not starts:
            continue
        start = starts[-1]
        if rule.startswith("cf_assessment"):  # the clock starts at the referral (policy s.18)
            start = _referral_before(case, start, as_of)
        dones = [t for t in _milestone_times(case, done_kind, as_of) if t >= start]
        due = due_by(rule, start)
        status, done_at = _status(due, dones[0] if dones else None, as_of)
        out.append(ComplianceItem(str(case.id), case.child["name"], what, rule, start, due, done_at, status,
                                  worker.get("staff_id", ""), worker.get("team", "")))
    return out


def _referral_before(case: CaseRecord, start: _dt.datetime, as_of: _dt.datetime) -> _dt.datetime:
    """The referral an assessment answers: the latest accepted referral at or before it starts,
    else the referral that opened the case (a re-referral restarts the clock)."""
    accepted = [m["occurred_at"] for m in case.milestones
                if m["kind"] == "referral_decision" and m["details"].get("decision") == "referral_accepted"
                and m["occurred_at"] <= start and m["recorded_at"] <= as_of and not m.get("superseded_by")]
    return max(accepted) if accepted else min(start, _referral_start(case))


def _referral_start(case: CaseRecord) -> _dt.datetime:
    return start_of_day(case.referral["date"])


def _periodic_items(case: CaseRecord, as_of: _dt.datetime) -> list[ComplianceItem]:
    """Case summary and chronology every three months; hazard reviews by their review date."""
    out: list[ComplianceItem] = []
    worker = case.worker
    opened = _referral_start(case)
    for kind, rule, what in (("case_summary", "case_summary_update", "case summary"),
                             ("chronology_entry", "chronology_update", "chronology update")):
        times = sorted(r["recorded_at"] for r in case.records.values()
                       if r["kind"] == kind and r["recorded_at"] <= as_of)
        start = opened
        for t in times:
            due = due_by(rule, start)
            out.append(ComplianceItem(str(case.id), case.child["name"], what, rule, start, due, t,
                                      "on_time" if t <= due else "late", worker.get("staff_id", ""),
                                      worker.get("team", "")))
            start = t
        if case.status == "open" or not times:
            due = due_by(rule, start)
            status, _ = _status(due, None, as_of)
            out.append(ComplianceItem(str(case.id), case.child["name"], what, rule, start, due, None, status,
                                      worker.get("staff_id", ""), worker.get("team", "")))
    for record in case.records.values():
        if record["kind"] not in ("hazard", "risk_to_children", "mappa_alert") or record["recorded_at"] > as_of:
            continue
        out += _review_items(case, record, as_of)
    return out


def _review_items(case: CaseRecord, record: dict[str, Any], as_of: _dt.datetime) -> list[ComplianceItem]:
    """One item per review cycle of an alert: each review date is met by the next review or end.

    A review sets the next review date; the date it replaced is kept in the update's ``previous``.
    """
    updates = [u for u in record.get("updates", []) if u["recorded_at"] <= as_of]
    reviews = [u for u in record.get("updates", []) if u.get("action") == "review"]
    first = reviews[0]["previous"].get("review_date") if reviews else record["details"].get("review_date")
    if not isinstance(first, _dt.date):
        return []
    by = record.get("by") or case.worker
    what = record["kind"].replace("_", " ") + " review"
    out: list[ComplianceItem] = []

    def item(review: _dt.date, done: _dt.datetime | None) -> ComplianceItem:
        due = start_of_day(review + _dt.timedelta(days=1)) - _dt.timedelta(microseconds=1)
        status, done_at = _status(due, done, as_of)
        return ComplianceItem(str(case.id), case.child["name"], what, "hazard_review", record["recorded_at"],
                              due, done_at, status, by.get("staff_id", ""), by.get("team", ""))

    current = first
    for u in updates:
        if u.get("action") == "review":
            out.append(item(current, u["recorded_at"]))
            current = u["details"].get("next_review_date", current)
        elif u.get("action") == "end":
            out.append(item(current, u["recorded_at"]))
            return out
    out.append(item(current, None))
    return out


@dataclass
class ComplianceReport:
    """Counts and percentages for a set of items (a case, a worker, a team, the authority)."""

    scope: str
    as_of: _dt.datetime
    counts: dict[str, int] = field(default_factory=dict)
    items: list[ComplianceItem] = field(default_factory=list)

    @property
    def judged(self) -> int:
        return self.counts.get("on_time", 0) + self.counts.get("late", 0) + self.counts.get("overdue", 0)

    @property
    def percent_on_time(self) -> float | None:
        return round(100 * self.counts.get("on_time", 0) / self.judged, 1) if self.judged else None

    def as_dict(self, *, with_items: bool = True) -> dict[str, Any]:
        return {"scope": self.scope, "as_of": self.as_of.isoformat(), "counts": self.counts,
                "percent_on_time": self.percent_on_time,
                "percent": {s: (round(100 * self.counts.get(s, 0) / self.judged, 1) if self.judged else None)
                            for s in ("on_time", "late", "overdue")},
                **({"items": [i.as_dict() for i in self.items]} if with_items else {})}


def summarise(scope: str, as_of: _dt.datetime, items: Iterable[ComplianceItem]) -> ComplianceReport:
    report = ComplianceReport(scope, as_of, {s: 0 for s in STATUSES})
    for item in items:
        report.counts[item.status] += 1
        report.items.append(item)
    report.items.sort(key=lambda i: (STATUSES.index(i.status), i.due))
    return report


def compliance_report(ledger: Any, *, as_of: _dt.datetime, case: str | None = None, worker: str | None = None,
                      team: str | None = None, records: Iterable[Any] | None = None) -> ComplianceReport:
    """Compliance for one case, one worker, one team, or (none given) the whole authority.

    ``records``: the case records to report on (those the reader may open), instead of every case.
    """
    if case is not None:
        record = ledger.case(case)
        return summarise(f"the case of {record.child['name']}", as_of, compliance_items(record, as_of))
    items: list[ComplianceItem] = []
    for record in (records if records is not None else (ledger.case(i) for i in ledger.case_ids())):
        items += compliance_items(record, as_of)
    if worker is not None:
        member = ledger.staff_member(worker)
        return summarise(f"{member.full_name} ({member.staff_id})", as_of, (i for i in items if i.worker == worker))
    if team is not None:
        return summarise(f"the {team} team", as_of, (i for i in items if i.team == team))
    return summarise("the whole authority", as_of, items)
