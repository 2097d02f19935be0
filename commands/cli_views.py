"""``caseledger chronology``, ``case view``, ``summary`` and ``history``: the per-case read views.

Thin: parse, read the case (as of a moment or a global position), call :mod:`projections.views`,
format. No rules here.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from typing import Any

import click

from commands.files import OutputFile, write_output
from commands.group import Context, case, cli, common, parse_when
from commands.render import change_text, day, dumps, jsonable, local, note_lines, summary_lines
from ledger.access.policy import Part
from ledger.application import LONDON, utc_now
from ledger.errors import PermissionDenied
from ledger.records.dates import moment_text
from projections import views
from projections.asof import case_as_of
from projections.render_html import DEFAULT_AUTHORITY, chronology_html

as_of_option = click.option(
    "--as-of", "as_of", metavar="WHEN|@POSITION",
    help="The case as it stood then: '2026-11-21 14:30' (London), or @POSITION (a global event position).")


def read_case(ctx: Context, case_id: str, as_of: str | None, part: Part) -> tuple[Any, _dt.datetime]:
    """The case (as of ``--as-of``) and the moment its views are dated by.

    The read is decided by the access policy, on the record as it is now (a restriction applies
    to its past as well), and recorded in the access log before anything is returned.
    """
    current = ctx.read(case_id, part)
    case_id = str(current.id)
    if as_of is None:
        return current, utc_now()
    text = as_of.strip()
    if text.startswith("@"):
        try:
            position = int(text[1:])
        except ValueError:
            raise click.BadParameter(f"{as_of!r}: a global position is @ and a whole number, e.g. @1200",
                                     param_hint="--as-of") from None
        c = case_as_of(ctx.ledger, case_id, position=position)
        return c, c.modified_on
    at = parse_when(text, "--as-of")
    assert at is not None
    return case_as_of(ctx.ledger, case_id, at=at), at


def as_of_text(as_of: str) -> str:
    """``--as-of`` as people read it: ``05 Dec 2026 14:30 GMT``, or the position as given (``@1200``)."""
    text = as_of.strip()
    return text if text.startswith("@") else moment_text(parse_when(text, "--as-of"))


def _stamp(c: Any, as_of: str | None) -> str:
    return f" (as of {as_of_text(as_of)}: version {c.version})" if as_of else ""


# --- chronology ----------------------------------------------------------------------------------


CSV_FIELDS = ("date", "title", "category", "positive", "source", "source_id", "by", "detail")


def chronology_csv(entries: list[views.ChronologyEntry]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for x in entries:
        d = jsonable(x.as_dict())
        w.writerow([("yes" if x.positive else "") if k == "positive" else (d[k] or "") for k in CSV_FIELDS])
    return buf.getvalue()


def chronology_table(child: dict[str, Any], entries: list[views.ChronologyEntry], title: str) -> str:
    lines = [f"{title}: {child['name']} ({len(entries)} entries; * positive change or achievement)"]
    for x in entries:
        ref = f"{x.source.replace('_', ' ')} {(x.source_id or '')[:8]}".strip()
        lines.append(f"{day(x.date)}  {'*' if x.positive else ' '} {x.title}   [{x.category}; {ref}]")
        if x.detail:
            lines.append(f"               {x.detail}")
    return "\n".join(lines)


def _chronology(ctx: Context, case_id: str, as_of: str | None, court: bool) -> tuple[Any, list[views.ChronologyEntry]]:
    """The case (or what the rows hold of it) and its chronology: as of ``--as-of`` computed from
    the case as it stood then; otherwise read from the materialised ``chronology`` projection,
    caught up first."""
    if as_of is None:
        from projections import runner
        from projections.caseviews import read_chronology

        cid = ctx.read(case_id, Part.CHRONOLOGY).id  # decided and recorded before anything is read
        runner.catch_up(ctx.ledger, "chronology")
        found = read_chronology(runner.view_of(ctx.ledger, "chronology"), cid, court=court)
        if found is not None:
            return found
    c, _ = read_case(ctx, case_id, as_of, Part.CHRONOLOGY)  # as of a point, or no such case (its error)
    return c, views.chronology(c, court=court)


@cli.command("chronology")
@common
@click.argument("case_id")
@as_of_option
@click.option("--court", is_flag=True, help="The fuller court version: every dated record.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "html"]), default="table",
              show_default=True)
@click.option("--out", type=OutputFile(), help="Write to this file (its folder must exist).")
@click.option("--authority", default=DEFAULT_AUTHORITY, show_default=True, help="The authority's name (HTML).")
def chronology_cmd(ctx: Context, case_id: str, as_of: str | None, court: bool, fmt: str, out: str | None,
                   authority: str) -> None:
    """The child's chronology (policy s.8), ordered by the date of each event.

    From birth (or before); milestones in plain English and the worker's chronology entries,
    positive changes marked; deleted notes never appear. --court adds every dated record.

    \b
    Example:  caseledger chronology 3f2a --court --format html --out amira-chronology.html
    """
    c, entries = _chronology(ctx, case_id, as_of, court)
    title = "Chronology prepared for court" if court else "Chronology"
    if ctx.json and fmt == "table":
        fmt = "json"
    if fmt == "json":
        text = dumps({"case_id": c.id, "version": c.version, "child": c.child["name"], "court": court,
                      "as_of": as_of, "entries": [x.as_dict() for x in entries]})
    elif fmt == "csv":
        text = chronology_csv(entries)
    elif fmt == "html":
        text = chronology_html(c.child, entries, case_id=str(c.id), authority=authority, court=court,
                               as_of=as_of_text(as_of) if as_of else None,
                               produced_at=utc_now().astimezone(LONDON))
    else:
        text = chronology_table(c.child, entries, title + _stamp(c, as_of))
    if out:
        write_output(out, text if text.endswith("\n") else text + "\n", "--out")
        ctx.out({"out": out, "entries": len(entries), "format": fmt},
                f"Wrote the {title.lower()} of {c.child['name']} ({len(entries)} entries, {fmt}) to {out}.")
    else:
        click.echo(text.rstrip("\n"))


# --- case view -----------------------------------------------------------------------------------


def case_view_text(v: dict[str, Any]) -> str:
    ch = v["child"]
    born = (f"born {day(ch['date_of_birth'])}" if ch["date_of_birth"]
            else f"expected {day(ch['expected_date_of_birth'])}")
    lines = [f"{ch['name']} ({born}; {ch['age']})",
             f"Case {v['case_id']}   status: {v['status']}   version {v['version']}",
             f"Allocated to {v['allocation']['worker']} ({v['allocation']['team']})"]
    if v["closure"]:
        lines.append(f"Closed on {day(v['closure']['closed_on'])}: {v['closure']['reason']}")
    lines += ["", "Process:"]
    lines += [f"  {p}" for p in v["process"]]
    lines += ["", f"Hazards and alerts ({len(v['alerts'])} open):"]
    lines += [f"  {'OVERDUE ' if a['overdue'] else ''}{a['kind'].replace('_', ' ')}"
              f"{' (' + a['type'].replace('_', ' ') + ')' if a['type'] else ''}: {a['description']}  "
              f"review by {day(a['review_date'])}" for a in v["alerts"]]
    s = v["summary"]
    lines += ["", "Case summary: " + (f"written {local(s['written_at'])} by {s['by']}, next update due "
                                      f"{day(s['next_update_due'])}" if s else "none yet")]
    if s:
        lines += summary_lines(s)
    lines += ["", f"Recent case notes ({len(v['recent_notes'])} of {v['notes_total']}, most recent first):"]
    for n in v["recent_notes"]:
        lines.append(f"- {local(n['occurred_at'])}  {n['kind']}  [{n['status']}]  by {n['author']}  {n['id'][:8]}")
        lines += note_lines(n)
    lines += ["", f"Decisions ({len(v['decisions'])}):"]
    lines += [f"- {local(d['occurred_at'])}  {d['decision']}  ({d['by']})" for d in v["decisions"]]
    lines += ["", f"Documents ({len(v['documents'])}):"]
    lines += [f"- {d['name']} ({d['doc_type'].replace('_', ' ')}), received {day(d['date_received'])}"
              for d in v["documents"]]
    return "\n".join(lines)


@case.command("view")
@common
@click.argument("case_id")
@as_of_option
def case_view_cmd(ctx: Context, case_id: str, as_of: str | None) -> None:
    """What a worker opens: the child, allocation, process, alerts, summary, recent notes, decisions.

    Deleted notes are left out; amendments and any disagreement are shown beside the note.

    \b
    Example:  caseledger case view 3f2a --as-of '2026-12-01 17:00'
    """
    c, when = read_case(ctx, case_id, as_of, Part.CASE_VIEW)
    v = views.case_view(c, today=views.local_date(when))
    ctx.out(v, lambda: case_view_text(v) + ("\n" + _stamp(c, as_of).strip() if as_of else ""))


# --- summary and history -------------------------------------------------------------------------


@cli.command("summary")
@common
@click.argument("case_id")
@as_of_option
def summary_cmd(ctx: Context, case_id: str, as_of: str | None) -> None:
    """The latest case summary (policy s.9), whether it is overdue, and what the next must cover.

    \b
    Example:  caseledger summary 3f2a --json
    """
    c, when = read_case(ctx, case_id, as_of, Part.SUMMARY)
    v = views.summary_view(c, now=when)
    ctx.out(v, lambda: summary_text(v, _stamp(c, as_of)))


def summary_text(v: dict[str, Any], stamp: str = "") -> str:
    """The summary view in words: every field the summary records, then what the next must cover."""
    s = v["summary"]
    lines = [f"Case summary of {v['child']}{stamp}"]
    if s:
        lines.append(f"Written {day(v['written_on'])} by {s['by']}; next update due {day(v['due'])}"
                     + ("  OVERDUE (more than three months old)" if v["overdue"] else ""))
        lines += summary_lines(s)
    else:
        lines.append(f"No case summary yet; the first was due {day(v['due'])}" + ("  OVERDUE" if v["overdue"] else ""))
    lines += ["", "What the next summary must cover:"]
    lines += [f"  - {item}" for item in v["must_cover"]] or ["  (nothing new recorded since)"]
    return "\n".join(lines)


@cli.command("history")
@common
@click.argument("case_id")
@as_of_option
def history_cmd(ctx: Context, case_id: str, as_of: str | None) -> None:
    """AUDIT-ONLY: the complete history of a case as recorded, deleted notes included.

    For team managers, auditors and investigators: who deleted what, when and why; every
    revision and amendment with the original text; superseded milestones; every update.
    The text of deleted notes is shown only to the team manager of the team that holds the
    case, service managers, heads of service and auditors; anyone else who may read the case
    sees "deleted by X on D: reason" in its place (both decisions are in the access log).

    \b
    Example:  caseledger history 3f2a --json
    """
    c, _ = read_case(ctx, case_id, as_of, Part.AUDIT_VIEW)
    rows = views.audit_view(c, ctx.ledger.events.get(c.id, lte=c.version))
    if any(n["deleted"] for n in c.notes.values()):
        # Deleted notes' text is audit-only: a second decision, recorded like every read.
        try:
            ctx.ledger.access.check(ctx.acting, c.id, "read", Part.DELETED_CONTENT, purpose=ctx.purpose,
                                    basis=ctx.basis)
        except PermissionDenied as e:
            rows = views.withhold_deleted(c, rows)
            click.echo(f"Deleted notes' text withheld: {str(e).removeprefix('access denied: ')}", err=True)

    ctx.out(rows, lambda: history_text(c.child["name"], rows, _stamp(c, as_of)))


def history_text(child: str, rows: list[dict[str, Any]], stamp: str = "") -> str:
    """The audit view in words: each revision and amendment with exactly the fields it changed
    (was, now); each deleted note with its text, unless withheld."""
    lines = [f"History of the case of {child} ({len(rows)} entries, in recorded order){stamp}"]
    for r in rows:
        lines.append(f"{local(r['at'])}  {r['action']:<28} {r['ref'][:8]}  {r['by']}")
        lines.append(f"    {r['text']}")
        if "withheld" in r:
            lines.append(f"    ({r['withheld']})")
        elif r["action"] in ("note_amended", "note_revised") and "changes" in r:
            verb = "amended" if r["action"] == "note_amended" else "revised"
            lines += [f"    {change_text(ch, verb)}" for ch in r["changes"]]
        elif r["action"] == "note_deleted" and "content" in r:
            lines.append(f"    Text: {r['content'].get('facts')}")
    return "\n".join(lines)
