"""Verification of the whole ledger: chains, the Merkle log, and signed checkpoints.

In one streaming pass over the raw event rows (with :func:`ledger.integrity.chains.verify_store`):

* every stream's hash chain (see :mod:`ledger.integrity.chains`);
* leaf i of the log is the i-th stored event, in global order: its notification id matches
  and its stored leaf hash equals the leaf hash recomputed from the row's bytes; no leaf is
  missing, duplicated or left over (deleted, inserted, reordered or truncated events);
* the tree is recomputed from the rows (a right frontier: memory O(log n)); its root at the
  size of every checkpoint is kept.

Then, level by level, every stored interior node equals the hash of its two stored children,
and the stored head (size, frontier) equals the recomputed one. Finally every checkpoint,
stored or given by an auditor (``external``): its signature verifies with the verifier key,
and its root equals the recomputed root at its size. A log shorter than a checkpoint was
truncated or restored from an older backup; a root that differs means history was rewritten.
The checkpoint history must not be empty: ``caseledger init`` signs the empty tree.

The stored history itself: numbered 1, 2, 3... with no gap (a deleted checkpoint), sizes never
shrink, ``signed_at`` in order. Deleting the latest checkpoints leaves no gap: what is left looks
like a ledger whose newest events were never signed. So the unsigned tail is measured, in events
and in days (the events' own recorded times, from the oldest unsigned one to the newest), and a
tail beyond :class:`TailLimit` (settings; the ledger's operators sign more often than that) is a
problem: the history may have been cut. Only a checkpoint held outside the database tells for sure.

Every stored snapshot is compared with its stream's replayed events (:mod:`ledger.integrity.snapshots`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.errors import CheckpointError, EncodingError
from ledger.integrity.chains import Problem, RawRow, VerificationReport, _display, verify_store
from ledger.integrity.checkpoint import Checkpoint, VerifierKey, open_checkpoint
from ledger.integrity.encoding import decode
from ledger.integrity.merkle import _node
from ledger.integrity.merkle_log import Frontier, frontier_root
from ledger.integrity.snapshots import check_snapshots
from ledger.integrity.topics import stored_as
from ledger.integrity.transparency import StoredCheckpoint, TransparencyLog

__all__ = ["DEFAULT_TAIL_LIMIT", "NO_CHECKPOINT", "CheckpointResult", "LedgerReport", "TailLimit", "verify_ledger"]

NO_CHECKPOINT = "no signed checkpoint in the store"
#: The source of the result that reports an unsigned tail beyond the limit.
CUT_HISTORY = "stored history"


@dataclass(frozen=True)
class TailLimit:
    """The most of the log that may be left unsigned: a tail of more than ``events`` events that ALSO
    spans more than ``days`` days (the events' own recorded times, oldest unsigned to newest) is reported
    as a possibly cut checkpoint history. Both, so that neither a busy day nor a quiet month of a ledger
    signed on schedule trips it; the defaults assume ``caseledger checkpoint`` runs at least monthly."""

    events: int = 1_000
    days: float = 31.0


DEFAULT_TAIL_LIMIT = TailLimit()


@dataclass(frozen=True)
class CheckpointResult:
    source: str  # "stored #3" or the auditor's file name
    size: int
    ok: bool
    problem: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "size": self.size, "ok": self.ok, "problem": self.problem}


@dataclass
class LedgerReport:
    chains: VerificationReport
    log_size: int = 0
    log_problems: list[Problem] = field(default_factory=list)
    checkpoints: list[CheckpointResult] = field(default_factory=list)
    unsigned_tail: int = 0
    unsigned_since: _dt.datetime | None = None  # when the oldest event no checkpoint covers was recorded
    unsigned_until: _dt.datetime | None = None  # when the newest event was recorded
    store_check: str = ""  # what the store's own integrity check covered
    snapshots: int = 0  # stored snapshots compared with their replayed events
    snapshot_problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.chains.ok and not self.log_problems and not self.snapshot_problems
                and all(c.ok for c in self.checkpoints))

    @property
    def unsigned_days(self) -> float:
        """How many days the unsigned tail spans, by its events' recorded times."""
        if self.unsigned_since is None or self.unsigned_until is None:
            return 0.0
        return max(0.0, (self.unsigned_until - self.unsigned_since).total_seconds() / 86_400)

    @property
    def incomplete(self) -> bool:
        """Nothing is inconsistent, but no signed checkpoint covers the log (a build that stopped first)."""
        failed = [c for c in self.checkpoints if not c.ok]
        return (self.chains.ok and not self.log_problems and not self.snapshot_problems and len(failed) == 1
                and failed[0].problem.startswith(NO_CHECKPOINT))

    @property
    def only_unsigned_tail(self) -> bool:
        """Nothing is inconsistent, but the unsigned tail is beyond the limit (a possibly cut history)."""
        failed = [c for c in self.checkpoints if not c.ok]
        return not self.problems and len(failed) == 1 and failed[0].source == CUT_HISTORY

    @property
    def problems(self) -> list[Problem]:
        return [*self.chains.problems, *self.log_problems, *self.snapshot_problems]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.chains.as_dict(), "ok": self.ok,
            "problems": [p.as_dict() for p in self.problems],
            "log_size": self.log_size,
            "checkpoints": [c.as_dict() for c in self.checkpoints],
            "unsigned_events": self.unsigned_tail,
            "unsigned_since": self.unsigned_since.isoformat() if self.unsigned_since else None,
            "unsigned_days": round(self.unsigned_days, 2), "incomplete": self.incomplete,
            "store_check": self.store_check, "snapshots": self.snapshots,
        }


