"""Scale: the data version that caches are keyed by, and the text search index

Revision ID: 0006_scale
Revises: 0001_initial
Create Date: 2026-11-27 05:06:43.235329

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_scale'
down_revision = '0001_initial'
branch_labels = None
depends_on = None

# The text index as directory/text_index.py builds it, written out so this step never changes.
SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS technopark_fts "
    "USING fts5(search_text, tokenize = 'trigram case_sensitive 1')",
    "INSERT INTO technopark_fts (rowid, search_text) SELECT id, search_text FROM technopark",
    """CREATE TRIGGER IF NOT EXISTS technopark_fts_insert AFTER INSERT ON technopark BEGIN
        INSERT INTO technopark_fts (rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS technopark_fts_update AFTER UPDATE OF search_text
    ON technopark BEGIN
        UPDATE technopark_fts SET search_text = new.search_text WHERE rowid = new.id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS technopark_fts_delete AFTER DELETE ON technopark BEGIN
        DELETE FROM technopark_fts WHERE rowid = old.id;
    END""",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS technopark_fts_insert",
    "DROP TRIGGER IF EXISTS technopark_fts_update",
    "DROP TRIGGER IF EXISTS technopark_fts_delete",
    "DROP TABLE IF EXISTS technopark_fts",
)
POSTGRESQL_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_technopark_search_text_trgm ON technopark "
    "USING gin (search_text gin_trgm_ops)",
)
POSTGRESQL_DROP = ("DROP INDEX IF EXISTS ix_technopark_search_text_trgm",)


def run(sqlite, postgresql):
    """The statements for this database's kind."""
    name = op.get_bind().dialect.name
    for statement in {"sqlite": sqlite, "postgresql": postgresql}.get(name, ()):
        op.execute(statement)


def upgrade():
    data_version = op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version'))
    )
    op.bulk_insert(data_version, [{'id': 1, 'version': 1}])
    run(SQLITE_CREATE, POSTGRESQL_CREATE)


def downgrade():
    run(SQLITE_DROP, POSTGRESQL_DROP)
    op.drop_table('data_version')
