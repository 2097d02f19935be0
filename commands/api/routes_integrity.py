"""The ledger's integrity over HTTP: checkpoints, proofs, a case's evidence bundle, verification.

As the command line does them (``caseledger checkpoint``, ``prove``, ``evidence export``, ``verify``):

- ``GET /checkpoint``: the latest signed checkpoint, ``text/plain``, in the C2SP signed-note format
  (any signed-in staff member: it names no record); 404 when none has been signed.
- ``POST /checkpoint``: sign the current tree head with the server's signing key (``serve --key``).
  The command line signs for whoever holds the key file; over HTTP, a service manager, head of
  service, auditor or administrator (:meth:`~ledger.services.integrity.IntegrityService.checkpoint_signer`).
- ``GET /proofs/inclusion?case=&version=``: a case event's inclusion proof against the latest signed
  checkpoint; reading the case's audit view, decided and recorded (as ``prove``).
- ``GET /proofs/consistency?from=&to=``: that the log of ``to`` leaves extends the log of ``from``
  leaves (hashes only: any signed-in staff member).
- ``GET /cases/{case}/evidence``: the case's evidence bundle (as ``evidence export``), decided and
  recorded as a read of the case's audit view.
- ``POST /verify``: start a verification of the whole ledger (202, a job id); ``GET /verify/{job}``:
  its progress (events checked of the total), then its report (as ``verify --json``). It is for a
  service manager, head of service or auditor, and starting one is recorded as their access attempt
  (part ``integrity``: :meth:`~ledger.services.integrity.IntegrityService.start_verification`), as
  ``caseledger verify --as`` records it (the command line also verifies for whoever can read the
  database with nobody named, or a read-only copy, and says it was not recorded). The job runs in a
  thread of the server process that started it, on a read-only ledger of its own; its progress is held
  in that process's memory and, with ``--workers N``, written to a folder the workers share for the
  server's run (``Settings.jobs_dir``), so any worker answers for it. A restart forgets it.

A server without its signing key answers the routes that need it with 503 (``NoSigningKey``).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import json
import logging
import os
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from commands import pins
from commands.api import models as m
from commands.api.deps import Reads, SignedIn, answer, server_of, work
from commands.api.problems import PROBLEM_JSON, SIGNED_IN_PROBLEMS, problem
from ledger.access.policy import Part
from ledger.application import CaseLedger, utc_now
from ledger.errors import CheckpointError, LedgerError, NotFound, RuleViolation
from ledger.integrity.checkpoint import SigningKey, VerifierKey
from ledger.integrity.evidence import export_bundle
from ledger.integrity.verify import DEFAULT_TAIL_LIMIT, verify_ledger
from projections.plain import jsonable

router = APIRouter(tags=["integrity"], responses=SIGNED_IN_PROBLEMS)
log = logging.getLogger("caseledger.api")

NO_KEY: dict[int | str, dict[str, Any]] = {503: {"model": m.Problem, "content": {PROBLEM_JSON: {}},
                "description": "This server has no signing key (caseledger serve --key PATH)."}}


class NoSigningKey(LedgerError):
    """The server was started without its signing key: the routes that need it answer :meth:`problem` (503)."""

    def problem(self) -> JSONResponse:
        return problem(503, str(self), error="NoSigningKey")


def no_signing_key(path: Path) -> NoSigningKey:
    log.warning("no signing key at %s: start the server with caseledger serve --key PATH", path)
    return NoSigningKey("this server has no signing key: an administrator starts it with caseledger serve --key "
                        "PATH (the key that signs this ledger's checkpoints)")


def _key_path(request: Request, ledger: CaseLedger) -> Path:
    return server_of(request).settings.key_path(ledger.backend.kind, ledger.backend.display)


def _signing_key(request: Request, ledger: CaseLedger) -> SigningKey:
    path = _key_path(request, ledger)
    if not path.exists():
        raise no_signing_key(path)
    return SigningKey.load(path)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


# --- checkpoints and proofs --------------------------------------------------------------------------


@router.get("/checkpoint", response_model=None,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                             "description": "The latest signed checkpoint (a C2SP signed note)."}})
async def latest_checkpoint(request: Request, caller: SignedIn) -> Response:
    """The latest signed checkpoint, as ``text/plain`` in the C2SP signed-note format (origin, tree size,
    root hash, a blank line, the signature lines): copy it out of the ledger to check later ones against."""

    def task(ledger: CaseLedger) -> str:
        history = ledger.integrity.transparency.checkpoints()
        if not history:
            raise NotFound("no checkpoint has been signed yet: POST /api/v1/checkpoint, or caseledger checkpoint")
        return history[-1].note

    return PlainTextResponse(await work(request, caller, task), media_type="text/plain; charset=utf-8")


@router.post("/checkpoint", status_code=201, response_model=m.CheckpointSigned, responses=NO_KEY)
async def sign_checkpoint(request: Request, caller: SignedIn) -> JSONResponse:
    """Sign the current tree head with the server's key and store it (as ``caseledger checkpoint --json``):
    for a service manager, head of service, auditor or administrator."""

    def task(ledger: CaseLedger) -> dict[str, Any]:
        ledger.integrity.checkpoint_signer(caller.staff_id)
        key = _signing_key(request, ledger)
        cp, note = ledger.integrity.sign_checkpoint(key)
        return {"origin": cp.origin, "size": cp.size, "root": _b64(cp.root), "note": note,
                "verifier_key": key.verifier_key()}

    try:
        return answer(await work(request, caller, task), 201)
    except NoSigningKey as e:
        return e.problem()


@router.get("/proofs/inclusion", response_model=m.InclusionProof)
async def inclusion_proof(
    request: Request, caller: SignedIn, reads: Reads,
    case: Annotated[str, Query(description="The case (its id or first hex digits).")],
    version: Annotated[int | None, Query(ge=1, description="The event version (default: the latest).")] = None,
) -> JSONResponse:
    """A case event's inclusion proof against the latest signed checkpoint (as ``caseledger prove --json``).
    A read of the case's audit view: decided and recorded first."""

    def task(ledger: CaseLedger) -> dict[str, Any]:
        ledger.access.open_record(caller.staff_id, case, Part.AUDIT_VIEW, purpose=reads.purpose, basis=reads.basis)
        return ledger.integrity.prove_event(case, version)

    return answer(await work(request, caller, task))


