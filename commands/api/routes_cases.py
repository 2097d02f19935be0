"""Cases: the list, opening a case, its views (each with ``?as_of=``), and the commands on the case
itself: allocation, closing, re-opening, restriction and need-to-know grants.

Every read is decided by the access policy and recorded before anything is answered (403 with the
rule, and nothing of the record, when refused). ``X-Purpose`` / ``X-Break-Glass`` (or ``purpose`` /
``break_glass``) mean what ``--purpose`` / ``--break-glass`` mean on the command line.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from commands.api import models as m
from commands.api.deps import Reads, SignedIn, answer, work
from commands.api.problems import SIGNED_IN_PROBLEMS
from commands.api.reading import chronology, history, parse_when, read_case
from ledger.access.policy import Part
from ledger.application import CaseLedger
from projections import views

router = APIRouter(tags=["cases"], responses=SIGNED_IN_PROBLEMS)

AsOf = Annotated[str | None, Query(description="The case as it stood then: '2026-11-21 14:30' (London), an ISO "
                                               "date-time with an offset, or @POSITION (a global event position).")]


@router.get("/cases", response_model=list[m.CaseLine])
async def list_cases(request: Request, caller: SignedIn) -> JSONResponse:
    """The case records you may open without stating a reason (as ``caseledger case list``): each one
    listed is recorded in the access log as read."""

    def task(ledger: CaseLedger) -> list[dict[str, Any]]:
        return [{"case_id": c.id, "child": c.child["name"], "team": c.team, "worker": c.worker["full_name"],
                 "status": c.status, "events": c.version} for c in ledger.access.list_records(caller.staff_id)]

    return answer(await work(request, caller, task))


@router.post("/cases", status_code=201, response_model=m.Opened)
async def open_case(request: Request, caller: SignedIn, body: m.OpenCase) -> JSONResponse:
    """Open a child's case record from a referral."""

    def task(ledger: CaseLedger) -> dict[str, Any]:
        c = ledger.cases.open(caller.staff_id, child_name=body.child_name, date_of_birth=body.date_of_birth,
                              expected_date_of_birth=body.expected_date_of_birth, referral_date=body.referral_date,
                              referral_source=body.referral_source, team=body.team, worker=body.worker)
        return {"case_id": c.id, "version": c.version}

    opened = await work(request, caller, task)
    return answer(opened, 201, headers={"Location": f"/api/v1/cases/{opened['case_id']}"})


@router.get("/cases/{case}", response_model=m.CaseView)
async def case_view(request: Request, caller: SignedIn, reads: Reads, case: str, as_of: AsOf = None) -> JSONResponse:
    """What a worker opens (as ``caseledger case view --json``): the child, allocation, process, alerts,
    summary, recent notes, decisions and documents."""

    def task(ledger: CaseLedger) -> dict[str, Any]:
        c, when = read_case(ledger, caller.staff_id, case, as_of, Part.CASE_VIEW, reads)
        return views.case_view(c, today=views.local_date(when))

    return answer(await work(request, caller, task))


@router.get("/cases/{case}/chronology", response_model=m.Chronology)
async def case_chronology(request: Request, caller: SignedIn, reads: Reads, case: str, as_of: AsOf = None,
                          format: Annotated[Literal["standard", "court"],  # noqa: A002  (the query's name)
                                            Query(description="court: the fuller version prepared for court "
                                                              "(every dated record).")] = "standard",
                          ) -> JSONResponse:
    """The child's chronology (as ``caseledger chronology --json``), ordered by the date of each event."""
    return answer(await work(request, caller, lambda ledger: chronology(
        ledger, caller.staff_id, case, as_of, format == "court", reads)))


@router.get("/cases/{case}/summary", response_model=m.SummaryView)
async def case_summary(request: Request, caller: SignedIn, reads: Reads, case: str, as_of: AsOf = None) -> JSONResponse:
    """The latest case summary, whether it is overdue, and what the next must cover (as ``caseledger summary``)."""

    def task(ledger: CaseLedger) -> dict[str, Any]:
        c, when = read_case(ledger, caller.staff_id, case, as_of, Part.SUMMARY, reads)
        return views.summary_view(c, now=when)

    return answer(await work(request, caller, task))


