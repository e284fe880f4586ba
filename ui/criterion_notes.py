"""Notes beside a question: why it does not apply, how a per-unit number was judged, and the words it uses.

The questionnaire calls ``show`` once per question with the answers as stored; every change is a run
of the whole page, so a note follows an earlier answer as soon as it is saved. The sentences come from
``framework.explain``, the same rules scoring applies.
"""

from __future__ import annotations

import re

import streamlit as st

from framework.explain import answer_numbers, not_applicable_reason, per_unit_sentence
from framework.models import Criterion, Framework, ReviewContext


def show(framework: Framework, criterion: Criterion, context: ReviewContext, stored: dict[str, str | None]) -> None:
    """Render the notes for one question (nothing when there is nothing to say)."""
    wanted = [c.criterion for c in criterion.applies_if] + list(criterion.per_measure) + [criterion.id]
    numbers = answer_numbers(framework, {cid: stored.get(cid) for cid in wanted})
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
