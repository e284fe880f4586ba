"""Pure scoring calculations: a review's scores per docs/scoring.md, for one school or many."""

from scoring.models import Completion, ComplianceItem, DomainScore, OverallScore, ReviewScore, ScoreTables
from scoring.priorities import criterion_contributions, priorities, strengths, unanswered
from scoring.review import score_review, score_reviews

__all__ = [
    "Completion",
    "ComplianceItem",
    "DomainScore",
    "OverallScore",
    "ReviewScore",
    "ScoreTables",
    "criterion_contributions",
    "priorities",
    "score_review",
    "score_reviews",
    "strengths",
    "unanswered",
]
