"""Tampering with the stored events by plain SQL, caught by the per-stream hash chain.

Each case damages the events table the way someone with database access could (sqlite3 on the
file, psycopg on the schema), never through the ledger, then runs ``verify_store`` on a fresh
:class:`CaseLedger` (no cache can hide the change) and checks that the damage is reported on
the right case, at the right version and position, for the right reason, and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest

from ledger.application import CaseLedger
from ledger.integrity.chains import VerificationReport, verify_store
from ledger.integrity.encoding import decode, encode, event_digest
from tests.conftest import Clock

CASE = "ledger.case:CaseRecord."


@dataclass(frozen=True)
class Row:
    position: int  # rowid (SQLite) or notification_id (PostgreSQL): the store's global order
    version: int
    topic: str
    state: bytes


class RawEvents:
    """Plain SQL on the ledger's events table, bypassing the ledger entirely."""

    def __init__(self, db: str, table: str) -> None:
        self.postgres = db.startswith(("postgresql://", "postgres://"))
        if self.postgres:
            url = urlsplit(db)
            schema = parse_qs(url.query)["schema"][0]
            self.conn: Any = psycopg.connect(url._replace(query="").geturl(), autocommit=True)
            self.table, self.pos, self.ph = f'"{schema}"."{table}"', "notification_id", "%s"
            (kind,) = self.conn.execute(
                "SELECT data_type FROM information_schema.columns WHERE table_schema = %s "
                "AND table_name = %s AND column_name = 'originator_id'", (schema, table)).fetchone()
            assert kind == "uuid"
        else:
            self.conn = sqlite3.connect(db, isolation_level=None)
            self.table, self.pos, self.ph = table, "rowid", "?"
            columns = {r[1]: r[2] for r in self.conn.execute(f"PRAGMA table_info({table})")}
            assert columns["originator_id"] == "TEXT" and columns["state"] == "BLOB"

    def key(self, stream: uuid.UUID) -> Any:
        return stream if self.postgres else stream.hex  # uuid column / hex text

    def sql(self, statement: str, *params: Any) -> Any:
        statement = statement.format(table=self.table, pos=self.pos).replace("?", self.ph)
        return self.conn.execute(statement, params)

    def rows(self, stream: uuid.UUID) -> list[Row]:
        found = self.sql("SELECT {pos}, originator_version, topic, state FROM {table} "
                         "WHERE originator_id = ? ORDER BY originator_version", self.key(stream))
        return [Row(p, v, t, bytes(s)) for p, v, t, s in found.fetchall()]

    def row(self, stream: uuid.UUID, version: int) -> Row:
        (row,) = [r for r in self.rows(stream) if r.version == version]
        return row

    def count(self) -> int:
        return int(self.sql("SELECT COUNT(*) FROM {table}").fetchone()[0])

    def set_state(self, position: int, state: bytes) -> None:
        self.sql("UPDATE {table} SET state = ? WHERE {pos} = ?", state, position)

    def insert(self, stream: uuid.UUID, version: int, topic: str, state: bytes) -> int:
        self.sql("INSERT INTO {table} (originator_id, originator_version, topic, state) "
                 "VALUES (?, ?, ?, ?)", self.key(stream), version, topic, state)
        return self.row(stream, version).position

    def close(self) -> None:
        self.conn.close()


@dataclass
class Scenario:
    db: str
    case_id: uuid.UUID      # Amira Hassan: versions 1..7, the case that is tampered with
    other_case: uuid.UUID   # Noah Bell: left alone
    raw: RawEvents

    def rows(self) -> list[Row]:
        return self.raw.rows(self.case_id)

    def last(self) -> Row:
        return self.rows()[-1]


@pytest.fixture
def scenario(borough: Any, clock: Clock, db: str) -> Iterator[Scenario]:
    """The borough's case with seven events, a second case, then the ledger closed."""
    app: CaseLedger = borough.ledger
    case_id = borough.case_id
    note_a = app.casework.record_note("jane.smith", case_id, kind="home_visit",
                                      occurred_at=clock.now - dt.timedelta(hours=3),
                                      facts="Visited Amira at home.")                       # v2
    clock.advance(minutes=20)
    app.casework.revise_note("jane.smith", case_id, note_a,
                             facts="Visited Amira at home with her mother.")                # v3
    app.casework.finalise_note("jane.smith", case_id, note_a)                               # v4
    clock.advance(minutes=20)
    app.casework.record_note("omar.farah", case_id, kind="telephone_call", finalise=True,   # v5, v6
                             occurred_at=clock.now, facts="School nurse confirmed the bruise.",
                             source="third_party", provided_by="school nurse")
    app.casework.record_decision("grace.obi", case_id, decision="Strategy discussion", reasons="Unexplained bruise",
                                 risks_considered="Physical harm", options_not_chosen=[
                            {"option": "No further action", "why_not": "injury unexplained"}])  # v7
    other = app.cases.open("cp.worker", child_name="Noah Bell", date_of_birth=dt.date(2020, 1, 9),
                           referral_date=dt.date(2026, 11, 1), referral_source="police",
                           team="Child Protection", worker="cp.worker")
    app.casework.record_note("cp.worker", other.id, kind="contact", occurred_at=clock.now,
                             facts="Police notification received.", finalise=True)
    table = app.recorder.events_table_name
    app.close()  # nothing of the ledger's stays open while the table is changed underneath
    raw = RawEvents(db, table)
    try:
        assert [r.version for r in raw.rows(case_id)] == [1, 2, 3, 4, 5, 6, 7]
        yield Scenario(db, case_id, other.id, raw)
    finally:
        raw.close()


