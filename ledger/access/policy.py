"""The access policy: one pure function decides every read and write of a child's record.

``decide(actor, case, action, part, purpose=..., break_glass_basis=..., now=...)`` gives a
:class:`Decision`: granted or denied, the rule that decided in words (naming the people), and
whether the attempt is flagged. It reads nothing and writes nothing; the application records
every attempt, granted or denied, in the access log (:mod:`ledger.access.log`) before any data
is returned.

The rules (policy s.7 "Confidentiality", s.11 "Restricted Records", s.12, s.15), in order:

1. A staff member who has left is denied everything.
2. On a record restricted because of a member of staff (or their relative), the staff member
   concerned is denied everything, whatever else they are, break-glass included.
3. Entitlement by relationship to the case (``team`` is the team that holds the case):

   ============================================  =========================  ====================
   who                                           unrestricted record        restricted record
   ============================================  =========================  ====================
   allocated worker                              read, write                read, write
   a practice role in the team                   read, write                (not named: denied)
   team manager of the team                      read, write, delete,       same
                                                 authorise
   service manager / head of service (any: one   read, write, delete,       same
   authority over every case)                    authorise, restrict
   IRO, when the child is looked after or on a   read, write                read, write
   child protection plan
   EDT, out of hours (outside 09:00-17:00        read, write                read, write
   London time on working days)
   helpdesk, for the roll-back of this case      read; write of the         (not named: denied)
   they are working on                           process only
   auditor, for audits                           read; write of a case      (not named: denied)
                                                 audit (s.14)
   need-to-know grant, in date, not revoked      (not needed)               read
   the author of a draft case note, on that      read, write (complete it)  same
   note (after a transfer, to finish recording)
   ============================================  =========================  ====================

   Restricting, lifting, granting, renewing and revoking (``Action.RESTRICT``) belong to service
   managers and heads of service only (s.11 "decided by the relevant Head of Service / Service
   Manager").
4. Otherwise, reading only:

   * unrestricted record: anyone with a social-care role (:data:`SOCIAL_CARE_ROLES`) may open
     it by stating a reason (a legitimate-relationship self-claim, at least three words, twelve letters):
     granted, and flagged for review. Without a reason: denied, ``reason_required``.
   * restricted record: break-glass. Someone with a social-care role may open it in an
     emergency (a child at immediate risk) by giving a reason and a basis
     (:class:`BreakGlassBasis`: concern for safety, legal duty, court order): granted and
     flagged as an alert to the service manager. Without both: denied.
5. The link between a child's birth and adoptive identities (part ``adoption_link``, see
   :mod:`ledger.adoption`) is read by members of the adoption team (:data:`ADOPTION_TEAM`) only:
   nobody else, managers included, and never by break-glass.
6. Everything else is denied. A denied attempt on a restricted record is flagged for
   disciplinary review (s.11: "attempts to access a restricted file inappropriately will be
   considered a disciplinary matter").

A denial's rule names the person refused, their role and the restriction kind; it never names
the child, the allocated worker or anything else on the record.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ledger.integrity.topics import stored_as
from ledger.records.case import (
    CASEWORK_ROLES,
    LOCAL_ZONE,
    RESTRICTING_ROLES,
    CaseRecord,
    RestrictionKind,
)
from ledger.records.fields import MIN_REASON_LETTERS, MIN_REASON_WORDS, explains
from ledger.records.staff import Role, StaffMember
from ledger.records.timescales import is_working_day

__all__ = [
    "SOCIAL_CARE_ROLES",
    "Action",
    "BreakGlassBasis",
    "Decision",
    "Flag",
    "Outcome",
    "Part",
    "RestrictionKind",
    "active_grant",
    "decide",
    "is_out_of_hours",
    "restriction_of",
]

#: Roles that may open an unrestricted record by stating a reason, or break glass on a
#: restricted one: the practice, management, IRO and EDT roles (not helpdesk, auditor, admin).
SOCIAL_CARE_ROLES = CASEWORK_ROLES
#: Office hours in London on working days; EDT covers the rest.
OFFICE_OPENS = _dt.time(9, 0)
OFFICE_CLOSES = _dt.time(17, 0)
PRACTICE_ROLES = (Role.SOCIAL_WORKER, Role.SENIOR_PRACTITIONER, Role.TEAM_MANAGER)
#: The team whose members alone see the link between a child's birth and adoptive identities.
ADOPTION_TEAM = "Adoption"


class Action(str, enum.Enum):
    READ = "read"
    WRITE = "write"          # record on the case: notes, chronology, documents, milestones
    DELETE = "delete"        # delete a case note (policy s.12)
    AUTHORISE = "authorise"  # authorise an assessment, agree a roll-back, a management decision
    RESTRICT = "restrict"    # restrict, lift, grant / renew / revoke need-to-know access (s.11)


class Part(str, enum.Enum):
    CASE_VIEW = "case_view"
    SUMMARY = "summary"
    CHRONOLOGY = "chronology"
    NOTE = "note"
    DOCUMENT = "document"
    PROCESS = "process"          # the process state and milestones (what a roll-back corrects)
    AUDIT_VIEW = "audit_view"    # the case's event history and integrity evidence
    DELETED_CONTENT = "deleted_content"  # the full text of deleted case notes (audit-only, policy s.12)
    CASE_AUDIT = "case_audit"    # the case audit forms (policy s.14)
    CASE_LIST = "case_list"      # a line of a list of cases: the child's name, team, worker, status
    ADOPTION_LINK = "adoption_link"  # the link between the birth and adoptive identities (ledger.adoption)
    RESTRICTION = "restriction"  # the restriction and the need-to-know grants
    # Not parts of one case record (the audit of the audit, EHR-S FM TI.2.2#04): attempts on them carry
    # no case id; their case_ref names whose attempts or which case was covered, their item what was done.
    ACCESS_LOG = "access_log"    # the access log: a report, the alert list, a review, an export of them
    INTEGRITY = "integrity"      # the ledger's integrity: a verification of the whole ledger


class Outcome(str, enum.Enum):
    GRANTED = "granted"
    DENIED = "denied"


class Flag(str, enum.Enum):
    REVIEW = "review"              # self-claimed relationship: a manager reviews it
    ALERT = "alert"                # break-glass: alert to the service manager
    DISCIPLINARY = "disciplinary"  # a denied attempt on a restricted record (s.11)


class BreakGlassBasis(str, enum.Enum):
    """The lawful bases for opening a restricted record in an emergency (policy s.7 "Consent")."""

    CONCERN_FOR_SAFETY = "concern_for_safety"
    LEGAL_DUTY = "legal_duty"
    COURT_ORDER = "court_order"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class Decision:
    """The outcome of one access attempt, and the rule that decided it."""

    outcome: Outcome
    rule: str                       # the rule in words, naming the people
    rule_id: str                    # a stable short name of the rule, for projections
    restriction: str | None = None  # the restriction kind at that moment, None when unrestricted
    flag: Flag | None = None
    reason_required: bool = False   # denied for want of a reason: asking again with one may work
    basis_required: bool = False    # denied for want of a break-glass basis
    basis: BreakGlassBasis | None = None

    @property
    def granted(self) -> bool:
        return self.outcome is Outcome.GRANTED

    @property
    def flagged(self) -> bool:
        return self.flag is not None


def restriction_of(case: CaseRecord) -> dict[str, Any] | None:
    """The record's restriction, or None (a record never restricted has no attribute)."""
    return getattr(case, "restriction", None)


