"""Verification of the whole ledger: chains, the Merkle log, and signed checkpoints.

In one streaming pass over the raw event rows (with :func:`ledger.verify.verify_store`):

* every stream's hash chain (see :mod:`ledger.verify`);
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
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.checkpoint import Checkpoint, VerifierKey, open_checkpoint
from ledger.errors import CheckpointError
from ledger.merkle import _node
from ledger.merkle_log import Frontier, frontier_root
from ledger.transparency import StoredCheckpoint, TransparencyLog
from ledger.verify import Problem, RawRow, VerificationReport, _display, verify_store

__all__ = ["NO_CHECKPOINT", "CheckpointResult", "LedgerReport", "verify_ledger"]

NO_CHECKPOINT = "no signed checkpoint in the store"


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
    store_check: str = ""  # what the store's own integrity check covered

    @property
    def ok(self) -> bool:
        return self.chains.ok and not self.log_problems and all(c.ok for c in self.checkpoints)

    @property
    def incomplete(self) -> bool:
        """Nothing is inconsistent, but no signed checkpoint covers the log (a build that stopped first)."""
        failed = [c for c in self.checkpoints if not c.ok]
        return (self.chains.ok and not self.log_problems and len(failed) == 1
                and failed[0].problem.startswith(NO_CHECKPOINT))

    @property
    def problems(self) -> list[Problem]:
        return [*self.chains.problems, *self.log_problems]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.chains.as_dict(), "ok": self.ok,
            "problems": [p.as_dict() for p in self.problems],
            "log_size": self.log_size,
            "checkpoints": [c.as_dict() for c in self.checkpoints],
            "unsigned_events": self.unsigned_tail, "incomplete": self.incomplete,
            "store_check": self.store_check,
        }


class _LeafCheck:
    """Rides on the chain pass: each row against its stored leaf; the tree grown from the rows.

    Every interior node the fold completes is compared, in batches, with the stored node of the
    same (level, index): the stored tree must be exactly the tree of the stored events.
    """

    BATCH = 4096

    def __init__(self, log: TransparencyLog, sizes: set[int], report: LedgerReport) -> None:
        self.log = log
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
                  now: _dt.datetime | None = None) -> LedgerReport:
    """Verify chains, log and checkpoints (see the module docstring).

    ``external`` holds ``(name, signed note)`` pairs kept outside the database. Without a
    ``verifier`` the checkpoints are not checked (the CLI always passes one).
    """
    log = TransparencyLog(recorder)
    stored = log.checkpoints()
    report = LedgerReport(VerificationReport())
    targets: list[tuple[str, Checkpoint | None, str]] = []
    if verifier is not None:
        for cp in stored:
            targets.append(_open(f"stored #{cp.seq}", cp.note, verifier, cp.size, cp.root))
        for name, note in external:
            targets.append(_open(name, note, verifier, None, None))
    sizes = {cp.size for _, cp, _ in targets if cp is not None}
    leaf_check = _LeafCheck(log, sizes, report)
    report.chains = verify_store(recorder, progress=progress, on_leaf=leaf_check)
    leaf_check.flush()
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
        for source, opened, problem in targets:
            result = _judge(source, opened, problem, leaf_check.roots, size, signed_roots)
            if result.ok and source in history:
                result = CheckpointResult(source, result.size, False, history[source])
            report.checkpoints.append(result)
        signed = max((c.size for _, c, _ in targets if c is not None), default=0)
        report.unsigned_tail = max(0, size - signed)
    return report


def _history_problems(stored: Sequence[StoredCheckpoint], now: _dt.datetime) -> dict[str, str]:
    """What is wrong with the stored history's order: sizes must not shrink, and ``signed_at`` must be a
    time with an offset, not in the future, and not before the previous checkpoint's."""
    problems: dict[str, str] = {}
    previous: StoredCheckpoint | None = None
    previous_at: _dt.datetime | None = None
    for cp in stored:
        source = f"stored #{cp.seq}"
        try:
            at: _dt.datetime | None = _dt.datetime.fromisoformat(cp.signed_at)
        except ValueError:
            at = None
        if at is None or at.tzinfo is None:
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

