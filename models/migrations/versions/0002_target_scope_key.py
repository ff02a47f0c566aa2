"""targets keyed by scope too (contract v3: a target names the unit or territory it is for)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _target(primary_key: tuple[str, ...]) -> None:
    op.create_table('target',
    sa.Column('indicator', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint(*primary_key)
    )


def upgrade() -> None:
    # The table is a copy of the targets CSV, reloaded whenever chiso starts: recreated.
    op.drop_table('target')
    _target(('indicator', 'kind', 'year', 'scope'))


def downgrade() -> None:
    op.drop_table('target')
    _target(('indicator', 'kind', 'year'))
