"""The staff directory (ledger/records/staff.py and CaseLedger's staff commands), on both backends.

Rules: the first member added must be an admin (bootstrap, no acting member needed); after
that only an admin adds, changes or records the leaving of staff; staff ids have a fixed
format and are never reused; full name, designation and team are required; roles come from
the fixed set; a member who has left cannot act, be allocated a case, be changed or leave
again. Every refused command writes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from ledger.application import CaseLedger
from ledger.core import SYSTEM_ACTOR
from ledger.errors import NotFound, PermissionDenied, RuleViolation
from ledger.records.staff import Role, StaffMember
from tests.conftest import BACKENDS, PG_URL, Clock, refused, require_pg


def add_admin(app: CaseLedger) -> StaffMember:
    return app.staff.add(None, staff_id="admin", full_name="Priya Raman",
                         designation="Systems Administrator", team="Business Support",
                         roles=["admin"])


def add_jane(app: CaseLedger, **overrides: Any) -> StaffMember:
    details: dict[str, Any] = {"staff_id": "jane.smith", "full_name": "Jane Smith",
                               "designation": "Social Worker", "team": "Assessment",
                               "roles": ["social_worker"]}
    return app.staff.add("admin", **{**details, **overrides})


def staff_events(app: CaseLedger, staff_id: str) -> list[Any]:
    """The staff member's stream, read back from the store."""
    return list(app.events.get(app.staff_member(staff_id).id))


# --- bootstrap -------------------------------------------------------------------------------

@pytest.mark.parametrize("roles", [["social_worker"], ["team_manager", "auditor"], ["helpdesk"]],
                         ids=["social-worker", "manager-and-auditor", "helpdesk"])
def test_the_first_staff_member_must_be_an_admin(ledger: CaseLedger, roles: list[str]) -> None:
    refused(ledger, RuleViolation, "the staff directory is empty: the first staff member added "
            "must hold the admin role", ledger.staff.add, None, staff_id="jane.smith",
            full_name="Jane Smith", designation="Social Worker", team="Assessment", roles=roles)
    assert ledger.integrity.event_count() == 0
    refused(ledger, NotFound, "no staff member with the id 'jane.smith'", ledger.staff_member,
            "jane.smith")


def test_the_first_admin_is_added_by_the_ledger_itself(ledger: CaseLedger, clock: Any) -> None:
    admin = add_admin(ledger)
    assert ledger.integrity.event_count() == 1
    (joined,) = staff_events(ledger, "admin")
    assert isinstance(joined, StaffMember.Joined)
    assert joined.actor == SYSTEM_ACTOR
    assert joined.recorded_at == clock.now
    stored = ledger.staff_member("admin")
    assert (stored.staff_id, stored.full_name, stored.designation, stored.team, stored.roles,
            stored.active) == ("admin", "Priya Raman", "Systems Administrator",
                               "Business Support", (Role.ADMIN,), True)
    assert stored.id == admin.id


def test_after_the_first_member_someone_must_act(ledger: CaseLedger) -> None:
    add_admin(ledger)
    refused(ledger, PermissionDenied, "no acting staff member: say who you are", ledger.staff.add,
            None, staff_id="second.admin", full_name="Second Admin", designation="Administrator",
            team="Business Support", roles=["admin"])
    refused(ledger, NotFound, "no staff member with the id 'nobody' in the staff directory",
            ledger.staff.add, "nobody", staff_id="jane.smith", full_name="Jane Smith",
            designation="Social Worker", team="Assessment", roles=["social_worker"])


# --- only an admin manages staff -------------------------------------------------------------

def fill_directory(app: CaseLedger) -> CaseLedger:
    """An admin, a social worker, a team manager and an auditor."""
    add_admin(app)
    add_jane(app)
    app.staff.add("admin", staff_id="grace.obi", full_name="Grace Obi",
                  designation="Team Manager", team="Assessment", roles=["team_manager"])
    app.staff.add("admin", staff_id="ann.audit", full_name="Ann Dale",
                  designation="Quality Assurance Auditor", team="Quality Assurance",
                  roles=["auditor"])
    return app


