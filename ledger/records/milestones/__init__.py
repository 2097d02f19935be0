"""Process milestones: the statutory workflow of a child's case (policy s.3, s.7, s.13, s.18).

A milestone is a dated step of the process (a contact, a referral decision, an assessment
authorised, a strategy discussion, a child protection plan started, a placement, a final
order...). Each kind is declared once, in the module of its process family: its fields
(:class:`~ledger.records.fields.Field`), who may record it, and what must come first.
:func:`check` applies those rules before :meth:`~ledger.records.case.CaseRecord.record_milestone`
writes anything; :func:`fold` computes the case's process state from the milestones (pure, and
only plain values: the state is part of the case snapshot, stored with the ledger's canonical
encoding); :func:`replay` rebuilds it from a list of entries, skipping the superseded ones
(roll-backs, policy s.13).

The package, by process family (each module holds its kinds, their sequence rules and their
fold, and its docstring says its rules):

- ``contact``: contact and referral (the contact, the referral decision, no further action);
- ``assessment``: the child and family assessment;
- ``child_protection``: strategy discussion, section 47 enquiry, conferences, the CP plan;
- ``child_in_need``: the CIN plan; ``early_help``: early help assessment, TAF meetings;
- ``looked_after``: children in care (looked-after status, placements, LAC reviews, plans);
- ``legal``: legal planning, pre-proceedings, care proceedings, hearings, final orders;
- ``other``: private fostering notifications and case transfers;

and what they share: ``base`` (a kind, the context a rule sees, the process state's shape),
``registry`` (every kind in process order, :func:`check`, :func:`recording`, help), ``process``
(:func:`fold`, :func:`replay`, :func:`roll_back`, :func:`rolled_back`). The families import
``base`` only; nothing in the package imports this ``__init__``, which only gathers the public
names.

The milestone's date is its ``occurred_at`` (when it happened, never in the future). Dates are
compared as calendar dates in England: two steps on the same day are in order whatever their
times.

Rules every kind obeys (each refusal is a :class:`~ledger.errors.RuleViolation` that names the
rule and what is missing; a refused milestone writes nothing):

* The kind must be one of :data:`KINDS`; the details must match its fields (no unknown field,
  required fields present, values of the declared type, choices known).
* Who records: referral decisions, NFA, authorising an assessment, S47 outcomes and "ICPC not
  required", starting, re-categorising and ending a CP plan, ending a CIN plan, the start and end
  of being looked after, legal planning, the pre-proceedings letter, issuing proceedings, final
  orders and case transfers need team manager or above (:class:`~ledger.errors.PermissionDenied`
  otherwise). Every other kind (meetings, visits, plans, placements, conferences, reviews) needs
  a practice or management role (social worker to head of service, IRO, EDT).
* Sequence: each family's module says what must come first for its kinds.
* Dates: a milestone is never dated before the earlier milestone it follows (the contact it
  decides, the assessment it completes, the strategy discussion of the S47, the S47 of the
  conference, the plan it reviews or ends, the placement it ends, the letter of the meeting...).
"""

from __future__ import annotations

from ledger.records.milestones.base import PRACTICE_ROLES, Ctx, Kind, State, initial_state
from ledger.records.milestones.child_protection import CONFERENCE_DECISIONS, CP_CATEGORIES, S47_OUTCOMES
from ledger.records.milestones.contact import REFERRAL_DECISIONS
from ledger.records.milestones.legal import LPM_DECISIONS, ORDERS
from ledger.records.milestones.looked_after import LEGAL_STATUSES, PLACEMENT_TYPES
from ledger.records.milestones.process import fold, fold_into, replay, roll_back, rolled_back
from ledger.records.milestones.registry import KINDS, REGISTRY, check, describe_kind, kind_of, recording
from ledger.records.timescales import LONDON

__all__ = [
    "CONFERENCE_DECISIONS",
    "CP_CATEGORIES",
    "KINDS",
    "LEGAL_STATUSES",
    "LONDON",
    "LPM_DECISIONS",
    "ORDERS",
    "PLACEMENT_TYPES",
    "PRACTICE_ROLES",
    "REFERRAL_DECISIONS",
    "REGISTRY",
    "S47_OUTCOMES",
    "Ctx",
    "Kind",
    "State",
    "check",
    "describe_kind",
    "fold",
    "fold_into",
    "initial_state",
    "kind_of",
    "recording",
    "replay",
    "roll_back",
    "rolled_back",
]