@router.get("/proofs/consistency", response_model=m.ConsistencyProof)
async def consistency_proof(
    request: Request, caller: SignedIn,
    from_: Annotated[int, Query(alias="from", ge=1, description="The earlier tree size (e.g. a checkpoint kept).")],
    to: Annotated[int | None, Query(ge=1, description="The later tree size (default: the latest signed "
                                                     "checkpoint's).")] = None,
) -> JSONResponse:
    """A consistency proof (RFC 9162) that the log of ``to`` leaves extends the log of ``from`` leaves, with
    both roots: check that a checkpoint kept earlier is a prefix of a later one."""

    def task(ledger: CaseLedger) -> dict[str, Any]:
        log_ = ledger.integrity.transparency
        history = log_.checkpoints()
        new = to if to is not None else (history[-1].size if history else log_.head().size)
        head = log_.head().size
        if new > head:
            raise RuleViolation(f"to {new} is larger than the log ({head} leaves)", field="to")
        if from_ > new:
            raise RuleViolation(f"from {from_} is larger than to {new}", field="from")
        return {"old_size": from_, "new_size": new, "old_root": _b64(log_.root(from_)),
                "new_root": _b64(log_.root(new)), "proof": [_b64(p) for p in log_.consistency_proof(from_, new)]}

    return answer(await work(request, caller, task))


@router.get("/cases/{case}/evidence", response_model=m.EvidenceBundle, responses=NO_KEY)
async def case_evidence(
    request: Request, caller: SignedIn, reads: Reads, case: str,
    from_: Annotated[str | None, Query(alias="from", description="Only events recorded on or after this date "
                                                                 "(YYYY-MM-DD).")] = None,
    to: Annotated[str | None, Query(description="Only events recorded on or before this date.")] = None,
) -> JSONResponse:
    """The case's evidence bundle (as ``caseledger evidence export``): its events, their inclusion proofs,
    the signed checkpoint and a statement signed with the server's key. A read of the case's audit view,
    decided and recorded first. Check it anywhere with ``caseledger evidence verify``."""
    since, until = _day(from_, "from"), _day(to, "to")

    def task(ledger: CaseLedger) -> dict[str, Any]:
        c = ledger.access.open_record(caller.staff_id, case, Part.AUDIT_VIEW, purpose=reads.purpose,
                                      basis=reads.basis)  # decided and recorded before anything else
        key = _signing_key(request, ledger)
        return export_bundle(ledger.recorder, c.id, signing_key=key, since=since, until=until)

    try:
        return answer(await work(request, caller, task))
    except NoSigningKey as e:
        return e.problem()


def _day(value: str | None, field: str) -> _dt.date | None:
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise RuleViolation(f"{field} {value!r} is not a date like 2026-11-21", field=field) from None


# --- verification --------------------------------------------------------------------------------


@dataclasses.dataclass
class VerifyJob:
    """One verification run by this server process (see the module docstring)."""

    job: str
    started_at: str
    started_by: str
    total: int
    checked: int = 0
    status: str = "running"
    report: dict[str, Any] | None = None
    error: str | None = None

    #: Where the job is also kept for the server's other worker processes (None: this process only).
    shared: Path | None = dataclasses.field(default=None, repr=False, compare=False)
    _written: float = dataclasses.field(default=0.0, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.repr}

    def share(self, *, force: bool = False) -> None:
        """Write the job for the other workers (atomically: a reader sees the old or the new state),
        at most twice a second while it runs, and always when it starts and ends."""
        if self.shared is None or (not force and time.monotonic() - self._written < 0.5):
            return
        self._written = time.monotonic()
        path = self.shared / f"{self.job}.json"
        part = path.with_suffix(f".{threading.get_ident()}.part")
        part.write_text(json.dumps(jsonable(self.as_dict())))
        os.replace(part, path)


