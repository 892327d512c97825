"""Administration pages: who may open them, providers and wards, frameworks."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Provider, Ward, WardMembership


def admin_pages(world) -> list[str]:
    return [
        "/admin/",
        "/admin/providers",
        "/admin/providers/new",
        f"/admin/providers/{world.northfield.id}",
        f"/admin/providers/{world.northfield.id}/rename",
        f"/admin/providers/{world.northfield.id}/wards/new",
        f"/admin/wards/{world.oak.id}",
        f"/admin/wards/{world.oak.id}/rename",
        "/admin/users",
        "/admin/users?q=oak",
        "/admin/users/new",
        f"/admin/users/{world.oak_member.id}",
        f"/admin/users/{world.oak_member.id}/name",
        f"/admin/users/{world.oak_member.id}/make-admin",
        f"/admin/users/{world.oak_member.id}/deactivate",
        f"/admin/users/{world.oak_member.id}/wards/add",
        f"/admin/users/{world.oak_member.id}/remits/add",
        f"/admin/memberships/{world.oak_member.memberships[0].id}/role",
        f"/admin/memberships/{world.oak_member.memberships[0].id}/remove",
        f"/admin/remits/{world.commissioner.remits[0].id}/remove",
        "/admin/frameworks",
    ]


def test_every_admin_page_renders_for_an_administrator(world, login_as):
    client = login_as(world.admin)
    for url in admin_pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<h1>" in response.get_data(as_text=True), url


@pytest.mark.parametrize("who", ["commissioner", "oak_lead", "oak_member", "outsider"])
def test_admin_pages_are_not_found_for_everyone_else(world, login_as, who):
    client = login_as(getattr(world, who))
    for url in admin_pages(world):
        assert client.get(url).status_code == 404, url
    assert client.post("/admin/providers/new", data={"name": "Sneaky Trust"}).status_code == 404
    assert db.session.scalar(select(Provider).where(Provider.name == "Sneaky Trust")) is None


def back_link(page: str) -> tuple[str, str]:
    """The page's back link: where it goes and what it says."""
    page = re.sub(r"\s+", " ", page)
    found = re.search(r'<a class="nhsuk-back-link" href="([^"]*)" ?> ?(.*?) ?</a>', page)
    assert found, "no back link"
    return found.group(1), found.group(2)


def test_back_links_say_where_they_go_back_to(world, login_as):
    """Like every other page's: "Back to …", not a bare page name that reads as a breadcrumb."""
    oak, northfield = world.oak, world.northfield
    expected = {
        "/admin/providers": ("/admin/", "Back to administration"),
        "/admin/users": ("/admin/", "Back to administration"),
        "/admin/frameworks": ("/admin/", "Back to administration"),
        f"/admin/users/{world.oak_member.id}": ("/admin/users", "Back to users"),
        f"/admin/providers/{northfield.id}": ("/admin/providers", "Back to providers and wards"),
        f"/admin/wards/{oak.id}": (
            f"/admin/providers/{northfield.id}",
            f"Back to {northfield.name}",
        ),
        f"/wards/{oak.id}/team/": (f"/wards/{oak.id}", f"Back to {oak.name}"),
    }
    db.session.add(WardMembership(user=world.admin, ward=oak, role="lead"))
    db.session.commit()
    client = login_as(world.admin)
    for url, link in expected.items():
        assert back_link(client.get(url).get_data(as_text=True)) == link, url


def test_admin_pages_ask_a_signed_out_visitor_to_sign_in(world, client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_administration_page_links_to_each_area(world, login_as):
    page = login_as(world.admin).get("/admin/").get_data(as_text=True)
    for link in ("/admin/providers", "/admin/users", "/admin/frameworks"):
        assert f'href="{link}"' in page


def test_an_admin_adds_and_renames_a_provider(world, login_as):
    client = login_as(world.admin)
    response = client.post("/admin/providers/new", data={"name": "  Eastwood Mental Health  "})
    provider = db.session.scalar(select(Provider).where(Provider.name == "Eastwood Mental Health"))
    assert provider is not None
    assert response.headers["Location"].endswith(f"/admin/providers/{provider.id}")
    assert "Eastwood Mental Health has been added" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)

    client.post(f"/admin/providers/{provider.id}/rename", data={"name": "Eastwood Care"})
    db.session.refresh(provider)
    assert provider.name == "Eastwood Care"
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "provider").order_by(AuditEvent.id)
    ).all()
    assert [e.event for e in events] == ["provider-added", "provider-renamed"]
    assert events[1].before == {"name": "Eastwood Mental Health"}
    assert events[1].after == {"name": "Eastwood Care"}
    assert events[1].actor == "admin@example.org"


