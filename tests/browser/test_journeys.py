"""The journeys people make through the app, in Chromium, with JavaScript on and off.

Every page on the way is checked for its name (title and h1) and, with JavaScript on, scanned
by axe-core for WCAG 2.2 A and AA problems.
"""

from __future__ import annotations

import re

import pytest

from app import frameworks
from app.dates import add_months, uk_today

from .browsing import (
    EVERYONE,
    answer_and_continue,
    answer_no_to_every_question,
    assessment_id_from,
    check_page,
    save_answers_quickly,
    sign_in,
    sign_out,
)

pytestmark = pytest.mark.browser

both = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])


def the_framework(live_server):
    with live_server.app.app_context():
        return frameworks.latest()


def open_ward(page, ward_name: str) -> None:
    page.goto("/")
    check_page(page, "Your wards")
    page.get_by_role("link", name=ward_name).click()
    page.wait_for_load_state()
    check_page(page, ward_name)


@both
def test_a_ward_team_answers_in_turns_and_the_lead_submits(new_page, live_server, team, javascript):
    framework = the_framework(live_server)
    third_section = framework.domains[2].title
    third_first_item = framework.domains[2].items[0].title

    # The lead starts the assessment.
    lead = new_page(javascript)
    sign_in(lead, team.lead[0])
    open_ward(lead, team.ward_name)
    lead.get_by_role("button", name="Start a new assessment").click()
    lead.wait_for_load_state()
    check_page(lead, "Blanket restrictions assessment")
    assessment_id = assessment_id_from(lead.url)
    sign_out(lead)

    # A first member answers the first two sections and part of the third, then leaves.
    member = new_page(javascript)
    sign_in(member, team.first_member[0])
    open_ward(member, team.ward_name)
    assert "Your ward lead can start a new assessment" not in member.content()
    member.get_by_role("link", name="Continue the assessment").click()
    check_page(member, "Blanket restrictions assessment")
    assert "You have completed 0 of 19 sections" in member.locator("main").inner_text()
    member.get_by_role("link", name="Start answering").click()
    member.wait_for_load_state()
    check_page(member, re.compile(r"\w"))

    # "Yes, for everyone" leads to the safeguard questions, which have a page of their own.
    first_item = member.url
    assert "You will then be asked 6 more questions" in member.locator("main").inner_text()
    assert member.get_by_text("reason for applying it to everyone").count() == 0
    member.get_by_role("radio", name=EVERYONE, exact=True).check()
    member.get_by_label("Evidence (optional)").fill("The garden door is locked all day.")
    member.get_by_role("button", name="Save and continue").click()
    member.wait_for_load_state()
    assert member.url == first_item + "/more"
    check_page(member, re.compile(r"\w"))
    assert f"You answered “{EVERYONE}”" in member.locator("main").inner_text()
    answer_no_to_every_question(member)
    # The review date is revealed by "Yes" (with JavaScript; without it, it is always shown).
    # A date typed into the three boxes of the NHS.UK date input is kept.
    reviewed = member.get_by_role("group", name=re.compile("reviewed in the last 12 months"))
    last_review = member.get_by_role("group", name=re.compile("When was it last reviewed"))
    assert last_review.is_visible() is (not javascript)
    reviewed.get_by_role("radio", name="Yes", exact=True).check()
    assert last_review.is_visible()
    # In the last 12 months, as framework 1.2.1 asks.
    reviewed_on = add_months(uk_today(), -2)
    typed_date = (("Day", str(reviewed_on.day)), ("Month", str(reviewed_on.month)))
    typed_date += (("Year", str(reviewed_on.year)),)
    for box, typed in typed_date:
        last_review.get_by_label(box, exact=True).fill(typed)
    check_page(member, re.compile(r"\w"))
    member.get_by_role("button", name="Save and continue").click()
    member.wait_for_load_state()
    next_item = member.url
    assert next_item.endswith(f"/items/{framework.domains[0].items[1].id}")
    member.goto(first_item + "/more")
    for box, typed in typed_date:
        assert last_review.get_by_label(box, exact=True).input_value() == typed
    member.goto(next_item)
    # The rest of the first section by clicking: each save opens the next question, and the
    # last one goes back to the task list.
    for _ in framework.domains[0].items[1:]:
        check_page(member, re.compile(r"\w"))
        answer_and_continue(member)
    check_page(member, "Blanket restrictions assessment")
    assert "You have reached the end of" in member.locator("main").inner_text()
    save_answers_quickly(member, [i.id for i in framework.domains[1].items])
    member.reload()
    member.get_by_role("link", name="Continue where you left off").click()
    member.get_by_role("radio", name=EVERYONE, exact=True).check()
    member.get_by_role("button", name="Save and come back later").click()
    member.wait_for_load_state()
    check_page(member, "Blanket restrictions assessment")
    main = member.locator("main").inner_text()
    assert "have been saved" in main
    assert "You have completed 2 of 19 sections" in main
    sign_out(member)

    # A second member picks up where the first stopped, meets an error, and finishes.
    second = new_page(javascript)
    sign_in(second, team.second_member[0])
    second.goto(f"/assessments/{assessment_id}")
    check_page(second, "Blanket restrictions assessment")
    # The item saved for later is in the third section, answered "everyone" but without its
    # safeguards: Save and continue leads to them, and saving without them shows the error
    # summary.
    second.get_by_role("link", name=third_section).click()
    second.wait_for_load_state()
    check_page(second, third_section)
    second.get_by_role("link", name=third_first_item).click()
    second.wait_for_load_state()
    assert second.get_by_role("radio", name=EVERYONE, exact=True).is_checked()
    second.get_by_role("button", name="Save and continue").click()
    second.wait_for_load_state()
    check_page(second, third_first_item)
    second.get_by_role("button", name="Save and continue").click()
    second.wait_for_load_state()
    check_page(second, third_first_item, error=True)
    summary = second.locator(".nhsuk-error-summary")
    assert "There is a problem" in summary.inner_text()
    assert "Select yes or no" in summary.inner_text()
    if javascript:
        assert second.evaluate(
            "document.activeElement.classList.contains('nhsuk-error-summary')"
        ), "the error summary should take focus after a failed save"
    # The summary's links lead to the questions.
    target = summary.get_by_role("link").first.get_attribute("href")
    assert second.locator(target).count() == 1
    answer_no_to_every_question(second)
    second.get_by_role("button", name="Save and continue").click()
    second.wait_for_load_state()
    check_page(second, framework.domains[2].items[1].title)
    answered = {i.id for d in framework.domains[:2] for i in d.items}
    answered.add(framework.domains[2].items[0].id)
    save_answers_quickly(second, [i.id for i in framework.items if i.id not in answered])
    second.goto(f"/assessments/{assessment_id}")
    assert "You have completed 19 of 19 sections" in second.locator("main").inner_text()
    second.get_by_role("link", name="Check your answers").click()
    check_page(second, "Check your answers")
    assert "Only the ward lead can submit" in second.locator("main").inner_text()
    assert second.get_by_role("button", name="Submit assessment").count() == 0
    sign_out(second)

    # The lead checks the answers and submits.
    lead = new_page(javascript)
    sign_in(lead, team.lead[0])
    lead.goto(f"/assessments/{assessment_id}/check")
    check_page(lead, "Check your answers")
    main = lead.locator("main").inner_text()
    assert "Every restriction has an answer." in main
    assert "The garden door is locked all day." in main
    lead.get_by_role("button", name="Submit assessment").click()
    lead.wait_for_load_state()
    check_page(lead, re.compile("Assessment submitted"))
    lead.get_by_role("link", name="See the results").click()
    check_page(lead, "Results")
    main = lead.locator("main").inner_text()
    assert "2 blanket restrictions found, 2 of them not justified" in main
    lead.get_by_role("link", name="Action plan").first.click()
    check_page(lead, "Action plan")


