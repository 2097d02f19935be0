"""Writer processes killed with SIGKILL at random moments, and what the ledger must hold afterwards.

Shared by ``tests/faults/test_kill_writers.py`` (30 kills a backend) and ``bench/faults.py`` (as
many as asked for): the same ledger, the same writers, the same kills, the same checks.

**The writers.** A *spawner* process (``python -c SPAWNER``) imports the ledger once; for each
run it forks one writer, a process of its own that opens the ledger (its own connections: the
spawner never opens one) and records finalised case notes in a loop, alternately on two cases,
each with its own facts text ``Kill test note <run>-<n>``. After each ``casework.record_note`` call
*returns*, the writer writes the line ``ok <run> <n>`` to its stdout (a pipe, one unbuffered
``write``): that line is the acknowledgement, what a user would have been shown. The forking
only saves the interpreter's start and the imports (about 0.5 s a writer on a 2-CPU machine):
the writer that is killed is a separate process with its own database connections, exactly as
a ``caseledger`` command or a server worker is.

**The kills.** The test waits a random time (seeded, 50-400 ms by default) from the fork, then
sends SIGKILL: the writer dies wherever it is (opening the ledger, deciding or recording the
access attempt, inside the note's write transaction, between the commit and its ``ok`` line).

**What must hold** (:func:`check_ledger`): every acknowledged note is stored, on its case, once,
finalised (a note is recorded and finalised in one write: an interrupted command must leave
both events or neither); each writer's stored notes are exactly the ones it acknowledged plus at
most the one it was writing when killed (committed, but killed before its ``ok`` line: allowed,
a user who saw no answer must look before writing it again); every stream in the store (cases,
staff, access logs) has versions 1..n with no gap; every stored note was preceded by its
recorded access attempt (an attempt with no note is allowed: killed after the attempt and before
the note's commit); the Merkle log has one leaf per stored event; ``verify`` passes; on SQLite
``PRAGMA integrity_check`` says ok.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger.access.log import ATTEMPT_TOPICS
from ledger.access.policy import Action, Part
from ledger.application import CaseLedger
from ledger.integrity.verify import verify_ledger
from tests.conftest import add_staff

ROOT = Path(__file__).resolve().parents[2]
WRITER = "jane.smith"
FACTS = "Kill test note {run}-{n}"
FACTS_RE = re.compile(r"^Kill test note (\d+)-(\d+)$")

#: The spawner: reads a run number a line from stdin, forks a writer for it, reports its pid, and
#: reports how it ended once it has (``dead <run> <wait status>``). Each line is one ``os.write`` of
#: a few bytes to a pipe, so lines from the spawner and its writers never interleave mid-line.
SPAWNER = r"""
import datetime as dt, os, sys, uuid
from ledger.application import CaseLedger

db, staff_id, cases = sys.argv[1], sys.argv[2], [uuid.UUID(c) for c in sys.argv[3:]]

def say(line):
    os.write(1, (line + "\n").encode())

def write_notes(run):
    app = CaseLedger(db, create=False)
    n = 0
    while True:
        now = dt.datetime.now(dt.timezone.utc)
        app.casework.record_note(staff_id, cases[n % len(cases)], kind="telephone_call",
                                 occurred_at=now - dt.timedelta(minutes=30),
                                 facts=f"Kill test note {run}-{n}", finalise=True)
        say(f"ok {run} {n}")
        n += 1

while True:
    line = sys.stdin.readline()
    if not line:
        break
    run = int(line)
    pid = os.fork()
    if pid == 0:
        try:
            write_notes(run)
        except BaseException as e:
            say(f"error {run} {type(e).__name__}: {e}".replace("\n", " | "))
        os._exit(1)
    say(f"pid {run} {pid}")
    _, status = os.waitpid(pid, 0)
    say(f"dead {run} {status}")
