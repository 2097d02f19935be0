"""What the demo wrote: counts and example ids for the tour."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`build_demo` wrote, and a few ids for a tour."""

    staff: int
    children: int
    events: int
    notes: int
    decisions: int
    deletions: int
    amendments: int
    late_notes: int
    closures: int
    reallocations: int
    interpreted_notes: int
    # process milestones and casework records (0 when a small borough has none of a kind)
    milestones: int = 0
    milestone_kinds: int = 0
    late_milestones: int = 0
    case_transfers: int = 0
    hazards: int = 0
    hazard_reviews: int = 0
    mappa_alerts: int = 0
    case_summaries: int = 0
    chronology_entries: int = 0
    information_sharing: int = 0
    consents: int = 0
    case_audits: int = 0
    documents: int = 0
    correction_requests: int = 0
    late_reasons: int = 0
    example_rich_case: uuid.UUID | None = None
    example_deleted_note_case: uuid.UUID | None = None
    example_amended_case: uuid.UUID | None = None
    example_interpreter_case: uuid.UUID | None = None
    example_prebirth_case: uuid.UUID | None = None
    example_closed_case: uuid.UUID | None = None
    example_child_protection_case: uuid.UUID | None = None
    example_looked_after_case: uuid.UUID | None = None
    example_proceedings_case: uuid.UUID | None = None
    example_private_fostering_case: uuid.UUID | None = None
    example_hazard_case: uuid.UUID | None = None
    example_mappa_case: uuid.UUID | None = None
    example_correction_case: uuid.UUID | None = None
    example_document_case: uuid.UUID | None = None
    #: An assessment authorised by mistake on the wrong date (the date it was completed, not the day
    #: the manager authorised it, which the management decision records): for the roll-back issue.
    wrongly_authorised_case: uuid.UUID | None = None
    wrongly_authorised_milestone: uuid.UUID | None = None
    #: Access (issue 6): the attempts the demo makes on its last afternoon, and how many the access
    #: report flags; the service manager who restricts two records; the adoption record; the
    #: staff-relative record and the member of staff it concerns (who tries to open it, denied);
    #: the worker granted need-to-know access to the adoption record; the worker who tries the
    #: adoption record without a grant, browses records in bulk and self-claims one out of hours
    #: (``self_claim_case``); the duty worker who breaks glass on the staff-relative record.
    access_attempts: int = 0
    flagged_attempts: int = 0
    bulk_browsed_cases: int = 0
    service_manager: str | None = None
    restricted_adoption_case: uuid.UUID | None = None
    restricted_staff_relative_case: uuid.UUID | None = None
    staff_concerned: str | None = None
    need_to_know_worker: str | None = None
    inappropriate_access_worker: str | None = None
    break_glass_worker: str | None = None
    self_claim_case: uuid.UUID | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in vars(self).items()}
