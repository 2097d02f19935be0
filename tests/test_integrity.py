"""The tamper suite: change the stored tables with plain SQL, then verify with a fresh ledger.

Every attack is made the way an insider with database access would make it: sqlite3 or psycopg
straight on the stored tables (events, merkle_leaves, merkle_nodes, merkle_head,
checkpoints), never through the ledger. Verification then runs on a FRESH
:class:`CaseLedger` with the genuine verifier key, and each case asserts that the ledger is
reported tampered AND that the report names the right place (stream and version for an
event, the checkpoint or Merkle node otherwise) and the right reason.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ledger.access.log import ATTEMPT_TOPICS
from ledger.application import CaseLedger
from ledger.integrity.checkpoint import SigningKey, open_checkpoint
from ledger.integrity.encoding import decode, encode, event_digest
from ledger.integrity.merkle import verify_inclusion
from ledger.integrity.merkle_log import Frontier, event_leaf_hash, extend
from ledger.integrity.verify import LedgerReport, TailLimit, verify_ledger
from ledger.records.case import note_content
from tests.conftest import PG_URL, Borough, Clock, add_staff

ORIGIN = "test.example/caseledger"


# --- plain SQL on the stored tables ---


@dataclass
class Row:
    nid: int
    topic: str
    stream: uuid.UUID
    version: int
    state: bytes


class Raw:
    """Plain SQL on one ledger's stored tables (SQLite file or PostgreSQL schema)."""

    def __init__(self, db: str, app: CaseLedger) -> None:
        self.db = db
        self.kind = app.backend.kind
        rec = app.recorder
        log = rec.log
        self.leaves, self.nodes, self.head, self.checkpoints = (
            log.leaves,
            log.nodes,
            log.head,
            log.checkpoints,
        )
        if self.kind == "sqlite":
            self.events, self.nid = rec.events_table_name, "rowid"
            self.schema = None
            self.snapshots = "stored_snapshots"
        else:
            self.schema = rec.datastore.schema
            self.events, self.nid = f'"{self.schema}"."{rec.events_table_name}"', "notification_id"
            self.snapshots = f'"{self.schema}"."caseledger_snapshots"'
        self._conn: Any = None

    def conn(self) -> Any:
        if self._conn is None:
            if self.kind == "sqlite":
                self._conn = sqlite3.connect(self.db, isolation_level=None, timeout=10)
            else:
                self._conn = psycopg.connect(PG_URL, autocommit=True)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def x(self, sql: str, params: Any = ()) -> list[Any]:
        if self.kind == "postgresql":
            sql = sql.replace("?", "%s")
        cur = self.conn().execute(sql, params)
        return cur.fetchall() if cur.description else []

    def many(self, sql: str, rows: list[Any]) -> None:
        if self.kind == "postgresql":
            sql = sql.replace("?", "%s")
        cur = self.conn().cursor()
        try:
            cur.executemany(sql, rows)
        finally:
            cur.close()

    def key(self, stream: uuid.UUID) -> Any:
        return stream.hex if self.kind == "sqlite" else stream

    def rows(self) -> list[Row]:
        out = []
        for nid, topic, oid, version, state in self.x(
            f"SELECT {self.nid}, topic, originator_id, originator_version, state FROM {self.events} "
            f"ORDER BY {self.nid}"
        ):
            out.append(
                Row(
                    int(nid),
                    topic,
                    oid if isinstance(oid, uuid.UUID) else uuid.UUID(oid),
                    int(version),
                    bytes(state),
                )
            )
        return out

    def stream_rows(self, stream: uuid.UUID) -> list[Row]:
        return [r for r in self.rows() if r.stream == stream]

    def row(self, stream: uuid.UUID, version: int) -> Row:
        (r,) = [r for r in self.rows() if r.stream == stream and r.version == version]
        return r

    def set_row(self, nid: int, **cols: Any) -> None:
        names = {
            "stream": "originator_id",
            "version": "originator_version",
            "topic": "topic",
            "state": "state",
        }
        values = [self.key(v) if k == "stream" else v for k, v in cols.items()]
        sets = ", ".join(f"{names[k]} = ?" for k in cols)
        self.x(f"UPDATE {self.events} SET {sets} WHERE {self.nid} = ?", (*values, nid))

    def insert_row(
        self, stream: uuid.UUID, version: int, topic: str, state: bytes, nid: int | None = None
    ) -> None:
        if nid is None:
            self.x(
                f"INSERT INTO {self.events} (originator_id, originator_version, topic, state) "
                "VALUES (?, ?, ?, ?)",
                (self.key(stream), version, topic, state),
            )
        else:
            self.x(
                f"INSERT INTO {self.events} ({self.nid}, originator_id, originator_version, topic, state) "
                "VALUES (?, ?, ?, ?, ?)",
                (nid, self.key(stream), version, topic, state),
            )

    def delete_rows(self, nids: list[int]) -> None:
        for nid in nids:
            self.x(f"DELETE FROM {self.events} WHERE {self.nid} = ?", (nid,))

    def swap_contents(self, a: Row, b: Row) -> None:
        """Swap everything but the notification ids of two rows (the unique key allows no overlap)."""
        self.set_row(a.nid, version=-1)
        self.set_row(b.nid, stream=a.stream, version=a.version, topic=a.topic, state=a.state)
        self.set_row(a.nid, stream=b.stream, version=b.version, topic=b.topic, state=b.state)

    def rebuild_log(self) -> None:
        """Recompute leaves, nodes and head from the current rows, as a careful attacker would."""
        rows = self.rows()
        frontier, nodes = extend(
            Frontier(0, ()), [event_leaf_hash(r.topic, r.stream, r.version, r.state) for r in rows]
        )
        self.x(f"DELETE FROM {self.leaves}")
        self.x(f"DELETE FROM {self.nodes}")
        self.x(f"DELETE FROM {self.head}")
        self.many(
            f"INSERT INTO {self.leaves} (leaf_index, notification_id) VALUES (?, ?)",
            [(i, r.nid) for i, r in enumerate(rows)],
        )
        self.many(f"INSERT INTO {self.nodes} (level, idx, hash) VALUES (?, ?, ?)", nodes)
        self.x(
            f"INSERT INTO {self.head} (id, size, frontier) VALUES (1, ?, ?)",
            (frontier.size, frontier.to_bytes()),
        )

    def table_rows(self, table: str) -> list[Any]:
        return self.x(f"SELECT * FROM {table}")


