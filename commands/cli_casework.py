"""``caseledger record ...`` and ``caseledger document add``: casework records from the command line.

Thin: parse ``--set field=value``, call the ledger, format. The kinds, their fields and rules
live in :mod:`ledger.records.casework`; typed values are parsed by :mod:`ledger.records.fields`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from commands.files import long_text
from commands.group import Context, cli, common, parse_when
from commands.render import local, who
from ledger.access.policy import Part
from ledger.records import casework


def parse_sets(values: tuple[str, ...]) -> dict[str, Any]:
    """``field=value`` pairs; a field given twice becomes a list (for list fields)."""
    out: dict[str, Any] = {}
    for text in values:
        name, sep, value = text.partition("=")
        name = name.strip()
        if not sep or not name:
            raise click.BadParameter(f"{text!r} needs the form field=value", param_hint="--set")
        value = long_text(value, f"--set {name}=", sep="")
        if name in out:
            previous = out[name]
            out[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[name] = value
    return out


set_option = click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE",
                          help="A field of the record. Repeat. See: caseledger record kinds KIND. "
                               "FIELD=@FILE reads the value from a file, FIELD=- from standard input.")


def record_row(r: dict[str, Any]) -> dict[str, Any]:
    return {"record_id": r["id"], "kind": r["kind"], "status": r["status"], "occurred_at": r["occurred_at"],
            "recorded_at": r["recorded_at"], "by": r["by"], "details": r["details"],
            **{k: r[k] for k in ("superseded_by", "outcome", "disagreements", "last_reviewed") if k in r},
            "updates": r["updates"]}


def headline(r: dict[str, Any]) -> str:
    d = r["details"]
    for key in ("description", "what_happened", "life_for_the_child", "information", "scope", "request",
                "findings", "name"):
        if d.get(key):
            text = str(d[key])
            return text if len(text) <= 60 else text[:57] + "..."
    return ""


@cli.group()
def record() -> None:
    """Casework records: hazards and alerts, chronology, summaries, sharing, consent, audits, documents."""


@record.command("add")
@common
@click.argument("case_id")
@click.argument("kind", metavar="KIND", type=click.Choice(list(casework.KINDS)))
@click.option("--occurred-at", required=True, help="When it happened: '2026-11-21 14:30' (London).")
@set_option
def record_add(ctx: Context, case_id: str, kind: str, occurred_at: str, sets: tuple[str, ...]) -> None:
    """Record a casework record of KIND on a case (fields with --set; see 'record kinds').

    \b
    Example:  caseledger record add CASE hazard --as jane.smith --occurred-at '2026-11-02 10:00' \\
                --set type=dangerous_pet --set started_on=2026-11-02 \\
                --set description='Large dog at the door, see the home visit' \\
                --set source_record=NOTE_ID --set review_date=2027-02-01
    """
    rid = ctx.ledger.casework.record(ctx.acting, case_id, kind=kind,
                                     occurred_at=parse_when(occurred_at, "--occurred-at"), **parse_sets(sets))
    ctx.out({"record_id": rid, "kind": kind}, f"Recorded {casework.KINDS[kind].title} {rid}.")


@record.command("update")
@common
@click.argument("case_id")
@click.argument("record_id")
@click.argument("action")
@click.option("--occurred-at", help="When it happened (default now).")
@set_option
def record_update(ctx: Context, case_id: str, record_id: str, action: str, occurred_at: str | None,
                  sets: tuple[str, ...]) -> None:
    """Update a record: ACTION is one of its kind's updates (e.g. a hazard's review, update, end).

    RECORD_ID is the record's UUID or its first few hex digits.

    \b
    Example:  caseledger record update CASE RECORD review --as grace.obi \\
                --set outcome='Dog now kept in the garden' --set next_review_date=2027-04-01
    """
    rid = casework.resolve_record_id(ctx.ledger.case(case_id), record_id)
    ctx.ledger.casework.update(ctx.acting, case_id, rid, action=action,
                               occurred_at=parse_when(occurred_at, "--occurred-at"), **parse_sets(sets))
    ctx.out({"record_id": rid, "action": action}, f"Recorded {action} of record {rid}.")


@record.command("list")
@common
@click.argument("case_id")
@click.option("--kind", type=click.Choice(list(casework.KINDS)), help="Only records of this kind.")
def record_list(ctx: Context, case_id: str, kind: str | None) -> None:
    """List a case's casework records, in the order recorded (nothing is ever removed).

    \b
    Example:  caseledger record list 3f2a --kind hazard --json
    """
    case = ctx.read(case_id, Part.CASE_VIEW)
    records = sorted((r for r in case.records.values() if kind is None or r["kind"] == kind),
                     key=lambda r: (r["recorded_at"], str(r["id"])))
    rows = [record_row(r) for r in records]

    def text() -> str:
        lines = [f"{len(rows)} record(s) on the case of {case.child['name']}"]
        for r in records:
            lines.append(f"- {str(r['id'])[:8]}  {r['kind']:<19} {r['status']:<13} "
                         f"{local(r['occurred_at'])}  by {who(r['by'])}")
            if headline(r):
                lines.append(f"    {headline(r)}")
            for u in r["updates"]:
                lines.append(f"    {u['action']} {local(u['recorded_at'])} by {who(u['by'])}")
        return "\n".join(lines)

    ctx.out(rows, text)


@record.command("kinds")
@common
@click.argument("kind", metavar="[KIND]", required=False, type=click.Choice(list(casework.KINDS)))
def record_kinds(ctx: Context, kind: str | None) -> None:
    """The kinds of casework record, or one kind's fields and update actions.

    \b
    Example:  caseledger record kinds hazard
    """
    if ctx.json:
        from commands.render import dumps

        names = [kind] if kind else list(casework.KINDS)
        click.echo(dumps({n: {
            "policy": casework.KINDS[n].policy, "help": casework.KINDS[n].help,
            "fields": [{"name": f.name, "type": f.type, "required": f.required, "choices": list(f.choices),
                        "help": f.help} for f in casework.KINDS[n].fields],
            "updates": {a.name: [f.name for f in a.fields] for a in casework.KINDS[n].actions.values()},
        } for n in names}))
    elif kind:
        click.echo(casework.describe_kind(kind))
    else:
        for k in casework.KINDS.values():
            click.echo(f"{k.name:<20} {k.help}")
        click.echo("\nFor one kind's fields and updates: caseledger record kinds KIND")


@cli.group()
def document() -> None:
    """Documents on a child's record, held by their SHA-256."""