@pytest.fixture
def directory(ledger: CaseLedger) -> CaseLedger:
    return fill_directory(ledger)


@pytest.fixture(scope="module", params=BACKENDS)
def shared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[CaseLedger]:
    """One directory per backend for the refusal datasets, which must write nothing.

    A fresh database for each refused input would cost most of the time budget; a refused
    command writes nothing (``refused`` checks it), so they can share one.
    """
    schema = None
    if request.param == "sqlite":
        db = str(tmp_path_factory.mktemp("shared") / "ledger.db")
    else:
        require_pg()
        schema = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        db = f"{PG_URL}{'&' if '?' in PG_URL else '?'}schema={schema}"
    app = CaseLedger(db, clock=Clock())
    try:
        yield fill_directory(app)
    finally:
        app.close()
        if schema:
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.mark.parametrize("acting, label", [
    ("jane.smith", "Jane Smith is a social worker"),
    ("grace.obi", "Grace Obi is a team manager"),
    ("ann.audit", "Ann Dale is an auditor"),
], ids=["social-worker", "team-manager", "auditor"])
def test_only_an_admin_manages_staff(shared: CaseLedger, acting: str, label: str) -> None:
    app = shared
    refused(app, PermissionDenied, f"adding a staff member needs the admin role; {label}",
            app.staff.add, acting, staff_id="new.starter", full_name="New Starter",
            designation="Social Worker", team="Assessment", roles=["social_worker"])
    refused(app, PermissionDenied, f"changing a staff member's details needs the admin role; {label}",
            app.staff.change, acting, "jane.smith", team="Child Protection")
    refused(app, PermissionDenied, f"recording that a staff member left needs the admin role; {label}",
            app.staff.record_leaving, acting, "jane.smith", "moved to another authority")
    assert app.staff_member("jane.smith").team == "Assessment"
    assert app.staff_member("jane.smith").active


def test_an_admin_adds_changes_and_records_leaving(directory: CaseLedger, clock: Any) -> None:
    app = directory
    clock.advance(days=1)
    app.staff.change("admin", "jane.smith", team="Child Protection", designation="Senior Social Worker")
    clock.advance(days=1)
    app.staff.record_leaving("admin", "jane.smith", "moved to another authority")
    jane = app.staff_member("jane.smith")
    assert (jane.team, jane.designation, jane.previous_teams, jane.active) == (
        "Child Protection", "Senior Social Worker", ("Assessment",), False)
    joined, changed, left = staff_events(app, "jane.smith")
    assert [type(e) for e in (joined, changed, left)] == [
        StaffMember.Joined, StaffMember.Changed, StaffMember.Left]
    assert {e.actor["staff_id"] for e in (joined, changed, left)} == {"admin"}
    assert changed.recorded_at == clock.now - dt.timedelta(days=1)
    assert left.reason == "moved to another authority" and left.recorded_at == clock.now


# --- staff ids -------------------------------------------------------------------------------

BAD_STAFF_IDS = {
    "upper-case": "Jane.Smith",
    "one-character": "j",
    "empty": "",
    "space": "jane smith",
    "leading-dot": ".jane",
    "leading-dash": "-jane",
    "trailing-newline": "jane.smith\n",
    "sixty-five-characters": "a" * 65,
    "at-sign": "jane@council.gov.uk",
    "accented-letter": "jan\u00e9",
    "slash": "jane/smith",
}


@pytest.mark.parametrize("staff_id", list(BAD_STAFF_IDS.values()), ids=list(BAD_STAFF_IDS))
def test_a_staff_id_must_have_the_fixed_format(shared: CaseLedger, staff_id: str) -> None:
    ledger = shared
    refused(ledger, RuleViolation, r"staff id .* is not valid: use 2 to 64 lower-case letters, "
            r"digits, '\.', '_' or '-', starting with a letter or digit",
            add_jane, ledger, staff_id=staff_id)


