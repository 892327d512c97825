"""A ward lead manages their own ward's team, and only theirs."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.access import lead_ward_ids, member_ward_ids
from app.extensions import db
from app.models import AuditEvent, User, Ward, WardMembership
from tests.conftest import login, make_user

NEW_PASSWORD = "lantern-orchard-42-river"


def team_url(ward, rest: str = "") -> str:
    return f"/wards/{ward.id}/team/{rest}"


def test_the_ward_page_links_a_lead_to_the_team_page(world, login_as):
    page = login_as(world.oak_lead).get(f"/wards/{world.oak.id}").get_data(as_text=True)
    assert f'href="{team_url(world.oak)}"' in page
    page = login_as(world.oak_member).get(f"/wards/{world.oak.id}").get_data(as_text=True)
    assert team_url(world.oak) not in page


def test_a_lead_sees_their_team(world, login_as):
    page = login_as(world.oak_lead).get(team_url(world.oak)).get_data(as_text=True)
    assert "Olivia Oak" in page and "Omar Oak" in page
    assert "Ward lead" in page and "Ward team member" in page
    assert "Wendy Willow" not in page


def test_team_pages_are_only_for_the_leads_of_that_ward(world, login_as):
    membership = world.oak_member.memberships[0]
    urls = [
        team_url(world.oak),
        team_url(world.oak, "add"),
        team_url(world.oak, "new"),
        team_url(world.oak, f"{membership.id}/role"),
        team_url(world.oak, f"{membership.id}/remove"),
    ]
    for who in (world.willow_lead, world.oak_member, world.commissioner, world.admin):
        client = login_as(who)
        for url in urls:
            assert client.get(url).status_code == 404, (who.email, url)
        assert client.post(urls[-1]).status_code == 404
    assert db.session.get(WardMembership, membership.id) is not None


def test_a_lead_cannot_reach_another_wards_members_through_their_own_ward(world, login_as):
    willow_lead = world.willow_lead.memberships[0]
    client = login_as(world.oak_lead)
    assert client.get(team_url(world.oak, f"{willow_lead.id}/role")).status_code == 404
    assert client.post(team_url(world.oak, f"{willow_lead.id}/remove")).status_code == 404
    assert db.session.get(WardMembership, willow_lead.id) is not None


def ash_lead(world) -> User:
    """A lead of Ash Ward, which belongs to Oak Ward's provider (Northfield)."""
    user = make_user("ash.lead@example.org", "Asha Ash")
    db.session.add(WardMembership(user=user, ward=world.ash, role="lead"))
    db.session.commit()
    return user


def test_a_lead_adds_someone_from_the_same_provider_by_email(world, login_as):
    asha = ash_lead(world)
    client = login_as(world.oak_lead)
    page = client.get(team_url(world.oak, "add")).get_data(as_text=True)
    assert "to work for Northfield NHS Foundation Trust" in page
    response = client.post(
        team_url(world.oak, "add"), data={"email": " Ash.Lead@example.org ", "role": "member"}
    )
    assert response.headers["Location"].endswith(team_url(world.oak))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Asha Ash has been added to the Oak Ward team as ward team member" in page
    db.session.refresh(asha)
    assert member_ward_ids(asha) == {world.oak.id, world.ash.id}
    assert lead_ward_ids(asha) == {world.ash.id}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "membership-added"))
    assert event.actor == "oak.lead@example.org" and event.ward_id == world.oak.id

    # Someone in no ward team yet (a new starter an administrator set up) can be added too.
    client.post(team_url(world.oak, "add"), data={"email": "nobody@example.org", "role": "member"})
    db.session.refresh(world.outsider)
    assert member_ward_ids(world.outsider) == {world.oak.id}


CANNOT_ADD = (
    "You cannot add this person from here. Check the email address, or ask an administrator "
    "to add them to the team"
)


def test_a_lead_can_only_add_their_own_providers_active_staff(world, login_as):
    """Another provider's staff, an administrator, a commissioner, a deactivated account and
    an address with no account all get the same answer: the page does not tell a lead who has
    an account."""
    deactivated = make_user("left@example.org", "Lee Left")
    deactivated.active = False
    db.session.commit()
    client = login_as(world.oak_lead)
    for email in (
        "willow.lead@example.org",  # Southbay's ward lead
        "admin@example.org",
        "commissioner@example.org",
        "left@example.org",
        "new.nurse@example.org",  # no account
    ):
        response = client.post(team_url(world.oak, "add"), data={"email": email, "role": "lead"})
        page = response.get_data(as_text=True)
        assert response.status_code == 400, email
        assert 'href="#email"' in page and CANNOT_ADD in page, email
        assert "No account" not in page
    assert {m.user.email for m in db.session.get(Ward, world.oak.id).memberships} == {
        "oak.lead@example.org",
        "oak.member@example.org",
    }
    # An administrator can still add them from the administration pages.
    client = login_as(world.admin)
    client.post(
        f"/admin/users/{world.willow_lead.id}/wards/add",
        data={"ward_id": world.oak.id, "role": "member"},
    )
    db.session.refresh(world.willow_lead)
    assert member_ward_ids(world.willow_lead) == {world.oak.id, world.willow.id}


def test_a_lead_cannot_add_someone_who_also_works_for_another_provider(world, login_as):
    asha = ash_lead(world)
    db.session.add(WardMembership(user=asha, ward=world.willow, role="member"))
    db.session.commit()
    client = login_as(world.oak_lead)
    response = client.post(
        team_url(world.oak, "add"), data={"email": "ash.lead@example.org", "role": "member"}
    )
    assert CANNOT_ADD in response.get_data(as_text=True)
    db.session.refresh(asha)
    assert world.oak.id not in member_ward_ids(asha)