"""


@dataclass
class KillRuns:
    """What the writers acknowledged: for each run (one writer, one kill), its acknowledged note numbers."""

    acknowledged: dict[int, list[int]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def kills(self) -> int:
        return len(self.acknowledged)

    @property
    def acknowledged_notes(self) -> int:
        return sum(len(ns) for ns in self.acknowledged.values())


@dataclass
class Figures:
    kills: int
    acknowledged: int
    stored: int
    beyond_acknowledged: int
    attempts_without_note: int
    lost: int
    events: int
    leaves: int
    verified: bool
    seconds: float

    def line(self, backend: str) -> str:
        return (f"{backend}: {self.kills} kills, {self.acknowledged} notes acknowledged, {self.lost} lost, "
                f"{self.stored} stored ({self.beyond_acknowledged} committed but killed before their ok line), "
                f"{self.attempts_without_note} access attempts killed before their note's commit, "
                f"{self.events} events, {self.leaves} Merkle leaves, verify {'passed' if self.verified else 'FAILED'}, "
                f"{self.seconds:.1f} s of kills")


def build_ledger(db: str, cases: int = 2) -> list[uuid.UUID]:
    """The staff of ``tests/conftest.py`` and ``cases`` open cases allocated to Jane Smith (the ledger's real clock)."""
    app = CaseLedger(db)
    try:
        add_staff(app)
        today = dt.datetime.now(dt.UTC).date()
        return [app.cases.open(WRITER, child_name=name, date_of_birth=dt.date(2016, 5, 14),
                               referral_date=today - dt.timedelta(days=7),
                               referral_source="school: designated safeguarding lead",
                               team="Assessment", worker=WRITER).id
                for name in ["Amira Hassan", "Tom Baker"][:cases]]
    finally:
        app.close()


def kill_writers(db: str, case_ids: list[uuid.UUID], kills: int, *, seed: int = 15, first_run: int = 0,
                 delay: tuple[float, float] = (0.05, 0.4)) -> KillRuns:
    """Fork ``kills`` writers one after another, each SIGKILLed ``delay`` seconds (random, seeded) after its fork."""
    rng = random.Random(seed)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    spawner = subprocess.Popen([sys.executable, "-c", SPAWNER, db, WRITER, *map(str, case_ids)], cwd=ROOT,
                               env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    assert spawner.stdin is not None and spawner.stdout is not None
    runs = KillRuns()
    started = time.monotonic()
    pid: int | None = None  # the writer running now, if any
    try:
        for run in range(first_run, first_run + kills):
            spawner.stdin.write(f"{run}\n")
            spawner.stdin.flush()
            pid = int(_expect(spawner, f"pid {run} ").split()[2])
            time.sleep(rng.uniform(*delay))
            with contextlib.suppress(ProcessLookupError):  # it ended by itself: its error line says why
                os.kill(pid, signal.SIGKILL)
            acknowledged: list[int] = []
            while True:
                line = _expect(spawner, "")
                word, line_run, rest = line.split(" ", 2)
                if int(line_run) != run:
                    raise AssertionError(f"a line from writer {line_run} while writer {run} ran: {line}")
                if word == "ok":
                    acknowledged.append(int(rest))
                elif word == "error":
                    pid = None  # it has exited (or is about to): its pid is not ours to kill
                    raise AssertionError(f"writer {run} failed before it was killed: {rest}")
                elif word == "dead":
                    status = int(rest)
                    if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
                        raise AssertionError(f"writer {run} ended with wait status {status}, not by SIGKILL")
                    pid = None
                    break
            runs.acknowledged[run] = acknowledged
    finally:
        runs.seconds = time.monotonic() - started
        if pid is not None:  # interrupted before its end was seen: never leave a writer running
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        spawner.stdin.close()
        try:
            spawner.wait(timeout=30)
        except subprocess.TimeoutExpired:
            spawner.kill()
            spawner.wait()
    return runs


def _expect(spawner: subprocess.Popen[str], prefix: str) -> str:
    assert spawner.stdout is not None
    line = spawner.stdout.readline()
    if not line:
        raise AssertionError(f"the spawner ended (exit {spawner.wait(timeout=30)}) while {prefix!r} was awaited")
    if not line.startswith(prefix):
        raise AssertionError(f"expected a line {prefix!r}..., the spawner said {line!r}")
    return line.rstrip("\n")


def check_ledger(db: str, case_ids: list[uuid.UUID], runs: KillRuns) -> Figures:
    """Every assertion of the module docstring (AssertionError naming what is wrong); the figures."""
    if not db.startswith("postgresql"):
        with sqlite3.connect(db) as conn:
            integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        assert integrity == ["ok"], f"SQLite's integrity check of {db}: {integrity}"
    app = CaseLedger(db, create=False)
    try:
        stored: Counter[tuple[int, int]] = Counter()
        for case_id in case_ids:
            for note in app.case(case_id).notes.values():
                found = FACTS_RE.match(note["content"]["facts"])
                if found is None:
                    continue
                run, n = int(found[1]), int(found[2])
                assert note["status"] == "final", f"note {run}-{n} is stored half-written: {note['status']}"
                assert case_id == case_ids[n % len(case_ids)], f"note {run}-{n} is on the wrong case {case_id}"
                stored[run, n] += 1
        twice = sorted(k for k, c in stored.items() if c > 1)
        assert not twice, f"notes stored more than once: {twice}"

        lost = sorted((run, n) for run, acknowledged in runs.acknowledged.items()
                      for n in acknowledged if (run, n) not in stored)
        assert not lost, f"acknowledged notes missing from the ledger (run, note): {lost}"
        beyond = 0
        for run, acknowledged in runs.acknowledged.items():
            assert acknowledged == list(range(len(acknowledged))), \
                f"writer {run} acknowledged notes out of order: {acknowledged}"
            extra = sorted(n for (r, n) in stored if r == run and n >= len(acknowledged))
            assert extra in ([], [len(acknowledged)]), \
                f"writer {run} acknowledged {len(acknowledged)} notes, the ledger also holds its notes {extra}"
            beyond += len(extra)
        unknown = sorted({r for (r, _) in stored} - set(runs.acknowledged))
        assert not unknown, f"notes from writers never started: {unknown}"

        versions: dict[uuid.UUID, list[int]] = defaultdict(list)
        access_streams: set[uuid.UUID] = set()
        for n in app.notifications():
            versions[n.originator_id].append(n.originator_version)
            if n.topic in ATTEMPT_TOPICS:
                access_streams.add(n.originator_id)
        gaps = {str(s): v for s, v in versions.items() if sorted(v) != list(range(1, len(v) + 1))}
        assert not gaps, f"streams whose versions have gaps or repeats: {gaps}"
        assert all(c in versions for c in case_ids)

        note_writes = 0
        for stream in access_streams:
            for stored_event in app.recorder.select_events(stream):
                attempt: Any = app.mapper.to_domain_event(stored_event)
                if (attempt.part == Part.NOTE and attempt.action == Action.WRITE
                        and attempt.case_id in case_ids):
                    note_writes += 1
        total = sum(stored.values())
        assert note_writes >= total, f"{total} notes stored but only {note_writes} note-writing attempts recorded"

        n_events, n_leaves, _, _ = app.integrity.transparency.counts()
        assert n_leaves == n_events, f"{n_events} events stored but {n_leaves} Merkle leaves"
        report = verify_ledger(app.recorder, verifier=None)
        assert report.ok, f"verify failed: {report.problems}"
        return Figures(kills=runs.kills, acknowledged=runs.acknowledged_notes, stored=total,
                       beyond_acknowledged=beyond, attempts_without_note=note_writes - total, lost=len(lost),
                       events=n_events, leaves=n_leaves, verified=report.ok, seconds=runs.seconds)
    finally:
        app.close()
