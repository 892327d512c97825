"""The audit trail: every change recorded with before and after, and pages where
administrators see everything and ward leads see their own wards."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent

from .conftest import quick_assessment


def _events(assessment_id=None):
    query = select(AuditEvent).order_by(AuditEvent.id)
    if assessment_id is not None:
        query = query.where(AuditEvent.assessment_id == assessment_id)
    return db.session.scalars(query).all()


def test_start_save_submit_and_reopen_are_recorded_with_before_and_after(world, login_as):
    client = login_as(world.oak_lead)
    client.post(f"/wards/{world.oak.id}/start")
    assessment_id = _events()[-1].assessment_id
    item = "garden-locked"
    page = f"/assessments/{assessment_id}/items/{item}"
    client.post(page, data={"q-in-place": "not-in-place", "version": "0", "evidence": "first"})
    client.post(page, data={"q-in-place": "not-in-place", "version": "1", "evidence": "second"})
    events = _events(assessment_id)
    assert [e.event for e in events] == ["create", "update", "update"]
    assert events[0].actor == world.oak_lead.email and events[0].ward_id == world.oak.id
    assert events[2].before == {"evidence": "first"} and events[2].after == {"evidence": "second"}


def test_submit_and_reopen_are_recorded(world, login_as):
    from app import frameworks
    from tests.helpers import answers_for

    assessment = quick_assessment(world.oak, world.oak_lead, answers_for(frameworks.latest()))
    client = login_as(world.oak_lead)
    assert client.post(f"/assessments/{assessment.id}/submit").status_code == 302
    client.post(f"/assessments/{assessment.id}/reopen", data={"reason": "We missed the garden"})
    events = [e for e in _events(assessment.id) if e.event in ("submit", "reopen")]
    assert [e.event for e in events] == ["submit", "reopen"]
    assert events[1].before == {"status": "submitted"} and events[1].after == {"status": "draft"}
    assert events[1].detail == "We missed the garden"


def _seed_events(world):
    quick_assessment(world.oak, world.oak_lead, {})
    quick_assessment(world.willow, world.willow_lead, {})
    db.session.add(
        AuditEvent(event="update", actor="x@example.org", ward_id=world.oak.id,
                   detail="<script>alert('x')</script>")
    )  # fmt: skip
    db.session.commit()


def test_administrators_see_every_event(world, login_as):
    _seed_events(world)
    page = login_as(world.admin).get("/audit").get_data(as_text=True)
    assert "Oak Ward" in page and "Willow Ward" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_a_ward_lead_sees_only_their_wards_events(world, login_as):
    _seed_events(world)
    page = login_as(world.oak_lead).get("/audit").get_data(as_text=True)
    assert "Oak Ward" in page and "Willow Ward" not in page
    assert "willow.lead@example.org" not in page
    # Asking for another ward by its id shows nothing of it.
    other = login_as(world.oak_lead).get(f"/audit?ward={world.willow.id}")
    assert "willow.lead@example.org" not in other.get_data(as_text=True)


def test_members_and_commissioners_cannot_see_the_trail(world, login_as):
    for user in (world.oak_member, world.commissioner, world.outsider):
        assert login_as(user).get("/audit").status_code == 404


def test_the_trail_can_be_filtered(world, login_as):
    _seed_events(world)
    client = login_as(world.admin)
    page = client.get(f"/audit?ward={world.willow.id}&event=create").get_data(as_text=True)
    assert "willow.lead@example.org" in page and "x@example.org" not in page
    # the chosen filters stay chosen in their selects
    assert re.search(rf'<option value="{world.willow.id}" selected\s*>', page)
    assert re.search(r'<option value="create" selected\s*>', page)
    page = client.get("/audit?actor=X@EXAMPLE").get_data(as_text=True)
    assert "x@example.org" in page and "willow.lead@example.org" not in page
    # The dates are NHS.UK date inputs: three boxes, a message naming the one to correct.
    bad = client.get("/audit?date_from[day]=25&date_from[month]=13&date_from[year]=2026")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Events from must be a real date" in html and 'href="#date_from-month"' in html
    old = "/audit?date_to[day]=1&date_to[month]=1&date_to[year]=2001"
    assert "No events match" in client.get(old).get_data(as_text=True)
    today = "/audit?date_from[day]={0.day}&date_from[month]={0.month}&date_from[year]={0.year}"
    from app.dates import uk_today

    assert "willow.lead@example.org" in client.get(today.format(uk_today())).get_data(as_text=True)


def test_the_date_filters_say_what_they_are_and_their_errors_give_the_hints_example(
    world, login_as
):
    client = login_as(world.admin)
    page = re.sub(r"\s+", " ", client.get("/audit").get_data(as_text=True))
    legends = re.findall(
        r'<legend class="nhsuk-fieldset__legend[^"]*" ?> ?([^<]+?) ?</legend>', page
    )
    assert legends == ["Events from", "Events up to"]
    for name, example in (("date_from", "1 11 2026"), ("date_to", "25 11 2026")):
        assert re.search(rf'id="{name}-hint" ?> ?For example, {example} ?<', page)
    bad = client.get("/audit?date_from[day]=1&date_from[month]=x&date_from[year]=2026")
    html = re.sub(r"\s+", " ", bad.get_data(as_text=True))
    message = "Events from must be a real date, written in numbers, like 1 11 2026"
    assert re.search(rf'href="#date_from-month" ?> ?{message} ?</a>', html)
    missing = client.get("/audit?date_to[day]=1&date_to[year]=2026").get_data(as_text=True)
    assert "Events up to must include a month" in missing


def test_a_page_past_the_end_shows_the_last_page_not_an_empty_one(world, login_as, monkeypatch):
    from app import audit_views

    for n in range(5):
        db.session.add(AuditEvent(event="update", actor=f"user{n}@example.org"))
    db.session.commit()
    monkeypatch.setattr(audit_views, "PAGE_SIZE", 2)
    client = login_as(world.admin)
    last = -(-len(_events()) // 2)
    page = client.get("/audit?page=999&event=update").get_data(as_text=True)
    assert f"Events (page {-(-5 // 2)})" in page and "No events match" not in page
    assert "user0@example.org" in page  # the oldest update event is on the last page
    assert "Older events" not in page and "Newer events" in page
    page = client.get("/audit?page=999").get_data(as_text=True)
    assert f"Events (page {last})" in page and "user0@example.org" in page
    # the first page is not affected
    assert "user4@example.org" in client.get("/audit?event=update").get_data(as_text=True)


def test_the_audit_trail_is_linked_from_the_header_for_leads_and_administrators(
    client, world, login_as
):
    def header_links(user) -> list[str]:
        login_as(user)
        page = client.get("/", follow_redirects=True).get_data(as_text=True)
        header = page[page.index("<header") : page.index("</header>")]
        return re.findall(r'href="/audit"[^>]*>\s*([^<]+?)\s*<', header)

    assert header_links(world.oak_lead) == ["Audit trail"]
    assert header_links(world.admin) == ["Audit trail"]
    assert header_links(world.oak_member) == []


def test_the_trail_says_what_happened_in_words(world, login_as):
    """Every event the app records has a name; changed fields have labels people read, and a
    screen reader hears which value was before and which after."""
    from app.audit_views import EVENT_NAMES

    recorded = set()
    for path in Path("app").rglob("*.py"):
        recorded |= set(re.findall(r'audit\.record\(\s*"([a-z-]+)"', path.read_text()))
    assert recorded and recorded <= set(EVENT_NAMES), recorded - set(EVENT_NAMES)

    db.session.add(
        AuditEvent(event="membership-role-changed", actor="lead@example.org",
                   ward_id=world.oak.id, object_type="wardmembership", object_id="4",
                   before={"role": "member", "lived_experience": False},
                   after={"role": "lead", "lived_experience": True})
    )  # fmt: skip
    db.session.commit()
    page = login_as(world.admin).get("/audit").get_data(as_text=True)
    assert "Role in a ward team changed: ward team place 4" in page
    assert "<dt>People with lived experience involved</dt>" in page
    assert '<span class="nhsuk-u-visually-hidden">Before: </span>No</del>' in page
    assert '<span class="nhsuk-u-visually-hidden">After: </span>Yes</ins>' in page


def test_a_change_from_not_recorded_reads_not_recorded(app):
    from app.audit_views import change_rows
    from app.models import AuditEvent

    event = AuditEvent(
        event="update",
        before={"lived_experience": None, "notes": None},
        after={"lived_experience": True, "notes": "Asked at the community meeting"},
    )
    rows = {field: (before, after) for field, before, after in change_rows(event)}
    assert rows["People with lived experience involved"] == ("Not recorded", "Yes")
    assert rows["Notes"] == ("", "Asked at the community meeting")
