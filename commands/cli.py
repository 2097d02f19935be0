"""The ``caseledger`` command line: parse, call the ledger, format. No business rules here.

Every command takes ``--db`` (a SQLite file, default ``./caseledger.db``, or a
``postgresql://`` URL; also ``CASELEDGER_DB``) and ``--json`` (machine-readable output on
stdout, errors as JSON on stderr). Commands that record take ``--as STAFF_ID`` (also
``CASELEDGER_USER``). The CLI trusts ``--as``: it records, on every event it writes, the
operating-system user, host, process and command that ran it (:mod:`ledger.channel`).
Files named on the command line, and long texts from ``@FILE`` or ``-``: :mod:`commands.files`.

Exit codes: 0 done; 1 refused by a rule, or (verify) the ledger failed verification;
2 could not run (bad arguments, unreachable database, missing file).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import functools
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from commands import pins
from commands.files import LONG_TEXT, LONG_TEXT_HELP, FileProblem, OutputFile, read_input, write_output
from commands.render import case_dict, case_text, dumps, jsonable, staff_dict, who
from ledger.access.policy import BreakGlassBasis, Part
from ledger.application import LONDON, CaseLedger, utc_now
from ledger.channel import Channel
from ledger.errors import CheckpointError, LedgerError, RuleViolation
from ledger.integrity.checkpoint import SigningKey, VerifierKey, parse_checkpoint_note
from ledger.integrity.evidence import FORMAT as BUNDLE_FORMAT
from ledger.integrity.evidence import export_bundle, verify_bundle
from ledger.integrity.verify import DEFAULT_TAIL_LIMIT, TailLimit, verify_ledger
from ledger.records.case import DecisionKind, InterpreterKind, NoteKind
from ledger.records.dates import moment_text
from ledger.records.fields import require_time
from ledger.records.staff import Role
from ledger.storage import Backend, ReadOnlyLedger, backend_for

EXIT_REFUSED = 1
EXIT_TAMPERED = 1
EXIT_CANNOT_RUN = 2
DEFAULT_ORIGIN = "local-authority.example/caseledger"
DEMO_ORIGIN = "demo-borough.example/caseledger"


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
        return self.ledger.open_record(self.acting, case_id, part, purpose=self.purpose, basis=self.basis,
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
    """Open the ledger read-only for this command (put it under ``@common``): only for a command that
    records nothing, not even an access attempt, so that it runs on a read-only copy (an auditor's)."""
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


# --- init and verify -----------------------------------------------------------------------


def key_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--key", "key_file", envvar="CASELEDGER_KEY", default=None, metavar="PATH",
                        help="Signing key file (default: next to a SQLite ledger, DB.key; "
                             "else ./caseledger.key). Never stored in the database.")(func)


def key_path(ctx: Context, key_file: str | None) -> Path:
    if key_file:
        return Path(key_file)
    backend = backend_for(ctx.db)
    return Path(backend.display).with_suffix(".key") if backend.kind == "sqlite" else Path("caseledger.key")


def load_or_create_key(path: Path, origin: str) -> tuple[SigningKey, bool]:
    if path.exists():
        return SigningKey.load(path), False
    key = SigningKey.generate(origin)
    key.save(path)
    return key, True


@cli.command()
@common
@key_option
@click.option("--origin", default=DEFAULT_ORIGIN, show_default=True,
              help="The log's name in checkpoints: identifies the authority's ledger.")
@click.option("--repin", is_flag=True,
              help="Replace the verifier key pinned for this ledger (only after making a new ledger or key "
                   "here on purpose: checkpoints signed with the old key then fail verify).")
def init(ctx: Context, key_file: str | None, origin: str, repin: bool) -> None:
    """Create the ledger's tables, the signing key (mode 0600) and the first checkpoint.

    Prints the verifier key (give it to your auditors) and pins it in a per-user file outside the
    ledger's folder (CASELEDGER_CONFIG_DIR, else ~/.config/caseledger/verifiers.toml): verify checks
    against the pinned key, not the key file beside the ledger. A different key already pinned for
    this ledger is refused (exit 1) unless --repin.

    \b
    Example:  caseledger init --db borough.db --origin enfield.gov.uk/childrens-services
    """
    ctx.create = True
    path = key_path(ctx, key_file)
    backend = backend_for(ctx.db)
    pins.check_key(backend, path, replace=repin, flag="--repin")
    key, created = load_or_create_key(path, origin)
    _, pinning = pins.pin(backend, key.name, key.verifier_key(), replace=repin, flag="--repin")
    events = ctx.ledger.event_count()
    note = None
    if not ctx.ledger.transparency.checkpoints():
        _, note = ctx.ledger.sign_checkpoint(key)
    ctx.out({"db": ctx.ledger.backend.display, "backend": ctx.ledger.backend.kind, "events": events,
             "key": str(path), "key_created": created, "origin": key.name,
             "verifier_key": key.verifier_key(), "checkpoint": note,
             "pinned_in": str(pins.pins_file()), "pin": pinning},
            f"Ledger ready at {ctx.ledger.backend.display} ({ctx.ledger.backend.kind}, {events} events).\n"
            f"Signing key {'created' if created else 'found'} at {path} (keep it out of the database "
            "and its backups).\n"
            f"Verifier key (give it to auditors):\n  {key.verifier_key()}\n"
            f"Verifier key {pinning} in {pins.pins_file()} (verify checks against it, not the key file).\n"
            "Next: add the first staff member, an admin:\n"
            "  caseledger staff add --id admin --name 'Full Name' --designation 'Systems Administrator' "
            "--team 'Business Support' --role admin")


