"""Shared builder for the verify and proofs benchmarks: a large, valid ledger, fast.

Used by ``bench/verify.py`` and ``bench/proofs.py`` (run from the repository root); not a
benchmark itself. ``python bench/_build.py --events N`` builds (or finds) the cached SQLite
ledger of N events and prints where it is.

How it builds N events in minutes rather than hours:

* the staff directory (an admin, and per team a team manager and social workers) and the
  case records (~500) are created through the real API (``ledger.staff.add``,
  ``ledger.cases.open``), with the ledger's clock set to a simulated clock;
* then the bulk of the events is generated in memory through the aggregates themselves, on
  the ``CaseRecord`` objects ``ledger.cases.open`` returned: ``record_case_note`` then
  ``finalise_case_note`` by the case's allocated worker (and, now and then, an amendment by
  the author and a management decision by the team manager), with the simulated clock
  advanced between notes. Every event is built, hash-chained and checked by the domain
  code exactly as a command would do it; the builder only skips re-loading the aggregate
  from the store between commands;
* the pending events of many cases are written with one ``app.save(*cases)`` per batch
  (``--batch`` events, 5,000 by default): every event goes through the ledger's mapper and
  recorder, which appends it to the Merkle log in the same transaction, thousands per
  transaction instead of two;
* checkpoints are signed through ``ledger.integrity.sign_checkpoint`` with a fixed bench key: the
  empty tree first (as ``caseledger init`` does), at each quarter of the build, and at the end.

To keep memory flat (10 million events must fit), the builder drops each note from the
in-memory ``CaseRecord.notes`` once it is finalised (and decisions once recorded): those
in-memory dicts only feed later rule checks on the same note, and nothing reads them back.
The stored events are untouched by this.

SQLite ledgers are cached under ``$CASELEDGER_BENCH_CACHE`` (default
``<tmp>/caseledger-bench-cache``) as ``ledger-<N>.db``, keyed by the number of events; a
build goes to a ``.partial`` file renamed when complete, so an interrupted build is never
reused. PostgreSQL ledgers go to a schema ``caseledger_bench_<N>`` (reused when it holds a
complete build, i.e. N events and a last checkpoint at N); ``$CASELEDGER_BENCH_SCHEMA`` replaces
the ``caseledger_bench`` prefix.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ledger.application import LONDON, CaseLedger
from ledger.integrity.checkpoint import SigningKey, VerifierKey
from ledger.records.case import CaseRecord, note_content
from ledger.storage import backend_for

__all__ = ["BuildInfo", "bench_key", "cache_dir", "pg_ledger", "sqlite_ledger", "build_ledger"]

BUILD_FORMAT = 1  # bump when the builder's output changes, so old caches are not reused
DEFAULT_CASES = 500
DEFAULT_BATCH = 5_000
KEY_NAME = "bench.caseledger.example"
PG_URL = os.environ.get("CASELEDGER_BENCH_PG") or os.environ.get(
    "CASELEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"
)

TEAMS = ["Assessment", "Child Protection", "Children in Care", "Disabled Children", "Early Help"]
WORKERS_PER_TEAM = 4
FIRST_NAMES = ["Amira", "Noah", "Olivia", "Leo", "Maya", "Jayden", "Freya", "Kai", "Zara", "Theo",
               "Isla", "Yusuf", "Ava", "Reuben", "Lily", "Dylan", "Sofia", "Aiden", "Nia", "Oscar"]
SURNAMES = ["Hassan", "Smith", "Kowalski", "Okafor", "Patel", "Murphy", "Nguyen", "Evans",
            "Begum", "Clarke", "Ahmed", "Walsh", "Mensah", "Taylor", "Ali", "Novak"]
SOURCES = ["school: designated safeguarding lead", "police: domestic abuse notification",
           "health visitor", "GP surgery", "anonymous member of the public", "hospital A&E"]


def bench_key() -> SigningKey:
    """The fixed checkpoint key of bench ledgers (a benchmark key, not a secret)."""
    return SigningKey(KEY_NAME, hashlib.sha256(b"caseledger bench signing key v1").digest())


def bench_verifier() -> VerifierKey:
    return bench_key().verifier()


def cache_dir() -> Path:
    path = Path(os.environ.get("CASELEDGER_BENCH_CACHE")
                or os.path.join(tempfile.gettempdir(), "caseledger-bench-cache"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def schema_prefix() -> str:
    """The start of the PostgreSQL bench schemas' names: ``$CASELEDGER_BENCH_SCHEMA`` (a test points it at
    a name of its own, so that it never meets a cached build), default ``caseledger_bench``."""
    prefix = os.environ.get("CASELEDGER_BENCH_SCHEMA") or "caseledger_bench"
    if not prefix.replace("_", "").isalnum() or not prefix[0].isalpha():
        raise SystemExit(f"CASELEDGER_BENCH_SCHEMA must be letters, digits and underscores, starting with "
                         f"a letter: {prefix!r}")
    return prefix


@dataclass
class BuildInfo:
    db: str  # the SQLite path or the PostgreSQL URL (with ?schema=...)
    display: str
    events: int
    cases: int
    staff: int
    build_seconds: float  # 0.0 when reused from the cache
    reused: bool
    size_bytes: int  # SQLite file size (0 on PostgreSQL)
    verifier: str  # verifier key string
    format: int = BUILD_FORMAT


# --- progress -------------------------------------------------------------------------------


class Progress:
    """Progress lines on stderr (\\r-updated on a terminal, every few seconds otherwise)."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total = label, total
        self.tty = sys.stderr.isatty()
        self.t0 = time.perf_counter()
        self.last = 0.0
        self.shown = -1

    def update(self, done: int, force: bool = False) -> None:
        now = time.perf_counter()
        if (not force and now - self.last < (0.5 if self.tty else 5.0)) or done == self.shown:
            return
        self.last, self.shown = now, done
        elapsed = now - self.t0
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else 0.0
        pct = 100.0 * done / self.total if self.total else 100.0
        print(f"  {self.label}: {done:,}/{self.total:,} ({pct:5.1f}%) {rate:,.0f}/s, "
              f"{elapsed:,.0f}s elapsed, ~{eta:,.0f}s left", end="\r" if self.tty else "\n",
              file=sys.stderr, flush=True)

    def close(self, done: int) -> None:
        self.update(done, force=True)
        if self.tty:
            print(file=sys.stderr, flush=True)


