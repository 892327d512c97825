"""Administrators manage user accounts, ward memberships and commissioner remits."""

from __future__ import annotations

from sqlalchemy import select

from app.access import commissioned_provider_ids, commissioned_wards_query, member_ward_ids
from app.auth.passwords import check_password
from app.extensions import db
from app.models import AuditEvent, CommissionerRemit, User, WardMembership
from tests.conftest import PASSWORD, login

NEW_PASSWORD = "lantern-orchard-42-river"


def events(name: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.event == name)))


def test_an_admin_creates_an_account_that_can_sign_in(world, login_as, client):
    login_as(world.admin)
    response = client.post(
        "/admin/users/new",
        data={
            "name": "Priya Patel",
            "email": " Priya.Patel@Example.ORG ",
            "password": NEW_PASSWORD,
        },
    )
    user = db.session.scalar(select(User).where(User.email == "priya.patel@example.org"))
    assert user is not None and user.name == "Priya Patel" and not user.is_admin
    assert check_password(user.password_hash, NEW_PASSWORD)
    assert response.headers["Location"].endswith(f"/admin/users/{user.id}")
    assert "An account has been created for Priya Patel" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    (event,) = events("user-created")
    assert event.after == {
        "name": "Priya Patel",
        "email": "priya.patel@example.org",
        "is_admin": False,
    }
    assert "password" not in str(event.after)

    client.post("/logout")
    assert login(client, "PRIYA.PATEL@example.org", NEW_PASSWORD).status_code == 302


