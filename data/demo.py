"""A fictional local authority with realistic-looking schools and review answers, from a seed.

Demos, screenshots and tests need data that behaves like the real thing (figures.md section 6)
without being anyone's: every name is made up, URNs start at 900000 (outside the real range) and
every row is marked ``demo``. The same seed always gives identical frames.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from data.demo_characteristics import with_characteristics
from data.demo_facts import fact_answers, per_unit_answers, register_figures
from data.register_import import REGISTER_COLUMNS
from framework.models import Band, Criterion, Framework, ReviewContext, criterion_applies

DEMO_LA = "Lanternshire (demo)"
DEMO_REGION = "Demo region (fictional)"
FIRST_DEMO_URN = 900000
CYCLES = ("2023/24", "2024/25", "2025/26")

# phase, school type, national share, median pupils, log-normal sigma, clip (figures.md section 6)
PHASE_MIX = (
    ("primary", "mainstream", 0.78, 230, 0.65, (20, 800)),
    ("secondary", "mainstream", 0.16, 1000, 0.35, (350, 2200)),
    ("special", "special", 0.05, 120, 0.5, (30, 350)),
    ("secondary", "alternative_provision", 0.01, 45, 0.5, (10, 150)),
)
NAME_STARTS = (
    "Bramble", "Otter", "Heron", "Thistle", "Puddle", "Marigold", "Kestrel", "Foxglove", "Nettle", "Lantern",
    "Pebble", "Wren", "Clover", "Tansy", "Sorrel", "Juniper", "Quill", "Bracken", "Moth", "Teasel",
)  # fmt: skip
NAME_ENDS = ("combe", "wick", "mere", "hollow", "ford", "stead", "bury", "dale", "thorpe", "gate", "ley", "by")
NAME_KINDS = {
    ("primary", "mainstream"): "Primary School",
    ("secondary", "mainstream"): "Academy",
    ("special", "special"): "Special School",
    ("secondary", "alternative_provision"): "Learning Centre",
}
TEXT_NOTES = (
    "Discussed with the SEND governor this term.",
    "See the provision map and the latest SEN register summary.",
    "Action agreed at the last leadership meeting.",
    "Evidence held by the SENCO.",
)

# Review answers: a school-wide tendency, a per-domain effect, a per-item effect and yearly noise, in
# units of one rating level; ratings centre on the two middle levels of a scale.
TENDENCY_SD, DOMAIN_SD, ITEM_SD, DIFFICULTY_SD, YEAR_SD = 0.55, 0.35, 0.45, 0.3, 0.35
DRIFT_PER_CYCLE = 0.15
STATUTORY_MET = 0.975  # per duty; the 2026.3 frameworks ask about 6 to 21 duties each, one per criterion
BLANK_RATE, NA_RATE, TEXT_BLANK_RATE = 0.02, 0.01, 0.5


def demo_schools(seed: int = 7, n: int = 120, la_name: str = DEMO_LA) -> pd.DataFrame:
    """``n`` fictional schools in the register's columns (plus ``demo``), in URN order.

    >>> demo_schools(seed=7, n=100)["phase"].value_counts()  # 78 primary, 16 + 1 secondary, 5 special
    """
    rng = np.random.default_rng([seed, 1])
    la_fsm_mean = float(np.clip(rng.normal(0.25, 0.06), 0.10, 0.47))
    frames = []
    for (phase, school_type, _, median, sigma, (low, high)), count in zip(PHASE_MIX, _phase_counts(n), strict=True):
        pupils = np.clip(np.round(median * np.exp(sigma * rng.standard_normal(count))), low, high)
        mainstream = school_type == "mainstream"
        fsm = rng.beta(la_fsm_mean * 10, (1 - la_fsm_mean) * 10, count) if mainstream else rng.beta(5, 5, count)
        frames.append(
            pd.DataFrame({"phase": phase, "type": school_type, "pupils": pupils.astype(int), "fsm_pct": 100 * fsm})
        )
    schools = pd.concat(frames, ignore_index=True)
    schools["sen_support_pct"], schools["ehcp_pct"], schools["resourced_provision"] = _sen(rng, schools, la_fsm_mean)
    schools.insert(0, "urn", [str(FIRST_DEMO_URN + i) for i in range(len(schools))])
    schools["name"] = _names(rng, schools)
    schools["la"] = la_name
    schools["region"] = DEMO_REGION
    schools["demo"] = True
    schools = with_characteristics(schools, seed)
    schools[["fsm_pct", "sen_support_pct", "ehcp_pct"]] = schools[["fsm_pct", "sen_support_pct", "ehcp_pct"]].round(1)
    return schools.astype({"pupils": "Int64"})[[*REGISTER_COLUMNS, "demo"]]


def _phase_counts(n: int) -> list[int]:
    """National shares turned into whole schools by largest remainder: 100 -> 78/16/5/1, 60 -> 47/10/3/0."""
    exact = np.array([share for _, _, share, *_ in PHASE_MIX]) * n
    counts = np.floor(exact).astype(int)
    remainders = np.round(exact - counts, 9)  # so that equal remainders tie, and the larger phase wins
    for i in np.argsort(-remainders, kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    return counts.tolist()


def _sen(rng: np.random.Generator, schools: pd.DataFrame, la_fsm_mean: float) -> tuple[np.ndarray, ...]:
    """SEN support % (normal, mildly linked to FSM), EHCP % (binomial counts) and resourced provision."""
    n = len(schools)
    phase, school_type = schools["phase"].to_numpy(), schools["type"].to_numpy()
    pupils, fsm = schools["pupils"].to_numpy(dtype=float), schools["fsm_pct"].to_numpy()
    mainstream = school_type == "mainstream"
    support_mean = np.where(phase == "primary", 14.0, 13.0) + 0.1 * (fsm - 100 * la_fsm_mean)
    support = np.clip(rng.normal(support_mean, 4.5), 2, 35)
    ehcp_rate = np.clip(rng.beta(3, 97, n), 0, 0.08)
    resourced = np.zeros(n, dtype=bool)
    candidates = np.flatnonzero(mainstream)
    n_resourced = max(1, round(rng.uniform(0.05, 0.10) * candidates.size)) if candidates.size else 0
    resourced[rng.choice(candidates, n_resourced, replace=False)] = True
    ehcp_rate = np.where(resourced, rng.uniform(0.08, 0.15, n), ehcp_rate)
    special, ap = school_type == "special", school_type == "alternative_provision"
    ehcp_rate = np.where(special, rng.uniform(0.98, 1.0, n), ehcp_rate)
    ehcp_rate = np.where(ap, rng.uniform(0.10, 0.25, n), ehcp_rate)
    ehcp = rng.binomial(pupils.astype(int), ehcp_rate) / pupils * 100  # Poisson-like, never above the roll
    support = np.where(special, 100 - ehcp, support)
    support = np.where(ap, np.clip(rng.normal(62, 10, n), 40, 100 - ehcp), support)
    return support, ehcp, resourced


def _names(rng: np.random.Generator, schools: pd.DataFrame) -> list[str]:
    """Made-up place names, each used once, with the school's kind and a "(demo)" marker."""
    places = [start + end for start in NAME_STARTS for end in NAME_ENDS]
    picks = rng.permutation(len(places))
    names = []
    for i, (phase, school_type) in enumerate(zip(schools["phase"], schools["type"], strict=True)):
        place = places[picks[i % len(places)]] + (f" {i // len(places) + 1}" if i >= len(places) else "")
        names.append(f"{place} {NAME_KINDS[(phase, school_type)]} (demo)")
    return names


