"""Reviews of flagged access attempts: the service manager's answer to an alert (policy s.11).

A flagged attempt (a break-glass alert, a self-claimed relationship to review, a denied attempt
on a restricted record, a disciplinary matter) stays on the service manager's alert list until
it is reviewed. Reviewing it is itself an event, in the same hash-chained, Merkle-logged ledger:
:class:`AttemptReview.Reviewed`, which records who reviewed (the actor stamp), which attempt
(its access-log stream and version, and whose attempt it was), the outcome and a note.

Rules (checked here, before anything is written):

* only a service manager or head of service reviews (s.11: restriction, and so the alerts it
  raises, is theirs to decide);
* nobody reviews their own attempt;
* only a flagged attempt is reviewed;
* the outcome is one of :class:`ReviewOutcome`; the note explains (at least three words, twelve letters);
* **one review per attempt.** The review stream's id is derived from the attempt
  (:func:`review_stream_id`), so a second review of the same attempt is refused by the store
  itself even when two managers review at the same moment. Choice: a review is a finding on
  the record, like an authorised assessment; a change of mind is a new disciplinary process,
  not a second answer to the same alert. (Re-review as a later event of the same stream
  would be a small addition: the stream exists already.)
"""

from __future__ import annotations

import enum
import uuid
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import AggregateCreated

from ledger.errors import PermissionDenied, RuleViolation
from ledger.integrity.chain import ChainedAggregate
from ledger.integrity.topics import stored_as
from ledger.records.case import RESTRICTING_ROLES, explained_reason
from ledger.records.staff import StaffMember

__all__ = ["REVIEWING_RULE", "AttemptReview", "ReviewOutcome", "review_stream_id"]

#: Who reviews a flagged attempt, in words.
REVIEWING_RULE = "reviewing a flagged access attempt is for a service manager or head of service (policy s.11)"

REVIEW_NAMESPACE = uuid.UUID("0f6c4a0e-2d7b-5c19-8e3a-91b2d4c6e7f8")


class ReviewOutcome(str, enum.Enum):
    """What the reviewing manager found."""

    APPROPRIATE = "appropriate"                        # justified: no further action
    INAPPROPRIATE_ADVISED = "inappropriate_advised"    # not justified: dealt with by advice or training
    INAPPROPRIATE_REFERRED = "inappropriate_referred"  # not justified: referred for disciplinary investigation

    @property
    def label(self) -> str:
        return {
            "appropriate": "appropriate (no further action)",
            "inappropriate_advised": "inappropriate: advice or training given",
            "inappropriate_referred": "inappropriate: referred for disciplinary investigation",
        }[self.value]


def review_stream_id(attempt_stream: uuid.UUID, attempt_version: int) -> uuid.UUID:
    """The review stream of one attempt (derived: one review per attempt)."""
    return uuid.uuid5(REVIEW_NAMESPACE, f"{attempt_stream}/{int(attempt_version)}")


class AttemptReview(ChainedAggregate):
    """The review of one flagged access attempt."""

    stream_kind = "access review"

    class Reviewed(ChainedAggregate.Event, AggregateCreated):
        attempt_stream: uuid.UUID   # the access-log stream of the attempt
        attempt_version: int        # its version in that stream
        attempt_position: int       # its global position (the reference printed: @position)
        attempt_staff_id: str       # whose attempt it was
        attempt_flag: str           # the flag kinds the attempt carried (';'-joined, as the report derives them)
        case_id: uuid.UUID | None
        outcome: ReviewOutcome
        note: str

        def apply(self, review: AttemptReview) -> None:
            review.attempt_stream = self.attempt_stream
            review.attempt_version = self.attempt_version
            review.attempt_staff_id = self.attempt_staff_id
            review.outcome = self.outcome
            review.note = self.note
            review.reviewed_by = dict(self.actor)
            review.reviewed_at = self.occurred_at

    if TYPE_CHECKING:
        attempt_stream: uuid.UUID
        attempt_version: int
        attempt_staff_id: str
        outcome: ReviewOutcome
        note: str
        reviewed_by: dict[str, Any]
        reviewed_at: Any

    @classmethod
    def review(cls, *, actor: StaffMember, attempt: dict[str, Any], outcome: Any, note: Any,
               now: Any) -> AttemptReview:
        """Review ``attempt`` (its stored fields, with ``stream_id``, ``version`` and ``position``)."""
        actor.require(REVIEWING_RULE, *RESTRICTING_ROLES)
        staff_id = attempt["actor"]["staff_id"]
        if staff_id == actor.staff_id:
            raise PermissionDenied(f"nobody reviews their own access attempt: attempt A{attempt['position']} is "
                                   f"{actor.full_name}'s own; another service manager or head of service reviews it")
        flag = attempt.get("flag")
        if flag is None:
            raise RuleViolation(f"attempt A{attempt['position']} was not flagged ({attempt.get('outcome', 'granted')}: "
                                f"{attempt['rule']}); "
                                "only flagged attempts are reviewed")
        try:
            found = ReviewOutcome(outcome)
        except ValueError:
            allowed = ", ".join(o.value for o in ReviewOutcome)
            raise RuleViolation(f"outcome {outcome!r} is not one of: {allowed}") from None
        text = explained_reason("note", note, "reviewing an access attempt")
        return cls._start(cls.Reviewed, id=review_stream_id(attempt["stream_id"], attempt["version"]),
                          actor=actor.stamp(), occurred_at=now, timestamp=now,
                          attempt_stream=attempt["stream_id"], attempt_version=int(attempt["version"]),
                          attempt_position=int(attempt["position"]), attempt_staff_id=staff_id,
                          attempt_flag=str(getattr(flag, "value", flag)), case_id=attempt.get("case_id"),
                          outcome=found, note=text)


stored_as(__name__, "ledger.access_review")  # its classes keep the topics they were first stored under
