"""schemathesis against the generated OpenAPI document (issue 13): every operation, with a real staff
member's API token, with a bounded number of generated requests each: no 5xx, and every response
conforms to the schema the document gives for it (its status code, content type, headers and body).

On both backends (``tests.api_support.api_db``): the routes are the same code, but what the store
answers (its errors, its types) is not.

The requests go through the real application (``create_app``) in this process, over a ledger with
the staff of ``tests.conftest.STAFF`` and Amira Hassan's case; a team manager signs them (Grace
Obi: she may read and act on her team's cases, so generated requests reach the routes' work, not
only their refusals). Generated requests write to that ledger (notes, decisions, cases): it is
a ledger of this module's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from commands.api.settings import Settings
from ledger.integrity.checkpoint import SigningKey
from tests.api_support import Api, api_db, build_api  # noqa: F401  (api_db: a fixture)

EXAMPLES = 15  # generated requests per operation (bounded: the whole run stays well under a minute)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def served(api_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:  # noqa: F811
    key = tmp_path_factory.mktemp("schema") / "ledger.key"  # the server's signing key, as a real server has
    SigningKey.generate("test.example/caseledger").save(key)
    yield from build_api(api_db, settings=lambda db: Settings(db=db, key=str(key)))


def _call(case: Any, served: Api) -> None:
    headers = {**(case.headers or {}), "Authorization": f"Bearer {served.tokens['grace.obi']}"}
    if "case" in (case.path_parameters or {}) and sum(map(ord, str(case.path_parameters["case"]))) % 3:
        # two in three generated requests name Amira's case, so the routes' work is reached beyond "not found"
        case.path_parameters["case"] = served.case_id
    case.call_and_validate(headers=headers, checks=CHECKS)


def test_every_operation_answers_within_its_schema_and_never_5xx(served: Api) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", served.client.app)
    failures: dict[str, str] = {}
    operations = 0
    for found in schema.get_all_operations():
        operation = found.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def each(case: Any) -> None:
            _call(case, served)

        try:
            each()
        except Exception as e:  # noqa: BLE001 - every operation is tried; all failures are reported together
            failures[operation.label] = str(e)[:3000]
    assert operations >= 20
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())

