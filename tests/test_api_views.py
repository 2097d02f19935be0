"""Views across cases over HTTP (the hazard register, compliance, the projections' status), the OpenAPI
document, and the problem details of what goes wrong: no route, a conflicting write (409, retry), an
unexpected error (500 with an id in the log, never a traceback), the database down (503). Both backends
(the outage on PostgreSQL, through a proxy the test takes down).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from commands.api import Settings, create_app
from ledger.application import CaseLedger
from ledger.storage import ConflictError
from tests.api_support import Api, api_db, build_api, problem  # noqa: F401  (api_db: a fixture)
from tests.conftest import Clock
from tests.test_pg_outage import Proxy, through

HAZARD = {"type": "dangerous_pet", "started_on": "2026-10-29", "review_date": "2027-01-15",
          "description": "Large dog loose in the garden; ask for it to be shut in before visits",
          "source_document": "Home visit of 29 October", "source_date": "2026-10-29"}


@pytest.fixture(scope="module")
def api(api_db: str) -> Iterator[Api]:  # noqa: F811
    def prepare(ledger: CaseLedger, clock: Clock) -> None:
        ledger.casework.record("jane.smith", ledger.case_ids()[0], kind="hazard",
                               occurred_at=clock.now, **HAZARD)

    yield from build_api(api_db, prepare=prepare)


# --- views across cases -------------------------------------------------------------------------------


def test_the_hazard_register_shows_only_the_records_the_caller_may_open(api: Api) -> None:
    before = api.head()
    register = api.get("/hazards", "grace.obi").json()
    assert [(h["child"], h["kind"], h["type"]) for h in register["hazards"]] == [("Amira Hassan", "hazard",
                                                                                   "dangerous_pet")]
    assert [(str(a.case_id), a.part.value) for a in api.attempts_since(before)] == [(api.case_id, "case_view")]
    assert api.get("/hazards", "cp.worker").json()["hazards"] == []  # not hers to open
    assert api.get("/hazards", "grace.obi", params={"team": "Child Protection"}).json()["hazards"] == []
    assert api.get("/hazards", "grace.obi", params={"as_of": "2026-10-01"}).json()["hazards"] == []
    assert len(api.get("/hazards", "grace.obi", params={"as_of": f"@{api.head()}"}).json()["hazards"]) == 1
    assert problem(api.get("/hazards", "grace.obi", params={"as_of": "soon"}), 422)["field"] == "as_of"
    assert problem(api.get("/hazards", "grace.obi", params={"overdue": "perhaps"}), 422)["field"] == "overdue"


def test_compliance_of_a_case_a_team_and_the_records_one_may_open(api: Api) -> None:
    one = api.get("/compliance", "grace.obi", params={"case": api.case_id, "as_of": "2026-12-01"})
    assert one.status_code == 200, one.text
    assert "Amira Hassan" in one.json()["scope"] and "items" in one.json()
    team = api.get("/compliance", "grace.obi", params={"team": "Assessment"}).json()
    assert "items" not in team and set(team["counts"]) == {"on_time", "late", "overdue", "due"}
    assert problem(api.get("/compliance", "grace.obi", params={"case": api.case_id, "team": "Assessment"}),
                   422)["field"] == "case"
    response = api.get("/compliance", "cp.worker", params={"case": api.case_id})
    problem(response, 403)
    assert "Amira" not in response.text


def test_projections_status_names_each_projection_and_its_lag(api: Api) -> None:
    rows = api.get("/projections/status", "jane.smith").json()["projections"]
    assert {r["projection"] for r in rows} == {"hazards", "cases", "chronology", "case_view", "summary"}
    assert all(r["head"] >= r["position"] >= 0 and r["lag"] == r["head"] - r["position"] for r in rows)
    problem(api.client.get("/api/v1/projections/status"), 401)


# --- the OpenAPI document -------------------------------------------------------------------------------


def test_the_openapi_document_lists_every_route_and_the_docs_are_served(api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    for path, method in [("/api/v1/healthz", "get"), ("/api/v1/me", "get"), ("/api/v1/cases", "get"),
                         ("/api/v1/cases", "post"), ("/api/v1/cases/{case}", "get"),
                         ("/api/v1/cases/{case}/chronology", "get"), ("/api/v1/cases/{case}/summary", "get"),
                         ("/api/v1/cases/{case}/history", "get"), ("/api/v1/cases/{case}/notes", "post"),
                         ("/api/v1/cases/{case}/notes/{note}", "patch"),
                         ("/api/v1/cases/{case}/notes/{note}/finalise", "post"),
                         ("/api/v1/cases/{case}/notes/{note}/amend", "post"),
                         ("/api/v1/cases/{case}/notes/{note}/delete", "post"),
                         ("/api/v1/cases/{case}/decisions", "post"), ("/api/v1/cases/{case}/milestones", "post"),
                         ("/api/v1/cases/{case}/records", "post"), ("/api/v1/cases/{case}/documents", "post"),
                         ("/api/v1/hazards", "get"), ("/api/v1/compliance", "get"),
                         ("/api/v1/projections/status", "get")]:
        assert method in paths.get(path, {}), (path, method)
    assert "HTTPBearer" in document["components"]["securitySchemes"]
    assert "security" not in paths["/api/v1/healthz"]["get"] and paths["/api/v1/me"]["get"]["security"]
    docs = api.client.get("/api/docs")
    assert docs.status_code == 200 and "/api/v1/openapi.json" in docs.text


# --- what goes wrong ---------------------------------------------------------------------------------------


def test_no_such_route_and_a_method_not_allowed_are_problems(api: Api) -> None:
    assert problem(api.get("/casez", "jane.smith"), 404)["detail"] == "no route /api/v1/casez"
    assert "not allowed" in problem(api.client.delete("/api/v1/hazards", headers=api.auth("jane.smith")), 405)["detail"]


def test_a_write_that_keeps_conflicting_answers_409_retry(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    def conflicting(*args: Any, **kwargs: Any) -> Any:
        raise ConflictError("recording a case note: not done: the record was changed by someone else at the same "
                            "time, on each of 12 tries; nothing was written; read it again and retry")

    monkeypatch.setattr(api.server.ledger.casework, "record_note", conflicting)
    response = api.post(f"/cases/{api.case_id}/notes", "jane.smith", json={
        "kind": "telephone_call", "occurred_at": "2026-11-02 09:30", "facts": "Called the school about attendance."})
    found = problem(response, 409)
    assert found["error"] == "ConflictError" and "retry" in found["detail"]
    assert response.headers["retry-after"] == "1"


def test_an_unexpected_error_answers_500_with_an_id_that_is_in_the_log(api: Api, monkeypatch: pytest.MonkeyPatch,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals: /srv/caseledger/key.pem")

    monkeypatch.setattr(api.server.ledger.access, "list_records", broken)
    client = TestClient(api.client.app, raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="caseledger.api"):
        response = client.get("/api/v1/cases", headers=api.auth("jane.smith"))
    found = problem(response, 500)
    assert "secret internals" not in response.text and "RuntimeError" not in response.text
    assert found["error_id"] in found["detail"]
    logged = [r for r in caplog.records if found["error_id"] in r.getMessage()]
    assert logged and logged[0].exc_info is not None and "secret internals" in str(logged[0].exc_info[1])


def test_the_database_down_answers_503_and_healthz_says_so(pg_schema_url: str) -> None:
    target = urlsplit(pg_schema_url)
    proxy = Proxy((target.hostname or "127.0.0.1", target.port or 5432))
    proxy.up()
    try:
        url = through(pg_schema_url, proxy.port)
        built = build_api(url)
        api = next(built)
        try:
            assert api.client.get("/api/v1/healthz").json()["status"] == "ok"
            proxy.down()
            # (stale pooled connections fail as "the database failed", new ones as "unreachable")
            health = problem(api.client.get("/api/v1/healthz"), 503)
            assert health["error"] == "StorageError" and health["detail"].startswith("reading")
            response = api.get(f"/cases/{api.case_id}", "jane.smith")
            assert problem(response, 503)["error"] == "StorageError" and "Amira" not in response.text
            proxy.up()
            assert api.client.get("/api/v1/healthz").status_code == 200
        finally:
            built.close()
    finally:
        proxy.down()


def test_a_server_cannot_start_on_a_ledger_that_is_not_there(tmp_path: Any) -> None:
    from ledger.errors import StorageError

    with pytest.raises(StorageError, match="no ledger at"):
        create_app(Settings(db=str(tmp_path / "typo.db")))
    assert not (tmp_path / "typo.db").exists()
