"""API tokens, passwords and sign-in emails: how a staff member is known to the HTTP API and the web console.

Web console passwords (:func:`set_password`, an admin's task, as for tokens) are stored on the
member's stream as a salted scrypt hash only (``scrypt$N$r$p$salt$hash``, N=2**14, r=8, p=1, a
16-byte random salt); :func:`check_password` compares in constant time.

An API token is ``clt_<token id>_<secret>``: 16 hex digits that name it (for listing and
revoking) and 32 random bytes. It is shown once, to the admin who issues it; the staff member's
stream records only its SHA-256, with the label, the expiry and the issuer (the actor)
(:class:`~ledger.records.staff.StaffMember`). Issuing, listing and revoking need the admin role,
as adding a staff member does. A token works while it is not revoked, not expired, and its holder
has not left; :func:`authenticate` checks all three against the staff stream as stored now (one
read of any newer events), so a revocation or a leaving recorded by any process stops the token at
once, in every server process.

Single sign-on maps a provider's claim to a staff member by the email recorded on their stream
(:func:`staff_with_email`); :meth:`TokenService.set_email` records it, refusing an address another
member uses. The application holds a :class:`TokenService` as ``ledger.tokens``.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import hashlib
import hmac
import re
import secrets
import threading
from typing import Any

from eventsourcing.utils import get_topic

from ledger.access.security import NotAuthenticated
from ledger.core import LedgerCore, Service, command
from ledger.errors import NotFound, RuleViolation
from ledger.records.staff import Role, StaffMember
from ledger.services.staff import StaffService, email_free_for
from ledger.storage import translate_storage_errors

__all__ = ["MIN_PASSWORD", "TOKEN_PREFIX", "IssuedToken", "TokenIndex", "TokenService", "check_password",
           "hash_password", "set_password", "token_rows"]

TOKEN_PREFIX = "clt_"
_TOKEN = re.compile(r"\Aclt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})\Z")
#: The longest life a token may be given, and the default.
MAX_DAYS = 366 * 5
DEFAULT_DAYS = 90
#: The shortest password an admin may set (the demo's ``demo`` is set with a lower minimum).
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
#: scrypt's cost: N (CPU and memory), r (block size), p (parallelism); about 50 ms and 16 MiB a hash.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` of ``password`` with a new random 16-byte salt (``salt``: the demo's
    seeded one, so that a demo build is the same byte for byte)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def _password_matches(stored: str, password: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(expected, got)


def set_password(app: LedgerCore, acting: str | None, staff_id: str, password: str, *, salt: bytes | None = None,
                 min_length: int = MIN_PASSWORD) -> StaffMember:
    """Set ``staff_id``'s web console password (an admin only); only its salted hash is recorded."""
    actor = app.actor(acting)
    actor.require("setting a staff member's password needs the admin role", Role.ADMIN)
    if not isinstance(password, str) or not min_length <= len(password) <= MAX_PASSWORD:
        raise RuleViolation(f"password must be {min_length} to {MAX_PASSWORD} characters long", field="password")
    if password != password.strip() or any(ord(ch) < 32 for ch in password):
        raise RuleViolation("password must not start or end with a space, or hold control characters "
                            "(a new line, a tab)", field="password")
    member = app.staff_member(staff_id, for_change=True)
    member.set_password(actor=actor.stamp(), occurred_at=app.now(), password_hash=hash_password(password, salt=salt))
    app.store(f"setting the password of {staff_id}", member)
    return member


#: Compared against when nobody has the staff id given, so that a wrong staff id takes as long as a
#: wrong password (the time taken tells nobody which staff ids exist).
_NOBODY_HASH = hash_password(secrets.token_urlsafe(16))


def check_password(app: LedgerCore, staff_id: str, password: str) -> StaffMember:
    """The staff member signing in with ``staff_id`` and ``password``; or :class:`NotAuthenticated`
    (``wrong_password``, ``no_password``, ``unknown_staff`` or ``left``), its words for the security log;
    the person signing in is told only that the two do not match (see :mod:`commands.web`)."""
    wanted = staff_id.strip().lower() if isinstance(staff_id, str) else ""
    credential = f"password:{wanted[:64]}"
    try:
        member = app.staff_member(wanted) if wanted else None
    except NotFound:
        member = None
    if member is None:
        _password_matches(_NOBODY_HASH, password)
        raise NotAuthenticated("unknown_staff", f"nobody in the staff directory has the staff id {wanted[:64]!r}",
                               credential=credential)
    stored = member.__dict__.get("password_hash") or ""
    if not stored:
        _password_matches(_NOBODY_HASH, password)
        raise NotAuthenticated("no_password", f"{member.staff_id} has no password set (caseledger staff password)",
                               credential=credential)
    if not _password_matches(stored, password):
        raise NotAuthenticated("wrong_password", f"the password given for {member.staff_id} is wrong",
                               credential=credential)
    if not member.active:
        raise NotAuthenticated("left", f"{member.full_name} ({member.staff_id}) has left and cannot sign in",
                               credential=credential)
    return member


