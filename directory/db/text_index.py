"""The index behind text search: words found inside search_text without reading every row.

A query word matches where it occurs anywhere in a record's folded search_text, as
`search_text LIKE '%word%'` does. On 100 000 records such a LIKE reads every row, so each
database gets a trigram index that finds the same rows:

- PostgreSQL: a GIN index with pg_trgm's operator class, which LIKE uses as it stands;
- SQLite: an FTS5 table with the trigram tokenizer, kept in step with technopark by
  triggers, queried with one quoted phrase per word (a phrase of three or more characters
  matches exactly the texts it occurs in).

Neither trigram index can look up a word shorter than three characters, so such a word is
matched with LIKE on both databases. The objects are created with the technopark table
(create_all in the tests; the table's model asks for it) and by migration 0006_scale;
Alembic's comparison skips them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, column, select, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnClause

FTS_TABLE = "technopark_fts"
TRIGRAM_INDEX = "ix_technopark_search_text_trgm"
# The shortest word a trigram index can look up.
SHORTEST_INDEXED_WORD = 3

SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} "
    "USING fts5(search_text, tokenize = 'trigram case_sensitive 1')",
    f"INSERT INTO {FTS_TABLE} (rowid, search_text) SELECT id, search_text FROM technopark",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert AFTER INSERT ON technopark BEGIN
        INSERT INTO {FTS_TABLE} (rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update AFTER UPDATE OF search_text
    ON technopark BEGIN
        UPDATE {FTS_TABLE} SET search_text = new.search_text WHERE rowid = new.id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON technopark BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
    END""",
)
SQLITE_DROP = (
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_update",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)
POSTGRESQL_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON technopark "
    "USING gin (search_text gin_trgm_ops)",
)
POSTGRESQL_DROP = (f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}",)

# What Alembic must neither report as unknown nor drop: the FTS5 table and its shadow tables.
NOT_IN_MODELS = frozenset(
    {
        TRIGRAM_INDEX,
        FTS_TABLE,
        *(f"{FTS_TABLE}_{shadow}" for shadow in ("data", "idx", "content", "docsize", "config")),
    }
)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's filter: leave out the text index objects, which the models do not describe."""
    return name not in NOT_IN_MODELS


def create_text_index(connection: Connection) -> None:
    """Build the text index of the connection's database from the rows there now."""
    for statement in statements_for(connection, SQLITE_CREATE, POSTGRESQL_CREATE):
        connection.execute(text(statement))


def drop_text_index(connection: Connection) -> None:
    """Remove the text index."""
    for statement in statements_for(connection, SQLITE_DROP, POSTGRESQL_DROP):
        connection.execute(text(statement))


def statements_for(
    connection: Connection, sqlite: tuple[str, ...], postgresql: tuple[str, ...]
) -> tuple[str, ...]:
    """The statements for the connection's database; none for another kind."""
    return {"sqlite": sqlite, "postgresql": postgresql}.get(connection.dialect.name, ())


def index_new_table(target: Any, connection: Connection, **kw: Any) -> None:
    """The technopark table's after_create hook: create_all builds the index with it."""
    create_text_index(connection)


def drop_with_table(target: Any, connection: Connection, **kw: Any) -> None:
    """The before_drop hook: drop_all removes the FTS5 table too, or a new technopark table
    would inherit its rows."""
    drop_text_index(connection)


def fts_phrase(words: list[str]) -> str:
    """An FTS5 query where every word must occur: one quoted phrase per word."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def text_conditions(
    dialect: str, search_text: ColumnClause, row_id: ColumnClause, folded_words: list[str]
) -> list[ColumnElement[bool]]:
    """Conditions that every folded word occurs somewhere in the search_text column."""
    if dialect != "sqlite":
        # PostgreSQL's trigram index serves LIKE itself.
        return [search_text.contains(word, autoescape=True) for word in folded_words]
    indexed = [word for word in folded_words if len(word) >= SHORTEST_INDEXED_WORD]
    conditions = [
        search_text.contains(word, autoescape=True)
        for word in folded_words
        if len(word) < SHORTEST_INDEXED_WORD
    ]
    if indexed:
        fts = table(FTS_TABLE, column("rowid"))
        matching = select(fts.c.rowid).where(
            text(f"{FTS_TABLE} MATCH :phrase").bindparams(phrase=fts_phrase(indexed))
        )
        conditions.insert(0, row_id.in_(matching))
    return conditions
