"""consents, withdrawn peer assignments kept, audit log indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 18:03:47.661871
"""

from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("school_urn", sa.String(length=12), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("given_by", sa.Integer(), nullable=True),
        sa.Column("given_by_name", sa.String(length=254), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["given_by"], ["users.id"], name=op.f("fk_consents_given_by_users")),
        sa.ForeignKeyConstraint(
            ["school_urn"], ["schools.urn"], name=op.f("fk_consents_school_urn_schools"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("school_urn", "scope", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_review_id"), ["review_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_school_urn"), ["school_urn"], unique=False)

    with op.batch_alter_table("peer_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ended_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("end_reason", sa.Text(), server_default="", nullable=False))
        batch_op.create_index(
            "uq_peer_assignments_live",
            ["user_id", "school_urn", "cycle"],
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )
        batch_op.create_foreign_key(batch_op.f("fk_peer_assignments_ended_by_users"), "users", ["ended_by"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("peer_assignments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_peer_assignments_ended_by_users"), type_="foreignkey")
        batch_op.drop_index(
            "uq_peer_assignments_live",
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )
        batch_op.drop_column("end_reason")
        batch_op.drop_column("ended_by")
        batch_op.drop_column("ended_at")

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_school_urn"))
        batch_op.drop_index(batch_op.f("ix_audit_log_review_id"))

    op.drop_table("consents")
