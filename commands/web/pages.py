"""The web console's pages (see :mod:`commands.web`): sign in and out, the caseload, the case page,
the chronology.

Every page answers ``Cache-Control: no-store`` (a signed-out back button finds nothing kept), a
content security policy that allows this server's own scripts and styles only, and no framing.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from commands.api.reading import Reading, chronology, parse_when, read_case
from commands.api.server import Server, client_address
from commands.web.sessions import COOKIE, Session, Sessions
from ledger.access.log import RequestContext
from ledger.access.policy import Part
from ledger.access.security import NotAuthenticated, record_failure, record_session
from ledger.application import LONDON, CaseLedger
from ledger.errors import NotFound, PermissionDenied, RuleViolation
from ledger.records.case import NoteKind
from projections import views

__all__ = ["router", "start"]

T = TypeVar("T")

router = APIRouter(include_in_schema=False)

#: The web console's folder (templates/, static/).
HERE = Path(__file__).parent

templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                        trim_blocks=True, lstrip_blocks=True)

HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


def _day(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = _dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, _dt.datetime):
        return value.astimezone(LONDON).strftime("%-d %B %Y")
    if isinstance(value, _dt.date):
        return value.strftime("%-d %B %Y")
    return "" if value is None else str(value)


def _moment(value: Any) -> str:
    if isinstance(value, _dt.datetime):
        return value.astimezone(LONDON).strftime("%-d %B %Y, %H:%M")
    return _day(value)


templates.filters["day"] = _day
templates.filters["moment"] = _moment


def start(app: FastAPI) -> None:
    """The sessions of this process (see :mod:`commands.web.sessions`), idle after the server's setting."""
    server: Server = app.state.server
    app.state.sessions = Sessions(_dt.timedelta(minutes=server.settings.session_idle_minutes))


# --- each request ------------------------------------------------------------------------------


