"""The dashboard's figures, filters, sorting, CSV and heat map against data seeded here."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.assessments import services
from app.extensions import db
from app.models import Action, AssessmentResult
from app.templating import format_percent

from .conftest import submitted_days_ago
from .seeding import seed_wards


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def row_text(page: str, ward_name: str) -> str:
    """The visible text of the dashboard row for one ward."""
    for row in re.findall(r"<tr class=\"nhsuk-table__row[^\"]*\">(.*?)</tr>", page, re.S):
        if ward_name in row:
            return text_of(row)
    raise AssertionError(f"no row for {ward_name}")


@pytest.fixture
def history(world):
    """Oak: a poor assessment 400 days ago, a better one 30 days ago, three open actions of
    which two are overdue. Ash: one clean assessment 500 days ago. Willow (outside the
    remit) has a recent, poor one."""
    oak_before = submitted_days_ago(world.oak, world.oak_lead, 400, "everyone", "no")
    oak_now = submitted_days_ago(world.oak, world.oak_lead, 30, "everyone", "yes")
    ash = submitted_days_ago(world.ash, world.oak_lead, 500, "not-in-place")
    submitted_days_ago(world.willow, world.willow_lead, 5, "everyone", "no")
    today = date.today()
    db.session.execute(update(Action).values(status="done"))
    oak_actions = db.session.scalars(
        select(Action).where(Action.ward_id == world.oak.id).order_by(Action.id)
    ).all()
    for action, due in zip(oak_actions[:3], (-10, -1, 20), strict=True):
        action.status = "in-progress"
        action.due_date = today + timedelta(days=due)
    db.session.commit()
    return {"oak_before": oak_before, "oak_now": oak_now, "ash": ash}


def csv_rows(response) -> list[dict]:
    """The CSV's rows, read the way a spreadsheet reads them (after the byte-order mark)."""
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def result(assessment) -> AssessmentResult:
    return db.session.get(AssessmentResult, assessment.id)


def test_each_ward_shows_its_latest_submitted_assessment(world, history, login_as):
    now, before = result(history["oak_now"]), result(history["oak_before"])
    assert before.overall_percent > 90 and before.overall_rag == "red"
    assert now.overall_percent < before.overall_percent
    page = login_as(world.commissioner).get("/review/").get_data(as_text=True)
    oak = row_text(page, "Oak Ward")
    assert "Northfield NHS Foundation Trust" in oak
    assert history["oak_now"].submitted_at.strftime("%B %Y") in oak
    assert format_percent(now.overall_percent) in oak
    assert now.overall_rag.capitalize() in oak
    assert re.search(rf"{now.blanket_count} {now.unjustified_count} 3 2 ", oak), oak


def test_change_since_the_previous_assessment_is_in_points_and_words(world, history, login_as):
    now, before = result(history["oak_now"]), result(history["oak_before"])
    fall = before.overall_percent - now.overall_percent
    expected = f"{fall:.0f}" if float(fall).is_integer() else f"{fall:.1f}"
    page = login_as(world.commissioner).get("/review/").get_data(as_text=True)
    assert f"Down {expected} points, better" in row_text(page, "Oak Ward")
    assert "First assessment" in row_text(page, "Ash Ward")


def test_a_reopened_assessment_drops_out_of_the_figures(world, history, login_as):
    before = result(history["oak_before"])
    services.reopen(history["oak_now"], world.oak_lead, "Evidence was missing")
    page = login_as(world.commissioner).get("/review/").get_data(as_text=True)
    oak = row_text(page, "Oak Ward")
    assert (
        format_percent(before.overall_percent) in oak and "Red" in oak and "First assessment" in oak
    )
    assert "Not assessed in the last 12 months" in oak


def test_wards_not_assessed_in_twelve_months_stand_out_in_words(world, history, login_as):
    page = login_as(world.commissioner).get("/review/").get_data(as_text=True)
    assert "Not assessed in the last 12 months" in row_text(page, "Ash Ward")
    assert "Not assessed in the last 12 months" not in row_text(page, "Oak Ward")
    assert "app-review-stale" in page
    assert re.search(r"<strong>1</strong> not assessed in the last 12 months", page)


