"""The chronology as a printable HTML page (policy s.8): one self-contained file, no external assets.

Clear headings, the authority's name, the child, the date range covered, a table of dated
entries with positive changes marked, and page numbers when printed (CSS ``@page`` counters).
Every piece of text from the record is escaped (:func:`html.escape`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from html import escape
from typing import Any

from projections.views import ChronologyEntry

__all__ = ["DEFAULT_AUTHORITY", "chronology_html"]

DEFAULT_AUTHORITY = "London Borough of Example"

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
    return f"{value.day} {value:%B %Y}" if value else "-"


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
    produced = f" Produced {e(produced_at.strftime('%d %B %Y %H:%M'))}." if produced_at else ""
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
