"""The web console's oversight pages in a real browser (as tests/test_web_browser.py: Playwright driving
Debian's chromium against a real ``caseledger serve`` over a small demo, axe-core on each page, a
screenshot of each under the test's output folder, ``screens/``).

The service manager of the demo signs in, runs an access report on a social worker (downloading
nothing), and views the access alerts; the auditor opens the integrity page, starts a verification of
the whole ledger and watches its progress page refresh itself until the ledger is found intact.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

if not Path("/usr/bin/chromium").exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); .ci/run installs it", allow_module_level=True)

from playwright import sync_api  # noqa: E402  (after the skip: the test extra installs it)

from tests.test_web_browser import CHROMIUM, EXE, check_accessibility, serving  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A demo borough of three children served by ``caseledger serve``; its service manager, auditor and
    the social worker with the most access attempts recorded."""
    from ledger.application import CaseLedger

    folder = tmp_path_factory.mktemp("oversight")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
    env["XDG_CONFIG_HOME"] = str(folder / "config")
    db = str(folder / "demo.db")
    subprocess.run([str(EXE), "demo", "--children", "3", "--db", db], env=env, check=True, capture_output=True,
                   timeout=300)
    ledger = CaseLedger(db, create=False)
    try:
        staff = ledger.list_staff()
        by_role = {role: m for m in staff for role in m.roles}
        worker = next(m for m in staff if "social_worker" in m.roles)
    finally:
        ledger.close()
    with serving(db, env) as base:
        yield {"base": base, "manager": by_role["service_manager"].staff_id,
               "manager_name": by_role["service_manager"].full_name, "auditor": by_role["auditor"].staff_id,
               "worker": worker.staff_id, "worker_name": worker.full_name}


def test_the_investigators_journey(demo: dict[str, Any], tmp_path: Path) -> None:
    screens = tmp_path / "screens"
    screens.mkdir()
    base = demo["base"]

    def look(page: Any, name: str) -> None:
        page.screenshot(path=str(screens / f"{name}.png"), full_page=True)
        check_accessibility(page, name)

    def sign_in(page: Any, staff_id: str) -> None:
        page.goto(f"{base}/sign-in")
        page.fill("#staff_id", staff_id)
        page.fill("#password", "demo")
        page.click("button:has-text('Sign in')")
        assert page.url == f"{base}/caseload"

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--lang=en-GB"])
        try:
            # bypass_csp: only so that the test can inject axe-core; the pages themselves allow no inline script.
            context = browser.new_context(bypass_csp=True, viewport={"width": 1100, "height": 900}, locale="en-GB")
            page = context.new_page()
            page.set_default_timeout(10_000)
            sign_in(page, demo["manager"])
            page.click("a:has-text('Oversight')")
            assert page.locator("h1").inner_text() == "Access report"
            look(page, "01-access-report-form")

            page.fill("#staff", demo["worker"])
            page.fill("#from", "2020-01-01")
            page.click("button:has-text('Show the report')")
            assert page.locator("h1").inner_text().startswith(f"Access report: {demo['worker_name']}")
            assert page.locator("tbody tr").count() > 0
            assert page.locator("a:has-text('Download as CSV')").is_visible()
            assert page.locator("a:has-text('Download the evidence bundle')").is_visible()
            assert page.locator("a:has-text('Download the FHIR export')").is_visible()
            look(page, "02-access-report")

            page.click("a:has-text('Access alerts')")
            assert page.locator("h1").inner_text() == "Access alerts"
            assert page.locator("h2:has-text('Repeated failed sign-ins')").is_visible()
            look(page, "03-access-alerts")
            if page.locator("a:has-text('Review')").count():
                page.locator("a:has-text('Review')").first.click()
                assert page.locator("h1").inner_text() == "Review a flagged access attempt"
                page.click("button:has-text('Record the review')")
                assert page.locator(".govuk-error-summary").is_visible()
                look(page, "04-review-form-errors")
            context.close()

            context = browser.new_context(bypass_csp=True, viewport={"width": 1100, "height": 900}, locale="en-GB")
            page = context.new_page()
            page.set_default_timeout(10_000)
            sign_in(page, demo["auditor"])
            page.goto(f"{base}/oversight/integrity")
            assert page.locator("h1").inner_text() == "The ledger's integrity"
            look(page, "05-integrity")

            page.click("button:has-text('Start a verification')")
            assert "/oversight/integrity/verify/" in page.url
            page.wait_for_selector("h1:has-text('The ledger is intact')", timeout=120_000)
            assert page.locator(".govuk-panel__body").inner_text().endswith("events checked")
            look(page, "06-verification-done")
        finally:
            browser.close()