def test_a_ward_never_assessed_says_so(world, login_as):
    page = login_as(world.commissioner).get("/review/").get_data(as_text=True)
    oak = row_text(page, "Oak Ward")
    assert "Never assessed" in oak and "Not assessed in the last 12 months" in oak


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        # Oak's latest has every restriction on everyone, with safeguards: red from framework
        # 1.3.0, whose five practices that can never be justified count in full
        ("rating=red", ["Oak Ward"], ["Ash Ward"]),
        ("rating=amber", [], ["Oak Ward", "Ash Ward"]),
        ("rating=green", ["Ash Ward"], []),
        ("overdue=y", ["Oak Ward"], ["Ash Ward"]),
        ("before_day=1&before_month=1&before_year=2000", [], ["Oak Ward", "Ash Ward"]),
    ],
)
def test_filters(world, history, login_as, query, shown, hidden):
    page = login_as(world.commissioner).get(f"/review/?{query}").get_data(as_text=True)
    for name in shown:
        assert name in page
    for name in hidden:
        assert f">{name}</a>" not in page


def test_filter_by_rating_and_date(world, history, login_as):
    client = login_as(world.commissioner)
    rag = result(history["oak_now"]).overall_rag
    page = client.get(f"/review/?rating={rag}").get_data(as_text=True)
    assert ">Oak Ward</a>" in page and ">Ash Ward</a>" not in page
    cutoff = date.today() - timedelta(days=100)
    page = client.get(
        f"/review/?before_day={cutoff.day}&before_month={cutoff.month}&before_year={cutoff.year}"
    ).get_data(as_text=True)
    assert ">Ash Ward</a>" in page and ">Oak Ward</a>" not in page


def test_filter_by_provider_outside_the_remit_shows_everything_in_it(world, history, login_as):
    client = login_as(world.commissioner)
    page = client.get(f"/review/?provider={world.southbay.id}").get_data(as_text=True)
    assert "Willow Ward" not in page and ">Oak Ward</a>" in page


def test_a_date_that_is_not_real_is_explained(world, history, login_as):
    client = login_as(world.commissioner)
    page = client.get("/review/?before_day=31&before_month=2&before_year=2026")
    html = page.get_data(as_text=True)
    assert "There is a problem" in html
    assert "must be a real date" in html and 'href="#before_day"' in html
    html = client.get("/review/?before_day=3&before_year=2026").get_data(as_text=True)
    assert "must include a month" in html and 'href="#before_month"' in html
    marked = re.findall(r'<input class="([^"]*)" id="before_(\w+)"', re.sub(r"\s+", " ", html))
    assert [part for classes, part in marked if "nhsuk-input--error" in classes] == ["month"]


