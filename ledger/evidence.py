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

An access report's bundle (:func:`export_events`, ``caseledger access report --evidence``) also
holds ``"report"``: the report itself, as JSON. Choice: the report is **re-derived** from the
bundled events during verification (the access attempts it cites, the staff streams its team
and leaving flags come from, the reviews it shows) with the very functions that derived it
(:func:`ledger.access_facts.build_report`), and must equal the bundled report exactly. So a
changed byte in the report (a time, a rule, a flag, a review note) fails like a changed byte in
an event, and a report cannot cite an attempt the bundle does not prove. What a bundle cannot
prove is absence: an attempt left out of both the report and the bundle (the daily streams of
a staff report are bundled whole, so a gap inside a day shows as a broken chain).
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.utils import get_topic

from ledger.checkpoint import VerifierKey, open_checkpoint
from ledger.encoding import decode, stored_event_digest
from ledger.errors import CheckpointError, EncodingError, NotFound, RuleViolation
from ledger.merkle import verify_inclusion
from ledger.merkle_log import event_leaf_hash
from ledger.transparency import TransparencyLog, col

__all__ = ["BundleReport", "export_bundle", "export_events", "verify_bundle"]

FORMAT = "caseledger-evidence/v1"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def export_bundle(recorder: Any, stream_id: uuid.UUID, *, verifier_key: str,
                  since: _dt.date | None = None, until: _dt.date | None = None) -> dict[str, Any]:
    """The events of one stream (optionally recorded between two dates) with their proofs."""
    log, latest = _log_and_checkpoint(recorder)
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
        entry = _entry(log, latest, stream_id, version, topic, state)
        if entry is not None:  # else not yet covered by the latest checkpoint
            events.append(entry)
    if not events:
        raise NotFound(f"no events of stream {stream_id} in that period are covered by the latest checkpoint")
    return _bundle(latest, verifier_key, events)


def _log_and_checkpoint(recorder: Any) -> tuple[TransparencyLog, Any]:
    """The transparency log and its latest signed checkpoint (a bundle is proved against it)."""
    log = TransparencyLog(recorder)
    history = log.checkpoints()
    if not history:
        raise RuleViolation("no signed checkpoint yet: run 'caseledger checkpoint' first")
    return log, history[-1]


def _entry(log: TransparencyLog, latest: Any, stream_id: uuid.UUID, version: int, topic: str,
           state: bytes) -> dict[str, Any] | None:
    """One bundled event with its inclusion proof, or None when the checkpoint does not cover it yet."""
    index, _, _ = log.leaf_of(stream_id, version)
    if index >= latest.size:
        return None
    return {"topic": topic, "stream_id": str(stream_id), "version": version, "state": _b64(state),
            "leaf_index": index, "proof": [_b64(p) for p in log.inclusion_proof(index, latest.size)]}


def _bundle(latest: Any, verifier_key: str, events: list[dict[str, Any]]) -> dict[str, Any]:
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
    held: list[tuple[str, uuid.UUID, int, int, bytes]] = []
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
        held.append((topic, stream, version, index, state))
    if report.events == 0:
        report.fail("the bundle holds no events")
    if "report" in bundle:
        _check_access_report(bundle["report"], held, report)
    return report


def export_events(recorder: Any, events: Sequence[tuple[uuid.UUID, int]], *, verifier_key: str,
                  report: dict[str, Any] | None = None) -> dict[str, Any]:
    """A bundle of the chosen events (stream id, version), with proofs against the latest signed
    checkpoint, and ``report`` (checked against them by :func:`verify_bundle`)."""
    log, latest = _log_and_checkpoint(recorder)
    chosen = list(dict.fromkeys((uuid.UUID(str(s)), int(v)) for s, v in events))
    if not chosen:
        raise NotFound("no events to put in an evidence bundle")
    out = []
    with log._read("reading events for an evidence bundle") as c:  # noqa: SLF001
        for stream_id, version in chosen:
            c.execute(log.dialect.q(recorder.stream_events_sql.replace("ORDER BY", "AND originator_version = ? "
                                                                        "ORDER BY")),
                      (recorder.stream_key(stream_id), version))
            row = c.fetchone()
            if row is None:
                raise NotFound(f"no event version {version} in stream {stream_id}")
            out.append((stream_id, version, str(col(row, "topic", 0)), bytes(col(row, "state", 2))))
    entries = [_entry(log, latest, stream_id, version, topic, state) for stream_id, version, topic, state in out]
    bundled = [e for e in entries if e is not None]
    if len(bundled) < len(entries):
        raise RuleViolation(f"{len(entries) - len(bundled)} of the {len(out)} events to bundle are newer than the "
                            f"latest signed checkpoint (size {latest.size}); run 'caseledger checkpoint' first")
    bundle = _bundle(latest, verifier_key, bundled)
    if report is not None:
        bundle["report"] = report
    return bundle


