"""One date format for people everywhere (issue 11): ``05 Dec 2026`` and ``05 Dec 2026 14:30 GMT``
(BST in summer) wherever a person reads a date or a time; ISO 8601 (with its offset for a moment)
in JSON and CSV, for machines."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ledger.application import LONDON, CaseLedger
from ledger.records.dates import day_text, iso_day_text, iso_moment_text, moment_text
from tests.conftest import Clock, add_staff, open_amira
from tests.test_views import EXE, build

ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
PEOPLE_DAY = re.compile(r"\b\d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b")
PEOPLE_MOMENT = re.compile(PEOPLE_DAY.pattern + r" \d{2}:\d{2} (GMT|BST)\b")
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
#: A moment in JSON: ISO 8601 with its offset.
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?[+-]\d{2}:\d{2}$")


def test_a_day_reads_05_dec_2026() -> None:
    assert day_text(dt.date(2026, 12, 5)) == "05 Dec 2026"
    assert day_text(None) == "-"
    assert iso_day_text("2026-12-05") == "05 Dec 2026"


def test_a_moment_reads_in_london_time_with_the_zone_named() -> None:
    assert moment_text(dt.datetime(2026, 12, 5, 14, 30, tzinfo=LONDON)) == "05 Dec 2026 14:30 GMT"
    assert moment_text(dt.datetime(2026, 12, 5, 14, 30, tzinfo=dt.UTC)) == "05 Dec 2026 14:30 GMT"
    assert iso_moment_text("2026-12-05T14:30:00+00:00") == "05 Dec 2026 14:30 GMT"


def test_a_summer_moment_is_bst_and_its_day_is_the_london_day() -> None:
    summer = dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC)  # 00:30 on 2 July in London
    assert moment_text(summer) == "02 Jul 2026 00:30 BST"
    assert day_text(summer) == "02 Jul 2026"


def test_a_moment_without_a_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^the moment 2026-12-05T14:30:00 has no time zone$"):
        moment_text(dt.datetime(2026, 12, 5, 14, 30))
    with pytest.raises(ValueError, match=r"^the moment 2026-12-05T14:30:00 has no time zone$"):
        day_text(dt.datetime(2026, 12, 5, 14, 30))


# --- end to end: what people read, and what machines read ---------------------------------------------


def caseledger(*args: str, who: str = "grace.obi") -> str:
    proc = subprocess.run([str(EXE), *args, "--as", who], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A small ledger built with notes, milestones, a summary, a deleted note and reads: (db, case id)."""
    db = str(tmp_path_factory.mktemp("dates") / "borough.db")
    clock = Clock()
    app = CaseLedger(db, clock=clock)
    c = open_amira(app, clock, referral_source="school")
    build(app, clock, c.id)
    app.close()
    return db, str(c.id)


COMMANDS = {
    "case view": ("case", "view"),
    "chronology": ("chronology",),
    "summary": ("summary",),
    "history": ("history",),
}


@pytest.mark.parametrize("name", [*COMMANDS, "access report"])
def test_people_read_no_iso_date_and_machines_read_iso_with_offsets(built: tuple[str, str], name: str) -> None:
    db, cid = built
    if name == "access report":
        args: tuple[str, ...] = ("access", "report", "--case", cid, "--from", "2026-01-01", "--db", db)
        who = "helen.cole"
    else:
        args, who = (*COMMANDS[name], cid, "--db", db), "grace.obi"
    text = caseledger(*args, who=who)
    without_ids = UUID.sub("<id>", text)
    assert ISO_DAY.findall(without_ids) == [], without_ids
    assert PEOPLE_DAY.search(text), text
    if name not in ("chronology", "summary"):  # of days; the others show times, with the zone named
        assert PEOPLE_MOMENT.search(text), text
        # (an access flag's words keep the time they had: the evidence bundle re-derives them exactly)
        own = "\n".join(line for line in without_ids.splitlines() if "FLAG:" not in line)
        assert not re.search(r"\b\d{2}:\d{2}\b(?! (GMT|BST))", own), text

    data = json.loads(caseledger(*args, "--json", who=who))
    moments, days = _moments_and_days(data)
    assert moments or days, data
    assert all(ISO_MOMENT.match(m) for m in moments), moments
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in days), days
    assert not any(PEOPLE_DAY.fullmatch(v) for v in _strings(data))  # no date as people read it, alone


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def _moments_and_days(data: Any) -> tuple[list[str], list[str]]:
    """The values in the JSON that are a date-time (which must carry an offset) and a date."""
    strings = _strings(data)
    moments = [s for s in strings if re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", s)]
    days = [s for s in strings if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s)]
    return moments, days


def test_the_access_report_table_fits_the_zone_name(built: tuple[str, str]) -> None:
    db, cid = built
    text = caseledger("access", "report", "--case", cid, "--from", "2026-01-01", "--db", db, who="helen.cole")
    head = next(line for line in text.splitlines() if line.startswith("ref "))
    rows = [line for line in text.splitlines() if re.match(r"^A\d+ ", line)]
    assert rows, text
    column = head.index("part")
    for row in rows:  # every time, with its zone, ends before the next column starts
        found = PEOPLE_MOMENT.search(row)
        assert found is not None and found.end() < column, row
    assert "Times are London time" not in text


def test_a_refusal_names_the_date_as_people_read_it(tmp_path: Path) -> None:
    db = str(tmp_path / "borough.db")
    app = CaseLedger(db, clock=Clock())
    add_staff(app)
    app.close()
    proc = subprocess.run([str(EXE), "case", "open", "--db", db, "--as", "jane.smith", "--child", "Amira Hassan",
                           "--dob", "2026-10-29", "--referral-date", "2026-10-28", "--source", "school",
                           "--team", "Assessment", "--worker", "jane.smith"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "--dob 29 Oct 2026 is after the --referral-date 28 Oct 2026" in proc.stderr
