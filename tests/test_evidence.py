"""Evidence bundles: exported from either backend, checked offline, refused when changed."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from ledger.checkpoint import SigningKey
from ledger.errors import NotFound, RuleViolation
from ledger.evidence import export_bundle, verify_bundle
from tests.conftest import Borough, Clock


@pytest.fixture
def signed(borough: Borough, clock: Clock) -> tuple[Borough, SigningKey]:
    app = borough.ledger
    for i in range(3):
        clock.advance(hours=2)
        app.record_case_note("jane.smith", borough.case_id, kind="telephone_call",
                             occurred_at=clock.now - dt.timedelta(hours=1),
                             facts=f"Call {i} with the school about attendance.", finalise=True)
    key = SigningKey.generate("test.example/caseledger")
    app.sign_checkpoint(key)
    return borough, key


def test_bundle_verifies_offline_with_the_trusted_key(signed: tuple[Borough, SigningKey]) -> None:
    borough, key = signed
    bundle = export_bundle(borough.ledger.recorder, borough.case_id, verifier_key=key.verifier_key())
    assert [e["version"] for e in bundle["events"]] == list(range(1, 8))
    report = verify_bundle(json.dumps(bundle), key.verifier_key())
    assert report.ok, report.problems
    assert report.events == 7 and not report.key_from_bundle


def test_one_changed_byte_is_refused(signed: tuple[Borough, SigningKey]) -> None:
    borough, key = signed
    bundle = export_bundle(borough.ledger.recorder, borough.case_id, verifier_key=key.verifier_key())
    state = bytearray(base64.b64decode(bundle["events"][3]["state"]))
    state[-5] ^= 0x01
    bundle["events"][3]["state"] = base64.b64encode(bytes(state)).decode()
    report = verify_bundle(json.dumps(bundle), key.verifier_key())
    assert not report.ok
    assert any("event 3" in p and "version 4" in p for p in report.problems), report.problems


def test_a_bundle_signed_by_another_key_is_refused(signed: tuple[Borough, SigningKey]) -> None:
    borough, key = signed
    bundle = export_bundle(borough.ledger.recorder, borough.case_id, verifier_key=key.verifier_key())
    other = SigningKey.generate("test.example/caseledger")
    report = verify_bundle(json.dumps(bundle), other.verifier_key())
    assert not report.ok and report.problems[0].startswith("checkpoint:")


def test_export_needs_a_checkpoint(borough: Borough) -> None:
    with pytest.raises(RuleViolation, match="no signed checkpoint yet"):
        export_bundle(borough.ledger.recorder, borough.case_id, verifier_key="x")


def test_date_range_selects_events(signed: tuple[Borough, SigningKey]) -> None:
    borough, key = signed
    with pytest.raises(NotFound, match="no events of stream"):
        export_bundle(borough.ledger.recorder, borough.case_id, verifier_key=key.verifier_key(),
                      since=dt.date(2030, 1, 1))