class _LeafCheck:
    """Rides on the chain pass: each row against its stored leaf; the tree grown from the rows.

    Every interior node the fold completes is compared, in batches, with the stored node of the
    same (level, index): the stored tree must be exactly the tree of the stored events.
    """

    BATCH = 4096

    def __init__(self, log: TransparencyLog, sizes: set[int], report: LedgerReport, tail_start: int = 0) -> None:
        self.log = log
        self.tail_start = tail_start  # the first leaf no checkpoint covers: its recorded time is kept
        self.tail_first: bytes | None = None
        self.last: bytes | None = None
        self.stack: list[bytes] = []  # the right frontier, largest subtree first
        self.size = 0
        self.sizes = sizes
        self.roots: dict[int, bytes] = {0: frontier_root(())} if 0 in sizes else {}
        self.report = report
        self.broken = False
        self.pending: list[tuple[int, int, bytes]] = []

    def problem(self, stream: str, version: int, position: int, text: str) -> None:
        if not self.broken:  # report the first bad position of the log, not a cascade
            self.report.log_problems.append(Problem(stream, version, f"Merkle log: {text}", position))
        self.broken = True

    def __call__(self, row: RawRow, position: int, recomputed: bytes) -> None:
        if row.leaf_index != position or row.leaf_hash != recomputed:
            stream = _display(row.originator_id)
            if row.leaf_index is None:
                text = (f"the event at log position {position} has no leaf: it was inserted outside the "
                        "ledger, or its leaf was deleted")
            elif row.leaf_index != position:
                text = (f"the event at log position {position} is recorded as leaf {row.leaf_index}: events "
                        "or leaves were deleted, inserted or reordered")
            else:
                text = f"leaf {position} hash does not match the stored event (the event or its leaf was changed)"
            self.problem(stream, row.originator_version, row.id, text)
        if position == self.tail_start:
            self.tail_first = row.state
        self.last = row.state
        node, idx, level, stack = recomputed, self.size, 0, self.stack
        while idx & 1:
            node = _node(stack.pop(), node)
            idx >>= 1
            level += 1
            self.pending.append((level, idx, node))
        stack.append(node)
        self.size += 1
        if self.size in self.sizes:
            self.roots[self.size] = frontier_root(stack)
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        by_level: dict[int, list[tuple[int, bytes]]] = {}
        for level, idx, node in self.pending:
            by_level.setdefault(level, []).append((idx, node))
        self.pending = []
        if self.broken:
            return
        for level, nodes in sorted(by_level.items()):
            stored = self.log.nodes_between(level, nodes[0][0], nodes[-1][0])
            for idx, node in nodes:
                if stored.get(idx) != node:
                    what = "is missing" if idx not in stored else "is not the hash of its children"
                    self.problem("(Merkle nodes)", 0, -1, f"node ({level}, {idx}) {what} recomputed from the "
                                                          "events (a stored node was changed or removed)")
                    return

    @property
    def frontier(self) -> Frontier:
        return Frontier(self.size, tuple(self.stack))


