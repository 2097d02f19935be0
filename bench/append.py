#!/usr/bin/env python3
"""Append throughput: the ledger versus a plain eventsourcing application, on each backend.

Run from the repository root::

    python bench/append.py                      # SQLite and PostgreSQL, defaults below
    python bench/append.py --backend sqlite --notes 500 --rounds 5

What it compares, per backend, in the same process on the same machine:

* **ledger**: ``ledger.casework.record_note(..., finalise=True)``, the real command. Each
  call loads the acting staff member and the case record, checks the rules, triggers two
  hash-chained, attributed events (``CaseNoteRecorded`` and ``CaseNoteFinalised``),
  encodes them canonically (msgpack) and saves them in one write, through the ledger's
  recorder (which appends each event to the Merkle log in the same transaction).
* **plain**: an ``eventsourcing`` ``Aggregate`` subclass in a plain ``Application`` (default
  JSON transcoder and recorder, otherwise the ledger's storage settings). Each command loads
  the aggregate, triggers two events (the first carries the very same note-content dict,
  ~600 bytes of text; the second only the note id) and saves them in one write.

Like with like: the throughput of each side is the user-visible events it stores, the two
events of each note on the case's stream, per second. The ledger also records every granted
write as an access attempt (policy s.11: every attempt on a case is recorded), a third event
per note on the author's access-log stream; that event is part of the ledger's *cost* (its
time is in the ledger's seconds) but not of its throughput, and the plain side does not get an
imitation of it: a plain event store records the action and nothing else, which is what the
goal compares against. Counting the attempt as throughput would credit the ledger with 1.5
events for every note, hiding the very overhead measured; adding a fake attempt event to the
plain side would measure "eventsourcing with access logging", not a plain event store. So the
ratio is also the ratio of notes recorded per second. The other events the ledger stores are
printed by kind, per note.

Both sides do the same number of saves into streams of the same length (notes are spread over
cases, ``--notes-per-case`` per case, so that both sides replay equally short streams).
Events are counted from the store (the notifications written, sorted by stream), not from
calls; a run whose case streams do not hold exactly two events per note on each side stops
with an error. Rounds use fresh storage (SQLite files in a temp dir, a fresh PostgreSQL schema,
each removed after the round); within a round the two sides alternate case by case (which
side goes first alternates too) so that machine noise falls on both. The best round of each
side is reported.

This is a benchmark, not a test: it prints figures and never fails on timings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import importlib.metadata
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from ledger.application import LONDON, CaseLedger
from ledger.records.case import CaseRecord, note_content
from ledger.records.timescales import start_of_day
from ledger.storage import Backend, backend_for

PG_URL = os.environ.get("CASELEDGER_BENCH_PG") or os.environ.get(
    "CASELEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"
)
GOAL = 0.85  # ledger events/s over plain events/s
GOAL_WITH_MERKLE = 0.80  # the later issue, once the global Merkle log is written on append

# A finalised home-visit note of realistic length: ~600 bytes of text over the sections
# policy s.7 asks for (facts kept apart from analysis and actions, the child's views).
NOTE: dict[str, Any] = {
    "kind": "home_visit",
    "facts": (
        "Unannounced home visit at 15:40. Mother (Leila Hassan) let me in. Amira was at home in "
        "school uniform, eating a snack in the kitchen. The flat was warm, clean and tidy, with food "
        "in the fridge. Amira's bedroom has a bed with clean bedding and a desk."
    ),
    "analysis": (
        "Home conditions were good enough today and Amira was relaxed with her mother. The "
        "school's concern about hunger is not borne out."
    ),
    "actions": (
        "Speak to the school DSL by Friday. Joint visit with the health visitor within two weeks."
    ),
    "child_seen": True,
    "child_seen_alone": True,
    "child_views": (
        "Seen alone in her room. Amira said she likes school and her friend Maya, and feels sad "
        "when dad does not phone."
    ),
}

# The staff directory and the case the notes go on (as in tests/conftest.py).
STAFF = [
    ("admin", "Priya Raman", "Systems Administrator", "Business Support", ["admin"]),
    ("jane.smith", "Jane Smith", "Social Worker", "Assessment", ["social_worker"]),
    ("grace.obi", "Grace Obi", "Team Manager", "Assessment", ["team_manager"]),
]
AUTHOR = "jane.smith"


# --- the plain side -----------------------------------------------------------------------


class PlainCase(Aggregate):
    """A case with notes, as a plain eventsourcing aggregate would have it: no chain, no stamps."""

    if TYPE_CHECKING:  # state set by the events (annotated at run time, they would become
        child_name: str  # constructor arguments)
        team: str
        worker: str
        notes: dict[str, dict[str, Any]]

    class Opened(Aggregate.Created):
        child_name: str
        team: str
        worker: str

        def apply(self, case: PlainCase) -> None:
            case.child_name = self.child_name
            case.team = self.team
            case.worker = self.worker
            case.notes = {}

    class NoteRecorded(Aggregate.Event):
        note_id: uuid.UUID
        kind: str
        occurred_at: dt.datetime
        content: dict[str, Any]

        def apply(self, case: PlainCase) -> None:
            case.notes[str(self.note_id)] = {
                "kind": self.kind, "occurred_at": self.occurred_at, "content": self.content,
                "status": "draft",
            }

    class NoteFinalised(Aggregate.Event):
        note_id: uuid.UUID

        def apply(self, case: PlainCase) -> None:
            case.notes[str(self.note_id)]["status"] = "final"

    @classmethod
    def open(cls, *, child_name: str, team: str, worker: str) -> PlainCase:
        return cls._create(cls.Opened, id=uuid.uuid4(), child_name=child_name, team=team, worker=worker)

    def record_note(self, *, note_id: uuid.UUID, kind: str, occurred_at: dt.datetime,
                    content: dict[str, Any]) -> None:
        self.trigger_event(self.NoteRecorded, note_id=note_id, kind=kind, occurred_at=occurred_at,
                           content=content)

    def finalise_note(self, *, note_id: uuid.UUID) -> None:
        self.trigger_event(self.NoteFinalised, note_id=note_id)


class PlainNotes(Application[uuid.UUID]):
    name = "PlainNotes"

    def record_note(self, case_id: uuid.UUID, *, kind: str, occurred_at: dt.datetime,
                    content: dict[str, Any]) -> uuid.UUID:
        case: PlainCase = self.repository.get(case_id)
        note_id = uuid.uuid4()
        case.record_note(note_id=note_id, kind=kind, occurred_at=occurred_at, content=content)
        case.finalise_note(note_id=note_id)
        self.save(case)
        return note_id


#: The ledger's own settings, which a plain application does not have: its canonical
#: transcoder, and its recorder (which also appends every event to the Merkle log).
LEDGER_ONLY_SETTINGS = ("TRANSCODER_TOPIC", "APPLICATION_RECORDER_TOPIC")
#: The ledger's persistence factories (bounded waits on PostgreSQL, read-only opening) and the
#: eventsourcing module each one extends, which the plain side gets instead.
PLAIN_PERSISTENCE = {"ledger.storage.postgres:LedgerPostgresFactory": "eventsourcing.postgres"}


def plain_env(backend: Backend) -> dict[str, str]:
    """The ledger's storage settings, less what is the ledger's own: eventsourcing's defaults."""
    env = {k: v for k, v in backend.env.items() if k not in LEDGER_ONLY_SETTINGS}
    module = env.get("PERSISTENCE_MODULE", "")
    env["PERSISTENCE_MODULE"] = PLAIN_PERSISTENCE.get(module, module)
    leftover = {k: v for k, v in env.items() if v.startswith("ledger.")}
    if leftover:  # a new ledger-specific setting: the plain side must not get it
        raise SystemExit(f"bench/append.py does not know these ledger settings: {leftover}")
    return env


