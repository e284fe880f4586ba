"""The file for an exported review: its results workbook, or its answers as a response workbook.

The data layer hands out an export bundle only after its ``export`` check (data/reviews.py);
the page and the CLI both turn it into bytes here, so the two downloads are one code path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import pandas as pd

from exports.response_workbook import write_response_template
from exports.results_workbook import results_workbook
from framework.models import Framework, ReviewContext
from scoring import ReviewScore


class _Reviewed(Protocol):
    phase: str
    resourced_provision: bool

    @property
    def context(self) -> ReviewContext: ...


class ExportedReview(Protocol):
    """What exports needs from data.reviews.ExportBundle (exports does not import data/)."""

    kind: str
    review: _Reviewed
    framework: Framework
    answers: pd.DataFrame

    @property
    def about(self) -> Mapping[str, object]: ...
    @property
    def meta(self) -> dict: ...
    @property
    def answer_map(self) -> dict[str, tuple[str, str]]: ...
    @property
    def score(self) -> ReviewScore: ...
    @property
    def contributions(self) -> pd.DataFrame: ...


def review_workbook(bundle: ExportedReview) -> bytes:
    if bundle.kind == "answers":
        return write_response_template(
            bundle.framework,
            phase=bundle.review.phase,
            resourced_provision=bundle.review.resourced_provision,
            meta=bundle.meta,
            answers=bundle.answer_map,
            context=bundle.review.context,
        )
    return results_workbook(bundle.framework, bundle.score, bundle.contributions, bundle.answers, bundle.about)