def _check_access_report(claimed: Any, held: list[tuple[str, uuid.UUID, int, int, bytes]],
                         report: BundleReport) -> None:
    """Derive the access report again from the bundled events; it must equal the bundled one."""
    from ledger.access_facts import (
        REPORT_FORMAT,
        Thresholds,
        attempt_from_fields,
        build_report,
        history_from_fields,
        review_summary,
    )
    from ledger.access_log import ATTEMPT_TOPICS, access_day
    from ledger.access_review import AttemptReview

    review_topic = get_topic(AttemptReview.Reviewed)
    try:
        if not isinstance(claimed, dict) or claimed.get("format") != REPORT_FORMAT:
            report.fail(f"report: not a {REPORT_FORMAT} report")
            return
        attempts = []
        reviews: dict[tuple[str, int], dict[str, Any]] = {}
        staff: dict[uuid.UUID, list[tuple[int, str, dict[str, Any]]]] = {}
        for topic, stream, version, index, state in held:
            fields = decode(state)
            if topic in ATTEMPT_TOPICS:
                attempts.append(attempt_from_fields(stream, version, index, fields))
            elif topic == review_topic:
                reviews[(str(fields["attempt_stream"]), int(fields["attempt_version"]))] = review_summary(fields)
            elif topic.startswith("ledger.staff:StaffMember."):
                staff.setdefault(stream, []).append((version, topic, fields))
        histories = {}
        for events in staff.values():
            events.sort(key=lambda e: e[0])
            staff_id = str(events[0][2].get("staff_id", ""))
            histories[staff_id] = history_from_fields(staff_id, [(t, f) for _, t, f in events])
        thresholds = Thresholds(**claimed["thresholds"])
        since = _dt.date.fromisoformat(claimed["from"]) if claimed.get("from") else None
        until = _dt.date.fromisoformat(claimed["to"]) if claimed.get("to") else None
        derived = build_report(claimed["subject"], since, until, thresholds, attempts, histories, reviews)
    except (KeyError, ValueError, TypeError, AttributeError, EncodingError) as e:
        report.fail(f"report: cannot be derived from the bundled events ({type(e).__name__}: {e})")
        return
    derived = json.loads(json.dumps(derived))
    subject = derived["subject"]
    for row in derived["attempts"]:
        key = "staff_id" if subject.get("kind") == "staff" else "case_id"
        if row[key] != subject.get(key):
            report.fail(f"report: attempt {row['ref']} is not about the report's subject ({key} {row[key]})")
        day = access_day(_dt.datetime.fromisoformat(row["at"])).isoformat()
        if (derived["from"] and day < derived["from"]) or (derived["to"] and day > derived["to"]):
            report.fail(f"report: attempt {row['ref']} is outside the report's period")
    if derived == claimed:
        return
    for name in sorted(set(derived) | set(claimed)):
        if name == "attempts" and isinstance(claimed.get("attempts"), list):
            theirs = claimed["attempts"]
            if len(theirs) != len(derived["attempts"]):
                report.fail(f"report: lists {len(theirs)} attempts but the bundle proves "
                            f"{len(derived['attempts'])}")
                continue
            for mine, other in zip(derived["attempts"], theirs, strict=True):
                if mine != other:
                    changed = sorted(k for k in set(mine) | set(other) if mine.get(k) != other.get(k))
                    report.fail(f"report: attempt {mine['ref']} does not match the event it cites "
                                f"({', '.join(changed)})")
        elif derived.get(name) != claimed.get(name):
            report.fail(f"report: '{name}' does not match the bundled events")