@cli.command()
@common
@key_option
def checkpoint(ctx: Context, key_file: str | None) -> None:
    """Sign the current tree head, store it in the checkpoint history and print it.

    Copy the printed checkpoint out of the database (to an auditor, write-once storage).

    \b
    Example:  caseledger checkpoint > checkpoint-$(date +%F).txt
    """
    ledger = ctx.ledger  # opened first: a missing ledger is the first thing to say
    key = SigningKey.load(key_path(ctx, key_file))
    cp, note = ledger.sign_checkpoint(key)
    ctx.out({"origin": cp.origin, "size": cp.size, "root": base64.b64encode(cp.root).decode(),
             "note": note, "verifier_key": key.verifier_key()}, note.rstrip("\n"))


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


def read_checkpoint_file(name: str) -> str:
    """A checkpoint file's text; one that cannot be read or is not a signed checkpoint could not run
    (exit 2). Whether its signature and root match is verify's question (exit 1 when not)."""
    label = f"--checkpoint {name}"
    note = read_input(name, label)
    try:
        parse_checkpoint_note(note)
    except CheckpointError as e:
        raise FileProblem(f"{label}: not a signed checkpoint: {e}") from None
    return note


@cli.command()
@common
@key_option
@click.option("--verifier-key", metavar="KEY|FILE", help="The verifier key string (or a file holding it).")
@click.option("--checkpoint", "checkpoint_files", multiple=True, metavar="FILE",
              help="A checkpoint kept outside the database (e.g. by an auditor). Repeat.")
@click.option("--max-unsigned-events", envvar="CASELEDGER_MAX_UNSIGNED_EVENTS", type=click.IntRange(min=0),
              default=DEFAULT_TAIL_LIMIT.events, show_default=True,
              help="With --max-unsigned-days: an unsigned tail beyond both fails (the checkpoint history may "
                   "have been cut).")
@click.option("--max-unsigned-days", envvar="CASELEDGER_MAX_UNSIGNED_DAYS", type=click.FloatRange(min=0),
              default=DEFAULT_TAIL_LIMIT.days, show_default=True,
              help="Days the unsigned tail may span (its events' recorded times); sign more often than that.")
@opens_read_only
def verify(ctx: Context, key_file: str | None, verifier_key: str | None,
           checkpoint_files: tuple[str, ...], max_unsigned_events: int, max_unsigned_days: float) -> None:
    """Verify the whole ledger: every hash chain, the Merkle log, every stored snapshot against its
    events, every signed checkpoint.

    Streams the raw stored rows. Exit 0 intact, 1 tampered (or more unsigned events over more days
    than the limits: the checkpoint history may have been cut), 2 could not run (or no checkpoint
    signed yet: nothing inconsistent, but nothing signed to check against). Opens the ledger
    read-only: a read-only copy (an auditor's) is verified as it is, and nothing is written.

    The checkpoints are checked against --verifier-key; without it, against the verifier key pinned
    for this ledger at init (in the per-user verifiers.toml): a signing key file beside the ledger
    that is not the pinned key was replaced (exit 1). With no pin, against the key file, with a
    warning: whoever can replace that file can re-sign every checkpoint.

    \b
    Example:  caseledger verify --verifier-key auditor.pub --checkpoint checkpoint-2026-11-01.txt --json
    """
    total = ctx.ledger.event_count()  # opened first: a missing ledger is the first thing to say
    external = [(f, read_checkpoint_file(f)) for f in checkpoint_files]
    choice = None if verifier_key else pins.choose_verifier(ctx.ledger.backend, key_path(ctx, key_file))
    verifier = choice.verifier if choice else resolve_verifier(ctx, key_file, verifier_key)
    if choice and not choice.pin:
        click.echo("WARNING: verifying with the verifier of the signing key file "
                   f"{choice.key_file}, not a key you keep: whoever can replace that file can re-sign "
                   "every checkpoint. An auditor passes the verifier key printed at init: --verifier-key KEY.",
                   err=True)
    replaced = (f"KEY FILE REPLACED: the signing key file beside the ledger is not the key pinned at init: it was "
                f"replaced. {choice.key_file}: {choice.replaced}; pinned in {pins.pins_file()}: "
                f"{choice.pin.verifier_key}. Checkpoints signed with it fail; do not sign with it."
                if choice and choice.pin and choice.replaced else "")
    if replaced and ctx.json:  # (the text output says it first)
        click.echo(f"WARNING: {replaced}", err=True)
    show_bar = not ctx.json and sys.stderr.isatty()
    report = _with_progress(show_bar, total, "Verifying", lambda progress: verify_ledger(
        ctx.ledger.recorder, verifier=verifier, external=external, progress=progress,
        tail_limit=TailLimit(max_unsigned_events, max_unsigned_days)))
    against = (f"Verified against the verifier key pinned at init in {pins.pins_file()}."
               if choice and choice.pin else "")
    if ctx.json:
        verifier_source = {"source": "pinned" if against else "given" if verifier_key else "key file",
                           "verifier_key": verifier.to_string(),
                           "pinned_in": str(pins.pins_file()) if against else None,
                           "key_file_replaced": bool(replaced)}
        click.echo(dumps({**report.as_dict(), "ok": report.ok and not replaced, "verifier": verifier_source,
                          **({"key_file_problem": replaced} if replaced else {})}))
    else:
        if replaced:
            click.echo(replaced)
        _verify_text(report)
        if against:
            click.echo(against)
    if not report.ok:
        raise SystemExit(EXIT_CANNOT_RUN if report.incomplete else EXIT_TAMPERED)
    if replaced:
        raise SystemExit(EXIT_TAMPERED)


