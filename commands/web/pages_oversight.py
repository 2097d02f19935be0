"""The web console's oversight pages (see :mod:`commands.web`): investigating access and checking the
ledger's integrity, as the HTTP API's routes do them (:mod:`commands.api.routes_access`,
:mod:`commands.api.routes_integrity`), on the same application services.

- ``/oversight/access-report``: the access report on a staff member or a case (a service manager, head
  of service or auditor: the ledger decides), each attempt a row with its flags in words; every use
  (the page, its CSV, its evidence bundle, its FHIR export) is decided and recorded first as the
  reader's own access attempt (the audit of the audit), as the API route records it.
- ``/oversight/alerts``: the alert list (flagged attempts not yet reviewed, and the addresses with
  repeated failed sign-ins), and the review of a flagged attempt (a form, POST with the form token).
- ``/oversight/integrity``: the latest signed checkpoint and its age, the verifier key, starting a
  verification of the whole ledger (POST) and its progress page (refreshes itself while it runs).
"""

from __future__ import annotations

import datetime as _dt
import threading
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from commands.api.routes_access import Period, report_evidence
from commands.api.routes_integrity import (
    NoSigningKey,
    VerifyJob,
    _jobs,
    _run,
    _shared_job,
    _verifier,
)
from commands.web.pages import HEADERS, Visit, sign_in_first, visit
from ledger.access.review import ReviewOutcome
from ledger.application import LONDON, CaseLedger, utc_now
from ledger.errors import NotFound, PermissionDenied, RuleViolation
from projections.access_fhir import fhir_bundle
from projections.access_report import (
    alert_list_dict,
    basis_text,
    period_text,
    record_text,
    report_csv,
    report_title,
    who_text,
    with_children,
)
from projections.plain import jsonable

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

OUTCOMES = [(o.value, o.label) for o in ReviewOutcome]


def _when(iso: str | None) -> str:
    """An ISO moment as people read it, London time: 4 November 2026, 21:00."""
    if not iso:
        return ""
    moment = _dt.datetime.fromisoformat(iso)
    return moment.astimezone(LONDON).strftime("%-d %B %Y, %H:%M")


def _refused(v: Visit, refused: PermissionDenied) -> Response:
    return v.page("refused.html", 403, reason=str(refused).removeprefix("access denied: "))


def _problem(v: Visit, error: Exception) -> Response:
    if isinstance(error, PermissionDenied):
        return _refused(v, error)
    if isinstance(error, NotFound):
        return v.page("message.html", 404, title="Page not found", message=str(error))
    return v.page("message.html", 400, title="There is a problem", message=str(error))


def _form_ok(v: Visit, form: Any) -> bool:
    token = form.get("csrf_token")
    return v.session is not None and v.session.form_token_ok(str(token) if token is not None else None)


# --- the access report --------------------------------------------------------------------------------

#: The report form's fields (the API's query: staff or case, from, to).
REPORT_FIELDS = ("staff", "case", "from", "to")


def _query(request: Request) -> dict[str, str]:
    return {k: (request.query_params.get(k) or "").strip() for k in REPORT_FIELDS}


def _period(q: dict[str, str]) -> Period:
    """The API's report query, checked the same way (exactly one of staff and case; dates)."""
    return Period(staff=q["staff"] or None, case=q["case"] or None, from_=q["from"] or None, to=q["to"] or None)


def _link(q: dict[str, str]) -> str:
    from urllib.parse import urlencode
    return urlencode({k: v for k, v in q.items() if v})


@router.get("/oversight/access-report")
async def access_report_page(request: Request) -> Response:
    """The form, and (once a staff id or a case is given) the report, recorded as the reader's use of the
    access log before anything is read."""
    v = await visit(request)
    session = v.signed_in
    if session is None:
        return sign_in_first(v)
    q = _query(request)
    if not q["staff"] and not q["case"]:
        errors = {"staff": "Enter a staff ID or a case"} if "staff" in request.query_params else {}
        return v.page("oversight_report.html", 400 if errors else 200, q=q, errors=errors, report=None)
    try:
        period = _period(q)
    except RuleViolation as bad:
        field = getattr(bad, "field", "") or "staff"
        return v.page("oversight_report.html", 400, q=q, errors={field: str(bad)}, report=None)

    def task(ledger: CaseLedger) -> dict[str, Any]:
        return with_children(ledger, session.staff_id, period.build(ledger, session.staff_id, "report").report)

    try:
        report = await v.run(task)
    except (PermissionDenied, NotFound, RuleViolation) as e:
        return _problem(v, e)
    rows = [{"ref": r["ref"], "when": _when(r["at"]), "who": who_text(r), "record": record_text(r),
             "action": str(r["action"]).replace("_", " "), "outcome": r["outcome"], "basis": basis_text(r),
             "flags": [f["text"] for f in r["flags"]], "review": r["review"],
             "client": r["origin"].get("client", "")} for r in report["attempts"]]
    return v.page("oversight_report.html", q=q, errors={}, report=report, rows=rows, title=report_title(report),
                  period=period_text(report), link=_link(q))


