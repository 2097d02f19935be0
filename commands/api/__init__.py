"""The HTTP API: every use of the ledger over HTTP, for the web console, other systems and a SIEM.

``create_app(settings)`` builds the FastAPI application: one ledger opened for the process and kept
warm (:mod:`commands.api.server`), routes under ``/api/v1`` split by area (``routes_system``:
health and who you are; ``routes_cases``: cases and their views; ``routes_casework``: notes,
decisions, milestones, records, documents; ``routes_views``: views across cases; ``routes_rollbacks``: roll-backs;
``routes_access``: access investigation; ``routes_integrity``: checkpoints, proofs, evidence,
verification), errors as problem details
(:mod:`commands.api.problems`). The OpenAPI document is at ``/api/v1/openapi.json``, interactive
docs at ``/api/docs``. ``caseledger serve`` runs it on uvicorn (:mod:`commands.cli_serve`).

Nobody is anonymous except ``GET /api/v1/healthz``: every other route needs a bearer token (an API
token, or a single sign-on JWT), and every read or change of a child's record is decided by the
access policy and recorded in the access log (with the client address, user agent and credential)
before anything is answered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from commands.api import problems
from commands.api.settings import API_PREFIX, OIDCSettings, Settings

__all__ = ["API_PREFIX", "OIDCSettings", "Settings", "app_from_env", "create_app"]


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application for ``settings``; the ledger is opened (and warmed) here, so a ledger that is
    missing or unreachable stops it before it serves."""
    from commands.api import (
        routes_access,
        routes_cases,
        routes_casework,
        routes_integrity,
        routes_rollbacks,
        routes_system,
        routes_views,
    )
    from commands.api.server import Server

    server = Server(settings or Settings())
    try:
        server.warm()
    except BaseException:
        server.close()
        raise

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            server.close()

    app = FastAPI(
        title="caseledger",
        summary="An audit-grade case ledger for children's social care.",
        description="Every read or change of a child's record is decided by the access policy and recorded "
                    "in the access log before anything is answered. Sign in with an API token "
                    "(`caseledger staff token issue`) or a single sign-on JWT, as `Authorization: Bearer ...`. "
                    "Errors are RFC 9457 problem details.",
        version="1",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.server = server
    problems.install(app)
    for module in (routes_system, routes_cases, routes_casework, routes_views, routes_rollbacks, routes_access,
                   routes_integrity):
        app.include_router(module.router, prefix=API_PREFIX)
    from commands import web

    web.install(app)  # the web console's pages at /, its static files at /static
    return app


def app_from_env() -> FastAPI:
    """The factory each uvicorn worker process calls (settings from :data:`~commands.api.settings.SETTINGS_ENV`)."""
    return create_app(Settings.from_env())
