"""Errors as RFC 9457 problem details (``application/problem+json``).

Every refusal answers with ``type`` (``about:blank``), ``title`` (the status's phrase), ``status``,
``detail`` (the rule's own message, as the command line prints it), ``field`` where the error is
about one (the request's field name), and ``error`` (the kind of error, for programs):

=====  ===================================================================================
401    no staff member could be tied to the request (:class:`~ledger.access.security.NotAuthenticated`);
       recorded in the security log first; ``WWW-Authenticate: Bearer``
403    refused by the access policy, or by a rule about who may act (recorded as the CLI records
       it); the detail is the rule, naming the person refused, never anything of the record
404    no such case, note, record or staff member; or no such route
409    someone else wrote to the same record at the same time; nothing was written; retry
       (``Retry-After``)
422    bad input: a rule of the record refused it, or the request did not parse; names the field
503    the database could not be reached (``Retry-After``)
500    anything unexpected: an ``error_id`` that is also in the server's log with the traceback;
       never a traceback in the answer
=====  ===================================================================================
"""

from __future__ import annotations

import http
import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ledger.access.security import NotAuthenticated
from ledger.errors import EncodingError, LedgerError, NotFound, PermissionDenied, RuleViolation, StorageError
from ledger.storage import ConflictError

__all__ = ["PROBLEM_JSON", "SIGNED_IN_PROBLEMS", "install", "problem", "status_of"]

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("caseledger.api")


def problem(status: int, detail: str, *, field: str | None = None, headers: dict[str, str] | None = None,
            **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": http.HTTPStatus(status).phrase, "status": status,
                            "detail": detail}
    if field:
        body["field"] = field
    body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def status_of(error: LedgerError) -> int:
    """The HTTP status of a ledger error (see the module docstring)."""
    if isinstance(error, NotAuthenticated):
        return 401
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, ConflictError):
        return 409
    if isinstance(error, RuleViolation | EncodingError):
        return 422
    if isinstance(error, StorageError):
        return 503
    return 500  # IntegrityError, CheckpointError: stored data that does not verify, a key that does not load


def ledger_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, LedgerError)
    status = status_of(error)
    if status == 500:
        return unexpected(request, error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {"Retry-After": "1"} if status == 409 \
        else {"Retry-After": "5"} if status == 503 else None
    return problem(status, str(error), field=error.field or _field_named(request, str(error)), headers=headers,
                   error=type(error).__name__)


def _field_named(request: Request, message: str) -> str | None:
    """The request field a rule's message starts with ("child_seen_alone is set but ..."), when the
    ledger's error does not say which field it is about; None when it starts with no field of the route."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return None
    names: set[str] = set()
    for param in (*dependant.query_params, *dependant.body_params):
        annotation = getattr(param.field_info, "annotation", None)
        fields = getattr(annotation, "model_fields", None)
        names.update(fields if isinstance(fields, dict) else {param.alias})
    first = message.split(" ", 1)[0].rstrip(":,;")
    return first if first in names else None


def validation_error(request: Request, error: Exception) -> JSONResponse:
    """A request that did not parse: 422, naming the field of its first error (and every error)."""
    assert isinstance(error, RequestValidationError)
    found = []
    for e in error.errors():
        loc = [p for p in e.get("loc", ()) if p not in ("body", "query", "path", "header", "form")]
        field = ""
        for part in loc:
            field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
        found.append({"field": field or "body", "message": str(e.get("msg", "is not valid"))})
    first = found[0] if found else {"field": "body", "message": "the request did not parse"}
    return problem(422, f"{first['field']}: {first['message']}", field=first["field"], error="ValidationError",
                   errors=found)


def http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    detail = error.detail if isinstance(error.detail, str) else http.HTTPStatus(error.status_code).phrase
    if error.status_code == 404 and detail == "Not Found":
        detail = f"no route {request.url.path}"
    elif error.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    return problem(error.status_code, detail, headers=dict(error.headers or {}), error="HTTPError")


def unexpected(request: Request, error: Exception) -> JSONResponse:
    """500 with an error id; the id and the traceback go to the server's log, never to the client."""
    error_id = uuid.uuid4().hex[:12]
    log.error("error %s on %s %s", error_id, request.method, request.url.path, exc_info=error)
    return problem(500, f"an unexpected error (id {error_id}); nothing of it is shown here: the server's "
                   "log has the details under that id", error="InternalError", error_id=error_id)


def _documented(words: str) -> dict[str, Any]:
    from commands.api.models import Problem

    return {"model": Problem, "description": words}


#: The problems every signed-in route may answer, for the OpenAPI document (``application/problem+json``).
SIGNED_IN_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: _documented("Not signed in (recorded in the security log)."),
    403: _documented("Refused by the access policy or a rule about who may act (recorded); nothing of the record."),
    404: _documented("No such case, note, record or staff member."),
    409: _documented("Someone else wrote to the same record at the same time: nothing was written; retry."),
    422: _documented("Bad input: the field and the rule."),
    500: _documented("An unexpected error: its id is in the server's log."),
    503: _documented("The database is unreachable."),
}


def install(app: FastAPI) -> None:
    """The handlers above, and an OpenAPI document whose error answers are ``application/problem+json``."""
    app.add_exception_handler(LedgerError, ledger_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            for operations in document.get("paths", {}).values():
                for operation in operations.values():
                    for status, response in operation.get("responses", {}).items():
                        content = response.get("content", {})
                        if status[0] in "45" and "application/json" in content:
                            content[PROBLEM_JSON] = content.pop("application/json")
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
