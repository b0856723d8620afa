"""Versions in the history, and news articles saved against their version

Revision ID: 0010_versions_in_history
Revises: 0009_reports_access_mail
Create Date: 2026-12-03 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_versions_in_history'
down_revision = '0009_reports_access_mail'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=True))
    with op.batch_alter_table('news_article', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    # The server default only fills the existing rows; the model gives new ones their value.
    with op.batch_alter_table('news_article', schema=None) as batch_op:
        batch_op.alter_column('version', server_default=None)


def downgrade():
    with op.batch_alter_table('news_article', schema=None) as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('version')
