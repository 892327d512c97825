"""A ward lead's Team page: who is in their ward team, adding people, roles and removals."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import allow, ward_or_404
from ..extensions import db
from ..models import WARD_ROLES, WardMembership
from . import services
from .forms import TeamAddForm, TeamNewAccountForm
from .pages import form_page, remove_page, role_page, save

bp = Blueprint("team", __name__, url_prefix="/wards/<int:ward_id>/team")

CANNOT_ADD = (
    "You cannot add this person from here. Check the email address, or ask an administrator "
    "to add them to the team"
)


def _membership_or_404(ward, membership_id: int) -> WardMembership:
    membership = db.session.get(WardMembership, membership_id)
    if membership is None or membership.ward_id != ward.id:
        abort(404)
    return membership


def _ward_page(ward) -> str:
    return url_for("assessments.ward", ward_id=ward.id)


def _added(membership: WardMembership):
    flash(
        f"{membership.user.name} has been added to the {membership.ward.name} team as "
        f"{WARD_ROLES[membership.role].lower()}.",
        "success",
    )
    return redirect(url_for(".members", ward_id=membership.ward_id))


@bp.get("/")
@allow("ward")
def members(ward_id: int):
    ward = ward_or_404(ward_id, need="lead")
    return render_template(
        "admin/team.html", ward=ward, members=services.team(ward), roles=WARD_ROLES
    )


@bp.route("/add", methods=["GET", "POST"])
@allow("ward")
def add(ward_id: int):
    ward = ward_or_404(ward_id, need="lead")
    form = TeamAddForm()
    added = []

    def change():
        user = services.user_by_email(form.email.data)
        # One message whether or not the address has an account, so the page cannot be
        # used to find out who has one.
        if user is None or not services.lead_may_add(user, ward):
            raise services.Refused(CANNOT_ADD, "email")
        added.append(services.add_membership(user, ward, form.role.data))

    if save(form, change):
        return _added(added[0])
    return form_page(
        form,
        title="Add someone to the team",
        caption=ward.full_name,
        intro=(
            f"They need an account already, and to work for {ward.provider.name}. Find them by "
            "the email address they sign in with. An administrator can add anyone else."
        ),
        button="Add to team",
        back_url=url_for(".members", ward_id=ward.id),
        other_link={
            "href": url_for(".new_account", ward_id=ward.id),
            "text": "Create an account for someone new instead",
        },
    )


add.resubmittable = True


@bp.route("/new", methods=["GET", "POST"])
@allow("ward")
def new_account(ward_id: int):
    ward = ward_or_404(ward_id, need="lead")
    form = TeamNewAccountForm()
    added = []

    def change():
        user = services.create_user(form.name.data, form.email.data, form.password.data)
        added.append(services.add_membership(user, ward, form.role.data))

    if save(form, change):
        return _added(added[0])
    return form_page(
        form,
        title="Create an account for a new team member",
        caption=ward.full_name,
        button="Create account and add to team",
        back_url=url_for(".members", ward_id=ward.id),
    )


new_account.resubmittable = True


@bp.route("/<int:membership_id>/role", methods=["GET", "POST"])
@allow("ward")
def role(ward_id: int, membership_id: int):
    ward = ward_or_404(ward_id, need="lead")
    membership = _membership_or_404(ward, membership_id)
    back = url_for(".members", ward_id=ward.id)
    # A lead who steps down to member can no longer see the team page.
    done = back if membership.user_id != current_user.id else _ward_page(ward)
    return role_page(membership, done_url=done, back_url=back)


role.resubmittable = True


@bp.route("/<int:membership_id>/remove", methods=["GET", "POST"])
@allow("ward")
def remove(ward_id: int, membership_id: int):
    ward = ward_or_404(ward_id, need="lead")
    membership = _membership_or_404(ward, membership_id)
    back = url_for(".members", ward_id=ward.id)
    # A lead who removes themselves can no longer see the team page.
    done = back if membership.user_id != current_user.id else url_for("assessments.home")
    return remove_page(membership, done_url=done, back_url=back)
