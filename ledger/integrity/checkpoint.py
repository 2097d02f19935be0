"""Signed checkpoints: C2SP ``tlog-checkpoint`` bodies in C2SP ``signed-note`` envelopes, Ed25519.

A checkpoint commits the log to its size and root hash. It is the text::

    <origin>\\n<decimal tree size>\\n<base64 root hash>\\n[<extension line>\\n ...]

signed as a note: the text, a blank line, then one line per signature::

    \u2014 <key name> <base64(4-byte key id || 64-byte Ed25519 signature)>\\n

Key strings are those of golang.org/x/mod/sumdb/note, so Go tooling (and any C2SP client) can
read ours: verifier ``<name>+<8 hex key id>+<base64(0x01 || public key)>`` and signer
``PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 || 32-byte seed)>``.

Rules the module enforces:

1. Key id = first 4 bytes, big-endian, of SHA-256(name || 0x0A || 0x01 || public key); a key
   string whose key id does not match its key is refused. Key names are non-empty and contain
   no Unicode space, no ``+`` and no control character.
2. The Ed25519 signature covers the note text including its final newline, not the blank
   line. A note must be valid UTF-8 with no control character other than newline, at most
   ``MAX_NOTE_BYTES`` long with at most ``MAX_SIGNATURES`` signature lines; the text ends at the
   last blank line. Every signature line must be well formed (em dash, space, valid name, space,
   base64 of at least 5 bytes), whoever signed it, or the whole note is refused.
3. Lines whose (name, key id) is not this verifier's are ignored (witness cosignatures, key
   rotation). At least one line must be this key's, and *every* line of this key must verify:
   one bad signature from a known key rejects the whole note (C2SP: SHOULD; Go sumdb/note
   checks only the first such line).
4. The checkpoint body is parsed only after the signature verifies, strictly: non-empty
   origin, size in decimal with no sign and no leading zero (``0`` alone allowed) and below
   2**64, root in canonical padded standard base64 of exactly 32 bytes, extension lines
   non-empty (kept, in order, in ``Checkpoint.extensions``).
5. A signing key file is created with mode 0600 and never overwritten.

Every refusal raises ``ledger.errors.CheckpointError`` with the observed and expected value.
"""

from __future__ import annotations

import binascii
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.errors import CheckpointError
from ledger.integrity.merkle import HASH_SIZE, MAX_TREE_SIZE
from ledger.integrity.topics import stored_as

__all__ = [
    "ED25519_SIGNATURE_TYPE",
    "MAX_NOTE_BYTES",
    "MAX_SIGNATURES",
    "SIGNATURE_LINE_PREFIX",
    "SIGNER_KEY_PREFIX",
    "Checkpoint",
    "SigningKey",
    "VerifierKey",
    "open_checkpoint",
    "parse_checkpoint_note",
    "sign_checkpoint",
]

#: Signature type byte of Ed25519 in C2SP signed-note; prefixes the key in key strings and
#: is hashed into the key id.
ED25519_SIGNATURE_TYPE: Final = b"\x01"
#: Separator between the key name and the signature type in the key id preimage.
KEY_ID_NAME_SEPARATOR: Final = b"\n"
#: Every signature line starts with an em dash (U+2014) and a space.
SIGNATURE_LINE_PREFIX: Final = "\u2014 "
#: Literal start of a signer (private) key string, as in Go's sumdb/note.
SIGNER_KEY_PREFIX: Final = "PRIVATE+KEY+"
#: Separates the note text from its signature lines.
NOTE_SEPARATOR: Final = "\n\n"
#: Bytes: 4-byte key id, Ed25519 public key, seed, signature.
KEY_ID_SIZE: Final = 4
ED25519_KEY_SIZE: Final = 32
ED25519_SIGNATURE_SIZE: Final = 64
#: Refuse notes larger than this (a checkpoint with a few cosignatures is under 1 KiB).
MAX_NOTE_BYTES: Final = 1 << 20
#: Refuse notes with more signature lines than this (Go's sumdb/note limit).
MAX_SIGNATURES: Final = 100
#: Refuse to sign a text larger than this, leaving room in the note for signature lines.
MAX_TEXT_BYTES: Final = MAX_NOTE_BYTES // 2

_HEX8 = re.compile(r"[0-9a-fA-F]{8}")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


# --------------------------------------------------------------------------- helpers


def _key_id(name: str, public_key: bytes) -> int:
    preimage = name.encode() + KEY_ID_NAME_SEPARATOR + ED25519_SIGNATURE_TYPE + public_key
    return int.from_bytes(hashlib.sha256(preimage).digest()[:KEY_ID_SIZE], "big")