def _check_counts(log: TransparencyLog, size: int, report: LedgerReport) -> None:
    """Each level holds exactly the perfect subtrees a log of ``size`` leaves has: none extra."""
    for level, count in log.node_counts():
        expected = size >> level
        if count != expected:
            _node_problem(report, level, count, f"level {level} holds {count} nodes, expected {expected} for a "
                                                f"log of {size} leaves (nodes inserted or deleted)")
            return


def _node_problem(report: LedgerReport, level: int, idx: int, text: str) -> None:
    report.log_problems.append(Problem("(Merkle nodes)", 0, f"Merkle log: {text}", -1))


def verify_ledger(recorder: Any, *, verifier: VerifierKey | None,
                  external: Sequence[tuple[str, str]] = (),
                  progress: Callable[[int], None] | None = None,
                  now: _dt.datetime | None = None,
                  tail_limit: TailLimit | None = DEFAULT_TAIL_LIMIT) -> LedgerReport:
    """Verify chains, log, snapshots and checkpoints (see the module docstring).

    ``external`` holds ``(name, signed note)`` pairs kept outside the database. Without a
    ``verifier`` the checkpoints are not checked (the CLI always passes one). ``tail_limit``: the
    unsigned tail beyond which the stored history may have been cut (None: counted, never judged).
    """
    log = TransparencyLog(recorder)
    stored = log.checkpoints()
    report = LedgerReport(VerificationReport())
    targets: list[tuple[str, Checkpoint | None, str]] = []
    if verifier is not None:
        for cp in stored:
            if cp.bad_text:
                bad = (f"the stored {cp.bad_text} of checkpoint #{cp.seq} is not UTF-8 text: its bytes were "
                       "changed outside the ledger")
                targets.append((f"stored #{cp.seq}", None, bad))
            else:
                targets.append(_open(f"stored #{cp.seq}", cp.note, verifier, cp.size, cp.root))
        for name, note in external:
            targets.append(_open(name, note, verifier, None, None))
    sizes = {cp.size for _, cp, _ in targets if cp is not None}
    signed = max(sizes, default=0)
    leaf_check = _LeafCheck(log, sizes, report, tail_start=signed)
    report.chains = verify_store(recorder, progress=progress, on_leaf=leaf_check)
    leaf_check.flush()
    report.snapshots, report.snapshot_problems = check_snapshots(
        recorder, broken={p.stream for p in report.chains.problems})
    size = leaf_check.size
    orphan = log.first_orphan_leaf()
    if orphan is not None:
        leaf_check.problem("(log)", 0, orphan[1], f"leaf {orphan[0]} records event #{orphan[1]}, which is not in "
                                                  "the store: events were deleted or the tail truncated")
    report.log_size = size
    report.store_check, damage = log.store_check()
    if damage:
        report.log_problems.append(Problem("(store)", 0, "the database's own integrity check failed "
                                           f"({report.store_check}): " + "; ".join(damage[:5]), -1))
    n_events, n_leaves, lowest, highest = log.counts()
    if n_events != report.chains.events:
        leaf_check.problem("(events)", 0, -1, f"the store counts {n_events} events but {report.chains.events} were "
                                              "read in order: rows are hidden from the ordered read (a damaged index?)")
    if not report.log_problems and (n_leaves != size or (size and (lowest, highest) != (0, size - 1))):
        leaf_check.problem("(log)", 0, -1, f"{n_leaves} leaves are stored (indexes {lowest} to {highest}) for "
                                           f"{size} events: leaves were inserted, deleted or renumbered")
    if not report.log_problems:
        _check_counts(log, size, report)
    try:
        head = log.head()
    except ValueError as e:  # size and frontier bytes that cannot belong together
        head = Frontier(0, ())
        report.log_problems.append(Problem("(Merkle head)", 0, f"Merkle log: the stored head is malformed: {e}", -1))
    if not report.log_problems and (head.size != size or head.hashes != leaf_check.frontier.hashes):
        what = (f"size {head.size}, but the log recomputed from the events has {size} leaves" if head.size != size
                else "its right-edge hashes differ from those recomputed from the events")
        report.log_problems.append(Problem("(Merkle head)", 0, f"Merkle log: the stored head is wrong: {what}", -1))
    if verifier is not None:
        if not stored:
            report.checkpoints.append(CheckpointResult(
                "stored", 0, False, NO_CHECKPOINT + f": the last {size} events are not covered by any checkpoint "
                "(none has been signed yet, or the history was removed: only a checkpoint kept outside tells)"))
        history = _history_problems(stored, now or _dt.datetime.now(_dt.UTC))
        signed_roots = [(c.size, c.root) for _, c, _ in targets if c is not None]
        kept = {(cp.size, cp.root) for cp in stored}
        for n, (source, opened, problem) in enumerate(targets):
            result = _judge(source, opened, problem, leaf_check.roots, size, signed_roots)
            if opened is None and n < len(stored) and stored[n].bad_text:  # the size its row claims
                result = CheckpointResult(source, stored[n].size, False, result.problem)
            if result.ok and source in history:
                result = CheckpointResult(source, result.size, False, history[source])
            elif result.ok and n >= len(stored) and opened is not None and (opened.size, opened.root) not in kept:
                # The ledger stores every checkpoint it signs: one held outside that is not stored was deleted.
                latest = f"its latest, #{stored[-1].seq}, has size {stored[-1].size}" if stored else "it is empty"
                result = CheckpointResult(source, opened.size, False, (
                    f"this checkpoint (size {opened.size}) is not in the stored checkpoint history ({latest}): "
                    "stored checkpoints were deleted after it was signed (the history was cut)"))
            report.checkpoints.append(result)
        report.unsigned_tail = max(0, size - signed)
        if report.unsigned_tail:
            report.unsigned_since, report.unsigned_until = (_recorded_at(leaf_check.tail_first),
                                                            _recorded_at(leaf_check.last))
        cut = _cut_history(report, stored, tail_limit, now or _dt.datetime.now(_dt.UTC))
        if cut is not None:
            report.checkpoints.append(CheckpointResult(CUT_HISTORY, signed, False, cut))
    return report


