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
from contextlib import suppress
from functools import lru_cache

import streamlit as st
from streamlit.errors import StreamlitAPIException

from data import frameworks, reviews
from data.access import Actor
from data.db import Database
from framework.explain import questions_that_apply
from framework.models import Criterion, Domain, Framework, ReviewContext, applicable_criteria
from ui import answer_sync as sync
from ui import auth, criterion_notes, evidence_tags, leave_guard, nav
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
    sync.refresh(review.id, stored)  # the widgets are drawn from what is stored now
    answered = {q.id for q in questions if _is_answered(stored.get(q.id))}
    _answered()[review.id] = answered  # the counting fragments read it here, kept current by each save
    _count_rules()[review.id] = (framework, review.context)
    _counted()[review.id] = _applying(review.id)
    criterion_notes.remember(review, stored)

    leave_guard.install()  # a note typed but not yet sent is delivered before the page moves
    st.title(review.school_name)
    st.caption(
        f"{framework.title} (version {framework.version}) · {review.cycle} · {ROLE_WORDS.get(review.role, review.role)}"
    )
    _overall_progress(review.id)
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
            question(review.id, review.locked, framework, criterion, number)
        _next_previous(review.id, domains, domain)
        if not review.locked:
            _submit_box(db, actor, review, domains, by_domain)


def _is_answered(answer: reviews.Answer | None) -> bool:
    return answer is not None and answer.response not in (None, "")


def _answered() -> dict[int, set[str]]:
    """Per review, the questions answered as this tab last saw them: set by each full run from
    the stored answers and changed by each save, so the counting fragments need no query of their own."""
    return st.session_state.setdefault("_answered_questions", {})


def _count_rules() -> dict[int, tuple[Framework, ReviewContext]]:
    return st.session_state.setdefault("_count_rules", {})


def _counted() -> dict[int, set[str]]:
    """Per review, the questions that count in "n of m answered": a question whose earlier-answer condition
    fails (no pupil with an EHC plan) is shown with its reason but drops out of m. Kept current by each save."""
    return st.session_state.setdefault("_counted_questions", {})


def _applying(review_id: int) -> set[str]:
    framework, context = _count_rules()[review_id]
    known = {cid: a.response for cid, a in sync.known(review_id).items()}
    return {q.id for q in questions_that_apply(framework, context, known)}


@st.fragment(key="review-progress")
def _overall_progress(review_id: int) -> None:
    counted = _counted().get(review_id, set())
    done, total = len(_answered().get(review_id, set()) & counted), len(counted)
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
    answered, counted = _answered().get(review_id, set()), _counted().get(review_id, set())

    def caption(d: Domain) -> str:
        asked = [q for q in by_domain[d.id] if q.id in counted]
        done = sum(1 for q in asked if q.id in answered)
        return f"{done} of {len(asked)} answered" + ("" if done < len(asked) else " · complete ✔")

    ids = [d.id for d in domains]
    titles = {d.id: d.title for d in domains}
    key = domain_nav_key(review_id, current)
    st.session_state.setdefault(key, current)
    st.radio(
        "Domains",
        ids,
        format_func=titles.get,
        captions=[caption(d) for d in domains],
        key=key,
        on_change=_change_domain,
        args=(key, current),
    )
    if st.session_state.pop(_REFOCUS, None) == review_id:
        _focus_checked(key)
    return current


_REFOCUS = "_refocus-domain-nav"


def _focus_checked(key: str) -> None:
    """A keyboard user who changed domain in the list keeps their place: the list is drawn anew under
    another key, so the browser would otherwise drop focus to the page."""
    st.html(
        f"""<script>
(() => {{
  let tries = 0;
  const focus = () => {{
    const option = document.querySelector('.st-key-{key} input:checked');
    if (option) option.focus();
    else if (tries++ < 40) setTimeout(focus, 50);
  }};
  focus();
}})();
</script>""",
        unsafe_allow_javascript=True,
    )


def domain_nav_key(review_id: int, current: str) -> str:
    """Named after the domain it was drawn on, so a late state of the list as it was on another
    domain (the browser still sending it after the page moved) reads as no choice, not as a move back."""
    return f"domain-nav-{review_id}-{current}"


def _change_domain(key: str, drawn_on: str) -> None:
    choice = st.session_state.get(key)
    if choice in (None, drawn_on):
        return  # the list as it was drawn: not a choice the user made
    st.query_params["domain"] = choice
    st.session_state[_REFOCUS] = int(key.split("-")[2])
    st.rerun()  # the nav is a fragment; another domain needs the whole page


