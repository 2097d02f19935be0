"""Evidence bundles: selected events, their inclusion proofs and a signed checkpoint, checkable
offline by anyone (a disciplinary panel, a court) with no access to the database.

A bundle is one JSON document::

    {"format": "caseledger-evidence/v1", "origin": ..., "verifier_key": ...,
     "checkpoint": <signed note>, "tree_size": N,
     "events": [{"topic", "stream_id", "version", "state" (base64 of the stored bytes),
                 "leaf_index", "proof": [base64, ...]}, ...]}

:func:`verify_bundle` checks, without trusting anything in the bundle but the verifier key
(given by the person checking; the bundle's own copy is used only when none is given, and
the result says so): the checkpoint's signature; for every event, that its stored bytes hash
to the event hash they carry, that it links to the previous event of its stream where the
two are consecutive versions, and that its leaf is included in the signed tree.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from ledger.checkpoint import VerifierKey, open_checkpoint
from ledger.encoding import decode, stored_event_digest
from ledger.errors import CheckpointError, EncodingError, NotFound, RuleViolation
from ledger.merkle import verify_inclusion
from ledger.merkle_log import event_leaf_hash
from ledger.transparency import TransparencyLog, col

__all__ = ["BundleReport", "export_bundle", "verify_bundle"]

FORMAT = "caseledger-evidence/v1"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def export_bundle(recorder: Any, stream_id: uuid.UUID, *, verifier_key: str,
                  since: _dt.date | None = None, until: _dt.date | None = None) -> dict[str, Any]:
    """The events of one stream (optionally recorded between two dates) with their proofs."""
    log = TransparencyLog(recorder)
    history = log.checkpoints()
    if not history:
        raise RuleViolation("no signed checkpoint yet: run 'caseledger checkpoint' first")
    latest = history[-1]
    events = []
    with log._read("reading events for an evidence bundle") as c:  # noqa: SLF001
        c.execute(log.dialect.q(recorder.stream_events_sql), (recorder.stream_key(stream_id),))
        rows = [(str(col(r, "topic", 0)), int(col(r, "originator_version", 1)), bytes(col(r, "state", 2)))
                for r in c.fetchall()]
    if not rows:
        raise NotFound(f"no events in stream {stream_id}")
    for topic, version, state in rows:
        recorded = decode(state)["timestamp"].date()
        if (since and recorded < since) or (until and recorded > until):
            continue
        index, _, _ = log.leaf_of(stream_id, version)
        if index >= latest.size:
            continue  # not yet covered by the latest checkpoint
        events.append({"topic": topic, "stream_id": str(stream_id), "version": version, "state": _b64(state),
                       "leaf_index": index,
                       "proof": [_b64(p) for p in log.inclusion_proof(index, latest.size)]})
    if not events:
        raise NotFound(f"no events of stream {stream_id} in that period are covered by the latest checkpoint")
    return {"format": FORMAT, "origin": latest.note.split("\n", 1)[0], "verifier_key": verifier_key,
            "checkpoint": latest.note, "tree_size": latest.size, "events": events}


@dataclass
class BundleReport:
    ok: bool = True
    events: int = 0
    checkpoint_size: int = 0
    key_from_bundle: bool = False
    problems: list[str] = field(default_factory=list)

    def fail(self, text: str) -> None:
        self.ok = False
        self.problems.append(text)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "events": self.events, "checkpoint_size": self.checkpoint_size,
                "key_from_bundle": self.key_from_bundle, "problems": self.problems}


def verify_bundle(text: str, verifier_key: str | None = None) -> BundleReport:
    """Check a bundle offline (see the module docstring). Never raises on bad content."""
    report = BundleReport()
    try:
        bundle = json.loads(text)
        if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
            report.fail(f"not a {FORMAT} bundle")
            return report
        report.key_from_bundle = verifier_key is None
        verifier = VerifierKey.from_string(verifier_key or bundle["verifier_key"])
        cp = open_checkpoint(bundle["checkpoint"], verifier)
    except (ValueError, KeyError, TypeError, CheckpointError) as e:
        report.fail(f"checkpoint: {e}")
        return report
    report.checkpoint_size = cp.size
    previous: dict[str, tuple[int, bytes]] = {}
    for i, ev in enumerate(bundle.get("events") or []):
        report.events += 1
        try:
            stream = uuid.UUID(ev["stream_id"])
            version, topic = int(ev["version"]), str(ev["topic"])
            state = base64.b64decode(ev["state"], validate=True)
            proof = [base64.b64decode(p, validate=True) for p in ev["proof"]]
            index = int(ev["leaf_index"])
            recomputed, stored, prev = stored_event_digest(topic, stream, version, state)
        except (KeyError, ValueError, TypeError, EncodingError) as e:
            report.fail(f"event {i}: malformed ({e})")
            continue
        where = f"event {i} (stream {stream} version {version})"
        if recomputed != stored:
            report.fail(f"{where}: its bytes do not match its event hash (changed)")
        last = previous.get(str(stream))
        if last and last[0] == version - 1 and prev != last[1]:
            report.fail(f"{where}: does not link to version {version - 1} (chain broken)")
        previous[str(stream)] = (version, stored)
        if not verify_inclusion(event_leaf_hash(topic, stream, version, state), index, cp.size, proof, cp.root):
            report.fail(f"{where}: inclusion proof does not verify against the signed checkpoint")
    if report.events == 0:
        report.fail("the bundle holds no events")
    return report
