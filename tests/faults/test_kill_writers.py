"""kill -9 of a writer process at random moments (issue 15): nothing acknowledged is lost.

On each backend (a SQLite file; a PostgreSQL schema of its own), writer processes record finalised
case notes in a loop and each is killed with SIGKILL at a random moment (seeded): 30 kills a
backend, ``CASELEDGER_FAULT_KILLS`` for more (``bench/faults.py`` runs larger counts). The writers,
the kills and every check are in :mod:`tests.faults.writers`. Afterwards:

- every note a writer acknowledged (its ``ok`` line, written after ``casework.record_note`` returned)
  is on its case, once, finalised; an interrupted command left nothing half-written;
- a writer's stored notes are those it acknowledged plus, at most, the one it was writing when it
  died: committed, but killed before it could say so. That is allowed (the user saw no answer) and
  counted as "committed but killed before their ok line";
- every stream (cases, staff, access logs) has versions 1..n, every stored note has its recorded
  access attempt before it, the Merkle log has one leaf per stored event, ``verify`` passes, and on
  SQLite ``PRAGMA integrity_check`` says ok;
- the next command after the kills works.

The figures are printed (``pytest -s`` shows them): kills, notes acknowledged, lost, stored,
committed-but-unacknowledged, access attempts whose note never committed.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from ledger.application import CaseLedger
from tests.faults.writers import WRITER, build_ledger, check_ledger, kill_writers

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

KILLS = int(os.environ.get("CASELEDGER_FAULT_KILLS", "30"))


def test_writers_killed_at_random_moments_lose_no_acknowledged_note_and_leave_nothing_half_written(
        db: str) -> None:
    case_ids = build_ledger(db)
    runs = kill_writers(db, case_ids, KILLS, seed=15)
    assert runs.kills == KILLS

    app = CaseLedger(db, create=False)
    try:
        now = dt.datetime.now(dt.UTC)
        after = app.casework.record_note(WRITER, case_ids[0], kind="telephone_call", finalise=True,
                                         occurred_at=now - dt.timedelta(minutes=5), facts="A call after the kills.")
        assert app.case(case_ids[0]).notes[str(after)]["status"] == "final"
    finally:
        app.close()

    figures = check_ledger(db, case_ids, runs)
    backend = "postgresql" if db.startswith("postgresql") else "sqlite"
    print("\n" + figures.line(f"kill -9 of a writer, {backend}"))
    assert figures.lost == 0 and figures.verified
    assert figures.stored == figures.acknowledged + figures.beyond_acknowledged
