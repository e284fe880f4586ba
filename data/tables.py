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
    # school characteristics that decide which questions apply (GIAS nursery provision, official sixth form)
    sa.Column("has_nursery", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("has_sixth_form", sa.Boolean, nullable=False, server_default=sa.false()),
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
    # the school's characteristics when the review started, so a stored review keeps its questions
    sa.Column("has_nursery", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("has_sixth_form", sa.Boolean, nullable=False, server_default=sa.false()),
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

# --- peer review visits (issue #12) -----------------------------------------------------------------
# A visit: one school, one cycle, one framework version. Who met whom is recorded by role, never by name.
visits = sa.Table(
    "visits",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("school_urn", sa.String(12), sa.ForeignKey("schools.urn"), nullable=False, index=True),
    sa.Column("cycle", sa.String(9), nullable=False),
    sa.Column("framework_id", sa.String(80), nullable=False),
    sa.Column("framework_version", sa.String(40), nullable=False),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date, nullable=False),
    sa.Column("school_contact", sa.String(200), nullable=False, server_default=""),
    sa.Column("enquiry_release_on", sa.Date),  # the lead's choice; None = not released yet
    sa.Column("agreed_review_id", sa.Integer, sa.ForeignKey("reviews.id")),
    sa.Column("created_at", Stamp, nullable=False),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.ForeignKeyConstraint(["framework_id", "framework_version"], ["frameworks.id", "frameworks.version"]),
)

# The review team: assigned peer reviewers and optionally an LA advisor, one of them the lead. Each
# member's independent rating is an ordinary review (role peer or la), linked here once started.
visit_members = sa.Table(
    "visit_members",
    metadata,
    sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),  # 1, 2, ... the rater key is "r<position>"
    sa.Column("lead", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("review_id", sa.Integer, sa.ForeignKey("reviews.id"), unique=True),
)

lines_of_enquiry = sa.Table(
    "lines_of_enquiry",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("domain_id", sa.String(80), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", Stamp, nullable=False),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id")),
)

visit_activities = sa.Table(
    "visit_activities",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),  # local time of the visit
    sa.Column("member_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("met", sa.Text, nullable=False, server_default=""),  # roles met, comma-separated
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", Stamp, nullable=False),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id")),
)

# What each team member's rating rests on, per answer (comma-separated tag codes), beside the answer.
evidence_tags = sa.Table(
    "evidence_tags",
    metadata,
    sa.Column("review_id", sa.Integer, sa.ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("criterion_id", sa.String(80), primary_key=True),
    sa.Column("tags", sa.String(200), nullable=False, server_default=""),
    sa.Column("updated_at", Stamp, nullable=False),
    sa.Column("updated_by", sa.Integer, sa.ForeignKey("users.id")),
)

# An action plan: the actions of one school for one review cycle (issue #13). Open actions of an
# earlier cycle are shown beside the next cycle's results. ``lead`` is a role or a name the school
# types (never a pupil); ``suggestion_key`` remembers which suggestion an action came from (or that it
# was dropped: ``dropped_at`` set) so it is not suggested again.
action_items = sa.Table(
    "action_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("school_urn", sa.String(12), sa.ForeignKey("schools.urn", ondelete="CASCADE"), nullable=False),
    sa.Column("cycle", sa.String(9), nullable=False),
    sa.Column("review_id", sa.Integer, sa.ForeignKey("reviews.id", ondelete="SET NULL")),
    sa.Column("framework_id", sa.String(80), nullable=False, server_default=""),
    sa.Column("what", sa.Text, nullable=False, server_default=""),
    sa.Column("domain_id", sa.String(80), nullable=False, server_default=""),
    sa.Column("criteria", sa.Text, nullable=False, server_default=""),  # criterion ids, comma-separated
    sa.Column("lead", sa.String(200), nullable=False, server_default=""),
    sa.Column("due_on", sa.Date),
    sa.Column("success", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.String(12), nullable=False, server_default="not_started"),
    sa.Column("suggestion_key", sa.Text, nullable=False, server_default=""),
    sa.Column("dropped_at", Stamp),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", Stamp, nullable=False),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("updated_at", Stamp, nullable=False),
    sa.Column("updated_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Index("ix_action_items_school_cycle", "school_urn", "cycle"),
)

action_notes = sa.Table(
    "action_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "action_id", sa.Integer, sa.ForeignKey("action_items.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("noted_on", sa.Date, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", Stamp, nullable=False),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("created_by_name", sa.String(254), nullable=False, server_default=""),
)
