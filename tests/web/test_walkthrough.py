"""A ward team's journey through an assessment, through the test client."""

from __future__ import annotations

import re

from sqlalchemy import select

from app import frameworks
from app.dates import add_months, uk_today
from app.extensions import db
from app.models import Answer, Assessment, AssessmentResult, AuditEvent
from tests.helpers import make_assessment


def start_assessment(client, ward) -> int:
    response = client.post(f"/wards/{ward.id}/start")
    assert response.status_code == 302
    return int(re.search(r"/assessments/(\d+)", response.headers["Location"]).group(1))


def item_form(client, assessment_id, item_id) -> str:
    page = client.get(f"/assessments/{assessment_id}/items/{item_id}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def version_on(page: str) -> str:
    return re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)


def test_a_ward_team_answers_every_item_leaves_resumes_checks_and_submits(
    app, client, world, login_as
):
    login_as(world.oak_lead)
    assessment_id = start_assessment(client, world.oak)
    framework = frameworks.latest()
    items = list(framework.items)

    # The task list shows every domain, none started.
    page = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    assert "You have completed 0 of" in page
    for domain in framework.domains:
        assert domain.title.replace("'", "&#39;") in page

    # Answer the first half: blanket and unjustified for the first item, individual for the rest.
    half = len(items) // 2
    first = items[0]
    first_url = f"/assessments/{assessment_id}/items/{first.id}"
    response = client.post(
        first_url,
        data={
            "q-in-place": "everyone",
            "evidence": "Seen on the ward: the door is locked <b>all day</b>",
            "comment": "Patients raised it at the community meeting",
            "version": "0",
            "action": "continue",
        },
    )
    # "For everyone" leads to the safeguard questions, on a page of their own.
    assert response.headers["Location"] == first_url + "/more"
    page = client.get(first_url + "/more").get_data(as_text=True)
    assert "Is the reason for applying it to everyone, or to the whole group, written down?" in page
    blanket = first.question("in-place").option("everyone").label
    assert blanket.startswith("Yes, for everyone on the ward, or for a whole group")
    assert f"You answered “{blanket}”" in page
    assert 'name="evidence"' not in page
    safeguards = ("written-reason", "senior-authorisation", "reviewed-in-period", "explained")
    safeguards += ("exemptions", "lived-experience")
    response = client.post(
        first_url + "/more",
        data={f"q-{q}": "no" for q in safeguards} | {"version": "1", "action": "continue"},
    )
    assert response.headers["Location"].endswith(f"/items/{items[1].id}")
    answer = db.session.scalar(select(Answer).where(Answer.item_id == first.id))
    assert answer.values == {"in-place": "everyone"} | {q: "no" for q in safeguards}
    assert answer.evidence == "Seen on the ward: the door is locked <b>all day</b>"
    for item in items[1:half]:
        response = client.post(
            f"/assessments/{assessment_id}/items/{item.id}",
            data={"q-in-place": "individual", "version": "0", "action": "continue"},
        )
        assert response.status_code == 302, item.id

    # Leave, and come back later: sign out, sign in, continue where we left off.
    client.post("/logout")
    login_as(world.oak_member)
    response = client.get(f"/assessments/{assessment_id}/continue")
    assert response.headers["Location"].endswith(f"/items/{items[half].id}")
    for item in items[half:]:
        response = client.post(
            f"/assessments/{assessment_id}/items/{item.id}",
            data={"q-in-place": "not-in-place", "version": "0", "action": "continue"},
        )
        assert response.status_code == 302, item.id

    # Check your answers lists everything; a member cannot submit.
    page = client.get(f"/assessments/{assessment_id}/check").get_data(as_text=True)
    assert "Every restriction has an answer." in page
    assert "Seen on the ward: the door is locked &lt;b&gt;all day&lt;/b&gt;" in page
    assert "Only the ward lead can submit" in page
    assert client.post(f"/assessments/{assessment_id}/submit").status_code == 404

    # The lead submits; the confirmation and results follow.
    login_as(world.oak_lead)
    page = client.get(f"/assessments/{assessment_id}/check").get_data(as_text=True)
    assert "Submit assessment" in page
    response = client.post(f"/assessments/{assessment_id}/submit")
    assert response.headers["Location"].endswith(f"/assessments/{assessment_id}/submitted")
    assert "Assessment submitted" in client.get(response.headers["Location"]).get_data(as_text=True)

    result = db.session.get(AssessmentResult, assessment_id)
    assert result.blanket_count == 1 and result.unjustified_count == 1
    page = client.get(f"/assessments/{assessment_id}/results").get_data(as_text=True)
    assert f"Overall restriction score: {result.overall_percent:.1f}%".replace(".0%", "%") in page
    assert first.title in page
    # Submitted assessments are read-only.
    response = client.post(
        f"/assessments/{assessment_id}/items/{first.id}",
        data={"q-in-place": "not-in-place", "version": "1", "action": "continue"},
    )
    assert response.status_code == 302
    answer = db.session.scalar(select(Answer).where(Answer.item_id == first.id))
    assert answer.values["in-place"] == "everyone"


