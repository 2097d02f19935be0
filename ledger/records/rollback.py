"""Roll-backs (policy s.13): the helpdesk corrects a process matter to a point in time.

"Where it is necessary to correct a process related matter, such as the date that an
assessment was authorised or where a decision has been 'clicked on' inappropriately, the
helpdesk can 'roll back' a record to a specific point in time ... Given that casework records
cannot be removed 'roll backs' will be exceptional and must be agreed by the appropriate Team
Manager with the relevant Service Manager monitoring the frequency of such requests."

Each request is a stream of its own (:class:`RollbackRequest`), hash-chained like every other:
requested, then agreed, declined, withdrawn or expired; an agreed request is carried out once.
Carrying it out writes one :class:`~ledger.records.case.CaseRecord.RolledBack` event on the case and
the request's ``CarriedOut`` event in one transaction.

What a roll-back touches, and what it never touches:

* **Process**: the process milestones (:mod:`ledger.records.milestones`: contacts and referral
  decisions, assessments and their authorisation, strategy discussions, S47 enquiries,
  conferences, CP and CIN plans, early help, looked-after status, placements, plans, legal
  steps, transfers). Rolling back to a point makes the set of milestones in force exactly
  the set in force at that point: those recorded after it are marked ``superseded_by`` the
  roll-back; those in force at the point but superseded since (by an earlier roll-back) are
  restored, which is how one roll-back is reversed by another. The process state is then
  replayed from the milestones in force (:func:`ledger.records.milestones.fold_into`).
* **Casework**, never touched (s.13: "casework records cannot be removed"): case notes and
  their revisions, amendments and deletions, visits and the child's views, management and
  supervision decisions (written decisions with reasons and risks are casework records of
  management oversight, s.7; a decision "clicked on" in the workflow is a milestone, such
  as a referral decision or a strategy discussion's decision, and is rolled back as one),
  chronology entries, documents, hazards and alerts, summaries and the other casework
  records, allocations, closures and re-openings, restrictions and access grants, and the
  access log (its own streams).

Nothing is deleted: superseded milestones stay in the case's stream, verifiable, and the
audit view shows who superseded them; case views as of a moment before the roll-back show
them as they were then.

Rules (each refusal names the person, the field and the rule, and writes nothing on the
request or the case; the access attempt is recorded, as for every touch of a case):

* **Request**: by a helpdesk member. The point is a case version (``point_version``), a
  moment (``point_at``, resolved to the last case event recorded at or before it) or "just
  before" a milestone (``before_milestone``); refused when in the future (after the case's
  latest event, or after now) or before the case existed (before its first event). The
  ``matter`` is the kind of process milestone being corrected (one of
  :data:`ledger.records.milestones.KINDS`) and must be among the milestones the roll-back would
  supersede or restore; the ``reason`` explains (at least three words, twelve letters); ``raised_by`` is the
  worker or manager who asked for it (a practice or management role, active). A point after
  which nothing would change is refused: there is nothing to roll back.
* **Agree** or **decline** (decline needs a reason that explains): by the team manager of the
  team that holds the case, or above in its line (a service manager or head of service);
  never by the helpdesk member who requested it nor by the person who raised it.
* **Withdraw** (with a reason): by a helpdesk member or by the person who raised it, while
  requested or agreed.
* **Carry out**: by a helpdesk member, only once agreed, and only if what it would supersede
  and restore is still exactly what was agreed; a process milestone recorded on the case
  since the agreement changes that, and the request must be agreed again.
* **Expiry**: a request not agreed by :attr:`RollbackRequest.expires_at`
  (:data:`EXPIRY_WORKING_DAYS` working days in England after the day it was made, to the end
  of that day) is expired: it can no longer be agreed nor carried out. Expiry is evaluated
  whenever a request is read (:meth:`RollbackRequest.status_at`) and recorded as an event by
  ``ledger.rollbacks.expire`` (:class:`~ledger.services.rollbacks.RollbackService`).
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import AggregateCreated

from ledger.errors import PermissionDenied, RuleViolation
from ledger.integrity.chain import ChainedAggregate
from ledger.integrity.topics import stored_as
from ledger.records import milestones
from ledger.records.case import RESTRICTING_ROLES, CaseRecord, explained_reason
from ledger.records.dates import moment_text
from ledger.records.staff import CASEWORK_ROLES, Role, StaffMember
from ledger.records.timescales import END_OF_DAY, LONDON, add_working_days

__all__ = [
    "EXPIRY_WORKING_DAYS",
    "Effect",
    "RollbackRequest",
    "RollbackStatus",
    "effect_on",
    "expiry_after",
    "kept_label",
]

#: A request not agreed within this many working days (England, bank holidays excluded) after
#: the day it was made expires at the end of the last of them: two working weeks, long enough
#: for a team manager on leave to be covered, short enough that a stale request is not agreed
#: against a record that has moved on. ``RollbackService.expiry_working_days`` overrides it.
EXPIRY_WORKING_DAYS = 10


class RollbackStatus(str, enum.Enum):
    REQUESTED = "requested"
    AGREED = "agreed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    CARRIED_OUT = "carried_out"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


#: Statuses after which nothing more happens to a request.
FINAL = (RollbackStatus.DECLINED, RollbackStatus.WITHDRAWN, RollbackStatus.CARRIED_OUT, RollbackStatus.EXPIRED)


def expiry_after(requested_at: _dt.datetime, working_days: int = EXPIRY_WORKING_DAYS) -> _dt.datetime:
    """The end (London time) of the ``working_days``-th working day after the day of ``requested_at``."""
    day = add_working_days(requested_at.astimezone(LONDON).date(), working_days)
    return _dt.datetime.combine(day, END_OF_DAY, tzinfo=LONDON)


# --- the effect of a roll-back on a case: pure -------------------------------------------------


class Effect:
    """What rolling ``case`` back would do: the milestones superseded and those restored."""

    def __init__(self, superseded: list[dict[str, Any]], restored: list[dict[str, Any]]) -> None:
        self.superseded = superseded
        self.restored = restored

    @property
    def ids(self) -> tuple[frozenset[str], frozenset[str]]:
        return (frozenset(str(e["id"]) for e in self.superseded), frozenset(str(e["id"]) for e in self.restored))

    @property
    def empty(self) -> bool:
        return not self.superseded and not self.restored

    def kinds(self) -> set[str]:
        return {e["kind"] for e in (*self.superseded, *self.restored)}


def _brief(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A milestone as a request lists it: id, kind, its dates and who recorded it."""
    by = entry.get("by") or {}
    return {"id": entry["id"], "kind": entry["kind"], "occurred_at": entry["occurred_at"],
            "recorded_at": entry["recorded_at"],
            "by": {"staff_id": by.get("staff_id", ""), "full_name": by.get("full_name", "")}}


