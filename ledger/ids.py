"""Stream ids as people type them: a UUID, or its first few hex digits when they name one stream."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from ledger.errors import NotFound

__all__ = ["resolve_prefix"]


def resolve_prefix(value: uuid.UUID | str, candidates: Callable[[], Iterable[uuid.UUID]], what: str) -> uuid.UUID:
    """``value`` as a UUID: itself, or the one candidate whose id starts with it (at least 4 hex digits).

    ``what`` names the kind of stream in messages ("case record", "roll-back request").
    """
    if isinstance(value, uuid.UUID):
        return value
    text = str(value).strip().lower()
    try:
        return uuid.UUID(text)
    except ValueError:
        pass
    if len(text) < 4 or any(c not in "0123456789abcdef-" for c in text):
        id_of = {"case record": "case id", "case note": "case note id", "record": "record id"}.get(
            what, f"{what.split()[0]} id")
        raise NotFound(f"{value!r} is not a {id_of} (a UUID, or at least its first 4 hex digits)")
    matches = [i for i in candidates() if str(i).startswith(text)]
    if not matches:
        raise NotFound(f"no {what} whose id starts with {text!r}")
    if len(matches) > 1:
        raise NotFound(f"{len(matches)} {what}s have ids starting with {text!r}; give more digits")
    return matches[0]