def test_conditional_follow_ups_are_only_kept_when_their_condition_holds(
    app, client, world, login_as
):
    login_as(world.oak_lead)
    assessment_id = start_assessment(client, world.oak)
    item = frameworks.latest().items[0]
    url = f"/assessments/{assessment_id}/items/{item.id}"
    page = item_form(client, assessment_id, item.id)
    # The safeguard questions are not nested in the question page: "everyone" says they follow.
    assert "conditional-q-in-place" not in page
    assert (
        "Is the reason for applying it to everyone, or to the whole group, written down?"
        not in page
    )
    assert "You will then be asked 6 more questions about it." in page
    # Nothing saved leads to the follow-on page yet.
    assert client.get(url + "/more").headers["Location"].endswith(url)
    response = client.post(url, data={"q-in-place": "everyone", "version": "0"})
    assert response.headers["Location"].endswith(url + "/more")
    client.post(
        url + "/more",
        data={"q-written-reason": "no", "q-explained": "yes", "version": "1", "action": "later"},
    )
    answer = db.session.scalar(select(Answer).where(Answer.item_id == item.id))
    assert answer.values == {"in-place": "everyone", "written-reason": "no", "explained": "yes"}
    # Changed to "individual": the safeguard answers no longer apply and are not kept.
    response = client.post(
        url, data={"q-in-place": "individual", "q-written-reason": "yes", "version": "2"}
    )
    assert response.headers["Location"].endswith(f"/items/{frameworks.latest().items[1].id}")
    db.session.refresh(answer)
    assert answer.values == {"in-place": "individual"}
    assert client.get(url + "/more").headers["Location"].endswith(url)


