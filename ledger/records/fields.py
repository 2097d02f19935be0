"""Fields: the rules for text, dates and times every command takes, and typed fields for records
whose details are data.

Text (one place, used by every command: case open, staff, notes, decisions, milestones,
casework records, roll-backs, restrictions, reviews):

* Every text field is stripped of surrounding whitespace before it is stored (normalised, not
  refused), and may not contain control characters (Unicode Cc), invisible format characters
  (Cf: bidirectional overrides and isolates U+202A-U+202E, U+2066-U+2069, marks, BOM, soft
  hyphen; only the zero-width joiner and non-joiner U+200C, U+200D, which some scripts need to
  spell names, are kept), line or paragraph separators (U+2028, U+2029) or lone surrogates.
* A single-line field (names, teams, designations, sources, reasons, purposes: anything shown on
  one line of a list, a chronology or a report) is one line: no line break and no tab.
* A multi-line field (:data:`MULTI_LINE_FIELDS`: a note's facts, analysis and actions, the
  child's views, a decision's reasons, a summary's sections, ...) keeps line breaks and tabs; a
  Windows line end (CR LF) is stored as LF; a lone CR is refused.
* A reason that explains (:func:`explained_reason`: every reason: deletion, amendment, roll-back,
  decline, restriction, closure, allocation, a staff member leaving, lateness (``late_reason``),
  and the reasons of milestones and records, declared as fields of type ``"reason"``; purposes
  of self-claims and break-glass) has at least :data:`MIN_REASON_WORDS` words that contain
  letters and :data:`MIN_REASON_LETTERS` letters in all: ``a b c`` or ``x.`` do not explain
  anything. Where a reason is optional, none may be given; one that is given must explain.

Dates and times (every command that takes one): a moment has a time zone (:func:`aware`); an
entry is dated by the event, which has to have happened, so its moment is not in the future
(:func:`not_future`, up to :data:`FUTURE_TOLERANCE` of clock drift); a calendar date is a date,
not a moment (:func:`calendar_date`).

Each kind of record declares its fields once, as :class:`Field` values; :func:`check_details`
validates and normalises a details mapping against them (required fields present, types
right, choices known, no unknown field) and :func:`parse_text` turns the command line's
``key=value`` text into typed values. One declaration serves the rules, the CLI's parsing
and its generated help.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.errors import RuleViolation
from ledger.integrity.topics import stored_as
from ledger.records.timescales import LONDON

__all__ = [
    "FUTURE_TOLERANCE",
    "MIN_REASON_LETTERS",
    "MIN_REASON_WORDS",
    "MULTI_LINE_FIELDS",
    "Field",
    "aware",
    "calendar_date",
    "check_details",
    "describe",
    "explained_reason",
    "explains",
    "is_multi_line",
    "not_future",
    "parse_text",
    "reason_problem",
    "text_field",
]

#: A reason that explains: at least this many words with letters in them ...
MIN_REASON_WORDS = 3
#: ... and at least this many letters in all.
MIN_REASON_LETTERS = 12

#: The text fields that keep line breaks (free narrative). Every other text field is one line.
MULTI_LINE_FIELDS = frozenset({
    # case notes (policy s.7, Appendix 1)
    "facts", "analysis", "actions", "child_views",
    # decisions
    "decision", "reasons", "risks_considered", "why_not",
    # casework records and milestones: their narrative sections
    "description", "findings", "engagement", "how_handled", "information", "legal_advice",
    "life_for_the_child", "new_issues", "notes", "outcome", "progress_against_care_plan",
    "reasoning", "request", "strengths", "focus_next_three_months", "what", "what_happened",
    "in_their_own_words", "concern", "concerns", "how_obtained", "scope",
})
#: Format characters some scripts need inside a word (Persian, Indic scripts, emoji sequences).
_KEPT_FORMAT = frozenset({"\u200c", "\u200d"})
_CONTROL_NAMES = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab", "\x00": "a NUL character",
                  "\x07": "a bell character (BEL)", "\x1b": "an escape character (ESC)",
                  "\x08": "a backspace (BS)", "\x7f": "a delete character (DEL)"}

TYPES = ("text", "reason", "date", "datetime", "bool", "int", "choice", "text_list", "sha256", "staff_id")
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

    if isinstance(value, str) and f.type not in ("text", "reason", "choice", "sha256", "staff_id"):
        value = parse_text(f, value)
    if f.type == "reason":
        if not isinstance(value, str):
            raise bad("text")
        return explained_reason(f.name, value, what)
    if f.type in ("text", "staff_id"):
        if not isinstance(value, str):
            raise bad("text")
        return text_field(f.name, value, multi_line=f.type == "text" and is_multi_line(f.name))
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
        items = [text_field(f"{f.name}[{i}]", v, multi_line=False) for i, v in enumerate(value)]
        return [v for v in items if v]
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
        if f.type == "reason":
            kind = f"text that explains: at least {MIN_REASON_WORDS} words and {MIN_REASON_LETTERS} letters"
        if f.type == "text_list":
            kind += " (separate items with ';')"
        lines.append(f"{f.name} ({kind}{', required' if f.required else ''}){': ' + f.help if f.help else ''}")
    return "\n".join(lines)


# --- text: the one place that says what a text field may hold ---------------------------


def is_multi_line(field: str) -> bool:
    """Whether ``field`` keeps line breaks (see :data:`MULTI_LINE_FIELDS`; any other is one line)."""
    return field.rsplit(".", 1)[-1].split("[", 1)[0] in MULTI_LINE_FIELDS


def _describe_char(c: str) -> str:
    code = f"U+{ord(c):04X}"
    named = _CONTROL_NAMES.get(c)
    if named:
        return f"{named} ({code})"
    category = unicodedata.category(c)
    name = unicodedata.name(c, "")
    if c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c":
        return f"the bidirectional control {code} ({name}), which changes how the text around it is shown"
    if category == "Cc":
        return f"the control character {code}"
    if category in ("Zl", "Zp"):
        return f"a {'line' if category == 'Zl' else 'paragraph'} separator ({code})"
    if category == "Cs":
        return f"a lone surrogate ({code})"
    return f"the invisible format character {code}" + (f" ({name})" if name else "")


def _refused_char(c: str, multi_line: bool) -> bool:
    if c in "\n\t":
        return not multi_line
    category = unicodedata.category(c)
    if category == "Cf":
        return c not in _KEPT_FORMAT
    return category in ("Cc", "Zl", "Zp", "Cs")


def text_field(field: str, value: Any, *, required: bool = False, rule: str = "",
               multi_line: bool | None = None) -> str:
    """``value`` as stored text for ``field``: stripped, and refused when it holds a character its kind of
    field may not (see the module docstring). ``rule`` ends the "is required" message (" when ...").
    ``multi_line`` overrides :func:`is_multi_line`."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise RuleViolation(f"{field} must be text, got {type(value).__name__}", field=field)
    multi = is_multi_line(field) if multi_line is None else multi_line
    if multi:
        value = value.replace("\r\n", "\n")
    for c in value:
        if _refused_char(c, multi):
            kind = ("multi-line text keeps line breaks and tabs but no other control or invisible characters"
                    if multi else "names and single-line fields are one line, with no control or invisible "
                    "characters")
            raise RuleViolation(f"{field} may not contain {_describe_char(c)}; {kind}", field=field)
    value = value.strip()
    if required and not value:
        raise RuleViolation(f"{field} is required{rule}", field=field)
    return str(value)