def test_a_new_account_needs_a_good_password(world, login_as):
    client = login_as(world.admin)
    for password, message in [
        ("short", "Password must be 12 characters or more"),
        ("password1234", "Password is too common"),
        ("priya.patel-secret", "Password must not contain your email address"),
        ("", "Enter an initial password"),
    ]:
        response = client.post(
            "/admin/users/new",
            data={"name": "Priya Patel", "email": "priya.patel@example.org", "password": password},
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 400, password
        assert "There is a problem" in page and 'href="#password"' in page
        assert message in page, password
        assert 'value="Priya Patel"' in page  # what was typed stays
    assert db.session.scalar(select(User).where(User.name == "Priya Patel")) is None


def test_an_email_address_can_only_have_one_account(world, login_as):
    client = login_as(world.admin)
    response = client.post(
        "/admin/users/new",
        data={"name": "Olivia Again", "email": "OAK.LEAD@example.org", "password": NEW_PASSWORD},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#email"' in page
    assert "An account already uses this email address" in page
    response = client.post(
        "/admin/users/new", data={"name": "X", "email": "not-an-email", "password": NEW_PASSWORD}
    )
    assert "Enter an email address in the correct format" in response.get_data(as_text=True)


def test_the_user_list_searches_by_name_and_email(world, login_as):
    client = login_as(world.admin)
    page = client.get("/admin/users?q=OAK").get_data(as_text=True)
    assert "Olivia Oak" in page and "Omar Oak" in page
    assert "Wendy Willow" not in page
    page = client.get("/admin/users?q=willow.lead@").get_data(as_text=True)
    assert "Wendy Willow" in page and "Olivia Oak" not in page
    page = client.get("/admin/users").get_data(as_text=True)
    assert all(u.name in page for u in (world.admin, world.commissioner, world.outsider))


def test_an_admin_renames_a_person_and_makes_them_an_administrator(world, login_as):
    client = login_as(world.admin)
    client.post(f"/admin/users/{world.outsider.id}/name", data={"name": "Nora North"})
    client.post(f"/admin/users/{world.outsider.id}/make-admin")
    db.session.refresh(world.outsider)
    assert world.outsider.name == "Nora North" and world.outsider.is_admin
    assert events("user-renamed")[0].before == {"name": "Nora Nobody"}
    assert events("user-admin-changed")[0].after == {"is_admin": True}

    client.post(f"/admin/users/{world.outsider.id}/remove-admin")
    db.session.refresh(world.outsider)
    assert not world.outsider.is_admin


def test_an_admin_cannot_lock_themselves_out(world, login_as):
    client = login_as(world.admin)
    response = client.post(f"/admin/users/{world.admin.id}/remove-admin")
    assert "You cannot remove your own administrator access" in response.get_data(as_text=True)
    response = client.post(f"/admin/users/{world.admin.id}/deactivate")
    assert "You cannot deactivate your own account" in response.get_data(as_text=True)
    db.session.refresh(world.admin)
    assert world.admin.is_admin and world.admin.active


def test_a_deactivated_person_is_signed_out_and_cannot_sign_in(world, app, login_as):
    member = app.test_client()
    assert login(member, world.oak_member).status_code == 302
    assert member.get(f"/wards/{world.oak.id}").status_code == 200

    admin = login_as(world.admin)
    page = admin.get(f"/admin/users/{world.oak_member.id}/deactivate").get_data(as_text=True)
    assert "Deactivate account" in page
    admin.post(f"/admin/users/{world.oak_member.id}/deactivate")
    db.session.refresh(world.oak_member)
    assert not world.oak_member.active
    assert events("user-deactivated")[0].after == {"active": False}

    assert member.get(f"/wards/{world.oak.id}").status_code == 302  # signed out
    response = login(member, world.oak_member)
    assert response.status_code == 400
    assert "Enter a correct email address and password" in response.get_data(as_text=True)

    admin.post(f"/admin/users/{world.oak_member.id}/reactivate")
    assert login(member, world.oak_member, PASSWORD).status_code == 302


def test_the_user_page_has_a_place_for_the_password_reset_button(world, login_as):
    from pathlib import Path

    template = Path(__file__).parents[2] / "templates/admin/user.html"
    assert 'include "auth/_password_reset_button.html" ignore missing' in template.read_text()
    assert login_as(world.admin).get(f"/admin/users/{world.oak_member.id}").status_code == 200


def test_a_person_can_belong_to_several_wards_with_different_roles(world, login_as):
    client = login_as(world.admin)
    response = client.post(
        f"/admin/users/{world.oak_member.id}/wards/add",
        data={"ward_id": world.willow.id, "role": "lead"},
    )
    assert response.status_code == 302
    db.session.refresh(world.oak_member)
    assert member_ward_ids(world.oak_member) == {world.oak.id, world.willow.id}
    assert world.oak_member.ward_role(world.willow.id) == "lead"
    assert world.oak_member.ward_role(world.oak.id) == "member"
    assert events("membership-added")[0].after["role"] == "lead"

    response = client.post(
        f"/admin/users/{world.oak_member.id}/wards/add",
        data={"ward_id": world.oak.id, "role": "lead"},
    )
    assert "Omar Oak is already in the Oak Ward team" in response.get_data(as_text=True)
    response = client.post(f"/admin/users/{world.oak_member.id}/wards/add", data={"ward_id": 0})
    page = response.get_data(as_text=True)
    assert 'href="#ward_id"' in page and "Select a ward" in page


def test_an_admin_changes_a_role_and_removes_a_membership(world, login_as):
    client = login_as(world.admin)
    membership = world.oak_member.memberships[0]
    client.post(f"/admin/memberships/{membership.id}/role", data={"role": "lead"})
    db.session.refresh(membership)
    assert membership.role == "lead"
    (event,) = events("membership-role-changed")
    assert (event.before["role"], event.after["role"]) == ("member", "lead")
    assert event.ward_id == world.oak.id

    page = client.get(f"/admin/memberships/{membership.id}/remove").get_data(as_text=True)
    assert "Remove Omar Oak from the Oak Ward team?" in page
    response = client.post(f"/admin/memberships/{membership.id}/remove?from=ward")
    assert response.headers["Location"].endswith(f"/admin/wards/{world.oak.id}")
    assert db.session.get(WardMembership, membership.id) is None
    assert events("membership-removed")[0].before["user"] == "oak.member@example.org"


def test_remits_set_what_a_commissioner_can_review(world, login_as):
    client = login_as(world.admin)
    commissioner = world.commissioner
    assert commissioned_provider_ids(commissioner) == {world.northfield.id}

    client.post(
        f"/admin/users/{commissioner.id}/remits/add", data={"provider_id": world.southbay.id}
    )
    db.session.refresh(commissioner)
    assert commissioned_provider_ids(commissioner) == {world.northfield.id, world.southbay.id}
    wards = set(db.session.scalars(commissioned_wards_query(commissioner)))
    assert wards == {world.oak, world.ash, world.willow}
    assert events("remit-added")[0].after == {
        "user": "commissioner@example.org",
        "provider": "Southbay Healthcare",
    }

    response = client.post(
        f"/admin/users/{commissioner.id}/remits/add", data={"provider_id": world.southbay.id}
    )
    assert "Chris Commissioner already commissions Southbay Healthcare" in response.get_data(
        as_text=True
    )

    northfield = db.session.scalar(
        select(CommissionerRemit).where(CommissionerRemit.provider_id == world.northfield.id)
    )
    client.post(f"/admin/remits/{northfield.id}/remove")
    db.session.refresh(commissioner)
    assert commissioned_provider_ids(commissioner) == {world.southbay.id}
    assert set(db.session.scalars(commissioned_wards_query(commissioner))) == {world.willow}
    assert events("remit-removed")[0].before["provider"] == "Northfield NHS Foundation Trust"


def test_a_new_commissioner_can_open_the_review_pages(world, login_as):
    client = login_as(world.admin)
    client.post(
        f"/admin/users/{world.outsider.id}/remits/add", data={"provider_id": world.southbay.id}
    )
    db.session.refresh(world.outsider)
    assert world.outsider.is_commissioner
    assert commissioned_provider_ids(world.outsider) == {world.southbay.id}


def test_an_admin_is_not_offered_changes_to_their_own_access(world, login_as):
    client = login_as(world.admin)
    page = client.get(f"/admin/users/{world.admin.id}").get_data(as_text=True)
    assert f"/admin/users/{world.admin.id}/deactivate" not in page
    assert f"/admin/users/{world.admin.id}/remove-admin" not in page
    page = client.get(f"/admin/users/{world.oak_member.id}").get_data(as_text=True)
    assert f"/admin/users/{world.oak_member.id}/deactivate" in page

    for change, reason in [
        ("deactivate", "You cannot deactivate your own account"),
        ("remove-admin", "You cannot remove your own administrator access"),
    ]:
        response = client.get(f"/admin/users/{world.admin.id}/{change}")
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "This cannot be done" in page and reason in page
        assert 'id="main-form"' not in page, change  # no button to press


def test_a_ward_keeps_a_lead_who_can_sign_in(world, login_as):
    """Omar is made a second lead of Oak, then deactivated: Olivia is still the only lead who
    can sign in, so she cannot step down or leave."""
    client = login_as(world.admin)
    omar = world.oak_member.memberships[0]
    client.post(f"/admin/memberships/{omar.id}/role", data={"role": "lead"})
    response = client.post(f"/admin/users/{world.oak_member.id}/deactivate")
    assert response.status_code == 302  # Olivia can still sign in and lead Oak
    db.session.refresh(world.oak_member)
    assert not world.oak_member.active

    olivia = world.oak_lead.memberships[0]
    page = client.get(f"/admin/memberships/{olivia.id}/remove").get_data(as_text=True)
    assert "Olivia Oak is the only ward lead of Oak Ward with an active account" in page
    assert 'id="main-form"' not in page
    response = client.post(f"/admin/memberships/{olivia.id}/role", data={"role": "member"})
    assert response.status_code == 400
    assert "the only ward lead of Oak Ward with an active account" in response.get_data(
        as_text=True
    )
    db.session.refresh(olivia)
    assert olivia.role == "lead"

    # Removing the deactivated lead leaves Olivia, who can sign in: allowed.
    client.post(f"/admin/memberships/{omar.id}/remove")
    assert db.session.get(WardMembership, omar.id) is None


def test_the_only_lead_who_can_sign_in_cannot_be_deactivated(world, login_as):
    client = login_as(world.admin)
    response = client.get(f"/admin/users/{world.oak_lead.id}/deactivate")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        "Olivia Oak is the only ward lead with an active account of Oak Ward "
        "(Northfield NHS Foundation Trust). Make someone else a ward lead of that ward first."
    ) in page
    assert 'id="main-form"' not in page

    response = client.post(f"/admin/users/{world.oak_lead.id}/deactivate")
    assert response.status_code == 400
    db.session.refresh(world.oak_lead)
    assert world.oak_lead.active
    assert events("user-deactivated") == []

    # Once Omar leads Oak too, Olivia can be deactivated.
    omar = world.oak_member.memberships[0]
    client.post(f"/admin/memberships/{omar.id}/role", data={"role": "lead"})
    page = client.get(f"/admin/users/{world.oak_lead.id}/deactivate").get_data(as_text=True)
    assert "Deactivate account" in page and "This cannot be done" not in page
    assert client.post(f"/admin/users/{world.oak_lead.id}/deactivate").status_code == 302
    db.session.refresh(world.oak_lead)
    assert not world.oak_lead.active


def test_deactivating_names_every_ward_left_without_a_lead(world, login_as):
    client = login_as(world.admin)
    client.post(
        f"/admin/users/{world.oak_lead.id}/wards/add",
        data={"ward_id": world.willow.id, "role": "lead"},
    )
    client.post(
        f"/admin/users/{world.oak_lead.id}/wards/add",
        data={"ward_id": world.ash.id, "role": "lead"},
    )
    page = client.get(f"/admin/users/{world.oak_lead.id}/deactivate").get_data(as_text=True)
    # Willow still has Wendy; Ash and Oak would have nobody.
    assert (
        "the only ward lead with an active account of Ash Ward (Northfield NHS Foundation "
        "Trust) and Oak Ward (Northfield NHS Foundation Trust). Make someone else a ward lead "
        "of those wards first."
    ) in page
    assert "Willow" not in page
