"""Words shown to users for stored codes, kept in one table (Streamlit has no i18n)."""

ROLE_WORDS = {"self": "School (self-review)", "peer": "Peer reviewer", "la": "LA advisor", "agreed": "Agreed judgement"}
REVIEW_NOUNS = {"self": "a self-review", "peer": "a peer review", "la": "an LA review", "agreed": "an agreed judgement"}
USER_ROLE_WORDS = {"school": "School staff", "peer": "Peer reviewer", "la": "LA advisor", "admin": "Administrator"}
STATUS_WORDS = {"draft": "In progress", "submitted": "Submitted"}
COMPLIANCE_WORDS = {"met": "Met", "not_met": "Not met", "unknown": "Not answered yet"}
COMPLIANCE_ICONS = {"met": "✔", "not_met": "✖", "unknown": "?"}
