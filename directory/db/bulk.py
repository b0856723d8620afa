"""Many rows in at once: COPY on PostgreSQL, executemany elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert


def bulk_insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the rows in the connection's transaction; every row has the same keys."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    # psycopg parses a many-row INSERT slowly; COPY streams the rows in a fraction of the time.
    columns = list(rows[0])
    names = ", ".join(f'"{name}"' for name in columns)
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])
