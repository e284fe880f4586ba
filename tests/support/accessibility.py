"""axe-core (shipped inside the pinned axe-playwright-python wheel, nothing downloaded) run on a page."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

SERIOUS = ("serious", "critical")
_axe = Axe()


def serious_violations(page: Page) -> list[str]:
    """Every serious or critical axe violation as "rule: element html (why)", one line per element."""
    results = _axe.run(page, options={"resultTypes": ["violations"]})
    found = []
    for violation in results.response.get("violations", []):
        if violation.get("impact") not in SERIOUS:
            continue
        for node in violation.get("nodes", []):
            target = " ".join(str(t) for t in node.get("target", []))
            why = (node.get("failureSummary") or "").replace("\n", " ")[:200]
            found.append(f"{violation['id']} [{violation['impact']}]: {target} {node.get('html', '')[:160]} ({why})")
    return found
