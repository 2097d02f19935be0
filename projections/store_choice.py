"""Which view store a ledger's projections use: SQLite or PostgreSQL, by the ledger's datastore.

:func:`open_sql_view` opens a projection's view (:mod:`projections.store`) on the same datastore
as the ledger's events: :class:`~projections.store.SQLiteView` in its SQLite file,
:class:`~projections.store_postgres.PostgresView` in its PostgreSQL schema. It sits above both
backends, so that neither imports the other.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eventsourcing.sqlite import SQLiteDatastore

from projections.store import SQLiteView, SQLView, Table

__all__ = ["open_sql_view"]


def open_sql_view(recorder: Any, *, name: str, tables: Iterable[Table]) -> SQLView:
    """The view of projection ``name`` on the datastore of the ledger's ``recorder``; tables created."""
    datastore = recorder.datastore
    view: SQLView
    if isinstance(datastore, SQLiteDatastore):
        view = SQLiteView(datastore, name=name, tables=tables)
    elif type(datastore).__module__ == "eventsourcing.postgres":
        # Imported here: psycopg and eventsourcing.postgres cost a fifth of a second to import,
        # which every command on a SQLite ledger would otherwise pay.
        from projections.store_postgres import PostgresView

        view = PostgresView(datastore, name=name, tables=tables)
    else:  # pragma: no cover
        raise TypeError(f"no projection store for {type(datastore).__name__}")
    view.create_table()  # type: ignore[attr-defined]
    return view
