"""Many people at once through one server process, on both backends: requests run side by side (no
process-wide lock), every answer is right, every read's access attempt is recorded exactly once,
every note written is stored once, the ledger verifies, and the access attempts of requests that
arrived together shared commits (the committer's counters show fewer transactions than attempts).

Each request carries a User-Agent of its own, which its access attempts record (their ``origin``),
so the test can find each request's attempts among everyone's."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from ledger.integrity.verify import verify_ledger
from tests.api_support import Api, api_db, build_api

__all__ = ["api_db"]

THREADS = 16
ROUNDS = 6  # each thread's requests: reads of several kinds, a refused read, a note written


@pytest.fixture(scope="module")
def api(api_db: str) -> Iterator[Api]:
    yield from build_api(api_db)


def _note(n: str) -> dict[str, Any]:
    return {"kind": "home_visit", "occurred_at": "2026-11-02 08:15",
            "facts": f"Visited Amira at home with her mother ({n}); the flat was warm and tidy."}


def test_requests_run_side_by_side_and_every_attempt_is_recorded_once(api: Api) -> None:
    cid = api.case_id
    before = api.head()
    committer = api.server.ledger.attempt_committer
    tx_before, attempts_before = committer.transactions, committer.attempts
    in_flight, most_in_flight = [0], [0]
    counting = threading.Lock()
    start = threading.Barrier(THREADS)

    def one(worker: int) -> list[tuple[str, str, int, Any]]:
        """(kind, user agent, status, body) of each request this worker sent."""
        start.wait()
        done = []
        for r in range(ROUNDS):
            agent = f"concurrency-test/{worker}/{r}"
            kind = ("view", "chronology", "summary", "refused", "note", "view")[r]
            with counting:
                in_flight[0] += 1
                most_in_flight[0] = max(most_in_flight[0], in_flight[0])
            try:
                headers = {"User-Agent": agent}
                if kind == "note":
                    response = api.post(f"/cases/{cid}/notes", "jane.smith", json=_note(agent), headers=headers)
                elif kind == "refused":  # another team's worker, no reason given
                    response = api.get(f"/cases/{cid}", "cp.worker", headers=headers)
                else:
                    path = {"view": f"/cases/{cid}", "chronology": f"/cases/{cid}/chronology",
                            "summary": f"/cases/{cid}/summary"}[kind]
                    response = api.get(path, ("jane.smith", "grace.obi", "omar.farah")[worker % 3], headers=headers)
            finally:
                with counting:
                    in_flight[0] -= 1
            done.append((kind, agent, response.status_code, response.json()))
        return done

    with ThreadPoolExecutor(THREADS) as pool:
        answers = [a for found in pool.map(one, range(THREADS)) for a in found]

    assert most_in_flight[0] > 1
    # every answer right
    notes_written = {}
    for kind, agent, status, body in answers:
        if kind == "refused":
            assert status == 403, body
            assert "Amira" not in str(body) and body["detail"].startswith("access denied"), body
        elif kind == "note":
            assert status == 201, body
            notes_written[body["note_id"]] = agent
        else:
            assert status == 200, (kind, body)
            assert body["case_id"] == cid, body
            if kind == "view":
                assert body["child"]["name"] == "Amira Hassan", body
            if kind == "chronology":
                assert body["child"] == "Amira Hassan", body
    assert len(notes_written) == THREADS  # every note written, each under its own id

    # every read's attempt recorded exactly once, each write's at least once (once per try of its command)
    attempts = api.attempts_since(before)
    by_agent = Counter(a.origin.get("user_agent") for a in attempts)
    for kind, agent, _, _ in answers:
        if kind == "note":
            assert by_agent[agent] >= 1, agent
        else:
            assert by_agent[agent] == 1, (agent, by_agent[agent])
    refused = [a for a in attempts if a.actor["staff_id"] == "cp.worker"]
    assert len(refused) == THREADS and all(a.outcome.value == "denied" for a in refused)
    # each attempt names its own request's route
    routes = {"view": "GET /api/v1/cases/{case}", "refused": "GET /api/v1/cases/{case}",
              "chronology": "GET /api/v1/cases/{case}/chronology", "summary": "GET /api/v1/cases/{case}/summary",
              "note": "POST /api/v1/cases/{case}/notes"}
    kind_of = {agent: kind for kind, agent, _, _ in answers}
    for a in attempts:
        assert a.actor["channel"]["command"] == routes[kind_of[a.origin["user_agent"]]], a

    # every note stored once, with its own text, on the case
    case = api.ledger_do(lambda led: led.case(cid))
    for note_id, agent in notes_written.items():
        assert agent in case.notes[note_id]["content"]["facts"]
    assert sum(1 for n in case.notes.values() if "concurrency-test/" in n["content"]["facts"]) == THREADS

    # the ledger verifies, and the attempts shared commits
    report = api.ledger_do(lambda led: verify_ledger(led.recorder, verifier=None))
    assert report.ok, report
    transactions = committer.transactions - tx_before
    recorded = committer.attempts - attempts_before
    assert recorded == len(attempts)
    assert transactions < recorded, (transactions, recorded)
