"""Administration: providers, wards, users, ward teams, commissioner remits and frameworks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from .. import frameworks
from ..access import allow, provider_or_404, user_or_404, ward_or_404
from ..engine import FrameworkError, validate
from ..extensions import db
from ..models import WARD_ROLES, CommissionerRemit, Provider, User, Ward, WardMembership
from . import services, team
from .forms import (
    ConfirmForm,
    MembershipForm,
    NewUserForm,
    ProviderForm,
    RemitForm,
    UserNameForm,
    WardForm,
)
from .pages import confirm_page, form_page, remove_page, rename_page, role_page, save

# Administration pages live under /admin; the ward team pages (team.py) under /wards.
bp = Blueprint("admin", __name__)
bp.register_blueprint(team.bp)


@bp.get("/admin/")
@allow("admin")
def index():
    counts = {
        "providers": db.session.scalar(select(func.count()).select_from(Provider)),
        "wards": db.session.scalar(select(func.count()).select_from(Ward)),
        "users": db.session.scalar(select(func.count()).select_from(User)),
    }
    return render_template("admin/index.html", counts=counts)


# --- providers and wards -----------------------------------------------------------------


@bp.get("/admin/providers")
@allow("admin")
def providers():
    rows = db.session.scalars(select(Provider).order_by(func.lower(Provider.name))).all()
    return render_template("admin/providers.html", providers=rows)


@bp.route("/admin/providers/new", methods=["GET", "POST"])
@allow("admin")
def provider_new():
    form = ProviderForm()
    created = []
    if save(form, lambda: created.append(services.add_provider(form.name.data))):
        flash(f"{created[0].name} has been added.", "success")
        return redirect(url_for(".provider", provider_id=created[0].id))
    return form_page(
        form, title="Add a provider", button="Add provider", back_url=url_for(".providers")
    )


provider_new.resubmittable = True


@bp.get("/admin/providers/<int:provider_id>")
@allow("admin")
def provider(provider_id: int):
    provider = provider_or_404(provider_id)
    commissioners = db.session.scalars(
        select(User)
        .join(CommissionerRemit)
        .where(CommissionerRemit.provider_id == provider.id)
        .order_by(func.lower(User.name))
    ).all()
    return render_template("admin/provider.html", provider=provider, commissioners=commissioners)


@bp.route("/admin/providers/<int:provider_id>/rename", methods=["GET", "POST"])
@allow("admin")
def provider_rename(provider_id: int):
    provider = provider_or_404(provider_id)
    return rename_page(
        provider,
        ProviderForm(obj=provider),
        services.rename_provider,
        done="The provider is now called {name}.",
        back_url=url_for(".provider", provider_id=provider.id),
        title="Rename the provider",
    )


provider_rename.resubmittable = True


@bp.route("/admin/providers/<int:provider_id>/wards/new", methods=["GET", "POST"])
@allow("admin")
def ward_new(provider_id: int):
    provider = provider_or_404(provider_id)
    form = WardForm()
    created = []
    if save(form, lambda: created.append(services.add_ward(provider, form.name.data))):
        flash(f"{created[0].name} has been added to {provider.name}.", "success")
        return redirect(url_for(".provider", provider_id=provider.id))
    return form_page(
        form,
        title="Add a ward",
        caption=provider.name,
        button="Add ward",
        back_url=url_for(".provider", provider_id=provider.id),
    )


ward_new.resubmittable = True


@bp.get("/admin/wards/<int:ward_id>")
@allow("admin")
def ward(ward_id: int):
    ward = ward_or_404(ward_id, need="admin")
    return render_template(
        "admin/ward.html", ward=ward, members=services.team(ward), roles=WARD_ROLES
    )


@bp.route("/admin/wards/<int:ward_id>/rename", methods=["GET", "POST"])
@allow("admin")
def ward_rename(ward_id: int):
    ward = ward_or_404(ward_id, need="admin")
    return rename_page(
        ward,
        WardForm(obj=ward),
        services.rename_ward,
        done="The ward is now called {name}.",
        back_url=url_for(".ward", ward_id=ward.id),
        title="Rename the ward",
        caption=ward.provider.name,
    )


ward_rename.resubmittable = True


# --- users -------------------------------------------------------------------------------


@bp.get("/admin/users")
@allow("admin")
def users():
    query = request.args.get("q", "")[:200]
    page = services.search_users(query, request.args.get("page", 1, type=int))
    return render_template("admin/users.html", query=query, page=page)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@allow("admin")
def user_new():
    form = NewUserForm()
    created = []
    change = lambda: created.append(  # noqa: E731
        services.create_user(form.name.data, form.email.data, form.password.data)
    )
    if save(form, change):
        flash(f"An account has been created for {created[0].name}.", "success")
        return redirect(url_for(".user", user_id=created[0].id))
    return form_page(form, title="Add a user", button="Create account", back_url=url_for(".users"))


user_new.resubmittable = True


@bp.get("/admin/users/<int:user_id>")
@allow("admin")
def user(user_id: int):
    user = user_or_404(user_id)
    memberships = sorted(user.memberships, key=lambda m: m.ward.full_name)
    remits = sorted(user.remits, key=lambda r: r.provider.name)
    return render_template(
        "admin/user.html", user=user, memberships=memberships, remits=remits, roles=WARD_ROLES
    )


@bp.route("/admin/users/<int:user_id>/name", methods=["GET", "POST"])
@allow("admin")
def user_name(user_id: int):
    user = user_or_404(user_id)
    return rename_page(
        user,
        UserNameForm(obj=user),
        services.rename_user,
        done="The name has been changed to {name}.",
        back_url=url_for(".user", user_id=user.id),
        title="Change the name",
        caption=user.email,
    )


user_name.resubmittable = True


@dataclass(frozen=True)
class AccountChange:
    title: str
    body: str
    button: str
    done: str
    apply: Callable[[User, User], None]
    warning: bool = False
    # Why the change cannot be made, shown in place of the button before anyone presses it.
    problem: Callable[[User, User], str | None] = lambda user, actor: None


ACCOUNT_CHANGES = {
    "make-admin": AccountChange(
        title="Make {name} an administrator?",
        body="Administrators manage providers, wards, user accounts and ward teams.",
        button="Make administrator",
        done="{name} is now an administrator.",
        apply=lambda user, actor: services.set_admin(user, True, actor),
    ),
    "remove-admin": AccountChange(
        title="Remove {name}’s administrator access?",
        body="They keep their ward team roles and commissioner remits.",
        button="Remove administrator access",
        done="{name} is no longer an administrator.",
        apply=lambda user, actor: services.set_admin(user, False, actor),
        warning=True,
        problem=services.remove_admin_problem,
    ),
    "deactivate": AccountChange(
        title="Deactivate {name}’s account?",
        body=(
            "They are signed out straight away and cannot sign in until the account is "
            "reactivated. Their answers, actions and team roles stay."
        ),
        button="Deactivate account",
        done="{name}’s account has been deactivated.",
        apply=lambda user, actor: services.set_active(user, False, actor),
        warning=True,
        problem=services.deactivate_problem,
    ),
    "reactivate": AccountChange(
        title="Reactivate {name}’s account?",
        body="They can sign in again with their password.",
        button="Reactivate account",
        done="{name}’s account has been reactivated.",
        apply=lambda user, actor: services.set_active(user, True, actor),
    ),
}


@bp.route(
    "/admin/users/<int:user_id>/<any('make-admin', 'remove-admin', 'deactivate', 'reactivate'):change>",
    methods=["GET", "POST"],
)
@allow("admin")
def user_change(user_id: int, change: str):
    user = user_or_404(user_id)
    spec = ACCOUNT_CHANGES[change]
    form = ConfirmForm()
    actor = current_user._get_current_object()
    if save(form, lambda: spec.apply(user, actor)):
        flash(spec.done.format(name=user.name), "success")
        return redirect(url_for(".user", user_id=user.id))
    return confirm_page(
        form,
        title=spec.title.format(name=user.name),
        caption=user.email,
        body=spec.body,
        problem=spec.problem(user, actor),
        button=spec.button,
        warning=spec.warning,
        back_url=url_for(".user", user_id=user.id),
    )


# --- ward memberships and remits ---------------------------------------------------------


@bp.route("/admin/users/<int:user_id>/wards/add", methods=["GET", "POST"])
@allow("admin")
def membership_new(user_id: int):
    user = user_or_404(user_id)
    form = MembershipForm(services.all_wards())

    def change():
        ward = ward_or_404(form.ward_id.data, need="admin")
        services.add_membership(user, ward, form.role.data)

    if save(form, change):
        flash(f"{user.name} has been added to a ward team.", "success")
        return redirect(url_for(".user", user_id=user.id))
    return form_page(
        form,
        title=f"Add {user.name} to a ward team",
        caption=user.email,
        button="Add to ward team",
        back_url=url_for(".user", user_id=user.id),
    )


def _membership_or_404(membership_id: int) -> WardMembership:
    membership = db.session.get(WardMembership, membership_id)
    if membership is None:
        abort(404)
    return membership


def _membership_urls(membership: WardMembership) -> str:
    """Back to the page the admin came from: the ward's team or the person's account."""
    if request.args.get("from") == "ward":
        return url_for(".ward", ward_id=membership.ward_id)
    return url_for(".user", user_id=membership.user_id)


@bp.route("/admin/memberships/<int:membership_id>/role", methods=["GET", "POST"])
@allow("admin")
def membership_role(membership_id: int):
    membership = _membership_or_404(membership_id)
    back = _membership_urls(membership)
    return role_page(membership, done_url=back, back_url=back)


membership_role.resubmittable = True


@bp.route("/admin/memberships/<int:membership_id>/remove", methods=["GET", "POST"])
@allow("admin")
def membership_remove(membership_id: int):
    membership = _membership_or_404(membership_id)
    back = _membership_urls(membership)
    return remove_page(membership, done_url=back, back_url=back)


@bp.route("/admin/users/<int:user_id>/remits/add", methods=["GET", "POST"])
@allow("admin")
def remit_new(user_id: int):
    user = user_or_404(user_id)
    form = RemitForm(db.session.scalars(select(Provider).order_by(Provider.name)).all())

    def change():
        services.add_remit(user, provider_or_404(form.provider_id.data))

    if save(form, change):
        flash(f"{user.name} can now review the provider’s submitted assessments.", "success")
        return redirect(url_for(".user", user_id=user.id))
    return form_page(
        form,
        title=f"Give {user.name} a commissioner remit",
        caption=user.email,
        intro=(
            "A commissioner reads the submitted assessments and action plans of every ward "
            "of the providers in their remit. They cannot change anything."
        ),
        button="Add remit",
        back_url=url_for(".user", user_id=user.id),
    )


@bp.route("/admin/remits/<int:remit_id>/remove", methods=["GET", "POST"])
@allow("admin")
def remit_remove(remit_id: int):
    remit = db.session.get(CommissionerRemit, remit_id)
    if remit is None:
        abort(404)
    user, provider_name = remit.user, remit.provider.name
    form = ConfirmForm()
    if save(form, lambda: services.remove_remit(remit)):
        flash(f"{user.name} no longer has a remit for {provider_name}.", "success")
        return redirect(url_for(".user", user_id=user.id))
    return confirm_page(
        form,
        title=f"Remove {user.name}’s remit for {provider_name}?",
        caption=user.email,
        body=f"They will no longer see {provider_name}’s wards, assessments or action plans.",
        button="Remove remit",
        warning=True,
        back_url=url_for(".user", user_id=user.id),
    )


# --- frameworks --------------------------------------------------------------------------


@bp.get("/admin/frameworks")
@allow("admin")
def frameworks_page():
    try:
        on_disk = frameworks.registry()
    except FrameworkError:
        on_disk = {}  # the problems below say why
    root = current_app.config["FRAMEWORK_ROOT"]
    return render_template(
        "admin/frameworks.html",
        versions=services.framework_versions(on_disk),
        problems=validate(root),
    )
