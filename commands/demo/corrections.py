"""Corrections: amendments and deletions of notes, with reasons."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

from commands.demo.days import (
    END_DAY,
    _long_date,
    _short_date,
    add_working_days,
)
from commands.demo.people import (
    _COLLEGE,
    _NURSERY,
    _PRIMARY,
    _SECONDARY,
    _Person,
)
from commands.demo.phases import _PhasePlan


class _CorrectionPlan(_PhasePlan):
    """Corrections: amendments and deletions with reasons."""

    # --- corrections: amendments, deletions -------------------------------------------

    def finished_notes(self, lo_days: int = 10) -> list[str]:
        """Notes finalised well before the end of the demo year (room for a correction after)."""
        last = add_working_days(END_DAY, -lo_days)
        return [k for k, n in self.notes.items() if n["final_at"].date() <= last]

    def amend(self) -> bool:
        """Plan one amendment of a finalised note: the note is first recorded with the slip in it."""
        candidates = self.finished_notes(25)
        self.rng.shuffle(candidates)
        kinds = ["views", "interpreter", "school", "date", "neighbour"]
        self.rng.shuffle(kinds)
        for kind in kinds:
            for key in candidates:
                planned = self.amendment(kind, key)
                if planned is None:
                    continue
                original, changes, reason, by_manager = planned
                n = self.notes[key]
                self.replace_content(key, original)
                when = self.record_time(n["final_at"], self.rng.randint(2, 12))
                amender: _Person = n["author"]
                if by_manager or self.rng.random() < 0.2:
                    amender = self.staff.managers[self.team_at(when)]
                    if not by_manager:
                        reason = ("Team manager's amendment after case file audit: "
                                  f"{reason[0].lower()}{reason[1:]}")
                after = max(a.seq for a in self.actions if a.note == key)
                self.add(when, "amend", after=after, note=key, segment_of=key, acting=amender.staff_id,
                         reason=reason, changes=changes)
                n["amended"] = True
                return True
        return False

    def amendment(self, kind: str, key: str) -> tuple[dict[str, Any], dict[str, Any], str, bool] | None:
        """(the note as first written, the correction, the reason, made by a manager?) or None."""
        n = self.notes[key]
        c = n["content"]
        ctx = self.ctx(n["occurred"])
        original = dict(c)
        if kind == "views" and c.get("child_views") and c.get("child_seen_alone"):
            original["child_views"] = ""
            return original, {"child_views": c["child_views"]}, (
                f"Added {ctx['c']}'s views, which I wrote down at the visit but left out of this note "
                "in error."), False
        if kind == "interpreter" and c.get("interpreter"):
            original["interpreter"] = None
            return original, {"interpreter": c["interpreter"]}, (
                "Added the interpreter's name and service, which were left out in error (policy s.7)."), False
        if kind == "school" and "school" in ctx and ctx["school"] in c.get("facts", ""):
            same_kind = next(k for k in (_PRIMARY, _SECONDARY, _NURSERY, _COLLEGE) if ctx["school"] in k)
            wrong = self.rng.choice([s for s in same_kind if s != ctx["school"]])
            original["facts"] = c["facts"].replace(ctx["school"], wrong)
            return original, {"facts": c["facts"]}, (
                f"Corrected the name of the school: {ctx['c']} attends {ctx['school']}, not {wrong}."), False
        if kind == "date" and c.get("actions") and n["kind"] in ("home_visit", "office_visit"):
            right = _long_date(add_working_days(n["occurred"].date(), 10))
            typo = _long_date(add_working_days(n["occurred"].date(), 10) - _dt.timedelta(days=7))
            original["actions"] = f"{c['actions']} Next visit booked for {typo}."
            changes = {"actions": f"{c['actions']} Next visit booked for {right}."}
            n["content"] = {**c, **changes}
            reason = f"Corrected the date of the next visit: it is {right}, not {typo} as first typed."
            return original, changes, reason, False
        if kind == "neighbour" and c.get("provided_by", "").startswith("a neighbour, "):
            withheld = "a neighbour (name withheld at their request)"
            changes = {"provided_by": withheld, "facts": c["facts"].replace(c["provided_by"], withheld)}
            return original, changes, ("The neighbour asked not to be named to the family; their name is "
                                       "removed from the note and kept on the contact record only "
                                       "(policy s.7)."), True
        return None

    def replace_content(self, key: str, original: dict[str, Any]) -> None:
        for a in self.actions:
            if a.note == key and a.op == "note":
                if a.args["content"].get("analysis") is None and "analysis" in original:
                    original = {k: v for k, v in original.items() if k != "analysis"}
                a.args["content"] = original

    def delete(self, others: Sequence[_CorrectionPlan], style: str) -> bool:
        candidates = [k for k in self.finished_notes(20) if not self.notes[k].get("amended")]
        if not candidates:
            return False
        base = self.notes[self.rng.choice(candidates)]
        segment = base["segment"]
        manager = self.staff.managers[self.team_at(base["occurred"])]
        other = [o for o in others if o is not self and o.fam.surname != self.fam.surname]
        if style == "wrong_child" and not other:
            style = "duplicate"
        occurred = base["occurred"]
        author: _Person = base["author"]
        first = next(a for a in self.actions if a.note is not None and self.notes.get(a.note) is base)
        if style == "duplicate":
            content, final = base["content"], True
            at = first.at + _dt.timedelta(minutes=self.rng.randint(1, 4))
            what = base["kind"].replace("_", " ")
            reason = (f"Duplicate entry: the {what} of {_short_date(occurred.date())} "
                      "was saved twice after the system timed out; the first entry is kept.")
        elif style == "wrong_child":
            stranger = self.rng.choice(other)
            state = stranger.state()
            ctx = stranger.ctx(occurred, state, seen=True)
            facts = [self.writer.one("open.home", ctx)]
            facts += stranger.writer.some(f"{stranger.place()}.{state}", ctx, 2)
            content = {"facts": " ".join(facts), "actions": stranger.writer.one("act.general", ctx)}
            final = True
            at = self.record_time(occurred, self.rng.randint(0, 2))
            reason = ("Recorded on the wrong child's file in error: this note is about a different family. "
                      "It has been re-recorded on the correct child's record.")
        else:
            content = {"facts": "Note started in error."}
            final = False
            at = self.record_time(occurred, 0)
            reason = ("Draft started in error during refresher training on the recording screens; it records "
                      "no contact with the family.")
        self.segment, saved = segment, self.segment
        key = f"n{len(self.notes)}"
        a = self.add(at, "note", note=key, occurred=occurred, acting=author.staff_id, kind=base["kind"],
                     content=content, finalise=final)
        self.notes[key] = {"occurred": occurred, "kind": base["kind"], "author": author, "content": content,
                           "segment": segment, "final_at": at, "deleted": True, "drafted": not final}
        self.add(self.record_time(at, self.rng.randint(1, 6)), "delete", after=a.seq, note=key,
                 acting=manager.staff_id, reason=reason)
        self.segment = saved
        return True

    def team_at(self, when: _dt.datetime) -> str:
        """The team holding the case at ``when`` (by the plan's recording times)."""
        team = str(self.actions[0].args["team"])
        for a in self.actions:
            if a.op == "allocate" and a.at <= when:
                team = str(a.args["team"])
        return team
