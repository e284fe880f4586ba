"""action plans

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 21:04:57.657857
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("school_urn", sa.String(length=12), nullable=False),
        sa.Column("cycle", sa.String(length=9), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("framework_id", sa.String(length=80), server_default="", nullable=False),
        sa.Column("what", sa.Text(), server_default="", nullable=False),
        sa.Column("domain_id", sa.String(length=80), server_default="", nullable=False),
        sa.Column("criteria", sa.Text(), server_default="", nullable=False),
        sa.Column("lead", sa.String(length=200), server_default="", nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("success", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=12), server_default="not_started", nullable=False),
        sa.Column("suggestion_key", sa.Text(), server_default="", nullable=False),
        sa.Column("dropped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_action_items_created_by_users")),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_action_items_review_id_reviews"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["school_urn"], ["schools.urn"], name=op.f("fk_action_items_school_urn_schools"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_action_items_updated_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_items")),
    )
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.create_index("ix_action_items_school_cycle", ["school_urn", "cycle"], unique=False)

    op.create_table(
        "action_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_by_name", sa.String(length=254), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action_items.id"], name=op.f("fk_action_notes_action_id_action_items"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_action_notes_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_notes")),
    )
    with op.batch_alter_table("action_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_notes_action_id"), ["action_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("action_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_notes_action_id"))

    op.drop_table("action_notes")
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_index("ix_action_items_school_cycle")

    op.drop_table("action_items")
