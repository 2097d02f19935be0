"""The demo builds for every seed and size, all or nothing, one build per file (issue 11).

The sweep runs at small scale in the default test run (about 30 s); the largest size is in
``bench/demo.py``, which is run here at a tiny size.
"""

from __future__ import annotations

import os
import pwd
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from commands import cli
from commands.demo import build as demo_build
from commands.demo import build_demo
from commands.tour import tour_text
from ledger.application import CaseLedger
from ledger.errors import RuleViolation
from ledger.integrity.verify import verify_ledger

EXE = Path(sys.executable).parent / "caseledger"
ROOT = Path(__file__).resolve().parents[1]

# Every size 1..12 at seed 0, and seeds 0..19 at 3 and 6 children: on the old code 12 children
# at seed 0 (an amendment after a transfer) and 6 children at seed 6 (a draft finalised after a
# transfer) broke a case rule, and 2 children crashed the tour (every record restricted).
SWEEP = sorted({(n, 0) for n in range(1, 13)} | {(n, s) for n in (3, 6) for s in range(20)})


@pytest.mark.parametrize(("children", "seed"), SWEEP)
def test_the_demo_builds_for_every_small_size_and_seed(tmp_path: Path, children: int, seed: int) -> None:
    app = CaseLedger(str(tmp_path / "demo.db"))
    try:
        summary = build_demo(app, children=children, seed=seed)
        assert summary.children == children and summary.events == app.integrity.event_count() > 100
        text = tour_text(app, summary, verify_ledger(app.recorder, verifier=None))
        assert text.startswith("Demo borough written to ")
    finally:
        app.close()