@router.get("/oversight/access-report.csv")
async def access_report_csv(request: Request) -> Response:
    """The report as CSV: the same content as ``GET /api/v1/access/report`` with ``Accept: text/csv``."""
    v = await visit(request)
    session = v.signed_in
    if session is None:
        return sign_in_first(v)
    try:
        period = _period(_query(request))
        report = await v.run(lambda ledger: with_children(
            ledger, session.staff_id, period.build(ledger, session.staff_id, "report").report))
    except (PermissionDenied, NotFound, RuleViolation) as e:
        return _problem(v, e)
    subject = period.staff or "case"
    return Response(report_csv(report), media_type="text/csv; charset=utf-8",
                    headers={**HEADERS, "Content-Disposition": f'attachment; filename="access-report-{subject}.csv"'})


@router.get("/oversight/access-report/evidence")
async def access_report_evidence(request: Request) -> Response:
    """The report's evidence bundle, as ``GET /api/v1/access/report/evidence`` gives it."""
    v = await visit(request)
    session = v.signed_in
    if session is None:
        return sign_in_first(v)

    def task(ledger: CaseLedger) -> dict[str, Any]:
        return report_evidence(ledger, v.server.settings, period, session.staff_id)

    try:
        period = _period(_query(request))
        bundle = await v.run(task)
    except NoSigningKey as e:
        return v.page("message.html", 503, title="The evidence bundle cannot be made", message=str(e))
    except (PermissionDenied, NotFound, RuleViolation) as e:
        return _problem(v, e)
    return JSONResponse(jsonable(bundle), headers={
        **HEADERS, "Content-Disposition": 'attachment; filename="access-report-evidence.json"'})


@router.get("/oversight/access-report/fhir")
async def access_report_fhir(request: Request) -> Response:
    """The report's attempts as a FHIR R4 Bundle of AuditEvents, as ``GET /api/v1/access/report/fhir``."""
    v = await visit(request)
    session = v.signed_in
    if session is None:
        return sign_in_first(v)

    def task(ledger: CaseLedger) -> dict[str, Any]:
        built = period.build(ledger, session.staff_id, "fhir")
        checkpoints = ledger.integrity.transparency.checkpoints()
        origin = checkpoints[-1].note.split("\n", 1)[0] if checkpoints else ledger.backend.display
        return fhir_bundle(built.report, origin=origin, now=utc_now())

    try:
        period = _period(_query(request))
        bundle = await v.run(task)
    except (PermissionDenied, NotFound, RuleViolation) as e:
        return _problem(v, e)
    return JSONResponse(jsonable(bundle), media_type="application/fhir+json", headers={
        **HEADERS, "Content-Disposition": 'attachment; filename="access-report-fhir.json"'})


# --- the alert list and reviews --------------------------------------------------------------------


def _alert_rows(found: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**a, "when": _when(a["at"]), "who": f"{a['name'] or a['staff_id']} ({a['staff_id']})",
             "flag_words": [f["text"] for f in a["flags"]]} for a in found["alerts"]]


@router.get("/oversight/alerts")
async def alerts_page(request: Request) -> Response:
    """The alert list, recorded as the reader's use of the access log (as ``GET /api/v1/access/alerts``)."""
    v = await visit(request)
    session = v.signed_in
    if session is None:
        return sign_in_first(v)
    try:
        found = await v.run(lambda ledger: alert_list_dict(ledger.investigation.alert_list(session.staff_id)))
    except (PermissionDenied, NotFound, RuleViolation) as e:
        return _problem(v, e)
    failures = found["failed_sign_ins"]
    addresses = [{**row, "first_text": _when(row["first"]), "last_text": _when(row["last"]),
                  "reasons_text": ", ".join(f"{code.replace('_', ' ')}: {n}" for code, n in row["reasons"].items())}
                 for row in failures["addresses"]]
    return v.page("oversight_alerts.html", alerts=_alert_rows(found), addresses=addresses,
                  at_least=failures["at_least"], since=_when(failures["since"]),
                  reviewed=request.query_params.get("reviewed", ""))