def active_grant(case: CaseRecord, staff_id: str, now: _dt.datetime) -> dict[str, Any] | None:
    """The in-date, unrevoked need-to-know grant of ``staff_id`` on a restricted record."""
    if restriction_of(case) is None:
        return None
    grant = (getattr(case, "access_grants", None) or {}).get(staff_id)
    if grant is None or grant["revoked"] is not None or grant["until"] <= now:
        return None
    return grant  # type: ignore[no-any-return]


def is_out_of_hours(now: _dt.datetime) -> bool:
    """Outside 09:00-17:00 London time, or any time on a weekend or bank holiday."""
    local = now.astimezone(LOCAL_ZONE)
    if not is_working_day(local.date()):
        return True
    return not (OFFICE_OPENS <= local.time() < OFFICE_CLOSES)


def _explains(text: str) -> bool:
    return explains(text)


def _case_flags(case: CaseRecord) -> tuple[bool, bool]:
    """(looked after now, on an active child protection plan now)."""
    process: Mapping[str, Any] = getattr(case, "process", None) or {}
    la = process.get("looked_after")
    plan = process.get("cp_plan")
    return (bool(la and la.get("status") == "looked_after"), bool(plan and plan.get("active")))


def _entitlements(actor: StaffMember, case: CaseRecord, part: Part, *, restricted: bool,
                  now: _dt.datetime, out_of_hours: bool, rollback: Mapping[str, Any] | None,
                  item: str = "") -> list[tuple[str, str, frozenset[Action]]]:
    """Every (rule id, rule in words, actions it allows) that applies to ``actor`` on ``case``."""
    name = actor.full_name
    found: list[tuple[str, str, frozenset[Action]]] = []
    rw = frozenset({Action.READ, Action.WRITE})
    manage = frozenset({Action.READ, Action.WRITE, Action.DELETE, Action.AUTHORISE})
    if actor.staff_id == case.worker["staff_id"]:
        found.append(("allocated_worker", f"{name} is the allocated worker", rw))
    if actor.has_role(Role.TEAM_MANAGER) and actor.team == case.team:
        found.append(("team_manager", f"{name} is the team manager of the {case.team} team, which "
                      "holds the case", manage))
    if actor.has_role(*RESTRICTING_ROLES):
        role = "head of service" if actor.has_role(Role.HEAD_OF_SERVICE) else "service manager"
        found.append(("service_management", f"{name} is a {role}: service managers and heads of "
                      "service hold authority over every case (one authority)", manage | {Action.RESTRICT}))
    if actor.has_role(Role.IRO):
        looked_after, cp_plan = _case_flags(case)
        if looked_after or cp_plan:
            why = "looked after" if looked_after else "on a child protection plan"
            found.append(("iro", f"{name} is an IRO and the child is {why}", rw))
    if actor.has_role(Role.EDT) and out_of_hours:
        found.append(("edt_out_of_hours", f"{name} is an EDT worker and it is out of hours", rw))
    note = (getattr(case, "notes", None) or {}).get(item) if part is Part.NOTE and item else None
    if note is not None and note["status"] == "draft" and note["author"]["staff_id"] == actor.staff_id:
        found.append(("draft_author", f"{name} wrote this draft case note and may complete it, though the "
                      "case has moved on", frozenset({Action.READ, Action.WRITE})))
    if restricted:
        grant = active_grant(case, actor.staff_id, now)
        if grant is not None:
            found.append(("need_to_know", f"{name} has need-to-know access until "
                          f"{grant['until'].isoformat(timespec='minutes')}, granted by "
                          f"{grant['by']['full_name']}", frozenset({Action.READ})))
        return found
    if actor.has_role(*PRACTICE_ROLES) and actor.team == case.team:
        found.append(("team", f"{name} is in the {case.team} team, which holds the case", rw))
    if (actor.has_role(Role.HELPDESK) and rollback is not None
            and str(rollback.get("case_id")) == str(case.id)
            and rollback.get("helpdesk") in (None, actor.staff_id)):
        allowed = {Action.READ} | ({Action.WRITE} if part is Part.PROCESS else set())
        found.append(("helpdesk_rollback", f"{name} is the helpdesk working on roll-back "
                      f"{rollback.get('id')} of this case", frozenset(allowed)))
    if actor.has_role(Role.AUDITOR):
        allowed = {Action.READ} | ({Action.WRITE} if part is Part.CASE_AUDIT else set())
        found.append(("auditor", f"{name} reads case records as an auditor, and records case audits "
                      "(policy s.14)", frozenset(allowed)))
    return found


