"""The PDFs: what they say, whose data they hold, the cache, the fetcher and the time limit."""

from __future__ import annotations

import io
import socket
import time

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from app import frameworks
from app.extensions import db
from app.models import Action, Answer, RenderedDocument
from app.reports import documents, render
from app.reports.fetcher import Refused, StaticFilesOnly
from app.templating import format_percent
from tests.actions.conftest import actions_of, blanket_answers
from tests.helpers import make_assessment


def pdf_text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a render tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def two_wards(app, world):
    oak = make_assessment(world.oak, world.oak_lead, blanket_answers(app), submit=True)
    willow = make_assessment(world.willow, world.willow_lead, blanket_answers(app), submit=True)
    for assessment, text in ((oak, "Oak garden policy 2026"), (willow, "Willow secret minutes")):
        answer = assessment.answers[0]
        answer.evidence = text
        answer.comment = f"Comment from {assessment.ward.name}"
    actions_of(willow)[0].notes = "Willow only note"
    db.session.commit()
    return oak, willow


def test_both_pdfs_hold_this_wards_plan_and_nothing_of_another(
    client, world, login_as, two_wards, no_network
):
    oak, willow = two_wards
    framework = frameworks.for_assessment(oak)
    login_as(world.oak_member)
    plan = pdf_text(client.get(f"/assessments/{oak.id}/plan.pdf"))
    report = pdf_text(client.get(f"/assessments/{oak.id}/report.pdf"))
    restriction = oak.result.restrictions[0].title
    first_action = actions_of(oak)[0].text
    for text in (plan, report):
        assert "Oak Ward" in text and "Northfield NHS Foundation Trust" in text
        assert "Olivia Oak" in text  # who submitted
        assert f"version {oak.framework_version}" in text
        assert f"Overall restriction score: {format_percent(oak.result.overall_percent)}" in text
        assert framework.domains[0].title in text
        assert restriction in text and "Not justified (3)" in text
        assert " ".join(first_action.split())[:60] in text
        assert "High priority" in text
        assert "Page 1 of" in text
        for other in ("Willow", "Southbay", "Wendy"):
            assert other not in text
    assert "Oak garden policy 2026" in report and "Comment from Oak Ward" in report
    # A member may not read the audit trail: see test_report_audit_appendix.py.
    assert "Appendix: audit trail" not in report and "oak.lead@example.org" not in report
    assert "Oak garden policy" not in plan  # the plan leaves out the answers
    # the running header, from the second page on: what the document is, and whose
    assert "Action plan · Oak Ward" in plan and "Assessment report · Oak Ward" in report


