"""The access investigation report (issue 6): who opened what, on what basis, and what is flagged.

``caseledger access report --staff ID | --case ID [--from --to]``:

* **for a staff member**: every record they opened or tried to open, from their daily access
  streams over the period (one query: :meth:`~ledger.services.investigation.InvestigationService.attempt_rows`),
  with their staff stream (team moves, leaving) and the reviews of their flagged attempts.
  Without ``--from``/``--to`` the period is the last :data:`DEFAULT_DAYS` days to today (London);
* **for a case**: everyone who opened it or tried to (a scan of the access events, see
  :mod:`ledger.services.investigation`), with each person's staff stream. Bulk browsing is a
  property of a person's own attempts, so it is looked for in staff reports only.

The report itself (rows, flags in words, counts) is derived by :func:`ledger.access.facts.build_report`
so that an evidence bundle can derive it again offline. This module fetches, and renders it as a
table a disciplinary panel reads, as CSV, or (the report dict) as JSON. The derived report names
records by case id only; :func:`with_children` adds the child's name for display where the reader
may see it (the access policy decides, for each record), and "restricted" where they may not.
"""

from __future__ import annotations

import copy
import csv
import datetime as _dt
import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from ledger.access.facts import (
    FLAG_WORDS,
    Attempt,
    StaffHistory,
    Thresholds,
    attempt_from_fields,
    build_report,
    history_from_fields,
    review_summary,
)
from ledger.access.log import access_day
from ledger.access.policy import Part, restriction_of
from ledger.application import CaseLedger
from ledger.errors import NotFound
from ledger.records.dates import MOMENT_WIDTH, iso_day_text, iso_moment_text, moment_text
from ledger.records.staff import staff_stream_id
from ledger.services.investigation import AlertList

__all__ = ["DEFAULT_DAYS", "OVERSIGHT_PARTS", "BuiltReport", "alert_dict", "alert_list_dict", "alert_list_text",
           "alerts_text", "basis_text", "case_report", "find_case", "period_text", "record_text",
           "report_csv", "report_text", "report_title", "staff_report", "subject_text", "when_text",
           "who_text", "with_children"]

#: The parts that are not one case record (:class:`~ledger.access.policy.Part`), as a report names them.
OVERSIGHT_PARTS = {Part.ACCESS_LOG.value: "the access log", Part.INTEGRITY.value: "the ledger's integrity"}

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
    for r in ledger.investigation.review_rows(attempts):
        f = r.fields()
        reviews[(str(f["attempt_stream"]), int(f["attempt_version"]))] = review_summary(f)
        cited.append((r.stream_id, r.version))
    return reviews, cited


def _histories(ledger: CaseLedger, staff_ids: list[str]) -> tuple[dict[str, StaffHistory], list[tuple[uuid.UUID, int]]]:
    by_stream = {staff_stream_id(s): s for s in staff_ids}
    rows = sorted(ledger.investigation.stored_rows(by_stream), key=lambda r: (str(r.stream_id), r.version))
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
    rows = ledger.investigation.attempt_rows(staff_id, since, until)
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


def find_case(ledger: CaseLedger, acting: str | None, text: str) -> uuid.UUID:
    """The case ``--case`` names: a case id (or its first hex digits), or a search of the children's
    names for the records ``acting`` may open (the access policy decides each; a record they may
    not open, restricted ones included, is never a match, and the message is the same as for no
    match, so a search reveals nothing). Matches shown are recorded as reads, like the case list.
    More than one match: the matches are listed and an id is asked for (NotFound, exit 1)."""
    try:
        return ledger.resolve_case_id(text)
    except NotFound as not_an_id:
        wanted = " ".join(str(text).split()).casefold()
        if len(wanted) < 2:
            raise not_an_id from None
    named = [cid for cid in ledger.case_ids()
             if wanted in " ".join(str(ledger.case(cid).child["name"]).split()).casefold()]
    found = ledger.access.readable_cases(acting, Part.CASE_LIST, among=named) if named else []
    if not found:
        raise NotFound(f"no case record you may open has a child whose name contains {text!r}, and no case id "
                       "starts with it: give the case id, or a part of the child's name")
    if len(found) > 1:
        ordered = sorted(found, key=lambda c: str(c.child["name"]))
        listed = "; ".join(f"{c.child['name']} (case {c.id})" for c in ordered)
        raise NotFound(f"{len(found)} case records have a child whose name contains {text!r}: {listed}; "
                       "give the case id with --case")
    return found[0].id


