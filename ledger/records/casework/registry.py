"""The kinds of casework record, and the interface the case record calls.

:meth:`CaseRecord.record_casework <ledger.records.case.CaseRecord.record_casework>` calls
:func:`check_new` and :meth:`~ledger.records.case.CaseRecord.update_casework` calls
:func:`check_update`; both return the normalised details that go into the event, or raise
:class:`~ledger.errors.RuleViolation` / :class:`~ledger.errors.PermissionDenied` (and then
nothing is written). The events' ``apply`` call :func:`new_record`, :func:`on_recorded` and
:func:`apply_update`, which keep the record as a plain dict in ``case.records`` (a record is
never removed; every update keeps what it replaced in the record's ``updates``).
"""
from __future__ import annotations

import copy
import datetime as _dt
import uuid
from collections.abc import Mapping
from typing import Any

from ledger.errors import NotFound, RuleViolation
from ledger.records.casework.alerts import HAZARD, MAPPA_ALERT, RISK_TO_CHILDREN
from ledger.records.casework.audits import CASE_AUDIT
from ledger.records.casework.base import ALERT_KINDS, CaseRecord, Ctx, Kind, local_date
from ledger.records.casework.chronology_entries import CHRONOLOGY_ENTRY
from ledger.records.casework.corrections import CORRECTION_REQUEST
from ledger.records.casework.documents import DOCUMENT
from ledger.records.casework.sharing import CONSENT, INFORMATION_SHARING
from ledger.records.casework.summaries import CASE_SUMMARY
from ledger.records.fields import check_details, describe, not_future
from ledger.records.staff import CASEWORK_ROLES, StaffMember

__all__ = ["KINDS", "apply_update", "check_new", "check_update", "describe_kind", "kind_of", "new_record",
           "on_recorded", "recording", "updating"]

KINDS: dict[str, Kind] = {k.name: k for k in (
    HAZARD, RISK_TO_CHILDREN, MAPPA_ALERT, CHRONOLOGY_ENTRY, CASE_SUMMARY, INFORMATION_SHARING, CONSENT,
    CORRECTION_REQUEST, CASE_AUDIT, DOCUMENT,
)}


def kind_of(name: Any) -> Kind:
    kind = KINDS.get(name) if isinstance(name, str) else None
    if kind is None:
        raise RuleViolation(f"kind {name!r} is not a kind of casework record; the kinds are: "
                            f"{', '.join(KINDS)}")
    return kind


# --- the interface the case record calls -------------------------------------------------------


def recording(case: Any, *, actor: StaffMember, record_id: uuid.UUID, kind: str, details: Mapping[str, Any],
              occurred_at: _dt.datetime, now: _dt.datetime) -> dict[str, Any]:
    """CaseworkRecorded's fields, once the record may be made on ``case`` (an open
    :class:`~ledger.records.case.CaseRecord`): dated by the event, not before the child's birth
    (a chronology may start before it, policy s.8), its details checked (:func:`check_new`)."""
    occurred_at = not_future("occurred_at", occurred_at, now)
    if kind != "chronology_entry":  # a chronology may start before birth (policy s.8)
        occurred_at = case.after_birth("occurred_at", occurred_at, f"a {kind.replace('_', ' ')}")
    details = check_new(case, kind=kind, details=details, occurred_at=occurred_at, actor=actor, now=now)
    return {"actor": actor.stamp(), "timestamp": now, "occurred_at": occurred_at, "record_id": record_id,
            "kind": kind, "details": details}


def updating(case: Any, *, actor: StaffMember, record_id: uuid.UUID, action: str, details: Mapping[str, Any],
             occurred_at: _dt.datetime, now: _dt.datetime) -> dict[str, Any]:
    """CaseworkUpdated's fields, once ``action`` may be done to the record ``record_id`` on ``case``
    (an open :class:`~ledger.records.case.CaseRecord`): its details checked (:func:`check_update`)."""
    record = case.records.get(str(record_id))
    if record is None:
        raise NotFound(f"no record {record_id} on the case of {case.child['name']}")
    occurred_at = not_future("occurred_at", occurred_at, now)
    details = check_update(case, record, action=action, details=details, occurred_at=occurred_at, actor=actor,
                           now=now)
    return {"actor": actor.stamp(), "timestamp": now, "occurred_at": occurred_at, "record_id": record_id,
            "action": action, "details": details}


def check_new(case: CaseRecord, *, kind: str, details: Mapping[str, Any], occurred_at: _dt.datetime,
              actor: StaffMember, now: _dt.datetime) -> dict[str, Any]:
    """The normalised details of a new record of ``kind``, or a RuleViolation."""
    k = kind_of(kind)
    if k.who is not None:
        k.who(actor, k.title)
    else:
        actor.require(f"recording {k.title} needs a practice or management role", *CASEWORK_ROLES)
    if not isinstance(details, Mapping):
        raise RuleViolation(f"the details of {k.title} must be a mapping of field to value")
    d = check_details(k.title, k.fields, details)
    if k.check is not None:
        d = k.check(Ctx(case, actor, occurred_at, now), d)
    return d