def _review_form(v: Visit, alert: dict[str, Any] | None, ref: str, values: dict[str, str],
                 errors: dict[str, str], status: int = 200) -> Response:
    return v.page("oversight_review.html", status, alert=alert, ref=ref, values=values, errors=errors,
                  outcomes=OUTCOMES)


async def _alert(v: Visit, ref: str) -> dict[str, Any] | None:
    """The flagged attempt ``ref`` from the alert list (reading the list is recorded, as ever)."""
    assert v.session is not None
    staff = v.session.staff_id
    found = await v.run(lambda ledger: alert_list_dict(ledger.investigation.alert_list(staff)))
    return next((a for a in _alert_rows(found) if a["ref"] == ref), None)


@router.get("/oversight/alerts/{ref}/review")
async def review_form(request: Request, ref: str) -> Response:
    v = await visit(request)
    if v.signed_in is None:
        return sign_in_first(v)
    try:
        alert = await _alert(v, ref)
    except (PermissionDenied, NotFound, RuleViolation) as e:
        return _problem(v, e)
    if alert is None:
        return v.page("message.html", 404, title="Page not found",
                      message=f"attempt {ref} is not on the alert list: it was reviewed already, or it was not "
                              "flagged")
    return _review_form(v, alert, ref, {"outcome": "", "note": ""}, {})


@router.post("/oversight/alerts/{ref}/review")
async def record_review(request: Request, ref: str) -> Response:
    """Record the review (a service manager or head of service; not one's own): it leaves the alert list."""
    v = await visit(request)
    session = v.signed_in
    if session is None:
        return sign_in_first(v)
    form = await request.form()
    if not _form_ok(v, form):
        return v.refused_form()
    values = {"outcome": str(form.get("outcome") or ""), "note": str(form.get("note") or "")}
    errors: dict[str, str] = {}
    if values["outcome"] not in {o for o, _ in OUTCOMES}:
        errors["outcome"] = "Choose what you found"
    if not values["note"].strip():
        errors["note"] = "Enter a note of what you found and why"
    if not errors:
        try:
            await v.run(lambda ledger: ledger.investigation.review(session.staff_id, ref, outcome=values["outcome"],
                                                                   note=values["note"]))
            return v.redirect(f"/oversight/alerts?reviewed={ref}")
        except PermissionDenied as refused:
            return _refused(v, refused)
        except NotFound as missing:
            return _problem(v, missing)
        except RuleViolation as bad:
            field = getattr(bad, "field", "") or ""
            errors["note" if field == "note" else "outcome"] = str(bad)
    try:
        alert = await _alert(v, ref)
    except (PermissionDenied, NotFound, RuleViolation) as e:
        return _problem(v, e)
    return _review_form(v, alert, ref, values, errors, 400)


# --- integrity ------------------------------------------------------------------------------------------


