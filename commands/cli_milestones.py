"""``caseledger milestone ...``: record and list process milestones. No rules here.

The kinds, their fields, who may record them and what must come first all come from
:mod:`ledger.records.milestones`; this module only parses ``--set field=value`` (with
:func:`ledger.records.fields.parse_text`, for the field's declared type) and formats the answers.
"""

from __future__ import annotations

from typing import Any

import click

from commands.files import long_text
from commands.group import Context, cli, common, parse_when
from commands.render import day, local, who
from ledger.access.policy import Part
from ledger.records import milestones
from ledger.records.fields import parse_text

__all__ = ["milestone", "parse_settings"]


def parse_settings(kind: str, settings: tuple[str, ...]) -> dict[str, Any]:
    """``('decision=s47', 'attendees=police; health')`` as typed details for ``kind``.

    A field the kind does not declare is passed on as text, so that the ledger refuses it by
    name with the list of the kind's fields. A list field may be given more than once.
    """
    k = milestones.kind_of(kind)
    fields = {f.name: f for f in k.fields}
    details: dict[str, Any] = {}
    for item in settings:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise click.BadParameter(f"{item!r} needs the form field=value", param_hint="--set")
        text = long_text(text, f"--set {name}=", sep="")
        f = fields.get(name)
        value = parse_text(f, text) if f is not None else text
        if name in details:
            if f is not None and f.type == "text_list":
                details[name] = [*details[name], *value]
                continue
            raise click.BadParameter(f"{name} is set twice", param_hint="--set")
        details[name] = value
    return details


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if hasattr(value, "isoformat") and hasattr(value, "hour"):
        return local(value)
    if hasattr(value, "isoformat"):
        return day(value)
    return str(value)


def _milestone_dict(entry: dict[str, Any]) -> dict[str, Any]:
    return {"id": entry["id"], "kind": entry["kind"], "occurred_at": entry["occurred_at"],
            "recorded_at": entry["recorded_at"], "by": entry["by"], "details": entry["details"],
            "superseded_by": entry["superseded_by"]}


def _at(value: Any) -> str:
    return day(value.astimezone(milestones.LONDON).date()) if value is not None else "-"


def process_lines(state: dict[str, Any]) -> list[str]:
    """The process state in plain English, one line per part that has begun."""
    s = {**milestones.initial_state(), **(state or {})}
    out: list[str] = []
    if s["referral"]:
        ref = s["referral"]
        out.append(f"Referral decision: {ref['decision'].replace('_', ' ')} ({_at(ref['at'])})")
    elif s["contact"]:
        out.append(f"Contact {_at(s['contact']['at'])} from {s['contact']['source']}: awaiting a decision")
    if s["assessment"]:
        a = s["assessment"]
        out.append(f"C&F assessment: {a['status']} (started {_at(a['started_at'])}, completed "
                   f"{_at(a['completed_at'])}, authorised {_at(a['authorised_at'])})")
    if s["s47"]:
        s47 = s["s47"]
        out.append(f"Section 47: {s47['status'].replace('_', ' ')} (started {_at(s47['started_at'])}"
                   + (f", outcome {s47['outcome'].replace('_', ' ')}" if s47["outcome"] else "") + ")")
    if s["cp_plan"]:
        p = s["cp_plan"]
        state_text = "active" if p["active"] else f"ended {_at(p['ended_at'])}"
        out.append(f"CP plan: {state_text}, category {p['category_latest']} "
                   f"(initially {p['category_initial']}), "
                   f"started {_at(p['started_at'])}, {p['core_groups']} core group(s), "
                   f"{p['reviews']} review(s)")
    if s["cin_plan"]:
        p = s["cin_plan"]
        out.append(f"CIN plan: {'active' if p['active'] else 'ended ' + _at(p['ended_at'])}, started "
                   f"{_at(p['started_at'])}, {p['reviews']} review(s)")
    if s["early_help"]:
        eh = s["early_help"]
        out.append(f"Early help: assessment {_at(eh['assessment_at'])}, {eh['taf_meetings']} TAF meeting(s)")
    if s["looked_after"]:
        la = s["looked_after"]
        if la["status"] == "looked_after":
            out.append(f"Looked after since {_at(la['since'])} ({la['legal_status']})")
        else:
            out.append(f"Ceased to be looked after {_at(la['ceased_at'])}: {la['ceased_reason']}")
    cur = s["placement"]["current"]
    if cur:
        out.append(f"Placement: {cur['placement_type'].replace('_', ' ')} with {cur['carer']} since "
                   f"{_at(cur['started_at'])} ({len(s['placement']['history'])} earlier)")
    if s["lac_review"]:
        out.append(f"LAC reviews: {s['lac_review']['count']}, latest {_at(s['lac_review']['latest_at'])}")
    plans = [f"{k.replace('_', ' ')} {_at(v)}" for k, v in s["plans"].items() if v]
    if plans:
        out.append("Plans: " + ", ".join(plans))
    if s["legal"]["plo_stage"]:
        out.append(f"Legal: {s['legal']['plo_stage'].replace('_', ' ')}")
    if s["private_fostering"]:
        out.append(f"Private fostering notified {_at(s['private_fostering']['notified_at'])}")
    for t in s["transfers"]:
        out.append(f"Transferred to {t['to_team']} {_at(t['at'])}")
    return out or ["No milestones recorded."]


