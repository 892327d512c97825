"""How administration and ward team pages save a change, and the pages both kinds share."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template

from ..extensions import db
from ..models import WARD_ROLES, WardMembership
from .forms import ConfirmForm, RoleForm
from .services import Refused, change_role, last_lead_problem, remove_membership


def save(form, change: Callable[[], object]) -> bool:
    """Validate a posted form and make the change; a refusal becomes an error on its field.

    True when the change was made and committed. False re-shows the form with its errors.
    """
    if not form.validate_on_submit():
        return False
    try:
        change()
    except Refused as refused:
        db.session.rollback()
        fields = [f for f in form if f.name != "csrf_token"]
        for name, message in refused.problems.items():
            if not fields:
                form.refusal = message  # a confirmation page shows it in place of its button
                continue
            # A refusal about something not on this form goes on its first field.
            field = form[name] if name in form else fields[0]
            field.errors = [*field.errors, message]
        return False
    db.session.commit()
    return True


def form_page(form, **page) -> tuple[str, int]:
    """The one form layout every add, rename and choose page uses."""
    return render_template("admin/form.html", form=form, **page), (400 if form.errors else 200)


def confirm_page(form, **page) -> tuple[str, int]:
    """A page that says what will happen, with one button (or why it cannot happen)."""
    failed = bool(form.errors or form.refusal)
    return render_template("admin/confirm.html", form=form, **page), (400 if failed else 200)


def rename_page(
    thing, form, rename: Callable[[object, str], None], done: str, back_url: str, **page
):
    """Change the name of a provider, ward or person. `done` is formatted with the new name."""
    if save(form, lambda: rename(thing, form.name.data)):
        flash(done.format(name=thing.name), "success")
        return redirect(back_url)
    return form_page(form, button="Save name", back_url=back_url, **page)


def role_page(membership: WardMembership, done_url: str, back_url: str):
    form = RoleForm(data={"role": membership.role})
    if save(form, lambda: change_role(membership, form.role.data)):
        flash(
            f"{membership.user.name} is now {WARD_ROLES[membership.role].lower()} "
            f"of {membership.ward.name}.",
            "success",
        )
        return redirect(done_url)
    return form_page(
        form,
        title=f"Change {membership.user.name}’s role",
        caption=membership.ward.full_name,
        button="Save role",
        back_url=back_url,
    )


def remove_page(membership: WardMembership, done_url: str, back_url: str):
    """Confirm, then remove someone from a ward team (never the ward's only lead)."""
    form = ConfirmForm()
    name, ward_name = membership.user.name, membership.ward.name
    if save(form, lambda: remove_membership(membership)):
        flash(f"{name} has been removed from the {ward_name} team.", "success")
        return redirect(done_url)
    return confirm_page(
        form,
        title=f"Remove {name} from the {ward_name} team?",
        caption=membership.ward.full_name,
        body=(
            f"{name} will no longer see or answer {ward_name}’s assessments. "
            "Their account stays, and so do the answers they gave."
        ),
        problem=last_lead_problem(membership),
        button="Remove from team",
        warning=True,
        back_url=back_url,
    )
