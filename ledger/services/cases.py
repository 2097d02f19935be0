"""The case record's life: open it, allocate it to a team and worker, close it, re-open it.

Opening a case is not a touch of an existing record, so it needs only an acting staff member
(the case's own rules say who may open one); the others go through the access policy first
(:meth:`ledger.services.access.AccessService.gate`: the attempt decided and recorded).
"""

from __future__ import annotations

import datetime as _dt
import uuid

from ledger.access.policy import Action, Part
from ledger.core import LedgerCore, Service, command
from ledger.records.case import CaseRecord
from ledger.records.timescales import LONDON, start_of_day
from ledger.services.access import AccessService

__all__ = ["CaseService"]


class CaseService(Service):
    """``ledger.cases``: open, allocate, close, reopen."""

    def __init__(self, ledger: LedgerCore, access: AccessService) -> None:
        super().__init__(ledger)
        self.access = access

    @command
    def open(self, acting: str | None, *, child_name: str, referral_date: _dt.date,
             referral_source: str, team: str, worker: str,
             date_of_birth: _dt.date | None = None,
             expected_date_of_birth: _dt.date | None = None) -> CaseRecord:
        """Open a case record for a child referred on ``referral_date``, allocated to ``worker``."""
        ledger = self.ledger
        actor = ledger.actor(acting)
        now = ledger.now()
        case = CaseRecord.open(
            case_id=ledger.new_id(), actor=actor, child_name=child_name, referral_date=referral_date,
            referral_source=referral_source, team=team, worker=ledger.staff_member(worker),
            now=now,
            # a referral_date that is not a date is refused by CaseRecord.open, by name
            occurred_at=(min(start_of_day(referral_date), now)
                         if isinstance(referral_date, _dt.date) else now),
            date_of_birth=date_of_birth, expected_date_of_birth=expected_date_of_birth,
        )
        ledger.store("opening a case record", case)
        return case

    @command
    def allocate(self, acting: str | None, case_id: uuid.UUID | str, *, team: str, worker: str,
                 reason: str) -> CaseRecord:
        """Allocate the case to ``team`` and ``worker``, with a reason."""
        ledger = self.ledger
        _, actor, case = self.access.gate(acting, case_id, Action.WRITE, Part.PROCESS, purpose=reason)
        case.allocate(actor=actor, team=team, worker=ledger.staff_member(worker), reason=reason,
                      now=ledger.now())
        ledger.store("allocating a case", case)
        return case

    @command
    def close(self, acting: str | None, case_id: uuid.UUID | str, *, reason: str,
              closed_on: _dt.date | None = None) -> CaseRecord:
        """Close the case on ``closed_on`` (default today, London), with a reason."""
        ledger = self.ledger
        _, actor, case = self.access.gate(acting, case_id, Action.WRITE, Part.PROCESS, purpose=reason)
        now = ledger.now()
        case.close(actor=actor, reason=reason, closed_on=closed_on or now.astimezone(LONDON).date(), now=now)
        ledger.store("closing a case", case)
        return case

    @command
    def reopen(self, acting: str | None, case_id: uuid.UUID | str, *, reason: str) -> CaseRecord:
        """Re-open a closed case, with a reason."""
        _, actor, case = self.access.gate(acting, case_id, Action.WRITE, Part.PROCESS, purpose=reason)
        case.reopen(actor=actor, reason=reason, now=self.ledger.now())
        self.ledger.store("re-opening a case", case)
        return case
