"""Casework on a case: case notes (draft, revise, finalise, amend, delete), decisions, milestones,
casework records and their updates, and documents (uploaded: the server computes the SHA-256 the
ledger records; the file itself is not kept).

The kinds, their fields and every rule are the ledger's (:mod:`ledger.records`); a refusal names
the field (422), the rule about who may act (403), or the missing note or record (404).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse

from commands.api import models as m
from commands.api.deps import SignedIn, answer, work
from commands.api.problems import SIGNED_IN_PROBLEMS
from commands.api.reading import parse_when
from ledger.application import CaseLedger
from ledger.errors import RuleViolation

router = APIRouter(tags=["casework"], responses=SIGNED_IN_PROBLEMS)


# --- case notes ----------------------------------------------------------------------------------


@router.post("/cases/{case}/notes", status_code=201, response_model=m.NoteDone)
async def add_note(request: Request, caller: SignedIn, case: str, body: m.NewNote) -> JSONResponse:
    """Record a case note: a draft, or finalised at once with ``finalise``."""
    when = parse_when(body.occurred_at, "occurred_at", "case note")
    fields = body.content()
    facts = fields.pop("facts")

    def task(ledger: CaseLedger) -> dict[str, Any]:
        nid = ledger.casework.record_note(caller.staff_id, case, kind=body.kind.value, occurred_at=when,  # type: ignore[arg-type]
                                          facts=facts, finalise=body.finalise, **fields)
        return {"note_id": nid, "status": "final" if body.finalise else "draft"}

    return answer(await work(request, caller, task), 201)


@router.patch("/cases/{case}/notes/{note}", response_model=m.NoteDone)
async def revise_note(request: Request, caller: SignedIn, case: str, note: str, body: m.ReviseNote) -> JSONResponse:
    """Revise a draft note (its author only): the fields given are changed, the others kept."""
    when = parse_when(body.occurred_at, "occurred_at", "case note")

    def task(ledger: CaseLedger) -> dict[str, Any]:
        ledger.casework.revise_note(caller.staff_id, case, note, occurred_at=when, **body.content())
        return {"note_id": note, "status": "draft"}

    return answer(await work(request, caller, task))


@router.post("/cases/{case}/notes/{note}/finalise", response_model=m.NoteDone)
async def finalise_note(request: Request, caller: SignedIn, case: str, note: str) -> JSONResponse:
    """Finalise a draft note (its author only; once)."""

    def task(ledger: CaseLedger) -> dict[str, Any]:
        ledger.casework.finalise_note(caller.staff_id, case, note)
        return {"note_id": note, "status": "final"}

    return answer(await work(request, caller, task))


@router.post("/cases/{case}/notes/{note}/amend", response_model=m.NoteDone)
async def amend_note(request: Request, caller: SignedIn, case: str, note: str, body: m.AmendNote) -> JSONResponse:
    """Amend a finalised note, with a reason; the original text stays in its history."""

    def task(ledger: CaseLedger) -> dict[str, Any]:
        ledger.casework.amend_note(caller.staff_id, case, note, reason=body.reason, **body.content())
        return {"note_id": note, "amended": True}

    return answer(await work(request, caller, task))


@router.post("/cases/{case}/notes/{note}/delete", response_model=m.NoteDone)
async def delete_note(request: Request, caller: SignedIn, case: str, note: str, body: m.Reason) -> JSONResponse:
    """Delete a case note (team manager or above, with a reason, policy s.12); it stays in the ledger."""

    def task(ledger: CaseLedger) -> dict[str, Any]:
        ledger.casework.delete_note(caller.staff_id, case, note, reason=body.reason)
        return {"note_id": note, "deleted": True}

    return answer(await work(request, caller, task))


# --- decisions, milestones, records ----------------------------------------------------------------


@router.post("/cases/{case}/decisions", status_code=201, response_model=m.DecisionRecorded)
async def add_decision(request: Request, caller: SignedIn, case: str, body: m.NewDecision) -> JSONResponse:
    """Record a management or supervision decision (team manager or above): reasons, risks, options not chosen."""
    when = parse_when(body.occurred_at, "occurred_at", "decision")

    def task(ledger: CaseLedger) -> dict[str, Any]:
        did = ledger.casework.record_decision(
            caller.staff_id, case, decision=body.decision, reasons=body.reasons,
            risks_considered=body.risks_considered,
            options_not_chosen=[{"option": o.option.strip(), "why_not": o.why_not.strip()}
                                for o in body.options_not_chosen],
            kind=body.kind.value, supervisee=body.supervisee, occurred_at=when)
        return {"decision_id": did}

    return answer(await work(request, caller, task), 201)


@router.post("/cases/{case}/milestones", status_code=201, response_model=m.MilestoneRecorded)
async def add_milestone(request: Request, caller: SignedIn, case: str, body: m.NewMilestone) -> JSONResponse:
    """Record a process milestone; the ledger checks its fields, who may record it, and what must come first."""
    when = parse_when(body.occurred_at, "occurred_at")

    def task(ledger: CaseLedger) -> dict[str, Any]:
        mid = ledger.casework.record_milestone(caller.staff_id, case, kind=body.kind, occurred_at=when, **body.details)
        return {"milestone_id": mid, "kind": body.kind, "details": body.details}

    return answer(await work(request, caller, task), 201)


@router.post("/cases/{case}/records", status_code=201, response_model=m.RecordRecorded)
async def add_record(request: Request, caller: SignedIn, case: str, body: m.NewRecord) -> JSONResponse:
    """Record a casework record (a hazard, an alert, a chronology entry, a case summary, ...)."""
    when = parse_when(body.occurred_at, "occurred_at")

    def task(ledger: CaseLedger) -> dict[str, Any]:
        rid = ledger.casework.record(caller.staff_id, case, kind=body.kind, occurred_at=when, **body.details)
        return {"record_id": rid, "kind": body.kind}

    return answer(await work(request, caller, task), 201)


@router.post("/cases/{case}/records/{record}/updates", status_code=201, response_model=m.RecordUpdated)
async def update_record(request: Request, caller: SignedIn, case: str, record: uuid.UUID,
                        body: m.RecordUpdate) -> JSONResponse:
    """Update a record: ``action`` is one of its kind's updates (e.g. a hazard's review, update, end)."""
    when = parse_when(body.occurred_at, "occurred_at")

    def task(ledger: CaseLedger) -> dict[str, Any]:
        ledger.casework.update(caller.staff_id, case, record, action=body.action, occurred_at=when, **body.details)
        return {"record_id": record, "action": body.action}

    return answer(await work(request, caller, task), 201)


@router.post("/cases/{case}/documents", status_code=201, response_model=m.DocumentRecorded)
async def add_document(
    request: Request, caller: SignedIn, case: str,
    file: Annotated[UploadFile, File(description="The document: its SHA-256 and size are recorded, not the file.")],
    doc_type: Annotated[str, Form(description="The kind of document (caseledger record kinds document).")],
    name: Annotated[str | None, Form(description="Default: the file's name.")] = None,
    date_received: Annotated[str | None, Form(description="YYYY-MM-DD")] = None,
    keep_original: Annotated[bool, Form(description="The original is kept on paper (policy s.4).")] = False,
    occurred_at: Annotated[str | None, Form(description=m.WHEN + " Default: now.")] = None,
    details: Annotated[str | None, Form(description="Other fields of the record, as a JSON object.")] = None,
) -> JSONResponse:
    """Record a document: the server hashes the uploaded file (SHA-256) and the hash goes into the ledger."""
    when = parse_when(occurred_at, "occurred_at")
    extra: dict[str, Any] = {}
    if details:
        try:
            extra = json.loads(details)
        except ValueError:
            raise RuleViolation("details must be a JSON object of the record's other fields", field="details") from None
        if not isinstance(extra, dict):
            raise RuleViolation("details must be a JSON object of the record's other fields", field="details")
    digest, size = hashlib.sha256(), 0
    while chunk := await file.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    fields: dict[str, Any] = {"name": name or file.filename or "", "sha256": digest.hexdigest(), "size_bytes": size,
                              **extra, "doc_type": doc_type}
    if date_received:
        fields["date_received"] = date_received
    if keep_original:
        fields["keep_original_paper"] = True

    def task(ledger: CaseLedger) -> dict[str, Any]:
        rid = ledger.casework.record(caller.staff_id, case, kind="document", occurred_at=when, **fields)
        return {"record_id": rid, "sha256": fields["sha256"], "size_bytes": size, "name": fields["name"]}

    return answer(await work(request, caller, task), 201)
