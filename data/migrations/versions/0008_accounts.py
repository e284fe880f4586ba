"""users.demo: the fictional accounts that "Explore as..." signs in with

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-30 21:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER TABLE (no batch copy): other tables' foreign keys point at users.
    op.add_column("users", sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.drop_column("users", "demo")
