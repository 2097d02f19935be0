"""The request and response bodies of the HTTP API (pydantic: the OpenAPI document is generated).

Request fields carry the ledger's own names (``child_name``, ``risks_considered``), so a refusal's
``field`` is the name the caller sent. Unknown fields are refused (422, naming them). Moments are
text read as the command line reads them: ``'2026-11-21 14:30'`` (London) or ISO 8601 with an
offset; a case note and a decision need a time, not a date alone.

Response models describe the main fields of each view; the views themselves are the command line's
``--json`` (:mod:`projections.views`), so they may hold more.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ledger.records.case import DecisionKind, InterpreterKind, NoteKind, RestrictionKind

WHEN = "A moment: '2026-11-21 14:30' (London time) or ISO 8601 with an offset."


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Response(BaseModel):
    model_config = ConfigDict(extra="allow")


# --- responses ---------------------------------------------------------------------------------


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    events: int = Field(description="How many events the ledger holds.")


class Me(Response):
    staff_id: str
    full_name: str
    designation: str
    team: str
    roles: list[str]
    active: bool
    email: str
    signed_in_with: str = Field(description="'token' (an API token) or 'oidc' (single sign-on).")
    credential: str = Field(description="token:ID or oidc:SESSION, as the access log records it.")


class CaseLine(Response):
    case_id: uuid.UUID
    child: str
    team: str
    worker: str
    status: str
    events: int


class Opened(Response):
    case_id: uuid.UUID
    version: int


class CaseView(Response):
    case_id: uuid.UUID
    version: int
    status: str
    child: dict[str, Any]
    allocation: dict[str, Any]
    process: list[str]
    alerts: list[dict[str, Any]]
    summary: dict[str, Any] | None
    recent_notes: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    documents: list[dict[str, Any]]


class Chronology(Response):
    case_id: uuid.UUID
    version: int
    child: str
    court: bool
    as_of: str | None
    entries: list[dict[str, Any]]


class SummaryView(Response):
    child: str
    summary: dict[str, Any] | None
    overdue: bool
    must_cover: list[str]


class HistoryRow(Response):
    at: str
    action: str
    ref: str
    by: str
    text: str


class CaseChanged(Response):
    case_id: uuid.UUID
    version: int
    status: str


class Allocated(Response):
    case_id: uuid.UUID
    team: str
    worker: dict[str, Any]


class NoteDone(Response):
    note_id: str
    status: str | None = None


class DecisionRecorded(Response):
    decision_id: uuid.UUID


class MilestoneRecorded(Response):
    milestone_id: uuid.UUID
    kind: str


class RecordRecorded(Response):
    record_id: uuid.UUID
    kind: str


class RecordUpdated(Response):
    record_id: uuid.UUID
    action: str


class DocumentRecorded(Response):
    record_id: uuid.UUID
    sha256: str
    size_bytes: int
    name: str


class Hazards(Response):
    as_of: _dt.date
    position: int
    hazards: list[dict[str, Any]]


class Compliance(Response):
    scope: str
    as_of: str
    counts: dict[str, int]


class ProjectionStatus(Response):
    projections: list[dict[str, Any]]


class Problem(BaseModel):
    """RFC 9457 problem details (``application/problem+json``)."""

    model_config = ConfigDict(extra="allow")
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    field: str | None = None
    error: str | None = None


# --- requests ----------------------------------------------------------------------------------


class OpenCase(Request):
    child_name: str = Field(description="The child's full name.")
    date_of_birth: _dt.date | None = None
    expected_date_of_birth: _dt.date | None = Field(None, description="For a pre-birth referral.")
    referral_date: _dt.date
    referral_source: str = Field(description="Who referred, e.g. 'school'.")
    team: str
    worker: str = Field(description="Staff id of the allocated worker.")


class Allocate(Request):
    team: str
    worker: str = Field(description="Staff id.")
    reason: str


class Close(Request):
    reason: str
    closed_on: _dt.date | None = Field(None, description="Default: today (London).")


class Reason(Request):
    reason: str


class Restrict(Request):
    kind: RestrictionKind
    reason: str
    staff_concerned: str | None = Field(None, description="Staff id, for a staff member's (relative's) record.")


class Grant(Request):
    staff: str = Field(description="Staff id of the person given need-to-know access.")
    reason: str
    until: str | None = Field(None, description=WHEN + " Default: the policy's.")


class Renew(Request):
    reason: str
    until: str | None = Field(None, description=WHEN)


class Interpreter(Request):
    name: str | None = None
    kind: InterpreterKind | None = None


class NoteFields(Request):
    """A case note's written content (policy s.7): each field given is set; the others are kept."""

    facts: str | None = Field(None, description="What happened: facts only.")
    analysis: str | None = None
    actions: str | None = None
    provided_by: str | None = Field(None, description="Third-party information: who provided it.")
    child_seen: bool | None = None
    child_seen_alone: bool | None = None
    bedroom_seen: bool | None = None
    child_views: str | None = Field(None, description="The child's views, in their own words.")
    interpreter: Interpreter | None = None
    late_reason: str | None = Field(None, description="Why it is written up after its timescale.")

    def content(self) -> dict[str, Any]:
        """The fields given, as the ledger takes them (as the CLI's note options)."""
        out: dict[str, Any] = {}
        for key in ("facts", "analysis", "actions", "child_views", "child_seen", "child_seen_alone",
                    "bedroom_seen", "late_reason"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.provided_by is not None:
            out["source"] = "third_party"
            out["provided_by"] = self.provided_by
        if self.interpreter is not None:
            out["interpreter"] = {"name": self.interpreter.name,
                                  "kind": self.interpreter.kind.value if self.interpreter.kind else None}
        return out


class NewNote(NoteFields):
    kind: NoteKind
    occurred_at: str = Field(description=WHEN)
    facts: str = Field(description="What happened: facts only (required).")
    finalise: bool = Field(False, description="Finalise at once.")


class ReviseNote(NoteFields):
    occurred_at: str | None = Field(None, description=WHEN)


class AmendNote(NoteFields):
    reason: str = Field(description="Why the finalised note is amended.")


class OptionNotChosen(Request):
    option: str
    why_not: str


class NewDecision(Request):
    decision: str
    reasons: str
    risks_considered: str
    options_not_chosen: list[OptionNotChosen] = Field(min_length=1)
    kind: DecisionKind = DecisionKind.MANAGEMENT
    supervisee: str | None = Field(None, description="Staff id of the worker supervised.")
    occurred_at: str | None = Field(None, description=WHEN + " Default: now.")


class NewMilestone(Request):
    kind: str = Field(description="A milestone kind (caseledger milestone kinds).")
    occurred_at: str = Field(description=WHEN)
    details: dict[str, Any] = Field(default_factory=dict, description="The kind's fields.")


class NewRecord(Request):
    kind: str = Field(description="A casework record kind (caseledger record kinds).")
    occurred_at: str = Field(description=WHEN)
    details: dict[str, Any] = Field(default_factory=dict, description="The kind's fields.")


class RecordUpdate(Request):
    action: str = Field(description="One of the kind's updates (e.g. a hazard's review, update, end).")
    occurred_at: str | None = Field(None, description=WHEN + " Default: now.")
    details: dict[str, Any] = Field(default_factory=dict)


# --- roll-backs, access investigation, integrity ---------------------------------------------------


class NewRollback(Request):
    case: str = Field(description="The case (its id, or its first hex digits).")
    matter: str = Field(description="The process matter corrected: a milestone kind, e.g. cf_assessment_authorised.")
    reason: str = Field(description="Why (at least three words, twelve letters).")
    raised_by: str = Field(description="Staff id of the worker or manager who asked for it.")
    point_version: int | None = Field(None, description="The point: a case version (the case as it stood after it).")
    point_at: str | None = Field(None, description="The point: " + WHEN + " (the last case event then).")
    before_milestone: str | None = Field(None, description="The point: just before this milestone (its id).")


class RollbackRow(Response):
    id: str
    case_id: str
    team: str
    status: str
    matter: str
    reason: str
    point: str
    point_version: int
    raised_by: str
    requested_by: str
    superseded: int
    restored: int


class Rollback(RollbackRow):
    status_text: str
    history: list[dict[str, Any]]


class RollbackDetails(Rollback):
    child: str
    would_supersede: list[dict[str, Any]] | None
    would_restore: list[dict[str, Any]] | None
    casework_kept: list[dict[str, Any]]
    may_decide: list[str]


class RollbackReport(Response):
    team: str | None
    alert_rate: int
    totals: dict[str, Any]
    per_team: dict[str, Any]
    per_month: dict[str, Any]
    per_requester: dict[str, Any]
    per_helpdesk: dict[str, Any]
    per_matter: dict[str, Any]
    highlighted_teams: list[str]
    requests: list[dict[str, Any]]


class AccessReport(Response):
    format: str
    subject: dict[str, Any]
    thresholds: dict[str, int]
    attempts: list[dict[str, Any]] = Field(description="One per attempt, in time order (ref, at, who, record, "
                                                       "part, action, outcome, rule, flags, review, origin).")
    summary: dict[str, Any]


class EvidenceBundle(Response):
    format: str
    origin: str
    tree_size: int
    checkpoint: str
    verifier_key: str
    events: list[dict[str, Any]]


class FhirBundle(Response):
    resourceType: str = Field(examples=["Bundle"])  # noqa: N815  (FHIR's name)
    type: str
    timestamp: str
    entry: list[dict[str, Any]]


class FailedSignIns(Response):
    since: str
    at_least: int = Field(description="Addresses listed have at least this many failures since then.")
    addresses: list[dict[str, Any]] = Field(description="client, failures, first, last, reasons, credentials.")


class AlertList(Response):
    alerts: list[dict[str, Any]] = Field(description="Flagged attempts not yet reviewed, oldest first.")
    failed_sign_ins: FailedSignIns


class NewReview(Request):
    attempt: str = Field(description="The attempt's reference, e.g. A1234.")
    outcome: str = Field(description="appropriate, inappropriate_advised or inappropriate_referred.")
    note: str = Field(description="What was found and why (at least three words, twelve letters).")


class ReviewRecorded(Response):
    attempt: str
    review_id: uuid.UUID
    outcome: str
    note: str
    reviewed_by: dict[str, Any]


class CheckpointSigned(Response):
    origin: str
    size: int
    root: str
    note: str
    verifier_key: str


class InclusionProof(Response):
    case: uuid.UUID
    version: int
    leaf_index: int
    leaf_hash: str
    tree_size: int
    root: str
    proof: list[str]
    checkpoint: str


class ConsistencyProof(Response):
    old_size: int = Field(description="The earlier tree size (from).")
    new_size: int = Field(description="The later tree size (to).")
    old_root: str
    new_root: str
    proof: list[str]


class VerifyJob(Response):
    job: str
    status: str = Field(description="running, done or failed.")
    started_at: str
    started_by: str
    checked: int = Field(description="Events checked so far.")
    total: int = Field(description="Events the ledger held when it started.")
    report: dict[str, Any] | None = Field(None, description="When done: as 'caseledger verify --json'.")
    error: str | None = None