def test_provider_names_are_required_and_unique(world, login_as):
    client = login_as(world.admin)
    response = client.post("/admin/providers/new", data={"name": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and 'href="#name"' in page
    assert "Enter the provider name" in page

    response = client.post("/admin/providers/new", data={"name": "southbay healthcare"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is already a provider called southbay healthcare" in page
    assert 'id="name"' in page
    assert db.session.scalar(select(db.func.count()).select_from(Provider)) == 2


def test_a_name_with_capitals_beyond_ascii_is_refused_twice_not_an_error(world, login_as):
    """Found by the fuzz test: SQLite's lower() leaves "Ä" alone, so the second "ÄRZTE" got
    past the check and hit the unique index (a 500)."""
    client = login_as(world.admin)
    assert client.post("/admin/providers/new", data={"name": "ÄRZTE Trust"}).status_code == 302
    response = client.post("/admin/providers/new", data={"name": "ÄRZTE Trust"})
    assert response.status_code == 400
    assert "There is already a provider called ÄRZTE Trust" in response.get_data(as_text=True)
    url = f"/admin/providers/{world.southbay.id}/wards/new"
    assert client.post(url, data={"name": "Ölbaum Ward"}).status_code == 302
    response = client.post(url, data={"name": "Ölbaum Ward"})
    assert response.status_code == 400
    assert "already has a ward called Ölbaum Ward" in response.get_data(as_text=True)


def test_an_admin_adds_and_renames_a_ward(world, login_as):
    client = login_as(world.admin)
    client.post(f"/admin/providers/{world.southbay.id}/wards/new", data={"name": "Birch Ward"})
    ward = db.session.scalar(select(Ward).where(Ward.name == "Birch Ward"))
    assert ward.provider_id == world.southbay.id
    page = client.get(f"/admin/providers/{world.southbay.id}").get_data(as_text=True)
    assert "Birch Ward" in page and "Willow Ward" in page

    client.post(f"/admin/wards/{ward.id}/rename", data={"name": "Birch Unit"})
    db.session.refresh(ward)
    assert ward.name == "Birch Unit"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.ward_id == ward.id)).all()
    assert [e.event for e in events] == ["ward-added", "ward-renamed"]


def test_ward_names_are_unique_within_a_provider_only(world, login_as):
    client = login_as(world.admin)
    response = client.post(
        f"/admin/providers/{world.northfield.id}/wards/new", data={"name": "oak ward"}
    )
    assert response.status_code == 400
    assert "Northfield NHS Foundation Trust already has a ward called oak ward" in (
        response.get_data(as_text=True)
    )
    # Another provider may have a ward of the same name.
    response = client.post(
        f"/admin/providers/{world.southbay.id}/wards/new", data={"name": "Oak Ward"}
    )
    assert response.status_code == 302


def test_the_frameworks_page_lists_versions_use_and_checks(world, login_as):
    from tests.helpers import make_assessment

    make_assessment(world.oak, world.oak_lead)
    page = login_as(world.admin).get("/admin/frameworks").get_data(as_text=True)
    assert "blanket-restrictions" in page
    assert "domains" in page and "items" in page  # the engine's summary
    assert "No problems found" in page
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">1</td>' in page


def test_the_frameworks_page_shows_problems_in_the_files(world, login_as, app, tmp_path):
    broken = tmp_path / "frameworks" / "broken"
    broken.mkdir(parents=True)
    (broken / "framework.yaml").write_text("id: broken\n")
    app.config["FRAMEWORK_ROOT"] = str(tmp_path / "frameworks")
    response = login_as(world.admin).get("/admin/frameworks")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "problem" in page and "broken/framework.yaml" in page


def test_the_frameworks_page_warns_when_a_loaded_version_has_changed_on_disk(world, login_as):
    from app import frameworks
    from app.models import FrameworkRecord

    latest = frameworks.latest()
    db.session.add(
        FrameworkRecord(
            framework_id=latest.id, version=latest.version, title=latest.title, checksum="0" * 64
        )
    )
    db.session.commit()
    page = login_as(world.admin).get("/admin/frameworks").get_data(as_text=True)
    assert "A framework version has changed since it was loaded" in page
    assert f"{latest.id} {latest.version} on this server are not the ones recorded" in page
    assert page.count("Files changed since loaded") == 1
    db.session.execute(db.update(FrameworkRecord).values(checksum=latest.digest))
    db.session.commit()
    page = login_as(world.admin).get("/admin/frameworks").get_data(as_text=True)
    assert "changed since it was loaded" not in page and "Files changed" not in page