def recorder_name(app: Application[Any]) -> str:
    cls = type(app.recorder)
    return f"{cls.__module__}:{cls.__qualname__}"


def merkle_log_on(app: Application[Any]) -> bool:
    """Whether the ledger's recorder appends to the Merkle log as it stores events."""
    return hasattr(app.recorder, "log") and type(app.recorder).__module__.startswith("ledger.")


def plain_content() -> dict[str, Any]:
    """The note-content dict the ledger stores, with enum members as their plain values."""
    raw = {k: v for k, v in NOTE.items() if k != "kind"}
    return {k: (v.value if isinstance(v, enum.Enum) else v) for k, v in note_content(**raw).items()}


# --- one round ------------------------------------------------------------------------------


@dataclass
class Side:
    name: str
    seconds: float = 0.0
    events: int = 0
    per_round: list[float] = field(default_factory=list)  # events/s of each round
    recorder: str = ""
    merkle_log: bool = False
    # events stored besides the case streams' (the ledger's access attempts), by topic: part of
    # the side's cost (their time is in ``seconds``), not of its throughput
    overhead: dict[str, int] = field(default_factory=dict)

    @property
    def best(self) -> float:
        return max(self.per_round) if self.per_round else 0.0


class Progress:
    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.last = label, total, 0, 0.0
        self.tty = sys.stderr.isatty()

    def step(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= (0.2 if self.tty else 2.0) or self.done >= self.total:
            self.last = now
            end = "\r" if self.tty else "\n"
            print(f"  {self.label}: {self.done}/{self.total} notes", end=end, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.tty:
            print(file=sys.stderr, flush=True)


def count_written(app: Application[Any], before: int, case_ids: set[uuid.UUID]) -> tuple[int, dict[str, int]]:
    """Events stored after notification ``before``: how many on the case streams ``case_ids`` (the
    user-visible events: the note recorded and finalised), and the others by short topic."""
    on_cases, others = 0, {}
    start = before + 1
    while True:
        page = app.recorder.select_notifications(start, 1000)
        for n in page:
            if n.originator_id in case_ids:
                on_cases += 1
            else:
                topic = n.topic.rsplit(":", 1)[-1]
                others[topic] = others.get(topic, 0) + 1
        if len(page) < 1000:
            return on_cases, others
        start = page[-1].id + 1


def timed(call: Callable[[], object], times: int) -> float:
    """Seconds taken to make ``call`` ``times`` times."""
    t0 = time.perf_counter()
    for _ in range(times):
        call()
    return time.perf_counter() - t0


def run_round(backends: tuple[Backend, Backend], notes: int, per_case: int, ledger_first: bool,
              ledger_side: Side, plain_side: Side, progress: Progress) -> None:
    ledger = CaseLedger(backend=backends[0])
    plain = PlainNotes(env=plain_env(backends[1]))
    try:
        # Untimed set-up: the staff directory, and the cases both sides record on.
        for staff_id, name, designation, team, roles in STAFF:
            ledger.staff.add(None if staff_id == "admin" else "admin", staff_id=staff_id,
                             full_name=name, designation=designation, team=team, roles=roles)
        # The cases go in with one save per side (the same events open_case writes), to keep
        # the set-up short.
        n_cases = -(-notes // per_case)
        now = dt.datetime.now(dt.UTC)
        referral = now.astimezone(LONDON).date() - dt.timedelta(days=30)
        author = ledger.staff_member(AUTHOR)
        ledger_cases = [CaseRecord.open(
            case_id=uuid.uuid4(), actor=author, child_name=f"Child {i}", referral_date=referral,
            referral_source="school: designated safeguarding lead", team="Assessment", worker=author,
            now=now, occurred_at=start_of_day(referral), date_of_birth=dt.date(2016, 5, 14),
        ) for i in range(n_cases)]
        ledger.save(*ledger_cases)
        plain_cases = [PlainCase.open(child_name=f"Child {i}", team="Assessment", worker=AUTHOR)
                       for i in range(n_cases)]
        plain.save(*plain_cases)

        content = plain_content()
        ledger_before = ledger.recorder.max_notification_id() or 0
        plain_before = plain.recorder.max_notification_id() or 0
        ledger_seconds = plain_seconds = 0.0
        remaining = notes
        for i in range(n_cases):
            batch = min(per_case, remaining)
            remaining -= batch
            occurred_at = dt.datetime.now(LONDON) - dt.timedelta(hours=1)
            ledger_call = partial(ledger.casework.record_note, AUTHOR, ledger_cases[i].id,
                                  occurred_at=occurred_at, finalise=True, **NOTE)
            plain_call = partial(plain.record_note, plain_cases[i].id, kind=NOTE["kind"],
                                 occurred_at=occurred_at, content=content)
            if (i % 2 == 0) == ledger_first:
                ledger_seconds += timed(ledger_call, batch)
                plain_seconds += timed(plain_call, batch)
            else:
                plain_seconds += timed(plain_call, batch)
                ledger_seconds += timed(ledger_call, batch)
            progress.step(batch)

        case_ids = {c.id for c in ledger_cases}
        ledger_events, overhead = count_written(ledger, ledger_before, case_ids)
        plain_events, plain_other = count_written(plain, plain_before, {c.id for c in plain_cases})
        if ledger_events != 2 * notes or plain_events != 2 * notes or plain_other:
            raise SystemExit(f"expected {2 * notes} events on the case streams per side, stored: ledger "
                             f"{ledger_events} (and {sum(overhead.values())} elsewhere), plain {plain_events} "
                             f"(and {sum(plain_other.values())} elsewhere)")
        for topic, n in overhead.items():
            ledger_side.overhead[topic] = ledger_side.overhead.get(topic, 0) + n
        ledger_side.merkle_log = merkle_log_on(ledger)
        for side, app, seconds, events in ((ledger_side, ledger, ledger_seconds, ledger_events),
                                           (plain_side, plain, plain_seconds, plain_events)):
            side.recorder = recorder_name(app)
            side.seconds += seconds
            side.events += events
            side.per_round.append(events / seconds)
    finally:
        ledger.close()
        plain.close()


# --- backends -------------------------------------------------------------------------------


Storage = Callable[[int], AbstractContextManager[tuple[Backend, Backend]]]  # round -> (ledger's, plain's)


@contextmanager
def sqlite_round(n: int) -> Iterator[tuple[Backend, Backend]]:
    """Fresh SQLite files in a temp dir, one per side (both would use the table
    ``stored_events``), removed after the round."""
    root = tempfile.mkdtemp(prefix=f"caseledger-bench-r{n}-")
    try:
        yield (backend_for(os.path.join(root, "ledger.db")), backend_for(os.path.join(root, "plain.db")))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def pg_unreachable(url: str) -> str | None:
    """None when PostgreSQL answers at ``url``, else why not."""
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as e:
        return str(e).strip() or type(e).__name__
    return None


def pg_round(url: str) -> Storage:
    """A fresh schema for the round, dropped after it. Both sides' tables go in it: their
    names start with the application's name (``caseledger_events``, ``plainnotes_events``)."""
    stem = "bench_" + uuid.uuid4().hex[:10]
    sep = "&" if "?" in url else "?"

    @contextmanager
    def storage(n: int) -> Iterator[tuple[Backend, Backend]]:
        schema = f"{stem}_r{n}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        try:
            backend = backend_for(f"{url}{sep}schema={schema}")
            yield backend, backend
        finally:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

    return storage


def bench_backend(kind: str, storage: Storage, args: argparse.Namespace) -> tuple[Side, Side]:
    ledger_side, plain_side = Side("ledger"), Side("plain")
    for r in range(1, args.rounds + 1):
        progress = Progress(f"{kind} round {r}/{args.rounds} (ledger and plain alternating)", args.notes)
        with storage(r) as backends:
            run_round(backends, args.notes, args.notes_per_case, ledger_first=(r % 2 == 1),
                      ledger_side=ledger_side, plain_side=plain_side, progress=progress)
        progress.close()
        print(f"  {kind} round {r}: ledger {ledger_side.per_round[-1]:,.0f} events/s, "
              f"plain {plain_side.per_round[-1]:,.0f} events/s", file=sys.stderr, flush=True)
    return ledger_side, plain_side


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--notes", type=int, default=2000, help="finalised notes per round per side")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per backend (best is reported)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--notes-per-case", type=int, default=10,
                        help="notes recorded on each case before moving to the next")
    parser.add_argument("--pg-url", default=PG_URL,
                        help="PostgreSQL database (env CASELEDGER_BENCH_PG or CASELEDGER_TEST_PG)")
    args = parser.parse_args(argv)
    if args.notes < 1 or args.rounds < 1 or args.notes_per_case < 1:
        parser.error("--notes, --rounds and --notes-per-case must be at least 1")

    note_bytes = sum(len(NOTE[k].encode()) for k in ("facts", "analysis", "actions", "child_views"))
    print("caseledger append benchmark: ledger casework.record_note(finalise=True) vs plain eventsourcing")
    print(f"python {platform.python_version()}, eventsourcing {importlib.metadata.version('eventsourcing')}, "
          f"{os.cpu_count()} CPUs ({platform.machine()}, {platform.system()})")
    print(f"{args.notes} notes x 2 user-visible events per round per side, {args.rounds} rounds (best reported), "
          f"{args.notes_per_case} notes per case, note text {note_bytes} bytes "
          "(facts, analysis, actions, child's views)")
    print()

    rows: list[tuple[str, Side, Side] | tuple[str, str]] = []
    kinds = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for kind in kinds:
        if kind == "sqlite":
            rows.append((kind, *bench_backend(kind, sqlite_round, args)))
            continue
        error = pg_unreachable(args.pg_url)
        if error is not None:
            where = backend_for(args.pg_url).display  # the password, if any, redacted
            note = f"skipped: PostgreSQL not reachable at {where}: {error.splitlines()[0]}"
            print(f"  postgresql {note}", file=sys.stderr)
            rows.append((kind, note))
            continue
        rows.append((kind, *bench_backend(kind, pg_round(args.pg_url), args)))

    goals = f"{'>=' + format(GOAL, '.2f'):>6} {'>=' + format(GOAL_WITH_MERKLE, '.2f') + ' (Merkle)':>14}"
    header = (f"{'backend':<11} {'ledger ev/s':>12} {'plain ev/s':>11} {'ratio':>6}  {goals}  "
              f"{'events measured':>16}")
    print(header)
    print("-" * len(header))
    for row in rows:
        if len(row) == 2:
            print(f"{row[0]:<11} {row[1]}")
            continue
        kind, ledger_side, plain_side = row
        ratio = ledger_side.best / plain_side.best
        events = f"{ledger_side.events:,} + {plain_side.events:,}"
        met = " ".join(f"{'met' if ratio >= goal else 'NOT met':>{width}}"
                       for goal, width in ((GOAL, 6), (GOAL_WITH_MERKLE, 14)))
        print(f"{kind:<11} {ledger_side.best:>12,.0f} {plain_side.best:>11,.0f} {ratio:>6.2f}  {met}  "
              f"{events:>16}")
    print()
    print("ev/s = user-visible events (a note's CaseNoteRecorded and CaseNoteFinalised, on the case stream) "
          "per second; ratio = ledger ev/s / plain ev/s (= notes/s ledger / notes/s plain), best round of each "
          "side; events measured = ledger + plain user-visible events, all rounds.")
    for row in rows:
        if len(row) == 3 and row[1].overhead:
            kind, ledger_side, _ = row
            notes_done = ledger_side.events // 2
            extra = ", ".join(f"{n / notes_done:g} {topic}" for topic, n in sorted(ledger_side.overhead.items()))
            print(f"{kind}: the ledger also stored, per note, {extra} (not counted as throughput; "
                  "their cost is in the ledger's time).")
    measured = [row[1] for row in rows if len(row) == 3]
    if measured:
        merkle = any(side.merkle_log for side in measured)
        print(f"goal: ratio >= {GOAL:.2f}; with the Merkle log (the later issue) >= {GOAL_WITH_MERKLE:.2f}. "
              f"The ledger's writes {'DO' if merkle else 'do not'} append to the Merkle log in this tree, "
              f"so the goal that applies is >= {GOAL_WITH_MERKLE if merkle else GOAL:.2f}.")
    else:
        print(f"goal: ratio >= {GOAL:.2f}; with the Merkle log (the later issue) >= {GOAL_WITH_MERKLE:.2f}. "
              "Nothing was measured.")
    for row in rows:
        if len(row) == 3:
            kind, ledger_side, plain_side = row
            pairs = ", ".join(f"{a:,.0f}/{b:,.0f}"
                              for a, b in zip(ledger_side.per_round, plain_side.per_round, strict=True))
            print(f"{kind}: rounds (ledger/plain events/s) {pairs}; recorders: ledger "
                  f"{ledger_side.recorder}, plain {plain_side.recorder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
