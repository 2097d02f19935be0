"""The per-case read views materialised (chronology, case view, summary), on SQLite and PostgreSQL.

Materialised == the pure functions of the case; rebuilt == incremental (in any batch size);
rows and position written atomically; ``caseledger chronology`` reads the rows, unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import Tracking

from commands.cli_views import chronology_csv, chronology_table
from commands.render import dumps
from ledger.application import CaseLedger
from ledger.records.case import CaseRecord
from projections import runner, views
from projections.caseviews import Chronology, _dumps, read_case_view, read_chronology, read_summary
from projections.store import MemoryView
from tests.conftest import Borough, Clock, add_staff
from tests.test_views import at, build

EXE = Path(sys.executable).parent / "caseledger"
NAMES = ("chronology", "case_view", "summary")


def stored(led: CaseLedger, name: str) -> dict[str, list[dict[str, Any]]]:
    view = runner.view_of(led, name)
    return {t: view.rows(t) for t in view.view_tables}


def assert_matches(led: CaseLedger, case_id: uuid.UUID) -> None:
    """Every materialised view of the case equals the pure function of the case now."""
    case = led.case(case_id)
    for court in (False, True):
        found = read_chronology(runner.view_of(led, "chronology"), case_id, court=court)
        assert found is not None
        meta, entries = found
        assert entries == views.chronology(case, court=court)
        assert (meta.id, meta.version, meta.child) == (case.id, case.version, case.child)
    assert read_case_view(runner.view_of(led, "case_view"), case_id) == json.loads(_dumps(views.case_view(case)))
    assert read_summary(runner.view_of(led, "summary"), case_id) == json.loads(
        _dumps(views.summary_view(case, now=case.modified_on)))


def more(led: CaseLedger, clock: Clock, case_id: uuid.UUID) -> None:
    """After the story: another note amended then deleted, a chronology entry, a closure."""
    clock.advance(days=1)
    note = led.casework.record_note("jane.smith", case_id, kind="home_visit", occurred_at=at(3, 10, month=11),
                                    facts="Visited; Amira was at school.", finalise=True)
    led.casework.amend_note("jane.smith", case_id, note, facts="Visited; Amira was at her aunt's.",
                            reason="Wrong place written")
    led.casework.record("jane.smith", case_id, kind="chronology_entry", occurred_at=at(3, 11, month=11),
                        event_date=dt.date(2026, 11, 3), what_happened="Amira joined the school choir",
                        category="achievement", positive=True)
    led.casework.delete_note("grace.obi", case_id, note, reason="Duplicate of another note")
    led.cases.close("grace.obi", case_id, reason="Needs now met by universal services")


def test_materialised_equals_computed_and_rebuilt_equals_incremental(borough: Borough, clock: Clock) -> None:
    led, cid = borough.ledger, borough.case_id
    for name in NAMES:
        runner.catch_up(led, name)
    assert_matches(led, cid)
    story = build(led, clock, cid)  # incl. a deleted note and an amended one
    for name in NAMES:
        runner.catch_up(led, name, batch=3)  # small batches: many transactions, each case once per batch
    assert_matches(led, cid)
    wrong = str(story.ids["wrong"])
    _, court = read_chronology(runner.view_of(led, "chronology"), cid, court=True)  # type: ignore[misc]
    assert wrong not in {e.source_id for e in court}
    call = next(e for e in court if e.source_id == str(story.ids["call"]))
    assert "aunt" in call.title  # the amended text
    rows_before = len(stored(led, "chronology")["view_chronology"])
    more(led, clock, cid)
    for name in NAMES:
        assert runner.catch_up(led, name) > 0
        assert runner.position(led, name) == runner.head(led)
    assert_matches(led, cid)
    incremental = {n: stored(led, n) for n in NAMES}
    assert len(incremental["chronology"]["view_chronology"]) > rows_before
    for name in NAMES:
        result = runner.rebuild(led, name)
        assert result["position"] == runner.head(led)
        assert stored(led, name) == incremental[name]
    # batch size 1 (each event computed at its own version) ends at the same rows
    for name in NAMES:
        view = runner.view_of(led, name)
        view.replace_all({}, None, led.name)
        runner.catch_up(led, name, batch=1)
        assert stored(led, name) == incremental[name]


def test_closures_and_re_openings_are_materialised(borough: Borough, clock: Clock) -> None:
    led, cid = borough.ledger, borough.case_id
    build(led, clock, cid)
    more(led, clock, cid)  # ends with a closure
    clock.advance(days=2)
    led.cases.reopen("grace.obi", cid, reason="New referral from the school")
    for name in NAMES:
        runner.catch_up(led, name, batch=4)
    assert_matches(led, cid)
    _, entries = read_chronology(runner.view_of(led, "chronology"), cid)  # type: ignore[misc]
    assert [e.title for e in entries if e.category == "closure"] == [
        "Case closed: Needs now met by universal services", "Case re-opened: New referral from the school"]
    incremental = stored(led, "chronology")
    runner.rebuild(led, "chronology")
    assert stored(led, "chronology") == incremental


def catch_up_all(led: CaseLedger) -> None:
    for name in NAMES:
        runner.catch_up(led, name)


def test_a_deleted_note_leaves_the_rows(borough: Borough, clock: Clock) -> None:
    """The case's rows are replaced: a row no longer computed (a deleted note's) is deleted."""
    led, cid = borough.ledger, borough.case_id
    catch_up_all(led)
    n = len(stored(led, "chronology")["view_chronology"])
    note = led.casework.record_note("jane.smith", cid, kind="home_visit", occurred_at=at(29, 15), finalise=True,
                                    facts="Seen at home.")
    catch_up_all(led)
    assert len(stored(led, "chronology")["view_chronology"]) == n + 1  # the note's court row
    assert_matches(led, cid)
    led.casework.delete_note("grace.obi", cid, note, reason="Recorded on the wrong child in error")
    catch_up_all(led)
    assert len(stored(led, "chronology")["view_chronology"]) == n
    assert_matches(led, cid)


def test_unbatched_events_compute_each_at_its_version(borough: Borough, clock: Clock) -> None:
    led, cid = borough.ledger, borough.case_id
    build(led, clock, cid)
    one_by_one = MemoryView(Chronology.tables)
    proj = Chronology(one_by_one, led)
    for event, tracking in runner.events(led, Chronology, gt=0, stop=runner.head(led)):
        proj.process_event(event, tracking)
    folded, _, _ = runner.fold(led, Chronology)
    assert one_by_one.data == folded.data
    assert read_chronology(one_by_one, cid)[1] == views.chronology(led.case(cid))  # type: ignore[index]


class Failing(Chronology):
    """Fails when it computes the case's rows at version ``at``."""

    at = 0

    def replace_case(self, cid: str, case: CaseRecord, position: int) -> None:
        if case.version == self.at:
            raise RuntimeError("boom")
        super().replace_case(cid, case, position)


