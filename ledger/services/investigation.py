"""Investigating access (issue 6): reading the access log for a report, the alert list, reviews.

:class:`InvestigationService` is ``ledger.investigation`` (:class:`~ledger.application.CaseLedger`).
Who may read the access log: :meth:`InvestigationService.investigator`. How it reads:

* **a staff member's attempts** over a period: their access log is one stream per London day
  (:func:`~ledger.access.log.access_stream_id`), so the stream ids are derived, never searched
  for, and all of them are read in one query per 500 days (:meth:`InvestigationService.stored_rows`,
  by primary key), with each event's leaf index in the Merkle log. A year of one person costs one
  query whatever the size of the ledger;
* **a case's attempts** and **the alert list** scan the access-attempt events (the notification
  log filtered by topic). Only events whose stored bytes hold the case id (or a flag) are decoded,
  so the scan costs a read of the access events, not a decode of each. Choice: a scan, not a
  projection, because the answer must include attempts recorded a moment ago (an alert is
  raised at once) and the scan needs no tables of its own; a materialised projection by case id
  is the step to take when a scan grows too slow;
* **reviews** (:mod:`ledger.access.review`) are streams with ids derived from the attempt, so the
  reviews of a list of attempts are read in the same one-query way.

An attempt is named by its reference ``A<leaf index>`` (its position in the Merkle log: stable,
global, and checkable offline in an evidence bundle).

**The audit of the audit** (EHR-S FM TI.2.2#04): reading the access log is itself an access attempt of
the person who reads it, decided (:data:`INVESTIGATING_ROLES`) and recorded before anything is read,
granted or denied, on the command line and over HTTP alike: an access report (:meth:`open_report`,
naming whose attempts or which case it covers), each export of it (its evidence bundle, its FHIR
AuditEvents), the alert list (:meth:`alert_list`), and a review (:meth:`review`). These attempts have
part ``access_log`` and no case id (:meth:`~ledger.services.access.AccessService.gate_oversight`), so an
access report on an investigator shows what they looked at.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import get_topic

from ledger.access.facts import (
    Attempt,
    StaffHistory,
    Thresholds,
    attempt_from_fields,
    flags_for,
    history_from_fields,
    review_summary,
)
from ledger.access.log import ATTEMPT_TOPICS, access_day, access_stream_id
from ledger.access.policy import Action, Part
from ledger.access.review import REVIEWING_RULE, AttemptReview, review_stream_id
from ledger.access.security import repeated_failures
from ledger.core import LedgerCore, Service, command
from ledger.errors import NotFound, RuleViolation
from ledger.integrity.encoding import decode
from ledger.integrity.topics import stored_as
from ledger.integrity.transparency import col
from ledger.records.case import RESTRICTING_ROLES
from ledger.records.staff import Role, StaffMember, staff_stream_id
from ledger.services.access import AccessService
from ledger.storage import translate_storage_errors

__all__ = ["FAILED_SIGN_INS_AT_LEAST", "FAILED_SIGN_INS_DAYS", "INVESTIGATING_ROLES", "READING_THE_LOG",
           "REPORT_EXPORTS", "REVIEW_TOPIC", "AlertList", "InvestigationService", "StoredRow", "parse_ref"]

REVIEW_TOPIC = get_topic(AttemptReview.Reviewed)
#: How many stream ids go in one ``IN (...)`` (well under SQLite's parameter limit).
CHUNK = 500
#: Who reads the access log (the report, the alert list): the service manager and head of service
#: (s.11: the alerts are theirs) and auditors (s.14: audits).
INVESTIGATING_ROLES = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.AUDITOR)
#: The rule that decides who reads the access log, in words.
READING_THE_LOG = ("reading the access log (the access report, the alert list) is for a service manager, head of "
                   "service or auditor")
#: What an access report is used for, as the attempt's item: shown, or exported.
REPORT_EXPORTS = {"report": "access report", "evidence": "access report: evidence bundle",
                  "fhir": "access report: FHIR AuditEvent export"}
#: The alert list also shows the client addresses with at least this many failed sign-ins ...
FAILED_SIGN_INS_AT_LEAST = 5
#: ... in the last this many days.
FAILED_SIGN_INS_DAYS = 7


@dataclass(frozen=True)
class AlertList:
    """The alert list: flagged attempts not yet reviewed (each with its flags), and the client addresses
    with repeated failed sign-ins (:func:`ledger.access.security.repeated_failures`) since ``since``."""

    alerts: list[tuple[Attempt, list[tuple[str, str]]]]
    failed_sign_ins: list[dict[str, Any]]
    since: _dt.datetime
    at_least: int


@dataclass(frozen=True)
class StoredRow:
    """One stored event, as the store holds it, with its global position and Merkle leaf."""

    position: int
    leaf: int
    topic: str
    stream_id: uuid.UUID
    version: int
    state: bytes

    def fields(self) -> dict[str, Any]:
        return decode(self.state)  # type: ignore[no-any-return]


def parse_ref(ref: str) -> int:
    """The leaf index named by an attempt reference: ``A1234`` (or ``a1234``, or ``1234``)."""
    text = str(ref or "").strip()
    digits = text[1:] if text[:1] in ("A", "a") else text
    if not digits.isdigit():
        raise NotFound(f"attempt {ref!r} is not an attempt reference: use the reference the report or the "
                       "alert list prints, like A1234")
    return int(digits)


def days(since: _dt.date, until: _dt.date) -> list[_dt.date]:
    if until < since:
        raise RuleViolation(f"the period ends ({until}) before it starts ({since}): --to must not be before --from")
    return [since + _dt.timedelta(days=i) for i in range((until - since).days + 1)]


class InvestigationService(Service):
    """``ledger.investigation``: the access report's reads (attempts_of, attempts_on_case, attempt_rows,
    staff_history, reviews_of, flags_in_context, flags_of), the alert list (alerts, unreviewed_alerts),
    one attempt by its reference (attempt), and the review of a flagged attempt (review)."""

    def __init__(self, ledger: LedgerCore, access: AccessService) -> None:
        super().__init__(ledger)
        self.access = access

    def investigator(self, acting: str | None) -> StaffMember:
        """The staff member reading the access log, if they may (:data:`INVESTIGATING_ROLES`); records
        nothing: the commands that read the log record their reads (:meth:`open_report`, :meth:`alert_list`)."""
        actor = self.ledger.actor(acting)
        actor.require(READING_THE_LOG, *INVESTIGATING_ROLES)
        return actor

    def open_log(self, acting: str | None, *, item: str, covering: str,
                 action: Action = Action.READ) -> StaffMember:
        """Decide and record a use of the access log by ``acting`` (see the module docstring): ``item``
        says what (an access report, the alert list), ``covering`` whose attempts or which case."""
        return self.access.gate_oversight(acting, Part.ACCESS_LOG, covering=covering, item=item,
                                          rule=READING_THE_LOG, rule_id="access_log_reader",
                                          roles=INVESTIGATING_ROLES, action=action)

    def open_report(self, acting: str | None, *, staff_id: str | None = None, case: uuid.UUID | str | None = None,
                    use: str = "report") -> StaffMember:
        """Decide and record ``acting``'s access report on a staff member's attempts or on a case's (``case``:
        its id, or the part of the child's name typed to find it), before it is built or searched for.
        ``use``: ``report`` (shown) or ``evidence`` or ``fhir`` (exported): :data:`REPORT_EXPORTS`."""
        if (staff_id is None) == (case is None):
            raise RuleViolation("an access report is on a staff member or on a case: give one of staff and case",
                                field="staff")
        if case is not None:
            try:
                covering = f"case {self.ledger.resolve_case_id(case)}"
            except (NotFound, RuleViolation):
                covering = f"case named {str(case)[:100]!r}"
        else:
            covering = f"staff {staff_id}"
        return self.open_log(acting, item=REPORT_EXPORTS[use], covering=covering)

    def alert_list(self, acting: str | None, *, failed_sign_ins_at_least: int = FAILED_SIGN_INS_AT_LEAST,
                   failed_sign_ins_days: int = FAILED_SIGN_INS_DAYS) -> AlertList:
        """The alert list for ``acting`` (decided and recorded first): :meth:`alerts`, and the client
        addresses with at least ``failed_sign_ins_at_least`` failed sign-ins in the last
        ``failed_sign_ins_days`` days (most first)."""
        self.open_log(acting, item="alert list", covering="every flagged attempt not yet reviewed")
        since = self.ledger.now() - _dt.timedelta(days=failed_sign_ins_days)
        return AlertList(self.alerts(), repeated_failures(self.ledger, since=since, at_least=failed_sign_ins_at_least),
                         since, failed_sign_ins_at_least)

    # --- reading stored rows ----------------------------------------------------------------

    def stored_rows(self, stream_ids: Iterable[uuid.UUID]) -> list[StoredRow]:
        """Every event of the given streams, in global order, in one query per :data:`CHUNK` streams."""
        recorder = self.ledger.recorder
        events, event_id = recorder.log_events_table
        dialect = recorder.log
        ids = list(dict.fromkeys(stream_ids))
        out: list[StoredRow] = []
        with translate_storage_errors("reading the access log"), \
                recorder.datastore.transaction(commit=False) as c:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start:start + CHUNK]
                marks = ", ".join("?" for _ in chunk)
                c.execute(dialect.q(
                    f"SELECT e.{event_id} AS nid, l.leaf_index AS leaf, e.topic AS topic, "
                    f"e.originator_id AS oid, e.originator_version AS version, e.state AS state "
                    f"FROM {events} e JOIN {dialect.leaves} l ON l.notification_id = e.{event_id} "
                    f"WHERE e.originator_id IN ({marks})"), [recorder.stream_key(i) for i in chunk])
                for r in c.fetchall():
                    oid = col(r, "oid", 3)
                    out.append(StoredRow(int(col(r, "nid", 0)), int(col(r, "leaf", 1)), str(col(r, "topic", 2)),
                                         oid if isinstance(oid, uuid.UUID) else uuid.UUID(str(oid)),
                                         int(col(r, "version", 4)), bytes(col(r, "state", 5))))
        out.sort(key=lambda row: row.position)
        return out

    def row_at_leaf(self, leaf: int) -> StoredRow | None:
        """The stored event that is leaf ``leaf`` of the Merkle log (None when there is none)."""
        recorder = self.ledger.recorder
        events, event_id = recorder.log_events_table
        with translate_storage_errors("reading the ledger"), recorder.datastore.transaction(commit=False) as c:
            c.execute(recorder.log.q(
                f"SELECT e.{event_id} AS nid, e.topic AS topic, e.originator_id AS oid, "
                f"e.originator_version AS version, e.state AS state FROM {recorder.log.leaves} l "
                f"JOIN {events} e ON e.{event_id} = l.notification_id WHERE l.leaf_index = ?"), (leaf,))
            r = c.fetchone()
        if r is None:
            return None
        oid = col(r, "oid", 2)
        return StoredRow(int(col(r, "nid", 0)), leaf, str(col(r, "topic", 1)),
                         oid if isinstance(oid, uuid.UUID) else uuid.UUID(str(oid)),
                         int(col(r, "version", 3)), bytes(col(r, "state", 4)))

    def _leaves(self, positions: Sequence[int]) -> dict[int, int]:
        """Leaf index by notification id."""
        recorder = self.ledger.recorder
        out: dict[int, int] = {}
        with translate_storage_errors("reading the Merkle log"), recorder.datastore.transaction(commit=False) as c:
            for start in range(0, len(positions), CHUNK):
                chunk = list(positions[start:start + CHUNK])
                marks = ", ".join("?" for _ in chunk)
                c.execute(recorder.log.q(f"SELECT notification_id AS nid, leaf_index AS leaf FROM "
                                         f"{recorder.log.leaves} WHERE notification_id IN ({marks})"), chunk)
                out.update({int(col(r, "nid", 0)): int(col(r, "leaf", 1)) for r in c.fetchall()})
        return out

    # --- attempts -------------------------------------------------------------------------------

    def attempt_rows(self, staff_id: str, since: _dt.date, until: _dt.date) -> list[StoredRow]:
        """The stored attempt events of ``staff_id`` on the London days ``since`` to ``until``."""
        return [r for r in self.stored_rows(access_stream_id(staff_id, d) for d in days(since, until))
                if r.topic in ATTEMPT_TOPICS]

    def attempts_of(self, staff_id: str, since: _dt.date, until: _dt.date) -> list[Attempt]:
        """Every attempt of ``staff_id`` from ``since`` to ``until`` (London days), in time order."""
        found = [attempt_from_fields(r.stream_id, r.version, r.leaf, r.fields())
                 for r in self.attempt_rows(staff_id, since, until)]
        return sorted(found, key=lambda a: (a.at, a.leaf))

    def staff_rows(self, staff_id: str) -> list[StoredRow]:
        return sorted(self.stored_rows([staff_stream_id(staff_id)]), key=lambda r: r.version)

    def staff_history(self, staff_id: str) -> StaffHistory:
        """Teams over time and leaving, from the staff stream (empty for an id not in the directory)."""
        return history_from_fields(staff_id, ((r.topic, r.fields()) for r in self.staff_rows(staff_id)))

    def review_rows(self, attempts: Iterable[Attempt]) -> list[StoredRow]:
        """The review events of those of ``attempts`` that have been reviewed. Every attempt is looked
        up, not only those the policy flagged when it decided: contextual flags (bulk browsing, out of
        hours, after leaving a team) are derived later, and such an attempt is reviewed too."""
        ids = [review_stream_id(a.stream_id, a.version) for a in attempts]
        return [r for r in self.stored_rows(ids) if r.topic == REVIEW_TOPIC] if ids else []

    def reviews_of(self, attempts: Iterable[Attempt]) -> dict[tuple[str, int], dict[str, Any]]:
        """Each reviewed attempt's review, by (attempt stream, version)."""
        out = {}
        for r in self.review_rows(attempts):
            f = r.fields()
            out[(str(f["attempt_stream"]), int(f["attempt_version"]))] = review_summary(f)
        return out

    def _scan_attempts(self, needle: bytes | None) -> list[Attempt]:
        """Attempt events whose stored bytes contain ``needle`` (all when None), decoded."""
        hits = []
        for n in self.ledger.notifications(topics=ATTEMPT_TOPICS, page=5000):
            if needle is None or needle in n.state:
                oid = n.originator_id
                hits.append((n.id, oid if isinstance(oid, uuid.UUID) else uuid.UUID(str(oid)),
                             n.originator_version, decode(n.state)))
        leaves = self._leaves([h[0] for h in hits])
        return [attempt_from_fields(oid, version, leaves.get(nid, -1), fields) for nid, oid, version, fields in hits]

    def attempts_on_case(self, case_id: uuid.UUID, since: _dt.date | None = None,
                         until: _dt.date | None = None) -> list[Attempt]:
        """Everyone's attempts on one case (a scan of the access events), in time order."""
        found = [a for a in self._scan_attempts(case_id.bytes) if a.case_id == case_id
                 and (since is None or access_day(a.at) >= since) and (until is None or access_day(a.at) <= until)]
        return sorted(found, key=lambda a: (a.at, a.leaf))

    def flags_in_context(self, context: Sequence[Attempt], thresholds: Thresholds | None = None
                         ) -> dict[tuple[str, int], list[tuple[str, str]]]:
        """The flags of each attempt of ``context`` (by :attr:`Attempt.key`), derived by the one function
        the access report uses (:func:`ledger.access.facts.flags_for`): per person, over that person's
        attempts in ``context`` in time order (bulk browsing), with their staff history (team moves,
        leaving). The report, the alert list and a review all decide "flagged" here, so they agree."""
        by_person: dict[str, list[Attempt]] = {}
        for a in context:
            by_person.setdefault(a.staff_id, []).append(a)
        out: dict[tuple[str, int], list[tuple[str, str]]] = {}
        for staff_id, mine in by_person.items():
            mine.sort(key=lambda a: (a.at, a.leaf))
            history = self.staff_history(staff_id)
            histories = {staff_id: history} if history.teams else {}
            for a, flags in zip(mine, flags_for(mine, histories, thresholds, bulk=True), strict=True):
                out[a.key] = flags
        return out

    def flags_of(self, attempt: Attempt, thresholds: Thresholds | None = None) -> list[tuple[str, str]]:
        """The flags of one attempt, as the person's staff report shows them: derived over the person's
        attempts from the day before to the day after (a bulk-browsing window is minutes long)."""
        day = access_day(attempt.at)
        context = self.attempts_of(attempt.staff_id, day - _dt.timedelta(days=1), day + _dt.timedelta(days=1))
        if attempt.key not in {a.key for a in context}:
            context.append(attempt)
        return self.flags_in_context(context, thresholds).get(attempt.key, [])

    def alerts(self) -> list[tuple[Attempt, list[tuple[str, str]]]]:
        """Flagged attempts not yet reviewed, oldest first, each with its flags (the same derivation as
        the report: :meth:`flags_in_context`): the service manager's alert list."""
        everything = self._scan_attempts(None)
        flags = self.flags_in_context(everything)
        flagged = [a for a in everything if flags.get(a.key)]
        reviewed = self.reviews_of(flagged)
        return [(a, flags[a.key]) for a in sorted(flagged, key=lambda a: (a.at, a.leaf)) if a.key not in reviewed]

    def unreviewed_alerts(self) -> list[Attempt]:
        """The attempts of :meth:`alerts`."""
        return [a for a, _ in self.alerts()]

    def attempt(self, ref: str) -> Attempt:
        """The attempt named by its reference (``A1234``)."""
        row = self.row_at_leaf(parse_ref(ref))
        if row is None or row.topic not in ATTEMPT_TOPICS:
            raise NotFound(f"no access attempt with the reference {ref!r}: use the reference the report or the "
                           "alert list prints, like A1234")
        return attempt_from_fields(row.stream_id, row.version, row.leaf, row.fields())

    # --- reviews ---------------------------------------------------------------------------------

    @command
    def review(self, acting: str | None, ref: str, *, outcome: str, note: str) -> AttemptReview:
        """Record the review of a flagged attempt (see :mod:`ledger.access.review` for the rules). Reading
        the attempt to review it is a use of the access log, recorded first (:meth:`open_log`)."""
        self.access.gate_oversight(acting, Part.ACCESS_LOG, item="review of a flagged attempt",
                                   covering=f"attempt {str(ref).strip()[:40]}", rule=REVIEWING_RULE,
                                   rule_id="attempt_reviewer", roles=RESTRICTING_ROLES, action=Action.WRITE)
        actor = self.ledger.actor(acting)
        found = self.attempt(ref)
        existing = self.reviews_of([found]).get(found.key)
        if existing is not None:
            raise RuleViolation(f"attempt {found.ref} was already reviewed by {existing['by']} on "
                                f"{existing['at'][:10]} ({existing['outcome']}); an attempt is reviewed once")
        flags = self.flags_of(found)
        attempt = {"stream_id": found.stream_id, "version": found.version, "position": found.leaf,
                   "actor": found.actor, "flag": ";".join(kind for kind, _ in flags) or None,
                   "outcome": found.outcome, "rule": found.rule, "case_id": found.case_id}
        review = AttemptReview.review(actor=actor, attempt=attempt, outcome=outcome, note=note, now=self.ledger.now())
        self.ledger.store(f"recording the review of attempt {found.ref}", review)
        return review


stored_as(__name__, "ledger.access_investigation")  # its classes keep the topics they were first stored under
