"""The plan's building blocks: actions, and the notes, calls, meetings and decisions of one child."""

from __future__ import annotations

import datetime as _dt
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from commands.demo.days import (
    END_DAY,
    LATE_AFTER,
    _age,
    _at,
    _clock_time,
    _long_date,
    _short_date,
    add_working_days,
)
from commands.demo.people import (
    _CP_CATEGORY,
    _Directory,
    _Family,
    _Person,
)
from commands.demo.phrases import PHRASES, _Context, _Writer

# --- the plan -----------------------------------------------------------------------------


@dataclass
class _Action:
    """One command to carry out at ``at`` (the recording time)."""

    at: _dt.datetime
    child: int  # -1: the staff directory
    seq: int
    op: str
    args: dict[str, Any]
    segment: int = 0
    after: int | None = None  # seq of the action this one depends on (same child)
    note: str | None = None  # the plan's key of the note created or acted on
    occurred: _dt.datetime | None = None
    also: list[int] = field(default_factory=list)  # more actions this one depends on (same child)


@dataclass
class _Runtime:
    case_id: uuid.UUID | None = None
    notes: dict[str, uuid.UUID] = field(default_factory=dict)
    records: dict[str, uuid.UUID] = field(default_factory=dict)  # milestones and casework records


#: Why a note was written up after its timescale (policy s.18), in the worker's words.
_LATE_REASONS = [
    "Written up late: I was on annual leave the following week.",
    "Recording delayed by a week in court for another family (final hearing).",
    "Late because of sickness absence; the handwritten notes were kept in the locked cabinet.",
    "Delayed: duty cover for the team for five days after a colleague left.",
    "Written up late: the interpreter's summary of the visit arrived only this week.",
    "Recording delayed by an IT outage and then a backlog of section 47 visits.",
]


