"""Who is calling the HTTP API: API tokens, single sign-on, failed sign-ins, the client address.

No anonymous access but healthz. An API token works until it is revoked, expires or its holder
leaves; a sign-on JWT only with the right issuer, audience, signature and expiry, naming someone in
the staff directory. Every refusal is 401 with problem details and is first recorded in the security
log with the client address. Every access attempt made over the API records the client address (the
peer, or what a trusted proxy forwarded), the user agent and the token. Both backends.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from commands.api import OIDCSettings, Settings
from commands.cli import main
from ledger.access.security import repeated_failures
from ledger.application import CaseLedger
from projections.access_report import staff_report
from tests.api_support import Api, api_db, build_api, problem  # noqa: F401  (api_db: a fixture)
from tests.conftest import Clock

ISSUER = "https://login.borough.example/tenant/v2.0"
AUDIENCE = "api://caseledger"
JANE_EMAIL = "jane.smith@borough.gov.uk"


class Keys:
    """The test's own identity provider: a signing key published in a JWKS file, and a stranger's key."""

    def __init__(self, folder: Path) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = folder / "jwks.json"
        self.jwks.write_text(json.dumps({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}))

    def token(self, *, key: Any = None, kid: str = "k1", **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 600, "email": JANE_EMAIL,
                "sid": "session-1", **claims}
        return jwt.encode({k: v for k, v in body.items() if v is not None}, key or self.key, algorithm="RS256",
                          headers={"kid": kid})


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    return Keys(tmp_path_factory.mktemp("idp"))


@pytest.fixture(scope="module")
def api(api_db: str, keys: Keys) -> Iterator[Api]:  # noqa: F811
    def prepare(ledger: CaseLedger, clock: Clock) -> None:
        ledger.tokens.set_email("admin", "jane.smith", JANE_EMAIL)
        ledger.staff.add("admin", staff_id="temp.worker", full_name="Tom Reed", designation="Agency Social Worker",
                         team="Assessment", roles=["social_worker"])
        ledger.staff.change("admin", "temp.worker", email="tom.reed@agency.example")

    yield from build_api(api_db, lambda db: Settings(db=db, trusted_proxies=("10.0.0.0/8",), oidc=OIDCSettings(
        issuer=ISSUER, audience=AUDIENCE, jwks=str(keys.jwks))), prepare)


def failure_of(api: Api, before: int) -> Any:
    (failure,) = api.failures_since(before)
    return failure


# --- healthz and tokens ---------------------------------------------------------------------------


def test_healthz_answers_without_sign_in_and_counts_the_events(api: Api) -> None:
    response = api.client.get("/api/v1/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "events": api.ledger_do(lambda led: led.integrity.event_count())}


def test_an_api_token_signs_its_holder_in(api: Api) -> None:
    response = api.get("/me", "jane.smith")
    assert response.status_code == 200, response.text
    me = response.json()
    assert (me["staff_id"], me["full_name"], me["email"], me["signed_in_with"]) == (
        "jane.smith", "Jane Smith", JANE_EMAIL, "token")
    assert me["credential"] == f"token:{api.token_ids['jane.smith']}"


UNKNOWN_TOKEN = "clt_0123456789abcdef_" + "A" * 43


@pytest.mark.parametrize(("header", "code"), [
    (None, "missing"),
    ("Basic amFuZTpzZWNyZXQ=", "malformed"),
    ("Bearer", "malformed"),
    ("Bearer not-a-token", "malformed"),
    (f"Bearer {UNKNOWN_TOKEN}", "unknown_token"),
], ids=["missing", "basic", "empty-bearer", "garbage", "unknown-token"])
def test_a_request_that_names_nobody_is_refused_and_recorded(api: Api, header: str | None, code: str) -> None:
    before = api.head()
    headers = {"User-Agent": "probe/1.0", **({"Authorization": header} if header else {})}
    for path in ("/me", f"/cases/{api.case_id}"):
        response = api.client.get(f"/api/v1{path}", headers=headers)
        body = problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
        assert body["error"] == "NotAuthenticated"
        assert "Amira" not in response.text
    failures = api.failures_since(before)
    assert [(f.reason, f.client, f.user_agent, f.method, f.path) for f in failures] == [
        (code, "testclient", "probe/1.0", "GET", "/api/v1/me"),
        (code, "testclient", "probe/1.0", "GET", f"/api/v1/cases/{api.case_id}")]
    assert all(f.actor["staff_id"] == "" and f.actor["channel"]["kind"] == "api" for f in failures)
    assert not api.attempts_since(before)  # nobody signed in: no access attempt on the case was made
    if code == "unknown_token":
        assert failures[0].credential == "token:0123456789abcdef"
        assert UNKNOWN_TOKEN not in json.dumps([f.__dict__ for f in failures], default=str)


def test_a_revoked_token_stops_working_and_its_use_is_recorded(api: Api) -> None:
    issued = api.ledger_do(lambda led: led.tokens.issue("admin", "omar.farah", label="second laptop"))
    auth = {"Authorization": f"Bearer {issued.token}"}
    assert api.client.get("/api/v1/me", headers=auth).json()["staff_id"] == "omar.farah"
    api.ledger_do(lambda led: led.tokens.revoke("admin", issued.token_id, reason="Laptop reported lost"))
    before = api.head()
    body = problem(api.client.get("/api/v1/me", headers=auth), 401)
    assert body["detail"] == f"API token {issued.token_id} was revoked"
    failure = failure_of(api, before)
    assert (failure.reason, failure.credential) == ("revoked", f"token:{issued.token_id}")
    assert api.get("/me", "omar.farah").status_code == 200  # his other token still works


def test_a_leavers_token_stops_working_and_its_use_is_recorded(api: Api, keys: Keys) -> None:
    issued = api.ledger_do(lambda led: led.tokens.issue("admin", "temp.worker"))
    auth = {"Authorization": f"Bearer {issued.token}"}
    assert api.client.get("/api/v1/me", headers=auth).status_code == 200
    api.ledger_do(lambda led: led.staff.record_leaving("admin", "temp.worker",
                                                       "agency placement ended at the month's end"))
    before = api.head()
    body = problem(api.client.get(f"/api/v1/cases/{api.case_id}", headers=auth), 401)
    assert "has left" in body["detail"]
    assert failure_of(api, before).reason == "left"
    assert not api.attempts_since(before)
    # single sign-on refuses the leaver too
    before = api.head()
    sso = {"Authorization": f"Bearer {keys.token(email='tom.reed@agency.example', sid='s-tom')}"}
    problem(api.client.get("/api/v1/me", headers=sso), 401)
    assert failure_of(api, before).reason == "left"


def test_an_expired_token_stops_working(api: Api) -> None:
    issued = api.ledger_do(lambda led: led.tokens.issue("admin", "grace.obi", expires_in_days=1))
    auth = {"Authorization": f"Bearer {issued.token}"}
    assert api.client.get("/api/v1/me", headers=auth).status_code == 200
    saved = api.clock.now
    api.clock.advance(days=1)
    try:
        before = api.head()
        assert "expired on" in problem(api.client.get("/api/v1/me", headers=auth), 401)["detail"]
        assert failure_of(api, before).reason == "expired"
    finally:
        api.clock.now = saved


def test_failures_from_one_address_are_listed_as_repeated(api: Api) -> None:
    crawler = TestClient(api.client.app, client=("198.51.100.23", 40000))
    since = api.clock.now - dt.timedelta(minutes=1)
    for _ in range(6):
        assert crawler.get("/api/v1/cases", headers={"Authorization": "Bearer guess"}).status_code == 401
    rows = api.ledger_do(lambda led: repeated_failures(led, since=since, at_least=5))
    mine = [r for r in rows if r["client"] == "198.51.100.23"]
    assert len(mine) == 1 and mine[0]["failures"] == 6 and mine[0]["reasons"] == {"malformed": 6}
    assert all(r["client"] != "198.51.100.24" for r in rows)


# --- the client address, user agent and token on every access attempt ------------------------------


def test_an_access_attempt_from_the_api_carries_the_client_address_user_agent_and_token(api: Api) -> None:
    browser = TestClient(api.client.app, client=("203.0.113.7", 51000))
    before = api.head()
    response = browser.get(f"/api/v1/cases/{api.case_id}",
                           headers={**api.auth("jane.smith"), "User-Agent": "Mozilla/5.0 (case system)"})
    assert response.status_code == 200, response.text
    (attempt,) = api.attempts_since(before)
    assert attempt.case_id == uuid.UUID(api.case_id) and attempt.outcome.value == "granted"
    assert attempt.origin["client"] == "203.0.113.7"
    assert attempt.origin["user_agent"] == "Mozilla/5.0 (case system)"
    assert attempt.origin["credential"] == f"token:{api.token_ids['jane.smith']}"
    assert attempt.actor["channel"]["kind"] == "api"
    assert attempt.actor["channel"]["command"] == "GET /api/v1/cases/{case}"
    # ... and the access report on her shows them
    report = api.ledger_do(lambda led: staff_report(led, "jane.smith").report)
    row = next(r for r in report["attempts"] if r["origin"].get("user_agent") == "Mozilla/5.0 (case system)")
    assert (row["origin"]["client"], row["origin"]["credential"]) == (
        "203.0.113.7", f"token:{api.token_ids['jane.smith']}")


@pytest.mark.parametrize(("peer", "forwarded", "recorded"), [
    ("10.0.0.5", "198.51.100.9", "198.51.100.9"),  # a trusted proxy: the address it forwarded
    ("10.0.0.5", "192.0.2.66, 198.51.100.9", "198.51.100.9"),  # the client wrote the first: not believed
    ("10.0.0.5", "198.51.100.9, 10.0.0.6", "198.51.100.9"),  # through two trusted proxies
    ("203.0.113.7", "198.51.100.9", "203.0.113.7"),  # not a trusted proxy: its header is ignored
    ("10.0.0.5", "not-an-address", "10.0.0.5"),
], ids=["trusted", "spoofed-left", "two-proxies", "untrusted-peer", "garbage"])
def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(api: Api, peer: str, forwarded: str,
                                                               recorded: str) -> None:
    through = TestClient(api.client.app, client=(peer, 443))
    before = api.head()
    assert through.get(f"/api/v1/cases/{api.case_id}/summary",
                       headers={**api.auth("jane.smith"), "X-Forwarded-For": forwarded}).status_code == 200
    (attempt,) = api.attempts_since(before)
    assert attempt.origin["client"] == recorded
    before = api.head()
    through.get("/api/v1/me", headers={"X-Forwarded-For": forwarded})
    assert failure_of(api, before).client == recorded


# --- single sign-on ---------------------------------------------------------------------------------

def test_a_signed_sign_on_token_signs_in_the_staff_member_its_email_names(api: Api, keys: Keys) -> None:
    before = api.head()
    response = api.client.get(f"/api/v1/cases/{api.case_id}",
                              headers={"Authorization": f"Bearer {keys.token(email='Jane.Smith@Borough.gov.uk')}"})
    assert response.status_code == 200, response.text
    me = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {keys.token()}"}).json()
    assert (me["staff_id"], me["signed_in_with"], me["credential"]) == ("jane.smith", "oidc", "oidc:session-1")
    (attempt,) = api.attempts_since(before)
    assert attempt.actor["staff_id"] == "jane.smith" and attempt.origin["credential"] == "oidc:session-1"


@pytest.mark.parametrize(("claims", "code", "words"), [
    ({"iss": "https://login.elsewhere.example/v2.0"}, "wrong_issuer", "not issued by"),
    ({"aud": "api://another-system"}, "wrong_audience", "not for this server"),
    ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "expired", "has expired"),
    ({"signed_by": "stranger"}, "bad_signature", "signature does not verify"),
    ({"kid": "k9"}, "unknown_key", "does not publish"),
    ({"email": "nobody@borough.gov.uk"}, "unknown_staff", "nobody in the staff directory"),
    ({"email": None}, "unknown_staff", "has no 'email' claim"),
    ({"exp": None}, "malformed", "exp"),
], ids=["wrong-issuer", "wrong-audience", "expired", "bad-signature", "unknown-key", "unknown-staff",
        "no-claim", "no-expiry"])
def test_a_sign_on_token_is_refused_unless_every_check_holds(api: Api, keys: Keys, claims: dict[str, Any],
                                                             code: str, words: str) -> None:
    claims = dict(claims)
    key = keys.other if claims.pop("signed_by", None) else None
    token = keys.token(key=key, kid=claims.pop("kid", "k1"), **claims)
    before = api.head()
    body = problem(api.client.get(f"/api/v1/cases/{api.case_id}", headers={"Authorization": f"Bearer {token}"}), 401)
    assert words in body["detail"]
    failure = failure_of(api, before)
    assert failure.reason == code and failure.client == "testclient"
    assert token not in failure.credential
    assert not api.attempts_since(before)


def test_a_token_with_no_signature_or_a_shared_secret_is_refused(api: Api, keys: Keys) -> None:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 600, "email": JANE_EMAIL}
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": "k1"})
    # The old confusion: HS256 keyed with the published public key (built by hand: pyjwt refuses to)
    public_pem = keys.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo)

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = f"{b64(json.dumps({'alg': 'HS256', 'typ': 'JWT', 'kid': 'k1'}).encode())}." \
                    f"{b64(json.dumps(claims).encode())}"
    hs = f"{signing_input}.{b64(hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest())}"
    for token in (unsigned, hs):
        before = api.head()
        problem(api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401)
        assert failure_of(api, before).reason in ("malformed", "bad_signature")


# --- the CLI: issue, list, revoke ---------------------------------------------------------------------


def test_staff_token_commands_issue_once_list_and_revoke_and_only_an_admin_may(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "ledger.db")

    def run(*args: str, code: int = 0) -> str:
        try:
            main([*args, "--db", db])
            exited: int | str | None = 0
        except SystemExit as e:
            exited = e.code
        out = capsys.readouterr()
        assert exited == code, (args, out)
        return out.out

    run("init")
    run("staff", "add", "--id", "admin", "--name", "Priya Raman", "--designation", "Systems Administrator",
        "--team", "Business Support", "--role", "admin")
    run("staff", "add", "--as", "admin", "--id", "jane.smith", "--name", "Jane Smith", "--designation",
        "Social Worker", "--team", "Assessment", "--role", "social_worker", "--email", JANE_EMAIL)
    issued = json.loads(run("staff", "token", "issue", "jane.smith", "--as", "admin", "--label", "laptop",
                            "--expires-in-days", "30", "--json"))
    assert issued["token"].startswith(f"clt_{issued['token_id']}_") and issued["staff_id"] == "jane.smith"
    listed = json.loads(run("staff", "token", "list", "jane.smith", "--as", "admin", "--json"))
    assert [(t["token_id"], t["label"], t["status"], t["issued_by"]) for t in listed] == [
        (issued["token_id"], "laptop", "active", "admin")]
    assert issued["token"] not in json.dumps(listed)
    text = run("staff", "token", "list", "jane.smith", "--as", "admin")
    assert issued["token_id"] in text and "laptop" in text and issued["token"] not in text
    with sqlite3.connect(db) as conn:  # only the SHA-256 is stored, never the token
        stored = b"".join(bytes(r[0]) for r in conn.execute("SELECT state FROM stored_events"))
    assert issued["token"].encode() not in stored and issued["token"].split("_", 2)[2].encode() not in stored
    run("staff", "token", "issue", "jane.smith", "--as", "jane.smith", code=1)  # not an admin: refused
    run("staff", "token", "revoke", issued["token_id"], "--as", "jane.smith", code=1)
    run("staff", "token", "revoke", issued["token_id"], "--as", "admin", "--reason", "Laptop reported lost")
    listed = json.loads(run("staff", "token", "list", "jane.smith", "--as", "admin", "--json"))
    assert [t["status"] for t in listed] == ["revoked"]
    run("staff", "token", "revoke", issued["token_id"], "--as", "admin", code=1)  # already revoked
    run("staff", "add", "--as", "admin", "--id", "jo.bloggs", "--name", "Jo Bloggs", "--designation", "Social Worker",
        "--team", "Assessment", "--role", "social_worker", "--email", JANE_EMAIL.upper(), code=1)  # address in use
    staff = json.loads(run("staff", "list", "--json"))
    assert sorted(s["staff_id"] for s in staff) == ["admin", "jane.smith"]  # the refused add wrote nothing
    assert {s["staff_id"]: s["email"] for s in staff}["jane.smith"] == JANE_EMAIL
    changed = json.loads(run("staff", "change", "jane.smith", "--as", "admin", "--email",
                             "j.smith@borough.gov.uk", "--json"))
    assert changed["email"] == "j.smith@borough.gov.uk"
    ledger = CaseLedger(db, create=False)
    try:
        kinds = [type(e).__name__ for e in ledger.events.get(ledger.staff_member("jane.smith").id)]
    finally:
        ledger.close()
    assert kinds == ["Joined", "EmailChanged", "TokenIssued", "TokenRevoked", "EmailChanged"]