def test_a_page_with_missing_answers_shows_an_error_summary_and_keeps_what_was_typed(
    app, client, world, login_as
):
    login_as(world.oak_lead)
    assessment_id = start_assessment(client, world.oak)
    item = frameworks.latest().items[0]
    url = f"/assessments/{assessment_id}/items/{item.id}"
    response = client.post(
        url, data={"evidence": "my two hours of notes", "version": "0", "action": "continue"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "<title>Error: " in page
    assert 'href="#q-in-place"' in page
    assert "Select an answer: Is this restriction in place on the ward, and for whom?" in page
    assert "my two hours of notes" in page
    assert db.session.scalar(select(Answer)) is None
    # On the follow-on page, a safeguard left out is named, and the others chosen stay chosen.
    client.post(url, data={"q-in-place": "everyone", "evidence": "my notes", "version": "0"})
    response = client.post(
        url + "/more", data={"q-written-reason": "yes", "version": "1", "action": "continue"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#q-senior-authorisation"' in page
    assert "Select yes or no: Has it been authorised at a senior level" in page
    assert 'id="q-written-reason" name="q-written-reason" type="radio" value="yes" checked' in page
    answer = db.session.scalar(select(Answer))
    assert answer.values == {"in-place": "everyone"} and answer.evidence == "my notes"


def test_question_and_field_errors_share_one_error_summary(app, client, world, login_as):
    login_as(world.oak_lead)
    assessment_id = start_assessment(client, world.oak)
    item = frameworks.latest().items[0]
    response = client.post(
        f"/assessments/{assessment_id}/items/{item.id}",
        data={"evidence": "x" * 10_001, "version": "0", "action": "continue"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.count('class="nhsuk-error-summary"') == 1
    assert "<title>Error: " in page and "Error: Error:" not in page
    assert 'href="#q-in-place"' in page and 'href="#evidence"' in page
    assert "Evidence must be 10,000 characters or fewer" in page


def test_an_impossible_date_is_refused_with_a_clear_message(app, client, world, login_as):
    login_as(world.oak_lead)
    assessment_id = start_assessment(client, world.oak)
    item = frameworks.latest().items[0]
    url = f"/assessments/{assessment_id}/items/{item.id}"
    client.post(url, data={"q-in-place": "everyone", "version": "0"})
    url += "/more"
    data = {
        "q-written-reason": "yes",
        "q-senior-authorisation": "yes",
        "q-reviewed-in-period": "yes",
        "q-last-review-date[day]": "31",
        "q-last-review-date[month]": "2",
        "q-last-review-date[year]": "2026",
        "q-explained": "yes",
        "q-exemptions": "yes",
        "q-lived-experience": "yes",
        "version": "1",
    }
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "Date must be a real date: When was it last reviewed?" in response.get_data(as_text=True)
    # Only the box to correct is marked, and the summary links to it.
    data |= {"q-last-review-date[day]": "27", "q-last-review-date[month]": "13"}
    page = client.post(url, data=data).get_data(as_text=True)
    marked = re.findall(r'<input class="([^"]*)" id="q-last-review-date-(\w+)"', page)
    assert [part for classes, part in marked if "nhsuk-input--error" in classes] == ["month"]
    assert 'href="#q-last-review-date-month"' in page
    data |= {"q-last-review-date[month]": "3"}
    data["q-last-review-date[year]"] = "1989"
    response = client.post(url, data=data)
    assert "Date must be in 1990 or later: When was it last reviewed?" in response.get_data(
        as_text=True
    )
    # A real date in the last 12 months (the review period) is saved.
    recent = add_months(uk_today(), -2)
    data |= {
        "q-last-review-date[day]": str(recent.day),
        "q-last-review-date[month]": str(recent.month),
    }
    data |= {"q-last-review-date[year]": str(recent.year)}
    response = client.post(url, data=data)
    assert response.status_code == 302
    answer = db.session.scalar(select(Answer))
    assert answer.values["last-review-date"] == recent.isoformat()


def test_a_save_based_on_a_stale_copy_is_refused_and_shows_the_other_persons_answers(
    app, world, login_as
):
    first = app.test_client()
    second = app.test_client()
    from tests.conftest import login

    login(first, world.oak_lead)
    login(second, world.oak_member)
    assessment_id = start_assessment(first, world.oak)
    item = frameworks.latest().items[0]
    url = f"/assessments/{assessment_id}/items/{item.id}"
    # Both open the page before either saves.
    assert version_on(item_form(first, assessment_id, item.id)) == "0"
    assert version_on(item_form(second, assessment_id, item.id)) == "0"
    assert (
        first.post(
            url, data={"q-in-place": "individual", "comment": "first", "version": "0"}
        ).status_code
        == 302
    )
    response = second.post(
        url, data={"q-in-place": "not-in-place", "comment": "second's view", "version": "0"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this item" in page
    assert "Olivia Oak saved this item" in page
    assert "Only for some people, after an individual risk assessment" in page  # theirs
    assert "second&#39;s view" in page  # ours, still in the form
    answer = db.session.scalar(select(Answer))
    db.session.refresh(answer)
    assert answer.values == {"in-place": "individual"} and answer.comment == "first"
    # Having seen it, saving again (with the new version) keeps theirs deliberately.
    response = second.post(
        url, data={"q-in-place": "not-in-place", "comment": "second's view", "version": "1"}
    )
    assert response.status_code == 302
    db.session.refresh(answer)
    assert answer.values == {"in-place": "not-in-place"} and answer.version == 2


def test_only_a_lead_can_start_and_a_ward_has_one_draft_at_a_time(app, client, world, login_as):
    login_as(world.oak_member)
    assert client.post(f"/wards/{world.oak.id}/start").status_code == 404
    login_as(world.oak_lead)
    a = start_assessment(client, world.oak)
    b = start_assessment(client, world.oak)
    assert a == b
    assert db.session.query(Assessment).count() == 1


def test_nobody_outside_the_ward_can_open_or_answer_its_assessment(app, client, world, login_as):
    assessment = make_assessment(world.oak, world.oak_lead)
    item = frameworks.latest().items[0]
    for user in (world.willow_lead, world.commissioner, world.outsider, world.admin):
        login_as(user)
        assert client.get(f"/assessments/{assessment.id}").status_code == 404, user.email
        assert client.get(f"/assessments/{assessment.id}/check").status_code == 404
        response = client.post(
            f"/assessments/{assessment.id}/items/{item.id}",
            data={"q-in-place": "everyone", "version": "1"},
        )
        assert response.status_code == 404
    answer = db.session.scalar(select(Answer).where(Answer.item_id == item.id))
    assert answer.values == {"in-place": "not-in-place"}


def test_a_commissioner_reads_submitted_assessments_in_their_remit_only(
    app, client, world, login_as
):
    oak = make_assessment(world.oak, world.oak_lead, submit=True)
    willow = make_assessment(world.willow, world.willow_lead, submit=True)
    login_as(world.commissioner)
    assert client.get(f"/assessments/{oak.id}/results").status_code == 200
    assert client.get(f"/assessments/{oak.id}/check").status_code == 200
    assert client.get(f"/assessments/{willow.id}/results").status_code == 404
    assert client.get(f"/wards/{world.willow.id}").status_code == 404


def test_a_lead_reopens_with_a_reason_that_is_recorded(app, client, world, login_as):
    assessment = make_assessment(world.oak, world.oak_lead, submit=True)
    login_as(world.oak_member)
    assert (
        client.post(f"/assessments/{assessment.id}/reopen", data={"reason": "x"}).status_code == 404
    )
    login_as(world.oak_lead)
    response = client.post(f"/assessments/{assessment.id}/reopen", data={"reason": ""})
    assert response.status_code == 400
    assert "Enter why you are reopening this assessment" in response.get_data(as_text=True)
    response = client.post(
        f"/assessments/{assessment.id}/reopen",
        data={"reason": "The garden door answer was wrong"},
    )
    assert response.status_code == 302
    db.session.refresh(assessment)
    assert assessment.status == "draft"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "reopen"))
    assert event.detail == "The garden door answer was wrong"
    assert event.actor == world.oak_lead.email


def test_your_wards_counts_one_blanket_restriction_in_the_singular(client, world, login_as):
    from tests.helpers import answers_for

    framework = frameworks.latest()
    answers = answers_for(framework)
    first = framework.items[0].id
    answers[first] = answers_for(framework, "everyone", "no")[first]
    make_assessment(world.oak, world.oak_lead, answers, submit=True)
    page = re.sub(r"\s+", " ", login_as(world.oak_member).get("/").get_data(as_text=True))
    assert ", 1 blanket restriction.</p>" in page
    assert "1 blanket restrictions" not in page


def test_the_reopen_reason_says_how_long_it_can_be_before_it_is_too_long(client, world, login_as):
    assessment = make_assessment(world.oak, world.oak_lead, submit=True)
    login_as(world.oak_lead)
    page = client.get(f"/assessments/{assessment.id}/reopen").get_data(as_text=True)
    assert re.search(r'id="reason-hint"\s*>\s*You can enter up to 2,000 characters.\s*<', page)
    assert 'aria-describedby="reason-hint"' in page
    response = client.post(f"/assessments/{assessment.id}/reopen", data={"reason": "x" * 2001})
    assert response.status_code == 400
    assert "Reason must be 2,000 characters or fewer" in response.get_data(as_text=True)


def test_submitting_an_unfinished_assessment_lists_what_is_missing(app, client, world, login_as):
    framework = frameworks.latest()
    assessment = make_assessment(
        world.oak, world.oak_lead, answers={framework.items[0].id: {"in-place": "not-in-place"}}
    )
    login_as(world.oak_lead)
    response = client.post(f"/assessments/{assessment.id}/submit")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"Answer “{framework.items[1].title}”".replace("'", "&#39;") in page
    # Nothing typed was wrong: a page that says what is left, not an error summary.
    assert "<title>You cannot submit the assessment yet –" in page
    assert "Error:" not in page and "nhsuk-error-summary" not in page
    assert "There is a problem" not in page
    assert "<h1>You cannot submit the assessment yet</h1>" in page
    links = re.findall(r'<li><a href="/assessments/\d+/items/([\w-]+)">Answer “', page)
    assert links == [item.id for item in framework.items[1:]]
    db.session.refresh(assessment)
    assert assessment.status == "draft"


def test_a_nonsense_version_number_is_refused_as_stale_not_a_crash(app, client, world, login_as):
    assessment = make_assessment(world.oak, world.oak_lead)
    item = frameworks.latest().items[0]
    login_as(world.oak_member)
    for version in ("9223372036854775808", "-5", "abc", ""):
        response = client.post(
            f"/assessments/{assessment.id}/items/{item.id}",
            data={"q-in-place": "everyone", "version": version, "action": "later"},
        )
        assert response.status_code == 409, version
    answer = db.session.scalar(select(Answer).where(Answer.item_id == item.id))
    db.session.refresh(answer)
    assert answer.values == {"in-place": "not-in-place"} and answer.version == 1


def test_multi_line_evidence_comes_back_exactly_as_typed(app, client, world, login_as):
    login_as(world.oak_lead)
    assessment_id = start_assessment(client, world.oak)
    item = frameworks.latest().items[0]
    url = f"/assessments/{assessment_id}/items/{item.id}"
    evidence = "Policy folder, page 4\n  - indented note\nMeeting minutes, 3 March"
    client.post(url, data={"q-in-place": "individual", "evidence": evidence, "version": "0"})
    page = item_form(client, assessment_id, item.id)
    shown = re.search(r'<textarea[^>]*name="evidence"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert shown.replace("\r\n", "\n").lstrip("\n") == evidence


def test_results_compare_with_the_last_assessment_in_percentage_points(
    app, client, world, login_as
):
    from tests.actions.conftest import blanket_answers

    framework = frameworks.latest()
    three = [d.items[0].id for d in framework.domains[:3]]
    first = make_assessment(world.oak, world.oak_lead, blanket_answers(app, three), submit=True)
    second = make_assessment(world.oak, world.oak_lead, blanket_answers(app, three[:1]), True)
    change = second.result.overall_percent - first.result.overall_percent
    assert change < 0
    login_as(world.oak_member)
    page = client.get(f"/assessments/{second.id}/results").get_data(as_text=True)
    assert "Changes since" in page
    fell = re.search(r"fell by ([\d.]+) points? \(better\)", page)
    assert fell and abs(float(fell.group(1)) - abs(change)) < 0.05
    removed = page[page.index("Removed (2)") : page.index("Introduced (0)")]
    assert all(framework.item(i).title in removed for i in three[1:])


def test_each_change_link_on_check_answers_names_its_question_and_restriction(
    app, client, world, login_as
):
    assessment = make_assessment(world.oak, world.oak_lead)
    item = frameworks.latest().items[0]
    login_as(world.oak_member)
    page = client.get(f"/assessments/{assessment.id}/check").get_data(as_text=True)
    hidden = re.findall(r'>Change<span class="nhsuk-u-visually-hidden"> ([^<]+)</span>', page)
    assert f"{item.questions[0].text} ({item.title})" in hidden
    assert len(hidden) == len(set(hidden))  # every link says which answer it changes


def test_change_links_for_evidence_and_comments_go_to_those_boxes(app, client, world, login_as):
    assessment = make_assessment(world.oak, world.oak_lead)
    item = frameworks.latest().items[0]
    answer = db.session.scalar(select(Answer).where(Answer.item_id == item.id))
    answer.evidence, answer.comment = "The ward policy, page 4", "Patients asked for longer hours"
    db.session.commit()
    login_as(world.oak_member)
    page = client.get(f"/assessments/{assessment.id}/check").get_data(as_text=True)
    links = dict(
        (label, href)
        for href, label in re.findall(
            r'<a href="([^"]*)">Change<span class="nhsuk-u-visually-hidden"> (\w+) \(', page
        )
    )
    item_url = f"/assessments/{assessment.id}/items/{item.id}?from=check"
    assert links["evidence"] == item_url + "#evidence"
    assert links["comments"] == item_url + "#comment"
    form = client.get(item_url).get_data(as_text=True)
    assert re.search(r'<textarea[^>]* id="evidence"', form)
    assert re.search(r'<textarea[^>]* id="comment"', form)


def test_continue_goes_back_to_an_item_left_part_answered(client, world, login_as):
    """Saved "for everyone" and left before the follow-up questions: Continue brings the team
    back to that item, not to the one after it."""
    login_as(world.oak_lead)
    assessment_id = start_assessment(client, world.oak)
    first, second, third = list(frameworks.latest().items)[:3]
    client.post(
        f"/assessments/{assessment_id}/items/{first.id}",
        data={"q-in-place": "not-in-place", "version": "0", "action": "continue"},
    )
    response = client.post(
        f"/assessments/{assessment_id}/items/{second.id}",
        data={"q-in-place": "everyone", "version": "0", "action": "later"},
    )
    assert response.status_code == 302
    # Continue brings them to the safeguard questions, since the first page is done.
    response = client.get(f"/assessments/{assessment_id}/continue")
    assert response.headers["Location"].endswith(f"/items/{second.id}/more")
    # Once it is finished, Continue moves on.
    answers = {f"q-{q}": "yes" for q in ("written-reason", "senior-authorisation", "explained")}
    answers |= {f"q-{q}": "yes" for q in ("reviewed-in-period", "exemptions", "lived-experience")}
    response = client.post(
        f"/assessments/{assessment_id}/items/{second.id}/more",
        data={**answers, "version": "1", "action": "later"},
    )
    assert response.status_code == 302
    response = client.get(f"/assessments/{assessment_id}/continue")
    assert response.headers["Location"].endswith(f"/items/{third.id}")


def test_results_count_the_restrictions_found_in_plain_words(app, client, world, login_as):
    from tests.helpers import answers_for

    framework = frameworks.latest()
    login_as(world.oak_lead)
    worst = answers_for(framework, "everyone", "no")
    expected = {
        (): "No blanket restrictions found.",
        (framework.items[0].id,): "1 blanket restriction found. It is not justified.",
        tuple(d.items[0].id for d in framework.domains[:2]): (
            "2 blanket restrictions found, 2 of them not justified."
        ),
    }
    for items, words in expected.items():
        answers = answers_for(framework) | {i: worst[i] for i in items}
        done = make_assessment(world.oak, world.oak_lead, answers, submit=True)
        page = client.get(f"/assessments/{done.id}/results").get_data(as_text=True)
        assert words in page, items


def test_change_links_for_safeguard_answers_open_the_follow_on_page(app, client, world, login_as):
    from tests.helpers import answers_for

    framework = frameworks.latest()
    item = framework.items[0]
    answers = answers_for(framework) | {item.id: answers_for(framework, "everyone", "no")[item.id]}
    assessment = make_assessment(world.oak, world.oak_lead, answers)
    login_as(world.oak_member)
    page = client.get(f"/assessments/{assessment.id}/check").get_data(as_text=True)
    base = f"/assessments/{assessment.id}/items/{item.id}"
    assert f'href="{base}?from=check#q-in-place"' in page
    assert f'href="{base}/more?from=check#q-written-reason"' in page
    assert f'href="{base}/more?from=check#q-lived-experience"' in page

    # A change made from there comes back there, through the follow-on page if it leads on.
    check = f"/assessments/{assessment.id}/check"
    page = client.get(f"{base}?from=check").get_data(as_text=True)
    assert f'href="{check}#{item.id}"' in page and "Back to check your answers" in page

    def change(path: str, data: dict) -> str:
        return client.post(f"{base}{path}?from=check", data=data).headers["Location"]

    assert change("", {"q-in-place": "individual", "version": "1"}) == f"{check}#{item.id}"
    assert change("", {"q-in-place": "everyone", "version": "2"}) == f"{base}/more?from=check"
    data = {f"q-{q}": "yes" for q in ("written-reason", "senior-authorisation", "explained")}
    data |= {f"q-{q}": "no" for q in ("reviewed-in-period", "exemptions", "lived-experience")}
    assert change("/more", data | {"version": "3"}) == f"{check}#{item.id}"
    # Only the evidence changed, every safeguard already answered: straight back.
    data = {"q-in-place": "everyone", "version": "4", "evidence": "newer"}
    assert change("", data) == f"{check}#{item.id}"
    assert change("", {"q-in-place": "not-in-place", "version": "5"}) == f"{check}#{item.id}"
    answer = db.session.scalar(select(Answer).where(Answer.item_id == item.id))
    db.session.refresh(answer)
    assert answer.values == {"in-place": "not-in-place"} and answer.version == 6


def test_a_stale_save_on_the_follow_on_page_is_refused_and_shows_theirs(app, world, login_as):
    from tests.conftest import login

    first, second = app.test_client(), app.test_client()
    login(first, world.oak_lead)
    login(second, world.oak_member)
    assessment_id = start_assessment(first, world.oak)
    item = frameworks.latest().items[0]
    url = f"/assessments/{assessment_id}/items/{item.id}"
    first.post(url, data={"q-in-place": "everyone", "evidence": "the policy", "version": "0"})
    assert version_on(second.get(url + "/more").get_data(as_text=True)) == "1"
    response = first.post(
        url + "/more", data={"q-written-reason": "yes", "version": "1", "action": "later"}
    )
    assert response.status_code == 302
    response = second.post(
        url + "/more", data={"q-written-reason": "no", "version": "1", "action": "later"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this item" in page
    assert 'id="q-written-reason-2" name="q-written-reason" type="radio" value="no" checked' in page
    answer = db.session.scalar(select(Answer))
    db.session.refresh(answer)
    assert answer.values == {"in-place": "everyone", "written-reason": "yes"}
    assert answer.evidence == "the policy"
    # Saving again, having seen theirs, keeps the evidence saved on the question page.
    response = second.post(
        url + "/more", data={"q-written-reason": "no", "version": "2", "action": "later"}
    )
    assert response.status_code == 302
    db.session.refresh(answer)
    assert answer.values["written-reason"] == "no" and answer.evidence == "the policy"


def test_safeguard_answers_posted_after_someone_changed_the_first_answer_are_not_saved(
    app, world, login_as
):
    from tests.conftest import login

    first, second = app.test_client(), app.test_client()
    login(first, world.oak_lead)
    login(second, world.oak_member)
    assessment_id = start_assessment(first, world.oak)
    item = frameworks.latest().items[0]
    url = f"/assessments/{assessment_id}/items/{item.id}"
    first.post(url, data={"q-in-place": "everyone", "version": "0"})
    assert second.get(url + "/more").status_code == 200
    first.post(url, data={"q-in-place": "individual", "version": "1"})
    response = second.post(
        url + "/more", data={"q-written-reason": "no", "version": "1"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert response.request.path == url
    assert "no longer leads to the questions you were answering" in page
    answer = db.session.scalar(select(Answer))
    db.session.refresh(answer)
    assert answer.values == {"in-place": "individual"}


def test_safeguard_answers_posted_with_the_first_question_are_kept(app, client, world, login_as):
    """A question page opened before the safeguard questions moved to their own page (or a
    form kept over a sign-in) posts them with the first question: they are saved, not lost."""
    login_as(world.oak_lead)
    assessment_id = start_assessment(client, world.oak)
    item = frameworks.latest().items[0]
    url = f"/assessments/{assessment_id}/items/{item.id}"
    recent = add_months(uk_today(), -2)
    safeguards = {f"q-{q}": "yes" for q in ("written-reason", "senior-authorisation")}
    safeguards |= {"q-last-review-date[day]": str(recent.day)}
    safeguards |= {"q-last-review-date[month]": str(recent.month)}
    safeguards |= {"q-last-review-date[year]": str(recent.year), "q-reviewed-in-period": "yes"}
    response = client.post(
        url, data={"q-in-place": "everyone", **safeguards, "version": "0", "action": "later"}
    )
    assert response.status_code == 302
    answer = db.session.scalar(select(Answer))
    assert answer.values == {
        "in-place": "everyone",
        "written-reason": "yes",
        "senior-authorisation": "yes",
        "reviewed-in-period": "yes",
        "last-review-date": recent.isoformat(),
    }


def test_a_last_review_date_must_fall_within_the_review_period(app, client, world, login_as):
    """Version 1.2.1: "reviewed in the last 12 months", then a date from years ago, is refused,
    and the hint says what to answer instead."""
    login_as(world.oak_lead)
    assessment_id = start_assessment(client, world.oak)
    item = frameworks.latest().items[0]
    assert frameworks.latest().version == "1.3.0"
    url = f"/assessments/{assessment_id}/items/{item.id}"
    client.post(url, data={"q-in-place": "everyone", "version": "0"})
    page = client.get(url + "/more").get_data(as_text=True)
    assert "If the last review was more than 12 months ago, answer No" in page
    old = add_months(uk_today(), -13)
    data = {"q-reviewed-in-period": "yes", "version": "1", "action": "later"}
    data |= {"q-last-review-date[day]": str(old.day), "q-last-review-date[month]": str(old.month)}
    data |= {"q-last-review-date[year]": str(old.year)}
    response = client.post(url + "/more", data=data)
    assert response.status_code == 400
    assert (
        "Date must be within the last 12 months: When was it last reviewed?"
        in response.get_data(as_text=True)
    )
    recent = add_months(uk_today(), -11)
    data |= {
        "q-last-review-date[day]": str(recent.day),
        "q-last-review-date[month]": str(recent.month),
    }
    data |= {"q-last-review-date[year]": str(recent.year)}
    assert client.post(url + "/more", data=data).status_code == 302
    answer = db.session.scalar(select(Answer))
    assert answer.values["last-review-date"] == recent.isoformat()


def test_the_follow_on_page_sends_a_change_from_check_answers_back_with_it(
    app, client, world, login_as
):
    """Someone changed the answer that led to the follow-on page: the question page it falls
    back to still returns to check your answers."""
    login_as(world.oak_lead)
    assessment_id = start_assessment(client, world.oak)
    item = frameworks.latest().items[0]
    url = f"/assessments/{assessment_id}/items/{item.id}"
    client.post(url, data={"q-in-place": "individual", "version": "0"})
    response = client.get(url + "/more?from=check")
    assert response.headers["Location"] == url + "?from=check"
