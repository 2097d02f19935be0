"""The web console's oversight pages (commands.web.pages_oversight) through FastAPI's test client, on both
backends: the access report (its rows with their flags in words, its CSV the API's, its evidence bundle
and FHIR export, each use recorded as the reader's access to the access log), the alert list and the
review of a flagged attempt (with its form token), the integrity page, a verification started and
followed to its result, the checkpoint download; each refusal in words, and recorded.

The borough of ``tests.conftest``: Kofi Mensah (cp.worker) opened Amira's summary, not his case, with a
stated reason (flagged for review); Helen Cole is the service manager, Ann Dale the auditor, Jane Smith
a social worker.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from commands.api import Settings
from ledger.application import CaseLedger
from ledger.integrity.checkpoint import SigningKey
from tests.api_support import Api, api_db, build_api  # noqa: F401  (api_db: a fixture)
from tests.conftest import Clock
from tests.test_web import PASSWORD, form_token, sign_in

PURPOSE = "Covering the duty desk for the Assessment team today"
WHOLE = {"from": "2020-01-01", "to": "2035-12-31"}


@pytest.fixture(scope="module")
def web(api_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:  # noqa: F811
    key = tmp_path_factory.mktemp("key") / "ledger.key"
    SigningKey.generate("test-borough.example/caseledger").save(key)

    def prepare(ledger: CaseLedger, clock: Clock) -> None:
        for member in ledger.list_staff():
            ledger.tokens.set_password("admin", member.staff_id, PASSWORD)
        ledger.access.open_record("cp.worker", ledger.case_ids()[0], "summary", purpose=PURPOSE)
        ledger.integrity.sign_checkpoint(SigningKey.load(key))

    yield from build_api(api_db, settings=lambda db: Settings(db=db, key=str(key)), prepare=prepare)


@pytest.fixture(autouse=True)
def fresh_browser(web: Api) -> Iterator[None]:
    web.client.cookies.clear()
    yield
    web.client.cookies.clear()


def as_(web: Api, staff_id: str) -> None:
    assert sign_in(web, staff_id).status_code == 303


def access_log_uses(web: Api, since: int) -> list[tuple[str, str, str, str]]:
    return [(a.actor["staff_id"], a.item, a.case_ref, a.outcome.value) for a in web.attempts_since(since)
            if a.part.value == "access_log"]


def test_the_access_report_page_shows_each_attempt_with_its_flags_in_words_and_is_recorded(web: Api) -> None:
    as_(web, "helen.cole")
    assert 'href="/oversight/access-report"' in web.client.get("/caseload").text  # offered in the menu
    form = web.client.get("/oversight/access-report")
    assert form.status_code == 200 and 'name="staff"' in form.text and "Kofi" not in form.text
    before = web.head()
    page = web.client.get("/oversight/access-report", params={"staff": "cp.worker", **WHOLE})
    assert page.status_code == 200, page.text
    assert "Access report: Kofi Mensah (cp.worker)" in page.text
    assert "Amira Hassan" in page.text and PURPOSE in page.text  # Helen may see the child's name
    api_report = web.get("/access/report", "helen.cole", params={"staff": "cp.worker", **WHOLE}).json()
    (row,) = [r for r in api_report["attempts"] if r["part"] == "summary"]
    assert row["flags"][0]["text"] in page.text  # the flag in the report's own words
    assert page.headers["cache-control"] == "no-store"
    assert access_log_uses(web, before)[0] == ("helen.cole", "access report", "staff cp.worker", "granted")
    assert "/oversight/access-report.csv?staff=cp.worker" in page.text


def test_the_csv_download_is_the_apis_csv_and_each_download_is_recorded(web: Api) -> None:
    as_(web, "helen.cole")
    params = {"staff": "cp.worker", **WHOLE}
    before = web.head()
    mine = web.client.get("/oversight/access-report.csv", params=params)
    assert mine.status_code == 200 and mine.headers["content-type"].startswith("text/csv")
    assert "attachment" in mine.headers["content-disposition"]
    theirs = web.client.get("/api/v1/access/report", params=params,
                            headers={**web.auth("helen.cole"), "Accept": "text/csv"})
    assert mine.text == theirs.text and "Amira Hassan" in mine.text
    evidence = web.client.get("/oversight/access-report/evidence", params=params)
    assert evidence.status_code == 200 and evidence.json()["report"]["subject"]["staff_id"] == "cp.worker"
    fhir = web.client.get("/oversight/access-report/fhir", params=params)
    assert fhir.status_code == 200 and fhir.json()["resourceType"] == "Bundle"
    items = [item for who, item, _, _ in access_log_uses(web, before) if who == "helen.cole"]
    assert items == ["access report", "access report", "access report: evidence bundle",
                     "access report: FHIR AuditEvent export"]


def test_a_report_on_a_case_names_everyone_who_opened_it(web: Api) -> None:
    as_(web, "helen.cole")
    page = web.client.get("/oversight/access-report", params={"case": web.case_id, **WHOLE})
    assert page.status_code == 200 and "Kofi Mensah (cp.worker)" in page.text and "Amira Hassan" in page.text


def test_a_bad_report_form_says_which_field_and_records_nothing(web: Api) -> None:
    as_(web, "helen.cole")
    before = web.head()
    both = web.client.get("/oversight/access-report", params={"staff": "cp.worker", "case": web.case_id})
    assert both.status_code == 400 and "give exactly one of staff and case" in both.text
    bad_day = web.client.get("/oversight/access-report", params={"staff": "cp.worker", "from": "21/11/2026"})
    assert bad_day.status_code == 400 and "from &#39;21/11/2026&#39; is not a date like 2026-11-21" in bad_day.text
    assert 'id="from-error"' in bad_day.text
    empty = web.client.get("/oversight/access-report", params={"staff": "", "case": ""})
    assert empty.status_code == 400 and "Enter a staff ID or a case" in empty.text
    assert access_log_uses(web, before) == []


def test_a_social_worker_is_refused_the_report_in_words_and_the_refusal_is_recorded(web: Api) -> None:
    as_(web, "jane.smith")
    assert 'href="/oversight/access-report"' not in web.client.get("/caseload").text  # not offered in the menu
    before = web.head()
    page = web.client.get("/oversight/access-report", params={"staff": "cp.worker", **WHOLE})
    assert page.status_code == 403 and "You cannot open this record" in page.text
    assert "Kofi" not in page.text and PURPOSE not in page.text
    assert web.client.get("/oversight/access-report.csv", params={"staff": "cp.worker"}).status_code == 403
    assert [u[3] for u in access_log_uses(web, before)] == ["denied", "denied"]
    assert web.client.get("/oversight/alerts").status_code == 403
    assert web.client.get("/oversight/integrity").status_code == 403


def test_signed_out_the_oversight_pages_send_to_sign_in(web: Api) -> None:
    for path in ("/oversight/access-report", "/oversight/alerts", "/oversight/integrity",
                 "/oversight/integrity/checkpoint.txt"):
        response = web.client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/sign-in", path


def test_the_alert_list_shows_flagged_attempts_and_repeated_failed_sign_ins(web: Api) -> None:
    for _ in range(5):
        sign_in(web, "nobody.here", "wrong password!")
    web.client.cookies.clear()
    as_(web, "helen.cole")
    before = web.head()
    page = web.client.get("/oversight/alerts")
    assert page.status_code == 200, page.text
    assert "Kofi Mensah (cp.worker)" in page.text and PURPOSE in page.text
    assert "Repeated failed sign-ins" in page.text and "testclient" in page.text and "password:nobody.here" in page.text
    assert access_log_uses(web, before) == [("helen.cole", "alert list", "every flagged attempt not yet reviewed",
                                             "granted")]


def test_a_review_needs_its_form_token_an_outcome_and_a_note_then_leaves_the_list(web: Api) -> None:
    alerts = web.get("/access/alerts", "helen.cole").json()["alerts"]
    ref = next(a["ref"] for a in alerts if a["staff_id"] == "cp.worker" and a["purpose"] == PURPOSE)
    as_(web, "ann.audit")  # an auditor reads, but does not review
    form = web.client.get(f"/oversight/alerts/{ref}/review")
    refused = web.client.post(f"/oversight/alerts/{ref}/review", data={
        "csrf_token": form_token(form.text), "outcome": "appropriate", "note": "Agreed"})
    assert refused.status_code == 403 and "Ann Dale is" in refused.text
    web.client.cookies.clear()
    as_(web, "helen.cole")
    form = web.client.get(f"/oversight/alerts/{ref}/review")
    assert form.status_code == 200 and PURPOSE in form.text
    before = web.head()
    forged = web.client.post(f"/oversight/alerts/{ref}/review", data={"outcome": "appropriate", "note": "Agreed"})
    assert forged.status_code == 403 and "This form has expired" in forged.text
    empty = web.client.post(f"/oversight/alerts/{ref}/review", data={"csrf_token": form_token(form.text)})
    assert empty.status_code == 400 and "Choose what you found" in empty.text and "Enter a note" in empty.text
    assert not [u for u in access_log_uses(web, before) if u[1] == "review of a flagged attempt"]
    done = web.client.post(f"/oversight/alerts/{ref}/review", data={
        "csrf_token": form_token(form.text), "outcome": "appropriate",
        "note": "Kofi covered the duty desk that day; agreed with his manager"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/oversight/alerts?reviewed={ref}"
    listed = web.client.get(done.headers["location"])
    assert f"Your review of attempt {ref} is recorded" in listed.text
    assert f"/oversight/alerts/{ref}/review" not in listed.text
    again = web.client.post(f"/oversight/alerts/{ref}/review", data={
        "csrf_token": form_token(form.text), "outcome": "appropriate", "note": "Twice"})
    assert again.status_code == 400 and "already reviewed" in again.text


def test_the_auditor_sees_the_checkpoint_and_verifies_the_ledger(web: Api) -> None:
    as_(web, "ann.audit")
    page = web.client.get("/oversight/integrity")
    assert page.status_code == 200, page.text
    assert "test-borough.example/caseledger" in page.text and "ago" in page.text
    key = web.ledger_do(lambda led: led.integrity.transparency.checkpoints()[-1].note)
    assert "from the server&#39;s key file" in page.text or "pinned" in page.text
    note = web.client.get("/oversight/integrity/checkpoint.txt")
    assert note.status_code == 200 and note.headers["content-type"].startswith("text/plain") and note.text == key
    before = web.head()
    forged = web.client.post("/oversight/integrity/verify", data={})
    assert forged.status_code == 403
    started = web.client.post("/oversight/integrity/verify", data={"csrf_token": form_token(page.text)},
                              follow_redirects=False)
    assert started.status_code == 303 and started.headers["location"].startswith("/oversight/integrity/verify/")
    (ran,) = [a for a in web.attempts_since(before) if a.part.value == "integrity"]
    assert (ran.actor["staff_id"], ran.item, ran.outcome.value) == ("ann.audit", "verification", "granted")
    for _ in range(100):
        progress = web.client.get(started.headers["location"])
        assert progress.status_code == 200
        if "Verifying the ledger" not in progress.text:
            break
        assert progress.headers["refresh"] == "2" and " events checked" in progress.text
        time.sleep(0.1)
    assert "The ledger is intact" in progress.text and "refresh" not in progress.headers
    total = web.ledger_do(lambda led: led.integrity.event_count())
    assert f"{total} of {total} events checked" in progress.text


def test_a_social_worker_cannot_start_a_verification(web: Api) -> None:
    as_(web, "jane.smith")
    caseload = web.client.get("/caseload")
    before = web.head()
    refused = web.client.post("/oversight/integrity/verify", data={"csrf_token": form_token(caseload.text)})
    assert refused.status_code == 403 and "You cannot open this record" in refused.text
    assert [a.outcome.value for a in web.attempts_since(before) if a.part.value == "integrity"] == ["denied"]
    assert web.client.get("/oversight/integrity/verify/0123").status_code == 403


def test_an_unknown_verification_says_so(web: Api) -> None:
    as_(web, "ann.audit")
    missing = web.client.get("/oversight/integrity/verify/" + "0" * 32)
    assert missing.status_code == 404 and "no such verification" in missing.text
