"""What an investigation finds in the access log: attempts, and the flags raised on them, in words.

Pure functions over stored event fields (no storage here), so that the same code derives a
report from the database (:mod:`ledger.services.investigation`, :mod:`projections.access_report`)
and re-derives it from an evidence bundle, offline, when the bundle is verified
(:func:`ledger.integrity.evidence.verify_bundle`): a report in a bundle that says anything its cited
events do not is refused.

The flags (issue 6, policy s.7 and s.11), each named in words in the report:

==================  ======================================================================
kind                raised on
==================  ======================================================================
denied_restricted   a denied attempt on a restricted record (a disciplinary matter, s.11)
break_glass         a restricted record opened in an emergency (alerted to the service manager)
self_claim          an unrestricted record outside the person's caseload opened on a stated
                    reason (a legitimate-relationship self-claim, reviewed)
staff_record        a record restricted because it concerns a member of staff or their relative
out_of_hours        outside 09:00-17:00 London time on working days (:func:`is_out_of_hours`),
                    except for EDT staff, whose work that is
bulk_browsing       one of at least ``bulk_cases`` different records (default 10) tried within
                    ``bulk_minutes`` (default 30) by the same person
after_team_move     a record held by a team (``case_team``) the person had left before the attempt
after_leaving       any attempt after the person left the authority
==================  ======================================================================
"""

from __future__ import annotations

import datetime as _dt
import functools
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.access.policy import is_out_of_hours
from ledger.integrity.topics import stored_as
from ledger.records.case import LOCAL_ZONE

__all__ = ["FLAG_WORDS", "REPORT_FORMAT", "Attempt", "StaffHistory", "Thresholds", "attempt_from_fields",
           "build_report", "flags_for", "history_from_fields", "report_rows", "review_summary"]

REPORT_FORMAT = "caseledger-access-report/v1"

#: The flag kinds, in the order they are listed, with the words a panel reads.
FLAG_WORDS = {
    "denied_restricted": "denied attempt on a restricted record (a disciplinary matter, policy s.11)",
    "break_glass": "break-glass: a restricted record opened in an emergency",
    "self_claim": "self-claimed access to a record outside their caseload",
    "staff_record": "record of a member of staff or their relative",
    "out_of_hours": "out of working hours",
    "bulk_browsing": "bulk browsing",
    "after_team_move": "after leaving the team that holds the case",
    "after_leaving": "after leaving the authority",
}


@dataclass(frozen=True)
class Thresholds:
    """Bulk browsing: at least ``bulk_cases`` different records within ``bulk_minutes`` minutes."""

    bulk_cases: int = 10
    bulk_minutes: int = 30

    def __post_init__(self) -> None:
        if self.bulk_cases < 2:
            raise ValueError(f"bulk_cases must be at least 2, got {self.bulk_cases}")
        if self.bulk_minutes < 1:
            raise ValueError(f"bulk_minutes must be at least 1, got {self.bulk_minutes}")


@dataclass(frozen=True)
class Attempt:
    """One access attempt as stored, with where it is in the ledger."""

    stream_id: uuid.UUID
    version: int
    leaf: int                     # its leaf index in the Merkle log: the attempt's reference
    at: _dt.datetime
    actor: Mapping[str, Any]
    case_id: uuid.UUID | None
    case_ref: str
    case_team: str
    part: str
    item: str
    action: str
    purpose: str
    basis: str
    outcome: str
    rule: str
    rule_id: str
    flag: str | None
    restriction: str | None
    origin: Mapping[str, Any]
    case_version: int | None = None   # the version of the case the decision saw (None: no such case)

    @property
    def ref(self) -> str:
        """The short, stable reference a reviewer names: A and the leaf index."""
        return f"A{self.leaf}"

    @property
    def staff_id(self) -> str:
        return str(self.actor.get("staff_id", ""))

    @property
    def key(self) -> tuple[str, int]:
        return (_text(self.stream_id), self.version)


def _value(v: Any) -> Any:
    return getattr(v, "value", v)


@functools.lru_cache(maxsize=4096)
def _text(value: uuid.UUID) -> str:
    """``str`` of an id (a report repeats the same few hundred streams and cases thousands of times)."""
    return str(value)


