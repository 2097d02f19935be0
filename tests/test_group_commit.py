"""Access attempts are durable before the call returns, and concurrent ones share one commit (issue 13).

Every test runs on SQLite and on PostgreSQL (a schema of its own), on a real database. Failures are
injected in the recorder's Merkle append (after the transaction's rows are inserted), never by
replacing the database.
"""

from __future__ import annotations

import collections
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pytest

from ledger.access.log import ATTEMPT_TOPICS, access_day, access_stream_id
from ledger.application import CaseLedger
from ledger.errors import NotFound, PermissionDenied, StorageError
from ledger.integrity.verify import verify_ledger
from ledger.storage import postgres as pg_store
from ledger.storage import sqlite as sqlite_store
from tests.conftest import PG_URL, STAFF, Borough, Clock

THREADS = 32
PER_THREAD = 5
STAFF_IDS = [s[0] for s in STAFF]


def attempt(app: CaseLedger, staff_id: str, case_id: uuid.UUID, item: str) -> None:
    """One recorded read of the case view, tagged ``item``; a refusal is an attempt too."""
    try:
        app.access.check(staff_id, case_id, "read", "case_view", item=item)
    except PermissionDenied:
        pass


def items_of(app: CaseLedger, staff_id: str, clock: Clock) -> list[str]:
    """The items of ``staff_id``'s attempts today, as stored (read through ``app``'s own connections)."""
    return [e.item for e in app.events.get(access_stream_id(staff_id, access_day(clock.now)))]


def stored_versions(app: CaseLedger, staff_id: str, clock: Clock) -> list[int]:
    return [e.originator_version for e in app.recorder.select_events(access_stream_id(staff_id, access_day(clock.now)))]


def attempt_count(app: CaseLedger) -> int:
    return sum(1 for _ in app.notifications(topics=list(ATTEMPT_TOPICS)))


def run_threads(target: Callable[[int], None], count: int) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            target(i)
        except BaseException as e:  # noqa: BLE001 - reported by the test
            errors.append(e)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread did not finish within 2 minutes"
    return errors


def transactions_of_attempts(db: str, after: int) -> list[list[int]]:
    """PostgreSQL: the notification ids of the access attempts stored after ``after``, grouped by the
    transaction that inserted them (the rows' ``xmin``), in order; and checks each leaf was appended
    by its event's transaction."""
    schema = db.rsplit("schema=", 1)[1]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        rows = conn.execute(
            f"SELECT e.notification_id, e.xmin::text, l.xmin::text FROM {schema}.caseledger_events e "
            f"JOIN {schema}.caseledger_merkle_leaves l ON l.notification_id = e.notification_id "
            "WHERE e.notification_id > %s AND e.topic = ANY(%s) ORDER BY e.notification_id",
            (after, list(ATTEMPT_TOPICS))).fetchall()
    assert all(event_tx == leaf_tx for _, event_tx, leaf_tx in rows), "a leaf was appended by another transaction"
    groups: dict[str, list[int]] = {}
    for nid, tx, _ in rows:
        groups.setdefault(tx, []).append(nid)
    return list(groups.values())


