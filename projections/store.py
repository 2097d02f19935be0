"""Where projections keep their rows: view tables plus a tracking row, per backend or in memory.

A projection (:mod:`projections.runner`) writes through the small :class:`ViewTarget` interface:
``get``/``put``/``delete`` of a row (a dict of text, integer or None) by key in one of the
projection's tables, and ``insert_tracking`` to say "everything up to this notification id is
in". Two targets implement it:

* :class:`MemoryView`: plain dicts. Used for a rebuild (the fold from event zero) and for the
  "as of" answers (a fresh fold up to a position), so that the very same ``process_event``
  code computes the stored view, the rebuilt view and every as-of answer.
* :class:`SQLiteView` / :class:`PostgresView`: eventsourcing's ``SQLiteTrackingRecorder`` and
  ``PostgresTrackingRecorder``, subclassed. They live on the ledger's own datastore (same
  SQLite file, same PostgreSQL schema), create the projection's ``view_*`` tables next to
  its tracking table ``view_<name>_tracking``, and stage row changes in memory. Which one a
  ledger's projections use is chosen by :mod:`projections.store_choice` (PostgresView lives in
  :mod:`projections.store_postgres`, imported only for a PostgreSQL ledger).

Atomicity, the design choice: **the view rows are written inside ``insert_tracking``'s
transaction.** ``insert_tracking(tracking)`` (eventsourcing's name for "record the position")
opens one ``datastore.transaction(commit=True)`` and in it (1) moves the tracking row by
compare-and-set, from the position the staged changes were computed on to the new one, then
(2) upserts/deletes the staged rows. Either both commit or neither does: a failure while
processing an event (before ``insert_tracking``) or while writing discards the staged rows,
and the stored rows and position stay where they were. Subclassing the tracking recorder
(rather than a separate writer) keeps eventsourcing's table creation, ``max_tracking_id`` and
``wait`` working on our tables, and puts the position and the rows under one transaction
without a second connection.

The compare-and-set replaces eventsourcing's ``_insert_tracking`` ("only move forward"): two
processes catching up the same projection at once (``caseledger projections run`` and a read
command) both read the same base position; the first to commit wins and the second's
transaction fails with :class:`TrackingConflict` and writes nothing (it re-reads and
continues). "Only move forward" would not be enough: a batch computed on stale rows would
commit. The write comes first in the transaction, so it takes SQLite's write lock (and
PostgreSQL's row lock) before anything else is written.

Several events may be staged before one ``insert_tracking`` (``with view.batch():``): the
position then jumps over the whole batch, rows and position still in one transaction. This
is what makes catching up fast; a batch is all-or-nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore, SQLiteTrackingRecorder

__all__ = ["Column", "MemoryView", "SQLView", "SQLiteView", "Table", "TrackingConflict", "ViewTarget"]

Row = dict[str, Any]


class TrackingConflict(IntegrityError):
    """Another process moved the projection's position first; this batch wrote nothing."""


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # "text" or "int"


@dataclass(frozen=True)
class Table:
    """A view table: its first column is the key."""

    name: str
    columns: tuple[Column, ...]
    indexes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.columns[0].name

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


class ViewTarget(Protocol):
    """What a projection writes through (see the module docstring)."""

    def get(self, table: str, key: str) -> Row | None: ...
    def put(self, table: str, key: str, row: Row) -> None: ...
    def delete(self, table: str, key: str) -> None: ...
    def rows(self, table: str) -> list[Row]: ...
    def insert_tracking(self, tracking: Tracking) -> None: ...
    def max_tracking_id(self, application_name: str) -> int | None: ...


class MemoryView:
    """The in-memory target: a dict per table, and the position reached."""

    def __init__(self, tables: Iterable[Table]) -> None:
        self.tables = {t.name: t for t in tables}
        self.data: dict[str, dict[str, Row]] = {name: {} for name in self.tables}
        self.position: dict[str, int] = {}

    def get(self, table: str, key: str) -> Row | None:
        row = self.data[table].get(key)
        return dict(row) if row is not None else None

    def put(self, table: str, key: str, row: Row) -> None:
        self.data[table][key] = dict(row)

    def delete(self, table: str, key: str) -> None:
        self.data[table].pop(key, None)

    def rows(self, table: str) -> list[Row]:
        return [dict(self.data[table][k]) for k in sorted(self.data[table])]

    def insert_tracking(self, tracking: Tracking) -> None:
        self.position[tracking.application_name] = tracking.notification_id

    def max_tracking_id(self, application_name: str) -> int | None:
        return self.position.get(application_name)