# --- the content ----------------------------------------------------------------------------


def _note_pool(rng: random.Random, size: int = 64) -> list[tuple[str, dict[str, Any]]]:
    """Validated note contents of a few hundred bytes (kind, content), varied."""
    kinds = ["home_visit", "telephone_call", "office_visit", "meeting", "contact", "email"]
    pool = []
    for i in range(size):
        child = rng.choice(FIRST_NAMES)
        parent = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        facts = (f"Visit {i}: {parent} answered the door at {rng.randint(9, 17)}:{rng.randint(0, 59):02d}. "
                 f"{child} was at home and came to say hello. The home was "
                 f"{rng.choice(['warm and tidy', 'cold but clean', 'cluttered', 'clean'])}, with food in "
                 f"the fridge; {child}'s room has a bed with clean bedding and a desk for homework.")
        analysis = (f"{child} appeared relaxed with {parent.split()[0]}. The concern raised by the "
                    f"referrer is {rng.choice(['not borne out today', 'partly borne out', 'still open'])}.")
        actions = (f"Speak to the school DSL by {rng.choice(['Monday', 'Wednesday', 'Friday'])}. "
                   "Joint visit with the health visitor within two weeks.")
        views = (f"Seen alone. {child} said they like school and their friend, and feel sad when "
                 "the other parent does not phone.")
        third = i % 7 == 0
        content = note_content(
            facts=facts, analysis=analysis, actions=actions, child_seen=True,
            child_seen_alone=True, child_views=views,
            source="third_party" if third else "first_hand",
            provided_by="the class teacher, by phone" if third else "",
        )
        pool.append((kinds[i % len(kinds)], content))
    return pool


