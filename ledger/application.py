"""The case ledger application: the one class every caller uses, over either backend.

``ledger = CaseLedger(db="caseledger.db")`` (or ``db="postgresql://..."``). Its commands are grouped
by use, each group a service the ledger holds (:mod:`ledger.services`):

- ``ledger.staff``: the staff directory: ``add``, ``change``, ``record_leaving``;
- ``ledger.cases``: a case record's life: ``open``, ``allocate``, ``close``, ``reopen``;
- ``ledger.casework``: ``record_note``, ``revise_note``, ``finalise_note``, ``amend_note``,
  ``delete_note``; ``record_decision``, ``record_milestone``; casework records: ``record``, ``update``;
- ``ledger.access``: a person's read of a record, decided and recorded first: ``open_record``,
  ``check``, ``list_records``, ``readable_cases``; restriction (policy s.11): ``restrict``,
  ``lift_restriction``, ``grant``, ``renew_grant``, ``revoke_grant``; and ``gate``, the decision
  every other service goes through;
- ``ledger.investigation``: the access log read by a service manager, head of service or auditor:
  ``investigator``, ``attempts_of``, ``attempts_on_case``, ``attempt``, ``alerts``, ``unreviewed_alerts``,
  ``flags_of``, ``reviews_of``, ``review`` (of a flagged attempt);
- ``ledger.rollbacks``: roll-back requests (policy s.13): ``request``, ``agree``, ``decline``,
  ``withdraw``, ``carry_out``, ``expire``; ``get``, ``find``, ``details``;
- ``ledger.adoption``: ``match`` (the record restricted, the identity link sealed), ``link``;
- ``ledger.integrity``: ``sign_checkpoint``, ``prove_event``, ``event_count``, ``transparency``;
- ``ledger.tokens``: signing in to the HTTP API: ``issue``, ``list``, ``revoke`` (API tokens),
  ``authenticate``, ``staff_with_email``, ``set_email``.

And, from :class:`~ledger.core.LedgerCore`, the ledger's own unrecorded reads for its machinery
(``case``, ``case_ids``, ``resolve_case_id``, ``staff_member``, ``list_staff``, ``staff_ids``), its
clock (``now``), and eventsourcing's application (``recorder``, ``repository``, ``events``,
``close``). A person's read of a child's record goes through ``ledger.access``, never ``case``.

Each command loads the streams it needs, lets the aggregate apply its rules, and saves the new
events in one atomic write. A refused command raises a :class:`~ledger.errors.LedgerError` and
writes nothing. The acting staff member is always named by staff id; the ledger copies their
full name, designation and team onto every event (policy s.7).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from ledger.channel import Channel
from ledger.core import Clock, LedgerCore, utc_now
from ledger.records.timescales import LONDON
from ledger.services.access import AccessService
from ledger.services.adoption import AdoptionService
from ledger.services.cases import CaseService
from ledger.services.casework import CaseworkService
from ledger.services.integrity import IntegrityService
from ledger.services.investigation import InvestigationService
from ledger.services.rollbacks import RollbackService
from ledger.services.staff import StaffService
from ledger.services.tokens import TokenService
from ledger.storage import Backend

__all__ = ["LONDON", "AccessService", "AdoptionService", "CaseLedger", "CaseService", "CaseworkService", "Clock",
           "IntegrityService", "InvestigationService", "LedgerCore", "RollbackService", "StaffService", "TokenService",
           "utc_now"]


class CaseLedger(LedgerCore):
    """The ledger. ``CaseLedger(db="caseledger.db")`` or ``CaseLedger(db="postgresql://...")``.

    Its commands are in the services it holds (see :mod:`ledger.application`): ``staff``, ``cases``,
    ``casework``, ``access``, ``investigation``, ``rollbacks``, ``adoption``, ``integrity``, ``tokens``. The
    arguments are those of :class:`~ledger.core.LedgerCore` (``clock``, ``new_id``, ``backend``,
    ``create``, ``read_only``, ``channel``).
    """

    staff: StaffService
    cases: CaseService
    casework: CaseworkService
    access: AccessService
    investigation: InvestigationService
    rollbacks: RollbackService
    adoption: AdoptionService
    integrity: IntegrityService
    tokens: TokenService

    def __init__(self, db: str | None = None, *, clock: Clock = utc_now,
                 new_id: Callable[[], uuid.UUID] = uuid.uuid4,
                 backend: Backend | None = None, create: bool = True, read_only: bool = False,
                 channel: Channel | None = None) -> None:
        super().__init__(db, clock=clock, new_id=new_id, backend=backend, create=create, read_only=read_only,
                         channel=channel)
        self.access = AccessService(self)
        self.staff = StaffService(self)
        self.cases = CaseService(self, self.access)
        self.casework = CaseworkService(self, self.access)
        self.investigation = InvestigationService(self, self.access)
        self.rollbacks = RollbackService(self, self.access)
        self.adoption = AdoptionService(self, self.access)
        self.integrity = IntegrityService(self, self.access)
        self.tokens = TokenService(self, self.staff)
