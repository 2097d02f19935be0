"""Recording timescales (ledger/records/timescales.py and the packaged ledger/timescales.toml).

Every rule in the packaged table has a hand-worked due date (a test fails when a rule has no
case), with clocks started around weekends, Christmas and its substitute days (2021, 2022),
Easter, the August bank holiday and one-off bank holidays (the 2022 jubilee, the Queen's state
funeral on 2022-09-19, the coronation on 2023-05-08), and the clock changes. Each case is also
checked on time at the last instant and late one minute after it. Every refusal is asserted
with its type and message; a local authority's own table replaces the packaged one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import LedgerError
from ledger.records.timescales import (
    Lateness,
    TimescaleError,
    TimescaleRule,
    TimescaleTable,
    TimescaleTableError,
    UnknownTimescale,
    add_working_days,
    default_table,
    due_by,
    is_working_day,
    lateness,
    load_table,
    working_days_between,
)

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)
D = dt.date


def at(y: int, m: int, d: int, h: int = 9, mi: int = 0, tz: dt.tzinfo = LONDON) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=tz)


def end_of(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 23, 59, 59, 999999, tzinfo=LONDON)


# --- every rule's due date, worked by hand ---------------------------------------------------
# rule -> (clock start, due, working days late if done one minute after the due time
#          (None for limits in hours), how the date was worked out).
# Bank holidays used: 2021-12-27/28 (Christmas and Boxing Day observed), 2022-01-03,
# 2022-04-15/18 (Easter), 2022-05-02, 2022-06-02/03 (jubilee), 2022-08-29, 2022-09-19 (funeral),
# 2022-12-26/27, 2023-01-02, 2023-04-07/10 (Easter), 2023-05-01, 2023-05-08 (coronation),
# 2023-08-28, 2023-12-25/26.

DUE_CASES: dict[str, tuple[dt.datetime, dt.datetime, int | None, str]] = {
    "recording_finalised": (at(2022, 12, 23, 15), end_of(2023, 1, 4), 1,
                            "Fri before Christmas 2022: 28, 29, 30 Dec, 3, 4 Jan (26, 27 Dec, 2 Jan off)"),
    "cp_recording": (at(2022, 3, 26, 10), at(2022, 3, 27, 11), None,
                     "24 elapsed hours across the spring clock change: 10:00 GMT -> 11:00 BST"),
    "case_summary_update": (at(2023, 11, 30), end_of(2024, 2, 29), 1,
                            "3 months from 30 Nov: leap-year 29 Feb"),
    "hazard_review": (at(2022, 9, 19), end_of(2023, 3, 19), 1, "6 months, due on a Sunday, not moved"),
    "contact_referral_recording": (at(2022, 9, 18, 9, 30), at(2022, 9, 19, 9, 30), None,
                                   "24 hours: runs through the funeral bank holiday"),
    "cf_assessment_completion": (at(2022, 12, 1, 11), end_of(2023, 1, 17), 1,
                                 "30 working days from Thu 1 Dec 2022 over Christmas and New Year"),
    "cf_assessment_authorisation": (at(2022, 3, 2, 14), end_of(2022, 5, 9), 1,
                                    "45 working days from Wed 2 Mar 2022 over Easter and May Day"),
    "cin_plan_after_meeting": (at(2022, 9, 15, 13), end_of(2022, 9, 23), 0,
                               "5 working days from Thu 15 Sep 2022, funeral Mon 19 Sep off"),
    "chronology_update": (at(2022, 11, 30), end_of(2023, 2, 28), 1, "3 months from 30 Nov: 28 Feb"),
    "eh_contact_referral_recording": (at(2022, 10, 29, 12), at(2022, 10, 31, 11), None,
                                      "48 elapsed hours across the autumn clock change: "
                                      "12:00 BST -> 11:00 GMT"),
    "early_help_assessment": (at(2023, 4, 24), end_of(2023, 5, 24), 1,
                              "20 working days from Mon 24 Apr 2023: May Day and the coronation off"),
    "taf_meeting_arranged": (at(2022, 12, 9), end_of(2023, 1, 11), 1,
                             "20 working days from Fri 9 Dec 2022 over Christmas"),
    "family_outcome_star": (at(2022, 5, 28), end_of(2022, 6, 28), 1,
                            "20 working days from Sat 28 May 2022: jubilee 2 and 3 Jun off"),
    "eh_chronology_review": (at(2022, 11, 26), end_of(2022, 12, 26), 0,
                             "1 month: due on Boxing Day, not moved; 27 Dec off too"),
    "strategy_discussion_record": (at(2022, 4, 14, 16), end_of(2022, 4, 19), 1,
                                   "1 working day from Thu before Good Friday: Tue after Easter Monday"),
    "review_strategy_record": (at(2023, 5, 5, 15), end_of(2023, 5, 9), 1,
                               "1 working day from Fri 5 May 2023: coronation Mon off"),
    "icpc_social_work_report": (at(2022, 12, 29, 10), end_of(2022, 12, 23), 0,
                                "2 working days BEFORE Thu 29 Dec 2022: 28 Dec, back over 27, 26 to 23 Dec"),
    "core_group_minutes": (at(2021, 12, 22, 14), end_of(2021, 12, 31), 0,
                           "5 working days from Wed 22 Dec 2021: 27 and 28 Dec (substitute days) off"),
    "cp_review_report_before_meeting": (at(2022, 8, 30, 10), end_of(2022, 8, 22), 1,
                                        "5 working days BEFORE Tue 30 Aug 2022: August bank holiday off"),
    "cp_review_decisions": (at(2022, 12, 22, 14), at(2022, 12, 23, 14), None, "24 hours, GMT"),
    "care_plan_after_looked_after": (at(2021, 12, 17, 18), end_of(2022, 1, 5), 1,
                                     "10 working days from Fri 17 Dec 2021: 27, 28 Dec and 3 Jan off"),
    "placement_plan": (at(2023, 4, 6, 17), end_of(2023, 4, 17), 1,
                       "5 working days from Thu before Good Friday 2023"),
    "lac_review_care_plan": (at(2023, 8, 23, 10), end_of(2023, 8, 31), 1,
                             "5 working days from Wed 23 Aug 2023: August bank holiday off"),
    "lac_review_recommendations": (at(2022, 9, 12, 10), end_of(2022, 9, 20), 1,
                                   "5 working days from Mon 12 Sep 2022: funeral off"),
    "lac_review_minutes": (at(2022, 12, 5, 10), end_of(2023, 1, 5), 1,
                           "20 working days from Mon 5 Dec 2022 over Christmas and New Year"),
    "pathway_plan_review": (at(2022, 3, 19), end_of(2022, 9, 19), 1,
                            "6 months: due on the funeral bank holiday, not moved"),
    "visit_record_s47_cp": (at(2022, 12, 25, 11), end_of(2022, 12, 28), 1,
                            "1 working day from a visit on Christmas Day 2022 (Sunday)"),
    "visit_record_cin_lac_leaver": (at(2022, 9, 17, 11), end_of(2022, 9, 26), 1,
                                    "5 working days from Sat 17 Sep 2022: funeral Mon off"),
    "case_note_contact": (at(2022, 4, 8, 16), end_of(2022, 4, 19), 1,
                          "5 working days from Fri 8 Apr 2022 over Easter"),
    "supervision_note": (at(2023, 5, 2, 14), end_of(2023, 5, 10), 1,
                         "5 working days from Tue 2 May 2023: coronation off"),
    "management_decision_referral": (at(2022, 9, 16, 17, 45), at(2022, 9, 17, 17, 45), None,
                                     "24 hours into Saturday"),
    "management_decision_other": (at(2021, 12, 24, 12), end_of(2021, 12, 31), 0,
                                  "3 working days from Christmas Eve 2021: 29, 30, 31 Dec"),
    "legal_planning_record": (at(2022, 12, 29, 14), end_of(2023, 1, 4), 1,
                              "3 working days from Thu 29 Dec 2022: 2 Jan (New Year substitute) off"),
    "pre_proceedings_letter_upload": (at(2022, 6, 1, 16), end_of(2022, 6, 6), 1,
                                      "1 working day from Wed 1 Jun 2022: jubilee Thu and Fri off"),
    "pre_proceedings_meeting_record": (at(2022, 8, 25, 10), end_of(2022, 8, 31), 1,
                                       "3 working days from Thu 25 Aug 2022: August bank holiday off"),
    "letter_of_intent_upload": (at(2023, 12, 22, 16), end_of(2023, 12, 27), 1,
                                "1 working day from Fri 22 Dec 2023: 25 and 26 Dec off"),
    "social_work_evidence": (at(2022, 12, 15, 10), end_of(2022, 12, 29), 1,
                             "14 calendar days (10 working days would be 3 Jan)"),
    "court_order_upload": (at(2022, 9, 16, 15), end_of(2022, 9, 21), 1,
                           "2 working days from Fri 16 Sep 2022: funeral off"),
    "expert_assessment_upload": (at(2023, 4, 5, 15), end_of(2023, 4, 12), 1,
                                 "3 working days from Wed 5 Apr 2023 over Easter"),
    "private_fostering_notification_record": (at(2023, 5, 8, 9, 15), at(2023, 5, 9, 9, 15), None,
                                              "24 hours from coronation morning"),
    "private_fostering_advance_notice": (at(2022, 9, 1), end_of(2022, 7, 21), 1,
                                         "42 calendar days BEFORE 1 Sep 2022"),
    "private_fostering_coordinator_notice": (at(2022, 12, 24, 20), end_of(2022, 12, 24), 0,
                                             "immediately: the same calendar day"),
    "private_fostering_visit": (at(2022, 12, 20, 10), end_of(2023, 1, 3), 1,
                                "7 working days from Tue 20 Dec 2022 over Christmas and New Year"),
}


def test_every_rule_in_the_packaged_table_has_a_due_date_case() -> None:
    names = set(default_table().names)
    assert sorted(names - set(DUE_CASES)) == [], "rules without a hand-worked due date"
    assert sorted(set(DUE_CASES) - names) == [], "cases for rules that are not in the table"


@pytest.mark.parametrize("rule", sorted(DUE_CASES))
def test_due_date(rule: str) -> None:
    started_at, expected, _, why = DUE_CASES[rule]
    due = due_by(rule, started_at)
    assert due == expected, why
    assert (due.year, due.month, due.day, due.hour, due.minute) == (
        expected.year, expected.month, expected.day, expected.hour, expected.minute), "not London time"
    assert due.tzinfo is not None and str(due.tzinfo) == "Europe/London"


@pytest.mark.parametrize("rule", sorted(DUE_CASES))
def test_on_time_at_the_due_instant_and_late_one_minute_after(rule: str) -> None:
    started_at, due, days_late, why = DUE_CASES[rule]
    assert lateness(rule, started_at, due) is None, why
    assert lateness(rule, started_at, due - MINUTE) is None
    late = lateness(rule, started_at, due + MINUTE)
    assert late == Lateness(rule, due, due + MINUTE, MINUTE, days_late)


@pytest.mark.parametrize(
    ("rule", "started_at", "done_at", "late_by", "days_late"),
    [
        ("recording_finalised", at(2022, 12, 23, 15), at(2023, 1, 6, 10),
         dt.timedelta(days=1, hours=10, microseconds=1), 2),
        ("management_decision_other", at(2021, 12, 21, 12), at(2021, 12, 29, 9),
         dt.timedelta(days=4, hours=9, microseconds=1), 1),
        ("management_decision_other", at(2021, 12, 21, 12), at(2021, 12, 25, 0, 30),
         dt.timedelta(minutes=30, microseconds=1), 0),
        ("cp_review_report_before_meeting", at(2022, 8, 30, 10), at(2022, 8, 24, 12),
         dt.timedelta(days=1, hours=12, microseconds=1), 2),
        ("cf_assessment_authorisation", at(2022, 3, 2, 14), at(2022, 5, 13, 16),
         dt.timedelta(days=3, hours=16, microseconds=1), 4),
        ("eh_chronology_review", at(2022, 11, 26), at(2022, 12, 28, 9),
         dt.timedelta(days=1, hours=9, microseconds=1), 1),
        ("cp_recording", at(2022, 3, 26, 10), at(2022, 3, 28, 11), dt.timedelta(days=1), None),
        ("cp_recording", at(2022, 3, 26, 10, tz=UTC), at(2022, 3, 27, 10, 1, tz=UTC), MINUTE, None),
    ],
    ids=["5wd-over-christmas-2022", "christmas-2021-substitutes", "friday-due-done-saturday",
         "before-meeting-report", "cf-authorisation-after-easter", "month-rule-due-on-boxing-day",
         "hours-across-clock-change", "hours-in-utc"],
)
def test_late_by(rule: str, started_at: dt.datetime, done_at: dt.datetime,
                 late_by: dt.timedelta, days_late: int | None) -> None:
    late = lateness(rule, started_at, done_at)
    assert late is not None
    assert (late.late_by, late.working_days_late, late.done_at) == (late_by, days_late, done_at)
    assert late.due == due_by(rule, started_at)


def test_lateness_is_frozen() -> None:
    late = lateness("recording_finalised", at(2022, 12, 23, 15), at(2023, 1, 6, 10))
    assert late is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        late.working_days_late = 0  # type: ignore[misc]


def test_a_record_done_early_is_not_late() -> None:
    assert lateness("pathway_plan_review", at(2022, 3, 19), at(2022, 9, 1)) is None
    assert lateness("cp_review_report_before_meeting", at(2022, 8, 30, 10), at(2022, 8, 1)) is None


def test_day_limits_start_on_the_london_date_of_the_clock_event() -> None:
    # 23:30 UTC on Thursday 15 September 2022 is 00:30 BST on Friday the 16th: one working day
    # after Friday, over the funeral bank holiday, is Tuesday (after Thursday it would be Friday).
    assert due_by("strategy_discussion_record", at(2022, 9, 15, 23, 30, tz=UTC)) == end_of(2022, 9, 20)
    # and hours limits come back in London time
    due = due_by("cp_recording", at(2022, 7, 1, 12, tz=UTC))
    assert (due.hour, str(due.tzinfo)) == (13, "Europe/London")


# --- working days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2022, 9, 19), False), (D(2023, 5, 8), False), (D(2022, 6, 3), False), (D(2022, 6, 2), False),
        (D(2022, 4, 15), False), (D(2022, 4, 18), False), (D(2023, 4, 10), False),
        (D(2022, 8, 29), False), (D(2023, 8, 28), False),
        (D(2021, 12, 27), False), (D(2021, 12, 28), False), (D(2022, 1, 3), False),
        (D(2022, 12, 26), False), (D(2022, 12, 27), False), (D(2023, 1, 2), False),
        (D(2022, 12, 24), False), (D(2022, 12, 25), False),
        (D(2022, 12, 28), True), (D(2022, 9, 20), True), (D(2022, 5, 30), True), (D(2023, 1, 3), True),
    ],
    ids=lambda v: v.isoformat() if isinstance(v, D) else str(v),
)
def test_is_working_day(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (D(2022, 9, 17), 1, D(2022, 9, 20)),    # Saturday + 1, Monday is the funeral
        (D(2023, 3, 18), 1, D(2023, 3, 20)),    # Saturday + 1 = Monday
        (D(2023, 3, 18), 0, D(2023, 3, 18)),    # 0: the start itself, even a Saturday
        (D(2022, 12, 23), 5, D(2023, 1, 4)),
        (D(2023, 3, 20), -1, D(2023, 3, 17)),   # Monday - 1 = Friday
        (D(2022, 4, 19), -1, D(2022, 4, 14)),   # back over Easter
        (D(2022, 12, 29), -2, D(2022, 12, 23)),
        (D(2022, 9, 1), -5, D(2022, 8, 24)),    # back over the August bank holiday
    ],
)
def test_add_working_days(start: dt.date, days: int, expected: dt.date) -> None:
    assert add_working_days(start, days) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (D(2023, 3, 20), D(2023, 3, 21), 1),
        (D(2023, 3, 17), D(2023, 3, 20), 1),    # Friday to Monday
        (D(2023, 3, 18), D(2023, 3, 20), 1),    # Saturday to Monday
        (D(2023, 3, 20), D(2023, 3, 20), 0),
        (D(2022, 12, 23), D(2023, 1, 4), 5),
        (D(2023, 1, 4), D(2022, 12, 23), -5),
        (D(2023, 3, 20), D(2023, 3, 17), -1),   # Monday back to Friday
        (D(2018, 1, 1), D(2017, 12, 29), -1),   # from a bank holiday back to the Friday before
        (D(2023, 3, 18), D(2023, 3, 17), -1),   # Saturday back to Friday
        (D(2021, 12, 31), D(2022, 12, 31), 250),  # 2022: 365 - 105 weekend days - 10 weekday holidays
    ],
)
def test_working_days_between(a: dt.date, b: dt.date, expected: int) -> None:
    assert working_days_between(a, b) == expected


@given(st.dates(D(2018, 1, 1), D(2030, 12, 31)), st.integers(-80, 80))
def test_working_days_between_inverts_add_working_days(start: dt.date, n: int) -> None:
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    if n:
        assert is_working_day(end)
    step = dt.timedelta(days=1 if end >= start else -1)
    day, seen = start, 0
    while day != end:  # reference count, one day at a time
        day += step
        seen += is_working_day(day)
    assert seen == abs(n)


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: due_by("chronology", at(2023, 1, 3)), UnknownTimescale,
         r"no timescale rule 'chronology' in the packaged timescales\.toml; known rules include "
         r".*chronology_update.* \(\d+ in all\)"),
        (lambda: due_by("zzz", at(2023, 1, 3)), UnknownTimescale,
         r"no timescale rule 'zzz' .*known rules include recording_finalised, cp_recording"),
        (lambda: lateness("Recording Finalised", at(2023, 1, 3), at(2023, 1, 4)), UnknownTimescale,
         r"no timescale rule 'Recording Finalised'"),
        (lambda: due_by("recording_finalised", dt.datetime(2022, 12, 23, 15)), TimescaleError,
         r"rule 'recording_finalised': started_at must be a timezone-aware datetime, got the naive "
         r"2022-12-23T15:00:00"),
        (lambda: due_by("recording_finalised", D(2022, 12, 23)), TimescaleError,  # type: ignore[arg-type]
         r"rule 'recording_finalised': started_at must be a timezone-aware datetime, got date"),
        (lambda: lateness("cp_recording", at(2023, 1, 3), dt.datetime(2023, 1, 5)), TimescaleError,
         r"rule 'cp_recording': done_at must be a timezone-aware datetime, "
         r"got the naive 2023-01-05T00:00:00"),
        (lambda: add_working_days(at(2022, 9, 16), 1), TimescaleError,
         r"start must be a date, got datetime .*take \.astimezone\(LONDON\)\.date\(\) first"),
        (lambda: add_working_days(D(2022, 9, 16), 1.5), TimescaleError,  # type: ignore[arg-type]
         r"days must be a whole number of days, got float 1\.5"),
        (lambda: add_working_days(D(2022, 9, 16), True), TimescaleError,
         r"days must be a whole number of days, got bool True"),
        (lambda: is_working_day("2022-09-19"), TimescaleError,  # type: ignore[arg-type]
         r"d must be a date, got str '2022-09-19'"),
        (lambda: working_days_between(D(2022, 9, 16), at(2022, 9, 20)), TimescaleError,
         r"b must be a date, got datetime"),
        (lambda: default_table().rule("cp_recording").due_day(D(2022, 9, 16)), TimescaleError,
         r"rule 'cp_recording': a limit in hours has no due day; use due_by"),
    ],
    ids=["unknown-rule-near", "unknown-rule-far", "unknown-rule-lateness", "naive-started-at",
         "date-started-at", "naive-done-at", "datetime-as-date", "fractional-days", "bool-days",
         "string-date", "datetime-as-b", "hours-rule-due-day"],
)
def test_refusals(call: Any, error: type[LedgerError], message: str) -> None:
    with pytest.raises(error, match=message) as caught:
        call()
    assert type(caught.value) is error
    assert isinstance(caught.value, LedgerError)


# --- a local authority's own table ----------------------------------------------------------


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)  # ints, floats and plain strings are the same in TOML


def write_table(path: Path, *rows: dict[str, Any], head: str = "") -> Path:
    text = head + "".join(
        "[[rule]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in row.items()) + "\n" for row in rows
    )
    path.write_text(text, encoding="utf-8")
    return path


ROW: dict[str, Any] = {"name": "x_rule", "section": "18", "record": "A record", "wording": "Within 5 days",
                       "starts": "the event", "amount": 5, "unit": "working_days"}


def test_a_custom_table_replaces_the_packaged_one(tmp_path: Path) -> None:
    path = write_table(
        tmp_path / "enfield.toml",
        {**ROW, "name": "cf_assessment_completion", "amount": 45, "wording": "45 working days"},
        {**ROW, "name": "icpc_held", "amount": 15, "start_is_day_one": True,
         "wording": "within 15 working days of the strategy discussion"},
        {**ROW, "name": "visit_day_one", "amount": 28, "unit": "calendar_days", "start_is_day_one": True},
        {**ROW, "name": "notice_before", "amount": 24, "unit": "hours", "before": True},
        head='title = "An authority\'s own timescales"\n\n',
    )
    table = load_table(path)
    assert isinstance(table, TimescaleTable) and table.source == str(path)
    assert table.names == ("cf_assessment_completion", "icpc_held", "visit_day_one", "notice_before")
    assert due_by("cf_assessment_completion", at(2022, 3, 2, 14), table=table) == end_of(2022, 5, 9)
    # the packaged table is untouched
    assert due_by("cf_assessment_completion", at(2022, 3, 2, 14)) == end_of(2022, 4, 13)
    # start day as day one: Mon 12 Sep 2022 is day 1, the funeral is skipped, day 15 is Mon 3 Oct
    assert due_by("icpc_held", at(2022, 9, 12, 10), table=table) == end_of(2022, 10, 3)
    # ... and when the start is not a working day, day one is the next working day (Tue 20 Sep)
    assert due_by("icpc_held", at(2022, 9, 17, 10), table=table) == end_of(2022, 10, 10)
    assert due_by("visit_day_one", at(2022, 12, 1, 10), table=table) == end_of(2022, 12, 28)
    assert due_by("notice_before", at(2022, 10, 30, 10), table=table) == at(2022, 10, 29, 11)  # BST
    late = lateness("icpc_held", at(2022, 9, 12, 10), at(2022, 10, 5, 9), table=table)
    assert late is not None and late.working_days_late == 2
    unknown = rf"no timescale rule 'recording_finalised' in {re.escape(str(path))}"
    with pytest.raises(UnknownTimescale, match=unknown):
        due_by("recording_finalised", at(2023, 1, 3), table=table)


def test_the_default_table_is_the_packaged_file_read_once() -> None:
    assert default_table() is default_table()
    assert load_table() == default_table()
    assert default_table().source == "the packaged timescales.toml"


def _without(row: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != key}


BAD_ROWS = [
    pytest.param([_without(ROW, "unit")], r"row 1 \('x_rule'\): missing field 'unit'", id="missing-unit"),
    pytest.param([_without(ROW, "wording")], r"row 1 \('x_rule'\): missing field 'wording'",
                 id="missing-wording"),
    pytest.param([{**ROW, "unit": "weeks"}],
                 r"row 1: rule 'x_rule': field 'unit' is 'weeks'; expected one of: hours, working_days, "
                 r"calendar_days, months", id="unknown-unit"),
    pytest.param([{**ROW, "ammount": 5}],
                 r"row 1 \('x_rule'\): unknown field 'ammount'; expected fields: name",
                 id="unknown-field"),
    pytest.param([{**ROW, "amount": "5"}], r"field 'amount' must be an integer, got str '5'",
                 id="amount-text"),
    pytest.param([{**ROW, "amount": 2.5}], r"field 'amount' must be an integer, got float 2\.5",
                 id="amount-float"),
    pytest.param([{**ROW, "amount": True}], r"field 'amount' must be an integer, got bool True",
                 id="amount-bool"),
    pytest.param([{**ROW, "amount": -5}],
                 r"rule 'x_rule': field 'amount' is -5; expected 0 or more \(for a deadline before the clock "
                 r"event, set before = true\)", id="amount-negative"),
    pytest.param([{**ROW, "name": "Contact-Referral"}],
                 r"row 1: rule 'Contact-Referral': field 'name' must be a snake_case identifier",
                 id="name-case"),
    pytest.param([{**ROW, "wording": "  "}], r"rule 'x_rule': field 'wording' must be non-empty text",
                 id="empty-wording"),
    pytest.param([{**ROW, "before": "yes"}], r"field 'before' must be true or false, got str 'yes'",
                 id="before-text"),
    pytest.param([{**ROW, "unit": "hours", "start_is_day_one": True}],
                 r"rule 'x_rule': field 'start_is_day_one' is true with unit 'hours'; expected only with "
                 r"working_days or calendar_days", id="day-one-hours"),
    pytest.param([{**ROW, "unit": "months", "start_is_day_one": True}],
                 r"field 'start_is_day_one' is true with unit 'months'", id="day-one-months"),
    pytest.param([{**ROW, "amount": 0, "start_is_day_one": True}],
                 r"field 'start_is_day_one' is true with amount 0; expected an amount of 1 or more",
                 id="day-one-zero"),
    pytest.param([ROW, {**ROW, "amount": 3}], r"duplicate rule name 'x_rule'; expected each name once",
                 id="duplicate-name"),
    pytest.param([ROW, _without(ROW, "starts") | {"name": "y_rule"}],
                 r"row 2 \('y_rule'\): missing field 'starts'", id="second-row"),
    pytest.param([], r"no rules; expected \[\[rule\]\] rows", id="no-rows"),
]


@pytest.mark.parametrize(("rows", "message"), BAD_ROWS)
def test_an_invalid_table_is_refused_naming_the_row_and_field(
        tmp_path: Path, rows: list[dict[str, Any]], message: str) -> None:
    path = write_table(tmp_path / "bad.toml", *rows)
    with pytest.raises(TimescaleTableError, match=rf"^timescales table {re.escape(str(path))}: .*{message}"):
        load_table(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rule]\nname = 1\n", r"not valid TOML"),
        ('[[rules]]\nname = "x"\n', r"unknown top-level key 'rules'; expected title and \[\[rule\]\] rows"),
        ("rule = 5\n", r"'rule' must be \[\[rule\]\] rows"),
        ("rule = [1]\n", r"row 1 is not a table"),
    ],
    ids=["not-toml", "rules-typo", "rule-not-rows", "row-not-table"],
)
def test_a_malformed_file_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TimescaleTableError, match=message):
        load_table(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TimescaleTableError, match=r"timescales table .*nowhere\.toml: cannot read it"):
        load_table(tmp_path / "nowhere.toml")


def test_a_rule_cannot_be_built_invalid() -> None:
    with pytest.raises(TimescaleTableError, match=r"rule 'x_rule': field 'unit' is 'days'; expected one of"):
        TimescaleRule(**{**ROW, "unit": "days"})


# --- the packaged table against the policy --------------------------------------------------

# A copy of the policy travels with the tests: they never read outside the repository.
POLICY = Path(__file__).resolve().parent / "data" / "case-recording-policy.txt"


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("rule", default_table().names)
def test_each_row_quotes_the_policy_exactly(rule: str) -> None:
    assert _words(default_table().rule(rule).wording) in _words(POLICY.read_text(encoding="utf-8"))


UNIT_WORDS = {"hours": "hour", "working_days": "working day", "calendar_days": " days", "months": "month"}


@pytest.mark.parametrize("rule", default_table().names)
def test_a_row_whose_wording_does_not_state_its_unit_explains_the_reading(rule: str) -> None:
    row = default_table().rule(rule)
    said = UNIT_WORDS[row.unit] in row.wording.lower() and not (row.before and "before" not in row.wording)
    assert said or len(row.note) > 40, f"{rule}: {row.wording!r} is {row.amount} {row.unit}, with no note"


def test_the_sub_tables_of_section_18_are_all_there() -> None:
    tables = {r.table for r in default_table() if r.section == "18"}
    assert tables == {"Main", "Early Help Services", "Child Protection", "Child in Care & Care Leavers",
                      "Other Case Recording"}
    assert all(r.table == "" for r in default_table() if r.section != "18")
