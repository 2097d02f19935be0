"""Access records are never lost (issue 13): ``caseledger serve`` runs as a real process, several clients
read a child's record at once, the server is killed (SIGKILL: no shutdown, no flush, nothing more
run in it) right after responses, and a fresh ledger opened afterwards holds an access attempt for
every read that was answered. On both backends.

Each read carries a User-Agent of its own, which its attempt records (``origin.user_agent``), so each
answered read is matched to its own attempt."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from ledger.access.log import ATTEMPT_TOPICS
from ledger.application import CaseLedger
from tests.conftest import PG_URL, Clock, open_amira, require_pg

EXE = Path(sys.executable).parent / "caseledger"
CLIENTS = 6
ANSWERED_BEFORE_KILL = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "borough.db")
        return
    require_pg()
    schema = "kill_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}{'&' if '?' in PG_URL else '?'}schema={schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def test_every_answered_read_has_its_attempt_after_the_server_is_killed(ledger_db: str, tmp_path: Path) -> None:
    clock = Clock()
    ledger = CaseLedger(ledger_db, clock=clock)
    try:
        case_id = str(open_amira(ledger, clock).id)
        token = ledger.tokens.issue("admin", "jane.smith").token
    finally:
        ledger.close()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
    server = subprocess.Popen([str(EXE), "serve", "--db", ledger_db, "--port", str(port)], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/api/v1"
    answered: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, "serve ended before it answered"
            assert time.monotonic() < deadline, "serve did not answer within 30 s"
            time.sleep(0.2)

        def reader(n: int) -> None:
            with httpx.Client(timeout=10) as client:
                i = 0
                while not stop.is_set():
                    agent = f"durability-test/{n}/{i}"
                    i += 1
                    try:
                        r = client.get(f"{base}/cases/{case_id}", headers={
                            "Authorization": f"Bearer {token}", "User-Agent": agent})
                    except httpx.TransportError:
                        return  # the server is gone
                    assert r.status_code == 200, r.text
                    assert r.json()["child"]["name"] == "Amira Hassan"
                    with lock:
                        answered.append(agent)

        threads = [threading.Thread(target=reader, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        while True:
            with lock:
                if len(answered) >= ANSWERED_BEFORE_KILL:
                    break
            assert server.poll() is None
            time.sleep(0.001)
        server.send_signal(signal.SIGKILL)  # while the clients are still reading
        server.wait(timeout=30)
        stop.set()
        for t in threads:
            t.join(timeout=30)
    finally:
        stop.set()
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)
    assert server.returncode == -signal.SIGKILL

    with lock:
        shown = list(answered)
    assert len(shown) >= ANSWERED_BEFORE_KILL
    fresh = CaseLedger(ledger_db, create=False)
    try:
        recorded = [fresh.mapper.to_domain_event(n) for n in
                    fresh.recorder.select_notifications(1, 1_000_000, topics=list(ATTEMPT_TOPICS))]
    finally:
        fresh.close()
    attempts = {a.origin.get("user_agent"): a for a in recorded
                if str(a.origin.get("user_agent", "")).startswith("durability-test/")}
    missing = [agent for agent in shown if agent not in attempts]
    assert not missing, f"{len(missing)} of {len(shown)} answered reads have no access attempt: {missing[:5]}"
    for agent in shown:
        attempt = attempts[agent]
        assert attempt.outcome.value == "granted" and str(attempt.case_id) == case_id
        assert attempt.actor["staff_id"] == "jane.smith" and attempt.origin["client"] == "127.0.0.1"