def demo_senco_hours(schools: pd.DataFrame, seed: int = 7) -> pd.Series:
    """Protected SENCO hours a week per school (index: urn). INVENTED: no published median exists.

    Primary centred on 8 h, secondary 24 h, special 20 h, growing gently with school size; 1 to 37.5 h
    (full time), in half hours.
    """
    rng = np.random.default_rng([seed, 2])
    phase, school_type = schools["phase"].to_numpy(), schools["type"].to_numpy()
    base = np.select([school_type == "special", phase == "secondary", phase == "primary"], [20.0, 24.0, 8.0], 10.0)
    typical = np.select([school_type == "special", phase == "secondary"], [120.0, 1000.0], 230.0)
    size = np.clip(pd.to_numeric(schools["pupils"]).to_numpy(dtype=float, na_value=np.nan), 10, None) / typical
    hours = base * np.nan_to_num(size, nan=1.0) ** 0.4 * np.exp(0.35 * rng.standard_normal(len(schools)))
    return pd.Series(np.round(np.clip(hours, 1, 37.5) * 2) / 2, index=schools["urn"].astype(str), name="senco_hours")


def demo_answers(
    framework: Framework, schools: pd.DataFrame, cycles: Sequence[str] = CYCLES, seed: int = 7
) -> pd.DataFrame:
    """Self-review answers (cycle, urn, criterion_id, response) for every applicable criterion.

    Responses are raw text as a school would type them, each valid for ``read_response``: level
    labels, yes/no, numbers inside a band, occasionally blank, rarely N/A (never on statutory items).
    A number criterion about SENCO hours uses ``demo_senco_hours``.
    """
    urns = schools["urn"].astype(str).to_numpy()
    n_schools, n_cycles = len(urns), len(cycles)
    school_rng = np.random.default_rng([seed, 3])  # the same tendency for a school in every framework
    tendency = TENDENCY_SD * school_rng.standard_normal(n_schools)
    rng = np.random.default_rng([seed, zlib.crc32(framework.id.encode())])
    domain_effect = {d.id: DOMAIN_SD * rng.standard_normal(n_schools) for d in framework.domains}
    drift = DRIFT_PER_CYCLE * np.arange(n_cycles)[:, None]
    hours = demo_senco_hours(schools, seed).to_numpy()
    applies = _applicability(framework, schools)
    figures = register_figures(schools, seed)

    parts = []
    for position, criterion in enumerate(framework.criteria):
        # draw for every school before masking, so that applicability never shifts the random stream
        item = ITEM_SD * rng.standard_normal(n_schools) + DIFFICULTY_SD * rng.standard_normal()
        noise = YEAR_SD * rng.standard_normal((n_cycles, n_schools))
        latent = tendency + domain_effect[criterion.domain_id] + item + drift + noise
        responses = _responses(framework, criterion, latent, tendency + drift, hours, rng, figures)
        responses = _blanks(criterion, responses, rng)
        mask = np.broadcast_to(applies[criterion.id], responses.shape)
        cycle_idx, school_idx = np.nonzero(mask)
        parts.append((cycle_idx, school_idx, np.full(cycle_idx.size, position), responses[mask]))
    if not parts:
        return pd.DataFrame({"cycle": [], "urn": [], "criterion_id": [], "response": []}, dtype=str)
    cycle_idx, school_idx, positions, responses = (np.concatenate(p) for p in zip(*parts, strict=True))
    order = np.lexsort((positions, school_idx, cycle_idx))
    criterion_ids = np.array([c.id for c in framework.criteria], dtype=object)
    return pd.DataFrame(
        {
            "cycle": np.asarray(cycles, dtype=object)[cycle_idx[order]],
            "urn": urns[school_idx[order]],
            "criterion_id": criterion_ids[positions[order]],
            "response": responses[order],
        }
    )