def test_the_first_admin_needs_a_valid_staff_id_too(ledger: CaseLedger) -> None:
    refused(ledger, RuleViolation, "staff id 'Admin' is not valid", ledger.staff.add, None,
            staff_id="Admin", full_name="Priya Raman", designation="Systems Administrator",
            team="Business Support", roles=["admin"])
    assert ledger.integrity.event_count() == 0


@pytest.mark.parametrize("staff_id", ["js", "a" * 64, "j_smith-2", "9lives", "jane.smith"],
                         ids=["two-characters", "sixty-four-characters", "underscore-and-dash",
                              "leading-digit", "dotted"])
def test_valid_staff_ids_are_accepted(ledger: CaseLedger, staff_id: str) -> None:
    add_admin(ledger)
    add_jane(ledger, staff_id=staff_id)
    assert ledger.staff_member(staff_id).full_name == "Jane Smith"


def test_a_staff_id_is_never_reused_even_after_leaving(directory: CaseLedger) -> None:
    app = directory
    refused(app, RuleViolation, "staff id 'jane.smith' is already used by Jane Smith; staff ids "
            "are never reused", add_jane, app, full_name="Janet Smithson")
    app.staff.record_leaving("admin", "jane.smith", "moved to another authority")
    refused(app, RuleViolation, "staff id 'jane.smith' is already used by Jane Smith",
            add_jane, app, full_name="Janet Smithson")


# --- details and roles -----------------------------------------------------------------------

@pytest.mark.parametrize("field, value, message", [
    ("full_name", "", "full name is required for a staff member"),
    ("full_name", "   ", "full name is required for a staff member"),
    ("designation", "", "designation is required for a staff member"),
    ("team", "\t", "team is required for a staff member"),
    ("team", None, "team is required for a staff member"),
], ids=["empty-name", "blank-name", "empty-designation", "blank-team", "no-team"])
def test_name_designation_and_team_are_required(shared: CaseLedger, field: str, value: Any,
                                                message: str) -> None:
    ledger = shared
    refused(ledger, RuleViolation, message + r" \(policy s\.7\)", add_jane, ledger,
            **{"staff_id": "new.starter", field: value})


def test_details_are_stored_trimmed(ledger: CaseLedger) -> None:
    add_admin(ledger)
    add_jane(ledger, full_name="  Jane Smith ", team=" Assessment")
    jane = ledger.staff_member("jane.smith")
    assert (jane.full_name, jane.team) == ("Jane Smith", "Assessment")


@pytest.mark.parametrize("roles, message", [
    (["Social Worker"], "role 'Social Worker' is not a known role; the roles are: social_worker, "
                        "senior_practitioner, team_manager"),
    (["social_worker", "superuser"], "role 'superuser' is not a known role"),
    (["SOCIAL_WORKER"], "role 'SOCIAL_WORKER' is not a known role"),
    ([], "a staff member needs at least one role"),
], ids=["display-name", "one-unknown", "enum-name-not-value", "none"])
def test_roles_come_from_the_fixed_set(shared: CaseLedger, roles: list[str], message: str) -> None:
    refused(shared, RuleViolation, message, add_jane, shared, staff_id="new.starter", roles=roles)


def test_roles_are_kept_once_in_the_fixed_order(ledger: CaseLedger) -> None:
    add_admin(ledger)
    add_jane(ledger, roles=["team_manager", Role.SOCIAL_WORKER, "team_manager", "iro"])
    assert ledger.staff_member("jane.smith").roles == (
        Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.IRO)


@pytest.mark.parametrize("changes, message", [
    ({"team": "Assessment"}, "nothing to change for Jane Smith: the details given are the current ones"),
    ({}, "nothing to change for Jane Smith"),
    ({"full_name": " "}, "full name is required for a staff member"),
    ({"roles": []}, "a staff member needs at least one role"),
    ({"roles": ["boss"]}, "role 'boss' is not a known role"),
], ids=["same-team", "no-changes", "blank-name", "no-roles", "unknown-role"])
def test_a_change_must_change_something_valid(shared: CaseLedger, changes: dict[str, Any],
                                             message: str) -> None:
    refused(shared, RuleViolation, message, shared.staff.change, "admin", "jane.smith", **changes)