def verify_fresh(db: str) -> VerificationReport:
    app = CaseLedger(db)
    try:
        return verify_store(app.recorder)
    finally:
        app.close()


def test_the_untampered_ledger_verifies(scenario: Scenario) -> None:
    report = verify_fresh(scenario.db)
    assert report.ok and report.problems == []
    # staff, Amira's case, Noah's case, and the six access attempts (one per command on a case)
    assert report.events == scenario.raw.count() == 9 + 7 + 3 + 6
    assert report.cases == 2
    assert report.streams == 9 + 2 + 4  # staff, two cases, four access logs (Jane, Omar, Grace, Kofi today)


# --- the damage ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Expected:
    version: int
    reason: str  # a regular expression
    position: int


HASH_MISMATCH = (r"^event hash does not match its content \(the event's bytes, type, stream or "
                 r"version were changed\)")


def one_byte_of_a_note_changed(s: Scenario) -> Expected:
    row = s.raw.row(s.case_id, 3)
    at = row.state.index(b"with her mother")
    s.raw.set_state(row.position, row.state[:at] + b"W" + row.state[at + 1:])  # "with" -> "With"
    assert isinstance(decode(s.raw.row(s.case_id, 3).state), dict)  # still well-formed
    return Expected(3, HASH_MISMATCH, row.position)


def one_byte_of_the_stored_hash_changed(s: Scenario) -> Expected:
    row = s.raw.row(s.case_id, 5)
    stored_hash = decode(row.state)["event_hash"]
    at = row.state.index(stored_hash)
    s.raw.set_state(row.position, row.state[:at] + bytes([row.state[at] ^ 1]) + row.state[at + 1:])
    return Expected(5, HASH_MISMATCH, row.position)


