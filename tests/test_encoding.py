"""The canonical encoding (ledger/integrity/encoding.py): round trips, canonical bytes, refusals, digests.

Everything stored or hashed goes through this encoding, so a value that does not come back
as it went in, or bytes that differ between two processes, would break either the record or
the verification of the record.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.errors import EncodingError
from ledger.integrity.encoding import (
    EVENT_HASH_PREFIX,
    GENESIS_HASH,
    decode,
    encode,
    event_digest,
    stored_event_digest,
)
from ledger.records.staff import Role, StaffMember

REPO = Path(__file__).resolve().parents[1]
UTC = dt.UTC
INT_MIN, INT_MAX = -(2**63), 2**64 - 1  # msgpack's integer range: int64 and uint64

PROPERTY = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


class Colour(enum.Enum):
    """An Enum with mixed value types (the encoding stores the value and the class topic)."""

    RED = 1
    GREEN = "green"
    PAIR = (1, 2)


# --- strategies ------------------------------------------------------------------------------

offsets = st.timedeltas(min_value=-dt.timedelta(hours=23, minutes=59),
                        max_value=dt.timedelta(hours=23, minutes=59))
# Years 2..9998, so that the instant exists in UTC whatever the offset (the edges have their
# own tests below).
aware_datetimes = st.datetimes(min_value=dt.datetime(2, 1, 1), max_value=dt.datetime(9998, 12, 31),
                               timezones=st.builds(dt.timezone, offsets))
scalars = st.one_of(
    st.text(),
    st.integers(min_value=INT_MIN, max_value=INT_MAX),
    st.booleans(),
    st.none(),
    st.binary(),
    st.uuids(),
    aware_datetimes,
    st.dates(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.sampled_from(Colour),
    st.sampled_from(Role),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=20,
)


def assert_same(original: Any, decoded: Any, path: str = "value") -> None:
    """Stricter than ``==``: types must survive too (``True == 1``, ``(1,) != [1]``...)."""
    if isinstance(original, enum.Enum):
        assert decoded is original, path
    elif isinstance(original, dt.datetime):
        assert isinstance(decoded, dt.datetime), path
        assert decoded == original, path
        assert decoded.tzinfo is UTC, f"{path}: datetimes decode in UTC"
    elif isinstance(original, dict):
        assert type(decoded) is dict and list(decoded) == sorted(original), path
        for key in original:
            assert_same(original[key], decoded[key], f"{path}.{key}")
    elif isinstance(original, (list, tuple)):
        assert type(decoded) is type(original) and len(decoded) == len(original), path
        for i, (a, b) in enumerate(zip(original, decoded, strict=True)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(original, Decimal):
        # The exact representation is kept, not just the numeric value (1.50 stays 1.50).
        assert type(decoded) is Decimal and str(decoded) == str(original), path
    else:
        assert type(decoded) is type(original) and decoded == original, path


def reorder(value: Any) -> Any:
    """The same value with every map's keys inserted in reverse order."""
    if isinstance(value, dict):
        return {k: reorder(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reorder(v) for v in value]
    if isinstance(value, tuple):
        return tuple(reorder(v) for v in value)
    return value


# --- round trips -----------------------------------------------------------------------------

@PROPERTY
@given(values)
def test_decode_of_encode_gives_the_value_back(value: Any) -> None:
    decoded = decode(encode(value))
    assert decoded == value
    assert_same(value, decoded)


@PROPERTY
@given(values)
def test_the_order_of_map_keys_does_not_change_the_bytes(value: Any) -> None:
    assert encode(reorder(value)) == encode(value)


@PROPERTY
@given(aware_datetimes)
def test_an_aware_datetime_decodes_in_utc_as_the_same_instant(moment: dt.datetime) -> None:
    decoded = decode(encode(moment))
    assert decoded == moment and decoded.tzinfo is UTC
    assert decoded.utcoffset() == dt.timedelta(0)
    # Two spellings of one instant are one value, so they have one encoding.
    assert encode(moment.astimezone(UTC)) == encode(moment)


@pytest.mark.parametrize("moment", [
    dt.datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=ZoneInfo("Europe/London")),  # last GMT µs
    dt.datetime(2026, 3, 29, 2, 0, tzinfo=ZoneInfo("Europe/London")),                # first BST
    dt.datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=ZoneInfo("Europe/London")),      # repeated hour
    dt.datetime(1, 1, 1, tzinfo=UTC),                                                # earliest
    dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),                       # latest
    dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),                       # before 1970
], ids=["london-gmt-last-microsecond", "london-bst-first", "london-repeated-hour-fold1",
        "earliest-utc", "latest-utc", "before-epoch"])