class Visit:
    """One request to the web console: the server, the session (if any), who is calling from where."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.server: Server = request.app.state.server
        self.sessions: Sessions = request.app.state.sessions
        self.client = client_address(request, self.server.proxies)
        self.user_agent = request.headers.get("user-agent", "")[:300]
        self.session: Session | None = None
        self.timed_out = False
        self.new_cookie = False

    async def open(self) -> Visit:
        """End (and record) the sessions idle too long, then find this request's session."""
        now = self.server.ledger.now()
        cookie = self.request.cookies.get(COOKIE)
        for gone in self.sessions.expired(now):
            if gone.id == cookie:
                self.timed_out = True
            await self.run(lambda ledger, s=gone: record_session(
                ledger, "timed_out", s.actor, session=s.credential, client=s.client, user_agent=s.user_agent),
                context=RequestContext(client=gone.client, user_agent=gone.user_agent, credential=gone.credential),
                label="web idle time-out")
        self.session = self.sessions.get(cookie, now)
        return self

    def anonymous(self) -> Session:
        """This request's session, or a new one (not signed in) for the sign-in form's token."""
        if self.session is None:
            self.session = self.sessions.new(self.server.ledger.now(), client=self.client,
                                             user_agent=self.user_agent)
            self.new_cookie = True
        return self.session

    @property
    def signed_in(self) -> Session | None:
        return self.session if self.session is not None and self.session.signed_in else None

    def context(self) -> RequestContext:
        credential = self.session.credential if self.signed_in and self.session else ""
        return RequestContext(client=self.client, user_agent=self.user_agent, credential=credential)

    def label(self) -> str:
        route = self.request.scope.get("route")
        return f"web {self.request.method} {getattr(route, 'path', self.request.url.path)}"

    async def run(self, work: Callable[[CaseLedger], T], *, context: RequestContext | None = None,
                  label: str | None = None) -> T:
        return await self.server.run(work, context=context or self.context(), label=label or self.label())

    # --- answering ---

    def page(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        session = self.session
        html = templates.get_template(template).render(
            session=session if session is not None and session.signed_in else None,
            csrf=session.csrf if session is not None else "", **values)
        response = HTMLResponse(html, status_code=status, headers=HEADERS)
        self._cookie(response)
        return response

    def redirect(self, to: str) -> RedirectResponse:
        response = RedirectResponse(to, status_code=303, headers=HEADERS)
        self._cookie(response)
        return response

    def _cookie(self, response: Response) -> None:
        if self.new_cookie and self.session is not None:
            response.set_cookie(COOKIE, self.session.id, httponly=True, samesite="lax", path="/",
                                secure=self.request.url.scheme == "https")

    def refused_form(self) -> HTMLResponse:
        return self.page("message.html", 403, title="This form has expired",
                         message="The form did not come from this page of the case ledger, or it has expired. "
                                 "Nothing was done. Go back, reload the page and try again.")


async def visit(request: Request) -> Visit:
    return await Visit(request).open()


def sign_in_first(v: Visit) -> RedirectResponse:
    return v.redirect("/sign-in?timed_out=1" if v.timed_out else "/sign-in")


# --- signing in and out --------------------------------------------------------------------------


@router.get("/")
async def home(request: Request) -> Response:
    v = await visit(request)
    return v.redirect("/caseload" if v.signed_in else "/sign-in")


@router.get("/sign-in")
async def sign_in_page(request: Request) -> Response:
    v = await visit(request)
    if v.signed_in:
        return v.redirect("/caseload")
    v.anonymous()
    notice = ""
    if v.timed_out or request.query_params.get("timed_out"):
        notice = (f"You were signed out after {v.server.settings.session_idle_minutes} minutes without "
                  "activity, to protect children's records (policy s.15). Sign in again to carry on.")
    elif request.query_params.get("signed_out"):
        notice = "You have signed out."
    return v.page("sign_in.html", notice=notice, errors={}, staff_id="")


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    v = await visit(request)
    form = await request.form()
    staff_id = str(form.get("staff_id") or "").strip()
    password = str(form.get("password") or "")
    token = form.get("csrf_token")
    session = v.session
    if session is None or not session.form_token_ok(str(token) if token is not None else None):
        failure = NotAuthenticated("no_form_token", "the sign-in form came without this session's form token",
                                   credential=f"password:{staff_id.lower()[:64]}")
        await v.run(lambda ledger: record_failure(ledger, failure, client=v.client, user_agent=v.user_agent,
                                                  method="POST", path="/sign-in"))
        return v.refused_form()
    errors: dict[str, str] = {}
    if not staff_id:
        errors["staff_id"] = "Enter your staff ID"
    if not password:
        errors["password"] = "Enter your password"
    if errors:
        return v.page("sign_in.html", 400, notice="", errors=errors, staff_id=staff_id)

    def check(ledger: CaseLedger) -> dict[str, Any]:
        try:
            member = ledger.tokens.check_password(staff_id, password)
        except NotAuthenticated as failure:
            record_failure(ledger, failure, client=v.client, user_agent=v.user_agent, method="POST", path="/sign-in")
            raise
        return ledger.actor(member.staff_id).stamp()

    try:
        actor = await v.run(check)
    except NotAuthenticated:
        return v.page("sign_in.html", 401, notice="", staff_id=staff_id,
                      errors={"password": "The staff ID or password is not right. Check both and try again."})
    # A new session, with a new id: the one before sign-in (and its cookie) is ended (no fixation).
    v.sessions.end(session)
    v.session = v.sessions.new(v.server.ledger.now(), staff_id=str(actor["staff_id"]), actor=actor,
                               client=v.client, user_agent=v.user_agent)
    v.new_cookie = True
    new = v.session
    await v.run(lambda ledger: record_session(ledger, "signed_in", actor, session=new.credential, client=v.client,
                                              user_agent=v.user_agent))
    return v.redirect("/caseload")


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    v = await visit(request)
    session = v.signed_in
    if session is None:
        return sign_in_first(v)
    form = await request.form()
    token = form.get("csrf_token")
    if not session.form_token_ok(str(token) if token is not None else None):
        return v.refused_form()
    if v.sessions.end(session):
        await v.run(lambda ledger: record_session(ledger, "signed_out", session.actor, session=session.credential,
                                                  client=v.client, user_agent=v.user_agent))
    v.session = None
    response = v.redirect("/sign-in?signed_out=1")
    response.delete_cookie(COOKIE, path="/")
    return response


# --- the social worker's pages ---------------------------------------------------------------------


@router.get("/caseload")
async def caseload(request: Request) -> Response:
    v = await visit(request)
    session = v.signed_in
    if session is None:
        return sign_in_first(v)

    def task(ledger: CaseLedger) -> list[dict[str, Any]]:
        return [{"case_id": str(c.id), "child": c.child["name"], "team": c.team, "worker": c.worker["full_name"],
                 "status": c.status, "mine": c.worker.get("staff_id") == session.staff_id}
                for c in ledger.access.list_records(session.staff_id)]

    rows = await v.run(task)
    rows.sort(key=lambda r: (not r["mine"], r["status"] != "open", r["child"]))
    return v.page("caseload.html", rows=rows)


def _as_of(value: str | None) -> str | None:
    """The "as of" date field (YYYY-MM-DD): the record as it stood at the end of that day (London)."""
    if value is None or not value.strip():
        return None
    try:
        day = _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise RuleViolation(f"as of {value!r} is not a date like 2026-11-21", field="as_of") from None
    return f"{day.isoformat()} 23:59:59"


async def _read(v: Visit, case: str, task: Callable[[CaseLedger, str | None], dict[str, Any]],
                template: str) -> Response:
    """A page of a child's record: decided and recorded first; refused in words, with nothing of it."""
    session = v.signed_in
    if session is None:
        return sign_in_first(v)
    as_of_text = v.request.query_params.get("as_of")
    try:
        as_of = _as_of(as_of_text)
        found = await v.run(lambda ledger: task(ledger, as_of))
    except PermissionDenied as refused:
        return v.page("refused.html", 403, reason=str(refused).removeprefix("access denied: "))
    except NotFound as missing:
        return v.page("message.html", 404, title="Page not found", message=str(missing))
    except RuleViolation as bad:
        return v.page("message.html", 400, title="There is a problem", message=str(bad))
    return v.page(template, case_id=case, as_of=(as_of_text or "").strip(), **found)


@router.get("/cases/{case}")
async def case_page(request: Request, case: str) -> Response:
    v = await visit(request)

    def task(ledger: CaseLedger, as_of: str | None) -> dict[str, Any]:
        assert v.session is not None
        c, when = read_case(ledger, v.session.staff_id, case, as_of, Part.CASE_VIEW, Reading())
        return {"view": views.case_view(c, today=views.local_date(when)), "summary_fields": views.summary_fields,
                "me": v.session.staff_id, "saved": v.request.query_params.get("saved", ""),
                "finalised": v.request.query_params.get("finalised", "")}

    return await _read(v, case, task, "case.html")


# --- recording a case note ---------------------------------------------------------------------------

NOTE_KINDS = [(k.value, k.value.replace("_", " ").capitalize()) for k in NoteKind]
NOTE_TEXT = ("facts", "analysis", "actions", "child_views", "late_reason")


def _note_form(v: Visit, case: str, child: str, values: dict[str, Any], errors: dict[str, str],
               status: int = 200) -> HTMLResponse:
    return v.page("note_form.html", status, case_id=case, child=child, values=values, errors=errors,
                  kinds=NOTE_KINDS)


@router.get("/cases/{case}/notes/new")
async def new_note(request: Request, case: str) -> Response:
    """The form to record a case note (the record is opened, and recorded, as the case page opens it)."""
    v = await visit(request)

    def task(ledger: CaseLedger, as_of: str | None) -> dict[str, Any]:
        assert v.session is not None
        c, _ = read_case(ledger, v.session.staff_id, case, None, Part.CASE_VIEW, Reading())
        now = ledger.now().astimezone(LONDON)
        return {"child": c.child["name"], "values": {"kind": "home_visit", "date": now.date().isoformat(),
                                                     "time": now.strftime("%H:%M")},
                "errors": {}, "kinds": NOTE_KINDS}

    return await _read(v, case, task, "note_form.html")


def _field_of(problem: RuleViolation) -> str:
    field = getattr(problem, "field", None) or ""
    text = str(problem)
    if not field:
        field = next((f for f in ("child_seen_alone", "late_reason", "provided_by", "facts") if text.startswith(f)),
                     "facts")
    return {"occurred_at": "date", "kind": "kind"}.get(field, field)


@router.post("/cases/{case}/notes")
async def record_note(request: Request, case: str) -> Response:
    """Record the note as a draft (its author finalises it from the case page)."""
    v = await visit(request)
    session = v.signed_in
    if session is None:
        return sign_in_first(v)
    form = await request.form()
    token = form.get("csrf_token")
    if not session.form_token_ok(str(token) if token is not None else None):
        return v.refused_form()
    values = {k: str(form.get(k) or "") for k in ("kind", "date", "time", *NOTE_TEXT)}
    values["child_seen"] = "yes" if form.get("child_seen") == "yes" else ""
    values["child_seen_alone"] = "yes" if form.get("child_seen_alone") == "yes" else ""
    errors: dict[str, str] = {}
    if values["kind"] not in {k for k, _ in NOTE_KINDS}:
        errors["kind"] = "Choose what kind of contact or work this note records"
    if not values["facts"].strip():
        errors["facts"] = "Enter the facts: what happened, kept apart from your analysis and actions"
    when = None
    try:
        when = parse_when(f"{values['date'].strip()} {values['time'].strip()}", "occurred_at", "case note")
    except RuleViolation:
        errors["date"] = "Enter the date and time it happened, for example 21 November 2026 at 14:30"

    def task(ledger: CaseLedger) -> Any:
        if errors or when is None:
            c, _ = read_case(ledger, session.staff_id, case, None, Part.CASE_VIEW, Reading())
            return c.child["name"]
        return ledger.casework.record_note(
            session.staff_id, case, kind=values["kind"], occurred_at=when, facts=values["facts"],
            analysis=values["analysis"], actions=values["actions"], child_views=values["child_views"],
            child_seen=bool(values["child_seen"]), child_seen_alone=bool(values["child_seen_alone"]),
            late_reason=values["late_reason"])

    try:
        done = await v.run(task)
    except PermissionDenied as refused:
        return v.page("refused.html", 403, reason=str(refused).removeprefix("access denied: "))
    except NotFound as missing:
        return v.page("message.html", 404, title="Page not found", message=str(missing))
    except RuleViolation as bad:
        child = await v.run(lambda ledger: read_case(ledger, session.staff_id, case, None, Part.CASE_VIEW,
                                                     Reading())[0].child["name"])
        return _note_form(v, case, child, values, {_field_of(bad): str(bad)}, 400)
    if errors:
        return _note_form(v, case, str(done), values, errors, 400)
    return v.redirect(f"/cases/{case}?saved={done}")


@router.post("/cases/{case}/notes/{note}/finalise")
async def finalise_note(request: Request, case: str, note: str) -> Response:
    """Finalise a draft (its author only): from then on it changes only by amendment."""
    v = await visit(request)
    session = v.signed_in
    if session is None:
        return sign_in_first(v)
    form = await request.form()
    token = form.get("csrf_token")
    if not session.form_token_ok(str(token) if token is not None else None):
        return v.refused_form()
    try:
        await v.run(lambda ledger: ledger.casework.finalise_note(session.staff_id, case, note))
    except PermissionDenied as refused:
        return v.page("refused.html", 403, reason=str(refused).removeprefix("access denied: "))
    except RuleViolation as bad:
        return v.page("message.html", 400, title="There is a problem", message=str(bad))
    return v.redirect(f"/cases/{case}?finalised={note}")


@router.get("/cases/{case}/chronology")
async def chronology_page(request: Request, case: str) -> Response:
    v = await visit(request)

    def task(ledger: CaseLedger, as_of: str | None) -> dict[str, Any]:
        assert v.session is not None
        return {"chronology": chronology(ledger, v.session.staff_id, case, as_of, False, Reading())}

    return await _read(v, case, task, "chronology.html")