class _NotePlan:
    """Plans one child's year: phases in teams, and the notes and decisions in each."""

    def __init__(self, idx: int, rng: random.Random, staff: _Directory, journey: str,
                 referral: _dt.date, family: _Family, concerns: list[str], referrer: str) -> None:
        self.idx, self.rng, self.staff, self.journey = idx, rng, staff, journey
        self.referral, self.fam, self.concerns, self.referrer = referral, family, concerns, referrer
        self.writer = _Writer(rng)
        self.actions: list[_Action] = []
        self.seq = 0
        self.segment = 0
        self.team = ""
        self.worker: _Person | None = None
        self.notes: dict[str, dict[str, Any]] = {}  # key -> plan facts about the note
        self.progress = 0.0  # 0: the start of the child's story, 1: the end of the demo year
        self.cutoff = add_working_days(END_DAY, -3)

    # --- building blocks ---------------------------------------------------------------

    def add(self, at: _dt.datetime, op: str, after: int | None = None, note: str | None = None,
            occurred: _dt.datetime | None = None, **args: Any) -> _Action:
        action = _Action(at, self.idx, self.seq, op, args, self.segment, after, note, occurred)
        self.seq += 1
        self.actions.append(action)
        return action

    def lag(self, urgent: bool = False) -> int:
        """Working days from the event to recording it: mostly 0-3, about one in eight late (6-12)."""
        r = self.rng.random()
        if r < (0.07 if urgent else 0.15):
            return self.rng.randint(6, 12)
        r = self.rng.random()
        if urgent:
            return 0 if r < 0.6 else 1
        return 0 if r < 0.2 else 1 if r < 0.6 else 2 if r < 0.8 else 3 if r < 0.93 else self.rng.randint(4, 5)

    def record_time(self, occurred: _dt.datetime, lag: int) -> _dt.datetime:
        day = add_working_days(occurred.date(), lag)
        if day == occurred.date():
            earliest = occurred + _dt.timedelta(minutes=self.rng.randint(25, 150))
            if earliest.time() >= _dt.time(16, 45):
                return self.record_time(occurred, 1)
            latest = _at(day, 16, 55)
            span = int((latest - earliest).total_seconds() // 60)
            return earliest + _dt.timedelta(minutes=self.rng.randint(0, max(span, 0)))
        return _at(day, self.rng.randint(9, 16), self.rng.randrange(0, 60, 1))

    def slot(self, day: _dt.date, after_school: bool = False) -> _dt.datetime:
        if after_school:
            return _at(day, self.rng.choice([15, 16]), self.rng.choice([30, 40, 45, 50]))
        return _at(day, self.rng.randint(9, 15), self.rng.choice([0, 10, 15, 30, 40, 45]))

    def age_on(self, day: _dt.date) -> int | None:
        if day < self.fam.dob:
            return None
        return _age(self.fam.dob, day)

    def band(self, day: _dt.date) -> str | None:
        age = self.age_on(day)
        if age is None or age < 3:
            return None
        return "little" if age <= 6 else "middle" if age <= 11 else "teen" if age <= 17 else "adult"

    def ctx(self, occurred: _dt.datetime, state: str = "", seen: bool = False) -> _Context:
        day = occurred.date()
        f = self.fam
        age = self.age_on(day)
        he, him, his = ("he", "him", "his") if f.boy else ("she", "her", "her")
        ctx = _Context({k: v for k, v in f.ctx.items() if v})
        unborn = age is None
        ctx.update(
            c=f.child_first if not unborn else "the baby", cfull=f"{f.child_first} {f.surname}",
            he=he, him=him, his=his, He=he.capitalize(), His=his.capitalize(),
            himself="himself" if f.boy else "herself",
            date=_short_date(day), day=f"{day:%A}", time=_clock_time(occurred),
            next=_long_date(add_working_days(day, self.rng.randint(8, 12))),
            past=_short_date(day - _dt.timedelta(days=self.rng.randint(4, 20))),
            att_bad=str(self.rng.randint(61, 86)), att_good=str(self.rng.randint(91, 98)),
            n=str(self.rng.randint(3, 7)), iro=self.staff.iro.full_name,
            cat=_CP_CATEGORY[self.concerns[0]],
            edd=_short_date(f.dob), weeks=str(max(12, 40 - (f.dob - day).days // 7)),
        )
        if age is not None:
            ctx["age"] = age
        team = {"Early Help": "eh", "Assessment": "assess", "Child in Need": "cin", "Child Protection": "cp",
                "Children in Care": "cic", "Care Leavers": "cl"}.get(self.team, "")
        family = {"exdad" if "ex" in f.ctx and f.ctx["ex"] == f.ctx["dad"] else "",
                  "dadhome" if ctx.get("p2rel") == "father" else ""}
        family.add("visit" if seen else "")  # fragments that need someone there in person
        ctx["tags"] = frozenset({"unborn" if unborn else "born", team, state, *self.concerns, *family} - {""})
        dad = ctx["p1rel"] == "father"  # what the child calls the parent at home
        ctx.update(mum="dad" if dad else "mum", Mum="Dad" if dad else "Mum",
                   mummy="daddy" if dad else "mummy", Mummy="Daddy" if dad else "Mummy")
        ctx["adult"] = ctx["carer"] if team == "cic" and "carer" in ctx else ctx["p1"]
        if self.worker:
            ctx.update(sw=self.worker.full_name, sw_first=self.worker.first, sw_des=self.worker.designation)
        if self.team:
            ctx["tm"] = self.staff.managers[self.team].full_name
        present = [f"{ctx['p1']} ({ctx['p1rel']})"]
        if "p2" in ctx and self.rng.random() < 0.6:
            present.append(f"{ctx['p2']} ({ctx['p2rel']})")
        if not unborn:
            present.append(ctx["c"])
        if "sib" in ctx and self.rng.random() < 0.4:
            present.append(f"{ctx['sib']} ({his} sibling)")
        ctx["present"] = ", ".join(present[:-1]) + " and " + present[-1] if len(present) > 1 else present[0]
        return ctx

    def state(self) -> str:
        """"bad" or "good": how things are for the child now, along the journey's arc."""
        arcs = {"cic": 0.25, "cp_stay": 0.35, "eh_up": 0.3, "cic_in": 0.55, "leaver": 0.55}
        base = arcs.get(self.journey, 0.15)
        return "good" if self.rng.random() < base + 0.7 * self.progress else "bad"

    def place(self, day: _dt.date | None = None) -> str:
        if day is not None and self.age_on(day) is None:
            return "prebirth"
        return {"Children in Care": "care", "Care Leavers": "leaving"}.get(self.team, self.concerns[0])

    # --- notes -------------------------------------------------------------------------

    def note(self, occurred: _dt.datetime, kind: str, author: _Person, content: dict[str, Any], *,
             urgent: bool = False, lag: int | None = None) -> str | None:
        """Plan a note; most are recorded and finalised at once, some drafted and finalised later."""
        if occurred.date() > self.cutoff:
            return None
        key = f"n{len(self.notes)}"
        lag = self.lag(urgent) if lag is None else lag
        self.progress = min(1.0, max(self.progress, (occurred.date() - self.referral).days / 330))
        entry = {"occurred": occurred, "kind": kind, "author": author, "content": content,
                 "segment": self.segment, "drafted": False}
        if lag > LATE_AFTER and self.rng.random() < 0.45:
            early = self.record_time(occurred, self.rng.randint(0, 2))
            later = self.record_time(occurred, lag)
            draft = content
            if content.get("analysis"):  # the analysis is written up later, before finalising
                draft = {k: v for k, v in content.items() if k != "analysis"}
            a = self.add(early, "note", note=key, occurred=occurred, acting=author.staff_id, kind=kind,
                         content=draft, finalise=False)
            if draft is not content:
                mid = self.record_time(occurred, max(1, lag - self.rng.randint(1, 3)))
                changes = {"analysis": content["analysis"]}
                if self.rng.random() < 0.6:
                    changes["late_reason"] = self.rng.choice(_LATE_REASONS)
                    content = entry["content"] = {**content, "late_reason": changes["late_reason"]}
                a = self.add(max(mid, early + _dt.timedelta(minutes=5)), "revise", after=a.seq, note=key,
                             acting=author.staff_id, changes=changes)
            self.add(later, "finalise", after=a.seq, note=key, acting=author.staff_id)
            entry.update(drafted=True, final_at=later)
        elif "edt" in author.roles:
            # EDT records on the night, out of hours, when the access policy lets EDT record at all.
            at = occurred + _dt.timedelta(minutes=self.rng.randint(20, 50))
            self.add(at, "note", note=key, occurred=occurred, acting=author.staff_id, kind=kind,
                     content=content, finalise=True, out_of_hours=True)
            entry["final_at"] = at
        else:
            at = self.record_time(occurred, lag)
            if lag > LATE_AFTER and self.rng.random() < 0.75:
                content = {**content, "late_reason": self.rng.choice(_LATE_REASONS)}
                entry["content"] = content
            self.add(at, "note", note=key, occurred=occurred, acting=author.staff_id, kind=kind,
                     content=content, finalise=True)
            entry["final_at"] = at
        self.notes[key] = entry
        return key

    def interpreter(self, ctx: _Context, setting: str = "contracted") -> dict[str, str] | None:
        """Pick an interpreter for a conversation with the parent, and say so in the facts.

        ``setting``: "contracted" (a visit), "phone" or "meeting"; a family member stands in now and
        then at a visit, when the booked interpreter does not come.
        """
        if not self.fam.needs_interpreter:
            return None
        name, kind, org = self.fam.interpreters[0 if self.rng.random() < 0.55 else 1]
        if setting == "contracted" and self.rng.random() < 0.12:
            name, kind, org = self.fam.interpreters[-1]  # a family member, when the interpreter did not come
        elif setting != "phone" and len(self.fam.interpreters) > 3 and self.rng.random() < 0.1:
            name, kind, org = self.fam.interpreters[2]  # a member of staff who speaks the language
        ctx.update(lang=self.fam.language or "", interp=name, interp_org=org, interp_rel=org)
        sections = {"family_member": "interp.family", "staff_member": "interp.staff"}
        section = sections.get(kind, f"interp.{setting}")
        ctx["interp_line"] = self.writer.one(section, ctx)
        label = f"{name}, {ctx['p1']}'s {org}" if kind == "family_member" else f"{name} ({org})"
        return {"name": label, "kind": kind}

    def views(self, ctx: _Context, day: _dt.date, topic: str, state: str) -> str:
        band = self.band(day)
        if band is None:
            return ""
        picks = self.writer.some(f"{topic}.v.{band}.{state}", ctx, 1)
        if self.rng.random() < 0.5 or not picks:
            picks += self.writer.some(f"v.{band}", ctx, 1)
        return " ".join(f'"{p}"' for p in picks)

    def visit(self, day: _dt.date, kind: str = "home_visit", *, urgent: bool = False,
              author: _Person | None = None) -> str | None:
        age = self.age_on(day)
        school_age = age is not None and 5 <= age <= 17
        after_school = kind == "home_visit" and school_age and self.rng.random() < 0.4
        occurred = self.slot(day, after_school=after_school)
        state, topic = self.state(), self.place(day)
        ctx = self.ctx(occurred, state, seen=True)
        if kind == "other" and not self.writer.options("open.school", ctx):
            kind = "home_visit"
        interp = self.interpreter(ctx) if kind != "other" and topic not in ("care", "leaving") else None
        if topic == "care":
            opening = (f"Statutory visit to {ctx['c']} at {ctx['carer']}'s home in {ctx['area']}. "
                       f"Present: {ctx['c']} and {ctx['carer']}.")
        elif topic == "leaving":
            opening = self.writer.one("seen.alone.adult", ctx)
        elif kind == "office_visit":
            opening = self.writer.one("open.office", ctx)
        elif kind == "other":
            opening = self.writer.one("open.school", ctx) or self.writer.one("open.home", ctx)
        else:
            section = "open.unannounced" if self.rng.random() < 0.3 else "open.home"
            opening = self.writer.one(section, ctx)
        facts = [opening]
        if interp:
            facts.append(ctx["interp_line"])
        facts += self.writer.some(f"{topic}.{state}", ctx, 1 + (self.rng.random() < 0.5))
        if len(self.concerns) > 1 and topic == self.concerns[0] and self.rng.random() < 0.4:
            facts += self.writer.some(f"{self.concerns[1]}.{state}", ctx, 1)
        band = self.band(day)
        if band and (state == "good" or self.rng.random() < 0.3):
            facts += self.writer.some(f"ach.{band}", ctx, 1)
        seen = age is not None
        alone = bool(band) and (age or 0) >= 4 and (topic == "leaving" or self.rng.random() < 0.7)
        if age is not None and age < 3:
            facts.append(self.writer.one("seen.baby", ctx) or self.writer.one("seen.together", ctx))
        elif topic == "leaving":
            pass
        elif alone and band:
            facts.append(self.writer.one(f"seen.alone.{band}", ctx))
        elif seen and topic != "leaving":
            facts.append(self.writer.one("seen.together", ctx))
        analysis = self.writer.some(f"{topic}.an_{state}", ctx, 1)
        if self.rng.random() < 0.35:
            analysis += self.writer.some("an.general", ctx, 1)
        if interp and interp["kind"] == "family_member":
            analysis.append(f"Using {ctx['p1']}'s {ctx['interp_rel']} to interpret was not ideal: "
                            "I cannot be sure everything was passed on accurately, and it limits what "
                            f"{ctx['p1']} may feel able to say. A contracted interpreter will be booked.")
        actions = self.writer.some(f"{topic}.act", ctx, 1 + (self.rng.random() < 0.6))
        actions += self.writer.some("act.general", ctx, 1)
        content = {
            "facts": " ".join(t for t in facts if t), "analysis": " ".join(analysis),
            "actions": " ".join(actions), "child_seen": seen, "child_seen_alone": alone and seen,
            "child_views": self.views(ctx, day, topic, state) if seen else "",
            "interpreter": interp,
        }
        return self.note(occurred, kind, author or self.current(), content, urgent=urgent)

    def call(self, day: _dt.date, *, urgent: bool = False) -> str | None:
        """A telephone call or email: third-party information from a professional, or the parent."""
        occurred = self.slot(day)
        state, topic = self.state(), self.place(day)
        ctx = self.ctx(occurred, state)
        providers = [p for p in _PROVIDERS if self.writer.options(f"{topic}.tp_{state}", ctx, p)
                     and _fits(_PROVIDERS[p], ctx)]
        if providers and self.rng.random() < 0.75:
            provider = self.rng.choice(providers)
            who, intro = (t.format_map(ctx) for t in _PROVIDERS[provider])
            email = self.rng.random() < 0.2
            if email:
                intro = intro.replace("Telephone call from", "Email from")
            facts = [intro, self.writer.one(f"{topic}.tp_{state}", ctx, provider)]
            analysis = self.writer.some(f"{topic}.an_{state}", ctx, 1) if self.rng.random() < 0.6 else []
            actions = self.writer.some(f"{topic}.act", ctx, 1)
            content: dict[str, Any] = {"facts": " ".join(facts), "analysis": " ".join(analysis),
                       "actions": " ".join(actions), "source": "third_party", "provided_by": who}
            return self.note(occurred, "email" if email else "telephone_call", self.current(), content,
                             urgent=urgent)
        interp = self.interpreter(ctx, "phone") if topic not in ("care", "leaving") else None
        facts = [self.writer.one("call.parent", ctx) if topic != "leaving"
                 else f"Telephone call with {ctx['c']}."]
        if interp:
            facts.append(ctx["interp_line"])
        facts += self.writer.some(f"{topic}.{state}", ctx, 1)
        content = {"facts": " ".join(facts), "actions": " ".join(self.writer.some(f"{topic}.act", ctx, 1)),
                   "interpreter": interp}
        if topic == "leaving":
            content.update(child_seen=False, child_views=self.views(ctx, day, topic, state))
        return self.note(occurred, "telephone_call", self.current(), content, urgent=urgent)

    def meeting(self, day: _dt.date, section: str, *, extra: str = "", author: _Person | None = None,
                urgent: bool = False, child_there: bool = False, outcome: str = "",
                kind: str = "meeting") -> str | None:
        occurred = _at(day, self.rng.choice([10, 11, 13, 14]), self.rng.choice([0, 30]))
        state, topic = self.state(), self.place(day)
        ctx = self.ctx(occurred, state, seen=True)
        interp = self.interpreter(ctx, "meeting") if topic not in ("care", "leaving", "prebirth") else None
        facts = [self.writer.one(f"{section}.facts", ctx)]
        if interp:
            facts.append(ctx["interp_line"])
        facts += self.writer.some(f"{topic}.{state}", ctx, 1)
        facts += self.writer.some(f"{topic}.tp_{state}", ctx, 1)
        if extra:
            facts.append(self.writer.one(extra, ctx))
        if section not in ("lac", "pep", "pathway", "famtime") and self.rng.random() < 0.7:
            facts.append(self.writer.one("parent.views", ctx))
        if outcome:
            facts.append(self.writer.one(outcome, ctx))
        views = self.views(ctx, day, topic, state) if (child_there or self.rng.random() < 0.5) else ""
        if views and not child_there:
            facts.append(f"I shared {ctx['c']}'s views, given to me at my last visit, with the meeting.")
        analysis = self.writer.some(f"{topic}.an_{state}", ctx, 1)
        own_actions = f"{section}.act" in PHRASES
        actions = self.writer.some(f"{section}.act" if own_actions else f"{topic}.act", ctx, 2)
        content = {"facts": " ".join(t for t in facts if t), "analysis": " ".join(analysis),
                   "actions": " ".join(actions), "child_seen": child_there and self.age_on(day) is not None,
                   "child_views": views, "interpreter": interp}
        key = self.note(occurred, kind, author or self.current(), content, urgent=urgent)
        if key is not None:
            self.on_meeting(section, occurred, key)
        return key

    def on_meeting(self, section: str, occurred: _dt.datetime, key: str) -> None:
        """A meeting was planned (its note ``key``): the process layer records its milestones."""

    def decision(self, day: _dt.date, key: str, *, by: _Person | None = None, kind: str = "management",
                 at: _dt.datetime | None = None, state: str = "") -> None:
        occurred = at or _at(day, self.rng.randint(9, 16), self.rng.choice([0, 15, 30, 45]))
        if occurred.date() > self.cutoff:
            return
        state = state or self.state()
        ctx = self.ctx(occurred, state)
        ctx["due"] = _long_date(add_working_days(self.referral, 45))
        manager = by or self.staff.managers[self.team]
        if kind == "supervision":
            decision = self.writer.one("sdec.decision", ctx)
            reasons = " ".join(self.writer.some("sdec.reasons", ctx, 1) + self.writer.some(
                f"sup.an.{state}", ctx, 1))
            options = self.writer.some("sdec.options", ctx, 2)
        else:
            decision = self.writer.one(f"dec.{key}.decision", ctx)
            reasons = " ".join(self.writer.some(f"dec.{key}.reasons", ctx, 2))
            options = self.writer.some(f"dec.{key}.options", ctx, 2)
        risks = " ".join(self.writer.some(f"{self.place(occurred.date())}.risk", ctx, 2)) or \
            f"The risks to {ctx['c']} set out in the assessment."
        opts = [dict(zip(("option", "why_not"), (s.strip() for s in o.split("||")), strict=True))
                for o in options]
        lag = self.rng.choice([0, 0, 1, 1, 2, 3])
        args: dict[str, Any] = dict(acting=manager.staff_id, kind=kind, decision=decision, reasons=reasons,
                                    risks_considered=risks, options_not_chosen=opts, occurred_at=occurred)
        if kind == "supervision":
            args["supervisee"] = self.current().staff_id
        self.add(self.record_time(occurred, lag), "decision", **args)

    def supervision(self, day: _dt.date) -> None:
        occurred = _at(day, self.rng.choice([10, 11, 14, 15]), self.rng.choice([0, 30]))
        if occurred.date() > self.cutoff:
            return
        manager = self.staff.managers[self.team]
        state = self.state()
        ctx = self.ctx(occurred, state)
        topic = self.place(day)
        facts = [self.writer.one("sup.facts", ctx)] + self.writer.some("sup.progress", ctx, 2)
        if self.rng.random() < 0.15:
            facts.append(self.writer.one("sup.late", ctx))
        content = {"facts": " ".join(facts), "analysis": self.writer.one(f"sup.an.{state}", ctx),
                   "actions": " ".join(self.writer.some(f"{topic}.act", ctx, 2))}
        self.note(occurred, "supervision", manager, content)
        self.decision(day, "", kind="supervision", at=occurred, state=state)

    def new_worker(self, team: str) -> _Person:
        return self.rng.choice([w for w in self.staff.workers[team] if w is not self.worker])

    def current(self) -> _Person:
        assert self.worker is not None
        return self.worker


_PROVIDERS = {
    "school": ("{dsl}, {dsl_role}, {school}", "Telephone call from {dsl}, {dsl_role} at {school}."),
    "hv": ("{hv}, health visitor", "Telephone call from {hv}, health visitor."),
    "gp": ("{gpname}, GP, {gp}", "Telephone call from {gpname} at {gp}."),
    "police": ("{police}, {police_unit}", "Telephone call from {police} of the {police_unit}."),
    "idva": ("{idva}, independent domestic violence adviser (IDVA)",
             "Telephone call from {idva}, independent domestic violence adviser."),
    "dao": ("{dao}, recovery worker, drug and alcohol service",
            "Telephone call from {dao}, {p1}'s recovery worker at the drug and alcohol service."),
    "cc": ("{cc}, care coordinator, community mental health team",
           "Telephone call from {cc}, {p1}'s care coordinator in the community mental health team."),
    "hso": ("{hso}, housing officer", "Telephone call from {hso}, housing officer."),
    "carer": ("{carer}, {carer_word}", "Telephone call from {carer}, {c}'s {carer_word}."),
    "college": ("{dsl}, {dsl_role}, {college}", "Telephone call from {dsl}, {dsl_role} at {college}."),
    "sup": ("{sup_full}, {c}'s {sup_rel}", "Telephone call from {sup_full}, {c}'s {sup_rel}."),
    "midwife": ("{midwife}, community midwife", "Telephone call from {midwife}, community midwife."),
}


def _fits(templates: Sequence[str], ctx: _Context) -> bool:
    try:
        for t in templates:
            t.format_map(ctx)
    except KeyError:
        return False
    return True
