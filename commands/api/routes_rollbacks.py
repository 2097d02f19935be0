"""Roll-backs of a process matter (policy s.13), as ``caseledger rollback ...`` does them.

request (helpdesk) -> agree or decline (the team manager of the case's team or above) -> carry-out
(helpdesk); withdraw (the helpdesk, or whoever raised it); the list and the monitoring report (the
helpdesk, auditors, team managers and above). Every rule is the ledger's
(:class:`~ledger.services.rollbacks.RollbackService`); the JSON is the command line's ``--json``
(:func:`commands.cli_rollback.request_dict`, :func:`~commands.cli_rollback.details_dict`,
:func:`projections.rollbacks.rollback_report`).
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from commands.api import models as m
from commands.api.deps import SignedIn, answer, work
from commands.api.problems import SIGNED_IN_PROBLEMS
from commands.api.reading import parse_when
from commands.cli_rollback import details_dict, request_dict
from ledger.application import CaseLedger
from ledger.errors import RuleViolation
from ledger.records.rollback import RollbackStatus
from projections.rollbacks import DEFAULT_ALERT_RATE, rollback_report, rollback_row

router = APIRouter(tags=["roll-backs"], responses=SIGNED_IN_PROBLEMS)


def _day(value: str | None, field: str) -> _dt.date | None:
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise RuleViolation(f"{field} {value!r} is not a date like 2026-11-21", field=field) from None


@router.post("/rollbacks", status_code=201, response_model=m.RollbackDetails)
async def request_rollback(request: Request, caller: SignedIn, body: m.NewRollback) -> JSONResponse:
    """Request a roll-back (helpdesk): the answer shows what would be superseded and what casework stays
    (as ``caseledger rollback request --json``). Give exactly one point: ``point_version``, ``point_at``
    or ``before_milestone``."""
    point_at = parse_when(body.point_at, "point_at", "roll-back point")

    def task(ledger: CaseLedger) -> dict[str, Any]:
        r = ledger.rollbacks.request(caller.staff_id, body.case, matter=body.matter, reason=body.reason,
                                     raised_by=body.raised_by, point_version=body.point_version,
                                     point_at=point_at, before_milestone=body.before_milestone)
        return details_dict(ledger.rollbacks.details(caller.staff_id, r.id), ledger.clock())

    made = await work(request, caller, task)
    return answer(made, 201, headers={"Location": f"/api/v1/rollbacks/{made['id']}"})


@router.get("/rollbacks", response_model=list[m.RollbackRow])
async def list_rollbacks(
    request: Request, caller: SignedIn,
    case: Annotated[str | None, Query(description="Only this case (its id or first hex digits).")] = None,
    team: Annotated[str | None, Query(description="Only cases held by this team when requested.")] = None,
    status: Annotated[RollbackStatus | None, Query(description="Only this status (now).")] = None,
) -> JSONResponse:
    """Roll-back requests, oldest first (as ``caseledger rollback list --json``): for the helpdesk,
    auditors, team managers and above."""

    def task(ledger: CaseLedger) -> list[dict[str, Any]]:
        now = ledger.clock()
        return [rollback_row(r, now) for r in ledger.rollbacks.find(
            caller.staff_id, case_id=case, team=team, status=status.value if status else None)]

    return answer(await work(request, caller, task))


@router.get("/rollbacks/report", response_model=m.RollbackReport)
async def report(
    request: Request, caller: SignedIn,
    team: Annotated[str | None, Query(description="Only cases held by this team when requested.")] = None,
    from_: Annotated[str | None, Query(alias="from", description="Requests made on or after this date "
                                                                 "(YYYY-MM-DD).")] = None,
    to: Annotated[str | None, Query(description="Requests made on or before this date (YYYY-MM-DD).")] = None,
    alert_rate: Annotated[int, Query(ge=0, description="Highlight a team with more requests than this in any "
                                                      "one month.")] = DEFAULT_ALERT_RATE,
) -> JSONResponse:
    """Monitoring (s.13): requests, agreements, refusals and completions per team, month, requester and
    matter (as ``caseledger rollback report --json``)."""
    first, last = _day(from_, "from"), _day(to, "to")
    if first and last and first > last:
        raise RuleViolation(f"from {first} is after to {last}", field="from")

    def task(ledger: CaseLedger) -> dict[str, Any]:
        return rollback_report(ledger.rollbacks.find(caller.staff_id, team=team), now=ledger.clock(), team=team,
                               since=first, until=last, alert_rate=alert_rate)

    return answer(await work(request, caller, task))


@router.get("/rollbacks/{rollback}", response_model=m.RollbackDetails)
async def show(request: Request, caller: SignedIn, rollback: str) -> JSONResponse:
    """A roll-back request: its status, what it would supersede, the casework that stays and who may
    decide it (as ``caseledger rollback show --json``; reading the case's process is recorded)."""
    return answer(await work(request, caller, lambda ledger: details_dict(
        ledger.rollbacks.details(caller.staff_id, rollback), ledger.clock())))


@router.post("/rollbacks/{rollback}/agree", response_model=m.Rollback)
async def agree(request: Request, caller: SignedIn, rollback: str) -> JSONResponse:
    """Agree a roll-back (the team manager of the case's team, or a service manager or head of service)."""
    return answer(await work(request, caller, lambda ledger: request_dict(
        ledger.rollbacks.agree(caller.staff_id, rollback), ledger.clock())))


@router.post("/rollbacks/{rollback}/decline", response_model=m.Rollback)
async def decline(request: Request, caller: SignedIn, rollback: str, body: m.Reason) -> JSONResponse:
    """Decline a roll-back, with a reason (who may agree it)."""
    return answer(await work(request, caller, lambda ledger: request_dict(
        ledger.rollbacks.decline(caller.staff_id, rollback, reason=body.reason), ledger.clock())))


@router.post("/rollbacks/{rollback}/withdraw", response_model=m.Rollback)
async def withdraw(request: Request, caller: SignedIn, rollback: str, body: m.Reason) -> JSONResponse:
    """Withdraw a roll-back request (the helpdesk, or the person who raised it)."""
    return answer(await work(request, caller, lambda ledger: request_dict(
        ledger.rollbacks.withdraw(caller.staff_id, rollback, reason=body.reason), ledger.clock())))


@router.post("/rollbacks/{rollback}/carry-out", response_model=m.Rollback)
async def carry_out(request: Request, caller: SignedIn, rollback: str) -> JSONResponse:
    """Carry out an agreed roll-back (helpdesk): one atomic write on the case and the request; casework
    is untouched."""
    return answer(await work(request, caller, lambda ledger: request_dict(
        ledger.rollbacks.carry_out(caller.staff_id, rollback), ledger.clock())))