CHARACTERISTICS = ("has_nursery", "has_sixth_form")


def _applicability(framework: Framework, schools: pd.DataFrame) -> dict[str, np.ndarray]:
    """criterion id -> which schools it applies to, worked out once per (phase, flags) combination."""
    flags = [schools[c].astype(bool) if c in schools else [False] * len(schools) for c in CHARACTERISTICS]
    keys = list(zip(schools["phase"], schools["resourced_provision"].astype(bool), *flags, strict=True))
    codes, uniques = pd.factorize(pd.Series(keys, dtype=object))
    contexts = [ReviewContext.of(p, rp, has_nursery=n, has_sixth_form=sf) for p, rp, n, sf in uniques]
    return {
        c.id: np.array([criterion_applies(framework, c, ctx) for ctx in contexts], dtype=bool)[codes]
        for c in framework.criteria
    }


def _responses(
    framework: Framework,
    criterion: Criterion,
    latent: np.ndarray,
    school_level: np.ndarray,
    hours: np.ndarray,
    rng: np.random.Generator,
    figures: dict[str, np.ndarray],
) -> np.ndarray:
    """One raw answer per (cycle, school) for this criterion, as an object array of text."""
    shape = latent.shape
    if criterion.fact:
        return fact_answers(criterion, figures, shape, rng)
    if criterion.kind == "text":
        return np.array(TEXT_NOTES, dtype=object)[rng.integers(len(TEXT_NOTES), size=shape)]
    if criterion.kind == "yes_no":
        if criterion.statutory:
            logit = np.log(STATUTORY_MET / (1 - STATUTORY_MET)) + 0.6 * school_level
        else:
            logit = 1.0 + 1.3 * latent
        return np.where(rng.random(shape) < 1 / (1 + np.exp(-logit)), "yes", "no").astype(object)
    if criterion.kind == "rating":
        labels = np.array([lv.label for lv in framework.scale_of(criterion).levels], dtype=object)
        return labels[_position(latent, len(labels))]
    if criterion.per_unit and not _is_senco_hours(criterion):  # a rate in the school's band, times its measure
        rates = np.vectorize(float)(_numbers(criterion, latent, hours, rng))
        return per_unit_answers(criterion, rates, figures)
    return _numbers(criterion, latent, hours, rng)


