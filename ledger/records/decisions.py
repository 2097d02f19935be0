"""Management and supervision decisions (policy s.7): what a decision records, and who makes it.

* A management or supervision decision records the decision, the reasons, the risks
  considered, and the options not chosen with why (at least one); it is made by a team manager
  or above, and a supervision decision names the supervisee (the worker supervised).

:func:`decision` checks the rules and gives the fields of the event the case records (or raises,
and nothing is written); :func:`entry` is the decision as the case keeps it. Functions of plain
values and of the case's state: the case imports this module, never the reverse. A decision's kind is
the case's :class:`~ledger.records.case.DecisionKind`; these rules read its value.
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from collections.abc import Sequence
from typing import Any

from ledger.errors import RuleViolation
from ledger.records.fields import not_future, text_field
from ledger.records.staff import Role, StaffMember

__all__ = ["RULE", "check_decision", "decision", "decision_text", "entry"]

#: What the decision's texts are for, in a refusal.
RULE = " for a decision (policy s.7: the reasons for the decision and the risks assessed)"


def check_decision(actor: StaffMember, kind: enum.Enum, options_not_chosen: Sequence[dict[str, str]],
                   supervisee: StaffMember | None) -> list[dict[str, Any]]:
    """The options not chosen as stored, once ``actor`` may record a decision of ``kind`` and the
    options (each with why it was not chosen) and the supervisee are there."""
    actor.require(f"recording a {kind.value} decision needs the role team manager or above",
                  at_least=Role.TEAM_MANAGER)
    options: list[dict[str, Any]] = []
    for i, opt in enumerate(options_not_chosen or ()):
        if not isinstance(opt, dict):
            raise RuleViolation(
                f"options_not_chosen[{i}] must give the option and why it was not chosen, "
                f"got {opt!r}")
        options.append({
            "option": text_field(f"options_not_chosen[{i}].option", opt.get("option"), required=True),
            "why_not": text_field(f"options_not_chosen[{i}].why_not", opt.get("why_not"), required=True,
                                  rule=": say why this option was not chosen"),
        })
    if not options:
        raise RuleViolation(
            "options_not_chosen needs at least one option with why it was not chosen "
            "(policy s.7: 'why other decisions were not made')"
        )
    if kind.value == "supervision" and supervisee is None:
        raise RuleViolation("a supervision decision names the supervisee: the worker supervised")
    return options


def decision(case: Any, *, actor: StaffMember, decision_id: uuid.UUID, kind: enum.Enum, decision: str, reasons: str,
             risks_considered: str, options_not_chosen: Sequence[dict[str, str]], occurred_at: _dt.datetime,
             now: _dt.datetime, supervisee: StaffMember | None) -> dict[str, Any]:
    """DecisionRecorded's fields, once the decision may be recorded (``kind`` a DecisionKind)."""
    options = check_decision(actor, kind, options_not_chosen, supervisee)
    return {"actor": actor.stamp(), "timestamp": now,
            "occurred_at": case.after_birth("occurred_at", not_future("occurred_at", occurred_at, now), "a decision"),
            "decision_id": decision_id, "kind": kind,
            "decision": decision_text("decision", decision),
            "reasons": decision_text("reasons", reasons),
            "risks_considered": decision_text("risks_considered", risks_considered),
            "options_not_chosen": options,
            "supervisee": supervisee.stamp() if supervisee else None}


def decision_text(field: str, value: Any) -> str:
    """The decision, its reasons or the risks considered, as stored: required text."""
    return text_field(field, value, required=True, rule=RULE)


def entry(event: Any) -> dict[str, Any]:
    """The decision as the case keeps it in ``decisions``, from its DecisionRecorded ``event``."""
    return {
        "id": event.decision_id,
        "kind": event.kind,
        "decision": event.decision,
        "reasons": event.reasons,
        "risks_considered": event.risks_considered,
        "options_not_chosen": event.options_not_chosen,
        "supervisee": event.supervisee,
        "decided_by": event.actor,
        "occurred_at": event.occurred_at,
        "recorded_at": event.timestamp,
    }
