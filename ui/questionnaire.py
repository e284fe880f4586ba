"""Answer a review domain by domain. Every answer and note is saved the moment it changes.

Widget values live in st.session_state only as a cache of what is stored: each run
compares the stored version of an answer with the version this browser tab last saw,
and reloads the widget when someone (another tab, a colleague, an upload) changed it.

Each question is a fragment, so an answer reruns only its own question. The counts (the
progress bar, "n of m answered" beside each domain, what is still unanswered) are small
fragments of their own: a save that answers or clears a question reruns them with it
(``st.rerun`` with fragment keys), never the whole page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

import streamlit as st

from data import frameworks, reviews
from data.access import Actor, NotAllowed
from data.db import Database
from framework.models import Criterion, Domain, Framework, applicable_criteria
from framework.responses import read_response
from ui import nav
from ui.context import friendly_errors
from ui.labels import ROLE_WORDS
from ui.review_picker import requested_review

NA = "N/A"

# fragments that show how many questions are answered; a save that changes the count reruns them
PROGRESS_FRAGMENTS = ("review-progress", "review-domain-nav", "review-open-items")


def render() -> None:
    opened = requested_review(target="review", title="Answer questions", status="draft")
    if opened is None:
        return
    db, actor, review_id = opened
    with friendly_errors():
        review = reviews.get_review(db, actor, review_id)
        framework = frameworks.get_framework(db, review.framework_id, review.framework_version)
        questions = applicable_criteria(framework, review.context)
        stored = reviews.load_answers(db, actor, review_id)
        _questionnaire(db, actor, review, framework, questions, stored)


def _questionnaire(
    db: Database,
    actor: Actor,
    review: reviews.Review,
    framework: Framework,
    questions: list[Criterion],
    stored: dict[str, reviews.Answer],
) -> None:
    domains = [d for d in framework.domains if any(q.domain_id == d.id for q in questions)]
    by_domain = {d.id: [q for q in questions if q.domain_id == d.id] for d in domains}
    answered = {q.id for q in questions if _is_answered(stored.get(q.id))}
    _answered()[review.id] = answered  # the counting fragments read it here, kept current by _save

    st.title(review.school_name)
    st.caption(
        f"{framework.title} (version {framework.version}) · {review.cycle} · {ROLE_WORDS.get(review.role, review.role)}"
    )
    _overall_progress(review.id, len(questions))
    if review.locked:
        st.info("This review has been submitted, so its answers are locked. It can be reopened from its results page.")

    domain_id = st.query_params.get("domain")
    if domain_id not in by_domain:
        domain_id = domains[0].id
    nav_col, body = st.columns([1, 3], gap="large")
    with nav_col:
        domain_id = _domain_nav(review.id, domains, by_domain, domain_id)
        only_open = st.toggle("Only unanswered", key=f"only-open-{review.id}")
        st.page_link(
            nav.page("results"),
            label="See results so far",
            icon=":material/insights:",
            query_params={"review": review.id},
        )
        st.page_link(
            nav.page("offline"),
            label="Work offline in Excel",
            icon=":material/table_view:",
            query_params={"review": review.id},
        )
    domain = framework.domains_by_id[domain_id]
    with body:
        st.header(domain.title, anchor=False)
        if domain.description:
            st.markdown(domain.description)
        shown = [q for q in by_domain[domain_id] if not (only_open and q.id in answered)]
        if not shown:
            st.success("Every question in this domain is answered.")
        for number, criterion in enumerate(shown, start=1):
            question = _question_fragment(_fragment_key(review.id, criterion.id))
            question(db, actor, review.id, review.locked, framework, criterion, stored.get(criterion.id), number)
        _next_previous(review.id, domains, domain)
        if not review.locked:
            _submit_box(db, actor, review, domains, by_domain)


def _is_answered(answer: reviews.Answer | None) -> bool:
    return answer is not None and answer.response not in (None, "")


def _answered() -> dict[int, set[str]]:
    """Per review, the questions answered as this tab last saw them: set by each full run from
    the stored answers and changed by _save, so the counting fragments need no query of their own."""
    return st.session_state.setdefault("_answered_questions", {})


@st.fragment(key="review-progress")
def _overall_progress(review_id: int, total: int) -> None:
    done = len(_answered().get(review_id, ()))
    st.progress(done / total if total else 1.0, text=f"{done} of {total} questions answered")


@st.fragment(key="review-domain-nav")
def _domain_nav(
    review_id: int,
    domains: list[Domain],
    by_domain: dict[str, list[Criterion]],
    current: str,
) -> str:
    """The list of domains with how many of each are answered. A fragment, so a save can redraw
    the counts alone; choosing another domain reruns the whole page."""
    answered = _answered().get(review_id, set())

    def caption(d: Domain) -> str:
        done = sum(1 for q in by_domain[d.id] if q.id in answered)
        left = len(by_domain[d.id]) - done
        return f"{done} of {len(by_domain[d.id])} answered" + ("" if left else " · complete ✔")

    ids = [d.id for d in domains]
    titles = {d.id: d.title for d in domains}
    key = f"domain-nav-{review_id}"
    if st.session_state.get(key) != current:
        st.session_state[key] = current
    choice = st.radio(
        "Domains",
        ids,
        format_func=titles.get,
        captions=[caption(d) for d in domains],
        key=key,
        on_change=_change_domain,
        args=(key,),
    )
    st.query_params["domain"] = choice
    return choice


def _change_domain(key: str) -> None:
    st.query_params.update(domain=st.session_state[key])
    st.rerun()  # the nav is a fragment; another domain needs the whole page


def _fragment_key(review_id: int, criterion_id: str) -> str:
    return f"q:{review_id}:{criterion_id}"


@lru_cache(maxsize=4096)
def _question_fragment(key: str) -> Callable[..., None]:
    """One question as a fragment named ``key``, so its save can rerun it together with the counts.
    Named fragments are made once per question and kept: st.fragment fixes the name when it wraps."""
    return st.fragment(_criterion, key=key)


def _criterion(
    db: Database,
    actor: Actor,
    review_id: int,
    locked: bool,
    framework: Framework,
    criterion: Criterion,
    answer: reviews.Answer | None,
    number: int,
) -> None:
    keys = _keys(review_id, criterion.id)
    _sync_from_store(keys, criterion, answer)
    with st.container(border=True):
        tag = " · **Statutory duty**" if criterion.statutory else ""
        st.markdown(f"**{number}. {criterion.text}**{tag}")
        if criterion.statutory and criterion.source:
            st.caption(f"Source: {criterion.source}")
        _answer_widget(db, actor, review_id, locked, framework, criterion, keys)
        if criterion.guidance:
            with st.expander("Guidance"):
                st.markdown(criterion.guidance)
        st.text_area(
            "Evidence (where it is kept, what it shows; no pupil names)",
            key=keys["evidence"],
            placeholder=f"Hint, not an answer: {criterion.evidence}" if criterion.evidence else "Where is it kept?",
            height=68,
            disabled=locked,
            on_change=_save,
            args=(db, actor, review_id, framework, criterion, "evidence"),
        )
        status = _notes().get(keys["status"])
        if status:
            (st.warning if status.startswith("⚠") else st.caption)(status)


def _seen() -> dict[str, int]:
    """Answer versions this tab has shown. One dict, not a key each: Streamlit scans every
    session-state key for every keyed widget, so fewer keys keep a long domain fast."""
    return st.session_state.setdefault("_answer_versions", {})


def _notes() -> dict[str, str]:
    """The last save message per answer ("Saved at …", or why not)."""
    return st.session_state.setdefault("_answer_notes", {})


def _keys(review_id: int, criterion_id: str) -> dict[str, str]:
    stem = f"{review_id}:{criterion_id}"
    return {"response": f"r:{stem}", "evidence": f"e:{stem}", "version": f"v:{stem}", "status": f"s:{stem}"}


def _sync_from_store(keys: dict[str, str], criterion: Criterion, answer: reviews.Answer | None) -> None:
    """Load the stored answer into the widgets when this tab has not seen its current version."""
    version = answer.version if answer else 0
    seen = _seen().get(keys["version"])
    # versions only grow, so an older one is a stale copy (a fragment rerun keeps its first arguments)
    if seen is not None and version <= seen and keys["response"] in st.session_state:
        return
    st.session_state[keys["response"]] = _widget_value(criterion, answer.response if answer else None)
    st.session_state[keys["evidence"]] = answer.evidence if answer else ""
    _seen()[keys["version"]] = version


def _widget_value(criterion: Criterion, stored: str | None) -> object:
    if stored in (None, ""):
        return None if criterion.kind != "text" else ""
    if criterion.kind == "number" and stored != NA:
        return float(stored)
    return stored


def _answer_widget(
    db: Database,
    actor: Actor,
    review_id: int,
    locked: bool,
    framework: Framework,
    criterion: Criterion,
    keys: dict[str, str],
) -> None:
    common = {
        "key": keys["response"],
        "disabled": locked,
        "on_change": _save,
        "args": (db, actor, review_id, framework, criterion, "response"),
    }
    na = [] if criterion.statutory else [NA]
    if criterion.kind == "rating":
        scale = framework.scale_of(criterion)
        st.radio(
            "Your judgement",
            [lv.label for lv in scale.levels] + na,
            captions=[lv.descriptor for lv in scale.levels] + (["Does not apply to this school"] if na else []),
            **common,
        )
    elif criterion.kind == "yes_no":
        st.radio(
            "Your answer",
            ["yes", "no", *na],
            format_func=lambda v: {"yes": "Yes", "no": "No"}.get(v, v),
            horizontal=True,
            **common,
        )
    elif criterion.kind == "number":
        if st.session_state.get(keys["response"]) == NA:
            st.caption("Marked as not applicable.")
        else:
            st.number_input(f"Answer ({criterion.unit or 'a number'})", min_value=0.0, step=0.5, **common)
        bands = "; ".join(_band_words(framework, criterion))
        st.caption(f"How this is judged: {bands}")
    else:
        st.text_area("Your answer", height=100, **common)
    if not locked and st.session_state.get(keys["response"]) not in (None, ""):
        st.button(
            "Clear answer",
            key=f"clear:{keys['response']}",
            type="tertiary",
            on_click=_clear,
            args=(db, actor, review_id, framework, criterion),
        )


def _band_words(framework: Framework, criterion: Criterion) -> list[str]:
    scale = framework.default_scale
    words = []
    for band in criterion.bands:
        label = scale.level(band.points).label if scale.level(band.points) else band.points
        if band.low is None:
            words.append(f"under {band.high:g} → {label}")
        elif band.high is None:
            words.append(f"{band.low:g} or more → {label}")
        else:
            words.append(f"{band.low:g} to under {band.high:g} → {label}")
    return words


def _clear(db: Database, actor: Actor, review_id: int, framework: Framework, criterion: Criterion) -> None:
    st.session_state[_keys(review_id, criterion.id)["response"]] = _widget_value(criterion, None)
    _save(db, actor, review_id, framework, criterion, "response")


def _save(db: Database, actor: Actor, review_id: int, framework: Framework, criterion: Criterion, field: str) -> None:
    """on_change: write this one value now; on a conflict, show the newer stored answer instead."""
    keys = _keys(review_id, criterion.id)
    value = st.session_state.get(keys[field])
    if field == "response":
        reading = read_response(framework, criterion, value)
        if reading.error:
            _notes()[keys["status"]] = f"⚠ Not saved: {reading.error}"
            return
        payload: dict[str, object] = {"response": None if reading.blank else reading.value}
    else:
        payload = {"evidence": value or ""}
    try:
        result = reviews.save_answer(
            db, actor, review_id, criterion.id, seen_version=_seen().get(keys["version"], 0), **payload
        )
    except NotAllowed as exc:
        _notes()[keys["status"]] = f"⚠ Not saved: {exc}"
        return
    stored = result.answer
    _seen()[keys["version"]] = stored.version
    if result.saved:
        _notes()[keys["status"]] = f"Saved at {datetime.now().strftime('%H:%M:%S')}"
    else:
        st.session_state[keys["response"]] = _widget_value(criterion, stored.response)
        st.session_state[keys["evidence"]] = stored.evidence
        _notes()[keys["status"]] = (
            "⚠ This answer was changed in another tab or by a colleague, so the newer answer is shown. "
            "Change it again if you still want to."
        )
    _recount(review_id, criterion, stored)


def _recount(review_id: int, criterion: Criterion, stored: reviews.Answer) -> None:
    """When a save answers or clears a question, rerun its question and the counts, not the page.
    Other saves (a changed answer, evidence) keep the usual rerun of the question alone."""
    answered = _answered().setdefault(review_id, set())
    now = _is_answered(stored)
    if now == (criterion.id in answered):
        return
    if now:
        answered.add(criterion.id)
    else:
        answered.discard(criterion.id)
    st.rerun([_fragment_key(review_id, criterion.id), *PROGRESS_FRAGMENTS])


def _next_previous(review_id: int, domains: list[Domain], current: Domain) -> None:
    index = [d.id for d in domains].index(current.id)
    left, right = st.columns(2)
    if index > 0:
        prev = domains[index - 1]
        left.page_link(
            nav.page("review"), label=f"← {prev.title}", query_params={"review": review_id, "domain": prev.id}
        )
    if index < len(domains) - 1:
        nxt = domains[index + 1]
        right.page_link(
            nav.page("review"), label=f"{nxt.title} →", query_params={"review": review_id, "domain": nxt.id}
        )


def _submit_box(
    db: Database,
    actor: Actor,
    review: reviews.Review,
    domains: list[Domain],
    by_domain: dict[str, list[Criterion]],
) -> None:
    st.divider()
    st.subheader("Submit the review", anchor=False)
    _open_items(review.id, domains, by_domain)
    confirm = st.checkbox(
        "I have checked the answers and want to submit. Answers are then locked.", key=f"confirm-submit-{review.id}"
    )
    if st.button("Submit review", type="primary", disabled=not confirm, key=f"submit-{review.id}"):
        reviews.submit_review(db, actor, review.id)
        nav.go("results", review=review.id)


@st.fragment(key="review-open-items")
def _open_items(review_id: int, domains: list[Domain], by_domain: dict[str, list[Criterion]]) -> None:
    answered = _answered().get(review_id, set())
    open_items = {d.title: sum(1 for q in by_domain[d.id] if q.id not in answered) for d in domains}
    open_items = {title: n for title, n in open_items.items() if n}
    if open_items:
        st.markdown(
            "Still unanswered: " + "; ".join(f"{title} ({n})" for title, n in open_items.items()) + ". "
            "You can submit now, but a domain with too few answers is reported as *Insufficient evidence*."
        )
    else:
        st.markdown("Every question is answered.")