@dataclasses.dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once, never stored
    token_id: str
    staff_id: str
    label: str
    expires_at: _dt.datetime | None


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(app: LedgerCore, acting: str | None, staff_id: str, *, label: str = "",
                expires_in_days: int | None = DEFAULT_DAYS) -> IssuedToken:
    """Issue an API token to ``staff_id`` (an admin, like adding staff); the token is returned once.

    ``expires_in_days``: 1 to :data:`MAX_DAYS` (default :data:`DEFAULT_DAYS`); ``None``: it never expires.
    """
    actor = app.actor(acting)
    actor.require("issuing an API token needs the admin role", Role.ADMIN)
    if expires_in_days is not None and (isinstance(expires_in_days, bool) or not isinstance(expires_in_days, int)
                                        or not 1 <= expires_in_days <= MAX_DAYS):
        raise RuleViolation(f"expires_in_days must be a whole number of days from 1 to {MAX_DAYS}, "
                            f"got {expires_in_days!r}", field="expires_in_days")
    member = app.staff_member(staff_id, for_change=True)
    now = app.now()
    token_id = secrets.token_hex(8)
    token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    expires_at = now + _dt.timedelta(days=expires_in_days) if expires_in_days is not None else None
    member.issue_token(actor=actor.stamp(), occurred_at=now, token_id=token_id, token_sha256=_sha256(token),
                       label=label, expires_at=expires_at)
    app.store(f"issuing an API token to {staff_id}", member)
    return IssuedToken(token, token_id, member.staff_id, member.tokens[token_id]["label"], expires_at)


def token_rows(member: StaffMember, now: _dt.datetime) -> list[dict[str, Any]]:
    """The member's tokens (never their hashes), in the order issued, each with its status now."""
    return [{"token_id": t["token_id"], "staff_id": member.staff_id, "label": t["label"],
             "issued_at": t["issued_at"], "issued_by": t["issued_by"], "expires_at": t["expires_at"],
             "revoked_at": t["revoked_at"], "revoked_by": t["revoked_by"],
             "status": member.token_status(t["token_id"], now)}
            for t in sorted(member.tokens.values(), key=lambda t: t["issued_at"])]


def list_tokens(app: LedgerCore, acting: str | None, staff_id: str) -> list[dict[str, Any]]:
    """The API tokens of ``staff_id`` (an admin only)."""
    app.actor(acting).require("listing API tokens needs the admin role", Role.ADMIN)
    return token_rows(app.staff_member(staff_id), app.now())


def revoke_token(app: LedgerCore, acting: str | None, token_id: str, *, reason: str = "",
                 index: TokenIndex | None = None) -> StaffMember:
    """Revoke API token ``token_id`` (an admin only): it stops working at once, everywhere."""
    actor = app.actor(acting)
    actor.require("revoking an API token needs the admin role", Role.ADMIN)
    holder = (index or TokenIndex()).holder(app, token_id)
    if holder is None:
        raise NotFound(f"no API token {token_id!r} was ever issued", field="token_id")
    member = app.staff_member(holder, for_change=True)
    member.revoke_token(actor=actor.stamp(), occurred_at=app.now(), token_id=token_id, reason=reason)
    app.store(f"revoking API token {token_id} of {holder}", member)
    return member


class TokenIndex:
    """Which staff member holds which token id: read from the ledger's ``TokenIssued`` events, and
    read on from where it stopped when a token id is not yet known (issued by another process).
    Thread-safe; a server keeps one."""

    def __init__(self) -> None:
        self._holders: dict[str, str] = {}
        self._stream_staff: dict[Any, str] = {}
        self._position = 0
        self._lock = threading.Lock()

    def holder(self, app: LedgerCore, token_id: str) -> str | None:
        """The staff id of the token's holder (None: no such token was ever issued)."""
        with self._lock:
            if token_id not in self._holders:
                self._read_on(app)
            return self._holders.get(token_id)

    def _read_on(self, app: LedgerCore) -> None:
        topic = get_topic(StaffMember.TokenIssued)
        while True:
            with translate_storage_errors("reading the API tokens issued"):
                page = app.recorder.select_notifications(self._position + 1, 500, topics=[topic])
            if not page:
                return
            for n in page:
                event = app.mapper.to_domain_event(n)
                assert isinstance(event, StaffMember.TokenIssued)
                if event.originator_id not in self._stream_staff:
                    self._stream_staff.update({m.id: m.staff_id for m in app.list_staff()})
                self._holders[event.token_id] = self._stream_staff[event.originator_id]
            self._position = page[-1].id


