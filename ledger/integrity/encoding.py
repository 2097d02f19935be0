"""The canonical encoding: the one place that turns ledger values into bytes.

Everything that is stored or hashed goes through this module, and nothing else builds bytes
for a hash. The encoding is msgpack with these rules, so that the same value always gives the
same bytes, in any process, on any machine:

* maps have ``str`` keys only, written in sorted order (by code point);
* ``str``, ``int`` (64-bit), ``bool``, ``None`` and ``bytes`` are msgpack's own types;
* lists are msgpack arrays; tuples are an extension type, so that they come back as tuples;
* other types are explicit extension types, each with a fixed layout:

  ======  ==========  ==============================================================
  code    type        payload
  ======  ==========  ==============================================================
  1       UUID        the 16 bytes
  2       datetime    signed 64-bit big-endian microseconds since 1970-01-01 UTC;
                      it must be timezone-aware and decodes in UTC
  3       date        unsigned 32-bit big-endian proleptic Gregorian ordinal
  4       Decimal     its ``str`` (finite values only), UTF-8
  5       Enum        msgpack array ``[topic "module:QualName", value]``
  6       tuple       msgpack array of the items
  ======  ==========  ==============================================================

Refused, with an :class:`~ledger.errors.EncodingError` that names the field: naive datetimes,
floats (binary floating point is inexact, and a record can end up in court: use ``Decimal``),
NaN and infinite decimals, non-``str`` map keys, integers outside 64 bits, and any other type.

Hashes are domain-separated: each preimage starts with a prefix naming what is hashed
(:data:`EVENT_HASH_PREFIX`), so a hash of one kind can never be passed off as another.
"""

from __future__ import annotations

import datetime as _dt
import enum
import hashlib
import struct
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgpack
from eventsourcing.persistence import Transcoder
from eventsourcing.utils import get_topic, resolve_topic

from ledger.errors import EncodingError
from ledger.integrity.topics import stored_as

__all__ = [
    "EVENT_HASH_PREFIX",
    "GENESIS_HASH",
    "CanonicalTranscoder",
    "decode",
    "encode",
    "event_digest",
    "log_entry",
    "stored_event_digest",
]

EXT_UUID = 1
EXT_DATETIME = 2
EXT_DATE = 3
EXT_DECIMAL = 4
EXT_ENUM = 5
EXT_TUPLE = 6

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_INT_MIN = -(2**63)
_INT_MAX = 2**64 - 1

#: Prefix of the preimage of an event's own hash (the per-case chain).
EVENT_HASH_PREFIX = b"caseledger/v1/event\x00"
#: First element of every Merkle-log entry (the leaf preimage's format and version).
LOG_ENTRY_TAG = "caseledger/v1/log-entry"
#: The previous-hash of the first event of every stream.
GENESIS_HASH = bytes(32)


