"""Materialised projections (hazard register, case index), on SQLite and PostgreSQL.

Rebuilt == incremental; "as of" == what the view held at that point; position == head after a
catch-up; rows and position written atomically; the CLI end to end.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import Tracking

from ledger.application import LONDON, CaseLedger
from projections import runner
from projections.caseindex import case_index
from projections.hazards import HazardRegister, register
from projections.store import TrackingConflict
from tests.conftest import Clock, add_staff

EXE = Path(sys.executable).parent / "caseledger"
NAMES = ("hazards", "cases")


def alert(kind: str = "hazard", **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"kind": kind, "started_on": dt.date(2026, 11, 1), "description": f"{kind} concern",
                            "source_document": "Police notification", "source_date": dt.date(2026, 10, 30),
                            "review_date": dt.date(2027, 1, 15)}
    if kind == "hazard":
        base["type"] = "dangerous_pet"
    if kind == "mappa_alert":
        base["person"] = "An adult in the household"
    return {**base, **over}


def open_case(led: CaseLedger, child: str, team: str = "Assessment", worker: str = "jane.smith") -> uuid.UUID:
    return led.cases.open(worker, child_name=child, date_of_birth=dt.date(2016, 5, 14),
                          referral_date=dt.date(2026, 10, 28), referral_source="school", team=team,
                          worker=worker).id


def scenario(led: CaseLedger, clock: Clock) -> list[Callable[[], Any]]:
    """Steps: cases opened, alerts recorded, reviewed, updated and ended, re-allocated, closed."""
    ids: dict[str, Any] = {}

    def s1() -> None:
        add_staff(led)
        ids["a"] = open_case(led, "Amira Hassan")
        ids["b"] = open_case(led, "Ben Carter", team="Child Protection", worker="cp.worker")
        ids["c"] = open_case(led, "Chloe Dunn")

    def s2() -> None:
        clock.advance(hours=2)
        ids["ha"] = led.casework.record("jane.smith", ids["a"], **alert())
        ids["hb"] = led.casework.record("cp.worker", ids["b"], **alert("mappa_alert"))
        ids["hc"] = led.casework.record("jane.smith", ids["c"], **alert("risk_to_children",
                                                                          review_date=dt.date(2026, 12, 1)))
        led.casework.record_note("jane.smith", ids["a"], kind="home_visit", finalise=True,
                                 occurred_at=clock.now - dt.timedelta(hours=1), facts="Seen at home.")

    def s3() -> None:
        clock.advance(days=40)  # the alert on Chloe's case is now overdue for review
        led.casework.update("grace.obi", ids["a"], ids["ha"], action="review", outcome="Dog still there",
                            next_review_date=dt.date(2027, 3, 1))
        led.casework.update("jane.smith", ids["a"], ids["ha"], action="update", description="Two large dogs")
        led.cases.allocate("grace.obi", ids["a"], team="Assessment", worker="omar.farah", reason="Worker on leave")

    def s4() -> None:
        clock.advance(days=3)
        led.casework.update("cp.worker", ids["b"], ids["hb"], action="end", reason="Person moved out of area")
        ids["hb2"] = led.casework.record("cp.worker", ids["b"], **alert(review_date=dt.date(2027, 2, 1)))
        led.cases.allocate("liam.walsh", ids["b"], team="Child Protection", worker="liam.walsh",
                           reason="Manager holds the case")

    def s5() -> None:
        clock.advance(days=1)
        led.cases.close("grace.obi", ids["c"], reason="Needs met by universal services now")
        led.staff.record_leaving("admin", "sam.hd", reason="Moved to another authority")  # not a case event

    def s6() -> None:
        clock.advance(days=1)
        led.cases.reopen("grace.obi", ids["c"], reason="New referral from school received")
        led.casework.update("grace.obi", ids["c"], ids["hc"], action="review", outcome="Still relevant",
                            next_review_date=dt.date(2027, 2, 20))

    return [s1, s2, s3, s4, s5, s6]


def stored(led: CaseLedger, name: str) -> dict[str, list[dict[str, Any]]]:
    view = runner.view_of(led, name)
    return {t: view.rows(t) for t in view.view_tables}


def in_memory(view: Any) -> dict[str, list[dict[str, Any]]]:
    return {t: view.rows(t) for t in view.tables}


@pytest.fixture
def led(db: str, clock: Clock) -> Any:
    app = CaseLedger(db, clock=clock)
    try:
        yield app
    finally:
        app.close()


def test_rebuilt_equals_incremental_and_as_of_equals_what_it_held(led: CaseLedger, clock: Clock) -> None:
    snapshots: list[tuple[int, dt.datetime, dict[str, Any]]] = []
    for step in scenario(led, clock):
        step()
        for name in NAMES:
            runner.catch_up(led, name, batch=3)  # small batches: several transactions per catch-up
            assert runner.position(led, name) == runner.head(led)
        snapshots.append((runner.head(led), clock.now, {n: stored(led, n) for n in NAMES}))
    incremental = {n: stored(led, n) for n in NAMES}
    for name in NAMES:
        runner.rebuild(led, name)
        assert runner.position(led, name) == runner.head(led)
    assert {n: stored(led, n) for n in NAMES} == incremental

    hazards = incremental["hazards"]["view_hazards"]
    assert {h["kind"] for h in hazards} == {"hazard", "risk_to_children"}  # the MAPPA alert ended
    cases = {r["child"]: r for r in incremental["cases"]["view_cases"]}
    assert cases["Amira Hassan"]["worker_id"] == "omar.farah" and cases["Chloe Dunn"]["status"] == "open"
    assert cases["Amira Hassan"]["events"] == led.case(cases["Amira Hassan"]["case_id"]).version
    assert cases["Chloe Dunn"]["last_position"] == max(r["last_position"] for r in cases.values())

    # "as of" each point, by position and by time: exactly what the stored view held then
    for position, when, then in snapshots:
        for name in NAMES:
            view, reached, _ = runner.replay(led, name, upto=position)
            assert reached == position and in_memory(view) == then[name], (name, position)
            view, _, _ = runner.replay(led, name, until=when)
            assert in_memory(view) == then[name], (name, when)


def test_register_reads_overdue_first_and_filters(led: CaseLedger, clock: Clock) -> None:
    steps = scenario(led, clock)
    for step in steps[:3]:
        step()
    runner.catch_up(led, "hazards")
    view = runner.view_of(led, "hazards")
    rows = register(view, today=clock.now.date())
    assert [r["overdue"] for r in rows] == [True, False, False]
    assert rows[0]["child"] == "Chloe Dunn" and rows[0]["kind"] == "risk_to_children"
    amira = next(r for r in rows if r["child"] == "Amira Hassan")
    assert amira["worker"] == "Omar Farah" and amira["description"] == "Two large dogs"
    assert amira["review_date"] == "2027-03-01" and amira["last_reviewed"] == clock.now.date().isoformat()
    assert [r["child"] for r in register(view, today=clock.now.date(), team="child protection")] == ["Ben Carter"]
    assert len(register(view, today=clock.now.date(), overdue_only=True)) == 1
    steps[3]()
    steps[4]()  # Chloe's case closed: her alert leaves the register unless asked for
    runner.catch_up(led, "hazards")
    assert "Chloe Dunn" not in {r["child"] for r in register(view, today=clock.now.date())}
    assert "Chloe Dunn" in {r["child"] for r in register(view, today=clock.now.date(), include_closed=True)}
    assert [r["child"] for r in case_index(runner.view_of(led, "cases"), status="closed")] == []


def test_position_reaches_the_head_even_when_the_last_events_are_not_its_topics(led: CaseLedger,
                                                                                  clock: Clock) -> None:
    for step in scenario(led, clock)[:2]:
        step()
    runner.catch_up(led, "hazards")
    led.staff.add("admin", staff_id="new.sw", full_name="New Worker", designation="Social Worker",
                  team="Assessment", roles=["social_worker"])
    assert runner.status(led, ["hazards"])[0]["lag"] == 1
    assert runner.catch_up(led, "hazards") == 0
    assert runner.position(led, "hazards") == runner.head(led)
    assert runner.status(led)[0]["lag"] == 0


class FailingRegister(HazardRegister):
    """Fails on one notification id, as a bug or a crash would."""

    fail_at = -1

    def apply(self, event: Any, tracking: Tracking) -> None:  # type: ignore[override]
        if tracking.notification_id == self.fail_at:
            raise RuntimeError("boom")
        super().apply(event, tracking)


@pytest.mark.parametrize("batch", [1, 1000])
def test_rows_and_position_are_written_atomically(led: CaseLedger, clock: Clock, batch: int) -> None:
    steps = scenario(led, clock)
    steps[0]()
    runner.catch_up(led, "hazards")
    before_pos, before_rows = runner.position(led, "hazards"), stored(led, "hazards")
    steps[1]()
    hazard_events = [tr.notification_id for _, tr in runner.events(led, HazardRegister, gt=before_pos,
                                                                      stop=runner.head(led))]
    fail_at = hazard_events[1]  # the second alert recorded
    failing = FailingRegister(runner.view_of(led, "hazards"))
    failing.fail_at = fail_at
    with pytest.raises(Exception, match="boom"):
        runner.catch_up(led, "hazards", batch=batch, projection=failing)
    pos = runner.position(led, "hazards")
    assert pos < fail_at
    if batch == 1:
        assert pos == hazard_events[0]  # the event before committed with its rows, the failing one did not
    else:
        assert pos == before_pos and stored(led, "hazards") == before_rows  # the whole batch rolled back
    view, _, _ = runner.replay(led, "hazards", upto=pos)
    assert stored(led, "hazards") == in_memory(view)  # rows exactly match the position
    runner.catch_up(led, "hazards")  # a healthy run then carries on from there
    view, _, _ = runner.replay(led, "hazards")
    assert stored(led, "hazards") == in_memory(view) and runner.position(led, "hazards") == runner.head(led)


def test_a_batch_computed_on_a_stale_position_writes_nothing(led: CaseLedger, clock: Clock) -> None:
    steps = scenario(led, clock)
    steps[0]()
    runner.catch_up(led, "cases")
    pos, rows = runner.position(led, "cases"), stored(led, "cases")
    view = runner.view_of(led, "cases")
    with pytest.raises(TrackingConflict):
        with view.batch(led.name, pos - 1):  # another process moved it meanwhile
            view.put("view_cases", "x", {"case_id": "x", "events": 1})
            view.insert_tracking(Tracking(led.name, pos + 5))
    assert runner.position(led, "cases") == pos and stored(led, "cases") == rows


def cli(db: str, *args: str) -> Any:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
    proc = subprocess.run([str(EXE), *args, "--db", db, "--json"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_cli_end_to_end(db: str, clock: Clock) -> None:
    clock.now = min(clock.now, dt.datetime.now(LONDON))  # the CLI's own clock is the real one
    led = CaseLedger(db, clock=clock)
    try:
        for step in scenario(led, clock)[:2]:
            step()
        mid = runner.head(led)
    finally:
        led.close()
    status = {r["projection"]: r for r in cli(db, "projections", "status")["projections"]}
    assert status["hazards"]["position"] == 0 and status["hazards"]["lag"] == mid
    ran = cli(db, "projections", "run", "--once")
    assert all(r["lag"] == 0 for r in ran["projections"]) and ran["applied"]["cases"] > 0
    rebuilt = cli(db, "projections", "rebuild")["rebuilt"]
    assert {r["projection"]: r["position"] for r in rebuilt} == {
        "hazards": mid, "cases": mid, "chronology": mid, "case_view": mid, "summary": mid}
    out = cli(db, "hazards", "--as", "helen.cole")
    assert out["position"] == mid and len(out["hazards"]) == 3
    assert out["hazards"][0]["review_date"] == "2026-12-01"  # the earliest review first
    hazards = cli(db, "hazards", "--as", "helen.cole", "--team", "Child Protection")["hazards"]
    assert {h["team"] for h in hazards} == {"Child Protection"}

    led = CaseLedger(db, clock=clock)
    try:
        steps = scenario(led, clock)
        clock.advance(hours=1)
        case_b = next(r for r in stored(led, "cases")["view_cases"] if r["child"] == "Ben Carter")["case_id"]
        hid = next(h["record_id"] for h in out["hazards"] if h["case_id"] == case_b)
        led.casework.update("cp.worker", case_b, hid, action="end", reason="Person moved out of area")
        del steps
    finally:
        led.close()
    assert cli(db, "projections", "status")["projections"][0]["lag"] > 0
    after = cli(db, "hazards", "--as", "helen.cole")  # the read command catches up first
    assert len(after["hazards"]) == 2
    # caught up, and then the read recorded one access attempt per case it showed (the cases of its
    # hazards), which are the only events after the projection's position
    shown = len({h["case_id"] for h in after["hazards"]})
    assert shown == 2 and cli(db, "projections", "status")["projections"][0]["lag"] == shown
    then = cli(db, "hazards", "--as", "helen.cole", "--as-of", str(mid))
    strip = lambda rows: [{k: v for k, v in r.items() if k != "overdue"} for r in rows]  # noqa: E731
    assert then["position"] == mid and strip(then["hazards"]) == strip(out["hazards"])
