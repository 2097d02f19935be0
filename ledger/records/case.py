"""A child's case record: one hash-chained stream from referral to closure (policy s.3).

This module holds the aggregate (:class:`CaseRecord`): its state, its events, its commands, and
the enums its events store (:class:`NoteKind`, ...). Every stored event names its class by topic
(``ledger.case:CaseRecord.CaseNoteRecorded``), so the event classes stay nested here. The rules the
commands obey, and what the events do to the state, are plain functions in the modules beside it
(each command gives them its arguments and triggers the event whose fields they return; they
never import this module):

- :mod:`ledger.records.lifecycle`: opening, allocation, closure and re-opening;
- :mod:`ledger.records.notes`: case notes (s.7, s.12); :mod:`ledger.records.decisions` (s.7);
- :mod:`ledger.records.restriction`: restricted records and need-to-know grants (s.11);
- :mod:`ledger.records.casework`, :mod:`ledger.records.milestones`: the other records, the process;
- :mod:`ledger.records.fields`: text, reasons, dates and times every command takes.

Rules this module enforces itself (each refusal is a :class:`~ledger.errors.RuleViolation` whose
message names the rule and the field; a refused command writes nothing):

* A closed case accepts nothing until it is re-opened: no note, decision, milestone, casework
  record or allocation (restricting is not recording: a closed record may be restricted).
* Notes, decisions, milestones and casework records other than chronology entries are never
  dated before the child's date of birth (a pre-birth case may record before birth, policy s.8).
* A note's kind and source, an interpreter's kind, a decision's kind and a restriction's kind
  are one of this module's enums.
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import AggregateCreated

from ledger.errors import RuleViolation
from ledger.integrity.chain import ChainedAggregate
from ledger.integrity.topics import stored_as
from ledger.records import casework, decisions, lifecycle, milestones, notes, restriction
from ledger.records.dates import day_text
from ledger.records.fields import aware, explained_reason
from ledger.records.restriction import RESTRICTING_ROLES, months_after
from ledger.records.staff import CASEWORK_ROLES, StaffMember
from ledger.records.timescales import LONDON, local_today

__all__ = [
    "CASEWORK_ROLES",
    "LOCAL_ZONE",
    "RESTRICTING_ROLES",
    "CaseRecord",
    "DecisionKind",
    "InterpreterKind",
    "NoteKind",
    "NoteSource",
    "RestrictionKind",
    "aware",
    "explained_reason",
    "months_after",
    "note_content",
]

#: Dates on a record (referral, birth, closure) are local dates in England.
LOCAL_ZONE = LONDON


class NoteKind(str, enum.Enum):
    CONTACT = "contact"
    HOME_VISIT = "home_visit"
    OFFICE_VISIT = "office_visit"
    TELEPHONE_CALL = "telephone_call"
    MEETING = "meeting"
    SUPERVISION = "supervision"
    EMAIL = "email"
    OTHER = "other"


class NoteSource(str, enum.Enum):
    FIRST_HAND = "first_hand"
    THIRD_PARTY = "third_party"


class InterpreterKind(str, enum.Enum):
    CONTRACTED_SERVICE = "contracted_service"
    STAFF_MEMBER = "staff_member"
    FAMILY_MEMBER = "family_member"
    FRIEND = "friend"


class DecisionKind(str, enum.Enum):
    MANAGEMENT = "management"
    SUPERVISION = "supervision"


class RestrictionKind(str, enum.Enum):
    """Why a record is restricted (policy s.11)."""

    ADOPTION = "adoption"              # restricted when the child is matched with adopters
    STAFF_MEMBER = "staff_member"      # the record concerns a member of staff
    STAFF_RELATIVE = "staff_relative"  # ... or a relative of a member of staff
    TEMPORARY = "temporary"            # any other temporary restriction

    @property
    def label(self) -> str:
        return restriction.kind_label(self.value)


def _choice(enum_cls: type[enum.Enum], field: str, value: Any) -> Any:
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in enum_cls)
        raise RuleViolation(f"{field} {value!r} is not one of: {allowed}") from None


def note_content(
    *,
    facts: Any,
    analysis: Any = "",
    actions: Any = "",
    source: Any = NoteSource.FIRST_HAND,
    provided_by: Any = "",
    child_seen: bool = False,
    child_seen_alone: bool = False,
    bedroom_seen: bool = False,
    child_views: Any = "",
    interpreter: dict[str, Any] | None = None,
    late_reason: Any = "",
) -> dict[str, Any]:
    """Validate and normalise the written content of a case note (policy s.7, Appendix 1): the rules of
    :func:`ledger.records.notes.check_content`, with the source and the interpreter's kind as this
    module's enums."""
    content = notes.check_content(
        facts=facts, analysis=analysis, actions=actions, source=_choice(NoteSource, "source", source),
        provided_by=provided_by, child_seen=child_seen, child_seen_alone=child_seen_alone,
        bedroom_seen=bedroom_seen, child_views=child_views, interpreter=interpreter, late_reason=late_reason)
    if content["interpreter"] is not None:
        content["interpreter"]["kind"] = _choice(InterpreterKind, "interpreter kind", content["interpreter"]["kind"])
    return content

