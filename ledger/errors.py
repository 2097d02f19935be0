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

Messages name the rule, the field, the observed and the expected value, and the person. An error
about a field also carries the field's name (``field``, and ``fields`` for every field the message
names), so that a front end can show the name its user typed (the CLI's ``--child`` for
``child_name``) in place of the ledger's.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Root of every error the ledger raises on purpose.

    ``field``: the field at fault, as the ledger names it (None when the error is not about one);
    ``fields``: every field the message names, the one at fault first.
    """

    def __init__(self, *args: object, field: str | None = None, fields: tuple[str, ...] = ()) -> None:
        super().__init__(*args)
        names = tuple(dict.fromkeys(((field,) if field else ()) + tuple(fields)))
        self.fields: tuple[str, ...] = names
        self.field: str | None = names[0] if names else None


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