def test_changing_an_unknown_member_is_not_found(shared: CaseLedger) -> None:
    refused(shared, NotFound, "no staff member with the id 'john.doe'", shared.staff.change,
            "admin", "john.doe", team="Assessment")


_LEAVING = r"recording that Jane Smith \(jane\.smith\) left"


@pytest.mark.parametrize("reason, message", [
    ("  ", rf"^reason is required when {_LEAVING}$"),
    ("left", rf"^{_LEAVING} needs a reason that explains why \(at least 3 words and 12 letters; it has 1 word "
             r"and 4 letters\); got 'left'$"),
    ("a b c", rf"^{_LEAVING} needs a reason that explains why \(at least 3 words and 12 letters; it has 3 words "
              r"and 3 letters\); got 'a b c'$"),
    ("  new job  ", rf"^{_LEAVING} needs a reason that explains why \(at least 3 words and 12 letters; it has 2 "
                    r"words and 6 letters\); got 'new job'$"),
    ("moved\nto another authority", r"^reason may not contain a line break \(U\+000A\)"),
], ids=["blank", "one-word", "three-letters", "padded-two-words", "line-break"])
def test_leaving_needs_a_reason_that_explains(shared: CaseLedger, reason: str, message: str) -> None:
    error = refused(shared, RuleViolation, message, shared.staff.record_leaving, "admin", "jane.smith", reason)
    assert error.field == "reason"
    assert shared.staff_member("jane.smith").active


def test_the_reason_for_leaving_is_kept_as_given(directory: CaseLedger) -> None:
    directory.staff.record_leaving("admin", "jane.smith", "  Moved to another authority.  ")
    assert staff_events(directory, "jane.smith")[-1].reason == "Moved to another authority."


# --- leavers ---------------------------------------------------------------------------------

@pytest.fixture
def leaver(directory: CaseLedger, clock: Any) -> CaseLedger:
    """Jane opened a case and wrote a draft note, then left."""
    app = directory
    case = app.cases.open("jane.smith", child_name="Amira Hassan", date_of_birth=dt.date(2016, 5, 14),
                          referral_date=dt.date(2026, 10, 28), referral_source="school",
                          team="Assessment", worker="grace.obi")
    note = app.casework.record_note("jane.smith", case.id, kind="home_visit",
                                    occurred_at=clock.now, facts="Visited at home.")
    app.casework.record_note("jane.smith", case.id, kind="telephone_call", occurred_at=clock.now,
                             facts="Rang the school.", finalise=True)
    app.staff.record_leaving("admin", "jane.smith", "moved to another authority")
    app.leaver_case, app.leaver_note = case.id, note  # type: ignore[attr-defined]
    return app


def test_a_leaver_cannot_act(leaver: CaseLedger, clock: Any) -> None:
    app = leaver
    case_id, note = app.leaver_case, app.leaver_note  # type: ignore[attr-defined]
    cannot_act = r"Jane Smith \(jane\.smith\) has left and cannot (act|open any record)"
    refused(app, PermissionDenied, "access denied: " + cannot_act, app.casework.record_note, "jane.smith", case_id,
            kind="contact", occurred_at=clock.now, facts="Spoke to mother.")
    refused(app, PermissionDenied, cannot_act, app.casework.revise_note, "jane.smith", case_id, note,
            facts="Visited at home; mother present.")
    refused(app, PermissionDenied, cannot_act, app.casework.finalise_note, "jane.smith", case_id, note)
    refused(app, PermissionDenied, "opening a case record needs a practice or management role; "
            + cannot_act, app.cases.open, "jane.smith", child_name="Noah Hassan",
            date_of_birth=dt.date(2019, 1, 2), referral_date=dt.date(2026, 10, 28),
            referral_source="school", team="Assessment", worker="grace.obi")


