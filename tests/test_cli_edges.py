"""The command line at its edges (issue 11): files named on it, long texts from a file or standard
input, and who ran it.

* Output paths (``--out``, ``--evidence``, ``--fhir``) are checked before any work: a missing
  folder or a folder given as the file is one line, exit 2, and nothing is written to the ledger.
* ``verify --checkpoint`` and ``evidence verify`` on a file that is missing, unreadable, not a
  checkpoint or not a bundle could not run (exit 2); a real mismatch stays "tampered" (exit 1).
* ``--facts @FILE``, ``--facts -`` (and the other long texts), ``@@`` for a literal leading @.
* Every event written through the CLI records the operating-system user, host, process and
  command that wrote it (``actor["channel"]``), so that a CLI action is told from a signed-in one.

Subprocess tests run the installed ``caseledger`` script on SQLite (``tests.test_cli``); the
channel test on both backends runs the CLI in-process (``commands.cli.main``).
"""

from __future__ import annotations

import base64
import json
import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from commands.cli import main
from ledger.application import CaseLedger
from tests.conftest import Borough, Clock
from tests.test_cli import EXE, Ledger, err, js, seed
from tests.test_rollback import REASON, story

OS_USER = pwd.getpwuid(os.getuid()).pw_name
HOST = socket.gethostname()