def _position(latent: np.ndarray, n_levels: int) -> np.ndarray:
    """0 .. n_levels-1, centred between the two middle levels."""
    return np.clip(np.rint((n_levels - 1) / 2 + latent), 0, n_levels - 1).astype(int)


def _numbers(criterion: Criterion, latent: np.ndarray, hours: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A value inside the band a school of this latent level would reach (better bands score more points)."""
    bands = sorted(criterion.bands, key=lambda b: b.points)
    chosen = _position(latent, len(bands))
    finite = [b.high - b.low for b in bands if b.low is not None and b.high is not None]
    width = float(np.median(finite)) if finite else 10.0
    whole = all(float(v).is_integer() for b in bands for v in (b.low, b.high) if v is not None) and width >= 1
    ceiling = 100.0 if "%" in criterion.unit else np.inf  # an open "100..=4" band means exactly 100%
    values = np.empty(latent.shape)
    u = rng.random(latent.shape)
    for i, band in enumerate(bands):
        low, high = _drawing_range(band, width, ceiling)
        drawn = low + u * (high - low)
        drawn = np.floor(drawn) if whole and high - low >= 1 else np.floor(drawn * 10) / 10
        inside = (band.low is None or drawn >= band.low) & (band.high is None or drawn < band.high)
        fallback = low if band.low is not None or band.high is None else band.high - min(1.0, width / 2)
        values = np.where(chosen == i, np.where(inside, drawn, fallback), values)
    if _is_senco_hours(criterion):
        real = np.broadcast_to(hours * (1 + 0.03 * np.arange(latent.shape[0]))[:, None], latent.shape)
        real = np.round(real * 2) / 2
        in_a_band = np.vectorize(lambda v: criterion.per_unit or criterion.band_for(v) is not None)(real)
        values = np.where(in_a_band, real, values)
    return np.array([_number_text(v) for v in values.ravel()], dtype=object).reshape(latent.shape)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.10g}"


def _drawing_range(band: Band, width: float, ceiling: float) -> tuple[float, float]:
    """A finite range to draw from: open ends get the typical band width, never below 0 or above the ceiling."""
    low, high = band.low, band.high
    if low is None and high is None:
        return 0.0, min(width, ceiling)
    if low is None:
        assert high is not None
        return (max(0.0, high - width) if high > 0 else high - width), high
    if high is None:
        return low, max(low, min(low + width, ceiling))
    return low, high


def _is_senco_hours(criterion: Criterion) -> bool:
    words = f"{criterion.id} {criterion.text} {criterion.unit}".lower()
    return "hour" in words and ("senco" in words or "sendco" in words)


def _blanks(criterion: Criterion, responses: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A few answers left blank, and rarely N/A where N/A is allowed (never on a statutory item)."""
    draw = rng.random(responses.shape)
    out = responses.copy()
    if criterion.kind == "text":
        out[draw < TEXT_BLANK_RATE] = ""
        return out
    out[draw < BLANK_RATE] = ""
    if not criterion.statutory:
        out[(draw >= BLANK_RATE) & (draw < BLANK_RATE + NA_RATE)] = "N/A"
    return out
