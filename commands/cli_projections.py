"""``caseledger projections status|rebuild|run`` and ``caseledger hazards`` (thin: no rules here).

The read command brings its projection up to date first (:func:`projections.runner.catch_up`);
``--as-of`` answers from a fresh fold of the events up to that point instead.
"""

from __future__ import annotations

import datetime as _dt
import signal
import sys
import threading
from typing import Any

import click

from commands.group import Context, cli, common, parse_when, stderr_console
from ledger.access.policy import Part
from ledger.records.case import LOCAL_ZONE
from ledger.records.dates import day_text, iso_day_text
from projections import runner
from projections.hazards import register


def _names(name: str | None) -> list[str]:
    if name is None:
        return list(runner.projection_classes())
    runner.projection_class(name)  # a clear NotFound for a wrong name
    return [name]


def _bar(ctx: Context, label: str) -> Any:
    """A rich progress bar on a terminal (stderr), else nothing."""
    if ctx.json or not sys.stderr.isatty():
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    return Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), transient=True, console=stderr_console())


@cli.group()
def projections() -> None:
    """The materialised views (hazard register, case index, per-case views): status, rebuild, run."""


@projections.command("status")
@common
def projections_status(ctx: Context) -> None:
    """Each projection's position against the ledger's head, and its lag in events.

    \b
    Example:  caseledger projections status --json
    """
    rows = runner.status(ctx.ledger)
    ctx.out({"projections": rows}, lambda: "\n".join(
        [f"{'projection':<10} {'position':>10} {'head':>10} {'lag':>8}  description"]
        + [f"{r['projection']:<10} {r['position']:>10} {r['head']:>10} {r['lag']:>8}  {r['description']}"
           for r in rows]))


@projections.command("rebuild")
@common
@click.argument("name", required=False)
def projections_rebuild(ctx: Context, name: str | None) -> None:
    """Drop a projection's rows and position and replay it from event zero (all of them unless
    NAME is given: hazards, cases, chronology, case_view, summary).

    The new rows replace the old in one transaction: readers never see a half-built view.

    \b
    Example:  caseledger projections rebuild hazards
    """
    names = _names(name)
    results = []
    for n in names:
        bar = _bar(ctx, f"Rebuilding {n}")
        if bar is None:
            results.append(runner.rebuild(ctx.ledger, n))
            continue
        with bar:
            task = bar.add_task(f"Rebuilding {n}", total=None)
            results.append(runner.rebuild(ctx.ledger, n, progress=lambda done, total, b=bar, t=task: b.update(  # type: ignore[misc]
                t, completed=done, total=total or None)))
    ctx.out({"rebuilt": results}, lambda: "\n".join(
        f"Rebuilt {r['projection']}: position {r['position']}, "
        + ", ".join(f"{t} {c} rows" for t, c in r["rows"].items()) + f" ({r['seconds']}s)" for r in results))


@projections.command("run")
@common
@click.argument("name", required=False)
@click.option("--once", is_flag=True, help="Process what is there and exit.")
@click.option("--interval", type=float, default=1.0, show_default=True, help="Seconds between polls.")
def projections_run(ctx: Context, name: str | None, once: bool, interval: float) -> None:
    """Keep the projections up to date, following new events until Ctrl-C (or --once).

    \b
    Example:  caseledger projections run --once
    """
    names = _names(name)
    stop = threading.Event()
    if not once:
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        if not ctx.json:
            click.echo(f"Following the ledger for {', '.join(names)} (Ctrl-C to stop)", err=True)

    def report(n: str, count: int) -> None:
        if not ctx.json and not once:
            click.echo(f"{n}: applied {count} events", err=True)

    try:
        applied = runner.run(ctx.ledger, names, once=once, interval=interval, stop=stop, report=report)
    except KeyboardInterrupt:
        applied = {}
    rows = runner.status(ctx.ledger, names)
    ctx.out({"applied": applied, "projections": rows}, lambda: "\n".join(
        f"{r['projection']}: position {r['position']} of {r['head']} (lag {r['lag']})"
        + (f", applied {applied[r['projection']]} events" if r["projection"] in applied else "") for r in rows))


def _as_of(ledger: Any, text: str) -> tuple[int | None, _dt.datetime | None]:
    text = text.strip()
    if text.isdigit():
        return int(text), None
    when = parse_when(text, "--as-of")
    assert when is not None
    if len(text) == 10:  # a date: the end of that day
        when = when + _dt.timedelta(days=1) - _dt.timedelta(microseconds=1)
    return None, when


@cli.command()
@common
@click.option("--team", help="One team's alerts.")
@click.option("--overdue", "overdue_only", is_flag=True, help="Only those overdue for review.")
@click.option("--closed", "include_closed", is_flag=True, help="Include alerts on closed cases.")
@click.option("--as-of", "as_of", metavar="WHEN|POSITION",
              help="As the ledger stood then: a date, a date and time (London), or a notification id.")
def hazards(ctx: Context, team: str | None, overdue_only: bool, include_closed: bool, as_of: str | None) -> None:
    """The hazard register: every open hazard and alert across the authority, overdue first.

    \b
    Example:  caseledger hazards --team 'Child Protection' --overdue --json
    """
    led = ctx.ledger
    view: Any
    if as_of:
        upto, until = _as_of(led, as_of)
        view, position, last = runner.replay(led, "hazards", upto=upto, until=until)
        moment = until or last or led.clock()
    else:
        runner.catch_up(led, "hazards")
        view, moment = runner.view_of(led, "hazards"), led.clock()
        position = runner.position(led, "hazards")
    today = moment.astimezone(LOCAL_ZONE).date()
    rows = register(view, today=today, team=team, overdue_only=overdue_only, include_closed=include_closed)
    # A read of every record shown: only those the reader may open, each recorded first.
    readable = {str(c.id) for c in led.access.readable_cases(ctx.acting, Part.CASE_VIEW,
                                                             among=[str(r["case_id"]) for r in rows])}
    rows = [r for r in rows if str(r["case_id"]) in readable]

    def text() -> str:
        if not rows:
            return (f"No open hazards or alerts{' in ' + team if team else ''} "
                    f"(as of {day_text(today)}, position {position}).")
        lines = [f"{len(rows)} open hazards and alerts, as of {day_text(today)} (position {position}):"]
        for r in rows:
            flag = "OVERDUE " if r["overdue"] else "        "
            what = r["type"] or r["kind"]
            lines.append(f"  {flag}review {iso_day_text(r['review_date'])}  {r['child']:<22} {r['team'] or '':<18} "
                         f"{r['worker'] or '':<18} {r['kind']}/{what}: {r['description']}  [{r['case_id'][:8]}]")
        return "\n".join(lines)

    ctx.out({"as_of": today, "position": position, "hazards": rows}, text)
