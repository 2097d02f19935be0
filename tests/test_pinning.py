"""The verifier key pinned at init (``commands.pins``): plain ``caseledger verify`` checks against it.

The attacker here has file access to the ledger's folder (the database and the key file beside
it) but not to the user's configuration folder, where init pinned the verifier key. Each test has
its own configuration folder (``config_dir``, tests/conftest.py); the subprocess runs of
``tests.test_cli.run`` drop every CASELEDGER_ variable and find it through XDG_CONFIG_HOME.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from commands.cli import cli
from ledger.integrity.checkpoint import SigningKey
from tests.test_cli import err, js, run

ORIGIN = "borough.example/caseledger"


def pinned_in(config_dir: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = tomllib.loads((config_dir / "verifiers.toml").read_text())["ledger"]
    return entries


def staffed_ledger(d: Path, db: str = "borough.db") -> dict[str, Any]:
    """init, the admin and a checkpoint over it: what init printed (--json)."""
    made = js(run(d, "init", "--db", db, "--origin", ORIGIN, "--json"))
    run(d, "staff", "add", "--db", db, "--id", "admin", "--name", "Priya Raman", "--designation",
        "Systems Administrator", "--team", "Business Support", "--role", "admin")
    run(d, "checkpoint", "--db", db)
    return dict(made)


def test_init_pins_the_verifier_key_outside_the_ledger_and_verify_uses_it(tmp_path: Path,
                                                                          config_dir: Path) -> None:
    made = staffed_ledger(tmp_path)
    pins_file = config_dir / "verifiers.toml"
    assert made["pin"] == "pinned" and made["pinned_in"] == str(pins_file)
    assert not pins_file.is_relative_to(tmp_path)
    assert pinned_in(config_dir) == [{"location": str((tmp_path / "borough.db").resolve()), "origin": ORIGIN,
                                      "verifier_key": made["verifier_key"],
                                      "pinned_at": pinned_in(config_dir)[0]["pinned_at"]}]
    text = run(tmp_path, "init", "--db", "borough.db").stdout
    assert f"Verifier key already pinned in {pins_file} (verify checks against it, not the key file)." in text

    checked = run(tmp_path, "verify", "--db", "borough.db")
    assert "Intact:" in checked.stdout
    assert f"Verified against the verifier key pinned at init in {pins_file}." in checked.stdout
    assert "WARNING" not in checked.stderr
    report = js(run(tmp_path, "verify", "--db", "borough.db", "--json"))
    assert report["ok"] is True
    assert report["verifier"] == {"source": "pinned", "verifier_key": made["verifier_key"],
                                  "pinned_in": str(pins_file), "key_file_replaced": False}


def test_a_ledger_and_key_file_replaced_together_fail_plain_verify_when_pinned(tmp_path: Path,
                                                                               config_dir: Path) -> None:
    """An attacker with file access builds a ledger of their own (same origin, their own key, every
    checkpoint signed by it) and puts it and its key file in place of the real ones."""
    staffed_ledger(tmp_path)
    elsewhere = tmp_path / "attacker"
    elsewhere.mkdir()
    attackers_config = {"XDG_CONFIG_HOME": str(tmp_path / "attacker-config")}
    run(elsewhere, "init", "--db", "forged.db", "--origin", ORIGIN, env=attackers_config)
    run(elsewhere, "staff", "add", "--db", "forged.db", "--id", "admin", "--name", "Someone Else",
        "--designation", "Systems Administrator", "--team", "Business Support", "--role", "admin")
    run(elsewhere, "checkpoint", "--db", "forged.db")
    shutil.copy(elsewhere / "forged.db", tmp_path / "borough.db")
    shutil.copy(elsewhere / "forged.key", tmp_path / "borough.key")

    checked = run(tmp_path, "verify", "--db", "borough.db", check=1)
    out = checked.stdout
    assert out.startswith("KEY FILE REPLACED: the signing key file beside the ledger is not the key pinned at init: "
                          "it was replaced.")
    assert "TAMPERED" in out and "checkpoint stored #1 (size 0): signature or format: signed note: no signature " \
        "from key borough.example/caseledger+" in out
    report = js(run(tmp_path, "verify", "--db", "borough.db", "--json", check=1))
    assert report["ok"] is False and report["verifier"]["key_file_replaced"] is True
    assert "KEY FILE REPLACED" in report["key_file_problem"]

    # Without the pin the same files pass: the key file vouches for itself (with the warning).
    (config_dir / "verifiers.toml").unlink()
    trusting = run(tmp_path, "verify", "--db", "borough.db")
    assert "Intact:" in trusting.stdout and "pinned" not in trusting.stdout
    assert "WARNING: verifying with the verifier of the signing key file borough.key, not a key you keep" \
        in trusting.stderr


def test_a_replaced_key_file_is_reported_before_it_signs_and_its_checkpoints_fail(tmp_path: Path) -> None:
    staffed_ledger(tmp_path)
    key_file = tmp_path / "borough.key"
    key_file.unlink()
    SigningKey.generate(ORIGIN).save(key_file)
    before = run(tmp_path, "verify", "--db", "borough.db", check=1).stdout
    assert "KEY FILE REPLACED" in before and "borough.key: its verifier key is borough.example/caseledger+" in before
    assert "Intact:" in before  # nothing it signed yet: the events and checkpoints are as they were
    run(tmp_path, "checkpoint", "--db", "borough.db")
    after = run(tmp_path, "verify", "--db", "borough.db", check=1).stdout
    assert "checkpoint stored #3" in after and "no signature from key" in after
    assert "checkpoint stored #2" not in after  # signed by the pinned key


def test_init_never_replaces_a_pin_silently(tmp_path: Path, config_dir: Path) -> None:
    made = staffed_ledger(tmp_path)
    key_file = tmp_path / "borough.key"
    key_file.unlink()
    refused = run(tmp_path, "init", "--db", "borough.db", "--json", check=1)
    message = err(refused)["message"]
    assert message.startswith(f"the ledger at {(tmp_path / 'borough.db').resolve()} has the verifier key "
                              f"{made['verifier_key']} pinned in {config_dir / 'verifiers.toml'}")
    assert "but there is no signing key at borough.key (a new one would be made)" in message
    assert "run again with --repin" in message
    assert not key_file.exists()  # refused before a new key was made
    SigningKey.generate(ORIGIN).save(key_file)
    assert "but its signing key borough.key is borough.example/caseledger+" in err(
        run(tmp_path, "init", "--db", "borough.db", "--json", check=1))["message"]
    assert pinned_in(config_dir)[0]["verifier_key"] == made["verifier_key"]

    again = js(run(tmp_path, "init", "--db", "borough.db", "--repin", "--json"))
    assert again["pin"] == "re-pinned" and pinned_in(config_dir)[0]["verifier_key"] == again["verifier_key"]
    # The checkpoints signed with the old key now fail against the new pin: repinning is no way round them.
    assert "no signature from key" in run(tmp_path, "verify", "--db", "borough.db", check=1).stdout


def test_the_demo_pins_and_demo_replace_re_pins(tmp_path: Path, config_dir: Path) -> None:
    first = js(run(tmp_path, "demo", "--children", "1", "--json", timeout=180))
    assert first["pin"] == "pinned" and pinned_in(config_dir)[0]["verifier_key"] == first["verifier_key"]
    (tmp_path / "caseledger.key").unlink()
    rebuilt = json.loads(run(tmp_path, "demo", "--replace", "--children", "1", "--json", timeout=180).stdout)
    assert rebuilt["pin"] == "re-pinned" and rebuilt["verifier_key"] != first["verifier_key"]
    assert [p["verifier_key"] for p in pinned_in(config_dir)] == [rebuilt["verifier_key"]]
    assert "Verified against the verifier key pinned at init" in run(tmp_path, "verify").stdout


def test_pinned_on_both_backends_by_location_without_a_password(db: str, tmp_path: Path, config_dir: Path) -> None:
    key_file = tmp_path / "ledger.key"
    runner = CliRunner()
    made = runner.invoke(cli, ["init", "--db", db, "--key", str(key_file), "--json"])
    assert made.exit_code == 0, made.output
    (entry,) = pinned_in(config_dir)
    if "://" in db:
        assert entry["location"].startswith("postgresql://postgres@127.0.0.1:5432/")
        assert entry["location"].endswith(f"?schema={db.rsplit('schema=', 1)[1]}")
    else:
        assert entry["location"] == str(Path(db).resolve())
    checked = runner.invoke(cli, ["verify", "--db", db, "--key", str(key_file), "--json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["verifier"]["source"] == "pinned" and "WARNING" not in checked.stderr
    key_file.unlink()
    SigningKey.generate("local-authority.example/caseledger").save(key_file)
    replaced = runner.invoke(cli, ["verify", "--db", db, "--key", str(key_file)])
    assert replaced.exit_code == 1
    assert "KEY FILE REPLACED" in replaced.stdout


@pytest.mark.parametrize("content, problem", [
    ("[[ledger]\n", "is not valid TOML"),
    ('[[ledger]]\nlocation = 3\n', "[[ledger]] entry 1 must hold the strings location, origin, verifier_key, "
                                   "pinned_at"),
], ids=["not-toml", "not-strings"])
def test_a_broken_pins_file_could_not_run(tmp_path: Path, config_dir: Path, content: str, problem: str) -> None:
    staffed_ledger(tmp_path)
    (config_dir / "verifiers.toml").write_text(content)
    refused = run(tmp_path, "verify", "--db", "borough.db", check=2)
    assert f"caseledger: the pinned verifier keys file {config_dir / 'verifiers.toml'}" in refused.stderr
    assert problem in refused.stderr
