"""A child's case record: one hash-chained stream from referral to closure (policy s.3).

Rules this module enforces (each refusal is a :class:`~ledger.errors.RuleViolation` whose
message names the rule, the field and the people involved; a refused command writes nothing):

* Opening: the child's name, a date of birth or (pre-birth) an expected date of birth, the
  referral date and source, and an allocated team and worker are required. The worker must be
  a social worker, senior practitioner or team manager in that team.
* Recording casework (notes, decisions, allocation) needs a practice or management role;
  helpdesk, auditor and admin accounts cannot record on a child's record.
* A case note (s.7) is dated by the event (``occurred_at``, never in the future), has a
  ``facts`` section (required) kept apart from ``analysis`` (professional judgement) and
  ``actions``; third-party information names who provided it; "seen alone" implies "seen".
  Notes start as drafts that only their author may revise, and are finalised once, by their
  author. A finalised note changes only by amendment: a new event with a reason; the
  original text stays in the ledger and in the note's history.
* Deleting a case note (s.12) needs team manager or above and a reason that explains (at
  least three words and twelve letters, :func:`ledger.records.fields.explained_reason`). The note leaves
  ordinary reads; it never leaves the ledger.
* A management or supervision decision (s.7) records the decision, the reasons, the risks
  considered, and the options not chosen with why; it is made by a team manager or above.
* A closed case accepts nothing until it is re-opened (team manager or above, with a reason).
  A case with draft notes cannot be closed: they must be finalised or deleted first.
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import AggregateCreated

from ledger.errors import NotFound, PermissionDenied, RuleViolation
from ledger.integrity.chain import ChainedAggregate
from ledger.integrity.topics import stored_as
from ledger.records import casework, milestones
from ledger.records.dates import day_text, moment_text
from ledger.records.fields import explained_reason, text_field
from ledger.records.staff import CASEWORK_ROLES, Role, StaffMember
from ledger.records.timescales import LONDON, local_today

__all__ = [
    "CASEWORK_ROLES",
    "CaseRecord",
    "DecisionKind",
    "InterpreterKind",
    "NoteKind",
    "NoteSource",
    "RestrictionKind",
    "explained_reason",
]

#: Roles that may hold a case as its allocated worker.
ALLOCATABLE_ROLES = (Role.SOCIAL_WORKER, Role.SENIOR_PRACTITIONER, Role.TEAM_MANAGER)
#: How far in the future a time may be before it is refused (clock drift between machines).
FUTURE_TOLERANCE = _dt.timedelta(minutes=5)
#: Dates on a record (referral, birth, closure) are local dates in England.
LOCAL_ZONE = LONDON
#: No date of birth before this (a typing slip: 1016 for 2016).
EARLIEST_BIRTH = _dt.date(1900, 1, 1)


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
        return {"staff_member": "staff member", "staff_relative": "staff member's relative",
                "temporary": "temporary"}.get(self.value, self.value)


#: Who decides to restrict a record, lift a restriction or grant need-to-know access (s.11).
RESTRICTING_ROLES = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
#: A need-to-know grant runs for six calendar months unless an earlier end is given.
GRANT_MONTHS = 6


def months_after(moment: _dt.datetime, months: int) -> _dt.datetime:
    """``moment`` plus calendar ``months`` in London time (31 Aug + 6 months is 28/29 Feb)."""
    local = moment.astimezone(LOCAL_ZONE)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    next_month = _dt.date(year + (month == 12), month % 12 + 1, 1)
    day = min(local.day, (next_month - _dt.timedelta(days=1)).day)
    return local.replace(year=year, month=month, day=day)


def _choice(enum_cls: type[enum.Enum], field: str, value: Any) -> Any:
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in enum_cls)
        raise RuleViolation(f"{field} {value!r} is not one of: {allowed}") from None


def _date(field: str, value: Any) -> _dt.date:
    """A calendar date (a datetime is refused: it would compare and store as a moment)."""
    if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
        raise RuleViolation(f"{field} must be a date, got {value!r}", field=field)
    return value


def _text(field: str, value: Any, *, required: bool, rule: str = "") -> str:
    """Stored text for ``field``: the rules of :func:`ledger.records.fields.text_field` (one line or multi-line)."""
    return text_field(field, value, required=required, rule=rule)


def aware(field: str, value: Any) -> _dt.datetime:
    if not isinstance(value, _dt.datetime):
        raise RuleViolation(f"{field} must be a date and time, got {value!r}", field=field)
    if value.tzinfo is None or value.utcoffset() is None:
        raise RuleViolation(f"{field} {value.isoformat()} needs a time zone", field=field)
    return value


def not_future(field: str, value: Any, now: _dt.datetime) -> _dt.datetime:
    value = aware(field, value)
    if value > now + FUTURE_TOLERANCE:
        raise RuleViolation(
            f"{field} {value.isoformat(timespec='minutes')} is in the future; "
            f"entries are dated by the event, which has to have happened (now is "
            f"{now.isoformat(timespec='minutes')})", field=field
        )
    return value  # type: ignore[no-any-return]  # aware() checked it is a datetime


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
    """Validate and normalise the written content of a case note (policy s.7, Appendix 1)."""
    src = _choice(NoteSource, "source", source)
    content: dict[str, Any] = {
        "facts": _text("facts", facts, required=True, rule=" in a case note: record what happened, "
                       "kept apart from analysis and actions"),
        "analysis": _text("analysis", analysis, required=False),
        "actions": _text("actions", actions, required=False),
        "source": src,
        "provided_by": _text("provided_by", provided_by, required=False),
        "child_seen": bool(child_seen),
        "child_seen_alone": bool(child_seen_alone),
        "child_views": _text("child_views", child_views, required=False),
        "interpreter": None,
    }
    if bedroom_seen:  # on a home visit: kept only when seen, so older notes read the same
        content["bedroom_seen"] = True
    late = explained_reason("late_reason", late_reason, "writing up a case note after its timescale (policy s.18)",
                            required=False)
    if late:  # why the note was written up after its timescale (policy s.18); absent when on time
        content["late_reason"] = late
    if src is NoteSource.THIRD_PARTY and not content["provided_by"]:
        raise RuleViolation(
            "provided_by is required when the source is third-party: the record must say "
            "who provided the information (policy s.7)"
        )
    if content["child_seen_alone"] and not content["child_seen"]:
        raise RuleViolation("child_seen_alone is set but child_seen is not: a child seen alone was seen")
    if interpreter:
        if not isinstance(interpreter, dict):
            raise RuleViolation(
                f"interpreter must give the interpreter's name and kind, got {interpreter!r}")
        content["interpreter"] = {
            "name": _text("interpreter name", interpreter.get("name"), required=True,
                          rule=" when an interpreter was used (policy s.7)"),
            "kind": _choice(InterpreterKind, "interpreter kind", interpreter.get("kind")),
        }
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
            case.child = {
                "name": self.child_name,
                "date_of_birth": self.date_of_birth,
                "expected_date_of_birth": self.expected_date_of_birth,
            }
            case.referral = {"date": self.referral_date, "source": self.referral_source}
            case.team = self.team
            case.worker = self.worker
            case.status = "open"
            case.closure = None
            case.closure_history = []  # every closure and re-opening: action, on, reason, by, at
            case.notes = {}
            case.decisions = []
            case.opened_by = self.actor
            case.milestones = []  # process milestones, in the order recorded
            case.process = {}  # the process state folded from the milestones (ledger.records.milestones)
            case.records = {}  # casework records by id: hazards, chronology entries, ... (ledger.records.casework)

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
            case.notes[str(self.note_id)] = {
                "id": self.note_id,
                "kind": self.kind,
                "occurred_at": self.occurred_at,
                "author": self.actor,
                "recorded_at": self.timestamp,
                "status": "draft",
                "finalised_at": None,
                "content": self.content,
                "revisions": [],
                "amendments": [],
                "deleted": None,
            }

    class CaseNoteRevised(ChainedAggregate.Event):
        note_id: uuid.UUID
        content: dict[str, Any]

        def apply(self, case: CaseRecord) -> None:
            note = case.notes[str(self.note_id)]
            note["revisions"].append({"at": self.timestamp, "previous": note["content"]})
            note["content"] = self.content
            note["occurred_at"] = self.occurred_at

    class CaseNoteFinalised(ChainedAggregate.Event):
        note_id: uuid.UUID

        def apply(self, case: CaseRecord) -> None:
            note = case.notes[str(self.note_id)]
            note["status"] = "final"
            note["finalised_at"] = self.timestamp

    class CaseNoteAmended(ChainedAggregate.Event):
        note_id: uuid.UUID
        content: dict[str, Any]
        reason: str

        def apply(self, case: CaseRecord) -> None:
            note = case.notes[str(self.note_id)]
            note["amendments"].append({
                "at": self.timestamp,
                "by": self.actor,
                "reason": self.reason,
                "previous": note["content"],
            })
            note["content"] = self.content

    class CaseNoteDeleted(ChainedAggregate.Event):
        note_id: uuid.UUID
        reason: str

        def apply(self, case: CaseRecord) -> None:
            case.notes[str(self.note_id)]["deleted"] = {
                "at": self.timestamp, "by": self.actor, "reason": self.reason,
            }

    class DecisionRecorded(ChainedAggregate.Event):
        decision_id: uuid.UUID
        kind: DecisionKind
        decision: str
        reasons: str
        risks_considered: str
        options_not_chosen: list[dict[str, str]]
        supervisee: dict[str, Any] | None

        def apply(self, case: CaseRecord) -> None:
            case.decisions.append({
                "id": self.decision_id,
                "kind": self.kind,
                "decision": self.decision,
                "reasons": self.reasons,
                "risks_considered": self.risks_considered,
                "options_not_chosen": self.options_not_chosen,
                "supervisee": self.supervisee,
                "decided_by": self.actor,
                "occurred_at": self.occurred_at,
                "recorded_at": self.timestamp,
            })

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
            case.status = "closed"
            case.closure = {"reason": self.reason, "closed_on": self.closed_on, "by": self.actor}
            case.closure_history.append({"action": "closed", "on": self.closed_on, "reason": self.reason,
                                         "by": self.actor, "at": self.timestamp})

    class Reopened(ChainedAggregate.Event):
        reason: str

        def apply(self, case: CaseRecord) -> None:
            case.status = "open"
            case.closure_history.append({"action": "reopened", "on": local_today(self.occurred_at),
                                         "reason": self.reason, "by": self.actor, "at": self.timestamp})

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
            grants = dict(getattr(case, "access_grants", None) or {})
            grants[self.staff["staff_id"]] = {
                "staff": self.staff, "until": self.until, "reason": self.reason, "by": self.actor,
                "at": self.timestamp, "renewals": [], "revoked": None,
            }
            case.access_grants = grants

    class AccessGrantRenewed(ChainedAggregate.Event):
        staff_id: str
        until: _dt.datetime
        reason: str

        def apply(self, case: CaseRecord) -> None:
            grant = case.access_grants[self.staff_id]
            grant["renewals"].append({"at": self.timestamp, "by": self.actor, "reason": self.reason,
                                      "previous_until": grant["until"]})
            grant["until"] = self.until

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
            superseded = {str(i) for i in self.superseded}
            restored = {str(i) for i in self.restored}
            state = milestones.initial_state()
            for entry in case.milestones:
                key = str(entry["id"])
                if key in superseded:
                    entry["superseded_by"] = self.rollback_id
                elif key in restored:
                    entry["superseded_by"] = None
                if entry["superseded_by"] is None:
                    milestones.fold_into(state, entry)
            case.process = state
            done = dict(getattr(case, "rollbacks", None) or {})
            done[str(self.rollback_id)] = {
                "id": self.rollback_id, "to_version": self.to_version, "matter": self.matter, "reason": self.reason,
                "requested_by": self.requested_by, "raised_by": self.raised_by, "agreed_by": self.agreed_by,
                "agreed_at": self.agreed_at, "carried_out_by": self.actor, "at": self.timestamp,
                "superseded": list(self.superseded), "restored": list(self.restored),
            }
            case.rollbacks = done

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
        actor.require("opening a case record needs a practice or management role", *CASEWORK_ROLES)
        name = _text("child_name", child_name, required=True, rule=" to open a case record")
        if (date_of_birth is None) == (expected_date_of_birth is None):
            raise RuleViolation(
                "opening a case record needs either date_of_birth or, for a pre-birth referral, "
                "expected_date_of_birth (one of the two, not both)"
            )
        _date("referral_date", referral_date)
        for field, value in (("date_of_birth", date_of_birth),
                             ("expected_date_of_birth", expected_date_of_birth)):
            if value is not None:
                _date(field, value)
        today = local_today(now)
        if referral_date > today:
            raise RuleViolation(f"referral_date {day_text(referral_date)} is in the future "
                                f"(today is {day_text(today)})", field="referral_date")
        if date_of_birth is not None and date_of_birth > today:
            raise RuleViolation(
                f"date_of_birth {day_text(date_of_birth)} is in the future; for an unborn child give "
                "expected_date_of_birth", fields=("date_of_birth", "expected_date_of_birth")
            )
        born = date_of_birth if date_of_birth is not None else expected_date_of_birth
        field = "date_of_birth" if date_of_birth is not None else "expected_date_of_birth"
        if born is not None and born < EARLIEST_BIRTH:
            raise RuleViolation(f"{field} {day_text(born)} is before {EARLIEST_BIRTH.year}: a child's date of birth "
                                f"is on or after {day_text(EARLIEST_BIRTH)}", field=field)
        if date_of_birth is not None and date_of_birth > referral_date:
            raise RuleViolation(
                f"date_of_birth {day_text(date_of_birth)} is after the referral_date "
                f"{day_text(referral_date)}: a child is referred once born; a referral before birth gives "
                "expected_date_of_birth",
                fields=("date_of_birth", "referral_date", "expected_date_of_birth"))
        source = _text("referral_source", referral_source, required=True, rule=" to open a case record")
        _check_worker(worker, team)
        return cls._start(
            cls.Opened,
            id=case_id,
            actor=actor.stamp(), timestamp=now,
            occurred_at=not_future("occurred_at", occurred_at, now),
            child_name=name,
            date_of_birth=date_of_birth,
            expected_date_of_birth=expected_date_of_birth,
            referral_date=referral_date,
            referral_source=source,
            team=team,
            worker=worker.stamp(),
        )

    def allocate(self, *, actor: StaffMember, team: str, worker: StaffMember, reason: str,
                 now: _dt.datetime) -> None:
        self._require_open("allocate a worker to")
        actor.require("allocating a case needs the role team manager or above", at_least=Role.TEAM_MANAGER)
        _check_worker(worker, team)
        if worker.staff_id == self.worker["staff_id"] and team == self.team:
            raise RuleViolation(f"{worker.full_name} is already the allocated worker in {team}")
        self.trigger_event(
            self.Allocated, actor=actor.stamp(), timestamp=now, occurred_at=now, team=team,
            worker=worker.stamp(), reason=explained_reason(
                "reason", reason, f"allocating the case to {worker.full_name} ({worker.staff_id}) in {team}"),
        )

    def record_case_note(self, *, actor: StaffMember, note_id: uuid.UUID, kind: Any,
                         occurred_at: _dt.datetime, now: _dt.datetime, content: dict[str, Any]) -> None:
        self._require_open("record a case note on")
        actor.require("recording a case note needs a practice or management role", *CASEWORK_ROLES)
        if str(note_id) in self.notes:
            raise RuleViolation(f"case note {note_id} already exists on this record")
        self.trigger_event(
            self.CaseNoteRecorded, actor=actor.stamp(), timestamp=now,
            occurred_at=self.after_birth("occurred_at", not_future("occurred_at", occurred_at, now),
                                         "a case note"),
            note_id=note_id, kind=_choice(NoteKind, "kind", kind), content=content,
        )

    def revise_case_note(self, *, actor: StaffMember, note_id: uuid.UUID, content: dict[str, Any],
                         occurred_at: _dt.datetime | None, now: _dt.datetime) -> None:
        note = self._live_note(note_id, "revise")
        if note["status"] != "draft":
            raise RuleViolation(
                f"case note {note_id} is finalised and cannot be revised; a finalised note "
                "changes only by amendment, with a reason"
            )
        self._require_author(actor, note, "revise")
        self.trigger_event(
            self.CaseNoteRevised, actor=actor.stamp(), timestamp=now,
            occurred_at=self.after_birth("occurred_at", not_future("occurred_at", occurred_at or note["occurred_at"],
                                                                   now), "a case note"),
            note_id=note_id, content=content,
        )

    def finalise_case_note(self, *, actor: StaffMember, note_id: uuid.UUID, now: _dt.datetime) -> None:
        note = self._live_note(note_id, "finalise")
        if note["status"] != "draft":
            raise RuleViolation(
                f"case note {note_id} was already finalised on "
                f"{moment_text(note['finalised_at'])}; a note is finalised once"
            )
        self._require_author(actor, note, "finalise")
        self.trigger_event(self.CaseNoteFinalised, actor=actor.stamp(), timestamp=now,
                           occurred_at=now, note_id=note_id)

    def amend_case_note(self, *, actor: StaffMember, note_id: uuid.UUID, content: dict[str, Any],
                        reason: str, now: _dt.datetime) -> None:
        note = self._live_note(note_id, "amend")
        if note["status"] != "final":
            raise RuleViolation(
                f"case note {note_id} is still a draft: revise it instead; only a finalised "
                "note is amended"
            )
        if actor.staff_id != note["author"]["staff_id"]:
            actor.require(
                f"amending a case note written by {note['author']['full_name']} needs its author "
                "or the role team manager or above", at_least=Role.TEAM_MANAGER,
            )
        else:
            actor.require("amending a case note needs a practice or management role", *CASEWORK_ROLES)
        reason = explained_reason("reason", reason, "amending a case note")
        if content == note["content"]:
            raise RuleViolation(f"the amendment to case note {note_id} changes nothing")
        self.trigger_event(self.CaseNoteAmended, actor=actor.stamp(), timestamp=now, occurred_at=now,
                           note_id=note_id, content=content, reason=reason)

    def delete_case_note(self, *, actor: StaffMember, note_id: uuid.UUID, reason: str,
                         now: _dt.datetime) -> None:
        self._live_note(note_id, "delete")
        actor.require("deleting a case note needs the role team manager or above (policy s.12)",
                      at_least=Role.TEAM_MANAGER)
        reason = explained_reason("reason", reason, "deleting a case note (policy s.12)")
        self.trigger_event(self.CaseNoteDeleted, actor=actor.stamp(), timestamp=now, occurred_at=now,
                           note_id=note_id, reason=reason)

    def record_decision(
        self, *, actor: StaffMember, decision_id: uuid.UUID, kind: Any, decision: str, reasons: str,
        risks_considered: str, options_not_chosen: Sequence[dict[str, str]],
        occurred_at: _dt.datetime, now: _dt.datetime, supervisee: StaffMember | None = None,
    ) -> None:
        self._require_open("record a decision on")
        kind = _choice(DecisionKind, "kind", kind)
        actor.require(f"recording a {kind.value} decision needs the role team manager or above",
                      at_least=Role.TEAM_MANAGER)
        rule = " for a decision (policy s.7: the reasons for the decision and the risks assessed)"
        options = []
        for i, opt in enumerate(options_not_chosen or ()):
            if not isinstance(opt, dict):
                raise RuleViolation(
                    f"options_not_chosen[{i}] must give the option and why it was not chosen, "
                    f"got {opt!r}")
            options.append({
                "option": _text(f"options_not_chosen[{i}].option", opt.get("option"), required=True),
                "why_not": _text(f"options_not_chosen[{i}].why_not", opt.get("why_not"), required=True,
                                 rule=": say why this option was not chosen"),
            })
        if not options:
            raise RuleViolation(
                "options_not_chosen needs at least one option with why it was not chosen "
                "(policy s.7: 'why other decisions were not made')"
            )
        if kind is DecisionKind.SUPERVISION and supervisee is None:
            raise RuleViolation("a supervision decision names the supervisee: the worker supervised")
        self.trigger_event(
            self.DecisionRecorded, actor=actor.stamp(), timestamp=now,
            occurred_at=self.after_birth("occurred_at", not_future("occurred_at", occurred_at, now), "a decision"),
            decision_id=decision_id, kind=kind,
            decision=_text("decision", decision, required=True, rule=rule),
            reasons=_text("reasons", reasons, required=True, rule=rule),
            risks_considered=_text("risks_considered", risks_considered, required=True, rule=rule),
            options_not_chosen=options,
            supervisee=supervisee.stamp() if supervisee else None,
        )

    def record_milestone(self, *, actor: StaffMember, milestone_id: uuid.UUID, kind: str,
                         details: dict[str, Any], occurred_at: _dt.datetime, now: _dt.datetime) -> None:
        """Record a process milestone; :mod:`ledger.records.milestones` checks its details and sequence."""
        self._require_open("record a process milestone on")
        occurred_at = self.after_birth("occurred_at", not_future("occurred_at", occurred_at, now), "a milestone")
        details = dict(details)
        late_reason = explained_reason("late_reason", details.pop("late_reason", None),
                                       "recording a milestone after its timescale (policy s.18)", required=False)
        details = milestones.check(self, kind=kind, details=details, occurred_at=occurred_at, actor=actor)
        if late_reason:  # why it was recorded after its timescale (policy s.18)
            details["late_reason"] = late_reason
        self.trigger_event(self.MilestoneRecorded, actor=actor.stamp(), timestamp=now, occurred_at=occurred_at,
                           milestone_id=milestone_id, kind=kind, details=details)

    def record_casework(self, *, actor: StaffMember, record_id: uuid.UUID, kind: str,
                        details: dict[str, Any], occurred_at: _dt.datetime, now: _dt.datetime) -> None:
        """Record a casework record; :mod:`ledger.records.casework` checks its details."""
        self._require_open("record on")
        occurred_at = not_future("occurred_at", occurred_at, now)
        if kind != "chronology_entry":  # a chronology may start before birth (policy s.8)
            occurred_at = self.after_birth("occurred_at", occurred_at, f"a {kind.replace('_', ' ')}")
        details = casework.check_new(self, kind=kind, details=details, occurred_at=occurred_at, actor=actor,
                                     now=now)
        self.trigger_event(self.CaseworkRecorded, actor=actor.stamp(), timestamp=now, occurred_at=occurred_at,
                           record_id=record_id, kind=kind, details=details)

    def update_casework(self, *, actor: StaffMember, record_id: uuid.UUID, action: str,
                        details: dict[str, Any], occurred_at: _dt.datetime, now: _dt.datetime) -> None:
        self._require_open("update a record on")
        record = self.records.get(str(record_id))
        if record is None:
            raise NotFound(f"no record {record_id} on the case of {self.child['name']}")
        occurred_at = not_future("occurred_at", occurred_at, now)
        details = casework.check_update(self, record, action=action, details=details, occurred_at=occurred_at,
                                        actor=actor, now=now)
        self.trigger_event(self.CaseworkUpdated, actor=actor.stamp(), timestamp=now, occurred_at=occurred_at,
                           record_id=record_id, action=action, details=details)

    def close(self, *, actor: StaffMember, reason: str, closed_on: _dt.date, now: _dt.datetime) -> None:
        self._require_open("close")
        actor.require("closing a case needs the role team manager or above", at_least=Role.TEAM_MANAGER)
        drafts = [n for n in self.notes.values() if n["status"] == "draft" and not n["deleted"]]
        if drafts:
            raise RuleViolation(
                f"the case of {self.child['name']} has {len(drafts)} draft case note(s); finalise "
                "or delete them before closing (all recording is finalised, policy s.3)"
            )
        if _date("closed_on", closed_on) > local_today(now):
            raise RuleViolation(f"closed_on {day_text(closed_on)} is in the future "
                                f"(today is {day_text(local_today(now))})")
        self.trigger_event(self.Closed, actor=actor.stamp(), timestamp=now, occurred_at=now,
                           reason=explained_reason("reason", reason, "closing a case"),
                           closed_on=closed_on)

    def reopen(self, *, actor: StaffMember, reason: str, now: _dt.datetime) -> None:
        if self.status != "closed":
            raise RuleViolation(f"the case of {self.child['name']} is open; only a closed case is re-opened")
        actor.require("re-opening a case needs the role team manager or above", at_least=Role.TEAM_MANAGER)
        self.trigger_event(self.Reopened, actor=actor.stamp(), timestamp=now, occurred_at=now,
                           reason=explained_reason("reason", reason, "re-opening a case"))

    # --- restriction commands (policy s.11) --------------------------------------------
    # Restricting is not recording casework: a closed record may be restricted, and its
    # restriction lifted, like an open one.

    def restrict(self, *, actor: StaffMember, kind: Any, reason: str, now: _dt.datetime,
                 staff_concerned: StaffMember | None = None) -> None:
        actor.require("restricting a record is decided by a service manager or head of service "
                      "(policy s.11)", *RESTRICTING_ROLES)
        kind = _choice(RestrictionKind, "restriction kind", kind)
        current = getattr(self, "restriction", None)
        if current is not None:
            raise RuleViolation(
                f"the record is already restricted ({RestrictionKind(current['kind']).label}) since "
                f"{day_text(current['at'])} by {current['by']['full_name']}; lift that restriction first"
            )
        if staff_concerned is not None and kind not in (RestrictionKind.STAFF_MEMBER,
                                                        RestrictionKind.STAFF_RELATIVE):
            raise RuleViolation(
                f"staff_concerned names the member of staff a staff restriction is about; the kind "
                f"given is {kind.value}")
        self.trigger_event(
            self.RecordRestricted, actor=actor.stamp(), timestamp=now, occurred_at=now, kind=kind,
            reason=explained_reason("reason", reason, "restricting a record (policy s.11)"),
            staff_concerned=staff_concerned.stamp() if staff_concerned is not None else None,
        )

    def lift_restriction(self, *, actor: StaffMember, reason: str, now: _dt.datetime) -> None:
        actor.require("lifting a restriction is decided by a service manager or head of service "
                      "(policy s.11)", *RESTRICTING_ROLES)
        self._require_restricted("lift the restriction of")
        self.trigger_event(self.RestrictionLifted, actor=actor.stamp(), timestamp=now, occurred_at=now,
                           reason=explained_reason("reason", reason, "lifting a restriction"))

    def grant_access(self, *, actor: StaffMember, staff: StaffMember, reason: str, now: _dt.datetime,
                     until: _dt.datetime | None = None) -> None:
        actor.require("granting need-to-know access to a restricted record is decided by a service "
                      "manager or head of service (policy s.11)", *RESTRICTING_ROLES)
        self._require_restricted("grant need-to-know access to")
        if not staff.active:
            raise RuleViolation(f"{staff.full_name} ({staff.staff_id}) has left and cannot be granted access")
        grant = self.access_grants.get(staff.staff_id)
        if grant is not None and grant["revoked"] is None and grant["until"] > now:
            raise RuleViolation(
                f"{staff.full_name} already has need-to-know access until "
                f"{grant['until'].isoformat(timespec='minutes')}; renew it instead")
        self.trigger_event(
            self.AccessGranted, actor=actor.stamp(), timestamp=now, occurred_at=now, staff=staff.stamp(),
            until=_grant_until(until, now),
            reason=explained_reason("reason", reason, "granting need-to-know access"),
        )

    def renew_grant(self, *, actor: StaffMember, staff_id: str, reason: str, now: _dt.datetime,
                    until: _dt.datetime | None = None) -> None:
        actor.require("renewing need-to-know access is decided by a service manager or head of "
                      "service (policy s.11)", *RESTRICTING_ROLES)
        grant = self._grant(staff_id, "renew")
        self.trigger_event(
            self.AccessGrantRenewed, actor=actor.stamp(), timestamp=now, occurred_at=now,
            staff_id=staff_id, until=_grant_until(until, now),
            reason=explained_reason("reason", reason,
                                    f"renewing the need-to-know access of {grant['staff']['full_name']}"),
        )

    def revoke_grant(self, *, actor: StaffMember, staff_id: str, reason: str, now: _dt.datetime) -> None:
        actor.require("revoking need-to-know access is decided by a service manager or head of "
                      "service (policy s.11)", *RESTRICTING_ROLES)
        grant = self._grant(staff_id, "revoke")
        if grant["until"] <= now:
            raise RuleViolation(
                f"the need-to-know access of {grant['staff']['full_name']} already ended on "
                f"{grant['until'].isoformat(timespec='minutes')}; there is nothing to revoke")
        self.trigger_event(
            self.AccessGrantRevoked, actor=actor.stamp(), timestamp=now, occurred_at=now, staff_id=staff_id,
            reason=explained_reason("reason", reason,
                                    f"revoking the need-to-know access of {grant['staff']['full_name']}"),
        )

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

    def _require_restricted(self, what: str) -> None:
        if getattr(self, "restriction", None) is None:
            raise RuleViolation(f"cannot {what} this record: it is not restricted")

    def _grant(self, staff_id: str, what: str) -> dict[str, Any]:
        self._require_restricted(f"{what} need-to-know access to")
        grant = (getattr(self, "access_grants", None) or {}).get(staff_id)
        if grant is None:
            raise NotFound(f"no need-to-know grant for {staff_id!r} on this record")
        if grant["revoked"] is not None:
            raise RuleViolation(
                f"the need-to-know access of {grant['staff']['full_name']} was revoked on "
                f"{day_text(grant['revoked']['at'])} by {grant['revoked']['by']['full_name']}; grant it again")
        return grant  # type: ignore[no-any-return]

    # --- helpers and reading ----------------------------------------------------------

    def _require_open(self, what: str) -> None:
        if self.status == "closed":
            raise RuleViolation(
                f"cannot {what} the case of {self.child['name']}: it was closed on "
                f"{day_text((self.closure or {}).get('closed_on'))}; re-open it first (with a reason)"
            )

    def _live_note(self, note_id: uuid.UUID, what: str) -> dict[str, Any]:
        self._require_open(f"{what} a case note on")
        note = self.notes.get(str(note_id))
        if note is None:
            raise NotFound(f"no case note {note_id} on the case of {self.child['name']}")
        if note["deleted"]:
            d = note["deleted"]
            raise RuleViolation(
                f"cannot {what} case note {note_id}: it was deleted by {d['by']['full_name']} "
                f"on {day_text(d['at'])}"
            )
        return note

    @staticmethod
    def _require_author(actor: StaffMember, note: dict[str, Any], what: str) -> None:
        if actor.staff_id != note["author"]["staff_id"]:
            raise PermissionDenied(
                f"only the author may {what} a draft case note; this note was written by "
                f"{note['author']['full_name']}, not {actor.full_name}"
            )
        actor.require(f"to {what} a case note needs a practice or management role", *CASEWORK_ROLES)

    def visible_notes(self) -> list[dict[str, Any]]:
        """Notes in ordinary reads: not deleted, in order of the event they record."""
        return sorted((n for n in self.notes.values() if not n["deleted"]),
                      key=lambda n: (n["occurred_at"], n["recorded_at"]))


def _check_worker(worker: StaffMember, team: str) -> None:
    if not team or not isinstance(team, str):
        raise RuleViolation("team is required: a case is allocated to a team and a worker")
    if not worker.active:
        raise RuleViolation(f"{worker.full_name} ({worker.staff_id}) has left and cannot be allocated a case")
    if not worker.has_role(*ALLOCATABLE_ROLES):
        raise RuleViolation(
            f"the allocated worker must be a social worker, senior practitioner or team manager; "
            f"{worker.full_name} is {worker.role_label}"
        )
    if worker.team != team:
        raise RuleViolation(
            f"{worker.full_name} is in the {worker.team} team, not {team}: allocate to a worker "
            "of the team that holds the case"
        )


def _grant_until(until: Any, now: _dt.datetime) -> _dt.datetime:
    """The end of a need-to-know grant: six months from ``now`` unless an earlier end is given."""
    longest = months_after(now, GRANT_MONTHS)
    if until is None:
        return longest
    until = aware("until", until)
    if until <= now:
        raise RuleViolation(f"until {until.isoformat(timespec='minutes')} is not in the future")
    if until > longest:
        raise RuleViolation(
            f"until {until.isoformat(timespec='minutes')} is more than {GRANT_MONTHS} months away; a "
            f"need-to-know grant runs at most to {longest.isoformat(timespec='minutes')} and is renewed")
    return until  # type: ignore[no-any-return]


stored_as(__name__, "ledger.case")  # its classes keep the topics they were first stored under
