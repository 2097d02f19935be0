"""The web console in a real browser: Playwright drives Debian's chromium (/usr/bin/chromium; never a
downloaded browser) against a real ``caseledger serve`` on a free loopback port, over a small demo
ledger. The social worker's journey: sign in, caseload, case page, chronology (and as of a date),
record a case note (a draft, then finalised), a record they may not open, sign out; a screenshot of
each page under the test's output folder (``screens/``), and axe-core (vendored under
tests/vendor/axe-core, injected into each page) finds no serious or critical accessibility
violation on any of them.

Skipped only when /usr/bin/chromium is missing and CI is unset (under CI, .ci/run installs it).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
EXE = Path(sys.executable).parent / "caseledger"

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); .ci/run installs it", allow_module_level=True)

from playwright import sync_api  # noqa: E402  (after the skip: the test extra installs it)

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(db: str, env: dict[str, str]) -> Iterator[str]:
    """``caseledger serve`` on ``db`` on a free loopback port, answering; its base address (stopped after)."""
    port = free_port()
    server = subprocess.Popen([str(EXE), "serve", "--db", db, "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{base}/api/v1/healthz", timeout=2):
                    break
            except OSError:
                if server.poll() is not None:
                    raise AssertionError(server.stdout.read() if server.stdout else "serve stopped") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def borough(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A demo borough of five children served by ``caseledger serve``; its social worker with the
    most recorded, a case of theirs, and a case they may not open."""
    from ledger.access.policy import restriction_of
    from ledger.application import CaseLedger

    folder = tmp_path_factory.mktemp("browser")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
    env["XDG_CONFIG_HOME"] = str(folder / "config")
    db = str(folder / "demo.db")
    subprocess.run([str(EXE), "demo", "--children", "5", "--db", db], env=env, check=True, capture_output=True,
                   timeout=300)
    ledger = CaseLedger(db, create=False)
    try:
        cases = [ledger.case(i) for i in ledger.case_ids()]
        unrestricted = [c for c in cases if restriction_of(c) is None]
        richest = max(unrestricted, key=lambda c: (c.status == "open", c.version))  # open: a note can be recorded
        worker = richest.worker["staff_id"]
        readable = {str(c.id) for c in ledger.access.readable_cases(worker, "case_list")}
        others = [c for c in cases if str(c.id) not in readable]
    finally:
        ledger.close()
    assert others, "the demo borough should hold a record the social worker may not open"
    with serving(db, env) as base:
        yield {"base": base, "worker": worker, "case": str(richest.id), "child": richest.child["name"],
               "refused": str(others[0].id), "refused_child": others[0].child["name"]}


def check_accessibility(page: Any, name: str) -> None:
    """axe-core on the page as it is: no serious or critical violation."""
    page.add_script_tag(content=AXE.read_text())
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                          ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,"
                          " where: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))")
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not bad, (name, bad)


def test_the_social_workers_journey(borough: dict[str, Any], tmp_path: Path) -> None:
    screens = tmp_path / "screens"
    screens.mkdir()
    base = borough["base"]

    def look(page: Any, name: str) -> None:
        page.screenshot(path=str(screens / f"{name}.png"), full_page=True)
        check_accessibility(page, name)

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--lang=en-GB"])
        try:
            # bypass_csp: only so that the test can inject axe-core; the pages themselves allow no inline script.
            context = browser.new_context(bypass_csp=True, viewport={"width": 1100, "height": 900}, locale="en-GB")
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.goto(f"{base}/")
            assert page.url == f"{base}/sign-in"
            assert page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily").startswith("Arial")
            look(page, "01-sign-in")

            page.fill("#staff_id", borough["worker"])
            page.fill("#password", "not the password")
            page.click("button:has-text('Sign in')")
            assert page.locator(".govuk-error-summary").is_visible()
            look(page, "02-sign-in-wrong-password")

            page.fill("#password", "demo")
            page.click("button:has-text('Sign in')")
            assert page.url == f"{base}/caseload"
            assert page.locator("h1").inner_text() == "My caseload"
            look(page, "03-caseload")

            page.click(f"a[href='/cases/{borough['case']}']")
            assert page.locator("h1").inner_text() == borough["child"]
            assert page.locator("text=Recent case notes").is_visible()
            look(page, "04-case-page")

            page.click("a:has-text('Chronology')")
            assert page.locator("h1").inner_text() == f"{borough['child']}: chronology"
            assert page.locator("tbody tr").count() > 3
            look(page, "05-chronology")

            page.fill("#as_of", "2026-01-31")
            page.click("button:has-text('Show')")
            assert "as_of=2026-01-31" in page.url
            look(page, "06-chronology-as-of")

            page.goto(f"{base}/cases/{borough['case']}")  # now, not as of a date: a note can be recorded
            page.click("a:has-text('Record a case note')")
            assert page.locator("h1").inner_text() == "Record a case note"
            page.select_option("#kind", "home_visit")
            page.fill("#facts", "Home visit. Mum and the child were at home; the child showed me their bedroom.")
            page.fill("#actions", "Visit again next week.")
            page.check("#child_seen")
            page.check("#child_seen_alone")
            page.fill("#child_views", "I like my room.")
            look(page, "07-note-form")
            page.click("button:has-text('Save as draft')")
            assert page.locator("text=saved as a draft").is_visible()
            look(page, "08-note-saved")
            page.click("button:has-text('Finalise this note')")
            assert page.locator("text=Your case note is finalised").is_visible()

            page.goto(f"{base}/cases/{borough['refused']}")
            assert page.locator("h1").inner_text() == "You cannot open this record"
            for word in borough["refused_child"].split():
                assert word not in page.content()
            look(page, "09-refused")

            page.click("button:has-text('Sign out')")
            assert page.url == f"{base}/sign-in?signed_out=1"
            look(page, "10-signed-out")
            page.go_back()
            assert "/sign-in" in page.url and borough["child"] not in page.content()
        finally:
            browser.close()
    assert len(list(screens.glob("*.png"))) == 10


def test_the_note_form_works_with_the_keyboard_alone(borough: dict[str, Any], tmp_path: Path) -> None:
    base = borough["base"]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--lang=en-GB"])
        try:
            page = browser.new_context(locale="en-GB").new_page()
            page.set_default_timeout(10_000)

            def tab_to(element_id: str) -> None:
                for _ in range(40):
                    page.keyboard.press("Tab")
                    if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
                        return
                raise AssertionError(f"Tab never reached #{element_id}")

            page.goto(f"{base}/sign-in")
            tab_to("staff_id")
            page.keyboard.type(borough["worker"])
            tab_to("password")
            page.keyboard.type("demo")
            page.keyboard.press("Enter")
            page.wait_for_url(f"{base}/caseload")
            page.goto(f"{base}/cases/{borough['case']}/notes/new")
            tab_to("facts")
            page.keyboard.type("Telephone call with the child's mother, keyboard only.")
            tab_to("child_seen")
            page.keyboard.press("Space")
            assert page.is_checked("#child_seen")
            tab_to("child_views")
            page.keyboard.type("I want to stay at home.")
            for _ in range(40):
                page.keyboard.press("Tab")
                if page.evaluate("document.activeElement.textContent.trim()") == "Save as draft":
                    break
            page.keyboard.press("Enter")
            page.wait_for_url(f"{base}/cases/{borough['case']}?saved=*")
            assert page.locator("text=keyboard only").first.is_visible()
            page.screenshot(path=str(tmp_path / "note-by-keyboard.png"), full_page=False)
        finally:
            browser.close()
