"""The access log: every attempt to open or change a child's record, granted or denied.

Each attempt is one :class:`AccessLog.AttemptRecorded` event (the first of a stream is its
subclass :class:`AccessLog.LogOpened`, so that one attempt is always exactly one event). The
events are hash-chained like every other stream (:class:`~ledger.integrity.chain.ChainedAggregate`) and,
being stored events, are leaves of the global Merkle log covered by signed checkpoints.

Streams: one per staff member per London day (:func:`access_stream_id`), never the case's
own stream. Why:

* reading a case never writes to the case's stream, so a read cannot conflict with a worker
  recording on the case, and a busy case read by many people at once (a strategy meeting, a
  duty rota) does not make their attempts conflict with each other: eventsourcing's optimistic
  concurrency is per stream, and one person rarely makes two attempts at the same instant;
* when two attempts of the same person do race (two browser tabs, two servers), the loser
  re-reads the stream and appends again (:data:`RECORD_RETRIES` times): an attempt, granted
  or denied, is never lost for a conflict;
* the question a disciplinary investigation asks first is "what did this person open", which
  is one stream per day; "who opened this case" is a projection over the ``case_id`` field.
  Daily streams stay short, so appending never replays a long history.

Invariants: an attempt is recorded before any data is returned (the application records, then
returns or raises); the event carries who (the actor stamp: staff id, full name, designation,
team, roles as they were), which case (and the team holding it) and part (and item), the action, the purpose or reason
typed, the break-glass basis typed, the outcome, the rule in words and its id, the flag, the
restriction at that moment, the case version read, when, and from where (process, host,
client address when known). An attempt by an id not in the staff directory, or on a case that
does not exist, is recorded too (denied).

Where an attempt came from (``origin``): the process and host, and the client address. A server
that acts for signed-in people (the HTTP API) sets the :func:`request_context` of each request:
every attempt made inside it takes its client address from there (an explicit ``client`` still
wins), and its ``origin`` also holds the user agent and the credential used (``token:ID`` for an
API token, ``oidc:...`` for a single sign-on session). Those two keys are only present when
known, so attempts recorded without them (the command line, and every attempt stored before
they existed) encode and hash exactly as before.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime as _dt
import os
import socket
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import AggregateCreated
from eventsourcing.utils import get_topic

from ledger.access.policy import Action, Decision, Flag, Outcome, Part
from ledger.integrity.chain import ChainedAggregate
from ledger.integrity.topics import stored_as
from ledger.records.case import LOCAL_ZONE

__all__ = ["ATTEMPT_TOPICS", "RECORD_RETRIES", "AccessLog", "RequestContext", "access_day", "access_stream_id",
           "attempt_fields", "current_request", "origin", "request_context"]

ACCESS_NAMESPACE = uuid.UUID("5b0c2d6e-8f41-5e3a-a7d2-3c9e1f4b6a21")
#: How many times an attempt is appended again after a concurrent append to the same stream.
RECORD_RETRIES = 5


def access_day(now: _dt.datetime) -> _dt.date:
    """The London date an attempt at ``now`` belongs to."""
    return now.astimezone(LOCAL_ZONE).date()


def access_stream_id(staff_id: str, day: _dt.date) -> uuid.UUID:
    """The access-log stream of ``staff_id`` on ``day`` (stable, derived)."""
    return uuid.uuid5(ACCESS_NAMESPACE, f"{staff_id}/{day.isoformat()}")


@dataclasses.dataclass(frozen=True)
class RequestContext:
    """The request a server is answering: the client address (the peer, or the address a trusted
    proxy forwarded), the user agent, and the credential (``token:ID``, ``oidc:SESSION``)."""

    client: str = ""
    user_agent: str = ""
    credential: str = ""


_request: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("caseledger_request", default=None)


@contextlib.contextmanager
def request_context(context: RequestContext) -> Iterator[RequestContext]:
    """Every attempt recorded inside (in this thread or task) carries ``context`` in its origin."""
    token = _request.set(context)
    try:
        yield context
    finally:
        _request.reset(token)


def current_request() -> RequestContext | None:
    return _request.get()


def origin(client: str | None = None) -> dict[str, Any]:
    """Where an attempt came from: this process and host, and the client address when known; inside
    a :func:`request_context`, also the user agent and credential (only when known: see the module
    docstring)."""
    request = _request.get()
    found: dict[str, Any] = {"process": os.getpid(), "host": socket.gethostname(),
                             "client": client or (request.client if request else "") or ""}
    if request is not None:
        if request.user_agent:
            found["user_agent"] = request.user_agent[:300]
        if request.credential:
            found["credential"] = request.credential[:200]
    return found


class AccessLog(ChainedAggregate):
    """One staff member's access attempts on one day."""

    stream_kind = "access log"

    class AttemptRecorded(ChainedAggregate.Event):
        case_id: uuid.UUID | None   # None when the case asked for does not exist
        case_ref: str               # what was asked for, as typed
        case_team: str              # the team that held the case at that moment ("" when none)
        part: Part
        item: str                   # the note, document or record id within the part ("" for all)
        action: Action
        purpose: str                # the purpose or reason typed
        basis: str                  # the break-glass basis typed ("" when none)
        outcome: Outcome
        rule: str
        rule_id: str
        flag: Flag | None
        restriction: str | None     # the restriction kind at that moment
        case_version: int | None    # the version of the case the decision saw
        origin: dict[str, Any]

        def apply(self, log: AccessLog) -> None:
            log.attempts += 1

    class LogOpened(AttemptRecorded, AggregateCreated):
        """The first attempt of the day: it opens the stream."""

        staff_id: str
        day: _dt.date

        def apply(self, log: AccessLog) -> None:
            log.staff_id = self.staff_id
            log.day = self.day
            log.attempts = 1

    if TYPE_CHECKING:
        staff_id: str
        day: _dt.date
        attempts: int

    @classmethod
    def first_attempt(cls, *, staff_id: str, day: _dt.date, **attempt: Any) -> AccessLog:
        return cls._start(cls.LogOpened, id=access_stream_id(staff_id, day), staff_id=staff_id, day=day,
                          **attempt)

    def record(self, **attempt: Any) -> None:
        self.trigger_event(self.AttemptRecorded, **attempt)


#: The topics of access-attempt events (for counting or projecting them from the store).

stored_as(__name__, "ledger.access_log")  # its classes keep the topics they were first stored under

ATTEMPT_TOPICS = (get_topic(AccessLog.LogOpened), get_topic(AccessLog.AttemptRecorded))


def attempt_fields(*, actor: dict[str, Any], now: _dt.datetime, decision: Decision, action: Action,
                   part: Part, case_id: uuid.UUID | None, case_ref: str, item: str = "", purpose: str = "",
                   basis: str | None = None, case_version: int | None = None,
                   case_team: str = "", client: str | None = None) -> dict[str, Any]:
    """The fields of one attempt event, checked for type (everything is stored as given)."""
    return {
        "actor": actor, "occurred_at": now, "timestamp": now,
        "case_id": case_id, "case_ref": str(case_ref)[:200], "case_team": str(case_team or ""),
        "part": Part(part), "item": str(item or ""),
        "action": Action(action), "purpose": (purpose or "").strip(), "basis": str(basis or "")[:200],
        "outcome": Outcome(decision.outcome), "rule": decision.rule, "rule_id": decision.rule_id,
        "flag": decision.flag, "restriction": decision.restriction, "case_version": case_version,
        "origin": origin(client),
    }