def _verify_text(report: Any) -> None:
    chains = report.chains
    if report.ok:
        cps = report.checkpoints
        click.echo(f"Intact: {chains.events} events in {chains.streams} streams "
                   f"({chains.cases} case record{'' if chains.cases == 1 else 's'}); every hash chain, "
                   f"the Merkle log of {report.log_size} leaves and {len(cps)} signed checkpoint"
                   f"{'' if len(cps) == 1 else 's'} verified; {report.snapshots} stored snapshot"
                   f"{' matches its' if report.snapshots == 1 else 's match their'} events.")
        if report.unsigned_tail:
            since = report.unsigned_since
            click.echo(f"{report.unsigned_tail} newest events"
                       + (f" (recorded since {moment_text(since)}, over "
                          f"{report.unsigned_days:.1f} days)" if since else "")
                       + " are not yet covered by a signed checkpoint (run: caseledger checkpoint).")
    elif report.incomplete:
        click.echo(f"NOT VERIFIED, nothing inconsistent found: every hash chain and the Merkle log of "
                   f"{report.log_size} leaves verified, but no checkpoint has been signed yet: the last "
                   f"{report.log_size} events are not covered by any checkpoint (run: caseledger checkpoint; "
                   "if one was signed before, its history was removed: compare with a checkpoint kept outside).")
    else:
        click.echo(f"NOT VERIFIED ({chains.events} events read, nothing inconsistent found):"
                   if report.only_unsigned_tail else f"TAMPERED ({chains.events} events read):")
        for p in report.problems:
            where = f"stream {p.stream} version {p.version}" if p.version else p.stream
            click.echo(f"  {where}" + (f" (row {p.position})" if p.position >= 0 else "") + f": {p.problem}")
        for c in report.checkpoints:
            if not c.ok:
                click.echo(f"  checkpoint {c.source} (size {c.size}): {c.problem}")


@cli.command()
@common
@key_option
@click.option("--case", "case_id", required=True, help="The case (UUID or its first hex digits).")
@click.option("--version", "version", type=int, default=None, help="Event version (default: the latest).")
def prove(ctx: Context, key_file: str | None, case_id: str, version: int | None) -> None:
    """Print the inclusion proof of a case event against the latest signed checkpoint.

    \b
    Example:  caseledger prove --case 3f2a --version 4 --json
    """
    ctx.read(case_id, Part.AUDIT_VIEW)
    proof = ctx.ledger.prove_event(case_id, version)
    ctx.out(proof, lambda: "\n".join([
        f"Event version {proof['version']} of case {proof['case']} is leaf {proof['leaf_index']} "
        f"of the log of {proof['tree_size']} leaves.",
        f"Leaf hash: {proof['leaf_hash']}",
        "Proof (base64, bottom up):", *[f"  {p}" for p in proof["proof"]],
        "Signed checkpoint:", proof["checkpoint"].rstrip("\n"),
    ]))


def _with_progress(show: bool, total: int, label: str, work: Callable[[Callable[[int], None]], Any]) -> Any:
    if not show:
        return work(lambda n: None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), transient=True, console=_stderr_console()) as bar:
        task = bar.add_task(label, total=total or None)
        return work(lambda n: bar.update(task, completed=n))


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


# --- staff ----------------------------------------------------------------------------------


@cli.group()
def staff() -> None:
    """The staff directory: who may record, in which team and role."""


@staff.command("add")
@common
@click.option("--id", "staff_id", required=True, help="Short stable id, e.g. jane.smith")
@click.option("--name", "full_name", required=True, help="Full name, e.g. 'Jane Smith'")
@click.option("--designation", required=True, help="e.g. 'Senior Practitioner'")
@click.option("--team", required=True, help="e.g. 'Assessment'")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice([r.value for r in Role]), help="Repeat for several roles.")
@click.option("--email", help="The email they sign in with (single sign-on to the HTTP API).")
def staff_add(ctx: Context, staff_id: str, full_name: str, designation: str, team: str,
              roles: tuple[str, ...], email: str | None) -> None:
    """Add a staff member (the first must be an admin; after that, admins add staff).

    \b
    Example:  caseledger staff add --as admin --id jane.smith --name 'Jane Smith' \\
                --designation 'Social Worker' --team Assessment --role social_worker
    """
    from ledger.tokens import check_email_free

    if email:
        check_email_free(ctx.ledger, staff_id, email)  # before anything is written
    m = ctx.ledger.add_staff(ctx.acting, staff_id=staff_id, full_name=full_name,
                             designation=designation, team=team, roles=roles)
    if email:
        m = ctx.ledger.change_staff(ctx.acting or staff_id, staff_id, email=email)
    ctx.out(staff_dict(m), f"Added {m.full_name} ({m.staff_id}): {m.designation}, {m.team}.")


