"""What the HTTP API tests share: a borough served by the API on each backend, once per test module.

``api`` (module-scoped, on SQLite and on PostgreSQL, like ``tests.conftest.db``): the staff of
``tests.conftest.STAFF`` and Amira Hassan's case, an API token for every staff member, and FastAPI's
test client on ``create_app``. Tests read what the ledger recorded through the server's own ledger
(:meth:`Api.ledger_do`), never by mocking it. The modules import the fixture by name.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import psycopg
import pytest
from fastapi.testclient import TestClient

from commands.api import Settings, create_app
from commands.api.server import Server
from ledger.access.log import ATTEMPT_TOPICS
from ledger.access.security import SECURITY_TOPICS
from ledger.application import CaseLedger
from tests.conftest import BACKENDS, PG_URL, Clock, open_amira, require_pg

T = TypeVar("T")


@pytest.fixture(scope="module", params=BACKENDS)
def api_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh ledger location on each backend, for one test module."""
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("api") / "ledger.db")
        return
    require_pg()
    schema = "api_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}schema={schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@dataclass
class Api:
    db: str
    clock: Clock
    client: TestClient
    case_id: str
    tokens: dict[str, str] = field(default_factory=dict)
    token_ids: dict[str, str] = field(default_factory=dict)

    @property
    def server(self) -> Server:
        server = self.client.app.state.server  # type: ignore[attr-defined]
        assert isinstance(server, Server)
        return server

    def ledger_do(self, work: Callable[[CaseLedger], T]) -> T:
        """``work`` with the server's ledger, as a request's work runs."""
        return self.server.run_now(work)

    def auth(self, staff_id: str, **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[staff_id]}", **headers}

    def get(self, path: str, staff_id: str, **kwargs: Any) -> Any:
        headers = {**self.auth(staff_id), **kwargs.pop("headers", {})}
        return self.client.get(f"/api/v1{path}", headers=headers, **kwargs)

    def post(self, path: str, staff_id: str, **kwargs: Any) -> Any:
        headers = {**self.auth(staff_id), **kwargs.pop("headers", {})}
        return self.client.post(f"/api/v1{path}", headers=headers, **kwargs)

    def patch(self, path: str, staff_id: str, **kwargs: Any) -> Any:
        headers = {**self.auth(staff_id), **kwargs.pop("headers", {})}
        return self.client.patch(f"/api/v1{path}", headers=headers, **kwargs)

    def head(self) -> int:
        return self.ledger_do(lambda led: led.recorder.max_notification_id() or 0)

    def events_since(self, position: int, topics: tuple[str, ...] = ()) -> list[Any]:
        """The events recorded after ``position`` (of ``topics``), decoded, in order."""
        def read(led: CaseLedger) -> list[Any]:
            rows = led.recorder.select_notifications(position + 1, 1000, topics=list(topics))
            return [led.mapper.to_domain_event(n) for n in rows]
        return self.ledger_do(read)

    def attempts_since(self, position: int) -> list[Any]:
        return self.events_since(position, ATTEMPT_TOPICS)

    def failures_since(self, position: int) -> list[Any]:
        return self.events_since(position, SECURITY_TOPICS)


def build_api(db: str, settings: Callable[[str], Settings] | None = None,
              prepare: Callable[[CaseLedger, Clock], None] | None = None) -> Iterator[Api]:
    """Amira's borough on ``db``, a token for every staff member, and a test client (closed after)."""
    clock = Clock()
    ledger = CaseLedger(db, clock=clock)
    try:
        case = open_amira(ledger, clock)
        issued = {m.staff_id: ledger.tokens.issue("admin", m.staff_id, label="tests")
                  for m in ledger.list_staff()}
        if prepare is not None:
            prepare(ledger, clock)
    finally:
        ledger.close()
    chosen = settings(db) if settings is not None else Settings(db=db)
    app = create_app(dataclasses.replace(chosen, clock=clock))
    with TestClient(app) as client:
        yield Api(db, clock, client, str(case.id), {s: t.token for s, t in issued.items()},
                  {s: t.token_id for s, t in issued.items()})


def problem(response: Any, status: int) -> dict[str, Any]:
    """The response's problem details, checked to be RFC 9457 with ``status``."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json", response.headers
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"] == "about:blank", body
    assert isinstance(body["detail"], str) and body["detail"], body
    assert "Traceback" not in response.text
    return body  # type: ignore[no-any-return]
