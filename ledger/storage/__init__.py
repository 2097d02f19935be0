"""Where the ledger is stored: the one module that knows which backend is in use.

One setting chooses the backend: a path names a SQLite file (the embedded default, zero set-up,
``./caseledger.db``); a ``postgresql://user:password@host:port/dbname`` URL names a PostgreSQL
database (the production engine, through psycopg 3). Tables are created on first use.

Read-only opening (``read_only=True``: ``verify`` and the other commands that record nothing)
never writes: on SQLite the file is opened through a ``file:PATH?mode=ro`` URI (plus
``immutable=1`` when no one can write the file, e.g. a copy in a read-only folder: WAL mode would
otherwise need to create ``PATH-shm``), with no table creation and no ``PRAGMA`` that writes; on
PostgreSQL every connection has ``default_transaction_read_only`` on.

Waiting for PostgreSQL. ``connect_timeout`` in the URL (whole seconds, default 5) is the longest
one call waits for a connection, retries included: after it the call fails with "the database
at HOST:PORT is unreachable (no connection within N s)" (:mod:`ledger.storage.postgres`).

Everything else in ``ledger/`` works through the eventsourcing recorder interface and never
asks which backend it is on. Driver errors are translated here into
:class:`~ledger.errors.StorageError` (``raise ... from e``).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit
from uuid import UUID

import psycopg
from eventsourcing.domain import EventSourcingError
from eventsourcing.persistence import IntegrityError as StoreIntegrityError
from eventsourcing.persistence import PersistenceError

from ledger.errors import LedgerError, StorageError
from ledger.integrity.encoding import stored_event_digest

__all__ = ["DEFAULT_DB", "Backend", "ConflictError", "DatabaseUnreachable", "NoFreeConnection", "ReadOnlyLedger",
           "backend_for", "check_previous_events", "no_ledger", "refuse_if_read_only", "translate_storage_errors"]

DEFAULT_DB = "caseledger.db"
DB_ENV = "CASELEDGER_DB"
TRANSCODER = "ledger.integrity.encoding:CanonicalTranscoder"
#: The environment key that opens a PostgreSQL ledger read-only (read by ``ledger.storage.postgres``).
READ_ONLY_KEY = "LEDGER_READ_ONLY"
DEFAULT_CONNECT_TIMEOUT = "5"


class ConflictError(StorageError):
    """Someone else wrote to the same record at the same time; this write was not made.

    ``what`` names the write (``"recording a case note"``).
    """

    what: str = ""


class ReadOnlyLedger(StorageError):
    """The ledger can be read but not written: a read-only file or folder, or a read-only database.

    ``where`` names the ledger (its display name) when the refusal came at opening.
    """

    where: str = ""


class DatabaseUnreachable(PersistenceError):
    """No connection to the database within the connect timeout (raised by the PostgreSQL store).

    Not one of the errors eventsourcing's recorders retry (``OperationalError``, ``InterfaceError``):
    the timeout already was the whole wait.
    """

    def __init__(self, where: str, timeout: float) -> None:
        super().__init__(f"the database at {where} is unreachable (no connection within {timeout:g} s)")


class NoFreeConnection(PersistenceError):
    """Every connection of this process's pool stayed in use for the whole connect timeout (the
    database answers; this process is busy). Not retried either."""

    def __init__(self, where: str, timeout: float, size: int) -> None:
        super().__init__(f"no connection to the database at {where} came free within {timeout:g} s "
                         f"(all {size} of this process's connections are in use)")


@dataclass(frozen=True)
class Backend:
    """A resolved storage setting: its kind, a display name and the eventsourcing settings."""

    kind: str  # "sqlite" or "postgresql"
    display: str
    env: dict[str, str]


def no_ledger(display: str) -> StorageError:
    return StorageError(f"no ledger at {display} (create one with caseledger init)")


def backend_for(db: str | None = None, *, create: bool = True, read_only: bool = False) -> Backend:
    """Resolve ``--db`` / ``CASELEDGER_DB`` (default ``./caseledger.db``) to a backend.

    ``create=False``: the ledger must exist already (a missing SQLite file is refused here, and
    tables are never created), so that a mistyped path never answers from a new empty ledger.
    ``read_only=True`` (implies ``create=False``): opened so that nothing can be written (see the
    module docstring).
    """
    create = create and not read_only
    setting = db or os.environ.get(DB_ENV) or DEFAULT_DB
    common = {"TRANSCODER_TOPIC": TRANSCODER, "CREATE_TABLE": "y" if create else "n"}
    if setting.startswith(("postgresql://", "postgres://")):
        url = urlsplit(setting)
        dbname = unquote(url.path.lstrip("/"))
        if not dbname:
            raise StorageError(f"the PostgreSQL URL {_redact(setting)!r} names no database (…/dbname)")
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        timeout = query.get("connect_timeout", DEFAULT_CONNECT_TIMEOUT)
        if not re.fullmatch(r"[1-9][0-9]{0,3}", timeout):
            raise StorageError(f"connect_timeout {timeout!r} in the PostgreSQL URL must be a whole number of "
                               "seconds from 1 to 9999")
        env = {
            **common,
            "PERSISTENCE_MODULE": "ledger.storage.postgres:LedgerPostgresFactory",
            "POSTGRES_DBNAME": dbname,
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_CONNECT_TIMEOUT": timeout,
            "POSTGRES_POOL_SIZE": "2",
            "POSTGRES_MAX_OVERFLOW": "4",
            "APPLICATION_RECORDER_TOPIC": "ledger.storage.postgres:PostgresLedgerRecorder",
            READ_ONLY_KEY: "y" if read_only else "n",
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
    if not create and not path.is_file():
        raise no_ledger(str(path))
    if path.parent and not path.parent.exists():
        raise StorageError(f"cannot create the SQLite ledger {str(path)!r}: folder {str(path.parent)!r} does not exist")
    dbname = sqlite_read_only_uri(path) if read_only else str(path)
    return Backend("sqlite", str(path), {**common, "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                                         "SQLITE_DBNAME": dbname, "SQLITE_LOCK_TIMEOUT": "10",
                                         "APPLICATION_RECORDER_TOPIC":
                                             "ledger.storage.sqlite:SQLiteLedgerRecorder"})


def refuse_if_read_only(backend: Backend) -> None:
    """Before a ledger is opened for writing: a SQLite ledger that exists but that this process cannot
    write is refused here (:class:`ReadOnlyLedger`, ``where`` set), before anything is tried."""
    path = Path(backend.display)
    if backend.kind == "sqlite" and path.is_file() and not sqlite_writable(path):
        refused = ReadOnlyLedger(f"the ledger at {path} is read-only")
        refused.where = str(path)
        raise refused


def sqlite_writable(path: Path) -> bool:
    """Whether this process can write the SQLite file ``path``: the file itself, and its folder (WAL
    mode creates ``PATH-wal`` and ``PATH-shm`` there) unless both of those exist and are writable."""
    if not os.access(path, os.W_OK):
        return False
    folder = path.parent if str(path.parent) else Path(".")
    sides = [Path(f"{path}-wal"), Path(f"{path}-shm")]
    return os.access(folder, os.W_OK) or all(s.is_file() and os.access(s, os.W_OK) for s in sides)


def sqlite_read_only_uri(path: Path) -> str:
    """The URI that opens ``path`` read-only: ``mode=ro``, and ``immutable=1`` when no one here can
    write it (nothing can change under the reader, and SQLite then needs no ``-shm`` file). Not when
    ``PATH-wal`` holds commits not yet copied into the file: those would be ignored."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    wal = Path(f"{path}-wal")
    if not sqlite_writable(path) and not (wal.is_file() and wal.stat().st_size > 0):
        uri += "&immutable=1"
    return uri


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
    except (DatabaseUnreachable, NoFreeConnection) as e:
        raise StorageError(f"{what}: {e}") from e
    except (PersistenceError, sqlite3.Error, psycopg.Error) as e:
        if _read_only_refusal(e):
            raise ReadOnlyLedger(f"{what}: the ledger is read-only here, nothing was written ({e})") from e
        if isinstance(e, StoreIntegrityError):
            conflict = ConflictError(
                f"{what}: the record was changed by someone else at the same time; this write was not "
                "made, read it again and retry"
            )
            conflict.what = what
            raise conflict from e
        if isinstance(e, PersistenceError):
            raise StorageError(f"{what}: the database failed: {e}") from e
        raise StorageError(f"{what}: {e}") from e
    except EventSourcingError as e:
        raise StorageError(f"{what}: {e}") from e
    except OSError as e:
        raise StorageError(f"{what}: {e}") from e