@staff.command("list")
@common
@opens_read_only
def staff_list(ctx: Context) -> None:
    """List the staff directory.

    \b
    Example:  caseledger staff list --json
    """
    members = ctx.ledger.list_staff()

    def text() -> str:
        rows = [f"{'id':<18} {'name':<24} {'designation':<28} {'team':<20} roles"]
        rows += [f"{m.staff_id:<18} {m.full_name:<24} {m.designation:<28} {m.team:<20} "
                 f"{', '.join(r.value for r in m.roles)}{'' if m.active else '  (left)'}"
                 for m in members]
        return "\n".join(rows)

    ctx.out([staff_dict(m) for m in members], text)


# --- cases ----------------------------------------------------------------------------------


@cli.group()
def case() -> None:
    """Case records: one per child, from referral to closure."""


@case.command("open")
@common
@click.option("--child", "child_name", required=True, help="The child's full name.")
@click.option("--dob", help="Date of birth, YYYY-MM-DD.")
@click.option("--expected-dob", help="Expected date of birth (pre-birth referral).")
@click.option("--referral-date", required=True, help="YYYY-MM-DD")
@click.option("--source", "referral_source", required=True, help="Who referred, e.g. 'school'.")
@click.option("--team", required=True)
@click.option("--worker", required=True, help="Staff id of the allocated worker.")
@field_flags(date_of_birth="--dob", expected_date_of_birth="--expected-dob")
def case_open(ctx: Context, child_name: str, dob: str | None, expected_dob: str | None,
              referral_date: str, referral_source: str, team: str, worker: str) -> None:
    """Open a child's case record from a referral.

    \b
    Example:  caseledger case open --as jane.smith --child 'Amira Hassan' --dob 2016-05-14 \\
                --referral-date 2026-10-28 --source school --team Assessment --worker jane.smith
    """
    c = ctx.ledger.open_case(
        ctx.acting, child_name=child_name, date_of_birth=parse_day(dob, "--dob"),
        expected_date_of_birth=parse_day(expected_dob, "--expected-dob"),
        referral_date=parse_day(referral_date, "--referral-date"),  # type: ignore[arg-type]
        referral_source=referral_source, team=team, worker=worker,
    )
    ctx.out({"case_id": c.id, "version": c.version},
            f"Opened the case record of {c.child['name']}: {c.id}")


@case.command("allocate")
@common
@click.argument("case_id")
@click.option("--team", required=True)
@click.option("--worker", required=True)
@click.option("--reason", required=True, type=LONG_TEXT, help="Why, in words." + LONG_TEXT_HELP)
def case_allocate(ctx: Context, case_id: str, team: str, worker: str, reason: str) -> None:
    """Allocate or re-allocate the case to a team and worker (team manager or above).

    \b
    Example:  caseledger case allocate CASE --as grace.obi --team 'Child in Need' \\
                --worker omar.farah --reason 'Step down to CIN after assessment'
    """
    c = ctx.ledger.allocate(ctx.acting, case_id, team=team, worker=worker, reason=reason)
    ctx.out({"case_id": c.id, "team": c.team, "worker": c.worker},
            f"{c.child['name']} is now allocated to {who(c.worker)}.")


@case.command("close")
@common
@click.argument("case_id")
@click.option("--reason", required=True, type=LONG_TEXT, help="Why, in words." + LONG_TEXT_HELP)
@click.option("--date", "closed_on", help="Closure date, YYYY-MM-DD (default today).")
def case_close(ctx: Context, case_id: str, reason: str, closed_on: str | None) -> None:
    """Close a case (team manager or above; no draft notes left).

    \b
    Example:  caseledger case close CASE --as grace.obi --reason 'Support ended, needs met by universal services'
    """
    c = ctx.ledger.close_case(ctx.acting, case_id, reason=reason, closed_on=parse_day(closed_on, "--date"))
    ctx.out({"case_id": c.id, "status": c.status}, f"Closed the case of {c.child['name']}.")


@case.command("reopen")
@common
@click.argument("case_id")
@click.option("--reason", required=True, type=LONG_TEXT, help="Why, in words." + LONG_TEXT_HELP)
def case_reopen(ctx: Context, case_id: str, reason: str) -> None:
    """Re-open a closed case, with a reason (team manager or above).

    \b
    Example:  caseledger case reopen CASE --as grace.obi --reason 'New referral from the school'
    """
    c = ctx.ledger.reopen_case(ctx.acting, case_id, reason=reason)
    ctx.out({"case_id": c.id, "status": c.status}, f"Re-opened the case of {c.child['name']}.")


@case.command("show")
@common
@click.argument("case_id")
def case_show(ctx: Context, case_id: str) -> None:
    """Show a case record: the child, allocation, notes and decisions (deleted notes hidden).

    CASE_ID is the case's UUID, or its first few hex digits.

    \b
    Example:  caseledger case show 3f2a
    """
    c = ctx.read(case_id, Part.CASE_VIEW)
    ctx.out(case_dict(c), lambda: case_text(c))


