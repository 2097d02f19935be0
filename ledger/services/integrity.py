"""The integrity commands of the application: sign a checkpoint, prove an event, count the log.

The Merkle log, the checkpoints and the proofs are in :mod:`ledger.integrity`; this service signs
the current tree head, gives an event's inclusion proof against the latest signed checkpoint, and
counts the events the ledger holds. Verification of the whole ledger reads the store directly
(:func:`ledger.integrity.verify.verify_ledger`).

Who may (the command line trusts whoever holds the key file and the database; a signed-in person
over HTTP is decided here): starting a verification of the whole ledger is for those who read the
access log (:data:`~ledger.services.investigation.INVESTIGATING_ROLES`: a service manager, head of
service or auditor), and it is recorded as their access attempt first, part ``integrity``, granted or
denied (the audit of the audit, EHR-S FM TI.2.2#04: :meth:`IntegrityService.start_verification`).
Signing a checkpoint reads nothing of any record: it is for the same roles and an administrator
(:meth:`IntegrityService.checkpoint_signer`), and records no attempt.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from ledger.access.policy import Part
from ledger.core import LedgerCore, Service
from ledger.errors import RuleViolation
from ledger.integrity.checkpoint import Checkpoint, SigningKey
from ledger.integrity.transparency import TransparencyLog
from ledger.records.staff import Role, StaffMember
from ledger.services.access import AccessService
from ledger.services.investigation import INVESTIGATING_ROLES
from ledger.storage import translate_storage_errors

__all__ = ["SIGNING_ROLES", "VERIFYING", "IntegrityService"]

#: Who starts a verification of the whole ledger, in words (:data:`INVESTIGATING_ROLES`).
VERIFYING = "verifying the whole ledger is for a service manager, head of service or auditor"
#: Who signs a checkpoint (over HTTP; the command line signs with the key file it is given).
SIGNING_ROLES = (*INVESTIGATING_ROLES, Role.ADMIN)


class IntegrityService(Service):
    """``ledger.integrity``: transparency, sign_checkpoint, prove_event, event_count; start_verification
    and checkpoint_signer (who may, see the module docstring)."""

    def __init__(self, ledger: LedgerCore, access: AccessService) -> None:
        super().__init__(ledger)
        self.access = access

    def start_verification(self, acting: str | None) -> StaffMember:
        """Decide and record ``acting``'s start of a verification of the whole ledger (part
        ``integrity``), before it starts; the staff member, or :class:`~ledger.errors.PermissionDenied`."""
        return self.access.gate_oversight(acting, Part.INTEGRITY, covering="the whole ledger",
                                          item="verification", rule=VERIFYING, rule_id="verifier",
                                          roles=INVESTIGATING_ROLES)

    def verifier(self, acting: str | None) -> StaffMember:
        """``acting``, if they may verify the ledger and read a verification's report (records nothing:
        the report names no record; starting one is recorded, :meth:`start_verification`)."""
        actor = self.ledger.actor(acting)
        actor.require(VERIFYING, *INVESTIGATING_ROLES)
        return actor

    def checkpoint_signer(self, acting: str | None) -> StaffMember:
        """``acting``, if they may sign a checkpoint (:data:`SIGNING_ROLES`)."""
        actor = self.ledger.actor(acting)
        actor.require("signing a checkpoint is for a service manager, head of service, auditor or "
                      "administrator", *SIGNING_ROLES)
        return actor

    @property
    def transparency(self) -> TransparencyLog:
        """The Merkle log and checkpoints (``ledger.log`` is eventsourcing's notification log)."""
        return TransparencyLog(self.ledger.recorder)

    def sign_checkpoint(self, key: SigningKey) -> tuple[Checkpoint, str]:
        """Sign the current tree head with ``key`` (its name is the log's origin) and store it."""
        return self.transparency.sign(key, key.name, self.ledger.now())

    def prove_event(self, case_id: uuid.UUID | str, version: int | None = None) -> dict[str, Any]:
        """The inclusion proof of a case event against the latest signed checkpoint."""
        cid = self.ledger.resolve_case_id(case_id)
        if version is None:
            version = self.ledger.case(cid).version
        log = self.transparency
        index, _, leaf = log.leaf_of(cid, version)
        history = log.checkpoints()
        if not history or history[-1].size <= index:
            raise RuleViolation(
                f"event version {version} of case {cid} is not yet covered by a signed checkpoint; "
                "run 'caseledger checkpoint' first"
            )
        latest = history[-1]
        proof = log.inclusion_proof(index, latest.size)
        b64 = base64.b64encode
        return {"case": cid, "version": version, "leaf_index": index, "leaf_hash": b64(leaf).decode(),
                "tree_size": latest.size, "root": b64(latest.root).decode(),
                "proof": [b64(p).decode() for p in proof], "checkpoint": latest.note}

    def event_count(self) -> int:
        """How many events the ledger holds (the Merkle log's size: notification ids may have gaps).

        A damaged log head falls back to the highest notification id: ``verify`` reports it.
        """
        try:
            return self.transparency.head().size
        except ValueError:
            with translate_storage_errors("reading the ledger"):
                return self.ledger.recorder.max_notification_id() or 0
