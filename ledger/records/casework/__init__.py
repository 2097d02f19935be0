"""Casework records other than notes and decisions: hazards and alerts, the chronology, case
summaries, information sharing and consent, correction requests, case audits and documents.

Each kind declares its fields once (:class:`~ledger.records.fields.Field`), its own rules, and the
update actions it accepts. :meth:`CaseRecord.record_casework` calls :func:`check_new` and
:meth:`CaseRecord.update_casework` calls :func:`check_update`; both return the normalised
details that go into the event, or raise :class:`~ledger.errors.RuleViolation` /
:class:`~ledger.errors.PermissionDenied` (and then nothing is written). The events' ``apply``
call :func:`new_record` and :func:`apply_update`, which keep the record as a plain dict of
msgpack-friendly values in ``case.records`` (a record is never removed; every update keeps
what it replaced in the record's ``updates``).

The package, one module per family of kinds (each module's docstring gives its kinds' rules):

- ``alerts`` (s.10): ``hazard``, ``risk_to_children``, ``mappa_alert``;
- ``chronology_entries`` (s.8): ``chronology_entry``;
- ``summaries`` (s.9): ``case_summary``;
- ``sharing`` (s.7, s.15): ``information_sharing``, ``consent``;
- ``corrections`` (s.3): ``correction_request``;
- ``audits`` (s.14): ``case_audit``;
- ``documents`` (s.4, Appendix 1): ``document``, and :func:`document_details` (hashes a file) and
  :func:`document_matches` (checks a file against the recorded hash);

and what they share: ``base`` (a kind's shape, the context a rule sees, the source a record
refers to), ``registry`` (:data:`KINDS` and the interface the case record calls), ``reading``
(the current summary, the chronology, reviews due, ...). The kinds' modules import ``base``
(and ``reading``) only; nothing in the package imports this ``__init__``, which only gathers
the public names.

Who: recording or updating any of these needs a practice or management role
(:data:`~ledger.records.staff.CASEWORK_ROLES`); a case audit is recorded by an auditor or a team
manager and above (s.14: the auditor enters it; "the line manager should routinely audit").
"""

from __future__ import annotations

from ledger.records.casework.alerts import HAZARD_TYPES
from ledger.records.casework.base import (
    ALERT_KINDS,
    IDENTITY_DOCUMENTS,
    REVIEW_MONTHS,
    SUMMARY_MONTHS,
    Action,
    Ctx,
    Kind,
    add_months,
)
from ledger.records.casework.chronology_entries import CHRONOLOGY_CATEGORIES
from ledger.records.casework.documents import DOC_TYPES, document_details, document_matches
from ledger.records.casework.reading import (
    chronology,
    current_summary,
    records_about,
    resolve_record_id,
    reviews_due,
)
from ledger.records.casework.registry import (
    KINDS,
    apply_update,
    check_new,
    check_update,
    describe_kind,
    kind_of,
    new_record,
    on_recorded,
    recording,
    updating,
)
from ledger.records.casework.sharing import BASES

__all__ = [
    "ALERT_KINDS",
    "BASES",
    "CHRONOLOGY_CATEGORIES",
    "DOC_TYPES",
    "HAZARD_TYPES",
    "IDENTITY_DOCUMENTS",
    "KINDS",
    "REVIEW_MONTHS",
    "SUMMARY_MONTHS",
    "Action",
    "Ctx",
    "Kind",
    "add_months",
    "apply_update",
    "check_new",
    "check_update",
    "chronology",
    "current_summary",
    "describe_kind",
    "document_details",
    "document_matches",
    "kind_of",
    "new_record",
    "on_recorded",
    "recording",
    "records_about",
    "resolve_record_id",
    "reviews_due",
    "updating",
]