@case.command("list")
@common
def case_list(ctx: Context) -> None:
    """List the case records you may open, with their child, team, worker and status.

    Only the cases the access policy lets you read without stating a reason (your caseload, your
    team's, your management line's; restricted records only where you are named) are listed, and
    each one listed is recorded in the access log as read. Open any other with --purpose.

    \b
    Example:  caseledger case list --as jane.smith
    """
    cases = ctx.ledger.list_records(ctx.acting)
    data = [{"case_id": c.id, "child": c.child["name"], "team": c.team,
             "worker": c.worker["full_name"], "status": c.status, "events": c.version} for c in cases]

    def text() -> str:
        rows = [f"{'case':<10} {'child':<26} {'team':<20} {'worker':<22} status"]
        rows += [f"{str(d['case_id'])[:8]:<10} {d['child']:<26} {d['team']:<20} {d['worker']:<22} "
                 f"{d['status']}" for d in data]
        return "\n".join(rows)

    ctx.out(data, text)


# --- notes ----------------------------------------------------------------------------------


def note_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for decorator in reversed([
        click.option("--facts", type=LONG_TEXT, help="What happened: facts only." + LONG_TEXT_HELP),
        click.option("--analysis", type=LONG_TEXT, help="Professional judgement and analysis." + LONG_TEXT_HELP),
        click.option("--actions", type=LONG_TEXT, help="Actions agreed." + LONG_TEXT_HELP),
        click.option("--third-party", "provided_by", metavar="WHO",
                     help="The information came from this person or agency, not first-hand."),
        click.option("--child-seen/--child-not-seen", default=None),
        click.option("--child-seen-alone", is_flag=True, default=None),
        click.option("--bedroom-seen", is_flag=True, default=None,
                     help="On a home visit: the child's bedroom was seen."),
        click.option("--child-views", type=LONG_TEXT,
                     help="The child's views, in their own words." + LONG_TEXT_HELP),
        click.option("--interpreter", metavar="NAME", help="Interpreter's name."),
        click.option("--interpreter-kind", type=click.Choice([k.value for k in InterpreterKind])),
    ]):
        func = decorator(func)
    return func


def note_fields(facts: str | None, analysis: str | None, actions: str | None, provided_by: str | None,
                child_seen: bool | None, child_seen_alone: bool | None, bedroom_seen: bool | None,
                child_views: str | None,
                interpreter: str | None, interpreter_kind: str | None) -> dict[str, Any]:
    """The options the user actually gave (so revise/amend change only those)."""
    fields: dict[str, Any] = {}
    for key, value in [("facts", facts), ("analysis", analysis), ("actions", actions),
                       ("child_views", child_views), ("child_seen", child_seen),
                       ("child_seen_alone", child_seen_alone), ("bedroom_seen", bedroom_seen)]:
        if value is not None:
            fields[key] = value
    if provided_by is not None:
        fields["source"] = "third_party"
        fields["provided_by"] = provided_by
    if interpreter is not None or interpreter_kind is not None:
        fields["interpreter"] = {"name": interpreter, "kind": interpreter_kind}
    return fields


@cli.group()
def note() -> None:
    """Case notes: draft, revise, finalise, amend, delete."""


@note.command("add")
@common
@click.argument("case_id")
@click.option("--kind", required=True, type=click.Choice([k.value for k in NoteKind]))
@click.option("--occurred-at", required=True, help="When it happened: '2026-11-21 14:30' (London).")
@note_options
@click.option("--finalise", is_flag=True, help="Finalise at once.")
def note_add(ctx: Context, case_id: str, kind: str, occurred_at: str, finalise: bool, **opts: Any) -> None:
    """Record a case note (a draft unless --finalise).

    \b
    Example:  caseledger note add CASE --as jane.smith --kind home_visit \\
                --occurred-at '2026-11-20 15:00' --facts 'Visited Amira at home with her mother.' \\
                --analysis 'Home conditions have improved.' --child-seen --child-seen-alone \\
                --child-views 'I like my new bed.' --finalise
    """
    fields = note_fields(**opts)
    facts = fields.pop("facts", None)
    if facts is None:
        raise click.UsageError("--facts is required: record what happened")
    nid = ctx.ledger.record_case_note(ctx.acting, case_id, kind=kind,
                                      occurred_at=parse_when(occurred_at, "--occurred-at", "case note"),  # type: ignore[arg-type]
                                      facts=facts, finalise=finalise, **fields)
    ctx.out({"note_id": nid, "status": "final" if finalise else "draft"},
            f"Recorded {'and finalised ' if finalise else 'a draft '}case note {nid}.")


@note.command("revise")
@common
@click.argument("case_id")
@click.argument("note_id")
@click.option("--occurred-at")
@note_options
def note_revise(ctx: Context, case_id: str, note_id: str, occurred_at: str | None, **opts: Any) -> None:
    """Revise a draft note (its author only).

    \b
    Example:  caseledger note revise CASE NOTE --as jane.smith --analysis 'Second thoughts...'
    """
    ctx.ledger.revise_case_note(ctx.acting, case_id, note_id,
                                occurred_at=parse_when(occurred_at, "--occurred-at", "case note"),
                                **note_fields(**opts))
    ctx.out({"note_id": note_id, "status": "draft"}, f"Revised draft case note {note_id}.")


