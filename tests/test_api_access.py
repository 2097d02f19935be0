"""Investigating access over HTTP, on both backends: the access report (JSON as the command line's
``--json``, CSV with ``Accept: text/csv``), its evidence bundle and FHIR export, the alert list (with
repeated failed sign-ins from one address), reviews; each refusal's problem body; and the audit of the
audit (EHR-S FM TI.2.2#04): every such use is an access attempt of the person who made it, so an access
report on an investigator shows the reports they ran, over the API and over the command line.

The borough of ``tests.conftest``: Kofi Mensah (cp.worker, Child Protection) opened Amira's summary,
not his case, with a stated reason (flagged for review); Helen Cole is the service manager, Ann Dale the
auditor.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from commands.api import Settings
from ledger.access.bundle import verify_bundle
from ledger.application import CaseLedger
from ledger.integrity.checkpoint import SigningKey
from tests.api_support import Api, api_db, build_api, problem  # noqa: F401  (api_db: a fixture)
from tests.conftest import Clock
from tests.test_rollback_cli import run

PURPOSE = "Covering the duty desk for the Assessment team today"
WHOLE = {"from": "2020-01-01", "to": "2035-12-31"}  # every attempt, whatever the clock


@pytest.fixture(scope="module")
def api(api_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:  # noqa: F811
    key = tmp_path_factory.mktemp("key") / "ledger.key"
    SigningKey.generate("test-borough.example/caseledger").save(key)

    def prepare(ledger: CaseLedger, clock: Clock) -> None:
        ledger.access.open_record("cp.worker", ledger.case_ids()[0], "summary", purpose=PURPOSE)
        ledger.integrity.sign_checkpoint(SigningKey.load(key))

    yield from build_api(api_db, settings=lambda db: Settings(db=db, key=str(key)), prepare=prepare)


def of_access_log(api: Api, since: int) -> list[Any]:
    return [a for a in api.attempts_since(since) if a.part.value == "access_log"]


def test_the_access_report_as_json_is_the_command_lines_and_is_itself_recorded(api: Api) -> None:
    before = api.head()
    response = api.get("/access/report", "helen.cole", params={"staff": "cp.worker", **WHOLE})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["subject"] == {"kind": "staff", "staff_id": "cp.worker", "name": "Kofi Mensah"}
    (row,) = [r for r in report["attempts"] if r["part"] == "summary"]
    assert row["purpose"] == PURPOSE and row["child_name"] == "Amira Hassan"  # Helen may see the name
    assert [f["kind"] for f in row["flags"]] == ["self_claim"]
    (ran,) = of_access_log(api, before)
    assert (ran.actor["staff_id"], ran.outcome.value, ran.case_id, ran.case_ref, ran.item) == (
        "helen.cole", "granted", None, "staff cp.worker", "access report")
    assert ran.origin["client"] == "testclient" and ran.origin["credential"].startswith("token:")

    code, out, err = run(api.db, "access", "report", "--as", "helen.cole", "--staff", "cp.worker",
                         "--from", WHOLE["from"], "--to", WHOLE["to"], "--json")
    assert code == 0, err
    assert json.loads(out) == report

    by_case = api.get("/access/report", "ann.audit", params={"case": api.case_id[:8]}).json()
    assert by_case["subject"]["case_id"] == api.case_id
    assert {r["staff_id"] for r in by_case["attempts"]} >= {"cp.worker", "helen.cole"}  # (she saw the name)
    by_name = api.get("/access/report", "helen.cole", params={"case": "amira"}).json()
    assert by_name["subject"]["case_id"] == api.case_id
    assert of_access_log(api, before)[-1].case_ref == "case named 'amira'"


def test_the_access_report_as_csv(api: Api) -> None:
    response = api.get("/access/report", "helen.cole", params={"staff": "cp.worker", **WHOLE},
                       headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert any(r["part"] == "summary" and r["purpose"] == PURPOSE and r["flags"] == "self_claim" for r in rows)
    assert {r["staff_id"] for r in rows} == {"cp.worker"}


def test_the_csv_says_where_an_attempt_over_http_came_from(api: Api) -> None:
    """An attempt made over HTTP (Helen's report, itself recorded) carries the client address, the user
    agent and the token it was made with, in the CSV as in the JSON."""
    api.get("/access/report", "helen.cole", params={"staff": "cp.worker", **WHOLE})
    response = api.get("/access/report", "ann.audit", params={"staff": "helen.cole"}, headers={"Accept": "text/csv"})
    rows = [r for r in csv.DictReader(io.StringIO(response.text)) if r["part"] == "access_log"]
    assert rows, response.text
    assert {(r["client"], r["user_agent"], r["credential"]) for r in rows} == {
        ("testclient", "testclient", f"token:{api.token_ids['helen.cole']}")}


def test_who_may_not_read_the_access_log_is_refused_and_recorded(api: Api) -> None:
    before = api.head()
    response = api.get("/access/report", "jane.smith", params={"staff": "cp.worker"})
    refused = problem(response, 403)
    assert "reading the access log" in refused["detail"] and "Jane Smith is a social worker" in refused["detail"]
    assert "Kofi" not in response.text
    for path in ("/access/report/evidence", "/access/report/fhir"):
        problem(api.get(path, "jane.smith", params={"staff": "cp.worker"}), 403)
    problem(api.get("/access/alerts", "grace.obi"), 403)
    attempts = of_access_log(api, before)
    assert [(a.actor["staff_id"], a.outcome.value, a.item) for a in attempts] == [
        ("jane.smith", "denied", "access report"), ("jane.smith", "denied", "access report: evidence bundle"),
        ("jane.smith", "denied", "access report: FHIR AuditEvent export"), ("grace.obi", "denied", "alert list")]
    assert all(a.rule_id == "not_access_log_reader" for a in attempts)
    problem(api.client.get("/api/v1/access/report", params={"staff": "cp.worker"}), 401)


def test_bad_report_queries_name_the_field_and_record_nothing(api: Api) -> None:
    before = api.head()
    for params, field in [({}, "staff"), ({"staff": "cp.worker", "case": api.case_id}, "staff"),
                          ({"staff": "cp.worker", "from": "last week"}, "from"),
                          ({"staff": "cp.worker", "from": "2026-11-02", "to": "2026-11-01"}, "to"),
                          ({"staff": "cp.worker", "bulk_cases": 1}, "bulk_cases"),
                          ({"staff": "cp.worker", "bulk_minutes": 0}, "bulk_minutes")]:
        assert problem(api.get("/access/report", "helen.cole", params=params), 422)["field"] == field, params
    assert api.attempts_since(before) == []
    missing = problem(api.get("/access/report", "helen.cole", params={"staff": "nobody.here"}), 404)
    assert "nobody.here" in missing["detail"]
    assert problem(api.get("/access/report", "helen.cole", params={"case": "zzzz"}), 404)["error"] == "NotFound"


def test_the_evidence_bundle_and_the_fhir_export(api: Api) -> None:
    before = api.head()
    response = api.get("/access/report/evidence", "helen.cole", params={"staff": "cp.worker", **WHOLE})
    assert response.status_code == 200, response.text
    bundle = response.json()
    checked = verify_bundle(response.text, bundle["verifier_key"])
    assert checked.ok, checked.problems
    assert bundle["report"]["subject"]["staff_id"] == "cp.worker"
    fhir = api.get("/access/report/fhir", "helen.cole", params={"staff": "cp.worker", **WHOLE}).json()
    assert fhir["resourceType"] == "Bundle" and fhir["type"] == "collection"
    assert len(fhir["entry"]) == len(bundle["report"]["attempts"])
    assert {e["resource"]["resourceType"] for e in fhir["entry"]} == {"AuditEvent"}
    assert [a.item for a in of_access_log(api, before)] == ["access report: evidence bundle",
                                                             "access report: FHIR AuditEvent export"]


def test_a_server_without_its_key_answers_503_for_the_evidence_bundle(api: Api, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from commands.api import create_app

    app = create_app(Settings(db=api.db, key=str(tmp_path / "missing.key"), clock=api.clock))
    with TestClient(app) as client:
        response = client.get("/api/v1/access/report/evidence", headers=api.auth("helen.cole"),
                              params={"staff": "cp.worker"})
    found = problem(response, 503)
    assert found["error"] == "NoSigningKey" and "serve --key" in found["detail"]
    assert "missing.key" not in response.text


def test_the_alert_list_shows_flagged_attempts_and_repeated_failed_sign_ins(api: Api) -> None:
    for _ in range(5):
        problem(api.client.get("/api/v1/me", headers={"Authorization": "Bearer clt_not-a-real-token"}), 401)
    before = api.head()
    alerts = api.get("/access/alerts", "helen.cole").json()
    assert any(a["staff_id"] == "cp.worker" and a["purpose"] == PURPOSE for a in alerts["alerts"])
    (address,) = [a for a in alerts["failed_sign_ins"]["addresses"] if a["client"] == "testclient"]
    assert address["failures"] >= 5 and address["reasons"].get("malformed", 0) >= 5
    (ran,) = of_access_log(api, before)
    assert (ran.actor["staff_id"], ran.item) == ("helen.cole", "alert list")
    code, out, err = run(api.db, "access", "alerts", "--as", "helen.cole", "--json")
    assert code == 0, err
    # (the command line runs on the real clock: its own read of the list may be flagged out of hours)
    def on_records(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [a for a in found if a["part"] != "access_log"]

    assert on_records(json.loads(out)["alerts"]) == on_records(alerts["alerts"])


def test_a_review_takes_an_attempt_off_the_alert_list(api: Api) -> None:
    (alert,) = [a for a in api.get("/access/alerts", "helen.cole").json()["alerts"] if a["staff_id"] == "cp.worker"]
    note = {"attempt": alert["ref"], "outcome": "appropriate", "note": "Kofi covered the duty desk that day; agreed"}
    assert "Ann Dale is" in problem(api.post("/access/reviews", "ann.audit", json=note), 403)["detail"]
    assert problem(api.post("/access/reviews", "helen.cole", json={**note, "outcome": "fine"}), 422)["detail"]
    assert problem(api.post("/access/reviews", "helen.cole", json={**note, "attempt": "A999999"}), 404)["detail"]
    assert problem(api.post("/access/reviews", "helen.cole", json={**note, "tone": "kind"}), 422)["field"] == "tone"
    before = api.head()
    response = api.post("/access/reviews", "helen.cole", json=note)
    assert response.status_code == 201, response.text
    assert response.json()["outcome"] == "appropriate" and response.json()["reviewed_by"]["staff_id"] == "helen.cole"
    (ran,) = of_access_log(api, before)
    assert (ran.item, ran.case_ref, ran.action.value) == ("review of a flagged attempt", f"attempt {alert['ref']}",
                                                          "write")
    assert "already reviewed" in problem(api.post("/access/reviews", "helen.cole", json=note), 422)["detail"]
    left = api.get("/access/alerts", "helen.cole").json()["alerts"]
    assert alert["ref"] not in {a["ref"] for a in left}


def test_an_access_report_on_an_investigator_shows_the_reports_they_ran_over_the_api_and_the_cli(api: Api) -> None:
    assert api.get("/access/report", "helen.cole", params={"staff": "jane.smith", **WHOLE}).status_code == 200
    code, _, err = run(api.db, "access", "report", "--as", "helen.cole", "--case", api.case_id, "--json")
    assert code == 0, err

    on_helen = api.get("/access/report", "ann.audit", params={"staff": "helen.cole", **WHOLE}).json()
    ran = [(r["item"], r["case_ref"], r["origin"].get("credential", "cli")) for r in on_helen["attempts"]
           if r["part"] == "access_log"]
    assert ("access report", "staff jane.smith", f"token:{api.token_ids['helen.cole']}") in ran
    assert ("access report", f"case {api.case_id}", "cli") in ran
    code, out, err = run(api.db, "access", "report", "--as", "ann.audit", "--staff", "helen.cole",
                         "--from", WHOLE["from"], "--to", WHOLE["to"])
    assert code == 0, err
    assert "record: the access log: access report of staff jane.smith" in out
    assert f"record: the access log: access report of case {api.case_id}" in out
