"""The web console (commands.web) through FastAPI's test client, on both backends: signing in and out,
failed sign-ins recorded, CSRF, session fixation, the idle time-out, refused pages, the back button.

Amira Hassan's borough (tests.conftest), every staff member with a password set by the admin; the
server's clock is the test's (Settings.clock), so the idle time-out is tested by moving it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from commands.web.sessions import COOKIE, handle_of
from ledger.access.security import SESSION_TOPICS
from ledger.application import CaseLedger
from ledger.errors import RuleViolation
from tests.api_support import Api, api_db, build_api  # noqa: F401  (api_db: a fixture)
from tests.conftest import Clock

PASSWORD = "correct horse battery"
CHILD_WORDS = ("Amira", "Hassan")


@pytest.fixture(scope="module")
def web(api_db: str) -> Iterator[Api]:  # noqa: F811
    def prepare(ledger: CaseLedger, clock: Clock) -> None:
        for member in ledger.list_staff():
            ledger.tokens.set_password("admin", member.staff_id, PASSWORD)

    yield from build_api(api_db, prepare=prepare)


@pytest.fixture(autouse=True)
def fresh_browser(web: Api) -> Iterator[None]:
    """Each test starts as a browser that has never been here (no cookies)."""
    web.client.cookies.clear()
    yield
    web.client.cookies.clear()


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def sign_in(web: Api, staff_id: str, password: str = PASSWORD) -> Any:
    page = web.client.get("/sign-in")
    assert page.status_code == 200
    return web.client.post("/sign-in", data={"staff_id": staff_id, "password": password,
                                             "csrf_token": form_token(page.text)}, follow_redirects=False)


def session_events(web: Api, since: int) -> list[Any]:
    return web.events_since(since, SESSION_TOPICS)


def test_sign_in_opens_the_caseload_and_sign_out_ends_it_both_recorded(web: Api) -> None:
    before = web.head()
    signed = sign_in(web, "jane.smith")
    assert signed.status_code == 303 and signed.headers["location"] == "/caseload"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Secure" not in cookie  # plain HTTP here
    caseload = web.client.get("/caseload")
    assert caseload.status_code == 200 and "Amira Hassan" in caseload.text and "Jane Smith" in caseload.text
    assert caseload.headers["cache-control"] == "no-store"
    session_id = web.client.cookies[COOKIE]
    out = web.client.post("/sign-out", data={"csrf_token": form_token(caseload.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/sign-in?signed_out=1"
    assert "You have signed out" in web.client.get(out.headers["location"]).text
    events = session_events(web, before)
    assert [(e.what, e.staff_id) for e in events] == [("signed_in", "jane.smith"), ("signed_out", "jane.smith")]
    assert {e.session for e in events} == {f"session:{handle_of(session_id)}"}
    assert session_id not in repr([vars(e) for e in events])  # the secret is never recorded
    assert events[0].client == "testclient" and events[0].actor["full_name"] == "Jane Smith"
    # The caseload read was recorded in the access log with the session as the credential.
    reads = [a for a in web.attempts_since(before) if a.actor["staff_id"] == "jane.smith"]
    assert reads and all(a.origin.get("credential") == f"session:{handle_of(session_id)}" for a in reads)


def test_a_wrong_password_is_refused_and_recorded_without_saying_which_was_wrong(web: Api) -> None:
    before = web.head()
    refused = sign_in(web, "jane.smith", "not her password")
    assert refused.status_code == 401
    assert "The staff ID or password is not right" in refused.text
    unknown = sign_in(web, "nobody.here", "whatever it is")
    assert unknown.status_code == 401 and "The staff ID or password is not right" in unknown.text
    assert "Amira" not in refused.text and web.client.get("/caseload", follow_redirects=False).status_code == 303
    failures = web.failures_since(before)
    assert [(f.reason, f.credential, f.path) for f in failures] == [
        ("wrong_password", "password:jane.smith", "/sign-in"), ("unknown_staff", "password:nobody.here", "/sign-in")]
    assert "not her password" not in repr([vars(f) for f in failures])  # a password is never recorded
    assert session_events(web, before) == []


def test_a_form_without_its_token_is_refused_and_does_nothing(web: Api) -> None:
    web.client.get("/sign-in")
    before = web.head()
    refused = web.client.post("/sign-in", data={"staff_id": "jane.smith", "password": PASSWORD},
                              follow_redirects=False)
    assert refused.status_code == 403 and "This form has expired" in refused.text
    assert web.client.get("/caseload", follow_redirects=False).status_code == 303  # not signed in
    assert [f.reason for f in web.failures_since(before)] == ["no_form_token"]
    sign_in(web, "jane.smith")
    forged = web.client.post("/sign-out", data={"csrf_token": "a-token-from-another-site"}, follow_redirects=False)
    assert forged.status_code == 403
    assert web.client.get("/caseload").status_code == 200  # still signed in: the sign-out was refused
    assert [e.what for e in session_events(web, before)] == ["signed_in"]


def test_the_session_id_changes_at_sign_in(web: Api) -> None:
    web.client.get("/sign-in")
    planted = web.client.cookies[COOKIE]
    signed = sign_in(web, "jane.smith")
    assert signed.status_code == 303
    now = web.client.cookies[COOKIE]
    assert now != planted
    # The id from before sign-in opens nothing.
    web.client.cookies.clear()
    web.client.cookies.set(COOKIE, planted)
    assert web.client.get("/caseload", follow_redirects=False).headers["location"] == "/sign-in"


def test_fifteen_idle_minutes_sign_a_person_out_recorded(web: Api) -> None:
    before = web.head()
    sign_in(web, "jane.smith")
    mine = f"session:{handle_of(web.client.cookies[COOKIE])}"
    web.clock.advance(minutes=14)
    assert web.client.get("/caseload").status_code == 200  # 14 minutes: still signed in; the time starts again
    web.clock.advance(minutes=15)
    timed_out = web.client.get(f"/cases/{web.case_id}", follow_redirects=False)
    assert timed_out.status_code == 303 and timed_out.headers["location"] == "/sign-in?timed_out=1"
    page = web.client.get(timed_out.headers["location"])
    assert "signed out after 15 minutes without activity" in page.text
    assert [e.what for e in session_events(web, before) if e.session == mine] == ["signed_in", "timed_out"]
    # Sessions left signed in by earlier tests timed out too, each recorded once.
    others = [e for e in session_events(web, before) if e.session != mine]
    assert {e.what for e in others} <= {"timed_out"} and len({e.session for e in others}) == len(others)


def test_a_refused_case_page_says_why_names_nothing_of_the_child_and_is_recorded(web: Api) -> None:
    sign_in(web, "cp.worker")
    before = web.head()
    for path in ("", "/chronology"):
        refused = web.client.get(f"/cases/{web.case_id}{path}")
        assert refused.status_code == 403
        assert "You cannot open this record" in refused.text and "Kofi Mensah" in refused.text
        for word in CHILD_WORDS:
            assert word not in refused.text
    attempts = web.attempts_since(before)
    assert [(a.actor["staff_id"], a.outcome.value) for a in attempts] == [("cp.worker", "denied")] * 2
    assert all(a.origin["credential"].startswith("session:") for a in attempts)


def test_the_case_page_and_chronology_are_recorded_reads_as_the_api_does(web: Api) -> None:
    sign_in(web, "jane.smith")
    before = web.head()
    page = web.client.get(f"/cases/{web.case_id}")
    assert page.status_code == 200 and "Amira Hassan" in page.text and "Jane Smith" in page.text
    api = web.get(f"/cases/{web.case_id}", "jane.smith").json()
    assert api["child"]["name"] in page.text and api["allocation"]["team"] in page.text
    chronology = web.client.get(f"/cases/{web.case_id}/chronology")
    entries = web.get(f"/cases/{web.case_id}/chronology", "jane.smith").json()["entries"]
    assert chronology.status_code == 200 and entries
    assert all(str(escape(e["title"])) in chronology.text for e in entries)
    parts = [(a.part, a.outcome.value) for a in web.attempts_since(before) if a.origin.get("credential", "")
             .startswith("session:")]
    assert parts[:2] == [("case_view", "granted"), ("chronology", "granted")]
    bad = web.client.get(f"/cases/{web.case_id}", params={"as_of": "next Tuesday"})
    assert bad.status_code == 400 and "is not a date like" in bad.text


def test_after_sign_out_the_back_button_shows_nothing_of_the_record(web: Api) -> None:
    sign_in(web, "jane.smith")
    page = web.client.get(f"/cases/{web.case_id}")
    assert "Amira" in page.text and page.headers["cache-control"] == "no-store"
    web.client.post("/sign-out", data={"csrf_token": form_token(page.text)})
    back = web.client.get(f"/cases/{web.case_id}")  # following the redirect to the sign-in page
    assert back.status_code == 200 and back.url.path == "/sign-in"
    for word in CHILD_WORDS:
        assert word not in back.text


def test_a_password_needs_an_admin_and_ten_characters(web: Api) -> None:
    with pytest.raises(RuleViolation, match="admin role"):
        web.ledger_do(lambda led: led.tokens.set_password("grace.obi", "jane.smith", PASSWORD))
    with pytest.raises(RuleViolation, match="password must be 10 to 1024 characters") as short:
        web.ledger_do(lambda led: led.tokens.set_password("admin", "jane.smith", "short"))
    assert short.value.field == "password"
    member = web.ledger_do(lambda led: led.staff_member("jane.smith"))
    assert member.password_hash.startswith("scrypt$16384$8$1$") and PASSWORD not in member.password_hash


def test_a_password_set_on_the_command_line_signs_in(web: Api) -> None:
    exe = str(Path(sys.executable).parent / "caseledger")

    def password(text: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([exe, "staff", "password", "omar.farah", "--db", web.db, "--as", "admin",
                               "--password-stdin"], input=text, capture_output=True, text=True, timeout=120)

    done = password("a new long password\n")
    assert done.returncode == 0, done.stderr
    assert "Password set for Omar Farah (omar.farah)" in done.stdout
    refused = password("short\n")
    assert refused.returncode != 0 and "password must be 10 to 1024 characters" in refused.stderr + refused.stdout
    assert sign_in(web, "omar.farah", PASSWORD).status_code == 401
    assert sign_in(web, "omar.farah", "a new long password").status_code == 303


def test_a_security_log_stream_loads_in_a_fresh_process(tmp_path: Path) -> None:
    """The second failure from an address in a day, recorded by a new process, appends to the stream
    an earlier process opened (its topic must resolve without that process's cache)."""
    db = str(tmp_path / "ledger.db")
    CaseLedger(db).close()
    script = ("import sys\nfrom ledger.application import CaseLedger\n"
              "from ledger.access.security import NotAuthenticated, record_failure, record_session\n"
              "led = CaseLedger(sys.argv[1], create=False)\n"
              "record_failure(led, NotAuthenticated('missing'), client='10.0.0.9')\n"
              "record_session(led, 'signed_out', {'staff_id': 'jane.smith'}, session='session:1', client='10.0.0.9')\n"
              "led.close()\n")
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", script, db], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    ledger = CaseLedger(db, create=False)
    try:
        topics = {n.topic for n in ledger.recorder.select_notifications(1, 100)}
    finally:
        ledger.close()
    assert any(t.endswith("SecurityLog.FailureRecorded") for t in topics)
    assert any(t.endswith("SessionLog.SessionRecorded") for t in topics)


def test_a_case_note_is_saved_as_a_draft_then_finalised(web: Api) -> None:
    sign_in(web, "jane.smith")
    form = web.client.get(f"/cases/{web.case_id}/notes/new")
    assert form.status_code == 200 and "Record a case note" in form.text
    token = form_token(form.text)
    note = {"kind": "home_visit", "date": web.clock.now.date().isoformat(), "time": "08:30",
            "facts": "Visited Amira at home with her mother; Amira showed me her room.",
            "analysis": "Amira seems settled.", "actions": "Visit again next week.", "child_seen": "yes",
            "child_seen_alone": "yes", "child_views": "I like my new bed."}

    def notes() -> dict[str, Any]:
        return web.ledger_do(lambda led: dict(led.case(web.case_id).notes))

    before = notes()
    forged = web.client.post(f"/cases/{web.case_id}/notes", data=note, follow_redirects=False)
    assert forged.status_code == 403 and notes() == before
    empty = web.client.post(f"/cases/{web.case_id}/notes", data={**note, "facts": "  ", "csrf_token": token})
    assert empty.status_code == 400 and "Enter the facts" in empty.text and 'href="#facts"' in empty.text
    assert "Visit again next week." in empty.text  # what was typed is kept
    alone = web.client.post(f"/cases/{web.case_id}/notes",
                            data={**note, "child_seen": "", "csrf_token": token})
    assert alone.status_code == 400 and "child_seen_alone" in alone.text and notes() == before
    saved = web.client.post(f"/cases/{web.case_id}/notes", data={**note, "csrf_token": token},
                            follow_redirects=False)
    assert saved.status_code == 303, saved.text
    (new_id,) = set(notes()) - set(before)
    recorded = notes()[new_id]
    assert recorded["status"] == "draft" and recorded["content"]["child_seen_alone"] is True
    assert recorded["content"]["child_views"] == "I like my new bed."
    page = web.client.get(saved.headers["location"])
    assert "saved as a draft" in page.text and "Finalise this note" in page.text
    done = web.client.post(f"/cases/{web.case_id}/notes/{new_id}/finalise", data={"csrf_token": token},
                           follow_redirects=False)
    assert done.status_code == 303 and notes()[new_id]["status"] == "final"
    assert "Your case note is finalised" in web.client.get(done.headers["location"]).text
