"""Casework records (ledger.records.casework): each kind recorded and read back, each update, every refusal
(type, message, nothing written), on SQLite and PostgreSQL; then the CLI end to end.

The test clock starts at 2026-11-02 09:00 London; the borough fixture moves it to 10:00, so
"today" is 2 November 2026 and six months ahead is 2 May 2027.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ledger.access.log import ATTEMPT_TOPICS
from ledger.application import LONDON, CaseLedger
from ledger.errors import NotFound, PermissionDenied, RuleViolation
from ledger.integrity.verify import verify_ledger
from ledger.records import casework
from tests.conftest import Borough, Clock, add_staff

TODAY = dt.date(2026, 11, 2)
EXE = Path(sys.executable).parent / "caseledger"


def refused(ledger: CaseLedger, error: type[Exception], message: str, call: Callable[[], Any]) -> str:
    """``call`` raises exactly ``error`` with ``message`` in it, and writes nothing but the access attempt."""
    before = ledger.recorder.max_notification_id() or 0
    with pytest.raises(error) as info:
        call()
    assert type(info.value) is error, (type(info.value), info.value)
    assert re.search(message, str(info.value)), str(info.value)
    written = [n.topic for n in ledger.recorder.select_notifications(before + 1, 100)]
    assert all(t in ATTEMPT_TOPICS for t in written) and len(written) <= 1, written
    return str(info.value)


def a_note(b: Borough, facts: str = "Visited Amira at home; a large dog jumped at the door.") -> uuid.UUID:
    return b.ledger.casework.record_note(
        "jane.smith",
        b.case_id,
        kind="home_visit",
        finalise=True,
        occurred_at=dt.datetime(2026, 11, 2, 9, 30, tzinfo=LONDON),
        facts=facts,
    )


def hazard(**over: Any) -> dict[str, Any]:
    return {
        "kind": "hazard",
        "type": "dangerous_pet",
        "started_on": dt.date(2026, 11, 2),
        "description": "Large dog, not kept in another room during visits",
        "source_document": "Police notification",
        "source_date": dt.date(2026, 10, 30),
        "review_date": dt.date(2027, 2, 1),
        **over,
    }


# --- hazards and alerts ------------------------------------------------------------------------


def test_hazard_is_recorded_reviewed_updated_and_ended(borough: Borough, clock: Clock) -> None:
    led, cid = borough.ledger, borough.case_id
    note_id = a_note(borough)
    hid = led.casework.record(
        "jane.smith", cid, **hazard(source_document=None, source_date=None, source_record=str(note_id))
    )
    rec = led.case(cid).records[str(hid)]
    assert rec["kind"] == "hazard" and rec["status"] == "active" and rec["by"]["full_name"] == "Jane Smith"
    assert rec["details"]["source_record"] == str(note_id)
    assert rec["details"]["source_date"] == TODAY  # the note's date, copied in
    assert rec["details"]["review_date"] == dt.date(2027, 2, 1)

    clock.advance(days=30)
    led.casework.update(
        "grace.obi",
        cid,
        hid,
        action="review",
        outcome="Dog still in the house",
        next_review_date="2027-05-30",
    )
    led.casework.update(
        "jane.smith",
        cid,
        hid,
        action="update",
        description="Two large dogs; ask for them to be put in the garden",
        source_document="Housing officer's email",
        source_date=dt.date(2026, 11, 28),
    )
    rec = led.case(cid).records[str(hid)]
    assert rec["details"]["review_date"] == dt.date(2027, 5, 30)
    assert rec["last_reviewed"] == dt.date(2026, 12, 2)
    assert rec["details"]["description"].startswith("Two large dogs")
    assert (
        "source_record" not in rec["details"]
        and rec["details"]["source_document"] == "Housing officer's email"
    )
    assert [u["action"] for u in rec["updates"]] == ["review", "update"]
    assert rec["updates"][0]["previous"] == {"review_date": dt.date(2027, 2, 1)}
    assert rec["updates"][1]["previous"]["description"] == "Large dog, not kept in another room during visits"
    assert rec["updates"][1]["previous"]["source_record"] == str(note_id)

    led.casework.update("jane.smith", cid, hid, action="end", reason="The family rehomed both dogs")
    rec = led.case(cid).records[str(hid)]
    assert rec["status"] == "ended" and rec["updates"][-1]["by"]["staff_id"] == "jane.smith"
    refused(
        led,
        RuleViolation,
        "cannot review hazard .* it is ended",
        lambda: led.casework.update(
            "jane.smith", cid, hid, action="review", outcome="x", next_review_date="2027-01-10"
        ),
    )


def test_hazard_refusals(borough: Borough) -> None:
    led, cid = borough.ledger, borough.case_id
    rec = lambda **d: lambda: led.casework.record("jane.smith", cid, **hazard(**d))  # noqa: E731
    refused(led, RuleViolation, r"started_on is required for a hazard", rec(started_on=None))
    refused(
        led,
        RuleViolation,
        r"started_on 03 Nov 2026 for a hazard is in the future",
        rec(started_on=dt.date(2026, 11, 3)),
    )
    refused(
        led,
        RuleViolation,
        r"review_date 03 May 2027 for a hazard is more than six months away.*"
        r"at the latest 02 May 2027",
        rec(review_date=dt.date(2027, 5, 3)),
    )
    refused(
        led,
        RuleViolation,
        r"review_date 01 Nov 2026 for a hazard is in the past",
        rec(review_date=dt.date(2026, 11, 1)),
    )
    refused(led, RuleViolation, r"review_date is required for a hazard", rec(review_date=None))
    refused(
        led,
        RuleViolation,
        r"description of a hazard must refer to a specific dated case record or "
        r"document .*policy s.10",
        rec(source_document=None, source_date=None),
    )
    refused(led, RuleViolation, r"source_date is required with source_document", rec(source_date=None))
    refused(led, RuleViolation, r"description is required for a hazard", rec(description="  "))
    refused(
        led,
        NotFound,
        r"source_record .* is not a case note or a document record on the case of Amira",
        rec(source_document=None, source_date=None, source_record=str(uuid.uuid4())),
    )
    refused(
        led,
        RuleViolation,
        r"type for a hazard must be one of: dangerous_pet, .*; got 'angry_neighbour'",
        rec(type="angry_neighbour"),
    )
    refused(led, RuleViolation, r"a hazard has no field 'colour'", rec(colour="brown"))
    refused(
        led,
        PermissionDenied,
        r"access denied: recording on this case needs .*; Sam Hughes is a helpdesk, not on this case",
        lambda: led.casework.record("sam.hd", cid, **hazard()),
    )
    refused(
        led,
        RuleViolation,
        r"kind 'pet' is not a kind of casework record",
        lambda: led.casework.record("jane.smith", cid, kind="pet"),
    )
    # review after six months, unknown action, unknown record
    hid = led.casework.record("jane.smith", cid, **hazard())
    refused(
        led,
        RuleViolation,
        r"next_review_date 01 Jun 2027 for a hazard is more than six months away",
        lambda: led.casework.update(
            "jane.smith", cid, hid, action="review", outcome="Seen", next_review_date=dt.date(2027, 6, 1)
        ),
    )
    refused(
        led,
        RuleViolation,
        r"outcome is required for review of a hazard",
        lambda: led.casework.update(
            "jane.smith", cid, hid, action="review", next_review_date=dt.date(2027, 1, 1)
        ),
    )
    refused(
        led,
        RuleViolation,
        r"'close' is not an update of a hazard; its updates are: review, update, end",
        lambda: led.casework.update("jane.smith", cid, hid, action="close"),
    )
    refused(
        led,
        RuleViolation,
        r"ending a hazard needs a reason that explains why",
        lambda: led.casework.update("jane.smith", cid, hid, action="end", reason="gone"),
    )
    refused(
        led,
        NotFound,
        r"no record .* on the case of Amira Hassan",
        lambda: led.casework.update("jane.smith", cid, uuid.uuid4(), action="end", reason="a b c"),
    )


def test_risk_to_children_and_mappa_alerts(borough: Borough) -> None:
    led, cid = borough.ledger, borough.case_id
    common = {k: v for k, v in hazard().items() if k not in ("kind", "type")}
    rid = led.casework.record(
        "jane.smith", cid, kind="risk_to_children", person="Mr K (mother's partner)", **common
    )
    mid = led.casework.record(
        "grace.obi",
        cid,
        kind="mappa_alert",
        person="Mr K",
        mappa_category="violent_offender",
        mappa_level="level_2",
        **common,
    )
    records = led.case(cid).records
    assert records[str(rid)]["status"] == records[str(mid)]["status"] == "active"
    assert records[str(mid)]["details"]["mappa_level"] == "level_2"
    refused(
        led,
        RuleViolation,
        r"person is required for a MAPPA alert",
        lambda: led.casework.record("grace.obi", cid, kind="mappa_alert", **common),
    )
    refused(
        led,
        RuleViolation,
        r"review_date 01 Dec 2027 for a risk to children alert is more than six months",
        lambda: led.casework.record(
            "jane.smith", cid, kind="risk_to_children", **{**common, "review_date": dt.date(2027, 12, 1)}
        ),
    )
    assert casework.reviews_due(led.case(cid), dt.date(2027, 2, 2)) != []
    assert casework.reviews_due(led.case(cid), TODAY) == []


# --- chronology and summaries ------------------------------------------------------------------


def test_chronology_entries_and_corrections(borough: Borough) -> None:
    led, cid = borough.ledger, borough.case_id
    note_id = a_note(borough)
    before_birth = led.casework.record(
        "jane.smith",
        cid,
        kind="chronology_entry",
        event_date=dt.date(2014, 3, 1),
        what_happened="Amira's older brother died aged two",
        category="family",
    )
    won = led.casework.record(
        "jane.smith",
        cid,
        kind="chronology_entry",
        event_date="2026-10-01",
        what_happened="Won a reading prize",
        category="achievement",
        positive="yes",
        source=str(note_id),
    )
    case = led.case(cid)
    assert [e["id"] for e in casework.chronology(case)] == [before_birth, won]
    assert case.records[str(won)]["details"]["positive"] is True
    assert case.records[str(won)]["details"]["source"] == str(note_id)

    led.casework.update(
        "omar.farah",
        cid,
        won,
        action="correct",
        event_date=dt.date(2026, 9, 30),
        reason="The school confirmed the date",
    )
    entry = led.case(cid).records[str(won)]
    assert entry["details"]["event_date"] == dt.date(2026, 9, 30)
    assert entry["updates"][0]["previous"] == {"event_date": dt.date(2026, 10, 1)}
    assert entry["updates"][0]["details"]["reason"] == "The school confirmed the date"

    refused(
        led,
        RuleViolation,
        r"event_date 03 Nov 2026 for a chronology entry is after today \(02 Nov 2026\)",
        lambda: led.casework.record(
            "jane.smith",
            cid,
            kind="chronology_entry",
            event_date="2026-11-03",
            what_happened="Start at new school",
            category="education",
        ),
    )
    refused(
        led,
        RuleViolation,
        r"what_happened is required for a chronology entry",
        lambda: led.casework.record(
            "jane.smith", cid, kind="chronology_entry", event_date="2026-11-01", category="education"
        ),
    )
    refused(
        led,
        RuleViolation,
        r"correcting a chronology entry needs a reason that explains",
        lambda: led.casework.update(
            "jane.smith", cid, won, action="correct", category="education", reason="typo"
        ),
    )
    refused(
        led,
        RuleViolation,
        r"the correction changes nothing",
        lambda: led.casework.update(
            "jane.smith", cid, won, action="correct", category="achievement", reason="No change at all"
        ),
    )


def test_a_new_case_summary_supersedes_the_last(borough: Borough, clock: Clock) -> None:
    led, cid = borough.ledger, borough.case_id
    first = led.casework.record(
        "jane.smith",
        cid,
        kind="case_summary",
        life_for_the_child="Amira is anxious at home and quiet at school",
        concerns="Mother's partner's temper",
        focus_next_three_months="Direct work with Amira",
    )
    clock.advance(days=90)
    second = led.casework.record(
        "jane.smith",
        cid,
        kind="case_summary",
        life_for_the_child="Amira says home is calmer",
        strengths="Grandmother's support",
        engagement="Mother attends every meeting",
        focus_next_three_months="Step down to early help",
    )
    records = led.case(cid).records
    assert records[str(first)]["status"] == "superseded" and records[str(first)]["superseded_by"] == second
    assert records[str(second)]["status"] == "current" and records[str(second)]["details"][
        "supersedes"
    ] == str(first)
    assert records[str(second)]["details"]["next_update_due"] == dt.date(2027, 4, 30)  # 31 January + 3 months
    assert casework.current_summary(led.case(cid))["id"] == second
    refused(
        led,
        RuleViolation,
        r"life_for_the_child is required for a case summary \(what life is like",
        lambda: led.casework.record("jane.smith", cid, kind="case_summary", focus_next_three_months="x"),
    )
    refused(
        led,
        RuleViolation,
        r"focus_next_three_months is required for a case summary",
        lambda: led.casework.record("jane.smith", cid, kind="case_summary", life_for_the_child="x"),
    )
    refused(
        led,
        RuleViolation,
        r"a case summary accepts no updates \(a new summary supersedes it\)",
        lambda: led.casework.update("jane.smith", cid, second, action="correct"),
    )


# --- information sharing, consent, corrections ------------------------------------------------


def test_information_sharing_and_consent(borough: Borough) -> None:
    led, cid = borough.ledger, borough.case_id
    consent = led.casework.record(
        "jane.smith",
        cid,
        kind="consent",
        status="given",
        by_whom="Ms Hassan (mother)",
        scope="Contact Amira's GP about her health",
        written=True,
    )
    share = dict(
        kind="information_sharing",
        direction="request_to",
        organisation="Oak Lane GP surgery",
        information="Amira's recent appointments",
        shared=True,
        reasoning="Needed for the assessment",
        basis="consent",
        consent_record=str(consent),
    )
    sid = led.casework.record("jane.smith", cid, **share)
    no = led.casework.record(
        "grace.obi",
        cid,
        kind="information_sharing",
        direction="request_from",
        organisation="A neighbouring authority",
        information="Mother's address",
        shared=False,
        reasoning="No consent and no legal basis; referred to Legal Services",
    )
    records = led.case(cid).records
    assert records[str(sid)]["details"]["basis"] == "consent" and records[str(sid)]["status"] == "shared"
    assert records[str(no)]["status"] == "not_shared" and records[str(no)]["by"]["full_name"] == "Grace Obi"

    refused(
        led,
        RuleViolation,
        r"reasoning is required for an information sharing decision",
        lambda: led.casework.record("jane.smith", cid, **{**share, "reasoning": ""}),
    )
    refused(
        led,
        RuleViolation,
        r"basis is required when information is shared or sought",
        lambda: led.casework.record("jane.smith", cid, **{**share, "basis": None, "consent_record": None}),
    )
    refused(
        led,
        RuleViolation,
        r"basis for an information sharing decision must be one of",
        lambda: led.casework.record("jane.smith", cid, **{**share, "basis": "curiosity"}),
    )
    refused(
        led,
        RuleViolation,
        r"consent_record is required when the basis is consent",
        lambda: led.casework.record("jane.smith", cid, **{**share, "consent_record": None}),
    )

    led.casework.update(
        "jane.smith",
        cid,
        consent,
        action="withdraw",
        by_whom="Ms Hassan",
        reason="She no longer wants the GP contacted",
    )
    assert led.case(cid).records[str(consent)]["status"] == "withdrawn"
    refused(
        led,
        RuleViolation,
        r"consent_record .* is not a consent given \(it is withdrawn\)",
        lambda: led.casework.record("jane.smith", cid, **share),
    )
    refused(
        led,
        RuleViolation,
        r"cannot withdraw consent .* it is withdrawn",
        lambda: led.casework.update(
            "jane.smith", cid, consent, action="withdraw", by_whom="x", reason="again and again"
        ),
    )
    oral = led.casework.record(
        "jane.smith", cid, kind="consent", status="given", by_whom="Ms Hassan", scope="School records"
    )
    refused(
        led,
        RuleViolation,
        r"needs written consent \(policy s.7\)",
        lambda: led.casework.record("jane.smith", cid, **{**share, "consent_record": str(oral)}),
    )


def test_correction_request_keeps_the_original(borough: Borough) -> None:
    led, cid = borough.ledger, borough.case_id
    note_id = a_note(borough, facts="Mother shouted at the worker.")
    original = led.case(cid).notes[str(note_id)]["content"]
    req = led.casework.record(
        "jane.smith",
        cid,
        kind="correction_request",
        requested_by="Ms Hassan (mother)",
        what=str(note_id),
        request="I did not shout; I was upset and raised my voice",
    )
    led.casework.update(
        "grace.obi",
        cid,
        req,
        action="outcome",
        result="not_corrected",
        reason="The worker's account is first-hand and was recorded at the time",
    )
    led.casework.update(
        "jane.smith",
        cid,
        req,
        action="disagreement",
        by_whom="Ms Hassan",
        in_their_own_words="I still say I never shouted at anyone",
        how_obtained="letter",
    )
    case = led.case(cid)
    assert case.notes[str(note_id)]["content"] == original  # the original always stays
    assert case.notes[str(note_id)]["amendments"] == []
    rec = case.records[str(req)]
    assert rec["status"] == "not_corrected" and rec["details"]["request"].startswith("I did not shout")
    assert rec["outcome"]["by"]["full_name"] == "Grace Obi"
    assert rec["disagreements"][0]["in_their_own_words"] == "I still say I never shouted at anyone"
    assert [r["id"] for r in casework.records_about(case, note_id)] == [req]
    refused(
        led,
        RuleViolation,
        r"cannot outcome correction request .* it is not corrected",
        lambda: led.casework.update(
            "grace.obi", cid, req, action="outcome", result="corrected", reason="Changed our mind now"
        ),
    )
    refused(
        led,
        NotFound,
        r"what .* is not a case note or a record on the case",
        lambda: led.casework.record(
            "jane.smith",
            cid,
            kind="correction_request",
            requested_by="x",
            what=str(uuid.uuid4()),
            request="y",
        ),
    )


# --- audits and documents --------------------------------------------------------------------


def test_case_audits(borough: Borough) -> None:
    led, cid = borough.ledger, borough.case_id
    aid = led.casework.record(
        "ann.audit",
        cid,
        kind="case_audit",
        audit_type="case_file_audit",
        audit_date=dt.date(2026, 11, 1),
        findings="Chronology not started",
        actions_arising="Start the chronology; Update the case summary",
    )
    tid = led.casework.record(
        "grace.obi",
        cid,
        kind="case_audit",
        audit_type="case_transfer_audit",
        audit_date=TODAY,
        findings="Ready",
        ready_for_transfer=True,
    )
    records = led.case(cid).records
    assert records[str(aid)]["details"]["actions_arising"] == [
        "Start the chronology",
        "Update the case summary",
    ]
    assert records[str(aid)]["by"]["designation"] == "Quality Assurance Auditor"
    assert records[str(tid)]["details"]["ready_for_transfer"] is True
    audit = dict(kind="case_audit", audit_type="thematic", audit_date=TODAY, findings="Fine")
    refused(
        led,
        PermissionDenied,
        r"recording a case audit needs the auditor role or team manager and above "
        r"\(policy s.14\); Jane Smith is a social worker",
        lambda: led.casework.record("jane.smith", cid, **audit),
    )
    refused(
        led,
        PermissionDenied,
        r"Omar Farah is a senior practitioner",
        lambda: led.casework.record("omar.farah", cid, **audit),
    )
    refused(
        led,
        RuleViolation,
        r"ready_for_transfer is required for a case transfer audit",
        lambda: led.casework.record("grace.obi", cid, **{**audit, "audit_type": "case_transfer_audit"}),
    )
    refused(
        led,
        RuleViolation,
        r"audit_date 03 Nov 2026 is in the future",
        lambda: led.casework.record("grace.obi", cid, **{**audit, "audit_date": "2026-11-03"}),
    )


def test_documents_carry_the_hash_of_the_file(borough: Borough, tmp_path: Path) -> None:
    led, cid = borough.ledger, borough.case_id
    f = tmp_path / "amira-drawing.png"
    f.write_bytes(b"\x89PNG a drawing of my family")
    details = casework.document_details(f)
    assert details == {
        "name": "amira-drawing.png",
        "sha256": hashlib.sha256(f.read_bytes()).hexdigest(),
        "size_bytes": f.stat().st_size,
    }
    did = led.casework.record(
        "jane.smith", cid, kind="document", doc_type="drawing", date_received=dt.date(2026, 11, 2), **details
    )
    rec = led.case(cid).records[str(did)]
    assert rec["details"]["sha256"] == details["sha256"] and rec["status"] == "held"
    assert casework.document_matches(rec, f)
    f.write_bytes(b"\x89PNG a drawing of my famiLy")  # same size, one byte changed
    assert not casework.document_matches(rec, f)

    bc = led.casework.record(
        "jane.smith",
        cid,
        kind="document",
        name="Birth certificate",
        doc_type="birth_certificate",
        sha256="ab" * 32,
    )
    assert led.case(cid).records[str(bc)]["details"]["keep_original_paper"] is True
    doc = dict(kind="document", name="Letter", doc_type="letter", sha256="cd" * 32)
    refused(
        led,
        RuleViolation,
        r"sha256 for a document must be a SHA-256 in 64 hex digits, got 'abc123'",
        lambda: led.casework.record("jane.smith", cid, **{**doc, "sha256": "abc123"}),
    )
    refused(
        led,
        RuleViolation,
        r"sha256 is required for a document",
        lambda: led.casework.record("jane.smith", cid, **{**doc, "sha256": None}),
    )
    refused(
        led,
        RuleViolation,
        r"already on the case as document",
        lambda: led.casework.record("jane.smith", cid, **{**doc, "sha256": details["sha256"]}),
    )
    refused(
        led,
        RuleViolation,
        r"original_reason is required to keep a document on paper",
        lambda: led.casework.record("jane.smith", cid, **{**doc, "keep_original_paper": True}),
    )
    refused(
        led,
        RuleViolation,
        r"date_received 05 Nov 2026 is in the future",
        lambda: led.casework.record("jane.smith", cid, **{**doc, "date_received": "2026-11-05"}),
    )
    refused(
        led,
        RuleViolation,
        r"size_bytes: 'big' is not a whole number",
        lambda: led.casework.record("jane.smith", cid, **{**doc, "size_bytes": "big"}),
    )
    refused(
        led,
        RuleViolation,
        r"size_bytes for a document must not be negative, got -1",
        lambda: led.casework.record("jane.smith", cid, **{**doc, "size_bytes": -1}),
    )


def test_records_on_a_closed_case_are_refused_and_the_ledger_verifies(borough: Borough) -> None:
    led, cid = borough.ledger, borough.case_id
    hid = led.casework.record("jane.smith", cid, **hazard())
    led.cases.close("grace.obi", cid, reason="Needs met by universal services")
    refused(
        led,
        RuleViolation,
        r"cannot record on the case of Amira Hassan: it was closed",
        lambda: led.casework.record("jane.smith", cid, **hazard()),
    )
    refused(
        led,
        RuleViolation,
        r"cannot update a record on the case of Amira Hassan: it was closed",
        lambda: led.casework.update("jane.smith", cid, hid, action="end", reason="Case is now closed"),
    )
    report = verify_ledger(led.recorder, verifier=None)
    assert report.ok and report.problems == [], report.as_dict()


def test_add_months_clamps_to_the_month_end() -> None:
    assert casework.add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert casework.add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert casework.add_months(dt.date(2026, 11, 2), 6) == dt.date(2027, 5, 2)


def test_every_kind_is_documented_with_its_fields_and_updates() -> None:
    for name, kind in casework.KINDS.items():
        text = casework.describe_kind(name)
        assert all(f.name in text for f in kind.fields)
        assert all(a in text for a in kind.actions)
        assert name in (casework.__doc__ or "")


# --- the command line, end to end --------------------------------------------------------------


def run(tmp: Path, *args: str, check: int = 0) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
    proc = subprocess.run([str(EXE), *args], cwd=tmp, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == check, (args, proc.returncode, proc.stdout, proc.stderr)
    return proc


def test_cli_records_and_documents(tmp_path: Path) -> None:
    db = str(tmp_path / "ledger.db")
    app = CaseLedger(db)
    add_staff(app)
    today = dt.datetime.now(LONDON).date()
    case = app.cases.open(
        "jane.smith",
        child_name="Amira Hassan",
        date_of_birth=dt.date(2016, 5, 14),
        referral_date=today,
        referral_source="school",
        team="Assessment",
        worker="jane.smith",
    )
    note_id = app.casework.record_note(
        "jane.smith",
        case.id,
        kind="home_visit",
        finalise=True,
        occurred_at=dt.datetime.now(LONDON) - dt.timedelta(minutes=10),
        facts="A large dog jumped at the door.",
    )
    app.close()
    cid, base = str(case.id), ["--db", db]
    when = (dt.datetime.now(LONDON) - dt.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M")

    out = json.loads(
        run(
            tmp_path,
            "record",
            "add",
            cid,
            "hazard",
            *base,
            "--as",
            "jane.smith",
            "--json",
            "--occurred-at",
            when,
            "--set",
            "type=dangerous_pet",
            "--set",
            f"started_on={today}",
            "--set",
            "description=Large dog at the door",
            "--set",
            f"source_record={note_id}",
            "--set",
            f"review_date={casework.add_months(today, 3)}",
        ).stdout
    )
    hid = out["record_id"]
    run(
        tmp_path,
        "record",
        "add",
        cid,
        "chronology_entry",
        *base,
        "--as",
        "jane.smith",
        "--occurred-at",
        when,
        "--set",
        "event_date=2016-05-14",
        "--set",
        "what_happened=Amira was born",
        "--set",
        "category=birth",
        "--set",
        "positive=yes",
    )
    run(
        tmp_path,
        "record",
        "update",
        cid,
        hid[:8],
        "review",
        *base,
        "--as",
        "grace.obi",
        "--set",
        "outcome=Dog now kept in the garden",
        "--set",
        f"next_review_date={casework.add_months(today, 5)}",
    )
    bad = run(
        tmp_path,
        "record",
        "add",
        cid,
        "hazard",
        *base,
        "--as",
        "jane.smith",
        "--json",
        "--occurred-at",
        when,
        "--set",
        "type=dangerous_pet",
        "--set",
        f"started_on={today}",
        "--set",
        "description=Dog",
        "--set",
        f"review_date={casework.add_months(today, 7)}",
        "--set",
        "source_document=Letter",
        "--set",
        f"source_date={today}",
        check=1,
    )
    error = json.loads(bad.stderr.strip().splitlines()[-1])
    assert error["error"] == "RuleViolation" and "more than six months away" in error["message"]
    run(tmp_path, "record", "add", cid, "hazard", *base, "--as", "jane.smith", "--set", "nonsense", check=2)

    drawing = tmp_path / "drawing.png"
    drawing.write_bytes(b"my family, by Amira")
    doc = json.loads(
        run(
            tmp_path,
            "document",
            "add",
            cid,
            str(drawing),
            *base,
            "--as",
            "jane.smith",
            "--json",
            "--doc-type",
            "drawing",
            "--date-received",
            str(today),
        ).stdout
    )
    assert doc["sha256"] == casework.document_details(drawing)["sha256"] and doc["size_bytes"] == 19

    listed = json.loads(run(tmp_path, "record", "list", cid, *base, "--as", "grace.obi", "--json").stdout)
    assert [r["kind"] for r in listed] == ["hazard", "chronology_entry", "document"]
    assert listed[0]["updates"][0]["action"] == "review"
    assert listed[0]["details"]["review_date"] == str(casework.add_months(today, 5))
    only = json.loads(run(tmp_path, "record", "list", cid, *base, "--as", "grace.obi", "--kind", "document",
                          "--json").stdout)
    assert [r["record_id"] for r in only] == [doc["record_id"]]
    text = run(tmp_path, "record", "list", cid, *base, "--as", "grace.obi").stdout
    assert "hazard" in text and "review" in text and "Grace Obi" in text

    kinds = run(tmp_path, "record", "kinds").stdout
    assert all(k in kinds for k in casework.KINDS)
    hazard_help = run(tmp_path, "record", "kinds", "hazard").stdout
    assert "review_date (date, required)" in hazard_help and "review (when active)" in hazard_help


@pytest.mark.parametrize("details, message", [
    ({"description": "Large dog\x07 in the garden"},
     r"description may not contain a bell character \(BEL\) \(U\+0007\); multi-line text keeps line breaks"),
    ({"source_document": "Police\nFake line"}, r"source_document may not contain a line break \(U\+000A\); names and "
                                            r"single-line fields are one line"),
], ids=["bell-in-a-narrative-field", "line-break-in-a-one-line-field"])
def test_record_fields_refuse_control_characters(borough: Borough, details: dict[str, Any], message: str) -> None:
    led, cid = borough.ledger, borough.case_id
    refused(led, RuleViolation, message, lambda: led.casework.record("jane.smith", cid, **{**hazard(), **details}))


def test_a_narrative_record_field_keeps_its_line_breaks(borough: Borough) -> None:
    led, cid = borough.ledger, borough.case_id
    rid = led.casework.record("jane.smith", cid, **{**hazard(), "description": "Large dog.\nKept in the garden."})
    assert led.case(cid).records[str(rid)]["details"]["description"] == "Large dog.\nKept in the garden."
