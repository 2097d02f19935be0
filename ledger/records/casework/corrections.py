"""Correction requests (policy s.3): service users correcting errors and recording disagreement.

* ``correction_request`` (s.3, service users correcting errors and recording disagreement):
  ``requested_by``, ``what`` (the id of the note or record it concerns, on this case) and
  ``request`` are required. Updates: ``outcome`` (``result`` corrected or not_corrected, with a
  ``reason`` that explains; once), ``disagreement`` (the service user's words, any time, kept
  with the request next to the original). The original note or record is never changed by a
  correction request: a correction is made by amending it, and the request points to it.
"""

from __future__ import annotations

from typing import Any

from ledger.errors import RuleViolation
from ledger.records.casework.base import Action, Ctx, Kind, explained, find_source
from ledger.records.fields import Field

__all__ = ["CORRECTION_REQUEST"]


# --- correction requests (s.3) ---------------------------------------------------------------


def _check_correction(ctx: Ctx, d: dict[str, Any]) -> dict[str, Any]:
    d["what"] = find_source(ctx.case, "what", d["what"], what="a correction request")["id"]
    return d


def _outcome(ctx: Ctx, record: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
    d["reason"] = explained("reason", d["reason"], "deciding a correction request")
    if d.get("amended_record"):
        if d["result"] != "corrected":
            raise RuleViolation("amended_record goes with the result corrected")
        d["amended_record"] = find_source(ctx.case, "amended_record", d["amended_record"],
                                      what="a correction")["id"]
    return d


CORRECTION_REQUEST = Kind(
    name="correction_request", title="a correction request", policy="s.3",
    help="A service user asks for an error or omission in their record to be corrected (policy s.3). "
         "The original always stays; their disagreement is recorded next to it.",
    fields=(
        Field("requested_by", required=True, help="who asks, e.g. 'Ms Hassan (mother)'"),
        Field("what", required=True, help="the id of the note or record it concerns"),
        Field("request", required=True, help="what they say is wrong or missing"),
    ),
    check=_check_correction,
    actions={
        "outcome": Action("outcome", "the decision: corrected or not corrected, with the reason",
                          (Field("result", "choice", required=True, choices=("corrected", "not_corrected")),
                           Field("reason", required=True, help="at least three words, twelve letters"),
                           Field("amended_record", help="the note or record that carries the correction")),
                          _outcome, ("open",)),
        "disagreement": Action("disagreement", "the service user's disagreement, in their own words",
                               (Field("in_their_own_words", required=True),
                                Field("by_whom", required=True),
                                Field("how_obtained", help="e.g. 'letter', 'at a home visit'"))),
    },
    initial_status=lambda d: "open",
)