def _control_char(text: str) -> str | None:
    """The first character that a note may not contain (control other than newline)."""
    for ch in text:
        if ch < " " and ch != "\n":
            return ch
    return None


def _name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid key name, or None."""
    if not name:
        return "is empty"
    if "+" in name:
        return "contains '+'"
    for ch in name:
        if ch.isspace():
            return f"contains the space character {ch!r}"
        if ch < " " or ch == "\x7f":
            return f"contains the control character {ch!r}"
    try:
        name.encode()
    except UnicodeEncodeError:
        return "is not valid UTF-8"
    return None


def _check_name(name: object, what: str) -> str:
    if not isinstance(name, str):
        raise CheckpointError(f"{what}: expected a str key name, got {type(name).__name__}")
    problem = _name_problem(name)
    if problem:
        raise CheckpointError(
            f"{what}: key name {name!r} {problem}; expected a non-empty name without spaces, "
            "'+' or control characters"
        )
    return name


def _b64decode(text: str, what: str) -> bytes:
    """Strict standard base64 with padding; canonical (re-encodes to the same text)."""
    if not _BASE64.fullmatch(text) or len(text) % 4:
        raise CheckpointError(
            f"{what}: {text[:60]!r} is not padded standard base64 (expected characters "
            "A-Z a-z 0-9 + / with '=' padding to a multiple of 4)"
        )
    try:
        raw = binascii.a2b_base64(text, strict_mode=True)
    except binascii.Error as exc:
        raise CheckpointError(f"{what}: {text[:60]!r} is not valid base64 ({exc})") from None
    if binascii.b2a_base64(raw, newline=False).decode() != text:
        raise CheckpointError(
            f"{what}: {text[:60]!r} is not canonical base64 (expected "
            f"{binascii.b2a_base64(raw, newline=False).decode()[:60]!r})"
        )
    return raw


def _b64encode(raw: bytes) -> str:
    return binascii.b2a_base64(raw, newline=False).decode()


def _check_key_id_hex(text: str, what: str) -> int:
    if not _HEX8.fullmatch(text):
        raise CheckpointError(f"{what}: key id {text[:20]!r} is not 8 hex digits")
    return int(text, 16)


def _decode_key_material(text: str, what: str, kind: str) -> bytes:
    raw = _b64decode(text, f"{what}: {kind}")
    expected = len(ED25519_SIGNATURE_TYPE) + ED25519_KEY_SIZE
    if len(raw) != expected:
        raise CheckpointError(
            f"{what}: {kind} is {len(raw)} bytes, expected {expected} (0x01 || 32-byte key)"
        )
    if raw[:1] != ED25519_SIGNATURE_TYPE:
        raise CheckpointError(
            f"{what}: signature type 0x{raw[0]:02x} is not supported, expected 0x01 (Ed25519)"
        )
    return raw[1:]


# --------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class VerifierKey:
    """An Ed25519 note verifier: a key name and a 32-byte public key."""

    name: str
    public_key: bytes
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        _check_name(self.name, "verifier key")
        if not isinstance(self.public_key, bytes) or len(self.public_key) != ED25519_KEY_SIZE:
            observed = (
                f"{len(self.public_key)} bytes"
                if isinstance(self.public_key, bytes)
                else type(self.public_key).__name__
            )
            raise CheckpointError(
                f"verifier key: public key is {observed}, expected {ED25519_KEY_SIZE} bytes"
            )
        object.__setattr__(self, "key_id", _key_id(self.name, self.public_key))

    @classmethod
    def from_string(cls, s: str) -> VerifierKey:
        """Parse ``<name>+<8 hex key id>+<base64(0x01 || public key)>``."""
        if not isinstance(s, str):
            raise CheckpointError(f"verifier key: expected a str, got {type(s).__name__}")
        if s.startswith(SIGNER_KEY_PREFIX):
            raise CheckpointError(
                "verifier key: got a signer (PRIVATE+KEY+...) key string; expected the public "
                "verifier key <name>+<key id>+<key>"
            )
        parts = s.split("+", 2)
        if len(parts) != 3:
            raise CheckpointError(
                f"verifier key: expected <name>+<8 hex key id>+<base64 key>, got {len(parts)} "
                "'+'-separated field(s)"
            )
        name, id_hex, key_b64 = parts
        _check_name(name, "verifier key")
        claimed = _check_key_id_hex(id_hex, "verifier key")
        key = cls(name, _decode_key_material(key_b64, "verifier key", "public key"))
        if key.key_id != claimed:
            raise CheckpointError(
                f"verifier key: key id {claimed:08x} does not match the key, expected {key.key_id:08x}"
            )
        return key

    def to_string(self) -> str:
        """The verifier key string ``<name>+<key id>+<base64(0x01 || public key)>``."""
        material = _b64encode(ED25519_SIGNATURE_TYPE + self.public_key)
        return f"{self.name}+{self.key_id:08x}+{material}"

    def verify_note(self, note: str) -> str:
        """Verify a signed note against this key; return its text (ending in newline)."""
        text, signatures = _parse_note(note)
        mine = [sig for name, key_id, sig in signatures if (name, key_id) == (self.name, self.key_id)]
        if not mine:
            raise CheckpointError(
                f"signed note: no signature from key {self.name}+{self.key_id:08x} among "
                f"{len(signatures)} signature line(s)"
            )
        public = Ed25519PublicKey.from_public_bytes(self.public_key)
        for sig in mine:
            if len(sig) != ED25519_SIGNATURE_SIZE:
                raise CheckpointError(
                    f"signed note: signature from {self.name}+{self.key_id:08x} is {len(sig)} "
                    f"bytes, expected {ED25519_SIGNATURE_SIZE}"
                )
            try:
                public.verify(sig, text.encode())
            except InvalidSignature:
                raise CheckpointError(
                    f"signed note: bad signature from key {self.name}+{self.key_id:08x}: the "
                    "text was altered or signed by another key"
                ) from None
        return text


@dataclass(frozen=True, eq=False)
class SigningKey:
    """An Ed25519 note signer: a key name and a 32-byte seed (kept out of ``repr``)."""

    name: str
    seed: bytes = field(repr=False)
    key_id: int = field(init=False)
    _private: Ed25519PrivateKey = field(init=False, repr=False)
    _verifier: VerifierKey = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_name(self.name, "signing key")
        if not isinstance(self.seed, bytes) or len(self.seed) != ED25519_KEY_SIZE:
            observed = f"{len(self.seed)} bytes" if isinstance(self.seed, bytes) else type(self.seed).__name__
            raise CheckpointError(f"signing key: seed is {observed}, expected {ED25519_KEY_SIZE} bytes")
        private = Ed25519PrivateKey.from_private_bytes(self.seed)
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        verifier = VerifierKey(self.name, public)
        object.__setattr__(self, "_private", private)
        object.__setattr__(self, "_verifier", verifier)
        object.__setattr__(self, "key_id", verifier.key_id)

    @classmethod
    def generate(cls, name: str) -> SigningKey:
        """A new random key named ``name``."""
        return cls(name, os.urandom(ED25519_KEY_SIZE))

    @classmethod
    def from_string(cls, s: str) -> SigningKey:
        """Parse ``PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 || seed)>``."""
        if not isinstance(s, str):
            raise CheckpointError(f"signing key: expected a str, got {type(s).__name__}")
        if not s.startswith(SIGNER_KEY_PREFIX):
            raise CheckpointError(
                f"signing key: expected a string starting with {SIGNER_KEY_PREFIX!r}, got "
                f"{s[: len(SIGNER_KEY_PREFIX)]!r}"
            )
        parts = s[len(SIGNER_KEY_PREFIX) :].split("+", 2)
        if len(parts) != 3:
            raise CheckpointError(
                "signing key: expected PRIVATE+KEY+<name>+<8 hex key id>+<base64 seed>, got "
                f"{len(parts)} '+'-separated field(s) after the prefix"
            )
        name, id_hex, seed_b64 = parts
        _check_name(name, "signing key")
        claimed = _check_key_id_hex(id_hex, "signing key")
        key = cls(name, _decode_key_material(seed_b64, "signing key", "seed"))
        if key.key_id != claimed:
            raise CheckpointError(
                f"signing key: key id {claimed:08x} does not match the key, expected {key.key_id:08x}"
            )
        return key

    def to_string(self) -> str:
        """The signer key string; secret: anyone holding it can sign checkpoints."""
        material = _b64encode(ED25519_SIGNATURE_TYPE + self.seed)
        return f"{SIGNER_KEY_PREFIX}{self.name}+{self.key_id:08x}+{material}"

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the key string to a new file of mode 0600; never overwrite."""
        target = Path(path)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CheckpointError(
                f"signing key file {target} already exists; refusing to overwrite it"
            ) from None
        except OSError as exc:
            raise CheckpointError(f"signing key file {target}: cannot create: {exc}") from None
        try:
            os.fchmod(fd, 0o600)  # whatever the umask, exactly owner read/write
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(self.to_string() + "\n")
        except OSError as exc:
            raise CheckpointError(f"signing key file {target}: cannot write: {exc}") from None

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SigningKey:
        """Read a key file written by ``save`` (one key string, optional final newline)."""
        target = Path(path)
        try:
            content = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CheckpointError(f"signing key file {target} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CheckpointError(f"signing key file {target}: cannot read: {exc}") from None
        if content.endswith("\n"):
            content = content[:-1]
        try:
            return cls.from_string(content)
        except CheckpointError as exc:
            raise CheckpointError(f"signing key file {target}: {exc}") from None

    def verifier_key(self) -> str:
        """The verifier key string to hand to auditors."""
        return self._verifier.to_string()

    def verifier(self) -> VerifierKey:
        """The matching ``VerifierKey``."""
        return self._verifier

    def signature_line(self, text: str) -> str:
        """One signature line (with its newline) over ``text``, to append to a note."""
        _check_note_text(text)
        signature = self._private.sign(text.encode())
        blob = self.key_id.to_bytes(KEY_ID_SIZE, "big") + signature
        return f"{SIGNATURE_LINE_PREFIX}{self.name} {_b64encode(blob)}\n"

    def sign_note(self, text: str) -> str:
        """The whole signed note: ``text``, a blank line, this key's signature line."""
        return text + "\n" + self.signature_line(text)


# --------------------------------------------------------------------------- notes


def _check_note_text(text: object) -> str:
    if not isinstance(text, str):
        raise CheckpointError(f"note text: expected a str, got {type(text).__name__}")
    if not text.endswith("\n"):
        raise CheckpointError(f"note text: must end with a newline, ends with {text[-1:]!r}")
    bad = _control_char(text)
    if bad is not None:
        raise CheckpointError(f"note text: contains control character {bad!r}; only newline is allowed")
    try:
        size = len(text.encode())
    except UnicodeEncodeError:
        raise CheckpointError("note text: is not valid UTF-8 (lone surrogate)") from None
    if size > MAX_TEXT_BYTES:
        raise CheckpointError(f"note text: {size} bytes, expected at most {MAX_TEXT_BYTES}")
    return text


def _parse_note(note: object) -> tuple[str, list[tuple[str, int, bytes]]]:
    """Split a signed note into its text and ``(name, key id, signature)`` per line."""
    if not isinstance(note, str):
        raise CheckpointError(f"signed note: expected a str, got {type(note).__name__}")
    try:
        size = len(note.encode())
    except UnicodeEncodeError:
        raise CheckpointError("signed note: is not valid UTF-8 (lone surrogate)") from None
    if size > MAX_NOTE_BYTES:
        raise CheckpointError(f"signed note: {size} bytes, expected at most {MAX_NOTE_BYTES}")
    bad = _control_char(note)
    if bad is not None:
        raise CheckpointError(f"signed note: contains control character {bad!r}; only newline is allowed")
    split = note.rfind(NOTE_SEPARATOR)
    if split < 0:
        raise CheckpointError("signed note: no blank line; expected text, a blank line, then signature lines")
    text, block = note[: split + 1], note[split + 2 :]
    if not block:
        raise CheckpointError("signed note: no signature lines after the blank line")
    if not block.endswith("\n"):
        raise CheckpointError("signed note: the last signature line does not end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise CheckpointError(f"signed note: {len(lines)} signature lines, expected at most {MAX_SIGNATURES}")
    return text, [_parse_signature_line(line, i + 1) for i, line in enumerate(lines)]


def _parse_signature_line(line: str, number: int) -> tuple[str, int, bytes]:
    what = f"signed note: signature line {number}"
    if not line.startswith(SIGNATURE_LINE_PREFIX):
        raise CheckpointError(f"{what}: starts with {line[:2]!r}, expected an em dash (U+2014) and a space")
    rest = line[len(SIGNATURE_LINE_PREFIX) :]
    name, sep, b64 = rest.partition(" ")
    if not sep:
        raise CheckpointError(f"{what}: expected '<key name> <base64 signature>', no space found")
    problem = _name_problem(name)
    if problem:
        raise CheckpointError(f"{what}: key name {name!r} {problem}")
    blob = _b64decode(b64, what)
    if len(blob) < KEY_ID_SIZE + 1:
        raise CheckpointError(
            f"{what}: signature is {len(blob)} bytes, expected a 4-byte key id and a signature"
        )
    return name, int.from_bytes(blob[:KEY_ID_SIZE], "big"), blob[KEY_ID_SIZE:]


# --------------------------------------------------------------------------- checkpoints


def _check_line(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise CheckpointError(f"checkpoint {what}: expected a str, got {type(value).__name__}")
    if not value:
        raise CheckpointError(f"checkpoint {what}: is empty, expected a non-empty line")
    if "\n" in value:
        raise CheckpointError(f"checkpoint {what}: {value[:60]!r} contains a newline")
    bad = _control_char(value)
    if bad is not None:
        raise CheckpointError(f"checkpoint {what}: {value[:60]!r} contains control character {bad!r}")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise CheckpointError(f"checkpoint {what}: is not valid UTF-8 (lone surrogate)") from None
    return value


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: origin, tree size and root hash (plus opaque extension lines)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        if type(self.size) is not int or not 0 <= self.size <= MAX_TREE_SIZE:
            raise CheckpointError(f"checkpoint size: expected an int in [0, 2**64 - 1], got {self.size!r}")
        if not isinstance(self.root, bytes) or len(self.root) != HASH_SIZE:
            observed = f"{len(self.root)} bytes" if isinstance(self.root, bytes) else type(self.root).__name__
            raise CheckpointError(f"checkpoint root: is {observed}, expected {HASH_SIZE} bytes")
        if not isinstance(self.extensions, tuple):
            raise CheckpointError(
                f"checkpoint extensions: expected a tuple of str, got {type(self.extensions).__name__}"
            )
        for i, line in enumerate(self.extensions):
            _check_line(line, f"extension line {i + 1}")

    def body(self) -> str:
        """The tlog-checkpoint note text, ending in a newline."""
        lines = [self.origin, str(self.size), _b64encode(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)


def _parse_body(text: str) -> Checkpoint:
    lines = text[:-1].split("\n")  # a verified note text always ends in "\n"
    if len(lines) < 3:
        raise CheckpointError(
            f"checkpoint body: {len(lines)} line(s), expected at least 3 (origin, size, root)"
        )
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise CheckpointError("checkpoint body: origin line is empty, expected the log origin")
    if not _DECIMAL.fullmatch(size_text):
        raise CheckpointError(
            f"checkpoint body: tree size {size_text[:40]!r} is not a decimal number without "
            "sign or leading zeros"
        )
    if len(size_text) > len(str(MAX_TREE_SIZE)) or int(size_text) > MAX_TREE_SIZE:
        raise CheckpointError(
            f"checkpoint body: tree size {size_text[:40]} exceeds the maximum {MAX_TREE_SIZE}"
        )
    root = _b64decode(root_text, "checkpoint body: root hash")
    if len(root) != HASH_SIZE:
        raise CheckpointError(f"checkpoint body: root hash is {len(root)} bytes, expected {HASH_SIZE}")
    for i, line in enumerate(extensions):
        if not line:
            raise CheckpointError(f"checkpoint body: extension line {i + 1} is empty, expected non-empty")
    return Checkpoint(origin, int(size_text), root, tuple(extensions))


def sign_checkpoint(cp: Checkpoint, key: SigningKey) -> str:
    """The signed note of ``cp`` under ``key``."""
    if not isinstance(cp, Checkpoint):
        raise CheckpointError(f"sign_checkpoint: expected a Checkpoint, got {type(cp).__name__}")
    return key.sign_note(cp.body())


def open_checkpoint(note: str, verifier: VerifierKey, *, expected_origin: str | None = None) -> Checkpoint:
    """Verify ``note`` with ``verifier``, then parse its text strictly as a checkpoint.

    With ``expected_origin``, also refuse a checkpoint of another log.
    """
    if not isinstance(verifier, VerifierKey):
        raise CheckpointError(f"open_checkpoint: expected a VerifierKey, got {type(verifier).__name__}")
    cp = _parse_body(verifier.verify_note(note))
    if expected_origin is not None and cp.origin != expected_origin:
        raise CheckpointError(f"checkpoint origin: {cp.origin!r}, expected {expected_origin!r}")
    return cp


def parse_checkpoint_note(note: str) -> Checkpoint:
    """Parse ``note`` as a signed checkpoint WITHOUT verifying its signature: for telling a file that
    is not a checkpoint at all (could not run) from one whose signature or root does not match
    (tampered, which :func:`open_checkpoint` and ``verify`` decide)."""
    text, _ = _parse_note(note)
    return _parse_body(_check_note_text(text))


stored_as(__name__, "ledger.checkpoint")  # its classes keep the topics they were first stored under
