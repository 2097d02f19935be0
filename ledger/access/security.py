"""The security log: every failed attempt to sign in to the ledger's HTTP API (EHR-S FM TI.2.1.2.2).

A request that cannot be tied to a staff member (no credential, a malformed one, an unknown,
revoked or expired API token, the token of someone who has left, a single sign-on token with a
wrong issuer, audience, signature or expiry, or one that names nobody in the staff directory) is
refused with 401, and recorded first as one :class:`SecurityLog.FailureRecorded` event: why it
failed (a code and the words), the client address, the user agent, what credential was offered
(an API token's id, or the claimed subject, never a secret), and the method and path asked for.

Like the access log (:mod:`ledger.access.log`), these are hash-chained events, leaves of the
global Merkle log, covered by signed checkpoints. Streams: one per client address per London
day (:func:`security_stream_id`), so that failures from different addresses never conflict, and
"what did this address try today" is one short stream. When two failures from one address race,
the loser reads the stream again and appends after (:data:`~ledger.access.log.RECORD_RETRIES`).

Durable before the 401: :func:`record_failure` returns once the event is committed (the same
transaction as its Merkle leaf). It is not an access attempt (its topic is not one of
:data:`~ledger.access.log.ATTEMPT_TOPICS`), so on PostgreSQL it commits with the server's
``synchronous_commit`` (on by default: flushed to disk before the commit returns); on SQLite with
the ledger's ``synchronous`` setting (:mod:`ledger.storage.sqlite` says what that guarantees).

:func:`repeated_failures` lists the addresses with repeated failures in a period (for the access
alert list).

The web console's sessions (:mod:`commands.web`) are recorded beside them: each sign-in, sign-out
and idle time-out (policy s.15) is one :class:`SessionLog.SessionRecorded` event (the staff member as
actor, the client address, user agent and ``session:HANDLE``), by :func:`record_session`, in one
stream per staff member per London day (:func:`session_stream_id`). A failed password sign-in is a
failure like the API's (``wrong_password``, ``no_password``, ``unknown_staff``, ``no_form_token``).
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Protocol

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import AggregateCreated
from eventsourcing.utils import get_topic

from ledger.access.log import RECORD_RETRIES, access_day, origin
from ledger.errors import LedgerError
from ledger.integrity.chain import ChainedAggregate
from ledger.storage import ConflictError, translate_storage_errors

__all__ = ["FAILURE_REASONS", "SECURITY_TOPICS", "SESSION_EVENTS", "SESSION_TOPICS", "NotAuthenticated",
           "SecurityLog", "SessionLog", "record_failure", "record_session", "repeated_failures",
           "security_stream_id", "session_stream_id"]

SECURITY_NAMESPACE = uuid.UUID("0f6e3b8a-2c41-5d9e-b7a3-91d4c6e2f805")

#: Why a sign-in failed: the code recorded, and what it means.
FAILURE_REASONS = {
    "missing": "no credential was given (an Authorization: Bearer header)",
    "malformed": "the credential is not an API token or a signed sign-on token",
    "unknown_token": "no such API token",
    "revoked": "the API token was revoked",
    "expired": "the token has expired",
    "left": "the staff member has left",
    "unknown_staff": "the sign-on token names nobody in the staff directory",
    "bad_signature": "the sign-on token's signature does not verify",
    "wrong_issuer": "the sign-on token was issued by another issuer",
    "wrong_audience": "the sign-on token is for another audience",
    "unknown_key": "the sign-on token was signed with a key the issuer does not publish",
    "sign_on_off": "single sign-on is not configured on this server",
    "wrong_password": "the password given for the staff id is wrong (web console)",
    "no_password": "the staff member has no password set (web console)",
    "no_form_token": "a sign-in form came without this session's form token (web console)",
}

#: What a web console session event records (:class:`SessionLog`).
SESSION_EVENTS = {
    "signed_in": "signed in to the web console",
    "signed_out": "signed out of the web console",
    "timed_out": "signed out of the web console after the idle time (policy s.15)",
}

#: Who acts in a failure: nobody signed in.
NOBODY = {"staff_id": "", "full_name": "(not signed in)", "designation": "", "team": "", "roles": []}


class NotAuthenticated(LedgerError):
    """A request could not be tied to a staff member: ``code`` is one of :data:`FAILURE_REASONS`.

    ``credential``: what was offered (an API token's id, a sign-on token's subject), never a secret.
    The message says why, for the person signing in; it names no record.
    """

    def __init__(self, code: str, message: str = "", *, credential: str = "") -> None:
        assert code in FAILURE_REASONS, code
        super().__init__(message or FAILURE_REASONS[code])
        self.code = code
        self.credential = credential


def security_stream_id(day: _dt.date, client: str) -> uuid.UUID:
    """The security-log stream of ``client`` (an address) on ``day`` (stable, derived)."""
    return uuid.uuid5(SECURITY_NAMESPACE, f"{day.isoformat()}/{client}")


class SecurityLog(ChainedAggregate):
    """The failed sign-ins from one client address on one day."""

    stream_kind = "security log"

    class FailureRecorded(ChainedAggregate.Event):
        reason: str          # a code of FAILURE_REASONS
        detail: str          # the words (what the person was told)
        client: str          # the client address ("" when unknown)
        user_agent: str
        credential: str      # what was offered: an API token's id, a sign-on subject; never a secret
        method: str
        path: str
        origin: dict[str, Any]

        def apply(self, log: SecurityLog) -> None:
            log.failures += 1

    class LogOpened(FailureRecorded, AggregateCreated):
        """The first failure of the day from this address: it opens the stream."""

        day: _dt.date

        def apply(self, log: SecurityLog) -> None:
            log.day = self.day
            log.client = self.client
            log.failures = 1

    if TYPE_CHECKING:
        day: _dt.date
        client: str
        failures: int

    @classmethod
    def first_failure(cls, *, day: _dt.date, **failure: Any) -> SecurityLog:
        return cls._start(cls.LogOpened, id=security_stream_id(day, failure["client"]), day=day, **failure)

    def record(self, **failure: Any) -> None:
        self.trigger_event(self.FailureRecorded, **failure)


SECURITY_TOPICS = (get_topic(SecurityLog.LogOpened), get_topic(SecurityLog.FailureRecorded))

SESSION_NAMESPACE = uuid.UUID("5b1c7d2e-9a34-5f60-8e21-c3d4a5b6f718")


def session_stream_id(day: _dt.date, staff_id: str) -> uuid.UUID:
    """The session-log stream of ``staff_id`` on ``day`` (stable, derived)."""
    return uuid.uuid5(SESSION_NAMESPACE, f"{day.isoformat()}/{staff_id}")


class SessionLog(ChainedAggregate):
    """One staff member's web console sessions on one day: each sign-in, sign-out and idle time-out
    (policy s.15), with the client address, user agent and session (``session:HANDLE``: a handle
    derived from the session id, never the id itself, which is the secret a browser holds)."""

    stream_kind = "session log"

    class SessionRecorded(ChainedAggregate.Event):
        what: str            # a key of SESSION_EVENTS
        staff_id: str
        session: str         # session:HANDLE
        client: str
        user_agent: str
        origin: dict[str, Any]

        def apply(self, log: SessionLog) -> None:
            log.events += 1

    class LogOpened(SessionRecorded, AggregateCreated):
        """The first session event of the day for this staff member: it opens the stream."""

        day: _dt.date

        def apply(self, log: SessionLog) -> None:
            log.day = self.day
            log.staff_id = self.staff_id
            log.events = 1

    if TYPE_CHECKING:
        day: _dt.date
        staff_id: str
        events: int


SESSION_TOPICS = (get_topic(SessionLog.LogOpened), get_topic(SessionLog.SessionRecorded))

# The streams' own topics, registered now: "ledger.access.security:..." does not resolve by import
# (the old flat module "ledger.access" is stored as ledger.access.policy: ledger.integrity.topics),
# so a process that reads one of these streams before it writes one needs them in the topic cache.
get_topic(SecurityLog)
get_topic(SessionLog)


class Ledger(Protocol):
    """What the security log needs of the application (:class:`~ledger.application.CaseLedger`)."""

    @property
    def repository(self) -> Any: ...
    @property
    def recorder(self) -> Any: ...
    @property
    def mapper(self) -> Any: ...

    def now(self) -> _dt.datetime: ...
    def store(self, what: str, *aggregates: Any) -> None: ...
    def unlisted_stamp(self, stamp: dict[str, Any]) -> dict[str, Any]: ...


def record_failure(app: Ledger, failure: NotAuthenticated, *, client: str = "", user_agent: str = "",
                   method: str = "", path: str = "") -> None:
    """Record a failed sign-in, durably, before the refusal is sent (see the module docstring)."""
    now = app.now()
    day = access_day(now)
    address = str(client or "")[:100]
    fields: dict[str, Any] = {"actor": app.unlisted_stamp(NOBODY), "occurred_at": now, "timestamp": now,
              "reason": failure.code, "detail": str(failure)[:500], "client": address,
              "user_agent": str(user_agent or "")[:300], "credential": str(failure.credential or "")[:200],
              "method": str(method or "")[:10], "path": str(path or "")[:300], "origin": origin(client)}
    stream_id = security_stream_id(day, address)
    for tried in range(RECORD_RETRIES + 1):
        with translate_storage_errors("reading the security log"):
            try:
                log: SecurityLog | None = app.repository.get(stream_id)
            except AggregateNotFoundError:
                log = None
        if log is None:
            log = SecurityLog.first_failure(day=day, **fields)
        else:
            log.record(**fields)
        try:
            app.store(f"recording a failed sign-in from {address or 'an unknown address'}", log)
            return
        except ConflictError:
            if tried == RECORD_RETRIES:
                raise


def record_session(app: Ledger, what: str, actor: dict[str, Any], *, session: str, client: str = "",
                   user_agent: str = "") -> None:
    """Record a web console sign-in, sign-out or idle time-out (``what``: a key of
    :data:`SESSION_EVENTS`) of the staff member ``actor`` (their stamp), durably."""
    assert what in SESSION_EVENTS, what
    now = app.now()
    day = access_day(now)
    staff_id = str(actor.get("staff_id", ""))
    fields: dict[str, Any] = {"actor": actor, "occurred_at": now, "timestamp": now, "what": what,
                              "staff_id": staff_id, "session": str(session)[:100], "client": str(client or "")[:100],
                              "user_agent": str(user_agent or "")[:300], "origin": origin(client)}
    stream_id = session_stream_id(day, staff_id)
    for tried in range(RECORD_RETRIES + 1):
        with translate_storage_errors("reading the session log"):
            try:
                log: SessionLog | None = app.repository.get(stream_id)
            except AggregateNotFoundError:
                log = None
        if log is None:
            log = SessionLog._start(SessionLog.LogOpened, id=stream_id, day=day, **fields)
        else:
            log.trigger_event(SessionLog.SessionRecorded, **fields)
        try:
            app.store(f"recording that {staff_id} {SESSION_EVENTS[what]}", log)
            return
        except ConflictError:
            if tried == RECORD_RETRIES:
                raise


def failures(app: Ledger, *, since: _dt.datetime | None = None,
             until: _dt.datetime | None = None) -> list[dict[str, Any]]:
    """Every failed sign-in recorded from ``since`` to ``until`` (recorded times), oldest first."""
    out: list[dict[str, Any]] = []
    start = 1
    while True:
        with translate_storage_errors("reading the security log"):
            page = app.recorder.select_notifications(start, 500, topics=SECURITY_TOPICS)
        if not page:
            return out
        for n in page:
            event = app.mapper.to_domain_event(n)
            if (since is None or event.timestamp >= since) and (until is None or event.timestamp <= until):
                out.append({"at": event.timestamp, "client": event.client, "reason": event.reason,
                            "detail": event.detail, "user_agent": event.user_agent,
                            "credential": event.credential, "method": event.method, "path": event.path,
                            "stream": n.originator_id, "version": n.originator_version})
        start = page[-1].id + 1


def repeated_failures(app: Ledger, *, since: _dt.datetime, until: _dt.datetime | None = None,
                      at_least: int = 5) -> list[dict[str, Any]]:
    """The client addresses with at least ``at_least`` failed sign-ins in the period, most first:
    each with its count, first and last, the reasons (code: count) and the credentials offered."""
    if at_least < 1:
        raise ValueError("at_least must be 1 or more")
    by_client: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in failures(app, since=since, until=until):
        by_client[f["client"]].append(f)
    rows = []
    for client, found in by_client.items():
        if len(found) < at_least:
            continue
        reasons: dict[str, int] = defaultdict(int)
        for f in found:
            reasons[f["reason"]] += 1
        rows.append({"client": client, "failures": len(found), "first": found[0]["at"], "last": found[-1]["at"],
                     "reasons": dict(sorted(reasons.items())),
                     "credentials": sorted({f["credential"] for f in found if f["credential"]})})
    return sorted(rows, key=lambda r: (-r["failures"], r["client"]))
