"""Printable HTML pages: one self-contained file each, no external assets.

* the chronology (policy s.8, :func:`chronology_html`): clear headings, the authority's name,
  the child, the date range covered, a table of dated entries with positive changes marked;
* the access report (policy s.7, s.11, :func:`access_report_html`): the period, the person or
  the record, each attempt (when, who, which record, part and action, outcome, the rule and
  basis, the flags in words, the review) and the count of each flag, for a disciplinary panel.

Both print with page numbers ("Page N of M", CSS ``@page`` counters) and the protective marking
OFFICIAL-SENSITIVE. Every piece of text from the record is escaped (:func:`html.escape`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from html import escape
from typing import Any

from ledger.access.facts import FLAG_WORDS
from ledger.records.dates import day_text, moment_text
from projections.access_report import (
    basis_text,
    period_text,
    record_text,
    report_title,
    subject_text,
    when_text,
    who_text,
)
from projections.chronology import ChronologyEntry

__all__ = ["DEFAULT_AUTHORITY", "MARKING", "access_report_html", "chronology_html"]

DEFAULT_AUTHORITY = "London Borough of Example"
#: The protective marking of a page that names children or staff and how records were used.
MARKING = "OFFICIAL-SENSITIVE"

CSS = """
@page { size: A4; margin: 18mm 14mm 20mm 14mm;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 9pt; }
  @top-right { content: "OFFICIAL-SENSITIVE"; font-size: 8pt; } }
body { font-family: Arial, Helvetica, sans-serif; font-size: 10.5pt; color: #111; margin: 0 auto;
  max-width: 190mm; }
