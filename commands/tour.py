"""The short tour printed after ``caseledger demo``: what is in the ledger and what to try."""

from __future__ import annotations

import dataclasses
from typing import Any

from commands.render import day, local, who
from ledger.access.policy import restriction_of
from ledger.application import CaseLedger
from ledger.integrity.verify import LedgerReport
from ledger.records.case import CaseRecord


def _counts(summary: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(summary):
        return {k: v for k, v in dataclasses.asdict(summary).items() if isinstance(v, int)}
    return {}


def tour_text(ledger: CaseLedger, summary: Any, report: LedgerReport) -> str:
    # A restricted record's child is never named in the tour (policy s.11).
    cases = [c for c in (ledger.case(i) for i in ledger.case_ids()) if restriction_of(c) is None]
    # In a borough of one or two children every record may be restricted: no child to show then.
    richest = max(cases, key=lambda c: c.version) if cases else None
    with_deletion = next((c for c in cases if any(n["deleted"] for n in c.notes.values())), None)
    with_amendment = next((c for c in cases if any(n["amendments"] for n in c.notes.values())), None)
    db = ledger.backend.display
    dbopt = "" if db == "caseledger.db" else f" --db {db}"
    lines = [
        f"Demo borough written to {db}.",
        "  " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in _counts(summary).items()),
        "",
        ("Verified: " if report.ok else "VERIFICATION FAILED: ")
        + f"{report.chains.events} events in {report.chains.streams} hash-chained streams "
        + f"({report.chains.cases} case records), the Merkle log of {report.log_size} leaves and "
        + f"{len(report.checkpoints)} signed checkpoint{'' if len(report.checkpoints) == 1 else 's'}.",
    ]
    if richest is not None:
        lines += ["", f"A look at one child: {richest.child['name']} ({richest.version} events), "
                  f"allocated to {who(richest.worker)}."]
    for n in richest.visible_notes()[-3:] if richest is not None else []:
        lines.append(f"  {local(n['occurred_at'])}  {n['kind'].value.replace('_', ' ')}: "
                     f"{_short(n['content']['facts'])}")
        if n["content"]["child_views"]:
            views = _short(n["content"]["child_views"], 70).strip('"')
            lines.append(f'      in their own words: "{views}"')
    if with_deletion:
        d = next(n for n in with_deletion.notes.values() if n["deleted"])
        lines += ["", f"A deleted note on {with_deletion.child['name']}'s record, deleted by "
                  f"{who(d['deleted']['by'])} on {day(d['deleted']['at'])}: "
                  f"\"{d['deleted']['reason']}\". Hidden from reads, kept in the ledger."]
    if with_amendment:
        a = next(n for n in with_amendment.notes.values() if n["amendments"])["amendments"][0]
        lines += [f"An amendment on {with_amendment.child['name']}'s record by {who(a['by'])}: "
                  f"\"{a['reason']}\"; the original text stays in the note's history."]
    lines += _access_lines(summary, dbopt)
    if richest is None:
        lines += ["", "Every child's record in this small borough is restricted; try:",
                  f"  caseledger staff list{dbopt}", f"  caseledger verify{dbopt} --json"]
        return "\n".join(lines)
    worker = richest.worker["staff_id"]
    lines += [
        "",
        f"Try (every read of a record is by someone, --as, and recorded; {worker} holds this case):",
        f"  caseledger case list{dbopt} --as {worker}",
        f"  caseledger case show {str(richest.id)[:8]}{dbopt} --as {worker}",
        f"  caseledger chronology {str(richest.id)[:8]}{dbopt} --as {worker}",
        f"  caseledger staff list{dbopt}",
        f"  caseledger verify{dbopt} --json",
        f"  caseledger prove{dbopt} --case {str(richest.id)[:8]} --as {worker}",
        "",
        f"The web console: caseledger serve{dbopt}, then open http://127.0.0.1:8080/ and sign in with a",
        f"staff id (caseledger staff list) and the password demo (every demo staff member has it), e.g. {worker}.",
    ]
    return "\n".join(lines)


def _access_lines(summary: Any, dbopt: str) -> list[str]:
    """The "Access" paragraph: the restricted records, the attempts made on them, where to look."""
    if not getattr(summary, "restricted_adoption_case", None):
        return []
    sm, worker = summary.service_manager, summary.inappropriate_access_worker
    n, flagged = summary.access_attempts, summary.flagged_attempts
    lines = ["", f"Access: {summary.service_manager} restricted two records (an adoption, case "
             f"{str(summary.restricted_adoption_case)[:8]}; a staff member's relative, case "
             f"{str(summary.restricted_staff_relative_case)[:8]}, concerning {summary.staff_concerned}). "
             f"On the last afternoon {n} access attempt{' was' if n == 1 else 's were'} recorded and the access "
             f"report flags {flagged}: {summary.staff_concerned} tried to open their relative's record "
             f"(denied), {summary.break_glass_worker} broke glass on it (concern for safety), and {worker} "
             "tried the adoption record without a grant"
             + (f", opened {_records(summary.bulk_browsed_cases)} in minutes" if summary.bulk_browsed_cases else "")
             + (" and self-claimed one out of hours." if summary.self_claim_case else "."),
             f"  caseledger access report --as {sm} --staff {worker}{dbopt}",
             f"  caseledger access alerts --as {sm}{dbopt}"]
    return lines


def _records(n: int) -> str:
    return "1 record" if n == 1 else f"{n} records"


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


__all__ = ["tour_text", "CaseRecord"]
