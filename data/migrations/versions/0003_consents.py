"""consents: what a school shares; audit log indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 17:35:24.274382
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


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_school_urn"))
        batch_op.drop_index(batch_op.f("ix_audit_log_review_id"))

    op.drop_table("consents")
