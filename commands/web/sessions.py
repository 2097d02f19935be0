"""The web console's sessions: kept in the server process, named by a random id in a cookie.

A session starts when someone first opens a page (not signed in: it carries only the sign-in form's
token); signing in ends it and starts a new one with a new id (so an id planted in a browser before
sign-in is worth nothing: no session fixation). A session ends when its person signs out, or after
``idle`` without a request (policy s.15: 15 minutes unless the server says otherwise).

The state lives in this process only (a dictionary under a lock): a restart signs everyone out, and
with several worker processes each knows only its own sessions. The cookie holds the session id,
the secret; what the ledger records of a session is its *handle* (``session:HANDLE``, the first 16
hex digits of the id's SHA-256), which names it in the access and session logs without letting
anyone who reads those logs take it over.

Every form carries the session's CSRF token (:attr:`Session.csrf`); a POST without it, or with
another session's, is refused before anything is done.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import hmac
import secrets
import threading

__all__ = ["COOKIE", "Session", "Sessions"]

#: The cookie that holds the session id.
COOKIE = "caseledger_session"


def handle_of(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()[:16]


@dataclasses.dataclass
class Session:
    id: str                 # the secret the cookie holds
    csrf: str               # every form's token
    started: _dt.datetime
    last_seen: _dt.datetime
    staff_id: str = ""      # "" until signed in
    client: str = ""
    user_agent: str = ""
    actor: dict[str, object] = dataclasses.field(default_factory=dict)  # the member's stamp at sign-in

    @property
    def handle(self) -> str:
        return handle_of(self.id)

    @property
    def credential(self) -> str:
        return f"session:{self.handle}"

    @property
    def signed_in(self) -> bool:
        return bool(self.staff_id)

    def form_token_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf, str(token))


class Sessions:
    """The sessions of this process (see the module docstring). Thread-safe."""

    def __init__(self, idle: _dt.timedelta, *, most: int = 20_000) -> None:
        self.idle = idle
        self.most = most  # sessions kept at most: the oldest not signed in go first
        self._by_id: dict[str, Session] = {}
        self._lock = threading.Lock()

    def new(self, now: _dt.datetime, *, staff_id: str = "", actor: dict[str, object] | None = None,
            client: str = "", user_agent: str = "") -> Session:
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now, now, staff_id, client,
                          user_agent, dict(actor or {}))
        with self._lock:
            if len(self._by_id) >= self.most:
                anonymous = sorted((s for s in self._by_id.values() if not s.signed_in), key=lambda s: s.last_seen)
                for old in anonymous[: max(1, len(anonymous) // 2)]:
                    del self._by_id[old.id]
            self._by_id[session.id] = session
        return session

    def get(self, session_id: str | None, now: _dt.datetime) -> Session | None:
        """The live session with this id, seen now (its idle time starts again); None when there is none
        or it has been idle too long (it is then ended: :meth:`expired` hands it to be recorded)."""
        if not session_id:
            return None
        with self._lock:
            session = self._by_id.get(session_id)
            if session is None or now - session.last_seen >= self.idle:
                return None
            session.last_seen = now
            return session

    def end(self, session: Session) -> bool:
        """End ``session``; False when it had already ended."""
        with self._lock:
            return self._by_id.pop(session.id, None) is not None

    def expired(self, now: _dt.datetime) -> list[Session]:
        """End every session idle too long, and return the signed-in ones (their time-outs are recorded)."""
        with self._lock:
            gone = [s for s in self._by_id.values() if now - s.last_seen >= self.idle]
            for s in gone:
                del self._by_id[s.id]
        return [s for s in gone if s.signed_in]