def authenticate(app: LedgerCore, index: TokenIndex, token: str) -> tuple[StaffMember, str]:
    """The staff member an API token belongs to, and its id; or :class:`NotAuthenticated` saying why.

    The token is compared by its SHA-256 in constant time; the holder's stream is read as stored
    now, so a revocation, an expiry or a leaving counts from the moment it is recorded.
    """
    found = _TOKEN.match(token)
    if not found:
        raise NotAuthenticated("malformed", "the bearer token is not an API token (clt_...) or a signed "
                               "sign-on token")
    token_id = found.group(1)
    holder = index.holder(app, token_id)
    if holder is None:
        raise NotAuthenticated("unknown_token", "no such API token", credential=f"token:{token_id}")
    member = app.staff_member(holder)
    issued = member.tokens.get(token_id)
    if issued is None or not hmac.compare_digest(issued["sha256"], _sha256(token)):
        raise NotAuthenticated("unknown_token", "no such API token", credential=f"token:{token_id}")
    status = member.token_status(token_id, app.now())
    if status != "active":
        message = {"revoked": f"API token {token_id} was revoked",
                   "expired": f"API token {token_id} expired on {issued['expires_at']:%d %b %Y %H:%M} UTC",
                   "left": f"API token {token_id} belongs to a staff member who has left"}[status]
        raise NotAuthenticated(status, message, credential=f"token:{token_id}")
    return member, token_id


def staff_with_email(app: LedgerCore, email: str) -> StaffMember | None:
    """The staff member whose sign-in email is ``email`` (case-insensitive), or None: the one active
    member with it, else the one member who has left with it (so that the refusal says they left)."""
    wanted = email.strip().lower()
    found = [m for m in app.list_staff() if m.email and m.email == wanted]
    active = [m for m in found if m.active]
    if active:
        return active[0] if len(active) == 1 else None
    return found[0] if len(found) == 1 else None


def check_email_free(app: LedgerCore, staff_id: str, email: str) -> str:
    """``email`` as stored, refused when another active staff member already signs in with it."""
    return email_free_for(app.list_staff(), staff_id, email)


class TokenService(Service):
    """``ledger.tokens``: how a staff member signs in to the HTTP API and the web console. ``issue``,
    ``list`` and ``revoke`` API tokens (an admin, as for adding staff); ``authenticate`` a bearer token;
    ``set_password`` (an admin) and ``check_password`` for the web console;
    ``staff_with_email`` (single sign-on's claim); ``set_email``, ``check_email_free``."""

    def __init__(self, ledger: LedgerCore, staff: StaffService) -> None:
        super().__init__(ledger)
        self._staff = staff
        #: Which staff member holds which token id (read on as tokens are issued anywhere).
        self.index = TokenIndex()

    @command
    def issue(self, acting: str | None, staff_id: str, *, label: str = "",
              expires_in_days: int | None = DEFAULT_DAYS) -> IssuedToken:
        return issue_token(self.ledger, acting, staff_id, label=label, expires_in_days=expires_in_days)

    def list(self, acting: str | None, staff_id: str) -> list[dict[str, Any]]:
        return list_tokens(self.ledger, acting, staff_id)

    @command
    def revoke(self, acting: str | None, token_id: str, *, reason: str = "") -> StaffMember:
        return revoke_token(self.ledger, acting, token_id, reason=reason, index=self.index)

    def authenticate(self, token: str) -> tuple[StaffMember, str]:
        return authenticate(self.ledger, self.index, token)

    @command
    def set_password(self, acting: str | None, staff_id: str, password: str, *, salt: bytes | None = None,
                     min_length: int = MIN_PASSWORD) -> StaffMember:
        """Set ``staff_id``'s web console password (an admin); only its salted scrypt hash is recorded."""
        return set_password(self.ledger, acting, staff_id, password, salt=salt, min_length=min_length)

    def check_password(self, staff_id: str, password: str) -> StaffMember:
        """The member signing in with these, or :class:`NotAuthenticated` saying why (not yet recorded)."""
        return check_password(self.ledger, staff_id, password)

    def staff_with_email(self, email: str) -> StaffMember | None:
        return staff_with_email(self.ledger, email)

    def check_email_free(self, staff_id: str, email: str) -> str:
        return check_email_free(self.ledger, staff_id, email)

    def set_email(self, acting: str | None, staff_id: str, email: str) -> StaffMember:
        """Record ``staff_id``'s sign-in email (an admin; ``""`` removes it); an address another staff
        member signs in with is refused, so that a sign-on claim names one person."""
        return self._staff.change(acting, staff_id, email=email)
