"""The web console's pages for the helpdesk and the team manager, and the break-glass form.

* Helpdesk: the roll-back queue (``/rollbacks``); raising a request in two steps (the case, who asked,
  the matter and the reason; then the point, chosen from the case's milestones); the request's page,
  with what it would supersede and the casework that stays (as ``caseledger rollback request`` and
  ``GET /api/v1/rollbacks/{id}`` show it); carrying out an agreed one.
* Team manager: the queue (``/queue``): drafts older than their timescale (the compliance projection,
  as ``GET /api/v1/compliance`` reads it, over the records they may open, each read recorded), and the
  roll-back requests to agree or decline (with a reason); deleting a case note with a reason. The
  ledger has no "awaiting a deletion decision" state (a team manager deletes a note directly, policy
  s.12), so the queue has no such list.
* Break-glass: a refused record can be opened in an emergency with a basis (the policy's choices) and
  a reason, recorded exactly as ``X-Break-Glass`` and ``X-Purpose`` are over the API, and alerted to the
  service manager.

Every rule is the ledger's: these pages call the same application services as the API's routes
(:mod:`commands.api.routes_rollbacks`, :mod:`commands.api.routes_casework`, :mod:`commands.api.routes_views`).
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlparse

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from commands.api.reading import Reading, read_case
from commands.cli_rollback import details_dict
from commands.web.pages import Visit, sign_in_first, visit
from commands.web.sessions import Session
from ledger.access.policy import Action, BreakGlassBasis, Part
from ledger.application import CaseLedger
from ledger.errors import NotFound, PermissionDenied, RuleViolation
from ledger.records import milestones
from ledger.records.staff import Role
from projections import views
from projections.compliance import compliance_report
from projections.rollbacks import rollback_row
from projections.views import milestone_title

__all__ = ["router"]

router = APIRouter(include_in_schema=False)



def matter_title(kind: str) -> str:
    """'a case transfer' -> 'Case transfer': a matter's title as a label."""
    title = re.sub(r"^(a|an|the) ", "", milestones.REGISTRY[kind].title)
    return title[:1].upper() + title[1:]


MATTERS = [(k, matter_title(k)) for k in milestones.KINDS]
BASES = [(b.value, b.label.capitalize()) for b in BreakGlassBasis]


async def _posted(v: Visit) -> tuple[Session, dict[str, str]] | Response:
    """The signed-in session and the form's fields, once its CSRF token is checked (or the answer)."""
    session = v.signed_in
    if session is None:
        return sign_in_first(v)
    form = await v.request.form()
    token = form.get("csrf_token")
    if not session.form_token_ok(str(token) if token is not None else None):
        return v.refused_form()
    return session, {k: str(value) for k, value in form.items() if isinstance(value, str)}


def _refusal(v: Visit, problem: Exception) -> HTMLResponse:
    """A refusal or a problem, in words, showing nothing of the record."""
    if isinstance(problem, PermissionDenied):
        return v.page("refused.html", 403, reason=str(problem).removeprefix("access denied: "))
    if isinstance(problem, NotFound):
        return v.page("message.html", 404, title="Page not found", message=str(problem))
    return v.page("message.html", 400, title="There is a problem", message=str(problem))


def _status_tag(status: str) -> str:
    return {"requested": "govuk-tag--yellow", "agreed": "govuk-tag--blue", "carried_out": "govuk-tag--green",
            "declined": "govuk-tag--red", "withdrawn": "govuk-tag--grey", "expired": "govuk-tag--grey"}.get(status, "")


# --- the roll-back queue (helpdesk, team managers and above, auditors) ------------------------------------


@router.get("/rollbacks")
async def rollback_queue(request: Request) -> Response:
    v = await visit(request)
    session = v.signed_in
    if session is None:
        return sign_in_first(v)

    def task(ledger: CaseLedger) -> dict[str, Any]:
        now = ledger.clock()
        rows = [rollback_row(r, now) for r in ledger.rollbacks.find(session.staff_id)]
        rows.reverse()  # newest first
        return {"rows": rows, "helpdesk": ledger.actor(session.staff_id).has_role(Role.HELPDESK)}

    try:
        found = await v.run(task)
    except PermissionDenied as refused:
        return v.page("message.html", 403, title="You cannot see the roll-back queue",
                      message=str(refused).removeprefix("access denied: ").capitalize() + ".")
    return v.page("work_rollbacks.html", nav="rollbacks", tag=_status_tag, matter=matter_title, **found)


def _raise_form(v: Visit, values: dict[str, str], errors: dict[str, str], status: int = 200) -> HTMLResponse:
    return v.page("work_rollback_new.html", status, nav="rollbacks", values=values, errors=errors, matters=MATTERS)