class SQLView:
    """Staged rows and the atomic rows-plus-tracking write, shared by both backends.

    Subclasses supply the SQL dialect (``_param``, ``_quote``) and are also eventsourcing
    tracking recorders (``datastore``, ``max_tracking_id``, ``create_table``).

    Threads. One view is shared by every thread of a process (a server answers requests in a
    pool of threads). What a batch stages (rows, the pending position, the base position) belongs
    to the thread that stages it: another thread's reads (:meth:`get`, :meth:`rows`) see only the
    stored rows, never rows staged by a catch-up in flight, and two threads' batches never mix.
    Two threads catching up at once are settled by the compare-and-set, as two processes are
    (:mod:`projections.runner` also lets only one thread of a process catch a projection up at a time).
    """

    projection_name: str
    view_tables: dict[str, Table]
    datastore: Any
    _param = "?"

    def _init_view(self, name: str, tables: Iterable[Table]) -> None:
        self.projection_name = name
        self.view_tables = {t.name: t for t in tables}
        self._local = threading.local()

    # -- what this thread has staged (see "Threads" in the class docstring) ------------------

    def _state(self) -> Any:
        local = self._local
        if not hasattr(local, "staged"):
            local.staged = {t: {} for t in self.view_tables}
            local.batching = 0
            local.pending = None
            local.base = {}
        return local

    @property
    def _staged(self) -> dict[str, dict[str, Row | None]]:
        staged: dict[str, dict[str, Row | None]] = self._state().staged
        return staged

    @property
    def _batching(self) -> int:
        return int(self._state().batching)

    @_batching.setter
    def _batching(self, value: int) -> None:
        self._state().batching = value

    @property
    def _pending(self) -> Tracking | None:
        pending: Tracking | None = self._state().pending
        return pending

    @_pending.setter
    def _pending(self, value: Tracking | None) -> None:
        self._state().pending = value

    @property
    def _base(self) -> dict[str, int | None]:
        base: dict[str, int | None] = self._state().base
        return base

    # -- naming and SQL -------------------------------------------------------------------

    def _quote(self, table: str) -> str:
        return f'"{table}"'

    @property
    def tracking_table(self) -> str:
        return f"view_{self.projection_name}_tracking"

    def _create_view_statements(self, *, int_type: str) -> list[str]:
        out = []
        for t in self.view_tables.values():
            cols = ", ".join(f"{c.name} {int_type if c.kind == 'int' else 'TEXT'}" + (" PRIMARY KEY" if i == 0 else "")
                             for i, c in enumerate(t.columns))
            out.append(f"CREATE TABLE IF NOT EXISTS {self._quote(t.name)} ({cols})")
            for col in t.indexes:
                out.append(f"CREATE INDEX IF NOT EXISTS {t.name}_{col}_idx ON {self._quote(t.name)} ({col})")
        return out

    def _upsert_sql(self, t: Table) -> str:
        cols = ", ".join(t.names)
        marks = ", ".join([self._param] * len(t.columns))
        sets = ", ".join(f"{c} = excluded.{c}" for c in t.names[1:])
        return (f"INSERT INTO {self._quote(t.name)} ({cols}) VALUES ({marks}) "
                f"ON CONFLICT ({t.key}) DO UPDATE SET {sets}")

    def _delete_sql(self, t: Table) -> str:
        return f"DELETE FROM {self._quote(t.name)} WHERE {t.key} = {self._param}"

    # -- the target interface -------------------------------------------------------------

    def get(self, table: str, key: str) -> Row | None:
        staged = self._staged[table]
        if key in staged:
            row = staged[key]
            return dict(row) if row is not None else None
        t = self.view_tables[table]
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT * FROM {self._quote(table)} WHERE {t.key} = {self._param}", (key,))
            found = c.fetchone()
        return {n: found[n] for n in t.names} if found is not None else None

    def put(self, table: str, key: str, row: Row) -> None:
        self._staged[table][key] = dict(row)

    def delete(self, table: str, key: str) -> None:
        self._staged[table][key] = None

    def rows(self, table: str) -> list[Row]:
        """The stored rows (not the staged ones), in key order."""
        t = self.view_tables[table]
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT * FROM {self._quote(table)} ORDER BY {t.key}")
            return [{n: r[n] for n in t.names} for r in c.fetchall()]

    @contextmanager
    def batch(self, application_name: str, base: int | None) -> Iterator[None]:
        """Stage several events computed on the view at position ``base`` (None: never run);
        one transaction writes their rows and the last position, if the position is still
        ``base`` then (else :class:`TrackingConflict`, and nothing is written)."""
        if self._batching == 0:
            self._base[application_name] = base
        self._batching += 1
        try:
            yield
        except BaseException:
            self._batching -= 1
            if self._batching == 0:
                self.discard()
            raise
        self._batching -= 1
        if self._batching == 0 and self._pending is not None:
            self._flush(self._pending)

    def discard(self) -> None:
        for staged in self._staged.values():
            staged.clear()
        self._pending = None

    def insert_tracking(self, tracking: Tracking) -> None:
        if self._batching:
            self._pending = tracking
            return
        if tracking.application_name not in self._base:
            self._base[tracking.application_name] = self.max_tracking_id(tracking.application_name)  # type: ignore[attr-defined]
        self._flush(tracking)

    def _flush(self, tracking: Tracking) -> None:
        base = self._base.pop(tracking.application_name, None)
        try:
            with self.datastore.transaction(commit=True) as c:
                self._move_tracking(c, tracking, base)
                for name, staged in self._staged.items():
                    if not staged:
                        continue
                    t = self.view_tables[name]
                    puts = [tuple(r.get(n) for n in t.names) for r in staged.values() if r is not None]
                    gone = [(k,) for k, r in staged.items() if r is None]
                    if gone:
                        c.executemany(self._delete_sql(t), gone)
                    if puts:
                        c.executemany(self._upsert_sql(t), puts)
        finally:
            self.discard()

    def _move_tracking(self, c: Any, tracking: Tracking, base: int | None) -> None:
        p, table = self._param, self._quote(self.tracking_table)
        if base is None:
            c.execute(f"SELECT notification_id FROM {table} WHERE application_name = {p}",
                      (tracking.application_name,))
            if c.fetchone() is not None:
                raise TrackingConflict(f"projection {self.projection_name}: another process started it first")
            c.execute(f"INSERT INTO {table} (application_name, notification_id) VALUES ({p}, {p})",
                      (tracking.application_name, tracking.notification_id))
            return
        c.execute(f"UPDATE {table} SET notification_id = {p} WHERE application_name = {p} "
                  f"AND notification_id = {p}", (tracking.notification_id, tracking.application_name, base))
        if self._rowcount(c) != 1:
            raise TrackingConflict(
                f"projection {self.projection_name}: its position moved from {base} while this batch "
                "was computed; nothing was written")

    @staticmethod
    def _rowcount(c: Any) -> int:
        inner = getattr(c, "sqlite_cursor", c)
        return int(inner.rowcount)

    # -- rebuild --------------------------------------------------------------------------

    def replace_all(self, data: Mapping[str, Mapping[str, Row]], tracking: Tracking | None,
                    application_name: str) -> None:
        """Drop every row and the position, write ``data`` and ``tracking``: one transaction."""
        self.discard()
        with self.datastore.transaction(commit=True) as c:
            table = self._quote(self.tracking_table)
            c.execute(f"DELETE FROM {table} WHERE application_name = {self._param}", (application_name,))
            for name, t in self.view_tables.items():
                c.execute(f"DELETE FROM {self._quote(name)}")
                rows = [tuple(r.get(n) for n in t.names) for r in data.get(name, {}).values()]
                if rows:
                    c.executemany(self._upsert_sql(t), rows)
            if tracking is not None:
                c.execute(f"INSERT INTO {table} (application_name, notification_id) VALUES "
                          f"({self._param}, {self._param})", (tracking.application_name, tracking.notification_id))


