"""The access investigation report (issue 6): who opened what, on what basis, and what is flagged.

``caseledger access report --staff ID | --case ID [--from --to]``:

* **for a staff member**: every record they opened or tried to open, from their daily access
  streams over the period (one query: :meth:`~ledger.access_investigation.AccessInvestigation.attempt_rows`),
  with their staff stream (team moves, leaving) and the reviews of their flagged attempts.
  Without ``--from``/``--to`` the period is the last :data:`DEFAULT_DAYS` days to today (London);
* **for a case**: everyone who opened it or tried to (a scan of the access events, see
  :mod:`ledger.access_investigation`), with each person's staff stream. Bulk browsing is a
  property of a person's own attempts, so it is looked for in staff reports only.

The report itself (rows, flags in words, counts) is derived by :func:`ledger.access_facts.build_report`
so that an evidence bundle can derive it again offline. This module fetches, and renders it as a
table a disciplinary panel reads, as CSV, or (the report dict) as JSON. The child's name never
appears: an access report is about staff conduct, and names records by case id.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from ledger.access_facts import (
    FLAG_WORDS,
    Attempt,
    StaffHistory,
    Thresholds,
    attempt_from_fields,
    build_report,
    history_from_fields,
    review_summary,
)
from ledger.access_log import access_day
from ledger.application import CaseLedger
from ledger.case import LOCAL_ZONE
from ledger.errors import NotFound
from ledger.staff import staff_stream_id

__all__ = ["DEFAULT_DAYS", "BuiltReport", "case_report", "report_csv", "report_text", "staff_report"]

#: The period of a staff report when none is given: the last year, to today.
DEFAULT_DAYS = 365


@dataclass
class BuiltReport:
    """A report and the events it cites (stream id, version): the contents of its evidence bundle."""

    report: dict[str, Any]
    cited: list[tuple[uuid.UUID, int]] = field(default_factory=list)


def _reviews(ledger: CaseLedger, attempts: list[Attempt]) -> tuple[dict[tuple[str, int], dict[str, Any]],
                                                                  list[tuple[uuid.UUID, int]]]:
    reviews, cited = {}, []
    for r in ledger.review_rows(attempts):
        f = r.fields()
        reviews[(str(f["attempt_stream"]), int(f["attempt_version"]))] = review_summary(f)
        cited.append((r.stream_id, r.version))
    return reviews, cited


def _histories(ledger: CaseLedger, staff_ids: list[str]) -> tuple[dict[str, StaffHistory], list[tuple[uuid.UUID, int]]]:
    by_stream = {staff_stream_id(s): s for s in staff_ids}
    rows = sorted(ledger.stored_rows(by_stream), key=lambda r: (str(r.stream_id), r.version))
    grouped: dict[str, list[tuple[str, dict[str, Any]]]] = {s: [] for s in staff_ids}
    for r in rows:
        grouped[by_stream[r.stream_id]].append((r.topic, r.fields()))
    return ({s: history_from_fields(s, events) for s, events in grouped.items()},
            [(r.stream_id, r.version) for r in rows])


def staff_report(ledger: CaseLedger, staff_id: str, since: _dt.date | None = None, until: _dt.date | None = None,
                 thresholds: Thresholds | None = None) -> BuiltReport:
    """Every attempt of ``staff_id`` from ``since`` to ``until`` (London days), flagged."""
    until = until or access_day(ledger.clock())
    since = since or until - _dt.timedelta(days=DEFAULT_DAYS - 1)
    rows = ledger.attempt_rows(staff_id, since, until)
    attempts = [attempt_from_fields(r.stream_id, r.version, r.leaf, r.fields()) for r in rows]
    histories, staff_cited = _histories(ledger, [staff_id])
    history = histories[staff_id]
    if not history.teams and not attempts:
        raise NotFound(f"no staff member with the id {staff_id!r} in the staff directory, and no access attempts "
                       f"recorded under that id from {since} to {until}")
    reviews, review_cited = _reviews(ledger, attempts)
    name = history.full_name or next((str(a.actor.get("full_name", "")) for a in attempts), "")
    report = build_report({"kind": "staff", "staff_id": staff_id, "name": name}, since, until,
                          thresholds or Thresholds(), attempts, histories, reviews)
    return BuiltReport(report, [(r.stream_id, r.version) for r in rows] + staff_cited + review_cited)


def case_report(ledger: CaseLedger, case_id: uuid.UUID | str, since: _dt.date | None = None,
                until: _dt.date | None = None) -> BuiltReport:
    """Everyone's attempts on one case, with the basis of each."""
    cid = ledger.resolve_case_id(case_id)
    attempts = ledger.attempts_on_case(cid, since, until)
    people = sorted({a.staff_id for a in attempts})
    histories, staff_cited = _histories(ledger, people)
    histories = {s: h for s, h in histories.items() if h.teams}
    reviews, review_cited = _reviews(ledger, attempts)
    report = build_report({"kind": "case", "case_id": str(cid)}, since, until, Thresholds(), attempts,
                          histories, reviews)
    return BuiltReport(report, [(a.stream_id, a.version) for a in attempts] + staff_cited + review_cited)


