"""Investigating access over HTTP, as ``caseledger access report | alerts | review`` does it.

For a service manager, head of service or auditor (the ledger decides:
:meth:`~ledger.services.investigation.InvestigationService.open_report`). Each use is itself an access
attempt of the person who made it, recorded before anything is read, granted or denied (the audit of
the audit, EHR-S FM TI.2.2#04; the ledger's investigation service records it, on the command line
too): the report (JSON, or CSV with ``Accept: text/csv``), its evidence bundle, its FHIR export, the
alert list and a review. The report's JSON is the command line's ``--json``
(:func:`projections.access_report.with_children`: the child's name only where the reader may see it).
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from commands.api import models as m
from commands.api.deps import SignedIn, answer, server_of, work
from commands.api.problems import SIGNED_IN_PROBLEMS
from commands.api.routes_integrity import NO_KEY, NoSigningKey, no_signing_key
from commands.api.settings import Settings
from ledger.access.facts import Thresholds
from ledger.application import CaseLedger, utc_now
from ledger.errors import RuleViolation
from ledger.integrity.checkpoint import SigningKey
from ledger.integrity.evidence import export_events
from projections.access_fhir import fhir_bundle
from projections.access_report import (
    BuiltReport,
    alert_list_dict,
    case_report,
    find_case,
    report_csv,
    staff_report,
    with_children,
)

router = APIRouter(tags=["access investigation"], responses=SIGNED_IN_PROBLEMS)

CSV = "text/csv"


class Period:
    """The report's query: one of staff and case, the period, the bulk-browsing thresholds (checked)."""

    def __init__(
        self,
        staff: Annotated[str | None, Query(description="Every record this staff member opened or tried to.")] = None,
        case: Annotated[str | None, Query(description="Everyone who opened this case or tried to: its id, or part "
                                                      "of the child's name (records you may open).")] = None,
        from_: Annotated[str | None, Query(alias="from", description="First day (London), YYYY-MM-DD. Staff "
                                                                     "default: a year ago.")] = None,
        to: Annotated[str | None, Query(description="Last day (London), YYYY-MM-DD. Staff default: today.")] = None,
        bulk_cases: Annotated[int, Query(ge=2, le=10_000, description="Bulk browsing: this many different "
                                                                      "records ...")] = Thresholds.bulk_cases,
        bulk_minutes: Annotated[int, Query(ge=1, le=1440, description="... within this many "
                                                                      "minutes.")] = Thresholds.bulk_minutes,
    ) -> None:
        if bool(staff) == bool(case):
            raise RuleViolation("give exactly one of staff and case", field="staff")
        self.staff, self.case = staff, case
        self.first, self.last = _day(from_, "from"), _day(to, "to")
        if self.first and self.last and self.last < self.first:
            raise RuleViolation(f"to: the period ends ({self.last}) before it starts ({self.first})", field="to")
        self.thresholds = Thresholds(bulk_cases, bulk_minutes)

    def build(self, ledger: CaseLedger, acting: str, use: str) -> BuiltReport:
        """The report, once its use (``report``, ``evidence``, ``fhir``) is decided and recorded."""
        ledger.investigation.open_report(acting, staff_id=self.staff, case=self.case, use=use)
        if self.staff:
            return staff_report(ledger, self.staff, self.first, self.last, self.thresholds)
        assert self.case is not None
        return case_report(ledger, find_case(ledger, acting, self.case), self.first, self.last)


def _day(value: str | None, field: str) -> _dt.date | None:
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise RuleViolation(f"{field} {value!r} is not a date like 2026-11-21", field=field) from None


#: The report's query (a dependency: checked before anything is read or recorded).
ReportQuery = Annotated[Period, Depends()]


@router.get("/access/report", response_model=m.AccessReport,
            responses={200: {"content": {CSV: {"schema": {"type": "string"}}},
                             "description": "The report: JSON, or CSV (one line per attempt) with Accept: text/csv."}})
