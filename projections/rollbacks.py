"""Roll-back monitoring (policy s.13: "with the relevant Service Manager monitoring the frequency of such
requests"): pure functions of the roll-back requests (:class:`~ledger.records.rollback.RollbackRequest`).

* :func:`rollback_row`: one request as a flat row (its status as it stands at ``now``: a request
  awaiting agreement past its time counts as expired).
* :func:`rollback_report`: requests, agreements, refusals (declines), withdrawals, expiries and
  completions, per team (the team holding the case when it was requested), per month (London,
  of the request), per requester (the worker or manager who raised it), per helpdesk member and
  per kind of process matter, each with its cases. A team with more than ``alert_rate`` requests
  in any one month of the window is highlighted, with those months.

Read from the request streams only: nothing about the child (ids of cases, not names).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any

from ledger.records.rollback import RollbackRequest, RollbackStatus
from ledger.records.timescales import LONDON

__all__ = ["DEFAULT_ALERT_RATE", "rollback_report", "rollback_row"]

#: More requests than this for one team in one month is highlighted: roll-backs are exceptional (s.13).
DEFAULT_ALERT_RATE = 2

COUNTS = ("requests", "agreed", "declined", "withdrawn", "expired", "carried_out", "awaiting")


def _name(stamp: dict[str, Any] | None) -> str:
    return str((stamp or {}).get("full_name", ""))


def rollback_row(r: RollbackRequest, now: _dt.datetime) -> dict[str, Any]:
    """One request as a flat row."""
    status = r.status_at(now)
    agreed = r.agreed or {}
    done = r.carried_out or {}
    ended = r.ended or {}
    local = r.requested_at.astimezone(LONDON)
    return {
        "id": str(r.id), "case_id": str(r.case_id), "team": r.case_team, "status": status.value,
        "requested_at": r.requested_at, "month": f"{local:%Y-%m}", "day": local.date(), "matter": r.matter,
        "reason": r.reason, "point": r.point["given"], "point_version": r.point["version"],
        "raised_by": r.raised_by["staff_id"], "raised_by_name": _name(r.raised_by),
        "requested_by": r.requested_by["staff_id"], "requested_by_name": _name(r.requested_by),
        "agreed_by": _name(agreed.get("by")) or None, "agreed_at": agreed.get("at"),
        "carried_out_by": _name(done.get("by")) or None, "carried_out_at": done.get("at"),
        "ended_by": _name(ended.get("by")) or None, "ended_reason": ended.get("reason"),
        "expires_at": r.expires_at,
        "superseded": len((agreed or r.requested_effect)["superseded"]),
        "restored": len((agreed or r.requested_effect)["restored"]),
    }


def _tally(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(COUNTS, 0)
    for row in rows:
        out["requests"] += 1
        status = row["status"]
        if row["agreed_by"]:
            out["agreed"] += 1  # every request agreed, whatever came after (carried out, withdrawn...)
        if status == RollbackStatus.REQUESTED.value or status == RollbackStatus.AGREED.value:
            out["awaiting"] += 1  # awaiting agreement, or agreed and awaiting the helpdesk
        elif status in out:
            out[status] += 1
    out["cases"] = sorted({row["case_id"] for row in rows})
    return out


def _group(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row[key]), []).append(row)
    return {k: _tally(v) for k, v in sorted(groups.items())}


def rollback_report(requests: Iterable[RollbackRequest], *, now: _dt.datetime, team: str | None = None,
                    since: _dt.date | None = None, until: _dt.date | None = None,
                    alert_rate: int = DEFAULT_ALERT_RATE) -> dict[str, Any]:
    """The monitoring report over the requests made from ``since`` to ``until`` (London dates, inclusive)."""
    if alert_rate < 0:
        raise ValueError(f"alert_rate must be 0 or more requests per team per month, got {alert_rate}")
    rows = [rollback_row(r, now) for r in requests]
    rows = [row for row in rows if (team is None or row["team"] == team)
            and (since is None or row["day"] >= since) and (until is None or row["day"] <= until)]
    rows.sort(key=lambda row: (row["requested_at"], row["id"]))
    teams = _group(rows, "team")
    for name, tally in teams.items():
        months: dict[str, int] = {}
        for row in rows:
            if row["team"] == name:
                months[row["month"]] = months.get(row["month"], 0) + 1
        tally["per_month"] = dict(sorted(months.items()))
        tally["alert_months"] = [m for m, n in sorted(months.items()) if n > alert_rate]
        tally["highlighted"] = bool(tally["alert_months"])
    requesters = _group(rows, "raised_by")
    for key, tally in requesters.items():
        tally["name"] = next(row["raised_by_name"] for row in rows if row["raised_by"] == key)
    helpdesk = _group(rows, "requested_by")
    for key, tally in helpdesk.items():
        tally["name"] = next(row["requested_by_name"] for row in rows if row["requested_by"] == key)
    return {
        "from": since, "to": until, "team": team, "alert_rate": alert_rate, "as_of": now,
        "totals": _tally(rows), "per_team": teams, "per_month": _group(rows, "month"),
        "per_requester": requesters, "per_helpdesk": helpdesk, "per_matter": _group(rows, "matter"),
        "highlighted_teams": [name for name, tally in teams.items() if tally["highlighted"]],
        "requests": rows,
    }
