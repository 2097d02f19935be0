"""The ``caseledger`` command line end to end, through the installed console script.

Every test runs the real ``caseledger`` executable (next to ``sys.executable``) in a
subprocess, on a SQLite ledger in ``tmp_path`` (one flow on PostgreSQL), and checks exit
codes (0 done, 1 refused or tampered, 2 could not run), stdout and ``--json`` output.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import psycopg
import pytest
from click.testing import CliRunner

from commands.cli import cli
from ledger.integrity.checkpoint import VerifierKey, open_checkpoint
from ledger.integrity.merkle import verify_inclusion
from tests.conftest import PG_URL

EXE = Path(sys.executable).parent / "caseledger"


def run(
    cwd: Path, *args: str, env: dict[str, str] | None = None, check: int | None = 0, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
    proc = subprocess.run(
        [str(EXE), *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check is not None:
        assert proc.returncode == check, (args, proc.returncode, proc.stdout, proc.stderr)
    return proc


def js(proc: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(proc.stdout)


def err(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The JSON error object printed on stderr with --json."""
    data = json.loads(proc.stderr.strip().splitlines()[-1])
    assert set(data) >= {"error", "message", "exit_code"}, data
    assert data["exit_code"] == proc.returncode
    return data


STAFF = [
    ("admin", "Priya Raman", "Systems Administrator", "Business Support", "admin"),
    ("jane.smith", "Jane Smith", "Social Worker", "Assessment", "social_worker"),
    ("grace.obi", "Grace Obi", "Team Manager", "Assessment", "team_manager"),
    ("omar.farah", "Omar Farah", "Senior Practitioner", "Assessment", "senior_practitioner"),
]


