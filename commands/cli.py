"""The ``caseledger`` command line: parse, call the ledger, format. No business rules here.

Every command takes ``--db`` (a SQLite file, default ``./caseledger.db``, or a
``postgresql://`` URL; also ``CASELEDGER_DB``) and ``--json`` (machine-readable output on
stdout, errors as JSON on stderr). Commands that record take ``--as STAFF_ID`` (also
``CASELEDGER_USER``). The CLI trusts ``--as``: it records, on every event it writes, the
operating-system user, host, process and command that ran it (:mod:`ledger.channel`).
Files named on the command line, and long texts from ``@FILE`` or ``-``: :mod:`commands.files`.

The group, the context and the options every command shares are in :mod:`commands.group`; this
module holds init, checkpoint, verify, prove, staff, case, note, decision, evidence and demo, and
imports the ``commands.cli_*`` modules so that every command is on the group (``main`` is the
``caseledger`` entry point).

Exit codes: 0 done; 1 refused by a rule, or (verify) the ledger failed verification;
2 could not run (bad arguments, unreachable database, missing file).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

# The command modules register their commands on the group when imported (commands.group).
from commands import (
    cli_access,  # noqa: F401  (the access log: report, alerts, reviews)
    cli_adoption,  # noqa: F401  (adoption matching and the link)
    cli_casework,  # noqa: F401  (casework records)
    cli_compliance,  # noqa: F401  (recording-timescale compliance)
    cli_milestones,  # noqa: F401  (process milestones)
    cli_projections,  # noqa: F401  (the projections)
    cli_rollback,  # noqa: F401  (roll-backs)
    cli_serve,  # noqa: F401  (the HTTP API server)
    cli_staff,  # noqa: F401  (the staff directory and API tokens)
    cli_views,  # noqa: F401  (the per-case read views)
    pins,
)
from commands.files import LONG_TEXT, LONG_TEXT_HELP, FileProblem, OutputFile, read_input, write_output
from commands.group import (
    Context,
    case,
    cli,
    common,
    field_flags,
    key_option,
    key_path,
    opens_read_only,
    parse_day,
    parse_when,
    resolve_verifier,
    stderr_console,
)
from commands.render import case_dict, case_text, dumps, jsonable, who
from ledger.access.bundle import verify_bundle
from ledger.access.policy import Part
from ledger.application import CaseLedger, utc_now
from ledger.errors import CheckpointError, LedgerError, RuleViolation
from ledger.integrity.checkpoint import SigningKey, parse_checkpoint_note
from ledger.integrity.evidence import FORMAT as BUNDLE_FORMAT
from ledger.integrity.evidence import export_bundle
from ledger.integrity.verify import DEFAULT_TAIL_LIMIT, TailLimit, verify_ledger
from ledger.records.case import DecisionKind, InterpreterKind, NoteKind
from ledger.records.dates import moment_text
from ledger.storage import Backend, ReadOnlyLedger, backend_for

EXIT_REFUSED = 1
EXIT_TAMPERED = 1
EXIT_CANNOT_RUN = 2
DEFAULT_ORIGIN = "local-authority.example/caseledger"
DEMO_ORIGIN = "demo-borough.example/caseledger"


# --- init and verify -----------------------------------------------------------------------


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
    events = ctx.ledger.integrity.event_count()
    note = None
    if not ctx.ledger.integrity.transparency.checkpoints():
        _, note = ctx.ledger.integrity.sign_checkpoint(key)
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
    cp, note = ledger.integrity.sign_checkpoint(key)
    ctx.out({"origin": cp.origin, "size": cp.size, "root": base64.b64encode(cp.root).decode(),
             "note": note, "verifier_key": key.verifier_key()}, note.rstrip("\n"))


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
    signed yet: nothing inconsistent, but nothing signed to check against). Verifies on the ledger
    opened read-only: a read-only copy (an auditor's) is verified as it is.

    With --as (or CASELEDGER_USER), starting the verification is first recorded in the access log as
    that person's attempt (part integrity), as over HTTP: for a service manager, head of service or
    auditor; anyone else is refused (exit 1), and the refusal recorded. Nobody named, or a ledger
    that cannot be written here: it verifies all the same, and says on stderr that it is not recorded.

    The checkpoints are checked against --verifier-key; without it, against the verifier key pinned
    for this ledger at init (in the per-user verifiers.toml): a signing key file beside the ledger
    that is not the pinned key was replaced (exit 1). With no pin, against the key file, with a
    warning: whoever can replace that file can re-sign every checkpoint.

    \b
    Example:  caseledger verify --verifier-key auditor.pub --checkpoint checkpoint-2026-11-01.txt --json
    """
    ctx.ledger.integrity.event_count()  # opened first: a missing ledger is the first thing to say
    external = [(f, read_checkpoint_file(f)) for f in checkpoint_files]
    choice = None if verifier_key else pins.choose_verifier(ctx.ledger.backend, key_path(ctx, key_file))
    verifier = choice.verifier if choice else resolve_verifier(ctx, key_file, verifier_key)
    unrecorded = _record_verification_started(ctx)  # once it can run; before it runs, so that it covers it
    if unrecorded:
        click.echo(f"Not recorded in the access log: {unrecorded}.", err=True)
    total = ctx.ledger.integrity.event_count()
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