@router.get("/cases/{case}/history", response_model=list[m.HistoryRow])
async def case_history(request: Request, caller: SignedIn, reads: Reads, case: str, as_of: AsOf = None) -> JSONResponse:
    """AUDIT-ONLY: the complete history as recorded, deleted notes included (as ``caseledger history``).
    The text of deleted notes is withheld unless you may read it; then the ``Caseledger-Withheld``
    header says why."""
    rows, withheld = await work(request, caller, lambda ledger: history(ledger, caller.staff_id, case, as_of, reads))
    return answer(rows, headers={"Caseledger-Withheld": withheld.encode("ascii", "replace").decode()}
                  if withheld else None)


# --- commands on the case ------------------------------------------------------------------------


@router.post("/cases/{case}/allocation", response_model=m.Allocated)
async def allocate(request: Request, caller: SignedIn, case: str, body: m.Allocate) -> JSONResponse:
    """Allocate or re-allocate the case to a team and worker (team manager or above)."""

    def task(ledger: CaseLedger) -> dict[str, Any]:
        c = ledger.cases.allocate(caller.staff_id, case, team=body.team, worker=body.worker, reason=body.reason)
        return {"case_id": c.id, "team": c.team, "worker": c.worker}

    return answer(await work(request, caller, task))


def _changed(c: Any) -> dict[str, Any]:
    return {"case_id": c.id, "version": c.version, "status": c.status}


@router.post("/cases/{case}/close", response_model=m.CaseChanged)
async def close(request: Request, caller: SignedIn, case: str, body: m.Close) -> JSONResponse:
    """Close the case (team manager or above; no draft notes left)."""
    return answer(await work(request, caller, lambda ledger: _changed(ledger.cases.close(
        caller.staff_id, case, reason=body.reason, closed_on=body.closed_on))))


@router.post("/cases/{case}/reopen", response_model=m.CaseChanged)
async def reopen(request: Request, caller: SignedIn, case: str, body: m.Reason) -> JSONResponse:
    """Re-open a closed case, with a reason (team manager or above)."""
    return answer(await work(request, caller, lambda ledger: _changed(ledger.cases.reopen(
        caller.staff_id, case, reason=body.reason))))


@router.post("/cases/{case}/restriction", response_model=m.CaseChanged)
async def restrict(request: Request, caller: SignedIn, case: str, body: m.Restrict) -> JSONResponse:
    """Restrict the record (policy s.11: a service manager or head of service)."""
    return answer(await work(request, caller, lambda ledger: _changed(ledger.access.restrict(
        caller.staff_id, case, kind=body.kind.value, reason=body.reason, staff_concerned=body.staff_concerned))))


@router.post("/cases/{case}/restriction/lift", response_model=m.CaseChanged)
async def lift_restriction(request: Request, caller: SignedIn, case: str, body: m.Reason) -> JSONResponse:
    """Lift the record's restriction (a service manager or head of service)."""
    return answer(await work(request, caller, lambda ledger: _changed(ledger.access.lift_restriction(
        caller.staff_id, case, reason=body.reason))))


@router.post("/cases/{case}/grants", response_model=m.CaseChanged)
async def grant(request: Request, caller: SignedIn, case: str, body: m.Grant) -> JSONResponse:
    """Give a staff member need-to-know access to a restricted record (a service manager or head of service)."""
    until = parse_when(body.until, "until")
    return answer(await work(request, caller, lambda ledger: _changed(ledger.access.grant(
        caller.staff_id, case, staff=body.staff, reason=body.reason, until=until))))


@router.post("/cases/{case}/grants/{staff}/renew", response_model=m.CaseChanged)
async def renew_grant(request: Request, caller: SignedIn, case: str, staff: str, body: m.Renew) -> JSONResponse:
    """Renew a need-to-know grant."""
    until = parse_when(body.until, "until")
    return answer(await work(request, caller, lambda ledger: _changed(ledger.access.renew_grant(
        caller.staff_id, case, staff=staff, reason=body.reason, until=until))))


@router.post("/cases/{case}/grants/{staff}/revoke", response_model=m.CaseChanged)
async def revoke_grant(request: Request, caller: SignedIn, case: str, staff: str, body: m.Reason) -> JSONResponse:
    """Revoke a need-to-know grant."""
    return answer(await work(request, caller, lambda ledger: _changed(ledger.access.revoke_grant(
        caller.staff_id, case, staff=staff, reason=body.reason))))
