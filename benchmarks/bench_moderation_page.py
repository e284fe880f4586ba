"""Server time of the moderation page: a visit on the largest built-in framework, with the school's
self-review and three team members' submitted ratings (run: .venv/bin/python benchmarks/bench_moderation_page.py).

Target (issue 12): median under 300 ms. Times are whole script runs measured inside the script thread,
as in bench_pages.py, so they are an upper bound on server time.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_pages import TIMED_APP, percentile, timed_runs  # noqa: E402
from data import access, assignments, moderation, reviews, schools, users, visits  # noqa: E402
from data.access import OPERATOR  # noqa: E402
from data.setup import open_database  # noqa: E402
from framework.library import builtin_frameworks  # noqa: E402
from framework.models import ReviewContext, applicable_criteria  # noqa: E402
from tests.support.accounts import actor_for  # noqa: E402

PASSWORD = "a long benchmark password"


def answered(framework, rng: np.random.Generator) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    rows = []
    for c in applicable_criteria(framework, ReviewContext.of("secondary", True)):
        if c.kind == "rating":
            labels = [lv.label for lv in framework.scale_of(c).levels]
            rows.append((c.id, labels[int(rng.integers(0, len(labels)))]))
        elif c.kind == "yes_no":
            rows.append((c.id, "yes" if rng.random() < 0.8 else "no"))
        elif c.kind == "number":
            rows.append((c.id, "6"))
    return pd.DataFrame(rows, columns=["criterion_id", "response"]).assign(evidence="")


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="send-review-bench-")
    url = f"sqlite:///{workdir}/bench.db"
    os.environ.update(DATABASE_URL=url, SEND_REVIEW_DEMO="0")
    db = open_database(url)
    from tests.support.pages import register

    schools.upsert_schools(
        db, OPERATOR, register([("900001", "Alder High", "North", "secondary")]).assign(resourced_provision=True)
    )
    framework = max(builtin_frameworks(), key=lambda f: len(list(f.criteria)))
    admin = users.create_first_admin(db, "admin@example.org", "Admin", PASSWORD)
    people = {}
    for email, role in (
        ("senco@x.example", "school"),
        ("p1@x.example", "peer"),
        ("p2@x.example", "peer"),
        ("la@x.example", "la"),
    ):
        users.invite_user(
            db,
            admin,
            email,
            email.split("@")[0],
            role,
            school_urn="900001" if role == "school" else None,
            la="North" if role == "la" else None,
        )
        people[email] = actor_for(db, next(u.id for u in users.list_users(db, admin) if u.email == email))
        users.set_password(db, people[email], people[email].id, PASSWORD)
    rng = np.random.default_rng(1)
    senco = people["senco@x.example"]
    own = reviews.start_review(
        db,
        senco,
        school_urn="900001",
        framework=framework,
        cycle="2025/26",
        phase="secondary",
        resourced_provision=True,
    )
    reviews.merge_answers(db, senco, own, answered(framework, rng))
    reviews.submit_review(db, senco, own)
    for email in ("p1@x.example", "p2@x.example"):
        assignments.assign_peer(
            db,
            OPERATOR,
            peer_email=email,
            school_urn="900001",
            cycle="2025/26",
            starts_on=access.today() - timedelta(days=1),
        )
    team = ["p1@x.example", "p2@x.example", "la@x.example"]
    visit_id = visits.create_visit(
        db,
        OPERATOR,
        school_urn="900001",
        cycle="2025/26",
        framework=framework,
        starts_on=date(2026, 3, 4),
        ends_on=date(2026, 3, 4),
        team=team,
        lead=team[0],
    )
    for email in team:
        mine = moderation.start_rating(db, people[email], visit_id)
        reviews.merge_answers(db, people[email], mine, answered(framework, rng))
        reviews.submit_review(db, people[email], mine)

    import tests.support.pages as pages
    from tests.support.pages import app_as, open_page

    wrapper = Path(workdir) / "timed_app.py"
    wrapper.write_text(TIMED_APP.format(app=str(ROOT / "app.py")), encoding="utf-8")
    pages.APP = str(wrapper)
    at = open_page(app_as(db, people["p1@x.example"]), "moderation", visit=visit_id)
    assert not at.exception, at.exception
    runs = timed_runs(at, 15)
    print(
        f"moderation page, {framework.id} ({len(list(framework.criteria))} criteria), self + 3 reviewers: "
        f"median {statistics.median(runs):.0f} ms, p95 {percentile(runs, 95):.0f} ms (target median < 300); "
        f"CPU median {statistics.median(timed_runs.cpu):.0f} ms"
    )


if __name__ == "__main__":
    main()