def test_edge_datetimes_keep_their_instant(moment: dt.datetime) -> None:
    decoded = decode(encode(moment))
    assert decoded.tzinfo is UTC
    assert decoded == moment.astimezone(UTC)


def test_tuples_come_back_as_tuples_and_lists_as_lists() -> None:
    value = {"pair": (1, [2, (3,)]), "list": [(), []]}
    decoded = decode(encode(value))
    assert decoded == value
    assert type(decoded["pair"]) is tuple and type(decoded["pair"][1]) is list
    assert type(decoded["pair"][1][1]) is tuple
    assert decoded["list"] == [(), []] and type(decoded["list"][0]) is tuple


@pytest.mark.parametrize("value, hex_bytes", [
    ({"b": [True, None], "a": 1}, "82a16101a16292c3c0"),  # keys written sorted
    (uuid.UUID(int=1), "d801" + "00" * 15 + "01"),
    (dt.datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC), "d702" + "00000000000f4240"),
    (dt.datetime(1970, 1, 1, 1, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))),
     "d702" + "00000000000f4240"),
    (dt.date(1970, 1, 1), "d603" + "000af93b"),  # ordinal 719163
    (Decimal("1.5"), "c70304" + b"1.5".hex()),
    ((1, 2), "c70306" + "920102"),
    (Role.ADMIN, "c71905" + msgpack.packb(["ledger.staff:Role", "admin"]).hex()),
    (INT_MAX, "cf" + "ff" * 8),
    (INT_MIN, "d3" + "80" + "00" * 7),
], ids=["sorted-map", "uuid", "datetime-utc", "datetime-plus-one-hour", "date", "decimal",
        "tuple", "enum", "int-max", "int-min"])
def test_the_bytes_follow_the_documented_layout(value: Any, hex_bytes: str) -> None:
    """Golden bytes for the table in the encoding's docstring: a change here breaks old hashes."""
    assert encode(value).hex() == hex_bytes
    assert_same(value, decode(bytes.fromhex(hex_bytes)))


# --- same bytes in any process ---------------------------------------------------------------

FIXED_VALUES_SOURCE = '''
import datetime as dt, uuid
from decimal import Decimal
from ledger.records.staff import Role
from ledger.records.case import NoteKind
keys = ["zeta", "alpha", "\u03a9mega", "\u00e9mile", "a", "", "B", "b", "10", "9"]
VALUES = [
    {k: i for i, k in enumerate(keys)},
    {k: {"nested": [k, (i, None)], "flag": i % 2 == 0} for i, k in enumerate(reversed(keys))},
    [uuid.UUID("1b4e28ba-2fa1-11d2-883f-0016d3cca427"), b"\\x00\\xff", -(2**63), 2**64 - 1],
    (dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
     dt.date(2016, 5, 14), Decimal("1234.5600"), Decimal("-1E+3")),
    {"role": Role.TEAM_MANAGER, "kind": NoteKind.HOME_VISIT, "roles": (Role.ADMIN, Role.IRO)},
    "Amira Hassan \u2014 seen alone, views recorded",
]
'''

_PRINT_HEX = "from ledger.integrity.encoding import encode\nprint('\\n'.join(encode(v).hex() for v in VALUES))\n"


def _encode_in_fresh_process(hash_seed: str) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed,
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", FIXED_VALUES_SOURCE + _PRINT_HEX],
                            capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_encoding_is_byte_identical_across_fresh_processes() -> None:
    namespace: dict[str, Any] = {}
    exec(FIXED_VALUES_SOURCE, namespace)
    here = [encode(v).hex() for v in namespace["VALUES"]]
    first = _encode_in_fresh_process("1")
    second = _encode_in_fresh_process("4242")
    assert len(first) == len(namespace["VALUES"])
    assert first == second == here


# --- refusals --------------------------------------------------------------------------------

class Opaque:
    pass


PLUS_FIVE = dt.timezone(dt.timedelta(hours=5))
MINUS_FIVE = dt.timezone(dt.timedelta(hours=-5))