def case_report(ledger: CaseLedger, case_id: uuid.UUID | str, since: _dt.date | None = None,
                until: _dt.date | None = None) -> BuiltReport:
    """Everyone's attempts on one case, with the basis of each."""
    cid = ledger.resolve_case_id(case_id)
    attempts = ledger.investigation.attempts_on_case(cid, since, until)
    people = sorted({a.staff_id for a in attempts})
    histories, staff_cited = _histories(ledger, people)
    histories = {s: h for s, h in histories.items() if h.teams}
    reviews, review_cited = _reviews(ledger, attempts)
    report = build_report({"kind": "case", "case_id": str(cid)}, since, until, Thresholds(), attempts,
                          histories, reviews)
    return BuiltReport(report, [(a.stream_id, a.version) for a in attempts] + staff_cited + review_cited)


# --- rendering ------------------------------------------------------------------------------------


def when_text(iso: str) -> str:
    """An ISO moment (the report's JSON) as people read it, e.g. '04 Nov 2026 21:00 GMT'."""
    return iso_moment_text(iso)


#: The width of the "when" column of the text tables: a moment with its zone named.
WHEN_WIDTH = MOMENT_WIDTH


def _words(value: str) -> str:
    return (value or "").replace("_", " ")


def basis_text(row: dict[str, Any]) -> str:
    """On what basis: the rule that decided, the purpose typed and the break-glass basis."""
    text = str(row["rule"])
    if row["purpose"] and row["purpose"] not in text:
        text += f'; reason given: "{row["purpose"]}"'
    if row["basis"] and _words(row["basis"]) not in text:
        text += f"; break-glass basis given: {_words(row['basis'])}"
    return text


def who_text(row: dict[str, Any]) -> str:
    """The person, with their designation and full team name at the time of the attempt."""
    who = f"{row['name'] or '(not in the staff directory)'} ({row['staff_id']})"
    return ", ".join(x for x in (who, row["designation"], row["team"] and f"{row['team']} team") if x)


def record_text(row: dict[str, Any]) -> str:
    """The record: the child's name where the reader may see it (:func:`with_children`), else the case
    id (with "restricted" when it is), the case version the person saw and the team that held it. An
    attempt on the access log or the ledger's integrity (the audit of the audit) names what was done and
    whose attempts or which case it covered."""
    if row["part"] in OVERSIGHT_PARTS:
        return f"{OVERSIGHT_PARTS[row['part']]}: {row['item'] or 'use'} of {row['case_ref'] or 'nothing named'}"
    case = row["case_id"] or f"{row['case_ref']!r} (no such case)"
    child = row.get("child_name")
    if child:
        text = f"{child} (case {case})"
    elif row.get("child_note"):
        text = f"case {case} ({row['child_note']})"
    else:
        text = f"case {case}"
    if row.get("case_version") is not None:
        text += f", version {row['case_version']} seen"
    if row["case_team"]:
        text += f", held by the {row['case_team']} team"
    return text


