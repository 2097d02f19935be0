"""Case audits (policy s.14).

* ``case_audit`` (s.14): ``audit_type`` (case_file_audit, thematic, case_transfer_audit,
  dip_sample, other), ``audit_date`` (not in the future) and ``findings`` are required;
  ``actions_arising`` is a list; the auditor is the acting staff member. A case transfer audit
  says whether the case is ``ready_for_transfer``. ``audit_form`` may name the document
  record of the uploaded form (checked).
"""

from __future__ import annotations

from typing import Any

from ledger.errors import RuleViolation
from ledger.records.casework.base import Ctx, Kind, find_source
from ledger.records.dates import day_text
from ledger.records.fields import Field
from ledger.records.staff import Role, StaffMember

__all__ = ["CASE_AUDIT"]


# --- case audits (s.14) ----------------------------------------------------------------------


def _auditor(actor: StaffMember, title: str) -> None:
    actor.require(f"recording {title} needs the auditor role or team manager and above (policy s.14)",
                  Role.AUDITOR, at_least=Role.TEAM_MANAGER)


def _check_audit(ctx: Ctx, d: dict[str, Any]) -> dict[str, Any]:
    if d["audit_date"] > ctx.today:
        raise RuleViolation(f"audit_date {day_text(d['audit_date'])} is in the future (today is {day_text(ctx.today)})")
    if d["audit_type"] == "case_transfer_audit" and "ready_for_transfer" not in d:
        raise RuleViolation("ready_for_transfer is required for a case transfer audit: it evidences whether "
                            "the case is ready for transfer (policy s.14)")
    if d.get("audit_form"):
        d["audit_form"] = find_source(ctx.case, "audit_form", d["audit_form"], kinds=("document",),
                                  what="a case audit")["id"]
    return d


CASE_AUDIT = Kind(
    name="case_audit", title="a case audit", policy="s.14",
    help="That an audit took place, its type, who undertook it, when, and the actions arising "
         "(policy s.14). The auditor is the staff member recording it.",
    fields=(
        Field("audit_type", "choice", required=True,
              choices=("case_file_audit", "thematic", "case_transfer_audit", "dip_sample", "other")),
        Field("audit_date", "date", required=True),
        Field("findings", required=True),
        Field("actions_arising", "text_list"),
        Field("ready_for_transfer", "bool", help="case transfer audits: is the case ready"),
        Field("audit_form", help="the document record id of the completed audit form"),
    ),
    check=_check_audit,
    who=_auditor,
)
