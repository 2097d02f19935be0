"""The case-recording rules (ledger/records/case.py through CaseLedger), on both backends.

Every refusal is checked for its exact error type and message, and for having written nothing.
The ``borough`` fixture gives the staff of tests/conftest.py and one open case: Amira Hassan,
Assessment team, allocated to Jane Smith (social worker); Grace Obi manages Assessment.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from ledger.application import LONDON, CaseLedger
from ledger.errors import LedgerError, NotFound, PermissionDenied, RuleViolation
from ledger.integrity.encoding import decode
from ledger.records.case import CaseRecord, DecisionKind, InterpreterKind, NoteKind, NoteSource
from ledger.records.staff import StaffMember
from tests.conftest import BACKENDS, PG_URL, Clock, add_staff, open_amira, refused, require_pg

UTC = dt.UTC
STAMP_KEYS = {"staff_id", "full_name", "designation", "team", "roles"}



@dataclass
class World:
    app: CaseLedger
    clock: Clock
    case_id: uuid.UUID
    final_note_id: uuid.UUID | None = None  # in the shared world: Jane's finalised home visit

    def note(self, acting: str = "jane.smith", **overrides: Any) -> uuid.UUID:
        details: dict[str, Any] = {
            "kind": "home_visit", "occurred_at": self.clock.now - dt.timedelta(hours=2),
            "facts": "Visited Amira at home; she showed me her room.",
        }
        return self.app.casework.record_note(acting, self.case_id, **{**details, **overrides})

    def final_note(self, acting: str = "jane.smith", **overrides: Any) -> uuid.UUID:
        return self.note(acting, finalise=True, **overrides)

    def decide(self, acting: str = "grace.obi", **overrides: Any) -> uuid.UUID:
        return self.app.casework.record_decision(acting, self.case_id, **{**DECISION, **overrides})

    def case(self) -> CaseRecord:
        return self.app.case(self.case_id)

    def stored_events(self) -> list[Any]:
        return list(self.app.events.get(self.case_id))


DECISION: dict[str, Any] = {
    "decision": "Hold a strategy discussion within two working days",
    "reasons": "The school reports bruising that Amira could not explain",
    "risks_considered": "Risk of further physical harm at home; impact of delay",
    "options_not_chosen": [{"option": "No further action",
                            "why_not": "the injury is unexplained and recent"}],
}


@pytest.fixture
def world(borough: Any, clock: Clock) -> World:
    return World(borough.ledger, clock, borough.case_id)


@pytest.fixture(scope="module", params=BACKENDS)
def shared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One borough per backend for the refusal datasets, which must write nothing.

    Setting up a borough for each of the many refused inputs would cost most of the time
    budget; a refused command writes nothing (``refused`` checks it), so they can share one.
    It holds the borough's case and one finalised note by Jane Smith, and no draft.
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
    clock = Clock()
    app = CaseLedger(db, clock=clock)
    try:
        case = open_amira(app, clock)
        world = World(app, clock, case.id)
        world.final_note_id = world.final_note(facts="Visited Amira at home.")
        yield world
    finally:
        app.close()
        if schema:
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


# --- opening a case record -------------------------------------------------------------------

def test_opening_records_the_child_the_referral_and_the_allocation(world: World) -> None:
    case = world.case()
    assert case.child == {"name": "Amira Hassan", "date_of_birth": dt.date(2016, 5, 14),
                          "expected_date_of_birth": None}
    assert case.referral == {"date": dt.date(2026, 10, 28),
                             "source": "school: designated safeguarding lead"}
    assert (case.team, case.worker["staff_id"], case.status) == ("Assessment", "jane.smith", "open")
    (opened,) = world.stored_events()
    assert isinstance(opened, CaseRecord.Opened)
    # Recorded when the ledger took it (the clock, 09:00), dated by the referral day (London).
    assert opened.recorded_at == dt.datetime(2026, 11, 2, 9, 0, tzinfo=LONDON)
    assert opened.occurred_at == dt.datetime(2026, 10, 28, 0, 0, tzinfo=LONDON)


def test_a_pre_birth_referral_gives_the_expected_date_of_birth(world: World) -> None:
    case = world.app.cases.open("omar.farah", child_name="Baby Hassan", referral_date=dt.date(2026, 11, 2),
                                expected_date_of_birth=dt.date(2027, 2, 1),
                                referral_source="midwife", team="Assessment", worker="omar.farah")
    assert world.app.case(case.id).child["expected_date_of_birth"] == dt.date(2027, 2, 1)
    assert world.app.case(case.id).child["date_of_birth"] is None


OPEN = {"child_name": "Noah Hassan", "date_of_birth": dt.date(2019, 3, 1),
        "referral_date": dt.date(2026, 11, 1), "referral_source": "police", "team": "Assessment",
        "worker": "jane.smith"}

BAD_OPENINGS = [
    ("both-birth-dates", "jane.smith", {"expected_date_of_birth": dt.date(2027, 1, 1)}, RuleViolation,
     r"needs either date_of_birth or, for a pre-birth referral, expected_date_of_birth "
     r"\(one of the two, not both\)"),
    ("no-birth-date", "jane.smith", {"date_of_birth": None}, RuleViolation,
     r"needs either date_of_birth or, for a pre-birth referral, expected_date_of_birth"),
    ("referral-tomorrow", "jane.smith", {"referral_date": dt.date(2026, 11, 3)}, RuleViolation,
     r"referral_date 03 Nov 2026 is in the future \(today is 02 Nov 2026\)"),
    ("referral-as-datetime", "jane.smith",
     {"referral_date": dt.datetime(2026, 11, 1, 9, tzinfo=LONDON)}, RuleViolation,
     r"referral_date must be a date, got datetime"),
    ("date-of-birth-as-text", "jane.smith", {"date_of_birth": "2016-05-14"}, RuleViolation,
     r"date_of_birth must be a date, got '2016-05-14'"),
    ("date-of-birth-as-datetime", "jane.smith",
     {"date_of_birth": dt.datetime(2016, 5, 14, tzinfo=LONDON)}, RuleViolation,
     r"date_of_birth must be a date, got datetime"),
    ("expected-date-of-birth-as-text", "jane.smith",
     {"date_of_birth": None, "expected_date_of_birth": "2027-02-01"}, RuleViolation,
     r"expected_date_of_birth must be a date, got '2027-02-01'"),
    ("referral-as-text", "jane.smith", {"referral_date": "2026-11-01"}, RuleViolation,
     r"referral_date must be a date, got '2026-11-01'"),
    ("born-in-the-future", "jane.smith", {"date_of_birth": dt.date(2026, 12, 1)}, RuleViolation,
     r"date_of_birth 01 Dec 2026 is in the future; for an unborn child give expected_date_of_birth"),
    ("born-before-1900", "jane.smith", {"date_of_birth": dt.date(1016, 5, 14)}, RuleViolation,
     r"date_of_birth 14 May 1016 is before 1900: a child's date of birth is on or after 01 Jan 1900"),
    ("born-after-the-referral", "jane.smith", {"date_of_birth": dt.date(2026, 10, 30),
                                               "referral_date": dt.date(2026, 10, 28)}, RuleViolation,
     r"date_of_birth 30 Oct 2026 is after the referral_date 28 Oct 2026: a child is referred once born; a "
     r"referral before birth gives expected_date_of_birth"),
    ("name-with-a-line-break", "jane.smith", {"child_name": "Amira\n2026-01-01 Fake entry"}, RuleViolation,
     r"child_name may not contain a line break \(U\+000A\); names and single-line fields are one line"),
    ("name-with-a-bell", "jane.smith", {"child_name": "Amira\x07 Hassan"}, RuleViolation,
     r"child_name may not contain a bell character \(BEL\) \(U\+0007\)"),
    ("name-with-a-bidi-override", "jane.smith", {"child_name": "Amira \u202eNASSAH"}, RuleViolation,
     r"child_name may not contain the bidirectional control U\+202E \(RIGHT-TO-LEFT OVERRIDE\), which "
     r"changes how the text around it is shown"),
    ("name-with-a-bidi-isolate", "jane.smith", {"child_name": "Amira \u2066Hassan"}, RuleViolation,
     r"child_name may not contain the bidirectional control U\+2066"),
    ("name-with-a-tab", "jane.smith", {"child_name": "Amira\tHassan"}, RuleViolation,
     r"child_name may not contain a tab \(U\+0009\)"),
    ("source-with-an-escape", "jane.smith", {"referral_source": "school\x1b[2J"}, RuleViolation,
     r"referral_source may not contain an escape character \(ESC\) \(U\+001B\)"),
    ("source-with-a-line-separator", "jane.smith", {"referral_source": "school\u2028police"}, RuleViolation,
     r"referral_source may not contain a line separator \(U\+2028\)"),
    ("no-child-name", "jane.smith", {"child_name": "  "}, RuleViolation,
     r"child_name is required to open a case record"),
    ("no-referral-source", "jane.smith", {"referral_source": ""}, RuleViolation,
     r"referral_source is required to open a case record"),
    ("no-team", "jane.smith", {"team": ""}, RuleViolation,
     r"team is required: a case is allocated to a team and a worker"),
    ("worker-of-another-team", "jane.smith", {"worker": "cp.worker"}, RuleViolation,
     r"Kofi Mensah is in the Child Protection team, not Assessment: allocate to a worker of the team"),
    ("worker-is-a-service-manager", "jane.smith", {"worker": "helen.cole", "team": "Safeguarding"},
     RuleViolation, r"the allocated worker must be a social worker, senior practitioner or team "
                    r"manager; Helen Cole is a service manager"),
    ("worker-is-helpdesk", "jane.smith", {"worker": "sam.hd", "team": "LCS Helpdesk"}, RuleViolation,
     r"the allocated worker must be .*; Sam Hughes is a helpdesk"),
    ("unknown-worker", "jane.smith", {"worker": "nobody"}, NotFound,
     r"no staff member with the id 'nobody'"),
    ("opened-by-helpdesk", "sam.hd", {}, PermissionDenied,
     r"opening a case record needs a practice or management role; Sam Hughes is a helpdesk"),
    ("opened-by-auditor", "ann.audit", {}, PermissionDenied,
     r"opening a case record needs a practice or management role; Ann Dale is an auditor"),
    ("opened-by-admin", "admin", {}, PermissionDenied,
     r"opening a case record needs a practice or management role; Priya Raman is an admin"),
    ("opened-by-nobody", None, {}, PermissionDenied, r"no acting staff member"),
]


@pytest.mark.parametrize("acting, overrides, error, message",
                         [case[1:] for case in BAD_OPENINGS], ids=[case[0] for case in BAD_OPENINGS])
def test_opening_refuses(shared: World, acting: str | None, overrides: dict[str, Any],
                         error: type[LedgerError], message: str) -> None:
    world = shared
    refused(world.app, error, message, world.app.cases.open, acting, **{**OPEN, **overrides})
    assert world.app.case_ids() == [world.case_id]


@pytest.mark.parametrize("worker", ["omar.farah", "grace.obi"], ids=["senior-practitioner", "team-manager"])
def test_a_senior_practitioner_or_team_manager_can_hold_a_case(world: World, worker: str) -> None:
    case = world.app.cases.open("grace.obi", **{**OPEN, "worker": worker})
    assert world.app.case(case.id).worker["staff_id"] == worker


# --- who may record casework -----------------------------------------------------------------

@pytest.mark.parametrize("acting, label", [
    ("sam.hd", "Sam Hughes is a helpdesk, not on this case"),
    ("ann.audit", r"Ann Dale is an auditor; Ann Dale reads case records as an auditor, and records case "
                  r"audits \(policy s.14\): that does not allow it"),
    ("admin", "Priya Raman is an admin, not on this case"),
], ids=["helpdesk", "auditor", "admin"])
def test_helpdesk_auditor_and_admin_cannot_record_casework(shared: World, acting: str,
                                                           label: str) -> None:
    # The access policy refuses first: none of them records on a case (ledger/access/policy.py).
    world = shared
    needs = "recording on this case needs the allocated worker, the team that holds the case, .*; "
    refused(world.app, PermissionDenied, needs + label, world.note, acting)
    refused(world.app, PermissionDenied, needs + label, world.decide, acting)
    refused(world.app, PermissionDenied, needs + label, world.app.cases.allocate, acting, world.case_id,
            team="Child Protection", worker="cp.worker", reason="transfer to child protection")


def test_a_practice_role_in_the_team_records_but_not_a_management_decision(shared: World) -> None:
    # The access policy lets the team record; the case's own rule keeps decisions to managers.
    world = shared
    refused(world.app, PermissionDenied, "recording a management decision needs the role team manager or "
            "above; Jane Smith is a social worker", world.decide, "jane.smith")


def test_an_iro_records_only_for_a_child_looked_after_or_on_a_plan(world: World) -> None:
    world.app.staff.add("admin", staff_id="r.vale", full_name="Rosa Vale", designation="Officer",
                        team="Safeguarding", roles=["iro"])
    refused(world.app, PermissionDenied, "recording on this case needs .*the IRO \\(child looked after or on a "
            "plan\\).*; Rosa Vale is an IRO, not on this case", world.note, "r.vale")


def test_an_edt_worker_records_notes_out_of_hours_but_not_decisions(world: World) -> None:
    world.app.staff.add("admin", staff_id="r.vale", full_name="Rosa Vale", designation="Officer",
                        team="Emergency Duty Team", roles=["edt"])
    refused(world.app, PermissionDenied, "Rosa Vale is an EDT worker, not on this case", world.note, "r.vale")
    world.clock.advance(hours=10)  # 20:00 on a Monday: out of hours
    note_id = world.final_note("r.vale")
    assert world.case().notes[str(note_id)]["author"]["staff_id"] == "r.vale"
    refused(world.app, PermissionDenied, "recording a management decision needs the role team "
            "manager or above; Rosa Vale is an EDT worker", world.decide, "r.vale")


def test_case_commands_need_an_acting_member(shared: World) -> None:
    world = shared
    refused(world.app, PermissionDenied, "no acting staff member", world.note, None)
    refused(world.app, PermissionDenied, "no acting staff member", world.decide, "")


def test_an_unknown_case_or_note_is_not_found(shared: World) -> None:
    world = shared
    refused(world.app, NotFound, r"no case record 00000000-0000-0000-0000-000000000001",
            world.app.casework.record_note, "jane.smith", uuid.UUID(int=1), kind="contact",
            occurred_at=world.clock.now, facts="x")
    refused(world.app, NotFound, r"no case note .* on the case of Amira Hassan",
            world.app.casework.finalise_note, "jane.smith", world.case_id, uuid.uuid4())
    refused(world.app, NotFound, r"'note-1' is not a case note id \(a UUID, or at least its first 4 hex digits\)",
            world.app.casework.finalise_note, "jane.smith", world.case_id, "note-1")


def test_a_note_is_named_by_a_unique_prefix_of_its_id_like_a_case(world: World) -> None:
    ids = iter([uuid.UUID("abcd1111-0000-4000-8000-000000000001"), uuid.UUID("abcd2222-0000-4000-8000-000000000002")])
    world.app.new_id = lambda: next(ids)
    first, second = world.note(), world.note()
    world.app.casework.revise_note("jane.smith", world.case_id, "abcd1", facts="Revised by prefix.")
    assert world.case().notes[str(first)]["content"]["facts"] == "Revised by prefix."
    world.app.casework.finalise_note("jane.smith", world.case_id, "ABCD2222")
    assert world.case().notes[str(second)]["status"] == "final"
    world.app.casework.amend_note("jane.smith", world.case_id, "abcd2", facts="Amended by prefix.",
                                  reason="the facts were recorded wrongly")
    world.app.casework.delete_note("grace.obi", world.case_id, "abcd22", reason="recorded on the wrong child's record")
    assert world.case().notes[str(second)]["deleted"] is not None
    refused(world.app, NotFound, r"2 case notes have ids starting with 'abcd'; give more digits",
            world.app.casework.finalise_note, "jane.smith", world.case_id, "abcd")
    refused(world.app, NotFound, r"no case note whose id starts with 'ffff'",
            world.app.casework.finalise_note, "jane.smith", world.case_id, "ffff")
    # someone who may not open the case learns nothing of its notes: the access decision comes first
    refused(world.app, PermissionDenied, r"access denied: recording on this case needs",
            world.app.casework.finalise_note, "cp.worker", world.case_id, "ffff")


# --- case notes: content ---------------------------------------------------------------------

BAD_NOTES = [
    ("no-facts", {"facts": ""}, r"facts is required in a case note: record what happened, kept "
                                r"apart from analysis and actions"),
    ("blank-facts", {"facts": " \n "}, r"facts is required in a case note"),
    ("facts-not-text", {"facts": 42}, r"facts must be text, got int"),
    ("third-party-without-provider", {"source": "third_party"},
     r"provided_by is required when the source is third-party: the record must say who provided"),
    ("third-party-blank-provider", {"source": "third_party", "provided_by": "  "},
     r"provided_by is required when the source is third-party"),
    ("unknown-source", {"source": "hearsay"}, r"source 'hearsay' is not one of: first_hand, third_party"),
    ("seen-alone-not-seen", {"child_seen_alone": True},
     r"child_seen_alone is set but child_seen is not: a child seen alone was seen"),
    ("interpreter-without-name", {"interpreter": {"kind": "contracted_service"}},
     r"interpreter name is required when an interpreter was used \(policy s\.7\)"),
    ("interpreter-blank-name", {"interpreter": {"name": " ", "kind": "friend"}},
     r"interpreter name is required when an interpreter was used"),
    ("interpreter-unknown-kind", {"interpreter": {"name": "Ms Begum", "kind": "neighbour"}},
     r"interpreter kind 'neighbour' is not one of: contracted_service, staff_member, "
     r"family_member, friend"),
    ("interpreter-without-kind", {"interpreter": {"name": "Ms Begum"}},
     r"interpreter kind None is not one of"),
    ("interpreter-as-text", {"interpreter": "Ms Begum"},
     r"interpreter must give the interpreter's name and kind, got 'Ms Begum'"),
    ("unknown-kind", {"kind": "visit"}, r"kind 'visit' is not one of: contact, home_visit"),
    ("occurred-tomorrow", {"occurred_at": dt.datetime(2026, 11, 3, 9, 0, tzinfo=LONDON)},
     r"occurred_at 2026-11-03T09:00\+00:00 is in the future; entries are dated by the event"),
    ("occurred-six-minutes-ahead", {"occurred_at": dt.datetime(2026, 11, 2, 10, 6, tzinfo=LONDON)},
     r"occurred_at 2026-11-02T10:06\+00:00 is in the future"),
    ("occurred-naive", {"occurred_at": dt.datetime(2026, 11, 2, 8, 0)},
     r"occurred_at 2026-11-02T08:00:00 needs a time zone"),
    ("occurred-before-birth", {"occurred_at": dt.datetime(2016, 5, 13, 10, 0, tzinfo=LONDON)},
     r"occurred_at 13 May 2016 is before the child was born \(14 May 2016\): a case note is dated by the event, "
     r"on or after the date of birth"),
    ("facts-with-a-bell", {"facts": "Visited Amira.\x07"},
     r"facts may not contain a bell character \(BEL\) \(U\+0007\); multi-line text keeps line breaks and "
     r"tabs but no other control or invisible characters"),
    ("views-with-a-bidi-override", {"child_views": "I am \u202dhappy"},
     r"child_views may not contain the bidirectional control U\+202D"),
    ("facts-with-a-lone-carriage-return", {"facts": "Visited.\rFake line"},
     r"facts may not contain a carriage return \(U\+000D\)"),
    ("provider-with-a-line-break", {"source": "third_party", "provided_by": "Head teacher\nFake"},
     r"provided_by may not contain a line break \(U\+000A\); names and single-line fields are one line"),
    ("interpreter-with-a-line-break", {"interpreter": {"name": "Ms\nBegum", "kind": "friend"}},
     r"interpreter name may not contain a line break"),
    ("occurred-as-a-date", {"occurred_at": dt.date(2026, 11, 2)},
     r"occurred_at must be a date and time, got datetime\.date\(2026, 11, 2\)"),
]


@pytest.mark.parametrize("overrides, message", [c[1:] for c in BAD_NOTES], ids=[c[0] for c in BAD_NOTES])
def test_a_case_note_is_refused(shared: World, overrides: dict[str, Any], message: str) -> None:
    world = shared
    refused(world.app, RuleViolation, message, world.note, **overrides)


def test_a_full_case_note_is_kept_as_written(world: World) -> None:
    occurred = dt.datetime(2026, 11, 1, 15, 30, tzinfo=LONDON)
    note_id = world.note(
        kind="office_visit", occurred_at=occurred, facts="  Mother said Amira fell on Saturday. ",
        analysis="Account is consistent with the injury.", actions="Ask GP for records.",
        source="third_party", provided_by="Mrs Hassan (mother)", child_seen=True,
        child_seen_alone=True, child_views="Amira said she feels safe at home.",
        interpreter={"name": "Ms Begum", "kind": "contracted_service"},
    )
    note = world.case().notes[str(note_id)]
    assert note["kind"] is NoteKind.OFFICE_VISIT and note["status"] == "draft"
    assert note["occurred_at"] == occurred
    assert note["content"] == {
        "facts": "Mother said Amira fell on Saturday.",
        "analysis": "Account is consistent with the injury.", "actions": "Ask GP for records.",
        "source": NoteSource.THIRD_PARTY, "provided_by": "Mrs Hassan (mother)", "child_seen": True,
        "child_seen_alone": True, "child_views": "Amira said she feels safe at home.",
        "interpreter": {"name": "Ms Begum", "kind": InterpreterKind.CONTRACTED_SERVICE},
    }


def test_a_time_a_few_minutes_ahead_is_clock_drift_not_the_future(world: World) -> None:
    world.note(occurred_at=world.clock.now + dt.timedelta(minutes=5))
    refused(world.app, RuleViolation, "is in the future", world.note,
            occurred_at=world.clock.now + dt.timedelta(minutes=5, seconds=1))


def test_recorded_at_comes_from_the_clock_and_occurred_at_from_the_user(world: World) -> None:
    occurred = dt.datetime(2026, 10, 31, 14, 30, tzinfo=LONDON)
    world.clock.advance(minutes=17)
    note_id = world.note(occurred_at=occurred)
    event = world.stored_events()[-1]
    assert isinstance(event, CaseRecord.CaseNoteRecorded)
    assert event.recorded_at == event.timestamp == world.clock.now
    assert event.occurred_at == occurred
    note = world.case().notes[str(note_id)]
    assert (note["recorded_at"], note["occurred_at"]) == (world.clock.now, occurred)
    world.clock.advance(hours=3)
    world.app.casework.finalise_note("jane.smith", world.case_id, note_id)
    assert world.stored_events()[-1].recorded_at == world.clock.now
    assert world.case().notes[str(note_id)]["finalised_at"] == world.clock.now


def test_visible_notes_are_in_the_order_things_happened(world: World) -> None:
    later = world.note(occurred_at=world.clock.now - dt.timedelta(hours=1), facts="Second visit.")
    earlier = world.note(occurred_at=world.clock.now - dt.timedelta(days=2), facts="First visit.")
    assert [n["id"] for n in world.case().visible_notes()] == [earlier, later]


# --- drafts: revise and finalise -------------------------------------------------------------

def test_the_author_revises_a_draft_and_the_previous_text_is_kept(world: World) -> None:
    note_id = world.note(facts="Visited.")
    world.clock.advance(minutes=30)
    new_time = world.clock.now - dt.timedelta(hours=5)
    world.app.casework.revise_note("jane.smith", world.case_id, note_id, facts="Visited Amira at home.",
                                   occurred_at=new_time)
    note = world.case().notes[str(note_id)]
    assert note["content"]["facts"] == "Visited Amira at home."
    assert note["occurred_at"] == new_time
    assert [r["previous"]["facts"] for r in note["revisions"]] == ["Visited."]
    assert note["revisions"][0]["at"] == world.clock.now


@pytest.mark.parametrize("acting, label", [
    ("omar.farah", "Omar Farah"), ("grace.obi", "Grace Obi"), ("helen.cole", "Helen Cole"),
], ids=["colleague", "team-manager", "service-manager"])
def test_only_the_author_revises_or_finalises_a_draft(world: World, acting: str, label: str) -> None:
    note_id = world.note()
    for what, command in [("revise", world.app.casework.revise_note),
                          ("finalise", world.app.casework.finalise_note)]:
        kwargs = {"facts": "Changed by someone else."} if what == "revise" else {}
        refused(world.app, PermissionDenied, f"only the author may {what} a draft case note; this "
                f"note was written by Jane Smith, not {label}", command, acting, world.case_id,
                note_id, **kwargs)
    assert world.case().notes[str(note_id)]["status"] == "draft"


def test_a_draft_is_revised_only_into_a_valid_note(world: World) -> None:
    note_id = world.note()
    refused(world.app, RuleViolation, "facts is required in a case note", world.app.casework.revise_note,
            "jane.smith", world.case_id, note_id, facts="")
    refused(world.app, RuleViolation, "occurred_at .* is in the future", world.app.casework.revise_note,
            "jane.smith", world.case_id, note_id, occurred_at=world.clock.now + dt.timedelta(days=1))


def test_a_note_is_finalised_once_and_then_not_revised(world: World) -> None:
    note_id = world.note()
    world.app.casework.finalise_note("jane.smith", world.case_id, note_id)
    note = world.case().notes[str(note_id)]
    assert (note["status"], note["finalised_at"]) == ("final", world.clock.now)
    refused(world.app, RuleViolation, rf"case note {note_id} was already finalised on "
            r"02 Nov 2026 10:00 GMT; a note is finalised once",
            world.app.casework.finalise_note, "jane.smith", world.case_id, note_id)
    refused(world.app, RuleViolation, rf"case note {note_id} is finalised and cannot be revised; "
            "a finalised note changes only by amendment, with a reason",
            world.app.casework.revise_note, "jane.smith", world.case_id, note_id, facts="Changed.")


def test_recording_and_finalising_at_once_is_one_write_of_two_events(world: World) -> None:
    before = len(world.stored_events())
    note_id = world.final_note()
    assert len(world.stored_events()) == before + 2
    assert [type(e).__name__ for e in world.stored_events()[-2:]] == [
        "CaseNoteRecorded", "CaseNoteFinalised"]
    assert world.case().notes[str(note_id)]["status"] == "final"


# --- amendments ------------------------------------------------------------------------------

def test_a_draft_is_not_amended(world: World) -> None:
    note_id = world.note()
    refused(world.app, RuleViolation, rf"case note {note_id} is still a draft: revise it instead; "
            "only a finalised note is amended", world.app.casework.amend_note, "jane.smith",
            world.case_id, note_id, facts="Changed.", reason="corrected the visit details")


@pytest.mark.parametrize("reason, message", [
    ("", r"reason is required when amending a case note"),
    ("   ", r"reason is required when amending a case note"),
    ("typo", r"amending a case note needs a reason that explains why \(at least 3 words and 12 letters; "
             r"it has 1 word and 4 letters\); got 'typo'"),
    ("fixed typo", r"amending a case note needs a reason that explains why \(at least 3 words and 12 letters; "
                   r"it has 2 words and 9 letters\); got 'fixed typo'"),
    ("a b c", r"needs a reason that explains why \(at least 3 words and 12 letters; it has 3 words and 3 "
              r"letters\); got 'a b c'"),
    ("1 2 3 4 5 6", r"needs a reason that explains why \(at least 3 words and 12 letters; it has 0 words"),
    ("  fix  . .  ", r"it has 1 word and 3 letters\); got 'fix  \. \.'"),
    ("wrong\nchild entirely", r"reason may not contain a line break \(U\+000A\); names and single-line fields "
                               r"are one line"),
], ids=["empty", "blank", "one-word", "two-words", "three-letters", "digits", "padded-punctuation",
        "line-break"])
def test_an_amendment_needs_a_reason_that_explains(shared: World, reason: str, message: str) -> None:
    world = shared
    note_id = world.final_note_id
    refused(world.app, RuleViolation, message, world.app.casework.amend_note, "jane.smith",
            world.case_id, note_id, facts="Visited Amira and her brother at home.", reason=reason)


@pytest.mark.parametrize("acting", ["jane.smith", "grace.obi", "helen.cole"],
                         ids=["author", "team-manager", "service-manager-of-another-team"])
def test_an_amendment_keeps_the_original_text(world: World, acting: str) -> None:
    note_id = world.final_note(facts="Visited Amira at home.")
    world.clock.advance(days=1)
    world.app.casework.amend_note(acting, world.case_id, note_id, facts="Visited Amira and Sami at home.",
                                  reason="the brother was also present")
    note = world.case().notes[str(note_id)]
    assert note["content"]["facts"] == "Visited Amira and Sami at home."
    (amendment,) = note["amendments"]
    assert amendment["previous"]["facts"] == "Visited Amira at home."
    assert amendment["reason"] == "the brother was also present"
    assert amendment["by"]["staff_id"] == acting
    assert amendment["at"] == world.clock.now
    assert note["author"]["staff_id"] == "jane.smith"
    recorded = [e for e in world.stored_events() if isinstance(e, CaseRecord.CaseNoteRecorded)]
    assert recorded[-1].content["facts"] == "Visited Amira at home."


def test_each_amendment_adds_to_the_history(world: World) -> None:
    note_id = world.final_note(facts="Version one.")
    for text in ("Version two.", "Version three."):
        world.app.casework.amend_note("jane.smith", world.case_id, note_id, facts=text,
                                      reason="more detail from the visit")
    note = world.case().notes[str(note_id)]
    assert [a["previous"]["facts"] for a in note["amendments"]] == ["Version one.", "Version two."]
    assert note["content"]["facts"] == "Version three."


@pytest.mark.parametrize("acting, error, message", [
    ("omar.farah", PermissionDenied,
     r"amending a case note written by Jane Smith needs its author or the role team manager or "
     r"above; Omar Farah is a senior practitioner"),
    # not on the case at all: the access policy refuses first
    ("cp.worker", PermissionDenied, r"recording on this case needs .*; Kofi Mensah is a social worker, not "
                                    r"on this case"),
    ("sam.hd", PermissionDenied, r"recording on this case needs .*; Sam Hughes is a helpdesk, not on this case"),
], ids=["senior-practitioner", "other-social-worker", "helpdesk"])
def test_only_the_author_or_a_team_manager_amends(shared: World, acting: str, error: type[LedgerError],
                                                  message: str) -> None:
    world = shared
    note_id = world.final_note_id
    refused(world.app, error, message, world.app.casework.amend_note, acting, world.case_id, note_id,
            facts="Changed by someone else.", reason="I think this is wrong")


def test_an_amendment_must_change_something(shared: World) -> None:
    world = shared
    note_id = world.final_note_id
    refused(world.app, RuleViolation, rf"the amendment to case note {note_id} changes nothing",
            world.app.casework.amend_note, "jane.smith", world.case_id, note_id,
            facts=" Visited Amira at home. ", reason="tidy up the wording")


# --- deleting a case note --------------------------------------------------------------------

@pytest.mark.parametrize("acting, label", [
    ("jane.smith", "Jane Smith is a social worker, the allocated worker: that does not allow it"),
    ("omar.farah", "Omar Farah is a senior practitioner, in the Assessment team, which holds the case: that "
                   "does not allow it"),
    ("sam.hd", "Sam Hughes is a helpdesk, not on this case"),
    ("liam.walsh", "Liam Walsh is a team manager, not on this case"),  # another team's manager
], ids=["author-social-worker", "senior-practitioner", "helpdesk", "another-teams-manager"])
def test_only_a_team_manager_or_above_deletes(shared: World, acting: str, label: str) -> None:
    world = shared
    note_id = world.final_note_id
    refused(world.app, PermissionDenied, rf"deleting from this case needs the role team manager or "
            rf"above \(policy s\.12\): the team manager of the team that holds the case, a service manager "
            rf"or head of service; {label}", world.app.casework.delete_note, acting, world.case_id,
            note_id, reason="recorded on the wrong child's record")


@pytest.mark.parametrize("reason, message", [
    ("", r"reason is required when deleting a case note \(policy s\.12\)"),
    ("duplicate", r"deleting a case note \(policy s\.12\) needs a reason that explains why "
                  r"\(at least 3 words and 12 letters; it has 1 word and 9 letters\); got 'duplicate'"),
    ("wrong child", r"needs a reason that explains why \(at least 3 words and 12 letters; it has 2 words"),
    ("x y z", r"needs a reason that explains why \(at least 3 words and 12 letters; it has 3 words and 3 letters"),
    ("wrong\x07 child record", r"reason may not contain a bell character \(BEL\) \(U\+0007\)"),
], ids=["empty", "one-word", "two-words", "three-letters", "bell"])
def test_deleting_needs_a_reason_that_explains(shared: World, reason: str, message: str) -> None:
    world = shared
    note_id = world.final_note_id
    refused(world.app, RuleViolation, message, world.app.casework.delete_note, "grace.obi",
            world.case_id, note_id, reason=reason)
    assert [n["id"] for n in world.case().visible_notes()] == [note_id]


def test_a_deleted_note_leaves_ordinary_reads_but_not_the_ledger(world: World, db: str) -> None:
    kept = world.final_note(facts="School visit: Amira was happy.")
    gone = world.final_note(facts="Recorded for the wrong child.")
    world.clock.advance(hours=1)
    world.app.casework.delete_note("grace.obi", world.case_id, gone,
                                   reason="recorded on the wrong child's record")
    case = world.case()
    assert [n["id"] for n in case.visible_notes()] == [kept]
    assert case.notes[str(gone)]["deleted"] == {
        "at": world.clock.now, "by": world.app.staff_member("grace.obi").stamp(),
        "reason": "recorded on the wrong child's record"}
    assert case.notes[str(gone)]["content"]["facts"] == "Recorded for the wrong child."
    # In the stored rows, read raw, through a fresh instance of the ledger.
    fresh = CaseLedger(db, clock=world.clock)
    try:
        rows = fresh.recorder.select_events(world.case_id)
        facts = [decode(r.state)["content"]["facts"] for r in rows
                 if r.topic.endswith("CaseNoteRecorded")]
        assert "Recorded for the wrong child." in facts
        assert fresh.case(world.case_id).notes[str(gone)]["deleted"]["by"]["staff_id"] == "grace.obi"
    finally:
        fresh.close()


def test_a_deleted_note_cannot_be_changed_or_deleted_again(world: World) -> None:
    draft = world.note()
    final = world.final_note()
    for note_id in (draft, final):
        world.app.casework.delete_note("grace.obi", world.case_id, note_id,
                                       reason="recorded on the wrong record")
    gone = r"it was deleted by Grace Obi on 02 Nov 2026"
    refused(world.app, RuleViolation, rf"cannot revise case note {draft}: {gone}",
            world.app.casework.revise_note, "jane.smith", world.case_id, draft, facts="x")
    refused(world.app, RuleViolation, rf"cannot finalise case note {draft}: {gone}",
            world.app.casework.finalise_note, "jane.smith", world.case_id, draft)
    refused(world.app, RuleViolation, rf"cannot amend case note {final}: {gone}",
            world.app.casework.amend_note, "grace.obi", world.case_id, final, facts="x",
            reason="put it back please")
    refused(world.app, RuleViolation, rf"cannot delete case note {final}: {gone}",
            world.app.casework.delete_note, "grace.obi", world.case_id, final,
            reason="delete it once more")


# --- decisions -------------------------------------------------------------------------------

def test_a_management_decision_is_recorded_with_its_reasoning(world: World) -> None:
    occurred = dt.datetime(2026, 11, 2, 8, 15, tzinfo=LONDON)
    decision_id = world.decide(occurred_at=occurred)
    (decision,) = world.case().decisions
    assert decision == {
        "id": decision_id, "kind": DecisionKind.MANAGEMENT, "decision": DECISION["decision"],
        "reasons": DECISION["reasons"], "risks_considered": DECISION["risks_considered"],
        "options_not_chosen": DECISION["options_not_chosen"], "supervisee": None,
        "decided_by": world.app.staff_member("grace.obi").stamp(),
        "occurred_at": occurred, "recorded_at": world.clock.now,
    }


BAD_DECISIONS = [
    ("no-decision", {"decision": ""}, r"decision is required for a decision \(policy s\.7: the "
                                      r"reasons for the decision and the risks assessed\)"),
    ("no-reasons", {"reasons": "  "}, r"reasons is required for a decision"),
    ("no-risks", {"risks_considered": ""}, r"risks_considered is required for a decision"),
    ("no-options", {"options_not_chosen": []},
     r"options_not_chosen needs at least one option with why it was not chosen"),
    ("option-without-why", {"options_not_chosen": [{"option": "No further action"}]},
     r"options_not_chosen\[0\]\.why_not is required: say why this option was not chosen"),
    ("second-option-without-why", {"options_not_chosen": [
        {"option": "No further action", "why_not": "injury unexplained"},
        {"option": "Section 47 enquiry", "why_not": ""}]},
     r"options_not_chosen\[1\]\.why_not is required"),
    ("option-as-plain-text", {"options_not_chosen": ["No further action"]},
     r"options_not_chosen\[0\] must give the option and why it was not chosen, got 'No further action'"),
    ("option-without-option", {"options_not_chosen": [{"why_not": "too slow"}]},
     r"options_not_chosen\[0\]\.option is required"),
    ("unknown-kind", {"kind": "informal"}, r"kind 'informal' is not one of: management, supervision"),
    ("supervision-without-supervisee", {"kind": "supervision"},
     r"a supervision decision names the supervisee: the worker supervised"),
    ("decided-in-the-future", {"occurred_at": dt.datetime(2026, 11, 2, 12, 0, tzinfo=LONDON)},
     r"occurred_at 2026-11-02T12:00\+00:00 is in the future"),
]


@pytest.mark.parametrize("overrides, message", [c[1:] for c in BAD_DECISIONS],
                         ids=[c[0] for c in BAD_DECISIONS])
def test_a_decision_is_refused(shared: World, overrides: dict[str, Any], message: str) -> None:
    world = shared
    refused(world.app, RuleViolation, message, world.decide, **overrides)
    assert world.case().decisions == []


@pytest.mark.parametrize("acting, label", [
    ("jane.smith", "Jane Smith is a social worker"),
    ("omar.farah", "Omar Farah is a senior practitioner"),
], ids=["social-worker", "senior-practitioner"])
def test_decisions_are_made_by_a_team_manager_or_above(world: World, acting: str, label: str) -> None:
    refused(world.app, PermissionDenied, f"recording a management decision needs the role team "
            f"manager or above; {label}", world.decide, acting)
    refused(world.app, PermissionDenied, f"recording a supervision decision needs the role team "
            f"manager or above; {label}", world.decide, acting, kind="supervision",
            supervisee="jane.smith")
    world.decide("helen.cole")  # a service manager, from another team
    assert len(world.case().decisions) == 1


def test_a_supervision_decision_names_the_supervisee(world: World) -> None:
    world.decide(kind="supervision", supervisee="jane.smith")
    (decision,) = world.case().decisions
    assert decision["kind"] is DecisionKind.SUPERVISION
    assert decision["supervisee"] == world.app.staff_member("jane.smith").stamp()
    refused(world.app, NotFound, "no staff member with the id 'nobody'", world.decide,
            kind="supervision", supervisee="nobody")


# --- allocation ------------------------------------------------------------------------------

def test_a_team_manager_transfers_the_case(world: World) -> None:
    world.app.cases.allocate("grace.obi", world.case_id, team="Child Protection", worker="cp.worker",
                             reason="strategy discussion: section 47 enquiry")
    case = world.case()
    assert (case.team, case.worker) == ("Child Protection", world.app.staff_member("cp.worker").stamp())
    event = world.stored_events()[-1]
    assert isinstance(event, CaseRecord.Allocated) and event.actor["staff_id"] == "grace.obi"


@pytest.mark.parametrize("acting, changes, error, message", [
    ("jane.smith", {}, PermissionDenied,
     r"allocating a case needs the role team manager or above; Jane Smith is a social worker"),
    ("grace.obi", {"worker": "jane.smith", "team": "Assessment"}, RuleViolation,
     r"Jane Smith is already the allocated worker in Assessment"),
    ("grace.obi", {"team": "Assessment"}, RuleViolation,
     r"Kofi Mensah is in the Child Protection team, not Assessment"),
    ("grace.obi", {"worker": "sam.hd", "team": "LCS Helpdesk"}, RuleViolation,
     r"the allocated worker must be a social worker, senior practitioner or team manager; "
     r"Sam Hughes is a helpdesk"),
    ("grace.obi", {"reason": " "}, RuleViolation,
     r"^reason is required when allocating the case to Kofi Mensah \(cp\.worker\) in Child Protection$"),
    ("grace.obi", {"worker": "nobody"}, NotFound, r"no staff member with the id 'nobody'"),
], ids=["by-social-worker", "same-worker", "worker-not-in-team", "worker-not-allocatable",
        "no-reason", "unknown-worker"])
def test_allocation_is_refused(shared: World, acting: str, changes: dict[str, Any],
                               error: type[LedgerError], message: str) -> None:
    world = shared
    kwargs = {"team": "Child Protection", "worker": "cp.worker", "reason": "needs a CP team", **changes}
    refused(world.app, error, message, world.app.cases.allocate, acting, world.case_id, **kwargs)
    assert world.case().worker["staff_id"] == "jane.smith"


_ALLOCATING = r"^allocating the case to Kofi Mensah \(cp\.worker\) in Child Protection needs a reason that explains why"


@pytest.mark.parametrize("reason, message", [
    ("a b c", _ALLOCATING + r" \(at least 3 words and 12 letters; it has 3 words and 3 letters\); got 'a b c'$"),
    ("transfer", _ALLOCATING + r" \(at least 3 words and 12 letters; it has 1 word and 8 letters\); got 'transfer'$"),
    ("   CP   ", _ALLOCATING + r" \(at least 3 words and 12 letters; it has 1 word and 2 letters\); got 'CP'$"),
    ("to CP team", _ALLOCATING + r" \(at least 3 words and 12 letters; it has 3 words and 8 letters\)"),
    ("S47 - 1 2", _ALLOCATING + r" \(at least 3 words and 12 letters; it has 1 word and 1 letter\)"),
], ids=["three-letters", "one-word", "padded-acronym", "three-short-words", "digits-and-dashes"])
def test_allocation_needs_a_reason_that_explains(shared: World, reason: str, message: str) -> None:
    world = shared
    error = refused(world.app, RuleViolation, message, world.app.cases.allocate, "grace.obi", world.case_id,
                    team="Child Protection", worker="cp.worker", reason=reason)
    assert error.field == "reason"
    assert world.case().worker["staff_id"] == "jane.smith"


def test_the_command_line_refuses_an_allocation_reason_that_does_not_explain(
        world: World, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    from commands.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["case", "allocate", str(world.case_id), "--db", db, "--as", "grace.obi", "--team",
              "Child Protection", "--worker", "cp.worker", "--reason", "a b c"])
    assert exited.value.code == 1
    assert capsys.readouterr().err == (
        "caseledger: allocating the case to Kofi Mensah (cp.worker) in Child Protection needs a reason that "
        "explains why (at least 3 words and 12 letters; it has 3 words and 3 letters); got 'a b c'\n")
    assert world.case().worker["staff_id"] == "jane.smith"


# --- lateness (policy s.18) ------------------------------------------------------------------

_LATE = (r"^writing up a case note after its timescale \(policy s\.18\) needs a late_reason that explains why "
         r"\(at least 3 words and 12 letters; it has ")


@pytest.mark.parametrize("late_reason, message", [
    ("sick", _LATE + r"1 word and 4 letters\); got 'sick'$"),
    ("a b c", _LATE + r"3 words and 3 letters\); got 'a b c'$"),
    ("  on leave  ", _LATE + r"2 words and 7 letters\); got 'on leave'$"),
    ("late\tagain and again", r"^late_reason may not contain a tab \(U\+0009\)"),
], ids=["one-word", "three-letters", "padded-two-words", "tab"])
def test_a_reason_for_lateness_must_explain(shared: World, late_reason: str, message: str) -> None:
    world = shared
    error = refused(world.app, RuleViolation, message, world.final_note, late_reason=late_reason)
    assert error.field == "late_reason"


def test_a_late_reason_is_checked_when_a_draft_is_revised_and_kept_when_it_explains(world: World) -> None:
    note_id = world.note()
    refused(world.app, RuleViolation, _LATE + r"1 word and 4 letters\); got 'busy'$", world.app.casework.revise_note,
            "jane.smith", world.case_id, note_id, late_reason="busy")
    world.app.casework.revise_note("jane.smith", world.case_id, note_id,
                                   late_reason=" Written up late: I was on annual leave the following week. ")
    world.app.casework.finalise_note("jane.smith", world.case_id, note_id)
    note = world.case().notes[str(note_id)]
    assert note["content"]["late_reason"] == "Written up late: I was on annual leave the following week."
    on_time = world.final_note(late_reason="   ")  # no reason: the note was on time
    assert "late_reason" not in world.case().notes[str(on_time)]["content"]


# --- closing and re-opening ------------------------------------------------------------------

def test_a_team_manager_closes_a_case(world: World) -> None:
    world.final_note()
    world.app.cases.close("grace.obi", world.case_id, reason="no further action: family supported by school")
    case = world.case()
    assert case.status == "closed"
    assert case.closure == {"reason": "no further action: family supported by school",
                            "closed_on": dt.date(2026, 11, 2),
                            "by": world.app.staff_member("grace.obi").stamp()}


@pytest.mark.parametrize("acting, reason, error, message", [
    ("jane.smith", "no further action needed", PermissionDenied,
     r"closing a case needs the role team manager or above; Jane Smith is a social worker"),
    ("grace.obi", "", RuleViolation, r"reason is required when closing a case"),
    ("grace.obi", "NFA", RuleViolation,
     r"closing a case needs a reason that explains why \(at least 3 words and 12 letters; [^)]*\); got 'NFA'"),
    ("grace.obi", "no concerns", RuleViolation, r"got 'no concerns'"),
], ids=["by-social-worker", "no-reason", "one-word-reason", "two-word-reason"])
def test_closing_is_refused(shared: World, acting: str, reason: str, error: type[LedgerError],
                            message: str) -> None:
    world = shared
    refused(world.app, error, message, world.app.cases.close, acting, world.case_id, reason=reason)
    assert world.case().status == "open"


def test_a_case_with_draft_notes_cannot_close(world: World) -> None:
    world.final_note()
    draft = world.note()
    refused(world.app, RuleViolation, r"the case of Amira Hassan has 1 draft case note\(s\); "
            r"finalise or delete them before closing", world.app.cases.close, "grace.obi",
            world.case_id, reason="no further action needed")
    world.app.casework.finalise_note("jane.smith", world.case_id, draft)
    world.app.cases.close("grace.obi", world.case_id, reason="no further action needed")
    assert world.case().status == "closed"


@pytest.mark.parametrize("closed_on, message", [
    (dt.date(2026, 11, 3), r"closed_on 03 Nov 2026 is in the future \(today is 02 Nov 2026\)"),
    ("2026-11-01", r"closed_on must be a date, got '2026-11-01'"),
], ids=["tomorrow", "as-text"])
def test_a_case_closes_on_a_date_not_in_the_future(shared: World, closed_on: Any, message: str) -> None:
    world = shared
    refused(world.app, RuleViolation, message, world.app.cases.close, "grace.obi", world.case_id,
            reason="no further action needed", closed_on=closed_on)


@pytest.fixture
def closed(world: World) -> tuple[World, uuid.UUID]:
    note_id = world.final_note()
    world.app.cases.close("grace.obi", world.case_id, reason="no further action needed")
    return world, note_id


CLOSED_REFUSALS: list[tuple[str, str, Callable[[World, uuid.UUID], Any]]] = [
    ("record-note", "record a case note on", lambda w, n: w.note()),
    ("record-decision", "record a decision on", lambda w, n: w.decide()),
    ("allocate", "allocate a worker to", lambda w, n: w.app.cases.allocate(
        "grace.obi", w.case_id, team="Child Protection", worker="cp.worker",
        reason="transfer for the section 47 enquiry")),
    ("amend-note", "amend a case note on", lambda w, n: w.app.casework.amend_note(
        "jane.smith", w.case_id, n, facts="Changed after closing.", reason="late detail from school")),
    ("delete-note", "delete a case note on", lambda w, n: w.app.casework.delete_note(
        "grace.obi", w.case_id, n, reason="recorded on wrong record")),
    ("close-again", "close", lambda w, n: w.app.cases.close(
        "grace.obi", w.case_id, reason="closing it once more")),
]


@pytest.mark.parametrize("what, command", [c[1:] for c in CLOSED_REFUSALS],
                         ids=[c[0] for c in CLOSED_REFUSALS])
def test_a_closed_case_accepts_nothing_until_reopened(closed: tuple[World, uuid.UUID], what: str,
                                                      command: Callable[[World, uuid.UUID], Any]) -> None:
    world, note_id = closed
    refused(world.app, RuleViolation, rf"cannot {what} the case of Amira Hassan: it was closed on "
            r"02 Nov 2026; re-open it first \(with a reason\)", command, world, note_id)
    world.app.cases.reopen("grace.obi", world.case_id, reason="new referral from the school")
    command(world, note_id)  # accepted once re-opened


@pytest.mark.parametrize("acting, reason, error, message", [
    ("jane.smith", "new referral from school", PermissionDenied,
     r"re-opening a case needs the role team manager or above; Jane Smith is a social worker"),
    ("grace.obi", "", RuleViolation, r"reason is required when re-opening a case"),
    ("grace.obi", "new referral", RuleViolation,
     r"re-opening a case needs a reason that explains why \(at least 3 words and 12 letters; [^)]*\); "
     r"got 'new referral'"),
], ids=["by-social-worker", "no-reason", "two-word-reason"])
def test_reopening_is_refused(closed: tuple[World, uuid.UUID], acting: str, reason: str,
                              error: type[LedgerError], message: str) -> None:
    world, _ = closed
    refused(world.app, error, message, world.app.cases.reopen, acting, world.case_id, reason=reason)
    assert world.case().status == "closed"


def test_only_a_closed_case_is_reopened(shared: World) -> None:
    world = shared
    refused(world.app, RuleViolation, r"the case of Amira Hassan is open; only a closed case is "
            "re-opened", world.app.cases.reopen, "grace.obi", world.case_id,
            reason="new referral from school")


def test_reopening_records_who_and_why(closed: tuple[World, uuid.UUID]) -> None:
    world, _ = closed
    world.app.cases.reopen("helen.cole", world.case_id, reason="new referral from the school")
    event = world.stored_events()[-1]
    assert isinstance(event, CaseRecord.Reopened)
    assert (event.reason, event.actor["staff_id"]) == ("new referral from the school", "helen.cole")
    assert world.case().status == "open"


# --- who did it: the staff stamp -------------------------------------------------------------

def test_every_event_carries_the_stamp_of_who_acted(world: World) -> None:
    note_id = world.final_note()
    world.app.casework.amend_note("grace.obi", world.case_id, note_id, facts="Amended text.",
                                  reason="correct the visit details")
    world.decide("helen.cole")
    world.app.cases.allocate("grace.obi", world.case_id, team="Child Protection", worker="cp.worker",
                             reason="transfer for section 47 enquiry")
    who = ["jane.smith", "jane.smith", "jane.smith", "grace.obi", "helen.cole", "grace.obi"]
    events = world.stored_events()
    assert [e.actor["staff_id"] for e in events] == who
    for event in events:
        assert set(event.actor) == STAMP_KEYS
        assert event.actor == world.app.staff_member(event.actor["staff_id"]).stamp()
    for staff_id in world.app.staff_ids():
        for event in world.app.events.get(world.app.staff_member(staff_id).id):
            assert set(event.actor) == STAMP_KEYS


def test_the_stamp_is_as_the_person_was_then(world: World, db: str) -> None:
    note_id = world.final_note()
    world.clock.advance(days=30)
    world.app.staff.change("admin", "jane.smith", full_name="Jane Smith-Okafor",
                           designation="Senior Social Worker", team="Child Protection",
                           roles=["senior_practitioner"])
    world.app.cases.allocate("grace.obi", world.case_id, team="Child Protection", worker="jane.smith",
                             reason="followed her to child protection")
    later = world.final_note()
    fresh = CaseLedger(db, clock=world.clock)
    try:
        case = fresh.case(world.case_id)
        events = list(fresh.events.get(world.case_id))
    finally:
        fresh.close()
    then = {"staff_id": "jane.smith", "full_name": "Jane Smith", "designation": "Social Worker",
            "team": "Assessment", "roles": ["social_worker"]}
    now = {"staff_id": "jane.smith", "full_name": "Jane Smith-Okafor",
           "designation": "Senior Social Worker", "team": "Child Protection",
           "roles": ["senior_practitioner"]}
    assert events[0].actor == then  # opened the case
    assert case.notes[str(note_id)]["author"] == then
    assert case.notes[str(later)]["author"] == now
    assert case.worker == now
    assert [e.actor["team"] for e in events if isinstance(e, CaseRecord.CaseNoteRecorded)] == [
        "Assessment", "Child Protection"]
    assert fresh_staff_team_history(db, world.clock) == ("Assessment",)


def fresh_staff_team_history(db: str, clock: Clock) -> tuple[str, ...]:
    app = CaseLedger(db, clock=clock)
    try:
        return app.staff_member("jane.smith").previous_teams
    finally:
        app.close()


# --- dates are London dates ------------------------------------------------------------------

@pytest.fixture
def utc_midnight(db: str) -> Any:
    """A ledger whose clock is in UTC (as in production) at 00:30 London time (BST) on 2 July."""
    clock = Clock(dt.datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    app = CaseLedger(db, clock=clock)
    add_staff(app)
    case = app.cases.open("jane.smith", child_name="Amira Hassan", date_of_birth=dt.date(2016, 5, 14),
                          referral_date=dt.date(2026, 6, 30), referral_source="school",
                          team="Assessment", worker="jane.smith")
    clock.now = dt.datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
    try:
        yield app, case.id
    finally:
        app.close()


def test_a_case_closes_just_after_midnight_london_time(utc_midnight: Any) -> None:
    app, case_id = utc_midnight
    app.cases.close("grace.obi", case_id, reason="no further action needed")
    assert app.case(case_id).closure["closed_on"] == dt.date(2026, 7, 2)


def test_a_referral_of_today_in_london_is_not_in_the_future(utc_midnight: Any) -> None:
    app, _ = utc_midnight
    case = app.cases.open("jane.smith", **{**OPEN, "referral_date": dt.date(2026, 7, 2)})
    assert app.case(case.id).referral["date"] == dt.date(2026, 7, 2)
    refused(app, RuleViolation, r"referral_date 03 Jul 2026 is in the future \(today is 02 Jul 2026\)",
            app.cases.open, "jane.smith", **{**OPEN, "referral_date": dt.date(2026, 7, 3)})


def test_staff_events_are_chained_like_case_events(world: World) -> None:
    events = list(world.app.events.get(world.app.staff_member("jane.smith").id))
    assert isinstance(events[0], StaffMember.Joined)
    assert events[0].prev_hash == bytes(32) and events[0].event_hash == events[0].compute_hash()


def test_multi_line_text_keeps_its_line_breaks_and_tabs(world: World) -> None:
    note_id = world.note(facts="Visited Amira.\r\n\tShe showed me her room.", analysis="Line one.\nLine two.",
                         child_views="I like school.\nI miss Dad.")
    content = world.case().notes[str(note_id)]["content"]
    assert content["facts"] == "Visited Amira.\n\tShe showed me her room."
    assert content["analysis"] == "Line one.\nLine two."
    assert content["child_views"] == "I like school.\nI miss Dad."


def test_a_name_keeps_the_joiners_its_script_needs(world: World) -> None:
    case = world.app.cases.open("jane.smith", **{**OPEN, "child_name": "Mehr\u200cnaz Karimi"})
    assert case.child["name"] == "Mehr\u200cnaz Karimi"


def test_a_pre_birth_case_records_before_the_birth(world: World) -> None:
    case = world.app.cases.open("jane.smith", **{**OPEN, "date_of_birth": None,
                                                 "expected_date_of_birth": dt.date(2027, 2, 1)})
    nid = world.app.casework.record_note("jane.smith", case.id, kind="home_visit", facts="Met the mother.",
                                         occurred_at=world.clock.now - dt.timedelta(hours=1))
    assert str(nid) in world.app.case(case.id).notes
