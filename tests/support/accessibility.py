"""axe-core (shipped inside the pinned axe-playwright-python wheel, nothing downloaded) run on a page."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

SERIOUS = ("serious", "critical")
# Checked whatever their impact: headings are how a screen-reader user finds their way round a page,
# so they must start at one h1 and never skip a level (WCAG 1.3.1, 2.4.6).
ALWAYS = ("heading-order", "page-has-heading-one")
_axe = Axe()


def serious_violations(page: Page) -> list[str]:
    """Every serious or critical axe violation, and any of the heading rules, as "rule: element html (why)",
    one line per element."""
    results = _axe.run(page, options={"resultTypes": ["violations"]})
    found = []
    for violation in results.response.get("violations", []):
        if violation.get("impact") not in SERIOUS and violation.get("id") not in ALWAYS:
            continue
        for node in violation.get("nodes", []):
            target = " ".join(str(t) for t in node.get("target", []))
            why = (node.get("failureSummary") or "").replace("\n", " ")[:200]
            found.append(f"{violation['id']} [{violation['impact']}]: {target} {node.get('html', '')[:160]} ({why})")
    return found
