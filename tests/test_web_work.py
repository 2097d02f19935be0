"""The web console's helpdesk and team manager pages, and the break-glass form (commands.web.pages_work),
through FastAPI's test client on both backends.

The story is ``tests.test_rollback.story``: Amira's child and family assessment authorised with the
completion date; the helpdesk (Sam Hughes) raises a roll-back asked for by Grace Obi (team manager of
Assessment); Helen Cole (service manager) agrees it; Sam carries it out. Every staff member has a
password set by the admin.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ledger.application import CaseLedger
from tests.api_support import Api, api_db, build_api  # noqa: F401  (api_db: a fixture)
from tests.conftest import Borough, Clock
from tests.test_rollback import REASON, Story, story
from tests.test_web import PASSWORD, form_token, sign_in

STORY: dict[str, Story] = {}


@pytest.fixture(scope="module")
def web(api_db: str) -> Iterator[Api]:  # noqa: F811
    def prepare(ledger: CaseLedger, clock: Clock) -> None:
        for member in ledger.list_staff():
            ledger.tokens.set_password("admin", member.staff_id, PASSWORD)
        STORY[api_db] = story(Borough(ledger, ledger.case_ids()[0]), clock)

    yield from build_api(api_db, prepare=prepare)


@pytest.fixture(autouse=True)
def fresh_browser(web: Api) -> Iterator[None]:
    web.client.cookies.clear()
    yield
    web.client.cookies.clear()


def as_(web: Api, staff_id: str) -> None:
    web.client.cookies.clear()
    assert sign_in(web, staff_id).status_code == 303


def post(web: Api, path: str, page: str, **data: str) -> Any:
    """POST a form of ``page`` (its CSRF token) to ``path``."""
    return web.client.post(path, data={"csrf_token": form_token(web.client.get(page).text), **data},
                           follow_redirects=False)


def step_one(web: Api) -> dict[str, str]:
    return {"case": web.case_id[:8], "raised_by": "grace.obi", "matter": "cf_assessment_authorised",
            "reason": REASON}


def test_the_helpdesk_raises_a_roll_back_the_manager_agrees_it_the_helpdesk_carries_it_out(web: Api) -> None:
    s = STORY[web.db]
    as_(web, "sam.hd")
    queue = web.client.get("/rollbacks")
    assert queue.status_code == 200 and "Raise a roll-back request" in queue.text
    before = web.head()
    points = post(web, "/rollbacks/new", "/rollbacks/new", **step_one(web))
    assert points.status_code == 200, points.text
    assert str(s.wrong) in points.text and "Amira Hassan" in points.text  # the milestones to choose from
    (read,) = [a for a in web.attempts_since(before)]
    assert (read.actor["staff_id"], read.outcome.value, read.part) == ("sam.hd", "granted", "process")
    assert REASON in read.purpose  # the helpdesk's read of the process is recorded with the reason
    raised = web.client.post("/rollbacks", data={"csrf_token": form_token(points.text), **step_one(web),
                                                 "case": web.case_id, "before_milestone": str(s.wrong)},
                             follow_redirects=False)
    assert raised.status_code == 303, raised.text
    page = web.client.get(raised.headers["location"])
    assert "The roll-back request is raised" in page.text
    assert "Process events it would supersede (2)" in page.text  # the wrong authorisation and the CIN plan after it
    rid = raised.headers["location"].split("/")[2].split("?")[0]
    shown = web.get(f"/rollbacks/{rid}", "sam.hd").json()  # the API's details: the page shows the same
    assert len(shown["would_supersede"]) == 2 and len(shown["casework_kept"]) >= 3  # the note, hazard, decision ...
    assert f"Casework recorded after the point, which stays ({len(shown['casework_kept'])})" in page.text
    assert "Agree the roll-back" not in page.text and "Carry out" not in page.text  # requested, not agreed

    as_(web, "grace.obi")  # she asked for it: she may not decide it
    mine = web.client.get(f"/rollbacks/{rid}")
    assert "Agree the roll-back" not in mine.text and "Helen Cole" in mine.text
    as_(web, "helen.cole")
    queue = web.client.get("/queue")
    assert queue.status_code == 200 and f"/rollbacks/{rid}" in queue.text
    no_reason = post(web, f"/rollbacks/{rid}/decline", f"/rollbacks/{rid}", reason="no")
    assert no_reason.status_code == 400 and "at least three words" in no_reason.text
    agreed = post(web, f"/rollbacks/{rid}/agree", f"/rollbacks/{rid}")
    assert agreed.status_code == 303
    assert "You agreed the roll-back" in web.client.get(agreed.headers["location"]).text
    assert f"/rollbacks/{rid}" not in web.client.get("/queue").text  # decided: no longer in the queue

    as_(web, "sam.hd")
    done = post(web, f"/rollbacks/{rid}/carry-out", f"/rollbacks/{rid}")
    assert done.status_code == 303
    assert "The roll-back is carried out" in web.client.get(done.headers["location"]).text
    assert web.ledger_do(lambda led: led.rollbacks.get(rid).status.value) == "carried_out"
    assert web.ledger_do(lambda led: [m["superseded_by"] is not None for m in led.case(s.case_id).milestones
                                      if str(m["id"]) in (str(s.wrong), str(s.cin))]) == [True, True]


def test_roll_back_forms_name_the_field_and_refuse_in_words(web: Api) -> None:
    as_(web, "sam.hd")
    before, requests = web.head(), web.ledger_do(lambda led: len(led.rollbacks.ids()))
    bad = post(web, "/rollbacks/new", "/rollbacks/new", case="", raised_by="grace.obi", matter="lunch", reason="x")
    assert bad.status_code == 400
    for words in ("Enter the case", "Choose the process matter", "at least three words"):
        assert words in bad.text
    unknown = post(web, "/rollbacks/new", "/rollbacks/new", **{**step_one(web), "case": "ffffffff"})
    assert unknown.status_code == 400 and 'id="case-error"' in unknown.text
    forged = web.client.post("/rollbacks/new", data={**step_one(web), "csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403 and "This form has expired" in forged.text
    assert web.attempts_since(before) == []  # nothing read

    as_(web, "jane.smith")  # a social worker: neither queue is hers
    refused = web.client.get("/rollbacks")
    assert refused.status_code == 403 and "helpdesk, auditors, team managers and above" in refused.text
    queue = web.client.get("/queue")
    assert queue.status_code == 403 and "team managers and above" in queue.text
    raising = post(web, "/rollbacks", "/caseload", **step_one(web), before_milestone=str(STORY[web.db].wrong))
    assert raising.status_code == 403 and "Amira" not in raising.text and "helpdesk" in raising.text
    assert web.ledger_do(lambda led: len(led.rollbacks.ids())) == requests  # nothing raised
    web.client.cookies.clear()
    assert web.client.get("/rollbacks", follow_redirects=False).headers["location"] == "/sign-in"


def test_a_team_manager_deletes_a_case_note_with_a_reason(web: Api) -> None:
    note = str(STORY[web.db].note)
    path = f"/cases/{web.case_id}/notes/{note}/delete"
    as_(web, "jane.smith")
    form = web.client.get(path)
    assert form.status_code == 200  # she may read it ...
    refused = post(web, path, path, reason="I would rather it were not there")
    assert refused.status_code == 403 and "You cannot delete this case note" in refused.text  # ... not delete it
    assert "team manager or above" in refused.text
    assert f'href="{path}"' not in web.client.get(f"/cases/{web.case_id}").text  # no link for a social worker
    as_(web, "grace.obi")
    assert f'href="{path}"' in web.client.get(f"/cases/{web.case_id}").text  # the case page links the manager to it
    form = web.client.get(path)
    assert form.status_code == 200 and "Visited Amira at home" in form.text
    empty = post(web, path, path, reason="")
    assert empty.status_code == 400 and "Enter why the case note is deleted" in empty.text
    assert web.ledger_do(lambda led: led.case(web.case_id).notes[str(STORY[web.db].note)]["deleted"]) is None
    done = post(web, path, path, reason="Recorded on the wrong child's case by mistake")
    assert done.status_code == 200 and "The case note is deleted" in done.text
    deleted = web.ledger_do(lambda led: led.case(web.case_id).notes[str(STORY[web.db].note)]["deleted"])
    assert deleted and "wrong child's case" in repr(deleted)


def test_break_glass_opens_a_restricted_record_recorded_as_the_api_records_it(web: Api) -> None:
    opened = web.post("/cases", "grace.obi", json={
        "child_name": "Noah Price", "date_of_birth": "2017-06-01", "referral_date": "2026-10-30",
        "referral_source": "school", "team": "Assessment", "worker": "jane.smith"}).json()
    cid = opened["case_id"]
    assert web.post(f"/cases/{cid}/restriction", "helen.cole", json={
        "kind": "temporary", "reason": "Family member is a councillor, protect their privacy"}).status_code == 200
    as_(web, "omar.farah")
    refused = web.client.get(f"/cases/{cid}")
    assert refused.status_code == 403 and "Noah" not in refused.text
    assert 'href="/break-glass"' in refused.text
    to_form = web.client.get("/break-glass", headers={"referer": f"http://testserver/cases/{cid}"},
                             follow_redirects=False)
    assert to_form.headers["location"] == f"/cases/{cid}/break-glass"
    form = web.client.get(to_form.headers["location"])
    assert "alerts the service manager" in form.text and "Noah" not in form.text
    for basis in ("concern_for_safety", "legal_duty", "court_order"):
        assert f'value="{basis}"' in form.text
    before = web.head()
    missing = post(web, f"/cases/{cid}/break-glass", f"/cases/{cid}/break-glass", reason="urgent")
    assert missing.status_code == 400 and "Choose the lawful basis" in missing.text and "three words" in missing.text
    assert web.attempts_since(before) == []  # nothing decided or recorded
    reason = "Police called out of hours, the child reported missing tonight"
    opened_page = post(web, f"/cases/{cid}/break-glass", f"/cases/{cid}/break-glass", basis="concern_for_safety",
                       reason=reason)
    assert opened_page.status_code == 200 and "Noah Price" in opened_page.text
    (web_attempt,) = web.attempts_since(before)
    before = web.head()
    assert web.get(f"/cases/{cid}", "omar.farah", headers={"X-Purpose": reason,
                                                            "X-Break-Glass": "concern_for_safety"}).status_code == 200
    (api_attempt,) = web.attempts_since(before)
    fields = ("outcome", "rule_id", "basis", "flag", "purpose", "part", "action")
    assert [getattr(web_attempt, f) for f in fields] == [getattr(api_attempt, f) for f in fields]
    assert (web_attempt.basis, web_attempt.flag.value) == ("concern_for_safety", "alert")
    # An auditor cannot break glass: refused in words, recorded, nothing of the record.
    as_(web, "ann.audit")
    denied = post(web, f"/cases/{cid}/break-glass", f"/cases/{cid}/break-glass", basis="legal_duty", reason=reason)
    assert denied.status_code == 403 and "cannot break glass" in denied.text and "Noah" not in denied.text


def test_the_queue_shows_a_draft_older_than_its_timescale(web: Api) -> None:
    web.ledger_do(lambda led: led.casework.record_note(
        "jane.smith", web.case_id, kind="telephone_call", occurred_at=web.clock.now,
        facts="Called Amira's school about her attendance this week."))
    as_(web, "grace.obi")
    assert "Telephone call note" not in web.client.get("/queue").text  # a fresh draft is not late
    web.clock.advance(days=20)
    as_(web, "grace.obi")  # twenty days idle: signed out
    queue = web.client.get("/queue")
    assert queue.status_code == 200 and "Telephone call note" in queue.text and "jane.smith" in queue.text
    as_(web, "liam.walsh")  # another team's manager: not in his queue
    assert "Telephone call note" not in web.client.get("/queue").text