def _read_only_refusal(error: BaseException) -> bool:
    """Whether the database refused a write because it is read-only (SQLite's SQLITE_READONLY family,
    PostgreSQL's read-only transaction), looking through eventsourcing's wrapping."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, psycopg.errors.ReadOnlySqlTransaction):
            return True
        if isinstance(seen, sqlite3.Error) and (getattr(seen, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_READONLY:
            return True
        seen = seen.__cause__ or seen.__context__
    return "readonly database" in str(error)


def check_previous_events(cursor: Any, select: str, pair: str, key: Callable[[UUID], Any],
                          stored_events: Sequence[Any]) -> None:
    """Refuse an append that does not follow what is stored now, in the append's transaction.

    An application remembers each stream at the version (and hash) it last wrote or read. If the
    database lost its last commits (a server crash), or someone else appended meanwhile with a
    different event at that version, the remembered state is not what is stored. So, for the
    first new event of each stream (version v > 1), the stored event at v - 1 is read here, in
    the same transaction as the insert: it must exist and its ``event_hash`` must be the new
    event's ``prev_hash``. Otherwise the append is refused as a concurrent-write conflict
    (nothing is written): the caller reads the stream again and retries, never building a gap or
    a broken chain on a lost tail.

    One query for all the streams of the append (a batch of access attempts holds many: one round
    trip, not one a stream): ``select`` selects ``originator_id, originator_version, topic, state``
    from the events table ``WHERE``; one ``pair`` condition follows it per stream (its id and the
    version, as placeholders), joined by ``OR``.
    """
    wanted: dict[tuple[UUID, int], Any] = {}  # (stream, version before the append) -> its first new event
    seen: set[Any] = set()
    for event in stored_events:
        oid = event.originator_id
        if oid in seen:
            continue
        seen.add(oid)
        version = int(event.originator_version)
        if version > 1:
            wanted[(oid if isinstance(oid, UUID) else UUID(str(oid)), version - 1)] = event
    if not wanted:
        return
    cursor.execute(select + " OR ".join([pair] * len(wanted)),
                   [value for stream, version in wanted for value in (key(stream), version)])
    stored: dict[tuple[UUID, int], tuple[str, bytes]] = {}
    for row in cursor.fetchall():
        oid, version, topic, state = ((row["originator_id"], row["originator_version"], row["topic"], row["state"])
                                      if isinstance(row, dict) else tuple(row))
        stored[(oid if isinstance(oid, UUID) else UUID(str(oid)), int(version))] = (str(topic), bytes(state))
    for (stream, previous), event in wanted.items():
        if (stream, previous) not in stored:
            raise StoreIntegrityError(
                f"stream {stream} has no stored version {previous} to follow: it was not written, "
                "or the database lost it")
        topic, state = stored[(stream, previous)]
        try:
            _, stored_hash, _ = stored_event_digest(topic, stream, previous, state)
            _, _, prev_hash = stored_event_digest(event.topic, stream, previous + 1, event.state)
        except LedgerError as e:
            raise StoreIntegrityError(f"stream {stream} version {previous}: {e}") from e
        if stored_hash != prev_hash:
            raise StoreIntegrityError(
                f"stream {stream} version {previous} stored is not the one this append follows")