def test_rows_and_position_are_written_together(borough: Borough, clock: Clock) -> None:
    led, cid = borough.ledger, borough.case_id
    runner.catch_up(led, "chronology")
    before, position = stored(led, "chronology"), runner.position(led, "chronology")
    build(led, clock, cid)
    failing = Failing(runner.view_of(led, "chronology"), led)  # type: ignore[arg-type]
    failing.at = led.case(cid).version
    with pytest.raises(RuntimeError, match="boom"):
        runner.catch_up(led, "chronology", projection=failing)
    assert stored(led, "chronology") == before and runner.position(led, "chronology") == position
    assert runner.catch_up(led, "chronology") > 0
    catch_up_all(led)
    assert_matches(led, cid)
    # a batch computed on a stale position writes nothing (compare-and-set)
    view = runner.view_of(led, "chronology")
    proj = Chronology(view, led)  # type: ignore[arg-type]
    with pytest.raises(runner.TrackingConflict):
        with view.batch(led.name, position), proj.batched():
            proj.process_event(runner.EventHeader(cid, 1, ""), Tracking(led.name, runner.head(led)))
    assert runner.position(led, "chronology") == runner.head(led)


def run(*args: str) -> str:
    # Every read is by somebody (the access policy): here the team manager of the case's team.
    proc = subprocess.run([str(EXE), *args, "--as", "grace.obi"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_chronology_command_reads_the_rows_unchanged(db: str, clock: Clock) -> None:
    led = CaseLedger(db, clock=clock)
    try:
        add_staff(led)
        cid = led.cases.open("jane.smith", child_name="Amira Hassan", date_of_birth=dt.date(2016, 5, 14),
                             referral_date=dt.date(2026, 10, 28), referral_source="school", team="Assessment",
                             worker="jane.smith").id
        clock.advance(hours=1)
        opened = runner.head(led)
        build(led, clock, cid)
        more(led, clock, cid)
        case = led.case(cid)
    finally:
        led.close()
    short = str(cid)[:8]
    assert run("chronology", short, "--db", db).rstrip("\n") == chronology_table(
        case.child, views.chronology(case), "Chronology")
    assert run("chronology", short, "--db", db, "--court", "--format", "csv").rstrip("\n") == chronology_csv(
        views.chronology(case, court=True)).rstrip("\n")
    data = json.loads(run("chronology", short, "--db", db, "--format", "json"))
    assert data == json.loads(dumps({"case_id": case.id, "version": case.version, "child": case.child["name"],
                                     "court": False, "as_of": None,
                                     "entries": [x.as_dict() for x in views.chronology(case)]}))
    status = {r["projection"]: r for r in json.loads(run("projections", "status", "--db", db, "--json"))["projections"]}
    assert status["chronology"]["lag"] == 0  # the read caught it up
    # --as-of keeps computing from the case as it stood
    early = json.loads(run("chronology", short, "--db", db, "--format", "json", "--as-of", f"@{opened}"))
    assert early["version"] == 1 and early["as_of"] == f"@{opened}"


def test_rebuild_command_names_the_per_case_views(tmp_path: Path, clock: Clock) -> None:
    db = str(tmp_path / "ledger.db")
    led = CaseLedger(db, clock=clock)
    try:
        add_staff(led)
        led.cases.open("jane.smith", child_name="Amira Hassan", date_of_birth=dt.date(2016, 5, 14),
                       referral_date=dt.date(2026, 10, 28), referral_source="school", team="Assessment",
                       worker="jane.smith")
    finally:
        led.close()
    every = json.loads(run("projections", "rebuild", "--db", db, "--json"))["rebuilt"]
    assert [r["projection"] for r in every] == ["hazards", "cases", *NAMES]
    one = json.loads(run("projections", "rebuild", "chronology", "--db", db, "--json"))["rebuilt"]
    assert one[0]["rows"]["view_chronology_cases"] == 1