@document.command("add")
@common
@click.argument("case_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--doc-type", required=True, type=click.Choice(list(casework.DOC_TYPES)))
@click.option("--name", help="The document's name (default: the file name).")
@click.option("--date-received", help="YYYY-MM-DD")
@click.option("--keep-original", is_flag=True, help="The original is kept on paper (policy s.4).")
@click.option("--occurred-at", help="When it was received or uploaded (default now).")
@set_option
def document_add(ctx: Context, case_id: str, file: Path, doc_type: str, name: str | None,
                 date_received: str | None, keep_original: bool, occurred_at: str | None,
                 sets: tuple[str, ...]) -> None:
    """Record a document: the file is hashed (SHA-256) and the hash goes into the ledger.

    \b
    Example:  caseledger document add CASE amira-drawing.png --as jane.smith --doc-type drawing \\
                --date-received 2026-11-20
    """
    details: dict[str, Any] = {**casework.document_details(file), "doc_type": doc_type, **parse_sets(sets)}
    if name:
        details["name"] = name
    if date_received:
        details["date_received"] = date_received
    if keep_original:
        details["keep_original_paper"] = True
    rid = ctx.ledger.casework.record(ctx.acting, case_id, kind="document",
                                     occurred_at=parse_when(occurred_at, "--occurred-at"), **details)
    ctx.out({"record_id": rid, "sha256": details["sha256"], "size_bytes": details["size_bytes"]},
            f"Recorded document {rid}: {details['name']} (SHA-256 {details['sha256']}).")
