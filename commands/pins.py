"""Verifier keys pinned at ``init``, in a per-user file outside the ledger's folder.

The trust rule: a checkpoint is only as good as the key that checks it. The signing key file
sits beside the database, so whoever can write the database's folder can replace that file and
re-sign every checkpoint. ``caseledger init`` (and ``caseledger demo``) therefore records the
ledger's **verifier key** (public, nothing secret) in ``verifiers.toml`` under the user's
configuration folder, keyed by the ledger's location (an absolute SQLite path, or a PostgreSQL
``user@host:port/db`` and schema without password) and noting its origin. ``caseledger verify``
without ``--verifier-key`` then checks against that pinned key, not the key file; a key file
whose verifier differs from the pin was replaced.

Where: ``$CASELEDGER_CONFIG_DIR/verifiers.toml`` if set, else
``$XDG_CONFIG_HOME/caseledger/verifiers.toml``, else ``~/.config/caseledger/verifiers.toml``.

A pin is never overwritten silently: :func:`pin` refuses a different key for a pinned location
unless told to replace it. A pin protects against a replaced key file only while the
configuration folder is out of the attacker's reach (another user's home, a read-only mount);
an auditor's own copy of the verifier key (``--verifier-key``) remains the stronger check.
"""

from __future__ import annotations

import datetime as _dt
import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from commands.files import FileProblem
from ledger.errors import CheckpointError, RuleViolation
from ledger.integrity.checkpoint import SigningKey, VerifierKey
from ledger.storage import Backend

CONFIG_DIR_ENV = "CASELEDGER_CONFIG_DIR"
PINS_FILE = "verifiers.toml"


def config_dir() -> Path:
    """The per-user configuration folder (see the module docstring)."""
    if os.environ.get(CONFIG_DIR_ENV):
        return Path(os.environ[CONFIG_DIR_ENV]).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "caseledger"


def pins_file() -> Path:
    return config_dir() / PINS_FILE


def ledger_location(backend: Backend) -> str:
    """The key a ledger is pinned under: one string per ledger, whatever spelling opened it."""
    if backend.kind == "sqlite":
        return str(Path(backend.display).expanduser().resolve())
    env = backend.env
    location = (f"postgresql://{env['POSTGRES_USER']}@{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}/"
                f"{env['POSTGRES_DBNAME']}")
    return location + (f"?schema={env['POSTGRES_SCHEMA']}" if env.get("POSTGRES_SCHEMA") else "")


@dataclass(frozen=True)
class Pin:
    """One ledger's pinned verifier key."""

    location: str
    origin: str
    verifier_key: str
    pinned_at: str


