"""Views across cases: the hazard register, recording compliance, and the projections' status.

A view across cases is a read of every record it shows: only the records the caller may open
without stating a reason are shown, each recorded in the access log first (as on the command line).
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from commands.api import models as m
from commands.api.deps import Reads, SignedIn, answer, work
from commands.api.problems import SIGNED_IN_PROBLEMS
from commands.api.reading import parse_when
from ledger.access.policy import Part
from ledger.application import CaseLedger
from ledger.errors import RuleViolation
from ledger.records.case import LOCAL_ZONE
from projections import runner
from projections.compliance import compliance_report
from projections.hazards import register

router = APIRouter(tags=["views across cases"], responses=SIGNED_IN_PROBLEMS)


def _as_of(text: str) -> tuple[int | None, _dt.datetime | None]:
    """As the CLI's ``hazards --as-of``: a position (``1200`` or ``@1200``), a date (its end), or a moment."""
    text = text.strip()
    if text.removeprefix("@").isdigit():
        return int(text.removeprefix("@")), None
    when = parse_when(text, "as_of")
    assert when is not None
    if len(text) == 10:  # a date: the end of that day
        when = when + _dt.timedelta(days=1) - _dt.timedelta(microseconds=1)
    return None, when


@router.get("/hazards", response_model=m.Hazards)
async def hazards(
    request: Request, caller: SignedIn,
    team: Annotated[str | None, Query(description="One team's alerts.")] = None,
    overdue: Annotated[bool, Query(description="Only those overdue for review.")] = False,
    closed: Annotated[bool, Query(description="Include alerts on closed cases.")] = False,
    as_of: Annotated[str | None, Query(description="As the ledger stood then: a date, a date and time "
                                                   "(London), or a position (@1200).")] = None,
) -> JSONResponse:
    """The hazard register (as ``caseledger hazards --json``): every open hazard and alert on the records
    you may open, overdue first."""

    def task(led: CaseLedger) -> dict[str, Any]:
        view: Any
        if as_of:
            upto, until = _as_of(as_of)
            view, position, last = runner.replay(led, "hazards", upto=upto, until=until)
            moment = until or last or led.clock()
        else:
            runner.catch_up(led, "hazards")
            view, moment = runner.view_of(led, "hazards"), led.clock()
            position = runner.position(led, "hazards")
        today = moment.astimezone(LOCAL_ZONE).date()
        rows = register(view, today=today, team=team, overdue_only=overdue, include_closed=closed)
        readable = {str(c.id) for c in led.access.readable_cases(caller.staff_id, Part.CASE_VIEW,
                                                                 among=[str(r["case_id"]) for r in rows])}
        return {"as_of": today, "position": position, "hazards": [r for r in rows if str(r["case_id"]) in readable]}

    return answer(await work(request, caller, task))


@router.get("/compliance", response_model=m.Compliance)
async def compliance(
    request: Request, caller: SignedIn, reads: Reads,
    case: Annotated[str | None, Query(description="One case (its id or first hex digits).")] = None,
    worker: Annotated[str | None, Query(description="One worker's items (staff id).")] = None,
    team: Annotated[str | None, Query(description="One team's items.")] = None,
    as_of: Annotated[str | None, Query(description="A date or a date and time (London); default now.")] = None,
    items: Annotated[bool | None, Query(description="List the items (default: yes for a case or worker).")] = None,
) -> JSONResponse:
    """What was due, overdue, finalised late and on time (policy s.18), as ``caseledger compliance --json``."""
    if sum(x is not None for x in (case, worker, team)) > 1:
        raise RuleViolation("give at most one of case, worker and team", field="case")
    when = parse_when(as_of, "as_of") if as_of else None
    if as_of and when is not None and len(as_of.strip()) == 10:  # a date: the end of that day
        when = when + _dt.timedelta(days=1) - _dt.timedelta(microseconds=1)

    def task(led: CaseLedger) -> dict[str, Any]:
        moment = when or led.clock()
        if case is not None:
            led.access.open_record(caller.staff_id, case, Part.PROCESS, purpose=reads.purpose, basis=reads.basis)
            records = None
        else:
            records = led.access.readable_cases(caller.staff_id, Part.PROCESS)
        report = compliance_report(led, as_of=moment, case=case, worker=worker, team=team, records=records)
        result: dict[str, Any] = report.as_dict(with_items=items if items is not None else bool(case or worker))
        return result

    return answer(await work(request, caller, task))


@router.get("/projections/status", response_model=m.ProjectionStatus)
async def projections_status(request: Request, caller: SignedIn) -> JSONResponse:
    """Each projection's position against the ledger's head, and its lag in events."""
    return answer(await work(request, caller, lambda led: {"projections": runner.status(led)}))
