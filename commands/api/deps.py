"""What every route uses: the server, the signed-in caller, the reading headers, and answering.

A route declares ``caller: Caller = Depends(signed_in)``: the request is authenticated (or refused
401, recorded) before the route's work runs. Its work then runs through :func:`work`, with the
ledger, in a thread of the server's pool beside other requests' work, inside the caller's request
context (so each access attempt records the client address, user agent and credential).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from commands.api.reading import Reading
from commands.api.server import Caller, Server
from commands.api.settings import API_PREFIX
from ledger.application import CaseLedger
from projections.plain import jsonable

__all__ = ["SignedIn", "Reads", "answer", "signed_in", "work"]

T = TypeVar("T")


def server_of(request: Request) -> Server:
    server = request.app.state.server
    assert isinstance(server, Server)
    return server


def route_label(request: Request) -> str:
    """``GET /api/v1/cases/{case}``: the route as declared (the channel's command on events)."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return f"{request.method} {request.url.path}"
    return f"{request.method} {path if path.startswith(API_PREFIX) else API_PREFIX + path}"


#: Declares the bearer scheme in the OpenAPI document (the header is read by :meth:`Server.authenticate`).
bearer = HTTPBearer(auto_error=False, description="An API token (caseledger staff token issue) or a single "
                                                  "sign-on JWT.")


async def signed_in(request: Request,
                    _: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None) -> Caller:
    """The staff member calling (401 otherwise, recorded in the security log first)."""
    caller = await server_of(request).authenticate(request, route_label(request))
    request.state.caller = caller
    return caller


def reading(
    x_purpose: Annotated[str | None, Header(description="Why you open a record you are not on (as --purpose): "
                                                        "recorded, and reviewed by a manager.")] = None,
    x_break_glass: Annotated[str | None, Header(description="Emergency access to a restricted record (as "
                                                            "--break-glass), with a purpose: concern_for_safety, "
                                                            "legal_duty or court_order.")] = None,
    purpose: Annotated[str | None, Query(description="As X-Purpose.")] = None,
    break_glass: Annotated[str | None, Query(description="As X-Break-Glass.")] = None,
) -> Reading:
    if break_glass is not None:
        return Reading.of(purpose if purpose is not None else x_purpose, break_glass, "break_glass")
    return Reading.of(purpose if purpose is not None else x_purpose, x_break_glass, "X-Break-Glass")


SignedIn = Annotated[Caller, Depends(signed_in)]
Reads = Annotated[Reading, Depends(reading)]


async def work(request: Request, caller: Caller, task: Callable[[CaseLedger], T]) -> T:
    """Run ``task`` with the ledger, as ``caller`` (see the module docstring)."""
    return await server_of(request).run(task, context=caller.context(), label=route_label(request))


def answer(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    """JSON as the command line's ``--json`` prints it (:func:`projections.plain.jsonable`)."""
    return JSONResponse(jsonable(data), status_code=status, headers=headers)