def attempt_from_fields(stream_id: uuid.UUID, version: int, leaf: int, fields: Mapping[str, Any]) -> Attempt:
    """An :class:`Attempt` from the decoded stored fields of an ``AttemptRecorded`` event."""
    return Attempt(
        stream_id=stream_id, version=int(version), leaf=int(leaf), at=fields["occurred_at"],
        actor=dict(fields["actor"]), case_id=fields.get("case_id"), case_ref=str(fields.get("case_ref", "")),
        case_team=str(fields.get("case_team", "")), part=str(_value(fields["part"])),
        item=str(fields.get("item", "")), action=str(_value(fields["action"])),
        purpose=str(fields.get("purpose", "")), basis=str(fields.get("basis", "")),
        outcome=str(_value(fields["outcome"])), rule=str(fields["rule"]), rule_id=str(fields["rule_id"]),
        flag=None if fields.get("flag") is None else str(_value(fields["flag"])),
        restriction=None if fields.get("restriction") is None else str(_value(fields["restriction"])),
        origin=dict(fields.get("origin") or {}),
        case_version=None if fields.get("case_version") is None else int(fields["case_version"]),
    )


@dataclass
class StaffHistory:
    """A staff member's teams over time, and when they left (from their staff stream)."""

    staff_id: str
    full_name: str = ""
    teams: list[tuple[str, _dt.datetime, _dt.datetime | None]] = field(default_factory=list)
    left_at: _dt.datetime | None = None

    def team_at(self, when: _dt.datetime) -> str | None:
        for team, since, until in self.teams:
            if since <= when and (until is None or when < until):
                return team
        return None

    def left_team(self, team: str, when: _dt.datetime) -> _dt.datetime | None:
        """When the person left ``team`` for good before ``when`` (None: never, or back in it)."""
        if not team or self.team_at(when) == team:
            return None
        ends = [until for t, _, until in self.teams if t == team and until is not None and until <= when]
        return max(ends) if ends else None


def history_from_fields(staff_id: str, events: Iterable[tuple[str, Mapping[str, Any]]]) -> StaffHistory:
    """The history from a staff stream's events, as (topic, decoded fields), in version order."""
    history = StaffHistory(staff_id)
    for topic, f in events:
        kind = topic.rsplit(".", 1)[-1]
        when = f["occurred_at"]
        if kind in ("Joined", "Changed"):
            history.full_name = str(f.get("full_name", history.full_name))
            team = str(f["team"])
            if history.teams and history.teams[-1][2] is None:
                current, since, _ = history.teams[-1]
                if current == team:
                    continue
                history.teams[-1] = (current, since, when)
            history.teams.append((team, when, None))
        elif kind == "Left":
            history.left_at = when
    return history


def _local(when: _dt.datetime) -> str:
    return when.astimezone(LOCAL_ZONE).strftime("%d %b %Y %H:%M")


def flags_for(attempts: Sequence[Attempt], histories: Mapping[str, StaffHistory] | None = None,
              thresholds: Thresholds | None = None, *, bulk: bool = True) -> list[list[tuple[str, str]]]:
    """For each attempt, its flags as (kind, words). ``bulk``: look for bulk browsing (a staff
    member's own attempts, in time order); ``histories`` by staff id (for team moves and leaving)."""
    thresholds = thresholds or Thresholds()
    histories = histories or {}
    out: list[list[tuple[str, str]]] = []
    for a in attempts:
        found: list[tuple[str, str]] = []
        restricted = a.restriction is not None
        if a.outcome == "denied" and restricted:
            found.append(("denied_restricted", f"{FLAG_WORDS['denied_restricted']} ({a.restriction.replace('_', ' ')})"
                          if a.restriction else FLAG_WORDS["denied_restricted"]))
        if a.rule_id == "break_glass":
            basis = a.basis.replace("_", " ")
            found.append(("break_glass", f"{FLAG_WORDS['break_glass']} (basis: {basis}; reason: {a.purpose})"))
        if a.rule_id == "self_claim":
            found.append(("self_claim", f"{FLAG_WORDS['self_claim']} (reason: {a.purpose})"))
        if a.restriction in ("staff_member", "staff_relative"):
            who = "a member of staff" if a.restriction == "staff_member" else "a member of staff's relative"
            found.append(("staff_record", f"record of {who}"))
        if "edt" not in (a.actor.get("roles") or ()) and is_out_of_hours(a.at):
            found.append(("out_of_hours", f"{FLAG_WORDS['out_of_hours']} ({_local(a.at)})"))
        history = histories.get(a.staff_id)
        if history is not None:
            left_team = history.left_team(a.case_team, a.at)
            if left_team is not None:
                found.append(("after_team_move", f"after leaving the {a.case_team} team, which holds the case "
                              f"(left it {_local(left_team)})"))
            if history.left_at is not None and a.at >= history.left_at:
                found.append(("after_leaving", f"{FLAG_WORDS['after_leaving']} (left {_local(history.left_at)})"))
        out.append(found)
    if bulk:
        for i, words in _bulk(attempts, thresholds).items():
            out[i].append(("bulk_browsing", words))
    order = list(FLAG_WORDS)
    return [sorted(f, key=lambda kw: order.index(kw[0])) if len(f) > 1 else f for f in out]


