"""The staff directory: who works here, in which team, with which roles.

Policy s.7: "Staff should include their full name, designation and team on every document".
Each staff member is a stream of their own (joined, changed, left), hash-chained like every
other stream. Every case event copies the acting member's :meth:`StaffMember.stamp` as it
was at that moment, so a later change of name or team never rewrites who did what.

Rules enforced here:

* a staff id is short and stable: lower-case letters, digits, ``.``, ``_`` or ``-``;
* full name, designation and team are required; roles come from :class:`Role`, at least one;
* a member who has left cannot act, and cannot be changed or leave again; leaving needs a reason
  that explains (:func:`ledger.records.fields.explained_reason`);
* the email a member signs in with (single sign-on maps a provider's claim to it) is one address,
  stored in lower case; ``""`` when none is recorded;
* API tokens (:mod:`ledger.tokens`): the stream records that a token was issued (its id, the
  SHA-256 of the token, never the token, its label and expiry, and who issued it as the actor) and
  that it was revoked. A token of a member who has left stops working with the rest of their access.
"""

from __future__ import annotations

import copy
import datetime as _dt
import enum
import re
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import AggregateCreated

from ledger.errors import NotFound, PermissionDenied, RuleViolation
from ledger.integrity.chain import ChainedAggregate
from ledger.integrity.topics import stored_as
from ledger.records.fields import explained_reason, text_field

__all__ = [
    "CASEWORK_ROLES",
    "MANAGEMENT_LINE",
    "Role",
    "StaffMember",
    "staff_stream_id",
    "validate_email",
    "validate_roles",
]

STAFF_NAMESPACE = uuid.UUID("8d3f8c0e-4a57-5b7e-9c1e-6f1f3a2b7c10")
_STAFF_ID = re.compile(r"\A[a-z0-9][a-z0-9._-]{1,63}\Z")  # \Z: "$" would let a trailing newline in
_EMAIL = re.compile(r"\A[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+\Z")
_TOKEN_ID = re.compile(r"\A[0-9a-f]{16}\Z")
_SHA256_HEX = re.compile(r"\A[0-9a-f]{64}\Z")
_PASSWORD_HASH = re.compile(r"\Ascrypt\$[0-9]{1,8}\$[0-9]{1,3}\$[0-9]{1,3}"
                            r"\$[A-Za-z0-9+/=]{16,64}\$[A-Za-z0-9+/=]{32,128}\Z")


class Role(str, enum.Enum):
    """The fixed set of roles a staff member can hold."""

    SOCIAL_WORKER = "social_worker"
    SENIOR_PRACTITIONER = "senior_practitioner"
    TEAM_MANAGER = "team_manager"
    SERVICE_MANAGER = "service_manager"
    HEAD_OF_SERVICE = "head_of_service"
    IRO = "iro"
    EDT = "edt"
    HELPDESK = "helpdesk"
    AUDITOR = "auditor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {
            "iro": "IRO",
            "edt": "EDT worker",
            "helpdesk": "helpdesk",
        }.get(self.value, self.value.replace("_", " "))


#: Roles that may record on a child's record.
CASEWORK_ROLES = (
    Role.SOCIAL_WORKER,
    Role.SENIOR_PRACTITIONER,
    Role.TEAM_MANAGER,
    Role.SERVICE_MANAGER,
    Role.HEAD_OF_SERVICE,
    Role.IRO,
    Role.EDT,
)

#: The practice and management line, lowest first ("team manager and above", policy s.12).
MANAGEMENT_LINE = (
    Role.SOCIAL_WORKER,
    Role.SENIOR_PRACTITIONER,
    Role.TEAM_MANAGER,
    Role.SERVICE_MANAGER,
    Role.HEAD_OF_SERVICE,
)


def staff_stream_id(staff_id: str) -> uuid.UUID:
    """The stream id of a staff member (stable, derived from their staff id)."""
    return uuid.uuid5(STAFF_NAMESPACE, staff_id)