@cli.group()
def milestone() -> None:
    """Process milestones: contact to closure (assessments, S47, CP and CIN plans, looked after, legal)."""


@milestone.command("add")
@common
@click.argument("case_id")
@click.argument("kind")
@click.option("--occurred-at", required=True, help="When it happened: '2026-11-21 14:30' (London).")
@click.option("--set", "settings", multiple=True, metavar="FIELD=VALUE",
              help="A field of the milestone (see 'caseledger milestone kinds KIND'). Repeat. "
                   "FIELD=@FILE reads the value from a file, FIELD=- from standard input.")
def milestone_add(ctx: Context, case_id: str, kind: str, occurred_at: str, settings: tuple[str, ...]) -> None:
    """Record a process milestone of KIND on a case; the ledger checks its fields, role and sequence.

    \b
    Example:  caseledger milestone add CASE strategy_discussion --as jane.smith \\
                --occurred-at '2026-11-04 10:00' --set decision=s47 --set 'attendees=police; health'
    """
    details = parse_settings(kind, settings)
    when = parse_when(occurred_at, "--occurred-at")
    mid = ctx.ledger.casework.record_milestone(ctx.acting, case_id, kind=kind, occurred_at=when, **details)
    ctx.out({"milestone_id": mid, "kind": kind, "details": details},
            f"Recorded {milestones.kind_of(kind).title} ({kind}) {mid}.")


@milestone.command("list")
@common
@click.argument("case_id")
def milestone_list(ctx: Context, case_id: str) -> None:
    """List a case's milestones (in the order recorded) and its current process state.

    \b
    Example:  caseledger milestone list 3f2a --json
    """
    c = ctx.read(case_id, Part.PROCESS)
    data = {"case_id": c.id, "child": c.child["name"],
            "milestones": [_milestone_dict(e) for e in c.milestones], "process": c.process}

    def text() -> str:
        lines = [f"Milestones of {c.child['name']} (case {c.id})"]
        for e in c.milestones:
            mark = "  [superseded]" if e["superseded_by"] else ""
            details = ", ".join(f"{k}={_value(v)}" for k, v in e["details"].items())
            lines.append(f"- {local(e['occurred_at'])}  {e['kind']}{mark}  by {who(e['by'])}"
                         + (f"\n    {details}" if details else ""))
        if not c.milestones:
            lines.append("  (none)")
        lines += ["", "Process state:", *(f"  {line}" for line in process_lines(c.process))]
        return "\n".join(lines)

    ctx.out(data, text)


@milestone.command("kinds")
@common
@click.argument("kind", required=False)
def milestone_kinds(ctx: Context, kind: str | None) -> None:
    """The kinds of milestone: their fields, who may record them, and what must come first.

    \b
    Example:  caseledger milestone kinds cp_plan_started
    """
    names = [kind] if kind else list(milestones.KINDS)
    if kind:
        milestones.kind_of(kind)  # an unknown kind is refused with the list of kinds
    data = []
    for name in names:
        k = milestones.REGISTRY[name]
        data.append({"kind": k.name, "title": k.title, "stage": k.stage, "who": k.who,
                     "first": k.first or None,
                     "fields": [{"name": f.name, "type": f.type, "required": f.required, "help": f.help,
                                 "choices": list(f.choices)} for f in k.fields]})
    ctx.out(data if kind is None else data[0],
            lambda: "\n\n".join(milestones.describe_kind(n) for n in names))