def read_pins(path: Path | None = None) -> dict[str, Pin]:
    """Every pin in the file, by location (none when the file does not exist)."""
    path = path or pins_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as e:
        raise FileProblem(f"the pinned verifier keys file {path} cannot be read: {e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise FileProblem(f"the pinned verifier keys file {path} is not valid TOML: {e}") from None
    pins: dict[str, Pin] = {}
    for i, entry in enumerate(data.get("ledger", []), 1):
        fields = ("location", "origin", "verifier_key", "pinned_at")
        if not isinstance(entry, dict) or not all(isinstance(entry.get(f), str) for f in fields):
            raise FileProblem(f"the pinned verifier keys file {path}: [[ledger]] entry {i} must hold the "
                              f"strings {', '.join(fields)}")
        pins[entry["location"]] = Pin(*(entry[f] for f in fields))
    return pins


def pinned(backend: Backend) -> Pin | None:
    """The pin for this ledger, or None."""
    return read_pins().get(ledger_location(backend))


def check_key(backend: Backend, key_file: Path, *, replace: bool, flag: str) -> None:
    """Before init or demo makes or uses ``key_file``: refuse (:class:`RuleViolation`) when another key is
    pinned for the ledger (a missing key file would be a new key, so it differs too), unless ``replace``."""
    if replace:
        return
    old = pinned(backend)
    if old is None:
        return
    if not key_file.exists():
        raise _refusal(old, f"there is no signing key at {key_file} (a new one would be made)", flag)
    try:
        current = SigningKey.load(key_file).verifier_key()
    except CheckpointError as e:
        raise _refusal(old, f"its signing key file cannot be used ({e})", flag) from None
    if current != old.verifier_key:
        raise _refusal(old, f"its signing key {key_file} is {current}", flag)


def _refusal(old: Pin, observed: str, flag: str) -> RuleViolation:
    return RuleViolation(
        f"the ledger at {old.location} has the verifier key {old.verifier_key} pinned in {pins_file()} "
        f"(at {old.pinned_at}), but {observed}: a pinned key is never replaced silently. If you made a new "
        f"ledger or key here on purpose, run again with {flag}; otherwise the key file was replaced or lost "
        "(keep the pinned key, and restore the key file that matches it)")


def pin(backend: Backend, origin: str, verifier_key: str, *, replace: bool, flag: str) -> tuple[Pin, str]:
    """Pin ``verifier_key`` for the ledger; return the pin and what happened ("pinned", "already pinned",
    "re-pinned"). A different key already pinned is refused (:class:`RuleViolation`) unless ``replace``;
    ``flag`` names the option that replaces it, for the message."""
    path = pins_file()
    location = ledger_location(backend)
    with _locked(path):
        pins = read_pins(path)
        old = pins.get(location)
        if old is not None and old.verifier_key == verifier_key:
            return old, "already pinned"
        if old is not None and not replace:
            raise _refusal(old, f"its signing key is {verifier_key}", flag)
        now = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
        pins[location] = Pin(location, origin, verifier_key, now)
        _write(path, pins)
        return pins[location], "re-pinned" if old is not None else "pinned"


@dataclass(frozen=True)
class VerifierChoice:
    """The key ``verify`` checks against when no ``--verifier-key`` is given, and why."""

    verifier: VerifierKey
    pin: Pin | None  # None: no pin for this ledger, so the key file's own verifier (trusted as it is)
    key_file: Path
    replaced: str = ""  # the key file is not the pinned key: what was found


def choose_verifier(backend: Backend, key_file: Path) -> VerifierChoice:
    """The pinned verifier key for this ledger, checked against the key file beside it; without a pin, the
    key file's verifier (:class:`CheckpointError` when that file is missing)."""
    found = pinned(backend)
    if found is None:
        if not key_file.exists():
            raise CheckpointError(f"missing key: no verifier key given (--verifier-key), none pinned for "
                                  f"{ledger_location(backend)} in {pins_file()}, and no signing key at "
                                  f"{key_file} (--key)")
        return VerifierChoice(SigningKey.load(key_file).verifier(), None, key_file)
    try:
        verifier = VerifierKey.from_string(found.verifier_key)
    except CheckpointError as e:
        raise FileProblem(f"the verifier key pinned for {found.location} in {pins_file()} is not a verifier "
                          f"key: {e}") from None
    if not key_file.exists():
        return VerifierChoice(verifier, found, key_file)
    try:
        current = SigningKey.load(key_file).verifier_key()
    except CheckpointError as e:
        return VerifierChoice(verifier, found, key_file, f"it cannot be read as a signing key ({e})")
    if current != found.verifier_key:
        return VerifierChoice(verifier, found, key_file, f"its verifier key is {current}")
    return VerifierChoice(verifier, found, key_file)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer of the pins file at a time (POSIX; elsewhere the last writer wins)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise FileProblem(f"cannot create the folder {path.parent} for pinned verifier keys: {e}") from None
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _toml_string(text: str) -> str:
    """A TOML basic string (quotes, backslashes and control characters escaped)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _write(path: Path, pins: dict[str, Pin]) -> None:
    lines = ["# caseledger: the verifier key (public) of each ledger, pinned at init.",
             "# caseledger verify checks against it rather than the key file beside the ledger.", ""]
    for p in sorted(pins.values(), key=lambda p: p.location):
        lines += ["[[ledger]]", f"location = {_toml_string(p.location)}", f"origin = {_toml_string(p.origin)}",
                  f"verifier_key = {_toml_string(p.verifier_key)}", f"pinned_at = {_toml_string(p.pinned_at)}", ""]
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text("\n".join(lines), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise FileProblem(f"cannot write the pinned verifier keys file {path}: {e}") from None