def test_32_threads_share_commits_and_every_attempt_is_stored_once_readable_at_once(
        db: str, borough: Borough, clock: Clock) -> None:
    app, case_id = borough.ledger, borough.case_id
    fresh = CaseLedger(db, clock=clock, create=False)  # another connection, as another process would read
    try:
        before_nid = app.recorder.max_notification_id() or 0
        before_attempts = attempt_count(app)
        committed_before = app.attempt_committer.transactions
        start = threading.Barrier(THREADS)
        unseen: list[str] = []

        def reader(i: int) -> None:
            staff_id = STAFF_IDS[i % len(STAFF_IDS)]
            start.wait()
            for k in range(PER_THREAD):
                item = f"thread {i} read {k}"
                attempt(app, staff_id, case_id, item)
                if item not in items_of(fresh, staff_id, clock):  # stored, and visible elsewhere, on return
                    unseen.append(item)

        assert run_threads(reader, THREADS) == []
        assert unseen == []
        total = THREADS * PER_THREAD
        expected = {f"thread {i} read {k}" for i in range(THREADS) for k in range(PER_THREAD)}
        stored = collections.Counter(item for s in STAFF_IDS for item in items_of(app, s, clock) if item)
        assert set(stored) == expected and set(stored.values()) == {1}, "an attempt was lost or stored twice"
        assert attempt_count(app) == before_attempts + total
        for staff_id in STAFF_IDS:
            versions = stored_versions(app, staff_id, clock)
            assert versions == list(range(1, len(versions) + 1)), f"{staff_id}'s access log has a gap"
        report = verify_ledger(app.recorder, verifier=None)
        assert report.ok, report.problems  # leaf i is the i-th event in notification-id order

        transactions = app.attempt_committer.transactions - committed_before
        assert transactions < total, "every attempt had a transaction of its own: nothing was grouped"
        if db.startswith("postgresql"):  # what the store shows: the rows' inserting transaction
            groups = transactions_of_attempts(db, before_nid)
            assert sum(len(g) for g in groups) == total and len(groups) == transactions
            assert any(len(g) > 1 for g in groups)
            for group in groups:  # one transaction = one run of consecutive ids (the table is locked)
                assert group == list(range(group[0], group[0] + len(group)))
    finally:
        fresh.close()


@dataclass
class Held:
    """The first commit, held open: ``entered`` once it waits, ``release`` to let it commit."""

    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@contextmanager
def held_then_failing(monkeypatch: pytest.MonkeyPatch, *, fail: Sequence[int] = ()) -> Iterator[Held]:
    """The recorder's first transaction that appends to the Merkle log waits, inside the transaction
    (its rows inserted), until the event yielded is set; the transactions numbered in ``fail`` (2 is
    the next one) fail in the recorder after their inserts, like a disk that fails at that moment."""
    held = Held()
    seen = [0]
    real = pg_store.append_to_log

    def append(dialect: Any, cursor: Any, stored_events: Sequence[Any], ids: Sequence[int]) -> None:
        real(dialect, cursor, stored_events, ids)
        seen[0] += 1
        if seen[0] == 1:
            held.entered.set()
            assert held.release.wait(30), "the held commit was never released"
        if seen[0] in fail:
            raise OSError(5, "Input/output error (injected in the recorder)")

    monkeypatch.setattr(pg_store, "append_to_log", append)
    monkeypatch.setattr(sqlite_store, "append_to_log", append)
    try:
        yield held
    finally:
        held.release.set()


Outcome = BaseException | None  # a caller's error, or None when it returned


def queue_behind_held_commit(app: CaseLedger, held: Held, first: Callable[[], None],
                             followers: list[Callable[[], None]]) -> tuple[list[Outcome], Outcome]:
    """Run ``first`` (its commit is held), then ``followers`` in threads until all of them wait for the
    next commit, then release: (each follower's error or None, the first's error or None)."""
    results: list[Outcome] = [None] * len(followers)
    first_error: list[Outcome] = [None]

    def run_first() -> None:
        try:
            first()
        except BaseException as e:  # noqa: BLE001 - returned
            first_error[0] = e

    def run_follower(i: int) -> None:
        try:
            followers[i]()
        except BaseException as e:  # noqa: BLE001 - returned
            results[i] = e

    leader = threading.Thread(target=run_first)
    leader.start()
    assert held.entered.wait(30)
    threads = [threading.Thread(target=run_follower, args=(i,)) for i in range(len(followers))]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while app.attempt_committer.waiting < len(followers):
        assert time.monotonic() < deadline, f"only {app.attempt_committer.waiting} callers queued"
        time.sleep(0.005)
    held.release.set()
    for t in [leader, *threads]:
        t.join(timeout=60)
    return results, first_error[0]


FOLLOWERS = ["omar.farah", "grace.obi", "helen.cole", "sam.hd", "ann.audit", "omar.farah"]