def with_children(ledger: CaseLedger, acting: str | None, report: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``report`` naming the child of each row where the reader may see the name.

    The reader is subject to the access policy for each child's record: the names shown are those
    of the records the reader may open without a stated reason (``ledger.access.readable_cases``, part
    ``case_list``; each shown is recorded as read, like a line of the case list). A restricted record
    the reader may not open is named by its case id only, with the note "restricted". The copy is
    for display (text, JSON, CSV, HTML): the evidence bundle and the FHIR export carry the report
    as derived from the events alone, without names."""
    ids = list(dict.fromkeys(uuid.UUID(r["case_id"]) for r in report["attempts"] if r["case_id"]))
    if report["subject"].get("kind") == "case":
        ids = list(dict.fromkeys([uuid.UUID(report["subject"]["case_id"]), *ids]))
    readable = ledger.access.readable_cases(acting, Part.CASE_LIST, among=ids) if ids else []
    shown = {c.id: str(c.child["name"]) for c in readable}
    notes = {}
    for cid in ids:
        if cid not in shown:
            notes[cid] = "restricted" if restriction_of(ledger.case(cid)) is not None else "name not shown"
    out = copy.deepcopy(report)
    for row in out["attempts"]:
        seen = uuid.UUID(row["case_id"]) if row["case_id"] else None
        row["child_name"] = shown.get(seen) if seen else None
        row["child_note"] = notes.get(seen, "") if seen else ""
    if out["subject"].get("kind") == "case":
        subject = uuid.UUID(out["subject"]["case_id"])
        out["subject"]["child_name"] = shown.get(subject)
        out["subject"]["child_note"] = notes.get(subject, "")
    return out


def period_text(report: dict[str, Any]) -> str:
    """The period the report covers, e.g. '01 Nov 2026 to 30 Nov 2026'."""
    return (f"{iso_day_text(report['from'], missing='the start')} to {iso_day_text(report['to'], missing='today')}"
            if report["from"] or report["to"] else "all recorded attempts")


def subject_text(report: dict[str, Any]) -> str:
    """Whom or which record the report is about (the child's name only where :func:`with_children` put it)."""
    s = report["subject"]
    if s["kind"] == "staff":
        return f"{s['name'] or '(not in the staff directory)'} ({s['staff_id']})"
    child = s.get("child_name")
    return f"{child} (case record {s['case_id']})" if child else \
        f"case record {s['case_id']}" + (f" ({s['child_note']})" if s.get("child_note") else "")


def report_title(report: dict[str, Any]) -> str:
    """Who or which record the report is about, and its period."""
    return f"Access report: {subject_text(report)}, {period_text(report)}"


def report_text(report: dict[str, Any]) -> str:
    """The report as a disciplinary panel reads it: a summary, then one entry per attempt."""
    s, summary = report["summary"], report["summary"]["flags"]
    staff = report["subject"]["kind"] == "staff"
    lines = [report_title(report),
             f"{s['attempts']} attempt{'' if s['attempts'] == 1 else 's'} on {s['cases']} record"
             f"{'' if s['cases'] == 1 else 's'}; {s['denied']} denied; {s['flagged']} flagged."]
    if summary:
        lines.append("Flagged: " + "; ".join(f"{FLAG_WORDS[k]}: {n}" for k, n in summary.items()))
    if staff:
        t = report["thresholds"]
        lines.append(f"(Bulk browsing: {t['bulk_cases']} or more different records within {t['bulk_minutes']} "
                     "minutes. Each attempt's reference, e.g. A1234, names it for a review.)")
    if not report["attempts"]:
        lines.append("No attempts recorded in this period.")
        return "\n".join(lines)
    lines.append("")
    head = f"{'ref':<9} {'when':<{WHEN_WIDTH}} {'part':<12} {'action':<9} outcome"
    lines += [head, "-" * len(head)]
    for r in report["attempts"]:
        lines.append(f"{r['ref']:<9} {when_text(r['at']):<{WHEN_WIDTH}} {_words(r['part']):<12} {r['action']:<9} "
                     f"{r['outcome'].upper()}")
        pad = " " * 10
        if not staff:
            lines.append(f"{pad}who: {who_text(r)}")
        lines.append(f"{pad}record: {record_text(r)}")
        pad = " " * 10
        lines.append(f"{pad}basis: {basis_text(r)}")
        if r["restriction"]:
            lines.append(f"{pad}record restricted ({_words(r['restriction'])}) at that moment")
        for f in r["flags"]:
            lines.append(f"{pad}FLAG: {f['text']}")
        if r["review"]:
            v = r["review"]
            lines.append(f"{pad}reviewed {when_text(v['at'])} by {v['by']}: {_words(v['outcome'])}: {v['note']}")
        elif r["flags"]:
            lines.append(f"{pad}not yet reviewed (on the service manager's alert list)")
    return "\n".join(lines)


CSV_FIELDS = ("ref", "at", "staff_id", "name", "designation", "team", "case_id", "case_ref", "child_name",
              "child_note", "case_version", "case_team", "part",
              "item", "action", "outcome", "rule_id", "rule", "purpose", "basis", "restriction", "policy_flag",
              "flags", "flag_text", "review_outcome", "review_by", "review_at", "review_note", "client", "host",
              "user_agent", "credential")


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
                  "client": r["origin"].get("client", ""), "host": r["origin"].get("host", ""),
                  "user_agent": r["origin"].get("user_agent", ""), "credential": r["origin"].get("credential", "")}
        w.writerow(["" if values.get(k) is None else values[k] for k in CSV_FIELDS])
    return buf.getvalue()


def alerts_text(alerts: list[tuple[Attempt, list[tuple[str, str]]]]) -> str:
    """The service manager's alert list: flagged attempts not yet reviewed, each with its flags in the
    words the access report uses (one derivation:
    :meth:`~ledger.services.investigation.InvestigationService.alerts`)."""
    if not alerts:
        return "No flagged access attempts are waiting for review."
    lines = [f"{len(alerts)} flagged access attempt{'' if len(alerts) == 1 else 's'} waiting for review "
             "(oldest first):", ""]
    labels = {"break_glass": "BREAK-GLASS", "self_claim": "SELF-CLAIM", "denied_restricted": "DENIED (RESTRICTED)"}
    for a, flags in alerts:
        who = f"{a.actor.get('full_name') or a.staff_id} ({a.staff_id})"
        case = (f"case {str(a.case_id or a.case_ref)[:8]}" if a.part not in OVERSIGHT_PARTS
                else f"{OVERSIGHT_PARTS[a.part]} ({a.item} of {a.case_ref})")
        kind = flags[0][0]
        label = labels.get(kind, _words(kind).upper())
        lines.append(f"{a.ref:<9} {moment_text(a.at):<{WHEN_WIDTH}} {label:<20} "
                     f"{who}, {case}, {_words(a.part)}, {a.outcome.upper()}")
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


def alert_list_dict(found: AlertList) -> dict[str, Any]:
    """The alert list as ``caseledger access alerts --json`` and ``GET /api/v1/access/alerts`` give it."""
    return {"alerts": [alert_dict(a, flags) for a, flags in found.alerts],
            "failed_sign_ins": {"since": found.since.isoformat(), "at_least": found.at_least,
                                "addresses": [{**row, "first": row["first"].isoformat(),
                                               "last": row["last"].isoformat()} for row in found.failed_sign_ins]}}


def alert_list_text(found: AlertList) -> str:
    """The alert list (:func:`alerts_text`), then the addresses with repeated failed sign-ins."""
    lines = [alerts_text(found.alerts), ""]
    if not found.failed_sign_ins:
        lines.append(f"No client address failed to sign in {found.at_least} or more times since "
                     f"{moment_text(found.since)}.")
        return "\n".join(lines)
    lines.append(f"Client addresses that failed to sign in {found.at_least} or more times since "
                 f"{moment_text(found.since)} (most first):")
    for row in found.failed_sign_ins:
        reasons = ", ".join(f"{_words(code)}: {n}" for code, n in row["reasons"].items())
        lines.append(f"  {row['client'] or '(unknown address)'}: {row['failures']} failures, "
                     f"{moment_text(row['first'])} to {moment_text(row['last'])} ({reasons})")
        if row["credentials"]:
            lines.append(f"      credentials offered: {', '.join(row['credentials'])}")
    return "\n".join(lines)