async def access_report(request: Request, caller: SignedIn, period: ReportQuery) -> Response:
    """Who opened what, when, on what basis, the outcome; flags spelled out (as ``caseledger access report
    --json``, or ``--csv`` with ``Accept: text/csv``). For a service manager, head of service or auditor;
    running it is recorded as your access attempt (part ``access_log``)."""

    def task(ledger: CaseLedger) -> dict[str, Any]:
        return with_children(ledger, caller.staff_id, period.build(ledger, caller.staff_id, "report").report)

    shown = await work(request, caller, task)
    if CSV in request.headers.get("accept", ""):
        return Response(report_csv(shown), media_type=f"{CSV}; charset=utf-8")
    return answer(shown)


def report_evidence(ledger: CaseLedger, settings: Settings, period: Period, staff_id: str) -> dict[str, Any]:
    """An access report's evidence bundle for ``staff_id`` (the API's and the console's): the report is
    decided and recorded first; a checkpoint is signed with the server's key when the cited events are
    newer than the latest one. :class:`NoSigningKey` when the server has no key."""
    built = period.build(ledger, staff_id, "evidence")  # decided and recorded before anything else
    path = settings.key_path(ledger.backend.kind, ledger.backend.display)
    if not path.exists():
        raise no_signing_key(path)
    key = SigningKey.load(path)
    verifier = key.verifier().to_string()
    try:
        return export_events(ledger.recorder, built.cited, verifier_key=verifier, report=built.report)
    except RuleViolation as e:
        if "checkpoint" not in str(e):
            raise
        ledger.integrity.sign_checkpoint(key)
        return export_events(ledger.recorder, built.cited, verifier_key=verifier, report=built.report)


@router.get("/access/report/evidence", response_model=m.EvidenceBundle, responses=NO_KEY)
async def access_report_evidence(request: Request, caller: SignedIn, period: ReportQuery) -> JSONResponse:
    """The report's evidence bundle: the report, the events it cites, their inclusion proofs and the signed
    checkpoint (as ``caseledger access report --evidence``; a checkpoint is signed first when the events
    are newer than the latest one). Check it anywhere with ``caseledger evidence verify``."""
    settings = server_of(request).settings
    try:
        return answer(await work(request, caller, lambda ledger: report_evidence(ledger, settings, period,
                                                                                  caller.staff_id)))
    except NoSigningKey as e:
        return e.problem()


@router.get("/access/report/fhir", response_model=m.FhirBundle)
async def access_report_fhir(request: Request, caller: SignedIn, period: ReportQuery) -> JSONResponse:
    """The report's attempts as a FHIR R4 Bundle of AuditEvent resources (as ``caseledger access report
    --fhir``)."""

    def task(ledger: CaseLedger) -> dict[str, Any]:
        built = period.build(ledger, caller.staff_id, "fhir")
        checkpoints = ledger.integrity.transparency.checkpoints()
        origin = checkpoints[-1].note.split("\n", 1)[0] if checkpoints else ledger.backend.display
        return fhir_bundle(built.report, origin=origin, now=utc_now())

    return answer(await work(request, caller, task))


@router.get("/access/alerts", response_model=m.AlertList)
async def access_alerts(request: Request, caller: SignedIn) -> JSONResponse:
    """The alert list (as ``caseledger access alerts --json``): break-glass uses and other flagged attempts
    not yet reviewed, oldest first; and the client addresses with repeated failed sign-ins in the last
    week. Reading it is recorded as your access attempt."""
    return answer(await work(request, caller, lambda ledger: alert_list_dict(
        ledger.investigation.alert_list(caller.staff_id))))


@router.post("/access/reviews", status_code=201, response_model=m.ReviewRecorded)
async def access_review(request: Request, caller: SignedIn, body: m.NewReview) -> JSONResponse:
    """Record the review of a flagged attempt (a service manager or head of service; not one's own): it
    leaves the alert list (as ``caseledger access review``)."""

    def task(ledger: CaseLedger) -> dict[str, Any]:
        review = ledger.investigation.review(caller.staff_id, body.attempt, outcome=body.outcome, note=body.note)
        return {"attempt": body.attempt, "review_id": review.id, "outcome": review.outcome.value,
                "note": review.note, "reviewed_by": review.reviewed_by}

    return answer(await work(request, caller, task), 201)
