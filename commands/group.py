"""The ``caseledger`` click group and what every command module shares: the context a command gets
(who acts, the ledger opened for it), the options every command takes (``@common``), the key
options, and the parsing of dates and times.

The commands register on the group from their modules: :mod:`commands.cli` (init, verify, staff,
cases, notes, decisions, evidence, the demo) and the ``commands.cli_*`` modules, which import this
module and never :mod:`commands.cli`; :mod:`commands.cli` imports them all, so ``commands.cli:cli``
(and ``commands.cli:main``, the ``caseledger`` entry point) is the group with every command on it.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from commands.render import dumps
from ledger.access.policy import BreakGlassBasis, Part
from ledger.application import LONDON, CaseLedger
from ledger.channel import Channel
from ledger.errors import CheckpointError, LedgerError
from ledger.integrity.checkpoint import SigningKey, VerifierKey
from ledger.records.fields import require_time
from ledger.storage import ReadOnlyLedger, backend_for

__all__ = ["RECORDS", "WRITES", "Context", "case", "cli", "common", "field_flags", "in_flags", "key_option",
           "key_path", "needs_write_access", "opens_read_only", "parse_day", "parse_when", "resolve_verifier",
           "stderr_console"]


class Context:
    def __init__(self, db: str | None, as_json: bool, acting: str | None, purpose: str = "",
                 basis: str | None = None) -> None:
        self.db = db
        self.json = as_json
        self.acting = acting
        self.purpose = purpose or ""
        self.basis = basis
        self.create = False  # only init and demo create a ledger
        self.read_only = False  # set by @opens_read_only: the commands that record nothing
        self._ledger: CaseLedger | None = None

    def read(self, case_id: str, part: Part | str, item: str = "") -> Any:
        """The case, for the acting person to read ``part`` of it: decided by the access policy and
        recorded in the access log first (a denial exits 1 with the rule, and nothing of the record)."""
        return self.ledger.access.open_record(self.acting, case_id, part, purpose=self.purpose, basis=self.basis,
                                              item=item)

    @property
    def ledger(self) -> CaseLedger:
        if self._ledger is None:
            try:
                self._ledger = CaseLedger(self.db, create=self.create, read_only=self.read_only,
                                          channel=self.channel())
            except ReadOnlyLedger as e:
                raise ReadOnlyLedger(needs_write_access(e.where) if e.where else str(e)) from None
        return self._ledger

    @staticmethod
    def channel() -> Channel:
        """This process and command, stamped on every event the command writes (:mod:`ledger.channel`)."""
        command = click.get_current_context(silent=True)
        return Channel.this_process("cli", command.command_path if command is not None else "caseledger")

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()

    def out(self, data: Any, text: str | Callable[[], str]) -> None:
        if self.json:
            click.echo(dumps(data))
        else:
            click.echo(text() if callable(text) else text)


def common(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --db, --json and --as to a command and hand it a :class:`Context`."""

    @click.option("--db", envvar="CASELEDGER_DB", default=None, metavar="PATH|URL",
                  help="SQLite file (default ./caseledger.db) or postgresql:// URL.")
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")
    @click.option("--as", "acting", envvar="CASELEDGER_USER", default=None, metavar="STAFF_ID",
                  help="Who is acting (staff id).")
    @click.option("--purpose", "purpose", default="", metavar="TEXT",
                  help="Why you are opening a record you are not on (recorded, and reviewed by a manager).")
    @click.option("--break-glass", "basis", default=None, type=click.Choice([b.value for b in BreakGlassBasis]),
                  help="Emergency access to a restricted record (a child at immediate risk), with --purpose: "
                       "recorded and alerted to the service manager.")
    @functools.wraps(func)
    def wrapper(db: str | None, as_json: bool, acting: str | None, purpose: str, basis: str | None,
                **kwargs: Any) -> Any:
        ctx = Context(db, as_json, acting, purpose, basis)
        ctx.read_only = getattr(func, "opens_read_only", False)
        command = click.get_current_context().command
        click.get_current_context().obj = ctx
        try:
            return func(ctx, **kwargs)
        except LedgerError as e:
            in_flags(e, command, getattr(func, "field_flags", {}))
            raise
        finally:
            ctx.close()

    return wrapper


def opens_read_only(func: Callable[..., Any]) -> Callable[..., Any]:
    """Open the ledger read-only for this command (put it under ``@common``), so that it runs on a
    read-only copy (an auditor's): only for a command that writes nothing through that ledger (``verify``
    records the verification started through a ledger of its own, opened for writing just for that,
    when it can)."""
    func.opens_read_only = True  # type: ignore[attr-defined]
    return func