REFUSED = [
    ("naive-datetime-in-a-note",
     {"notes": [{"occurred_at": dt.datetime(2026, 11, 2, 9, 0)}]},
     r"field 'notes\[0\]\.occurred_at': datetime 2026-11-02T09:00:00 has no time zone"),
    ("float-amount",
     {"payment": {"amount": 12.5}},
     r"field 'payment\.amount': float 12\.5 is not allowed .*record amounts and measures as Decimal"),
    ("float-in-a-tuple",
     ("weight", 3.2),
     r"field '\[1\]': float 3\.2 is not allowed"),
    ("nan-decimal",
     {"measure": Decimal("NaN")},
     r"field 'measure': Decimal NaN is not a finite number; NaN and infinity cannot be recorded"),
    ("signalling-nan-decimal",
     {"measure": Decimal("sNaN")},
     r"field 'measure': Decimal sNaN is not a finite number"),
    ("infinite-decimal",
     {"measures": [Decimal("1.5"), Decimal("-Infinity")]},
     r"field 'measures\[1\]': Decimal -Infinity is not a finite number"),
    ("set",
     {"tags": {"neglect"}},
     r"field 'tags': values of type set have no canonical encoding"),
    ("object",
     {"child": {"worker": Opaque()}},
     r"field 'child\.worker': values of type Opaque have no canonical encoding"),
    ("bytearray",
     {"scan": bytearray(b"%PDF")},
     r"field 'scan': values of type bytearray have no canonical encoding"),
    ("int-map-key",
     {"scores": {1: "low"}},
     r"field 'scores': map keys must be str, got int 1"),
    ("uuid-map-key",
     {"notes": {uuid.UUID(int=7): "x"}},
     r"field 'notes': map keys must be str, got UUID"),
    ("int-above-64-bit",
     {"count": 2**64},
     r"field 'count': integer 18446744073709551616 is outside the 64-bit range"),
    ("int-below-64-bit",
     {"counts": [0, -(2**63) - 1]},
     r"field 'counts\[1\]': integer -9223372036854775809 is outside the 64-bit range"),
    ("float-inside-an-enum-value",
     {"e": enum.Enum("Weights", {"HEAVY": 2.5}).HEAVY},
     r"field 'e\.value': float 2\.5 is not allowed"),
    ("datetime-before-year-1-in-utc",
     {"born": dt.datetime(1, 1, 1, 3, 0, tzinfo=PLUS_FIVE)},
     r"field 'born': datetime 0001-01-01T03:00:00\+05:00 is outside the range"),
    ("datetime-after-year-9999-in-utc",
     {"due": dt.datetime(9999, 12, 31, 22, 0, tzinfo=MINUS_FIVE)},
     r"field 'due': datetime 9999-12-31T22:00:00-05:00 is outside the range"),
    ("lone-surrogate-in-text",
     {"notes": [{"facts": "seen at caf\ud800"}]},
     r"field 'notes\[0\]\.facts': text is not valid Unicode"),
]


@pytest.mark.parametrize("value, message", [(v, m) for _, v, m in REFUSED],
                         ids=[i for i, _, _ in REFUSED])
def test_values_without_a_canonical_encoding_are_refused_naming_the_field(value: Any,
                                                                          message: str) -> None:
    with pytest.raises(EncodingError, match=message):
        encode(value)


@pytest.mark.parametrize("data, message", [
    (b"\xc1", r"stored bytes are not a canonical encoding"),
    (msgpack.packb(msgpack.ExtType(9, b"x")), r"unknown extension type 9 in stored bytes"),
    (msgpack.packb({1: "x"}), r"stored bytes are not a canonical encoding"),
    (encode({"a": 1})[:-1], r"stored bytes are not a canonical encoding"),
], ids=["reserved-byte", "unknown-extension", "int-map-key", "truncated"])
def test_bytes_that_are_not_a_canonical_encoding_do_not_decode(data: bytes, message: str) -> None:
    with pytest.raises(EncodingError, match=message):
        decode(data)


# --- event digests ---------------------------------------------------------------------------

field_names = st.text(min_size=1, max_size=10).filter(lambda k: k != "event_hash")


@PROPERTY
@given(
    topic=st.text(min_size=1, max_size=40),
    stream=st.uuids(),
    version=st.integers(min_value=1, max_value=2**31),
    fields=st.dictionaries(field_names, values, max_size=5),
    prev_hash=st.binary(min_size=32, max_size=32),
    stored_hash=st.binary(min_size=32, max_size=32),
)
def test_the_digest_of_stored_bytes_equals_the_digest_of_the_event(
    topic: str, stream: uuid.UUID, version: int, fields: dict[str, Any], prev_hash: bytes,
    stored_hash: bytes,
) -> None:
    fields = {**fields, "prev_hash": prev_hash}
    state = encode({**fields, "event_hash": stored_hash})
    assert stored_event_digest(topic, stream, version, state) == (
        event_digest(topic, stream, version, fields), stored_hash, prev_hash)


