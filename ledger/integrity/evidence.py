"""Evidence bundles: events, their inclusion proofs and a signed checkpoint, checkable offline by
anyone (a disciplinary panel, a court) with no access to the database.

A bundle is one JSON document::

    {"format": "caseledger-evidence/v1", "scope": "stream" | "events", "origin": ...,
     "verifier_key": ..., "checkpoint": <signed note>, "tree_size": N,
     "events": [{"topic", "stream_id", "version", "state" (base64 of the stored bytes),
                 "leaf_index", "leaf_hash" (hex), "proof": [base64, ...]}, ...],
     "stream": {...}, "statement": <signed note>,     (a case bundle, scope "stream")
     "report": {...}}                                  (an access report's bundle, scope "events")

Each event's Merkle leaf is RFC 9162's ``SHA-256(0x00 || entry)`` where ``entry`` is the
msgpack array ``["caseledger/v1/log-entry", topic, stream id (16 bytes), version, state]``
(:func:`ledger.integrity.encoding.log_entry`); ``leaf_hash`` is that hash, and the inclusion proof is of it.

:func:`verify_bundle` checks, without trusting anything in the bundle but the verifier key
(given by the person checking; the bundle's own copy is used only when none is given, and
the result says so): the checkpoint's signature; for every event, that its stored bytes hash
to the event hash they carry, that its ``leaf_hash`` is the hash of its log entry, that its leaf
is included in the signed tree at its ``leaf_index``, and that it links to the previous version
of its stream.

**A case bundle** (:func:`export_bundle`, scope ``"stream"``) states its stream, its first and
last versions, the last version's event hash (the head) and how many versions the stream had when
exported, and carries that statement signed with the ledger's key (the key that signs
checkpoints; the statement's text cannot be read as a checkpoint: its second line is not a
number). Verify refuses a bundle whose events are not exactly the stated versions with no gap
(naming each missing version), whose last event is not the stated last version or head, whose
whole-stream bundle does not start at version 1 from the genesis hash, or whose statement is
missing, signed by another key or says otherwise than the bundle. So removing a middle version,
the first, or the last ones (even with the stated last version rewritten) fails.

What a case bundle proves: these versions of the stream, with no gap, are in the log at these
positions under the signed checkpoint, unchanged; and the ledger's key holder stated, when
exporting, that the stream then had the stated number of versions. What it cannot prove: that
no later event of the stream exists (recorded after the checkpoint or after the export; an
inclusion proof shows what is in a tree, never what is not). A fresh export, or ``caseledger
verify`` of the whole ledger against a checkpoint held outside, answers that.

**An access report's bundle** (:func:`export_events`, ``caseledger access report --evidence``,
scope ``"events"``) holds chosen events, not a whole stream, and ``"report"``: the report itself,
as JSON. It proves that each bundled event is in the log under the checkpoint, unchanged, and that
the report is **re-derived** from them during verification (the access attempts it cites, the
staff streams its team and leaving flags come from, the reviews it shows) with the very functions
that derived it (:func:`ledger.access.facts.build_report`): the derived report must equal the
bundled one exactly. So a changed byte in the report (a time, a rule, a flag, a review note) fails
like a changed byte in an event, and a report cannot cite an attempt the bundle does not prove.
Staff streams are bundled whole, from version 1 with no gap, and verify checks it. What such a
bundle cannot prove is absence: an attempt left out of both the report and the bundle.

Bundles written before ``leaf_hash`` and the stream statement existed still verify, with notes
saying what they do not prove (no leaf hash; completeness not proven). Nothing in a bundle says
which format it was written in, so a reader must read the result's ``proves`` line: only a
"whole stream" line means the stream is complete.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.errors import CheckpointError, EncodingError, NotFound, RuleViolation
from ledger.integrity.checkpoint import SigningKey, VerifierKey, open_checkpoint
from ledger.integrity.encoding import GENESIS_HASH, decode, stored_event_digest
from ledger.integrity.merkle import verify_inclusion
from ledger.integrity.merkle_log import event_leaf_hash
from ledger.integrity.topics import stored_as
from ledger.integrity.transparency import TransparencyLog, col

__all__ = ["BundleReport", "export_bundle", "export_events", "verify_bundle"]

FORMAT = "caseledger-evidence/v1"
#: First line of a case bundle's signed statement (never a checkpoint: line 2 is not a number).
STATEMENT_TITLE = "caseledger-evidence/v1 stream statement"
LIMIT = ("A bundle cannot prove that no later event of a stream exists (recorded after its checkpoint "
         "or after it was exported): export again, or verify the whole ledger, for that.")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def export_bundle(recorder: Any, stream_id: uuid.UUID, *, signing_key: SigningKey,
                  since: _dt.date | None = None, until: _dt.date | None = None) -> dict[str, Any]:
    """The versions of one stream (all, or those recorded between two dates, with no gap) that the
    latest checkpoint covers, their proofs, and a statement of them signed with ``signing_key``."""
    log, latest = _log_and_checkpoint(recorder)
    try:
        open_checkpoint(latest.note, signing_key.verifier())
    except CheckpointError as e:
        raise CheckpointError(f"signing key {signing_key.verifier_key()} did not sign the latest checkpoint "
                              f"(size {latest.size}), so it cannot sign a bundle proved against it: {e}") from None
    with log._read("reading events for an evidence bundle") as c:  # noqa: SLF001
        c.execute(log.dialect.q(recorder.stream_events_sql), (recorder.stream_key(stream_id),))
        rows = [(str(col(r, "topic", 0)), int(col(r, "originator_version", 1)), bytes(col(r, "state", 2)))
                for r in c.fetchall()]
    if not rows:
        raise NotFound(f"no events in stream {stream_id}")
    in_period = [version for _, version, state in rows
                 if not ((since and decode(state)["timestamp"].date() < since)
                         or (until and decode(state)["timestamp"].date() > until))]
    events: list[dict[str, Any]] = []
    for topic, version, state in rows:
        if not in_period or not in_period[0] <= version <= in_period[-1]:
            continue
        entry = _entry(log, latest, stream_id, version, topic, state)
        if entry is None:  # this one and every later one are newer than the latest checkpoint
            break
        events.append(entry)
    if not events:
        raise NotFound(f"no events of stream {stream_id} in that period are covered by the latest checkpoint")
    last = events[-1]
    _, head, _ = stored_event_digest(last["topic"], stream_id, last["version"], base64.b64decode(last["state"]))
    bundle = _bundle(latest, signing_key.verifier_key(), events, "stream")
    bundle["stream"] = {"stream_id": str(stream_id), "first_version": events[0]["version"],
                        "last_version": last["version"], "head": head.hex(), "stored_versions": rows[-1][1],
                        "from": since.isoformat() if since else None, "to": until.isoformat() if until else None}
    bundle["statement"] = signing_key.sign_note(_statement_text(bundle["origin"], latest.size, latest.root,
                                                                bundle["stream"]))
    return bundle


def _statement_text(origin: str, size: int, root: bytes, stream: dict[str, Any]) -> str:
    """The signed statement of a case bundle: what the bundle holds and how long the stream was."""
    lines = [STATEMENT_TITLE, f"origin {origin}", f"stream {stream['stream_id']}",
             f"versions {stream['first_version']} to {stream['last_version']}",
             f"head {stream['head']}", f"stored versions {stream['stored_versions']}",
             f"period {stream['from'] or 'start'} to {stream['to'] or 'end'}",
             f"checkpoint {size} {_b64(root)}"]
    return "".join(f"{line}\n" for line in lines)


def _log_and_checkpoint(recorder: Any) -> tuple[TransparencyLog, Any]:
    """The transparency log and its latest signed checkpoint (a bundle is proved against it)."""
    log = TransparencyLog(recorder)
    history = log.checkpoints()
    if not history:
        raise RuleViolation("no signed checkpoint yet: run 'caseledger checkpoint' first")
    return log, history[-1]


def _entry(log: TransparencyLog, latest: Any, stream_id: uuid.UUID, version: int, topic: str,
           state: bytes) -> dict[str, Any] | None:
    """One bundled event with its leaf hash and inclusion proof, or None when the checkpoint does
    not cover it yet."""
    index, _, leaf = log.leaf_of(stream_id, version)
    if index >= latest.size:
        return None
    return {"topic": topic, "stream_id": str(stream_id), "version": version, "state": _b64(state),
            "leaf_index": index, "leaf_hash": leaf.hex(),
            "proof": [_b64(p) for p in log.inclusion_proof(index, latest.size)]}


def _bundle(latest: Any, verifier_key: str, events: list[dict[str, Any]], scope: str) -> dict[str, Any]:
    return {"format": FORMAT, "scope": scope, "origin": latest.note.split("\n", 1)[0],
            "verifier_key": verifier_key, "checkpoint": latest.note, "tree_size": latest.size, "events": events}


@dataclass
class BundleReport:
    """What :func:`verify_bundle` found: ``problems`` make it not valid; ``proves`` says what a valid
    bundle proves and ``notes`` what it does not."""

    ok: bool = True
    events: int = 0
    checkpoint_size: int = 0
    key_from_bundle: bool = False
    whole_stream: bool = False
    proves: str = ""
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def fail(self, text: str) -> None:
        self.ok = False
        self.problems.append(text)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "events": self.events, "checkpoint_size": self.checkpoint_size,
                "key_from_bundle": self.key_from_bundle, "whole_stream": self.whole_stream,
                "proves": self.proves, "problems": self.problems, "notes": self.notes}


@dataclass(frozen=True)
class HeldEvent:
    """One bundled event as read (and checked) by :func:`verify_bundle`."""

    i: int
    topic: str
    stream: uuid.UUID
    version: int
    index: int
    state: bytes
    event_hash: bytes
    prev_hash: bytes


#: Checks a bundle's ``report`` against its events (the access report's: :mod:`ledger.access.bundle`).
ReportCheck = Callable[[Any, "list[HeldEvent]", "BundleReport"], None]


def verify_bundle(text: str, verifier_key: str | None = None, *,
                  check_report: ReportCheck | None = None) -> BundleReport:
    """Check a bundle offline (see the module docstring). Never raises on bad content.

    A bundle that carries a report (an access report's bundle) is valid only if ``check_report``
    derives the same report from its events: without one, it fails saying so. Integrity knows
    nothing of access reports; :func:`ledger.access.bundle.verify_bundle` passes the check."""
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
    held: list[HeldEvent] = []
    no_leaf_hash = 0
    for i, ev in enumerate(bundle.get("events") or []):
        report.events += 1
        try:
            stream = uuid.UUID(ev["stream_id"])
            version, topic = int(ev["version"]), str(ev["topic"])
            state = base64.b64decode(ev["state"], validate=True)
            proof = [base64.b64decode(p, validate=True) for p in ev["proof"]]
            index = int(ev["leaf_index"])
            stated_leaf = bytes.fromhex(str(ev["leaf_hash"])) if "leaf_hash" in ev else None
            recomputed, stored, prev = stored_event_digest(topic, stream, version, state)
        except (KeyError, ValueError, TypeError, EncodingError) as e:
            report.fail(f"event {i}: malformed ({e})")
            continue
        where = f"event {i} (stream {stream} version {version})"
        if recomputed != stored:
            report.fail(f"{where}: its bytes do not match its event hash (changed)")
        leaf = event_leaf_hash(topic, stream, version, state)
        if stated_leaf is None:
            no_leaf_hash += 1
        elif stated_leaf != leaf:
            report.fail(f"{where}: leaf_hash {stated_leaf.hex()} is not the hash of its log entry "
                        f"({leaf.hex()}): changed")
        if not verify_inclusion(leaf, index, cp.size, proof, cp.root):
            report.fail(f"{where}: inclusion proof does not verify against the signed checkpoint")
        held.append(HeldEvent(i, topic, stream, version, index, state, stored, prev))
    if report.events == 0:
        report.fail("the bundle holds no events")
    if no_leaf_hash:
        report.notes.append(f"no leaf hash in this bundle (older format) for {no_leaf_hash} of its "
                            f"{report.events} events: each leaf was recomputed from the event's bytes")
    _check_links(held, report)
    if bundle.get("scope") == "stream" or "stream" in bundle:
        _check_stream(bundle, held, verifier, cp, report)
    else:
        _check_chosen(bundle, held, cp.size, report)
    if "report" in bundle:
        if check_report is None:
            report.fail("report: this bundle carries a report, which is not checked here; verify it with "
                        "ledger.access.bundle.verify_bundle (as 'caseledger evidence verify' does)")
        else:
            check_report(bundle["report"], held, report)
    return report


def _by_stream(held: list[HeldEvent]) -> dict[uuid.UUID, list[HeldEvent]]:
    out: dict[uuid.UUID, list[HeldEvent]] = {}
    for h in held:
        out.setdefault(h.stream, []).append(h)
    for events in out.values():
        events.sort(key=lambda h: h.version)
    return out


def _check_links(held: list[HeldEvent], report: BundleReport) -> None:
    """Each event links to the previous version of its stream where the bundle holds both; a
    version held twice is refused."""
    for events in _by_stream(held).values():
        for before, after in zip(events, events[1:], strict=False):
            where = f"event {after.i} (stream {after.stream} version {after.version})"
            if after.version == before.version:
                report.fail(f"{where}: the bundle holds version {after.version} twice (also event {before.i})")
            elif after.version == before.version + 1 and after.prev_hash != before.event_hash:
                report.fail(f"{where}: does not link to version {before.version} (chain broken)")


def version_run(low: int, high: int) -> str:
    return f"version {low}" if low == high else f"versions {low} to {high}"


def version_gaps(versions: list[int], first: int, last: int) -> list[tuple[int, int]]:
    """The runs ``(from, to)`` of versions between ``first`` and ``last`` that ``versions`` (sorted)
    lacks, without listing every number (a stated range can be absurdly large)."""
    runs, expected = [], first
    for v in versions:
        if v > expected:
            runs.append((expected, v - 1))
        expected = max(expected, v + 1)
    if expected <= last:
        runs.append((expected, last))
    return runs


def _check_stream(bundle: dict[str, Any], held: list[HeldEvent], verifier: VerifierKey, cp: Any,
                  report: BundleReport) -> None:
    """A case bundle holds exactly its stated versions of its one stream, ends at its stated head,
    starts at version 1 when it is the whole stream, and its statement is signed and agrees."""
    try:
        stated = bundle["stream"]
        sid = uuid.UUID(str(stated["stream_id"]))
        first, last = int(stated["first_version"]), int(stated["last_version"])
        head, stored = bytes.fromhex(str(stated["head"])), int(stated["stored_versions"])
        whole = stated.get("from") is None and stated.get("to") is None
    except (KeyError, ValueError, TypeError, AttributeError) as e:
        report.fail(f"stream: the bundle's statement of its stream is malformed ({type(e).__name__}: {e})")
        return
    _check_statement(bundle, stated, verifier, cp, report)
    if not 1 <= first <= last <= stored:
        report.fail(f"stream {sid}: stated versions {first} to {last} of {stored} stored are not a range")
        return
    mine = [h for h in held if h.stream == sid]
    for h in held:
        if h.stream != sid:
            report.fail(f"event {h.i}: is of stream {h.stream}, not the bundle's stream {sid}")
    for h in mine:
        if not first <= h.version <= last:
            report.fail(f"event {h.i}: version {h.version} is outside the bundle's stated versions {first} to {last}")
    present = sorted({h.version for h in mine if first <= h.version <= last})
    if whole and first != 1:
        report.fail(f"stream {sid}: the bundle is of the whole stream but starts at version {first}: "
                    f"{version_run(1, first - 1)} missing")
    for low, high in version_gaps(present, first, last):
        if high == last:
            held_last = f"version {present[-1]}" if present else "no event"
            report.fail(f"stream {sid}: the bundle states its last version is {last} but the last event it holds "
                        f"is {held_last}: {version_run(low, high)} missing")
        else:
            report.fail(f"stream {sid}: {version_run(low, high)} missing "
                        f"(the bundle states versions {first} to {last} with no gap)")
    by_version = {h.version: h for h in mine}
    if 1 in by_version and by_version[1].prev_hash != GENESIS_HASH:
        report.fail(f"event {by_version[1].i} (stream {sid} version 1): does not start the stream's chain "
                    "(its previous hash is not the genesis hash)")
    if last in by_version and by_version[last].event_hash != head:
        report.fail(f"stream {sid}: the stated head {head.hex()} is not the event hash of version {last} "
                    f"({by_version[last].event_hash.hex()})")
    if not report.ok:
        return
    report.whole_stream = whole
    period = "" if whole else f" (recorded {stated.get('from') or 'from the start'} to {stated.get('to') or 'the end'})"
    start = " from its first event" if whole else period
    report.proves = (f"stream {sid}{start}: versions {first} to {last} with no gap, each unchanged and in the "
                     f"log under the signed checkpoint of size {cp.size}; the ledger's key signed that the "
                     f"stream had {stored} versions when exported")
    if stored > last:
        report.notes.append(f"versions {last + 1} to {stored} of stream {sid} are not in this bundle "
                            f"({'outside its period or ' if not whole else ''}newer than its checkpoint)")
    report.notes.append(LIMIT)


def _check_statement(bundle: dict[str, Any], stated: dict[str, Any], verifier: VerifierKey, cp: Any,
                     report: BundleReport) -> None:
    """The statement must be signed by the verifier key and say exactly what the bundle says."""
    note = bundle.get("statement")
    if not isinstance(note, str):
        report.fail("statement: the bundle states a stream but carries no signed statement of it (removed?)")
        return
    try:
        signed = verifier.verify_note(note)
        expected = _statement_text(cp.origin, cp.size, cp.root, stated)
    except (CheckpointError, KeyError, TypeError) as e:
        report.fail(f"statement: {e}")
        return
    if signed == expected:
        return
    theirs, ours = signed.splitlines(), expected.splitlines()
    for n in range(max(len(theirs), len(ours))):
        a = theirs[n] if n < len(theirs) else "(nothing)"
        b = ours[n] if n < len(ours) else "(nothing)"
        if a != b:
            report.fail(f"statement: the signed statement says {a!r} but the bundle says {b!r}")


def _check_chosen(bundle: dict[str, Any], held: list[HeldEvent], size: int, report: BundleReport) -> None:
    """A bundle of chosen events (an access report's) or an older case bundle: say what it proves.
    An older case bundle (no report, no statement) held a contiguous run of one stream: refuse a gap."""
    if bundle.get("scope") is None and "report" not in bundle:
        for sid, events in _by_stream(held).items():
            for low, high in version_gaps([h.version for h in events], events[0].version, events[-1].version):
                report.fail(f"stream {sid}: {version_run(low, high)} missing "
                            "(a case bundle holds its versions with no gap)")
        report.notes.append("older format: the bundle does not state its stream's versions, so that none is "
                            "missing at its end (or its start, if it was exported with --from) is not proven")
    if report.ok:
        report.proves = (f"each of the {len(held)} chosen events is unchanged and in the log under the signed "
                         f"checkpoint of size {size}; not that the bundle holds every event of their streams")


def export_events(recorder: Any, events: Sequence[tuple[uuid.UUID, int]], *, verifier_key: str,
                  report: dict[str, Any] | None = None) -> dict[str, Any]:
    """A bundle of the chosen events (stream id, version), with proofs against the latest signed
    checkpoint, and ``report`` (checked against them by :func:`verify_bundle`). It proves each of
    them, not that their streams hold no other event (staff streams are passed whole)."""
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
    bundle = _bundle(latest, verifier_key, bundled, "events")
    if report is not None:
        bundle["report"] = report
    return bundle


stored_as(__name__, "ledger.evidence")  # its classes keep the topics they were first stored under
