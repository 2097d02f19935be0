"""The web console: server-rendered pages in the GOV.UK style, served by ``caseledger serve`` at ``/``.

Jinja2 templates (``templates/``) over the same application calls as the HTTP API
(:mod:`commands.api.reading`): every page that shows a child's record decides and records the read
first, exactly as ``GET /api/v1/cases/{case}`` does, with the client address, user agent and
``session:HANDLE`` as the request context; a refused page says why in words and shows nothing of
the record. GOV.UK Frontend's compiled CSS, JS and images are vendored under ``static/govuk`` (with
their licence; not the GDS Transport font: ``static/caseledger.css`` sets Arial, as the Design System
says for services not on GOV.UK), served at ``/static``.

Signing in: a staff id and the password an admin set (``caseledger staff password``); sessions are
in the server process (:mod:`commands.web.sessions`). Sign-in, sign-out and idle time-outs are
recorded in the session log, failed sign-ins in the security log (:mod:`ledger.access.security`).

So far: sign in and out, the social worker's caseload, case page and chronology (each "as of" a
date), and recording a case note (a draft, then finalised) (:mod:`commands.web.pages`); the
investigator's access report with its CSV, evidence and FHIR downloads, the alert list and reviews,
and the auditor's integrity page with a verification's progress (:mod:`commands.web.pages_oversight`);
the helpdesk's roll-back queue, the team manager's queue, deleting a note and break-glass
(:mod:`commands.web.pages_work`).
The rest of the issue's pages are to come.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

__all__ = ["install"]

HERE = Path(__file__).parent


def install(app: FastAPI) -> None:
    """Mount the web console's pages at ``/`` and its static files at ``/static`` on ``app``
    (the API's, :func:`commands.api.create_app`)."""
    from commands.web import pages, pages_oversight, pages_work

    pages.start(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(pages_work.router)  # the helpdesk's and team manager's pages, break-glass
    app.include_router(pages_oversight.router)  # access report, alerts and reviews, integrity
