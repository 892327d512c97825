"""A long plan is laid out in two parts side by side and joined: the reader, on paper or with a
screen reader, must find one document that says what the whole plan says, in order."""

from __future__ import annotations

import html
import io
import multiprocessing
import re
import time
from datetime import date

import pikepdf
import pytest
from pypdf import PdfReader

from app import frameworks
from app.extensions import db
from app.models import RenderedDocument
from app.reports import documents, render
from app.reports.merge import MergeFailed, Part, merge
from tests.actions.conftest import actions_of, blanket_answers
from tests.helpers import make_assessment


def page_texts(pdf: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def in_order(text: str, needles: list[str], start: int = 0) -> bool:
    """Whether each needle is in `text`, each after the one before."""
    for needle in needles:
        start = text.find(needle, start)
        if start < 0:
            return False
        start += len(needle)
    return True


def outline(pdf: bytes) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark, in order."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        pages = {page.obj.objgen: i for i, page in enumerate(doc.pages)}
        found = []

        def walk(items, depth):
            for item in items:
                found.append((depth, item.title, pages[item.destination[0].objgen]))
                walk(item.children, depth + 1)

        with doc.open_outline() as tree:
            walk(tree.root, 0)
        return found


@pytest.fixture
def long_plan(app, world, monkeypatch):
    """Oak's plan with seven restrictions, cut into two parts (the size limit set to none)."""
    monkeypatch.setattr(documents, "SPLIT_MIN_LINES", 0)
    app.config["PDF_PARTS"] = 2
    item_ids = [d.items[0].id for d in frameworks.latest().domains[:7]]
    return make_assessment(world.oak, world.oak_lead, blanket_answers(app, item_ids), submit=True)


def test_a_long_plan_is_cut_at_a_restriction_and_a_cut_priority_says_it_continues(app, long_plan):
    with app.test_request_context():
        parts = documents.plan_parts(long_plan, date.today(), 2)
        whole = documents.plan_html(long_plan, date.today())
    assert len(parts) == 2
    first, second = parts
    assert "<h2>Scores</h2>" in first and "Scores" not in second
    assert 'class="continued"' in second and 'class="continued"' not in first
    # every restriction's heading is in exactly one part, in the whole plan's order
    headings = re.findall(r'<h4 class="restriction">(.*?)</h4>', whole)
    assert re.findall(r'<h4 class="restriction">(.*?)</h4>', first + second) == headings
    assert re.findall(r'<h4 class="restriction">(.*?)</h4>', second)  # not an empty part
    # a priority cut in two says so at the top of the second part
    priorities = re.findall(r"<h3>(\w+) priority \((\d+|continued)\)</h3>", second)
    opened = [p for p, _ in re.findall(r"<h3>(\w+) priority \((\d+)\)</h3>", first)]
    assert priorities[0][1] == "continued" or priorities[0][0] not in opened
    if priorities[0][1] == "continued":
        assert priorities[0][0] == opened[-1]


def test_a_short_plan_stays_whole(app, world):
    oak = make_assessment(world.oak, world.oak_lead, blanket_answers(app), submit=True)
    with app.test_request_context():
        assert len(documents.plan_parts(oak, date.today(), 2)) == 1
        # and one part is the whole plan, whatever the limit
        assert documents.split_groups([{"restrictions": []}], 1, 10_000, 0) == [
            [{"restrictions": []}]
        ]


def test_the_joined_pdf_reads_as_one_document(app, client, world, login_as, long_plan):
    login_as(world.oak_member)
    response = client.get(f"/assessments/{long_plan.id}/plan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = page_texts(response.data)
    total = len(pages)
    # page numbers count across both parts, and every page but the first has the header
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
        assert ("Action plan · Oak Ward" in text) == (number > 1), number
    text = " ".join(pages)
    # every action, in the plan page's order (priority, then restriction)
    with app.test_request_context():
        whole = documents.plan_html(long_plan, date.today())
    texts = re.findall(r'<p class="user-text">(.*?)</p>', whole, re.S)
    assert len(texts) == len(actions_of(long_plan))
    assert in_order(text, [" ".join(html.unescape(t).split())[:50] for t in texts])
    assert "priority (continued)" in text or "Medium priority" in text
    assert "Willow" not in text


def test_the_joined_pdf_has_one_structure_tree_that_finds_every_page(
    client, world, login_as, long_plan
):
    login_as(world.oak_member)
    data = client.get(f"/assessments/{long_plan.id}/plan.pdf").data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked and str(root.Lang) == "en"
        tree = root.StructTreeRoot
        document = tree.K[0] if isinstance(tree.K, pikepdf.Array) else tree.K
        assert document.S == "/Document"
        pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        keys = [int(page.obj.StructParents) for page in pdf.pages]
        assert len(set(keys)) == len(keys)  # no two pages share a parent tree entry
        nums = tree.ParentTree.Nums
        entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        # each page's marked content points at elements on that page, one per MCID used
        for index, page in enumerate(pdf.pages):
            elements = entries[keys[index]]
            mcids = set(re.findall(rb"/MCID (\d+)", page.obj.Contents.read_bytes()))
            assert len(elements) == len(mcids) > 0, index
            for element in elements:
                assert pages[element.Pg.objgen] == index
        # every element hangs from one Document, and its parent links agree
        seen = 0

        def walk(element, parent):
            nonlocal seen
            seen += 1
            assert element.P.objgen == parent.objgen
            if "/Pg" in element:
                assert element.Pg.objgen in pages
            kids = element.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    walk(kid, element)

        for kid in document.K:
            walk(kid, document)
        assert seen > 100
        # each part's fonts keep a name of their own
        names = {str(font.BaseFont) for page in pdf.pages for font in page.Resources.Font.values()}
        by_font = {}
        for name in names:
            by_font.setdefault(name.split("+", 1)[1], set()).add(name)
        assert all(len(tags) == 2 for tags in by_font.values()), names


def test_the_joined_pdfs_bookmarks_nest_as_the_whole_documents(app, long_plan):
    with app.test_request_context():
        joined = render.render_pdf(
            documents.plan_parts(long_plan, date.today(), 2), app.static_folder, 60
        )
        whole = render.render_pdf(
            documents.plan_html(long_plan, date.today()), app.static_folder, 60
        )
    ours = outline(joined)
    theirs = outline(whole)
    # the same bookmarks at the same depths, but for a continued priority's own heading
    continued = [entry for entry in ours if entry[1].endswith("priority (continued)")]
    assert [(d, t) for d, t, _ in ours if (d, t, _) not in continued] == [
        (d, t) for d, t, _ in theirs
    ]
    for depth, _title, _page in continued:
        assert depth == 2  # under "Actions", beside the other priorities
    assert ours[0][:2] == (0, "Action plan")
    # each bookmark opens its own heading's page
    texts = page_texts(joined)
    for _depth, title, page in ours:
        assert title in texts[page], title
    assert len(texts) >= ours[-1][2] + 1


def test_a_part_that_fails_fails_the_download_and_stops_the_other(
    app, client, world, login_as, long_plan, monkeypatch
):
    real = render.render_part

    def second_part_breaks(html, static_root, sync):
        if 'class="continued"' in html:
            raise ValueError("no fonts left")
        return real(html, static_root, sync)

    monkeypatch.setattr(render, "render_part", second_part_breaks)
    login_as(world.oak_member)
    response = client.get(f"/assessments/{long_plan.id}/plan.pdf")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Something went wrong while making this PDF" in page
    assert f"/assessments/{long_plan.id}/plan.csv" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(RenderedDocument)) == 0


def test_a_part_that_hangs_times_out_and_no_child_is_left_running(
    app, client, world, login_as, long_plan, monkeypatch
):
    real = render.render_part

    def second_part_hangs(html, static_root, sync):
        if 'class="continued"' in html:
            time.sleep(60)
        return real(html, static_root, sync)

    monkeypatch.setattr(render, "render_part", second_part_hangs)
    app.config["PDF_TIMEOUT_SECONDS"] = 3
    login_as(world.oak_member)
    started = time.perf_counter()
    response = client.get(f"/assessments/{long_plan.id}/plan.pdf")
    assert time.perf_counter() - started < 15
    assert response.status_code == 503
    assert "took too long" in response.get_data(as_text=True)
    # the first part waited for the second's page count; both were stopped
    assert multiprocessing.active_children() == []


def test_the_join_refuses_parts_it_cannot_join_without_losing_tags(app):
    with app.test_request_context():
        part = render.render_part("<h1>One</h1><p>x</p>", app.static_folder)
    assert part.bookmarks == [(1, True)]
    # a part whose bookmarks do not match its outline
    with pytest.raises(MergeFailed, match="outline"):
        merge([part, Part(part.pdf, [])])
    # a part with no structure tree
    with pikepdf.open(io.BytesIO(part.pdf)) as pdf:
        del pdf.Root["/StructTreeRoot"]
        untagged = io.BytesIO()
        pdf.save(untagged)
    with pytest.raises(MergeFailed, match="structure tree"):
        merge([part, Part(untagged.getvalue(), part.bookmarks)])
    # a part whose tree holds what the join does not carry over
    with pikepdf.open(io.BytesIO(part.pdf)) as pdf:
        pdf.Root.StructTreeRoot.RoleMap = pikepdf.Dictionary(Note=pikepdf.Name.P)
        mapped = io.BytesIO()
        pdf.save(mapped)
    with pytest.raises(MergeFailed, match="RoleMap"):
        merge([part, Part(mapped.getvalue(), part.bookmarks)])
    # one part is returned as it is
    assert merge([part]) == part.pdf


def test_a_long_report_is_cut_where_a_section_starts_and_reads_as_one_document(
    app, client, world, login_as, long_plan
):
    with app.test_request_context():
        parts = documents.report_parts(long_plan, date.today(), with_trail=True, parts=2)
        whole = documents.report_html(long_plan, date.today(), with_trail=True)
    assert len(parts) == 2
    first, second = parts
    assert "<h2>Scores</h2>" in first and "Every answer" in first and "Scores" not in second
    # every item's answers once, in order; the second part starts with a section's heading
    titles = re.findall(r"<h3>(.*?)</h3>\n  <table class=\"answers\">", whole)
    assert re.findall(r"<h3>(.*?)</h3>\n  <table class=\"answers\">", first + second) == titles
    # the second part starts with a heading of its own: a section's, the actions' or the
    # appendix's, never inside a section
    body = second.split("<body", 1)[1]
    assert body.find("<h2") < body.find("<section") or "<section" not in body
    # the actions and the appendix once each, after every answer
    for heading in ('<h2 class="page-break">Actions</h2>', "Appendix: audit trail"):
        assert (first + second).count(heading) == 1
        assert (first + second).find(heading) > (first + second).rfind("<section")

    login_as(world.oak_lead)  # may read the audit trail
    response = client.get(f"/assessments/{long_plan.id}/report.pdf")
    pages = page_texts(response.data)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert ("Assessment report · Oak Ward" in text) == (number > 1), number
    text = " ".join(pages)
    assert in_order(text, [html.unescape(t) for t in titles], text.find("Every answer"))
    assert "Appendix: audit trail" in text and "Action plan ·" not in text


def test_cuts_fall_where_allowed_and_balance_the_parts():
    cuts = documents._cuts
    # six units of 10 lines; cut allowed only where a section starts
    assert cuts([10] * 6, [True] * 6, 2, 0, 0) == [3]
    assert cuts([10] * 6, [True, False, False, False, True, False], 2, 0, 0) == [4]
    assert cuts([10] * 6, [True] * 6, 3, 0, 0) == [2, 4]
    # the first part also carries the front pages
    assert cuts([10] * 6, [True] * 6, 2, 20, 0) == [2]
    # short documents and single parts stay whole; a lone unit cannot be cut
    assert cuts([10] * 6, [True] * 6, 2, 0, 61) == []
    assert cuts([10] * 6, [True] * 6, 1, 0, 0) == []
    assert cuts([100], [True], 2, 0, 0) == []
