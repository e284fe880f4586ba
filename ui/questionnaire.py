"""Answer a review domain by domain. Every answer and note is saved the moment it changes.

Widget values live in st.session_state only as a cache of what is stored: each run
compares the stored version of an answer with the version this browser tab last saw,
and reloads the widget when someone (another tab, a colleague, an upload) changed it.

Every change is one run of the whole page, which reads the answers again, so the counts (the
progress bar, "n of m answered" beside each domain, what is still unanswered) are always those
stored. No callback asks for another run and no question is a fragment: with Streamlit 1.67, a
callback's ``st.rerun`` makes an interaction two runs, and a click made between them was drawn as
chosen but not sent until the user's next click (measured: 17 of 120 quick clicks never stored;
none with one run per change). A run of a 60-question domain takes about 120 ms (``make bench``).
"""

from __future__ import annotations

import streamlit as st

from data import frameworks, reviews
from data.access import Actor
from data.db import Database
from framework.explain import questions_that_apply
from framework.models import Criterion, Domain, Framework, applicable_criteria
from ui import answer_sync as sync
from ui import auth, criterion_notes, evidence_tags, leave_guard, nav
from ui.context import friendly_errors
from ui.labels import ROLE_WORDS
from ui.review_picker import requested_review

NA = "N/A"


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
    # a question whose earlier-answer condition fails (no pupil with an EHC plan) is shown with its reason
    # but is not counted in "n of m answered"
    known = {cid: a.response for cid, a in stored.items()}
    counted = {q.id for q in questions_that_apply(framework, review.context, known)}

    leave_guard.install()  # a note typed but not yet sent is delivered before the page moves
    st.title(review.school_name)
    st.caption(
        f"{framework.title} (version {framework.version}) · {review.cycle} · {ROLE_WORDS.get(review.role, review.role)}"
    )
    done, total = len(answered & counted), len(counted)
    st.progress(done / total if total else 1.0, text=f"{done} of {total} questions answered")
    if review.locked:
        st.info("This review has been submitted, so its answers are locked. It can be reopened from its results page.")

    domain_id = st.query_params.get("domain")
    if domain_id not in by_domain:
        domain_id = domains[0].id
    nav_col, body = st.columns([1, 3], gap="large")
    with nav_col:
        _domain_nav(review.id, domains, by_domain, domain_id, answered, counted)
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
            _criterion(review, framework, criterion, number, known)
        _next_previous(review.id, domains, domain)
        if not review.locked:
            _submit_box(db, actor, review, domains, by_domain, answered, counted)


def _is_answered(answer: reviews.Answer | None) -> bool:
    return answer is not None and answer.response not in (None, "")


def _domain_nav(
    review_id: int,
    domains: list[Domain],
    by_domain: dict[str, list[Criterion]],
    current: str,
    answered: set[str],
    counted: set[str],
) -> None:
    """The list of domains with how many of each are answered; choosing one moves the page there."""

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
    st.query_params["domain"] = choice  # the run that follows draws that domain
    st.session_state[_REFOCUS] = int(key.split("-")[2])


def _criterion(
    review: reviews.Review, framework: Framework, criterion: Criterion, number: int, known: dict[str, str | None]
) -> None:
    """One question, its widgets keyed by the stored version of its answer (``answer_sync``)."""
    review_id, locked = review.id, review.locked
    version = sync.current(review_id, criterion.id).version
    with st.container(border=True):
        tag = " · **Statutory duty**" if criterion.statutory else ""
        st.markdown(f"**{number}. {criterion.text}**{tag}")
        if criterion.statutory and criterion.source:
            st.caption(f"Source: {criterion.source}")
        _answer_widget(review_id, locked, framework, criterion, version)
        criterion_notes.show(framework, criterion, review.context, known)
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
            on_change=sync.changed,
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
        st.button("Sign in again", key=f"sign-in:{review_id}:{criterion.id}")  # the run shows the sign-in page


def _save_pending(review_id: int, framework: Framework, criterion: Criterion) -> None:
    if not _pressed(f"save-pending:{review_id}:{criterion.id}"):
        return
    sync.save_pending(review_id, framework, criterion)


def _answer_widget(review_id: int, locked: bool, framework: Framework, criterion: Criterion, version: int) -> None:
    """The answer's widget, drawn with the stored answer or the user's own input; never a default:
    a radio with no answer has no option chosen, a number box with no answer is empty. A number that
    may be N/A has a "Not applicable" box beside it, as a radio has an N/A option."""
    key = sync.seed(review_id, criterion, "response")
    common = {
        "key": key,
        "disabled": locked,
        "on_change": sync.changed,
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
                on_change=sync.na_changed,
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
    st.query_params["domain"] = domain_id  # the run that follows draws that domain


def _submit_box(
    db: Database,
    actor: Actor,
    review: reviews.Review,
    domains: list[Domain],
    by_domain: dict[str, list[Criterion]],
    answered: set[str],
    counted: set[str],
) -> None:
    st.divider()
    st.header("Submit the review", anchor=False)
    _open_items(domains, by_domain, counted - answered)
    confirm = st.checkbox(
        "I have checked the answers and want to submit. Answers are then locked.", key=f"confirm-submit-{review.id}"
    )
    if st.button("Submit review", type="primary", disabled=not confirm, key=f"submit-{review.id}"):
        reviews.submit_review(db, actor, review.id)
        nav.go("results", review=review.id)


def _open_items(domains: list[Domain], by_domain: dict[str, list[Criterion]], unanswered: set[str]) -> None:
    open_items = {d.title: sum(1 for q in by_domain[d.id] if q.id in unanswered) for d in domains}
    open_items = {title: n for title, n in open_items.items() if n}
    if open_items:
        st.markdown(
            "Still unanswered: " + "; ".join(f"{title} ({n})" for title, n in open_items.items()) + ". "
            "You can submit now, but a domain with too few answers is reported as *Insufficient evidence*."
        )
    else:
        st.markdown("Every question is answered.")
