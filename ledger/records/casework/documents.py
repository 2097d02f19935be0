"""Documents on the child's record (policy s.4, Appendix 1), and the files they stand for.

* ``document`` (s.4, Appendix 1): ``name``, ``doc_type`` and ``sha256`` (the file's SHA-256
  in 64 hex digits, so that the ledger's hash chain covers the file) are required;
  ``size_bytes`` is not negative; ``date_received`` is not in the future. Identity documents
  (birth_certificate, passport, identification) are kept on paper in their original form;
  keeping any other document on paper needs ``original_reason``. The same file (same
  SHA-256) is not recorded twice on a case. :func:`document_details` hashes a file;
  :func:`document_matches` checks a file against the recorded hash.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ledger.errors import RuleViolation
from ledger.records.casework.base import IDENTITY_DOCUMENTS, Ctx, Kind
from ledger.records.dates import day_text
from ledger.records.fields import Field

__all__ = ["DOCUMENT", "DOC_TYPES", "document_details", "document_matches"]


# --- documents (s.4) -------------------------------------------------------------------------

DOC_TYPES = ("drawing", "letter", "court_order", "signed_pre_proceedings_letter", "assessment", "report",
             "audit_form", *IDENTITY_DOCUMENTS, "other")


def _check_document(ctx: Ctx, d: dict[str, Any]) -> dict[str, Any]:
    if d.get("size_bytes", 0) < 0:
        raise RuleViolation(f"size_bytes for a document must not be negative, got {d['size_bytes']}")
    if d.get("date_received") and d["date_received"] > ctx.today:
        raise RuleViolation(f"date_received {day_text(d['date_received'])} is in the future "
                            f"(today is {day_text(ctx.today)})")
    if d["doc_type"] in IDENTITY_DOCUMENTS:
        if d.get("keep_original_paper") is False:
            raise RuleViolation(f"a {d['doc_type'].replace('_', ' ')} is kept in its original form "
                                "(policy s.4): keep_original_paper cannot be no")
        d["keep_original_paper"] = True
    elif d.get("keep_original_paper") and not d.get("original_reason"):
        raise RuleViolation(
            "original_reason is required to keep a document on paper: paper files only hold documents "
            "that must be preserved in their original form, e.g. birth certificates and passports "
            "(policy s.4)"
        )
    for rid, record in ctx.case.records.items():
        if record["kind"] == "document" and record["details"]["sha256"] == d["sha256"]:
            raise RuleViolation(f"this file (SHA-256 {d['sha256'][:12]}...) is already on the case as "
                                f"document {rid} ({record['details']['name']!r}); duplicates are kept to "
                                "a minimum")
    return d


DOCUMENT = Kind(
    name="document", title="a document", policy="s.4",
    help="A document on the child's record (drawing, letter, court order...). The event carries the "
         "file's SHA-256, so the ledger's integrity covers the file.",
    fields=(
        Field("name", required=True),
        Field("doc_type", "choice", required=True, choices=DOC_TYPES),
        Field("sha256", "sha256", required=True, help="the file's SHA-256 (64 hex digits)"),
        Field("size_bytes", "int"),
        Field("date_received", "date"),
        Field("keep_original_paper", "bool", help="kept on paper in its original form"),
        Field("original_reason", help="why the original must be kept (other than identity documents)"),
        Field("description"),
    ),
    check=_check_document,
    initial_status=lambda d: "held",
)

# --- documents' files ------------------------------------------------------------------------


def document_details(path: str | Path) -> dict[str, Any]:
    """``name``, ``sha256`` and ``size_bytes`` of a file, for recording it as a document."""
    p = Path(path)
    digest = hashlib.sha256()
    size = 0
    with p.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return {"name": p.name, "sha256": digest.hexdigest(), "size_bytes": size}


def document_matches(record: dict[str, Any], path: str | Path) -> bool:
    """Whether the file at ``path`` is the one recorded (same SHA-256 and size)."""
    if record.get("kind") != "document":
        raise RuleViolation(f"record {record.get('id')} is a {record.get('kind')}, not a document")
    found = document_details(path)
    want = record["details"]
    size = want.get("size_bytes", found["size_bytes"])
    return bool(found["sha256"] == want["sha256"] and size == found["size_bytes"])