def test_adding_by_email_explains_existing_members(world, login_as):
    client = login_as(world.oak_lead)
    response = client.post(
        team_url(world.oak, "add"), data={"email": "oak.member@example.org", "role": "lead"}
    )
    assert "Omar Oak is already in the Oak Ward team" in response.get_data(as_text=True)


def test_a_lead_creates_an_account_for_a_new_member(world, login_as, app):
    client = login_as(world.oak_lead)
    response = client.post(
        team_url(world.oak, "new"),
        data={
            "name": "Nia Nurse",
            "email": "Nia.Nurse@example.org",
            "password": NEW_PASSWORD,
            "role": "member",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nia.nurse@example.org"))
    assert user.ward_role(world.oak.id) == "member" and not user.is_admin
    assert login(app.test_client(), "nia.nurse@example.org", NEW_PASSWORD).status_code == 302
    names = {e.event for e in db.session.scalars(select(AuditEvent))}
    assert {"user-created", "membership-added"} <= names


def test_a_new_member_account_checks_the_password_and_email(world, login_as):
    client = login_as(world.oak_lead)
    response = client.post(
        team_url(world.oak, "new"),
        data={"name": "Nia Nurse", "email": "oak.member@example.org", "password": "short"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#password"' in page and "Password must be 12 characters or more" in page
    response = client.post(
        team_url(world.oak, "new"),
        data={"name": "Nia Nurse", "email": "oak.member@example.org", "password": NEW_PASSWORD},
    )
    page = response.get_data(as_text=True)
    assert 'href="#email"' in page and "An account already uses this email address" in page
    assert db.session.scalar(select(User).where(User.name == "Nia Nurse")) is None


def test_a_lead_changes_roles_and_removes_members(world, login_as):
    client = login_as(world.oak_lead)
    membership = world.oak_member.memberships[0]
    client.post(team_url(world.oak, f"{membership.id}/role"), data={"role": "lead"})
    db.session.refresh(membership)
    assert membership.role == "lead"

    page = client.get(team_url(world.oak, f"{membership.id}/remove")).get_data(as_text=True)
    assert "Remove Omar Oak from the Oak Ward team?" in page and "Remove from team" in page
    response = client.post(team_url(world.oak, f"{membership.id}/remove"))
    assert response.headers["Location"].endswith(team_url(world.oak))
    assert "Omar Oak has been removed" in client.get(team_url(world.oak)).get_data(as_text=True)
    assert db.session.get(WardMembership, membership.id) is None
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.ward_id == world.oak.id)).all()
    assert [r.event for r in rows if r.event.startswith("membership")] == [
        "membership-role-changed",
        "membership-removed",
    ]


def test_the_last_lead_cannot_be_removed_or_step_down(world, login_as):
    client = login_as(world.oak_lead)
    own = world.oak_lead.memberships[0]
    page = client.get(team_url(world.oak, f"{own.id}/remove")).get_data(as_text=True)
    assert "Olivia Oak is the only ward lead of Oak Ward" in page
    assert "Remove from team</button>" not in page

    response = client.post(team_url(world.oak, f"{own.id}/remove"))
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    response = client.post(team_url(world.oak, f"{own.id}/role"), data={"role": "member"})
    assert response.status_code == 400
    assert 'href="#role"' in response.get_data(as_text=True)
    db.session.refresh(own)
    assert own.role == "lead"


def test_a_lead_can_step_down_once_there_is_another_lead(world, login_as):
    client = login_as(world.oak_lead)
    other = world.oak_member.memberships[0]
    client.post(team_url(world.oak, f"{other.id}/role"), data={"role": "lead"})
    own = world.oak_lead.memberships[0]
    response = client.post(team_url(world.oak, f"{own.id}/role"), data={"role": "member"})
    assert response.headers["Location"].endswith(f"/wards/{world.oak.id}")
    db.session.refresh(world.oak_lead)
    assert lead_ward_ids(world.oak_lead) == set()
    assert client.get(team_url(world.oak)).status_code == 404


def test_reset_links_are_offered_only_where_the_viewer_may_create_them(
    app, client, world, login_as
):
    login_as(world.admin)
    page = client.get(f"/admin/users/{world.oak_member.id}").get_data(as_text=True)
    assert f"/users/{world.oak_member.id}/reset-link" in page
    login_as(world.oak_lead)
    page = client.get(f"/wards/{world.oak.id}/team/").get_data(as_text=True)
    assert f"/users/{world.oak_member.id}/reset-link" in page
    assert client.get(f"/users/{world.oak_member.id}/reset-link").status_code == 200


def current_header_items(page: str) -> list[str]:
    items = re.findall(
        r'<li class="nhsuk-header__navigation-item([^"]*)".*?>(.*?)</li>', page, flags=re.S
    )
    return [re.sub(r"<[^>]+>|\s+", "", text) for classes, text in items if "--current" in classes]


def test_the_header_marks_your_wards_on_the_team_pages(world, login_as):
    # An administrator who also leads Oak sees both header links.
    db.session.add(WardMembership(user=world.admin, ward=world.oak, role="lead"))
    db.session.commit()
    client = login_as(world.admin)
    for url in (team_url(world.oak), team_url(world.oak, "add"), team_url(world.oak, "new")):
        assert current_header_items(client.get(url).get_data(as_text=True)) == ["Yourwards"], url
    page = client.get("/admin/users").get_data(as_text=True)
    assert current_header_items(page) == ["Administration"]