def _recorded_at(state: bytes | None) -> _dt.datetime | None:
    """When the ledger took an event (its stored ``timestamp``), or None if unreadable."""
    try:
        fields = decode(state) if state is not None else None
    except EncodingError:
        return None
    at = fields.get("timestamp") if isinstance(fields, dict) else None
    return at if isinstance(at, _dt.datetime) else None


def _cut_history(report: LedgerReport, stored: Sequence[StoredCheckpoint], limit: TailLimit | None,
                 now: _dt.datetime) -> str | None:
    """The problem of an unsigned tail beyond the limit (a never-checkpointed store is reported apart)."""
    tail, days = report.unsigned_tail, report.unsigned_days
    if limit is None or not stored or tail <= limit.events or days <= limit.days:
        return None
    since = report.unsigned_since
    assert since is not None
    age = (now - since).total_seconds() / 86_400
    latest = stored[-1]
    return (f"{tail} events over {days:.0f} days are not covered by any stored checkpoint (the oldest recorded "
            f"{since.astimezone(_dt.UTC):%Y-%m-%d %H:%M} UTC, {max(0.0, age):.0f} days before now; the latest "
            f"stored checkpoint, #{latest.seq} of size {latest.size}, says it was signed at {latest.signed_at}): "
            "the checkpoint history may have been cut; compare with a checkpoint held outside. If none was "
            f"signed in that time, sign one (caseledger checkpoint), at least every {limit.days:g} days "
            f"(the limit is more than {limit.events} unsigned events over more than {limit.days:g} days)")