def _age(signed_at: str, now: _dt.datetime) -> str:
    try:
        then = _dt.datetime.fromisoformat(signed_at)
    except ValueError:
        return "unknown"
    minutes = int((now - then).total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 120:
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hours"
    return f"{hours // 24} days"


@router.get("/oversight/integrity")
async def integrity_page(request: Request) -> Response:
    """The latest signed checkpoint and its age, the verifier key, and a button to verify the ledger
    (for a service manager, head of service or auditor: the ledger decides, as for ``/api/v1/verify``)."""
    v = await visit(request)
    session = v.signed_in
    if session is None:
        return sign_in_first(v)

    def task(ledger: CaseLedger) -> dict[str, Any]:
        ledger.integrity.verifier(session.staff_id)
        history = ledger.integrity.transparency.checkpoints()
        latest = history[-1] if history else None
        key_file = v.server.settings.key_path(ledger.backend.kind, ledger.backend.display)
        try:
            _, source = _verifier(ledger, key_file)
        except NoSigningKey:
            source = None
        now = ledger.now()
        return {"latest": None if latest is None else {
                    "size": latest.size, "origin": latest.note.split("\n", 1)[0], "signed_at": _when(latest.signed_at),
                    "age": _age(latest.signed_at, now)},
                "count": len(history), "source": source, "events": ledger.integrity.event_count()}

    try:
        found = await v.run(task)
    except (PermissionDenied, NotFound, RuleViolation) as e:
        return _problem(v, e)
    return v.page("oversight_integrity.html", **found)


@router.get("/oversight/integrity/checkpoint.txt")
async def checkpoint_download(request: Request) -> Response:
    """The latest signed checkpoint as text (the C2SP signed note), as ``GET /api/v1/checkpoint``."""
    v = await visit(request)
    if v.signed_in is None:
        return sign_in_first(v)

    def task(ledger: CaseLedger) -> str:
        history = ledger.integrity.transparency.checkpoints()
        if not history:
            raise NotFound("no checkpoint has been signed yet")
        return history[-1].note

    try:
        note = await v.run(task)
    except NotFound as e:
        return _problem(v, e)
    return PlainTextResponse(note, media_type="text/plain; charset=utf-8",
                             headers={**HEADERS, "Content-Disposition": 'attachment; filename="checkpoint.txt"'})


@router.post("/oversight/integrity/verify")
async def start_verification(request: Request) -> Response:
    """Start a verification of the whole ledger, recorded first as the reader's access attempt (as
    ``POST /api/v1/verify``); then its progress page."""
    v = await visit(request)
    session = v.signed_in
    if session is None:
        return sign_in_first(v)
    form = await request.form()
    if not _form_ok(v, form):
        return v.refused_form()
    settings = v.server.settings

    def task(ledger: CaseLedger) -> tuple[VerifyJob, Any, dict[str, Any]]:
        ledger.integrity.start_verification(session.staff_id)
        key_file = settings.key_path(ledger.backend.kind, ledger.backend.display)
        verifier, source = _verifier(ledger, key_file)
        job = VerifyJob(uuid.uuid4().hex, utc_now().isoformat(), session.staff_id, ledger.integrity.event_count())
        job.shared = Path(settings.jobs_dir) if settings.jobs_dir else None
        job.share(force=True)
        return job, verifier, source

    try:
        job, verifier, source = await v.run(task)
    except NoSigningKey as e:
        return v.page("message.html", 503, title="The ledger cannot be verified here", message=str(e))
    except (PermissionDenied, NotFound, RuleViolation) as e:
        return _problem(v, e)
    jobs = _jobs(request)
    with jobs.lock:
        jobs.jobs[job.job] = job
    threading.Thread(target=_run, args=(job, settings.db, verifier, source), daemon=True,
                     name=f"verify-{job.job[:8]}").start()
    return v.redirect(f"/oversight/integrity/verify/{job.job}")


@router.get("/oversight/integrity/verify/{job}")
async def verification_page(request: Request, job: str) -> Response:
    """The verification's progress (events checked of the total), refreshing itself every two seconds
    while it runs, then its result."""
    v = await visit(request)
    session = v.signed_in
    if session is None:
        return sign_in_first(v)
    try:
        await v.run(lambda ledger: ledger.integrity.verifier(session.staff_id))
    except PermissionDenied as refused:
        return _refused(v, refused)
    jobs = _jobs(request)
    with jobs.lock:
        found = jobs.jobs.get(job)
    state = found.as_dict() if found is not None else _shared_job(v.server.settings.jobs_dir, job)
    if state is None:
        return v.page("message.html", 404, title="Page not found",
                      message="There is no such verification on this server: verifications are kept until the "
                              "server stops. Start a new one from the integrity page.")
    report = state.get("report") or {}
    problems = [f"{p['case']} version {p['version']}: {p['problem']}" for p in report.get("problems", [])]
    problems += [f"checkpoint {c['source']} (size {c['size']}): {c['problem']}"
                 for c in report.get("checkpoints", []) if not c["ok"]]
    page = v.page("oversight_verify.html", job=state, report=report, problems=problems,
                  started=_when(state["started_at"]),
                  percent=min(100, int(100 * state["checked"] / state["total"])) if state["total"] else 100)
    if state["status"] == "running":
        page.headers["Refresh"] = "2"  # as <meta http-equiv="refresh" content="2">: no script needed
    return page