@dataclass
class Ledger:
    dir: Path
    db: str
    case_id: str
    note_id: str

    def __call__(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return run(self.dir, *args, env={"CASELEDGER_DB": self.db}, **kwargs)


def seed(d: Path, db: str, key: Path | None = None) -> Ledger:
    """init, staff, one case with one finalised note, through the CLI."""
    env = {"CASELEDGER_DB": db}
    key_args = ["--key", str(key)] if key else []
    run(d, "init", *key_args, "--json", env=env)
    for staff_id, name, designation, team, role in STAFF:
        acting = [] if staff_id == "admin" else ["--as", "admin"]
        run(
            d,
            "staff",
            "add",
            *acting,
            "--id",
            staff_id,
            "--name",
            name,
            "--designation",
            designation,
            "--team",
            team,
            "--role",
            role,
            env=env,
        )
    case_id = js(
        run(
            d,
            "case",
            "open",
            "--as",
            "jane.smith",
            "--child",
            "Amira Hassan",
            "--dob",
            "2016-05-14",
            "--referral-date",
            "2026-10-28",
            "--source",
            "school",
            "--team",
            "Assessment",
            "--worker",
            "jane.smith",
            "--json",
            env=env,
        )
    )["case_id"]
    note_id = js(
        run(
            d,
            "note",
            "add",
            case_id,
            "--as",
            "jane.smith",
            "--kind",
            "home_visit",
            "--occurred-at",
            "2026-11-02 10:00",
            "--facts",
            "Visited Amira at home.",
            "--finalise",
            "--json",
            env=env,
        )
    )["note_id"]
    return Ledger(d, db, case_id, note_id)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    d = tmp_path_factory.mktemp("template")
    return seed(d, "ledger.db")


@pytest.fixture
def led(template: Ledger, tmp_path: Path) -> Ledger:
    """A copy of the seeded SQLite ledger (with its key file) in a folder of the test's own."""
    d = tmp_path / "work"
    shutil.copytree(template.dir, d)
    return Ledger(d, "ledger.db", template.case_id, template.note_id)


# --- init ---


def test_init_creates_a_private_key_and_prints_the_verifier(tmp_path: Path) -> None:
    proc = run(tmp_path, "init", "--db", "borough.db", "--origin", "borough.example/caseledger")
    key = tmp_path / "borough.key"
    assert key.exists() and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "Verifier key" in proc.stdout
    line = next(
        ln.strip() for ln in proc.stdout.splitlines() if ln.strip().startswith("borough.example/caseledger+")
    )
    VerifierKey.from_string(line)
    # Again: the key is found, not replaced; --json.
    again = js(run(tmp_path, "init", "--db", "borough.db", "--json"))
    assert again["key_created"] is False and again["verifier_key"] == line and again["events"] == 0
    assert again["backend"] == "sqlite"
    verified = js(run(tmp_path, "verify", "--db", "borough.db", "--json"))
    assert verified["ok"] is True and verified["events"] == 0 and len(verified["checkpoints"]) == 1


def test_first_staff_member_must_be_an_admin(tmp_path: Path) -> None:
    run(tmp_path, "init", "--db", "x.db")
    proc = run(
        tmp_path,
        "staff",
        "add",
        "--db",
        "x.db",
        "--id",
        "jane",
        "--name",
        "Jane Smith",
        "--designation",
        "Social Worker",
        "--team",
        "Assessment",
        "--role",
        "social_worker",
        "--json",
        check=1,
    )
    assert "admin" in err(proc)["message"]


# --- the whole flow ---


def test_full_flow(led: Ledger) -> None:
    cid, short = led.case_id, led.case_id[:8]
    staff = js(led("staff", "list", "--json"))
    assert {m["staff_id"] for m in staff} == {s[0] for s in STAFF}
    assert "Jane Smith" in led("staff", "list").stdout

    shown = js(led("case", "show", short, "--as", "grace.obi", "--json"))
    assert cid in json.dumps(shown) and "Amira Hassan" in json.dumps(shown)
    assert "Amira Hassan" in led("case", "show", short, "--as", "grace.obi").stdout
    listed = js(led("case", "list", "--as", "grace.obi", "--json"))
    assert [c["case_id"] for c in listed] == [cid] and listed[0]["status"] == "open"

    # A draft, revised, finalised, amended.
    nid = js(
        led(
            "note",
            "add",
            cid,
            "--as",
            "jane.smith",
            "--kind",
            "telephone_call",
            "--occurred-at",
            "2026-11-02 11:00",
            "--facts",
            "Phoned the school.",
            "--json",
        )
    )["note_id"]
    assert (
        js(
            led(
                "note",
                "revise",
                cid,
                nid,
                "--as",
                "jane.smith",
                "--analysis",
                "School is supportive.",
                "--json",
            )
        )["status"]
        == "draft"
    )
    assert js(led("note", "finalise", cid, nid, "--as", "jane.smith", "--json"))["status"] == "final"
    assert (
        js(
            led(
                "note",
                "amend",
                cid,
                nid,
                "--as",
                "jane.smith",
                "--facts",
                "Phoned the head teacher.",
                "--reason",
                "The wrong person was named",
                "--json",
            )
        )["amended"]
        is True
    )
    # A manager deletes a note; it is hidden from the record but stays in the ledger.
    assert (
        js(
            led(
                "note",
                "delete",
                cid,
                led.note_id,
                "--as",
                "grace.obi",
                "--reason",
                "Recorded on the wrong child in error",
                "--json",
            )
        )["deleted"]
        is True
    )
    assert "Visited Amira at home." not in led("case", "show", cid, "--as", "grace.obi").stdout
    did = js(
        led(
            "decision",
            "add",
            cid,
            "--as",
            "grace.obi",
            "--decision",
            "Convene a strategy discussion",
            "--reasons",
            "Disclosure at school",
            "--risks",
            "Further harm",
            "--not-chosen",
            "Continue the assessment: threshold met",
            "--json",
        )
    )["decision_id"]
    uuid.UUID(str(did))
    alloc = js(
        led(
            "case",
            "allocate",
            cid,
            "--as",
            "grace.obi",
            "--team",
            "Assessment",
            "--worker",
            "omar.farah",
            "--reason",
            "Complex case needs a senior practitioner",
            "--json",
        )
    )
    assert "omar.farah" in json.dumps(alloc)
    assert (
        js(
            led(
                "case",
                "close",
                cid,
                "--as",
                "grace.obi",
                "--reason",
                "Needs now met by universal services",
                "--json",
            )
        )["status"]
        != "open"
    )
    assert (
        js(
            led(
                "case",
                "reopen",
                cid,
                "--as",
                "grace.obi",
                "--reason",
                "New referral from the school",
                "--json",
            )
        )["status"]
        == "open"
    )

    cp = js(led("checkpoint", "--json"))
    verifier = VerifierKey.from_string(cp["verifier_key"])
    signed = open_checkpoint(cp["note"], verifier)
    assert signed.size == cp["size"] and base64.b64encode(signed.root).decode() == cp["root"]
    assert led("checkpoint").stdout.strip().splitlines()[0] == cp["origin"]

    proof = js(led("prove", "--case", short, "--as", "grace.obi", "--json"))
    size = json.loads(led("verify", "--json").stdout)["log_size"]
    b = base64.b64decode
    assert verify_inclusion(
        b(proof["leaf_hash"]),
        proof["leaf_index"],
        proof["tree_size"],
        [b(p) for p in proof["proof"]],
        b(proof["root"]),
    )
    assert proof["tree_size"] == size - 1  # the proof's own read of the audit view was recorded after it
    first = js(led("prove", "--case", cid, "--version", "1", "--as", "grace.obi", "--json"))
    assert (
        first["version"] == 1
        and "Signed checkpoint" in led("prove", "--case", cid, "--version", "1", "--as", "grace.obi").stdout
    )

    report = js(led("verify", "--json"))
    assert report["ok"] is True and report["problems"] == []
    # the two proofs since were reads of the audit view: recorded, and not yet signed
    assert report["cases"] == 1 and report["events"] == size + 2 and report["unsigned_events"] == 3
    led("checkpoint", "--json")
    report = js(led("verify", "--json"))
    assert report["events"] == size + 2 and report["unsigned_events"] == 0
    assert "Intact" in led("verify").stdout
    # An auditor's run: the verifier key as a string and as a file, and an external checkpoint.
    (led.dir / "auditor.pub").write_text(cp["verifier_key"] + "\n")
    (led.dir / "cp.txt").write_text(cp["note"])
    for vk in (cp["verifier_key"], "auditor.pub"):
        r = js(
            led("verify", "--key", "nothere.key", "--verifier-key", vk, "--checkpoint", "cp.txt", "--json")
        )
        assert r["ok"] is True and any(c["source"] == "cp.txt" and c["ok"] for c in r["checkpoints"])


# --- refusals and bad arguments ---


def test_social_worker_cannot_delete_a_note(led: Ledger) -> None:
    proc = led(
        "note",
        "delete",
        led.case_id,
        led.note_id,
        "--as",
        "jane.smith",
        "--reason",
        "mine",
        "--json",
        check=1,
    )
    e = err(proc)
    assert "team manager or above" in e["message"] and "Jane Smith" in e["message"]
    assert proc.stdout == ""
    text = led("note", "delete", led.case_id, led.note_id, "--as", "jane.smith", "--reason", "mine", check=1)
    assert "team manager or above" in text.stderr and "Traceback" not in text.stderr


@pytest.mark.parametrize(
    "args, rule",
    [
        (["case", "close", "{case}", "--as", "jane.smith", "--reason", "done"], "team manager"),
        (
            [
                "staff",
                "add",
                "--as",
                "jane.smith",
                "--id",
                "x",
                "--name",
                "X Y",
                "--designation",
                "SW",
                "--team",
                "Assessment",
                "--role",
                "social_worker",
            ],
            "admin",
        ),
        (
            [
                "note",
                "add",
                "{case}",
                "--kind",
                "contact",
                "--occurred-at",
                "2026-11-02 10:00",
                "--facts",
                "f",
            ],
            "--as",
        ),
        (
            [
                "staff",
                "add",
                "--as",
                "admin",
                "--id",
                "jane.smith",
                "--name",
                "Jane Other",
                "--designation",
                "SW",
                "--team",
                "Assessment",
                "--role",
                "social_worker",
            ],
            "already used",
        ),
        (["case", "show", "ffffffff", "--as", "grace.obi"], "no case record"),
    ],
    ids=[
        "close-by-social-worker",
        "staff-add-by-non-admin",
        "no-acting-user",
        "staff-id-reused",
        "unknown-case",
    ],
)
def test_refusals_exit_1(led: Ledger, args: list[str], rule: str) -> None:
    proc = led(*[a.replace("{case}", led.case_id) for a in args], "--json", check=1)
    assert rule in err(proc)["message"]


@pytest.mark.parametrize(
    "args",
    [
        ["case", "open", "--as", "jane.smith", "--child", "X"],  # missing options
        [
            "note",
            "add",
            "{case}",
            "--as",
            "jane.smith",
            "--kind",
            "bogus",
            "--occurred-at",
            "2026-11-02 10:00",
            "--facts",
            "f",
        ],
        [
            "note",
            "add",
            "{case}",
            "--as",
            "jane.smith",
            "--kind",
            "contact",
            "--occurred-at",
            "yesterday-ish",
            "--facts",
            "f",
        ],
        [
            "note",
            "add",
            "{case}",
            "--as",
            "jane.smith",
            "--kind",
            "contact",
            "--occurred-at",
            "2026-11-02 10:00",
        ],
        [
            "case",
            "open",
            "--as",
            "jane.smith",
            "--child",
            "X",
            "--dob",
            "14/05/2016",
            "--referral-date",
            "2026-10-28",
            "--source",
            "s",
            "--team",
            "Assessment",
            "--worker",
            "jane.smith",
        ],
        [
            "decision",
            "add",
            "{case}",
            "--as",
            "grace.obi",
            "--decision",
            "d",
            "--reasons",
            "r",
            "--risks",
            "k",
            "--not-chosen",
            "no colon here",
        ],
        ["case", "list", "--no-such-option"],
        ["no-such-command"],
    ],
    ids=[
        "missing-options",
        "bad-choice",
        "bad-datetime",
        "no-facts",
        "bad-date",
        "bad-not-chosen",
        "unknown-option",
        "unknown-command",
    ],
)
def test_bad_arguments_exit_2(led: Ledger, args: list[str]) -> None:
    args = [a.replace("{case}", led.case_id) for a in args]
    proc = led(*args, "--json", check=2)
    assert "Traceback" not in proc.stderr
    if args[0] != "no-such-command":
        assert err(proc)["error"] == "UsageError"
    if args[0] in ("no-such-command", "note") and "bogus" in args + ["no-such-command"]:
        plain = led(*args, check=2)
        assert "Traceback" not in plain.stderr and plain.stderr.strip()


def test_unreachable_database_exits_2(tmp_path: Path) -> None:
    proc = run(tmp_path, "case", "list", "--db", str(tmp_path / "no" / "such" / "dir.db"), "--json", check=2)
    assert err(proc)["message"].startswith("no ledger at ")  # only init and demo create a ledger
    proc = run(tmp_path, "case", "list", "--db", "mysql://somewhere/db", "--json", check=2)
    assert "neither a file path" in err(proc)["message"]


# --- verify ---


def flip_one_byte(db: Path, case_id: str, version: int) -> None:
    with sqlite3.connect(db) as conn:
        (state,) = conn.execute(
            "SELECT state FROM stored_events WHERE originator_id = ? AND originator_version = ?",
            (uuid.UUID(case_id).hex, version),
        ).fetchone()
        at = bytes(state).index(b"Amira")
        changed = bytearray(state)
        changed[at] ^= 0x20  # 'A' -> 'a'
        conn.execute(
            "UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = ?",
            (bytes(changed), uuid.UUID(case_id).hex, version),
        )


def test_verify_after_one_byte_is_changed_exits_1_naming_case_and_version(led: Ledger) -> None:
    led("checkpoint")
    flip_one_byte(led.dir / led.db, led.case_id, 1)
    report = js(led("verify", "--json", check=1))
    assert report["ok"] is False
    assert any(
        p["case"] == led.case_id and p["version"] == 1 and "does not match" in p["problem"]
        for p in report["problems"]
    ), report["problems"]
    text = led("verify", check=1).stdout
    assert "TAMPERED" in text and f"stream {led.case_id} version 1" in text


def test_verify_without_a_key_exits_2(led: Ledger) -> None:
    (led.dir / "ledger.key").unlink()
    proc = led("verify", "--json", check=2)
    assert "missing key" in err(proc)["message"]
    assert "missing key" in led("verify", check=2).stderr


def test_verify_with_the_wrong_key_exits_1(led: Ledger, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    run(other, "init", "--db", "o.db", "--origin", "local-authority.example/caseledger")
    report = js(led("verify", "--key", str(other / "o.key"), "--json", check=1))
    assert report["problems"] == [] and not any(c["ok"] for c in report["checkpoints"])


def test_verify_reports_a_tampered_head(led: Ledger) -> None:
    with sqlite3.connect(led.dir / led.db) as conn:
        conn.execute("UPDATE merkle_head SET size = size + 1")
    proc = led("verify", "--json", check=None)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert js(proc)["ok"] is False


# --- help ---


def all_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        if isinstance(command, click.Group):
            out.extend(all_commands(command, path))
        else:
            out.append(path)
    return out


COMMANDS = all_commands()


def test_the_command_list_is_complete() -> None:
    names = {" ".join(c) for c in COMMANDS}
    assert {
        "init",
        "verify",
        "checkpoint",
        "prove",
        "staff add",
        "case open",
        "note delete",
        "decision add",
    } <= names


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_command_has_help_with_an_example(command: tuple[str, ...]) -> None:
    """In-process (the same click group the script runs), so that the walk stays fast."""
    result = CliRunner().invoke(cli, [*command, "--help"], prog_name="caseledger")
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output, result.output
    assert f"caseledger {' '.join(command)}" in result.output


@pytest.mark.parametrize(
    "command", [("verify",), ("note", "add"), ("staff", "add")], ids=lambda c: " ".join(c)
)
def test_help_through_the_script(tmp_path: Path, command: tuple[str, ...]) -> None:
    proc = run(tmp_path, *command, "--help")
    assert "Example:" in proc.stdout and "Usage: caseledger " + " ".join(command) in proc.stdout


def test_top_level_help(tmp_path: Path) -> None:
    assert "caseledger" in run(tmp_path, "--help").stdout
    for group in ("staff", "case", "note", "decision"):
        assert run(tmp_path, group, "--help").stdout.strip()
    assert run(tmp_path, "--version").stdout.strip()


# --- demo ---


def test_demo_small(tmp_path: Path) -> None:
    pytest.importorskip("commands.demo")
    proc = run(tmp_path, "demo", "--db", "demo.db", "--children", "3", timeout=120)
    assert "Try (every read of a record is by someone" in proc.stdout and "Traceback" not in proc.stderr
    report = js(run(tmp_path, "verify", "--db", "demo.db", "--json"))
    assert report["ok"] is True and report["cases"] >= 3


def test_demo_json(tmp_path: Path) -> None:
    pytest.importorskip("commands.demo")
    data = js(run(tmp_path, "demo", "--db", "demo.db", "--children", "3", "--json", timeout=120))
    assert data["verify"]["ok"] is True and data["verifier_key"]


# --- PostgreSQL ---


def test_postgresql_flow(pg_schema_url: str, tmp_path: Path) -> None:
    key = tmp_path / "pg.key"
    led = seed(tmp_path, pg_schema_url, key=key)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    led("checkpoint", "--key", str(key))
    proof = js(led("prove", "--key", str(key), "--case", led.case_id, "--as", "grace.obi", "--json"))
    assert proof["version"] >= 2
    report = js(led("verify", "--key", str(key), "--json"))
    assert report["ok"] is True and report["cases"] == 1
    # Tamper one byte with psycopg.
    schema = pg_schema_url.rsplit("schema=", 1)[1]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        (state,) = conn.execute(
            f'SELECT state FROM "{schema}".caseledger_events WHERE originator_id = %s '
            "AND originator_version = 1",
            (uuid.UUID(led.case_id),),
        ).fetchone()
        changed = bytearray(state)
        changed[bytes(state).index(b"Amira")] ^= 0x20
        conn.execute(
            f'UPDATE "{schema}".caseledger_events SET state = %s WHERE originator_id = %s '
            "AND originator_version = 1",
            (bytes(changed), uuid.UUID(led.case_id)),
        )
    report = js(led("verify", "--key", str(key), "--json", check=1))
    assert any(p["case"] == led.case_id and p["version"] == 1 for p in report["problems"]), report


OPEN_ARGS = ["case", "open", "--as", "jane.smith", "--source", "school", "--team", "Assessment",
             "--worker", "jane.smith"]

FLAG_MESSAGES = [
    ("child-name-with-a-line-break", [*OPEN_ARGS, "--child", "Amira\n2026-01-01 Fake entry", "--dob", "2016-05-14",
                                      "--referral-date", "2026-10-28"],
     r"^--child may not contain a line break \(U\+000A\); names and single-line fields are one line"),
    ("dob-before-1900", [*OPEN_ARGS, "--child", "Amira Hassan", "--dob", "1016-05-14", "--referral-date", "2026-10-28"],
     r"^--dob 14 May 1016 is before 1900"),
    ("dob-after-referral", [*OPEN_ARGS, "--child", "Amira Hassan", "--dob", "2026-10-29",
                            "--referral-date", "2026-10-28"],
     r"^--dob 29 Oct 2026 is after the --referral-date 28 Oct 2026: a child is referred once born; a referral "
     r"before birth gives --expected-dob$"),
    ("dob-in-the-future", [*OPEN_ARGS, "--child", "Amira Hassan", "--dob", "2099-01-01",
                           "--referral-date", "2026-10-28"],
     r"^--dob 01 Jan 2099 is in the future; for an unborn child give --expected-dob$"),
    ("note-before-birth", ["note", "add", "{case}", "--as", "jane.smith", "--kind", "home_visit",
                           "--occurred-at", "2016-05-13 10:00", "--facts", "Visited."],
     r"^--occurred-at 13 May 2016 is before the child was born \(14 May 2016\)"),
    ("note-dated-without-a-time", ["note", "add", "{case}", "--as", "jane.smith", "--kind", "home_visit",
                                   "--occurred-at", "2026-11-02", "--facts", "Visited."],
     r"^--occurred-at '2026-11-02' is a date with no time: a case note is dated by the moment it happened, "
     r"e\.g\. '2026-11-21 14:30' \(London time\)$"),
    ("note-views-with-a-bell", ["note", "add", "{case}", "--as", "jane.smith", "--kind", "home_visit",
                                "--occurred-at", "2026-11-02 09:00", "--facts", "Visited.", "--child-views", "hi\a"],
     r"^--child-views may not contain a bell character \(BEL\) \(U\+0007\)"),
    ("note-provider-with-a-line-break", ["note", "add", "{case}", "--as", "jane.smith", "--kind", "contact",
                                         "--occurred-at", "2026-11-02 09:00", "--facts", "Call.",
                                         "--third-party", "School\nFake"],
     r"^--third-party may not contain a line break"),
    ("note-revised-by-an-unknown-prefix", ["note", "finalise", "{case}", "ffff", "--as", "jane.smith"],
     r"^no case note whose id starts with 'ffff'$"),
    ("rollback-at-in-the-future", ["rollback", "request", "--as", "sam.hd", "--case", "{case}",
                                   "--at", "2099-01-01 10:00", "--matter", "contact",
                                   "--raised-by", "grace.obi", "--reason", "the referral was recorded twice"],
     r"--at .* is in the future"),
    ("rollback-at-without-a-time", ["rollback", "request", "--as", "sam.hd", "--case", "{case}",
                                    "--at", "2026-11-01", "--matter", "contact",
                                    "--raised-by", "grace.obi", "--reason", "the referral was recorded twice"],
     r"^--at '2026-11-01' is a date with no time: a roll-back's point is dated"),
    ("rollback-raised-by-unknown", ["rollback", "request", "--as", "sam.hd", "--case", "{case}",
                                    "--version", "1", "--matter", "contact",
                                    "--raised-by", "nobody", "--reason", "the referral was recorded twice"],
     r"^--raised-by: no staff member with the id 'nobody'"),
    ("delete-reason-of-single-letters", ["note", "delete", "{case}", "{note}", "--as", "grace.obi",
                                         "--reason", "a b c"],
     r"deleting a case note \(policy s\.12\) needs a reason that explains why \(at least 3 words and 12 "
     r"letters; it has 3 words and 3 letters\); got 'a b c'$"),
]


@pytest.mark.parametrize("args, message", [c[1:] for c in FLAG_MESSAGES], ids=[c[0] for c in FLAG_MESSAGES])
def test_refusals_name_the_flags_typed(led: Ledger, args: list[str], message: str) -> None:
    import re

    if "sam.hd" in args:
        led("staff", "add", "--as", "admin", "--id", "sam.hd", "--name", "Sam Hughes", "--designation", "Helpdesk",
            "--team", "LCS Helpdesk", "--role", "helpdesk")
    proc = led(*[a.replace("{case}", led.case_id).replace("{note}", led.note_id) for a in args], "--json", check=1)
    found = err(proc)["message"]
    assert re.search(message, found), found
    assert "_" not in re.sub(r"'[^']*'", "", found.split("; got")[0]), found  # no internal field name left