def _fragment_key(review_id: int, criterion_id: str) -> str:
    return f"q:{review_id}:{criterion_id}"


@lru_cache(maxsize=4096)
def _question_fragment(key: str) -> Callable[..., None]:
    """One question as a fragment named ``key``, so its save can rerun it together with the counts.
    Named fragments are made once per question and kept: st.fragment fixes the name when it wraps."""
    return st.fragment(_criterion, key=key)


def _criterion(review_id: int, locked: bool, framework: Framework, criterion: Criterion, number: int) -> None:
    """One question. It draws from the answers this tab knows (``answer_sync``), not from its arguments:
    a fragment rerun keeps the arguments of the last full run, which a save has since made old."""
    version = sync.current(review_id, criterion.id).version
    with st.container(border=True):
        tag = " · **Statutory duty**" if criterion.statutory else ""
        st.markdown(f"**{number}. {criterion.text}**{tag}")
        if criterion.statutory and criterion.source:
            st.caption(f"Source: {criterion.source}")
        _answer_widget(review_id, locked, framework, criterion, version)
        criterion_notes.show(framework, criterion, review_id)
        evidence_tags.render(review_id, locked, criterion)  # visit ratings only (ui/evidence_tags.py)
        if criterion.guidance:
            with st.expander("Guidance"):
                st.markdown(criterion.guidance)
        st.text_area(
            "Evidence (where it is kept, what it shows; no pupil names)",
            key=sync.seed(review_id, criterion, "evidence"),
            placeholder=f"Hint, not an answer: {criterion.evidence}" if criterion.evidence else "Where is it kept?",
            height=68,
            disabled=locked,
            on_change=_changed,
            args=(review_id, framework, criterion, "evidence", version),
        )
        _status(review_id, framework, criterion)


def _status(review_id: int, framework: Framework, criterion: Criterion) -> None:
    """The last save message; input kept because it could not be saved gets a way to save it."""
    status = sync.notes().get((review_id, criterion.id))
    if status:
        (st.warning if status.startswith("⚠") else st.caption)(status)
    if not sync.has_pending(review_id, criterion.id):
        return
    if auth.is_signed_in():
        st.button(
            "Save what you typed",
            key=f"save-pending:{review_id}:{criterion.id}",
            on_click=_save_pending,
            args=(review_id, framework, criterion),
        )
    else:
        st.button("Sign in again", key=f"sign-in:{review_id}:{criterion.id}", on_click=_whole_page)


def _whole_page() -> None:
    st.rerun()  # from inside a fragment: run the app, which shows the sign-in page when signed out


def _changed(review_id: int, framework: Framework, criterion: Criterion, field: sync.Field, version: int) -> None:
    sync.changed(review_id, framework, criterion, field, version)
    _recount(review_id, criterion)


def _na_changed(review_id: int, framework: Framework, criterion: Criterion, version: int) -> None:
    sync.na_changed(review_id, framework, criterion, version)
    _recount(review_id, criterion)


def _save_pending(review_id: int, framework: Framework, criterion: Criterion) -> None:
    if not _pressed(f"save-pending:{review_id}:{criterion.id}"):
        return
    sync.save_pending(review_id, framework, criterion)
    _recount(review_id, criterion)