def effect_on(case: CaseRecord, milestones_at_point: int, inactive_at_point: Iterable[Any]) -> Effect:
    """The effect of rolling ``case`` back to a point at which it held ``milestones_at_point``
    milestones, of which ``inactive_at_point`` (ids) were superseded.

    ``case.milestones`` is append-only, so the first ``milestones_at_point`` entries are the
    ones the case held at the point. After the roll-back exactly those in force at the point
    are in force: any other in force now is superseded, any of them superseded now is restored.
    """
    inactive = {str(i) for i in inactive_at_point}
    superseded, restored = [], []
    for n, entry in enumerate(case.milestones):
        in_force_then = n < milestones_at_point and str(entry["id"]) not in inactive
        in_force_now = entry.get("superseded_by") is None
        if in_force_now and not in_force_then:
            superseded.append(_brief(entry))
        elif in_force_then and not in_force_now:
            restored.append(_brief(entry))
    return Effect(superseded, restored)


#: What the casework kept after the point is called, by case event type (records by their kind).
_KEPT_LABELS = {
    "CaseNoteRecorded": "case notes", "CaseNoteRevised": "draft revisions", "CaseNoteFinalised": "notes finalised",
    "CaseNoteAmended": "amendments", "CaseNoteDeleted": "note deletions", "DecisionRecorded": "decisions",
    "CaseworkUpdated": "record updates", "Allocated": "allocations", "Closed": "closures",
    "Reopened": "re-openings", "RecordRestricted": "restrictions", "RestrictionLifted": "restrictions lifted",
    "AccessGranted": "access grants", "AccessGrantRenewed": "grant renewals", "AccessGrantRevoked": "grants revoked",
    "RolledBack": "roll-backs",
}


