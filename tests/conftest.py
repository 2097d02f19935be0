"""Shared fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL is found at ``CASELEDGER_TEST_PG`` (default
``postgresql://postgres@127.0.0.1:5432/test``). Each test gets a schema of its own, dropped
afterwards. When no server answers, PostgreSQL tests skip locally, and fail under CI
(``CI`` set), because there they must run.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ledger.access.log import ATTEMPT_TOPICS
from ledger.application import LONDON, CaseLedger
from ledger.errors import LedgerError

PG_URL = os.environ.get("CASELEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]

_pg_state: dict[str, Any] = {}


def pg_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    if "error" not in _pg_state:
        try:
            with psycopg.connect(PG_URL, connect_timeout=3) as conn:
                conn.execute("SELECT 1")
            _pg_state["error"] = None
        except psycopg.Error as e:
            _pg_state["error"] = str(e).strip()
    return _pg_state["error"]


def require_pg() -> None:
    error = pg_available()
    if error is None:
        return
    message = f"PostgreSQL is not reachable at {PG_URL}: {error}"
    if os.environ.get("CI"):
        pytest.fail(message + " (under CI the PostgreSQL tests must run)")
    pytest.skip(message)


@pytest.fixture(scope="session", autouse=True)
def _session_config_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Pinned verifier keys (``commands.pins``) go to a temporary folder, never the real home: for the
    session's own fixtures (module-scoped ledgers built before any test's fixture runs)."""
    with pytest.MonkeyPatch.context() as mp:
        _point_config_at(mp, tmp_path_factory.mktemp("config"))
        yield


@pytest.fixture(autouse=True)
def config_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own configuration folder (where init pins verifier keys): CASELEDGER_CONFIG_DIR, and
    XDG_CONFIG_HOME for the subprocess tests that drop every CASELEDGER_ variable."""
    return _point_config_at(monkeypatch, tmp_path_factory.mktemp("config"))


def _point_config_at(mp: pytest.MonkeyPatch, folder: Path) -> Path:
    mp.setenv("CASELEDGER_CONFIG_DIR", str(folder / "caseledger"))
    mp.setenv("XDG_CONFIG_HOME", str(folder))
    return folder / "caseledger"


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose tables live in a fresh schema, dropped after the test."""
    require_pg()
    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}schema={schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """A fresh ledger location on each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.db")
    return str(request.getfixturevalue("pg_schema_url"))


class Clock:
    """A clock the test moves by hand (London working hours by default)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 11, 2, 9, 0, tzinfo=LONDON)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now = self.now + dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(db: str, clock: Clock) -> Iterator[CaseLedger]:
    app = CaseLedger(db, clock=clock)
    try:
        yield app
    finally:
        app.close()


@dataclass
class Borough:
    """A small staff directory used by the rule tests."""

    ledger: CaseLedger
    case_id: uuid.UUID


STAFF = [
    # staff id, full name, designation, team, roles
    ("admin", "Priya Raman", "Systems Administrator", "Business Support", ["admin"]),
    ("jane.smith", "Jane Smith", "Social Worker", "Assessment", ["social_worker"]),
    ("omar.farah", "Omar Farah", "Senior Practitioner", "Assessment", ["senior_practitioner"]),
    ("grace.obi", "Grace Obi", "Team Manager", "Assessment", ["team_manager"]),
    ("liam.walsh", "Liam Walsh", "Team Manager", "Child Protection", ["team_manager"]),
    ("helen.cole", "Helen Cole", "Service Manager", "Safeguarding", ["service_manager"]),
    ("sam.hd", "Sam Hughes", "Helpdesk Analyst", "LCS Helpdesk", ["helpdesk"]),
    ("ann.audit", "Ann Dale", "Quality Assurance Auditor", "Quality Assurance", ["auditor"]),
    ("cp.worker", "Kofi Mensah", "Social Worker", "Child Protection", ["social_worker"]),
]


def add_staff(app: CaseLedger) -> None:
    for staff_id, name, designation, team, roles in STAFF:
        app.staff.add(None if staff_id == "admin" else "admin", staff_id=staff_id, full_name=name,
                      designation=designation, team=team, roles=roles)


def open_amira(app: CaseLedger, clock: Clock, *, referral_source: str = "school: designated safeguarding lead") -> Any:
    """The staff above and one open case, an hour later: Amira Hassan, Assessment team, Jane Smith."""
    add_staff(app)
    case = app.cases.open(
        "jane.smith", child_name="Amira Hassan", date_of_birth=dt.date(2016, 5, 14),
        referral_date=dt.date(2026, 10, 28), referral_source=referral_source,
        team="Assessment", worker="jane.smith",
    )
    clock.advance(hours=1)
    return case


@pytest.fixture
def borough(ledger: CaseLedger, clock: Clock) -> Borough:
    """The staff above and one open case: Amira Hassan, Assessment team, Jane Smith."""
    return Borough(ledger, open_amira(ledger, clock).id)


def refused(app: CaseLedger, error: type[LedgerError], message: str,
            command: Callable[..., Any], *args: Any, **kwargs: Any) -> LedgerError:
    """Run a command that must be refused with exactly ``error``; check nothing was written.

    Nothing but the access attempt itself: every attempt on a case, granted or denied, is
    recorded in the access log (policy s.11), so a refused command may leave at most that one
    access-log event, and never an event on the case or anywhere else.
    """
    before = app.recorder.max_notification_id() or 0
    with pytest.raises(error, match=message) as caught:
        command(*args, **kwargs)
    assert type(caught.value) is error, f"{type(caught.value).__name__}: {caught.value}"
    written = [n.topic for n in app.recorder.select_notifications(before + 1, 100)]
    assert all(t in ATTEMPT_TOPICS for t in written) and len(written) <= 1, \
        f"a refused command wrote events: {written}"
    return caught.value
