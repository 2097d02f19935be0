"""The milestones outside the main pathway: a private fostering notification, a case transfer.

* A case transfer (team manager or above) names a team other than the one holding the case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger.records.fields import Field
from ledger.records.milestones.base import NOTES, Ctx, Fold, Kind, State

_F = Field


# --- sequence rules ----------------------------------------------------------------------------


def _r_case_transfer(c: Ctx) -> None:
    if c.details["to_team"] == c.case.team:
        raise c.refuse(f"the case of {c.child} is already held by the {c.case.team} team; a transfer names "
                       "another team")


# --- the kinds, in process order ---------------------------------------------------------------

MILESTONES: tuple[Kind, ...] = (
    Kind("private_fostering_notification", "a private fostering notification", "private fostering", (
        _F("carer", required=True, help="the private foster carer"),
        _F("arrangement_start", "date", help="when the arrangement started or will start"),
        NOTES,
    )),
    Kind("case_transfer", "a case transfer", "transfer", (
        _F("to_team", required=True, help="the team receiving the case"),
        _F("reason", "reason"),
    ), managers=True, first="a team other than the one holding the case", rule=_r_case_transfer),
)


# --- fold ------------------------------------------------------------------------------------------


def _f_private_fostering(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    s["private_fostering"] = {"notified_at": at, "carer": d.get("carer"),
                              "arrangement_start": d.get("arrangement_start")}


def _f_transfer(s: State, d: State, at: Any, e: Mapping[str, Any]) -> None:
    s["transfers"].append({"at": at, "to_team": d.get("to_team"), "reason": d.get("reason")})


FOLDS: dict[str, Fold] = {
    "private_fostering_notification": _f_private_fostering,
    "case_transfer": _f_transfer,
}