def kept_label(event: Any) -> str | None:
    """The kind of casework a case event is (None for a process milestone, which a roll-back may supersede)."""
    name = type(event).__name__
    if name == "MilestoneRecorded":
        return None
    if name == "CaseworkRecorded":
        return str(event.kind).replace("_", " ")
    return _KEPT_LABELS.get(name, name)


# --- the request -----------------------------------------------------------------------------------


class RollbackRequest(ChainedAggregate):
    """One roll-back request, from the helpdesk's request to its end (see the module docstring)."""

    stream_kind = "roll-back request"

    # State, set by the events' apply methods. Annotated for the type checker only: at run
    # time, annotations on an eventsourcing aggregate class would become constructor arguments.
    if TYPE_CHECKING:
        case_id: uuid.UUID
        case_team: str
        status: RollbackStatus
        requested_by: dict[str, Any]
        requested_at: _dt.datetime
        raised_by: dict[str, Any]
        matter: str
        reason: str
        point: dict[str, Any]
        expires_at: _dt.datetime
        requested_effect: dict[str, Any]
        kept: dict[str, int]
        agreed: dict[str, Any] | None
        ended: dict[str, Any] | None
        carried_out: dict[str, Any] | None
        history: list[dict[str, Any]]

    class Requested(ChainedAggregate.Event, AggregateCreated):
        case_id: uuid.UUID
        case_team: str               # the team that held the case when requested
        case_version: int            # the case's version when requested
        point_version: int           # the point: the case as it stood after this version
        point_recorded_at: _dt.datetime
        point_given: str             # the point as the helpdesk gave it
        milestones_at_point: int     # how many milestones the case held at the point
        inactive_at_point: list[uuid.UUID]  # ... of which these were superseded then
        matter: str                  # the kind of process milestone corrected
        reason: str
        raised_by: dict[str, Any]    # the worker or manager who asked for it (staff stamp)
        superseded: list[dict[str, Any]]  # the milestones it would supersede, as requested (id, kind)
        restored: list[dict[str, Any]]    # ... and restore (the case holds the rest of each)
        kept: dict[str, int]         # casework recorded after the point, which stays, by kind
        expires_at: _dt.datetime

        def apply(self, request: RollbackRequest) -> None:
            request.case_id = self.case_id
            request.case_team = self.case_team
            request.status = RollbackStatus.REQUESTED
            request.requested_by = self.actor
            request.requested_at = self.timestamp
            request.raised_by = self.raised_by
            request.matter = self.matter
            request.reason = self.reason
            request.point = {"version": self.point_version, "recorded_at": self.point_recorded_at,
                             "given": self.point_given, "milestones": self.milestones_at_point,
                             "inactive": list(self.inactive_at_point), "case_version": self.case_version}
            request.expires_at = self.expires_at
            request.requested_effect = {"superseded": self.superseded, "restored": self.restored}
            request.kept = dict(self.kept)
            request.agreed = None
            request.ended = None
            request.carried_out = None
            request.history = [{"status": RollbackStatus.REQUESTED, "at": self.timestamp, "by": self.actor,
                                "reason": self.reason}]

    class Agreed(ChainedAggregate.Event):
        case_version: int            # the case's version the agreement saw
        superseded: list[uuid.UUID]  # the milestones it agreed to supersede (as listed by ``effect``)
        restored: list[uuid.UUID]    # ... and to restore

        def apply(self, request: RollbackRequest) -> None:
            request.status = RollbackStatus.AGREED
            request.agreed = {"by": self.actor, "at": self.timestamp, "case_version": self.case_version,
                              "superseded": self.superseded, "restored": self.restored}
            request.history.append({"status": RollbackStatus.AGREED, "at": self.timestamp, "by": self.actor,
                                    "reason": ""})

    class Declined(ChainedAggregate.Event):
        reason: str

        def apply(self, request: RollbackRequest) -> None:
            request._end(RollbackStatus.DECLINED, self)

    class Withdrawn(ChainedAggregate.Event):
        reason: str

        def apply(self, request: RollbackRequest) -> None:
            request._end(RollbackStatus.WITHDRAWN, self)

    class Expired(ChainedAggregate.Event):
        reason: str

        def apply(self, request: RollbackRequest) -> None:
            request._end(RollbackStatus.EXPIRED, self)

    class CarriedOut(ChainedAggregate.Event):
        case_version: int            # the version of the case's RolledBack event
        superseded: list[uuid.UUID]
        restored: list[uuid.UUID]

        def apply(self, request: RollbackRequest) -> None:
            request.status = RollbackStatus.CARRIED_OUT
            request.carried_out = {"by": self.actor, "at": self.timestamp, "case_version": self.case_version,
                                   "superseded": list(self.superseded), "restored": list(self.restored)}
            request.history.append({"status": RollbackStatus.CARRIED_OUT, "at": self.timestamp, "by": self.actor,
                                    "reason": ""})

    def _end(self, status: RollbackStatus, event: Any) -> None:
        self.status = status
        self.ended = {"status": status, "by": event.actor, "at": event.timestamp, "reason": event.reason}
        self.history.append({"status": status, "at": event.timestamp, "by": event.actor, "reason": event.reason})

    # --- commands ----------------------------------------------------------------------------

    @classmethod
    def request(cls, *, request_id: uuid.UUID, actor: StaffMember, case: CaseRecord, point_version: int,
                point_recorded_at: _dt.datetime, point_given: str, milestones_at_point: int,
                inactive_at_point: Sequence[uuid.UUID], matter: str, reason: str, raised_by: StaffMember,
                effect: Effect, kept: Mapping[str, int], now: _dt.datetime,
                expiry_working_days: int = EXPIRY_WORKING_DAYS) -> RollbackRequest:
        """Check the request (see the module docstring) and start its stream."""
        require_helpdesk(actor, "request a roll-back")
        if matter not in milestones.REGISTRY:
            raise RuleViolation(f"matter {matter!r} is not a kind of process milestone; the process matters are: "
                                + ", ".join(milestones.KINDS))
        reason = explained_reason("reason", reason, "requesting a roll-back (policy s.13)")
        if not raised_by.active:
            raise RuleViolation(f"raised_by: {raised_by.full_name} ({raised_by.staff_id}) has left and cannot "
                                "raise a roll-back")
        if not raised_by.has_role(*CASEWORK_ROLES):
            raise RuleViolation(f"raised_by names the worker or manager who asked for the roll-back; "
                                f"{raised_by.full_name} is {raised_by.role_label}")
        if effect.empty:
            raise RuleViolation(f"nothing to roll back: no process milestone was recorded or superseded on the case "
                                f"after version {point_version} ({point_given}); casework is never rolled back")
        if matter not in effect.kinds():
            raise RuleViolation(
                f"matter {matter} is not among the process milestones this roll-back would supersede or restore "
                f"({', '.join(sorted(effect.kinds()))}): choose the point just before the milestone to correct")
        listed = ({"superseded": [{"id": e["id"], "kind": e["kind"]} for e in effect.superseded],
                   "restored": [{"id": e["id"], "kind": e["kind"]} for e in effect.restored]})
        return cls._start(
            cls.Requested, id=request_id, actor=actor.stamp(), timestamp=now, occurred_at=now,
            case_id=case.id, case_team=case.team, case_version=case.version, point_version=point_version,
            point_recorded_at=point_recorded_at, point_given=point_given, milestones_at_point=milestones_at_point,
            inactive_at_point=list(inactive_at_point), matter=matter, reason=reason, raised_by=raised_by.stamp(),
            superseded=listed["superseded"], restored=listed["restored"], kept=dict(kept),
            expires_at=expiry_after(now, expiry_working_days),
        )

    def agree(self, *, actor: StaffMember, case: CaseRecord, now: _dt.datetime) -> Effect:
        """Agree the roll-back as it would now act on ``case``; returns that effect."""
        self.check_decider(actor, case, "agree", now)
        effect = self.effect(case)
        if self.status is RollbackStatus.AGREED and self.agreed is not None and self.is_current(effect):
            raise RuleViolation(
                f"roll-back {self.id} was already agreed by {self.agreed['by']['full_name']} on "
                f"{_when(self.agreed['at'])} and nothing it would supersede has changed since; carry it out")
        if effect.empty:
            raise RuleViolation(f"roll-back {self.id} would no longer change anything on the case: the process "
                                f"milestones in force are those in force at version {self.point['version']}; "
                                "withdraw it")
        self.trigger_event(self.Agreed, actor=actor.stamp(), timestamp=now, occurred_at=now,
                           case_version=case.version, superseded=[e["id"] for e in effect.superseded],
                           restored=[e["id"] for e in effect.restored])
        return effect

    def decline(self, *, actor: StaffMember, case: CaseRecord, reason: str, now: _dt.datetime) -> None:
        self.check_decider(actor, case, "decline", now)
        reason = explained_reason("reason", reason, "declining a roll-back")
        self.trigger_event(self.Declined, actor=actor.stamp(), timestamp=now, occurred_at=now, reason=reason)

    def withdraw(self, *, actor: StaffMember, reason: str, now: _dt.datetime) -> None:
        self.require_open("withdraw", now)
        if not (actor.has_role(Role.HELPDESK) or actor.staff_id == self.raised_by["staff_id"]):
            raise PermissionDenied(
                f"withdrawing roll-back {self.id} is for the helpdesk or {self.raised_by['full_name']}, who raised "
                f"it; {actor.full_name} is {actor.role_label}")
        require_active(actor, "withdraw a roll-back")
        reason = explained_reason("reason", reason, "withdrawing a roll-back")
        self.trigger_event(self.Withdrawn, actor=actor.stamp(), timestamp=now, occurred_at=now, reason=reason)

    def expire(self, *, actor: dict[str, Any], now: _dt.datetime) -> None:
        if self.status is not RollbackStatus.REQUESTED or now <= self.expires_at:
            raise RuleViolation(f"roll-back {self.id} is {self.status.label} and has not expired")
        self.trigger_event(self.Expired, actor=actor, timestamp=now, occurred_at=now,
                           reason=f"not agreed by {_when(self.expires_at)}")

    def check_carry_out(self, actor: StaffMember, now: _dt.datetime) -> None:
        """The rules that need no case: helpdesk, agreed, not ended."""
        require_helpdesk(actor, "carry out a roll-back")
        status = self.status_at(now)
        if status is RollbackStatus.REQUESTED:
            raise RuleViolation(
                f"roll-back {self.id} has not been agreed: the team manager of the {self.case_team} team or above "
                "agrees it first (policy s.13)")
        if status is not RollbackStatus.AGREED:
            raise RuleViolation(f"roll-back {self.id} is {self.describe_status(now)}; it cannot be carried out")

    def carry_out(self, *, actor: StaffMember, case: CaseRecord, now: _dt.datetime) -> Effect:
        """Write the roll-back on ``case`` and record it here (the caller saves both at once)."""
        self.check_carry_out(actor, now)
        assert self.agreed is not None
        effect = self.effect(case)
        if not self.is_current(effect):
            sup, res = effect.ids
            agreed_sup = {str(i) for i in self.agreed["superseded"]}
            agreed_res = {str(i) for i in self.agreed["restored"]}
            new = sorted(sup - agreed_sup) + sorted(res - agreed_res)
            changed = [e for e in (*effect.superseded, *effect.restored) if str(e["id"]) in new]
            what = "; ".join(f"{e['kind']} recorded {_when(e['recorded_at'])} by {e['by']['full_name']}"
                             for e in changed) or "the milestones superseded changed"
            raise RuleViolation(
                f"roll-back {self.id} cannot be carried out: since it was agreed by {self.agreed['by']['full_name']} "
                f"on {_when(self.agreed['at'])} the case changed in what it would supersede ({what}); it must be "
                "agreed again")
        agreed_by = self.agreed["by"]
        case.trigger_event(
            CaseRecord.RolledBack, actor=actor.stamp(), timestamp=now, occurred_at=now, rollback_id=self.id,
            to_version=self.point["version"], matter=self.matter, reason=self.reason,
            requested_by=self.requested_by, raised_by=self.raised_by, agreed_by=agreed_by,
            agreed_at=self.agreed["at"], superseded=[e["id"] for e in effect.superseded],
            restored=[e["id"] for e in effect.restored])
        self.trigger_event(self.CarriedOut, actor=actor.stamp(), timestamp=now, occurred_at=now,
                           case_version=case.version, superseded=[e["id"] for e in effect.superseded],
                           restored=[e["id"] for e in effect.restored])
        return effect

    # --- reading and shared checks ----------------------------------------------------------------

    def effect(self, case: CaseRecord) -> Effect:
        """What carrying it out on ``case`` (as it now stands) would supersede and restore."""
        return effect_on(case, self.point["milestones"], self.point["inactive"])

    def is_current(self, effect: Effect) -> bool:
        """Whether ``effect`` is exactly what was agreed."""
        if self.agreed is None:
            return False
        return effect.ids == (frozenset(str(i) for i in self.agreed["superseded"]),
                              frozenset(str(i) for i in self.agreed["restored"]))

    def status_at(self, now: _dt.datetime) -> RollbackStatus:
        """The status at ``now``: a request still awaiting agreement after ``expires_at`` is expired."""
        if self.status is RollbackStatus.REQUESTED and now > self.expires_at:
            return RollbackStatus.EXPIRED
        return self.status

    def describe_status(self, now: _dt.datetime) -> str:
        status = self.status_at(now)
        if status is RollbackStatus.EXPIRED:
            return f"expired (not agreed by {_when(self.expires_at)})"
        if self.ended is not None:
            end = self.ended
            return f"{status.label} by {end['by']['full_name']} on {_when(end['at'])}: {end['reason']}"
        if status is RollbackStatus.CARRIED_OUT and self.carried_out is not None:
            return f"carried out by {self.carried_out['by']['full_name']} on {_when(self.carried_out['at'])}"
        if status is RollbackStatus.AGREED and self.agreed is not None:
            return f"agreed by {self.agreed['by']['full_name']} on {_when(self.agreed['at'])}"
        return f"awaiting agreement until {_when(self.expires_at)}"

    def require_open(self, what: str, now: _dt.datetime) -> None:
        status = self.status_at(now)
        if status in FINAL:
            raise RuleViolation(f"cannot {what} roll-back {self.id}: it is {self.describe_status(now)}")

    def check_decider(self, actor: StaffMember, case: CaseRecord, what: str, now: _dt.datetime) -> None:
        """Agree or decline: the team manager of the case's team or above, not the requester nor the raiser."""
        self.require_open(what, now)
        require_active(actor, f"{what} a roll-back")
        role = f"{'agreeing' if what == 'agree' else 'declining'} roll-back {self.id}"
        if actor.staff_id == self.requested_by["staff_id"]:
            raise PermissionDenied(f"{role}: {actor.full_name} requested it and cannot also {what} it (policy s.13: "
                                   "it is agreed by the team manager)")
        if actor.staff_id == self.raised_by["staff_id"]:
            raise PermissionDenied(f"{role}: {actor.full_name} raised it (raised_by) and cannot also {what} it; the "
                                   f"team manager of the {case.team} team or above decides")
        if actor.has_role(*RESTRICTING_ROLES):
            return
        if actor.has_role(Role.TEAM_MANAGER):
            if actor.team != case.team:
                raise PermissionDenied(
                    f"{role}: {actor.full_name} is the team manager of the {actor.team} team, but the case is held "
                    f"by the {case.team} team; only its team manager or above (a service manager, the head of "
                    "service) decides (policy s.13)")
            return
        raise PermissionDenied(f"{role} is for the team manager of the {case.team} team or above (a service "
                               f"manager, the head of service) (policy s.13); {actor.full_name} is {actor.role_label}")


def require_active(actor: StaffMember, what: str) -> None:
    if not actor.active:
        raise PermissionDenied(f"{actor.full_name} ({actor.staff_id}) has left and cannot {what}")


def require_helpdesk(actor: StaffMember, what: str) -> None:
    require_active(actor, what)
    if not actor.has_role(Role.HELPDESK):
        raise PermissionDenied(f"only the helpdesk may {what} (policy s.13: 'the LCS helpdesk can roll back a "
                               f"record'); {actor.full_name} is {actor.role_label}")


def _when(moment: _dt.datetime) -> str:
    return moment_text(moment)


stored_as(__name__, "ledger.rollback")  # its classes keep the topics they were first stored under
