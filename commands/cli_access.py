"""``caseledger access report | alerts | review``: investigating access (issue 6, policy s.7, s.11).

Thin: parse, ask the ledger (which decides who may read the access log, and refuses a bad
review), call :mod:`projections.access_report` and :mod:`projections.access_fhir`, write, format.
"""

from __future__ import annotations

import json
from typing import Any

import click

from commands.files import LONG_TEXT, LONG_TEXT_HELP, OutputFile, write_output
from commands.group import Context, cli, common, key_option, key_path, parse_day, resolve_verifier
from commands.render import dumps
from ledger.access.facts import Thresholds
from ledger.access.review import ReviewOutcome
from ledger.application import LONDON, utc_now
from ledger.errors import RuleViolation
from ledger.integrity.checkpoint import SigningKey
from ledger.integrity.evidence import export_events
from ledger.records.dates import day_text
from projections.access_fhir import fhir_bundle
from projections.access_report import (
    BuiltReport,
    alert_list_dict,
    alert_list_text,
    case_report,
    find_case,
    report_csv,
    report_text,
    staff_report,
    with_children,
)
from projections.render_html import DEFAULT_AUTHORITY, access_report_html


@cli.group()
def access() -> None:
    """Investigating access: who opened which record, the alert list, reviews of flagged attempts."""


def _evidence(ctx: Context, key_file: str | None, built: BuiltReport, out: str) -> str:
    """Write the report's evidence bundle; sign a checkpoint first when the events are newer than the
    latest one and the signing key is at hand. Returns what was done, in words."""
    verifier = resolve_verifier(ctx, key_file, None)
    signed = ""
    try:
        bundle = export_events(ctx.ledger.recorder, built.cited, verifier_key=verifier.to_string(),
                               report=built.report)
    except RuleViolation as e:
        path = key_path(ctx, key_file)
        if "checkpoint" not in str(e) or not path.exists():
            raise
        cp, _ = ctx.ledger.integrity.sign_checkpoint(SigningKey.load(path))
        signed = f" (signed a new checkpoint of size {cp.size} first, to cover them)"
        bundle = export_events(ctx.ledger.recorder, built.cited, verifier_key=verifier.to_string(),
                               report=built.report)
    write_output(out, json.dumps(bundle, indent=1) + "\n", "--evidence")
    return (f"Wrote the report with {len(bundle['events'])} events and their inclusion proofs against the signed "
            f"checkpoint of size {bundle['tree_size']} to {out}{signed}.\n"
            f"Check it anywhere with: caseledger evidence verify {out} --verifier-key KEY")


@access.command("report")
@common
@key_option
@click.option("--staff", "staff_id", metavar="STAFF_ID", help="Every record this staff member opened or tried to.")
@click.option("--case", "case_id", metavar="CASE",
              help="Everyone who opened this case or tried to: a case id, or part of the child's name "
                   "(only records you may open are searched).")
@click.option("--from", "since", metavar="DATE", help="First day (London), YYYY-MM-DD. Staff default: a year ago.")
@click.option("--to", "until", metavar="DATE", help="Last day (London), YYYY-MM-DD. Staff default: today.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv", "html"]), default="text",
              show_default=True, help="html: a printable page (page numbers, marked OFFICIAL-SENSITIVE).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV output, one line per attempt (--format csv).")
@click.option("--out", type=OutputFile(), help="Write the report to this file (its folder must exist).")
@click.option("--authority", default=DEFAULT_AUTHORITY, show_default=True, help="The authority's name (HTML).")
@click.option("--bulk-cases", default=Thresholds.bulk_cases, show_default=True, type=click.IntRange(2, 10_000),
              help="Bulk browsing: this many different records ...")
@click.option("--bulk-minutes", default=Thresholds.bulk_minutes, show_default=True, type=click.IntRange(1, 1440),
              help="... within this many minutes.")
@click.option("--evidence", "evidence_file", type=OutputFile(),
              help="Also write an evidence bundle: the report, its events, their proofs, the signed checkpoint.")
@click.option("--fhir", "fhir_file", type=OutputFile(),
              help="Also write the attempts as a FHIR R4 Bundle of AuditEvent resources (JSON).")
