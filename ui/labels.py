"""Words shown to users for stored codes: the one table in framework/words.py (Streamlit has no i18n)."""

from framework.words import (  # noqa: F401  (re-exported for the pages)
    COMPLIANCE_ICONS,
    COMPLIANCE_WORDS,
    REVIEW_NOUNS,
    ROLE_WORDS,
    STATUS_WORDS,
    USER_ROLE_WORDS,
    word,
)