def decide(actor: StaffMember, case: CaseRecord, action: Action | str, part: Part | str, *,
           purpose: str = "", break_glass_basis: BreakGlassBasis | str | None = None,
           now: _dt.datetime, out_of_hours: bool | None = None,
           rollback: Mapping[str, Any] | None = None, item: str = "") -> Decision:
    """Decide one attempt by ``actor`` to ``action`` the ``part`` of ``case`` (see the module docstring).

    ``out_of_hours`` overrides the clock (None: worked out from ``now``). ``rollback`` is the
    roll-back request the helpdesk is working on (its ``id``, ``case_id`` and ``helpdesk``
    staff id), when there is one. ``item`` is the note, document or record within the part.
    """
    action = Action(action)
    part = Part(part)
    purpose = (purpose or "").strip()
    if out_of_hours is None:
        out_of_hours = is_out_of_hours(now)
    restriction = restriction_of(case)
    kind = RestrictionKind(restriction["kind"]) if restriction is not None else None
    level = kind.value if kind is not None else None
    name = actor.full_name

    def denied(rule_id: str, rule: str, **extra: Any) -> Decision:
        flag = Flag.DISCIPLINARY if kind is not None else None
        return Decision(Outcome.DENIED, rule, rule_id, level, flag, **extra)

    prefix = f"restricted ({kind.label}): " if kind is not None else ""
    if not actor.active:
        return denied("left", f"{prefix}{name} ({actor.staff_id}) has left and cannot open any record")
    if restriction is not None and (restriction.get("staff_concerned") or {}).get("staff_id") == actor.staff_id:
        return denied("staff_concerned", f"{prefix}{name} is the member of staff this restriction "
                      "concerns and may not open the record")

    if part is Part.ADOPTION_LINK:  # hidden from everyone outside the adoption team, managers included
        if action is Action.READ and actor.team == ADOPTION_TEAM and actor.has_role(*SOCIAL_CARE_ROLES):
            return Decision(Outcome.GRANTED, f"{prefix}{name} is in the {ADOPTION_TEAM} team, which alone sees the "
                            "link between the birth and adoptive identities", "adoption_team", level)
        return denied("adoption_link", f"{prefix}the link between the birth and adoptive identities is seen only "
                      f"by the {ADOPTION_TEAM} team; {name} is {actor.role_label} in the {actor.team} team")

    entitled = _entitlements(actor, case, part, restricted=kind is not None, now=now,
                             out_of_hours=out_of_hours, rollback=rollback, item=item)
    if part is Part.DELETED_CONTENT:
        return _deleted_content(actor, case, action, entitled, prefix, level)
    for rule_id, rule, actions in entitled:
        if action in actions:
            return Decision(Outcome.GRANTED, prefix + rule, rule_id, level)

    if action is Action.READ:
        if kind is None:
            return _self_claim(actor, purpose, break_glass_basis)
        return _break_glass(actor, purpose, break_glass_basis, kind, prefix)

    # A write, delete, authorisation or restriction nobody entitles. The message says what the
    # action needs, then who the person is: their role, and their relationship to the case.
    how = f"; {name} is {actor.role_label}, not on this case"
    if entitled:
        rule = entitled[0][1]
        how = (f"; {name} is {actor.role_label}, {rule[len(name) + 4:]}: that does not allow it"
               if rule.startswith(f"{name} is ") else f"; {name} is {actor.role_label}; {rule}: that does not allow it")
    rule_id = f"{entitled[0][0]}_cannot_{action.value}" if entitled else "not_entitled"
    return denied(rule_id, f"{prefix}{_doing(action, part)} needs "
                  f"{_who_may(action, restricted=kind is not None)}{how}")


