"""Adoption matching: the record restricted at the point of matching, the identity link sealed.

Policy s.11 names records of "children who have been or who are in the process of being
adopted" as records to restrict; issue 6 adds: "Adoption records are restricted at the point of
matching and the link between the birth and adoptive identities is hidden from everyone outside
the adoption team."

* Matching is one event on the case (:class:`AdoptionMatched`), recorded by a service manager or
  head of service (they decide restrictions, s.11), for a child who is looked after. The same
  event restricts the record (kind ``adoption``) if it is not already restricted: there is no
  moment at which the child is matched and the record open.
* The link (the child's adoptive name and the adopters) is **sealed** before it is recorded:
  AES-256-GCM under the *adoption key*, a 32-byte key kept outside the database (a file next to
  a SQLite ledger, or where the authority keeps it), with the case id as associated data, so a
  sealed link cannot be moved to another child's record. The event, like every event, is
  hash-chained and in the Merkle log, but what it stores of the link is ciphertext: nobody who
  can read the database, the audit view, an evidence bundle or a backup can join the two
  identities without the key.
* Opening the link is an access attempt on the part ``adoption_link``, decided by the access
  policy (only members of the adoption team, :data:`ADOPTION_TEAM`; nobody else, managers
  included) and recorded before the link is unsealed.

The commands (``ledger.adoption.match`` and ``ledger.adoption.link`` of the application) are in
:mod:`ledger.services.adoption`; this module holds the key, the sealing and the event.

Losing the adoption key loses the links (never the rest of the record): keep a copy where the
signing key is kept.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger.access.policy import ADOPTION_TEAM
from ledger.errors import IntegrityError, RuleViolation
from ledger.integrity.chain import ChainedAggregate
from ledger.integrity.encoding import decode, encode
from ledger.records.case import CaseRecord, RestrictionKind
from ledger.records.fields import text_field

__all__ = ["ADOPTION_TEAM", "AdoptionKey", "AdoptionMatched", "link_text", "seal", "unseal"]

_AAD = b"caseledger adoption link v1:"


@dataclass(frozen=True)
class AdoptionKey:
    """The AES-256-GCM key that seals adoption links (kept out of ``repr``)."""

    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) != 32:
            raise RuleViolation(f"an adoption key is 32 bytes; this one is {len(self.secret)}")

    @property
    def key_id(self) -> str:
        """A short fingerprint naming the key in what it seals (not the key)."""
        return hashlib.sha256(b"caseledger adoption key id:" + self.secret).hexdigest()[:16]

    @classmethod
    def generate(cls) -> AdoptionKey:
        return cls(AESGCM.generate_key(bit_length=256))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> AdoptionKey:
        try:
            text = Path(path).read_text().strip()
        except FileNotFoundError:
            raise RuleViolation(f"no adoption key at {path}: the key that seals adoption links is kept "
                                "outside the database; give its file with --adoption-key") from None
        try:
            return cls(base64.b64decode(text, validate=True))
        except ValueError:
            raise RuleViolation(f"{path} is not an adoption key (one line of base64)") from None

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the key, readable by its owner only; never over an existing key."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(base64.b64encode(self.secret).decode() + "\n")


def seal(key: AdoptionKey, case_id: uuid.UUID, link: dict[str, Any]) -> dict[str, str]:
    """``link`` encrypted and bound to ``case_id``: what the ledger stores of it."""
    nonce = os.urandom(12)
    sealed = AESGCM(key.secret).encrypt(nonce, encode(link), _AAD + case_id.bytes)
    return {"alg": "AES-256-GCM", "key_id": key.key_id, "nonce": base64.b64encode(nonce).decode(),
            "ciphertext": base64.b64encode(sealed).decode()}


def unseal(key: AdoptionKey, case_id: uuid.UUID, sealed: dict[str, str]) -> dict[str, Any]:
    """The link, or :class:`IntegrityError` when the key is not the one it was sealed with, or the
    sealed link was changed or moved from another record."""
    if sealed.get("key_id") != key.key_id:
        raise IntegrityError(f"the adoption link was sealed with the adoption key {sealed.get('key_id')}; "
                             f"the key given is {key.key_id}")
    try:
        plain = AESGCM(key.secret).decrypt(base64.b64decode(sealed["nonce"]),
                                           base64.b64decode(sealed["ciphertext"]), _AAD + case_id.bytes)
    except (InvalidTag, KeyError, ValueError):
        raise IntegrityError(f"the sealed adoption link of case {case_id} does not open: it was changed, "
                             "or it belongs to another record") from None
    link = decode(plain)
    assert isinstance(link, dict)
    return link


class AdoptionMatched(ChainedAggregate.Event):
    """The child is matched with adopters: the link sealed, the record restricted (if it was not)."""

    matched_on: _dt.date
    reason: str
    sealed_link: dict[str, str]

    def apply(self, case: CaseRecord) -> None:
        case.adoption = {  # type: ignore[attr-defined]
            "matched_on": self.matched_on, "by": self.actor, "at": self.timestamp, "reason": self.reason,
            "sealed_link": self.sealed_link}
        if getattr(case, "restriction", None) is None:
            case.restriction = {"kind": RestrictionKind.ADOPTION, "by": self.actor, "at": self.timestamp,
                                "reason": f"restricted at the point of matching: {self.reason}",
                                "staff_concerned": None}
            case.access_grants = {}


def link_text(field_name: str, value: Any) -> str:
    """A name in the link (the adoptive name, the adopters), required and on one line."""
    if not isinstance(value, str) or not value.strip():
        raise RuleViolation(f"{field_name} is required when matching a child for adoption", field=field_name)
    return text_field(field_name, value, multi_line=False)  # a name: one line, no control characters
