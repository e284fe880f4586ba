"""Agreement in words and as the contract's JSON, and self versus agreed per domain.

Pages and the CLI say the same sentences; rounding to three places happens only in ``to_json``.
Bands of interpretation: kappa after Landis & Koch (1977), alpha after Krippendorff (reliable from
0.800, tentative from 0.667). They are prompts for a conversation, not verdicts.
"""

from __future__ import annotations

from collections.abc import Mapping

from framework.models import Framework
from scoring.agreement import PairAgreement, ScopeAgreement, VisitAgreement
from scoring.bands import band_names
from scoring.models import ReviewScore

NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four"}


def kappa_words(kappa: float) -> str:
    """Landis & Koch's names for a kappa."""
    if kappa < 0:
        return "poor"
    for limit, words in ((0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial")):
        if kappa <= limit:
            return words
    return "almost perfect"


def alpha_words(alpha: float) -> str:
    if alpha >= 0.8:
        return "reliable"
    if alpha >= 0.667:
        return "good enough only for tentative conclusions"
    return "too low to rely on"


def pair_sentence(pair: PairAgreement, names: Mapping[str, str]) -> str:
    """e.g. "The school and Reviewer 1 agreed exactly on 18 of 24 criteria and were within one level on 23."."""
    who = f"{names.get(pair.a, pair.a)} and {names.get(pair.b, pair.b)}"
    who = who[:1].upper() + who[1:]
    if pair.n == 0:
        return f"{who} have no criterion that both rated yet."
    text = (
        f"{who} agreed exactly on {pair.n_exact} of {pair.n} criteria and were within one level on {pair.n_within_one}."
    )
    if pair.kappa is None:
        return text + f" Weighted kappa is not given: {pair.kappa_reason}."
    return text + f" Weighted kappa {pair.kappa:.2f} ({kappa_words(pair.kappa)})."


def alpha_sentence(scope: ScopeAgreement) -> str:
    if scope.alpha is None:
        return f"Krippendorff's alpha across all raters is not given: {scope.alpha_reason}."
    return f"Krippendorff's alpha across all raters is {scope.alpha:.3f}: {alpha_words(scope.alpha)}."


def rater_names(agreement: VisitAgreement, reviewer_names: Mapping[str, str] | None = None) -> dict[str, str]:
    """Words for each rater key: the school, the agreed review, reviewers by name or number."""
    names = {"self": "the school's self-review", "agreed": "the agreed review"}
    for number, key in enumerate((k for k in agreement.raters if k not in names), start=1):
        names[key] = (reviewer_names or {}).get(key) or f"reviewer {number}"
    return names


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _pair_json(pair: PairAgreement) -> dict:
    return {
        "a": pair.a,
        "b": pair.b,
        "n": pair.n,
        "exact": _round(pair.exact),
        "within_one": _round(pair.within_one),
        "kappa": _round(pair.kappa),
    }


def to_json(agreement: VisitAgreement, header: Mapping[str, object]) -> dict:
    """The document of ``cli.py moderation VISIT_ID --json`` (docs/agreement.md); ``header`` holds
    visit_id, school_urn, framework_id, framework_version and cycle."""
    raters = [(k, r) for k, r in zip(agreement.raters, agreement.roles, strict=True) if r != "agreed"]
    has_agreed = "agreed" in agreement.raters
    criteria = [
        {
            "criterion_id": cid,
            "domain_id": agreement.domain_of[i],
            "ratings": {key: agreement.rating(key, cid) for key, _ in raters},
            "agreed": agreement.rating("agreed", cid) if has_agreed else None,
        }
        for i, cid in enumerate(agreement.criterion_ids)
    ]
    return {
        **header,
        "levels": agreement.levels,
        "raters": [{"key": key, "role": role} for key, role in raters],
        "criteria": criteria,
        "agreement": {
            "overall": {
                "alpha": _round(agreement.overall.alpha),
                "pairs": [_pair_json(p) for p in agreement.overall.pairs],
            },
            "domains": [
                {"domain_id": d.domain_id, "alpha": _round(d.alpha), "pairs": [_pair_json(p) for p in d.pairs]}
                for d in agreement.domains
            ],
        },
    }


def self_versus_agreed(framework: Framework, own: ReviewScore, agreed: ReviewScore) -> list[dict]:
    """Per domain both have: the two percents and bands, the band gap (self minus agreed) and a sentence."""
    names = band_names(framework)
    theirs = {d.domain_id: d for d in agreed.domains}
    rows = []
    for mine in own.domains:
        other = theirs.get(mine.domain_id)
        if other is None:
            continue
        gap = None
        if mine.percent is not None and other.percent is not None:
            gap = names.index(mine.band) - names.index(other.band)
        rows.append(
            {
                "domain_id": mine.domain_id,
                "domain": mine.title,
                "self_percent": mine.percent,
                "agreed_percent": other.percent,
                "self_band": mine.band,
                "agreed_band": other.band,
                "band_gap": gap,
                "sentence": calibration_sentence(mine.title, gap),
            }
        )
    return rows


def calibration_sentence(domain: str, gap: int | None) -> str:
    """e.g. "Your self-review was one band above the agreed judgement in Record-keeping."."""
    if gap is None:
        return f"In {domain} there is not enough evidence in one of the two reviews to compare bands."
    if gap == 0:
        return f"Your self-review matched the agreed judgement in {domain}."
    size = NUMBER_WORDS.get(abs(gap), str(abs(gap)))
    plural = "band" if abs(gap) == 1 else "bands"
    side = "above" if gap > 0 else "below"
    return f"Your self-review was {size} {plural} {side} the agreed judgement in {domain}."
