"""Carrying out the plan: the borough's timeline, the ledger's clock and ids, the summary."""

from __future__ import annotations

import datetime as _dt
import hashlib
import random
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from eventsourcing.application import LRUCache

from commands.demo.access import AccessStory, carry_out_access
from commands.demo.days import (
    CASEWORK_END,
    END_DAY,
    LATE_AFTER,
    START_DAY,
    _age,
    _at,
    _in_hours,
    add_working_days,
    working_days_between,
)
from commands.demo.notes import _Action, _Runtime
from commands.demo.people import (
    _CONCERNS_FOR,
    _JOURNEY_LENGTH,
    _JOURNEY_PATTERN,
    _REFERRERS,
    _Directory,
    _family,
    _staff_directory,
)
from commands.demo.process import chain_milestones
from commands.demo.records import _ChildPlan
from commands.demo.summary import DemoSummary
from ledger.access.policy import Action, Part, decide
from ledger.application import LONDON, CaseLedger
from ledger.errors import RuleViolation
from ledger.records.staff import Role
from ledger.records.timescales import due_by
from projections.access_report import staff_report
from projections.compliance import MILESTONE_RULES

#: The password every demo staff member signs in to the web console with.
DEMO_PASSWORD = "demo"

# --- carrying out the plan ----------------------------------------------------------------


class _DemoClock:
    """The ledger's clock during the demo: set by hand before each action."""

    def __init__(self, now: _dt.datetime) -> None:
        self.now = now

    def __call__(self) -> _dt.datetime:
        return self.now


def _schedule(plan: _ChildPlan) -> list[_Action]:
    """Make one child's actions consistent in time, then drop what falls after the demo year.

    Everything is recorded after the case is opened and after what it depends on; a closure comes
    after everything before it (no drafts left open), a re-opening after the closure.
    """
    actions = sorted(plan.actions, key=lambda a: a.seq)
    by_seq = {a.seq: a for a in actions}
    note_segment = {k: n["segment"] for k, n in plan.notes.items()}
    for a in actions:
        if "segment_of" in a.args:
            a.segment = note_segment[a.args.pop("segment_of")]
    chain_milestones(actions)
    floor = actions[0].at
    out: list[_Action] = []
    settled: set[int] = set()

    def settle(a: _Action, segment: int, floor: _dt.datetime) -> None:
        """After the segment's start and after what it depends on (settled first)."""
        if a.seq in settled:
            return
        settled.add(a.seq)
        if a is not actions[0]:
            a.at = max(a.at, floor + _dt.timedelta(minutes=1))
        for seq in (a.after, *a.also):
            if seq is None:
                continue
            dep = by_seq[seq]
            if dep.segment > segment:
                raise AssertionError(f"demo plan: {a.op} in segment {segment} waits for {dep.op} in a later one")
            if dep.segment == segment:
                settle(dep, segment, floor)
            a.at = max(a.at, dep.at + _dt.timedelta(minutes=1))
        if not a.args.get("out_of_hours"):  # EDT records out of hours; everyone else in office hours
            a.at = _in_hours(a.at)

    for segment in sorted({a.segment for a in actions}):
        members = [a for a in actions if a.segment == segment]
        reopen = [a for a in members if a.op == "reopen"]
        for a in reopen:
            a.at = _in_hours(max(a.at, floor + _dt.timedelta(minutes=1)))
            floor = a.at
        for a in members:
            if a.op not in ("close", "reopen"):
                settle(a, segment, floor)
        for a in members:
            if a.op == "close":
                last = max((m.at for m in members if m.op not in ("close", "reopen")), default=floor)
                a.at = _in_hours(max(a.at, last + _dt.timedelta(minutes=10)))
                a.args["closed_on"] = min(a.args["closed_on"], a.at.date())
                floor = a.at
        out += members
    _finish_drafts_before_moves(out)
    kept = [a for a in out if a.at <= CASEWORK_END]
    closes = [a for a in out if a.op == "close" and a.at > CASEWORK_END]
    if closes:  # a closure that did not happen: nothing after it happens either
        kept = [a for a in kept if a.segment < closes[0].segment or
                (a.segment == closes[0].segment and a.op != "close")]
    return kept