@router.get("/rollbacks/new")
async def new_rollback(request: Request) -> Response:
    """Step 1 of raising a roll-back: the case, who asked for it, the matter and the reason."""
    v = await visit(request)
    if v.signed_in is None:
        return sign_in_first(v)
    return _raise_form(v, {"case": request.query_params.get("case", ""), "raised_by": "", "matter": "", "reason": ""},
                       {})


def _step_one(form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    values = {k: form.get(k, "").strip() for k in ("case", "raised_by", "matter", "reason")}
    errors: dict[str, str] = {}
    if not values["case"]:
        errors["case"] = "Enter the case: its id, or its first hex digits"
    if not values["raised_by"]:
        errors["raised_by"] = "Enter the staff ID of the worker or manager who asked for the roll-back"
    if values["matter"] not in milestones.REGISTRY:
        errors["matter"] = "Choose the process matter that was recorded wrongly"
    if len(values["reason"].split()) < 3:
        errors["reason"] = "Enter why the process should be rolled back, in at least three words"
    return values, errors


@router.post("/rollbacks/new")
async def choose_point(request: Request) -> Response:
    """Step 2: the case's milestones, to choose the point (just before one of them). Reading them is the
    helpdesk's read of the process for this roll-back, recorded with the reason given as its purpose."""
    v = await visit(request)
    got = await _posted(v)
    if isinstance(got, Response):
        return got
    session, form = got
    values, errors = _step_one(form)
    if errors:
        return _raise_form(v, values, errors, 400)

    def task(ledger: CaseLedger) -> dict[str, Any]:
        ledger.staff_member(values["raised_by"])
        cid = ledger.resolve_case_id(values["case"])
        _, _, case = ledger.access.gate(
            session.staff_id, cid, Action.READ, Part.PROCESS, purpose=f"raising a roll-back: {values['reason']}",
            rollback={"id": "(being raised)", "case_id": cid, "helpdesk": session.staff_id})
        shown = [{"id": str(m["id"]), "kind": m["kind"], "title": milestone_title(m["kind"], m["details"]).rstrip("."),
                  "occurred_at": m["occurred_at"], "recorded_at": m["recorded_at"], "by": m["by"]["full_name"]}
                 for m in case.milestones if m.get("superseded_by") is None]
        return {"case_id": str(cid), "child": case.child["name"], "team": case.team, "milestones": shown}

    try:
        found = await v.run(task)
    except NotFound as missing:
        field = "raised_by" if "staff" in str(missing) else "case"
        return _raise_form(v, values, {field: str(missing)}, 400)
    except (PermissionDenied, RuleViolation) as problem:
        return _refusal(v, problem)
    values["case"] = found["case_id"]
    return v.page("work_rollback_point.html", nav="rollbacks", values=values, errors={},
                  matter_title=matter_title(values["matter"]), **found)


@router.post("/rollbacks")
async def raise_rollback(request: Request) -> Response:
    """Raise the request (as ``POST /api/v1/rollbacks`` with ``before_milestone``)."""
    v = await visit(request)
    got = await _posted(v)
    if isinstance(got, Response):
        return got
    session, form = got
    values, errors = _step_one(form)
    point = form.get("before_milestone", "").strip()
    if errors:
        return _raise_form(v, values, errors, 400)
    if not point:
        return v.page("message.html", 400, title="There is a problem",
                      message="Choose the point: the milestone the process should be rolled back to just before. "
                              "Nothing was recorded. Go back and choose one.")

    def task(ledger: CaseLedger) -> str:
        r = ledger.rollbacks.request(session.staff_id, values["case"], matter=values["matter"],
                                     reason=values["reason"], raised_by=values["raised_by"], before_milestone=point)
        return str(r.id)

    try:
        made = await v.run(task)
    except (PermissionDenied, NotFound, RuleViolation) as problem:
        return _refusal(v, problem)
    return v.redirect(f"/rollbacks/{made}?raised=1")


@router.get("/rollbacks/{rollback}")
async def rollback_page(request: Request, rollback: str) -> Response:
    """A request: its status, what it would supersede, the casework that stays, who may decide it
    (as ``GET /api/v1/rollbacks/{id}``; reading the case's process is recorded first)."""
    v = await visit(request)
    session = v.signed_in
    if session is None:
        return sign_in_first(v)

    def task(ledger: CaseLedger) -> dict[str, Any]:
        d = ledger.rollbacks.details(session.staff_id, rollback)
        shown = details_dict(d, ledger.clock())
        titles = {str(m["id"]): milestone_title(m["kind"], m["details"]).rstrip(".") for m in d.case.milestones}
        for e in (shown["would_supersede"] or []) + (shown["would_restore"] or []):
            e["title"] = titles.get(str(e["id"]), e["kind"])
        before = next((t for i, t in titles.items() if i in d.request.point["given"]), None)
        point_text = f"Just before “{before}”" if before else str(d.request.point["given"]).capitalize()
        me = ledger.actor(session.staff_id)
        return {"r": shown, "matter_title": matter_title(d.request.matter), "point_text": point_text,
                "point": d.request.point, "may_decide": session.staff_id in shown["may_decide"],
                "deciders": [f"{m.full_name} ({m.staff_id})" for m in d.may_decide],
                "helpdesk": me.has_role(Role.HELPDESK)}

    try:
        found = await v.run(task)
    except (PermissionDenied, NotFound, RuleViolation) as problem:
        return _refusal(v, problem)
    done = request.query_params
    return v.page("work_rollback.html", nav="rollbacks", tag=_status_tag, raised=done.get("raised", ""),
                  done=done.get("done", ""), errors={}, **found)


async def _decide(request: Request, rollback: str, verb: str) -> Response:
    v = await visit(request)
    got = await _posted(v)
    if isinstance(got, Response):
        return got
    session, form = got
    reason = form.get("reason", "").strip()

    def task(ledger: CaseLedger) -> None:
        if verb == "agree":
            ledger.rollbacks.agree(session.staff_id, rollback)
        elif verb == "decline":
            ledger.rollbacks.decline(session.staff_id, rollback, reason=reason)
        else:
            ledger.rollbacks.carry_out(session.staff_id, rollback)

    if verb == "decline" and len(reason.split()) < 3:
        return v.page("message.html", 400, title="There is a problem",
                      message="Enter why you decline the roll-back, in at least three words. Nothing was recorded.")
    try:
        await v.run(task)
    except (PermissionDenied, NotFound, RuleViolation) as problem:
        return _refusal(v, problem)
    return v.redirect(f"/rollbacks/{rollback}?done={verb}")


@router.post("/rollbacks/{rollback}/agree")
async def agree_rollback(request: Request, rollback: str) -> Response:
    return await _decide(request, rollback, "agree")


@router.post("/rollbacks/{rollback}/decline")
async def decline_rollback(request: Request, rollback: str) -> Response:
    return await _decide(request, rollback, "decline")


@router.post("/rollbacks/{rollback}/carry-out")
async def carry_out_rollback(request: Request, rollback: str) -> Response:
    return await _decide(request, rollback, "carry-out")


# --- the team manager's queue ------------------------------------------------------------------------


@router.get("/queue")
async def manager_queue(request: Request) -> Response:
    """Drafts older than their timescale and roll-back requests to decide, for a team manager (or above)."""
    v = await visit(request)
    session = v.signed_in
    if session is None:
        return sign_in_first(v)

    def task(ledger: CaseLedger) -> dict[str, Any]:
        me = ledger.actor(session.staff_id)
        if not me.at_least(Role.TEAM_MANAGER):
            raise PermissionDenied(f"the queue is for team managers and above; {me.full_name} is {me.role_label}")
        above = me.has_role(Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
        now = ledger.clock()
        records = ledger.access.readable_cases(session.staff_id, Part.PROCESS)  # each read recorded, as the API
        report = compliance_report(ledger, as_of=now, team=None if above else me.team, records=records)
        drafts = [i.as_dict() for i in report.items
                  if i.status == "overdue" and i.what.endswith(" note")]
        decide = [rollback_row(r, now) for r in ledger.rollbacks.find(session.staff_id, status="requested")
                  if above or r.case_team == me.team]
        return {"drafts": drafts, "decide": decide, "team": me.team, "above": above}

    try:
        found = await v.run(task)
    except PermissionDenied as refused:
        return v.page("message.html", 403, title="You cannot see the team manager's queue",
                      message=str(refused).removeprefix("access denied: ").capitalize() + ".")
    return v.page("work_queue.html", nav="queue", matter=matter_title, **found)


# --- deleting a case note (team manager or above) ---------------------------------------------------


def _note_of(ledger: CaseLedger, staff_id: str, case: str, note: str) -> dict[str, Any]:
    c, _ = read_case(ledger, staff_id, case, None, Part.CASE_VIEW, Reading())
    found = next((n for nid, n in c.notes.items() if len(note) >= 8 and str(nid).startswith(note)), None)
    if found is None:
        raise NotFound(f"no case note {note} on the case of {c.child['name']}")
    return {"child": c.child["name"], "note": found}


@router.get("/cases/{case}/notes/{note}/delete")
async def delete_note_form(request: Request, case: str, note: str) -> Response:
    v = await visit(request)
    session = v.signed_in
    if session is None:
        return sign_in_first(v)
    try:
        found = await v.run(lambda ledger: _note_of(ledger, session.staff_id, case, note))
    except (PermissionDenied, NotFound, RuleViolation) as problem:
        return _refusal(v, problem)
    return v.page("work_delete_note.html", case_id=case, note_id=note, errors={}, reason="", **found)


@router.post("/cases/{case}/notes/{note}/delete")
async def delete_note(request: Request, case: str, note: str) -> Response:
    """Delete a case note with a reason (as ``POST /api/v1/cases/{case}/notes/{note}/delete``): it stays in
    the ledger, its text withheld from all but the audit view."""
    v = await visit(request)
    got = await _posted(v)
    if isinstance(got, Response):
        return got
    session, form = got
    reason = form.get("reason", "").strip()
    if not reason:
        found = await v.run(lambda ledger: _note_of(ledger, session.staff_id, case, note))
        return v.page("work_delete_note.html", 400, case_id=case, note_id=note, reason=reason,
                      errors={"reason": "Enter why the case note is deleted (policy s.12)"}, **found)
    try:
        await v.run(lambda ledger: ledger.casework.delete_note(session.staff_id, case, note, reason=reason))
    except PermissionDenied as refused:
        return v.page("message.html", 403, title="You cannot delete this case note",
                      message="The case note was not deleted, and your attempt is recorded: "
                              + str(refused).removeprefix("access denied: ") + ".")
    except RuleViolation as bad:
        found = await v.run(lambda ledger: _note_of(ledger, session.staff_id, case, note))
        return v.page("work_delete_note.html", 400, case_id=case, note_id=note, reason=reason,
                      errors={"reason": str(bad)}, **found)
    except NotFound as problem:
        return _refusal(v, problem)
    return v.page("message.html", title="The case note is deleted",
                  message="The case note is deleted, with your reason. It stays in the ledger: its text is seen "
                          "only in the audit view, by those who may read deleted notes (policy s.12).")


# --- break-glass --------------------------------------------------------------------------------------

CASE_PATH = re.compile(r"^/cases/([^/]+)")


@router.get("/break-glass")
async def break_glass_from_refusal(request: Request) -> Response:
    """From the refusal page's link: the break-glass form of the case that page refused (its address)."""
    v = await visit(request)
    if v.signed_in is None:
        return sign_in_first(v)
    came_from = urlparse(request.headers.get("referer", ""))
    found = CASE_PATH.match(came_from.path) if came_from.netloc in ("", request.url.netloc) else None
    if found is None:
        return v.page("message.html", 400, title="Open the record first",
                      message="Open the case from its page; if it is refused, its refusal page links to this form.")
    return v.redirect(f"/cases/{found.group(1)}/break-glass")


def _break_glass_form(v: Visit, case: str, values: dict[str, str], errors: dict[str, str],
                      status: int = 200) -> HTMLResponse:
    return v.page("work_break_glass.html", status, case_id=case, values=values, errors=errors, bases=BASES)


@router.get("/cases/{case}/break-glass")
async def break_glass_form(request: Request, case: str) -> Response:
    """The form: nothing of the record is read or shown until it is submitted."""
    v = await visit(request)
    if v.signed_in is None:
        return sign_in_first(v)
    try:
        uuid.UUID(case) if len(case) == 36 else int(case, 16)
    except ValueError:
        return v.page("message.html", 404, title="Page not found", message=f"no case {case}")
    return _break_glass_form(v, case, {"basis": "", "reason": ""}, {})


@router.post("/cases/{case}/break-glass")
async def break_glass(request: Request, case: str) -> Response:
    """Open the record with the basis and the reason: decided and recorded as ``X-Break-Glass`` with
    ``X-Purpose`` are over the API (``GET /api/v1/cases/{case}``), then the case page."""
    v = await visit(request)
    got = await _posted(v)
    if isinstance(got, Response):
        return got
    session, form = got
    values = {"basis": form.get("basis", "").strip(), "reason": form.get("reason", "").strip()}
    errors: dict[str, str] = {}
    if values["basis"] not in {b for b, _ in BASES}:
        errors["basis"] = "Choose the lawful basis for opening the record in an emergency"
    if len(values["reason"].split()) < 3:
        errors["reason"] = "Enter why you must open the record now, in at least three words"
    if errors:
        return _break_glass_form(v, case, values, errors, 400)
    reading = Reading.of(values["reason"], values["basis"])

    def task(ledger: CaseLedger) -> dict[str, Any]:
        c, when = read_case(ledger, session.staff_id, case, None, Part.CASE_VIEW, reading)
        return {"view": views.case_view(c, today=views.local_date(when)), "summary_fields": views.summary_fields,
                "me": session.staff_id, "saved": "", "finalised": ""}

    try:
        found = await v.run(task)
    except (PermissionDenied, NotFound, RuleViolation) as problem:
        return _refusal(v, problem)
    return v.page("case.html", case_id=case, as_of="", **found)
