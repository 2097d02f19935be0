"""Building the demo all or nothing: into a temporary file beside the ledger, moved into place at the end.

A SQLite demo is built in ``.NAME.building-PID`` in the ledger's folder, and its signing key (when
the demo makes a new one) in ``.KEY.building-PID``. Only when the borough is built, signed and
verified are they moved into place with :func:`os.replace` (atomic on one file system): the key
first, then the ledger. A build that stops for any reason (a rule error from the story, an
exception, Ctrl-C, SIGTERM) removes its temporary files and says so in one line; the file at
``--db`` is then as it was (with ``--replace``, the old ledger is replaced only after success).

One build at a time per file: a build holds an exclusive lock on ``NAME.demo-lock`` (``flock``,
released by the operating system if the process dies); a second build on the same file is
refused at once with "is being built by another process" (exit 2).

PostgreSQL: the demo writes straight into the database (or schema) given, which must be empty.
If it stops, what it wrote stays there and the message says so: drop the schema or database
before building again.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from ledger.errors import LedgerError, RuleViolation, StorageError

SIDE_FILES = ("-wal", "-shm", "-journal")


class _Terminated(Exception):
    """SIGTERM arrived during a build."""


def _unlink_all(path: Path) -> None:
    for suffix in ("", *SIDE_FILES):
        Path(str(path) + suffix).unlink(missing_ok=True)


@contextlib.contextmanager
def build_lock(final: Path) -> Iterator[None]:
    """Hold the build lock of ``final`` or refuse (exit 2) if another process holds it."""
    lock_path = final.with_name(final.name + ".demo-lock")
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StorageError(f"{final} is being built by another process (it holds the lock {lock_path}); "
                               "wait for it to finish, or build the demo in another file") from None
        try:
            yield
        finally:
            lock_path.unlink(missing_ok=True)
    finally:
        os.close(fd)


def temporary(path: Path) -> Path:
    """The temporary name of ``path`` during a build (hidden, in the same folder, so the move is atomic)."""
    return path.with_name(f".{path.name}.building-{os.getpid()}")


@contextlib.contextmanager
def stopped_cleanly(final: Path | str, leftovers: list[Path] | None = None) -> Iterator[None]:
    """Run a build; if it stops for any reason, remove ``leftovers`` and say so in one line.

    ``leftovers`` None: a PostgreSQL build, whose events stay where they were written (said so).

    A rule error stays a :class:`RuleViolation` (exit 1); anything else, including Ctrl-C and
    SIGTERM, becomes a :class:`StorageError` (exit 2, could not run).
    """
    def on_term(signum: int, frame: FrameType | None) -> None:
        raise _Terminated()

    previous = signal.signal(signal.SIGTERM, on_term)
    left = f"the demo stopped before it finished and left no ledger at {final}"
    if leftovers is None:
        left = (f"the demo stopped before it finished; what it wrote stays in {final}: drop that schema "
                "or database before building again")
    try:
        yield
    except BaseException as e:
        for path in leftovers or []:
            _unlink_all(path)
        if isinstance(e, RuleViolation):
            raise type(e)(f"{e}; {left}") from None
        if isinstance(e, KeyboardInterrupt):
            raise StorageError(f"interrupted (Ctrl-C): {left}") from None
        if isinstance(e, _Terminated):
            raise StorageError(f"terminated (SIGTERM): {left}") from None
        if isinstance(e, LedgerError):
            raise type(e)(f"{e}; {left}") from None
        if isinstance(e, Exception):
            raise StorageError(f"{type(e).__name__}: {e}; {left}") from None
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


def move_into_place(built: Path, final: Path) -> None:
    """Replace ``final`` (and its stale side files) by the complete ledger ``built``."""
    for suffix in SIDE_FILES:
        if Path(str(built) + suffix).exists():
            raise StorageError(f"the demo ledger {built} was not closed cleanly ({built}{suffix} remains)")
    for suffix in SIDE_FILES:
        Path(str(final) + suffix).unlink(missing_ok=True)
    os.replace(built, final)


__all__ = ["build_lock", "move_into_place", "stopped_cleanly", "temporary"]