def test_a_pdf_is_tagged_for_accessibility(client, world, login_as, two_wards):
    oak, _ = two_wards
    login_as(world.oak_member)
    reader = PdfReader(io.BytesIO(client.get(f"/assessments/{oak.id}/plan.pdf").data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"


def figure_alts(reader: PdfReader) -> list[str]:
    """The alternative text of every Figure in the PDF's structure tree, in reading order."""
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif hasattr(node, "get"):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                found.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_the_score_chart_is_a_bar_per_section_that_a_screen_reader_can_read(
    client, world, login_as, two_wards
):
    oak, _ = two_wards
    login_as(world.oak_member)
    reader = PdfReader(io.BytesIO(client.get(f"/assessments/{oak.id}/plan.pdf").data))
    expected = [f"{d.title}: {format_percent(d.percent)}, {d.rag}" for d in oak.result.domains]
    assert figure_alts(reader) == expected
    # Each bar is as long as its score, in its rating's colour, over a track that marks 100%.
    chart = documents.bar_chart(oak.result.domains)
    for bar, domain in zip(chart["bars"], oak.result.domains, strict=True):
        assert bar["width"] == round(chart["width"] * domain.percent / 100, 1)
        assert bar["fill"] == documents.BAR_FILLS[domain.rag]


def test_a_pdf_is_served_from_the_cache_until_the_plan_changes(client, world, login_as, two_wards):
    oak, _ = two_wards
    login_as(world.oak_member)
    url = f"/assessments/{oak.id}/plan.pdf"
    first = client.get(url)
    assert first.headers["X-Document-Cache"] == "miss"
    second = client.get(url)
    assert second.headers["X-Document-Cache"] == "hit" and second.data == first.data

    action = actions_of(oak)[0]
    action.notes = "Discussed at the community meeting"
    action.version += 1
    db.session.commit()
    third = client.get(url)
    assert third.headers["X-Document-Cache"] == "miss"
    assert "Discussed at the community meeting" in pdf_text(third)
    # Only the newest copy of each document is kept.
    assert db.session.scalar(db.select(db.func.count()).select_from(RenderedDocument)) == 1


def test_a_commissioner_downloads_but_a_draft_has_no_documents(client, world, login_as, app):
    oak = make_assessment(world.oak, world.oak_lead, blanket_answers(app), submit=True)
    draft = make_assessment(world.ash, world.oak_lead, submit=False)
    db.session.add(
        RenderedDocument(key=f"plan/{oak.id}/stale", content=b"%PDF-old")
    )  # an older copy is replaced, never served
    db.session.commit()
    login_as(world.commissioner)
    response = client.get(f"/assessments/{oak.id}/plan.csv")
    assert response.status_code == 200
    assert client.get(f"/assessments/{draft.id}/plan.pdf").status_code == 404
    page = client.get(f"/assessments/{oak.id}/results").get_data(as_text=True)
    assert "Download the action plan (PDF)" in page
    assert "Download the full assessment report (PDF)" in page


def test_users_text_is_escaped_and_nothing_outside_static_files_is_fetched(
    app, client, world, login_as, two_wards, no_network
):
    oak, _ = two_wards
    action = actions_of(oak)[0]
    action.notes = '<img src="http://example.invalid/track.png"> & <b>bold</b>'
    action.version += 1
    answer = db.session.scalars(db.select(Answer).where(Answer.assessment_id == oak.id)).first()
    answer.evidence = '<img src="file:///etc/passwd">'
    db.session.commit()
    login_as(world.oak_member)
    text = pdf_text(client.get(f"/assessments/{oak.id}/plan.pdf"))
    # Printed as the characters the user typed (a long line may wrap after the slash).
    assert '<img src="http://example.invalid/' in text and "& <b>bold</b>" in text


def test_the_fetcher_refuses_everything_but_the_apps_static_files(app, tmp_path, no_network):
    fetcher = StaticFilesOnly(app.static_folder)
    for url in (
        "http://example.invalid/x.png",
        "https://example.invalid/x.css",
        "file:///etc/passwd",
        "file://" + app.static_folder + "/../../app/config.py",
        "data:text/plain,hello",
    ):
        with pytest.raises(Refused):
            fetcher.fetch(url)
    assert fetcher.fetch("file://" + app.static_folder + "/app.css").read().startswith(b"/*")

    # Markup that reaches WeasyPrint (it cannot from users' text, which is escaped) still
    # fetches nothing.
    fetcher = StaticFilesOnly(app.static_folder)
    pdf = HTML(
        string='<p>x<img src="http://example.invalid/a.png"><img src="/etc/hostname"></p>',
        base_url="file://" + app.static_folder + "/",
        url_fetcher=fetcher,
    ).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert fetcher.refused == ["http://example.invalid/a.png", "file:///etc/hostname"]


def test_a_render_that_runs_too_long_is_stopped_with_a_message(
    app, client, world, login_as, two_wards, monkeypatch
):
    oak, _ = two_wards

    def slow(html, static_root, sync):
        time.sleep(30)

    monkeypatch.setattr(render, "render_part", slow)
    app.config["PDF_TIMEOUT_SECONDS"] = 0.5
    login_as(world.oak_member)
    started = time.perf_counter()
    response = client.get(f"/assessments/{oak.id}/plan.pdf")
    assert time.perf_counter() - started < 10
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Making this PDF took too long, so it was stopped" in page
    assert f"/assessments/{oak.id}/plan.csv" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(RenderedDocument)) == 0


def test_every_action_of_the_plan_is_in_the_pdf(client, world, login_as, app):
    oak = make_assessment(world.oak, world.oak_lead, blanket_answers(app), submit=True)
    login_as(world.oak_lead)
    text = pdf_text(client.get(f"/assessments/{oak.id}/plan.pdf"))
    actions = db.session.scalars(db.select(Action).where(Action.assessment_id == oak.id)).all()
    assert f"{len(actions)} actions" in text
    for a in actions:
        assert " ".join(a.text.split())[:40] in text


def test_each_action_says_its_owner_dates_status_and_reasons_in_words(client, world, login_as, app):
    oak = make_assessment(world.oak, world.oak_lead, blanket_answers(app), submit=True)
    first, second, *_ = actions_of(oak)
    first.owner_name = "Priya Patel"
    first.status = "in-progress"
    first.lived_experience = True
    first.notes = "Raised at the community meeting"
    second.status = "not-doing"
    second.not_doing_reason = "The garden is now open all day"
    second.lived_experience = False
    db.session.commit()
    login_as(world.oak_lead)
    text = pdf_text(client.get(f"/assessments/{oak.id}/plan.pdf"))
    due, review = (f"{d.day} {d:%B %Y}" for d in (first.due_date, first.review_date))
    assert (
        f"Owner: Priya Patel · Due {due} · In progress · Review {review} · "
        "Lived experience: involved Notes: Raised at the community meeting"
    ) in text
    assert "Not doing · " in text and "Not doing it because: The garden is now open all day" in text
    assert "Owner: no owner yet" in text and "Lived experience: not involved" in text
    # the others: nobody has said yet, so the plan says nothing rather than "not involved"
    assert text.count("Lived experience: ") == 2
    # the safeguards action lists the missing safeguards one per line
    assert "put these missing safeguards in place: - a written reason" in text


def test_both_documents_say_when_a_restriction_can_never_be_justified(app, world):
    """Framework 1.3.0's never-justified items say so under "Not justified"; others do not."""
    from datetime import date

    assessment = make_assessment(
        world.oak,
        world.oak_lead,
        blanket_answers(app, ["outgoing-post-read-or-held", "garden-locked"]),
        submit=True,
    )
    note = "(this can never be justified as a rule for everyone)"
    with app.test_request_context():
        for html in (
            documents.plan_html(assessment, date.today()),
            documents.report_html(assessment, date.today()),
        ):
            assert f"<li>Outgoing letters read or held back {note}</li>" in html
            garden = frameworks.latest().item("garden-locked").title
            assert f"<li>{garden}</li>" in html