def validate_staff_id(staff_id: str) -> str:
    if not isinstance(staff_id, str) or not _STAFF_ID.match(staff_id):
        raise RuleViolation(
            f"staff id {staff_id!r} is not valid: use 2 to 64 lower-case letters, digits, "
            "'.', '_' or '-', starting with a letter or digit (for example 'jane.smith')"
        )
    return staff_id


def validate_roles(roles: Iterable[str | Role]) -> tuple[Role, ...]:
    out: list[Role] = []
    for r in roles:
        try:
            role = Role(r)
        except ValueError:
            allowed = ", ".join(x.value for x in Role)
            raise RuleViolation(f"role {r!r} is not a known role; the roles are: {allowed}") from None
        if role not in out:
            out.append(role)
    if not out:
        raise RuleViolation("a staff member needs at least one role")
    return tuple(sorted(out, key=list(Role).index))


def validate_email(email: str) -> str:
    """An email address as stored: stripped, lower case, one ``@``, a dotted domain, no spaces."""
    text = email.strip().lower() if isinstance(email, str) else email
    if not isinstance(text, str) or len(text) > 254 or not _EMAIL.match(text):
        raise RuleViolation(f"email {email!r} is not an email address like 'jane.smith@borough.gov.uk'",
                            field="email")
    return text


def _required_text(field: str, value: Any) -> str:
    """One line of text (:func:`ledger.records.fields.text_field`), required."""
    if not isinstance(value, str) or not value.strip():
        raise RuleViolation(f"{field} is required for a staff member (policy s.7)", field=field)
    return text_field(field, value, multi_line=False)


