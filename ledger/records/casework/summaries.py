"""Case summaries (policy s.9): what life is like for the child, updated every three months.

* ``case_summary`` (s.9): ``life_for_the_child`` ("what life is like for this child") and
  ``focus_next_three_months`` are required, with the optional progress_against_care_plan,
  strengths, concerns, new_issues, how_handled and engagement. A new summary supersedes the
  current one: both are kept, the older is marked ``superseded`` (``superseded_by``), and the
  new one is due for update in three months (``next_update_due``). No update actions: a
  summary is replaced by a new one.
"""

from __future__ import annotations

from typing import Any

from ledger.records.casework.base import SUMMARY_MONTHS, Ctx, Kind, add_months, local_date
from ledger.records.casework.reading import current_summary
from ledger.records.fields import Field

__all__ = ["CASE_SUMMARY"]


# --- case summary (s.9) ----------------------------------------------------------------------


def _check_summary(ctx: Ctx, d: dict[str, Any]) -> dict[str, Any]:
    current = current_summary(ctx.case)
    d["supersedes"] = str(current["id"]) if current else None
    d["next_update_due"] = add_months(local_date(ctx.occurred_at), SUMMARY_MONTHS)
    return d


CASE_SUMMARY = Kind(
    name="case_summary", title="a case summary", policy="s.9",
    help="A succinct summary of the child's history and the work done, updated every three months "
         "(policy s.9). A new summary supersedes the current one; both are kept.",
    fields=(
        Field("life_for_the_child", required=True, help="what life is like for this child"),
        Field("progress_against_care_plan", help="progress linked to the care plan's outcomes"),
        Field("strengths"),
        Field("concerns"),
        Field("new_issues", help="fresh issues that have emerged"),
        Field("how_handled", help="how the new issues and concerns were dealt with"),
        Field("engagement", help="the child's and family's engagement with services"),
        Field("focus_next_three_months", required=True, help="the focus of work for the next three months"),
    ),
    check=_check_summary,
)