def test_a_date_typed_with_other_digit_characters_is_explained(world, history, login_as):
    page = login_as(world.commissioner).get(
        "/review/?before_day=1&before_month=%C2%B2&before_year=2026"
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "There is a problem" in html and 'href="#before_month"' in html


def test_dates_are_uk_days(world, login_as):
    """00:30 on 1 July in London is stored as 23:30 UTC on 30 June: the ward was assessed on
    1 July, so "assessed before 1 July" leaves it out and the CSV says 1 July."""
    oak = submitted_days_ago(world.oak, world.oak_lead, 0, "everyone", "no")
    oak.submitted_at = datetime(2026, 6, 30, 23, 30)
    db.session.commit()
    client = login_as(world.commissioner)
    page = client.get("/review/?before_day=1&before_month=7&before_year=2026")
    assert ">Oak Ward</a>" not in page.get_data(as_text=True)
    page = client.get("/review/?before_day=2&before_month=7&before_year=2026")
    assert ">Oak Ward</a>" in page.get_data(as_text=True)
    rows = csv_rows(client.get("/review/dashboard.csv"))
    assert {r["Ward"]: r["Latest assessment"] for r in rows}["Oak Ward"] == "2026-07-01"


def test_sorting_by_score_highest_first(world, history, login_as):
    client = login_as(world.commissioner)
    page = client.get("/review/?sort=score&order=desc").get_data(as_text=True)
    assert page.index(">Oak Ward</a>") < page.index(">Ash Ward</a>")
    assert 'aria-sort="descending"' in page
    page = client.get("/review/?sort=score&order=asc").get_data(as_text=True)
    assert page.index(">Ash Ward</a>") < page.index(">Oak Ward</a>")
    # The sort links keep the filters.
    page = client.get("/review/?overdue=y").get_data(as_text=True)
    assert re.search(r'href="/review/\?[^"]*overdue=y[^"]*sort=score', page.replace("&amp;", "&"))


def ward_count(page: str) -> str:
    """The first line of the summary above the table, as read."""
    return text_of(
        re.search(r'<ul class="nhsuk-list app-review-summary">\s*<li>(.*?)</li>', page).group(1)
    ).strip()


def test_the_ward_count_says_it_matches_filters_only_when_one_is_set(world, history, login_as):
    client = login_as(world.commissioner)
    for query in ("", "sort=score&order=desc", "page=1", "sort=ward", "rating=purple"):
        page = client.get(f"/review/?{query}").get_data(as_text=True)
        assert ward_count(page) == "2 wards", query
    page = client.get("/review/?rating=green&sort=ward").get_data(as_text=True)
    assert ward_count(page) == "1 ward matches these filters"
    assert ward_count(client.get("/review/?overdue=y").get_data(as_text=True)) == (
        "1 ward matches these filters"
    )
    cutoff = "before_day=1&before_month=1&before_year=2100"
    page = client.get(f"/review/?{cutoff}").get_data(as_text=True)
    assert ward_count(page) == "2 wards match these filters"


def sort_words(page: str) -> dict[str, str]:
    """Each column's heading and the hidden words its sort link ends with."""
    found = re.findall(
        r'<th scope="col"[^>]*><a href="[^"]*">([^<]+)<span class="nhsuk-u-visually-hidden">, sort ([^<]+)</span>',
        page,
    )
    return dict(found)


def test_sort_links_say_which_way_they_sort_in_the_columns_own_terms(world, history, login_as):
    client = login_as(world.commissioner)
    page = client.get("/review/").get_data(as_text=True)  # by provider, A to Z
    words = sort_words(page)
    assert words["Provider"] == "Z to A"  # selecting the sorted column reverses it
    assert words["Ward"] == words["Restriction score"] == "by this column"
    words = sort_words(client.get("/review/?sort=provider&order=desc").get_data(as_text=True))
    assert words["Provider"] == "A to Z"
    assert sort_words(client.get("/review/?sort=ward").get_data(as_text=True))["Ward"] == "Z to A"
    words = sort_words(client.get("/review/?sort=score").get_data(as_text=True))
    assert words["Restriction score"] == "highest first"
    words = sort_words(client.get("/review/?sort=score&order=desc").get_data(as_text=True))
    assert words["Restriction score"] == "lowest first"
    words = sort_words(client.get("/review/?sort=assessed").get_data(as_text=True))
    assert words["Last assessed"] == "newest first"


def test_csv_holds_the_dashboard(world, history, login_as):
    response = login_as(world.commissioner).get("/review/dashboard.csv?sort=ward")
    assert response.mimetype == "text/csv"
    # Excel reads UTF-8 only after a byte-order mark
    assert response.get_data().startswith(b"\xef\xbb\xbf")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert [r["Ward"] for r in rows] == ["Ash Ward", "Oak Ward"]
    ash, oak = rows
    now, before = result(history["oak_now"]), result(history["oak_before"])
    assert oak["Provider"] == "Northfield NHS Foundation Trust"
    assert oak["Latest assessment"] == history["oak_now"].submitted_at.date().isoformat()
    assert float(oak["Restriction score (%)"]) == round(now.overall_percent, 1)
    assert oak["Rating"] == now.overall_rag.capitalize()
    assert int(oak["Blanket restrictions"]) == now.blanket_count
    assert int(oak["Not justified"]) == now.unjustified_count
    assert (oak["Open actions"], oak["Overdue actions"]) == ("3", "2")
    change = round(now.overall_percent - before.overall_percent, 1)
    assert float(oak["Change since previous assessment (points)"]) == change
    assert oak["Change in words"].endswith("better")
    assert oak["Assessed in the last 12 months"] == "Yes"
    assert ash["Assessed in the last 12 months"] == "No"
    assert ash["Change in words"] == "First assessment"


def test_csv_follows_the_filters_and_defuses_formulas(world, history, login_as):
    world.ash.name = "=HYPERLINK(1)"
    db.session.commit()
    client = login_as(world.commissioner)
    rows = csv_rows(client.get("/review/dashboard.csv"))
    assert "'=HYPERLINK(1)" in [r["Ward"] for r in rows]
    rows = csv_rows(client.get("/review/dashboard.csv?overdue=y"))
    assert [r["Ward"] for r in rows] == ["Oak Ward"]


def test_heat_map_gives_each_section_as_text(world, history, login_as):
    page = login_as(world.commissioner).get("/review/heat-map").get_data(as_text=True)
    text = text_of(page)
    assert "Access to outside space" in text or "outside" in text.lower()
    assert "0% Green" in text  # Ash: nothing in place
    assert "app-heat-map__cell--green" in page
    assert "Willow Ward" not in page


def test_most_common_restrictions_count_wards_from_their_latest_assessment(
    world, history, login_as
):
    now = result(history["oak_now"])
    client = login_as(world.commissioner)
    page = text_of(client.get("/review/restrictions").get_data(as_text=True))
    first = now.restrictions[0]
    # Only Oak's latest counts (Ash has none; Willow is outside the remit).
    unjustified = 0 if first.justified else 1
    assert f"{first.title} 1 {unjustified}" in page


def test_ward_page_has_a_chart_with_a_table_and_links(world, history, login_as):
    page = login_as(world.commissioner).get(f"/review/wards/{world.oak.id}").get_data(as_text=True)
    assert page.count("<svg") >= 2
    assert '<title id="trend-overall-title">Overall restriction score, Oak Ward</title>' in page
    assert 'role="img"' in page and "<desc" in page and " style=" not in page
    before = result(history["oak_before"])
    assert f"{format_percent(before.overall_percent)} Red" in text_of(page)  # the table
    for a in (history["oak_now"], history["oak_before"]):
        assert f"/assessments/{a.id}/results" in page
        assert f"/assessments/{a.id}/check" in page
        assert f"/assessments/{a.id}/plan" in page


def ward_names(page: str) -> list[str]:
    return re.findall(r">((?:Oak|Ash|Seeded) Ward[^<]*)</a>", page)


def test_a_page_past_the_end_shows_the_last_page_with_the_same_filters(world, login_as):
    seed_wards(world.commissioner, 150, 1, actions_per_ward=0)  # with Oak and Ash: 152 wards
    client = login_as(world.commissioner)
    filters = "sort=ward&order=desc&before_day=1&before_month=1&before_year=2100"
    last = client.get(f"/review/?{filters}&page=2").get_data(as_text=True)
    assert len(ward_names(last)) == 52

    for past_the_end in ("3", "999", "9" * 30):
        page = client.get(f"/review/?{filters}&page={past_the_end}").get_data(as_text=True)
        assert ward_names(page) == ward_names(last)
        assert "Showing 101 to 152 of 152 wards." in text_of(page)
        assert "Page 1 of 2" in text_of(page) and 'rel="next"' not in page
        [previous] = re.findall(r'href="([^"]*)" rel="prev"', page)
        assert previous.replace("&amp;", "&") == f"/review/?{filters}&page=1"


@pytest.mark.parametrize("page", ["0", "-3", "two", ""])
def test_a_page_below_one_or_not_a_number_shows_the_first(world, login_as, page):
    seed_wards(world.commissioner, 150, 1, actions_per_ward=0)
    client = login_as(world.commissioner)
    first = client.get("/review/").get_data(as_text=True)
    shown = client.get(f"/review/?page={page}").get_data(as_text=True)
    assert ward_names(shown) == ward_names(first) and len(ward_names(first)) == 100
    assert "Showing 1 to 100 of 152 wards." in text_of(shown)