#: What a command writes, for the message when the ledger is read-only (default: :data:`RECORDS`).
WRITES = {"init": "the ledger's tables and first checkpoint", "checkpoint": "a signed checkpoint",
          "demo": "a demo borough", "staff add": "a staff member",
          **{f"projections {c}": "the projections' tables and positions" for c in ("status", "rebuild", "run")}}
RECORDS = "an access attempt for each record it reads (and any change it makes)"


def needs_write_access(where: str) -> str:
    """The one line when a command that writes meets a ledger it cannot write."""
    current = click.get_current_context(silent=True)
    command = " ".join(current.command_path.split()[1:]) if current is not None else ""
    return (f"the ledger at {where} is read-only; caseledger {command} records "
            f"{WRITES.get(command, RECORDS)} and needs write access")


def field_flags(**flags: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Name the flag of a ledger field whose option is spelt otherwise (``date_of_birth="--dob"``);
    put it under ``@common``. Options whose parameter is the ledger's field name need nothing."""

    def mark(func: Callable[..., Any]) -> Callable[..., Any]:
        func.field_flags = flags  # type: ignore[attr-defined]
        return func

    return mark


def in_flags(error: LedgerError, command: click.Command, overrides: dict[str, str]) -> None:
    """Rewrite ``error``'s message to name the flags the user typed (``--child``), not the ledger's field
    names (``child_name``): the fields the error names (``error.fields``), and any field name with an
    underscore (never an English word) that is one of the command's options. A one-word field whose flag
    is the same word (``reason``, ``--reason``) is left as the word."""
    flags = {p.name: next(o for o in sorted(p.opts, key=len, reverse=True))
             for p in command.params if isinstance(p, click.Option) and p.name}
    flags = {name: flag for name, flag in flags.items() if flag.startswith("--")}
    flags.update(overrides)
    named = set(getattr(error, "fields", ()))
    message = str(error)
    for name in sorted(flags, key=len, reverse=True):
        if (name in named or "_" in name) and flags[name] != f"--{name}":  # "reason" reads as typed
            message = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", flags[name], message)
    if message != str(error):
        error.args = (message,)


def parse_when(value: str | None, field: str, entry: str | None = None) -> _dt.datetime | None:
    """'2026-11-21 14:30' (London time) or ISO 8601 with an offset. ``entry`` (a kind of entry the ledger
    dates by a moment, :data:`ledger.records.fields.NEEDS_A_TIME`): a date alone is refused."""
    if value is None:
        return None
    if entry is not None:
        require_time(field, value, entry)
    try:
        when = _dt.datetime.fromisoformat(value.strip().replace("T", " "))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date and time like '2026-11-21 14:30'",
                                 param_hint=field) from None
    return when.replace(tzinfo=LONDON) if when.tzinfo is None else when


def parse_day(value: str | None, field: str) -> _dt.date | None:
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-21", param_hint=field) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="caseledger")
def cli() -> None:
    """caseledger: an audit-grade case ledger for children's social care.

    \b
    Start with:  caseledger demo --replace     (a demo borough in ./caseledger.db)
    Then:        caseledger verify

    Who acts: the command line acts as whoever --as (or CASELEDGER_USER) names, and checks no
    password: anyone who can run caseledger against a ledger can act as anyone. That is
    acceptable only for the person who holds the database itself (its administrator, a demo, a
    test). Every event written through the command line records the operating-system user,
    host, process and command that ran it, so that an investigator can tell it from a signed-in
    action; signed-in identity comes with the HTTP API.

    Long texts (--facts, --analysis, --actions, --child-views, --reason, --reasons, --risks,
    --decision, --note, and --set FIELD=VALUE): @FILE reads the text from a file, - from
    standard input (one option per command); write @@ for a text that starts with @.
    """


def key_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--key", "key_file", envvar="CASELEDGER_KEY", default=None, metavar="PATH",
                        help="Signing key file (default: next to a SQLite ledger, DB.key; "
                             "else ./caseledger.key). Never stored in the database.")(func)


def key_path(ctx: Context, key_file: str | None) -> Path:
    if key_file:
        return Path(key_file)
    backend = backend_for(ctx.db)
    return Path(backend.display).with_suffix(".key") if backend.kind == "sqlite" else Path("caseledger.key")


def resolve_verifier(ctx: Context, key_file: str | None, verifier_key: str | None) -> VerifierKey:
    if verifier_key:
        text = Path(verifier_key).read_text().strip() if Path(verifier_key).is_file() else verifier_key
        return VerifierKey.from_string(text)
    path = key_path(ctx, key_file)
    if not path.exists():
        raise CheckpointError(
            f"missing key: no verifier key given (--verifier-key) and no signing key at {path} (--key)"
        )
    return SigningKey.load(path).verifier()


def stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


@cli.group()
def case() -> None:
    """Case records: one per child, from referral to closure."""
