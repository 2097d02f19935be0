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

Rules (policy section in brackets):

* Who: recording or updating any of these needs a practice or management role
  (:data:`~ledger.records.case.CASEWORK_ROLES`); a case audit is recorded by an auditor or a team
  manager and above (s.14: the auditor enters it; "the line manager should routinely audit").
* ``hazard`` (s.10): ``type`` is one of dangerous_pet, person_known_to_be_violent,
  verbal_abuse, racial_abuse, other; ``started_on`` (the date it started or was first known)
  is required and not in the future; ``description`` is required and must refer to a specific
  dated record or document: either ``source_record`` (the id of a case note or a document
  record on this case; its date is copied into ``source_date``) or ``source_document`` with
  its ``source_date``; ``review_date`` is required, not in the past and at most six months
  after the day the hazard is recorded. Updates: ``review`` (``outcome``; ``next_review_date``
  after today and at most six months ahead), ``update`` (a new ``description``, optionally a
  new source), ``end`` (a ``reason`` that explains). An ended alert accepts no update.
* ``risk_to_children`` and ``mappa_alert`` (s.10, the front-screen alerts): the same rules and
  actions as a hazard (a dated source, a review within six months), without ``type``; a MAPPA
  alert names the ``person`` managed under MAPPA, with optional ``mappa_category`` and
  ``mappa_level``.
