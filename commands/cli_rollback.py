"""``caseledger rollback ...``: roll-backs of a process matter (policy s.13). No rules here.

request (helpdesk) -> agree or decline (the team manager of the case's team or above) -> carry-out
(helpdesk); withdraw; show, list, report (monitoring); expire (a scheduled job). The rules are in
:mod:`ledger.records.rollback`; the report in :mod:`projections.rollbacks`.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import click

from commands.files import LONG_TEXT, LONG_TEXT_HELP
from commands.group import Context, cli, common, parse_day, parse_when
from commands.render import day, local, who
from ledger.records import milestones
from ledger.records.rollback import RollbackRequest, RollbackStatus
from ledger.services.rollbacks import RollbackDetails
from projections.rollbacks import DEFAULT_ALERT_RATE, rollback_report, rollback_row
from projections.views import milestone_title

__all__ = ["details_dict", "request_dict", "rollback"]


def request_dict(r: RollbackRequest, now: _dt.datetime) -> dict[str, Any]:
    """A roll-back request as ``--json`` (and the HTTP API) gives it, its status at ``now``."""
    return {**rollback_row(r, now), "status_text": r.describe_status(now),
            "requested_effect": r.requested_effect, "kept_counts": r.kept,
            "agreed_effect": ({"superseded": r.agreed["superseded"], "restored": r.agreed["restored"]}
                              if r.agreed else None),
            "history": r.history}


def _milestone_line(e: dict[str, Any], titles: dict[str, str]) -> str:
    kind = milestones.REGISTRY.get(e["kind"])
    title = titles.get(str(e["id"])) or (kind.title if kind is not None else e["kind"])
    return (f"    {local(e['occurred_at'])}  {e['kind']}: {title}  (recorded {local(e['recorded_at'])} by "
            f"{e['by']['full_name']})  {e['id']}")


def _details_text(d: RollbackDetails, ctx: Context) -> str:
    r, case = d.request, d.case
    now = ctx.ledger.clock()
    titles = {str(m["id"]): milestone_title(m["kind"], m["details"]) for m in case.milestones}
    lines = [
        f"Roll-back {r.id}: {r.describe_status(now)}",
        f"  Case {case.id} ({case.child['name']}), held by the {case.team} team",
        f"  Point: {r.point['given']}: the process returns to what it was after version {r.point['version']} "
        f"(recorded {local(r.point['recorded_at'])})",
        f"  Matter: {r.matter} ({milestones.REGISTRY[r.matter].title})",
        f"  Reason: {r.reason}",
        f"  Raised by {who(r.raised_by)}; requested by {who(r.requested_by)} on {local(r.requested_at)}",
    ]
    if r.agreed:
        lines.append(f"  Agreed by {who(r.agreed['by'])} on {local(r.agreed['at'])}")
    if r.carried_out:
        lines.append(f"  Carried out by {who(r.carried_out['by'])} on {local(r.carried_out['at'])} "
                     f"(case version {r.carried_out['case_version']})")
    effect = d.effect
    if effect is not None:
        lines.append(f"Process events it would supersede ({len(effect.superseded)}):")
        lines += [_milestone_line(e, titles) for e in effect.superseded] or ["    (none)"]
        if effect.restored:
            lines.append(f"Process events it would restore (superseded by an earlier roll-back) "
                         f"({len(effect.restored)}):")
            lines += [_milestone_line(e, titles) for e in effect.restored]
    elif r.carried_out:
        lines.append(f"Superseded {len(r.carried_out['superseded'])} process event(s), restored "
                     f"{len(r.carried_out['restored'])}: see 'caseledger history {str(case.id)[:8]}'")
    lines.append(f"Casework recorded after the point, which stays ({len(d.kept)}):")
    lines += [f"    {local(k['recorded_at'])}  {k['kind']}" + (f"  {k['ref']}" if k["ref"] else "")
              + f"  by {k['by']}" for k in d.kept] or ["    (none)"]
    if r.status_at(now) in (RollbackStatus.REQUESTED, RollbackStatus.AGREED) and d.may_decide:
        lines.append("May agree or decline: " + ", ".join(f"{m.full_name} ({m.staff_id})" for m in d.may_decide))
    return "\n".join(lines)


def details_dict(d: RollbackDetails, now: _dt.datetime) -> dict[str, Any]:
    """A roll-back request with what it would supersede, the casework kept and who may decide it."""
    return {**request_dict(d.request, now), "child": d.case.child["name"], "case_team_now": d.case.team,
            "would_supersede": d.effect.superseded if d.effect else None,
            "would_restore": d.effect.restored if d.effect else None,
            "casework_kept": d.kept, "may_decide": [m.staff_id for m in d.may_decide]}


@cli.group()
def rollback() -> None:
    """Roll-backs of a process matter to a point in time (policy s.13): request, agree, carry out, report."""


@rollback.command("request")
@common
@click.option("--case", "case_id", required=True, help="The case (its id, or its first hex digits).")
@click.option("--version", "point_version", type=int, help="The point: a case version (the case as it stood after it).")
@click.option("--at", "point_at", help="The point: a date and time, '2026-04-20 13:00' (the last case event then).")
@click.option("--before-milestone", help="The point: just before this milestone (its id) was recorded.")
@click.option("--matter", required=True, metavar="KIND",
              help="The process matter corrected: a milestone kind, e.g. cf_assessment_authorised.")
@click.option("--reason", required=True, type=LONG_TEXT,
              help="Why (at least three words, twelve letters)." + LONG_TEXT_HELP)
@click.option("--raised-by", required=True, metavar="STAFF_ID", help="The worker or manager who asked for it.")
def rollback_request(ctx: Context, case_id: str, point_version: int | None, point_at: str | None,
                     before_milestone: str | None, matter: str, reason: str, raised_by: str) -> None:
    """Request a roll-back (helpdesk); it shows what would be superseded and what casework stays.

    \b
    Example:  caseledger rollback request --as sam.hd --case 3f2a --before-milestone 25a9e27a-... \\
                --matter cf_assessment_authorised --raised-by grace.obi \\
                --reason 'Authorised with the completion date instead of the date of authorisation'
    """
    r = ctx.ledger.rollbacks.request(ctx.acting, case_id, matter=matter, reason=reason, raised_by=raised_by,
                                     point_version=point_version,
                                     point_at=parse_when(point_at, "--at", "roll-back point"),
                                     before_milestone=before_milestone)
    d = ctx.ledger.rollbacks.details(ctx.acting, r.id)
    ctx.out(details_dict(d, ctx.ledger.clock()), lambda: "Requested.\n" + _details_text(d, ctx))


@rollback.command("agree")
@common
@click.argument("rollback_id")
def rollback_agree(ctx: Context, rollback_id: str) -> None:
    """Agree a roll-back (the team manager of the case's team, or a service manager or head of service).

    \b
    Example:  caseledger rollback agree 5f09 --as grace.obi
    """
    r = ctx.ledger.rollbacks.agree(ctx.acting, rollback_id)
    sup = (r.agreed or {}).get("superseded", [])
    ctx.out(request_dict(r, ctx.ledger.clock()), f"Agreed roll-back {r.id}: {len(sup)} process event(s) to supersede. "
                                   f"The helpdesk carries it out: caseledger rollback carry-out {str(r.id)[:8]}")


@rollback.command("decline")
@common
@click.argument("rollback_id")
@click.option("--reason", required=True, type=LONG_TEXT,
              help="Why it is declined (at least three words, twelve letters)." + LONG_TEXT_HELP)
def rollback_decline(ctx: Context, rollback_id: str, reason: str) -> None:
    """Decline a roll-back, with a reason (who may agree it).

    \b
    Example:  caseledger rollback decline 5f09 --as grace.obi --reason 'The date recorded is the right one'
    """
    r = ctx.ledger.rollbacks.decline(ctx.acting, rollback_id, reason=reason)
    ctx.out(request_dict(r, ctx.ledger.clock()), f"Declined roll-back {r.id}.")


@rollback.command("withdraw")
@common
@click.argument("rollback_id")
@click.option("--reason", required=True, type=LONG_TEXT,
              help="Why it is withdrawn (at least three words, twelve letters)." + LONG_TEXT_HELP)
def rollback_withdraw(ctx: Context, rollback_id: str, reason: str) -> None:
    """Withdraw a roll-back request (the helpdesk, or the person who raised it).

    \b
    Example:  caseledger rollback withdraw 5f09 --as sam.hd --reason 'Raised on the wrong case'
    """
    r = ctx.ledger.rollbacks.withdraw(ctx.acting, rollback_id, reason=reason)
    ctx.out(request_dict(r, ctx.ledger.clock()), f"Withdrew roll-back {r.id}.")


@rollback.command("carry-out")
@common
@click.argument("rollback_id")
def rollback_carry_out(ctx: Context, rollback_id: str) -> None:
    """Carry out an agreed roll-back (helpdesk): one atomic write on the case and the request.

    \b
    Example:  caseledger rollback carry-out 5f09 --as sam.hd
    """
    r = ctx.ledger.rollbacks.carry_out(ctx.acting, rollback_id)
    done = r.carried_out or {}
    ctx.out(request_dict(r, ctx.ledger.clock()),
            f"Carried out roll-back {r.id} on case {r.case_id}: {len(done.get('superseded', []))} process "
            f"event(s) superseded, {len(done.get('restored', []))} restored; casework untouched. The correct "
            "process events can now be recorded.")


@rollback.command("show")
@common
@click.argument("rollback_id")
def rollback_show(ctx: Context, rollback_id: str) -> None:
    """A roll-back request: its status, what it would supersede and the casework that stays.

    \b
    Example:  caseledger rollback show 5f09 --as grace.obi
    """
    d = ctx.ledger.rollbacks.details(ctx.acting, rollback_id)
    ctx.out(details_dict(d, ctx.ledger.clock()), lambda: _details_text(d, ctx))


@rollback.command("list")
@common
@click.option("--case", "case_id", help="Only this case.")
@click.option("--team", help="Only cases held by this team when requested.")
@click.option("--status", type=click.Choice([s.value for s in RollbackStatus]), help="Only this status (now).")
def rollback_list(ctx: Context, case_id: str | None, team: str | None, status: str | None) -> None:
    """List roll-back requests, oldest first (helpdesk, auditors, team managers and above).

    \b
    Example:  caseledger rollback list --as moira.duncan --status requested
    """
    requests = ctx.ledger.rollbacks.find(ctx.acting, case_id=case_id, team=team, status=status)
    now = ctx.ledger.clock()
    rows = [rollback_row(r, now) for r in requests]

    def text() -> str:
        out = [f"{'id':<10} {'requested':<22} {'case':<10} {'team':<18} {'matter':<26} {'status':<12} raised by"]
        out += [f"{row['id'][:8]:<10} {local(row['requested_at']):<22} {row['case_id'][:8]:<10} {row['team']:<18} "
                f"{row['matter']:<26} {row['status']:<12} {row['raised_by_name']}" for row in rows]
        return "\n".join(out) if rows else "No roll-back requests."

    ctx.out(rows, text)


def _counts(t: dict[str, Any]) -> str:
    return (f"{t['requests']} requested, {t['agreed']} agreed, {t['declined']} declined, {t['withdrawn']} withdrawn, "
            f"{t['expired']} expired, {t['carried_out']} carried out, {t['awaiting']} open")


@rollback.command("report")
@common
@click.option("--team", help="Only cases held by this team when requested.")
@click.option("--from", "since", help="Requests made on or after this date (YYYY-MM-DD).")
@click.option("--to", "until", help="Requests made on or before this date (YYYY-MM-DD).")
@click.option("--alert-rate", type=click.IntRange(min=0), default=DEFAULT_ALERT_RATE, show_default=True,
              help="Highlight a team with more requests than this in any one month.")
def rollback_report_cmd(ctx: Context, team: str | None, since: str | None, until: str | None,
                        alert_rate: int) -> None:
    """Monitoring (s.13): requests, agreements, refusals and completions per team, month, requester and matter.

    \b
    Example:  caseledger rollback report --as moira.duncan --from 2026-01-01 --to 2026-12-31 --alert-rate 1
    """
    first, last = parse_day(since, "--from"), parse_day(until, "--to")
    if first and last and first > last:
        raise click.BadParameter(f"--from {day(first)} is after --to {day(last)}", param_hint="--from")
    requests = ctx.ledger.rollbacks.find(ctx.acting, team=team)
    report = rollback_report(requests, now=ctx.ledger.clock(), team=team, since=first, until=last,
                             alert_rate=alert_rate)

    def text() -> str:
        window = f"{day(first) if first else 'the start'} to {day(last) if last else 'now'}"
        out = [f"Roll-back report, {window}" + (f", {team} team" if team else "")
               + f" (highlighted: more than {alert_rate} request(s) in a month)",
               f"Totals: {_counts(report['totals'])}", "", "Per team:"]
        for name, t in report["per_team"].items():
            flag = f"  <-- HIGHLIGHTED: {', '.join(t['alert_months'])}" if t["highlighted"] else ""
            out.append(f"  {name}: {_counts(t)}{flag}")
            out.append(f"      cases: {', '.join(c[:8] for c in t['cases'])}")
        for title, key in (("Per month", "per_month"), ("Per requester (who raised it)", "per_requester"),
                           ("Per helpdesk member", "per_helpdesk"), ("Per process matter", "per_matter")):
            out += ["", f"{title}:"]
            for name, t in report[key].items():
                label = f"{t['name']} ({name})" if "name" in t else name
                out.append(f"  {label}: {_counts(t)}; cases {', '.join(c[:8] for c in t['cases'])}")
        if not report["requests"]:
            out.append("No roll-back requests in this window.")
        return "\n".join(out)

    ctx.out(report, text)


@rollback.command("expire")
@common
def rollback_expire(ctx: Context) -> None:
    """Record the expiry of requests not agreed in time (run daily; expired requests are refused anyway).

    \b
    Example:  caseledger rollback expire
    """
    expired = ctx.ledger.rollbacks.expire()
    ctx.out([str(r.id) for r in expired], f"{len(expired)} roll-back request(s) expired.")