class StaffMember(ChainedAggregate):
    """One member of staff, from joining to leaving."""

    stream_kind = "staff member"

    class Joined(ChainedAggregate.Event, AggregateCreated):
        staff_id: str
        full_name: str
        designation: str
        team: str
        roles: tuple[Role, ...]

        def apply(self, member: StaffMember) -> None:
            member.staff_id = self.staff_id
            member.full_name = self.full_name
            member.designation = self.designation
            member.team = self.team
            member.roles = tuple(self.roles)
            member.active = True
            member.previous_teams = ()
            member.email = ""
            member.tokens = {}
            member.password_hash = ""

    class Changed(ChainedAggregate.Event):
        full_name: str
        designation: str
        team: str
        roles: tuple[Role, ...]

        def apply(self, member: StaffMember) -> None:
            if self.team != member.team:
                member.previous_teams = (*member.previous_teams, member.team)
            member.full_name = self.full_name
            member.designation = self.designation
            member.team = self.team
            member.roles = tuple(self.roles)

    class Left(ChainedAggregate.Event):
        reason: str

        def apply(self, member: StaffMember) -> None:
            member.active = False

    class EmailChanged(ChainedAggregate.Event):
        """The email the member signs in with (single sign-on maps the provider's claim to it)."""

        email: str  # "" when removed

        def apply(self, member: StaffMember) -> None:
            member.email = self.email

    class TokenIssued(ChainedAggregate.Event):
        """An API token was issued to the member (the actor is who issued it). Only the token's
        SHA-256 is stored: the token itself was shown once, to the person who issued it."""

        token_id: str
        token_sha256: str
        label: str
        expires_at: _dt.datetime | None

        def apply(self, member: StaffMember) -> None:
            member.tokens = {**member.tokens, self.token_id: {
                "token_id": self.token_id, "sha256": self.token_sha256, "label": self.label,
                "issued_at": self.occurred_at, "issued_by": self.actor.get("staff_id", ""),
                "expires_at": self.expires_at, "revoked_at": None, "revoked_by": None, "revoked_reason": ""}}

    class TokenRevoked(ChainedAggregate.Event):
        token_id: str
        reason: str

        def apply(self, member: StaffMember) -> None:
            member.tokens = {**member.tokens, self.token_id: {
                **member.tokens[self.token_id], "revoked_at": self.occurred_at,
                "revoked_by": self.actor.get("staff_id", ""), "revoked_reason": self.reason}}

    class PasswordSet(ChainedAggregate.Event):
        """A password to sign in to the web console was set (the actor: the admin who set it). Only
        its salted scrypt hash is stored (:mod:`ledger.services.tokens`), never the password."""

        password_hash: str

        def apply(self, member: StaffMember) -> None:
            member.password_hash = self.password_hash

    # State, set by the events' apply methods. Annotated for the type checker only: at run
    # time, annotations on an eventsourcing aggregate class would become constructor arguments.
    if TYPE_CHECKING:
        staff_id: str
        full_name: str
        designation: str
        team: str
        roles: tuple[Role, ...]
        active: bool
        previous_teams: tuple[str, ...]
        email: str
        tokens: dict[str, dict[str, Any]]
        password_hash: str

    @classmethod
    def join(
        cls,
        *,
        actor: dict[str, Any],
        staff_id: str,
        full_name: str,
        designation: str,
        team: str,
        roles: Iterable[str | Role],
        occurred_at: Any,
    ) -> StaffMember:
        staff_id = validate_staff_id(staff_id)
        return cls._start(
            cls.Joined,
            id=staff_stream_id(staff_id),
            actor=actor,
            occurred_at=occurred_at,
            timestamp=occurred_at,
            staff_id=staff_id,
            full_name=_required_text("full name", full_name),
            designation=_required_text("designation", designation),
            team=_required_text("team", team),
            roles=validate_roles(roles),
        )

    def change(
        self,
        *,
        actor: dict[str, Any],
        occurred_at: Any,
        full_name: str | None = None,
        designation: str | None = None,
        team: str | None = None,
        roles: Iterable[str | Role] | None = None,
        email: str | None = None,
    ) -> None:
        """Change the details given; ``email=""`` removes the sign-in email."""
        self._require_active("change the details of")
        new = {
            "full_name": _required_text("full name", full_name) if full_name is not None else self.full_name,
            "designation": _required_text("designation", designation) if designation is not None else self.designation,
            "team": _required_text("team", team) if team is not None else self.team,
            "roles": validate_roles(roles) if roles is not None else self.roles,
        }
        new_email = self.email if email is None else (validate_email(email) if email.strip() else "")
        details_changed = not all(getattr(self, k) == v for k, v in new.items())
        if not details_changed and new_email == self.email:
            raise RuleViolation(f"nothing to change for {self.full_name}: the details given are the current ones")
        if details_changed:
            self.trigger_event(self.Changed, actor=actor, occurred_at=occurred_at, timestamp=occurred_at, **new)
        if new_email != self.email:
            self.trigger_event(self.EmailChanged, actor=actor, occurred_at=occurred_at, timestamp=occurred_at,
                               email=new_email)

    def leave(self, *, actor: dict[str, Any], occurred_at: Any, reason: str) -> None:
        self._require_active("record leaving for")
        self.trigger_event(self.Left, actor=actor, occurred_at=occurred_at, timestamp=occurred_at,
                           reason=explained_reason("reason", reason,
                                                   f"recording that {self.full_name} ({self.staff_id}) left"))

    # --- API tokens (:mod:`ledger.tokens` issues them and checks them) ---------------------

    def issue_token(self, *, actor: dict[str, Any], occurred_at: _dt.datetime, token_id: str, token_sha256: str,
                    label: str = "", expires_at: _dt.datetime | None = None) -> None:
        self._require_active("issue an API token to")
        if not _TOKEN_ID.match(token_id) or token_id in self.tokens:
            raise RuleViolation(f"token id {token_id!r} is not 16 hex digits, or is already used", field="token_id")
        if not _SHA256_HEX.match(token_sha256):
            raise RuleViolation("a token is stored as its SHA-256 in 64 lower-case hex digits", field="token_sha256")
        if expires_at is not None and (expires_at.tzinfo is None or expires_at <= occurred_at):
            raise RuleViolation("a token's expiry must be a moment after it is issued", field="expires_at")
        self.trigger_event(self.TokenIssued, actor=actor, occurred_at=occurred_at, timestamp=occurred_at,
                           token_id=token_id, token_sha256=token_sha256,
                           label=text_field("label", label or "", multi_line=False), expires_at=expires_at)

    def revoke_token(self, *, actor: dict[str, Any], occurred_at: _dt.datetime, token_id: str,
                     reason: str = "") -> None:
        """Revoke one of the member's tokens (also after they have left: it tidies nothing away)."""
        token = self.tokens.get(token_id)
        if token is None:
            raise NotFound(f"{self.full_name} ({self.staff_id}) holds no API token {token_id!r}", field="token_id")
        if token["revoked_at"] is not None:
            raise RuleViolation(f"API token {token_id} of {self.full_name} was already revoked "
                                f"by {token['revoked_by']}", field="token_id")
        self.trigger_event(self.TokenRevoked, actor=actor, occurred_at=occurred_at, timestamp=occurred_at,
                           token_id=token_id, reason=text_field("reason", reason or "", multi_line=True))

    def set_password(self, *, actor: dict[str, Any], occurred_at: _dt.datetime, password_hash: str) -> None:
        """Record the hash of the member's new web console password (replacing any before it)."""
        self._require_active("set a password for")
        if not _PASSWORD_HASH.match(password_hash):
            raise RuleViolation("a password is stored as 'scrypt$N$r$p$salt$hash' (base64), never as itself",
                                field="password_hash")
        self.trigger_event(self.PasswordSet, actor=actor, occurred_at=occurred_at, timestamp=occurred_at,
                           password_hash=password_hash)

    @property
    def signs_in_with_password(self) -> bool:
        return bool(self.__dict__.get("password_hash"))

    def token_status(self, token_id: str, now: _dt.datetime) -> str:
        """``active``, ``revoked`` or ``expired`` (a member who has left: ``left``)."""
        token = self.tokens[token_id]
        if token["revoked_at"] is not None:
            return "revoked"
        if token["expires_at"] is not None and now >= token["expires_at"]:
            return "expired"
        return "active" if self.active else "left"

    # --- reading -------------------------------------------------------------------------

    def _require_active(self, what: str) -> None:
        if not self.active:
            raise RuleViolation(f"cannot {what} {self.full_name} ({self.staff_id}): they have left")

    def has_role(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def rank(self) -> int:
        """Highest position in the management line (-1 when outside it)."""
        return max((MANAGEMENT_LINE.index(r) for r in self.roles if r in MANAGEMENT_LINE), default=-1)

    def at_least(self, role: Role) -> bool:
        return self.rank >= MANAGEMENT_LINE.index(role)

    @property
    def role_label(self) -> str:
        """"a social worker", "an IRO", "a team manager and an auditor"."""
        return " and ".join(("an " if r.label[0] in "aeiouAEIOU" else "a ") + r.label for r in self.roles)

    def stamp(self) -> dict[str, Any]:
        """Who is acting, as recorded on every event they write (policy s.7), and, for the acting
        copy the application hands out (:meth:`acting_through`), the channel they acted through."""
        stamp: dict[str, Any] = {
            "staff_id": self.staff_id,
            "full_name": self.full_name,
            "designation": self.designation,
            "team": self.team,
            "roles": [r.value for r in self.roles],
        }
        channel = self.__dict__.get("acting_channel")
        if channel is not None:
            stamp["channel"] = dict(channel)
        return stamp

    def acting_through(self, channel: dict[str, Any] | None) -> StaffMember:
        """A copy of this member as the person acting through ``channel`` (see :mod:`ledger.channel`):
        its :meth:`stamp` carries the channel. The member as stored (and as a worker, supervisee or
        person concerned) never does."""
        if channel is None:
            return self
        acting = copy.copy(self)
        acting.__dict__["acting_channel"] = dict(channel)
        return acting

    def require(self, rule: str, *roles: Role, at_least: Role | None = None) -> None:
        """Raise :class:`PermissionDenied` unless this member may act under ``rule``."""
        if not self.active:
            raise PermissionDenied(f"{rule}; {self.full_name} ({self.staff_id}) has left and cannot act")
        if at_least is not None and self.at_least(at_least):
            return
        if roles and self.has_role(*roles):
            return
        raise PermissionDenied(f"{rule}; {self.full_name} is {self.role_label}")


stored_as(__name__, "ledger.staff")  # its classes keep the topics they were first stored under
