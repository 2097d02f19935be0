"""``caseledger serve`` as a real process on a free loopback port: it answers healthz and a signed-in
request, and stops on SIGTERM; several workers on SQLite are refused in one line."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from ledger.application import CaseLedger
from ledger.integrity.checkpoint import SigningKey

EXE = Path(sys.executable).parent / "caseledger"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}


def test_serve_answers_healthz_and_a_signed_in_request_then_stops(tmp_path: Path) -> None:
    db = str(tmp_path / "borough.db")
    ledger = CaseLedger(db)
    try:
        ledger.staff.add(None, staff_id="admin", full_name="Priya Raman", designation="Systems Administrator",
                         team="Business Support", roles=["admin"])
        token = ledger.tokens.issue("admin", "admin").token
        events = ledger.integrity.event_count()
    finally:
        ledger.close()
    port = free_port()
    server = subprocess.Popen([str(EXE), "serve", "--db", db, "--port", str(port)], cwd=tmp_path, env=env(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/healthz", timeout=2) as r:
                    health = json.loads(r.read())
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "serve did not answer within 30 s"
                time.sleep(0.2)
        assert health == {"status": "ok", "events": events}
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/me",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=5) as r:
            assert json.loads(r.read())["staff_id"] == "admin"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/me", timeout=5)
            raise AssertionError("an anonymous /me was answered")
        except urllib.error.HTTPError as e:
            assert e.code == 401 and e.headers["content-type"] == "application/problem+json"
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    # uvicorn shuts down gracefully, then ends as the signal asked (re-raised: -SIGTERM)
    assert server.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    assert f"on http://127.0.0.1:{port}/api/v1" in output


def test_serve_refuses_several_workers_on_sqlite_in_one_line(tmp_path: Path) -> None:
    db = str(tmp_path / "borough.db")
    CaseLedger(db).close()
    proc = subprocess.run([str(EXE), "serve", "--db", db, "--workers", "2"], cwd=tmp_path, env=env(),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.strip() == ("caseledger: --workers 2: several worker processes need PostgreSQL; "
                                   "on SQLite serve with one (--workers 1)")


def test_several_workers_on_postgresql_answer_for_a_verification_any_of_them_started(
        tmp_path: Path, pg_schema_url: str) -> None:
    """``--workers 2``: requests go to either process; a verification started on one is followed on
    both (the job is shared through the run's folder), every answer about it is 200, and it ends done."""
    ledger = CaseLedger(pg_schema_url)
    try:
        ledger.staff.add(None, staff_id="admin", full_name="Priya Raman", designation="Systems Administrator",
                         team="Business Support", roles=["admin"])
        ledger.staff.add("admin", staff_id="ann.audit", full_name="Ann Audit", designation="Internal Auditor",
                         team="Audit", roles=["auditor"])
        token = ledger.tokens.issue("admin", "ann.audit").token
    finally:
        ledger.close()
    key = tmp_path / "ledger.key"
    SigningKey.generate("test.example/caseledger").save(key)
    port = free_port()
    server = subprocess.Popen([str(EXE), "serve", "--db", pg_schema_url, "--port", str(port), "--workers", "2",
                               "--key", str(key)], cwd=tmp_path, env=env(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    auth = {"Authorization": f"Bearer {token}"}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/healthz", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "serve did not answer within 60 s"
                time.sleep(0.2)
        started = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/verify", method="POST", headers=auth)
        with urllib.request.urlopen(started, timeout=10) as r:
            assert r.status == 202
            job = json.loads(r.read())["job"]
        answers = []
        for _ in range(200):  # each a new connection: the kernel spreads them over both workers
            with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/verify/{job}",
                                                               headers=auth), timeout=10) as r:
                answers.append((r.status, json.loads(r.read())["status"]))
            if answers[-1][1] != "running" and len(answers) >= 10:
                break
            time.sleep(0.05)
        assert {status for status, _ in answers} == {200}
        assert answers[-1][1] == "done"
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "Application shutdown complete" in output
