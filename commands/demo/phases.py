"""The phases of a child's year: assessment, early help, child in need, child protection, care."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from typing import Any

from commands.demo.days import (
    END_DAY,
    _at,
    _short_date,
    add_working_days,
)
from commands.demo.people import (
    _TITLED,
    _Person,
)
from commands.demo.phrases import _Context
from commands.demo.process import _ProcessPlan


class _PhasePlan(_ProcessPlan):
    """The phases of a child's journey through the teams."""

    # --- phases ------------------------------------------------------------------------

    def open(self, team: str, source: str) -> None:
        self.team = team
        self.worker = self.rng.choice(self.staff.workers[team])
        day = self.referral
        contact = _at(day, self.rng.randint(8, 10), self.rng.choice([5, 20, 35, 50]))
        opened = contact + _dt.timedelta(minutes=self.rng.randint(30, 120))
        manager = self.staff.managers[team]
        args: dict[str, Any] = dict(acting=manager.staff_id, referral_date=day, referral_source=source,
                                    child_name=f"{self.fam.child_first} {self.fam.surname}", team=team,
                                    worker=self.worker.staff_id)
        if self.fam.expected:
            args["child_name"] = f"Unborn baby {self.fam.surname}"
            args["expected_date_of_birth"] = self.fam.dob
        else:
            args["date_of_birth"] = self.fam.dob
        self.add(opened, "open", **args)
        ctx = self.ctx(contact)
        who = self.referrer_name(ctx)
        topic = "prebirth" if self.fam.expected else self.concerns[0]
        if team in ("Children in Care", "Care Leavers"):
            facts = (f"Transfer in from another local authority: {ctx['cfull']} moved into a foster "
                     "placement "
                     f"with {ctx['carer']} in {ctx['area']} on {ctx['past']}. The previous local authority "
                     "sent the care plan, chronology and latest review minutes.")
        else:
            facts = " ".join([f"Referral received from {who}.", self.writer.one(f"{topic}.referral", ctx),
                              f"{ctx['p1']} has been told about the referral."
                              if source != "anonymous" else "The caller did not want to be named."])
        content = {"facts": facts, "source": "third_party", "provided_by": who,
                   "actions": f"Passed to {manager.full_name} (Team Manager) for a decision today."}
        self.note(contact, "contact", self.current(), content, lag=0)
        concern = {"prebirth": "unborn baby: " + ", ".join(c.replace("_", " ") for c in self.concerns)}.get(
            topic, topic.replace("_", " "))
        if team in ("Children in Care", "Care Leavers"):
            self.contact(contact, "referral_accepted", "another local authority", "transfer in of a looked-after "
                         "child")
        else:
            self.contact(contact, "early_help" if team == "Early Help" else "referral_accepted",
                         self.contact_source(), concern)

    def referrer_name(self, ctx: _Context) -> str:
        src = self.referrer
        if self.team in ("Children in Care", "Care Leavers"):
            return "the placing authority's allocated social worker"
        return {
            "school": f"{ctx.get('dsl', 'the head teacher')}, {ctx.get('dsl_role', 'head teacher')}, "
                      f"{ctx.get('school', 'the school')}",
            "police": f"{ctx['police']}, {ctx['police_unit']}",
            "health visitor": f"{ctx.get('hv', ctx['midwife'])}, health visitor",
            "GP": f"{ctx['gpname']}, GP, {ctx['gp']}",
            "family member": f"{ctx['sup_full']}, {ctx['c']}'s {ctx['sup_rel']}",
            "anonymous": "an anonymous caller (name withheld at the caller's request)",
            "neighbour": f"a neighbour, {self.rng.choice(_TITLED)}",
            "midwife": f"{ctx['midwife']}, community midwife",
        }[src]

    def transfer(self, day: _dt.date, team: str, reason: str, by: _Person | None = None) -> None:
        # First thing in the morning, before the new worker's first visit: the access policy lets
        # only the team that holds the case record on it, so the allocation must come first.
        occurred = _at(day, 8, self.rng.choice([30, 40]))
        if occurred.date() > self.cutoff:
            return
        # The manager of the team that holds the case hands it over (the access policy lets them).
        manager = by or self.staff.managers[self.team]
        move = self.milestone(occurred - _dt.timedelta(minutes=5), "case_transfer", manager, lag=0,
                              to_team=team, reason=reason)
        if move is not None and self.last_allocate is not None:
            move.also.append(self.last_allocate.seq)
        self.team = team
        self.worker = self.new_worker(team)
        self.last_allocate = self.add(occurred + _dt.timedelta(minutes=1), "allocate",
                                      after=move.seq if move is not None else None, acting=manager.staff_id,
                                      team=team, worker=self.worker.staff_id, reason=reason)

    def close(self, day: _dt.date, reason: str) -> None:
        if day > self.cutoff:
            return
        manager = self.staff.managers[self.team]
        at = self.record_time(_at(day, 12, 0), self.rng.choice([0, 1, 2]))
        self.add(at, "close", acting=manager.staff_id, reason=reason, closed_on=day)
        self.segment += 1

    def cadence(self, start: _dt.date, end: _dt.date, every: tuple[int, int],
                offset: int = 0) -> Iterator[_dt.date]:
        """Working days from ``start`` to ``end``, ``every`` (min, max) working days apart."""
        day = add_working_days(start, offset + self.rng.randint(*every) // 2)
        while day < end and day <= self.cutoff:
            yield day
            day = add_working_days(day, self.rng.randint(*every))

    def routine(self, start: _dt.date, end: _dt.date, visits: tuple[int, int], meetings: tuple[int, int],
                meeting: str, calls: tuple[int, int], supervision: tuple[int, int]) -> None:
        for day in self.cadence(start, end, visits):
            kind = "home_visit" if self.team in ("Children in Care",) or self.rng.random() < 0.8 else \
                self.rng.choice(["office_visit", "other"])
            self.visit(day, kind, urgent=self.team == "Child Protection")
        for day in self.cadence(start, end, meetings, offset=5):
            self.meeting(day, meeting, child_there=meeting in ("lac", "pep", "pathway"),
                         author=self.staff.iro if meeting == "lac" else None,
                         extra="lac.decisions" if meeting == "lac" else "")
        for day in self.cadence(start, end, calls, offset=2):
            self.call(day)
        for day in self.cadence(start, end, supervision, offset=8):
            self.supervision(day)

    def phase_assessment(self, start: _dt.date, outcome: str) -> _dt.date:
        def d(n: int) -> _dt.date:
            return add_working_days(start, n)

        if outcome == "cp":
            self.decision(start, "strategy")
            self.meeting(d(1), "strategy", extra="strategy.agreed", urgent=True)
            self.visit(d(1), urgent=True)
            self.call(d(3), urgent=True)
            self.visit(d(5), "other", urgent=True)
            self.call(d(7))
            self.visit(d(9), urgent=True)
            self.supervision(d(10))
            self.assessment(d(1), d(12), d(13), "strategy_discussion")
            icpc = d(14)
            self.meeting(icpc, "icpc", outcome="icpc.outcome")
            self.decision(icpc, "icpc")
            self.transfer(d(15), "Child Protection", "Transfer after the initial child protection "
                          "conference: the case needs a child protection worker for the plan.")
            return d(15)
        self.decision(start, "accept")
        self.visit(d(self.rng.randint(2, 4)))
        self.call(d(self.rng.randint(5, 7)))
        self.visit(d(self.rng.randint(9, 12)), self.rng.choice(["office_visit", "other", "home_visit"]))
        self.call(d(self.rng.randint(13, 16)))
        self.supervision(d(self.rng.randint(17, 19)))
        self.visit(d(self.rng.randint(21, 26)))
        if self.rng.random() < 0.5:
            self.call(d(self.rng.randint(27, 30)))
        end = d(self.rng.randint(31, 40))
        # Completed within 30 working days of the referral mostly; authorised soon after (45 days).
        done = self.rng.randint(31, 36) if self.rng.random() < 0.15 else self.rng.randint(16, 28)
        signed = done + (self.rng.randint(9, 14) if self.rng.random() < 0.1 else self.rng.randint(1, 4))
        end = max(end, d(signed))
        self.assessment(start, d(done), d(signed), {"nfa": "no_further_action", "cin": "cin_plan",
                                                    "eh": "early_help"}[outcome])
        self.decision(end, {"nfa": "nfa", "cin": "cin", "eh": "eh"}[outcome])
        if outcome == "nfa":
            self.milestone(_at(end, 12, 0) - _dt.timedelta(minutes=30), "nfa", self.manager(),
                           reason="The assessment found no role for children's social care; advice given.")
            self.close(end, "Child and family assessment completed and authorised: no further action. "
                       "The family have been given advice and signposted to universal services.")
        elif outcome == "cin":
            self.transfer(add_working_days(end, 1), "Child in Need", "Step-across after the assessment: "
                          "a child in need plan is needed.")
        else:
            self.transfer(add_working_days(end, 1), "Early Help", "Step-down after the assessment: the "
                          "family agreed to early help.")
        return add_working_days(end, 1)

    def phase_cp(self, start: _dt.date, outcome: str) -> _dt.date | None:
        review = add_working_days(start, 62)
        end = add_working_days(start, 250) if outcome == "stay" else review
        if outcome == "cic":
            end = add_working_days(start, 80)
        self.meeting(add_working_days(start, 8), "core", urgent=True)
        self.routine(start, end, visits=(8, 11), meetings=(18, 24), meeting="core", calls=(9, 14),
                     supervision=(18, 24))
        if self.rng.random() < 0.6 and "ex" in self.fam.ctx:
            day = start + _dt.timedelta(days=self.rng.randint(20, 60))
            day += _dt.timedelta(days=(5 - day.weekday()) % 7)  # a Saturday
            occurred = _at(day, self.rng.choice([21, 22, 23]), self.rng.choice([5, 20, 40]))
            ctx = self.ctx(occurred)
            content = {"facts": self.writer.one("edt.parent", ctx),
                       "actions": self.writer.one("edt.act", ctx)}
            if self.concerns[0] == "domestic_abuse" or not content["facts"]:
                content.update(facts=self.writer.one("edt.police", ctx), source="third_party",
                               provided_by=f"{ctx['police']}, {ctx['police_unit']}")
            self.note(occurred, "telephone_call", self.staff.edt, content, lag=0)
        if outcome == "stay":
            while review <= self.cutoff:
                self.meeting(review, "review")
                review = add_working_days(review, self.rng.randint(120, 128))
            return None
        if outcome == "cic":
            self.decision(add_working_days(start, 45), "plo", by=self.staff.service_manager)
            self.pre_proceedings(add_working_days(start, 45))
            self.meeting(add_working_days(start, 55), "core")
            self.decision(end, "accommodate", by=self.staff.head_of_service)
            if self.proceedings:
                self.issue_proceedings(add_working_days(start, 66), end)
            self.become_looked_after(end, "s38_interim_care_order" if self.proceedings else "s20",
                                     self.staff.head_of_service)
            self.milestone(_at(end, 17, 15), "cp_plan_ended", self.manager(), step_down="looked_after",
                           reason=f"{self.fam.child_first} became looked after; the care plan replaces the "
                                  "child protection plan.")
            self.ps.update(cp=False, la_day=end)
            self.transfer(add_working_days(end, 1), "Children in Care",
                          f"{self.fam.child_first} became looked after; transfer to the Children in Care "
                          "team.")
            return add_working_days(end, 1)
        self.ps["rcpc_ends"] = True
        self.meeting(review, "review")
        self.decision(review, "step_down_cin")
        self.transfer(add_working_days(review, 1), "Child in Need", "Step-down: the child protection plan "
                      "ended at the review conference; a child in need plan follows.")
        return add_working_days(review, 1)

    def phase_cin(self, start: _dt.date, outcome: str) -> _dt.date | None:
        end = add_working_days(start, self.rng.randint(85, 120))
        self.milestone(_at(add_working_days(start, self.rng.randint(2, 6)), 14, 0), "cin_plan_started",
                       notes="Child in need plan agreed with the family.")
        self.ps["cin"] = True
        if self.private_fostering:
            self.private_fostering_notice(add_working_days(start, self.rng.randint(8, 12)))
        self.routine(start, end, visits=(14, 20), meetings=(28, 34), meeting="cin", calls=(12, 18),
                     supervision=(22, 28))
        if end > self.cutoff:
            return None
        self.milestone(_at(end, 11, 0), "cin_plan_ended", self.manager(),
                       reason="The outcomes of the plan are met." if outcome == "close" else
                       "Stepping down to early help with the family's agreement.")
        self.ps["cin"] = False
        if outcome == "close":
            self.decision(end, "close")
            self.close(end, "Child in need plan completed: the outcomes have been met and the family "
                       "agree the case can close.")
            return None
        self.decision(end, "step_down_eh")
        self.transfer(add_working_days(end, 1), "Early Help", "Step-down to early help at the end of the "
                      "child in need plan, with the family's agreement.")
        return add_working_days(end, 1)

    def phase_eh(self, start: _dt.date, outcome: str) -> _dt.date | None:
        end = add_working_days(start, self.rng.randint(60, 90))
        self.milestone(_at(add_working_days(start, self.rng.randint(3, 8)), 13, 0), "early_help_assessment",
                       consent=True, notes="Early help assessment completed with the family.")
        self.ps["eh"] = True
        self.routine(start, end, visits=(10, 15), meetings=(28, 32), meeting="taf", calls=(12, 18),
                     supervision=(28, 34))
        if end > self.cutoff:
            return None
        if outcome == "close":
            self.decision(end, "close")
            self.close(end, "Team Around the Family plan completed; the family no longer need early help "
                       "and know how to ask for support again.")
            return None
        self.decision(end, "step_up")
        # Transferred first thing, so that the Assessment team, which then holds the case, decides the
        # referral (the access policy lets only the team holding a case record on it).
        self.transfer(end, "Assessment", "Step-up from early help: concerns have "
                      "increased and need a child and family assessment.")
        self.contact(_at(end, 9, 30), "referral_accepted", "early help", "concerns increased during early "
                     "help", by=self.staff.managers["Assessment"])
        return add_working_days(end, 1)

    def phase_care(self, start: _dt.date) -> None:
        eighteen = _dt.date(self.fam.dob.year + 18, self.fam.dob.month, min(self.fam.dob.day, 28))
        end = min(eighteen, END_DAY)
        if not self.ps["la"]:  # a transfer in from another local authority
            self.become_looked_after(start, "s31_care_order", self.manager())
            self.ps["la_day"] = start
        self.care_plan(self.ps["la_day"])
        if self.proceedings:
            self.final_order(end)
        if self.rng.random() < 0.45:
            move = add_working_days(start, self.rng.randint(50, 150))
            if move < min(add_working_days(eighteen, -15), self.cutoff):
                self.move_placement(move)
        self.meeting(add_working_days(start, 18), "lac", author=self.staff.iro, extra="lac.decisions",
                     child_there=True)
        self.routine(start, end, visits=(26, 30), meetings=(60, 70), meeting="pep", calls=(15, 22),
                     supervision=(25, 30))
        for day in self.cadence(add_working_days(start, 10), end, (25, 35)):
            self.meeting(day, "famtime", child_there=True, kind="other", extra="famtime.obs")
        for day in self.cadence(add_working_days(start, 70), end, (120, 130)):
            self.meeting(day, "lac", author=self.staff.iro, extra="lac.decisions", child_there=True)
        if eighteen <= self.cutoff:
            self.decision(add_working_days(eighteen, -10), "leaver")
            self.leave_care(eighteen)
            self.transfer(eighteen, "Care Leavers", f"{self.fam.child_first} is eighteen today: "
                          "transfer to the Care Leavers team as planned.")
            self.phase_leaving(add_working_days(eighteen, 0))

    def phase_leaving(self, start: _dt.date) -> None:
        self.meeting(add_working_days(start, 5), "pathway", child_there=True)
        self.routine(start, END_DAY, visits=(30, 40), meetings=(120, 130), meeting="pathway",
                     calls=(12, 20), supervision=(35, 45))

    def phase_prebirth(self, start: _dt.date) -> None:
        def d(n: int) -> _dt.date:
            return add_working_days(start, n)

        self.decision(start, "prebirth_accept")
        for n in (3, 12, 22):
            occurred = self.slot(d(n + self.rng.randint(0, 2)))
            state = self.state()
            ctx = self.ctx(occurred, state, seen=True)
            interp = self.interpreter(ctx)
            kind = "home_visit" if n != 12 else "office_visit"
            facts = [self.writer.one(f"prebirth.{kind}", ctx)] + ([ctx["interp_line"]] if interp else [])
            facts += self.writer.some(f"prebirth.{state}", ctx, 2)
            self.note(occurred, kind, self.current(),
                      {"facts": " ".join(facts), "analysis": self.writer.one("prebirth.an", ctx),
                       "actions": " ".join(self.writer.some("prebirth.act", ctx, 2)), "interpreter": interp})
        self.call(d(7))
        self.supervision(d(15))
        self.assessment(d(1), d(22), d(24), "strategy_discussion")
        self.meeting(d(25), "strategy", extra="strategy.agreed")
        self.meeting(d(33), "icpc", outcome="icpc.outcome")
        self.decision(d(33), "prebirth")
        self.transfer(d(34), "Child Protection", "Transfer after the pre-birth child protection conference.")
        birth = self.fam.dob + _dt.timedelta(days=self.rng.randint(-12, 5))
        self.meeting(d(42), "core")
        self.routine(d(36), birth - _dt.timedelta(days=3), visits=(8, 11), meetings=(18, 24), meeting="core",
                     calls=(10, 14), supervision=(18, 24))
        self.fam.dob = birth
        born = self.slot(add_working_days(birth, 0))
        ctx = self.ctx(born)
        weight = f"{self.rng.randint(2, 3)}.{self.rng.randint(1, 9)}kg"
        self.note(born, "telephone_call", self.current(), {
            "facts": f"Telephone call from {ctx['midwife']}, community midwife: {self.fam.child_first} "
                     f"was born on {_short_date(birth)} at the maternity unit, weighing {weight}. Mother and "
                     "baby are well and are expected to stay in for two days.",
            "source": "third_party", "provided_by": f"{ctx['midwife']}, community midwife",
            "actions": "Discharge planning meeting to be held on the ward before discharge."}, urgent=True)
        self.meeting(add_working_days(birth, 1), "discharge", urgent=True, child_there=True)
        self.phase_cp(add_working_days(birth, 2), "stay")

    def plan(self) -> None:
        j = self.journey
        start = self.referral
        if j == "cic_in":
            self.open("Children in Care", "another local authority: transfer in")
            self.phase_care(start)
            return
        if j == "leaver":
            self.open("Children in Care", "another local authority: transfer in")
            self.phase_care(start)
            return
        if j == "prebirth":
            self.referrer = "midwife"
            self.open("Assessment", "community midwife")
            self.phase_prebirth(start)
            return
        source = {"school": "school: designated safeguarding lead", "police": "police: domestic abuse "
                  "notification" if self.concerns[0] == "domestic_abuse" else "police"}.get(
            self.referrer, self.referrer)
        if j in ("eh_close", "eh_up"):
            self.open("Early Help", source)
            self.decision(start, "open_eh")
            nxt = self.phase_eh(start, "close" if j == "eh_close" else "up")
            if nxt:
                nxt = self.phase_assessment(nxt, "cin")
                if nxt:
                    self.phase_cin(nxt, "close")
            return
        self.open("Assessment", source)
        if j == "nfa":
            self.phase_assessment(start, "nfa")
            if self.rng.random() < 0.5:
                self.reopen_later()
            return
        if j in ("cin", "cin_down"):
            nxt = self.phase_assessment(start, "cin")
            nxt = self.phase_cin(nxt, "close" if j == "cin" else "down")
            if nxt:
                self.phase_eh(nxt, "close")
            return
        nxt = self.phase_assessment(start, "cp")
        if j == "cp":
            nxt = self.phase_cp(nxt, "cin")
            if nxt:
                self.phase_cin(nxt, "close")
        elif j == "cp_stay":
            self.phase_cp(nxt, "stay")
        else:
            nxt = self.phase_cp(nxt, "cic")
            if nxt:
                self.phase_care(nxt)

    def reopen_later(self) -> None:
        closing = [a for a in self.actions if a.op == "close"]
        if not closing:
            return
        day = add_working_days(closing[-1].args["closed_on"], self.rng.randint(40, 70))
        if add_working_days(day, 45) > self.cutoff:
            return
        # The manager of the team that held the case re-opens it and hands it to Assessment (the
        # access policy lets only the team holding a case record on it).
        manager = self.staff.managers[self.team]
        ctx = self.ctx(self.slot(day))
        self.add(self.record_time(_at(day, 10, 0), 0), "reopen", acting=manager.staff_id,
                 reason=f"New referral from {self.referrer_name(ctx)} on {_short_date(day)}; re-opened "
                        "for a new child and family assessment rather than opening a second record.")
        self.worker = self.new_worker("Assessment")
        self.team = "Assessment"
        self.last_allocate = self.add(self.record_time(_at(day, 10, 30), 0), "allocate", acting=manager.staff_id,
                 team="Assessment", worker=self.worker.staff_id,
                 reason="Allocated for the new assessment after re-referral.")
        self.contact(_at(day, 9, 40), "referral_accepted", self.contact_source(), "re-referral")
        self.progress = 0.2
        self.phase_assessment(add_working_days(day, 1), "eh")
