"""The integrity commands of the application: sign a checkpoint, prove an event, count the log.

The Merkle log, the checkpoints and the proofs are in :mod:`ledger.integrity`; this service signs
the current tree head, gives an event's inclusion proof against the latest signed checkpoint, and
counts the events the ledger holds. Verification of the whole ledger reads the store directly
(:func:`ledger.integrity.verify.verify_ledger`).
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from ledger.core import Service
from ledger.errors import RuleViolation
from ledger.integrity.checkpoint import Checkpoint, SigningKey
from ledger.integrity.transparency import TransparencyLog
from ledger.storage import translate_storage_errors

__all__ = ["IntegrityService"]


class IntegrityService(Service):
    """``ledger.integrity``: transparency, sign_checkpoint, prove_event, event_count."""

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
