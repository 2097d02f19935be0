"""Adoption matching (policy s.11): record the match, open the sealed identity link.

The rules, the adoption key and the sealing are in :mod:`ledger.adoption`: matching is one event on
the case that also restricts the record; the link between the birth and adoptive identities is
sealed under the adoption key, and opening it is an access attempt on the part ``adoption_link``
(the adoption team only), decided and recorded before the link is unsealed.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from typing import Any

from ledger.access.policy import Action, Part
from ledger.adoption import AdoptionKey, AdoptionMatched, link_text, seal, unseal
from ledger.core import LedgerCore, Service, command
from ledger.errors import RuleViolation
from ledger.records.case import RESTRICTING_ROLES, CaseRecord, explained_reason
from ledger.records.dates import day_text
from ledger.records.timescales import local_today
from ledger.services.access import AccessService

__all__ = ["AdoptionService"]


class AdoptionService(Service):
    """``ledger.adoption``: match, link."""

    def __init__(self, ledger: LedgerCore, access: AccessService) -> None:
        super().__init__(ledger)
        self.access = access

    @command
    def match(self, acting: str | None, case_id: uuid.UUID | str, *, key: AdoptionKey,
              adoptive_name: str, adopters: str, matched_on: _dt.date, reason: str) -> CaseRecord:
        """Record the match: the link sealed under ``key``, the record restricted (policy s.11)."""
        _, actor, case = self.access.gate(acting, case_id, Action.RESTRICT, Part.RESTRICTION, purpose=reason)
        now = self.ledger.now()
        actor.require("matching a child for adoption restricts the record, which a service manager or head "
                      "of service decides (policy s.11)", *RESTRICTING_ROLES)
        earlier = getattr(case, "adoption", None)
        if earlier is not None:
            raise RuleViolation(f"{case.child['name']} was already matched for adoption on "
                                f"{day_text(earlier['matched_on'])}")
        looked_after = (case.process.get("looked_after") or {}).get("status") == "looked_after"
        if not looked_after:
            raise RuleViolation(f"a child is matched for adoption while looked after; {case.child['name']} is "
                                "not looked after")
        if not isinstance(matched_on, _dt.date) or isinstance(matched_on, _dt.datetime):
            raise RuleViolation(f"matched_on must be a date, got {matched_on!r}")
        if matched_on > local_today(now):
            raise RuleViolation(f"matched_on {day_text(matched_on)} is in the future")
        link = {"adoptive_name": link_text("adoptive_name", adoptive_name),
                "adopters": link_text("adopters", adopters)}
        case.trigger_event(AdoptionMatched, actor=actor.stamp(), timestamp=now, occurred_at=now,
                           matched_on=matched_on, sealed_link=seal(key, case.id, link),
                           reason=explained_reason("reason", reason, "matching a child for adoption"))
        self.ledger.store("recording an adoption match", case)
        return case

    def link(self, acting: str | None, case_id: uuid.UUID | str, *, key: AdoptionKey,
             purpose: str = "", client: str | None = None) -> dict[str, Any]:
        """The birth and adoptive identities, for the adoption team only (decided and recorded first)."""
        _, _, case = self.access.gate(acting, case_id, Action.READ, Part.ADOPTION_LINK, purpose=purpose,
                                      client=client)
        adoption = getattr(case, "adoption", None)
        if adoption is None:
            raise RuleViolation(f"case {case.id} has no adoption match")
        link = unseal(key, case.id, adoption["sealed_link"])
        return {"case_id": case.id, "birth_name": case.child["name"], **link,
                "matched_on": adoption["matched_on"], "matched_by": adoption["by"]["full_name"]}
