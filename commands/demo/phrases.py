"""The phrase bank's grammar, and the writer that composes note text from it."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from commands.demo import (
    phrases_care,
    phrases_concerns_a,
    phrases_concerns_b,
    phrases_decisions,
    phrases_general,
    phrases_meetings,
)

# --- the phrase bank ----------------------------------------------------------------------
#
# "@key" starts a section; "- " starts a fragment; indented lines continue it. A fragment may
# start with tags: an age range "[7-11]" (the child's age), the providers of third-party
# information it suits "<school,gp>", and conditions "(bad)", "(cp,cic)" (one of them must hold:
# how things are going, bad or good; a concern; the team: eh, assess, cin, cp, cic, cl; born or
# unborn). {placeholders} are filled from the note's context; a fragment whose placeholders
# cannot all be filled is skipped (e.g. one that names a partner, for a family without one).


_PHRASES = "\n".join([phrases_general.TEXT, phrases_concerns_a.TEXT, phrases_concerns_b.TEXT,
                       phrases_care.TEXT, phrases_meetings.TEXT, phrases_decisions.TEXT])

@dataclass(frozen=True)
class _Fragment:
    text: str
    lo: int | None
    hi: int | None
    providers: tuple[str, ...]
    conditions: tuple[frozenset[str], ...]


_TAG = re.compile(r"^(?:\[(\d*)-(\d*)\]|<([a-z_,]+)>|\(([a-z_,]+)\))\s*")


def _parse_phrases(text: str) -> dict[str, list[_Fragment]]:
    bank: dict[str, list[_Fragment]] = {}
    key: str | None = None
    current: list[str] = []

    def flush() -> None:
        if key is not None and current:
            bank[key].append(_fragment(" ".join(current)))
        current.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            flush()
            key = line[1:].strip()
            bank.setdefault(key, [])
        elif line.startswith("- "):
            flush()
            current.append(line[2:].strip())
        elif line.startswith(" ") and current:
            current.append(line.strip())
    flush()
    return bank


def _fragment(text: str) -> _Fragment:
    lo = hi = None
    providers: tuple[str, ...] = ()
    conditions: list[frozenset[str]] = []
    while (m := _TAG.match(text)) is not None:
        if m.group(3):
            providers = tuple(m.group(3).split(","))
        elif m.group(4):
            conditions.append(frozenset(m.group(4).split(",")))
        else:
            lo = int(m.group(1)) if m.group(1) else None
            hi = int(m.group(2)) if m.group(2) else None
        text = text[m.end():]
    return _Fragment(text, lo, hi, providers, tuple(conditions))


PHRASES = _parse_phrases(_PHRASES)


class _Context(dict[str, Any]):
    """Placeholder values for one note; a missing (or empty) value makes a fragment unusable."""

    def __missing__(self, key: str) -> Any:
        raise KeyError(key)


class _Writer:
    """Composes text from the phrase bank for one child, avoiding repeats on the same record."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def options(self, key: str, ctx: _Context, provider: str | None = None) -> list[tuple[str, str]]:
        out = []
        age = ctx.get("age")
        tags = ctx.get("tags", frozenset())
        for frag in PHRASES.get(key, ()):
            if not all(group & tags for group in frag.conditions):
                continue
            if frag.lo is not None or frag.hi is not None:
                if age is None or age < (frag.lo or 0) or (frag.hi is not None and age > frag.hi):
                    continue
            if provider is not None and provider not in frag.providers:
                continue
            try:
                out.append((frag.text, frag.text.format_map(ctx)))
            except KeyError:
                continue
        return out

    def one(self, key: str, ctx: _Context, provider: str | None = None) -> str:
        opts = self.options(key, ctx, provider)
        if not opts:
            return ""
        fresh = [o for o in opts if o[0] not in self.used] or opts
        template, text = self.rng.choice(fresh)
        self.used.add(template)
        return text

    def some(self, key: str, ctx: _Context, k: int) -> list[str]:
        out: list[str] = []
        for _ in range(k):
            text = self.one(key, ctx)
            if text and text not in out:
                out.append(text)
        return out