def _shared_job(jobs_dir: str | None, job: str) -> dict[str, Any] | None:
    """A job another worker process of this server started, as it last wrote it (None: none such)."""
    if jobs_dir is None or not re.fullmatch(r"[0-9a-f]{32}", job):
        return None
    try:
        found: dict[str, Any] = json.loads((Path(jobs_dir) / f"{job}.json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    return found


@dataclasses.dataclass
class VerifyJobs:
    jobs: dict[str, VerifyJob] = dataclasses.field(default_factory=dict)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


def _jobs(request: Request) -> VerifyJobs:
    state = request.app.state
    with _JOBS_LOCK:
        if not hasattr(state, "verify_jobs"):
            state.verify_jobs = VerifyJobs()
    jobs = state.verify_jobs
    assert isinstance(jobs, VerifyJobs)
    return jobs


_JOBS_LOCK = threading.Lock()


def _verifier(ledger: CaseLedger, key_file: Path) -> tuple[VerifierKey, dict[str, Any]]:
    """As ``caseledger verify`` without ``--verifier-key``: the key pinned for this ledger, else the key
    file's (503 when neither is there)."""
    try:
        choice = pins.choose_verifier(ledger.backend, key_file)
    except CheckpointError:
        raise no_signing_key(key_file) from None
    source = {"source": "pinned" if choice.pin else "key file", "verifier_key": choice.verifier.to_string(),
              "key_file_replaced": bool(choice.pin and choice.replaced)}
    return choice.verifier, source


def _run(job: VerifyJob, db: str | None, verifier: VerifierKey, source: dict[str, Any]) -> None:
    """The verification, on a read-only ledger of its own (its own connections: the server's requests go on)."""
    try:
        ledger = CaseLedger(db, create=False, read_only=True)
        try:
            def progress(n: int) -> None:
                job.checked = n
                job.share()

            report = verify_ledger(ledger.recorder, verifier=verifier, progress=progress,
                                   tail_limit=DEFAULT_TAIL_LIMIT)
        finally:
            ledger.close()
        job.report = {**report.as_dict(), "ok": report.ok and not source["key_file_replaced"], "verifier": source}
        job.checked = max(job.checked, report.chains.events)
        job.status = "done"
        job.share(force=True)
    except Exception as e:  # noqa: BLE001  (the job's answer says it failed; the log has why)
        error_id = uuid.uuid4().hex[:12]
        log.error("verification job %s failed (error %s)", job.job, error_id, exc_info=e)
        job.error = (str(e) if isinstance(e, LedgerError) else
                     f"an unexpected error (id {error_id}): the server's log has the details under that id")
        job.status = "failed"
        job.share(force=True)


@router.post("/verify", status_code=202, response_model=m.VerifyJob, responses=NO_KEY)
async def start_verification(request: Request, caller: SignedIn) -> JSONResponse:
    """Start a verification of the whole ledger (every hash chain, the Merkle log, every stored snapshot,
    every signed checkpoint, against the verifier key pinned for this ledger, else the server's key file).
    For a service manager, head of service or auditor; starting it is recorded as your access attempt.
    Answers 202 with the job; follow it at ``Location``."""
    server = server_of(request)

    def task(ledger: CaseLedger) -> tuple[VerifyJob, VerifierKey, dict[str, Any]]:
        ledger.integrity.start_verification(caller.staff_id)
        verifier, source = _verifier(ledger, _key_path(request, ledger))
        job = VerifyJob(uuid.uuid4().hex, utc_now().isoformat(), caller.staff_id, ledger.integrity.event_count())
        jobs_dir = server.settings.jobs_dir
        job.shared = Path(jobs_dir) if jobs_dir else None
        job.share(force=True)
        return job, verifier, source

    try:
        job, verifier, source = await work(request, caller, task)
    except NoSigningKey as e:
        return e.problem()
    jobs = _jobs(request)
    with jobs.lock:
        jobs.jobs[job.job] = job
    started = job.as_dict()
    threading.Thread(target=_run, args=(job, server.settings.db, verifier, source), daemon=True,
                     name=f"verify-{job.job[:8]}").start()
    return answer(started, 202, headers={"Location": f"/api/v1/verify/{job.job}"})


@router.get("/verify/{job}", response_model=m.VerifyJob)
async def verification(request: Request, caller: SignedIn, job: str) -> JSONResponse:
    """A verification's progress (``checked`` of ``total`` events) while it runs, then its report (as
    ``caseledger verify --json``): ``status`` running, done or failed."""
    await work(request, caller, lambda ledger: ledger.integrity.verifier(caller.staff_id))
    jobs = _jobs(request)
    with jobs.lock:
        found = jobs.jobs.get(job)
    if found is not None:
        return answer(found.as_dict())
    shared = _shared_job(server_of(request).settings.jobs_dir, job)
    if shared is None:
        raise NotFound(f"no verification job {job[:40]!r} on this server (jobs are kept until the server stops)")
    return answer(shared)
