"""``caseledger compliance``: recording-timescale compliance as of a date (thin: no rules here)."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import click

from commands.group import Context, cli, common, parse_when
from commands.render import local
from ledger.access.policy import Part
from ledger.errors import RuleViolation
from projections.compliance import compliance_report


@cli.command()
@common
@click.option("--case", "case_id", help="One case (UUID or its first hex digits).")
@click.option("--worker", help="One worker's items (staff id).")
@click.option("--team", help="One team's items.")
@click.option("--as-of", "as_of", help="A date or date and time (London); default now.")
@click.option("--items/--no-items", default=None, help="List the items (default: yes for a case or worker).")
def compliance(ctx: Context, case_id: str | None, worker: str | None, team: str | None, as_of: str | None,
               items: bool | None) -> None:
    """What was due, overdue, finalised late and on time, with percentages (policy s.18).

    \b
    Example:  caseledger compliance --team 'Child Protection' --as-of 2026-10-01
    """
    if sum(x is not None for x in (case_id, worker, team)) > 1:
        raise RuleViolation("give at most one of --case, --worker and --team")
    when = parse_when(as_of, "--as-of") if as_of else ctx.ledger.clock()
    if as_of and len(as_of.strip()) == 10:  # a date: the end of that day
        when = when + _dt.timedelta(days=1) - _dt.timedelta(microseconds=1)
    # A read of every record reported on: decided by the access policy and recorded first. One case
    # is read as such; otherwise the report covers the records the reader may open.
    if case_id is not None:
        ctx.read(case_id, Part.PROCESS)
        records = None
    else:
        records = ctx.ledger.access.readable_cases(ctx.acting, Part.PROCESS)
    report = compliance_report(ctx.ledger, as_of=when, case=case_id, worker=worker, team=team, records=records)
    show_items = items if items is not None else bool(case_id or worker)

    def text() -> str:
        c = report.counts
        pct = report.percent_on_time
        lines = [f"Recording compliance for {report.scope}, as of {local(report.as_of)}:",
                 f"  on time {c['on_time']}, late {c['late']}, overdue {c['overdue']}, not yet due {c['due']}"
                 + (f"  ->  {pct}% on time" if pct is not None else "")]
        if show_items:
            for i in report.items:
                if i.status == "on_time":
                    continue
                extra = f", done {local(i.done_at)}" if i.done_at else ""
                reason = f" (reason: {i.late_reason})" if i.late_reason else ""
                lines.append(f"  {i.status:<8} {i.what:<28} {i.child:<24} due {local(i.due)}{extra}  "
                             f"[{i.rule}]{reason}")
        return "\n".join(lines)

    data: dict[str, Any] = report.as_dict(with_items=show_items)
    ctx.out(data, text)
