"""What a server is started with: the ledger, the trusted proxies, single sign-on.

``caseledger serve`` builds :class:`Settings` from its options. With several worker processes,
uvicorn starts each worker by importing the app factory, so the settings travel to them as JSON
in the environment (:data:`SETTINGS_ENV`, :meth:`Settings.to_env` and :meth:`Settings.from_env`).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import ipaddress
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ledger.errors import RuleViolation

__all__ = ["API_PREFIX", "SETTINGS_ENV", "OIDCSettings", "Settings"]

SETTINGS_ENV = "CASELEDGER_SERVE_SETTINGS"
API_PREFIX = "/api/v1"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclasses.dataclass(frozen=True)
class OIDCSettings:
    """Single sign-on: accept JWTs signed by ``issuer``'s keys (``jwks``: a JWKS file or URL) for
    ``audience``; ``staff_claim`` (default ``email``) names the staff member: matched to the email
    recorded on their staff stream, or, when it holds no ``@``, to their staff id."""

    issuer: str
    audience: str
    jwks: str
    staff_claim: str = "email"


@dataclasses.dataclass(frozen=True)
class Settings:
    """``db``: as ``--db`` (None: ``CASELEDGER_DB`` or ``./caseledger.db``); ``trusted_proxies``:
    addresses or networks whose ``X-Forwarded-For`` is believed; ``key``: the signing key file, as
    ``--key`` (None: as the command line finds it, :meth:`key_path`); ``clock``: for tests (the web
    console's session times too); ``session_idle_minutes``: the web console's idle time-out."""

    db: str | None = None
    trusted_proxies: tuple[str, ...] = ()
    oidc: OIDCSettings | None = None
    clock: Callable[[], _dt.datetime] | None = None
    key: str | None = None
    #: A folder the server's worker processes share for the verification jobs they run (``serve
    #: --workers N`` makes one for its run), so any worker answers ``GET /verify/{job}``; None: one process.
    jobs_dir: str | None = None
    #: The web console's sessions end after this many minutes without a request (policy s.15).
    session_idle_minutes: int = 15

    def key_path(self, backend_kind: str, backend_display: str) -> Path:
        """The signing key file: ``key``, else as the command line's ``--key`` default (beside a SQLite
        ledger, ``DB.key``; else ``./caseledger.key``)."""
        if self.key:
            return Path(self.key)
        return Path(backend_display).with_suffix(".key") if backend_kind == "sqlite" else Path("caseledger.key")

    def proxy_networks(self) -> tuple[Network, ...]:
        return parse_proxies(self.trusted_proxies)

    def to_env(self) -> str:
        return json.dumps({"db": self.db, "trusted_proxies": list(self.trusted_proxies),
                           "oidc": dataclasses.asdict(self.oidc) if self.oidc else None, "key": self.key,
                           "jobs_dir": self.jobs_dir, "session_idle_minutes": self.session_idle_minutes})

    @classmethod
    def from_env(cls) -> Settings:
        raw = os.environ.get(SETTINGS_ENV)
        if not raw:
            return cls()
        data: dict[str, Any] = json.loads(raw)
        oidc = OIDCSettings(**data["oidc"]) if data.get("oidc") else None
        return cls(db=data.get("db"), trusted_proxies=tuple(data.get("trusted_proxies") or ()), oidc=oidc,
                   key=data.get("key"), jobs_dir=data.get("jobs_dir"),
                   session_idle_minutes=int(data.get("session_idle_minutes") or 15))


def parse_proxies(values: Sequence[str]) -> tuple[Network, ...]:
    """``--trusted-proxy`` values (an address, or a network such as 10.0.0.0/8), each checked."""
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise RuleViolation(f"--trusted-proxy {value!r} is not an IP address or network (e.g. 10.0.0.5 "
                                "or 10.0.0.0/8)", field="trusted_proxy") from None
    return tuple(out)
