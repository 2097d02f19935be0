"""Access policy (ledger/access/policy.py), restriction (ledger/records/restriction.py) and the access log
(ledger/access/log.py) through CaseLedger, on SQLite and PostgreSQL.

The matrix runs every role x restriction x action on one ledger per backend (module scope, for
speed), and checks for each attempt the outcome, that exactly one access event was written (and
nothing else), and what that event says. The other tests use the ``borough`` fixture of
tests/conftest.py: Amira Hassan's case, Assessment team, Jane Smith allocated, Grace Obi its
team manager, Helen Cole service manager.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from ledger.access.log import ATTEMPT_TOPICS, AccessLog, access_day, access_stream_id
from ledger.access.policy import Action, Flag, Outcome, Part, decide, is_out_of_hours
from ledger.application import LONDON, CaseLedger
from ledger.errors import NotFound, PermissionDenied, RuleViolation
from ledger.integrity.verify import verify_ledger
from ledger.records.case import RestrictionKind, months_after
from tests.conftest import BACKENDS, PG_URL, STAFF, Borough, Clock, add_staff, require_pg

EXTRA_STAFF = [
    ("ben.ade", "Ben Ade", "Social Worker", "Assessment", ["social_worker"]),
    ("nia.okoro", "Nia Okoro", "Senior Practitioner", "Child Protection", ["senior_practitioner"]),
    ("david.hart", "David Hart", "Head of Service", "Children's Services", ["head_of_service"]),
    ("ruth.ellis", "Ruth Ellis", "Independent Reviewing Officer", "IRO Service", ["iro"]),
    ("eve.night", "Eve Night", "EDT Social Worker", "Emergency Duty Team", ["edt"]),
]
CHILD = "Amira Hassan"
IN_HOURS = dt.datetime(2027, 1, 4, 11, 0, tzinfo=LONDON)      # a Monday, a working day
OUT_OF_HOURS = dt.datetime(2027, 1, 4, 20, 0, tzinfo=LONDON)
RESTRICTIONS = [None, "adoption", "staff_member", "staff_relative", "temporary"]


def add_extra_staff(app: CaseLedger) -> None:
    for staff_id, name, designation, team, roles in EXTRA_STAFF:
        app.staff.add("admin", staff_id=staff_id, full_name=name, designation=designation, team=team,
                      roles=roles)


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=LONDON)


def attempts(app: CaseLedger) -> list[Any]:
    """Every access-attempt event in the store, in order."""
    return [app.mapper.to_domain_event(n) for n in app.notifications(topics=ATTEMPT_TOPICS)]


def last_attempt(app: CaseLedger) -> Any:
    return attempts(app)[-1]


# --- the matrix: one ledger per backend --------------------------------------------------------


@dataclass
class World:
    app: CaseLedger
    clock: Clock
    cases: dict[tuple[str, str | None], uuid.UUID]  # (variant, restriction) -> case id


def _open(app: CaseLedger) -> uuid.UUID:
    case = app.cases.open("jane.smith", child_name=CHILD, date_of_birth=dt.date(2016, 5, 14),
                          referral_date=dt.date(2026, 10, 28), referral_source="school: safeguarding lead",
                          team="Assessment", worker="jane.smith")
    return case.id


def _cp_plan(app: CaseLedger, cid: uuid.UUID) -> None:
    steps: list[tuple[str, str, dt.datetime, dict[str, Any]]] = [
        ("jane.smith", "contact", at(10, 28, 9), {"source": "school", "channel": "telephone",
                                                  "concern": "bruising on arm"}),
        ("grace.obi", "referral_decision", at(10, 28, 15), {"decision": "referral_accepted"}),
        ("jane.smith", "cf_assessment_started", at(11, 3), {}),
        ("jane.smith", "cf_assessment_completed", at(11, 20),
         {"factors": ["domestic abuse"], "recommendation": "strategy_discussion"}),
        ("grace.obi", "cf_assessment_authorised", at(11, 23), {}),
        ("jane.smith", "strategy_discussion", at(11, 24), {"decision": "s47", "attendees": ["police"]}),
        ("jane.smith", "s47_started", at(11, 24, 14), {}),
        ("grace.obi", "s47_outcome", at(12, 4), {"outcome": "substantiated_icpc"}),
        ("jane.smith", "icpc", at(12, 10), {"decision": "cp_plan", "chair": "IRO Ruth Ellis"}),
        ("grace.obi", "cp_plan_started", at(12, 10, 13), {"category": "neglect"}),
    ]
    for acting, kind, when, details in steps:
        app.casework.record_milestone(acting, cid, kind=kind, occurred_at=when, **details)


def _build(app: CaseLedger, clock: Clock) -> World:
    add_staff(app)
    add_extra_staff(app)
    cases: dict[tuple[str, str | None], uuid.UUID] = {}
    for restriction in RESTRICTIONS:
        for variant in ("plain", "lac", "cp"):
            cid = _open(app)
            if variant == "lac":
                app.casework.record_milestone("grace.obi", cid, kind="became_looked_after", occurred_at=at(11, 3),
                                              legal_status="s20")
            elif variant == "cp":
                _cp_plan(app, cid)
            if restriction is not None:
                app.access.restrict("helen.cole", cid, kind=restriction,
                                    reason=f"restricted for the matrix: {restriction}")
            cases[variant, restriction] = cid
    assert app.case(cases["lac", None]).process["looked_after"]["status"] == "looked_after"
    assert app.case(cases["cp", None]).process["cp_plan"]["active"]
    return World(app, clock, cases)


@pytest.fixture(scope="module", params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    clock = Clock(dt.datetime(2027, 1, 4, 8, 0, tzinfo=LONDON))
    schema = None
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("access") / "ledger.db")
    else:
        require_pg()
        schema = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}schema={schema}"
    app = CaseLedger(url, clock=clock)
    try:
        yield _build(app, clock)
    finally:
        app.close()
        if schema is not None:
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


# (id, staff id, case variant, out of hours, allowed on an unrestricted record, allowed on a restricted one)
# r = read, w = write, d = delete. Reads without a stated reason (self-claim) or basis (break-glass).
WHO = [
    ("social_worker_allocated", "jane.smith", "plain", False, "rw", "rw"),
    ("social_worker_same_team", "ben.ade", "plain", False, "rw", ""),
    ("senior_practitioner_same_team", "omar.farah", "plain", False, "rw", ""),
    ("social_worker_other_team", "cp.worker", "plain", False, "", ""),
    ("senior_practitioner_other_team", "nia.okoro", "plain", False, "", ""),
    ("team_manager_of_team", "grace.obi", "plain", False, "rwd", "rwd"),
    ("team_manager_other_team", "liam.walsh", "plain", False, "", ""),
    ("service_manager", "helen.cole", "plain", False, "rwd", "rwd"),
    ("head_of_service", "david.hart", "plain", False, "rwd", "rwd"),
    ("iro_no_plan", "ruth.ellis", "plain", False, "", ""),
    ("iro_looked_after", "ruth.ellis", "lac", False, "rw", "rw"),
    ("iro_cp_plan", "ruth.ellis", "cp", False, "rw", "rw"),
    ("edt_in_hours", "eve.night", "plain", False, "", ""),
    ("edt_out_of_hours", "eve.night", "plain", True, "rw", "rw"),
    ("helpdesk", "sam.hd", "plain", False, "", ""),
    ("auditor", "ann.audit", "plain", False, "r", ""),
    ("admin", "admin", "plain", False, "", ""),
]
ACTIONS = [("read", Part.NOTE), ("write", Part.NOTE), ("delete", Part.NOTE)]


@pytest.mark.parametrize(("action", "part"), ACTIONS, ids=[a for a, _ in ACTIONS])
@pytest.mark.parametrize("restriction", RESTRICTIONS, ids=[r or "unrestricted" for r in RESTRICTIONS])
@pytest.mark.parametrize(("staff_id", "variant", "ooh", "plain_ok", "restricted_ok"),
                         [w[1:] for w in WHO], ids=[w[0] for w in WHO])
def test_matrix(world: World, staff_id: str, variant: str, ooh: bool, plain_ok: str, restricted_ok: str,
                restriction: str | None, action: str, part: Part) -> None:
    app = world.app
    world.clock.now = OUT_OF_HOURS if ooh else IN_HOURS
    cid = world.cases[variant, restriction]
    case_version = app.case(cid).version
    events_before, attempts_before = app.integrity.event_count(), len(attempts(app))
    expected = (plain_ok if restriction is None else restricted_ok)
    granted = action[0] in expected
    if granted:
        decision = app.access.check(staff_id, cid, action, part)
        assert decision.granted and not decision.flagged, decision
    else:
        with pytest.raises(PermissionDenied, match="^access denied: ") as caught:
            app.access.check(staff_id, cid, action, part)
        message = str(caught.value)
        assert "Amira" not in message and "Hassan" not in message and "2016" not in message
        if restriction is not None:
            assert message.startswith(f"access denied: restricted ({RestrictionKind(restriction).label}): ")
    # exactly one event, an access attempt, in the actor's own stream of the day; the case untouched
    assert app.integrity.event_count() == events_before + 1
    assert len(attempts(app)) == attempts_before + 1
    assert app.case(cid).version == case_version
    event = last_attempt(app)
    assert event.originator_id == access_stream_id(staff_id, access_day(world.clock.now))
    assert event.actor["staff_id"] == staff_id and event.case_id == cid
    assert event.action is Action(action) and event.part is part
    assert event.outcome is (Outcome.GRANTED if granted else Outcome.DENIED)
    assert event.restriction == restriction and event.case_version == case_version
    assert event.flag is (Flag.DISCIPLINARY if restriction is not None and not granted else None)
    assert event.rule and event.rule_id


# Deleted notes' text (part deleted_content) is audit-only: the team manager of the holding team,
# service managers, heads of service and auditors (unrestricted records: auditors are not named on a
# restricted one). (staff id, variant, out of hours, on an unrestricted record, on a restricted one.)
STAFF_NAMES = {row[0]: row[1] for row in [*STAFF, *EXTRA_STAFF]}
DELETED_READERS = {"team_manager_of_team": (True, True), "service_manager": (True, True),
                   "head_of_service": (True, True), "auditor": (True, False)}


@pytest.mark.parametrize("restriction", [None, "temporary"], ids=["unrestricted", "temporary"])
@pytest.mark.parametrize(("who", "staff_id", "variant", "ooh"), [w[:4] for w in WHO], ids=[w[0] for w in WHO])
def test_matrix_deleted_content(world: World, who: str, staff_id: str, variant: str, ooh: bool,
                                restriction: str | None) -> None:
    app = world.app
    world.clock.now = OUT_OF_HOURS if ooh else IN_HOURS
    cid = world.cases[variant, restriction]
    before = len(attempts(app))
    granted = DELETED_READERS.get(who, (False, False))[restriction is not None]
    if granted:
        decision = app.access.check(staff_id, cid, "read", Part.DELETED_CONTENT)
        assert decision.granted and decision.rule_id.startswith("deleted_content_") and not decision.flagged
        assert "deleted notes' text is audit-only" in decision.rule
    else:
        with pytest.raises(PermissionDenied, match=r"reading the text of a deleted case note is audit-only: it "
                           r"needs the role team manager or above \(the team manager of the Assessment team, "
                           rf"which holds the case, a service manager or head of service\) or an auditor; "
                           rf"{STAFF_NAMES[staff_id]} is "):
            app.access.check(staff_id, cid, "read", Part.DELETED_CONTENT,
                             purpose="covering duty for the allocated worker")
    event = last_attempt(app)
    assert len(attempts(app)) == before + 1 and event.part is Part.DELETED_CONTENT
    assert event.outcome is (Outcome.GRANTED if granted else Outcome.DENIED)
    assert event.rule_id == (decision.rule_id if granted else "deleted_content_audit_only")


def test_matrix_ledger_verifies(world: World) -> None:
    """The access streams are hash-chained and in the Merkle log like every other stream."""
    report = verify_ledger(world.app.recorder, verifier=None)
    assert report.ok, report.problems
    assert report.chains.streams > len(STAFF) + len(EXTRA_STAFF) + len(world.cases)


# --- writes beyond the matrix: authorise, restrict, part-specific ---------------------------------

MORE = [
    ("team_manager_authorises", "grace.obi", "authorise", Part.PROCESS, True),
    ("team_manager_other_team_authorises", "liam.walsh", "authorise", Part.PROCESS, False),
    ("social_worker_authorises", "jane.smith", "authorise", Part.PROCESS, False),
    ("service_manager_restricts", "helen.cole", "restrict", Part.RESTRICTION, True),
    ("team_manager_restricts", "grace.obi", "restrict", Part.RESTRICTION, False),
    ("social_worker_restricts", "jane.smith", "restrict", Part.RESTRICTION, False),
    ("auditor_reads_audit_view", "ann.audit", "read", Part.AUDIT_VIEW, True),
    ("auditor_writes", "ann.audit", "write", Part.NOTE, False),
]


@pytest.mark.parametrize(("staff_id", "action", "part", "granted"), [m[1:] for m in MORE], ids=[m[0] for m in MORE])
def test_other_actions(borough: Borough, staff_id: str, action: str, part: Part, granted: bool) -> None:
    app = borough.ledger
    add_extra_staff(app)
    before = len(attempts(app))
    if granted:
        assert app.access.check(staff_id, borough.case_id, action, part).granted
    else:
        with pytest.raises(PermissionDenied, match="^access denied: "):
            app.access.check(staff_id, borough.case_id, action, part)
    assert len(attempts(app)) == before + 1


# --- self-claim on an unrestricted record --------------------------------------------------------

REASONS = [("no_reason", "", False), ("blank", "   ", False), ("one_word", "curious", False),
           ("two_words", "just checking", False), ("explained", "covering duty for the allocated worker", True)]


@pytest.mark.parametrize(("purpose", "granted"), [r[1:] for r in REASONS], ids=[r[0] for r in REASONS])
def test_self_claim(borough: Borough, purpose: str, granted: bool) -> None:
    app = borough.ledger
    if granted:
        decision = app.access.check("cp.worker", borough.case_id, "read", "chronology", purpose=purpose)
        assert decision.granted and decision.flag is Flag.REVIEW and decision.rule_id == "self_claim"
        assert "Kofi Mensah" in decision.rule and "flagged for review" in decision.rule
    else:
        with pytest.raises(PermissionDenied, match=r"Kofi Mensah is not the allocated worker.*state why"):
            app.access.check("cp.worker", borough.case_id, "read", "chronology", purpose=purpose)
    event = last_attempt(app)
    assert event.outcome is (Outcome.GRANTED if granted else Outcome.DENIED)
    assert event.flag is (Flag.REVIEW if granted else None)
    assert event.purpose == purpose.strip()
    assert len(attempts(app)) == 1


@pytest.mark.parametrize("staff_id", ["sam.hd", "admin"], ids=["helpdesk", "admin"])
def test_no_self_claim_without_a_social_care_role(borough: Borough, staff_id: str) -> None:
    with pytest.raises(PermissionDenied, match="no social-care role"):
        borough.ledger.access.check(staff_id, borough.case_id, "read", "note",
                                    purpose="I would like to see this record")


def test_self_claim_is_for_reading_only(borough: Borough) -> None:
    with pytest.raises(PermissionDenied, match="recording on this case needs the allocated worker, the team that "
                       "holds the case.*; Kofi Mensah is a social worker, not on this case"):
        borough.ledger.access.check("cp.worker", borough.case_id, "write", "note",
                                    purpose="covering duty for the allocated worker")


# --- break-glass on a restricted record ----------------------------------------------------------

BREAK_GLASS = [
    ("basis_and_reason", "concern_for_safety", "child reported missing tonight", True),
    ("legal_duty", "legal_duty", "police request under section 47", True),
    ("court_order", "court_order", "court ordered disclosure today", True),
    ("no_basis", None, "child reported missing tonight", False),
    ("bad_basis", "curiosity", "child reported missing tonight", False),
    ("basis_without_reason", "concern_for_safety", "", False),
    ("nothing", None, "", False),
]


@pytest.mark.parametrize(("basis", "purpose", "granted"), [b[1:] for b in BREAK_GLASS],
                         ids=[b[0] for b in BREAK_GLASS])
def test_break_glass(borough: Borough, basis: str | None, purpose: str, granted: bool) -> None:
    app = borough.ledger
    app.access.restrict("helen.cole", borough.case_id, kind="temporary", reason="police investigation is ongoing")
    before = len(attempts(app))
    if granted:
        decision = app.access.check("omar.farah", borough.case_id, "read", "case_view", purpose=purpose,
                                    basis=basis)
        assert decision.granted and decision.flag is Flag.ALERT and decision.rule_id == "break_glass"
        assert "alerted to the service manager" in decision.rule
    else:
        with pytest.raises(PermissionDenied, match=r"^access denied: restricted \(temporary\): Omar Farah is "
                           "not named on the record and has no need-to-know grant"):
            app.access.check("omar.farah", borough.case_id, "read", "case_view", purpose=purpose, basis=basis)
    event = last_attempt(app)
    assert len(attempts(app)) == before + 1
    assert event.flag is (Flag.ALERT if granted else Flag.DISCIPLINARY)
    assert event.basis == (basis or "") and event.purpose == purpose and event.restriction == "temporary"


def test_break_glass_never_writes_and_needs_a_social_care_role(borough: Borough) -> None:
    app = borough.ledger
    app.access.restrict("helen.cole", borough.case_id, kind="adoption", reason="matched with prospective adopters")
    with pytest.raises(PermissionDenied, match="recording on this case needs someone named on the restricted record"):
        app.access.check("cp.worker", borough.case_id, "write", "note", purpose="child missing tonight urgently",
                         basis="concern_for_safety")
    with pytest.raises(PermissionDenied, match="Sam Hughes is a helpdesk, which cannot break glass"):
        app.access.check("sam.hd", borough.case_id, "read", "note", purpose="child missing tonight urgently",
                         basis="concern_for_safety")


# --- what a denial says -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", RESTRICTIONS, ids=[r or "unrestricted" for r in RESTRICTIONS])
def test_denied_read_reveals_nothing_of_the_record(borough: Borough, kind: str | None) -> None:
    app = borough.ledger
    if kind is not None:
        app.access.restrict("helen.cole", borough.case_id, kind=kind, reason="sensitive record restricted now")
    with pytest.raises(PermissionDenied) as caught:
        app.access.check("liam.walsh", borough.case_id, "read", "note")
    message = str(caught.value)
    assert "Liam Walsh" in message
    for secret in (CHILD, "Amira", "Hassan", "2016", "Jane Smith", "Grace Obi", "Assessment", "school",
                   "sensitive record"):
        assert secret not in message


def test_staff_concerned_is_denied_everything(borough: Borough) -> None:
    """The staff member a staff restriction is about is refused, allocated worker or not."""
    app = borough.ledger
    app.access.restrict("helen.cole", borough.case_id, kind="staff_relative", staff_concerned="jane.smith",
                        reason="the child is a relative of the allocated worker")
    for action in ("read", "write"):
        with pytest.raises(PermissionDenied, match=r"restricted \(staff member's relative\): Jane Smith is the "
                           "member of staff this restriction concerns"):
            app.access.check("jane.smith", borough.case_id, action, "note", purpose="emergency visit tonight now",
                             basis="concern_for_safety")
    assert app.access.check("grace.obi", borough.case_id, "read", "note").granted
    with pytest.raises(RuleViolation, match="staff_concerned names the member of staff"):
        app.access.lift_restriction("helen.cole", borough.case_id, reason="restriction no longer needed now")
        app.access.restrict("helen.cole", borough.case_id, kind="adoption", staff_concerned="jane.smith",
                            reason="matched with prospective adopters")


def test_left_staff_member_is_denied(borough: Borough) -> None:
    app = borough.ledger
    app.staff.add("admin", staff_id="tom.gone", full_name="Tom Gone", designation="Social Worker",
                  team="Assessment", roles=["social_worker"])
    app.staff.record_leaving("admin", "tom.gone", reason="moved to another authority")
    with pytest.raises(PermissionDenied, match=r"Tom Gone \(tom.gone\) has left"):
        app.access.check("tom.gone", borough.case_id, "read", "note")
    assert last_attempt(app).rule_id == "left"


def test_unknown_staff_and_unknown_case_are_recorded(borough: Borough) -> None:
    app = borough.ledger
    with pytest.raises(PermissionDenied, match="no staff member with the id 'mallory'"):
        app.access.check("mallory", borough.case_id, "read", "note")
    event = last_attempt(app)
    assert event.actor["staff_id"] == "mallory" and event.outcome is Outcome.DENIED
    assert event.rule_id == "unknown_staff" and event.case_id is None
    assert event.case_ref == str(borough.case_id)
    missing = uuid.uuid4()
    with pytest.raises(NotFound, match=f"no case record {missing}"):
        app.access.check("jane.smith", missing, "read", "note")
    event = last_attempt(app)
    assert event.rule_id == "no_such_case" and event.case_ref == str(missing)
    assert len(attempts(app)) == 2


# --- time: EDT out of hours ---------------------------------------------------------------------

HOURS = [
    ("monday_0859", dt.datetime(2026, 11, 2, 8, 59, tzinfo=LONDON), True),
    ("monday_0900", dt.datetime(2026, 11, 2, 9, 0, tzinfo=LONDON), False),
    ("monday_1659", dt.datetime(2026, 11, 2, 16, 59, tzinfo=LONDON), False),
    ("monday_1700", dt.datetime(2026, 11, 2, 17, 0, tzinfo=LONDON), True),
    ("saturday_noon", dt.datetime(2026, 11, 7, 12, 0, tzinfo=LONDON), True),
    ("christmas_noon", dt.datetime(2026, 12, 25, 12, 0, tzinfo=LONDON), True),
    ("bst_0830_utc_is_0930_london", dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.UTC), False),
    ("bst_1630_utc_is_1730_london", dt.datetime(2026, 7, 1, 16, 30, tzinfo=dt.UTC), True),
]


@pytest.mark.parametrize(("now", "expected"), [h[1:] for h in HOURS], ids=[h[0] for h in HOURS])
def test_out_of_hours(now: dt.datetime, expected: bool) -> None:
    assert is_out_of_hours(now) is expected


def test_edt_on_a_weekend_day(borough: Borough, clock: Clock) -> None:
    app = borough.ledger
    add_extra_staff(app)
    clock.now = dt.datetime(2026, 11, 7, 12, 0, tzinfo=LONDON)  # Saturday noon
    decision = app.access.check("eve.night", borough.case_id, "read", "note")
    assert decision.rule == "Eve Night is an EDT worker and it is out of hours"


# --- helpdesk and roll-backs -----------------------------------------------------------------------

def test_helpdesk_for_its_roll_back(borough: Borough) -> None:
    app = borough.ledger
    rollback = {"id": "rb-1", "case_id": borough.case_id, "helpdesk": "sam.hd"}
    assert app.access.check("sam.hd", borough.case_id, "read", "process", rollback=rollback).granted
    assert app.access.check("sam.hd", borough.case_id, "write", "process", rollback=rollback).granted
    with pytest.raises(PermissionDenied, match="roll-back rb-1 of this case: that does not allow it"):
        app.access.check("sam.hd", borough.case_id, "write", "note", rollback=rollback)
    other = {"id": "rb-2", "case_id": uuid.uuid4(), "helpdesk": "sam.hd"}
    with pytest.raises(PermissionDenied):
        app.access.check("sam.hd", borough.case_id, "read", "process", rollback=other)


# --- restriction commands -------------------------------------------------------------------------

@pytest.mark.parametrize("staff_id", ["grace.obi", "jane.smith", "liam.walsh", "admin"],
                         ids=["team_manager", "allocated_worker", "other_team_manager", "admin"])
def test_only_service_manager_or_head_restricts(borough: Borough, staff_id: str) -> None:
    app = borough.ledger
    version = app.case(borough.case_id).version
    with pytest.raises(PermissionDenied, match=r"a service manager or head of service,? .*decides"):
        app.access.restrict(staff_id, borough.case_id, kind="adoption", reason="matched with prospective adopters")
    assert app.case(borough.case_id).version == version
    event = last_attempt(app)
    assert event.action is Action.RESTRICT and event.outcome is Outcome.DENIED


@pytest.mark.parametrize("staff_id", ["helen.cole", "david.hart"], ids=["service_manager", "head_of_service"])
def test_restrict_and_lift(borough: Borough, staff_id: str) -> None:
    app = borough.ledger
    add_extra_staff(app)
    case = app.access.restrict(staff_id, borough.case_id, kind="adoption",
                               reason="matched with prospective adopters")
    event = list(app.events.get(borough.case_id))[-1]
    assert type(event).__name__ == "RecordRestricted" and event.reason == "matched with prospective adopters"
    assert case.restriction["kind"] == "adoption" and case.restriction["by"]["staff_id"] == staff_id
    with pytest.raises(RuleViolation, match=r"already restricted \(adoption\)"):
        app.access.restrict(staff_id, borough.case_id, kind="temporary", reason="another reason given here")
    with pytest.raises(PermissionDenied):
        app.access.check("omar.farah", borough.case_id, "read", "note")
    with pytest.raises(PermissionDenied):
        app.access.lift_restriction("grace.obi", borough.case_id, reason="adoption order was revoked")
    app.access.lift_restriction(staff_id, borough.case_id, reason="adoption order was revoked")
    assert app.case(borough.case_id).restriction is None
    assert app.access.check("omar.farah", borough.case_id, "read", "note").rule_id == "team"
    with pytest.raises(RuleViolation, match="it is not restricted"):
        app.access.lift_restriction(staff_id, borough.case_id, reason="adoption order was revoked")


@pytest.mark.parametrize(("kind", "reason", "message"), [
    ("adoption", "matched", "needs a reason that explains why"),
    ("adoption", "", "reason is required"),
    ("sealed", "matched with prospective adopters", "restriction kind 'sealed' is not one of"),
], ids=["one_word_reason", "no_reason", "unknown_kind"])
def test_restrict_refusals(borough: Borough, kind: str, reason: str, message: str) -> None:
    app = borough.ledger
    version = app.case(borough.case_id).version
    with pytest.raises(RuleViolation, match=message):
        app.access.restrict("helen.cole", borough.case_id, kind=kind, reason=reason)
    assert app.case(borough.case_id).version == version


# --- need-to-know grants ----------------------------------------------------------------------------

def test_grants_expire_renew_and_revoke(borough: Borough, clock: Clock) -> None:
    app = borough.ledger
    app.access.restrict("helen.cole", borough.case_id, kind="staff_member", reason="the child's parent works here")
    granted_at = clock.now
    case = app.access.grant("helen.cole", borough.case_id, staff="cp.worker", reason="joint visit with CP team")
    until = case.access_grants["cp.worker"]["until"]
    assert until == months_after(granted_at, 6) == dt.datetime(2027, 5, 2, 10, 0, tzinfo=LONDON)
    assert app.access.check("cp.worker", borough.case_id, "read", "note").rule_id == "need_to_know"
    with pytest.raises(PermissionDenied, match="need-to-know access until .*: that does not allow it"):
        app.access.check("cp.worker", borough.case_id, "write", "note")
    with pytest.raises(RuleViolation, match="already has need-to-know access until .*renew it instead"):
        app.access.grant("helen.cole", borough.case_id, staff="cp.worker", reason="joint visit with CP team")

    clock.now = until - dt.timedelta(minutes=1)
    assert app.access.check("cp.worker", borough.case_id, "read", "note").granted
    clock.now = until
    with pytest.raises(PermissionDenied, match="Kofi Mensah is not named on the record and has no need-to-know"):
        app.access.check("cp.worker", borough.case_id, "read", "note")

    app.access.renew_grant("helen.cole", borough.case_id, staff="cp.worker", reason="the joint work continues")
    assert app.access.check("cp.worker", borough.case_id, "read", "note").granted
    assert app.case(borough.case_id).access_grants["cp.worker"]["until"] == months_after(clock.now, 6)

    with pytest.raises(PermissionDenied):
        app.access.revoke_grant("grace.obi", borough.case_id, staff="cp.worker", reason="the joint work has ended")
    app.access.revoke_grant("helen.cole", borough.case_id, staff="cp.worker", reason="the joint work has ended")
    with pytest.raises(PermissionDenied, match="has no need-to-know grant"):
        app.access.check("cp.worker", borough.case_id, "read", "note")
    with pytest.raises(RuleViolation, match="was revoked on .* by Helen Cole; grant it again"):
        app.access.renew_grant("helen.cole", borough.case_id, staff="cp.worker", reason="the joint work continues")
    app.access.grant("helen.cole", borough.case_id, staff="cp.worker", reason="joint work restarted today")
    assert app.access.check("cp.worker", borough.case_id, "read", "note").granted
    # lifting the restriction ends the grants that served it
    app.access.lift_restriction("helen.cole", borough.case_id, reason="the parent no longer works here")
    assert app.case(borough.case_id).access_grants == {}


@pytest.mark.parametrize(("until", "message"), [
    (dt.timedelta(days=200), "more than 6 months away"),
    (dt.timedelta(minutes=-1), "is not in the future"),
], ids=["beyond_six_months", "in_the_past"])
def test_grant_until_refused(borough: Borough, clock: Clock, until: dt.timedelta, message: str) -> None:
    app = borough.ledger
    app.access.restrict("helen.cole", borough.case_id, kind="temporary", reason="police investigation is ongoing")
    with pytest.raises(RuleViolation, match=message):
        app.access.grant("helen.cole", borough.case_id, staff="cp.worker", reason="joint visit with CP team",
                         until=clock.now + until)


def test_grant_needs_a_restriction(borough: Borough) -> None:
    with pytest.raises(RuleViolation, match="it is not restricted"):
        borough.ledger.access.grant("helen.cole", borough.case_id, staff="cp.worker",
                                    reason="joint visit with CP team")


def test_months_after_clamps_the_day() -> None:
    assert months_after(dt.datetime(2026, 8, 31, 12, tzinfo=LONDON), 6) == dt.datetime(2027, 2, 28, 12, tzinfo=LONDON)
    assert months_after(dt.datetime(2027, 8, 31, 12, tzinfo=LONDON), 6) == dt.datetime(2028, 2, 29, 12, tzinfo=LONDON)


# --- the access log: its own streams, chained, recorded first -----------------------------------

def test_attempts_are_in_daily_streams_of_the_staff_member(borough: Borough, clock: Clock) -> None:
    app = borough.ledger
    case_version = app.case(borough.case_id).version
    app.access.check("jane.smith", borough.case_id, "read", "chronology", purpose="preparing for the visit",
                     client="10.1.2.3", item="entry-7")
    with pytest.raises(PermissionDenied):
        app.access.check("jane.smith", borough.case_id, "delete", "note")
    clock.advance(days=1)
    app.access.check("jane.smith", borough.case_id, "read", "summary")
    assert app.case(borough.case_id).version == case_version  # reading never writes the case stream

    day1 = list(app.events.get(access_stream_id("jane.smith", dt.date(2026, 11, 2))))
    day2 = list(app.events.get(access_stream_id("jane.smith", dt.date(2026, 11, 3))))
    assert [type(e) for e in day1] == [AccessLog.LogOpened, AccessLog.AttemptRecorded]
    assert [type(e) for e in day2] == [AccessLog.LogOpened]
    first = day1[0]
    assert first.actor == {"staff_id": "jane.smith", "full_name": "Jane Smith", "designation": "Social Worker",
                           "team": "Assessment", "roles": ["social_worker"]}
    assert (first.case_id, first.part, first.action, first.item) == (borough.case_id, Part.CHRONOLOGY,
                                                                      Action.READ, "entry-7")
    assert first.purpose == "preparing for the visit" and first.outcome is Outcome.GRANTED
    assert first.rule == "Jane Smith is the allocated worker" and first.restriction is None
    assert first.occurred_at == dt.datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)
    assert first.origin == {"process": os.getpid(), "host": socket.gethostname(), "client": "10.1.2.3"}
    assert first.staff_id == "jane.smith" and first.day == dt.date(2026, 11, 2)
    assert day1[1].outcome is Outcome.DENIED and day1[1].prev_hash == first.event_hash
    assert app.repository.get(access_stream_id("jane.smith", dt.date(2026, 11, 2))).attempts == 2
    assert verify_ledger(app.recorder, verifier=None).ok


def test_attempt_is_recorded_before_the_decision_returns(borough: Borough, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the attempt cannot be recorded, nothing is returned: the error comes out instead."""
    app = borough.ledger

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the access log is unavailable")

    monkeypatch.setattr(app.access, "record_attempt", broken)
    with pytest.raises(RuntimeError, match="access log is unavailable"):
        app.access.check("jane.smith", borough.case_id, "read", "note")


