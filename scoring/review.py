"""A review's scores (docs/scoring.md), for one school or a whole batch, by one vectorised path.

``score_review`` is ``score_reviews`` with a batch of one, so the app, the CLI and LA-wide tables
can never disagree. Each distinct answer's contribution is worked out once; per review x domain sums
are array indexing into a (review x criterion) grid and one matrix product, never a loop per answer.

Where the spec is silent: a domain without a percent (Insufficient evidence) is not marked limited,
as there is no band to cap, though ``limited_by`` still names its unmet duties and they still limit
the overall band; with nothing answered a domain has no percent even when ``min_completion`` is 0.

Compliance as the gate (a framework's ``compliance_gate``): statutory items are not counted in a domain's
percent, answered or applicable, only in its duties; a domain whose only applicable items are duties has
no percent and the band "Duties only", and shows "n of m duties met" instead of a level.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from framework.models import Framework, ReviewContext
from scoring.bands import DUTIES_ONLY, band_indices, band_names
from scoring.batch import Batch, one_review, read_batch
from scoring.layout import FrameworkLayout
from scoring.models import Completion, ComplianceItem, DomainScore, OverallScore, ReviewScore, ScoreTables
from scoring.readings import Readings

COMPLETION_TOLERANCE = 1e-9  # exactly min_completion answered counts as enough
STATUS = ["unknown", "met", "not_met"]  # compliance status by code 0, 1, 2
PACK_LIMIT = 2.0**53  # floats hold integers exactly below this


def score_review(
    framework: Framework, responses: pd.DataFrame, context: ReviewContext, *, school_urn: str | None = None
) -> ReviewScore:
    """Score one review: ``responses`` has criterion_id and response (raw, as typed or read from a cell).

    >>> score_review(fw, pd.DataFrame({"criterion_id": ["L1"], "response": ["Established"]}),
    ...              ReviewContext.of("primary")).overall.band  # doctest: +SKIP
    'Established'
    """
    rows, reviews = one_review(framework, responses, context)
    tables = score_reviews(framework, rows, reviews)
    return _review_score(framework, tables, context.phase, school_urn)


def score_reviews(framework: Framework, responses: pd.DataFrame, reviews: pd.DataFrame) -> ScoreTables:
    """Score many reviews of one framework: responses (review_id, criterion_id, response) and
    reviews (review_id, phase, resourced_provision). Raises InvalidInput listing every problem."""
    return _tables(framework, read_batch(framework, responses, reviews))


def _tables(framework: Framework, batch: Batch) -> ScoreTables:
    layout, r = batch.layout, batch.readings
    weight_sum, q_sum, n_answered, n_applicable, n_no = _domain_totals(layout, r)
    n_duties, n_met = _duty_totals(layout, r)

    enough = (n_applicable > 0) & (n_answered > 0)
    enough &= n_answered >= (framework.min_completion - COMPLETION_TOLERANCE) * n_applicable
    with np.errstate(invalid="ignore", divide="ignore"):
        percent = np.where(enough, np.clip(100.0 * q_sum / weight_sum, 0.0, 100.0), np.nan)
    limited = (n_no > 0) & enough

    has = ~np.isnan(percent)
    domain_weight = np.where(has, layout.domain_weight, 0.0)
    total = domain_weight.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = np.clip((np.where(has, percent, 0.0) * domain_weight).sum(axis=1) / total, 0.0, 100.0)
    overall = np.where(total > 0, overall, np.nan)
    overall_limited = (n_no.sum(axis=1) > 0) & (total > 0)

    review_ids = batch.review_ids
    overall_table = pd.DataFrame(
        {
            "review_id": review_ids.array,
            "percent": overall,
            "band": _text(band_names(framework), band_indices(framework, overall, overall_limited)),
            "limited": overall_limited,
            "answered": n_answered.sum(axis=1),
            "applicable": n_applicable.sum(axis=1),
        }
    )
    rev, dom = np.nonzero((n_applicable > 0) | (n_duties > 0))
    names = [*band_names(framework), DUTIES_ONLY]
    bands = band_indices(framework, percent[rev, dom], limited[rev, dom])
    bands = np.where(n_applicable[rev, dom] > 0, bands, len(names) - 1)  # duties alone have no level
    domain_table = pd.DataFrame(
        {
            "review_id": review_ids.take(rev).array,
            "domain_id": _text(layout.domain_ids, dom),
            "percent": percent[rev, dom],
            "band": _text(names, bands),
            "limited": limited[rev, dom],
            "answered": n_answered[rev, dom],
            "applicable": n_applicable[rev, dom],
            "duties": n_duties[rev, dom],
            "duties_met": n_met[rev, dom],
        }
    )
    return ScoreTables(overall=overall_table, domains=domain_table, compliance=_compliance(batch))


def _domain_totals(layout: FrameworkLayout, r: Readings) -> tuple[np.ndarray, ...]:
    """Per review x domain: sum of answered weights, of weight x q, and the answered, applicable and
    statutory-no counts. Each distinct answer's contribution is worked out once, then gathered into the
    (review x criterion) grid and summed per domain by a product with the criterion-domain matrix."""
    crit = np.maximum(r.criterion, 0)
    scored = layout.counted[crit] & (r.criterion >= 0)
    answered = scored & ~np.isnan(r.points)
    weight = np.where(answered, layout.weight[crit], 0.0)
    weighted_q = np.where(answered, weight * r.q, 0.0)
    counts = [answered, scored & r.not_applicable, r.said_no & layout.statutory[crit]]

    membership = layout.membership
    grid = np.empty(r.answer.shape)  # one buffer for every gather: it is as large as the input

    def per_domain(per_answer: np.ndarray, per_criterion: np.ndarray | None = None) -> np.ndarray:
        np.take(per_answer, r.answer, out=grid)
        if per_criterion is not None:
            np.add(grid, per_criterion, out=grid)
        np.multiply(grid, r.applies, out=grid)  # cells whose criterion does not apply count nothing
        return grid @ membership

    weight_sum = per_domain(weight)
    q_sum = per_domain(weighted_q)
    # the counts are small integers: packed as digits of one float (base n+1, exact while base**4 < 2**53)
    # one gather and one product count them all
    base = layout.n_criteria + 1
    if float(base) ** 4 < PACK_LIMIT:
        packed = sum(c * float(base) ** k for k, c in enumerate(counts))
        digits = np.rint(per_domain(packed, layout.counted * float(base) ** 3)).astype(np.int64)
        n_answered, n_na, n_no, n_scored = (digits // base**k % base for k in range(4))
    else:
        n_answered, n_na, n_no = (np.rint(per_domain(c.astype(np.float64))).astype(np.int64) for c in counts)
        n_scored = np.rint(per_domain(np.zeros(len(crit)), layout.counted.astype(np.float64))).astype(np.int64)
    return weight_sum, q_sum, n_answered, n_scored - n_na, n_no


def _duty_totals(layout: FrameworkLayout, r: Readings) -> tuple[np.ndarray, np.ndarray]:
    """Per review x domain: the statutory items that apply, and how many of them are answered yes."""
    duties = r.applies & layout.statutory
    met = duties & r.said_yes[r.answer]
    membership = layout.membership
    return _counts(duties.astype(np.float64) @ membership), _counts(met.astype(np.float64) @ membership)


def _counts(sums: np.ndarray) -> np.ndarray:
    return np.rint(sums).astype(np.int64)


def _compliance(batch: Batch) -> pd.DataFrame:
    """Each applicable statutory criterion of each review: met (yes), not_met (no) or unknown (blank/unlisted)."""
    layout, r = batch.layout, batch.readings
    statutory = np.flatnonzero(layout.statutory)
    answer = r.answer[:, statutory]
    status = np.where(r.said_yes[answer], 1, np.where(r.said_no[answer], 2, 0))
    rev, col = np.nonzero(r.applies[:, statutory])
    return pd.DataFrame(
        {
            "review_id": batch.review_ids.take(rev).array,
            "criterion_id": _text(list(layout.criterion_ids[statutory]), col),
            "status": _text(STATUS, status[rev, col]),
        }
    )


def _text(labels: Sequence[str], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A string column taken from a few labels by code, without converting every cell on its own."""
    return pd.array(list(labels), dtype="str").take(np.asarray(codes, dtype=np.intp))