def new_record(*, record_id: uuid.UUID, kind: str, details: dict[str, Any], occurred_at: _dt.datetime,
               recorded_at: _dt.datetime, by: dict[str, Any]) -> dict[str, Any]:
    """The record as kept in ``case.records`` (a copy: the event's own values stay untouched)."""
    details = copy.deepcopy(details)
    record: dict[str, Any] = {
        "id": record_id, "kind": kind, "occurred_at": occurred_at, "recorded_at": recorded_at,
        "by": copy.deepcopy(by), "details": details, "status": KINDS[kind].initial_status(details)
        if kind in KINDS else "current",
        "updates": [],
    }
    if kind == "case_summary":
        record["superseded_by"] = None
    if kind == "correction_request":
        record["outcome"] = None
        record["disagreements"] = []
    return record


def on_recorded(records: dict[str, dict[str, Any]], record: dict[str, Any]) -> None:
    """What a new record does to the others: a new case summary supersedes the current one."""
    if record["kind"] == "case_summary":
        older = record["details"].get("supersedes")
        if older and older in records:
            records[older]["status"] = "superseded"
            records[older]["superseded_by"] = record["id"]


def check_update(case: CaseRecord, record: dict[str, Any], *, action: str, details: Mapping[str, Any],
                 occurred_at: _dt.datetime, actor: StaffMember, now: _dt.datetime) -> dict[str, Any]:
    """The normalised details of ``action`` on ``record``, or a RuleViolation."""
    k = kind_of(record["kind"])
    label = f"{k.title.split(' ', 1)[1]} {record['id']}"
    if not k.actions:
        more = " (a new summary supersedes it)" if k.name == "case_summary" else ""
        raise RuleViolation(f"{k.title} accepts no updates{more}")
    act = k.actions.get(action) if isinstance(action, str) else None
    if act is None:
        raise RuleViolation(f"{action!r} is not an update of {k.title}; its updates are: "
                            f"{', '.join(k.actions)}")
    if k.who is not None:
        k.who(actor, f"updating {k.title}")
    else:
        actor.require(f"updating {k.title} needs a practice or management role", *CASEWORK_ROLES)
    if act.statuses and record["status"] not in act.statuses:
        raise RuleViolation(
            f"cannot {action} {label}: it is {record['status'].replace('_', ' ')} "
            f"(only {' or '.join(act.statuses)} records can be)"
        )
    if not isinstance(details, Mapping):
        raise RuleViolation(f"the details of {action} must be a mapping of field to value")
    d = check_details(f"{action} of {k.title}", act.fields, details)
    if act.check is not None:
        d = act.check(Ctx(case, actor, occurred_at, now), record, d)
    return d


def apply_update(record: dict[str, Any], *, action: str, details: dict[str, Any], occurred_at: _dt.datetime,
                 recorded_at: _dt.datetime, by: dict[str, Any]) -> None:
    """Apply an update to the record in place; what it replaces is kept in ``updates``."""
    details = copy.deepcopy(details)
    kept = record["details"]
    entry: dict[str, Any] = {"action": action, "details": details, "occurred_at": occurred_at,
                             "recorded_at": recorded_at, "by": copy.deepcopy(by), "previous": {}}
    changes: dict[str, Any] = {}
    kind = record["kind"]
    if kind in ALERT_KINDS:
        if action == "review":
            changes = {"review_date": details["next_review_date"]}
            record["last_reviewed"] = local_date(occurred_at)
        elif action == "update":
            changes = {k: v for k, v in details.items()}
            if "source_record" in details or "source_document" in details:
                for k in ("source_record", "source_document", "source_date"):
                    changes.setdefault(k, None)
        elif action == "end":
            record["status"] = "ended"
    elif kind == "chronology_entry" and action == "correct":
        changes = {k: v for k, v in details.items() if k != "reason"}
    elif kind == "consent" and action == "withdraw":
        record["status"] = "withdrawn"
    elif kind == "correction_request":
        if action == "outcome":
            record["status"] = details["result"]
            record["outcome"] = {**details, "at": recorded_at, "by": entry["by"]}
        elif action == "disagreement":
            record["disagreements"].append({**details, "at": recorded_at, "by": entry["by"]})
    for k, v in changes.items():
        entry["previous"][k] = kept.get(k)
        if v is None:
            kept.pop(k, None)
        else:
            kept[k] = v
    record["updates"].append(entry)



def describe_kind(name: str) -> str:
    """Generated help for a kind: what it is, its fields and its update actions."""
    k = kind_of(name)
    lines = [f"{k.name} (policy {k.policy}): {k.help}", "", "Fields:"]
    lines += [f"  {line}" for line in describe(k.fields).splitlines()]
    if k.who is not None:
        lines += ["", "Recorded by: an auditor, or a team manager and above."]
    if k.actions:
        lines += ["", "Updates:"]
        for a in k.actions.values():
            when = f" (when {' or '.join(a.statuses)})" if a.statuses else ""
            lines.append(f"  {a.name}{when}: {a.help}")
            lines += [f"    {line}" for line in describe(a.fields).splitlines()]
    else:
        lines += ["", "Updates: none."]
    return "\n".join(lines)