def rechain(raw: Raw, stream: uuid.UUID, edit: Callable[[int, dict[str, Any]], None]) -> None:
    """Rewrite a whole stream with ``edit`` and recompute every event and previous hash."""
    prev = bytes(32)
    for r in raw.stream_rows(stream):
        fields = decode(r.state)
        del fields["event_hash"]
        fields["prev_hash"] = prev
        edit(r.version, fields)
        h = event_digest(r.topic, r.stream, r.version, fields)
        raw.set_row(r.nid, state=encode({**fields, "event_hash": h}))
        prev = h


# --- the scenario ---


@dataclass
class Scenario:
    db: str
    ledger: CaseLedger
    key: SigningKey
    case_a: uuid.UUID
    case_b: uuid.UUID
    cp1: tuple[int, str] = (0, "")  # (size, note)
    cp2: tuple[int, str] = (0, "")
    raws: list[Raw] = field(default_factory=list)
    clock: Clock = field(default_factory=Clock)
    #: what the auditor passes to verify (a tamper case sets its tail limit, or the checkpoints they hold)
    verify_kwargs: dict[str, Any] = field(default_factory=dict)

    def raw(self) -> Raw:
        r = Raw(self.db, self.ledger)
        self.raws.append(r)
        return r

    def verify(self, **kwargs: Any) -> LedgerReport:
        fresh = CaseLedger(self.db)  # keep a reference: the app closes its pool when collected
        try:
            return verify_ledger(fresh.recorder, verifier=self.key.verifier(), **{**self.verify_kwargs, **kwargs})
        finally:
            fresh.close()


def add_notes(app: CaseLedger, clock: Clock, case_id: uuid.UUID, n: int, who: str = "jane.smith") -> None:
    for i in range(n):
        clock.advance(minutes=20)
        app.casework.record_note(
            who,
            case_id,
            kind="home_visit",
            occurred_at=clock.now - dt.timedelta(minutes=10),
            facts=f"Visit {i} to the family home.",
            finalise=i % 2 == 0,
        )


def build(app: CaseLedger, clock: Clock, key: SigningKey, db: str) -> Scenario:
    """Case A (from the borough fixture) and case B, notes, checkpoint 1, more notes, checkpoint 2."""
    case_a = app.case_ids()[0]
    case_b = app.cases.open(
        "cp.worker",
        child_name="Leo Marsh",
        date_of_birth=dt.date(2019, 1, 2),
        referral_date=dt.date(2026, 10, 30),
        referral_source="police",
        team="Child Protection",
        worker="cp.worker",
    ).id
    add_notes(app, clock, case_a, 3)
    add_notes(app, clock, case_b, 2, who="cp.worker")
    add_notes(app, clock, case_a, 1)
    cp1 = app.integrity.sign_checkpoint(key)
    add_notes(app, clock, case_b, 1, who="cp.worker")
    clock.advance(minutes=5)
    app.casework.record_decision(
        "grace.obi",
        case_a,
        decision="Continue the assessment",
        reasons="Concerns persist",
        risks_considered="Neglect",
        options_not_chosen=[{"option": "Close", "why_not": "Too soon"}],
    )
    add_notes(app, clock, case_a, 1)
    cp2 = app.integrity.sign_checkpoint(key)
    return Scenario(db, app, key, case_a, case_b, (cp1[0].size, cp1[1]), (cp2[0].size, cp2[1]), clock=clock)


@pytest.fixture
def s(borough: Borough, clock: Clock, db: str) -> Iterator[Scenario]:
    scenario = build(borough.ledger, clock, SigningKey.generate(ORIGIN), db)
    try:
        yield scenario
    finally:
        for r in scenario.raws:
            r.close()


# --- expectations ---


def find(
    report: LedgerReport, text: str, stream: uuid.UUID | str | None = None, version: int | None = None
) -> Any:
    for p in report.problems:
        if (
            text in p.problem
            and (stream is None or p.stream == str(stream))
            and (version is None or p.version == version)
        ):
            return p
    raise AssertionError(
        f"no problem {text!r} at {stream} v{version}; got:\n"
        + "\n".join(f"  {p}" for p in report.problems)
        + "\n"
        + "\n".join(f"  {c}" for c in report.checkpoints)
    )


def find_cp(report: LedgerReport, text: str, source: str | None = None) -> Any:
    for c in report.checkpoints:
        if not c.ok and text in c.problem and (source is None or c.source == source):
            return c
    raise AssertionError(
        f"no failed checkpoint {source} {text!r}; got:\n"
        + "\n".join(f"  {c}" for c in report.checkpoints)
        + "\n"
        + "\n".join(f"  {p}" for p in report.problems)
    )


HASH_MISMATCH = "event hash does not match its content"


# --- the untampered ledger ---


def test_untampered_ledger_verifies(s: Scenario) -> None:
    raw = s.raw()
    rows = raw.rows()
    report = s.verify()
    assert report.ok is True, report.as_dict()
    assert report.problems == []
    assert report.chains.events == len(rows) == s.cp2[0] == report.log_size
    assert report.chains.cases == 2
    access_logs = {r.stream for r in rows if r.topic == ATTEMPT_TOPICS[0]}  # each opened by its first attempt
    assert access_logs  # recording on the cases wrote access attempts, and they verify like the rest
    # the borough's staff, two case records, and the access logs of who worked on them, per day
    assert report.chains.streams == 9 + 2 + len(access_logs)
    assert [(c.source, c.size, c.ok) for c in report.checkpoints] == [
        ("stored #1", s.cp1[0], True),
        ("stored #2", s.cp2[0], True),
    ]
    assert report.unsigned_tail == 0
    # With the auditor's copies of both notes as well.
    report = s.verify(external=[("auditor-1", s.cp1[1]), ("auditor-2", s.cp2[1])])
    assert report.ok is True and len(report.checkpoints) == 4


def test_unsigned_tail_is_counted_not_failed(s: Scenario, clock: Clock) -> None:
    before = s.ledger.integrity.event_count()
    add_notes(s.ledger, clock, s.case_b, 2, who="cp.worker")
    added = s.ledger.integrity.event_count() - before
    assert added == 5  # a finalised note (recorded + finalised), a draft, and the two access attempts
    report = s.verify()
    assert report.ok is True and report.unsigned_tail == added
    # measured in time too: from the oldest unsigned event's recorded time to the newest's
    assert report.unsigned_since == clock.now - dt.timedelta(minutes=20) and report.unsigned_until == clock.now
    assert report.unsigned_days == pytest.approx(20 / 60 / 24)
    # beyond the limit in events only (a busy hour), or in days only (a quiet month), it is not a problem
    assert s.verify(tail_limit=TailLimit(events=1, days=1)).ok
    assert s.verify(tail_limit=TailLimit(events=added, days=0)).ok
    cut = s.verify(tail_limit=TailLimit(events=1, days=0.01))
    assert cut.ok is False and cut.only_unsigned_tail and not cut.incomplete
    find_cp(cut, f"{added} events over 0 days are not covered by any stored checkpoint", "stored history")


