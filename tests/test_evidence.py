"""Evidence bundles: exported from either backend, checked offline, refused when changed or when an
event is left out (a case bundle proves its versions 1..N have no gap, under a signed statement)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from typing import Any

import msgpack
import pytest

from ledger.access.bundle import verify_bundle
from ledger.errors import NotFound, RuleViolation
from ledger.integrity.checkpoint import SigningKey
from ledger.integrity.encoding import stored_event_digest
from ledger.integrity.evidence import export_bundle
from tests.conftest import Borough, Clock
from tests.test_access_report import Scenario, scenario  # noqa: F401  (the access report's fixture)
from tests.test_access_report import _bundle as access_bundle


@pytest.fixture
def signed(borough: Borough, clock: Clock) -> tuple[Borough, SigningKey]:
    app = borough.ledger
    for i in range(3):
        clock.advance(hours=2)
        app.casework.record_note("jane.smith", borough.case_id, kind="telephone_call",
                                 occurred_at=clock.now - dt.timedelta(hours=1),
                                 facts=f"Call {i} with the school about attendance.", finalise=True)
    key = SigningKey.generate("test.example/caseledger")
    app.integrity.sign_checkpoint(key)
    return borough, key


def _export(signed: tuple[Borough, SigningKey], **kw: Any) -> dict[str, Any]:
    borough, key = signed
    return export_bundle(borough.ledger.recorder, borough.case_id, signing_key=key, **kw)


def _verify(bundle: dict[str, Any], key: SigningKey) -> Any:
    return verify_bundle(json.dumps(bundle), key.verifier_key())


def test_bundle_verifies_offline_with_the_trusted_key(signed: tuple[Borough, SigningKey]) -> None:
    borough, key = signed
    bundle = _export(signed)
    assert [e["version"] for e in bundle["events"]] == list(range(1, 8))
    assert bundle["stream"]["first_version"] == 1 and bundle["stream"]["last_version"] == 7
    report = _verify(bundle, key)
    assert report.ok, report.problems
    assert report.events == 7 and not report.key_from_bundle and report.whole_stream
    assert report.proves.startswith(f"stream {borough.case_id} from its first event: versions 1 to 7 with no gap")
    assert any("cannot prove that no later event" in n for n in report.notes)


def test_each_entry_carries_the_hash_of_its_log_entry(signed: tuple[Borough, SigningKey]) -> None:
    """leaf_hash is SHA-256(0x00 || log entry), the entry's msgpack array as the README documents it."""
    bundle = _export(signed)
    for ev in bundle["events"]:
        entry = msgpack.packb(["caseledger/v1/log-entry", ev["topic"], uuid.UUID(ev["stream_id"]).bytes,
                               ev["version"], base64.b64decode(ev["state"])], use_bin_type=True)
        assert ev["leaf_hash"] == hashlib.sha256(b"\x00" + entry).hexdigest()


def test_one_changed_byte_is_refused(signed: tuple[Borough, SigningKey]) -> None:
    _, key = signed
    bundle = _export(signed)
    state = bytearray(base64.b64decode(bundle["events"][3]["state"]))
    state[-5] ^= 0x01
    bundle["events"][3]["state"] = base64.b64encode(bytes(state)).decode()
    report = _verify(bundle, key)
    assert not report.ok
    assert any("event 3" in p and "version 4" in p for p in report.problems), report.problems


def test_a_changed_leaf_hash_is_refused(signed: tuple[Borough, SigningKey]) -> None:
    _, key = signed
    bundle = _export(signed)
    good = bundle["events"][2]["leaf_hash"]
    bundle["events"][2]["leaf_hash"] = ("0" if good[0] != "0" else "1") + good[1:]
    report = _verify(bundle, key)
    assert not report.ok
    assert any(p.startswith(f"event 2 (stream {bundle['stream']['stream_id']} version 3): leaf_hash ")
               and p.endswith(f"is not the hash of its log entry ({good}): changed") for p in report.problems), \
        report.problems