class SimClock:
    """The ledger's clock during a build: set, advanced by the builder."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        self.now += delta
        return self.now


# --- the build -------------------------------------------------------------------------------


def build_ledger(db: str, events: int, *, cases: int = DEFAULT_CASES, batch: int = DEFAULT_BATCH,
                 seed: int = 1, label: str = "building") -> tuple[int, int, int]:
    """Fill the (empty) ledger at ``db`` with exactly ``events`` events; ``(events, cases, staff)``."""
    rng = random.Random(seed)
    real_now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    # The ledger spans about two years and ends an hour before now.
    span = dt.timedelta(days=730)
    clock = SimClock(real_now - span - dt.timedelta(days=2))
    new_id = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)  # noqa: E731 (reproducible ids)
    app = CaseLedger(db, clock=clock, new_id=new_id)
    key = bench_key()
    try:
        if app.integrity.event_count():
            raise SystemExit(f"refusing to build into {app.backend.display}: it already holds events")
        app.integrity.sign_checkpoint(key)  # the empty tree, as `caseledger init` does
        # Staff, through the API.
        app.staff.add(None, staff_id="admin", full_name="Priya Raman", designation="Systems Administrator",
                      team="Business Support", roles=["admin"])
        workers: dict[str, list[str]] = {}
        managers: dict[str, str] = {}
        n_staff = 1
        for t, team in enumerate(TEAMS):
            tm = f"tm{t}"
            app.staff.add("admin", staff_id=tm, full_name=f"{FIRST_NAMES[t]} {SURNAMES[t]}",
                          designation="Team Manager", team=team, roles=["team_manager"])
            managers[team] = tm
            workers[team] = []
            for w in range(WORKERS_PER_TEAM):
                sid = f"sw{t}.{w}"
                app.staff.add("admin", staff_id=sid,
                              full_name=f"{FIRST_NAMES[(t * 5 + w + 3) % 20]} {SURNAMES[(t * 3 + w) % 16]}",
                              designation="Social Worker", team=team, roles=["social_worker"])
                workers[team].append(sid)
            n_staff += 1 + WORKERS_PER_TEAM
        # Cases, through the API.
        records: list[Any] = []  # CaseRecord: its state attributes are set by its events
        for i in range(cases):
            team = TEAMS[i % len(TEAMS)]
            referral = (clock.now.astimezone(LONDON).date() - dt.timedelta(days=rng.randint(0, 60)))
            records.append(app.cases.open(
                managers[team], child_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                referral_date=referral, referral_source=rng.choice(SOURCES), team=team,
                worker=rng.choice(workers[team]),
                date_of_birth=dt.date(2008, 1, 1) + dt.timedelta(days=rng.randint(0, 5000)),
            ))
        setup = app.integrity.event_count()
        if events < setup + 2:
            raise SystemExit(f"--events {events} is too small: the staff and {cases} cases alone "
                             f"take {setup} events")
        # The bulk, through the aggregates in memory, saved in batches.
        staff = {sid: app.staff_member(sid) for sid in [*managers.values(), *sum(workers.values(), [])]}
        authors = [staff[c.worker["staff_id"]] for c in records]
        team_manager = [staff[managers[c.team]] for c in records]
        pool = _note_pool(rng)
        fix = " Amended: the visit was at the family home, not the grandparents' flat."
        amended = [(k, note_content(**{**c, "facts": c["facts"] + fix})) for k, c in pool]
        remaining = events - setup
        step = span / max(1, remaining // 2)
        checkpoints_at = {setup + remaining * q // 4 for q in (1, 2, 3)}
        written = setup
        pending = 0
        touched: dict[int, CaseRecord] = {}
        progress = Progress(f"{label} {events:,} events", events)
        n = 0
        while remaining > 0:
            i = rng.randrange(cases)
            case, author = records[i], authors[i]
            now = clock.advance(step)
            kind, content = pool[n % len(pool)]
            n += 1
            if remaining == 1 or (remaining >= 3 and n % 29 == 0):  # a management decision (one event)
                case.record_decision(
                    actor=team_manager[i], decision_id=new_id(), kind="management",
                    decision="Continue under a child in need plan; review in six weeks.",
                    reasons="Home conditions adequate; school attendance improving.",
                    risks_considered="Neglect; parental mental health; missed health appointments.",
                    options_not_chosen=[{"option": "Strategy discussion",
                                         "why_not": "No evidence of significant harm at present."}],
                    occurred_at=now, now=now)
                case.decisions.clear()
                made = 1
            else:
                note_id = new_id()
                case.record_case_note(actor=author, note_id=note_id, kind=kind,
                                      occurred_at=now - dt.timedelta(hours=2), now=now, content=content)
                case.finalise_case_note(actor=author, note_id=note_id, now=now)
                made = 2
                if remaining >= 3 + 2 and n % 23 == 0:  # the author amends it (one event)
                    case.amend_case_note(actor=author, note_id=note_id, content=amended[n % len(pool)][1],
                                         reason="Corrected the place of the visit after checking the diary.",
                                         now=now)
                    made = 3
                del case.notes[str(note_id)]  # memory: see the module docstring
            remaining -= made
            pending += made
            touched[i] = case
            if pending >= batch or remaining == 0:
                app.save(*touched.values())
                written += pending
                pending = 0
                touched.clear()
                progress.update(written)
                if any(written >= c for c in checkpoints_at):
                    checkpoints_at = {c for c in checkpoints_at if c > written}
                    app.integrity.sign_checkpoint(key)
        progress.close(written)
        clock.now = max(clock.now, real_now - dt.timedelta(hours=1))
        app.integrity.sign_checkpoint(key)
        stored = app.integrity.event_count()
        if stored != events:  # pragma: no cover - a builder bug
            raise SystemExit(f"builder bug: wanted {events} events, stored {stored}")
        return stored, cases, n_staff
    finally:
        app.close()


def _complete(db: str, events: int) -> bool:
    """Whether ``db`` holds a finished build of ``events`` events (last checkpoint at N)."""
    app = CaseLedger(db)
    try:
        if app.integrity.event_count() != events:
            return False
        history = app.integrity.transparency.checkpoints()
        return bool(history) and history[-1].size == events
    finally:
        app.close()


def sqlite_ledger(events: int, *, rebuild: bool = False, cases: int = DEFAULT_CASES,
                  batch: int = DEFAULT_BATCH) -> BuildInfo:
    """The cached SQLite ledger of ``events`` events, built if missing (or ``rebuild``)."""
    folder = cache_dir()
    path = folder / f"ledger-{events}.db"
    meta_path = folder / f"ledger-{events}.json"
    if not rebuild and path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("format") == BUILD_FORMAT and meta.get("cases") == cases:
            print(f"  reusing the cached SQLite ledger {path} ({events:,} events, built in "
                  f"{meta['build_seconds']:,.0f}s; --rebuild to build afresh)", file=sys.stderr)
            return BuildInfo(**{**meta, "reused": True, "build_seconds": meta["build_seconds"],
                                "size_bytes": path.stat().st_size})
    partial = folder / f"ledger-{events}.db.partial"
    for p in (path, meta_path, partial, Path(f"{partial}-wal"), Path(f"{partial}-shm"),
              Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    print(f"  building a SQLite ledger of {events:,} events in {partial} ...", file=sys.stderr)
    t0 = time.perf_counter()
    stored, n_cases, n_staff = build_ledger(str(partial), events, cases=cases, batch=batch)
    seconds = time.perf_counter() - t0
    for suffix in ("-wal", "-shm"):  # closing the last connection checkpoints the WAL
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(path)
    info = BuildInfo(db=str(path), display=str(path), events=stored, cases=n_cases, staff=n_staff,
                     build_seconds=seconds, reused=False, size_bytes=path.stat().st_size,
                     verifier=bench_key().verifier_key())
    meta_path.write_text(json.dumps(asdict(info), indent=1))
    print(f"  built {stored:,} events in {seconds:,.1f}s ({stored / seconds:,.0f} events/s), "
          f"{info.size_bytes / 1e6:,.0f} MB", file=sys.stderr)
    return info


def pg_ledger(events: int, *, url: str = PG_URL, rebuild: bool = False, cases: int = DEFAULT_CASES,
              batch: int = DEFAULT_BATCH) -> BuildInfo:
    """The PostgreSQL ledger of ``events`` events in schema ``caseledger_bench_<N>`` (the prefix from
    ``$CASELEDGER_BENCH_SCHEMA``, if set)."""
    import psycopg

    schema = f"{schema_prefix()}_{events}"
    sep = "&" if "?" in url else "?"
    db = f"{url}{sep}schema={schema}"
    display = f"{backend_for(url).display} schema {schema}"
    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s",
                              (schema,)).fetchone() is not None
        if exists and rebuild:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
            exists = False
    if exists and _complete(db, events):
        print(f"  reusing PostgreSQL {display} ({events:,} events; --rebuild to build afresh)",
              file=sys.stderr)
        return BuildInfo(db=db, display=display, events=events, cases=cases, staff=0, build_seconds=0.0,
                         reused=True, size_bytes=0, verifier=bench_key().verifier_key())
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    print(f"  building a PostgreSQL ledger of {events:,} events in {display} ...", file=sys.stderr)
    t0 = time.perf_counter()
    stored, n_cases, n_staff = build_ledger(db, events, cases=cases, batch=batch, label="building (pg)")
    seconds = time.perf_counter() - t0
    print(f"  built {stored:,} events in {seconds:,.1f}s ({stored / seconds:,.0f} events/s)", file=sys.stderr)
    return BuildInfo(db=db, display=display, events=stored, cases=n_cases, staff=n_staff,
                     build_seconds=seconds, reused=False, size_bytes=0, verifier=bench_key().verifier_key())


def pg_unreachable(url: str = PG_URL) -> str | None:
    """None when PostgreSQL answers at ``url``, else why not."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as e:
        return str(e).strip() or type(e).__name__
    return None


def drop_pg(info: BuildInfo, url: str = PG_URL) -> None:
    import psycopg

    schema = info.db.rsplit("schema=", 1)[1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build (or find) a cached bench ledger.")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES)
    parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="events per transaction")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    if args.backend == "sqlite":
        info = sqlite_ledger(args.events, rebuild=args.rebuild, cases=args.cases, batch=args.batch)
    else:
        info = pg_ledger(args.events, url=args.pg_url, rebuild=args.rebuild, cases=args.cases,
                         batch=args.batch)
    print(json.dumps(asdict(info), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
