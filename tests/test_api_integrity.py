"""The ledger's integrity over HTTP, on both backends: the latest signed checkpoint (``text/plain``, C2SP),
signing one, inclusion and consistency proofs, a case's evidence bundle, and a verification run in the
background (202 and a job; its progress, then its report), each with its refusals and problem bodies.
Starting a verification is an access attempt of whoever starts it (part ``integrity``), granted or
denied; so is a case's evidence bundle (a read of its audit view, as on the command line).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from commands.api import Settings, create_app
from ledger.access.bundle import verify_bundle
from ledger.integrity.checkpoint import SigningKey, parse_checkpoint_note
from ledger.integrity.merkle import verify_consistency, verify_inclusion
from tests.api_support import Api, api_db, build_api, problem  # noqa: F401  (api_db: a fixture)

ORIGIN = "test-borough.example/caseledger"


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "ledger.key"
    SigningKey.generate(ORIGIN).save(path)
    return path


@pytest.fixture(scope="module")
def api(api_db: str, key: Path) -> Iterator[Api]:  # noqa: F811
    yield from build_api(api_db, settings=lambda db: Settings(db=db, key=str(key)))


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def test_checkpoints_none_then_signed_by_who_may(api: Api, key: Path) -> None:
    assert "no checkpoint" in problem(api.get("/checkpoint", "jane.smith"), 404)["detail"]
    refused = problem(api.post("/checkpoint", "jane.smith"), 403)
    assert "signing a checkpoint" in refused["detail"] and "Jane Smith is a social worker" in refused["detail"]
    signed = api.post("/checkpoint", "ann.audit")
    assert signed.status_code == 201, signed.text
    body = signed.json()
    assert body["origin"] == ORIGIN and body["size"] == api.ledger_do(lambda led: led.integrity.event_count())
    assert body["verifier_key"] == SigningKey.load(key).verifier_key()
    latest = api.get("/checkpoint", "jane.smith")
    assert latest.status_code == 200 and latest.headers["content-type"] == "text/plain; charset=utf-8"
    assert latest.text == body["note"]
    cp = SigningKey.load(key).verifier().verify_note(latest.text)
    assert cp and parse_checkpoint_note(latest.text)  # a C2SP signed note, signed with the server's key
    assert latest.text.splitlines()[:2] == [ORIGIN, str(body["size"])]
    problem(api.client.get("/api/v1/checkpoint"), 401)


def test_an_inclusion_proof_of_a_case_event(api: Api) -> None:
    api.post("/checkpoint", "helen.cole")
    response = api.get("/proofs/inclusion", "jane.smith", params={"case": api.case_id[:8], "version": 1})
    assert response.status_code == 200, response.text
    proof = response.json()
    assert verify_inclusion(b64(proof["leaf_hash"]), proof["leaf_index"], proof["tree_size"],
                            [b64(p) for p in proof["proof"]], b64(proof["root"]))
    before = api.head()
    denied = api.get("/proofs/inclusion", "cp.worker", params={"case": api.case_id})
    problem(denied, 403)
    assert "Amira" not in denied.text
    (attempt,) = api.attempts_since(before)
    assert (attempt.actor["staff_id"], attempt.part.value, attempt.outcome.value) == ("cp.worker", "audit_view",
                                                                                      "denied")
    assert problem(api.get("/proofs/inclusion", "jane.smith", params={"case": api.case_id, "version": 0}),
                   422)["field"] == "version"
    assert problem(api.get("/proofs/inclusion", "jane.smith", params={"case": "ffffffff"}), 404)["error"] == "NotFound"
    api.post(f"/cases/{api.case_id}/notes", "jane.smith", json={
        "kind": "telephone_call", "occurred_at": "2026-11-02 09:30", "facts": "Called the school about attendance."})
    newer = problem(api.get("/proofs/inclusion", "jane.smith", params={"case": api.case_id}), 422)
    assert "not yet covered by a signed checkpoint" in newer["detail"]


def test_a_consistency_proof_between_two_tree_sizes(api: Api) -> None:
    first = api.post("/checkpoint", "helen.cole").json()["size"]
    api.post(f"/cases/{api.case_id}/notes", "jane.smith", json={
        "kind": "telephone_call", "occurred_at": "2026-11-02 09:40", "facts": "Called the GP about the referral."})
    second = api.post("/checkpoint", "helen.cole").json()["size"]
    assert second > first
    response = api.get("/proofs/consistency", "jane.smith", params={"from": first})
    assert response.status_code == 200, response.text
    proof = response.json()
    assert (proof["old_size"], proof["new_size"]) == (first, second)
    assert verify_consistency(first, second, b64(proof["old_root"]), b64(proof["new_root"]),
                              [b64(p) for p in proof["proof"]])
    assert problem(api.get("/proofs/consistency", "jane.smith", params={"from": second + 1, "to": second}),
                   422)["field"] == "from"
    assert problem(api.get("/proofs/consistency", "jane.smith", params={"from": 1, "to": 10**9}), 422)["field"] == "to"
    assert problem(api.get("/proofs/consistency", "jane.smith", params={"from": 0}), 422)["field"] == "from"
    assert problem(api.get("/proofs/consistency", "jane.smith"), 422)["field"] == "from"


def test_a_cases_evidence_bundle(api: Api, tmp_path: Path) -> None:
    api.post("/checkpoint", "helen.cole")
    before = api.head()
    response = api.get(f"/cases/{api.case_id}/evidence", "jane.smith")
    assert response.status_code == 200, response.text
    bundle = response.json()
    report = verify_bundle(response.text, bundle["verifier_key"])
    assert report.ok and report.events == len(bundle["events"]) > 0, report.problems
    (attempt,) = api.attempts_since(before)
    assert (attempt.part.value, str(attempt.case_id)) == ("audit_view", api.case_id)
    denied = api.get(f"/cases/{api.case_id}/evidence", "cp.worker")
    problem(denied, 403)
    assert "Amira" not in denied.text
    assert problem(api.get(f"/cases/{api.case_id}/evidence", "jane.smith", params={"from": "May"}),
                   422)["field"] == "from"
    app = create_app(Settings(db=api.db, key=str(tmp_path / "missing.key"), clock=api.clock))
    with TestClient(app) as client:
        missing = client.get(f"/api/v1/cases/{api.case_id}/evidence", headers=api.auth("jane.smith"))
        assert problem(missing, 503)["error"] == "NoSigningKey"
        assert problem(client.post("/api/v1/checkpoint", headers=api.auth("ann.audit")), 503)["error"] == "NoSigningKey"


def wait_for(api: Api, job: str, staff_id: str) -> dict[str, Any]:
    for _ in range(600):
        state = api.get(f"/verify/{job}", staff_id).json()
        assert 0 <= state["checked"], state
        if state["status"] != "running":
            return state  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError("the verification did not finish in 30 s")


def test_a_verification_started_followed_then_reported(api: Api) -> None:
    api.post("/checkpoint", "helen.cole")
    before = api.head()
    refused = problem(api.post("/verify", "jane.smith"), 403)
    assert "verifying the whole ledger" in refused["detail"]
    started = api.post("/verify", "ann.audit")
    assert started.status_code == 202, started.text
    job = started.json()
    assert started.headers["location"] == f"/api/v1/verify/{job['job']}"
    assert (job["status"], job["checked"], job["started_by"]) == ("running", 0, "ann.audit")
    assert job["total"] == api.ledger_do(lambda led: led.integrity.event_count()) and job["report"] is None
    attempts = [(a.actor["staff_id"], a.part.value, a.item, a.case_ref, a.outcome.value)
                for a in api.attempts_since(before)]
    assert attempts == [("jane.smith", "integrity", "verification", "the whole ledger", "denied"),
                        ("ann.audit", "integrity", "verification", "the whole ledger", "granted")]

    problem(api.get(f"/verify/{job['job']}", "jane.smith"), 403)
    done = wait_for(api, job["job"], "helen.cole")
    assert done["status"] == "done", done
    report = done["report"]
    assert report["ok"] is True and report["events"] >= job["total"] and done["checked"] == report["events"]
    assert report["verifier"]["verifier_key"] and report["checkpoints"]
    assert problem(api.get("/verify/0123456789abcdef", "helen.cole"), 404)["error"] == "NotFound"


def test_the_openapi_document_lists_the_roll_back_access_and_integrity_routes(api: Api) -> None:
    paths = api.client.get("/api/v1/openapi.json").json()["paths"]
    for path, method in [("/rollbacks", "post"), ("/rollbacks", "get"), ("/rollbacks/report", "get"),
                         ("/rollbacks/{rollback}", "get"), ("/rollbacks/{rollback}/agree", "post"),
                         ("/rollbacks/{rollback}/decline", "post"), ("/rollbacks/{rollback}/withdraw", "post"),
                         ("/rollbacks/{rollback}/carry-out", "post"), ("/access/report", "get"),
                         ("/access/report/evidence", "get"), ("/access/report/fhir", "get"),
                         ("/access/alerts", "get"), ("/access/reviews", "post"), ("/checkpoint", "get"),
                         ("/checkpoint", "post"), ("/proofs/inclusion", "get"), ("/proofs/consistency", "get"),
                         ("/cases/{case}/evidence", "get"), ("/verify", "post"), ("/verify/{job}", "get")]:
        operation = paths.get(f"/api/v1{path}", {}).get(method)
        assert operation is not None and operation["security"], (path, method)
        assert "application/problem+json" in operation["responses"]["403"]["content"], (path, method)
    assert "text/csv" in paths["/api/v1/access/report"]["get"]["responses"]["200"]["content"]
    assert "text/plain" in paths["/api/v1/checkpoint"]["get"]["responses"]["200"]["content"]
    assert "503" in paths["/api/v1/verify"]["post"]["responses"]