def test_a_removed_middle_version_is_named(signed: tuple[Borough, SigningKey]) -> None:
    _, key = signed
    bundle = _export(signed)
    del bundle["events"][3]  # version 4
    report = _verify(bundle, key)
    assert not report.ok
    sid = bundle["stream"]["stream_id"]
    assert f"stream {sid}: version 4 missing (the bundle states versions 1 to 7 with no gap)" in report.problems


def test_a_removed_version_1_is_named(signed: tuple[Borough, SigningKey]) -> None:
    _, key = signed
    bundle = _export(signed)
    del bundle["events"][0]
    bundle["stream"]["first_version"] = 2  # and the stated first version rewritten to match
    report = _verify(bundle, key)
    sid = bundle["stream"]["stream_id"]
    assert not report.ok
    assert (f"stream {sid}: the bundle is of the whole stream but starts at version 2: version 1 missing"
            in report.problems)
    assert any(p.startswith("statement: the signed statement says 'versions 1 to 7' but the bundle says "
                            "'versions 2 to 7'") for p in report.problems), report.problems


def test_removed_last_versions_are_named(signed: tuple[Borough, SigningKey]) -> None:
    _, key = signed
    bundle = _export(signed)
    del bundle["events"][5:]
    report = _verify(bundle, key)
    sid = bundle["stream"]["stream_id"]
    assert not report.ok
    assert (f"stream {sid}: the bundle states its last version is 7 but the last event it holds is version 5: "
            "versions 6 to 7 missing") in report.problems


def test_removed_last_versions_with_the_stated_end_rewritten_fail_on_the_signed_statement(
        signed: tuple[Borough, SigningKey]) -> None:
    """The stated last version and head are rewritten to match the shortened bundle: everything in it
    agrees, but the statement signed with the ledger's key still says 1 to 7."""
    _, key = signed
    bundle = _export(signed)
    del bundle["events"][5:]
    fifth = bundle["events"][4]
    _, head, _ = stored_event_digest(fifth["topic"], uuid.UUID(fifth["stream_id"]), 5,
                                     base64.b64decode(fifth["state"]))
    bundle["stream"].update(last_version=5, head=head.hex())
    report = _verify(bundle, key)
    assert not report.ok
    assert report.problems[0].startswith("statement: the signed statement says 'versions 1 to 7' but the bundle "
                                         "says 'versions 1 to 5'"), report.problems
    assert len(report.problems) == 2  # versions and head: the events themselves are consistent

    del bundle["statement"]  # nor can the statement simply be dropped
    report = _verify(bundle, key)
    assert report.problems == ["statement: the bundle states a stream but carries no signed statement of it "
                               "(removed?)"]


def test_a_statement_signed_by_another_key_is_refused(signed: tuple[Borough, SigningKey]) -> None:
    borough, key = signed
    bundle = _export(signed)
    forger = SigningKey.generate("test.example/caseledger")
    body = bundle["statement"].split("\n\n", 1)[0] + "\n"
    bundle["statement"] = forger.sign_note(body.replace("versions 1 to 7", "versions 1 to 5"))
    report = _verify(bundle, key)
    assert not report.ok
    assert report.problems[0].startswith("statement: signed note: no signature from key test.example/caseledger+")


def test_an_older_bundle_without_leaf_hash_or_statement_still_verifies_and_says_what_it_lacks(
        signed: tuple[Borough, SigningKey]) -> None:
    _, key = signed
    bundle = _export(signed)
    for name in ("scope", "stream", "statement"):
        del bundle[name]
    for ev in bundle["events"]:
        del ev["leaf_hash"]
    report = _verify(bundle, key)
    assert report.ok, report.problems
    assert not report.whole_stream
    assert report.notes[0] == ("no leaf hash in this bundle (older format) for 7 of its 7 events: each leaf "
                               "was recomputed from the event's bytes")
    assert report.notes[1].startswith("older format: the bundle does not state its stream's versions")
    assert report.proves.endswith("not that the bundle holds every event of their streams")

    del bundle["events"][3]  # a gap in an older bundle is still refused
    report = _verify(bundle, key)
    assert not report.ok
    assert any(p.endswith("version 4 missing (a case bundle holds its versions with no gap)") for p in report.problems)