def test_a_failed_batch_raises_in_every_caller_and_writes_none_of_it(
        borough: Borough, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    app, case_id = borough.ledger, borough.case_id
    for staff_id in STAFF_IDS:  # each person's log of the day is remembered at its version
        attempt(app, staff_id, case_id, "before")
    before = attempt_count(app)
    with held_then_failing(monkeypatch, fail=[2]) as held:
        errors, first_error = queue_behind_held_commit(
            app, held, lambda: attempt(app, "jane.smith", case_id, "held"),
            [lambda s=s, i=i: attempt(app, s, case_id, f"lost {i}") for i, s in enumerate(FOLLOWERS)])
    assert first_error is None
    for staff_id, error in zip(FOLLOWERS, errors, strict=True):
        assert isinstance(error, StorageError), error
        message = str(error)
        assert message.startswith(f"recording 1 access attempt(s) by {staff_id}: ") and "Input/output error" in message
        assert all(other not in message for other in STAFF_IDS if other != staff_id), message  # nobody else named
    assert len({id(e) for e in errors}) == len(errors)  # each caller its own exception object
    assert attempt_count(app) == before + 1  # the held one; nothing of the failed batch
    assert all(not i.startswith("lost") for s in STAFF_IDS for i in items_of(app, s, clock))

    for staff_id in FOLLOWERS:  # the next batch works, after what is stored
        attempt(app, staff_id, case_id, "after")
    assert attempt_count(app) == before + 1 + len(FOLLOWERS)
    for staff_id in STAFF_IDS:
        versions = stored_versions(app, staff_id, clock)
        assert versions == list(range(1, len(versions) + 1)), f"{staff_id}'s access log has a gap"
    report = verify_ledger(app.recorder, verifier=None)
    assert report.ok, report.problems


def test_a_batch_that_conflicts_with_another_process_is_retried_whole(
        db: str, borough: Borough, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process appends to one of the batch's streams between the batch's building and its
    save: nothing of the batch is written, it is built again from the stored streams, and saved."""
    app, case_id = borough.ledger, borough.case_id
    for staff_id in STAFF_IDS:
        attempt(app, staff_id, case_id, "before")
    other = CaseLedger(db, clock=clock, create=False)
    original = app.store
    raced: list[int] = []

    def racing_save(what: str, *aggregates: Any) -> None:
        if not raced and len(aggregates) > 1:  # the batch: someone else writes to omar's log first
            raced.append(len(aggregates))
            attempt(other, "omar.farah", case_id, "from the other process")
        original(what, *aggregates)

    monkeypatch.setattr(app, "store", racing_save)
    try:
        with held_then_failing(monkeypatch) as held:
            errors, first_error = queue_behind_held_commit(
                app, held, lambda: attempt(app, "jane.smith", case_id, "held"),
                [lambda s=s, i=i: attempt(app, s, case_id, f"batched {i}") for i, s in enumerate(FOLLOWERS)])
    finally:
        other.close()
    assert (first_error, errors) == (None, [None] * len(FOLLOWERS))
    assert raced == [len(set(FOLLOWERS))]  # one save of all the batch's streams
    omar = items_of(app, "omar.farah", clock)
    assert omar[:2] == ["before", "from the other process"] and sorted(omar[2:]) == ["batched 0", "batched 5"]
    for staff_id in STAFF_IDS:
        versions = stored_versions(app, staff_id, clock)
        assert versions == list(range(1, len(versions) + 1)), f"{staff_id}'s access log has a gap"
    assert verify_ledger(app.recorder, verifier=None).ok


def test_a_lone_caller_commits_at_once_in_its_own_transaction(borough: Borough, clock: Clock) -> None:
    """The CLI's case: one attempt, one transaction, committed in the caller's own thread."""
    app = borough.ledger
    committed = app.attempt_committer.transactions
    attempt(app, "jane.smith", borough.case_id, "alone")
    assert app.attempt_committer.transactions == committed + 1
    assert app.attempt_committer.waiting == 0
    assert items_of(app, "jane.smith", clock)[-1] == "alone"


# --- what each backend is told -------------------------------------------------------------------

def test_sqlite_ledger_connections_fsync_every_commit(tmp_path: Any, clock: Clock) -> None:
    app = CaseLedger(str(tmp_path / "ledger.db"), clock=clock)
    try:
        with app.recorder.datastore.transaction(commit=False) as c:
            c.execute("PRAGMA synchronous")
            assert c.fetchone()[0] == 2  # FULL
            c.execute("PRAGMA journal_mode")
            assert c.fetchone()[0] == "wal"
    finally:
        app.close()


def test_postgresql_attempt_transactions_commit_synchronously_even_when_the_session_says_off(
        pg_schema_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGOPTIONS", "-c synchronous_commit=off")
    with psycopg.connect(PG_URL) as plain:  # the setting this test gives every new session
        assert plain.execute("SHOW synchronous_commit").fetchone() == ("off",)
    seen: list[tuple[str, list[str]]] = []
    real = pg_store.append_to_log

    def append(dialect: Any, cursor: Any, stored_events: Sequence[Any], ids: Sequence[int]) -> None:
        cursor.execute("SHOW synchronous_commit")  # inside the transaction, before its commit
        seen.append((cursor.fetchone()["synchronous_commit"], [e.topic for e in stored_events]))
        real(dialect, cursor, stored_events, ids)

    app = CaseLedger(pg_schema_url, clock=clock)
    try:
        monkeypatch.setattr(pg_store, "append_to_log", append)
        app.staff.add(None, staff_id="admin", full_name="Priya Raman", designation="Systems Administrator",
                      team="Business Support", roles=["admin"])
        with pytest.raises(NotFound):  # recorded (denied: no such case) before it is raised
            app.access.check("admin", uuid.uuid4(), "read", "case_view")
        assert [s for s, _ in seen] == ["on", "on"]
        assert all(t in ATTEMPT_TOPICS for t in seen[-1][1])  # the second: an access attempt alone
        with app.recorder.datastore.get_connection() as conn:
            assert conn.execute("SHOW synchronous_commit").fetchone() == {"synchronous_commit": "on"}
    finally:
        app.close()


def test_postgresql_keeps_a_stronger_synchronous_commit(pg_schema_url: str, clock: Clock,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """``remote_apply`` (synchronous standbys) waits for more than ``on``: it is not lowered."""
    monkeypatch.setenv("PGOPTIONS", "-c synchronous_commit=remote_apply")
    app = CaseLedger(pg_schema_url, clock=clock)
    try:
        with app.recorder.datastore.get_connection() as conn:
            assert conn.execute("SHOW synchronous_commit").fetchone() == {"synchronous_commit": "remote_apply"}
    finally:
        app.close()


def test_postgresql_a_merkle_append_that_fails_after_the_inserts_commits_nothing(
        pg_schema_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """eventsourcing keeps an error raised inside its transaction block and commits before raising it:
    the events would be stored although the write failed (and, had the append stopped half-way,
    without their leaves)."""
    app = CaseLedger(pg_schema_url, clock=clock)
    try:
        app.staff.add(None, staff_id="admin", full_name="Priya Raman", designation="Systems Administrator",
                      team="Business Support", roles=["admin"])

        def failing(*args: Any) -> None:
            raise RuntimeError("the Merkle append failed")

        monkeypatch.setattr(pg_store, "append_to_log", failing)
        with pytest.raises(RuntimeError, match="the Merkle append failed"):
            app.staff.add("admin", staff_id="jane.smith", full_name="Jane Smith", designation="Social Worker",
                          team="Assessment", roles=["social_worker"])
        monkeypatch.undo()
        assert app.recorder.max_notification_id() == 1
        assert app.staff_ids() == ["admin"]
        assert verify_ledger(app.recorder, verifier=None).ok
    finally:
        app.close()