def _review_score(framework: Framework, tables: ScoreTables, phase: str, school_urn: str | None) -> ReviewScore:
    """The batch-of-one tables as a ReviewScore, with titles and texts from the framework."""
    overall = tables.overall.iloc[0]
    criteria = framework.criteria_by_id
    compliance = [
        ComplianceItem(criterion_id=cid, text=criteria[cid].text, domain_id=criteria[cid].domain_id, status=status)
        for cid, status in zip(tables.compliance["criterion_id"], tables.compliance["status"], strict=True)
    ]
    domains = [
        DomainScore(
            domain_id=row.domain_id,
            title=framework.domains_by_id[row.domain_id].title,
            percent=_percent(row.percent),
            band=row.band,
            limited=bool(row.limited),
            answered=int(row.answered),
            applicable=int(row.applicable),
            limited_by=[c.criterion_id for c in compliance if c.domain_id == row.domain_id and c.status == "not_met"],
            duties=int(row.duties),
            duties_met=int(row.duties_met),
        )
        for row in tables.domains.itertuples(index=False)
    ]
    return ReviewScore(
        framework_id=framework.id,
        framework_version=framework.version,
        school_urn=school_urn,
        phase=phase,
        overall=OverallScore(
            percent=_percent(overall["percent"]), band=overall["band"], limited=bool(overall["limited"])
        ),
        completion=Completion(answered=int(overall["answered"]), applicable=int(overall["applicable"])),
        domains=domains,
        compliance=compliance,
        compliance_gate=framework.compliance_gate,
    )


def _percent(value: float) -> float | None:
    return None if pd.isna(value) else float(value)
