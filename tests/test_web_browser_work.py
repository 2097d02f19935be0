"""The helpdesk's and the team manager's journeys in a real browser, and the break-glass form by keyboard.

Playwright drives Debian's chromium against a real ``caseledger serve`` over a small demo ledger (the
helpers of tests.test_web_browser). The demo's helpdesk analyst raises a roll-back of a case's latest
milestone, asked for by the child's social worker; the team manager of the case's team finds it in their
queue and agrees it; the helpdesk carries it out. axe-core finds no serious or critical violation on
any page, and each page's screenshot is saved under the test's ``screens/`` folder. A social worker
refused a restricted record opens it by break-glass, with the keyboard alone.
"""

from __future__ import annotations

import datetime as _dt
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_web_browser import CHROMIUM, EXE, check_accessibility, serving, sync_api

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A demo borough of five children served by ``caseledger serve``: the helpdesk analyst, a case with
    two milestones or more, its social worker and team manager; a restricted record and a social worker
    it refuses for want of a break-glass basis."""
    from ledger.access.policy import SOCIAL_CARE_ROLES, decide, restriction_of
    from ledger.application import CaseLedger

    folder = tmp_path_factory.mktemp("browser-work")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
    env["XDG_CONFIG_HOME"] = str(folder / "config")
    db = str(folder / "demo.db")
    subprocess.run([str(EXE), "demo", "--children", "5", "--db", db], env=env, check=True, capture_output=True,
                   timeout=300)
    ledger = CaseLedger(db, create=False)
    try:
        staff = [m for m in ledger.list_staff() if m.active]
        helpdesk = next(m.staff_id for m in staff if "helpdesk" in m.roles)
        cases = [ledger.case(i) for i in ledger.case_ids()]
        open_cases = [c for c in cases if c.status == "open" and restriction_of(c) is None
                      and len([m for m in c.milestones if m.get("superseded_by") is None]) >= 2]
        case = max(open_cases, key=lambda c: len(c.milestones))
        manager = next(m.staff_id for m in staff if "team_manager" in m.roles and m.team == case.team)
        latest = [m for m in case.milestones if m.get("superseded_by") is None][-1]
        now = _dt.datetime.now(_dt.UTC)
        glass = next((c, m) for c in cases if restriction_of(c) is not None for m in staff
                     if m.has_role(*SOCIAL_CARE_ROLES)
                     and decide(m, c, "read", "case_view", now=now, out_of_hours=False).basis_required)
    finally:
        ledger.close()
    with serving(db, env) as base:
        yield {"base": base, "helpdesk": helpdesk, "case": str(case.id), "child": case.child["name"],
               "worker": case.worker["staff_id"], "manager": manager, "milestone": str(latest["id"]),
               "matter": latest["kind"], "restricted": str(glass[0].id), "restricted_child": glass[0].child["name"],
               "glass_worker": glass[1].staff_id}


def launch(p: Any) -> Any:
    return p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--lang=en-GB"])


def sign_in(page: Any, base: str, staff_id: str) -> None:
    page.goto(f"{base}/sign-in")
    page.fill("#staff_id", staff_id)
    page.fill("#password", "demo")
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/caseload")


def sign_out(page: Any) -> None:
    page.click("button:has-text('Sign out')")


def test_the_helpdesk_and_the_team_managers_roll_back_journey(demo: dict[str, Any], tmp_path: Path) -> None:
    screens = tmp_path / "screens"
    screens.mkdir()
    base = demo["base"]

    def look(page: Any, name: str) -> None:
        page.screenshot(path=str(screens / f"{name}.png"), full_page=True)
        check_accessibility(page, name)

    reason = "The milestone was recorded with the wrong date by mistake"
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            # bypass_csp: only so that the test can inject axe-core; the pages themselves allow no inline script.
            context = browser.new_context(bypass_csp=True, viewport={"width": 1100, "height": 900}, locale="en-GB")
            page = context.new_page()
            page.set_default_timeout(10_000)
            sign_in(page, base, demo["helpdesk"])
            page.click("a.govuk-service-navigation__link:has-text('Roll-back requests')")
            assert page.locator("h1").inner_text() == "Roll-back requests"
            look(page, "11-rollback-queue")

            page.click("a:has-text('Raise a roll-back request')")
            page.click("button:has-text('Continue')")  # empty: each field named
            assert page.locator(".govuk-error-summary").is_visible()
            assert page.locator("text=Enter the case").first.is_visible()
            look(page, "12-rollback-errors")
            page.fill("#case", demo["case"][:8])
            page.fill("#raised_by", demo["worker"])
            page.select_option("#matter", demo["matter"])
            page.fill("#reason", reason)
            look(page, "13-rollback-step-1")
            page.click("button:has-text('Continue')")
            assert page.locator("h1").inner_text() == "Choose the point"
            assert demo["child"] in page.content()
            page.check(f"input[value='{demo['milestone']}']")
            look(page, "14-rollback-point")
            page.click("button:has-text('Raise the request')")
            assert page.locator("text=The roll-back request is raised").is_visible()
            assert page.locator("h2:has-text('Process events it would supersede (1)')").is_visible()
            assert page.locator("h2:has-text('Casework recorded after the point, which stays')").is_visible()
            request_url = page.url.split("?")[0]
            look(page, "15-rollback-raised")
            sign_out(page)

            sign_in(page, base, demo["manager"])
            page.click("a.govuk-service-navigation__link:has-text('My queue')")
            assert page.locator("h1").inner_text() == "My queue"
            look(page, "16-manager-queue")
            page.click(f"a[href='{request_url.removeprefix(base)}']")
            look(page, "17-rollback-to-decide")
            page.click("button:has-text('Agree the roll-back')")
            assert page.locator("text=You agreed the roll-back").is_visible()
            look(page, "18-rollback-agreed")
            sign_out(page)

            sign_in(page, base, demo["helpdesk"])
            page.goto(request_url)
            page.click("button:has-text('Carry out the roll-back')")
            assert page.locator("text=The roll-back is carried out").is_visible()
            assert page.locator("strong.govuk-tag:has-text('Carried out')").is_visible()
            look(page, "19-rollback-carried-out")
        finally:
            browser.close()
    assert len(list(screens.glob("*.png"))) == 9


def test_the_break_glass_form_works_with_the_keyboard_alone(demo: dict[str, Any], tmp_path: Path) -> None:
    base = demo["base"]
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
            page.set_default_timeout(10_000)

            def tab_to(test: str, what: str) -> None:
                for _ in range(40):
                    page.keyboard.press("Tab")
                    if page.evaluate(test):
                        return
                raise AssertionError(f"Tab never reached {what}")

            sign_in(page, base, demo["glass_worker"])
            page.goto(f"{base}/cases/{demo['restricted']}")
            assert page.locator("h1").inner_text() == "You cannot open this record"
            for word in demo["restricted_child"].split():
                assert word not in page.content()
            page.screenshot(path=str(tmp_path / "20-refused-with-break-glass.png"), full_page=True)
            check_accessibility(page, "refused")
            tab_to("document.activeElement.textContent.includes('break-glass')", "the break-glass link")
            page.keyboard.press("Enter")
            page.wait_for_url(f"{base}/cases/{demo['restricted']}/break-glass")
            assert page.locator("text=alerts the service manager").is_visible()
            tab_to("document.activeElement.id === 'basis'", "the first basis")
            page.keyboard.press("Space")
            assert page.is_checked("#basis")
            tab_to("document.activeElement.id === 'reason'", "the reason")
            page.keyboard.type("The police report the child missing tonight and at risk")
            page.screenshot(path=str(tmp_path / "21-break-glass-form.png"), full_page=True)
            check_accessibility(page, "break-glass form")
            tab_to("document.activeElement.textContent.trim().startsWith('Open the record')", "the button")
            page.keyboard.press("Enter")
            page.wait_for_load_state()
            assert page.locator("h1").inner_text() == demo["restricted_child"]
            page.screenshot(path=str(tmp_path / "22-opened-by-break-glass.png"), full_page=True)
        finally:
            browser.close()