@note.command("finalise")
@common
@click.argument("case_id")
@click.argument("note_id")
def note_finalise(ctx: Context, case_id: str, note_id: str) -> None:
    """Finalise a draft note (its author only; once).

    \b
    Example:  caseledger note finalise CASE NOTE --as jane.smith
    """
    ctx.ledger.finalise_case_note(ctx.acting, case_id, note_id)
    ctx.out({"note_id": note_id, "status": "final"}, f"Finalised case note {note_id}.")


@note.command("amend")
@common
@click.argument("case_id")
@click.argument("note_id")
@click.option("--reason", required=True, type=LONG_TEXT, help="Why the finalised note is amended." + LONG_TEXT_HELP)
@note_options
def note_amend(ctx: Context, case_id: str, note_id: str, reason: str, **opts: Any) -> None:
    """Amend a finalised note, with a reason; the original text stays in its history.

    \b
    Example:  caseledger note amend CASE NOTE --as jane.smith \\
                --facts 'Visited Amira and her aunt.' --reason 'The aunt was present, not the mother'
    """
    ctx.ledger.amend_case_note(ctx.acting, case_id, note_id, reason=reason, **note_fields(**opts))
    ctx.out({"note_id": note_id, "amended": True}, f"Amended case note {note_id}.")


@note.command("delete")
@common
@click.argument("case_id")
@click.argument("note_id")
@click.option("--reason", required=True, type=LONG_TEXT,
              help="Why the note is deleted (policy s.12)." + LONG_TEXT_HELP)
def note_delete(ctx: Context, case_id: str, note_id: str, reason: str) -> None:
    """Delete a case note (team manager or above, with a reason); it stays in the ledger.

    \b
    Example:  caseledger note delete CASE NOTE --as grace.obi --reason 'Recorded on the wrong child in error'
    """
    ctx.ledger.delete_case_note(ctx.acting, case_id, note_id, reason=reason)
    ctx.out({"note_id": note_id, "deleted": True}, f"Deleted case note {note_id} (kept in the ledger).")


# --- decisions ------------------------------------------------------------------------------


@cli.group()
def decision() -> None:
    """Management and supervision decisions on a child's record."""


@decision.command("add")
@common
@click.argument("case_id")
@click.option("--decision", "decision_text", required=True, type=LONG_TEXT,
              help="What was decided." + LONG_TEXT_HELP)
@click.option("--reasons", required=True, type=LONG_TEXT, help="Why." + LONG_TEXT_HELP)
@click.option("--risks", "risks_considered", required=True, type=LONG_TEXT,
              help="The risks considered." + LONG_TEXT_HELP)
@click.option("--not-chosen", "options", multiple=True, required=True, metavar="'OPTION: WHY NOT'",
              help="An option not chosen and why, as 'option: why not'. Repeat.")
@click.option("--kind", type=click.Choice([k.value for k in DecisionKind]), default="management")
@click.option("--supervisee", help="Staff id of the worker supervised (supervision decisions).")
@click.option("--occurred-at", help="When decided (default now).")
def decision_add(ctx: Context, case_id: str, decision_text: str, reasons: str, risks_considered: str,
                 options: tuple[str, ...], kind: str, supervisee: str | None,
                 occurred_at: str | None) -> None:
    """Record a management or supervision decision (team manager or above).

    \b
    Example:  caseledger decision add CASE --as grace.obi --decision 'Convene a strategy discussion' \\
                --reasons 'Disclosure of physical harm at school' --risks 'Risk of further harm at home' \\
                --not-chosen 'Continue CIN assessment: the disclosure meets the S47 threshold'
    """
    parsed = []
    for text in options:
        option, sep, why_not = text.partition(":")
        if not sep:
            raise click.BadParameter(f"{text!r} needs the form 'option: why not'", param_hint="--not-chosen")
        parsed.append({"option": option.strip(), "why_not": why_not.strip()})
    did = ctx.ledger.record_decision(ctx.acting, case_id, decision=decision_text, reasons=reasons,
                                     risks_considered=risks_considered, options_not_chosen=parsed,
                                     kind=kind, supervisee=supervisee,
                                     occurred_at=parse_when(occurred_at, "--occurred-at", "decision"))
    ctx.out({"decision_id": did}, f"Recorded {kind} decision {did}.")


# --- evidence -------------------------------------------------------------------------------


@cli.group()
def evidence() -> None:
    """Evidence bundles that anyone can check offline."""


