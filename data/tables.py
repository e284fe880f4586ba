"""The schema, in one place. Migrations under data/migrations are generated from it.

No pupil names are stored anywhere: answers are about a school's provision, and the
evidence fields are free text that the UI asks people to keep free of pupil names.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Stamp = sa.DateTime(timezone=True)

schools = sa.Table(
    "schools",
    metadata,
    sa.Column("urn", sa.String(12), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("la", sa.String(120), nullable=False, index=True),
    sa.Column("phase", sa.String(20), nullable=False),
    sa.Column("type", sa.String(80), nullable=False, server_default=""),
    sa.Column("pupils", sa.Integer),
    sa.Column("fsm_pct", sa.Float),
    sa.Column("sen_support_pct", sa.Float),
    sa.Column("ehcp_pct", sa.Float),
    sa.Column("resourced_provision", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()),
)

frameworks = sa.Table(
    "frameworks",
    metadata,
    sa.Column("id", sa.String(80), primary_key=True),
    sa.Column("version", sa.String(40), primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("definition", sa.JSON, nullable=False),
    sa.Column("builtin", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("la", sa.String(120)),
    sa.Column("created_at", Stamp, nullable=False),
    sa.Column("created_by", sa.Integer),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("role", sa.String(10), nullable=False),
    sa.Column("school_urn", sa.String(12), sa.ForeignKey("schools.urn")),
    sa.Column("la", sa.String(120)),
    sa.Column("password_hash", sa.String(255)),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", Stamp),
    sa.Column("created_at", Stamp, nullable=False),
    sa.Column("last_login", Stamp),
    # A fictional account of the demo LA ("Explore as..."); it signs in only while the database holds nothing real.
    sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()),
)

reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("school_urn", sa.String(12), sa.ForeignKey("schools.urn"), nullable=False, index=True),
    sa.Column("framework_id", sa.String(80), nullable=False),
    sa.Column("framework_version", sa.String(40), nullable=False),
    sa.Column("cycle", sa.String(9), nullable=False),
    sa.Column("role", sa.String(10), nullable=False),  # self | peer | la | agreed
    sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("reviewer_name", sa.String(200), nullable=False, server_default=""),
    sa.Column("phase", sa.String(20), nullable=False),
    sa.Column("resourced_provision", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("status", sa.String(10), nullable=False, server_default="draft"),  # draft | submitted
    sa.Column("created_at", Stamp, nullable=False),
    sa.Column("updated_at", Stamp, nullable=False),
    sa.Column("submitted_at", Stamp),
    sa.Column("submitted_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.ForeignKeyConstraint(["framework_id", "framework_version"], ["frameworks.id", "frameworks.version"]),
)

answers = sa.Table(
    "answers",
    metadata,
    sa.Column("review_id", sa.Integer, sa.ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("criterion_id", sa.String(80), primary_key=True),
    sa.Column("response", sa.Text),
    sa.Column("evidence", sa.Text, nullable=False, server_default=""),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("updated_at", Stamp, nullable=False),
    sa.Column("updated_by", sa.Integer, sa.ForeignKey("users.id")),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", Stamp, nullable=False, index=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("user_email", sa.String(254), nullable=False, server_default=""),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("school_urn", sa.String(12), index=True),
    sa.Column("review_id", sa.Integer, index=True),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
)

settings = sa.Table(
    "settings",
    metadata,
    sa.Column("key", sa.String(80), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column(
        "token_hash", sa.String(64), primary_key=True
    ),  # sha256 of the cookie value; the token itself is never stored
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("created_at", Stamp, nullable=False),
    sa.Column("last_seen", Stamp, nullable=False),
)

peer_assignments = sa.Table(
    "peer_assignments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("school_urn", sa.String(12), sa.ForeignKey("schools.urn"), nullable=False),
    sa.Column("cycle", sa.String(9), nullable=False),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("created_at", Stamp, nullable=False),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id")),
    # A withdrawn assignment stays, so the school and the peer can see that it ended, when and why.
    sa.Column("ended_at", Stamp),
    sa.Column("ended_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("end_reason", sa.Text, nullable=False, server_default=""),
)
# One live assignment per peer, school and cycle, even when two advisors assign at the same moment.
sa.Index(
    "uq_peer_assignments_live",
    peer_assignments.c.user_id,
    peer_assignments.c.school_urn,
    peer_assignments.c.cycle,
    unique=True,
    sqlite_where=peer_assignments.c.ended_at.is_(None),
    postgresql_where=peer_assignments.c.ended_at.is_(None),
)

# What a school has agreed to share, one row per scope given ("la", "peers"); withdrawing deletes the
# row. The audit log keeps every change with who, when and why.
consents = sa.Table(
    "consents",
    metadata,
    sa.Column("school_urn", sa.String(12), sa.ForeignKey("schools.urn", ondelete="CASCADE"), primary_key=True),
    sa.Column("scope", sa.String(10), primary_key=True),
    sa.Column("given_at", Stamp, nullable=False),
    sa.Column("given_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("given_by_name", sa.String(254), nullable=False, server_default=""),
)

# Named groups of schools (a cluster, a trust) that an LA user defines, to compare a school with.
school_groups = sa.Table(
    "school_groups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("la", sa.String(120), nullable=False, index=True),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("created_at", Stamp, nullable=False),
    sa.UniqueConstraint("la", "name", name="uq_school_groups_la_name"),
)

school_group_members = sa.Table(
    "school_group_members",
    metadata,
    sa.Column("group_id", sa.Integer, sa.ForeignKey("school_groups.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("urn", sa.String(12), sa.ForeignKey("schools.urn", ondelete="CASCADE"), primary_key=True),
)