def test_a_bundle_signed_by_another_key_is_refused(signed: tuple[Borough, SigningKey]) -> None:
    _, key = signed
    bundle = _export(signed)
    other = SigningKey.generate("test.example/caseledger")
    report = _verify(bundle, other)
    assert not report.ok and report.problems[0].startswith("checkpoint:")


def test_export_needs_a_checkpoint(borough: Borough) -> None:
    with pytest.raises(RuleViolation, match="no signed checkpoint yet"):
        export_bundle(borough.ledger.recorder, borough.case_id,
                      signing_key=SigningKey.generate("test.example/caseledger"))


def test_date_range_selects_events(signed: tuple[Borough, SigningKey]) -> None:
    with pytest.raises(NotFound, match="no events of stream"):
        _export(signed, since=dt.date(2030, 1, 1))


def _note(borough: Borough, clock: Clock, facts: str) -> None:
    clock.advance(days=3)
    borough.ledger.casework.record_note("jane.smith", borough.case_id, kind="telephone_call",
                                        occurred_at=clock.now - dt.timedelta(hours=1), facts=facts, finalise=True)


def test_a_period_bundle_states_its_period(signed: tuple[Borough, SigningKey], clock: Clock) -> None:
    borough, key = signed
    _note(borough, clock, "Home visit: Amira was at home with her mother.")
    borough.ledger.integrity.sign_checkpoint(key)
    day = clock.now.date()
    bundle = _export(signed, since=day)
    assert [e["version"] for e in bundle["events"]] == [8, 9]  # the note, drafted and finalised
    report = _verify(bundle, key)
    assert report.ok, report.problems
    assert not report.whole_stream
    assert report.proves.startswith(f"stream {borough.case_id} (recorded {day} to the end): versions 8 to 9 "
                                    "with no gap")

    bundle["stream"]["from"] = None  # passed off as the whole stream: versions 1 to 7 are not there
    report = _verify(bundle, key)
    assert (f"stream {borough.case_id}: the bundle is of the whole stream but starts at version 8: "
            "versions 1 to 7 missing") in report.problems


def test_versions_newer_than_the_checkpoint_are_stated(signed: tuple[Borough, SigningKey], clock: Clock) -> None:
    borough, key = signed
    _note(borough, clock, "Home visit: Amira was at home with her mother.")
    bundle = _export(signed)
    assert bundle["stream"]["last_version"] == 7 and bundle["stream"]["stored_versions"] == 9
    report = _verify(bundle, key)
    assert report.ok, report.problems
    assert f"versions 8 to 9 of stream {borough.case_id} are not in this bundle (newer than its checkpoint)" \
        in report.notes


# --- an access report's bundle: chosen events, staff streams whole ---------------------------------


def test_an_access_report_bundle_says_it_proves_chosen_events(scenario: Scenario) -> None:  # noqa: F811
    bundle, key = access_bundle(scenario)
    assert bundle["scope"] == "events" and all(len(e["leaf_hash"]) == 64 for e in bundle["events"])
    report = _verify(bundle, key)
    assert report.ok, report.problems
    assert not report.whole_stream
    assert report.proves == (f"each of the {len(bundle['events'])} chosen events is unchanged and in the log under "
                             f"the signed checkpoint of size {bundle['tree_size']}; not that the bundle holds every "
                             "event of their streams")


def test_an_access_report_bundle_refuses_a_staff_stream_with_a_gap(scenario: Scenario) -> None:  # noqa: F811
    bundle, key = access_bundle(scenario)
    i = next(i for i, e in enumerate(bundle["events"]) if e["topic"].endswith("StaffMember.Changed"))
    stream = bundle["events"][i]["stream_id"]
    version = bundle["events"][i]["version"]
    del bundle["events"][i]
    report = _verify(bundle, key)
    assert not report.ok
    assert (f"report: staff stream {stream} is not whole: version {version} missing (a staff member's history is "
            "bundled from version 1 with no gap)") in report.problems