@both
def test_the_lead_assigns_two_actions_and_downloads_the_plan(new_page, team, submitted, javascript):
    lead = new_page(javascript)
    sign_in(lead, team.lead[0])
    lead.goto(f"/assessments/{submitted}/plan")
    check_page(lead, "Action plan")
    owners = [team.first_member[1], team.second_member[1]]
    for n, owner in enumerate(owners):
        lead.locator("main").get_by_role("link", name=re.compile(r"^(Change|Edit|Update)\b")).nth(
            n
        ).click()
        lead.wait_for_load_state()
        check_page(lead, re.compile(r"\w"))
        lead.get_by_label("Owner", exact=False).first.select_option(label=owner)
        # A framework action asks this until someone answers it: nothing is assumed.
        lived = lead.get_by_role("group", name=re.compile("lived experience involved"))
        assert not lived.get_by_role("radio", name="No", exact=True).is_checked()
        lived.get_by_role("radio", name="Yes" if n == 0 else "No", exact=True).check()
        if n == 1:  # a new due date, typed into the three boxes of the date input
            due = lead.get_by_role("group", name=re.compile("^Due date"))
            for box, typed in (("Day", "9"), ("Month", "3"), ("Year", "2031")):
                due.get_by_label(box, exact=True).fill(typed)
        lead.get_by_role("button", name=re.compile("^Save")).click()
        lead.wait_for_load_state()
        check_page(lead, "Action plan")
    main = lead.locator("main").inner_text()
    for owner in owners:
        assert owner in main
    assert "9 March 2031" in main
    assert "Involved" in main and "Not involved" in main

    with lead.expect_download() as download_info:
        lead.get_by_role(
            "link", name=re.compile(r"action plan.*PDF|PDF.*action plan", re.I)
        ).first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