class Led(Ledger):
    """A seeded ledger whose commands may be given standard input."""

    def __call__(self, *args: str, check: int | None = 0, input: str | None = None,
                 **_: Any) -> subprocess.CompletedProcess[str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
        proc = subprocess.run([str(EXE), *args], cwd=self.dir, env={**base, "CASELEDGER_DB": self.db},
                              capture_output=True, text=True, timeout=60, input=input)
        if check is not None:
            assert proc.returncode == check, (args, proc.returncode, proc.stdout, proc.stderr)
        return proc


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    d = tmp_path_factory.mktemp("edges")
    led = seed(d, "ledger.db")
    led("staff", "add", "--as", "admin", "--id", "helen.cole", "--name", "Helen Cole", "--designation",
        "Service Manager", "--team", "Safeguarding", "--role", "service_manager")
    led("checkpoint")
    return led


@pytest.fixture
def led(template: Ledger, tmp_path: Path) -> Led:
    d = tmp_path / "work"
    shutil.copytree(template.dir, d)
    return Led(d, template.db, template.case_id, template.note_id)


def stored(led: Led) -> int:
    with sqlite3.connect(led.dir / led.db) as conn:
        (n,) = conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()
    return int(n)


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The error, which must be one line on stderr and no traceback."""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


# --- 1. output paths ---------------------------------------------------------------------------


def output_commands(led: Led, path: str) -> list[tuple[str, list[str]]]:
    return [
        ("--out", ["chronology", led.case_id, "--as", "jane.smith", "--format", "html", "--out", path]),
        ("--out", ["evidence", "export", "--case", led.case_id, "--as", "grace.obi", "--out", path]),
        ("--evidence", ["access", "report", "--as", "helen.cole", "--staff", "jane.smith", "--evidence", path]),
        ("--fhir", ["access", "report", "--as", "helen.cole", "--staff", "jane.smith", "--fhir", path]),
        ("--out", ["access", "report", "--as", "helen.cole", "--staff", "jane.smith", "--format", "html", "--out",
                   path]),
    ]


def test_an_output_file_in_a_missing_folder_is_refused_before_any_work(led: Led) -> None:
    missing = str(led.dir / "no" / "such" / "folder" / "out.json")
    before = stored(led)
    for option, args in output_commands(led, missing):
        line = one_line(led(*args, check=2))
        assert line == f"caseledger: {option} {missing}: no folder {led.dir / 'no' / 'such' / 'folder'} " \
                       "(create it first)", line
        data = err(led(*args, "--json", check=2))
        assert data["error"] == "FileError" and option in data["message"] and missing in data["message"]
        assert stored(led) == before, f"{args[0]}: the ledger was written to, although nothing could be written"
    assert not (led.dir / "no").exists()


def test_an_output_path_that_is_a_folder_is_refused(led: Led) -> None:
    (led.dir / "reports").mkdir()
    before = stored(led)
    for option, args in output_commands(led, str(led.dir / "reports")):
        line = one_line(led(*args, check=2))
        assert f"{option} {led.dir / 'reports'}: is a folder; give a file name" in line, line
    assert stored(led) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_output_folder_without_write_permission_is_refused(led: Led) -> None:
    locked = led.dir / "locked"
    locked.mkdir(mode=0o500)
    try:
        line = one_line(led(*output_commands(led, str(locked / "c.html"))[0][1], check=2))
        assert f"--out {locked / 'c.html'}: cannot create a file in {locked}" in line
    finally:
        locked.chmod(0o700)


def test_output_into_an_existing_folder_still_writes(led: Led) -> None:
    (led.dir / "out").mkdir()
    for option, args in output_commands(led, str(led.dir / "out" / "x.json")):
        led(*args)
        assert (led.dir / "out" / "x.json").read_text().strip(), option
        (led.dir / "out" / "x.json").unlink()


# --- 2. checkpoint and bundle files that cannot be read ----------------------------------------


def test_verify_with_a_checkpoint_file_that_is_missing_or_not_a_checkpoint_could_not_run(led: Led) -> None:
    missing = led.dir / "nope.txt"
    line = one_line(led("verify", "--checkpoint", str(missing), check=2))
    assert line == f"caseledger: --checkpoint {missing}: no such file"
    garbage = led.dir / "garbage.txt"
    garbage.write_text("this is not a checkpoint\n")
    line = one_line(led("verify", "--checkpoint", str(garbage), check=2))
    assert line.startswith(f"caseledger: --checkpoint {garbage}: not a signed checkpoint: signed note: no blank line")
    assert "TAMPERED" not in led("verify", "--checkpoint", str(garbage), check=2).stdout
    binary = led.dir / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    line = one_line(led("verify", "--checkpoint", str(binary), check=2))
    assert line == f"caseledger: --checkpoint {binary}: not UTF-8 text (byte 0 is not valid UTF-8)"
    assert err(led("verify", "--checkpoint", str(garbage), "--json", check=2))["error"] == "FileError"
    folder = led.dir / "adir"
    folder.mkdir()
    assert one_line(led("verify", "--checkpoint", str(folder), check=2)).endswith(": is a folder, not a file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may read anything")
def test_verify_with_an_unreadable_checkpoint_file_could_not_run(led: Led) -> None:
    cp = led.dir / "cp.txt"
    cp.write_text(led("checkpoint").stdout)
    cp.chmod(0)
    line = one_line(led("verify", "--checkpoint", str(cp), check=2))
    assert line == f"caseledger: --checkpoint {cp}: cannot read it: permission denied"


def test_a_well_formed_checkpoint_that_does_not_match_is_still_tampered(led: Led) -> None:
    note = led("checkpoint").stdout
    good = led.dir / "good.txt"
    good.write_text(note)
    assert js(led("verify", "--checkpoint", str(good), "--json"))["ok"] is True
    origin, size, root, *rest = note.split("\n")
    forged = led.dir / "forged.txt"
    forged.write_text("\n".join([origin, str(int(size) + 1), root, *rest]))  # well formed, badly signed
    report = js(led("verify", "--checkpoint", str(forged), "--json", check=1))
    assert [c["ok"] for c in report["checkpoints"] if c["source"] == str(forged)] == [False]
    assert "TAMPERED" in led("verify", "--checkpoint", str(forged), check=1).stdout


def test_evidence_verify_on_a_file_that_is_not_a_bundle_could_not_run(led: Led) -> None:
    missing = led.dir / "missing.json"
    assert one_line(led("evidence", "verify", str(missing), check=2)) == \
        f"caseledger: evidence bundle {missing}: no such file"
    text = led.dir / "notes.txt"
    text.write_text("Visited Amira at home.\n")
    line = one_line(led("evidence", "verify", str(text), check=2))
    assert line == f"caseledger: evidence bundle {text}: not JSON (Expecting value: line 1 column 1 (char 0))"
    for content, what in [("[1, 2]", "a JSON array"), ('{"format": "other/v2"}', 'its "format" is \'other/v2\''),
                          ('{"events": []}', 'it has no "format"')]:
        other = led.dir / "other.json"
        other.write_text(content)
        proc = led("evidence", "verify", str(other), check=2)
        assert one_line(proc) == (f"caseledger: evidence bundle {other}: JSON, but not a caseledger-evidence/v1 "
                                  f"bundle ({what})"), content
        assert "NOT VALID" not in proc.stdout
        assert err(led("evidence", "verify", str(other), "--json", check=2))["error"] == "FileError"


def test_a_changed_evidence_bundle_is_still_not_valid(led: Led) -> None:
    out = led.dir / "bundle.json"
    led("evidence", "export", "--case", led.case_id, "--as", "grace.obi", "--out", str(out))
    assert "VALID" in led("evidence", "verify", str(out)).stdout
    bundle = json.loads(out.read_text())
    state = bytearray(base64.b64decode(bundle["events"][0]["state"]))
    at = bytes(state).index(b"Amira")
    state[at] ^= 0x20
    bundle["events"][0]["state"] = base64.b64encode(bytes(state)).decode()
    out.write_text(json.dumps(bundle))
    assert "NOT VALID" in led("evidence", "verify", str(out), check=1).stdout


# --- 3. long texts from a file or standard input -----------------------------------------------


def note_args(led: Led, *more: str) -> list[str]:
    return ["note", "add", led.case_id, "--as", "jane.smith", "--kind", "home_visit", "--occurred-at",
            "2026-11-03 10:00", *more, "--json"]


def note_content(led: Led, note_id: str) -> dict[str, Any]:
    shown = js(led("case", "show", led.case_id, "--as", "jane.smith", "--json"))
    (note,) = [n for n in shown["notes"] if n["id"] == note_id]
    return dict(note)


def test_facts_and_other_long_texts_from_a_file_and_from_standard_input(led: Led) -> None:
    facts = "Visited Amira at home with her mother.\n\nThe flat was warm and tidy; " + "She showed me her room. " * 400
    (led.dir / "facts.txt").write_text(facts + "\n")
    (led.dir / "views.txt").write_bytes(b"I like my room.\r\nMum makes pancakes.\r\n")
    nid = js(led(*note_args(led, "--facts", "@facts.txt", "--child-views", "@views.txt", "--analysis", "-",
                            "--actions", "@@home: see the school on Monday"),
                 input="Basic care appears good enough.\nNo concerns about warmth or food.\n"))["note_id"]
    note = note_content(led, nid)
    assert note["facts"] == facts.strip()
    assert note["child_views"] == "I like my room.\nMum makes pancakes."
    assert note["analysis"] == "Basic care appears good enough.\nNo concerns about warmth or food."
    assert note["actions"] == "@home: see the school on Monday"

    (led.dir / "reasons.txt").write_text("The school reports repeated lateness and hunger\n")
    led("decision", "add", led.case_id, "--as", "grace.obi", "--decision", "Complete an assessment",
        "--reasons", "@reasons.txt", "--risks", "-", "--not-chosen", "No further action: concerns repeat",
        input="Possible neglect; no evidence of immediate harm\n")
    decision = js(led("case", "show", led.case_id, "--as", "grace.obi", "--json"))["decisions"][-1]
    assert decision["reasons"] == "The school reports repeated lateness and hunger"
    assert decision["risks_considered"] == "Possible neglect; no evidence of immediate harm"

    (led.dir / "dog.txt").write_text("Large dog loose in the garden;\nask for it to be shut in before visits\n")
    rid = js(led("record", "add", led.case_id, "hazard", "--as", "jane.smith", "--occurred-at", "2026-11-03 10:00",
                 "--set", "type=dangerous_pet", "--set", "started_on=2026-11-03", "--set", "description=@dog.txt",
                 "--set", "source_document=Home visit of 3 November", "--set", "source_date=2026-11-03",
                 "--set", "review_date=2027-03-01", "--json"))["record_id"]
    records = js(led("record", "list", led.case_id, "--as", "jane.smith", "--json"))
    (hazard,) = [r for r in records if r["record_id"] == rid]
    assert hazard["details"]["description"] == "Large dog loose in the garden;\nask for it to be shut in before visits"


def test_a_missing_text_file_is_one_line_and_writes_nothing(led: Led) -> None:
    before = stored(led)
    proc = led(*note_args(led, "--facts", "@nope.txt")[:-1], check=2)
    assert one_line(proc) == "caseledger: --facts @nope.txt: no such file"
    assert err(led(*note_args(led, "--facts", "@nope.txt"), check=2))["error"] == "FileError"
    assert one_line(led(*note_args(led, "--facts", "@")[:-1], check=2)) == \
        "caseledger: --facts @: no file name after @ (write @@ for a text that starts with @)"
    proc = led("note", "amend", led.case_id, led.note_id, "--as", "jane.smith", "--facts", "Visited Amira.",
               "--reason", "@why.txt", check=2)
    assert one_line(proc) == "caseledger: --reason @why.txt: no such file"
    assert stored(led) == before


def test_only_one_option_reads_standard_input(led: Led) -> None:
    before = stored(led)
    proc = led(*note_args(led, "--facts", "-", "--analysis", "-")[:-1], input="text\n", check=2)
    assert one_line(proc) == ("caseledger: --analysis -: standard input is already read by --facts; only one "
                              "option may read it (give the others @FILE)")
    assert stored(led) == before


def test_the_help_says_how_to_give_a_long_text() -> None:
    top = CliRunner().invoke(main_group(), ["--help"]).output
    assert "@FILE" in top and "@@" in top and "standard input" in top
    note_help = CliRunner().invoke(main_group(), ["note", "add", "--help"]).output
    assert "@FILE" in note_help


def main_group() -> Any:
    from commands.cli import cli

    return cli


# --- 4. identity on the command line -----------------------------------------------------------


def test_the_help_and_the_readme_say_that_the_cli_trusts_as() -> None:
    top = " ".join(CliRunner().invoke(main_group(), ["--help"]).output.split())
    assert "anyone who can run caseledger against a ledger can act as anyone" in top
    assert "only for the person who holds the database itself" in top
    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split("## Using it", 1)[1]
                      .split("```sh", 1)[0].split())
    assert "anyone who can run `caseledger` against a ledger can act as anyone" in readme
    assert "only for the person who holds the database itself" in readme
    assert "operating-system user" in readme


def all_events(db: str, after: int = 0) -> list[Any]:
    app = CaseLedger(db)
    try:
        return [app.mapper.to_domain_event(n)
                for n in app.recorder.select_notifications(after + 1, 1_000_000)]
    finally:
        app.close()


def max_id(db: str) -> int:
    app = CaseLedger(db)
    try:
        return int(app.recorder.max_notification_id() or 0)
    finally:
        app.close()


def assert_cli_channel(event: Any, command: str | None = None) -> dict[str, Any]:
    where = f"{type(event).__qualname__} of stream {event.originator_id} version {event.originator_version}"
    channel = event.actor.get("channel")
    assert channel is not None, f"{where}: no channel"
    assert channel["kind"] == "cli" and channel["os_user"] == OS_USER and channel["os_uid"] == os.getuid(), where
    assert channel["host"] == HOST and isinstance(channel["process"], int), where
    if command is not None:
        assert channel["command"] == command, (where, channel)
    return dict(channel)


def test_every_event_written_through_the_cli_names_the_os_user_host_and_command(led: Led) -> None:
    led("decision", "add", led.case_id, "--as", "grace.obi", "--decision", "Complete an assessment",
        "--reasons", "School reports", "--risks", "Neglect", "--not-chosen", "NFA: concerns repeat")
    led("milestone", "add", led.case_id, "contact", "--as", "jane.smith", "--occurred-at", "2026-10-28 09:30",
        "--set", "source=school", "--set", "channel=telephone")
    led("note", "delete", led.case_id, led.note_id, "--as", "grace.obi", "--reason",
        "Recorded on the wrong child in error")
    led("case", "show", led.case_id, "--as", "omar.farah", "--purpose", "Covering duty for the team today")
    events = all_events(str(led.dir / led.db))
    topics = {type(e).__qualname__ for e in events}
    assert {"StaffMember.Joined", "CaseRecord.Opened", "CaseRecord.CaseNoteRecorded", "CaseRecord.CaseNoteFinalised",
            "CaseRecord.DecisionRecorded", "CaseRecord.MilestoneRecorded", "CaseRecord.CaseNoteDeleted",
            "AccessLog.LogOpened", "AccessLog.AttemptRecorded"} <= topics, topics
    processes = set()
    for e in events:
        channel = assert_cli_channel(e)
        processes.add(channel["process"])
    assert os.getpid() not in processes and len(processes) > 5  # each command its own process
    by_topic = {type(e).__qualname__: e.actor["channel"]["command"] for e in events}
    assert by_topic["StaffMember.Joined"] == "caseledger staff add"
    assert by_topic["CaseRecord.Opened"] == "caseledger case open"
    assert by_topic["CaseRecord.CaseNoteDeleted"] == "caseledger note delete"
    # the first administrator, added by nobody, is recorded with the channel too
    assert events[0].actor["staff_id"] == "system" and events[0].actor["channel"]["command"] == "caseledger staff add"
    # it is shown where the author is: case show --json
    shown = js(led("case", "show", led.case_id, "--as", "grace.obi", "--json"))
    assert shown["decisions"][-1]["decided_by"]["channel"]["os_user"] == OS_USER
    # and the ledger with the channel stamps still verifies
    assert js(led("verify", "--json"))["ok"] is True


def cli(db: str, *args: str, input: str | None = None) -> tuple[int, str, str]:
    with CliRunner().isolation(input=input) as (out, err_, _):
        try:
            main([*args, "--db", db])
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
        return code, out.getvalue().decode(), err_.getvalue().decode()


def test_roll_backs_and_reviews_through_the_cli_carry_the_channel_and_old_events_still_load(
        db: str, borough: Borough, clock: Clock) -> None:
    """Events written through the Python API (no channel, as older events) and through the CLI live
    side by side; both load and verify."""
    s = story(borough, clock)
    mark = max_id(db)
    code, out, e = cli(db, "rollback", "request", "--as", "sam.hd", "--case", str(s.case_id), "--before-milestone",
                       str(s.wrong), "--matter", "cf_assessment_authorised", "--raised-by", "grace.obi", "--reason",
                       REASON, "--json")
    assert code == 0, e
    rid = json.loads(out)["id"]
    assert cli(db, "rollback", "agree", rid, "--as", "helen.cole")[0] == 0
    assert cli(db, "rollback", "carry-out", rid, "--as", "sam.hd")[0] == 0
    code, _, e = cli(db, "case", "show", str(s.case_id), "--as", "cp.worker", "--purpose",
                     "Covering the duty rota for Assessment today")
    assert code == 0, e
    code, out, e = cli(db, "access", "alerts", "--as", "helen.cole", "--json")
    assert code == 0, e
    ref = json.loads(out)["alerts"][0]["ref"]
    code, _, e = cli(db, "access", "review", "--as", "helen.cole", "--attempt", ref, "--outcome", "appropriate",
                     "--note", "Checked with the duty manager: covering the rota")
    assert code == 0, e
    old = all_events(db)[:mark]
    assert old and all("channel" not in ev.actor for ev in old)
    new = all_events(db, after=mark)
    topics = {type(ev).__qualname__ for ev in new}
    assert {"RollbackRequest.Requested", "RollbackRequest.Agreed", "RollbackRequest.CarriedOut",
            "CaseRecord.RolledBack", "AttemptReview.Reviewed", "AccessLog.AttemptRecorded"} <= topics, topics
    for ev in new:
        channel = assert_cli_channel(ev)
        assert channel["process"] == os.getpid()
    commands = {type(ev).__qualname__: ev.actor["channel"]["command"] for ev in new}
    assert commands["CaseRecord.RolledBack"] == "caseledger rollback carry-out"
    assert commands["AttemptReview.Reviewed"] == "caseledger access review"
    app = CaseLedger(db)
    try:
        from ledger.integrity.chains import verify_store

        assert verify_store(app.recorder).ok
        assert app.case(s.case_id).version > 0
    finally:
        app.close()
