"""school groups: named clusters and trusts to compare a school with

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 15:38:46.479867
"""

from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "school_groups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("la", sa.String(length=120), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_school_groups_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_groups")),
        sa.UniqueConstraint("la", "name", name="uq_school_groups_la_name"),
    )
    with op.batch_alter_table("school_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_school_groups_la"), ["la"], unique=False)

    op.create_table(
        "school_group_members",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("urn", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["school_groups.id"],
            name=op.f("fk_school_group_members_group_id_school_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["urn"], ["schools.urn"], name=op.f("fk_school_group_members_urn_schools"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("group_id", "urn", name=op.f("pk_school_group_members")),
    )


def downgrade() -> None:
    op.drop_table("school_group_members")
    with op.batch_alter_table("school_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_groups_la"))

    op.drop_table("school_groups")
