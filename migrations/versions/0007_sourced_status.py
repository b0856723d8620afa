"""Sourced status, mobile technoparks, regions, enrolment links, the last change by a person

Revision ID: 0007_sourced_status
Revises: 0006_scale
Create Date: 2026-12-03 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_sourced_status'
down_revision = '0006_scale'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('technopark', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_source_url', sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column('status_as_of', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('status_as_of_precision', sa.Enum('day', 'month', 'year', name='status_as_of_precision', native_enum=False, create_constraint=True, length=16), nullable=True))
        batch_op.add_column(sa.Column('mobile', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('region', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('enrolment_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('unpublished_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('facts_updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_technopark_status_as_of_complete'),
            '(status_as_of IS NULL) = (status_as_of_precision IS NULL)',
        )
    # The server default only fills the existing rows; the model gives new ones their value.
    with op.batch_alter_table('technopark', schema=None) as batch_op:
        batch_op.alter_column('mobile', server_default=None)


def downgrade():
    with op.batch_alter_table('technopark', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_technopark_status_as_of_complete'), type_='check')
        batch_op.drop_constraint(op.f('ck_technopark_status_as_of_precision'), type_='check')
        batch_op.drop_column('facts_updated_at')
        batch_op.drop_column('unpublished_reason')
        batch_op.drop_column('enrolment_url')
        batch_op.drop_column('region')
        batch_op.drop_column('mobile')
        batch_op.drop_column('status_as_of_precision')
        batch_op.drop_column('status_as_of')
        batch_op.drop_column('status_source_url')