class CaseRecord(ChainedAggregate):
    """One child's case record. State lives in plain dicts so that it can be snapshotted.

    State: ``child`` (name, date_of_birth, expected_date_of_birth), ``referral`` (date,
    source), ``team``, ``worker`` (staff stamp), ``status`` ("open" or "closed"),
    ``closure`` (the last closure), ``closure_history`` (every closure and re-opening, in order),
    ``notes`` (note id -> note), ``decisions`` (list).
    """

    stream_kind = "case record"
    #: The version of the state a snapshot stores (eventsourcing upcasts older snapshots with
    #: ``upcast_v<n>_v<n+1>``). 2: ``closure_history`` added; the S47 fold dates ``concluded_at``
    #: by the outcome.
    class_version = 2

    # State, set by the events' apply methods. Annotated for the type checker only: at run
    # time, annotations on an eventsourcing aggregate class would become constructor arguments.
    if TYPE_CHECKING:
        child: dict[str, Any]
        referral: dict[str, Any]
        team: str
        worker: dict[str, Any]
        status: str
        closure: dict[str, Any] | None
        closure_history: list[dict[str, Any]]
        notes: dict[str, dict[str, Any]]
        decisions: list[dict[str, Any]]
        opened_by: dict[str, Any]
        milestones: list[dict[str, Any]]
        process: dict[str, Any]
        records: dict[str, dict[str, Any]]
        # Set by the restriction events only (absent on a record never restricted: read them
        # with getattr, or through ledger.access.policy.restriction_of / active_grant).
        restriction: dict[str, Any] | None
        access_grants: dict[str, dict[str, Any]]
        # Set by RolledBack only (absent on a record never rolled back): roll-back id -> what it did.
        rollbacks: dict[str, dict[str, Any]]

    class Opened(ChainedAggregate.Event, AggregateCreated):
        child_name: str
        date_of_birth: _dt.date | None
        expected_date_of_birth: _dt.date | None
        referral_date: _dt.date
        referral_source: str
        team: str
        worker: dict[str, Any]

        def apply(self, case: CaseRecord) -> None:
            lifecycle.opened(case, self)

    class Allocated(ChainedAggregate.Event):
        team: str
        worker: dict[str, Any]
        reason: str

        def apply(self, case: CaseRecord) -> None:
            case.team = self.team
            case.worker = self.worker

    class CaseNoteRecorded(ChainedAggregate.Event):
        note_id: uuid.UUID
        kind: NoteKind
        content: dict[str, Any]

        def apply(self, case: CaseRecord) -> None:
            case.notes[str(self.note_id)] = notes.drafted(
                note_id=self.note_id, kind=self.kind, occurred_at=self.occurred_at, author=self.actor,
                recorded_at=self.timestamp, content=self.content)

    class CaseNoteRevised(ChainedAggregate.Event):
        note_id: uuid.UUID
        content: dict[str, Any]

        def apply(self, case: CaseRecord) -> None:
            notes.revise(case.notes[str(self.note_id)], at=self.timestamp, content=self.content,
                         occurred_at=self.occurred_at)

    class CaseNoteFinalised(ChainedAggregate.Event):
        note_id: uuid.UUID

        def apply(self, case: CaseRecord) -> None:
            notes.finalise(case.notes[str(self.note_id)], at=self.timestamp)

    class CaseNoteAmended(ChainedAggregate.Event):
        note_id: uuid.UUID
        content: dict[str, Any]
        reason: str

        def apply(self, case: CaseRecord) -> None:
            notes.amend(case.notes[str(self.note_id)], at=self.timestamp, by=self.actor, reason=self.reason,
                        content=self.content)

    class CaseNoteDeleted(ChainedAggregate.Event):
        note_id: uuid.UUID
        reason: str

        def apply(self, case: CaseRecord) -> None:
            notes.delete(case.notes[str(self.note_id)], at=self.timestamp, by=self.actor, reason=self.reason)

    class DecisionRecorded(ChainedAggregate.Event):
        decision_id: uuid.UUID
        kind: DecisionKind
        decision: str
        reasons: str
        risks_considered: str
        options_not_chosen: list[dict[str, str]]
        supervisee: dict[str, Any] | None

        def apply(self, case: CaseRecord) -> None:
            case.decisions.append(decisions.entry(self))

    class MilestoneRecorded(ChainedAggregate.Event):
        """A process milestone (policy s.18): the workflow a roll-back may later correct."""

        milestone_id: uuid.UUID
        kind: str
        details: dict[str, Any]

        def apply(self, case: CaseRecord) -> None:
            entry = {"id": self.milestone_id, "kind": self.kind, "details": self.details,
                     "occurred_at": self.occurred_at, "recorded_at": self.timestamp, "by": self.actor,
                     "superseded_by": None}
            case.milestones.append(entry)
            milestones.fold_into(case.process, entry)

    class CaseworkRecorded(ChainedAggregate.Event):
        """A casework record other than a note or decision (hazard, chronology entry, ...)."""

        record_id: uuid.UUID
        kind: str
        details: dict[str, Any]

        def apply(self, case: CaseRecord) -> None:
            record = casework.new_record(
                record_id=self.record_id, kind=self.kind, details=self.details,
                occurred_at=self.occurred_at, recorded_at=self.timestamp, by=self.actor)
            casework.on_recorded(case.records, record)  # e.g. a new case summary supersedes the last
            case.records[str(self.record_id)] = record

    class CaseworkUpdated(ChainedAggregate.Event):
        """A change to a casework record (a hazard reviewed or ended, a summary superseded, ...)."""

        record_id: uuid.UUID
        action: str
        details: dict[str, Any]

        def apply(self, case: CaseRecord) -> None:
            casework.apply_update(case.records[str(self.record_id)], action=self.action, details=self.details,
                                  occurred_at=self.occurred_at, recorded_at=self.timestamp, by=self.actor)

    class Closed(ChainedAggregate.Event):
        reason: str
        closed_on: _dt.date

        def apply(self, case: CaseRecord) -> None:
            lifecycle.closed(case, self)

    class Reopened(ChainedAggregate.Event):
        reason: str

        def apply(self, case: CaseRecord) -> None:
            lifecycle.reopened(case, self)

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot's state from before version 2: the closure history begins with the last
        closure it kept (earlier closures and re-openings were not kept in the state), and the
        process state is folded again from its milestones (the S47 is concluded on its outcome's date)."""
        last = state.get("closure")
        state["closure_history"] = [] if last is None else [
            {"action": "closed", "on": last["closed_on"], "reason": last["reason"], "by": last["by"], "at": None}]
        state["process"] = milestones.replay(state.get("milestones") or [])

    # --- restriction (policy s.11) ---------------------------------------------------

    class RecordRestricted(ChainedAggregate.Event):
        """The record is restricted: only the people policy s.11 names may open it."""

        kind: RestrictionKind
        reason: str
        staff_concerned: dict[str, Any] | None

        def apply(self, case: CaseRecord) -> None:
            case.restriction = {"kind": self.kind, "reason": self.reason, "by": self.actor,
                                "at": self.timestamp, "staff_concerned": self.staff_concerned}
            case.access_grants = {}

    class RestrictionLifted(ChainedAggregate.Event):
        reason: str

        def apply(self, case: CaseRecord) -> None:
            case.restriction = None
            case.access_grants = {}  # need-to-know grants belong to the restriction they served

    class AccessGranted(ChainedAggregate.Event):
        """A named worker may open the restricted record on a need-to-know basis, until ``until``."""

        staff: dict[str, Any]
        until: _dt.datetime
        reason: str

        def apply(self, case: CaseRecord) -> None:
            case.access_grants = restriction.add_grant(getattr(case, "access_grants", None), staff=self.staff,
                                                       until=self.until, reason=self.reason, by=self.actor,
                                                       at=self.timestamp)

    class AccessGrantRenewed(ChainedAggregate.Event):
        staff_id: str
        until: _dt.datetime
        reason: str

        def apply(self, case: CaseRecord) -> None:
            restriction.renew_grant(case.access_grants[self.staff_id], until=self.until, reason=self.reason,
                                    by=self.actor, at=self.timestamp)

    class AccessGrantRevoked(ChainedAggregate.Event):
        staff_id: str
        reason: str

        def apply(self, case: CaseRecord) -> None:
            case.access_grants[self.staff_id]["revoked"] = {
                "at": self.timestamp, "by": self.actor, "reason": self.reason}

    # --- roll-back (policy s.13) -------------------------------------------------------

    class RolledBack(ChainedAggregate.Event):
        """An agreed roll-back carried out (:mod:`ledger.records.rollback`): the process milestones in force become
        those in force after ``to_version``; casework is never touched. Nothing is removed."""

        rollback_id: uuid.UUID
        to_version: int
        matter: str                 # the kind of process milestone corrected
        reason: str
        requested_by: dict[str, Any]
        raised_by: dict[str, Any]
        agreed_by: dict[str, Any]
        agreed_at: _dt.datetime
        superseded: list[uuid.UUID]  # milestone ids now marked superseded_by the roll-back
        restored: list[uuid.UUID]    # milestone ids superseded by an earlier roll-back, in force again

        def apply(self, case: CaseRecord) -> None:
            # The milestones it supersedes or restores, and the process folded again from those in force.
            case.process = milestones.roll_back(case.milestones, rollback_id=self.rollback_id,
                                                superseded=self.superseded, restored=self.restored)
            case.rollbacks = milestones.rolled_back(getattr(case, "rollbacks", None), self)

    # --- commands --------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        *,
        case_id: uuid.UUID,
        actor: StaffMember,
        child_name: str,
        referral_date: _dt.date,
        referral_source: str,
        team: str,
        worker: StaffMember,
        now: _dt.datetime,
        occurred_at: _dt.datetime,
        date_of_birth: _dt.date | None = None,
        expected_date_of_birth: _dt.date | None = None,
    ) -> CaseRecord:
        return cls._start(cls.Opened, id=case_id, **lifecycle.opening(
            actor=actor, child_name=child_name, referral_date=referral_date, referral_source=referral_source,
            team=team, worker=worker, now=now, occurred_at=occurred_at, date_of_birth=date_of_birth,
            expected_date_of_birth=expected_date_of_birth))

    def allocate(self, *, actor: StaffMember, team: str, worker: StaffMember, reason: str,
                 now: _dt.datetime) -> None:
        self._require_open("allocate a worker to")
        self.trigger_event(self.Allocated, **lifecycle.allocation(self, actor=actor, team=team, worker=worker,
                                                                  reason=reason, now=now))

    def record_case_note(self, *, actor: StaffMember, note_id: uuid.UUID, kind: Any,
                         occurred_at: _dt.datetime, now: _dt.datetime, content: dict[str, Any]) -> None:
        self._require_open("record a case note on")
        self.trigger_event(
            self.CaseNoteRecorded, **notes.recording(self, actor=actor, note_id=note_id, occurred_at=occurred_at,
                                                     now=now),
            kind=_choice(NoteKind, "kind", kind), content=content,
        )

    def revise_case_note(self, *, actor: StaffMember, note_id: uuid.UUID, content: dict[str, Any],
                         occurred_at: _dt.datetime | None, now: _dt.datetime) -> None:
        note = self._live_note(note_id, "revise")
        self.trigger_event(self.CaseNoteRevised, **notes.revision(self, note, actor=actor, note_id=note_id,
                                                                   content=content, occurred_at=occurred_at, now=now))

    def finalise_case_note(self, *, actor: StaffMember, note_id: uuid.UUID, now: _dt.datetime) -> None:
        note = self._live_note(note_id, "finalise")
        self.trigger_event(self.CaseNoteFinalised, **notes.finalisation(note, actor=actor, note_id=note_id, now=now))

    def amend_case_note(self, *, actor: StaffMember, note_id: uuid.UUID, content: dict[str, Any],
                        reason: str, now: _dt.datetime) -> None:
        note = self._live_note(note_id, "amend")
        self.trigger_event(self.CaseNoteAmended, **notes.amendment(note, actor=actor, note_id=note_id,
                                                                   content=content, reason=reason, now=now))

    def delete_case_note(self, *, actor: StaffMember, note_id: uuid.UUID, reason: str,
                         now: _dt.datetime) -> None:
        self._live_note(note_id, "delete")
        self.trigger_event(self.CaseNoteDeleted, **notes.deletion(actor=actor, note_id=note_id, reason=reason, now=now))

    def record_decision(
        self, *, actor: StaffMember, decision_id: uuid.UUID, kind: Any, decision: str, reasons: str,
        risks_considered: str, options_not_chosen: Sequence[dict[str, str]],
        occurred_at: _dt.datetime, now: _dt.datetime, supervisee: StaffMember | None = None,
    ) -> None:
        self._require_open("record a decision on")
        self.trigger_event(self.DecisionRecorded, **decisions.decision(
            self, actor=actor, decision_id=decision_id, kind=_choice(DecisionKind, "kind", kind), decision=decision,
            reasons=reasons, risks_considered=risks_considered, options_not_chosen=options_not_chosen,
            occurred_at=occurred_at, now=now, supervisee=supervisee))

    def record_milestone(self, *, actor: StaffMember, milestone_id: uuid.UUID, kind: str,
                         details: dict[str, Any], occurred_at: _dt.datetime, now: _dt.datetime) -> None:
        """Record a process milestone; :mod:`ledger.records.milestones` checks its details and sequence."""
        self._require_open("record a process milestone on")
        self.trigger_event(self.MilestoneRecorded, **milestones.recording(
            self, actor=actor, milestone_id=milestone_id, kind=kind, details=details, occurred_at=occurred_at,
            now=now))

    def record_casework(self, *, actor: StaffMember, record_id: uuid.UUID, kind: str,
                        details: dict[str, Any], occurred_at: _dt.datetime, now: _dt.datetime) -> None:
        """Record a casework record; :mod:`ledger.records.casework` checks its details."""
        self._require_open("record on")
        self.trigger_event(self.CaseworkRecorded, **casework.recording(
            self, actor=actor, record_id=record_id, kind=kind, details=details, occurred_at=occurred_at, now=now))

    def update_casework(self, *, actor: StaffMember, record_id: uuid.UUID, action: str,
                        details: dict[str, Any], occurred_at: _dt.datetime, now: _dt.datetime) -> None:
        """Update a casework record; :mod:`ledger.records.casework` checks the update."""
        self._require_open("update a record on")
        self.trigger_event(self.CaseworkUpdated, **casework.updating(
            self, actor=actor, record_id=record_id, action=action, details=details, occurred_at=occurred_at,
            now=now))

    def close(self, *, actor: StaffMember, reason: str, closed_on: _dt.date, now: _dt.datetime) -> None:
        self._require_open("close")
        self.trigger_event(self.Closed, **lifecycle.closure(self, actor=actor, reason=reason, closed_on=closed_on,
                                                            now=now))

    def reopen(self, *, actor: StaffMember, reason: str, now: _dt.datetime) -> None:
        self.trigger_event(self.Reopened, **lifecycle.reopening(self, actor=actor, reason=reason, now=now))

    # --- restriction commands (policy s.11) --------------------------------------------
    # Restricting is not recording casework: a closed record may be restricted, and its
    # restriction lifted, like an open one.

    def restrict(self, *, actor: StaffMember, kind: Any, reason: str, now: _dt.datetime,
                 staff_concerned: StaffMember | None = None) -> None:
        restriction.require_decider(actor, "restricting a record")
        kind = _choice(RestrictionKind, "restriction kind", kind)
        self.trigger_event(self.RecordRestricted, **restriction.restrict(
            self, actor=actor, kind=kind, reason=reason, now=now, staff_concerned=staff_concerned))

    def lift_restriction(self, *, actor: StaffMember, reason: str, now: _dt.datetime) -> None:
        self.trigger_event(self.RestrictionLifted, **restriction.lift(self, actor=actor, reason=reason, now=now))

    def grant_access(self, *, actor: StaffMember, staff: StaffMember, reason: str, now: _dt.datetime,
                     until: _dt.datetime | None = None) -> None:
        self.trigger_event(self.AccessGranted, **restriction.grant(self, actor=actor, staff=staff, reason=reason,
                                                                   now=now, until=until))

    def renew_grant(self, *, actor: StaffMember, staff_id: str, reason: str, now: _dt.datetime,
                    until: _dt.datetime | None = None) -> None:
        self.trigger_event(self.AccessGrantRenewed, **restriction.renew(self, actor=actor, staff_id=staff_id,
                                                                        reason=reason, now=now, until=until))

    def revoke_grant(self, *, actor: StaffMember, staff_id: str, reason: str, now: _dt.datetime) -> None:
        self.trigger_event(self.AccessGrantRevoked, **restriction.revoke(self, actor=actor, staff_id=staff_id,
                                                                         reason=reason, now=now))

    def after_birth(self, field: str, when: _dt.datetime, what: str) -> _dt.datetime:
        """``when``, refused when it is before the child's date of birth (a pre-birth case, known by its
        expected date of birth, may record before birth: policy s.8, pre-birth assessment)."""
        born = (getattr(self, "child", None) or {}).get("date_of_birth")
        if born is not None and local_today(when) < born:
            raise RuleViolation(
                f"{field} {day_text(when)} is before the child was born ({day_text(born)}): {what} is dated by the "
                "event, on or after the date of birth (a pre-birth case gives an expected date of birth)",
                field=field)
        return when

    # --- helpers and reading ----------------------------------------------------------

    def _require_open(self, what: str) -> None:
        if self.status == "closed":
            raise RuleViolation(
                f"cannot {what} the case of {self.child['name']}: it was closed on "
                f"{day_text((self.closure or {}).get('closed_on'))}; re-open it first (with a reason)"
            )

    def _live_note(self, note_id: uuid.UUID, what: str) -> dict[str, Any]:
        self._require_open(f"{what} a case note on")
        return notes.live_note(self, note_id, what)

    def visible_notes(self) -> list[dict[str, Any]]:
        """Notes in ordinary reads: not deleted, in order of the event they record."""
        return sorted((n for n in self.notes.values() if not n["deleted"]),
                      key=lambda n: (n["occurred_at"], n["recorded_at"]))


stored_as(__name__, "ledger.case")  # its classes keep the topics they were first stored under
