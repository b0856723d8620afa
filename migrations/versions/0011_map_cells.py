"""The map's clusters per zoom level, kept in step with the listings

Revision ID: 0011_map_cells
Revises: 0010_versions_in_history
Create Date: 2026-12-03 22:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_map_cells'
down_revision = '0010_versions_in_history'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'map_cell',
        sa.Column('zoom', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('x', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('y', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('synthetic', sa.Boolean(), autoincrement=False, nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('latitude_sum', sa.Float(), nullable=False),
        sa.Column('longitude_sum', sa.Float(), nullable=False),
        sa.Column('south', sa.Float(), nullable=False),
        sa.Column('west', sa.Float(), nullable=False),
        sa.Column('north', sa.Float(), nullable=False),
        sa.Column('east', sa.Float(), nullable=False),
        sa.Column('first_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('zoom', 'x', 'y', 'synthetic', name=op.f('pk_map_cell')),
    )
    op.create_table(
        'map_cell_build',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_map_cell_build')),
    )


def downgrade():
    op.drop_table('map_cell_build')
    op.drop_table('map_cell')