def test_a_leaving_admin_cannot_manage_staff(directory: CaseLedger) -> None:
    app = directory
    app.staff.add("admin", staff_id="second.admin", full_name="Tom Reed", designation="Administrator",
                  team="Business Support", roles=["admin"])
    app.staff.record_leaving("second.admin", "admin", "retired after thirty years")
    refused(app, PermissionDenied, r"adding a staff member needs the admin role; Priya Raman "
            r"\(admin\) has left and cannot act", add_jane, app, staff_id="new.starter")


def test_a_leaver_cannot_be_allocated_a_case(leaver: CaseLedger) -> None:
    app = leaver
    message = r"Jane Smith \(jane\.smith\) has left and cannot be allocated a case"
    refused(app, RuleViolation, message, app.cases.open, "grace.obi", child_name="Noah Hassan",
            date_of_birth=dt.date(2019, 1, 2), referral_date=dt.date(2026, 10, 28),
            referral_source="school", team="Assessment", worker="jane.smith")
    refused(app, RuleViolation, message, app.cases.allocate, "grace.obi",
            app.leaver_case, team="Assessment", worker="jane.smith",  # type: ignore[attr-defined]
            reason="back from leave")


def test_a_leaver_cannot_be_changed_or_leave_again(leaver: CaseLedger) -> None:
    refused(leaver, RuleViolation, r"cannot change the details of Jane Smith \(jane\.smith\): "
            "they have left", leaver.staff.change, "admin", "jane.smith", team="Child Protection")
    refused(leaver, RuleViolation, r"cannot record leaving for Jane Smith \(jane\.smith\): they "
            "have left", leaver.staff.record_leaving, "admin", "jane.smith", "left again")


def test_a_leavers_draft_can_still_be_deleted_by_a_manager_so_the_case_can_close(
        leaver: CaseLedger) -> None:
    app = leaver
    case_id, note = app.leaver_case, app.leaver_note  # type: ignore[attr-defined]
    refused(app, RuleViolation, r"has 1 draft case note\(s\)", app.cases.close, "grace.obi", case_id,
            reason="no further action needed")
    app.casework.delete_note("grace.obi", case_id, note,
                             reason="draft left unfinished by a worker who has left")
    app.cases.close("grace.obi", case_id, reason="no further action needed")
    assert app.case(case_id).status == "closed"


def test_the_directory_lists_everyone_by_team_and_name(directory: CaseLedger) -> None:
    assert directory.staff_ids() == ["grace.obi", "jane.smith", "admin", "ann.audit"]


def test_the_last_admin_cannot_remove_their_own_admin_role_or_leave(ledger: CaseLedger) -> None:
    ledger.staff.add(None, staff_id="admin", full_name="Priya Raman", designation="Systems Administrator",
                     team="Business Support", roles=["admin"])
    before = ledger.integrity.event_count()
    with pytest.raises(RuleViolation, match="only active admin.*Priya Raman|Priya Raman.*only active admin"):
        ledger.staff.change("admin", "admin", roles=["social_worker"])
    with pytest.raises(RuleViolation, match="only active admin"):
        ledger.staff.record_leaving("admin", "admin", reason="Moved to another authority")
    assert ledger.integrity.event_count() == before
    ledger.staff.add("admin", staff_id="second.admin", full_name="Tom Price", designation="Systems Administrator",
                     team="Business Support", roles=["admin"])
    ledger.staff.record_leaving("admin", "admin", reason="Moved to another authority")
    assert not ledger.staff_member("admin").active


@pytest.mark.parametrize("field, value, message", [
    ("full_name", "Jane\nSmith", r"full name may not contain a line break \(U\+000A\); names and single-line"),
    ("team", "Assessment\u202e", r"team may not contain the bidirectional control U\+202E"),
    ("designation", "Social\x1bWorker", r"designation may not contain an escape character \(ESC\)"),
], ids=["name-with-a-line-break", "team-with-a-bidi-override", "designation-with-an-escape"])
def test_staff_details_are_one_line_with_no_control_characters(shared: CaseLedger, field: str, value: str,
                                                               message: str) -> None:
    refused(shared, RuleViolation, message, add_jane, shared, **{"staff_id": "new.starter", field: value})