@both
def test_the_commissioner_finds_a_ward_on_the_dashboard_and_opens_its_trend(new_page, javascript):
    commissioner = new_page(javascript)
    sign_in(commissioner, "commissioner@example.org")
    assert commissioner.url.rstrip("/").endswith("/review")
    check_page(commissioner, re.compile(r"\w"))
    main = commissioner.locator("main").inner_text()
    assert "Oak Ward" in main
    assert "Willow Ward" not in main  # Southbay is outside this commissioner's remit
    commissioner.get_by_role("link", name="Oak Ward").first.click()
    commissioner.wait_for_load_state()
    check_page(commissioner, re.compile("Oak Ward"))
    # The trend: a chart with a table alternative listing both submitted assessments.
    assert commissioner.locator("main svg").count() >= 1
    trend_table = commissioner.locator("main table").first
    assert trend_table.locator("tbody tr").count() >= 2


@both
def test_an_administrator_adds_a_ward_and_a_user(new_page, javascript):
    suffix = "js" if javascript else "nojs"
    ward_name = f"Hazel Ward {suffix}"
    email = f"hazel.nurse.{suffix}@example.org"
    admin = new_page(javascript)
    sign_in(admin, "admin@example.org")
    admin.goto("/admin/")
    check_page(admin, "Administration")

    admin.get_by_role("link", name="Providers and wards").click()
    check_page(admin, re.compile("Providers"))
    admin.get_by_role("link", name="Northfield NHS Foundation Trust").click()
    check_page(admin, "Northfield NHS Foundation Trust")
    admin.get_by_role("link", name="Add a ward").click()
    check_page(admin, "Add a ward")
    admin.get_by_role("button", name="Add ward").click()  # empty: an error, not a ward
    check_page(admin, "Add a ward", error=True)
    admin.get_by_label("Ward name").fill(ward_name)
    admin.get_by_role("button", name="Add ward").click()
    check_page(admin, "Northfield NHS Foundation Trust")
    assert f"{ward_name} has been added" in admin.locator("main").inner_text()

    admin.goto("/admin/users")
    check_page(admin, "Users")
    admin.get_by_role("link", name="Add a user").click()
    check_page(admin, "Add a user")
    admin.get_by_label("Full name").fill("Hana Hazel")
    admin.get_by_label("Email address").fill(email)
    admin.get_by_label("Initial password").fill("correct-horse-battery-42")
    admin.get_by_role("button", name="Create account").click()
    check_page(admin, "Hana Hazel")
    assert "An account has been created for Hana Hazel" in admin.locator("main").inner_text()
    admin.get_by_role("link", name="Add to a ward team").click()
    check_page(admin, "Add Hana Hazel to a ward team")
    admin.get_by_label("Ward", exact=True).select_option(
        label=f"{ward_name}, Northfield NHS Foundation Trust"
    )
    admin.get_by_role("button", name="Add to ward team").click()
    check_page(admin, "Hana Hazel")
    assert ward_name in admin.locator("main").inner_text()
    sign_out(admin)

    # The new person can sign in and sees the new ward.
    nurse = new_page(javascript)
    sign_in(nurse, email, "correct-horse-battery-42")
    check_page(nurse, "Your wards")
    assert ward_name in nurse.locator("main").inner_text()