def _reason_counts(text: str) -> tuple[int, int]:
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    return len(words), sum(ch.isalpha() for ch in text)


def reason_problem(text: str) -> str:
    """Why ``text`` does not explain (empty when it does): too few words with letters, or letters."""
    words, letters = _reason_counts(text)
    if words >= MIN_REASON_WORDS and letters >= MIN_REASON_LETTERS:
        return ""
    return (f"at least {MIN_REASON_WORDS} words and {MIN_REASON_LETTERS} letters; it has "
            f"{words} word{'' if words == 1 else 's'} and {letters} letter{'' if letters == 1 else 's'}")


def explains(text: str) -> bool:
    """Whether ``text`` is a reason that explains (a purpose, a reason): see :func:`reason_problem`."""
    try:
        cleaned = text_field("reason", text, multi_line=False)
    except RuleViolation:
        return False
    return not reason_problem(cleaned)


def explained_reason(field: str, value: Any, what: str, *, required: bool = True) -> str:
    """A reason that explains, for ``what`` ("deleting a case note"): one line, at least
    :data:`MIN_REASON_WORDS` words with letters and :data:`MIN_REASON_LETTERS` letters.
    Not ``required``: an empty reason is returned empty, but one that is given must explain."""
    text = text_field(field, value, required=required, rule=f" when {what}")
    if not text and not required:
        return text
    problem = reason_problem(text)
    if problem:
        raise RuleViolation(f"{what} needs a {field} that explains why ({problem}); got {text!r}", field=field)
    return text


#: Entries dated by a moment, not a day: a case note (a visit, a call, a meeting), a decision, the point
#: of a roll-back. Their order in the record is their order in time, so a date alone is refused.
NEEDS_A_TIME = {"case note": "a case note", "decision": "a decision", "roll-back point": "a roll-back's point"}


def require_time(field: str, text: str, entry: str) -> None:
    """Refuse ``text`` when it is a date with no time, for an ``entry`` (a key of :data:`NEEDS_A_TIME`)."""
    try:
        _dt.date.fromisoformat(text.strip())
    except ValueError:
        return
    raise RuleViolation(
        f"{field} {text.strip()!r} is a date with no time: {NEEDS_A_TIME[entry]} is dated by the moment it "
        "happened, e.g. '2026-11-21 14:30' (London time)", field=field)


# --- dates and times a command takes ---------------------------------------------------------

#: How far in the future a time may be before it is refused (clock drift between machines).
FUTURE_TOLERANCE = _dt.timedelta(minutes=5)


def calendar_date(field: str, value: Any) -> _dt.date:
    """A calendar date (a datetime is refused: it would compare and store as a moment)."""
    if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
        raise RuleViolation(f"{field} must be a date, got {value!r}", field=field)
    return value


def aware(field: str, value: Any) -> _dt.datetime:
    if not isinstance(value, _dt.datetime):
        raise RuleViolation(f"{field} must be a date and time, got {value!r}", field=field)
    if value.tzinfo is None or value.utcoffset() is None:
        raise RuleViolation(f"{field} {value.isoformat()} needs a time zone", field=field)
    return value


def not_future(field: str, value: Any, now: _dt.datetime) -> _dt.datetime:
    value = aware(field, value)
    if value > now + FUTURE_TOLERANCE:
        raise RuleViolation(
            f"{field} {value.isoformat(timespec='minutes')} is in the future; "
            f"entries are dated by the event, which has to have happened (now is "
            f"{now.isoformat(timespec='minutes')})", field=field
        )
    return value  # type: ignore[no-any-return]  # aware() checked it is a datetime


stored_as(__name__, "ledger.fields")  # its classes keep the topics they were first stored under
