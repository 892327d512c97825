"""Keyboard-only use, visible focus, and layouts from a phone to a desktop, in Chromium.
The layout test also takes the screenshots that the README shows (docs/screenshots)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from app import frameworks

from .browsing import EVERYONE, screenshot, sign_in, sign_out

pytestmark = pytest.mark.browser

# Whether the focused element shows where focus is: an outline or a box shadow on it, or, for
# NHS.UK radios and checkboxes (whose input is invisible), on its label's drawn circle or box.
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return 'nothing has focus';
  const shows = (e, pseudo) => {
    const s = getComputedStyle(e, pseudo);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
      || (s.boxShadow && s.boxShadow !== 'none');
  };
  if (shows(el, null)) return 'ok';
  if (el.matches('input[type=radio], input[type=checkbox]')) {
    const label = document.querySelector(`label[for="${el.id}"]`);
    if (label && (shows(label, '::before') || shows(label, '::after'))) return 'ok';
  }
  return el.outerHTML.slice(0, 200);
}"""

FOCUSED = """() => {
  const el = document.activeElement;
  return {tag: el.tagName.toLowerCase(), type: el.type || '', value: el.value || '',
          name: el.getAttribute('name') || '', text: (el.innerText || '').trim()};
}"""


def tab_to(page, matches, limit: int = 80) -> dict:
    """Press Tab until the focused element matches; every element passed must show focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        style = page.evaluate(FOCUS_STYLE)
        assert style == "ok", f"focus is not visible on {page.url}: {style}"
        focused = page.evaluate(FOCUSED)
        if matches(focused):
            return focused
    raise AssertionError(f"Tab never reached the element wanted on {page.url}")


def test_a_section_can_be_completed_with_the_keyboard_alone(new_page, live_server, team):
    with live_server.app.app_context():
        section = frameworks.latest().domains[0]
        titles = [(i.id, i.title) for i in section.items]
    page = new_page()
    sign_in(page, team.lead[0])
    page.goto(f"/wards/{team.ward_id}")

    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Start a new assessment")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/assessments/\d+$"))
    tab_to(page, lambda f: f["tag"] == "a" and f["text"].startswith(section.title))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(f"/domains/{section.id}$"))
    tab_to(page, lambda f: f["tag"] == "a" and f["text"].startswith(titles[0][1]))
    page.keyboard.press("Enter")

    for item_id, title in titles:
        # Wait for this item's own page: the last one's URL also has /items/ in it.
        page.wait_for_url(re.compile(f"/items/{item_id}$"))
        assert page.locator("h1").inner_text() == title
        tab_to(page, lambda f: f["name"] == "q-in-place")
        # Arrow keys would move between radios; the first, "No, it is not in place", has focus.
        page.keyboard.press("Space")
        assert page.get_by_role("radio", name="No, it is not in place").is_checked()
        tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Save and continue")
        page.keyboard.press("Enter")
        page.wait_for_load_state()

    page.wait_for_url(re.compile(r"/assessments/\d+$"))
    main = page.locator("main").inner_text()
    assert f"You have reached the end of “{section.title}”" in main
    assert "You have completed 1 of 19 sections" in main


def test_the_safeguard_questions_can_be_answered_with_the_keyboard_alone(
    new_page, live_server, team
):
    with live_server.app.app_context():
        first, second = frameworks.latest().domains[0].items[:2]
    page = new_page()
    sign_in(page, team.lead[0])
    page.goto(f"/wards/{team.ward_id}")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Start a new assessment")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/assessments/\d+$"))
    page.goto(page.url + f"/items/{first.id}")

    # Down twice from the first radio selects the third, the blanket answer ("Yes, for everyone").
    tab_to(page, lambda f: f["name"] == "q-in-place")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.get_by_role("radio", name=EVERYONE, exact=True).is_checked()
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Save and continue")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(f"/items/{first.id}/more$"))
    screenshot(page, "question-follow-on")

    # Each yes-or-no question: Tab reaches its first radio, "Yes"; Space selects it.
    names = [
        "q-written-reason",
        "q-senior-authorisation",
        "q-reviewed-in-period",
        "q-explained",
        "q-exemptions",
        "q-lived-experience",
    ]
    for name in names:
        focused = tab_to(page, lambda f, name=name: f["name"] == name)
        assert focused["value"] == "yes"
        page.keyboard.press("Space")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Save and continue")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(f"/items/{second.id}$"))
    assessment_id = int(re.search(r"/assessments/(\d+)/", page.url).group(1))
    with live_server.app.app_context():
        from sqlalchemy import select

        from app.extensions import db
        from app.models import Answer

        saved = db.session.scalar(
            select(Answer).where(Answer.assessment_id == assessment_id, Answer.item_id == first.id)
        )
        assert saved.values == {"in-place": "everyone"} | {n[2:]: "yes" for n in names}
        db.session.remove()


@dataclass
class Demo:
    oak_ward: int
    draft: int
    submitted: int


@pytest.fixture(scope="module")
def demo(live_server) -> Demo:
    from sqlalchemy import select

    from app.assessments.services import latest_submitted
    from app.extensions import db
    from app.models import Assessment, Ward

    with live_server.app.app_context():
        oak = db.session.scalar(select(Ward).where(Ward.name == "Oak Ward"))
        draft = db.session.scalar(
            select(Assessment).where(Assessment.ward_id == oak.id, Assessment.status == "draft")
        )
        found = Demo(oak_ward=oak.id, draft=draft.id, submitted=latest_submitted(oak).id)
        db.session.remove()
    return found


def fits(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways at {widths[1]}px: {widths}"


@pytest.mark.parametrize("width", [375, 1280], ids=["phone", "desktop"])
def test_the_main_pages_fit_the_screen_without_scrolling_sideways(new_page, demo, width):
    """At 375 px and 1280 px no main page scrolls sideways. At desktop width the test saves
    the README's screenshots; at phone width, one of the question page."""
    shots = width == 1280
    page = new_page(width=width, height=800)

    page.goto("/login")
    fits(page)
    if shots:
        screenshot(page, "login")
    sign_in(page, "oak.lead@example.org")
    for url in ("/", f"/wards/{demo.oak_ward}"):
        page.goto(url)
        fits(page)

    page.goto(f"/assessments/{demo.draft}")
    fits(page)
    if shots:
        screenshot(page, "task-list")
    page.locator(".nhsuk-task-list__link").first.click()
    fits(page)

    # The next unanswered question, saved empty: the page with its error summary.
    page.goto(f"/assessments/{demo.draft}/continue")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_have_count(1)  # waits for the new page
    fits(page)
    screenshot(page, "question-with-error" if shots else "question-with-error-phone")

    page.goto(f"/assessments/{demo.draft}/check")
    fits(page)
    if shots:
        screenshot(page, "check-answers")
    page.goto(f"/assessments/{demo.submitted}/results")
    fits(page)
    if shots:
        screenshot(page, "results")
    page.goto(f"/assessments/{demo.submitted}/plan")
    fits(page)
    if shots:
        screenshot(page, "action-plan")
    sign_out(page)

    sign_in(page, "commissioner@example.org")
    page.goto("/review/")
    fits(page)
    if shots:
        screenshot(page, "dashboard")
    page.get_by_role("link", name="Oak Ward").first.click()
    page.wait_for_load_state()
    fits(page)
    if shots:
        screenshot(page, "ward-trend")
    sign_out(page)

    sign_in(page, "admin@example.org")
    for url in ("/admin/", "/admin/users"):
        page.goto(url)
        fits(page)