def _answer_widget(review_id: int, locked: bool, framework: Framework, criterion: Criterion, version: int) -> None:
    """The answer's widget, drawn with the stored answer or the user's own input; never a default:
    a radio with no answer has no option chosen, a number box with no answer is empty. A number that
    may be N/A has a "Not applicable" box beside it, as a radio has an N/A option."""
    key = sync.seed(review_id, criterion, "response")
    common = {
        "key": key,
        "disabled": locked,
        "on_change": _changed,
        "args": (review_id, framework, criterion, "response", version),
    }
    na = [] if criterion.statutory else [NA]
    marked_na = False
    if criterion.kind == "rating":
        scale = framework.scale_of(criterion)
        st.radio(
            "Your judgement",
            [lv.label for lv in scale.levels] + na,
            index=None,
            captions=[lv.descriptor for lv in scale.levels] + (["Does not apply to this school"] if na else []),
            **common,
        )
    elif criterion.kind == "yes_no":
        st.radio(
            "Your answer",
            ["yes", "no", *na],
            index=None,
            format_func=lambda v: {"yes": "Yes", "no": "No"}.get(v, v),
            horizontal=True,
            **common,
        )
    elif criterion.kind == "number":
        na_box = sync.seed_na(review_id, criterion) if na else None
        marked_na = bool(na_box and st.session_state[na_box])
        number = common | {"disabled": locked or marked_na}  # N/A ticked: the number box is empty and off
        st.number_input(f"Answer ({criterion.unit or 'a number'})", min_value=0.0, step=0.5, value=None, **number)
        if na_box:
            st.checkbox(
                "Not applicable to this school",
                key=na_box,
                disabled=locked,
                on_change=_na_changed,
                args=(review_id, framework, criterion, version),
            )
        bands = "; ".join(_band_words(framework, criterion))
        if bands:  # a fact has no bands: it is not judged
            st.caption(f"How this is judged: {bands}")
    else:
        st.text_area("Your answer", height=100, **common)
    if not locked and (st.session_state.get(key) not in (None, "") or marked_na):
        st.button(
            "Clear answer",
            key=f"clear:{key}",
            type="tertiary",
            on_click=_clear,
            args=(review_id, framework, criterion, version),
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


def _clear(review_id: int, framework: Framework, criterion: Criterion, version: int) -> None:
    """on_click of "Clear answer": store no answer, from the version the button was drawn with."""
    if not _pressed(f"clear:{sync.widget_key('response', review_id, criterion.id, version)}"):
        return
    sync.save(review_id, framework, criterion, "response", None, version)
    _recount(review_id, criterion)


def _recount(review_id: int, criterion: Criterion) -> None:
    """When a save answers or clears a question, or changes which questions apply, rerun its question and
    the counts, not the page. Other saves (a changed answer, evidence) keep the usual rerun of the question alone."""
    answered = _answered().setdefault(review_id, set())
    now = _is_answered(sync.known(review_id).get(criterion.id))
    counted = _applying(review_id) if review_id in _count_rules() else _counted().get(review_id, set())
    if now == (criterion.id in answered) and counted == _counted().get(review_id, set()):
        return
    _counted()[review_id] = counted  # e.g. "0 pupils with an EHC plan" takes the EHC plan duties out of m
    if now:
        answered.add(criterion.id)
    else:
        answered.discard(criterion.id)
    # Not on the page any more (a change delivered late, after a move): the next full run counts it.
    with suppress(StreamlitAPIException):
        st.rerun([_fragment_key(review_id, criterion.id), *PROGRESS_FRAGMENTS])


def _next_previous(review_id: int, domains: list[Domain], current: Domain) -> None:
    """Buttons, not links: a click first delivers what the user typed (the note's box commits as it
    loses focus) in the same session, then moves; a link could load the page before the note arrived."""
    index = [d.id for d in domains].index(current.id)
    left, right = st.columns(2)
    if index > 0:
        prev, key = domains[index - 1], f"prev-{review_id}"
        left.button(f"← {prev.title}", key=key, on_click=_go_to_domain, args=(key, prev.id))
    if index < len(domains) - 1:
        nxt, key = domains[index + 1], f"next-{review_id}"
        right.button(f"{nxt.title} →", key=key, on_click=_go_to_domain, args=(key, nxt.id))


def _pressed(key: str) -> bool:
    """Whether the button was pressed in this message: Streamlit also calls on_click when a replayed state
    of a button it has forgotten says "not pressed", and such a call must do nothing."""
    return st.session_state.get(key) is True


def _go_to_domain(key: str, domain_id: str) -> None:
    if not _pressed(key):
        return
    st.query_params["domain"] = domain_id
    st.rerun()  # the whole page: the browser may send this click with a question's fragment rerun


def _submit_box(
    db: Database,
    actor: Actor,
    review: reviews.Review,
    domains: list[Domain],
    by_domain: dict[str, list[Criterion]],
) -> None:
    st.divider()
    st.header("Submit the review", anchor=False)
    _open_items(review.id, domains, by_domain)
    confirm = st.checkbox(
        "I have checked the answers and want to submit. Answers are then locked.", key=f"confirm-submit-{review.id}"
    )
    if st.button("Submit review", type="primary", disabled=not confirm, key=f"submit-{review.id}"):
        reviews.submit_review(db, actor, review.id)
        nav.go("results", review=review.id)


@st.fragment(key="review-open-items")
def _open_items(review_id: int, domains: list[Domain], by_domain: dict[str, list[Criterion]]) -> None:
    answered, counted = _answered().get(review_id, set()), _counted().get(review_id, set())
    open_items = {d.title: sum(1 for q in by_domain[d.id] if q.id in counted - answered) for d in domains}
    open_items = {title: n for title, n in open_items.items() if n}
    if open_items:
        st.markdown(
            "Still unanswered: " + "; ".join(f"{title} ({n})" for title, n in open_items.items()) + ". "
            "You can submit now, but a domain with too few answers is reported as *Insufficient evidence*."
        )
    else:
        st.markdown("Every question is answered.")