# --- rendering ------------------------------------------------------------------------------------


def _when(iso: str) -> str:
    return _dt.datetime.fromisoformat(iso).astimezone(LOCAL_ZONE).strftime("%d %b %Y %H:%M")


def _words(value: str) -> str:
    return (value or "").replace("_", " ")


def basis_text(row: dict[str, Any]) -> str:
    """On what basis: the rule that decided, the purpose typed and the break-glass basis."""
    text = row["rule"]
    if row["purpose"] and row["purpose"] not in text:
        text += f'; reason given: "{row["purpose"]}"'
    if row["basis"] and _words(row["basis"]) not in text:
        text += f"; break-glass basis given: {_words(row['basis'])}"
    return text


def _title(report: dict[str, Any]) -> str:
    s = report["subject"]
    period = (f"{report['from'] or 'the start'} to {report['to'] or 'today'}"
              if report["from"] or report["to"] else "all recorded attempts")
    if s["kind"] == "staff":
        return f"Access report: {s['name'] or '(not in the staff directory)'} ({s['staff_id']}), {period}"
    return f"Access report: case record {s['case_id']}, {period}"


def report_text(report: dict[str, Any]) -> str:
    """The report as a disciplinary panel reads it: a summary, then one entry per attempt."""
    s, summary = report["summary"], report["summary"]["flags"]
    staff = report["subject"]["kind"] == "staff"
    lines = [_title(report),
             f"{s['attempts']} attempt{'' if s['attempts'] == 1 else 's'} on {s['cases']} record"
             f"{'' if s['cases'] == 1 else 's'}; {s['denied']} denied; {s['flagged']} flagged."]
    if summary:
        lines.append("Flagged: " + "; ".join(f"{FLAG_WORDS[k]}: {n}" for k, n in summary.items()))
    if staff:
        t = report["thresholds"]
        lines.append(f"(Bulk browsing: {t['bulk_cases']} or more different records within {t['bulk_minutes']} "
                     "minutes. Times are London time. Each attempt's reference, e.g. A1234, names it for a review.)")
    if not report["attempts"]:
        lines.append("No attempts recorded in this period.")
        return "\n".join(lines)
    lines.append("")
    head = f"{'ref':<9} {'when':<17} " + ("" if staff else f"{'who':<28} ") + \
        f"{'case':<10} {'part':<12} {'action':<9} outcome"
    lines += [head, "-" * len(head)]
    for r in report["attempts"]:
        who = "" if staff else f"{(r['name'] or r['staff_id'])[:20] + ' (' + r['team'][:5] + ')':<28} "
        case = (r["case_id"] or r["case_ref"] or "")[:8]
        lines.append(f"{r['ref']:<9} {_when(r['at']):<17} {who}{case:<10} {_words(r['part']):<12} "
                     f"{r['action']:<9} {r['outcome'].upper()}")
        pad = " " * 10
        lines.append(f"{pad}basis: {basis_text(r)}")
        if r["restriction"]:
            lines.append(f"{pad}record restricted ({_words(r['restriction'])}) at that moment")
        for f in r["flags"]:
            lines.append(f"{pad}FLAG: {f['text']}")
        if r["review"]:
            v = r["review"]
            lines.append(f"{pad}reviewed {v['at'][:10]} by {v['by']}: {_words(v['outcome'])}: {v['note']}")
        elif r["flags"]:
            lines.append(f"{pad}not yet reviewed (on the service manager's alert list)")
    return "\n".join(lines)