@evidence.command("export")
@common
@key_option
@click.option("--case", "case_id", required=True)
@click.option("--from", "since", help="Only events recorded on or after this date (YYYY-MM-DD).")
@click.option("--to", "until", help="Only events recorded on or before this date.")
@click.option("--out", "out", required=True, type=OutputFile(), help="The bundle file to write (JSON).")
def evidence_export(ctx: Context, key_file: str | None, case_id: str, since: str | None, until: str | None,
                    out: str) -> None:
    """Write a case's events, their inclusion proofs, the signed checkpoint and the verifier key.

    \b
    Example:  caseledger evidence export --case 3f2a --from 2026-01-01 --out amira-evidence.json
    """
    resolve_verifier(ctx, key_file, None)  # names the missing key file, if it is missing
    ctx.read(case_id, Part.AUDIT_VIEW)
    bundle = export_bundle(ctx.ledger.recorder, ctx.ledger.resolve_case_id(case_id),
                           signing_key=SigningKey.load(key_path(ctx, key_file)), since=parse_day(since, "--from"),
                           until=parse_day(until, "--to"))
    write_output(out, json.dumps(bundle, indent=1) + "\n", "--out")
    stream = bundle["stream"]
    ctx.out({"out": out, "events": len(bundle["events"]), "tree_size": bundle["tree_size"],
             "first_version": stream["first_version"], "last_version": stream["last_version"],
             "stored_versions": stream["stored_versions"]},
            f"Wrote versions {stream['first_version']} to {stream['last_version']} of the case's "
            f"{stream['stored_versions']} ({len(bundle['events'])} events) with proofs against the checkpoint of "
            f"size {bundle['tree_size']} to {out}.\nCheck it anywhere with: caseledger evidence verify {out} "
            "--verifier-key KEY")


@evidence.command("verify")
@common
@click.argument("bundle_file", metavar="BUNDLE_FILE")
@click.option("--verifier-key", metavar="KEY|FILE", help="The verifier key you trust (string or file).")
def evidence_verify(ctx: Context, bundle_file: str, verifier_key: str | None) -> None:
    """Check an evidence bundle offline (no database). Exit 0 valid, 1 not valid.

    \b
    Example:  caseledger evidence verify amira-evidence.json --verifier-key auditor.pub
    """
    key = None
    if verifier_key:
        key = Path(verifier_key).read_text().strip() if Path(verifier_key).is_file() else verifier_key
    report = verify_bundle(read_bundle_file(bundle_file), key)
    lines = [f"{'VALID' if report.ok else 'NOT VALID'}: {report.events} events against a signed checkpoint "
             f"of size {report.checkpoint_size}."]
    if report.key_from_bundle:
        lines.append("Warning: checked with the verifier key inside the bundle; pass --verifier-key to "
                     "check against a key you trust.")
    lines += [f"  {p}" for p in report.problems]
    if report.ok:
        lines.append(f"It proves: {report.proves}.")
    lines += [f"Note: {n}" for n in report.notes]
    ctx.out(report.as_dict(), "\n".join(lines))
    if not report.ok:
        raise SystemExit(EXIT_TAMPERED)


def read_bundle_file(name: str) -> str:
    """A bundle file's text; a file that cannot be read, is not JSON or is not an evidence bundle
    could not run (exit 2). A bundle whose contents do not verify is NOT VALID (exit 1)."""
    label = f"evidence bundle {name}"
    text = read_input(name, label)
    try:
        data = json.loads(text)
    except ValueError as e:
        raise FileProblem(f"{label}: not JSON ({e})") from None
    if not isinstance(data, dict):
        what = {list: "a JSON array", str: "a JSON string"}.get(type(data), f"a JSON {type(data).__name__}")
    elif "format" not in data:
        what = 'it has no "format"'
    elif data["format"] != BUNDLE_FORMAT:
        what = f'its "format" is {str(data["format"])[:60]!r}'
    else:
        return text
    raise FileProblem(f"{label}: JSON, but not a {BUNDLE_FORMAT} bundle ({what})")


# --- demo -----------------------------------------------------------------------------------


DEMO_MAX_CHILDREN = 500  # a large borough's year of casework; bench/demo.py builds it


@cli.command()
@common
@key_option
@click.option("--children", default=50, show_default=True, type=click.IntRange(1, DEMO_MAX_CHILDREN),
              help=f"How many children (1 to {DEMO_MAX_CHILDREN}).")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--replace", is_flag=True,
              help="Replace an existing SQLite ledger file (only once the new one is built); re-pins its "
                   "verifier key.")
@click.option("--repin", is_flag=True, help="Replace the verifier key pinned for this ledger (see init).")
def demo(ctx: Context, key_file: str | None, children: int, seed: int, replace: bool, repin: bool) -> None:
    """Build a demo borough (synthetic, deterministic for a seed), sign it, verify it, print a tour.

    Like every command that writes, each event records the operating-system user, host, process and
    command that built it (so two builds with one seed differ in that stamp only).

    A SQLite demo is built in a temporary file beside --db and moved into place only when it is
    complete: a build that stops (an error, Ctrl-C) leaves no half-built ledger. One build at a
    time per file. On PostgreSQL the database must be empty, and a stopped build leaves what it
    wrote (drop the schema). Pins the demo's verifier key like init (a different key already
    pinned for this ledger is refused unless --replace or --repin).

    \b
    Example:  caseledger demo --replace --children 50 --seed 1
    """
    from commands.demo.atomic import build_lock, move_into_place, stopped_cleanly, temporary

    ctx.create = True

    backend = backend_for(ctx.db)
    if backend.kind != "sqlite":
        if replace:
            raise RuleViolation("--replace only deletes a SQLite file; for PostgreSQL use an empty database")
        pins.check_key(backend, key_path(ctx, key_file), replace=repin, flag="--repin")
        with stopped_cleanly(backend.display):
            key = load_or_create_key(key_path(ctx, key_file), DEMO_ORIGIN)[0]
            summary, report = _build_demo(ctx, ctx.ledger, key, children, seed, show=False)
        _show_demo(ctx, summary, report, key, _pin_demo(backend, key, repin))
        return
    final = Path(backend.display)
    with build_lock(final):
        if final.exists() and not replace:
            existing = ctx.ledger.event_count()
            ctx.close()
            ctx._ledger = None
            if existing:
                raise RuleViolation(f"the demo fills an empty ledger, but {final} already holds {existing} "
                                    f"event{'s' if existing != 1 else ''}; use --replace or a new file")
        wanted_key = key_path(ctx, key_file)
        pins.check_key(backend, wanted_key, replace=replace or repin, flag="--replace")
        new_key = None if wanted_key.exists() else temporary(wanted_key)
        built = temporary(final)
        with stopped_cleanly(final, [built, *([new_key] if new_key else [])]):
            _unlink_side(built)
            ledger = CaseLedger(str(built), channel=ctx.channel())
            try:
                key = load_or_create_key(new_key or wanted_key, DEMO_ORIGIN)[0]
                summary, report = _build_demo(ctx, ledger, key, children, seed, show=False)
            finally:
                ledger.close()
            if new_key is not None:
                os.replace(new_key, wanted_key)
            move_into_place(built, final)
        pinning = _pin_demo(backend, key, replace or repin)
    ctx.close()
    ctx._ledger = None
    _show_demo(ctx, summary, report, key, pinning)


