"""The ledger's exceptions: one root, a small tree under it.

::

    LedgerError                      anything the ledger refuses or cannot do
     +-- EncodingError               a value that has no canonical encoding (names the field)
     +-- RuleViolation               a case-recording rule refused a command; nothing was written
     |    +-- PermissionDenied       the acting staff member's role does not allow it
     |    +-- NotFound               no such case, note or staff member
     +-- StorageError                the database failed or could not be reached
     |                               (psycopg and sqlite3 errors are translated at the boundary)
     +-- IntegrityError              stored data failed verification
     +-- CheckpointError             a malformed or badly signed checkpoint or signing key

Messages name the rule, the field, the observed and the expected value, and the person.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Root of every error the ledger raises on purpose."""


class EncodingError(LedgerError):
    """A value cannot be put in the canonical encoding (the message names the field)."""


class RuleViolation(LedgerError):
    """A case-recording rule refused a command. Nothing was written."""


class PermissionDenied(RuleViolation):
    """The acting staff member's role does not allow the command."""


class NotFound(RuleViolation):
    """The case, note or staff member named does not exist."""


class StorageError(LedgerError):
    """The database failed or could not be reached."""


class IntegrityError(LedgerError):
    """Stored data failed verification."""


class CheckpointError(LedgerError):
    """A checkpoint, signed note or signing key is malformed or does not verify."""
