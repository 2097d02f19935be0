"""Ledgers built by earlier code still load, verify and read the same (tests/data/README-ledgers.md)."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest

from ledger.application import CaseLedger
from ledger.integrity.checkpoint import VerifierKey
from ledger.integrity.verify import verify_ledger
from ledger.records.case import CaseRecord
from projections.views import chronology

DATA = Path(__file__).parent / "data"
BUILT_BY_1FF5529 = DATA / "ledger-built-by-1ff5529.db"
VERIFIER_1FF5529 = "demo-borough.example/caseledger+0bc4d31d+AfTnUdX5DPFLL7wsS3M0o+KrKuxjqYtS/v58qWRercHv"


@pytest.fixture
def old_ledger(tmp_path: Path) -> Path:
    copy = tmp_path / "old.db"
    shutil.copy(BUILT_BY_1FF5529, copy)
    return copy


def _snapshotted_case(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        (key,) = conn.execute("SELECT originator_id FROM stored_snapshots").fetchone()
    return str(uuid.UUID(str(key)))


def test_a_ledger_built_before_class_version_2_verifies_with_its_old_snapshot(old_ledger: Path) -> None:
    """Its snapshot lacks the closure history and holds the S47 fold of that time: verify compares
    it on the fields it held, upcast, and finds it matches its events (no false 'tampered')."""
    app = CaseLedger(str(old_ledger), create=False)
    try:
        report = verify_ledger(app.recorder, verifier=VerifierKey.from_string(VERIFIER_1FF5529), tail_limit=None)
        assert report.ok, (report.chains, report.log_problems, report.snapshot_problems)
        assert (report.log_size, report.snapshots) == (316, 1)
        assert all(c.ok for c in report.checkpoints) and report.checkpoints
    finally:
        app.close()


def test_an_edited_old_snapshot_is_still_caught(old_ledger: Path) -> None:
    with sqlite3.connect(old_ledger) as conn:
        (state,) = conn.execute("SELECT state FROM stored_snapshots").fetchone()
        name = b"Forged Name"
        from ledger.integrity.encoding import decode, encode
        fields = decode(bytes(state))
        fields["state"]["child"] = {**fields["state"]["child"], "name": "Forged Name"}
        conn.execute("UPDATE stored_snapshots SET state = ?", (encode(fields),))
    app = CaseLedger(str(old_ledger), create=False)
    try:
        report = verify_ledger(app.recorder, verifier=VerifierKey.from_string(VERIFIER_1FF5529), tail_limit=None)
        assert not report.ok
        assert [p.problem.split(" does not match")[0] for p in report.snapshot_problems] == [
            f"snapshot of stream {_snapshotted_case(old_ledger)} at version 100"]
        assert "(child differ" in report.snapshot_problems[0].problem
        assert name.decode() not in app.case(_snapshotted_case(old_ledger)).child["name"]
    finally:
        app.close()


def test_the_old_snapshot_is_not_read_the_record_is_replayed_from_its_events(old_ledger: Path) -> None:
    """A snapshot of an older class version cannot hold what that class did not keep, so the
    record is replayed from its events: it reads exactly as a replay does."""
    app = CaseLedger(str(old_ledger), create=False)
    try:
        case_id = _snapshotted_case(old_ledger)
        read = app.case(case_id)
        aggregate: CaseRecord | None = None
        for event in app.events.get(read.id):
            aggregate = event.mutate(aggregate)
        replayed = aggregate
        assert replayed is not None
        assert read.version == replayed.version > 100
        assert chronology(read) == chronology(replayed)
        assert read.closure_history == replayed.closure_history
        assert read.process == replayed.process
    finally:
        app.close()


def test_the_old_ledger_reads_as_it_did_before_the_packages(old_ledger: Path) -> None:
    """Its chronology (plain and court), case view and summary, as the code before issue 12's move
    to packages computed them (tests/data/ledger-built-by-1ff5529.views.json, written by the
    code of commit b460e6a): a move of modules changes no stored name and nothing read."""
    import dataclasses
    import datetime as dt
    import json

    from projections import views
    from projections.plain import jsonable

    expected = json.loads((DATA / "ledger-built-by-1ff5529.views.json").read_text())
    app = CaseLedger(str(old_ledger), create=False)
    try:
        got = {}
        for cid in app.case_ids():
            case = app.case(cid)
            got[str(cid)] = {
                "chronology": jsonable([dataclasses.asdict(e) for e in views.chronology(case)]),
                "court_chronology": jsonable([dataclasses.asdict(e) for e in views.chronology(case, court=True)]),
                "case_view": jsonable(views.case_view(case, today=dt.date(2026, 12, 7))),
                "summary": jsonable(views.summary_view(case, now=dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC))),
            }
    finally:
        app.close()
    assert json.loads(json.dumps(got)) == expected
