"""What the browser tests do on every page: sign in, check the page is accessible and named,
answer question pages quickly, and take the screenshots the README shows."""

from __future__ import annotations

import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from app.demo import DEMO_PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SERVICE_NAME = "Blanket Restrictions Self-Assessment"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NOT_IN_PLACE = "No, it is not in place"
EVERYONE = "Yes, for everyone on the ward, or for a whole group (such as everyone newly admitted)"

_axe = Axe()

# One finding is the design system's deliberate choice, not a fault of ours: NHS.UK frontend's
# script (like GOV.UK Frontend's) sets aria-expanded on a radio that reveals follow-up
# questions. ARIA 1.2 does not list aria-expanded for role radio, so axe reports it, but screen
# readers announce it and research with their users found it helps (alphagov/govuk-frontend
# #979; a proposal to allow it is w3c/aria #1404). Only that exact finding is set aside.
TOLERATED_ONLY_ON = "input.nhsuk-radios__input[aria-controls]"


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    check_page(page, "Sign in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.locator("main").inner_text()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert "/login" in page.url


def axe_violations(page) -> list[dict]:
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    violations = results.response["violations"]
    tolerated = set(page.eval_on_selector_all(TOLERATED_ONLY_ON, "els => els.map(e => e.id)"))
    kept = []
    for v in violations:
        if v["id"] == "aria-allowed-attr":
            v = dict(v, nodes=[n for n in v["nodes"] if not _conditional_reveal(n, tolerated)])
            if not v["nodes"]:
                continue
        kept.append(v)
    return kept


def _conditional_reveal(node: dict, tolerated_ids: set[str]) -> bool:
    """The finding is aria-expanded, and nothing else, on a radio that reveals questions."""
    target = node["target"][-1] if node["target"] else ""
    messages = [
        c["message"] for c in node.get("all", []) + node.get("any", []) + node.get("none", [])
    ]
    return (
        isinstance(target, str)
        and target.lstrip("#") in tolerated_ids
        and bool(messages)
        and all(
            re.fullmatch(r'ARIA attribute is not allowed: aria-expanded="(true|false)"', m)
            for m in messages
        )
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def check_page(page, h1: str | re.Pattern, *, error: bool = False) -> None:
    """The page is named by its h1 and its <title>, and axe finds no WCAG 2.2 A or AA problem.

    axe runs only where JavaScript is on: it is a script. The no-JavaScript journeys check the
    names and headings, and the same templates are scanned by the journeys with JavaScript.
    """
    # After a click the next page may still be loading (more so on a busy machine): wait for
    # its heading, then check it; a page that never shows it fails on the checks below.
    try:
        expect(page.locator("h1").filter(has_text=h1)).to_have_count(1, timeout=15_000)
    except AssertionError:
        pass
    page.wait_for_load_state()
    heading = page.locator("h1")
    count = heading.count()
    assert count == 1, f"{page.url} has {count} h1 elements"
    text = " ".join(heading.inner_text().split())
    if isinstance(h1, re.Pattern):
        assert h1.search(text), f"{page.url}: h1 is {text!r}, expected {h1.pattern!r}"
    else:
        assert text == h1, f"{page.url}: h1 is {text!r}, expected {h1!r}"
    title = page.title()
    assert title.endswith(f" – {SERVICE_NAME}"), f"{page.url}: title {title!r}"
    assert text.lower() in title.lower(), f"{page.url}: title {title!r} does not name h1 {text!r}"
    assert title.startswith("Error: ") == error, f"{page.url}: title {title!r}"
    if getattr(page, "javascript", True):
        violations = axe_violations(page)
        assert not violations, f"axe found problems on {page.url} ({title}):\n" + describe(
            violations
        )


def screenshot(page, name: str, *, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def assessment_id_from(url: str) -> int:
    return int(re.search(r"/assessments/(\d+)", url).group(1))


def on_question_page(page) -> bool:
    return "/items/" in page.url


def answer_and_continue(page, choice: str = NOT_IN_PLACE) -> None:
    """Answer the question page that is open and select Save and continue."""
    page.get_by_role("radio", name=choice, exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()


def answer_no_to_every_question(page) -> None:
    """No to every yes-or-no question on the open page (an item's follow-on page)."""
    noes = page.locator("input[type=radio][value=no]")
    for n in range(noes.count()):
        noes.nth(n).check()


def save_answers_quickly(page, item_ids, choice: str = "not-in-place") -> None:
    """Save "not in place" for many items at once, as the open page's signed-in browser
    session, posting what the question page's form posts (with its security token). Clicking
    through all 82 pages would take minutes; the clicks are tested on the items around these."""
    assessment_id = assessment_id_from(page.url)
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    origin = re.match(r"https?://[^/]+", page.url).group(0)
    for item_id in item_ids:
        response = page.request.post(
            f"{origin}/assessments/{assessment_id}/items/{item_id}",
            form={
                "csrf_token": token,
                "version": "0",
                "q-in-place": choice,
                "evidence": "",
                "comment": "",
                "action": "continue",
            },
            max_redirects=0,
        )
        assert response.status == 302, f"{item_id}: {response.status} {response.text()[:300]}"
