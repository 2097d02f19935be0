"""Cases over HTTP: the list, opening, the views (with ``as_of``), the commands on the case, the access
policy's refusals (403 with the rule and nothing of the record, recorded), purpose and break-glass,
and the same JSON as the command line's ``--json`` for the same case and moment. Both backends.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from commands.cli import main
from ledger.application import CaseLedger
from tests.api_support import Api, api_db, build_api, problem  # noqa: F401  (api_db: a fixture)
from tests.conftest import Clock
from tests.test_views import Story, build

CHILD_WORDS = ("Amira", "Hassan", "2016-05-14", "Jane Smith", "jane.smith", "hungry")
_stories: dict[str, Story] = {}


@pytest.fixture(scope="module")
def api(api_db: str) -> Iterator[Api]:  # noqa: F811
    def prepare(ledger: CaseLedger, clock: Clock) -> None:
        case_id = ledger.case_ids()[0]
        _stories[api_db] = build(ledger, clock, case_id)

    yield from build_api(api_db, prepare=prepare)


@pytest.fixture
def story(api: Api) -> Story:
    return _stories[api.db]


def cli_json(api: Api, *args: str, capsys: pytest.CaptureFixture[str]) -> Any:
    """What ``caseledger ARGS --json`` prints, run in this process against the same ledger."""
    capsys.readouterr()
    main([*args, "--db", api.db, "--json"])
    return json.loads(capsys.readouterr().out)


def assert_names_nothing_of_the_child(response: Any) -> None:
    for word in CHILD_WORDS:
        assert word not in response.text, (word, response.text)


# --- the list and opening a case ---------------------------------------------------------------------


def test_the_case_list_is_what_the_caller_may_open_each_recorded(api: Api) -> None:
    before = api.head()
    listed = api.get("/cases", "jane.smith").json()
    assert [(c["case_id"], c["child"], c["team"], c["worker"], c["status"]) for c in listed] == [
        (api.case_id, "Amira Hassan", "Assessment", "Jane Smith", "open")]
    assert [(str(a.case_id), a.part.value) for a in api.attempts_since(before)] == [(api.case_id, "case_list")]
    assert api.get("/cases", "cp.worker").json() == []  # another team's social worker: nothing to list


def test_opening_a_case_answers_201_with_where_it_is(api: Api) -> None:
    response = api.post("/cases", "grace.obi", json={
        "child_name": "Leo Marsh", "date_of_birth": "2019-03-02", "referral_date": "2026-10-30",
        "referral_source": "health visitor", "team": "Assessment", "worker": "omar.farah"})
    assert response.status_code == 201, response.text
    opened = response.json()
    assert opened["version"] == 1 and response.headers["location"] == f"/api/v1/cases/{opened['case_id']}"
    view = api.get(f"/cases/{opened['case_id']}", "omar.farah").json()
    assert (view["child"]["name"], view["allocation"]["worker"]) == ("Leo Marsh", "Omar Farah, Senior Practitioner")


@pytest.mark.parametrize(("body", "field"), [
    ({"date_of_birth": "2019-03-02"}, "child_name"),
    ({"child_name": "Leo Marsh", "date_of_birth": "2nd March"}, "date_of_birth"),
    ({"child_name": "Leo Marsh", "date_of_birth": "2019-03-02", "colour": "blue"}, "colour"),
    ({"child_name": " ", "date_of_birth": "2019-03-02"}, "child_name"),
], ids=["missing-name", "bad-date", "unknown-field", "blank-name"])
def test_opening_a_case_with_bad_input_names_the_field_and_writes_nothing(api: Api, body: dict[str, Any],
                                                                        field: str) -> None:
    full = {"referral_date": "2026-10-30", "referral_source": "school", "team": "Assessment",
            "worker": "jane.smith", **body}
    before = api.head()
    found = problem(api.post("/cases", "jane.smith", json=full), 422)
    assert found["field"] == field, found
    assert api.head() == before


def test_opening_a_case_for_an_unknown_worker_is_404(api: Api) -> None:
    found = problem(api.post("/cases", "jane.smith", json={
        "child_name": "Leo Marsh", "referral_date": "2026-10-30", "date_of_birth": "2019-03-02",
        "referral_source": "school", "team": "Assessment", "worker": "no.body"}), 404)
    assert "no.body" in found["detail"]


# --- the views -----------------------------------------------------------------------------------------


def test_the_views_answer_what_the_cli_answers_for_the_same_case_and_moment(
        api: Api, story: Story, capsys: pytest.CaptureFixture[str]) -> None:
    cid = api.case_id
    moment = f"@{story.points[8][1]}"
    pairs = [
        (f"/cases/{cid}", ["case", "view", cid]),
        (f"/cases/{cid}?as_of={moment}", ["case", "view", cid, "--as-of", moment]),
        (f"/cases/{cid}?as_of=2026-11-02T09:30:00%2B00:00", ["case", "view", cid, "--as-of", "2026-11-02 09:30"]),
        (f"/cases/{cid}/chronology", ["chronology", cid]),
        (f"/cases/{cid}/chronology?format=court", ["chronology", cid, "--court"]),
        (f"/cases/{cid}/chronology?as_of={moment}", ["chronology", cid, "--as-of", moment]),
        (f"/cases/{cid}/summary?as_of={moment}", ["summary", cid, "--as-of", moment]),
        (f"/cases/{cid}/summary", ["summary", cid]),
        (f"/cases/{cid}/history", ["history", cid]),
        (f"/cases/{cid}/history?as_of={moment}", ["history", cid, "--as-of", moment]),
    ]
    for path, command in pairs:
        response = api.get(path, "grace.obi")
        assert response.status_code == 200, (path, response.text)
        assert response.json() == cli_json(api, *command, "--as", "grace.obi", capsys=capsys), path
    court = api.get(f"/cases/{cid}/chronology?format=court", "grace.obi").json()["entries"]
    plain = api.get(f"/cases/{cid}/chronology", "grace.obi").json()["entries"]
    assert len(court) > len(plain) and {e["title"] for e in plain} <= {e["title"] for e in court}


def test_as_of_answers_the_case_as_it_stood(api: Api, story: Story) -> None:
    _, position, version = story.points[3]
    view = api.get(f"/cases/{api.case_id}?as_of=@{position}", "jane.smith").json()
    assert view["version"] == version
    assert view["version"] < api.get(f"/cases/{api.case_id}", "jane.smith").json()["version"]


@pytest.mark.parametrize("as_of", ["@twelve", "yesterday", "2026-13-40 10:00"])
def test_a_bad_as_of_is_refused_naming_it(api: Api, as_of: str) -> None:
    assert problem(api.get(f"/cases/{api.case_id}", "jane.smith", params={"as_of": as_of}), 422)["field"] == "as_of"


def test_a_moment_before_the_case_existed_is_404(api: Api) -> None:
    found = problem(api.get(f"/cases/{api.case_id}/summary", "jane.smith", params={"as_of": "2020-01-01 09:00"}), 404)
    assert "did not exist yet" in found["detail"]


def test_a_bad_chronology_format_is_refused_naming_it(api: Api) -> None:
    assert problem(api.get(f"/cases/{api.case_id}/chronology?format=html", "jane.smith"), 422)["field"] == "format"


def test_deleted_notes_text_is_withheld_from_those_who_may_not_read_it(api: Api, story: Story) -> None:
    deleted = str(story.ids["wrong"])
    manager = api.get(f"/cases/{api.case_id}/history", "grace.obi")
    worker = api.get(f"/cases/{api.case_id}/history", "jane.smith")
    assert "Call about a different child" in manager.text and "caseledger-withheld" not in manager.headers
    assert "Call about a different child" not in worker.text
    assert any(r["ref"] == deleted and "withheld" in r for r in worker.json())
    assert "team manager" in worker.headers["caseledger-withheld"]


def test_an_unknown_case_is_404_and_recorded(api: Api) -> None:
    before = api.head()
    found = problem(api.get(f"/cases/{uuid.uuid4()}", "jane.smith"), 404)
    assert found["error"] == "NotFound"
    (attempt,) = api.attempts_since(before)
    assert attempt.outcome.value == "denied" and attempt.rule_id == "no_such_case"


# --- the access policy: refusals, purpose, break-glass -------------------------------------------------


@pytest.mark.parametrize("path", ["", "/chronology", "/summary", "/history", "/chronology?as_of=@3"])
def test_a_denied_read_answers_403_with_the_rule_and_nothing_of_the_child(api: Api, path: str) -> None:
    before = api.head()
    response = api.get(f"/cases/{api.case_id}{path}", "cp.worker")
    found = problem(response, 403)
    assert found["detail"].startswith("access denied: ") and "Kofi Mensah" in found["detail"]
    assert_names_nothing_of_the_child(response)
    (attempt,) = api.attempts_since(before)
    assert (attempt.actor["staff_id"], attempt.outcome.value) == ("cp.worker", "denied")


def test_a_purpose_opens_an_unrestricted_record_flagged_for_review(api: Api) -> None:
    before = api.head()
    response = api.get(f"/cases/{api.case_id}/summary", "cp.worker",
                       headers={"X-Purpose": "Covering the duty desk for the Assessment team today"})
    assert response.status_code == 200, response.text
    (attempt,) = api.attempts_since(before)
    assert attempt.outcome.value == "granted" and attempt.flag.value == "review"
    assert attempt.purpose == "Covering the duty desk for the Assessment team today"
    query = api.get(f"/cases/{api.case_id}/summary", "cp.worker",
                    params={"purpose": "Covering the duty desk for the Assessment team today"})
    assert query.status_code == 200


def test_a_bad_break_glass_basis_is_refused_naming_the_header(api: Api) -> None:
    found = problem(api.get(f"/cases/{api.case_id}", "cp.worker", headers={"X-Break-Glass": "curiosity"}), 422)
    assert found["field"] == "X-Break-Glass" and "concern_for_safety" in found["detail"]
    found = problem(api.get(f"/cases/{api.case_id}", "cp.worker", params={"break_glass": "curiosity"}), 422)
    assert found["field"] == "break_glass"


# --- commands on the case ------------------------------------------------------------------------------


def test_allocation_closing_and_reopening_follow_who_may_act(api: Api) -> None:
    opened = api.post("/cases", "grace.obi", json={
        "child_name": "Mia Long", "date_of_birth": "2018-01-09", "referral_date": "2026-10-30",
        "referral_source": "police", "team": "Assessment", "worker": "jane.smith"}).json()
    cid = opened["case_id"]
    before = api.head()
    found = problem(api.post(f"/cases/{cid}/allocation", "jane.smith", json={
        "team": "Assessment", "worker": "omar.farah", "reason": "Jane is going on long-term leave"}), 403)
    assert "Jane Smith" in found["detail"] and "Mia" not in found["detail"]
    assert [a.outcome.value for a in api.attempts_since(before)] == ["granted"]  # her own case; the rule refused
    allocated = api.post(f"/cases/{cid}/allocation", "grace.obi", json={
        "team": "Assessment", "worker": "omar.farah", "reason": "Jane is going on long-term leave"})
    assert allocated.status_code == 200 and allocated.json()["worker"]["staff_id"] == "omar.farah"
    problem(api.post(f"/cases/{cid}/close", "omar.farah", json={"reason": "No further role for the service"}), 403)
    closed = api.post(f"/cases/{cid}/close", "grace.obi", json={"reason": "Needs met by universal services now"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    found = problem(api.post(f"/cases/{cid}/close", "grace.obi", json={"reason": "Needs met by universal services"}),
                    422)
    assert "closed" in found["detail"]
    reopened = api.post(f"/cases/{cid}/reopen", "grace.obi", json={"reason": "A new referral from the school nurse"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    assert problem(api.post(f"/cases/{cid}/reopen", "grace.obi", json={}), 422)["field"] == "reason"


def test_restriction_and_need_to_know_grants(api: Api) -> None:
    opened = api.post("/cases", "grace.obi", json={
        "child_name": "Noah Price", "date_of_birth": "2017-06-01", "referral_date": "2026-10-30",
        "referral_source": "school", "team": "Assessment", "worker": "jane.smith"}).json()
    cid = opened["case_id"]
    refused = problem(api.post(f"/cases/{cid}/restriction", "grace.obi", json={
        "kind": "temporary", "reason": "Family member is a councillor, protect their privacy"}), 403)
    assert "Noah" not in refused["detail"]
    restricted = api.post(f"/cases/{cid}/restriction", "helen.cole", json={
        "kind": "temporary", "reason": "Family member is a councillor, protect their privacy"})
    assert restricted.status_code == 200, restricted.text
    assert problem(api.post(f"/cases/{cid}/restriction", "helen.cole", json={"kind": "secret", "reason": "x"}),
                   422)["field"] == "kind"
    # omar is in the team but not named: refused, nothing of the child; break-glass opens it, flagged
    response = api.get(f"/cases/{cid}", "omar.farah")
    problem(response, 403)
    assert "Noah" not in response.text
    before = api.head()
    glass = api.get(f"/cases/{cid}", "omar.farah", headers={
        "X-Purpose": "Police called out of hours, the child reported missing tonight",
        "X-Break-Glass": "concern_for_safety"})
    assert glass.status_code == 200 and glass.json()["child"]["name"] == "Noah Price"
    (attempt,) = api.attempts_since(before)
    assert (attempt.basis, attempt.flag.value) == ("concern_for_safety", "alert")
    granted = api.post(f"/cases/{cid}/grants", "helen.cole", json={
        "staff": "omar.farah", "reason": "Omar covers the case while Jane is on leave", "until": "2026-12-31 17:00"})
    assert granted.status_code == 200, granted.text
    assert api.get(f"/cases/{cid}", "omar.farah").status_code == 200
    assert api.post(f"/cases/{cid}/grants/omar.farah/renew", "helen.cole", json={
        "reason": "Jane's leave is extended into the new year", "until": "2027-01-31 17:00"}).status_code == 200
    assert problem(api.post(f"/cases/{cid}/grants/omar.farah/renew", "helen.cole", json={
        "reason": "Jane's leave is extended again", "until": "next week"}), 422)["field"] == "until"
    assert api.post(f"/cases/{cid}/grants/omar.farah/revoke", "helen.cole", json={
        "reason": "Jane is back from leave and holds the case"}).status_code == 200
    problem(api.get(f"/cases/{cid}", "omar.farah"), 403)
    assert api.post(f"/cases/{cid}/restriction/lift", "helen.cole", json={
        "reason": "The councillor has stood down; no reason to restrict now"}).status_code == 200
    assert api.get(f"/cases/{cid}", "omar.farah").status_code == 200


def test_the_views_conform_to_their_documented_models(api: Api) -> None:
    from pydantic import TypeAdapter

    from commands.api import models as m

    cid = api.case_id
    for path, model in [(f"/cases/{cid}", m.CaseView), (f"/cases/{cid}/chronology", m.Chronology),
                        (f"/cases/{cid}/summary", m.SummaryView), (f"/cases/{cid}/history", list[m.HistoryRow]),
                        ("/cases", list[m.CaseLine]), ("/me", m.Me), ("/hazards", m.Hazards),
                        ("/compliance", m.Compliance), ("/projections/status", m.ProjectionStatus)]:
        response = api.get(path, "grace.obi")
        assert response.status_code == 200, (path, response.text)
        TypeAdapter(model).validate_python(response.json())
    problem_body = api.get(f"/cases/{cid}", "cp.worker").json()
    m.Problem.model_validate(problem_body)