def _record_verification_started(ctx: Context) -> str:
    """Record the acting person's start of a verification in the access log, as ``POST /verify`` does
    (:meth:`~ledger.services.integrity.IntegrityService.start_verification`: decided, and recorded granted
    or denied, before anything is verified; a refusal raises). The ledger is opened for writing just for
    that, then closed: the verification itself reads the ledger opened read-only. Returns why it was not
    recorded ("" when it was): nobody named, or a ledger this process cannot write."""
    if not ctx.acting:
        return "nobody is named (say who you are with --as STAFF_ID, or CASELEDGER_USER, to record it)"
    try:
        recorder = CaseLedger(ctx.db, create=False, channel=ctx.channel())
    except ReadOnlyLedger as e:
        return f"the ledger at {e.where} is read-only here" if e.where else "the ledger is read-only here"
    try:
        recorder.integrity.start_verification(ctx.acting)
    except ReadOnlyLedger:  # a database that refuses writes (PostgreSQL read-only): nothing was written
        return f"the ledger at {recorder.backend.display} is read-only here"
    finally:
        recorder.close()
    return ""


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
    proof = ctx.ledger.integrity.prove_event(case_id, version)
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
                  TimeRemainingColumn(), transient=True, console=stderr_console()) as bar:
        task = bar.add_task(label, total=total or None)
        return work(lambda n: bar.update(task, completed=n))


# --- cases ----------------------------------------------------------------------------------


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
    c = ctx.ledger.cases.open(
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
    c = ctx.ledger.cases.allocate(ctx.acting, case_id, team=team, worker=worker, reason=reason)
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
    c = ctx.ledger.cases.close(ctx.acting, case_id, reason=reason, closed_on=parse_day(closed_on, "--date"))
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
    c = ctx.ledger.cases.reopen(ctx.acting, case_id, reason=reason)
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
    cases = ctx.ledger.access.list_records(ctx.acting)
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
    nid = ctx.ledger.casework.record_note(ctx.acting, case_id, kind=kind,
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
    ctx.ledger.casework.revise_note(ctx.acting, case_id, note_id,
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
    ctx.ledger.casework.finalise_note(ctx.acting, case_id, note_id)
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
    ctx.ledger.casework.amend_note(ctx.acting, case_id, note_id, reason=reason, **note_fields(**opts))
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
    ctx.ledger.casework.delete_note(ctx.acting, case_id, note_id, reason=reason)
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
    did = ctx.ledger.casework.record_decision(ctx.acting, case_id, decision=decision_text, reasons=reasons,
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
            existing = ctx.ledger.integrity.event_count()
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
                      TimeRemainingColumn(), console=stderr_console(), transient=True) as bar:
            task = bar.add_task("Building the demo borough", total=None)
            summary = build_demo(ledger, children=children, seed=seed,
                                 progress=lambda done, total: bar.update(task, completed=done, total=total))
    else:
        summary = build_demo(ledger, children=children, seed=seed)
    ledger.clock = utc_now
    ledger.integrity.sign_checkpoint(key)
    report = _with_progress(show_bar, ledger.integrity.event_count(), "Verifying", lambda progress: verify_ledger(
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