def _finish_drafts_before_moves(actions: list[_Action]) -> None:
    """A worker finishes their drafts before the case moves on: only the author may revise or
    finalise a draft (the case rules), and after a re-allocation to another team the author may no
    longer open the record. So a revision or finalisation planned after a move is brought
    forward to just before it (the lateness it was planned with, and its reason, are lost)."""
    moves = sorted(a.at for a in actions if a.op == "allocate")
    drafted = {a.note: a.at for a in actions if a.op == "note" and not a.args["finalise"]}
    follow = sorted((a for a in actions if a.op in ("revise", "finalise") and a.note in drafted),
                    key=lambda a: (a.at, a.op != "revise"))
    for a in follow:
        start = drafted[a.note]
        move = next((m for m in moves if start < m < a.at), None)
        if move is None:
            continue
        a.at = max(move - _dt.timedelta(minutes=2 if a.op == "revise" else 1), start + _dt.timedelta(seconds=20))
        if a.op == "revise":
            start = a.at
            a.args["changes"].pop("late_reason", None)  # no longer late: no reason for lateness


def _journeys(rng: random.Random, children: int) -> list[str]:
    pattern = (_JOURNEY_PATTERN * (children // len(_JOURNEY_PATTERN) + 1))[:children]
    rng.shuffle(pattern)
    return pattern


def _plan_borough(rng: random.Random, staff: _Directory, children: int) -> list[_ChildPlan]:
    journeys = _journeys(rng, children)
    interpreted = set(rng.sample(range(children), max(1, round(children * 0.14))))
    year = working_days_between(START_DAY, END_DAY)
    plans: list[_ChildPlan] = []
    for i, journey in enumerate(journeys):
        room = max(0, year - _JOURNEY_LENGTH[journey] - 10)
        offset = min(int(rng.triangular(0, room, 0)), room) if room else 0
        referral = add_working_days(START_DAY, offset + 1)
        family = _family(rng, journey, referral, i in interpreted)
        concerns = rng.sample(_CONCERNS_FOR[journey], min(2, len(_CONCERNS_FOR[journey])))
        age = _age(family.dob, referral) if not family.expected else 0
        if "attendance" in concerns and not 5 <= age <= 16:
            concerns = [c for c in concerns if c != "attendance"] or ["neglect"]
        if "domestic_abuse" in concerns and "ex" not in family.ctx:
            concerns = [c for c in concerns if c != "domestic_abuse"] or ["neglect"]
        referrer = rng.choice(_REFERRERS[concerns[0]])
        if referrer == "health visitor" and "hv" not in family.ctx:
            referrer = "GP"
        if referrer == "school" and "school" not in family.ctx:
            referrer = "family member"
        plans.append(_ChildPlan(i, rng, staff, journey, referral, family, concerns, referrer))
    # One child (two in a big borough) goes to court; one child in need is privately fostered.
    court = [p for p in plans if p.journey == "cic"][:1 + (children >= 60)]
    for p in court:
        p.proceedings = True
    fostered = [p for p in plans if p.journey in ("cin", "cin_down") and 6 <= _age(p.fam.dob, p.referral) <= 14]
    if fostered:
        fostered[0].private_fostering = True
    for p in plans:
        p.plan()
    _authorise_one_on_the_wrong_date(rng, plans)
    # Corrections, spread over the borough: about one child in four has an amendment, one in
    # eight a deleted note; at least one of each.
    order = list(range(children))
    rng.shuffle(order)
    for n, i in enumerate(order):
        if n < max(1, round(children * 0.25)):
            plans[i].amend()
    rng.shuffle(order)
    for n, i in enumerate(order):
        if n < max(1, round(children * 0.12)):
            plans[i].delete(plans, ("duplicate", "wrong_child", "draft")[n % 3])
    # Casework records; one case transfer audit; a parent's correction request on one or two.
    auditor = next(m for m in staff.everyone if m.designation == "Quality Assurance Auditor")
    movers = [i for i, p in enumerate(plans) if any(m.args["kind"] == "case_transfer" for m in p.milestones)]
    audited = rng.choice(movers) if movers else -1
    for i, p in enumerate(plans):
        p.casework(auditor, i == audited)
    rng.shuffle(order)
    wanted = 1 + (children >= 20)
    for i in order:
        if wanted and plans[i].correction_request():
            wanted -= 1
    return plans


def _authorise_one_on_the_wrong_date(rng: random.Random, plans: list[_ChildPlan]) -> None:
    """A manager authorises an assessment and types the date it was completed, not today's."""
    candidates = []
    for p in plans:
        ms = p.milestones
        for i, a in enumerate(ms):
            if a.args["kind"] == "cf_assessment_authorised" and a.occurred is not None:
                done = next(m for m in reversed(ms[:i]) if m.args["kind"] == "cf_assessment_completed")
                if done.occurred is not None and working_days_between(done.occurred.date(),
                                                                      a.occurred.date()) >= 3:
                    candidates.append((p, a, done.occurred))
    if not candidates:
        return
    p, a, completed = rng.choice(candidates)
    a.occurred = completed + _dt.timedelta(minutes=45)
    a.args["key"] = "wrongly_authorised"
    p.wrong_authorisation = True


def build_demo(ledger: CaseLedger, *, children: int = 50, seed: int = 1,
               progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Fill an empty ledger with a synthetic borough (see the module docstring).

    Raises :class:`~ledger.errors.RuleViolation` if the ledger already holds events. The same
    ``seed`` and ``children`` always give the same events, byte for byte.
    """
    existing = ledger.integrity.event_count()
    if existing:
        raise RuleViolation(
            f"the demo fills an empty ledger, but {ledger.backend.display} already holds {existing} "
            f"event{'s' if existing != 1 else ''}; use a new SQLite file or an empty PostgreSQL database "
            "or schema"
        )
    if children < 1:
        raise RuleViolation(f"the demo needs at least one child; got children={children}")
    rng = random.Random(seed)
    ids = random.Random(rng.getrandbits(64))
    staff = _staff_directory(rng)
    plans = _plan_borough(rng, staff, children)

    actions: list[_Action] = []
    for i, member in enumerate(staff.everyone):
        actions.append(_Action(_at(START_DAY, 9, i), -1, i, "staff", {
            "acting": None if member is staff.admin else staff.admin.staff_id, "staff_id": member.staff_id,
            "full_name": member.full_name, "designation": member.designation, "team": member.team,
            "roles": member.roles}))
    for plan in plans:
        actions += _schedule(plan)
    actions.sort(key=lambda a: (a.at, a.child, a.seq))

    clock = _DemoClock(actions[0].at)
    repo = ledger.repository
    saved = ledger.clock, ledger.new_id, repo.cache, repo.fastforward, repo.deepcopy_from_cache
    ledger.clock = clock
    ledger.new_id = lambda: uuid.UUID(int=ids.getrandbits(128), version=4)
    # Speed, for the build only: keep the aggregates just saved in memory instead of replaying
    # each case record from the store before every action. The demo is the only writer, and a
    # failed command ends the build, so no copy is needed. What is stored is the same.
    repo.cache, repo.fastforward, repo.deepcopy_from_cache = LRUCache(maxsize=500), False, False
    runtime = [_Runtime() for _ in plans]
    tally: dict[str, int] = {}
    late = interpreted = late_m = late_reasons = 0
    kinds: Counter[tuple[str, str]] = Counter()
    occurred: dict[tuple[int, str], _dt.datetime] = {}
    flagged: dict[str, uuid.UUID | None] = {}
    try:
        for done, a in enumerate(actions, 1):
            clock.now = a.at
            _carry_out(ledger, a, runtime[a.child] if a.child >= 0 else None)
            tally[a.op] = tally.get(a.op, 0) + 1
            if a.op == "note":
                occurred[(a.child, a.note or "")] = a.occurred or a.at
                if a.args["content"].get("interpreter"):
                    interpreted += 1
                    flagged.setdefault("interpreter", runtime[a.child].case_id)
            if (a.op == "note" and a.args["finalise"]) or a.op == "finalise":
                when = occurred[(a.child, a.note or "")]
                late += working_days_between(when.date(), a.at.date()) > LATE_AFTER
            if a.op in ("milestone", "casework", "update"):
                kinds[(a.op, str(a.args.get("kind") or a.args.get("action")))] += 1
                flag = _EXAMPLES.get(a.args.get("kind") or "")
                if flag:
                    flagged.setdefault(flag, runtime[a.child].case_id)
                if a.op == "milestone" and a.occurred is not None:
                    late_m += a.at > due_by(MILESTONE_RULES[a.args["kind"]], a.occurred) \
                        if a.args["kind"] in MILESTONE_RULES else 0
            if a.op in ("note", "revise") and (a.args.get("content") or a.args.get("changes", {})).get("late_reason"):
                late_reasons += 1
            if a.op in ("delete", "amend", "close") and a.child >= 0:
                flagged.setdefault(a.op, runtime[a.child].case_id)
            if progress is not None:
                progress(done, len(actions))
        # Restricted records and access attempts, on the last afternoon (commands/demo/access.py).
        story = carry_out_access(ledger, staff, [rt.case_id for rt in runtime if rt.case_id is not None],
                                 actions[-1].at, lambda moment: setattr(clock, "now", moment))
        flagged_attempts = _flagged_since(ledger, story)
    finally:
        ledger.clock, ledger.new_id, repo.cache, repo.fastforward, repo.deepcopy_from_cache = saved

    per_child = Counter(a.child for a in actions if a.child >= 0)
    richest = max(range(len(plans)), key=lambda i: (per_child[i], -i))
    prebirth = next((runtime[i].case_id for i, p in enumerate(plans) if p.journey == "prebirth"), None)
    return DemoSummary(
        staff=len(staff.everyone), children=children, events=ledger.integrity.event_count(),
        notes=tally.get("note", 0), decisions=tally.get("decision", 0), deletions=tally.get("delete", 0),
        amendments=tally.get("amend", 0), late_notes=late, closures=tally.get("close", 0),
        reallocations=tally.get("allocate", 0), interpreted_notes=interpreted,
        example_rich_case=runtime[richest].case_id,
        example_deleted_note_case=flagged.get("delete"), example_amended_case=flagged.get("amend"),
        example_interpreter_case=flagged.get("interpreter"), example_prebirth_case=prebirth,
        example_closed_case=flagged.get("close"),
        milestones=sum(n for (op, _), n in kinds.items() if op == "milestone"),
        milestone_kinds=sum(1 for op, _ in kinds if op == "milestone"), late_milestones=late_m,
        case_transfers=kinds[("milestone", "case_transfer")], hazards=kinds[("casework", "hazard")],
        hazard_reviews=kinds[("update", "review")], mappa_alerts=kinds[("casework", "mappa_alert")],
        case_summaries=kinds[("casework", "case_summary")],
        chronology_entries=kinds[("casework", "chronology_entry")],
        information_sharing=kinds[("casework", "information_sharing")], consents=kinds[("casework", "consent")],
        case_audits=kinds[("casework", "case_audit")], documents=kinds[("casework", "document")],
        correction_requests=kinds[("casework", "correction_request")], late_reasons=late_reasons,
        example_child_protection_case=flagged.get("cp"), example_looked_after_case=flagged.get("la"),
        example_proceedings_case=flagged.get("court"), example_private_fostering_case=flagged.get("pf"),
        example_hazard_case=flagged.get("hazard"), example_mappa_case=flagged.get("mappa"),
        example_correction_case=flagged.get("correction"), example_document_case=flagged.get("document"),
        wrongly_authorised_case=next((runtime[i].case_id for i, p in enumerate(plans) if p.wrong_authorisation),
                                     None),
        wrongly_authorised_milestone=next((runtime[i].records.get("wrongly_authorised")
                                           for i, p in enumerate(plans) if p.wrong_authorisation), None),
        access_attempts=story.attempts, flagged_attempts=flagged_attempts,
        service_manager=story.service_manager, restricted_adoption_case=story.adoption_case,
        restricted_staff_relative_case=story.staff_relative_case, staff_concerned=story.staff_concerned,
        need_to_know_worker=story.granted_worker, inappropriate_access_worker=story.curious_worker,
        break_glass_worker=story.duty_worker, self_claim_case=story.self_claim_case,
        bulk_browsed_cases=story.bulk_cases,
    )


def _flagged_since(ledger: CaseLedger, story: AccessStory) -> int:
    """How many of the access step's attempts the access report (as the CLI builds it) flags."""
    if story.started is None:
        return 0
    day = story.started.astimezone(LONDON).date()
    return sum(1 for person in story.people
               for row in staff_report(ledger, person, day, day).report["attempts"]
               if row["flags"] and _dt.datetime.fromisoformat(row["at"]) >= story.started)


_EXAMPLES = {"cp_plan_started": "cp", "became_looked_after": "la", "care_proceedings_issued": "court",
             "private_fostering_notification": "pf", "hazard": "hazard", "mappa_alert": "mappa",
             "correction_request": "correction", "document": "document"}


def _carry_out(ledger: CaseLedger, a: _Action, rt: _Runtime | None) -> None:
    args = a.args
    if a.op == "staff":
        ledger.staff.add(args["acting"], staff_id=args["staff_id"], full_name=args["full_name"],
                         designation=args["designation"], team=args["team"], roles=args["roles"])
        # Every demo staff member signs in to the web console with the password "demo" (the tour says
        # so). Hashed once each, at the full cost; the salt comes from the staff id, so that a build is
        # the same byte for byte (a real password's salt is random: ledger.services.tokens).
        salt = hashlib.sha256(f"caseledger demo password/{args['staff_id']}".encode()).digest()[:16]
        ledger.tokens.set_password(args["acting"] or args["staff_id"], args["staff_id"], DEMO_PASSWORD, salt=salt,
                                   min_length=len(DEMO_PASSWORD))
        return
    assert rt is not None
    if a.op == "open":
        kwargs = {k: v for k, v in args.items() if k != "acting"}
        rt.case_id = ledger.cases.open(args["acting"], **kwargs).id
        return
    case_id = rt.case_id
    assert case_id is not None
    args = {**args, "acting": _entitled(ledger, case_id, a, rt)}
    if a.op == "note":
        assert a.note is not None and a.occurred is not None
        rt.notes[a.note] = ledger.casework.record_note(args["acting"], case_id, kind=args["kind"],
                                                       occurred_at=a.occurred, finalise=args["finalise"],
                                                       **args["content"])
    elif a.op == "revise":
        ledger.casework.revise_note(args["acting"], case_id, rt.notes[a.note or ""], **args["changes"])
    elif a.op == "finalise":
        ledger.casework.finalise_note(args["acting"], case_id, rt.notes[a.note or ""])
    elif a.op == "amend":
        ledger.casework.amend_note(args["acting"], case_id, rt.notes[a.note or ""], reason=args["reason"],
                                   **args["changes"])
    elif a.op == "delete":
        ledger.casework.delete_note(args["acting"], case_id, rt.notes[a.note or ""], reason=args["reason"])
    elif a.op == "decision":
        kwargs = {k: v for k, v in args.items() if k != "acting"}
        ledger.casework.record_decision(args["acting"], case_id, **kwargs)
    elif a.op == "allocate":
        ledger.cases.allocate(args["acting"], case_id, team=args["team"], worker=args["worker"],
                              reason=args["reason"])
    elif a.op == "close":
        ledger.cases.close(args["acting"], case_id, reason=args["reason"], closed_on=args["closed_on"])
    elif a.op == "reopen":
        ledger.cases.reopen(args["acting"], case_id, reason=args["reason"])
    elif a.op == "milestone":
        mid = ledger.casework.record_milestone(args["acting"], case_id, kind=args["kind"], occurred_at=a.occurred,
                                               **args["details"])
        if args.get("key"):
            rt.records[args["key"]] = mid
    elif a.op == "casework":
        rid = ledger.casework.record(args["acting"], case_id, kind=args["kind"], occurred_at=a.occurred,
                                     **_resolved(rt, args))
        rt.records[args["key"]] = rid
    elif a.op == "update":
        ledger.casework.update(args["acting"], case_id, rt.records[args["record"]], action=args["action"],
                               occurred_at=a.occurred, **_resolved(rt, args))
    else:  # pragma: no cover - the plan only makes the operations above
        raise RuleViolation(f"the demo plan has an unknown operation {a.op!r}")


def _entitled(ledger: CaseLedger, case_id: uuid.UUID, a: _Action, rt: _Runtime) -> str:
    """Who carries out ``a``: the person the plan named, if the access policy lets them now.

    The plan picks people before recording times are settled, so a late record can fall after a
    transfer to another team; then the person who may (the note's author, the team manager of the
    team now holding the case, or the allocated worker) records it instead, as would happen.
    """
    acting = a.args["acting"]
    case = ledger.case(case_id)
    now = ledger.clock()
    action = Action.DELETE if a.op == "delete" else Action.WRITE
    part = Part.CASE_AUDIT if a.args.get("kind") == "case_audit" else Part.CASE_VIEW
    item = ""
    if a.note and a.note in rt.notes:
        part, item = Part.NOTE, str(rt.notes[a.note])

    def may(staff_id: str) -> bool:
        return decide(ledger.staff_member(staff_id), case, action, part, now=now, item=item).granted

    if may(acting):
        return acting
    note = case.notes.get(str(rt.notes.get(a.note or ""))) if a.note else None
    if note is not None and may(note["author"]["staff_id"]):
        return str(note["author"]["staff_id"])
    planned = ledger.staff_member(acting)
    # Amending another's final note is for its author or a team manager or above (the case rules).
    if planned.at_least(Role.TEAM_MANAGER) or action is not Action.WRITE or a.op == "amend":
        manager = _team_manager(ledger, case.team)
        if manager is not None:
            return manager
    return str(case.worker["staff_id"])


def _team_manager(ledger: CaseLedger, team: str) -> str | None:
    return next((m.staff_id for m in ledger.list_staff()
                 if m.active and m.team == team and m.has_role(Role.TEAM_MANAGER)), None)


def _resolved(rt: _Runtime, args: dict[str, Any]) -> dict[str, Any]:
    """The details, with the plan's keys of notes and records (``refs``) replaced by their ids."""
    details = dict(args["details"])
    for name, key in args.get("refs", {}).items():
        details[name] = str(rt.notes[key] if key in rt.notes else rt.records[key])
    return details