def test_a_real_event_hash_is_recomputed_from_its_stored_bytes() -> None:
    member = StaffMember.join(
        actor={"staff_id": "system", "full_name": "caseledger set-up", "designation": "System",
               "team": "", "roles": []},
        staff_id="jane.smith", full_name="Jane Smith", designation="Social Worker",
        team="Assessment", roles=["social_worker"],
        occurred_at=dt.datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("Europe/London")),
    )
    (event,) = member.collect_events()
    stored = {k: v for k, v in vars(event).items()
              if k not in ("originator_id", "originator_version")}
    topic = "ledger.staff:StaffMember.Joined"
    recomputed, stored_hash, prev = stored_event_digest(topic, event.originator_id, 1, encode(stored))
    assert stored_hash == event.event_hash == recomputed
    assert prev == GENESIS_HASH
    without_hash = {k: v for k, v in stored.items() if k != "event_hash"}
    assert event_digest(topic, event.originator_id, 1, without_hash) == event.event_hash
    # Type, stream and version are bound into the hash.
    assert event_digest("ledger.staff:StaffMember.Left", event.originator_id, 1,
                        without_hash) != event.event_hash
    assert event_digest(topic, uuid.uuid4(), 1, without_hash) != event.event_hash
    assert event_digest(topic, event.originator_id, 2, without_hash) != event.event_hash


def test_the_event_hash_preimage_is_domain_separated() -> None:
    import hashlib

    stream = uuid.UUID(int=5)
    fields = {"prev_hash": GENESIS_HASH, "x": 1}
    plain = hashlib.sha256(msgpack.packb(["t", stream.bytes, 1, fields], use_bin_type=True)).digest()
    prefixed = hashlib.sha256(EVENT_HASH_PREFIX + msgpack.packb(
        ["t", stream.bytes, 1, fields], use_bin_type=True)).digest()
    assert event_digest("t", stream, 1, fields) == prefixed != plain


@pytest.mark.parametrize("state, message", [
    (b"\xc1", r"stored bytes do not decode"),
    (encode(["not", "a", "map"]), r"stored bytes are not a map of fields"),
    (encode({"prev_hash": GENESIS_HASH}), r"stored event has no event_hash or prev_hash field"),
    (encode({"event_hash": GENESIS_HASH}), r"stored event has no event_hash or prev_hash field"),
    (encode({"event_hash": "text", "prev_hash": GENESIS_HASH}),
     r"stored event has no event_hash or prev_hash field"),
], ids=["garbage", "array-not-map", "no-event-hash", "no-prev-hash", "event-hash-not-bytes"])
def test_stored_digest_refuses_bytes_that_are_not_an_event(state: bytes, message: str) -> None:
    with pytest.raises(EncodingError, match=message):
        stored_event_digest("t", uuid.UUID(int=1), 1, state)


def _forged_enum(topic: str, raw: Any) -> bytes:
    return msgpack.packb(msgpack.ExtType(5, msgpack.packb([topic, raw], use_bin_type=True)),
                         use_bin_type=True)


@pytest.mark.parametrize("data, message", [
    (_forged_enum("builtins:len", "abc"), r"'builtins:len' is not an Enum"),
    (_forged_enum("os.path:join", "x"), r"'os.path:join' is not an Enum"),
    (_forged_enum("decimal:Decimal", "7"), r"'decimal:Decimal' is not an Enum"),
    (_forged_enum("ledger.staff:Role", "wizard"), r"not a canonical encoding: 'wizard' is not a valid Role"),
    (_forged_enum("ledger.staff:NoSuchEnum", "x"), r"not a canonical encoding: .*NoSuchEnum"),
    (_forged_enum("no_such_module_xyz:Thing", "x"), r"not a canonical encoding: .*No module named"),
], ids=["builtin-function", "library-function", "non-enum-class", "not-a-member",
        "missing-class", "missing-module"])
def test_stored_enum_topics_resolve_only_to_enum_members(data: bytes, message: str) -> None:
    """Stored bytes must never make a reader call an arbitrary function named in them."""
    with pytest.raises(EncodingError, match=message):
        decode(data)