#: The entitlements that may read a deleted note's text: the team manager of the holding team,
#: service managers and heads of service, auditors (who also investigate access).
DELETED_CONTENT_READERS = ("team_manager", "service_management", "auditor")


def _deleted_content(actor: StaffMember, case: CaseRecord, action: Action,
                     entitled: list[tuple[str, str, frozenset[Action]]], prefix: str,
                     level: str | None) -> Decision:
    """Deleted notes' text is audit-only: only the management line of the case and auditors read it.

    A refusal is not an intrusion (the person may read the rest of the history), so it carries
    no disciplinary flag; it is recorded like every other attempt.
    """
    name = actor.full_name
    if action is Action.READ:
        for rule_id, rule, actions in entitled:
            if rule_id in DELETED_CONTENT_READERS and Action.READ in actions:
                return Decision(Outcome.GRANTED, f"{prefix}{rule}: deleted notes' text is audit-only, "
                                "and this role may read it", f"deleted_content_{rule_id}", level)
    relation = next((r for i, r, _ in entitled if r.startswith(f"{name} is ")), "")
    how = f", {relation[len(name) + 4:]}" if relation else ", not on this case"
    return Decision(Outcome.DENIED, f"{prefix}reading the text of a deleted case note is audit-only: it needs the "
                    f"role team manager or above (the team manager of the {case.team} team, which holds the "
                    f"case, a service manager or head of service) or an auditor; {name} is "
                    f"{actor.role_label}{how}", "deleted_content_audit_only", level)


