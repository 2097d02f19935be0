#!/usr/bin/env python3
"""Merkle proof latency: generation from stored nodes and verification, on large ledgers.

Run from the repository root::

    python bench/proofs.py                    # a SQLite ledger of 1,000,000 events
    python bench/proofs.py --large            # and one of 10,000,000 (long build, ~13 GB)
    python bench/proofs.py --samples 5000 --seed 7

On each ledger (built or reused from the cache by ``bench/_build.py``), with tree size n the
number of events (the whole log):

* **inclusion**: for random leaf indexes i, ``TransparencyLog.inclusion_proof(i, n)`` (the
  stored perfect-subtree nodes, O(log n) reads, each call in its own read transaction as the
  ledger does it) and ``ledger.integrity.merkle.verify_inclusion(leaf, i, n, proof, root)``. The leaf
  hash verified is recomputed from the event row itself (its stream and version found with
  ``TransparencyLog.leaf_of``, which also gives the leaf index checked against i);
* **consistency**: for random old sizes m in [1, n), ``TransparencyLog.consistency_proof(m, n)``
  and ``ledger.integrity.merkle.verify_consistency(m, n, root(m), root(n), proof)``; root(m) comes from
  ``TransparencyLog.root(m)`` (its latency is printed too, for information).

Each call is timed on its own (``time.perf_counter_ns``); the first ``--warmup`` calls of each
kind are not counted. It prints the median, p99 and max latency, and the proof lengths
against ceil(log2 n) (an inclusion proof is at most that long; a consistency proof may be one
longer, both counts are given). Every proof must verify, and a proof with one byte changed
must not (a sanity check: the run exits non-zero if either fails). It never fails on timings.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _build  # noqa: E402

from ledger.application import CaseLedger  # noqa: E402
from ledger.integrity.merkle import verify_consistency, verify_inclusion  # noqa: E402
from ledger.integrity.merkle_log import event_leaf_hash  # noqa: E402
from ledger.integrity.transparency import TransparencyLog  # noqa: E402

GOAL_GEN_MS = 5.0
GOAL_VERIFY_US = 100.0
LARGE = 10_000_000


@dataclass
class Timings:
    ns: list[int] = field(default_factory=list)

    def add(self, ns: int) -> None:
        self.ns.append(ns)

    def pct(self, p: float) -> float:
        """Nearest-rank percentile, in microseconds."""
        s = sorted(self.ns)
        k = max(0, min(len(s) - 1, -(-len(s) * p // 100) - 1))
        return s[int(k)] / 1000.0

    @property
    def median(self) -> float:
        return statistics.median(self.ns) / 1000.0

    @property
    def max(self) -> float:
        return max(self.ns) / 1000.0


def timed(call: Callable[..., Any], *args: Any) -> tuple[Any, int]:
    t0 = time.perf_counter_ns()
    value = call(*args)
    return value, time.perf_counter_ns() - t0


@dataclass
class LedgerResult:
    events: int
    n: int
    bound: int  # ceil(log2 n)
    info: _build.BuildInfo
    inc_gen: Timings = field(default_factory=Timings)
    inc_ver: Timings = field(default_factory=Timings)
    con_gen: Timings = field(default_factory=Timings)
    con_ver: Timings = field(default_factory=Timings)
    old_root: Timings = field(default_factory=Timings)
    inc_len: list[int] = field(default_factory=list)
    con_len: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    root_ms: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)


def leaf_for(app: CaseLedger, index: int) -> bytes:
    """The leaf hash of leaf ``index``, recomputed from its event row (checked via leaf_of)."""
    recorder: Any = app.recorder
    log = TransparencyLog(recorder)
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(log.dialect.q(f"SELECT notification_id FROM {log.dialect.leaves} WHERE leaf_index = ?"),
                  (index,))
        row = c.fetchone()
    nid = int(row[0])
    (event,) = recorder.select_notifications(nid, 1)
    stream = uuid.UUID(str(event.originator_id))
    found_index, found_nid, stored_leaf = log.leaf_of(stream, event.originator_version)
    leaf = event_leaf_hash(event.topic, event.originator_id, event.originator_version, event.state)
    if (found_index, found_nid, stored_leaf) != (index, nid, leaf):
        raise SystemExit(f"leaf {index}: the log and the event row disagree")
    return leaf


def bench_ledger(info: _build.BuildInfo, samples: int, warmup: int, seed: int) -> LedgerResult:
    app = CaseLedger(info.db)
    try:
        log = TransparencyLog(app.recorder)
        head = log.head()
        n = head.size
        root = head.root()
        t0 = time.perf_counter()
        stored_root = log.root(n)
        res = LedgerResult(info.events, n, (n - 1).bit_length(), info,
                           root_ms=(time.perf_counter() - t0) * 1000)
        if stored_root != root:
            res.failures.append("root(n) from stored nodes differs from the head's frontier root")
        last = log.checkpoints()[-1]
        if (last.size, last.root) != (n, root):
            res.failures.append("the last signed checkpoint is not the current head")
        rng = random.Random(seed)
        load_before = os.getloadavg()[0]

        print(f"  {n:,} leaves: inclusion proofs ({warmup} warm-up + {samples} timed) ...", file=sys.stderr)
        for k in range(warmup + samples):
            i = rng.randrange(n)
            leaf = leaf_for(app, i)
            proof, g = timed(log.inclusion_proof, i, n)
            ok, v = timed(verify_inclusion, leaf, i, n, proof, root)
            if not ok:
                res.failures.append(f"inclusion proof of leaf {i} in {n} does not verify")
            if k == 0 and proof:
                bad = [*proof[:-1], bytes([proof[-1][0] ^ 1]) + proof[-1][1:]]
                if verify_inclusion(leaf, i, n, bad, root):
                    res.failures.append("an inclusion proof with one byte changed verified")
            if k >= warmup:
                res.inc_gen.add(g)
                res.inc_ver.add(v)
                res.inc_len.append(len(proof))

        print(f"  {n:,} leaves: consistency proofs ({warmup} warm-up + {samples} timed) ...", file=sys.stderr)
        for k in range(warmup + samples):
            m = rng.randrange(1, n)
            old_root, r = timed(log.root, m)
            proof, g = timed(log.consistency_proof, m, n)
            ok, v = timed(verify_consistency, m, n, old_root, root, proof)
            if not ok:
                res.failures.append(f"consistency proof {m} -> {n} does not verify")
            if k == 0 and proof:
                bad = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
                if verify_consistency(m, n, old_root, root, bad):
                    res.failures.append("a consistency proof with one byte changed verified")
            if k >= warmup:
                res.old_root.add(r)
                res.con_gen.add(g)
                res.con_ver.add(v)
                res.con_len.append(len(proof))
        res.load = (load_before, os.getloadavg()[0])
        return res
    finally:
        app.close()


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report(r: LedgerResult, samples: int, warmup: int) -> None:
    built = (f"reused from the cache (built earlier in {r.info.build_seconds:,.0f}s)" if r.info.reused
             else f"built in this run in {r.info.build_seconds:,.0f}s")
    print(f"ledger: {r.events:,} events, tree size n = {r.n:,}, ceil(log2 n) = {r.bound}; {r.info.display}, "
          f"{built}, {r.info.size_bytes / 1e6:,.0f} MB")
    print(f"{samples:,} timed samples of each kind (after {warmup} warm-up), random leaf indexes and "
          f"old sizes; load average (1 min) before/after {r.load[0]:.2f}/{r.load[1]:.2f}")
    header = f"  {'':<36} {'median':>10} {'p99':>10} {'max':>10}"
    print(header)
    print("  " + "-" * (len(header) - 2))
    for label, t, unit in (
        ("inclusion proof, generate (stored)", r.inc_gen, "ms"),
        ("inclusion proof, verify", r.inc_ver, "us"),
        ("consistency proof, generate (stored)", r.con_gen, "ms"),
        ("consistency proof, verify", r.con_ver, "us"),
        ("root(m) from stored nodes (info)", r.old_root, "ms"),
    ):
        scale = 1000.0 if unit == "ms" else 1.0
        print(f"  {label:<36} {t.median / scale:>7.3f} {unit} {t.pct(99) / scale:>7.3f} {unit} "
              f"{t.max / scale:>7.3f} {unit}")
    print(f"  root(n) from stored nodes, once: {r.root_ms:.3f} ms")

    def lengths(ls: list[int]) -> str:
        return f"min {min(ls)}, median {statistics.median(ls):g}, max {max(ls)}"

    inc_over = sum(1 for x in r.inc_len if x > r.bound)
    con_over = sum(1 for x in r.con_len if x > r.bound)
    con_over1 = sum(1 for x in r.con_len if x > r.bound + 1)
    print(f"  proof length (hashes): inclusion {lengths(r.inc_len)}; consistency {lengths(r.con_len)}")
    print("  goals:")
    gen_p99 = max(r.inc_gen.pct(99), r.con_gen.pct(99)) / 1000.0
    ver_p99 = max(r.inc_ver.pct(99), r.con_ver.pct(99))
    print(f"    p99 to generate < {GOAL_GEN_MS:g} ms: inclusion {r.inc_gen.pct(99) / 1000:.3f} ms, "
          f"consistency {r.con_gen.pct(99) / 1000:.3f} ms -> {met(gen_p99 < GOAL_GEN_MS)}")
    print(f"    p99 to verify < {GOAL_VERIFY_US:g} us: inclusion {r.inc_ver.pct(99):.1f} us, consistency "
          f"{r.con_ver.pct(99):.1f} us -> {met(ver_p99 < GOAL_VERIFY_US)}")
    print(f"    inclusion proof length <= ceil(log2 n) = {r.bound}: "
          f"{len(r.inc_len) - inc_over:,}/{len(r.inc_len):,} -> {met(inc_over == 0)}")
    print(f"    consistency proof length <= ceil(log2 n) = {r.bound}: "
          f"{len(r.con_len) - con_over:,}/{len(r.con_len):,} -> {met(con_over == 0)}; "
          f"<= ceil(log2 n) + 1 = {r.bound + 1}: "
          f"{len(r.con_len) - con_over1:,}/{len(r.con_len):,} -> {met(con_over1 == 0)}")
    if r.failures:
        print(f"  CORRECTNESS FAILURES ({len(r.failures)}): {r.failures[:5]}")
    else:
        print(f"  every proof verified ({len(r.inc_len) + warmup:,} inclusion, {len(r.con_len) + warmup:,} "
              "consistency); proofs with one byte changed were rejected")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the (first) ledger")
    parser.add_argument("--large", action="store_true", help=f"also a ledger of {LARGE:,} events")
    parser.add_argument("--samples", type=int, default=1000, help="timed samples of each kind")
    parser.add_argument("--warmup", type=int, default=20, help="untimed calls of each kind first")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="build the ledgers afresh, not from the cache")
    parser.add_argument("--cases", type=int, default=_build.DEFAULT_CASES)
    parser.add_argument("--batch", type=int, default=_build.DEFAULT_BATCH,
                        help="events per write when building")
    args = parser.parse_args(argv)
    if args.samples < 1 or args.warmup < 0:
        parser.error("--samples must be at least 1 and --warmup at least 0")
    sizes = [args.events] + ([LARGE] if args.large and args.events != LARGE else [])

    print("caseledger proofs benchmark: Merkle inclusion and consistency proofs (SQLite)")
    print(f"python {platform.python_version()}, eventsourcing {importlib.metadata.version('eventsourcing')}, "
          f"{os.cpu_count()} CPUs ({platform.machine()}, {platform.system()}), "
          f"load average at start {os.getloadavg()[0]:.2f} (other sessions may share this machine)")
    if not args.large:
        print(f"(the {LARGE:,}-event ledger is measured with --large)")
    print()
    failed = False
    for events in sizes:
        info = _build.sqlite_ledger(events, rebuild=args.rebuild, cases=args.cases, batch=args.batch)
        r = bench_ledger(info, args.samples, args.warmup, args.seed)
        report(r, args.samples, args.warmup)
        print()
        failed |= bool(r.failures)
    print("generate = TransparencyLog.inclusion_proof / consistency_proof on the stored nodes, one read "
          "transaction per call (as the ledger does it); verify = ledger.integrity.merkle.verify_inclusion / "
          "verify_consistency. Latencies are wall-clock per call, on a warm page cache.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
