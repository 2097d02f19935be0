"""The server's state: one ledger per process, who is calling, and running a request's work.

One :class:`~ledger.application.CaseLedger` is opened per process (one connection pool), kept warm
(the staff directory, the API tokens issued, the projections caught up), and used by every request.
Requests run their ledger work at the same time, each in a thread of the server's pool
(:meth:`Server.run`), never on the event loop. What they share is made for that:

* the staff directory's cache (:meth:`ledger.core.LedgerCore.staff_member`): a cached member is
  never changed in place; fast-forwarding builds a new one that replaces it;
* the access log (:class:`~ledger.access.group_commit.AttemptCommitter`): the attempts of requests
  that arrive together share one durable commit, each request waiting for its own;
* the projections (:mod:`projections.runner`, :mod:`projections.store`): one thread of the process
  catches a projection up at a time, and what a catch-up stages is seen by no other thread until
  it is committed with its position;
* the token index (:class:`~ledger.services.tokens.TokenIndex`), under its own lock;
* the channel stamped on events (each request's route): per thread (:meth:`LedgerCore.through`),
  like the request context (client address, user agent, credential) of its access attempts;
* the database: eventsourcing's connection pools (SQLite: one writer at a time, readers beside it;
  PostgreSQL: a bounded pool), and every rule and append decided by the database (optimistic
  concurrency per stream, a command run again whole on a conflict: :meth:`LedgerCore.run`).

On PostgreSQL, ``--workers N`` runs N such processes side by side, safe together for the same
reason: the database decides every append.

Who is calling: :meth:`Server.authenticate` ties the request's bearer token to a staff member (an
API token, :mod:`ledger.tokens`; or a single sign-on JWT, :mod:`commands.api.oidc`), or records
the failure in the security log (:mod:`ledger.access.security`), durably, and refuses it (401).
Inside a request's work, every access attempt carries the client address, user agent and
credential (:func:`ledger.access.log.request_context`), and every event's channel names the API and
the route (``actor.channel``: kind ``api``, command ``GET /api/v1/cases/{case}``).
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
from starlette.requests import Request

from commands.api.oidc import OIDCVerifier
from commands.api.settings import Network, Settings
from ledger.access.log import RequestContext, request_context
from ledger.access.security import NotAuthenticated, record_failure
from ledger.application import CaseLedger
from ledger.channel import Channel
from ledger.errors import NotFound
from ledger.records.staff import StaffMember
from ledger.services.tokens import TOKEN_PREFIX
from projections import runner

__all__ = ["Caller", "Server", "client_address"]

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Caller:
    """The signed-in staff member, and how: ``credential`` is ``token:ID`` or ``oidc:SESSION``."""

    staff_id: str
    method: str  # "token" or "oidc"
    credential: str
    client: str
    user_agent: str

    def context(self) -> RequestContext:
        return RequestContext(client=self.client, user_agent=self.user_agent, credential=self.credential)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def client_address(request: Request, trusted: tuple[Network, ...]) -> str:
    """The client's address: the peer, or, when the peer is a trusted proxy, the address it forwarded
    (``X-Forwarded-For``, read from the right, past every trusted proxy; never a value a client wrote
    through an untrusted hop)."""
    peer = request.client.host if request.client else ""

    def is_trusted(address: str) -> bool:
        ip = _ip(address)
        return ip is not None and any(ip in net for net in trusted)

    if not trusted or not is_trusted(peer):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    address = peer
    while hops and is_trusted(address):
        hop = hops.pop()
        if _ip(hop) is None:
            break  # not an address: believe nothing further left
        address = str(_ip(hop))
    return address


class Server:
    """One process's ledger and what it keeps warm (see the module docstring)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.proxies = settings.proxy_networks()
        self.oidc = OIDCVerifier(settings.oidc) if settings.oidc else None
        self.channel = Channel.this_process("api", "caseledger serve")
        kwargs: dict[str, Any] = {"clock": settings.clock} if settings.clock else {}
        self.ledger = CaseLedger(settings.db, create=False, channel=self.channel, **kwargs)

    def warm(self) -> None:
        """Read the staff directory, the tokens issued, and catch the projections up, before the first request."""
        for member in self.ledger.list_staff():
            self.ledger.staff_member(member.staff_id)
        self.ledger.tokens.index.holder(self.ledger, "")
        for name in runner.projection_classes():
            runner.catch_up(self.ledger, name)

    def close(self) -> None:
        self.ledger.close()

    # --- running a request's work --------------------------------------------------------------

    def run_now(self, work: Callable[[CaseLedger], T], *, context: RequestContext | None = None,
                label: str = "") -> T:
        """Run ``work`` with the ledger, in this thread, beside other requests' work (see the module
        docstring): its events name ``label`` (the route) as their channel's command, its access
        attempts carry ``context``."""
        channel = dataclasses.replace(self.channel, command=label or self.channel.command)
        with request_context(context or RequestContext()), self.ledger.through(channel):
            return work(self.ledger)

    async def run(self, work: Callable[[CaseLedger], T], *, context: RequestContext | None = None,
                  label: str = "") -> T:
        """:meth:`run_now` in a worker thread (the event loop never waits on the database)."""
        return await anyio.to_thread.run_sync(lambda: self.run_now(work, context=context, label=label))

    # --- who is calling ------------------------------------------------------------------------

    async def authenticate(self, request: Request, label: str) -> Caller:
        """The caller, or the failure recorded (durably) and raised. A sign-on JWT's signature is
        checked first, in a thread of its own (fetching the issuer's keys may wait on the network)."""
        client = client_address(request, self.proxies)
        user_agent = request.headers.get("user-agent", "")[:300]
        header = request.headers.get("authorization")
        checked: tuple[str, dict[str, Any]] | NotAuthenticated | None = None
        try:
            token = _bearer(header)
            if not token.startswith(TOKEN_PREFIX):
                checked = token, await anyio.to_thread.run_sync(lambda: self._sign_on_claims(token))
        except NotAuthenticated as failure:
            checked = failure

        def work(ledger: CaseLedger) -> Caller:
            try:
                if isinstance(checked, NotAuthenticated):
                    raise checked
                if checked is None:
                    member, token_id = ledger.tokens.authenticate(_bearer(header))
                    return Caller(member.staff_id, "token", f"token:{token_id}", client, user_agent)
                credential, member = self._sign_on_member(ledger, *checked)
                return Caller(member.staff_id, "oidc", credential, client, user_agent)
            except NotAuthenticated as failure:
                record_failure(ledger, failure, client=client, user_agent=user_agent, method=request.method,
                               path=request.url.path)
                raise

        return await self.run(work, context=RequestContext(client=client, user_agent=user_agent), label=label)

    def _sign_on_claims(self, token: str) -> dict[str, Any]:
        """A sign-on JWT's claims, once the issuer, audience, signature and expiry are checked."""
        if token.count(".") != 2:
            raise NotAuthenticated("malformed", "the bearer token is not an API token (clt_...) or a signed "
                                   "sign-on token")
        if self.oidc is None:
            raise NotAuthenticated("sign_on_off", "single sign-on is not configured on this server; use an "
                                   "API token", credential=_claimed(token))
        return self.oidc.claims(token)

    def _sign_on_member(self, ledger: CaseLedger, token: str, claims: dict[str, Any]) -> tuple[str, StaffMember]:
        """The staff member a checked sign-on token names (by the staff claim), and its session credential."""
        assert self.oidc is not None
        claim = self.oidc.settings.staff_claim
        value = claims.get(claim)
        credential = f"oidc:{self.oidc.session(claims, token)}"
        if not isinstance(value, str) or not value.strip():
            raise NotAuthenticated("unknown_staff", f"the sign-on token has no {claim!r} claim to name a staff "
                                   "member", credential=credential)
        named = _staff_named(ledger, value)
        if named is None:
            raise NotAuthenticated("unknown_staff", f"nobody in the staff directory signs in as {value!r}",
                                   credential=f"{credential} ({value[:100]})")
        if not named.active:
            raise NotAuthenticated("left", f"{named.full_name} ({named.staff_id}) has left and cannot sign in",
                                   credential=credential)
        return credential, named


def _bearer(header: str | None) -> str:
    """The token of an ``Authorization: Bearer TOKEN`` header."""
    if not header or not header.strip():
        raise NotAuthenticated("missing", "sign in: send an API token or a sign-on token as "
                               "'Authorization: Bearer TOKEN'")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated("malformed", "the Authorization header must be 'Bearer TOKEN'")
    return token


def _claimed(token: str) -> str:
    claimed = OIDCVerifier.claimed(token)
    return f"oidc:{claimed.get('email') or claimed.get('sub') or ''}" if claimed else ""


def _staff_named(ledger: CaseLedger, value: str) -> StaffMember | None:
    """The staff member a sign-on claim names: by their email, or (no ``@``) their staff id."""
    if "@" in value:
        return ledger.tokens.staff_with_email(value)
    try:
        return ledger.staff_member(value.strip())
    except NotFound:
        return None
