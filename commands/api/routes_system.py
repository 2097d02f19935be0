"""``GET /healthz`` (no sign-in) and ``GET /me``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from commands.api.deps import SignedIn, answer, server_of, work
from commands.api.models import Health, Me, Problem
from commands.api.problems import PROBLEM_JSON, SIGNED_IN_PROBLEMS, problem
from commands.render import staff_dict
from ledger.application import CaseLedger
from ledger.errors import StorageError

router = APIRouter(tags=["server"])


@router.get("/healthz", response_model=Health,
            responses={503: {"model": Problem, "content": {PROBLEM_JSON: {}},
                             "description": "The database is unreachable."}})
async def healthz(request: Request) -> JSONResponse:
    """Whether the server can reach its ledger, and how many events it holds. No sign-in; it reads
    nothing of any record, so it records nothing."""
    import anyio.to_thread

    ledger = server_of(request).ledger
    try:
        events = await anyio.to_thread.run_sync(ledger.integrity.event_count)
    except StorageError as e:
        return problem(503, str(e), headers={"Retry-After": "5"}, error="StorageError")
    return answer({"status": "ok", "events": events})


@router.get("/me", response_model=Me, responses={k: v for k, v in SIGNED_IN_PROBLEMS.items() if k in (401, 500, 503)})
async def me(request: Request, caller: SignedIn) -> JSONResponse:
    """Who you are signed in as: your staff record, and the credential the access log records."""

    def task(ledger: CaseLedger) -> dict[str, object]:
        member = ledger.staff_member(caller.staff_id)
        return {**staff_dict(member), "email": member.email, "signed_in_with": caller.method,
                "credential": caller.credential}

    return answer(await work(request, caller, task))