def test_prove_event_verifies_against_the_signed_root(s: Scenario) -> None:
    import base64

    raw = s.raw()
    signed = open_checkpoint(s.cp2[1], s.key.verifier())
    for case_id in (s.case_a, s.case_b):
        for version in (1, s.ledger.case(case_id).version):
            proof = s.ledger.integrity.prove_event(case_id, version)
            b = base64.b64decode
            assert proof["tree_size"] == signed.size and b(proof["root"]) == signed.root
            row = raw.row(case_id, version)
            leaf = event_leaf_hash(row.topic, row.stream, row.version, row.state)
            assert b(proof["leaf_hash"]) == leaf
            path = [b(p) for p in proof["proof"]]
            assert verify_inclusion(leaf, proof["leaf_index"], signed.size, path, signed.root)
            assert not verify_inclusion(bytes(32), proof["leaf_index"], signed.size, path, signed.root)


# --- single-event tampering, caught by the chain (and the log) --------------------------------


def flip_bit(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    r = raw.row(s.case_a, 1)
    at = r.state.index(b"Amira Hassan")
    state = bytearray(r.state)
    state[at] ^= 0x01  # 'A' -> '@'
    raw.set_row(r.nid, state=bytes(state))

    def check(report: LedgerReport) -> None:
        p = find(report, HASH_MISMATCH, s.case_a, 1)
        assert p.position == r.nid
        find(report, "hash does not match the stored event", s.case_a, 1)

    return check


def change_topic(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    rows = raw.stream_rows(s.case_a)
    other = next(r.topic for r in rows if r.topic != rows[2].topic)
    raw.set_row(rows[2].nid, topic=other)
    return lambda report: find(report, HASH_MISMATCH, s.case_a, rows[2].version)


def change_case_id(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    r = raw.row(s.case_a, 3)
    stranger = uuid.uuid4()
    raw.set_row(r.nid, stream=stranger)

    def check(report: LedgerReport) -> None:
        find(report, HASH_MISMATCH, stranger, 3)
        find(report, "version 3 missing", s.case_a, 4)

    return check


def move_to_other_case(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    last_b = raw.stream_rows(s.case_b)[-1]
    last_a = raw.stream_rows(s.case_a)[-1]
    raw.set_row(last_a.nid, stream=s.case_b, version=last_b.version + 1)
    return lambda report: find(report, HASH_MISMATCH, s.case_b, last_b.version + 1)


def change_version(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    r = raw.row(s.case_a, 2)
    raw.set_row(r.nid, version=99)
    return lambda report: find(report, HASH_MISMATCH, s.case_a, 99)


def delete_event(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    r = raw.row(s.case_a, 2)
    raw.delete_rows([r.nid])

    def check(report: LedgerReport) -> None:
        find(report, "version 2 missing: the stream jumps from version 1 to 3", s.case_a, 3)
        # leaf i holds the event with notification id i + 1 (no gaps in this scenario)
        find(report, f"the event at log position {r.nid - 1} is recorded as leaf {r.nid}", s.case_a, 3)

    return check


def reorder_within_case(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    raw.swap_contents(raw.row(s.case_a, 2), raw.row(s.case_a, 3))
    return lambda report: find(report, "version 2 missing", s.case_a, 3)


def swap_notification_ids(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    """Two events of different cases, adjacent in the global order: each chain stays intact."""
    rows = raw.rows()
    i = next(i for i in range(len(rows) - 1) if rows[i].stream == s.case_a and rows[i + 1].stream == s.case_b)
    a, b = rows[i], rows[i + 1]
    raw.swap_contents(a, b)

    def check(report: LedgerReport) -> None:
        assert report.chains.ok, report.chains.problems  # the chains cannot see this...
        p = find(report, "hash does not match the stored event", s.case_b, b.version)  # ...the log does
        assert p.position == a.nid

    return check


def delete_case(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    rows = raw.stream_rows(s.case_b)
    raw.delete_rows([r.nid for r in rows])

    def check(report: LedgerReport) -> None:
        assert report.chains.ok and report.chains.cases == 1
        find(report, f"the event at log position {rows[0].nid - 1} is recorded as leaf")

    return check


def forge_event(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    """A new note event appended to case A with a correctly recomputed chain hash."""
    rows = raw.stream_rows(s.case_a)
    template = next(r for r in reversed(rows) if r.topic.endswith(".CaseNoteRecorded"))
    last = rows[-1]
    fields = decode(template.state)
    del fields["event_hash"]
    fields["prev_hash"] = decode(last.state)["event_hash"]
    fields["note_id"] = uuid.uuid4()
    version = last.version + 1
    h = event_digest(template.topic, s.case_a, version, fields)
    raw.insert_row(s.case_a, version, template.topic, encode({**fields, "event_hash": h}))

    def check(report: LedgerReport) -> None:
        assert report.chains.ok, report.chains.problems  # the forgery is chain-perfect
        find(report, "has no leaf", s.case_a, version)

    return check


def rewrite_case(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    def edit(version: int, fields: dict[str, Any]) -> None:
        if version == 1:
            fields["child_name"] = "Someone Else"

    assert decode(raw.row(s.case_a, 1).state)["child_name"] == "Amira Hassan"
    rechain(raw, s.case_a, edit)

    def check(report: LedgerReport) -> None:
        assert report.chains.ok, report.chains.problems
        find(report, "hash does not match the stored event", s.case_a, 1)

    return check


def rewrite_case_and_log(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    rewrite_case(raw, s)
    raw.rebuild_log()

    def check(report: LedgerReport) -> None:
        assert report.chains.ok and not report.log_problems, report.problems
        find_cp(report, "history was rewritten", "stored #1")
        find_cp(report, "history was rewritten", "stored #2")

    return check


def delete_case_and_rebuild_log(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    raw.delete_rows([r.nid for r in raw.stream_rows(s.case_b)])
    raw.rebuild_log()

    def check(report: LedgerReport) -> None:
        assert not report.problems
        find_cp(report, "covers", "stored #2")

    return check


def truncate(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    rows = raw.rows()
    raw.delete_rows([r.nid for r in rows[-2:]])
    raw.rebuild_log()  # leaves, nodes and head made consistent with the shorter store

    def check(report: LedgerReport) -> None:
        assert not report.problems, report.problems
        c = find_cp(report, f"covers {s.cp2[0]} events but the log has only {s.cp2[0] - 2}", "stored #2")
        assert c.size == s.cp2[0]
        assert [c.ok for c in report.checkpoints] == [True, False]

    return check


def truncate_leaves_only(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    """The events stay, the last leaves are deleted (nodes and head untouched)."""
    rows = raw.rows()
    raw.x(f"DELETE FROM {raw.leaves} WHERE leaf_index >= ?", (len(rows) - 1,))
    return lambda report: find(report, "has no leaf", rows[-1].stream, rows[-1].version)


def alter_note_text(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    note = raw.x(f"SELECT note FROM {raw.checkpoints} WHERE seq = 1")[0][0]
    lines = note.split("\n")
    lines[1] = str(int(lines[1]) - 1)
    raw.x(f"UPDATE {raw.checkpoints} SET note = ? WHERE seq = 1", ("\n".join(lines),))
    return lambda report: find_cp(report, "signature or format", "stored #1")


def alter_checkpoint_columns(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    raw.x(f"UPDATE {raw.checkpoints} SET size = size - 1 WHERE seq = 2")
    raw.x(f"UPDATE {raw.checkpoints} SET root = ? WHERE seq = 1", (bytes(32),))

    def check(report: LedgerReport) -> None:
        find_cp(report, "stored size/root columns differ from the signed note", "stored #1")
        find_cp(report, "stored size/root columns differ from the signed note", "stored #2")

    return check


def delete_checkpoints(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    raw.x(f"DELETE FROM {raw.checkpoints}")
    return lambda report: find_cp(report, "no signed checkpoint in the store")


def alter_interior_node(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    raw.x(f"UPDATE {raw.nodes} SET hash = ? WHERE level = 1 AND idx = 2", (bytes(32),))
    return lambda report: find(report, "node (1, 2) is not the hash of its children", "(Merkle nodes)")


def alter_leaf_node(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    rows = raw.rows()
    raw.x(f"UPDATE {raw.nodes} SET hash = ? WHERE level = 0 AND idx = 5", (bytes(32),))

    def check(report: LedgerReport) -> None:
        p = find(report, "leaf 5 hash does not match the stored event", rows[5].stream, rows[5].version)
        assert p.position == rows[5].nid

    return check


def alter_head_frontier(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    (blob,) = raw.x(f"SELECT frontier FROM {raw.head}")[0]
    raw.x(f"UPDATE {raw.head} SET frontier = ?", (bytes(len(bytes(blob))),))
    return lambda report: find(report, "the stored head is", "(Merkle head)")


def alter_head_size(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    raw.x(f"UPDATE {raw.head} SET size = size + 1")
    return lambda report: find(report, "the stored head is", "(Merkle head)")


def delete_node(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    raw.x(f"DELETE FROM {raw.nodes} WHERE level = 2 AND idx = 0")
    return lambda report: find(report, "Merkle log:", "(Merkle nodes)")


def _forged_chain_perfect_note(raw: Raw, s: Scenario) -> tuple[int, str, bytes]:
    rows = raw.stream_rows(s.case_a)
    template = next(r for r in reversed(rows) if r.topic.endswith(".CaseNoteRecorded"))
    last = rows[-1]
    fields = decode(template.state)
    del fields["event_hash"]
    fields["prev_hash"] = decode(last.state)["event_hash"]
    fields["note_id"] = uuid.uuid4()
    version = last.version + 1
    h = event_digest(template.topic, s.case_a, version, fields)
    return version, template.topic, encode({**fields, "event_hash": h})


def _forge_at(nid: int) -> Callable[[Raw, Scenario], Callable[[LedgerReport], None]]:
    def forge(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
        """A chain-perfect note stored below the first id, where reading from id 1 never looks."""
        version, topic, state = _forged_chain_perfect_note(raw, s)
        raw.insert_row(s.case_a, version, topic, state, nid=nid)

        def check(report: LedgerReport) -> None:
            p = find(report, "has no leaf", s.case_a, version)
            assert p.position == nid
            assert report.chains.events == s.cp2[0] + 1  # every stored row was read

        return check

    forge.__name__ = f"forge_event_at_id_{'minus_' if nid < 0 else ''}{abs(nid)}"
    return forge


def bad_utf8_in_topic(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    """A text column holding bytes that are not UTF-8 (SQLite stores them; PostgreSQL refuses them)."""
    r = raw.row(s.case_a, 2)
    if raw.kind == "sqlite":
        raw.x(f"UPDATE {raw.events} SET topic = CAST(? AS TEXT) WHERE rowid = ?",
              (r.topic.encode()[:-1] + b"\xff", r.nid))
    else:
        raw.set_row(r.nid, topic=r.topic[:-1] + "\ufffd")

    def check(report: LedgerReport) -> None:
        p = find(report, "event hash does not match its content" if raw.kind != "sqlite" else "not UTF-8",
                 s.case_a, 2)
        assert p.position == r.nid

    return check


def checkpoint_sizes_decrease(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    """The two stored checkpoints swapped in the history: the later one is now smaller."""
    (a,) = raw.x(f"SELECT size, root, note FROM {raw.checkpoints} WHERE seq = 1")
    (b,) = raw.x(f"SELECT size, root, note FROM {raw.checkpoints} WHERE seq = 2")
    raw.x(f"UPDATE {raw.checkpoints} SET size = ?, root = ?, note = ? WHERE seq = 1", tuple(b))
    raw.x(f"UPDATE {raw.checkpoints} SET size = ?, root = ?, note = ? WHERE seq = 2", tuple(a))
    return lambda report: find_cp(report, f"smaller than the one before it (size {s.cp2[0]})", "stored #2")


def checkpoint_signed_in_the_future(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    raw.x(f"UPDATE {raw.checkpoints} SET signed_at = ? WHERE seq = 2", ("2999-01-01T00:00:00+00:00",))
    return lambda report: find_cp(report, "signed_at 2999-01-01T00:00:00+00:00 is in the future", "stored #2")


def checkpoint_signed_before_the_previous(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    raw.x(f"UPDATE {raw.checkpoints} SET signed_at = ? WHERE seq = 2", ("2001-01-01T00:00:00+00:00",))
    return lambda report: find_cp(report, "is before the previous checkpoint's", "stored #2")


def checkpoint_signed_at_garbled(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    raw.x(f"UPDATE {raw.checkpoints} SET signed_at = ? WHERE seq = 1", ("yesterday",))
    return lambda report: find_cp(report, "signed_at 'yesterday' is not an ISO 8601 time", "stored #1")


def rewrite_after_checkpoint_1_and_rebuild_log(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    """An event signed only by checkpoint 2 rewritten, chain and log rebuilt: only checkpoint 2 fails,
    and it names where the change lies (after checkpoint 1, which still matches)."""
    rows = raw.rows()
    target = next(r for r in rows[s.cp1[0]:] if r.stream == s.case_b)

    def edit(version: int, fields: dict[str, Any]) -> None:
        if version == target.version and "content" in fields:
            fields["content"]["facts"] = "Nothing to report."

    assert "content" in decode(target.state)
    rechain(raw, s.case_b, edit)
    raw.rebuild_log()

    def check(report: LedgerReport) -> None:
        assert not report.problems, report.problems
        c = find_cp(report, f"history was rewritten: the first changed event is at leaf {s.cp1[0]} or later, "
                            f"up to leaf {s.cp2[0] - 1} (the log up to leaf {s.cp1[0] - 1} matches", "stored #2")
        assert [x.ok for x in report.checkpoints] == [True, False]
        assert c.size == s.cp2[0]

    return check


def edit_snapshot(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    """A snapshot the ledger took of case A, its child's name and a note's facts edited in the snapshots table:
    the events are untouched, the application reads the case from the snapshot."""
    s.ledger.take_snapshot(s.case_a)
    version = s.ledger.case(s.case_a).version
    ((state,),) = raw.x(f"SELECT state FROM {raw.snapshots} WHERE originator_id = ? AND originator_version = ?",
                        (raw.key(s.case_a), version))
    fields = decode(bytes(state))
    fields["state"]["child"]["name"] = "Someone Else"
    note = next(iter(fields["state"]["notes"].values()))
    note["content"]["facts"] = "Nothing of concern was seen."
    raw.x(f"UPDATE {raw.snapshots} SET state = ? WHERE originator_id = ? AND originator_version = ?",
          (encode(fields), raw.key(s.case_a), version))
    reader = CaseLedger(s.db)
    try:
        assert reader.case(s.case_a).child["name"] == "Someone Else"  # what the application shows
    finally:
        reader.close()

    def check(report: LedgerReport) -> None:
        p = find(report, f"snapshot of stream {s.case_a} at version {version} does not match its events "
                         "(child, notes differ from the replayed record)", s.case_a, version)
        assert p.position == -1 and report.chains.ok and not report.log_problems
        assert report.snapshots == 1

    return check


def _weekly_use(s: Scenario, weeks: int) -> None:
    """The ledger in use for some weeks, a checkpoint signed at the end of each (the auditor's limit allows
    2 weeks' unsigned events, and more than 6 of them)."""
    s.verify_kwargs["tail_limit"] = TailLimit(events=6, days=14)
    for _ in range(weeks):
        s.clock.advance(days=7)
        add_notes(s.ledger, s.clock, s.case_b, 2, who="cp.worker")
        s.ledger.integrity.sign_checkpoint(s.key)
    assert s.verify().ok


def cut_checkpoint_history_and_rewrite(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    """Five weeks of weekly checkpoints; the stored history cut back to checkpoint 1, then an event signed
    only by the deleted ones rewritten, chain and log rebuilt: every kept checkpoint still matches."""
    _weekly_use(s, 5)
    raw.x(f"DELETE FROM {raw.checkpoints} WHERE seq > 1")
    target = next(r for r in raw.rows()[s.cp1[0]:] if r.stream == s.case_b and "content" in decode(r.state))

    def edit(version: int, fields: dict[str, Any]) -> None:
        if version == target.version:
            fields["content"]["facts"] = "Nothing to report."

    rechain(raw, s.case_b, edit)
    raw.rebuild_log()
    tail = len(raw.rows()) - s.cp1[0]

    def check(report: LedgerReport) -> None:
        assert not report.problems, report.problems
        assert report.unsigned_tail == tail and report.unsigned_days > 35
        c = find_cp(report, f"{tail} events over 35 days are not covered by any stored checkpoint", "stored history")
        assert "the checkpoint history may have been cut; compare with a checkpoint held outside" in c.problem
        assert "the latest stored checkpoint, #1 of size" in c.problem
        assert [x.ok for x in report.checkpoints] == [True, False]

    return check


def delete_latest_checkpoint(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    """Checkpoint 2 deleted from the store: what is left is a ledger whose newest events were never signed,
    but the auditor holds checkpoint 2, and the ledger stores every checkpoint it signs."""
    raw.x(f"DELETE FROM {raw.checkpoints} WHERE seq = 2")
    s.verify_kwargs["external"] = [("auditor-checkpoint-2.txt", s.cp2[1])]

    def check(report: LedgerReport) -> None:
        c = find_cp(report, f"this checkpoint (size {s.cp2[0]}) is not in the stored checkpoint history (its "
                            f"latest, #1, has size {s.cp1[0]}): stored checkpoints were deleted",
                    "auditor-checkpoint-2.txt")
        assert c.size == s.cp2[0]

    return check


def delete_middle_checkpoint(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
    raw.x(f"DELETE FROM {raw.checkpoints} WHERE seq = 1")
    return lambda report: find_cp(report, "checkpoint #1 is missing from the stored history before it", "stored #2")


def _bad_utf8_in_checkpoint(column: str) -> Callable[[Raw, Scenario], Callable[[LedgerReport], None]]:
    def tamper(raw: Raw, s: Scenario) -> Callable[[LedgerReport], None]:
        """Bytes that are not UTF-8 in a text column of the checkpoint history (SQLite stores them; PostgreSQL
        refuses them, so there the text is changed to a replacement character)."""
        ((value,),) = raw.x(f"SELECT {column} FROM {raw.checkpoints} WHERE seq = 1")
        if raw.kind == "sqlite":
            raw.x(f"UPDATE {raw.checkpoints} SET {column} = CAST(? AS TEXT) WHERE seq = 1",
                  (value.encode()[:-2] + b"\xff\xfe",))
        else:
            raw.x(f"UPDATE {raw.checkpoints} SET {column} = ? WHERE seq = 1", (value[:-2] + "\ufffd",))

        def check(report: LedgerReport) -> None:
            expected = {"note": "signature or format", "signed_at": "is not an ISO 8601 time"}[column]
            if raw.kind == "sqlite":
                expected = f"the stored {column} of checkpoint #1 is not UTF-8 text"
            find_cp(report, expected, "stored #1")
            assert [x.ok for x in report.checkpoints] == [False, True]

        return check

    tamper.__name__ = f"bad_utf8_in_checkpoint_{column}"
    return tamper


TAMPERS = [
    flip_bit,
    change_topic,
    change_case_id,
    move_to_other_case,
    change_version,
    delete_event,
    reorder_within_case,
    swap_notification_ids,
    delete_case,
    forge_event,
    rewrite_case,
    rewrite_case_and_log,
    delete_case_and_rebuild_log,
    truncate,
    truncate_leaves_only,
    alter_note_text,
    alter_checkpoint_columns,
    delete_checkpoints,
    alter_interior_node,
    alter_leaf_node,
    alter_head_frontier,
    delete_node,
    alter_head_size,
    _forge_at(-1),
    _forge_at(0),
    bad_utf8_in_topic,
    checkpoint_sizes_decrease,
    checkpoint_signed_in_the_future,
    checkpoint_signed_before_the_previous,
    checkpoint_signed_at_garbled,
    rewrite_after_checkpoint_1_and_rebuild_log,
    edit_snapshot,
    cut_checkpoint_history_and_rewrite,
    delete_latest_checkpoint,
    delete_middle_checkpoint,
    _bad_utf8_in_checkpoint("note"),
    _bad_utf8_in_checkpoint("signed_at"),
]


def _id(t: Any) -> str:
    fn = t.values[0] if hasattr(t, "values") else t
    return str(fn.__name__.replace("_", "-"))


@pytest.mark.parametrize("tamper", TAMPERS, ids=[_id(t) for t in TAMPERS])
def test_tampering_is_detected(
    s: Scenario, tamper: Callable[[Raw, Scenario], Callable[[LedgerReport], None]]
) -> None:
    assert s.verify().ok
    raw = s.raw()
    check = tamper(raw, s)
    report = s.verify()
    assert report.ok is False, report.as_dict()
    check(report)


# --- a whole store rebuilt by someone without the key ---


@pytest.fixture
def attacker_db(db: str, tmp_path: Path) -> Iterator[str]:
    if "://" not in db:
        yield str(tmp_path / "attacker.db")
        return
    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?schema={schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def copy_store(src: Raw, dst: Raw, *, checkpoints: bool) -> None:
    tables = [(src.leaves, dst.leaves), (src.nodes, dst.nodes), (src.head, dst.head)]
    if checkpoints:
        tables.append((src.checkpoints, dst.checkpoints))
    for s_table, d_table in tables:
        rows = src.table_rows(s_table)
        dst.x(f"DELETE FROM {d_table}")
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            dst.many(f"INSERT INTO {d_table} VALUES ({marks})", [tuple(r) for r in rows])
    rows = src.rows()
    dst.x(f"DELETE FROM {dst.events}")
    for r in rows:
        dst.insert_row(r.stream, r.version, r.topic, r.state, nid=r.nid)


@pytest.mark.parametrize(
    "keep_victim_checkpoints", [False, True], ids=["attacker-checkpoints", "victim-checkpoints"]
)
def test_store_rebuilt_consistently_elsewhere(
    s: Scenario, attacker_db: str, keep_victim_checkpoints: bool
) -> None:
    clock = Clock()
    attacker = CaseLedger(attacker_db, clock=clock)
    try:
        add_staff(attacker)
        for name in ("Amira Hassan", "Leo Marsh", "Zara Khan"):
            cid = attacker.cases.open(
                "jane.smith",
                child_name=name,
                date_of_birth=dt.date(2016, 5, 14),
                referral_date=dt.date(2026, 10, 28),
                referral_source="school",
                team="Assessment",
                worker="jane.smith",
            ).id
            add_notes(attacker, clock, cid, 3)
        attacker_key = SigningKey.generate(ORIGIN)  # same origin name, a different key
        attacker.integrity.sign_checkpoint(attacker_key)
        src = Raw(attacker_db, attacker)
        assert len(src.rows()) > s.cp2[0]
        dst = s.raw()
        copy_store(src, dst, checkpoints=not keep_victim_checkpoints)
        src.close()
    finally:
        attacker.close()
    # The copied store is self-consistent: only the checkpoints can tell.
    fresh = CaseLedger(s.db)
    try:
        if not keep_victim_checkpoints:
            assert verify_ledger(fresh.recorder, verifier=attacker_key.verifier()).ok
        report = verify_ledger(fresh.recorder, verifier=s.key.verifier())
    finally:
        fresh.close()
    assert report.ok is False
    assert not report.problems, report.problems
    if keep_victim_checkpoints:
        find_cp(report, "history was rewritten", "stored #1")
        find_cp(report, "history was rewritten", "stored #2")
    else:
        c = find_cp(report, "signature or format", "stored #1")
        assert c.size == 0


# --- an older copy of the database restored ---


def test_restored_older_copy_is_caught_by_the_auditors_checkpoint(
    ledger: CaseLedger, borough: Borough, clock: Clock, db: str, tmp_path: Path
) -> None:
    key = SigningKey.generate(ORIGIN)
    add_notes(ledger, clock, borough.case_id, 3)
    _, note1 = ledger.integrity.sign_checkpoint(key)
    size1 = ledger.integrity.event_count()
    backup = tmp_path / "backup.db"
    if "://" not in db:
        with sqlite3.connect(db) as src, sqlite3.connect(backup) as dst:
            src.backup(dst)
    add_notes(ledger, clock, borough.case_id, 3)
    cp2, note2 = ledger.integrity.sign_checkpoint(key)
    raw = Raw(db, ledger)
    try:
        if "://" not in db:
            with sqlite3.connect(backup) as src, sqlite3.connect(db) as dst:
                src.backup(dst)
        else:  # emulate the restore: delete the newer rows of every table
            nids = [r.nid for r in raw.rows()[size1:]]
            raw.delete_rows(nids)
            raw.x(f"DELETE FROM {raw.checkpoints} WHERE seq > 1")
            raw.rebuild_log()
        assert len(raw.rows()) == size1
    finally:
        raw.close()
    fresh = CaseLedger(db)
    try:
        # On its own the restored copy is a perfectly good ledger...
        alone = verify_ledger(fresh.recorder, verifier=key.verifier())
        assert alone.ok is True and alone.log_size == size1
        # ...but not against the checkpoint the auditor kept.
        report = verify_ledger(
            fresh.recorder,
            verifier=key.verifier(),
            external=[("auditor-note-2.txt", note2), ("auditor-note-1.txt", note1)],
        )
    finally:
        fresh.close()
    assert report.ok is False
    c = find_cp(report, f"covers {cp2.size} events but the log has only {size1}", "auditor-note-2.txt")
    assert "restored from an older backup" in c.problem
    assert [c.ok for c in report.checkpoints] == [True, False, True]


# --- 1,000 random bit flips ---


def test_random_bit_flips_are_all_detected(tmp_path: Path, clock: Clock) -> None:
    db = str(tmp_path / "flips.db")
    app = CaseLedger(db, clock=clock)
    key = SigningKey.generate(ORIGIN)
    try:
        add_staff(app)
        cid = app.cases.open(
            "jane.smith",
            child_name="Amira Hassan",
            date_of_birth=dt.date(2016, 5, 14),
            referral_date=dt.date(2026, 10, 28),
            referral_source="school",
            team="Assessment",
            worker="jane.smith",
        ).id
        add_notes(app, clock, cid, 20)
        app.integrity.sign_checkpoint(key)
    finally:
        app.close()
    verifier = key.verifier()
    checker = CaseLedger(db)
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        rows = [(int(n), bytes(st)) for n, st in conn.execute("SELECT rowid, state FROM stored_events")]
        assert 40 <= len(rows) <= 60
        assert verify_ledger(checker.recorder, verifier=verifier).ok
        rng = random.Random(0)
        chain_caught = 0
        start = time.monotonic()
        for _ in range(1000):
            nid, state = rows[rng.randrange(len(rows))]
            bit = rng.randrange(len(state) * 8)
            flipped = bytearray(state)
            flipped[bit // 8] ^= 1 << (bit % 8)
            conn.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (bytes(flipped), nid))
            report = verify_ledger(checker.recorder, verifier=verifier)
            conn.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (state, nid))
            assert report.ok is False, (nid, bit)
            positions = {p.position for p in report.problems}
            assert nid in positions, (nid, bit, report.problems)
            chain_caught += any(p.position == nid for p in report.chains.problems)
        elapsed = time.monotonic() - start
        assert verify_ledger(checker.recorder, verifier=verifier).ok
        # Every flip is caught by the Merkle log; the chain hash catches nearly all on its own.
        assert chain_caught >= 990, chain_caught
        assert elapsed < 60
    finally:
        conn.close()
        checker.close()


# --- a ledger with events but no checkpoint signed yet (issue 11) ---


def test_a_ledger_never_checkpointed_is_incomplete_not_tampered(
    borough: Borough, db: str, tmp_path: Path
) -> None:
    """A build that stopped before its first checkpoint: nothing is inconsistent, so verify says what it
    found (no checkpoint signed yet, how many events are not covered) and exits 2, not 1 (tampered)."""
    from click.testing import CliRunner

    from commands.cli import cli

    key_file = tmp_path / "ledger.key"
    SigningKey.generate(ORIGIN).save(key_file)
    events = borough.ledger.integrity.event_count()
    assert events > 0 and not borough.ledger.integrity.transparency.checkpoints()
    result = CliRunner().invoke(cli, ["verify", "--db", db, "--key", str(key_file)])
    assert result.exit_code == 2, result.output
    assert "TAMPERED" not in result.output
    assert (f"no checkpoint has been signed yet: the last {events} events are not covered by any checkpoint"
            in result.output)
    report = verify_ledger(borough.ledger.recorder, verifier=SigningKey.load(key_file).verifier())
    assert report.incomplete and not report.ok and not report.problems


# --- the store's own integrity check ---


def test_a_damaged_stream_index_is_caught_by_the_stores_integrity_check(s: Scenario) -> None:
    """SQLite: the events' (stream, version) index swapped with the leaves' index, so the application's
    stream lookups read the wrong b-tree while a scan in order still reads every row. PostgreSQL has no
    SQL that damages an index: there the report says what the store's check covered."""
    raw = s.raw()
    if raw.kind != "sqlite":
        report = s.verify()
        assert report.ok and ("amcheck" in report.store_check), report.store_check
        return  # amcheck's own run: test_postgresql_indexes_are_checked_by_amcheck
    raw.x("PRAGMA writable_schema = ON")
    (events_index,) = raw.x("SELECT rootpage FROM sqlite_schema WHERE name = 'sqlite_autoindex_stored_events_1'")[0]
    (leaves_index,) = raw.x("SELECT rootpage FROM sqlite_schema WHERE name = 'sqlite_autoindex_merkle_leaves_1'")[0]
    raw.x("UPDATE sqlite_schema SET rootpage = ? WHERE name = 'sqlite_autoindex_stored_events_1'", (leaves_index,))
    raw.x("UPDATE sqlite_schema SET rootpage = ? WHERE name = 'sqlite_autoindex_merkle_leaves_1'", (events_index,))
    raw.x("PRAGMA writable_schema = OFF")
    raw.close()
    report = s.verify()
    assert report.ok is False
    p = find(report, "the database's own integrity check failed (SQLite integrity_check)", "(store)")
    assert "missing from index sqlite_autoindex" in p.problem


def test_verifying_with_only_the_key_file_warns_loudly(s: Scenario, tmp_path: Path) -> None:
    """A replaced key file re-signs everything: plain verify says it trusts that file, and how not to."""
    from click.testing import CliRunner

    from commands.cli import cli

    key_file = tmp_path / "ledger.key"
    s.key.save(key_file)
    result = CliRunner().invoke(cli, ["verify", "--db", s.db, "--key", str(key_file)])
    assert result.exit_code == 0, result.output
    assert "Intact:" in result.stdout
    assert ("WARNING: verifying with the verifier of the signing key file "
            f"{key_file}, not a key you keep") in result.stderr
    pinned = CliRunner().invoke(
        cli, ["verify", "--db", s.db, "--verifier-key", s.key.verifier_key()])
    assert pinned.exit_code == 0 and "WARNING" not in pinned.stderr


# --- the documented limit of the threat model ---


def test_a_consistent_forged_append_passes_verify_and_the_next_checkpoint_signs_it(s: Scenario) -> None:
    """THE DOCUMENTED LIMIT OF THE THREAT MODEL, NOT A DESIRED BEHAVIOUR (README, "Threat model").

    Someone with database write access and the application's code, but no signing key, appends a
    note to Amira's case through the ledger's own save path (the hash chain link, Merkle leaf and
    nodes written as the application writes them), going around the access policy: no access
    attempt is recorded, the note names Jane Smith as its author. Nothing tells it from a real
    append: verify passes (one unsigned event), every earlier checkpoint, kept outside or stored,
    stays consistent with the extended log, and the next ``checkpoint`` signs it. Bounding this needs
    a signer that does not trust the database (a separate process counting what the application
    appended, or C2SP tlog-witness cosignatures); when one is built this test must change with it."""
    attacker = CaseLedger(s.db)  # the attacker's own process on the database: no channel, no access check
    try:
        before = attacker.integrity.event_count()
        case = attacker.case(s.case_a)
        forged_id = uuid.uuid4()
        now = s.clock.advance(minutes=30)
        case.record_case_note(actor=attacker.staff_member("jane.smith"), note_id=forged_id, kind="home_visit",
                              occurred_at=now - dt.timedelta(minutes=5), now=now,
                              content=note_content(facts="Mother was drunk and the children were alone."))
        attacker.store("forging a case note", case)
        assert attacker.integrity.event_count() == before + 1  # the note alone: no access attempt was recorded
    finally:
        attacker.close()
    outside = [("auditor-cp1.txt", s.cp1[1]), ("auditor-cp2.txt", s.cp2[1])]
    report = s.verify(external=outside)
    assert report.ok is True, report.as_dict()
    assert report.unsigned_tail == 1  # the only trace: one event no checkpoint covers yet
    cp, _ = s.ledger.integrity.sign_checkpoint(s.key)  # the next routine checkpoint
    assert cp.size == before + 1
    signed = s.verify(external=outside)
    assert signed.ok is True and signed.unsigned_tail == 0 and not signed.problems
    assert all(c.ok for c in signed.checkpoints) and len(signed.checkpoints) == 5
    shown = CaseLedger(s.db)
    try:
        assert shown.case(s.case_a).notes[str(forged_id)]["content"]["facts"] == \
            "Mother was drunk and the children were alone."
    finally:
        shown.close()


@pytest.fixture
def amcheck(db: str) -> None:
    """The amcheck extension installed in the test database (verify never installs it: it does not write)."""
    if "://" not in db:
        pytest.skip("amcheck is PostgreSQL's")
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        except psycopg.errors.UniqueViolation:  # created at the same moment by another test run
            pass


@pytest.mark.usefixtures("amcheck")
def test_postgresql_indexes_are_checked_by_amcheck(s: Scenario) -> None:
    """With amcheck installed, verify runs bt_index_check (named in the extension's schema) on every index of
    the ledger's tables, snapshots included, and a clean store passes."""
    s.ledger.take_snapshot(s.case_a)
    report = s.verify()
    assert report.ok, report.as_dict()
    (indexes,) = [int(n) for n in re.findall(r"^PostgreSQL amcheck bt_index_check on (\d+) indexes$",
                                             report.store_check)]
    # events (key, stream and version), leaves (key, event), nodes, head, checkpoints, snapshots
    assert indexes >= 7


def test_a_snapshot_that_does_not_hold_its_events_hash_is_not_read(s: Scenario) -> None:
    """A snapshot whose recorded hash of its last event is not the stored event's (a snapshot forged whole, or
    left from events since rewritten) is never served: the case is replayed from its events."""
    s.ledger.take_snapshot(s.case_a)
    version = s.ledger.case(s.case_a).version
    raw = s.raw()
    ((state,),) = raw.x(f"SELECT state FROM {raw.snapshots} WHERE originator_id = ? AND originator_version = ?",
                        (raw.key(s.case_a), version))
    fields = decode(bytes(state))
    fields["state"]["child"]["name"] = "Someone Else"
    fields["state"]["last_hash"] = bytes(32)
    raw.x(f"UPDATE {raw.snapshots} SET state = ? WHERE originator_id = ? AND originator_version = ?",
          (encode(fields), raw.key(s.case_a), version))
    reader = CaseLedger(s.db)
    try:
        assert reader.case(s.case_a).child["name"] == "Amira Hassan"
        assert reader.case(s.case_a, version=version).child["name"] == "Amira Hassan"
    finally:
        reader.close()
    report = s.verify()
    find(report, f"snapshot of stream {s.case_a} at version {version} does not match its events (child, "
                 "last_hash differ", s.case_a, version)


def test_verify_names_a_checkpoint_with_bad_utf8_and_a_cut_history_on_the_command_line(
        s: Scenario, tmp_path: Path) -> None:
    """Bytes that are not UTF-8 in the checkpoint history: tampered at that checkpoint (exit 1), not 'could not
    run' with the raw bytes; a tail beyond the limits given on the command line: not verified (exit 1)."""
    from click.testing import CliRunner

    from commands.cli import cli

    key = ["--verifier-key", s.key.verifier_key()]
    raw = s.raw()
    ok = CliRunner().invoke(cli, ["verify", "--db", s.db, *key])
    assert ok.exit_code == 0 and "stored snapshot" in ok.stdout, ok.output
    add_notes(s.ledger, s.clock, s.case_b, 2, who="cp.worker")
    cut = CliRunner().invoke(cli, ["verify", "--db", s.db, *key, "--max-unsigned-events", "2",
                                   "--max-unsigned-days", "0.01"])
    assert cut.exit_code == 1, cut.output
    assert cut.stdout.startswith("NOT VERIFIED (") and "TAMPERED" not in cut.stdout
    assert "5 events over 0 days are not covered by any stored checkpoint" in cut.stdout
    tail = CliRunner().invoke(cli, ["verify", "--db", s.db, *key])
    assert tail.exit_code == 0 and "5 newest events (recorded since 02 Nov 2026 " in tail.stdout, tail.output
    if raw.kind != "sqlite":
        return
    ((note,),) = raw.x(f"SELECT note FROM {raw.checkpoints} WHERE seq = 1")
    raw.x(f"UPDATE {raw.checkpoints} SET note = CAST(? AS TEXT) WHERE seq = 1", (note.encode() + b"\xff",))
    bad = CliRunner().invoke(cli, ["verify", "--db", s.db, *key])
    assert bad.exit_code == 1, bad.output
    assert "TAMPERED" in bad.stdout
    assert (f"checkpoint stored #1 (size {s.cp1[0]}): the stored note of checkpoint #1 is not UTF-8 text: its "
            "bytes were changed outside the ledger") in bad.stdout