* ``chronology_entry`` (s.8): ``event_date`` is required, not after today, and may be before
  the child's birth; ``what_happened`` and ``category`` are required; ``positive`` marks a
  positive change or achievement; ``source`` (optional) is a note or record id on this case
  (checked) or the name of a document. Update: ``correct`` (the changed fields and a
  ``reason`` that explains; the previous values stay in the entry's updates).
* ``case_summary`` (s.9): ``life_for_the_child`` ("what life is like for this child") and
  ``focus_next_three_months`` are required, with the optional progress_against_care_plan,
  strengths, concerns, new_issues, how_handled and engagement. A new summary supersedes the
  current one: both are kept, the older is marked ``superseded`` (``superseded_by``), and the
  new one is due for update in three months (``next_update_due``). No update actions: a
  summary is replaced by a new one.
* ``information_sharing`` (s.7, s.15): ``direction`` (request_from: another organisation
  asks us; request_to: we ask another organisation), ``organisation``, ``information``,
  ``shared`` (yes/no) and ``reasoning`` are required; the decision-maker is the acting staff
  member (any practice or management role), recorded as ``by``. A decision to share (or to
  seek) needs a ``basis``: consent, legal_duty, concern_for_safety, court_order or
  prevention_or_detection_of_crime; on consent, ``consent_record`` names a consent record on
  this case that is currently given, and seeking information from others (request_to) needs
  that consent in writing.
* ``consent`` (s.7): ``status`` (given, refused, withdrawn), ``by_whom`` and ``scope`` are
  required; ``written`` says whether it was given in writing. Update: ``withdraw`` (a given
  consent; ``by_whom`` and ``reason``).
* ``correction_request`` (s.3, service users correcting errors and recording disagreement):
  ``requested_by``, ``what`` (the id of the note or record it concerns, on this case) and
  ``request`` are required. Updates: ``outcome`` (``result`` corrected or not_corrected, with a
  ``reason`` that explains; once), ``disagreement`` (the service user's words, any time, kept
  with the request next to the original). The original note or record is never changed by a
  correction request: a correction is made by amending it, and the request points to it.
* ``case_audit`` (s.14): ``audit_type`` (case_file_audit, thematic, case_transfer_audit,
  dip_sample, other), ``audit_date`` (not in the future) and ``findings`` are required;
  ``actions_arising`` is a list; the auditor is the acting staff member. A case transfer audit
  says whether the case is ``ready_for_transfer``. ``audit_form`` may name the document
  record of the uploaded form (checked).
* ``document`` (s.4, Appendix 1): ``name``, ``doc_type`` and ``sha256`` (the file's SHA-256
  in 64 hex digits, so that the ledger's hash chain covers the file) are required;
  ``size_bytes`` is not negative; ``date_received`` is not in the future. Identity documents
  (birth_certificate, passport, identification) are kept on paper in their original form;
  keeping any other document on paper needs ``original_reason``. The same file (same
  SHA-256) is not recorded twice on a case. :func:`document_details` hashes a file;
  :func:`document_matches` checks a file against the recorded hash.
"""

from __future__ import annotations

import calendar
import copy
import datetime as _dt
import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ledger.errors import NotFound, RuleViolation
from ledger.integrity.topics import stored_as
from ledger.records.dates import day_text
from ledger.records.fields import Field, check_details, describe, explained_reason
from ledger.records.staff import CASEWORK_ROLES, Role, StaffMember
from ledger.records.timescales import LONDON, local_today


class CaseRecord(Protocol):
    """What a casework rule reads of a case (:class:`ledger.records.case.CaseRecord` is one): the
    case imports this module, never the reverse."""

    child: dict[str, Any]
    notes: dict[str, dict[str, Any]]
    records: dict[str, dict[str, Any]]

__all__ = [
    "KINDS",
    "apply_update",
    "check_new",
    "check_update",
    "chronology",
    "current_summary",
    "describe_kind",
    "document_details",
    "document_matches",
    "new_record",
    "on_recorded",
    "records_about",
    "resolve_record_id",
    "reviews_due",
]

#: Hazards and alerts are reviewed within six months (policy s.10).
REVIEW_MONTHS = 6
#: The case summary is updated every three months (policy s.9).
SUMMARY_MONTHS = 3
ALERT_KINDS = ("hazard", "risk_to_children", "mappa_alert")
IDENTITY_DOCUMENTS = ("birth_certificate", "passport", "identification")


# --- small helpers ---------------------------------------------------------------------------


def add_months(day: _dt.date, months: int) -> _dt.date:
    """``day`` plus whole calendar months (31 August + 6 months is 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return _dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _today(now: _dt.datetime) -> _dt.date:
    return local_today(now)


def _local_date(when: _dt.datetime) -> _dt.date:
    return when.astimezone(LONDON).date()


def _uuid_text(field_name: str, value: str) -> str:
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise RuleViolation(f"{field_name} {value!r} is not a record id (a UUID)") from None


def _looks_like_uuid(value: str) -> bool:
    try:
        uuid.UUID(value.strip())
    except ValueError:
        return False
    return True


def _explained(field_name: str, value: Any, what: str) -> str:
    return explained_reason(field_name, value, what)


def _source(case: CaseRecord, field_name: str, ref: str, *, kinds: tuple[str, ...] | None = None,
            what: str) -> dict[str, Any]:
    """The note or record ``ref`` on this case, as {"kind", "date"}; refused when not there."""
    rid = _uuid_text(field_name, ref)
    note = case.notes.get(rid)
    if note is not None and (kinds is None or "case_note" in kinds):
        if note["deleted"]:
            raise RuleViolation(f"{field_name} {rid} is a deleted case note; {what} cannot rest on it")
        return {"id": rid, "kind": "case_note", "date": _local_date(note["occurred_at"])}
    record = case.records.get(rid)
    if record is not None and (kinds is None or record["kind"] in kinds):
        day = record["details"].get("date_received") if record["kind"] == "document" else None
        return {"id": rid, "kind": record["kind"], "date": day or _local_date(record["occurred_at"])}
    allowed = "a case note or a record" if kinds is None else " or ".join(
        "a case note" if k == "case_note" else f"a {k.replace('_', ' ')} record" for k in kinds)
    raise NotFound(f"{field_name} {rid} is not {allowed} on the case of {case.child['name']}")


@dataclass(frozen=True)
class Ctx:
    """What a rule may look at besides the details: the case, who acts, and when."""

    case: CaseRecord
    actor: StaffMember
    occurred_at: _dt.datetime
    now: _dt.datetime

    @property
    def today(self) -> _dt.date:
        return _today(self.now)


Check = Callable[[Ctx, dict[str, Any]], dict[str, Any]]
UpdateCheck = Callable[[Ctx, dict[str, Any], dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Action:
    """An update a kind of record accepts."""

    name: str
    help: str
    fields: tuple[Field, ...]
    check: UpdateCheck | None = None
    #: the record's statuses in which the action is allowed (empty: any)
    statuses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    name: str
    title: str  # "a hazard"
    policy: str
    help: str
    fields: tuple[Field, ...]
    check: Check | None = None
    actions: dict[str, Action] = field(default_factory=dict)
    initial_status: Callable[[dict[str, Any]], str] = lambda details: "current"
    #: who may record: None for the practice and management roles
    who: Callable[[StaffMember, str], None] | None = None


# --- hazards and alerts (s.10) ---------------------------------------------------------------

SOURCE_FIELDS = (
    Field("source_record",
          help="id of the case note or document record on this case that details the concern"),
    Field("source_document", help="the document that details the concern, when it is not on this case"),
    Field("source_date", "date",
          help="the date of source_document (taken from the record with source_record)"),
)


def _check_source(ctx: Ctx, d: dict[str, Any], what: str, *, required: bool) -> None:
    """The description refers to a specific dated record or document (policy s.10)."""
    if d.get("source_record"):
        if d.get("source_document"):
            raise RuleViolation(f"{what}: give source_record or source_document, not both")
        if d.get("source_date"):
            raise RuleViolation(f"{what}: source_date is taken from the source record; leave it out "
                                "with source_record")
        src = _source(ctx.case, "source_record", d["source_record"], kinds=("case_note", "document"),
                      what=what)
        d["source_record"] = src["id"]
        d["source_date"] = src["date"]
    elif d.get("source_document"):
        if not d.get("source_date"):
            raise RuleViolation(f"source_date is required with source_document for {what}: the description "
                                "refers to a specific dated document (policy s.10)")
        if d["source_date"] > ctx.today:
            raise RuleViolation(f"source_date {day_text(d['source_date'])} is in the future "
                                f"(today is {day_text(ctx.today)})")
    elif d.get("source_date"):
        raise RuleViolation(f"source_date for {what} goes with source_document (the document it dates)")
    elif required:
        raise RuleViolation(
            f"the description of {what} must refer to a specific dated case record or document that "
            "details the concern (policy s.10): give source_record (a case note or document id on this "
            "case) or source_document with its source_date"
        )


def _check_review_date(field_name: str, day: _dt.date, today: _dt.date, what: str, *,
                       strictly_after: bool = False) -> None:
    latest = add_months(today, REVIEW_MONTHS)
    if day < today or (strictly_after and day == today):
        raise RuleViolation(f"{field_name} {day_text(day)} for {what} is in the past (today is {day_text(today)}); "
                            f"a review date is {'after' if strictly_after else 'on or after'} today")
    if day > latest:
        raise RuleViolation(
            f"{field_name} {day_text(day)} for {what} is more than six months away; it is reviewed within six "
            f"months (policy s.10): at the latest {day_text(latest)}"
        )


def _alert_kind(name: str, title: str, extra: tuple[Field, ...], help_text: str) -> Kind:
    def check(ctx: Ctx, d: dict[str, Any]) -> dict[str, Any]:
        if d["started_on"] > ctx.today:
            raise RuleViolation(f"started_on {day_text(d['started_on'])} for {title} is in the future "
                                f"(today is {day_text(ctx.today)}): the date it started or was first known")
        _check_source(ctx, d, title, required=True)
        _check_review_date("review_date", d["review_date"], ctx.today, title)
        return d

    def review(ctx: Ctx, record: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
        _check_review_date("next_review_date", d["next_review_date"], ctx.today, title, strictly_after=True)
        return d

    def update(ctx: Ctx, record: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
        _check_source(ctx, d, title, required=False)
        return d

    def end(ctx: Ctx, record: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
        d["reason"] = _explained("reason", d["reason"], f"ending {title}")
        return d

    active = ("active",)
    return Kind(
        name=name, title=title, policy="s.10", help=help_text,
        fields=(
            *extra,
            Field("started_on", "date", required=True, help="the date it started or was first known"),
            Field("description", required=True, help="the risk, referring to the dated record or document"),
            *SOURCE_FIELDS,
            Field("review_date", "date", required=True, help="not in the past, within six months"),
        ),
        check=check,
        actions={
            "review": Action("review", "reviewed: the outcome and the next review date (within six months)",
                             (Field("outcome", required=True, help="what the review found"),
                              Field("next_review_date", "date", required=True,
                                    help="after today, within six months")), review, active),
            "update": Action("update", "a new description (and source); the old one is kept",
                             (Field("description", required=True), *SOURCE_FIELDS), update, active),
            "end": Action("end", "the alert no longer applies",
                          (Field("reason", required=True, help="why it ends (at least three words, twelve letters)"),),
                          end, active),
        },
        initial_status=lambda details: "active",
    )


HAZARD_TYPES = ("dangerous_pet", "person_known_to_be_violent", "verbal_abuse", "racial_abuse", "other")

HAZARD = _alert_kind(
    "hazard", "a hazard",
    (Field("type", "choice", required=True, choices=HAZARD_TYPES),
     Field("concerns_person", help="the child or adult it is about")),
    "A warning about a risk of harm to staff or others (policy s.10).",
)
RISK_TO_CHILDREN = _alert_kind(
    "risk_to_children", "a risk to children alert",
    (Field("person", help="the person who poses the risk"),),
    "A front-screen alert that a person poses a risk to children (policy s.10).",
)
MAPPA_ALERT = _alert_kind(
    "mappa_alert", "a MAPPA alert",
    (Field("person", required=True, help="the person managed under MAPPA"),
     Field("mappa_category", "choice", choices=("registered_sexual_offender", "violent_offender",
                                                "other_dangerous_offender")),
     Field("mappa_level", "choice", choices=("level_1", "level_2", "level_3"))),
    "A front-screen MAPPA (multi-agency public protection arrangements) alert (policy s.10).",
)


# --- chronology (s.8) ------------------------------------------------------------------------

CHRONOLOGY_CATEGORIES = ("birth", "health", "education", "family", "placement", "safeguarding",
                         "achievement", "legal", "other")


def _check_chronology(ctx: Ctx, d: dict[str, Any]) -> dict[str, Any]:
    if "event_date" in d and d["event_date"] > ctx.today:
        raise RuleViolation(
            f"event_date {day_text(d['event_date'])} for a chronology entry is after today ({day_text(ctx.today)}): "
            "a chronology records events that have happened (policy s.8)"
        )
    source = d.get("source")
    if source and _looks_like_uuid(source):
        d["source"] = _source(ctx.case, "source", source, what="a chronology entry")["id"]
    return d


def _correct_chronology(ctx: Ctx, record: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
    d["reason"] = _explained("reason", d["reason"], "correcting a chronology entry")
    changes = {k: v for k, v in d.items() if k != "reason"}
    if not changes:
        raise RuleViolation("a correction to a chronology entry changes at least one of: event_date, "
                            "what_happened, category, positive, source")
    if all(record["details"].get(k) == v for k, v in changes.items()):
        raise RuleViolation("the correction changes nothing: the values given are the entry's current ones")
    return _check_chronology(ctx, d)


CHRONOLOGY_FIELDS = (
    Field("event_date", "date", required=True,
          help="when it happened (may be before birth; not after today)"),
    Field("what_happened", required=True),
    Field("category", "choice", required=True, choices=CHRONOLOGY_CATEGORIES),
    Field("positive", "bool", help="a positive change or achievement"),
    Field("source", help="the note or record id on this case, or the document it comes from"),
)

CHRONOLOGY_ENTRY = Kind(
    name="chronology_entry", title="a chronology entry", policy="s.8",
    help="A significant event in the child's life, good or bad, from birth or before (policy s.8).",
    fields=CHRONOLOGY_FIELDS,
    check=_check_chronology,
    actions={"correct": Action(
        "correct", "correct the entry; the previous values stay in its history",
        tuple(Field(f.name, f.type, False, f.help, f.choices) for f in CHRONOLOGY_FIELDS)
        + (Field("reason", required=True, help="why it is corrected (at least three words, twelve letters)"),),
        _correct_chronology)},
)


# --- case summary (s.9) ----------------------------------------------------------------------


def _check_summary(ctx: Ctx, d: dict[str, Any]) -> dict[str, Any]:
    current = current_summary(ctx.case)
    d["supersedes"] = str(current["id"]) if current else None
    d["next_update_due"] = add_months(_local_date(ctx.occurred_at), SUMMARY_MONTHS)
    return d


CASE_SUMMARY = Kind(
    name="case_summary", title="a case summary", policy="s.9",
    help="A succinct summary of the child's history and the work done, updated every three months "
         "(policy s.9). A new summary supersedes the current one; both are kept.",
    fields=(
        Field("life_for_the_child", required=True, help="what life is like for this child"),
        Field("progress_against_care_plan", help="progress linked to the care plan's outcomes"),
        Field("strengths"),
        Field("concerns"),
        Field("new_issues", help="fresh issues that have emerged"),
        Field("how_handled", help="how the new issues and concerns were dealt with"),
        Field("engagement", help="the child's and family's engagement with services"),
        Field("focus_next_three_months", required=True, help="the focus of work for the next three months"),
    ),
    check=_check_summary,
)


# --- information sharing and consent (s.7) ----------------------------------------------------

BASES = ("consent", "legal_duty", "concern_for_safety", "court_order", "prevention_or_detection_of_crime")


def _check_sharing(ctx: Ctx, d: dict[str, Any]) -> dict[str, Any]:
    if d["shared"] and not d.get("basis"):
        raise RuleViolation(
            "basis is required when information is shared or sought: one of "
            f"{', '.join(BASES)} (policy s.7: consent, or a legal duty or power)"
        )
    if d.get("basis") == "consent":
        if not d.get("consent_record"):
            raise RuleViolation("consent_record is required when the basis is consent: the id of the "
                                "consent record on this case")
        src = _source(ctx.case, "consent_record", d["consent_record"], kinds=("consent",),
                      what="information sharing")
        consent = ctx.case.records[src["id"]]
        if consent["status"] != "given":
            raise RuleViolation(f"consent_record {src['id']} is not a consent given (it is "
                                f"{consent['status']}); the basis cannot be consent")
        if d["direction"] == "request_to" and not consent["details"].get("written"):
            raise RuleViolation("seeking information from another organisation on the basis of consent "
                                "needs written consent (policy s.7); consent record "
                                f"{src['id']} is not in writing")
        d["consent_record"] = src["id"]
    elif d.get("consent_record"):
        raise RuleViolation("consent_record goes with the basis consent")
    return d


INFORMATION_SHARING = Kind(
    name="information_sharing", title="an information sharing decision", policy="s.7",
    help="A decision to share or not to share information, who made it and why (policy s.7). The "
         "decision-maker is the staff member recording it.",
    fields=(
        Field("direction", "choice", required=True, choices=("request_from", "request_to"),
              help="request_from: another organisation asks us; request_to: we ask them"),
        Field("organisation", required=True),
        Field("information", required=True, help="what information"),
        Field("shared", "bool", required=True, help="whether it was shared (or sought)"),
        Field("reasoning", required=True, help="why it was or was not shared"),
        Field("basis", "choice", choices=BASES, help="required when shared"),
        Field("consent_record", help="the consent record id, when the basis is consent"),
        Field("legal_advice", help="advice from Legal Services, if sought (policy s.15)"),
    ),
    check=_check_sharing,
    initial_status=lambda d: "shared" if d["shared"] else "not_shared",
)


def _withdraw(ctx: Ctx, record: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
    d["reason"] = _explained("reason", d["reason"], "withdrawing consent")
    return d


CONSENT = Kind(
    name="consent", title="a consent", policy="s.7",
    help="Consent given, refused or withdrawn, by whom and for what (policy s.7).",
    fields=(
        Field("status", "choice", required=True, choices=("given", "refused", "withdrawn")),
        Field("by_whom", required=True, help="who gave, refused or withdrew it"),
        Field("scope", required=True, help="what it covers"),
        Field("written", "bool", help="given in writing"),
    ),
    actions={"withdraw": Action("withdraw", "the consent given is withdrawn",
                                (Field("by_whom", required=True),
                                 Field("reason", required=True, help="at least three words, twelve letters")),
                                _withdraw, ("given",))},
    initial_status=lambda d: d["status"],
)


# --- correction requests (s.3) ---------------------------------------------------------------


def _check_correction(ctx: Ctx, d: dict[str, Any]) -> dict[str, Any]:
    d["what"] = _source(ctx.case, "what", d["what"], what="a correction request")["id"]
    return d


def _outcome(ctx: Ctx, record: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
    d["reason"] = _explained("reason", d["reason"], "deciding a correction request")
    if d.get("amended_record"):
        if d["result"] != "corrected":
            raise RuleViolation("amended_record goes with the result corrected")
        d["amended_record"] = _source(ctx.case, "amended_record", d["amended_record"],
                                      what="a correction")["id"]
    return d


CORRECTION_REQUEST = Kind(
    name="correction_request", title="a correction request", policy="s.3",
    help="A service user asks for an error or omission in their record to be corrected (policy s.3). "
         "The original always stays; their disagreement is recorded next to it.",
    fields=(
        Field("requested_by", required=True, help="who asks, e.g. 'Ms Hassan (mother)'"),
        Field("what", required=True, help="the id of the note or record it concerns"),
        Field("request", required=True, help="what they say is wrong or missing"),
    ),
    check=_check_correction,
    actions={
        "outcome": Action("outcome", "the decision: corrected or not corrected, with the reason",
                          (Field("result", "choice", required=True, choices=("corrected", "not_corrected")),
                           Field("reason", required=True, help="at least three words, twelve letters"),
                           Field("amended_record", help="the note or record that carries the correction")),
                          _outcome, ("open",)),
        "disagreement": Action("disagreement", "the service user's disagreement, in their own words",
                               (Field("in_their_own_words", required=True),
                                Field("by_whom", required=True),
                                Field("how_obtained", help="e.g. 'letter', 'at a home visit'"))),
    },
    initial_status=lambda d: "open",
)


# --- case audits (s.14) ----------------------------------------------------------------------


def _auditor(actor: StaffMember, title: str) -> None:
    actor.require(f"recording {title} needs the auditor role or team manager and above (policy s.14)",
                  Role.AUDITOR, at_least=Role.TEAM_MANAGER)


def _check_audit(ctx: Ctx, d: dict[str, Any]) -> dict[str, Any]:
    if d["audit_date"] > ctx.today:
        raise RuleViolation(f"audit_date {day_text(d['audit_date'])} is in the future (today is {day_text(ctx.today)})")
    if d["audit_type"] == "case_transfer_audit" and "ready_for_transfer" not in d:
        raise RuleViolation("ready_for_transfer is required for a case transfer audit: it evidences whether "
                            "the case is ready for transfer (policy s.14)")
    if d.get("audit_form"):
        d["audit_form"] = _source(ctx.case, "audit_form", d["audit_form"], kinds=("document",),
                                  what="a case audit")["id"]
    return d


CASE_AUDIT = Kind(
    name="case_audit", title="a case audit", policy="s.14",
    help="That an audit took place, its type, who undertook it, when, and the actions arising "
         "(policy s.14). The auditor is the staff member recording it.",
    fields=(
        Field("audit_type", "choice", required=True,
              choices=("case_file_audit", "thematic", "case_transfer_audit", "dip_sample", "other")),
        Field("audit_date", "date", required=True),
        Field("findings", required=True),
        Field("actions_arising", "text_list"),
        Field("ready_for_transfer", "bool", help="case transfer audits: is the case ready"),
        Field("audit_form", help="the document record id of the completed audit form"),
    ),
    check=_check_audit,
    who=_auditor,
)


# --- documents (s.4) -------------------------------------------------------------------------

DOC_TYPES = ("drawing", "letter", "court_order", "signed_pre_proceedings_letter", "assessment", "report",
             "audit_form", *IDENTITY_DOCUMENTS, "other")


def _check_document(ctx: Ctx, d: dict[str, Any]) -> dict[str, Any]:
    if d.get("size_bytes", 0) < 0:
        raise RuleViolation(f"size_bytes for a document must not be negative, got {d['size_bytes']}")
    if d.get("date_received") and d["date_received"] > ctx.today:
        raise RuleViolation(f"date_received {day_text(d['date_received'])} is in the future "
                            f"(today is {day_text(ctx.today)})")
    if d["doc_type"] in IDENTITY_DOCUMENTS:
        if d.get("keep_original_paper") is False:
            raise RuleViolation(f"a {d['doc_type'].replace('_', ' ')} is kept in its original form "
                                "(policy s.4): keep_original_paper cannot be no")
        d["keep_original_paper"] = True
    elif d.get("keep_original_paper") and not d.get("original_reason"):
        raise RuleViolation(
            "original_reason is required to keep a document on paper: paper files only hold documents "
            "that must be preserved in their original form, e.g. birth certificates and passports "
            "(policy s.4)"
        )
    for rid, record in ctx.case.records.items():
        if record["kind"] == "document" and record["details"]["sha256"] == d["sha256"]:
            raise RuleViolation(f"this file (SHA-256 {d['sha256'][:12]}...) is already on the case as "
                                f"document {rid} ({record['details']['name']!r}); duplicates are kept to "
                                "a minimum")
    return d


DOCUMENT = Kind(
    name="document", title="a document", policy="s.4",
    help="A document on the child's record (drawing, letter, court order...). The event carries the "
         "file's SHA-256, so the ledger's integrity covers the file.",
    fields=(
        Field("name", required=True),
        Field("doc_type", "choice", required=True, choices=DOC_TYPES),
        Field("sha256", "sha256", required=True, help="the file's SHA-256 (64 hex digits)"),
        Field("size_bytes", "int"),
        Field("date_received", "date"),
        Field("keep_original_paper", "bool", help="kept on paper in its original form"),
        Field("original_reason", help="why the original must be kept (other than identity documents)"),
        Field("description"),
    ),
    check=_check_document,
    initial_status=lambda d: "held",
)


KINDS: dict[str, Kind] = {k.name: k for k in (
    HAZARD, RISK_TO_CHILDREN, MAPPA_ALERT, CHRONOLOGY_ENTRY, CASE_SUMMARY, INFORMATION_SHARING, CONSENT,
    CORRECTION_REQUEST, CASE_AUDIT, DOCUMENT,
)}


def kind_of(name: Any) -> Kind:
    kind = KINDS.get(name) if isinstance(name, str) else None
    if kind is None:
        raise RuleViolation(f"kind {name!r} is not a kind of casework record; the kinds are: "
                            f"{', '.join(KINDS)}")
    return kind


# --- the interface the case record calls -------------------------------------------------------


def check_new(case: CaseRecord, *, kind: str, details: Mapping[str, Any], occurred_at: _dt.datetime,
              actor: StaffMember, now: _dt.datetime) -> dict[str, Any]:
    """The normalised details of a new record of ``kind``, or a RuleViolation."""
    k = kind_of(kind)
    if k.who is not None:
        k.who(actor, k.title)
    else:
        actor.require(f"recording {k.title} needs a practice or management role", *CASEWORK_ROLES)
    if not isinstance(details, Mapping):
        raise RuleViolation(f"the details of {k.title} must be a mapping of field to value")
    d = check_details(k.title, k.fields, details)
    if k.check is not None:
        d = k.check(Ctx(case, actor, occurred_at, now), d)
    return d


def new_record(*, record_id: uuid.UUID, kind: str, details: dict[str, Any], occurred_at: _dt.datetime,
               recorded_at: _dt.datetime, by: dict[str, Any]) -> dict[str, Any]:
    """The record as kept in ``case.records`` (a copy: the event's own values stay untouched)."""
    details = copy.deepcopy(details)
    record: dict[str, Any] = {
        "id": record_id, "kind": kind, "occurred_at": occurred_at, "recorded_at": recorded_at,
        "by": copy.deepcopy(by), "details": details, "status": KINDS[kind].initial_status(details)
        if kind in KINDS else "current",
        "updates": [],
    }
    if kind == "case_summary":
        record["superseded_by"] = None
    if kind == "correction_request":
        record["outcome"] = None
        record["disagreements"] = []
    return record


def on_recorded(records: dict[str, dict[str, Any]], record: dict[str, Any]) -> None:
    """What a new record does to the others: a new case summary supersedes the current one."""
    if record["kind"] == "case_summary":
        older = record["details"].get("supersedes")
        if older and older in records:
            records[older]["status"] = "superseded"
            records[older]["superseded_by"] = record["id"]


def check_update(case: CaseRecord, record: dict[str, Any], *, action: str, details: Mapping[str, Any],
                 occurred_at: _dt.datetime, actor: StaffMember, now: _dt.datetime) -> dict[str, Any]:
    """The normalised details of ``action`` on ``record``, or a RuleViolation."""
    k = kind_of(record["kind"])
    label = f"{k.title.split(' ', 1)[1]} {record['id']}"
    if not k.actions:
        more = " (a new summary supersedes it)" if k.name == "case_summary" else ""
        raise RuleViolation(f"{k.title} accepts no updates{more}")
    act = k.actions.get(action) if isinstance(action, str) else None
    if act is None:
        raise RuleViolation(f"{action!r} is not an update of {k.title}; its updates are: "
                            f"{', '.join(k.actions)}")
    if k.who is not None:
        k.who(actor, f"updating {k.title}")
    else:
        actor.require(f"updating {k.title} needs a practice or management role", *CASEWORK_ROLES)
    if act.statuses and record["status"] not in act.statuses:
        raise RuleViolation(
            f"cannot {action} {label}: it is {record['status'].replace('_', ' ')} "
            f"(only {' or '.join(act.statuses)} records can be)"
        )
    if not isinstance(details, Mapping):
        raise RuleViolation(f"the details of {action} must be a mapping of field to value")
    d = check_details(f"{action} of {k.title}", act.fields, details)
    if act.check is not None:
        d = act.check(Ctx(case, actor, occurred_at, now), record, d)
    return d


def apply_update(record: dict[str, Any], *, action: str, details: dict[str, Any], occurred_at: _dt.datetime,
                 recorded_at: _dt.datetime, by: dict[str, Any]) -> None:
    """Apply an update to the record in place; what it replaces is kept in ``updates``."""
    details = copy.deepcopy(details)
    kept = record["details"]
    entry: dict[str, Any] = {"action": action, "details": details, "occurred_at": occurred_at,
                             "recorded_at": recorded_at, "by": copy.deepcopy(by), "previous": {}}
    changes: dict[str, Any] = {}
    kind = record["kind"]
    if kind in ALERT_KINDS:
        if action == "review":
            changes = {"review_date": details["next_review_date"]}
            record["last_reviewed"] = _local_date(occurred_at)
        elif action == "update":
            changes = {k: v for k, v in details.items()}
            if "source_record" in details or "source_document" in details:
                for k in ("source_record", "source_document", "source_date"):
                    changes.setdefault(k, None)
        elif action == "end":
            record["status"] = "ended"
    elif kind == "chronology_entry" and action == "correct":
        changes = {k: v for k, v in details.items() if k != "reason"}
    elif kind == "consent" and action == "withdraw":
        record["status"] = "withdrawn"
    elif kind == "correction_request":
        if action == "outcome":
            record["status"] = details["result"]
            record["outcome"] = {**details, "at": recorded_at, "by": entry["by"]}
        elif action == "disagreement":
            record["disagreements"].append({**details, "at": recorded_at, "by": entry["by"]})
    for k, v in changes.items():
        entry["previous"][k] = kept.get(k)
        if v is None:
            kept.pop(k, None)
        else:
            kept[k] = v
    record["updates"].append(entry)


# --- reading ---------------------------------------------------------------------------------


def current_summary(case: CaseRecord) -> dict[str, Any] | None:
    """The case summary in force (the latest; older ones are superseded), or None."""
    current = [r for r in case.records.values() if r["kind"] == "case_summary" and r["status"] == "current"]
    return max(current, key=lambda r: (r["recorded_at"], str(r["id"]))) if current else None


def chronology(case: CaseRecord) -> list[dict[str, Any]]:
    """The chronology entries in the order of the events they record."""
    entries = [r for r in case.records.values() if r["kind"] == "chronology_entry"]
    return sorted(entries, key=lambda r: (r["details"]["event_date"], r["recorded_at"]))


def reviews_due(case: CaseRecord, today: _dt.date) -> list[dict[str, Any]]:
    """Active hazards and alerts whose review date has passed (``today`` a local date)."""
    return [r for r in case.records.values()
            if r["kind"] in ALERT_KINDS and r["status"] == "active" and r["details"]["review_date"] < today]


def records_about(case: CaseRecord, target_id: uuid.UUID | str) -> list[dict[str, Any]]:
    """The correction requests (with any disagreement) about a note or record: kept next to it."""
    tid = str(target_id)
    return [r for r in case.records.values()
            if r["kind"] == "correction_request" and r["details"]["what"] == tid]


def resolve_record_id(case: CaseRecord, text: str) -> uuid.UUID:
    """A record's id from its UUID or its first hex digits (at least 4)."""
    t = str(text).strip().lower()
    if _looks_like_uuid(t):
        return uuid.UUID(t)
    matches = [r["id"] for key, r in case.records.items() if key.startswith(t)] if len(t) >= 4 else []
    if len(matches) != 1:
        many = "s" if len(matches) > 1 else ""
        raise NotFound(f"{text!r} names {len(matches) or 'no'} record{many} on the case of "
                       f"{case.child['name']}; give the record id (or more of its digits)")
    rid = matches[0]
    return rid if isinstance(rid, uuid.UUID) else uuid.UUID(str(rid))


def describe_kind(name: str) -> str:
    """Generated help for a kind: what it is, its fields and its update actions."""
    k = kind_of(name)
    lines = [f"{k.name} (policy {k.policy}): {k.help}", "", "Fields:"]
    lines += [f"  {line}" for line in describe(k.fields).splitlines()]
    if k.who is not None:
        lines += ["", "Recorded by: an auditor, or a team manager and above."]
    if k.actions:
        lines += ["", "Updates:"]
        for a in k.actions.values():
            when = f" (when {' or '.join(a.statuses)})" if a.statuses else ""
            lines.append(f"  {a.name}{when}: {a.help}")
            lines += [f"    {line}" for line in describe(a.fields).splitlines()]
    else:
        lines += ["", "Updates: none."]
    return "\n".join(lines)


# --- documents' files ------------------------------------------------------------------------


def document_details(path: str | Path) -> dict[str, Any]:
    """``name``, ``sha256`` and ``size_bytes`` of a file, for recording it as a document."""
    p = Path(path)
    digest = hashlib.sha256()
    size = 0
    with p.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return {"name": p.name, "sha256": digest.hexdigest(), "size_bytes": size}


def document_matches(record: dict[str, Any], path: str | Path) -> bool:
    """Whether the file at ``path`` is the one recorded (same SHA-256 and size)."""
    if record.get("kind") != "document":
        raise RuleViolation(f"record {record.get('id')} is a {record.get('kind')}, not a document")
    found = document_details(path)
    want = record["details"]
    size = want.get("size_bytes", found["size_bytes"])
    return bool(found["sha256"] == want["sha256"] and size == found["size_bytes"])


stored_as(__name__, "ledger.casework")  # its classes keep the topics they were first stored under
