"""The PostgreSQL view store (imported only for a PostgreSQL ledger)."""

from __future__ import annotations

from collections.abc import Iterable

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.sql import SQL, Identifier

from projections.store import SQLView, Table

__all__ = ["PostgresView"]


class PostgresView(SQLView, PostgresTrackingRecorder):
    """A projection's tables and tracking row in the ledger's PostgreSQL schema."""

    _param = "%s"

    def __init__(self, datastore: PostgresDatastore, *, name: str, tables: Iterable[Table]) -> None:
        self._init_view(name, tables)
        super().__init__(datastore, tracking_table_name=self.tracking_table)
        for statement in self._create_view_statements(int_type="bigint"):
            self.sql_create_statements.append(SQL(statement))  # type: ignore[arg-type]

    def _quote(self, table: str) -> str:
        return SQL("{0}.{1}").format(Identifier(self.datastore.schema), Identifier(table)).as_string(None)
