"""Notes beside a question: why it does not apply, how a per-unit number was judged, and the words it uses.

The questionnaire calls ``remember`` once per page run and ``show`` once per question. Answers are
read from what this tab shows now (widget values), falling back to what is stored, so a note
follows an earlier answer as soon as it changes. The sentences come from ``framework.explain``,
the same rules scoring applies.
"""

from __future__ import annotations

import re

import streamlit as st

from data.reviews import Answer, Review
from framework.explain import answer_numbers, not_applicable_reason, per_unit_sentence
from framework.models import Criterion, Framework

_STATE = "_criterion_notes"


def remember(review: Review, stored: dict[str, Answer]) -> None:
    """Keep the review's context and stored answers for the question fragments of this page."""
    st.session_state.setdefault(_STATE, {})[review.id] = (
        review.context,
        {cid: a.response for cid, a in stored.items()},
    )


def show(framework: Framework, criterion: Criterion, review_id: int) -> None:
    """Render the notes for one question (nothing when there is nothing to say)."""
    context, stored = st.session_state.get(_STATE, {}).get(review_id, (None, {}))
    if context is None:
        return
    numbers = answer_numbers(framework, _current(framework, criterion, review_id, stored))
    reason = not_applicable_reason(framework, criterion, context, numbers)
    if reason:
        st.info(f"{reason} Any answer here is kept but does not count.", icon=":material/info:")
    sentence = per_unit_sentence(framework, criterion, context, numbers)
    if sentence:
        st.caption(sentence)
    terms = glossary_for(framework, criterion)
    if terms:
        with st.expander("Words used here"):
            st.markdown("\n".join(f"- **{term}**: {meaning}" for term, meaning in terms))


def glossary_for(framework: Framework, criterion: Criterion) -> list[tuple[str, str]]:
    """The framework's explained terms that this question's text or guidance uses."""
    text = f"{criterion.text} {criterion.guidance}"
    return [
        (t.term, t.meaning)
        for t in framework.glossary
        if re.search(rf"(?<![\w-]){re.escape(t.term)}(?![\w-])", text, flags=re.IGNORECASE)
    ]


def _current(framework: Framework, criterion: Criterion, review_id: int, stored: dict) -> dict[str, object]:
    """Stored answers of the questions this one depends on, overlaid with what the tab shows now."""
    wanted = [c.criterion for c in criterion.applies_if] + list(criterion.per_measure) + [criterion.id]
    answers: dict[str, object] = {}
    for cid in wanted:
        key = f"r:{review_id}:{cid}"  # the questionnaire's widget key for a question's answer
        answers[cid] = st.session_state[key] if key in st.session_state else stored.get(cid)
    return answers
