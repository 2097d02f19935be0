"""Where the ledger is stored: the one module that knows which backend is in use.

One setting chooses the backend: a path names a SQLite file (the embedded default, zero set-up,
``./caseledger.db``); a ``postgresql://user:password@host:port/dbname`` URL names a PostgreSQL
database (the production engine, through psycopg 3). Tables are created on first use.

Everything else in ``ledger/`` works through the eventsourcing recorder interface and never
asks which backend it is on. Driver errors are translated here into
:class:`~ledger.errors.StorageError` (``raise ... from e``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from eventsourcing.domain import EventSourcingError
from eventsourcing.persistence import IntegrityError as StoreIntegrityError
from eventsourcing.persistence import PersistenceError

from ledger.errors import LedgerError, StorageError

__all__ = ["DEFAULT_DB", "Backend", "ConflictError", "backend_for", "translate_storage_errors"]

DEFAULT_DB = "caseledger.db"
DB_ENV = "CASELEDGER_DB"
TRANSCODER = "ledger.encoding:CanonicalTranscoder"


class ConflictError(StorageError):
    """Someone else wrote to the same record at the same time; nothing was written."""


@dataclass(frozen=True)
class Backend:
    """A resolved storage setting: its kind, a display name and the eventsourcing settings."""

    kind: str  # "sqlite" or "postgresql"
    display: str
    env: dict[str, str]


def backend_for(db: str | None = None) -> Backend:
    """Resolve ``--db`` / ``CASELEDGER_DB`` (default ``./caseledger.db``) to a backend."""
    setting = db or os.environ.get(DB_ENV) or DEFAULT_DB
    common = {"TRANSCODER_TOPIC": TRANSCODER, "CREATE_TABLE": "y"}
    if setting.startswith(("postgresql://", "postgres://")):
        url = urlsplit(setting)
        dbname = unquote(url.path.lstrip("/"))
        if not dbname:
            raise StorageError(f"the PostgreSQL URL {_redact(setting)!r} names no database (…/dbname)")
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        env = {
            **common,
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": dbname,
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_CONNECT_TIMEOUT": query.get("connect_timeout", "5"),
            "POSTGRES_POOL_SIZE": "2",
            "POSTGRES_MAX_OVERFLOW": "4",
            "APPLICATION_RECORDER_TOPIC": "ledger.postgres_store:PostgresLedgerRecorder",
        }
        if "schema" in query:
            if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", query["schema"]):
                raise StorageError(f"schema {query['schema']!r} must be a lower-case SQL identifier")
            env["POSTGRES_SCHEMA"] = query["schema"]
        return Backend("postgresql", _redact(setting), env)
    if "://" in setting:
        raise StorageError(
            f"database setting {setting!r} is neither a file path (SQLite) nor a "
            "postgresql:// URL"
        )
    path = Path(setting).expanduser()
    if path.parent and not path.parent.exists():
        raise StorageError(f"cannot create the SQLite ledger {str(path)!r}: folder {str(path.parent)!r} does not exist")
    return Backend("sqlite", str(path), {**common, "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                                         "SQLITE_DBNAME": str(path), "SQLITE_LOCK_TIMEOUT": "10",
                                         "APPLICATION_RECORDER_TOPIC":
                                             "ledger.sqlite_store:SQLiteLedgerRecorder"})


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


@contextmanager
def translate_storage_errors(what: str) -> Iterator[None]:
    """Turn eventsourcing/driver errors into the ledger's own, naming what was being done."""
    try:
        yield
    except LedgerError:
        raise
    except StoreIntegrityError as e:
        raise ConflictError(
            f"{what}: the record was changed by someone else at the same time; nothing was "
            "written, read it again and retry"
        ) from e
    except PersistenceError as e:
        raise StorageError(f"{what}: the database failed: {e}") from e
    except EventSourcingError as e:
        raise StorageError(f"{what}: {e}") from e
    except OSError as e:
        raise StorageError(f"{what}: {e}") from e
