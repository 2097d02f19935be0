"""Casework over HTTP: case notes from draft to deletion, decisions, milestones, casework records and
their updates, documents (the server hashes the upload), and each one's refusals: who may act (403,
recorded), bad input (422 naming the field, nothing written), what does not exist (404). Both backends.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from eventsourcing.utils import get_topic

from ledger.access.log import ATTEMPT_TOPICS
from tests.api_support import Api, api_db, build_api, problem  # noqa: F401  (api_db: a fixture)

VISIT = {"kind": "home_visit", "occurred_at": "2026-11-02 08:15",
         "facts": "Visited Amira at home with her mother; the flat was warm and tidy.",
         "analysis": "Basic care appears good enough at present.", "child_seen": True, "child_seen_alone": True,
         "child_views": "I like my room. Mum makes pancakes."}


@pytest.fixture(scope="module")
def api(api_db: str) -> Iterator[Api]:  # noqa: F811
    yield from build_api(api_db)


def case_events_since(api: Api, before: int) -> list[Any]:
    """The events after ``before`` that are not access attempts."""
    return [e for e in api.events_since(before) if get_topic(type(e)) not in ATTEMPT_TOPICS]


def note_of(api: Api, note_id: str) -> dict[str, Any]:
    return api.ledger_do(lambda led: led.case(api.case_id).notes[note_id])


# --- case notes ----------------------------------------------------------------------------------------


def test_a_case_note_from_draft_to_amendment_and_deletion(api: Api) -> None:
    cid = api.case_id
    drafted = api.post(f"/cases/{cid}/notes", "jane.smith", json=VISIT)
    assert drafted.status_code == 201, drafted.text
    nid = drafted.json()["note_id"]
    assert drafted.json()["status"] == "draft" and note_of(api, nid)["status"] == "draft"

    problem(api.patch(f"/cases/{cid}/notes/{nid}", "grace.obi", json={"analysis": "Not hers to revise"}), 403)
    revised = api.patch(f"/cases/{cid}/notes/{nid}", "jane.smith", json={
        "analysis": "Basic care is good enough; the fridge was stocked.", "provided_by": "Ms Hassan (mother)"})
    assert revised.status_code == 200, revised.text
    content = note_of(api, nid)["content"]
    assert content["analysis"] == "Basic care is good enough; the fridge was stocked."
    assert content["facts"] == VISIT["facts"] and content["provided_by"] == "Ms Hassan (mother)"
    assert content["source"].value == "third_party"

    assert api.post(f"/cases/{cid}/notes/{nid[:8]}/finalise", "jane.smith").json()["status"] == "final"
    assert "already" in problem(api.post(f"/cases/{cid}/notes/{nid}/finalise", "jane.smith"), 422)["detail"]
    problem(api.patch(f"/cases/{cid}/notes/{nid}", "jane.smith", json={"analysis": "Too late for a revision"}), 422)

    amended = api.post(f"/cases/{cid}/notes/{nid}/amend", "jane.smith", json={
        "facts": "Visited Amira at home with her aunt; the flat was warm and tidy.",
        "reason": "The aunt was present at the visit, not the mother"})
    assert amended.status_code == 200, amended.text
    assert note_of(api, nid)["amendments"][0]["reason"] == "The aunt was present at the visit, not the mother"
    assert problem(api.post(f"/cases/{cid}/notes/{nid}/amend", "jane.smith", json={"facts": "No reason given"}),
                   422)["field"] == "reason"

    refused = problem(api.post(f"/cases/{cid}/notes/{nid}/delete", "jane.smith", json={
        "reason": "Recorded on the wrong child in error"}), 403)
    assert "Jane Smith" in refused["detail"]
    assert problem(api.post(f"/cases/{cid}/notes/{nid}/delete", "grace.obi", json={"reason": "oops"}),
                   422)["field"] == "reason"
    deleted = api.post(f"/cases/{cid}/notes/{nid}/delete", "grace.obi", json={
        "reason": "Recorded on the wrong child in error"})
    assert deleted.status_code == 200 and deleted.json() == {"note_id": nid, "deleted": True}
    assert note_of(api, nid)["deleted"] is not None
    view = api.get(f"/cases/{cid}", "jane.smith").json()
    assert nid not in [n["id"] for n in view["recent_notes"]]


def test_a_note_finalised_at_once_with_an_interpreter(api: Api) -> None:
    response = api.post(f"/cases/{api.case_id}/notes", "jane.smith", json={
        **VISIT, "kind": "office_visit", "finalise": True,
        "interpreter": {"name": "Farah Ali", "kind": "contracted_service"}})
    assert response.status_code == 201 and response.json()["status"] == "final", response.text
    note = note_of(api, response.json()["note_id"])
    assert note["status"] == "final" and note["content"]["interpreter"]["name"] == "Farah Ali"


@pytest.mark.parametrize(("change", "field"), [
    ({"facts": None}, "facts"),
    ({"occurred_at": "2026-11-01"}, "occurred_at"),
    ({"occurred_at": "last Tuesday"}, "occurred_at"),
    ({"kind": "text_message"}, "kind"),
    ({"mood": "calm"}, "mood"),
    ({"child_seen": False, "child_seen_alone": True}, "child_seen_alone"),
    ({"interpreter": {"name": "Farah Ali", "kind": "neighbour"}}, "interpreter.kind"),
    ({"facts": "   "}, "facts"),
], ids=["no-facts", "date-only", "not-a-moment", "bad-kind", "unknown-field", "seen-alone-not-seen",
        "bad-interpreter", "blank-facts"])
def test_a_bad_case_note_names_the_field_and_writes_nothing(api: Api, change: dict[str, Any], field: str) -> None:
    body = {k: v for k, v in {**VISIT, **change}.items() if v is not None}
    before = api.head()
    found = problem(api.post(f"/cases/{api.case_id}/notes", "jane.smith", json=body), 422)
    assert found.get("field") == field, found
    assert case_events_since(api, before) == []


def test_a_note_that_does_not_exist_is_404_after_the_access_decision(api: Api) -> None:
    before = api.head()
    problem(api.post(f"/cases/{api.case_id}/notes/{uuid.uuid4()}/finalise", "jane.smith"), 404)
    assert [a.outcome.value for a in api.attempts_since(before)] == ["granted"]
    before = api.head()
    response = api.post(f"/cases/{api.case_id}/notes/{uuid.uuid4()}/finalise", "cp.worker")
    found = problem(response, 403)  # not on the case: refused first, so nothing is said of its notes
    assert found["detail"].startswith("access denied: ") and "case note" not in found["detail"]


def test_writing_on_a_case_you_are_not_on_is_refused_and_recorded(api: Api) -> None:
    before = api.head()
    response = api.post(f"/cases/{api.case_id}/notes", "cp.worker", json=VISIT)
    found = problem(response, 403)
    assert "Amira" not in response.text and "Kofi Mensah" in found["detail"]
    (attempt,) = api.attempts_since(before)
    assert (attempt.action.value, attempt.outcome.value) == ("write", "denied")
    assert case_events_since(api, before) == []


# --- decisions, milestones, records ----------------------------------------------------------------------


DECISION = {"decision": "Complete a child and family assessment",
            "reasons": "The school reports repeated lateness and hunger",
            "risks_considered": "Possible neglect; no evidence of immediate harm",
            "options_not_chosen": [{"option": "No further action",
                                    "why_not": "the concerns are repeated and unexplained"}],
            "occurred_at": "2026-11-02 09:45"}


def test_a_decision_by_a_team_manager_and_its_refusals(api: Api) -> None:
    recorded = api.post(f"/cases/{api.case_id}/decisions", "grace.obi", json=DECISION)
    assert recorded.status_code == 201, recorded.text
    did = recorded.json()["decision_id"]
    decisions = api.ledger_do(lambda led: led.case(api.case_id).decisions)
    assert [str(d["id"]) for d in decisions][-1] == did
    problem(api.post(f"/cases/{api.case_id}/decisions", "jane.smith", json=DECISION), 403)
    assert problem(api.post(f"/cases/{api.case_id}/decisions", "grace.obi",
                            json={**DECISION, "options_not_chosen": []}), 422)["field"] == "options_not_chosen"
    assert problem(api.post(f"/cases/{api.case_id}/decisions", "grace.obi",
                            json={**DECISION, "occurred_at": "2026-11-02"}), 422)["field"] == "occurred_at"
    found = problem(api.post(f"/cases/{api.case_id}/decisions", "grace.obi",
                             json={**DECISION, "options_not_chosen": [{"option": "NFA"}]}), 422)
    assert found["field"] == "options_not_chosen[0].why_not"


def test_milestones_through_the_ledgers_rules(api: Api) -> None:
    contact = api.post(f"/cases/{api.case_id}/milestones", "jane.smith", json={
        "kind": "contact", "occurred_at": "2026-10-28 09:30", "details": {"source": "school", "channel": "telephone"}})
    assert contact.status_code == 201, contact.text
    assert contact.json()["kind"] == "contact"
    accepted = api.post(f"/cases/{api.case_id}/milestones", "jane.smith", json={
        "kind": "referral_decision", "occurred_at": "2026-10-28 15:00", "details": {"decision": "referral_accepted"}})
    problem(accepted, 403)  # a referral decision is a team manager's
    found = problem(api.post(f"/cases/{api.case_id}/milestones", "jane.smith", json={
        "kind": "birthday_party", "occurred_at": "2026-10-28 15:00"}), 422)
    assert "birthday_party" in found["detail"]
    found = problem(api.post(f"/cases/{api.case_id}/milestones", "grace.obi", json={
        "kind": "referral_decision", "occurred_at": "2026-10-28 15:00", "details": {"decision": "maybe"}}), 422)
    assert "decision" in found["detail"]


def test_a_hazard_recorded_reviewed_and_shown(api: Api) -> None:
    hazard = api.post(f"/cases/{api.case_id}/records", "jane.smith", json={
        "kind": "hazard", "occurred_at": "2026-11-02 08:00", "details": {
            "type": "dangerous_pet", "started_on": "2026-10-29",
            "description": "Large dog loose in the garden; ask for it to be shut in before visits",
            "source_document": "Home visit of 29 October", "source_date": "2026-10-29", "review_date": "2027-01-15"}})
    assert hazard.status_code == 201, hazard.text
    rid = hazard.json()["record_id"]
    reviewed = api.post(f"/cases/{api.case_id}/records/{rid}/updates", "grace.obi", json={
        "action": "review", "details": {"outcome": "Dog now kept in the garden", "next_review_date": "2027-03-01"}})
    assert reviewed.status_code == 201, reviewed.text
    record = api.ledger_do(lambda led: led.case(api.case_id).records[rid])
    assert record["updates"][0]["action"] == "review"
    alerts = api.get(f"/cases/{api.case_id}", "jane.smith").json()["alerts"]
    assert any(a["description"].startswith("Large dog") for a in alerts)
    assert problem(api.post(f"/cases/{api.case_id}/records/{rid}/updates", "grace.obi", json={
        "action": "feed", "details": {}}), 422)
    assert problem(api.post(f"/cases/{api.case_id}/records/not-a-uuid/updates", "grace.obi", json={
        "action": "review", "details": {}}), 422)["field"] == "record"
    found = problem(api.post(f"/cases/{api.case_id}/records", "jane.smith", json={
        "kind": "hazard", "occurred_at": "2026-11-02 08:00", "details": {"type": "dangerous_pet", "colour": "red"}}),
        422)
    assert "colour" in found["detail"]


# --- documents ---------------------------------------------------------------------------------------------


def test_a_document_is_recorded_by_the_sha256_the_server_computes(api: Api) -> None:
    content = b"%PDF-1.4 a letter from the school about Amira's attendance\n" * 50
    response = api.post(f"/cases/{api.case_id}/documents", "jane.smith",
                        files={"file": ("school-letter.pdf", content, "application/pdf")},
                        data={"doc_type": "letter", "date_received": "2026-11-01",
                              "details": '{"description": "Attendance letter from the school"}'})
    assert response.status_code == 201, response.text
    answered = response.json()
    assert answered["sha256"] == hashlib.sha256(content).hexdigest() and answered["size_bytes"] == len(content)
    record = api.ledger_do(lambda led: led.case(api.case_id).records[answered["record_id"]])
    assert record["details"]["sha256"] == hashlib.sha256(content).hexdigest()
    assert (record["details"]["name"], record["details"]["doc_type"]) == ("school-letter.pdf", "letter")
    assert record["details"]["description"] == "Attendance letter from the school"


@pytest.mark.parametrize(("data", "field"), [
    ({}, "doc_type"),
    ({"doc_type": "selfie"}, "doc_type"),
    ({"doc_type": "letter", "date_received": "1st November"}, "date_received"),
    ({"doc_type": "letter", "details": "[1, 2]"}, "details"),
], ids=["no-type", "bad-type", "bad-date", "details-not-an-object"])
def test_a_bad_document_upload_names_the_field_and_writes_nothing(api: Api, data: dict[str, str], field: str) -> None:
    before = api.head()
    found = problem(api.post(f"/cases/{api.case_id}/documents", "jane.smith",
                             files={"file": ("drawing.png", b"\x89PNG a drawing", "image/png")}, data=data), 422)
    assert found.get("field") == field, found
    assert case_events_since(api, before) == []


def test_a_document_upload_with_no_file_is_refused(api: Api) -> None:
    found = problem(api.post(f"/cases/{api.case_id}/documents", "jane.smith", data={"doc_type": "letter"}), 422)
    assert found["field"] == "file"