def _bulk(attempts: Sequence[Attempt], t: Thresholds) -> dict[int, str]:
    """Attempts (by index) inside a window of ``bulk_minutes`` holding ``bulk_cases`` different records."""
    window = _dt.timedelta(minutes=t.bulk_minutes)
    by_person: dict[str, list[int]] = {}
    for i, a in enumerate(attempts):
        if a.case_id is not None:
            by_person.setdefault(a.staff_id, []).append(i)
    marked: dict[int, str] = {}
    for idx in by_person.values():
        idx.sort(key=lambda i: attempts[i].at)
        lo = 0
        for hi in range(len(idx)):
            while attempts[idx[hi]].at - attempts[idx[lo]].at > window:
                lo += 1
            inside = idx[lo:hi + 1]
            cases = {attempts[i].case_id for i in inside}
            if len(cases) >= t.bulk_cases:
                words = (f"bulk browsing: {len(cases)} different records within {t.bulk_minutes} minutes "
                         f"({_local(attempts[inside[0]].at)} to {_local(attempts[inside[-1]].at)})")
                for i in inside:
                    if i not in marked or len(marked[i]) < len(words):
                        marked[i] = words
    return marked


def review_summary(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The review of an attempt, as a report shows it (from the ``Reviewed`` event's fields)."""
    by = fields["actor"]
    return {"outcome": str(_value(fields["outcome"])), "note": str(fields["note"]),
            "by": f"{by.get('full_name', '')} ({by.get('staff_id', '')})",
            "at": fields["occurred_at"].isoformat()}


def report_rows(attempts: Sequence[Attempt], flags: Sequence[Sequence[tuple[str, str]]],
                reviews: Mapping[tuple[str, int], Mapping[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The report's rows (plain JSON values), one per attempt, in the order given."""
    reviews = reviews or {}
    rows = []
    for a, f in zip(attempts, flags, strict=True):
        actor = a.actor
        rows.append({
            "ref": a.ref, "stream_id": _text(a.stream_id), "version": a.version,
            "at": a.at.isoformat(), "staff_id": a.staff_id, "name": str(actor.get("full_name", "")),
            "designation": str(actor.get("designation", "")), "team": str(actor.get("team", "")),
            "roles": [str(r) for r in actor.get("roles") or ()],
            "case_id": _text(a.case_id) if a.case_id else None, "case_ref": a.case_ref, "case_team": a.case_team,
            "case_version": a.case_version, "part": a.part, "item": a.item, "action": a.action,
            "purpose": a.purpose, "basis": a.basis,
            "outcome": a.outcome, "rule": a.rule, "rule_id": a.rule_id, "policy_flag": a.flag,
            "restriction": a.restriction,
            "origin": dict(a.origin),
            "flags": [{"kind": k, "text": w} for k, w in f],
            "review": dict(reviews[a.key]) if reviews and a.key in reviews else None,
        })
    return rows


def build_report(subject: Mapping[str, Any], since: _dt.date | None, until: _dt.date | None,
                 thresholds: Thresholds, attempts: Sequence[Attempt], histories: Mapping[str, StaffHistory],
                 reviews: Mapping[tuple[str, int], Mapping[str, Any]]) -> dict[str, Any]:
    """The whole report as plain JSON values: who or what it is about, the period, the thresholds,
    one row per attempt (time order) and the count of each flag. Everything in it is derived from
    the attempts, the staff histories and the reviews given, so that it can be derived again from
    the events an evidence bundle holds (:func:`ledger.integrity.evidence.verify_bundle`)."""
    ordered = sorted(attempts, key=lambda a: (a.at, a.leaf))
    flags = flags_for(ordered, histories, thresholds, bulk=subject.get("kind") == "staff")
    rows = report_rows(ordered, flags, reviews)
    counts = dict.fromkeys(FLAG_WORDS, 0)
    for f in flags:
        for kind in {kind for kind, _ in f}:
            counts[kind] += 1
    return {
        "format": REPORT_FORMAT, "subject": dict(subject),
        "from": since.isoformat() if since else None, "to": until.isoformat() if until else None,
        "thresholds": {"bulk_cases": thresholds.bulk_cases, "bulk_minutes": thresholds.bulk_minutes},
        "attempts": rows,
        "summary": {"attempts": len(rows), "denied": sum(1 for r in rows if r["outcome"] == "denied"),
                    "flagged": sum(1 for f in flags if f), "flags": {k: n for k, n in counts.items() if n},
                    "cases": len({r["case_id"] for r in rows if r["case_id"]})},
    }


stored_as(__name__, "ledger.access_facts")  # its classes keep the topics they were first stored under
