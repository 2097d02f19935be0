"""Typed fields for the records whose details are data (milestones, casework records).

Each kind of record declares its fields once, as :class:`Field` values; :func:`check_details`
validates and normalises a details mapping against them (required fields present, types
right, choices known, no unknown field) and :func:`parse_text` turns the command line's
``key=value`` text into typed values. One declaration serves the rules, the CLI's parsing
and its generated help.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.errors import RuleViolation
from ledger.timescales import LONDON

__all__ = ["Field", "check_details", "describe", "parse_text"]

TYPES = ("text", "date", "datetime", "bool", "int", "choice", "text_list", "sha256", "staff_id")
_SHA256 = re.compile(r"\A[0-9a-f]{64}\Z")


@dataclass(frozen=True)
class Field:
    """One field of a kind of record: its name, type, whether required, and what it means."""

    name: str
    type: str = "text"
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"field {self.name}: unknown type {self.type!r} (one of {', '.join(TYPES)})")
        if (self.type == "choice") != bool(self.choices):
            raise ValueError(f"field {self.name}: choices go with type 'choice' only")


def check_details(what: str, fields: Sequence[Field], details: Mapping[str, Any]) -> dict[str, Any]:
    """Validated, normalised details for ``what`` (e.g. "a hazard"), or a RuleViolation."""
    known = {f.name: f for f in fields}
    unknown = sorted(set(details) - set(known))
    if unknown:
        raise RuleViolation(
            f"{what} has no field {', '.join(repr(u) for u in unknown)}; its fields are: "
            f"{', '.join(known)}"
        )
    out: dict[str, Any] = {}
    for f in fields:
        value = details.get(f.name)
        if value is None or (isinstance(value, str) and not value.strip()) or value == []:
            if f.required:
                raise RuleViolation(f"{f.name} is required for {what}" + (f" ({f.help})" if f.help else ""))
            continue
        out[f.name] = _coerce(what, f, value)
    return out


def _coerce(what: str, f: Field, value: Any) -> Any:
    def bad(expected: str) -> RuleViolation:
        return RuleViolation(f"{f.name} for {what} must be {expected}, got {value!r}")

    if isinstance(value, str) and f.type not in ("text", "choice", "sha256", "staff_id"):
        value = parse_text(f, value)
    if f.type in ("text", "staff_id"):
        if not isinstance(value, str):
            raise bad("text")
        return value.strip()
    if f.type == "choice":
        text = getattr(value, "value", value)
        if text not in f.choices:
            raise RuleViolation(f"{f.name} for {what} must be one of: {', '.join(f.choices)}; got {text!r}")
        return text
    if f.type == "date":
        if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
            raise bad("a date (YYYY-MM-DD)")
        return value
    if f.type == "datetime":
        if not isinstance(value, _dt.datetime) or value.tzinfo is None:
            raise bad("a date and time with a time zone")
        return value
    if f.type == "bool":
        if not isinstance(value, bool):
            raise bad("yes or no")
        return value
    if f.type == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("a whole number")
        return value
    if f.type == "text_list":
        if isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
            raise bad("a list of text")
        return [v.strip() for v in value if v.strip()]
    if f.type == "sha256":
        if not isinstance(value, str) or not _SHA256.match(value.lower()):
            raise bad("a SHA-256 in 64 hex digits")
        return value.lower()
    raise AssertionError(f.type)  # pragma: no cover - Field.__post_init__ refuses other types


def parse_text(f: Field, text: str) -> Any:
    """The typed value of ``text`` as typed on the command line for field ``f``."""
    text = text.strip()
    try:
        if f.type == "date":
            return _dt.date.fromisoformat(text)
        if f.type == "datetime":
            when = _dt.datetime.fromisoformat(text.replace("T", " "))
            return when.replace(tzinfo=LONDON) if when.tzinfo is None else when
        if f.type == "bool":
            lowered = text.lower()
            if lowered in ("yes", "y", "true", "1"):
                return True
            if lowered in ("no", "n", "false", "0"):
                return False
            raise ValueError(text)
        if f.type == "int":
            return int(text)
        if f.type == "text_list":
            return [part.strip() for part in text.split(";") if part.strip()]
    except ValueError:
        expected = {"date": "a date like 2026-11-21", "datetime": "a date and time like '2026-11-21 14:30'",
                    "bool": "yes or no", "int": "a whole number"}.get(f.type, f.type)
        raise RuleViolation(f"{f.name}: {text!r} is not {expected}") from None
    return text


def describe(fields: Sequence[Field]) -> str:
    """One line per field, for generated help text."""
    lines = []
    for f in fields:
        kind = f"one of {', '.join(f.choices)}" if f.type == "choice" else f.type.replace("_", " ")
        if f.type == "text_list":
            kind += " (separate items with ';')"
        lines.append(f"{f.name} ({kind}{', required' if f.required else ''}){': ' + f.help if f.help else ''}")
    return "\n".join(lines)
