"""Tests of ledger.checkpoint: C2SP tlog-checkpoint bodies in Ed25519 signed notes."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.errors import CheckpointError
from ledger.integrity.checkpoint import (
    MAX_SIGNATURES,
    Checkpoint,
    SigningKey,
    VerifierKey,
    open_checkpoint,
    sign_checkpoint,
)

DASH = "\u2014"
ROOT = hashlib.sha256(b"root").digest()
ORIGIN = "caseledger.example/log"

# The worked example of golang.org/x/mod/sumdb/note's package documentation.
GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_SIG_LINE = (
    f"{DASH} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX"
    "gKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
GO_ENOCH_LINE = (
    f"{DASH} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG0"
    "1oOTGwnWLox33WWd1RvMc+QQ=\n"
)
GO_NOTE = GO_TEXT + "\n" + GO_SIG_LINE
GO_KEY64 = GO_VERIFIER.split("+", 2)[2]


def _material(type_byte: bytes, size: int) -> str:
    return base64.b64encode(type_byte + b"k" * size).decode()


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate(ORIGIN)


@pytest.fixture(scope="module")
def verifier(key: SigningKey) -> VerifierKey:
    return VerifierKey.from_string(key.verifier_key())


@pytest.fixture(scope="module")
def witness() -> SigningKey:
    return SigningKey.generate("witness.example/w1")


@pytest.fixture(scope="module")
def note(key: SigningKey) -> str:
    return sign_checkpoint(Checkpoint(ORIGIN, 1234, ROOT), key)


# --------------------------------------------------------------------------- round trip


def test_sign_and_open_round_trip(key: SigningKey, verifier: VerifierKey, note: str) -> None:
    root64 = base64.b64encode(ROOT).decode()
    assert note.startswith(f"{ORIGIN}\n1234\n{root64}\n\n{DASH} {ORIGIN} ")
    assert note.endswith("\n") and note.count("\n") == 5
    assert open_checkpoint(note, verifier) == Checkpoint(ORIGIN, 1234, ROOT)
    assert open_checkpoint(note, verifier, expected_origin=ORIGIN).size == 1234


def test_empty_tree_and_extensions_round_trip(key: SigningKey, verifier: VerifierKey) -> None:
    empty = Checkpoint("o", 0, hashlib.sha256(b"").digest())
    assert empty.body() == "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    assert open_checkpoint(sign_checkpoint(empty, key), verifier) == empty
    extended = Checkpoint(ORIGIN, 7, ROOT, ("ext one", "\u2014 two"))
    opened = open_checkpoint(sign_checkpoint(extended, key), verifier)
    assert opened.extensions == ("ext one", "\u2014 two")
    assert opened == extended


def test_key_strings_round_trip(key: SigningKey) -> None:
    again = SigningKey.from_string(key.to_string())
    assert again.seed == key.seed and again.key_id == key.key_id and again.name == key.name
    assert key.to_string().startswith(f"PRIVATE+KEY+{ORIGIN}+{key.key_id:08x}+")
    vk = VerifierKey.from_string(key.verifier_key())
    assert vk.to_string() == key.verifier_key()
    assert vk == key.verifier()
    assert key.seed.hex() not in repr(key)


def test_key_id_follows_spec(key: SigningKey) -> None:
    public = key.verifier().public_key
    digest = hashlib.sha256(ORIGIN.encode() + b"\n\x01" + public).digest()
    assert key.key_id == int.from_bytes(digest[:4], "big")


def test_cosigned_note_verifies_for_each_key(
    key: SigningKey, verifier: VerifierKey, witness: SigningKey, note: str
) -> None:
    body = Checkpoint(ORIGIN, 1234, ROOT).body()
    cosigned = note + witness.signature_line(body)
    assert open_checkpoint(cosigned, verifier).size == 1234
    assert witness.verifier().verify_note(cosigned) == body
    # Order does not matter, and unknown keys' lines are ignored.
    witness_first = witness.sign_note(body) + key.signature_line(body)
    assert open_checkpoint(witness_first, verifier).root == ROOT


# --------------------------------------------------------------------------- known answers


def test_go_sumdb_note_known_answer() -> None:
    signer = SigningKey.from_string(GO_SIGNER)
    assert signer.name == "PeterNeumann" and signer.key_id == 0xC74F20A3
    assert signer.verifier_key() == GO_VERIFIER
    # Ed25519 is deterministic: our signer reproduces Go's note byte for byte.
    assert signer.sign_note(GO_TEXT) == GO_NOTE
    go = VerifierKey.from_string(GO_VERIFIER)
    assert go.verify_note(GO_NOTE) == GO_TEXT
    # The doubly signed form from the same documentation: EnochRoot is unknown, ignored.
    assert go.verify_note(GO_NOTE + GO_ENOCH_LINE) == GO_TEXT
    with pytest.raises(CheckpointError, match="bad signature from key PeterNeumann"):
        go.verify_note(GO_NOTE.replace("cryptography", "Cryptography"))


def test_independent_verifier(key: SigningKey) -> None:
    """Check a checkpoint note with cryptography, hashlib, base64 and the C2SP specs only."""
    note = sign_checkpoint(Checkpoint(ORIGIN, 42, ROOT), key)
    vkey = key.verifier_key()

    # signed-note verifier key: <name>+<8 hex key id>+<base64(0x01 || 32-byte public key)>.
    name, id_hex, key64 = vkey.split("+", 2)
    material = base64.b64decode(key64, validate=True)
    assert len(id_hex) == 8 and len(material) == 33 and material[0] == 0x01
    public = material[1:]
    computed_id = hashlib.sha256(name.encode() + b"\x0a" + b"\x01" + public).digest()[:4]
    assert computed_id == bytes.fromhex(id_hex)

    # Text ends at the last blank line; signature lines follow.
    split = note.rindex("\n\n")
    text, sig_block = note[: split + 1], note[split + 2 :]
    assert sig_block.endswith("\n")
    found = 0
    for line in sig_block[:-1].split("\n"):
        assert line.startswith("\u2014 ")
        line_name, b64 = line[2:].split(" ")
        blob = base64.b64decode(b64, validate=True)
        if line_name == name and blob[:4] == computed_id:
            assert len(blob) == 4 + 64
            Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], text.encode("utf-8"))
            with pytest.raises(InvalidSignature):
                Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], text.encode() + b"x")
            found += 1
    assert found == 1

    # tlog-checkpoint body: origin, decimal size, base64 root.
    origin, size, root64 = text[:-1].split("\n")
    assert (origin, size, base64.b64decode(root64)) == (ORIGIN, "42", ROOT)


# --------------------------------------------------------------------------- tampering


def _replace_once(note: str, old: str, new: str) -> str:
    assert note.count(old) >= 1
    return note.replace(old, new, 1)


def test_tampered_origin_size_root_fail(verifier: VerifierKey, note: str) -> None:
    root64 = base64.b64encode(ROOT).decode()
    other_root = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    for tampered in (
        _replace_once(note, f"{ORIGIN}\n", "caseledger.example/evil\n"),
        _replace_once(note, "\n1234\n", "\n1235\n"),
        _replace_once(note, "\n1234\n", "\n123\n"),
        _replace_once(note, root64, other_root),
    ):
        with pytest.raises(CheckpointError, match=f"bad signature from key {ORIGIN}"):
            open_checkpoint(tampered, verifier)


def test_every_signature_byte_is_checked(key: SigningKey, verifier: VerifierKey, note: str) -> None:
    prefix, b64 = note.rsplit(" ", 1)
    blob = base64.b64decode(b64)
    for i in range(4, len(blob)):  # bytes 0-3 are the key id: see the next test
        bad = bytearray(blob)
        bad[i] ^= 0x01
        tampered = f"{prefix} {base64.b64encode(bytes(bad)).decode()}\n"
        with pytest.raises(CheckpointError, match="bad signature"):
            open_checkpoint(tampered, verifier)


def test_altered_key_id_means_no_signature(verifier: VerifierKey, note: str) -> None:
    prefix, b64 = note.rsplit(" ", 1)
    blob = bytearray(base64.b64decode(b64))
    blob[0] ^= 0x01
    tampered = f"{prefix} {base64.b64encode(bytes(blob)).decode()}\n"
    with pytest.raises(CheckpointError, match=f"no signature from key {ORIGIN}"):
        open_checkpoint(tampered, verifier)


def test_other_key_with_same_name_is_ignored(note: str) -> None:
    impostor = SigningKey.generate(ORIGIN)
    with pytest.raises(CheckpointError, match="no signature from key"):
        open_checkpoint(note, impostor.verifier())


def test_one_bad_line_from_known_key_rejects(key: SigningKey, verifier: VerifierKey, note: str) -> None:
    forged = key.signature_line("caseledger.example/log\n1\nAAAA\n")  # valid sig, other text
    with pytest.raises(CheckpointError, match="bad signature"):
        open_checkpoint(note + forged, verifier)


def test_expected_origin_mismatch(verifier: VerifierKey, note: str) -> None:
    with pytest.raises(CheckpointError, match=r"origin: 'caseledger.example/log', expected 'x/y'"):
        open_checkpoint(note, verifier, expected_origin="x/y")


# --------------------------------------------------------------------------- malformed notes


def _sig_line(key: SigningKey, text: str) -> str:
    return key.signature_line(text)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda t, s: t + s, "no blank line"),
        (lambda t, s: t + "\n", "no signature lines after the blank line"),
        (lambda t, s: t + "\n" + s[:-1], "last signature line does not end with a newline"),
        (lambda t, s: t + "\n" + s.replace(DASH, "--"), r"starts with '--', expected an em dash"),
        (lambda t, s: t + "\n" + s.replace(DASH, "\u2013"), "expected an em dash"),
        (lambda t, s: t + "\n" + DASH + " nospace\n", "no space found"),
        (lambda t, s: t + "\n" + f"{DASH}  AAAAAAAA\n", "key name '' is empty"),
        (lambda t, s: t + "\n" + f"{DASH} a+b AAAAAAAA\n", "key name 'a\\+b' contains '\\+'"),
        (lambda t, s: t + "\n" + f"{DASH} a\u00a0b AAAAAAAA\n", "contains the space character"),
        (lambda t, s: t + "\n" + f"{DASH} name AAAA*AAA\n", "is not padded standard base64"),
        (lambda t, s: t + "\n" + f"{DASH} name AAAAAAA\n", "is not padded standard base64"),
        (lambda t, s: t + "\n" + f"{DASH} name AAAAAAB=\n", "is not canonical base64"),
        (lambda t, s: t + "\n" + f"{DASH} name AAAAAA==\n", "signature is 4 bytes, expected"),
        (lambda t, s: t + "\n" + f"{DASH} name AAAAAAAA AAAA\n", "not padded standard base64"),
        (lambda t, s: t + "\n" + s + "\n", "no signature lines after the blank line"),
        (lambda t, s: t + "\n" + s + "trailer\n", "signature line 2: starts with 'tr'"),
        (lambda t, s: t.replace("\n", "\r\n") + "\n" + s, r"control character '\\r'"),
        (lambda t, s: t + "\x00\n" + s, r"control character '\\x00'"),
        (lambda t, s: "\ud800" + t + "\n" + s, "not valid UTF-8"),
        (lambda t, s: t + "\n" + s * (MAX_SIGNATURES + 1), "101 signature lines, expected at most 100"),
        (lambda t, s: "x" * (1 << 20) + t + "\n" + s, "bytes, expected at most 1048576"),
    ],
)
def test_malformed_notes(
    key: SigningKey,
    verifier: VerifierKey,
    make: object,
    match: str,
) -> None:
    text = Checkpoint(ORIGIN, 1, ROOT).body()
    built = make(text, _sig_line(key, text))  # type: ignore[operator]
    with pytest.raises(CheckpointError, match=match):
        open_checkpoint(built, verifier)


def test_wrong_length_signature_from_known_key(key: SigningKey, verifier: VerifierKey) -> None:
    text = Checkpoint(ORIGIN, 1, ROOT).body()
    short = key.key_id.to_bytes(4, "big") + b"\x00" * 63
    line = f"{DASH} {ORIGIN} {base64.b64encode(short).decode()}\n"
    with pytest.raises(CheckpointError, match="is 63 bytes, expected 64"):
        verifier.verify_note(text + "\n" + line)


def test_note_of_wrong_type(verifier: VerifierKey) -> None:
    with pytest.raises(CheckpointError, match="expected a str, got bytes"):
        verifier.verify_note(b"note")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- malformed bodies


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("o\n1\n", r"2 line\(s\), expected at least 3"),
        ("\n1\n{root}\n", "origin line is empty"),
        ("o\n01\n{root}\n", "tree size '01' is not a decimal number without sign or leading zeros"),
        ("o\n+1\n{root}\n", "tree size '\\+1' is not a decimal"),
        ("o\n-1\n{root}\n", "tree size '-1' is not a decimal"),
        ("o\n1a\n{root}\n", "tree size '1a' is not a decimal"),
        ("o\n\n{root}\n", "tree size '' is not a decimal"),
        ("o\n 1\n{root}\n", "tree size ' 1' is not a decimal"),
        ("o\n\u0661\n{root}\n", "is not a decimal"),  # ARABIC-INDIC DIGIT ONE
        ("o\n18446744073709551616\n{root}\n", "exceeds the maximum 18446744073709551615"),
        ("o\n" + "9" * 5000 + "\n{root}\n", "exceeds the maximum"),
        ("o\n1\n{root_url}\n", "root hash: .* is not padded standard base64"),
        ("o\n1\n{root_nopad}\n", "root hash: .* is not padded standard base64"),
        ("o\n1\n{root31}\n", "root hash is 31 bytes, expected 32"),
        ("o\n1\n{root_noncanon}\n", "not canonical base64"),
        ("o\n1\n{root}\next\n\nmore\n", "extension line 2 is empty"),
    ],
)
def test_malformed_checkpoint_bodies(key: SigningKey, verifier: VerifierKey, body: str, match: str) -> None:
    digest = hashlib.sha256(b"x").digest()
    root = base64.b64encode(digest).decode()
    body = body.format(
        root=root,
        root_url=base64.urlsafe_b64encode(b"\xfb" * 32).decode(),
        root_nopad=root.rstrip("="),
        root31=base64.b64encode(digest[:31]).decode(),
        root_noncanon=root[:-2] + chr(ord(root[-2]) + 1) + "=",
    )
    # Signed correctly: the body parser, not the signature check, must refuse it.
    assert verifier.verify_note(key.sign_note(body)) == body
    with pytest.raises(CheckpointError, match=match):
        open_checkpoint(key.sign_note(body), verifier)


def test_largest_size_is_accepted(key: SigningKey, verifier: VerifierKey) -> None:
    cp = Checkpoint("o", 2**64 - 1, ROOT)
    assert open_checkpoint(sign_checkpoint(cp, key), verifier).size == 2**64 - 1


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("", 1, ROOT), "origin: is empty"),
        (("a\nb", 1, ROOT), "origin: 'a\\\\nb' contains a newline"),
        (("a\tb", 1, ROOT), "contains control character"),
        ((5, 1, ROOT), "origin: expected a str, got int"),
        (("o", -1, ROOT), r"size: expected an int in \[0, 2\*\*64 - 1\], got -1"),
        (("o", 2**64, ROOT), "got 18446744073709551616"),
        (("o", True, ROOT), "got True"),
        (("o", "1", ROOT), "got '1'"),
        (("o", 1, ROOT[:31]), "root: is 31 bytes, expected 32"),
        (("o", 1, ROOT.hex()), "root: is str, expected 32 bytes"),
        (("o", 1, ROOT, ("",)), "extension line 1: is empty"),
        (("o", 1, ROOT, ["x"]), "extensions: expected a tuple of str, got list"),
    ],
)
def test_checkpoint_validated_on_construction(args: tuple[object, ...], match: str) -> None:
    with pytest.raises(CheckpointError, match=match):
        Checkpoint(*args)  # type: ignore[arg-type]


def test_checkpoint_is_frozen() -> None:
    cp = Checkpoint("o", 1, ROOT)
    with pytest.raises(AttributeError):
        cp.size = 2  # type: ignore[misc]


# --------------------------------------------------------------------------- key strings


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", r"got 1 '\+'-separated field"),
        ("name+c74f20a3", r"got 2 '\+'-separated field"),
        (GO_SIGNER, r"got a signer \(PRIVATE\+KEY\+...\) key string"),
        ("+c74f20a3+" + GO_KEY64, "key name '' is empty"),
        ("Peter Neumann+c74f20a3+" + GO_KEY64, "contains the space"),
        ("PeterNeumann+c74f20a+" + GO_KEY64, "key id 'c74f20a' is not 8 hex"),
        ("PeterNeumann+c74f20g3+" + GO_KEY64, "key id 'c74f20g3' is not 8 hex"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwx!", "public key: .* is not padded standard base64"),
        ("PeterNeumann+c74f20a3+" + _material(b"\x01", 31), "is 32 bytes, expected 33"),
        ("PeterNeumann+c74f20a3+" + _material(b"\x02", 32), "type 0x02 is not supported"),
        ("PeterNeumann+c74f20a4+" + GO_KEY64, "key id c74f20a4 does not match the key, expected c74f20a3"),
        ("PeterNeumann2+c74f20a3+" + GO_KEY64, "key id c74f20a3 does not match"),
    ],
)
def test_malformed_verifier_keys(text: str, match: str) -> None:
    with pytest.raises(CheckpointError, match=match):
        VerifierKey.from_string(text)


def test_verifier_key_accepts_upper_case_hex() -> None:
    assert VerifierKey.from_string(GO_VERIFIER.replace("c74f20a3", "C74F20A3")).key_id == 0xC74F20A3


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (GO_VERIFIER, r"expected a string starting with 'PRIVATE\+KEY\+'"),
        ("PRIVATE+KEY+PeterNeumann", r"got 1 '\+'-separated field"),
        (GO_SIGNER.replace("PeterNeumann", "Peter\u2003Neumann"), "contains the space"),
        (GO_SIGNER.replace("c74f20a3", "xyz"), "key id 'xyz' is not 8 hex digits"),
        (GO_SIGNER[:-4] + "%%%%", "seed: .* is not padded standard base64"),
        ("PRIVATE+KEY+n+00000000+" + _material(b"\x01", 33), "seed is 34 bytes, expected 33"),
        ("PRIVATE+KEY+n+00000000+" + _material(b"\x04", 32), "type 0x04 is not supported"),
        (
            GO_SIGNER.replace("c74f20a3", "00000000"),
            "key id 00000000 does not match the key, expected c74f20a3",
        ),
    ],
)
def test_malformed_signer_keys(text: str, match: str) -> None:
    with pytest.raises(CheckpointError, match=match):
        SigningKey.from_string(text)


@pytest.mark.parametrize(
    ("name", "match"),
    [("", "is empty"), ("a b", "contains the space"), ("a+b", "contains '\\+'"), ("a\x01", "control")],
)
def test_invalid_key_names(name: str, match: str) -> None:
    with pytest.raises(CheckpointError, match=match):
        SigningKey.generate(name)


def test_sign_note_refuses_bad_text(key: SigningKey) -> None:
    with pytest.raises(CheckpointError, match="must end with a newline, ends with 'x'"):
        key.sign_note("x")
    with pytest.raises(CheckpointError, match=r"control character '\\r'"):
        key.sign_note("a\r\n")


# --------------------------------------------------------------------------- key files


def test_key_file_is_private_and_round_trips(key: SigningKey, tmp_path: Path) -> None:
    path = tmp_path / "log.key"
    old_umask = os.umask(0)  # even a permissive umask must not widen the mode
    try:
        key.save(path)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == key.to_string() + "\n"
    loaded = SigningKey.load(path)
    assert loaded.seed == key.seed and loaded.key_id == key.key_id


def test_key_file_refuses_overwrite(key: SigningKey, tmp_path: Path) -> None:
    path = tmp_path / "log.key"
    path.write_text("precious")
    with pytest.raises(CheckpointError, match=f"{path} already exists; refusing to overwrite"):
        key.save(path)
    assert path.read_text() == "precious"


def test_key_file_in_missing_directory(key: SigningKey, tmp_path: Path) -> None:
    path = tmp_path / "nope" / "log.key"
    with pytest.raises(CheckpointError, match=f"signing key file {path}: cannot create"):
        key.save(path)


def test_load_missing_key_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.key"
    with pytest.raises(CheckpointError, match=f"signing key file {path} does not exist"):
        SigningKey.load(path)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("", "expected a string starting with"),
        (GO_VERIFIER + "\n", "expected a string starting with"),
        (GO_SIGNER + "\n\n", "is not padded standard base64"),
        (GO_SIGNER.replace("c74f20a3", "c74f20a4"), "does not match the key"),
    ],
)
def test_load_malformed_key_file(tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "bad.key"
    path.write_text(content)
    with pytest.raises(CheckpointError, match=f"signing key file {path}: .*{match}"):
        SigningKey.load(path)


def test_load_go_key_without_newline(tmp_path: Path) -> None:
    path = tmp_path / "go.key"
    path.write_text(GO_SIGNER)
    assert SigningKey.load(path).verifier_key() == GO_VERIFIER
