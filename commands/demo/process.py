"""Process milestones in the plan: the statutory steps of a child's case (:mod:`ledger.records.milestones`).

The phases (:mod:`commands.demo.phases`) call :meth:`_ProcessPlan.milestone` at each step, and
meetings record their own milestones (:meth:`_ProcessPlan.on_meeting`: a core group, a CIN
review, a TAF meeting, a LAC review...). The plan keeps a small copy of the process state
(``self.ps``) so that it only plans what the ledger's sequence rules allow. A milestone's date is
the event's; it is recorded soon after (mostly the same or the next working day, a few late).
Before scheduling, :func:`chain_milestones` orders a child's milestones by their dates and makes
each one wait for the one before, so that they reach the ledger in the order of the story.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from commands.demo.days import _at, _short_date, add_working_days
from commands.demo.notes import _Action, _NotePlan
from commands.demo.people import _CP_CATEGORY, _FOSTER, _TITLED, _Person

#: The ledger's CP categories for the demo's (_CP_CATEGORY) wording.
CP_CATEGORY = {"neglect": "neglect", "emotional abuse": "emotional", "physical abuse": "physical"}
_CONTACT_SOURCE = {"school": "school", "police": "police", "health visitor": "health", "GP": "health",
                   "family member": "family", "anonymous": "anonymous", "neighbour": "neighbour",
                   "midwife": "health"}
_MOVE_REASONS = [
    "The foster carers gave notice: one of them is seriously ill and they cannot go on caring.",
    "Planned move to a long-term match, agreed at the looked-after review.",
    "Placement breakdown after repeated missing episodes; a placement nearer school was found.",
    "Move to kinship care with the {sup_rel}, approved as a connected person.",
]


class _ProcessPlan(_NotePlan):
    """Adds process milestones to the notes and decisions of one child."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.milestones: list[_Action] = []
        self.last_allocate: _Action | None = None
        self.ps: dict[str, Any] = {"cp": False, "cin": False, "eh": False, "la": False, "was_la": False,
                                   "placement": None, "s47": False, "proceedings": False}
        self.proceedings = False  # this child goes to court (chosen by the borough plan)
        self.private_fostering = False
        self.wrong_authorisation = False

    def manager(self) -> _Person:
        return self.staff.managers[self.team]

    def m_lag(self) -> int:
        """Working days from a milestone to recording it: mostly 0 or 1, now and then late."""
        r = self.rng.random()
        if r < 0.05:
            return self.rng.randint(4, 9)
        return 0 if r < 0.75 else 1

    def milestone(self, occurred: _dt.datetime, kind: str, by: _Person | None = None, *,
                  lag: int | None = None, key: str | None = None, **details: Any) -> _Action | None:
        """Plan a milestone dated ``occurred`` (nothing after the cut-off)."""
        if occurred.date() > self.cutoff:
            return None
        lag = self.m_lag() if lag is None else lag
        who = by or self.current()
        a = self.add(self.record_time(occurred, lag), "milestone", occurred=occurred, acting=who.staff_id,
                     kind=kind, details={k: v for k, v in details.items() if v is not None}, key=key)
        self.milestones.append(a)
        return a

    # --- steps that several phases share --------------------------------------------------

    def contact(self, occurred: _dt.datetime, decision: str, source: str, concern: str,
                by: _Person | None = None) -> None:
        """A contact and the manager's referral decision the same day (within one working day)."""
        self.milestone(occurred, "contact", lag=self.rng.choice([0] * 11 + [1]), source=source,
                       channel=self.rng.choice(["telephone", "telephone", "email", "online_form", "mash"]),
                       concern=concern)
        decided = occurred + _dt.timedelta(minutes=self.rng.randint(40, 150))
        self.milestone(decided, "referral_decision", by or self.manager(), lag=0, decision=decision,
                       reason={"referral_accepted": "Threshold for a statutory assessment is met.",
                               "early_help": "Below the threshold for social work; the family consent to "
                                             "early help.",
                               "no_further_action": "No role for children's social care."}[decision])

    def contact_source(self) -> str:
        return _CONTACT_SOURCE.get(self.referrer, self.referrer)

    def assessment(self, start: _dt.date, completed: _dt.date, authorised: _dt.date,
                   recommendation: str) -> None:
        """A child and family assessment: started, completed (factors), authorised by the manager."""
        self.milestone(_at(start, 16, 0), "cf_assessment_started",
                       notes=f"Assessment of {self.fam.child_first}'s needs after the referral.")
        factors = {"neglect": "neglect", "domestic_abuse": "domestic abuse", "substance": "parental substance "
                   "misuse", "mental_health": "parental mental health", "attendance": "school attendance",
                   "housing": "housing", "health": "missed health appointments"}
        self.milestone(_at(completed, 15, 30), "cf_assessment_completed",
                       factors=[factors.get(c, c) for c in self.concerns], recommendation=recommendation)
        self.milestone(_at(authorised, 11, 0), "cf_assessment_authorised", self.manager(),
                       key="authorised", notes="Authorised: the analysis supports the recommendation.")

    def cp_category(self) -> str:
        return CP_CATEGORY.get(_CP_CATEGORY[self.concerns[0]], "neglect")

    def become_looked_after(self, day: _dt.date, legal_status: str, by: _Person) -> None:
        when = _at(day, 15, 0)
        self.milestone(when, "became_looked_after", by, legal_status=legal_status,
                       notes={"s20": "Accommodated with the agreement of the parent (section 20).",
                              "s38_interim_care_order": "Interim care order made today.",
                              "s31_care_order": "Looked after under a care order made by the placing "
                                                "authority's court."}.get(legal_status))
        carer = self.fam.ctx.get("carer") or self.rng.choice(_FOSTER)
        self.milestone(when + _dt.timedelta(hours=2), "placement_started", placement_type="foster_care",
                       carer=carer)
        self.ps.update(la=True, was_la=True, placement=carer)
        self.milestone(_at(add_working_days(day, self.rng.choice([1, 2, 3, 4, 4, 7])), 14, 0),
                       "placement_plan", notes=f"Placement plan agreed with {carer}.")

    def care_plan(self, day: _dt.date) -> None:
        late = self.rng.random() < 0.2
        when = _at(add_working_days(day, self.rng.randint(12, 16) if late else self.rng.randint(4, 9)), 14, 30)
        self.milestone(when, "care_plan", permanence_plan=self.rng.choice(
            ["return_home", "long_term_fostering", "kinship_care", "special_guardianship"]),
            notes="Care plan for the first looked-after review.")

    def move_placement(self, day: _dt.date) -> None:
        if not self.ps["placement"]:
            return
        ctx = self.fam.ctx
        reason = self.rng.choice(_MOVE_REASONS).format(sup_rel=ctx.get("sup_rel", "aunt"))
        kinship = reason.startswith("Move to kinship")
        self.milestone(_at(day, 10, 0), "placement_ended", reason=reason)
        carer = ctx.get("sup_full", "a connected person") if kinship else self.rng.choice(
            [f for f in _FOSTER if f != self.ps["placement"]])
        self.milestone(_at(day, 16, 0), "placement_started",
                       placement_type="kinship_foster_care" if kinship else "foster_care", carer=carer)
        self.ps["placement"] = carer
        self.milestone(_at(add_working_days(day, self.rng.choice([2, 3, 4, 8])), 11, 0), "placement_plan",
                       notes=f"Placement plan for the move to {carer}.")

    def pre_proceedings(self, day: _dt.date) -> None:
        """Legal planning decides on pre-proceedings; the letter before proceedings; the meeting."""
        self.milestone(_at(day, 14, 0), "legal_planning_meeting", self.staff.service_manager, threshold_met=True,
                       decision="pre_proceedings", notes="Threshold met; pre-proceedings under the PLO.")
        self.milestone(_at(add_working_days(day, 2), 12, 0), "pre_proceedings_letter", self.manager(),
                       key="plo_letter", notes="Letter before proceedings sent to the parents by hand.")
        self.milestone(_at(add_working_days(day, 9), 10, 0), "pre_proceedings_meeting",
                       attendees=["parents", "parents' solicitor", "local authority solicitor", "team manager"])

    def issue_proceedings(self, day: _dt.date, ico: _dt.date) -> None:
        self.milestone(_at(day, 14, 0), "legal_planning_meeting", self.staff.service_manager, threshold_met=True,
                       decision="issue_proceedings", notes="Pre-proceedings have not brought change quickly "
                                                           "enough; issue care proceedings.")
        issued = add_working_days(day, 3)
        self.milestone(_at(issued, 11, 0), "care_proceedings_issued", self.manager(),
                       court="East London Family Court", application="care_order")
        self.milestone(_at(ico, 10, 0), "court_hearing", hearing="interim_care_order",
                       outcome="Interim care order made; next hearing the case management hearing.")
        self.ps.update(proceedings=True, issued=issued)

    def final_order(self, before: _dt.date) -> None:
        """Twenty-six weeks after issue: the final hearing and the care order."""
        day = add_working_days(self.ps["issued"], self.rng.randint(118, 128))
        if day >= before or day > self.cutoff:
            return
        self.milestone(_at(day, 10, 0), "court_hearing", hearing="final",
                       outcome="The court approved the care plan and made a care order.")
        self.milestone(_at(day, 15, 0), "final_order", self.manager(), key="final_order", order="care_order",
                       notes="Care order (section 31) made at the final hearing.")
        self.ps.update(proceedings=False, order_day=day)

    def leave_care(self, eighteen: _dt.date) -> None:
        self.milestone(_at(eighteen, 9, 30), "placement_ended",
                       reason="Eighteenth birthday: staying on with the carers under a staying put arrangement.")
        self.milestone(_at(eighteen, 9, 45), "ceased_looked_after", self.manager(),
                       reason="Turned 18: now a care leaver, supported by a personal adviser.")
        self.ps.update(la=False, placement=None)

    def private_fostering_notice(self, day: _dt.date) -> None:
        carer = f"{self.rng.choice(_TITLED)} (a family friend)"
        self.milestone(_at(day, 11, 0), "private_fostering_notification", lag=0, carer=carer,
                       arrangement_start=day - _dt.timedelta(days=self.rng.randint(30, 45)),
                       notes=f"{self.fam.child_first} has been staying with a family friend while "
                             f"{self.fam.ctx['p1']} is in hospital.")

    # --- meetings record their milestones -------------------------------------------------

    def on_meeting(self, section: str, occurred: _dt.datetime, key: str) -> None:
        later = occurred + _dt.timedelta(hours=1)
        chair = self.staff.iro.full_name
        if section == "strategy":
            self.milestone(occurred, "strategy_discussion", decision="s47",
                           attendees=["police", "health", "children's social care"]
                           + (["school"] if "school" in self.fam.ctx else []))
            self.milestone(later, "s47_started", notes=f"Section 47 enquiry agreed at the strategy discussion "
                                                       f"of {_short_date(occurred.date())}.")
            self.ps["s47"] = True
        elif section == "icpc" and self.ps["s47"]:
            before = _at(add_working_days(occurred.date(), -1), 16, 0)
            self.milestone(before, "s47_outcome", self.manager(), outcome="substantiated_icpc")
            self.milestone(occurred, "icpc", decision="cp_plan", chair=chair)
            self.milestone(later, "cp_plan_started", self.manager(), category=self.cp_category())
            self.ps.update(s47=False, cp=True)
        elif section == "core" and self.ps["cp"]:
            self.milestone(occurred, "core_group_meeting", attendees=["parents", "school", "health", "social "
                                                                                                   "worker"])
        elif section == "review" and self.ps["cp"]:
            ending = bool(self.ps.get("rcpc_ends"))
            self.milestone(occurred, "rcpc", decision="no_cp_plan" if ending else "cp_plan", chair=chair)
            if ending:
                self.milestone(later, "cp_plan_ended", self.manager(), step_down="cin_plan",
                               reason="The review conference decided the child no longer needs a plan.")
                self.ps.update(cp=False, rcpc_ends=False)
            elif len(self.concerns) > 1 and not self.ps.get("recategorised") and self.rng.random() < 0.5:
                self.milestone(later, "cp_plan_category_changed", self.manager(), category="multiple",
                               reason="The conference heard of more than one kind of harm.")
                self.ps["recategorised"] = True
        elif section == "cin" and self.ps["cin"]:
            self.milestone(occurred, "cin_plan_reviewed", notes="CIN meeting reviewed the plan.")
        elif section == "taf" and self.ps["eh"]:
            self.milestone(occurred, "taf_meeting", attendees=["parent", "school", "early help practitioner"])
        elif section == "lac" and self.ps["la"]:
            self.milestone(occurred, "lac_review", self.staff.iro, chair=chair,
                           recommendations=["Placement to continue.", "Personal education plan to be "
                                                                      "updated."])
        elif section == "pathway" and self.ps["was_la"]:
            self.milestone(occurred, "pathway_plan", notes="Pathway plan reviewed with the young person.")


def chain_milestones(actions: list[_Action]) -> None:
    """Each milestone waits for the one dated before it (ties in the order planned)."""
    ms = sorted((a for a in actions if a.op == "milestone"), key=lambda a: (a.occurred, a.seq))
    for before, a in zip(ms, ms[1:], strict=False):
        a.also.append(before.seq)