def _self_claim(actor: StaffMember, purpose: str, basis: Any) -> Decision:
    name = actor.full_name
    if not actor.has_role(*SOCIAL_CARE_ROLES):
        return Decision(Outcome.DENIED, f"{name} is {actor.role_label}: only the allocated worker, the team, "
                        "its management line, the IRO, EDT, the helpdesk for a roll-back and auditors open "
                        "this record, and no social-care role to state another reason", "no_relationship")
    if not _explains(purpose):
        return Decision(Outcome.DENIED, f"{name} is not the allocated worker, not in the team that holds the "
                        "case and not in its management line: to open this record state why (a legitimate "
                        f"relationship, at least {MIN_REASON_WORDS} words and {MIN_REASON_LETTERS} letters); it is "
                        "recorded and reviewed",
                        "self_claim_without_reason", reason_required=True)
    b = _basis(basis)
    extra = f" (basis: {b.label})" if b is not None else ""
    return Decision(Outcome.GRANTED, f"{name} is not on the case and stated a reason{extra}: a "
                    "legitimate-relationship self-claim, recorded and flagged for review", "self_claim",
                    flag=Flag.REVIEW, basis=b)


def _break_glass(actor: StaffMember, purpose: str, basis: Any, kind: RestrictionKind,
                 prefix: str) -> Decision:
    name = actor.full_name
    level = kind.value
    not_named = f"{prefix}{name} is not named on the record and has no need-to-know grant"
    if not actor.has_role(*SOCIAL_CARE_ROLES):
        return Decision(Outcome.DENIED, f"{not_named}; {name} is {actor.role_label}, which cannot break glass",
                        "restricted_not_named", level, Flag.DISCIPLINARY)
    b = _basis(basis)
    allowed = ", ".join(x.label for x in BreakGlassBasis)
    if basis is not None and b is None:
        return Decision(Outcome.DENIED, f"{not_named}; the break-glass basis {basis!r} is not one of: "
                        f"{allowed}", "break_glass_bad_basis", level, Flag.DISCIPLINARY, basis_required=True)
    if b is None or not _explains(purpose):
        missing = " and ".join(w for w, gone in (("a reason", not _explains(purpose)),
                                                 (f"a basis ({allowed})", b is None)) if gone)
        return Decision(Outcome.DENIED, f"{not_named}; in an emergency (a child at immediate risk) it may be "
                        f"opened with {missing} (break-glass: recorded and alerted to the service manager)",
                        "restricted_not_named", level, Flag.DISCIPLINARY,
                        reason_required=not _explains(purpose), basis_required=b is None)
    return Decision(Outcome.GRANTED, f"{prefix}break-glass: {name} is not named on the record and opened it "
                    f"in an emergency (basis: {b.label}); alerted to the service manager", "break_glass",
                    level, Flag.ALERT, basis=b)


def _basis(value: Any) -> BreakGlassBasis | None:
    if value is None or value == "":
        return None
    try:
        return BreakGlassBasis(value)
    except ValueError:
        return None


def _doing(action: Action, part: Part) -> str:
    return {
        Action.READ: f"reading the {part.value.replace('_', ' ')}",
        Action.WRITE: "recording on this case",
        Action.DELETE: "deleting from this case",
        Action.AUTHORISE: "authorising on this case",
        Action.RESTRICT: "restricting this record or granting access to it",
    }[action]


def _who_may(action: Action, *, restricted: bool) -> str:
    if action is Action.WRITE:
        return ("someone named on the restricted record (the case worker, their team manager, the IRO, EDT "
                "out of hours, a service manager or head of service)" if restricted else
                "the allocated worker, the team that holds the case, its team manager, a service manager or "
                "head of service, the IRO (child looked after or on a plan) or EDT out of hours")
    if action is Action.DELETE:
        return ("the role team manager or above (policy s.12): the team manager of the team that holds the "
                "case, a service manager or head of service")
    if action is Action.AUTHORISE:
        return ("the role team manager or above: the team manager of the team that holds the case, a service "
                "manager or head of service")
    if action is Action.RESTRICT:
        return "a service manager or head of service, who decides restrictions (policy s.11)"
    return "an entitlement to read this record"


stored_as(__name__, "ledger.access")  # its classes keep the topics they were first stored under
