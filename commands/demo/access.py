"""The demo's restricted records and access attempts (issue 6, policy s.7 and s.11).

Carried out after the year's casework, on the demo's last afternoon, through the public API
(so every attempt is decided and recorded by the access policy, as in real use):

* the service manager restricts one looked-after child's record as ``adoption`` (the child has
  been matched with adopters) and another child's as ``staff_relative`` (the child is a relative
  of a social worker in another team, the member of staff concerned), and grants need-to-know
  access to the adoption record to a senior practitioner covering for the allocated worker, who
  then opens it;
* the member of staff concerned tries to open their relative's record (denied: a disciplinary
  matter);
* a social worker from another team tries to open the adoption record without a grant (denied),
  opens up to :data:`BULK_CASES` records in a few minutes "for a caseload review" (bulk browsing
  when there are ten or more; self-claims outside their team), and after the office has closed
  opens the record of a family they know privately, stating why (a self-claim, flagged for review, out of hours);
* a duty social worker in the Assessment team breaks glass on the staff-relative record, with the
  basis concern for safety and a reason (granted, alerted to the service manager).

All times follow the last event of the year's casework and fall before :data:`END_TIME`.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from commands.demo.days import END_DAY, END_TIME, _at
from commands.demo.people import _Directory, _Person
from ledger.application import CaseLedger
from ledger.errors import PermissionDenied
from ledger.records.case import CaseRecord

#: Records opened in the bulk-browsing burst (the report's default threshold is 10 within 30 minutes).
BULK_CASES = 12


@dataclass
class AccessStory:
    """Who did what in the demo's access step (staff ids and case ids), for the summary and the tour."""

    service_manager: str = ""
    adoption_case: uuid.UUID | None = None
    staff_relative_case: uuid.UUID | None = None
    staff_concerned: str | None = None
    granted_worker: str | None = None
    curious_worker: str | None = None
    duty_worker: str | None = None
    self_claim_case: uuid.UUID | None = None
    bulk_cases: int = 0
    attempts: int = 0
    started: _dt.datetime | None = None
    people: list[str] = field(default_factory=list)


class _Timeline:
    """Moments for the step's actions: after ``start``, ``gap`` apart, squeezed to end by END_TIME."""

    def __init__(self, start: _dt.datetime, nominal: list[_dt.timedelta], out_of_hours_at: _dt.datetime) -> None:
        total = sum(nominal, _dt.timedelta())
        room = END_TIME - start
        scale = min(1.0, room / (total + _dt.timedelta(minutes=2))) if total else 1.0
        self.moments: list[_dt.datetime] = []
        at = start
        for gap in nominal:
            at = at + gap * scale
            self.moments.append(at.replace(microsecond=0))
        # the last action (the out-of-hours self-claim) after the office closes, if there is room
        last = max(self.moments[-1] + _dt.timedelta(seconds=30), out_of_hours_at)
        self.moments.append(min(last, END_TIME))
        self._next = 0

    def next(self) -> _dt.datetime:
        at = self.moments[self._next]
        self._next += 1
        return at


