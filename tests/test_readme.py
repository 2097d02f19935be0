"""The README's walk-through works as written (run in a fresh folder, on SQLite)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def walkthrough() -> str:
    text = README.read_text()
    section = text.split("## Using it", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def test_the_using_it_walkthrough_runs_as_written(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", walkthrough()], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Amira Hassan" in proc.stdout
    assert "Intact:" in proc.stdout
    assert "Recording compliance for the case of Amira Hassan" in proc.stdout
    assert "Chronology: Amira Hassan" in proc.stdout
    html = (tmp_path / "chronology.html").read_text()
    assert "Amira Hassan" in html and "@page" in html


def test_the_rollback_walkthrough_runs_as_written(tmp_path: Path) -> None:
    """The "Roll-backs" section: request, agree, carry out, record again, report, on the demo borough."""
    section = README.read_text().split("## Roll-backs", 1)[1]
    script = re.search(r"```sh\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = proc.stdout
    assert "Process events it would supersede" in out and "Casework recorded after the point, which stays" in out
    assert "Agreed roll-back" in out and "Carried out roll-back" in out and "casework untouched" in out
    assert "Recorded authorising a child and family assessment (cf_assessment_authorised)" in out
    assert "[superseded by roll-back" in out and "carried out by" in out
    assert "Per process matter:\n  cf_assessment_authorised: 1 requested, 1 agreed" in out
    assert "Intact:" in out
