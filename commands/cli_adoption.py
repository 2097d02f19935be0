"""``caseledger adoption match|link``: adoption matching and the sealed identity link. No rules here.

The rules are in :mod:`ledger.adoption`: matching restricts the record (a service manager or head
of service decides, policy s.11); the link between the birth and adoptive identities is sealed
under the adoption key and opened for the adoption team only.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from commands.files import LONG_TEXT, LONG_TEXT_HELP
from commands.group import Context, cli, common, parse_day
from ledger.adoption import AdoptionKey
from ledger.storage import backend_for

__all__ = ["adoption"]


def adoption_key_option(func: Callable[..., Any]) -> Callable[..., Any]:
    @click.option("--adoption-key", "adoption_key", envvar="CASELEDGER_ADOPTION_KEY", default=None,
                  metavar="PATH", help="The adoption key file (default: next to a SQLite ledger, "
                                       "DB.adoption-key; else ./caseledger.adoption-key). Never stored in the "
                                       "database; keep a copy with the signing key.")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)
    return wrapper


def adoption_key_path(ctx: Context, given: str | None) -> Path:
    if given:
        return Path(given)
    backend = backend_for(ctx.db)
    if backend.kind == "sqlite":
        return Path(backend.display).with_suffix(".adoption-key")
    return Path("caseledger.adoption-key")


@cli.group()
def adoption() -> None:
    """Adoption: matching (restricts the record) and the sealed link of birth and adoptive identities."""


@adoption.command("match")
@common
@adoption_key_option
@click.argument("case_id")
@click.option("--adoptive-name", required=True, help="The child's name in the adoptive family.")
@click.option("--adopters", required=True, help="Who the child is matched with.")
@click.option("--matched-on", "matched_on", required=True, help="The date of the match (YYYY-MM-DD).")
@click.option("--reason", required=True, type=LONG_TEXT,
              help="Why, in words (for example the panel's decision)." + LONG_TEXT_HELP)
def adoption_match(ctx: Context, adoption_key: str | None, case_id: str, adoptive_name: str, adopters: str,
                   matched_on: str, reason: str) -> None:
    """Record that a looked-after child is matched with adopters (a service manager or head of service).

    The record is restricted (adoption) by the same event, and the adoptive identity is sealed
    under the adoption key: only the adoption team can open the link. The key is created on the
    first match if there is none.

    \b
    Example:  caseledger adoption match 3f2a --as helen.cole --adoptive-name 'Amelia Whitfield' \\
                --adopters 'Mr and Mrs Whitfield' --matched-on 2026-11-02 --reason 'matched by the panel today'
    """
    path = adoption_key_path(ctx, adoption_key)
    created = not path.exists()
    key = AdoptionKey.generate() if created else AdoptionKey.load(path)
    day = parse_day(matched_on, "--matched-on")
    assert day is not None
    if created:  # written before the match, so that no link is ever sealed under a key that is lost
        key.save(path)
    try:
        case = ctx.ledger.adoption.match(ctx.acting, case_id, key=key, adoptive_name=adoptive_name,
                                         adopters=adopters, matched_on=day, reason=reason)
    except BaseException:
        if created and os.path.exists(path):
            path.unlink()  # nothing was sealed under it
        raise
    note = f"\nCreated the adoption key at {path}: keep a copy with the signing key." if created else ""
    ctx.out({"case_id": case.id, "restricted": case.restriction["kind"], "adoption_key": str(path),
             "key_created": created},
            f"Matched for adoption on {day}; the record is restricted (adoption) and the adoptive identity "
            f"is sealed (adoption key {key.key_id}).{note}")


@adoption.command("link")
@common
@adoption_key_option
@click.argument("case_id")
def adoption_link(ctx: Context, adoption_key: str | None, case_id: str) -> None:
    """Show the link between a child's birth and adoptive identities (the adoption team only).

    \b
    Example:  caseledger adoption link 3f2a --as ada.lowe
    """
    key = AdoptionKey.load(adoption_key_path(ctx, adoption_key))
    link = ctx.ledger.adoption.link(ctx.acting, case_id, key=key, purpose=ctx.purpose)
    ctx.out(link, lambda: (f"Birth name: {link['birth_name']}\nAdoptive name: {link['adoptive_name']}\n"
                           f"Adopters: {link['adopters']}\nMatched on {link['matched_on']} "
                           f"(recorded by {link['matched_by']})"))