def carry_out_access(ledger: CaseLedger, staff: _Directory, case_ids: list[uuid.UUID],
                     after: _dt.datetime, set_clock: Callable[[_dt.datetime], None]) -> AccessStory:
    """Restrict two records, grant access to one, and make the attempts described in the module docstring.

    ``case_ids`` are the borough's cases in plan order; ``after`` the last moment of the casework;
    ``set_clock`` sets the ledger's clock. A borough too small for a part of the story skips it
    (a single child cannot be both an adoption and a staff member's relative).
    """
    sm = staff.service_manager.staff_id
    story = AccessStory(service_manager=sm)
    cases = [ledger.case(i) for i in case_ids]
    if len(cases) < 2:
        return story
    adoption = _adoption_case(cases)
    relative = next((c for c in cases if c.id != adoption.id and c.team in ("Child in Need", "Early Help")),
                    next(c for c in cases if c.id != adoption.id))
    practice = list(staff.workers)
    concerned = _social_worker(staff, [t for t in practice if t not in (relative.team, adoption.team)],
                               avoid={str(relative.worker["staff_id"]), str(adoption.worker["staff_id"])})
    grantee = next((p for p in staff.workers.get(adoption.team, [])
                    if p.staff_id != adoption.worker["staff_id"]), None)
    unrestricted = [c for c in cases if c.id not in (adoption.id, relative.id)]
    held = {t: sum(c.team == t for c in unrestricted) for t in practice}
    curious_team = min((t for t in practice if t not in (adoption.team, relative.team, concerned.team)),
                       key=lambda t: (held[t], practice.index(t)))
    curious = _social_worker(staff, [curious_team], avoid={concerned.staff_id})
    duty = next(p for p in staff.workers["Assessment"]
                if p.staff_id not in (relative.worker["staff_id"], concerned.staff_id, curious.staff_id)
                and "social_worker" in p.roles)
    outside = [c for c in unrestricted if c.team != curious.team and c.worker["staff_id"] != curious.staff_id]
    browsed = unrestricted[:BULK_CASES]
    self_claim = outside[-1] if outside else None

    nominal = [_dt.timedelta(minutes=m) for m in (1, 3, 2, 4, 5, 4, 3, 3)]
    nominal += [_dt.timedelta(seconds=80)] * len(browsed)
    start = max(after, _at(END_DAY, 15, 0))
    times = _Timeline(start, nominal, _at(END_DAY, 17, 12))

    def at(moment: _dt.datetime) -> None:
        set_clock(moment)
        story.attempts += 1

    story.started = times.moments[0]
    story.adoption_case, story.staff_relative_case = adoption.id, relative.id
    story.staff_concerned, story.curious_worker, story.duty_worker = (
        concerned.staff_id, curious.staff_id, duty.staff_id)

    at(times.next())
    ledger.access.restrict(sm, adoption.id, kind="adoption", reason=(
        "The adoption panel agreed the match with prospective adopters; the record is restricted at the "
        "point of matching so that the adoptive placement stays confidential (policy s.11)"))
    at(times.next())
    ledger.access.restrict(sm, relative.id, kind="staff_relative", staff_concerned=concerned.staff_id, reason=(
        f"The child is a relative of {concerned.full_name}, {concerned.designation.lower()} in the "
        f"{concerned.team} team; the record is restricted so that colleagues do not read a relative's "
        "file (policy s.11)"))
    at(times.next())
    if grantee is not None:
        ledger.access.grant(sm, adoption.id, staff=grantee.staff_id, reason=(
            f"Covering the allocated worker's leave: {grantee.first} is preparing the child's life story "
            "book and the introductions plan with the adoption team"))
        story.granted_worker = grantee.staff_id
        at(times.next())
        ledger.access.open_record(grantee.staff_id, adoption.id, purpose="Life story work and the introductions plan")
    else:
        times.next()
    at(times.next())
    _attempt(ledger, concerned.staff_id, relative.id, purpose="Wanted to see how my relative is getting on")
    at(times.next())
    _attempt(ledger, curious.staff_id, adoption.id,
             purpose="Heard in the office that this child has been matched and wanted to see where")
    at(times.next())
    ledger.access.open_record(duty.staff_id, relative.id, basis="concern_for_safety", purpose=(
        "Police called the duty line: the child has not come home from school and is missing; I need the "
        "safety plan and the family's contact details now"))
    times.next()  # a pause before the burst
    for c in browsed:
        at(times.next())
        ledger.access.open_record(curious.staff_id, c.id, purpose="Checking addresses for a caseload review")
    story.bulk_cases = len(browsed)
    if self_claim is not None:
        at(times.next())
        ledger.access.open_record(curious.staff_id, self_claim.id, purpose=(
            "The mother is my neighbour and I was worried after hearing shouting from their house"))
        story.self_claim_case = self_claim.id
    story.people = [p for p in (sm, story.granted_worker, concerned.staff_id, curious.staff_id, duty.staff_id) if p]
    return story


def _attempt(ledger: CaseLedger, acting: str, case_id: uuid.UUID, *, purpose: str) -> None:
    """An attempt the access policy refuses: recorded as denied, and nothing of the record returned."""
    try:
        ledger.access.open_record(acting, case_id, purpose=purpose)
    except PermissionDenied:
        return
    raise AssertionError(f"the demo expected {acting}'s attempt on {case_id} to be refused")


def _adoption_case(cases: list[CaseRecord]) -> CaseRecord:
    """A child looked after (matched with adopters), else one in the Children in Care team, else the first."""
    def looked_after(c: CaseRecord) -> bool:
        la: dict[str, Any] = (getattr(c, "process", None) or {}).get("looked_after") or {}
        return la.get("status") == "looked_after"
    return next((c for c in cases if looked_after(c) and c.status == "open"),
                next((c for c in cases if c.team == "Children in Care"), cases[0]))


def _social_worker(staff: _Directory, teams: list[str], avoid: set[str]) -> _Person:
    """A social worker in the first of ``teams`` that has one not in ``avoid``."""
    for team in teams:
        for p in reversed(staff.workers[team]):
            if "social_worker" in p.roles and p.staff_id not in avoid:
                return p
    raise AssertionError(f"the demo's staff directory has no social worker in {teams}")