def _prepare(value: Any, path: str) -> Any:
    """Validate ``value`` and turn it into plain msgpack values and ExtTypes, maps sorted."""
    # Order matters: bool is an int, enums may be str/int subclasses, datetime is a date.
    if value is None or value is True or value is False:
        return value
    if isinstance(value, enum.Enum):
        topic = get_topic(type(value))  # its stored topic (ledger.integrity.topics)
        inner = _pack([topic, _prepare(value.value, f"{path}.value")])
        return msgpack.ExtType(EXT_ENUM, inner)
    if isinstance(value, str):
        _require_utf8(value, path)
        return str(value)
    if isinstance(value, int):
        if not _INT_MIN <= value <= _INT_MAX:
            raise EncodingError(
                f"field {path!r}: integer {value} is outside the 64-bit range the ledger stores"
            )
        return int(value)
    if isinstance(value, bytes):
        return value
    if isinstance(value, dict):
        out = {}
        for key in value:
            if not isinstance(key, str):
                raise EncodingError(
                    f"field {path!r}: map keys must be str, got {type(key).__name__} {key!r}"
                )
            _require_utf8(key, path)
        for key in sorted(value):
            out[key] = _prepare(value[key], f"{path}.{key}" if path else key)
        return out
    if isinstance(value, list):
        return [_prepare(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, tuple):
        items = [_prepare(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return msgpack.ExtType(EXT_TUPLE, _pack(items))
    if isinstance(value, UUID):
        return msgpack.ExtType(EXT_UUID, value.bytes)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise EncodingError(
                f"field {path!r}: datetime {value.isoformat()} has no time zone; "
                "the ledger stores timezone-aware datetimes only (in UTC)"
            )
        try:
            value.astimezone(_dt.UTC)
        except OverflowError:
            raise EncodingError(
                f"field {path!r}: datetime {value.isoformat()} is outside the range of "
                "datetimes in UTC (years 1 to 9999), so it could not be read back"
            ) from None
        delta = value - _EPOCH
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return msgpack.ExtType(EXT_DATETIME, struct.pack(">q", micros))
    if isinstance(value, _dt.date):
        return msgpack.ExtType(EXT_DATE, struct.pack(">I", value.toordinal()))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise EncodingError(
                f"field {path!r}: Decimal {value} is not a finite number; "
                "NaN and infinity cannot be recorded"
            )
        return msgpack.ExtType(EXT_DECIMAL, str(value).encode("ascii"))
    if isinstance(value, float):
        raise EncodingError(
            f"field {path!r}: float {value!r} is not allowed in the ledger "
            "(binary floating point is inexact); record amounts and measures as Decimal"
        )
    raise EncodingError(
        f"field {path!r}: values of type {type(value).__name__} have no canonical encoding "
        "(allowed: str, int, bool, None, bytes, UUID, aware datetime, date, Decimal, Enum, "
        "list, tuple, dict with str keys)"
    )


def _require_utf8(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise EncodingError(
            f"field {path!r}: text is not valid Unicode (an unpaired surrogate at position "
            f"{e.start}) and cannot be stored"
        ) from None


def _pack(prepared: Any) -> bytes:
    return msgpack.packb(prepared, use_bin_type=True)  # type: ignore[no-any-return]


#: Decoded enum members by their stored bytes: a case holds thousands of the same few.
_enum_members: dict[bytes, enum.Enum] = {}


def _enum_class(topic: str) -> type[enum.Enum]:
    obj: Any = resolve_topic(topic)  # a stored topic, as written (ledger.integrity.topics)
    if not (isinstance(obj, type) and issubclass(obj, enum.Enum)):
        # Never call whatever a stored topic names: only an Enum class is looked up.
        raise EncodingError(f"stored enum topic {topic!r} is not an Enum class")
    return obj


#: Decoded UUIDs by their bytes: staff, case and stream ids recur in every event read, and a
#: UUID is immutable, so one object serves them all (bounded, like the Enum members).
_uuids: dict[bytes, UUID] = {}


def _ext_hook(code: int, data: bytes) -> Any:
    if code == EXT_UUID:
        found = _uuids.get(data)
        if found is None:
            found = UUID(bytes=data)
            if len(_uuids) < 100_000:
                _uuids[data] = found
        return found
    if code == EXT_DATETIME:
        (micros,) = struct.unpack(">q", data)
        return _EPOCH + _dt.timedelta(microseconds=micros)
    if code == EXT_DATE:
        (ordinal,) = struct.unpack(">I", data)
        return _dt.date.fromordinal(ordinal)
    if code == EXT_DECIMAL:
        return Decimal(data.decode("ascii"))
    if code == EXT_ENUM:
        member = _enum_members.get(data)
        if member is None:
            topic, raw = decode(data)
            member = _enum_class(topic)(raw)
            if len(_enum_members) < 10_000:
                _enum_members[data] = member
        return member
    if code == EXT_TUPLE:
        return tuple(decode(data))
    raise EncodingError(f"unknown extension type {code} in stored bytes")


def encode(value: Any) -> bytes:
    """The canonical bytes of ``value`` (raises :class:`EncodingError` naming the field)."""
    try:
        return _pack(_prepare(value, ""))
    except EncodingError:
        raise
    except (TypeError, ValueError, OverflowError) as e:  # pragma: no cover - defensive
        raise EncodingError(f"value cannot be encoded: {e}") from e


def decode(data: bytes) -> Any:
    """The value whose canonical encoding is ``data``."""
    try:
        return msgpack.unpackb(data, raw=False, ext_hook=_ext_hook, strict_map_key=True)
    except EncodingError:
        raise
    except Exception as e:
        raise EncodingError(f"stored bytes are not a canonical encoding: {e}") from e


def event_digest(topic: str, stream_id: UUID, version: int, fields: dict[str, Any]) -> bytes:
    """SHA-256 over the domain-separated canonical encoding of an event.

    ``fields`` is everything the event stores except its own ``event_hash`` (so it includes
    ``prev_hash``, the timestamp and every domain field). The event's type, stream and
    version are bound in, so moving bytes to another row or type changes the hash.
    """
    preimage = EVENT_HASH_PREFIX + _pack([topic, stream_id.bytes, version, _prepare(fields, "")])
    return hashlib.sha256(preimage).digest()


def stored_event_digest(topic: str, stream_id: UUID | bytes, version: int, state: bytes) -> tuple[
    bytes, bytes, bytes
]:
    """Recompute an event's hash straight from its stored bytes, without decoding values.

    Returns ``(recomputed_hash, stored_event_hash, stored_prev_hash)``. The stored map is
    walked key by key (values are skipped, not decoded); the preimage is the stored bytes with
    the ``event_hash`` entry cut out, under a map header one entry shorter. Stored maps are
    canonical (sorted keys), so for an untouched event this equals :func:`event_digest` byte
    for byte; any other change, including keys reordered, changes the hash. Raises
    :class:`EncodingError` if the bytes are not one map with ``event_hash`` and ``prev_hash``.
    """
    stream_bytes = stream_id if isinstance(stream_id, bytes) else stream_id.bytes
    fast = _fast_digest(topic, stream_bytes, version, state)
    if fast is not None:
        return fast
    try:
        unpacker = msgpack.Unpacker(raw=False, strict_map_key=True)
        unpacker.feed(state)
        first = state[0] if state else 0xC1
        if first == 0xC1:  # empty, or the one byte msgpack never uses
            raise EncodingError("stored bytes do not decode: not msgpack")
        if not (0x80 <= first <= 0x8F or first in (0xDE, 0xDF)):
            raise EncodingError("stored bytes are not a map of fields")
        entries = unpacker.read_map_header()
        body_start = unpacker.tell()
        stored_hash = prev_hash = None
        cut = (0, 0)
        for _ in range(entries):
            entry_start = unpacker.tell()
            key = unpacker.unpack()
            if key == "event_hash":
                stored_hash = unpacker.unpack()
                cut = (entry_start, unpacker.tell())
            elif key == "prev_hash":
                prev_hash = unpacker.unpack()
            else:
                unpacker.skip()
        end = unpacker.tell()
    except EncodingError:
        raise
    except Exception as e:
        raise EncodingError(f"stored bytes do not decode as a map of fields: {e}") from e
    if end != len(state):
        raise EncodingError(f"stored bytes have {len(state) - end} trailing bytes after the map of fields")
    if not isinstance(stored_hash, bytes) or not isinstance(prev_hash, bytes):
        raise EncodingError("stored event has no event_hash or prev_hash field")
    preimage = b"".join((
        EVENT_HASH_PREFIX, b"\x94", _pack(topic), _pack(stream_bytes), _pack(version),
        _map_header(entries - 1), state[body_start:cut[0]], state[cut[1]:],
    ))
    return hashlib.sha256(preimage).digest(), stored_hash, prev_hash


#: The stored forms of the two hash entries: a fixstr key, then bin8 of 32 bytes.
_EVENT_HASH_ENTRY = b"\xaaevent_hash\xc4\x20"
_PREV_HASH_ENTRY = b"\xa9prev_hash\xc4\x20"
_packed: dict[Any, bytes] = {}


def _packed_once(value: Any) -> bytes:
    """msgpack of a topic or a version, cached (verification packs the same few again and again)."""
    out = _packed.get(value)
    if out is None:
        out = _pack(value)
        if len(_packed) < 10_000:
            _packed[value] = out
    return out


def _fast_digest(topic: str, stream_bytes: bytes, version: int, state: bytes) -> tuple[bytes, bytes, bytes] | None:
    """The digest of an ordinary stored event by slicing, or None to take the careful path.

    It applies when the stored map's header is a fixmap or map16 and each hash entry occurs
    exactly once, in its stored form. (A valid UTF-8 string cannot hold those bytes; a bytes
    value could only by a 2^-100 chance, and then the careful path would be taken.) Anything
    unusual goes to the careful path, which reports what is wrong.
    """
    if not state:
        return None
    first = state[0]
    if 0x80 <= first <= 0x8F:
        entries, body = first & 0x0F, 1
    elif first == 0xDE and len(state) >= 3:
        entries, body = int.from_bytes(state[1:3], "big"), 3
    else:
        return None
    at = state.find(_EVENT_HASH_ENTRY)
    prev_at = state.find(_PREV_HASH_ENTRY)
    if at < body or prev_at < body or state.find(_EVENT_HASH_ENTRY, at + 1) != -1 \
            or state.find(_PREV_HASH_ENTRY, prev_at + 1) != -1:
        return None
    end = at + 45
    prev_end = prev_at + 44
    if end > len(state) or prev_end > len(state):
        return None
    digest = hashlib.sha256(EVENT_HASH_PREFIX)
    digest.update(b"\x94")
    digest.update(_packed_once(topic))
    digest.update(b"\xc4\x10" + stream_bytes if len(stream_bytes) == 16 else _pack(stream_bytes))
    digest.update(_packed_once(version))
    digest.update(_map_header(entries - 1))
    digest.update(state[body:at])
    digest.update(state[end:])
    return digest.digest(), state[at + 13:end], state[prev_at + 12:prev_end]


def _map_header(size: int) -> bytes:
    if size < 16:
        return bytes([0x80 | size])
    if size < 0x10000:
        return b"\xde" + struct.pack(">H", size)
    return b"\xdf" + struct.pack(">I", size)


def log_entry_hash(topic: str, stream_bytes: bytes, version: int, state: bytes) -> bytes:
    """RFC 9162 leaf hash of :func:`log_entry`, without copying ``state`` (equal by construction)."""
    digest = hashlib.sha256(b"\x00\x95")
    digest.update(_packed_once(LOG_ENTRY_TAG))
    digest.update(_packed_once(topic))
    digest.update(b"\xc4\x10" + stream_bytes if len(stream_bytes) == 16 else _pack(stream_bytes))
    digest.update(_packed_once(version))
    size = len(state)
    digest.update(bytes((0xC4, size)) if size < 0x100 else
                  (b"\xc5" + size.to_bytes(2, "big")) if size < 0x10000 else b"\xc6" + size.to_bytes(4, "big"))
    digest.update(state)
    return digest.digest()


def log_entry(topic: str, stream_id: UUID | bytes, version: int, state: bytes) -> bytes:
    """The Merkle-log entry of a stored event: its type, stream id, version and stored bytes.

    The leaf hash is RFC 9162's SHA-256(0x00 || entry) (:func:`ledger.integrity.merkle.leaf_hash`).
    """
    stream_bytes = stream_id if isinstance(stream_id, bytes) else stream_id.bytes
    return _pack([LOG_ENTRY_TAG, topic, stream_bytes, version, state])


class CanonicalTranscoder(Transcoder):
    """The eventsourcing transcoder (``TRANSCODER_TOPIC``) for the canonical encoding."""

    def encode(self, obj: Any) -> bytes:
        return encode(obj)

    def decode(self, data: bytes) -> Any:
        return decode(data)


stored_as(__name__, "ledger.encoding")  # its classes keep the topics they were first stored under