def test_concurrent_attempts_by_one_person_are_both_recorded(db: str, borough: Borough, clock: Clock,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process appends to the same daily stream between our read and our write: we retry."""
    app = borough.ledger
    app.access.check("jane.smith", borough.case_id, "read", "note")  # app caches the day's stream
    other = CaseLedger(db, clock=clock)
    try:
        original = app.store
        raced: list[str] = []

        def racing_save(what: str, *aggregates: Any) -> None:
            if not raced and isinstance(aggregates[0], AccessLog):
                raced.append(what)
                other.access.check("jane.smith", borough.case_id, "read", "summary")
            original(what, *aggregates)

        monkeypatch.setattr(app, "store", racing_save)
        app.access.check("jane.smith", borough.case_id, "read", "chronology")
    finally:
        other.close()
    assert raced
    parts = [e.part for e in app.events.get(access_stream_id("jane.smith", dt.date(2026, 11, 2)))]
    assert parts == [Part.NOTE, Part.SUMMARY, Part.CHRONOLOGY]
    assert verify_ledger(app.recorder, verifier=None).ok


# --- the pure function ---------------------------------------------------------------------------

def test_decide_is_pure(borough: Borough) -> None:
    app = borough.ledger
    actor, case = app.staff_member("liam.walsh"), app.case(borough.case_id)
    before = app.integrity.event_count()
    decision = decide(actor, case, Action.READ, Part.NOTE, purpose="", now=IN_HOURS)
    assert decision.outcome is Outcome.DENIED and decision.reason_required
    assert decide(actor, case, "read", "note", purpose="covering the duty rota today", now=IN_HOURS).flagged
    assert app.integrity.event_count() == before
    assert decide(app.staff_member("grace.obi"), case, "delete", "note", now=IN_HOURS).rule == (
        "Grace Obi is the team manager of the Assessment team, which holds the case")
    assert decide(app.staff_member("helen.cole"), case, "restrict", "restriction", now=IN_HOURS).rule == (
        "Helen Cole is a service manager: service managers and heads of service hold authority over every "
        "case (one authority)")


@pytest.mark.parametrize("purpose", ["a b c", "   x   y   z   ", "see\x07 this record now", "1 2 3 4 5"],
                         ids=["single-letters", "padded-letters", "bell", "digits"])
def test_a_purpose_that_explains_nothing_is_no_self_claim(borough: Borough, purpose: str) -> None:
    app = borough.ledger
    actor, case = app.staff_member("liam.walsh"), app.case(borough.case_id)
    decision = decide(actor, case, Action.READ, Part.NOTE, purpose=purpose, now=IN_HOURS)
    assert decision.outcome is Outcome.DENIED and decision.reason_required
    assert "at least 3 words and 12 letters" in decision.rule