class SQLiteView(SQLView, SQLiteTrackingRecorder):
    """A projection's tables and tracking row in the ledger's SQLite file."""

    def __init__(self, datastore: SQLiteDatastore, *, name: str, tables: Iterable[Table]) -> None:
        self._init_view(name, tables)
        super().__init__(datastore)
        tt = self.tracking_table
        self.insert_tracking_statement = (
            f"INSERT INTO {tt} VALUES (:application_name, :notification_id) "
            "ON CONFLICT (application_name) DO UPDATE SET notification_id = :notification_id "
            f"WHERE {tt}.notification_id < :notification_id RETURNING notification_id")
        self.select_max_tracking_id_statement = f"SELECT MAX(notification_id) FROM {tt} WHERE application_name=?"

    def construct_create_table_statements(self) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {self.tracking_table} (application_name TEXT, notification_id INTEGER, "
            "PRIMARY KEY (application_name)) WITHOUT ROWID",
            *self._create_view_statements(int_type="INTEGER"),
        ]

    def _create_table(self, c: SQLiteCursor) -> None:
        # eventsourcing's version migrates a legacy shared "tracking" table; ours are new.
        for statement in self.create_table_statements:
            c.execute(statement)
        c.execute(f"INSERT OR IGNORE INTO {self.tracking_table} VALUES (?, 1)", (self.table_migration_identifier,))

