"""school characteristics: nursery classes and a sixth form, on the school and on each review

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 21:15:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN (with a default) works in SQLite too, without rebuilding tables others refer to
    for table in ("schools", "reviews"):
        op.add_column(table, sa.Column("has_nursery", sa.Boolean(), server_default=sa.false(), nullable=False))
        op.add_column(table, sa.Column("has_sixth_form", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    for table in ("reviews", "schools"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("has_sixth_form")
            batch_op.drop_column("has_nursery")
