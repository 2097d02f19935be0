"""Casework records in the plan (:mod:`ledger.records.casework`), planned once a child's year is known.

Hazards and a MAPPA alert that refer to a real dated note, with reviews (most on time, some late,
some overdue at the end of the demo year); quarterly case summaries and chronology entries (good
news and achievements too, and events before birth), with a few missed; consent given, refused
and withdrawn, and information-sharing decisions on it; case file audits by the auditor and a case
transfer audit with its form; documents (drawings, letters, the signed letter before proceedings,
court orders, a birth certificate kept on paper), each with the SHA-256 of synthetic bytes; a
parent's correction request, its outcome and their disagreement.

Everything is planned inside the times the case is open (a record is never made on a closed
case), by the worker who held the case then, and waits for what it refers to.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from typing import Any

from commands.demo.corrections import _CorrectionPlan
from commands.demo.days import END_TIME, _at, _short_date, add_working_days
from commands.demo.notes import _Action
from commands.demo.people import _Person
from commands.demo.phrases import _Context
from ledger.records.casework import add_months

_FINDINGS = [
    ("Good", "Visits are regular and the child is seen alone; the plan is specific and reviewed on time.",
     ["Update the chronology with the school's attendance figures."]),
    ("Requires improvement", "Recording is detailed but the case summary is out of date and two notes were "
     "finalised late.", ["Update the case summary within ten working days.", "Discuss timely recording in "
                         "supervision."]),
    ("Good", "The child's views are recorded in their own words and shape the plan.",
     ["Share the audit with the worker and team manager."]),
    ("Inadequate", "The risks from the father's contact are not analysed and supervision decisions are not "
     "followed up.", ["Strategy discussion to be considered by the team manager today.",
                      "Manager's oversight recorded weekly until the next review."]),
]


class _ChildPlan(_CorrectionPlan):
    """The complete plan of one child: notes, decisions, milestones, corrections and casework records."""

    def casework(self, auditor: _Person, transfer_audit: bool) -> None:
        self.windows = self.open_windows()
        self.by_id = {p.staff_id: p for p in self.staff.everyone}
        self.summaries_and_chronology()
        if self.rng.random() < 0.3 or self.journey == "cp_stay":
            self.hazard()
        if self.rng.random() < 0.5:
            self.consent_and_sharing()
        if self.rng.random() < 0.3 or self.idx % 4 == 1:  # every fourth child at least: audits are routine
            self.audit(auditor)
        if transfer_audit:
            self.transfer_audit()
        self.documents()

    # --- where and who ------------------------------------------------------------------

    def open_windows(self) -> list[tuple[int, _dt.datetime, _dt.datetime]]:
        """(segment, opened, closed or the end of the demo year) for each time the case is open."""
        out = []
        for segment in sorted({a.segment for a in self.actions}):
            members = [a for a in self.actions if a.segment == segment]
            starts = [a.at for a in members if a.op in ("open", "reopen")]
            if not starts:
                continue
            ends = [a.at for a in members if a.op == "close"]
            out.append((segment, min(starts), min(ends) if ends else END_TIME))
        return out

    def window(self, when: _dt.datetime, margin_days: int = 2) -> int | None:
        for segment, start, end in self.windows:
            if start < when and when + _dt.timedelta(days=margin_days) < end and when.date() <= self.cutoff:
                return segment
        return None

    def worker_at(self, when: _dt.datetime) -> _Person:
        holder = self.actions[0].args["worker"]
        for a in sorted((a for a in self.actions if a.op == "allocate"), key=lambda a: a.at):
            if a.at <= when:
                holder = a.args["worker"]
        return self.by_id[holder]

    def record(self, occurred: _dt.datetime, op: str, *, by: _Person | None = None, lag: int = 0,
               after: _Action | None = None, **args: Any) -> _Action | None:
        """Plan a casework record or update (``op``), if the case is open then."""
        at = self.record_time(occurred, lag)
        if after is not None:
            at = max(at, after.at + _dt.timedelta(minutes=5))
        segment = self.window(at)
        if segment is None or self.window(occurred, 0) is None:
            return None
        saved, self.segment = self.segment, segment
        who = by or self.worker_at(occurred)
        a = self.add(at, op, after=after.seq if after else None, occurred=occurred, acting=who.staff_id,
                     **args)
        self.segment = saved
        return a

    def text_ctx(self, when: _dt.datetime) -> tuple[_Context, str, str]:
        state = self.state()
        saved = self.team, self.worker
        self.team = self.team_at(when)
        self.worker = self.worker_at(when)
        ctx = self.ctx(when, state)
        self.team, self.worker = saved
        return ctx, state, self.place(when.date())

    def usable_notes(self, kinds: tuple[str, ...]) -> list[tuple[str, _Action]]:
        out = []
        for key, n in self.notes.items():
            if n.get("deleted") or n.get("amended") or n["kind"] not in kinds:
                continue
            first = next(a for a in self.actions if a.note == key and a.op == "note")
            out.append((key, first))
        return out

    # --- case summaries and the chronology (s.8, s.9) -------------------------------------

    def summaries_and_chronology(self) -> None:
        stop_after = self.rng.randint(0, 2) if self.rng.random() < 0.2 else 99
        done = 0
        first = True
        for _segment, start, end in self.windows:
            when = _at(add_working_days(start.date() + _dt.timedelta(days=self.rng.randint(40, 80)), 0),
                       self.rng.randint(9, 15), self.rng.choice([0, 20, 40]))
            while when < end and done < stop_after:
                if self.summary(when) is None:
                    break
                self.chronology(when, first)
                first = False
                done += 1
                gap = self.rng.randint(95, 110) if self.rng.random() < 0.08 else self.rng.randint(70, 88)
                when = _at(add_working_days(when.date() + _dt.timedelta(days=gap), 0), when.hour, when.minute)

    def summary(self, when: _dt.datetime) -> _Action | None:
        ctx, state, topic = self.text_ctx(when)
        age = self.age_on(when.date())
        who = (f"{ctx['c']} is {age} and lives with {ctx['adult']} in {ctx['area']}." if age is not None else
               f"{ctx['p1']}'s baby is due on {ctx['edd']}; {ctx['p1']} lives in {ctx['area']}.")
        details = {
            "life_for_the_child": " ".join([who, *self.writer.some(f"{topic}.{state}", ctx, 1)]),
            "strengths": self.writer.one(f"{topic}.good", ctx),
            "concerns": self.writer.one(f"{topic}.bad", ctx),
            "engagement": f"{ctx['p1']} {'engages well' if state == 'good' else 'engages only some of the time'}"
                          " with the plan.",
            "focus_next_three_months": " ".join(self.writer.some(f"{topic}.act", ctx, 2)) or
            "Carry on with the plan and review it at the next meeting.",
        }
        return self.record(when, "casework", lag=self.rng.choice([0, 0, 1, 2]), kind="case_summary",
                           key=f"s{when:%Y%m%d}", details={k: v for k, v in details.items() if v})

    def chronology(self, when: _dt.datetime, first: bool) -> None:
        since = when - _dt.timedelta(days=100)
        sources: dict[str, _Action] = {}
        entries: list[tuple[_dt.date, str, str, bool, str | None]] = []
        if first:
            if self.journey == "prebirth":
                entries.append((self.fam.dob - _dt.timedelta(days=self.rng.randint(130, 150)), "20-week scan: "
                                "the baby is developing well; mother attended with her own mother.",
                                "health", True, None))
                entries.append((self.referral, "Pre-birth referral from the community midwife.", "safeguarding",
                                False, None))
            elif self.fam.dob < self.referral:
                entries.append((self.fam.dob, f"{self.fam.child_first} was born at North Middlesex University "
                                "Hospital, at full term.", "birth", True, None))
        labels = {"icpc": ("Initial child protection conference: a child protection plan.", "safeguarding"),
                  "became_looked_after": ("Became looked after.", "placement"),
                  "placement_started": ("Moved to a new placement.", "placement"),
                  "final_order": ("The court made a care order (section 31).", "legal"),
                  "cin_plan_started": ("Child in need plan agreed.", "family"),
                  "cp_plan_ended": ("The child protection plan ended.", "safeguarding"),
                  "ceased_looked_after": ("Turned 18 and left care; supported as a care leaver.", "placement")}
        for m in self.milestones:
            label = labels.get(m.args["kind"])
            if label and m.occurred is not None and since < m.occurred < when - _dt.timedelta(days=2):
                entries.append((m.occurred.date(), label[0], label[1], False, None))
        band = self.band(when.date())
        visits = [(k, a) for k, a in self.usable_notes(("home_visit",)) if a.occurred and since < a.occurred < when]
        if band and visits and self.rng.random() < 0.8:
            key, note = self.rng.choice(visits)
            ctx, _, _ = self.text_ctx(when)
            achievement = self.writer.one(f"ach.{band}", ctx)
            if achievement and note.occurred is not None:
                entries.append((note.occurred.date(), achievement, "achievement", True, key))
                sources[key] = note
        for day, what, category, positive, source in entries[:4]:
            details: dict[str, Any] = {"event_date": day, "what_happened": what, "category": category,
                                       "positive": positive}
            refs = {"source": source} if source else {}
            if not source:
                details["source"] = "Case file"
            self.record(when + _dt.timedelta(minutes=10), "casework", after=sources.get(source or ""),
                        kind="chronology_entry",
                        key=f"c{len(self.actions)}", details=details, refs=refs)

    # --- hazards and alerts (s.10) --------------------------------------------------------

    def hazard(self) -> None:
        notes = [(k, a) for k, a in self.usable_notes(("home_visit", "telephone_call"))
                 if a.occurred and self.window(a.at + _dt.timedelta(days=3), 10) is not None]
        if not notes:
            return
        key, note = self.rng.choice(notes[: max(1, len(notes) // 2)])
        assert note.occurred is not None
        ctx, _, _ = self.text_ctx(note.occurred)
        seen = _short_date(note.occurred.date())
        mappa = "domestic_abuse" in self.concerns and "ex" in ctx and self.rng.random() < 0.6
        if mappa:
            kind, details = "mappa_alert", {
                "person": ctx["ex"], "mappa_category": "violent_offender", "mappa_level": "level_2",
                "description": f"{ctx['ex']} is managed under MAPPA (level 2) for violence; see the note of "
                               f"{seen}. Do not share {ctx['p1']}'s address."}
        else:
            kind_of = "person_known_to_be_violent" if "ex" in ctx and self.rng.random() < 0.4 else \
                self.rng.choice(["dangerous_pet", "verbal_abuse"])
            text = {"dangerous_pet": f"A large dog (XL bully type) is kept at the home and was not shut away "
                                     f"at the visit of {seen}; visit in pairs and ask for it to be secured.",
                    "verbal_abuse": f"{ctx['p1']} shouted and swore at the worker at the visit of {seen}; "
                                    "end the visit if it happens again.",
                    "person_known_to_be_violent": f"{ctx.get('ex', 'The father')} has convictions for "
                                                  f"violence (see the note of {seen}); do not visit alone."}
            kind, details = "hazard", {"type": kind_of, "description": text[kind_of],
                                       "concerns_person": ctx.get("ex") if kind_of != "dangerous_pet" else None}
        at = self.record_time(note.at, self.rng.randint(0, 2))
        details.update(started_on=note.occurred.date(),
                       review_date=min(at.date() + _dt.timedelta(days=self.rng.randint(60, 140)),
                                       add_months(at.date(), 6)))
        alert = self.record(note.occurred + _dt.timedelta(hours=3), "casework", after=note, kind=kind,
                            key="alert", details={k: v for k, v in details.items() if v},
                            refs={"source_record": key})
        if alert is None:
            return
        due = details["review_date"]
        last = alert
        while True:
            r = self.rng.random()
            if r < 0.6:
                day = due - _dt.timedelta(days=self.rng.randint(0, 10))
            elif r < 0.8:
                day = due + _dt.timedelta(days=self.rng.randint(3, 25))
            else:
                break  # not reviewed: overdue
            when = _at(add_working_days(max(day, last.at.date() + _dt.timedelta(days=1)), 0), 11, 0)
            nxt = min(when.date() + _dt.timedelta(days=self.rng.randint(90, 170)), add_months(when.date(), 6))
            review = self.record(when, "update", after=last, record="alert", action="review", details={
                "outcome": "Reviewed with the team manager: the risk remains and the warning stays.",
                "next_review_date": nxt})
            if review is None:
                break
            last, due = review, nxt
        closing = [w for w in self.windows if w[1] < last.at < w[2] and w[2] < END_TIME]
        if closing:
            self.record(closing[0][2] - _dt.timedelta(days=3), "update", after=last, record="alert",
                        action="end", details={"reason": "The case is closing and the family no longer "
                                                         "receive visits from the service."})

    # --- consent and information sharing (s.7) --------------------------------------------

    def consent_and_sharing(self) -> None:
        start = self.windows[0][1]
        when = _at(add_working_days(start.date(), self.rng.randint(3, 8)), 14, 0)
        ctx, _, _ = self.text_ctx(when)
        p1 = f"{ctx['p1']} ({ctx['p1rel']})"
        if self.rng.random() < 0.2 and "p2" in ctx:
            refused = self.record(when, "casework", kind="consent", key="consent_refused", details={
                "status": "refused", "by_whom": f"{ctx['p2']} ({ctx['p2rel']})",
                "scope": f"Contacting {ctx['p2']}'s GP and probation officer", "written": False})
            if refused is not None:
                self.record(when + _dt.timedelta(hours=1), "casework", after=refused, kind="information_sharing",
                            key="not_sought", details={
                                "direction": "request_to", "organisation": f"{ctx['gp']}",
                                "information": f"{ctx['p2']}'s health history", "shared": False,
                                "reasoning": "Consent refused, and no safeguarding grounds to seek it without "
                                             "consent at this stage; reconsider if concerns rise."})
        given = self.record(when, "casework", kind="consent", key="consent", details={
            "status": "given", "by_whom": p1, "written": True,
            "scope": f"Sharing information with {ctx.get('school', 'the school')}, {ctx['gp']} and the health "
                     "visitor for the assessment and the plan"})
        if given is None:
            return
        self.record(when + _dt.timedelta(days=2), "casework", after=given, kind="information_sharing",
                    key="sought", refs={"consent_record": "consent"}, details={
                        "direction": "request_to", "organisation": ctx["gp"],
                        "information": f"{ctx['c']}'s immunisations and missed appointments", "shared": True,
                        "basis": "consent", "reasoning": "Needed for the assessment; written consent given."})
        if "domestic_abuse" in self.concerns or self.rng.random() < 0.3:
            self.record(when + _dt.timedelta(days=12), "casework", kind="information_sharing", key="police",
                        details={"direction": "request_from", "organisation": f"{ctx['police_unit']}",
                                 "information": "The dates of our visits and the child protection plan",
                                 "shared": True, "basis": "prevention_or_detection_of_crime",
                                 "reasoning": "The police are investigating an assault on the mother; sharing "
                                              "is necessary and proportionate."})
        if self.rng.random() < 0.3:
            self.record(when + _dt.timedelta(days=20), "casework", kind="information_sharing", key="solicitor",
                        details={"direction": "request_from", "organisation": "Hartley Law LLP, for the father",
                                 "information": f"{ctx['p1']}'s address and the case file", "shared": False,
                                 "reasoning": "No consent from the mother and no court order; the father's "
                                              "solicitor may apply to the court.",
                                 "legal_advice": "Legal Services advised not to disclose without an order."})
        if self.rng.random() < 0.15:
            self.record(when + _dt.timedelta(days=self.rng.randint(30, 70)), "update", after=given,
                        record="consent", action="withdraw", details={
                            "by_whom": p1, "reason": f"{ctx['p1']} is unhappy that the school was told about "
                                                     "the plan and withdraws consent to share with it."})

    # --- audits and documents (s.14, s.4) --------------------------------------------------

    def audit(self, auditor: _Person) -> None:
        segment, start, end = self.windows[0]
        if (end - start).days < 60:
            return
        when = _at(add_working_days((start + (end - start) * self.rng.uniform(0.4, 0.9)).date(), 0), 10, 0)
        grade, findings, actions = self.rng.choice(_FINDINGS)
        self.record(when, "casework", by=auditor, kind="case_audit", key="audit", details={
            "audit_type": "case_file_audit", "audit_date": when.date(), "findings": f"{grade}. {findings}",
            "actions_arising": actions})

    def transfer_audit(self) -> None:
        moves = [m for m in self.milestones if m.args["kind"] == "case_transfer" and m.occurred is not None]
        if not moves:
            return
        move = moves[0]
        assert move.occurred is not None
        when = _at(add_working_days(move.occurred.date(), -1), 10, 0)
        manager = self.by_id[move.args["acting"]]
        form = self.document(when, "Case transfer audit form.pdf", "audit_form", key="transfer_form")
        if form is not None:
            self.record(when + _dt.timedelta(minutes=20), "casework", by=manager, after=form, kind="case_audit",
                        key="transfer_audit", refs={"audit_form": "transfer_form"}, details={
                            "audit_type": "case_transfer_audit", "audit_date": when.date(),
                            "ready_for_transfer": True,
                            "findings": "Chronology, case summary and plan up to date; the family know the "
                                        "new team.", "actions_arising": ["Joint visit with the new worker."]})

    def document(self, when: _dt.datetime, name: str, doc_type: str, *, key: str | None = None,
                 after: _Action | None = None, **extra: Any) -> _Action | None:
        body = (f"%PDF-1.4\n% caseledger demo: synthetic document, not a real file\n{name}\n"
                f"{self.fam.child_first} {self.fam.surname}\n{when:%Y-%m-%d}\n").encode()
        body += self.rng.randbytes(self.rng.randint(1500, 6000))
        return self.record(when, "casework", after=after, kind="document", key=key or f"d{len(self.actions)}",
                           details={"name": name, "doc_type": doc_type, "sha256": hashlib.sha256(body).hexdigest(),
                                    "size_bytes": len(body), "date_received": when.date(), **extra})

    def documents(self) -> None:
        band = self.band(self.referral)
        visits = self.usable_notes(("home_visit",))
        if band in ("little", "middle") and visits:
            _, v = self.rng.choice(visits)
            if v.occurred is not None:
                self.document(v.occurred + _dt.timedelta(hours=2), f"Drawing by {self.fam.child_first} of "
                              f"{'his' if self.fam.boy else 'her'} family.jpg", "drawing",
                              description="Drawn at the visit: the people who matter to the child.")
        for m in self.milestones:
            kind = m.args["kind"]
            if m.occurred is None:
                continue
            if kind == "cf_assessment_authorised":
                self.document(m.occurred + _dt.timedelta(days=1), "Letter to parent: outcome of the "
                              "assessment.pdf", "letter")
            elif kind == "pre_proceedings_letter":
                self.document(m.occurred + _dt.timedelta(days=self.rng.randint(2, 5)), "Letter before "
                              "proceedings, signed by the parents.pdf", "signed_pre_proceedings_letter",
                              keep_original_paper=True, original_reason="Signed original kept for the court "
                                                                        "bundle.")
            elif kind in ("final_order", "court_hearing") and m.args["details"].get("hearing") != "final":
                order = "care" if kind == "final_order" else "interim care"
                self.document(m.occurred + _dt.timedelta(days=1), f"Sealed {order} order.pdf", "court_order")
            elif kind == "became_looked_after":
                self.document(m.occurred + _dt.timedelta(days=self.rng.randint(3, 9)),
                              f"Birth certificate, {self.fam.child_first} {self.fam.surname}", "birth_certificate",
                              description="Original kept in the paper file.")

    # --- a parent's correction request (s.3) ------------------------------------------------

    def correction_request(self) -> bool:
        visits = [(k, a) for k, a in self.usable_notes(("home_visit",))
                  if self.notes[k]["final_at"] + _dt.timedelta(days=60) < END_TIME]
        if not visits:
            return False
        key, note = self.rng.choice(visits)
        final = self.notes[key]["final_at"]
        when = _at(add_working_days(final.date(), self.rng.randint(8, 20)), 11, 0)
        ctx, _, _ = self.text_ctx(when)
        parent = f"{ctx['p1']} ({ctx['p1rel']})"
        last = next(a for a in reversed(self.actions) if a.note == key)
        req = self.record(when, "casework", after=last, kind="correction_request", key="correction", details={
            "requested_by": parent, "request": "The note says the home was untidy and I seemed low. The flat "
            "was being decorated and I was tired after a night shift; please take it out."}, refs={"what": key})
        if req is None:
            return False
        decided = _at(add_working_days(when.date(), self.rng.randint(5, 9)), 15, 0)
        out = self.record(decided, "update", after=req, record="correction", action="outcome", by=self.manager_at(
            decided), details={"result": "not_corrected", "reason": "The note records what the worker saw on "
                               "the day; it is accurate. The explanation is recorded with it."})
        if out is not None:
            self.record(decided + _dt.timedelta(days=7), "update", after=out, record="correction",
                        action="disagreement", details={
                            "in_their_own_words": "I still do not agree. Anyone reading this will think I "
                                                  "do not look after my children.",
                            "by_whom": parent, "how_obtained": "letter"})
        return out is not None

    def manager_at(self, when: _dt.datetime) -> _Person:
        return self.staff.managers[self.team_at(when)]
