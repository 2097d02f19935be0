"""Roll-backs over HTTP (policy s.13), on both backends: request, show, list, refuse, decline, withdraw,
agree, carry out and the monitoring report, with the problem bodies of each refusal. The JSON is the
command line's ``--json`` (a test compares ``rollback show``).

The story is ``tests.test_rollback.story``: Amira's child and family assessment authorised with the
completion date; the helpdesk (Sam Hughes) asks to roll it back, raised by Grace Obi (team manager).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from ledger.application import CaseLedger
from tests.api_support import Api, api_db, build_api, problem  # noqa: F401  (api_db: a fixture)
from tests.conftest import Borough, Clock
from tests.test_rollback import REASON, Story, story
from tests.test_rollback_cli import run

STORY: dict[str, Story] = {}


@pytest.fixture(scope="module")
def api(api_db: str) -> Iterator[Api]:  # noqa: F811
    def prepare(ledger: CaseLedger, clock: Clock) -> None:
        STORY[api_db] = story(Borough(ledger, ledger.case_ids()[0]), clock)

    yield from build_api(api_db, prepare=prepare)


def asked(api: Api, **changes: Any) -> dict[str, Any]:
    s = STORY[api.db]
    return {"case": str(s.case_id), "matter": "cf_assessment_authorised", "reason": REASON, "raised_by": "grace.obi",
            "before_milestone": str(s.wrong), **changes}


def test_a_roll_back_declined_and_one_withdrawn(api: Api) -> None:
    s = STORY[api.db]
    point = {"before_milestone": None, "point_version": s.point}
    first = api.post("/rollbacks", "sam.hd", json=asked(api, **point))
    assert first.status_code == 201, first.text
    first = first.json()
    assert "cannot also decline it" in problem(api.post(f"/rollbacks/{first['id']}/decline", "grace.obi", json={
        "reason": "The date recorded is the right one after all"}), 403)["detail"]  # she raised it
    declined = api.post(f"/rollbacks/{first['id']}/decline", "helen.cole",
                        json={"reason": "The date recorded is the right one after all"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined", declined.text
    second = api.post("/rollbacks", "sam.hd", json=asked(api, **point)).json()
    assert "withdraw" in problem(api.post(f"/rollbacks/{second['id']}/withdraw", "jane.smith",
                                          json={"reason": "Raised on the wrong case by mistake"}), 403)["detail"]
    withdrawn = api.post(f"/rollbacks/{second['id']}/withdraw", "grace.obi",
                         json={"reason": "Raised on the wrong case by mistake"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn", withdrawn.text


def test_the_list_and_the_monitoring_report(api: Api) -> None:
    s = STORY[api.db]
    api.post("/rollbacks", "sam.hd", json=asked(api, before_milestone=None, point_version=s.point))
    rows = api.get("/rollbacks", "helen.cole").json()
    assert rows and all(r["case_id"] == str(s.case_id) for r in rows)
    assert [r["requested_at"] for r in rows] == sorted(r["requested_at"] for r in rows)
    requested = api.get("/rollbacks", "helen.cole", params={"status": "requested"}).json()
    assert requested and {r["status"] for r in requested} == {"requested"}
    assert api.get("/rollbacks", "helen.cole", params={"team": "Child Protection"}).json() == []
    assert problem(api.get("/rollbacks", "helen.cole", params={"status": "lost"}), 422)["field"] == "status"
    assert "list" in problem(api.get("/rollbacks", "jane.smith"), 403)["detail"]

    report = api.get("/rollbacks/report", "helen.cole", params={"alert_rate": 1}).json()
    assert report["totals"]["requests"] == len(rows) and report["highlighted_teams"] == ["Assessment"]
    assert set(report["per_team"]) == {"Assessment"} and "cf_assessment_authorised" in report["per_matter"]
    code, out, err = run(api.db, "rollback", "report", "--as", "helen.cole", "--alert-rate", "1", "--json")
    assert code == 0, err
    cli = json.loads(out)  # (its clock is the real one: what is open here has expired there)
    assert [r["id"] for r in cli["requests"]] == [r["id"] for r in report["requests"]]
    assert cli["totals"]["requests"] == report["totals"]["requests"]
    assert cli["per_team"].keys() == report["per_team"].keys()
    assert api.get("/rollbacks/report", "helen.cole", params={"from": "2030-01-01"}).json()["requests"] == []
    assert problem(api.get("/rollbacks/report", "helen.cole", params={"from": "soon"}), 422)["field"] == "from"
    assert problem(api.get("/rollbacks/report", "helen.cole", params={"from": "2026-12-01", "to": "2026-11-01"}),
                   422)["field"] == "from"
    assert problem(api.get("/rollbacks/report", "helen.cole", params={"alert_rate": -1}), 422)["field"] == "alert_rate"


def test_a_roll_back_requested_shown_agreed_and_carried_out(api: Api) -> None:
    s = STORY[api.db]
    made = api.post("/rollbacks", "sam.hd", json=asked(api))
    assert made.status_code == 201, made.text
    body = made.json()
    rid = body["id"]
    assert made.headers["location"] == f"/api/v1/rollbacks/{rid}"
    assert body["status"] == "requested" and body["case_id"] == str(s.case_id)
    assert [e["id"] for e in body["would_supersede"]] == [str(s.wrong), str(s.cin)]
    assert {str(s.note), str(s.hazard), str(s.decision)} <= {k["ref"] for k in body["casework_kept"]}
    assert body["may_decide"][0] == "helen.cole"

    shown = api.get(f"/rollbacks/{rid[:8]}", "helen.cole").json()
    code, out, err = run(api.db, "rollback", "show", rid, "--as", "helen.cole", "--json")
    assert code == 0, err
    cli = json.loads(out)
    for key in ("id", "casework_kept", "point", "history", "child", "matter", "reason"):
        # (not what depends on the time: the command line runs on the real clock, where it has expired)
        assert shown[key] == cli[key], key

    # refusals: who may, and the rules of the request, each a problem naming the rule
    other_team = problem(api.post(f"/rollbacks/{rid}/agree", "liam.walsh"), 403)
    assert "Liam Walsh is the team manager of the Child Protection team" in other_team["detail"]
    not_agreed = problem(api.post(f"/rollbacks/{rid}/carry-out", "sam.hd"), 422)
    assert "has not been agreed" in not_agreed["detail"] and not_agreed["error"] == "RuleViolation"
    assert "only the helpdesk may request a roll-back" in problem(
        api.post("/rollbacks", "jane.smith", json=asked(api)), 403)["detail"]
    assert problem(api.post("/rollbacks", "sam.hd", json=asked(api, before_milestone=None, point_at="yesterday")),
                   422)["field"] == "point_at"
    assert problem(api.post("/rollbacks", "sam.hd", json=asked(api, matter="moon_landing")), 422)["detail"]
    assert problem(api.post("/rollbacks", "sam.hd", json={**asked(api), "urgent": True}), 422)["field"] == "urgent"
    assert problem(api.post("/rollbacks/0000dead/agree", "helen.cole"), 404)["error"] == "NotFound"
    assert problem(api.post(f"/rollbacks/{rid}/decline", "helen.cole", json={"reason": "no"}), 422)["field"] == "reason"
    problem(api.client.post(f"/api/v1/rollbacks/{rid}/agree"), 401)

    agreed = api.post(f"/rollbacks/{rid}/agree", "helen.cole")
    assert agreed.status_code == 200 and agreed.json()["status"] == "agreed", agreed.text
    done = api.post(f"/rollbacks/{rid}/carry-out", "sam.hd").json()
    assert done["status"] == "carried_out" and done["carried_out_by"] == "Sam Hughes"
    superseded = api.ledger_do(lambda led: {str(m["id"]) for m in led.case(s.case_id).milestones
                                            if m.get("superseded_by")})
    assert {str(s.wrong), str(s.cin)} <= superseded