def _run(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
    return subprocess.run([str(EXE), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_two_children_give_a_tour_without_a_traceback(tmp_path: Path) -> None:
    proc = _run(tmp_path, "demo", "--db", "demo.db", "--children", "2")
    assert proc.returncode == 0, proc.stderr
    assert "Every child's record in this small borough is restricted" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_every_event_of_a_demo_built_by_the_cli_records_the_os_user_host_and_command(tmp_path: Path) -> None:
    """``caseledger demo`` writes through the command line like any command, so its events carry the channel
    (the SQLite build, into a temporary file moved into place, once wrote every event without one)."""
    proc = _run(tmp_path, "demo", "--db", "demo.db", "--children", "2")
    assert proc.returncode == 0, proc.stderr
    app = CaseLedger(str(tmp_path / "demo.db"))
    try:
        events = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(1, 1_000_000)]
    finally:
        app.close()
    stamped = [e for e in events if isinstance(getattr(e, "actor", None), dict)]
    assert len(stamped) > 100 and {type(e).__qualname__ for e in stamped} >= {
        "StaffMember.Joined", "CaseRecord.Opened", "CaseRecord.CaseNoteRecorded", "CaseRecord.MilestoneRecorded",
        "AccessLog.AttemptRecorded"}
    channels = []
    for e in stamped:
        channel = e.actor.get("channel")
        assert channel is not None, f"{type(e).__qualname__} of {e.originator_id} v{e.originator_version}: no channel"
        channels.append(channel)
    expected = {"kind": "cli", "os_user": pwd.getpwuid(os.getuid()).pw_name, "os_uid": os.getuid(),
                "host": socket.gethostname(), "command": "caseledger demo"}
    assert all({k: c[k] for k in expected} == expected for c in channels), channels[0]
    processes = {c["process"] for c in channels}
    assert len(processes) == 1 and os.getpid() not in processes  # the one process that built it


def test_the_help_states_the_largest_size_and_a_larger_one_is_refused(tmp_path: Path) -> None:
    assert f"1 to {cli.DEMO_MAX_CHILDREN}" in _run(tmp_path, "demo", "--help").stdout
    proc = _run(tmp_path, "demo", "--db", "demo.db", "--children", str(cli.DEMO_MAX_CHILDREN + 1))
    assert proc.returncode == 2
    assert f"{cli.DEMO_MAX_CHILDREN + 1} is not in the range 1<=x<={cli.DEMO_MAX_CHILDREN}" in proc.stderr
    assert os.listdir(tmp_path) == []


def _fail_after(monkeypatch: pytest.MonkeyPatch, n: int, error: Exception) -> None:
    real = demo_build._carry_out
    count = [0]

    def carry_out(*args: object) -> None:
        count[0] += 1
        if count[0] > n:
            raise error
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(demo_build, "_carry_out", carry_out)


@pytest.mark.parametrize(("error", "code", "line"), [
    (RuleViolation("only the author may revise a draft case note"), 1,
     "caseledger: only the author may revise a draft case note; the demo stopped before it finished and "
     "left no ledger at {db}"),
    (ValueError("max() arg is an empty sequence"), 2,
     "caseledger: ValueError: max() arg is an empty sequence; the demo stopped before it finished and "
     "left no ledger at {db}"),
])
def test_a_build_that_fails_half_way_leaves_nothing_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        error: Exception, code: int, line: str) -> None:
    _fail_after(monkeypatch, 150, error)
    db = tmp_path / "demo.db"
    with pytest.raises(SystemExit) as stopped:
        cli.main(["demo", "--db", str(db), "--children", "3"])
    assert stopped.value.code == code
    assert capsys.readouterr().err.strip() == line.format(db=db)
    assert os.listdir(tmp_path) == []


def test_replace_replaces_only_after_success(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "demo.db"
    assert _run(tmp_path, "demo", "--db", "demo.db", "--children", "1").returncode == 0
    before = db.read_bytes()
    _fail_after(monkeypatch, 100, RuntimeError("disk on fire"))
    with pytest.raises(SystemExit):
        cli.main(["demo", "--db", str(db), "--children", "3", "--replace", "--seed", "4"])
    assert "left no ledger at" in capsys.readouterr().err
    assert db.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["demo.db", "demo.key"]
    verify = _run(tmp_path, "verify", "--db", "demo.db")
    assert verify.returncode == 0, verify.stdout


@pytest.mark.parametrize(("sig", "said"), [(signal.SIGINT, "interrupted (Ctrl-C)"),
                                           (signal.SIGTERM, "terminated (SIGTERM)")])
def test_a_signal_during_the_build_leaves_no_ledger(tmp_path: Path, sig: signal.Signals, said: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
    # As from a terminal: Ctrl-C's signal is not ignored (a shell starts background jobs, and so this
    # test run if it was started in the background, with SIGINT ignored, which a child inherits).
    proc = subprocess.Popen([str(EXE), "demo", "--db", "demo.db", "--children", "60"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until the build has written a good part
        # The database file and its write-ahead log together: the file alone may grow only at the
        # last checkpoint, just before the finished build is moved into place (too late to stop it).
        written = sum(p.stat().st_size for p in tmp_path.iterdir()
                      if ".building-" in p.name and ".key" not in p.name and not p.name.endswith("-shm"))
        if written > 1_000_000:
            break
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the build did not start")
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2, stderr
    assert stderr.strip().splitlines() == [
        f"caseledger: {said}: the demo stopped before it finished and left no ledger at demo.db"]
    assert os.listdir(tmp_path) == []


def test_four_builds_on_one_file_one_wins_the_others_are_told_it_is_being_built(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
    procs = [subprocess.Popen([str(EXE), "demo", "--db", "demo.db", "--children", "30", "--seed", str(i)],
                              cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(4)]
    results = [(p.wait(timeout=300), p.communicate()[1]) for p in procs]
    assert sorted(code for code, _ in results) == [0, 2, 2, 2], results
    for code, stderr in results:
        if code == 2:
            assert stderr.strip().startswith("caseledger: demo.db is being built by another process"), stderr
    assert sorted(os.listdir(tmp_path)) == ["demo.db", "demo.key"]
    verify = _run(tmp_path, "verify", "--db", "demo.db")
    assert verify.returncode == 0, verify.stdout


def test_the_demo_benchmark_runs_at_a_tiny_size() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "demo.py"), "--children", "2"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    figures = dict(line.split(None, 1) for line in proc.stdout.splitlines())
    assert figures["children"] == "2" and int(figures["events"]) > 100 and figures["verified"] == "True"
    assert float(figures["seconds"]) > 0 and float(figures["events/s"]) > 0


def test_on_postgresql_a_stopped_build_says_what_stays(pg_schema_url: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """PostgreSQL (the documented choice): the events written stay, and the message says so."""
    _fail_after(monkeypatch, 120, RuleViolation("only the author may revise a draft case note"))
    with pytest.raises(SystemExit) as stopped:
        cli.main(["demo", "--db", pg_schema_url, "--key", str(tmp_path / "demo.key"), "--children", "2"])
    assert stopped.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("caseledger: only the author may revise a draft case note; the demo stopped before "
                          "it finished; what it wrote stays in ")
    assert err.endswith(": drop that schema or database before building again")