def access_report(ctx: Context, key_file: str | None, staff_id: str | None, case_id: str | None, since: str | None,
                  until: str | None, fmt: str, as_csv: bool, out: str | None, authority: str, bulk_cases: int,
                  bulk_minutes: int, evidence_file: str | None, fhir_file: str | None) -> None:
    """Who opened what, when, on what basis, the outcome; flags spelled out (for a disciplinary panel).

    For a service manager, head of service or auditor (--as).

    \b
    Example:   caseledger access report --as helen.cole --staff jane.smith --from 2026-01-01
               caseledger access report --as helen.cole --case 3f2a --csv > who-opened.csv
               caseledger access report --as helen.cole --staff jane.smith --format html --out jane-access.html
               caseledger access report --as helen.cole --staff jane.smith --evidence jane.json --fhir jane-fhir.json
    """
    if bool(staff_id) == bool(case_id):
        raise click.BadParameter("give exactly one of --staff STAFF_ID or --case CASE", param_hint="--staff/--case")
    if as_csv and fmt not in ("text", "csv"):
        raise click.BadParameter(f"choose one output: --csv or --format {fmt}", param_hint="--csv")
    fmt = "csv" if as_csv else fmt
    if ctx.json and fmt in ("csv", "html") and not out:
        raise click.BadParameter(f"choose one output: --json or --{'csv' if as_csv else 'format ' + fmt} "
                                 "(or write it to a file with --out)", param_hint="--json")
    first, last = parse_day(since, "--from"), parse_day(until, "--to")
    if first and last and last < first:
        raise click.BadParameter(f"the period ends ({day_text(last)}) before it starts ({day_text(first)})",
                                 param_hint="--to")
    investigation = ctx.ledger.investigation
    # The audit of the audit: the report, and each export of it, is an attempt of the person running it.
    investigation.open_report(ctx.acting, staff_id=staff_id, case=case_id)
    if staff_id:
        built = staff_report(ctx.ledger, staff_id, first, last, Thresholds(bulk_cases, bulk_minutes))
    else:
        assert case_id is not None
        built = case_report(ctx.ledger, find_case(ctx.ledger, ctx.acting, case_id), first, last)
    notes = []
    covered = {"staff_id": staff_id} if staff_id else {"case": built.report["subject"]["case_id"]}
    if evidence_file:
        investigation.open_report(ctx.acting, **covered, use="evidence")
        notes.append(_evidence(ctx, key_file, built, evidence_file))
    if fhir_file:
        investigation.open_report(ctx.acting, **covered, use="fhir")
        origin = ctx.ledger.integrity.transparency.checkpoints()[-1].note.split("\n", 1)[0] \
            if ctx.ledger.integrity.transparency.checkpoints() else ctx.ledger.backend.display
        write_output(fhir_file, json.dumps(fhir_bundle(built.report, origin=origin, now=utc_now()), indent=1) + "\n",
                     "--fhir")
        notes.append(f"Wrote {len(built.report['attempts'])} AuditEvent resources (FHIR R4 Bundle) to {fhir_file}.")
    shown = with_children(ctx.ledger, ctx.acting, built.report)
    if ctx.json and not out:
        fmt = "json"
    if fmt == "csv":
        text = report_csv(shown)
    elif fmt == "html":
        text = access_report_html(shown, authority=authority, produced_at=utc_now().astimezone(LONDON),
                                  produced_by=ctx.acting)
    elif fmt == "json":
        text = dumps(shown)
    else:
        text = report_text(shown)
    if out:
        write_output(out, text if text.endswith("\n") else text + "\n", "--out")
        ctx.out({"out": out, "attempts": len(shown["attempts"]), "format": fmt},
                f"Wrote the access report ({len(shown['attempts'])} attempts, {fmt}) to {out}.")
    else:
        click.echo(text, nl=not text.endswith("\n"))
    for note in notes:
        click.echo(note, err=ctx.json or (fmt != "text" and not out))


@access.command("alerts")
@common
def access_alerts(ctx: Context) -> None:
    """The alert list: break-glass uses and other flagged attempts not yet reviewed, oldest first, and the
    client addresses with repeated failed sign-ins to the HTTP API in the last week.

    For a service manager, head of service or auditor (--as).

    \b
    Example:  caseledger access alerts --as helen.cole
    """
    found = ctx.ledger.investigation.alert_list(ctx.acting)
    ctx.out(alert_list_dict(found), lambda: alert_list_text(found))


@access.command("review")
@common
@click.option("--attempt", "ref", required=True, metavar="REF", help="The attempt's reference, e.g. A1234.")
@click.option("--outcome", required=True, metavar="OUTCOME",
              help="One of: " + ", ".join(o.value for o in ReviewOutcome) + ".")
@click.option("--note", required=True, type=LONG_TEXT,
              help="What was found and why (at least three words, twelve letters)." + LONG_TEXT_HELP)
def access_review(ctx: Context, ref: str, outcome: str, note: str) -> None:
    """Record the review of a flagged attempt (a service manager or head of service; not one's own).

    \b
    Example:  caseledger access review --as helen.cole --attempt A1234 --outcome appropriate \\
                --note 'Child reported missing; EDT asked for the safety plan'
    """
    review = ctx.ledger.investigation.review(ctx.acting, ref, outcome=outcome, note=note)
    data: dict[str, Any] = {"attempt": ref, "review_id": review.id, "outcome": review.outcome.value,
                            "note": review.note, "reviewed_by": review.reviewed_by}
    ctx.out(data, f"Recorded the review of attempt {ref.upper()}: {review.outcome.label}. "
                  "It has left the alert list.")