def _history_problems(stored: Sequence[StoredCheckpoint], now: _dt.datetime) -> dict[str, str]:
    """What is wrong with the stored history's order: sizes must not shrink, and ``signed_at`` must be a
    time with an offset, not in the future, and not before the previous checkpoint's."""
    problems: dict[str, str] = {}
    previous: StoredCheckpoint | None = None
    previous_at: _dt.datetime | None = None
    for cp in stored:
        source = f"stored #{cp.seq}"
        expected = previous.seq + 1 if previous is not None else 1
        if cp.seq > expected:  # the ledger numbers its checkpoints 1, 2, 3, ...
            missing = f"#{expected} is" if cp.seq == expected + 1 else f"#{expected} to #{cp.seq - 1} are"
            problems[source] = (f"checkpoint {missing} missing from the stored history before it: deleted "
                                "outside the ledger")
        try:
            at: _dt.datetime | None = _dt.datetime.fromisoformat(cp.signed_at)
        except ValueError:
            at = None
        if source in problems:
            pass
        elif at is None or at.tzinfo is None:
            problems[source] = (f"signed_at {cp.signed_at!r} is not an ISO 8601 time with an offset: "
                                "the checkpoint history was changed")
        elif at > now + _CLOCK_SKEW:
            problems[source] = f"signed_at {cp.signed_at} is in the future (now {now.isoformat()})"
        elif previous_at is not None and at < previous_at:
            problems[source] = (f"signed_at {cp.signed_at} is before the previous checkpoint's "
                                f"({previous_at.isoformat()}): the checkpoint history was reordered or changed")
        if previous is not None and cp.size < previous.size and source not in problems:
            problems[source] = (f"size {cp.size} is smaller than the one before it (size {previous.size}): "
                                "the checkpoint history was reordered or changed")
        previous = cp
        previous_at = at if at is not None and at.tzinfo is not None else previous_at
    return problems


_CLOCK_SKEW = _dt.timedelta(minutes=5)


def _open(source: str, note: str, verifier: VerifierKey, size: int | None,
          root: bytes | None) -> tuple[str, Checkpoint | None, str]:
    try:
        cp = open_checkpoint(note, verifier)
    except CheckpointError as e:
        return source, None, f"signature or format: {e}"
    if size is not None and (cp.size != size or cp.root != root):
        return source, None, "the stored size/root columns differ from the signed note"
    return source, cp, ""


def _judge(source: str, cp: Checkpoint | None, problem: str, roots: dict[int, bytes],
           size: int, signed: Sequence[tuple[int, bytes]] = ()) -> CheckpointResult:
    if cp is None:
        return CheckpointResult(source, 0, False, problem)
    if cp.size > size:
        return CheckpointResult(source, cp.size, False,
                                f"the checkpoint covers {cp.size} events but the log has only {size}: "
                                "events were truncated or the database restored from an older backup")
    if roots.get(cp.size) != cp.root:
        # Leaves below a size whose recomputed root matches a signed root are as signed: the change
        # lies between the largest such size and this checkpoint's.
        matched = max((n for n, r in signed if n < cp.size and roots.get(n) == r), default=0)
        return CheckpointResult(source, cp.size, False,
                                f"the log's root at size {cp.size} differs from the signed root: "
                                f"history was rewritten: the first changed event is at leaf {matched} or "
                                f"later, up to leaf {cp.size - 1}"
                                + (f" (the log up to leaf {matched - 1} matches a signed checkpoint)"
                                   if matched else ""))
    return CheckpointResult(source, cp.size, True)


stored_as(__name__, "ledger.verify_log")  # its classes keep the topics they were first stored under