CSV_FIELDS = ("ref", "at", "staff_id", "name", "designation", "team", "case_id", "case_ref", "case_team", "part",
              "item", "action", "outcome", "rule_id", "rule", "purpose", "basis", "restriction", "policy_flag",
              "flags", "flag_text", "review_outcome", "review_by", "review_at", "review_note", "client", "host")


def report_csv(report: dict[str, Any]) -> str:
    """One line per attempt; ``flags`` is the flag kinds joined by ';', ``flag_text`` the words."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for r in report["attempts"]:
        review = r["review"] or {}
        values = {**r, "flags": ";".join(f["kind"] for f in r["flags"]),
                  "flag_text": "; ".join(f["text"] for f in r["flags"]),
                  "review_outcome": review.get("outcome", ""), "review_by": review.get("by", ""),
                  "review_at": review.get("at", ""), "review_note": review.get("note", ""),
                  "client": r["origin"].get("client", ""), "host": r["origin"].get("host", "")}
        w.writerow(["" if values.get(k) is None else values[k] for k in CSV_FIELDS])
    return buf.getvalue()


def alerts_text(alerts: list[tuple[Attempt, list[tuple[str, str]]]]) -> str:
    """The service manager's alert list: flagged attempts not yet reviewed, each with its flags in the
    words the access report uses (one derivation: :meth:`~ledger.access_investigation.AccessInvestigation.alerts`)."""
    if not alerts:
        return "No flagged access attempts are waiting for review."
    lines = [f"{len(alerts)} flagged access attempt{'' if len(alerts) == 1 else 's'} waiting for review "
             "(oldest first):", ""]
    labels = {"break_glass": "BREAK-GLASS", "self_claim": "SELF-CLAIM", "denied_restricted": "DENIED (RESTRICTED)"}
    for a, flags in alerts:
        who = f"{a.actor.get('full_name') or a.staff_id} ({a.staff_id})"
        case = str(a.case_id or a.case_ref)[:8]
        kind = flags[0][0]
        label = labels.get(kind, _words(kind).upper())
        lines.append(f"{a.ref:<9} {_when(a.at.isoformat()):<17} {label:<20} "
                     f"{who}, case {case}, {_words(a.part)}, {a.outcome.upper()}")
        lines.append(f"{'':<10}{a.rule}" + (f'; reason given: "{a.purpose}"' if a.purpose else ""))
        for _, words in flags:
            lines.append(f"{'':<10}FLAG: {words}")
    lines += ["", "Record a review: caseledger access review --attempt REF --outcome "
              "appropriate|inappropriate_advised|inappropriate_referred --note '...'"]
    return "\n".join(lines)


def alert_dict(a: Attempt, flags: list[tuple[str, str]]) -> dict[str, Any]:
    return {"ref": a.ref, "at": a.at.isoformat(), "staff_id": a.staff_id,
            "name": str(a.actor.get("full_name", "")), "case_id": str(a.case_id) if a.case_id else None,
            "part": a.part, "action": a.action, "outcome": a.outcome, "flag": a.flag,
            "flags": [{"kind": k, "text": w} for k, w in flags],
            "restriction": a.restriction, "rule": a.rule, "purpose": a.purpose, "basis": a.basis}