def _pin_demo(backend: Backend, key: SigningKey, replace: bool) -> str:
    """Pin the demo's verifier key (checked before the build: a refusal here means a race)."""
    return pins.pin(backend, key.name, key.verifier_key(), replace=replace,
                    flag="--replace" if backend.kind == "sqlite" else "--repin")[1]


def _unlink_side(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _build_demo(ctx: Context, ledger: CaseLedger, key: SigningKey, children: int, seed: int,
                show: bool = True) -> tuple[Any, Any]:
    """Build, sign and verify the demo in ``ledger``; show the tour now when ``show``."""
    from commands.demo import build_demo

    show_bar = not ctx.json and sys.stderr.isatty()
    if show_bar:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), console=_stderr_console(), transient=True) as bar:
            task = bar.add_task("Building the demo borough", total=None)
            summary = build_demo(ledger, children=children, seed=seed,
                                 progress=lambda done, total: bar.update(task, completed=done, total=total))
    else:
        summary = build_demo(ledger, children=children, seed=seed)
    ledger.clock = utc_now
    ledger.sign_checkpoint(key)
    report = _with_progress(show_bar, ledger.event_count(), "Verifying", lambda progress: verify_ledger(
        ledger.recorder, verifier=key.verifier(), progress=progress))
    if show:
        _show_demo(ctx, summary, report, key)
    return summary, report


def _show_demo(ctx: Context, summary: Any, report: Any, key: SigningKey, pinning: str = "") -> None:
    from commands.tour import tour_text

    if ctx.json:
        click.echo(dumps({"db": backend_for(ctx.db).display, "summary": dataclasses.asdict(summary),
                          "verify": report.as_dict(), "verifier_key": key.verifier_key(),
                          **({"pinned_in": str(pins.pins_file()), "pin": pinning} if pinning else {})}))
    else:
        click.echo(tour_text(ctx.ledger, summary, report))
        if pinning:
            click.echo(f"Verifier key {pinning} in {pins.pins_file()} (caseledger verify checks against it).")
    if not report.ok:
        raise SystemExit(EXIT_TAMPERED)


# --- entry point ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; the ledger's errors are caught once here and printed plainly."""
    as_json = "--json" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="caseledger", standalone_mode=False)
    except FileProblem as e:
        _fail(as_json, "FileError", e.format_message(), EXIT_CANNOT_RUN)
    except LedgerError as e:
        code = EXIT_REFUSED if isinstance(e, RuleViolation) else EXIT_CANNOT_RUN
        _fail(as_json, type(e).__name__, str(e), code)
    except click.exceptions.Abort:
        _fail(as_json, "Aborted", "aborted", EXIT_CANNOT_RUN)
    except click.ClickException as e:
        if as_json:
            _fail(as_json, "UsageError", e.format_message(), EXIT_CANNOT_RUN)
        e.show()
        raise SystemExit(EXIT_CANNOT_RUN) from None
    except SystemExit:
        raise


def _fail(as_json: bool, kind: str, message: str, code: int) -> None:
    if as_json:
        click.echo(json.dumps(jsonable({"error": kind, "message": message, "exit_code": code})), err=True)
    else:
        click.echo(f"caseledger: {message}", err=True)
    raise SystemExit(code)

from commands import (  # noqa: E402
    cli_access,  # noqa: E402,F401  (registers the access investigation commands)
    cli_adoption,  # noqa: E402,F401  (registers the adoption commands)
    cli_casework,  # noqa: E402,F401  (registers the record commands)
    cli_compliance,  # noqa: E402,F401  (registers the compliance command)
    cli_milestones,  # noqa: E402,F401  (registers the milestone commands)
    cli_projections,  # noqa: E402,F401  (registers the projection commands)
    cli_rollback,  # noqa: E402,F401  (registers the roll-back commands)
    cli_serve,  # noqa: E402,F401  (registers the HTTP API server)
    cli_staff_tokens,  # noqa: E402,F401  (registers staff change and the API token commands)
    cli_views,  # noqa: E402,F401  (registers the read commands)
)
