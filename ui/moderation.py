"""Moderation: a visit's ratings side by side, criterion by criterion and domain by domain, how far
the raters agree (in numbers and words), and the agreed rating with its rationale (the lead)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data import agreed, moderation, visits
from data.access import Actor
from data.db import Database
from data.moderation import EVIDENCE_TAGS, Moderation
from framework.models import Criterion
from framework.responses import read_response
from scoring import score_review
from scoring.agreement import ScopeAgreement, to_discuss
from scoring.agreement_words import alpha_sentence, pair_sentence, rater_names
from ui import nav
from ui.auth import require_actor
from ui.context import friendly_errors, get_db, query_int
from ui.results import domain_table
from ui.visits import visit_table


def render() -> None:
    actor = require_actor()
    with friendly_errors():
        db = get_db()
        visit_id = query_int("visit")
        if visit_id is None:
            st.title("Moderation")
            st.caption("Choose a visit.")
            visit_table(visits.list_visits(db, actor))
            return
        _page(db, actor, moderation.moderation(db, actor, visit_id))


def _page(db: Database, actor: Actor, found: Moderation) -> None:
    visit, framework, agreement = found.visit, found.framework, found.agreement
    st.title(f"Moderation: {visit.school_name}")
    st.caption(f"{framework.title} (version {framework.version}) · {visit.cycle} · visit of {visit.starts_on:%d %b %Y}")
    st.page_link(
        nav.page("visits"), label="Back to the visit", icon=":material/arrow_back:", query_params={"visit": visit.id}
    )
    if found.waiting_for:
        st.info(
            f"Not submitted yet, so not shown: {', '.join(found.waiting_for)}. Ratings stay private until submitted."
        )
    names = rater_names(agreement, {r.key: r.name for r in found.raters})
    titles = {d.id: d.title for d in framework.domains}

    st.header("Agreement", anchor=False)
    for line in _sentences(agreement.overall, names):
        st.markdown(f"- {line}")
    st.dataframe(_agreement_table(agreement, names, titles), hide_index=True)

    flags = to_discuss(agreement)
    domains = [d for d in titles if d in agreement.domain_of]
    if not domains:
        st.caption("No ratings to compare yet.")
        return
    counts = {
        d: sum(
            1 for c, dom in zip(agreement.criterion_ids, agreement.domain_of, strict=True) if dom == d and c in flags
        )
        for d in domains
    }
    left, right = st.columns([2, 1])
    domain_id = left.selectbox(
        "Domain",
        domains,
        format_func=lambda d: f"{titles[d]} ({counts[d]} to discuss)",
        key=f"mod-domain-{visit.id}",
    )
    only = right.toggle("Only criteria to discuss", key=f"mod-only-{visit.id}")
    scope = next(s for s in agreement.domains if s.domain_id == domain_id)
    st.markdown("\n".join(f"- {line}" for line in _sentences(scope, names)))

    lead_writes = visits.may(actor, visit, "write", "agreed")
    _agreed_controls(db, actor, found, lead_writes)
    agreed_answers = found.rater("agreed")
    stored = agreed_answers.answers.set_index("criterion_id") if agreed_answers is not None else None
    for criterion_id, dom in zip(agreement.criterion_ids, agreement.domain_of, strict=True):
        if dom != domain_id or (only and criterion_id not in flags):
            continue
        criterion = framework.criteria_by_id[criterion_id]
        with st.container(border=True):
            flag = flags.get(criterion_id)
            st.markdown(f"**{criterion.text}**" + (f"  \n⚑ **To discuss:** {flag}" if flag else ""))
            st.dataframe(_side_by_side(found, criterion_id, names), hide_index=True)
            if stored is not None and lead_writes:
                _agreed_widgets(db, actor, found, criterion, stored)
            elif stored is not None and criterion_id in stored.index:
                row = stored.loc[criterion_id]
                st.markdown(
                    f"Agreed: **{row['response'] or 'not decided'}**"
                    + (f" · {row['evidence']}" if row["evidence"] else "")
                )


def _sentences(scope: ScopeAgreement, names: dict[str, str]) -> list[str]:
    return [alpha_sentence(scope), *(pair_sentence(p, names) for p in scope.pairs)]


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _agreement_table(agreement, names: dict[str, str], titles: dict[str, str]) -> pd.DataFrame:
    rows = []
    for scope in (agreement.overall, *agreement.domains):
        for p in scope.pairs:
            rows.append(
                {
                    "Domain": titles.get(scope.domain_id, "Overall"),
                    "Raters": f"{names[p.a]} / {names[p.b]}"[:1].upper() + f"{names[p.a]} / {names[p.b]}"[1:],
                    "Both rated": p.n,
                    "Exact": _percent(p.exact),
                    "Within one level": _percent(p.within_one),
                    "Weighted kappa": "not given" if p.kappa is None else f"{p.kappa:.2f}",
                    "Alpha (all raters)": "not given" if scope.alpha is None else f"{scope.alpha:.2f}",
                }
            )
    return pd.DataFrame(rows)


def _side_by_side(found: Moderation, criterion_id: str, names: dict[str, str]) -> pd.DataFrame:
    levels = [lv.label for lv in found.framework.default_scale.levels]
    rows = []
    for rater in found.raters:
        if rater.key == "agreed":
            continue
        answer = rater.answers[rater.answers["criterion_id"] == criterion_id]
        level = found.agreement.rating(rater.key, criterion_id)
        first = answer.iloc[0] if len(answer) else None
        rows.append(
            {
                "Rater": names[rater.key].capitalize() if rater.key != "self" else "School (self-review)",
                "Answer": (first["response"] or "–") if first is not None else "–",
                "On the scale": levels[level] if level is not None else "not rated",
                "Evidence": ", ".join(EVIDENCE_TAGS.get(t, t) for t in first["tags"]) if first is not None else "",
                "Note": (first["evidence"] or "") if first is not None else "",
            }
        )
    return pd.DataFrame(rows)


def _choices(found: Moderation, criterion: Criterion) -> list[str]:
    if criterion.kind == "rating":
        return ["", *(lv.label for lv in found.framework.scale_of(criterion).levels)]
    if criterion.kind == "yes_no":
        return ["", "yes", "no"]
    return []


def _agreed_widgets(db: Database, actor: Actor, found: Moderation, criterion: Criterion, stored: pd.DataFrame) -> None:
    current = stored.loc[criterion.id] if criterion.id in stored.index else None
    value = (current["response"] or "") if current is not None else ""
    note = (current["evidence"] or "") if current is not None else ""
    key = f"agreed-{found.visit.id}-{criterion.id}"
    choices = _choices(found, criterion)
    left, right = st.columns([1, 2])
    if choices:
        left.selectbox(
            "Agreed rating",
            choices,
            index=choices.index(value) if value in choices else 0,
            format_func=lambda v: {"": "Not decided", "yes": "Yes", "no": "No"}.get(v, v),
            key=key,
        )
    else:
        left.text_input("Agreed answer", value=value, key=key)
    right.text_input("Rationale", value=note, key=f"{key}-why", placeholder="Why the team agreed this (no pupil names)")
    if st.button("Save agreed rating", key=f"{key}-save"):
        response = st.session_state[key] or None
        if response is not None and read_response(found.framework, criterion, response).error:
            st.error(read_response(found.framework, criterion, response).error)
            return
        agreed.save_agreed(
            db, actor, found.visit.id, criterion.id, response=response, rationale=st.session_state[f"{key}-why"]
        )
        st.rerun()


def _agreed_controls(db: Database, actor: Actor, found: Moderation, lead_writes: bool) -> None:
    visit = found.visit
    if visit.agreed_review_id is None:
        if lead_writes:
            st.markdown("When the team has talked the ratings through, the lead records the agreed judgement.")
            if st.button(
                "Start the agreed review (pre-filled with the reviewers' median)",
                type="primary",
                key=f"agreed-start-{visit.id}",
            ):
                agreed.start_agreed(db, actor, visit.id)
                st.rerun()
        return
    if lead_writes:
        with st.expander("Submit the agreed review"):
            _agreed_so_far(found)
            st.markdown(
                "Submitting closes the visit: peer reviewers' access to the school ends and the school sees "
                "the agreed review and every reviewer's ratings."
            )
            sure = st.checkbox("The team has agreed every judgement", key=f"agreed-sure-{visit.id}")
            if st.button(
                "Submit the agreed review", type="primary", disabled=not sure, key=f"agreed-submit-{visit.id}"
            ):
                agreed.submit_agreed(db, actor, visit.id)
                nav.go("self-vs-agreed", visit=visit.id)
    elif visit.closed:
        st.success("The agreed review is submitted.")


def _agreed_so_far(found: Moderation) -> None:
    """What the agreed review scores as it stands, so the lead sees the judgement before submitting it."""
    draft = found.rater("agreed")
    if draft is None:
        return
    score = score_review(found.framework, draft.answers[["criterion_id", "response", "evidence"]], found.context)
    limited = " (limited by an unmet statutory duty)" if score.overall.limited else ""
    st.markdown(f"**The agreed review as it stands:** overall {score.overall.band}{limited}.")
    st.dataframe(domain_table(score), hide_index=True)