def state_truncated(s: Scenario) -> Expected:
    row = s.raw.row(s.case_id, 2)
    s.raw.set_state(row.position, row.state[: len(row.state) // 2])
    return Expected(2, r"^stored bytes are unreadable: stored bytes do not decode", row.position)


def event_deleted_in_the_middle(s: Scenario) -> Expected:
    row = s.raw.row(s.case_id, 4)
    s.raw.sql("DELETE FROM {table} WHERE {pos} = ?", row.position)
    return Expected(5, r"^version 4 missing: the stream jumps from version 3 to 5$",
                    s.raw.row(s.case_id, 5).position)


def first_event_deleted(s: Scenario) -> Expected:
    s.raw.sql("DELETE FROM {table} WHERE {pos} = ?", s.raw.row(s.case_id, 1).position)
    return Expected(2, r"^version 1 missing: the stream jumps from version 0 to 2$",
                    s.raw.row(s.case_id, 2).position)


def two_events_deleted(s: Scenario) -> Expected:
    for version in (3, 4):
        s.raw.sql("DELETE FROM {table} WHERE {pos} = ?", s.raw.row(s.case_id, version).position)
    return Expected(5, r"^versions 3 to 4 missing: the stream jumps from version 2 to 5$",
                    s.raw.row(s.case_id, 5).position)


def two_payloads_swapped(s: Scenario) -> Expected:
    a, b = s.raw.row(s.case_id, 3), s.raw.row(s.case_id, 4)
    s.raw.set_state(a.position, b.state)
    s.raw.set_state(b.position, a.state)
    return Expected(3, HASH_MISMATCH, a.position)


def two_events_reordered(s: Scenario) -> Expected:
    """Whole rows swapped in the global order: version 4 now comes before version 3."""
    a, b = s.raw.row(s.case_id, 3), s.raw.row(s.case_id, 4)
    s.raw.sql("UPDATE {table} SET {pos} = -1 WHERE {pos} = ?", a.position)
    s.raw.sql("UPDATE {table} SET {pos} = ? WHERE {pos} = ?", a.position, b.position)
    s.raw.sql("UPDATE {table} SET {pos} = ? WHERE {pos} = -1", b.position)
    return Expected(4, r"^version 3 missing: the stream jumps from version 2 to 4$", a.position)


def version_changed(s: Scenario) -> Expected:
    row = s.raw.row(s.case_id, 7)
    s.raw.sql("UPDATE {table} SET originator_version = 8 WHERE {pos} = ?", row.position)
    return Expected(8, HASH_MISMATCH, row.position)


def gap_closed_by_renumbering(s: Scenario) -> Expected:
    """Version 4 deleted and 5, 6, 7 renumbered down so that no version is missing."""
    s.raw.sql("DELETE FROM {table} WHERE {pos} = ?", s.raw.row(s.case_id, 4).position)
    for version in (5, 6, 7):
        row = s.raw.row(s.case_id, version)
        s.raw.sql("UPDATE {table} SET originator_version = ? WHERE {pos} = ?", version - 1, row.position)
    return Expected(4, HASH_MISMATCH, s.raw.row(s.case_id, 4).position)


def topic_changed(s: Scenario) -> Expected:
    row = s.raw.row(s.case_id, 6)
    assert row.topic == CASE + "CaseNoteFinalised"
    s.raw.sql("UPDATE {table} SET topic = ? WHERE {pos} = ?", CASE + "CaseNoteDeleted", row.position)
    return Expected(6, HASH_MISMATCH, row.position)


def event_moved_to_the_other_case(s: Scenario) -> Expected:
    """Noah's note (with its own correct hash) inserted as version 8 of Amira's record."""
    donor = s.raw.rows(s.other_case)[1]
    position = s.raw.insert(s.case_id, 8, donor.topic, donor.state)
    return Expected(8, HASH_MISMATCH, position)


def _forged_note(s: Scenario) -> tuple[str, dict[str, Any]]:
    """Omar's third-party note (version 5) with its facts rewritten, as a new event."""
    template = s.raw.row(s.case_id, 5)
    fields = decode(template.state)
    assert encode(fields) == template.state  # stored bytes are the canonical encoding
    fields["content"]["facts"] = "School nurse saw no injury."
    fields["note_id"] = uuid.uuid4()
    del fields["event_hash"]
    return template.topic, fields


def forged_event_with_a_good_link_and_a_bad_hash(s: Scenario) -> Expected:
    topic, fields = _forged_note(s)
    last = s.last()
    fields["prev_hash"] = decode(last.state)["event_hash"]  # linked to the real last hash
    fields["event_hash"] = decode(s.raw.row(s.case_id, 5).state)["event_hash"]  # a real hash, not its own
    position = s.raw.insert(s.case_id, 8, topic, encode(fields))
    return Expected(8, HASH_MISMATCH, position)


def forged_event_with_a_good_hash_and_a_bad_link(s: Scenario) -> Expected:
    topic, fields = _forged_note(s)
    fields["prev_hash"] = decode(s.raw.row(s.case_id, 6).state)["event_hash"]  # skips version 7
    fields["event_hash"] = event_digest(topic, s.case_id, 8, fields)  # recomputed correctly
    position = s.raw.insert(s.case_id, 8, topic, encode({**fields}))
    return Expected(8, r"^chain broken: previous-hash [0-9a-f]{16}… is not the hash of version 7 "
                       r"\([0-9a-f]{16}…\)$", position)


def forged_event_linked_to_genesis(s: Scenario) -> Expected:
    topic, fields = _forged_note(s)
    fields["prev_hash"] = bytes(32)
    fields["event_hash"] = event_digest(topic, s.case_id, 8, fields)
    position = s.raw.insert(s.case_id, 8, topic, encode(fields))
    return Expected(8, r"^chain broken: previous-hash 0{16}… is not the hash of version 7", position)


TAMPERING: list[Callable[[Scenario], Expected]] = [
    one_byte_of_a_note_changed,
    one_byte_of_the_stored_hash_changed,
    state_truncated,
    event_deleted_in_the_middle,
    first_event_deleted,
    two_events_deleted,
    two_payloads_swapped,
    two_events_reordered,
    version_changed,
    gap_closed_by_renumbering,
    topic_changed,
    event_moved_to_the_other_case,
    forged_event_with_a_good_link_and_a_bad_hash,
    forged_event_with_a_good_hash_and_a_bad_link,
    forged_event_linked_to_genesis,
]


@pytest.mark.parametrize("tamper", TAMPERING, ids=[t.__name__.replace("_", "-") for t in TAMPERING])
def test_tampering_is_reported_at_the_right_event(scenario: Scenario,
                                                  tamper: Callable[[Scenario], Expected]) -> None:
    expected = tamper(scenario)
    report = verify_fresh(scenario.db)
    assert not report.ok
    assert len(report.problems) == 1, report.as_dict()  # only the damaged case, reported once
    (problem,) = report.problems
    assert problem.stream == str(scenario.case_id)
    assert problem.version == expected.version, problem
    assert re.search(expected.reason, problem.problem), problem.problem
    assert problem.position == expected.position
    assert report.as_dict()["problems"][0]["case"] == str(scenario.case_id)
    assert report.cases == 2  # the damaged case is still counted, and so is the other one


def test_a_forged_event_with_good_hash_and_good_link_is_beyond_the_chain(scenario: Scenario) -> None:
    """The limit of the per-stream chain (left to the Merkle log): an event appended at the end
    with a correct hash and link verifies. Pinned so that the chain test above is not
    mistaken for more than it is."""
    topic, fields = _forged_note(scenario)
    fields["prev_hash"] = decode(scenario.last().state)["event_hash"]
    fields["event_hash"] = event_digest(topic, scenario.case_id, 8, fields)
    scenario.raw.insert(scenario.case_id, 8, topic, encode(fields))
    report = verify_fresh(scenario.db)
    assert report.ok and report.events == 9 + 8 + 3 + 6