header { border-bottom: 2px solid #111; margin-bottom: 8pt; }
h1 { font-size: 16pt; margin: 0 0 4pt 0; }
h2 { font-size: 13pt; margin: 10pt 0 4pt 0; }
.authority { font-size: 11pt; font-weight: bold; text-transform: uppercase; letter-spacing: .04em; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2pt 10pt; margin: 6pt 0; }
dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
th, td { border: 1px solid #777; padding: 3pt 5pt; vertical-align: top; text-align: left; }
th { background: #e8e8e8; }
td.date { white-space: nowrap; width: 22mm; }
td.ref { font-family: monospace; font-size: 8pt; color: #444; width: 20mm; }
tr.positive td { background: #eef7ee; }
.mark { font-weight: bold; color: #1b5e20; }
.detail { color: #333; font-size: 9.5pt; margin-top: 2pt; }
footer { margin-top: 10pt; font-size: 8.5pt; color: #444; }
@media screen { body { padding: 12pt; } }
"""


def _day(value: _dt.date | None) -> str:
    return day_text(value)


def chronology_html(child: dict[str, Any], entries: Sequence[ChronologyEntry], *, case_id: str,
                    authority: str = DEFAULT_AUTHORITY, court: bool = False,
                    as_of: str | None = None, produced_at: _dt.datetime | None = None) -> str:
    """The chronology page. ``child`` is the case's child (name, date_of_birth, expected_date_of_birth)."""
    e = escape
    title = "Chronology prepared for court" if court else "Chronology"
    first = min((x.date for x in entries), default=None)
    last = max((x.date for x in entries), default=None)
    born = (f"{_day(child.get('date_of_birth'))}" if child.get("date_of_birth")
            else f"expected {_day(child.get('expected_date_of_birth'))} (pre-birth)")
    positives = sum(1 for x in entries if x.positive)
    rows = []
    for x in entries:
        mark = '<span class="mark" title="positive change or achievement">&#9733; Positive: </span>' \
            if x.positive else ""
        detail = f'<div class="detail">{e(x.detail)}</div>' if x.detail else ""
        ref = e((x.source_id or "")[:8])
        rows.append(
            f'<tr class="{"positive" if x.positive else "entry"}"><td class="date">{e(_day(x.date))}</td>'
            f"<td>{mark}{e(x.title)}{detail}</td><td>{e(x.category)}</td><td>{e(x.by)}</td>"
            f'<td class="ref" title="{e(x.source)} {e(x.source_id or "")}">'
            f'{e(x.source.replace("_", " "))}<br>{ref}</td>'
            "</tr>")
    body = "\n".join(rows) or '<tr><td colspan="5">No dated entries.</td></tr>'
    produced = f" Produced {e(moment_text(produced_at))}." if produced_at else ""
    state = f" As the record stood at {e(as_of)}." if as_of else ""
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{e(title)}: {e(child.get('name', ''))}</title>
<style>{CSS}</style>
</head>
<body>
<header>
<div class="authority">{e(authority)}</div>
<div>Children's Social Care</div>
<h1>{e(title)}: {e(child.get('name', ''))}</h1>
</header>
<section>
<h2>The child</h2>
<dl class="facts">
<dt>Name</dt><dd>{e(child.get('name', ''))}</dd>
<dt>Date of birth</dt><dd>{e(born)}</dd>
<dt>Case</dt><dd>{e(case_id)}</dd>
<dt>Period covered</dt><dd>{e(_day(first))} to {e(_day(last))}</dd>
<dt>Entries</dt><dd>{len(entries)} ({positives} marked &#9733;: positive changes and achievements)</dd>
</dl>
</section>
<section>
<h2>Dated entries</h2>
<table>
<thead><tr><th>Date</th><th>What happened</th><th>Category</th><th>Recorded by</th><th>Source</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
</section>
<footer>Ordered by the date of each event, not the date it was written. Deleted records are not shown.
Each entry names the record it comes from.{state}{produced}</footer>
</body>
</html>
"""


# --- the access report ---------------------------------------------------------------------------

#: The chronology's page CSS, then the access report's own: landscape (a wide table), the marking
#: at the top and the bottom of every printed page, beside the page numbers.
ACCESS_CSS = CSS + f"""
@page {{ size: A4 landscape;
  @top-right {{ content: "{MARKING}"; font-size: 8pt; font-weight: bold; }}
  @bottom-center {{ content: "Page " counter(page) " of " counter(pages); font-size: 9pt; }}
  @bottom-right {{ content: "{MARKING}"; font-size: 8pt; font-weight: bold; }} }}
body {{ max-width: 277mm; font-size: 9.5pt; }}
.marking {{ text-align: center; font-weight: bold; letter-spacing: .08em; font-size: 9pt; margin: 2pt 0; }}
td.when {{ white-space: nowrap; width: 30mm; }}
td.ref {{ width: 12mm; font-size: 9pt; color: #111; }}
td.denied {{ font-weight: bold; color: #8b0000; }}
tr.flagged td {{ background: #fff4e5; }}
ul.flags {{ margin: 0; padding-left: 12pt; }} ul.flags li {{ font-weight: bold; }}
.restricted {{ font-style: italic; }}
.review {{ margin-top: 2pt; }} .unreviewed {{ color: #8b0000; }}
"""


def _words(value: str | None) -> str:
    return (value or "").replace("_", " ")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _attempt_row(r: dict[str, Any], *, with_person: bool) -> str:
    e = escape
    record = e(record_text(r))
    if r.get("child_note") == "restricted":
        record = f'<span class="restricted">{record}</span>'
    basis = e(basis_text(r))
    if r["restriction"]:
        basis += f"<br>Record restricted ({e(_words(r['restriction']))}) at that moment."
    flags = "".join(f"<li>{e(f['text'])}</li>" for f in r["flags"])
    cell = f'<ul class="flags">{flags}</ul>' if flags else "None"
    if r["review"]:
        v = r["review"]
        cell += (f'<div class="review">Reviewed {e(when_text(v["at"]))} by {e(v["by"])}: '
                 f'{e(_words(v["outcome"]))}: {e(v["note"])}</div>')
    elif r["flags"]:
        cell += '<div class="review unreviewed">Not yet reviewed (on the service manager\'s alert list).</div>'
    person = f"<td>{e(who_text(r))}</td>" if with_person else ""
    outcome = r["outcome"].upper()
    return (f'<tr class="{"flagged" if r["flags"] else "attempt"}"><td class="ref">{e(r["ref"])}</td>'
            f'<td class="when">{e(when_text(r["at"]))}</td>{person}<td>{record}</td>'
            f"<td>{e(_words(r['part']))}<br>{e(_words(r['action']))}</td>"
            f'<td class="{"denied" if r["outcome"] == "denied" else "outcome"}">{e(outcome)}</td>'
            f"<td>{basis}</td><td>{cell}</td></tr>")


def access_report_html(report: dict[str, Any], *, authority: str = DEFAULT_AUTHORITY,
                       produced_at: _dt.datetime | None = None, produced_by: str | None = None) -> str:
    """The access report (as :func:`projections.access_report.with_children` gives it, names where
    the reader may see them) as a printable page. The same content as the text report."""
    e = escape
    s = report["summary"]
    staff = report["subject"]["kind"] == "staff"
    title = report_title(report)
    facts = [("Staff member" if staff else "Case record", e(subject_text(report))),
             ("Period", e(period_text(report))),
             ("Attempts", e(f"{_plural(s['attempts'], 'attempt')} on {_plural(s['cases'], 'record')}; "
                            f"{s['denied']} denied; {s['flagged']} flagged"))]
    if staff:
        t = report["thresholds"]
        facts.append(("Bulk browsing", e(f"{t['bulk_cases']} or more different records within "
                                         f"{t['bulk_minutes']} minutes")))
    dl = "\n".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    counted = "\n".join(f"<tr><td>{e(FLAG_WORDS.get(k, _words(k)))}</td><td>{n}</td></tr>"
                         for k, n in s["flags"].items())
    flags = (f"<table>\n<thead><tr><th>Flag</th><th>Attempts</th></tr></thead>\n<tbody>\n{counted}\n</tbody>\n"
             "</table>") if counted else "<p>No attempt is flagged.</p>"
    person = "" if staff else "<th>Who</th>"
    rows = "\n".join(_attempt_row(r, with_person=not staff) for r in report["attempts"])
    attempts = (f"<table>\n<thead><tr><th>Ref</th><th>When</th>{person}<th>Record</th><th>Part, action</th>"
                f"<th>Outcome</th><th>Rule and basis</th><th>Flags and review</th></tr></thead>\n<tbody>\n{rows}\n"
                "</tbody>\n</table>") if rows else "<p>No attempts recorded in this period.</p>"
    produced = ""
    if produced_at or produced_by:
        produced = " Produced" + (f" {e(moment_text(produced_at))}" if produced_at else "") \
            + (f" by {e(produced_by)}" if produced_by else "") + "."
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{e(title)}</title>
<style>{ACCESS_CSS}</style>
</head>
<body>
<div class="marking">{MARKING}</div>
<header>
<div class="authority">{e(authority)}</div>
<div>Children's Social Care: access to children's records</div>
<h1>{e(title)}</h1>
</header>
<section>
<h2>Summary</h2>
<dl class="facts">
{dl}
</dl>
<h2>Flags</h2>
{flags}
</section>
<section>
<h2>Attempts</h2>
{attempts}
</section>
<footer>Every attempt to open or change the record, granted or denied, as the access log holds it.
A child's name is shown where the reader may open the record; a restricted record they may not open
is named by its case id only. Each attempt's reference (e.g. A1234) names it for a review:
caseledger access review --attempt REF.{produced}</footer>
<div class="marking">{MARKING}</div>
</body>
</html>
"""
