"""Signing in and out, and resuming work that a timed-out session interrupted."""

from __future__ import annotations

import json
import secrets
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from wtforms import Form, PasswordField
from wtforms.fields.core import UnboundField

from .. import audit, security
from ..access import allow
from ..extensions import db, login_manager
from ..models import User, utcnow
from . import services
from .forms import ChangePasswordForm, CreateResetLinkForm, LoginForm, NewPasswordForm
from .passwords import check_password

bp = Blueprint("auth", __name__)

FAILED_MESSAGE = "Enter a correct email address and password"
LOCKED_MESSAGE = (
    "There have been too many attempts to sign in. Wait 15 minutes, then try again, "
    "or ask your ward lead or an administrator for a password reset link."
)


@login_manager.user_loader
def load_user(token: str):
    user_id, _, session_token = token.partition(":")
    if not user_id.isdigit():
        return None
    # Every page reads the user's ward memberships and commissioner remits (access rules, the
    # header's links): load them with the user, in one statement instead of three.
    user = db.session.get(
        User, int(user_id), options=[joinedload(User.memberships), joinedload(User.remits)]
    )
    if user is None or not secrets.compare_digest(user.session_token or "", session_token):
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    # A POST from someone whose session ended carries work they typed: keep it, ask them to
    # sign in, then offer to send it again.
    view = current_app.view_functions.get(request.endpoint)
    if (
        request.method == "POST"
        and request.form
        and request.from_this_site
        and getattr(view, "resubmittable", False)
    ):
        data = _kept(request.form.items(multi=True))
        form = LoginForm(formdata=None)
        return render_template(
            "auth/login.html",
            form=form,
            # With its query (such as ?from=check), so the page sent again is the same page.
            resume_url=request.full_path.rstrip("?"),
            resume_data=json.dumps(data),
            session_ended=True,
        ), 401
    flash("Sign in to continue.", "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


# Never carried across an ended session: the sign-in page is shown to whoever is at the
# computer, and the page after it to whoever signs in next.
SECRET_NAMES = {"csrf_token", "confirm", "current"}


def _password_field_names() -> set[str]:
    """The names of every form's password fields (PasswordField, or a subclass)."""
    names, classes = set(), [Form]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        for name, value in vars(cls).items():
            if isinstance(value, UnboundField) and issubclass(value.field_class, PasswordField):
                names.add(name)
    return names


def _kept(fields) -> list[tuple[str, str]]:
    """The posted fields worth keeping for the person to send again: everything but the
    security token and any password (a PasswordField of any form, or a name that says so)."""
    secret = SECRET_NAMES | _password_field_names()
    return [
        (k, v)
        for k, v in fields
        if k.lower() not in secret and "password" not in k.lower() and "passwd" not in k.lower()
    ]


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read a backslash as a slash in a form's action ("/\\evil.example"), and no path
    # of ours has a backslash or a control character.
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def _resume_fields() -> tuple[str | None, list]:
    # Only from our own sign-in page: another site's form posted here cannot choose what is
    # offered for sending after the person signs in.
    if not request.from_this_site:
        return None, []
    url = _safe_next(request.form.get("resume_url"))
    try:
        data = json.loads(request.form.get("resume_data") or "[]")
        data = _kept((str(k), str(v)) for k, v in data)[:500]
    except (ValueError, TypeError):
        data = []
    return url, data


@bp.route("/login", methods=["GET", "POST"])
@allow("public")
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("assessments.home"))
    form = LoginForm()
    resume_url, resume_data = _resume_fields()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        keys = security.sign_in_keys(email, request.remote_addr)
        attempt = security.begin_attempt(keys)  # counted now; forgiven below if it succeeds
        limited = attempt is None
        # The password is checked in every case (against a dummy hash when there is no such
        # account), so a reply takes as long whether or not the email has an account.
        stored_hash = user.password_hash if user else None
        # End the read before the slow hash check: on SQLite a POST's transaction holds the
        # database's write lock, and every other save would queue behind the hashing.
        db.session.commit()
        password_ok = check_password(stored_hash, form.password.data)
        if user is not None and user.active and password_ok and not limited:
            security.forgive(attempt)
            user.failed_logins = 0
            user.last_login_at = utcnow()
            if not user.session_token:
                user.session_token = secrets.token_hex(16)
            security.clear_account(email)
            audit.record("sign-in", user, user=user)
            db.session.commit()
            session.clear()
            # The form cached a token for the old session; the next page needs a new one.
            g.pop("csrf_token", None)
            session.permanent = True
            login_user(user)
            if resume_url:
                return render_template(
                    "auth/resume.html", resume_url=resume_url, resume_data=resume_data
                )
            return redirect(_safe_next(request.args.get("next")) or url_for("assessments.home"))
        if limited:
            audit.record("sign-in-refused", user, user=user, detail=f"too many attempts: {email}")
            form.email.errors = [LOCKED_MESSAGE]
        else:  # the attempt was counted as a failure before the check
            if user is not None:
                user.failed_logins = (user.failed_logins or 0) + 1
            audit.record("sign-in-failed", user, user=user, detail=email[:320])
            form.email.errors = [FAILED_MESSAGE]
        db.session.commit()
    return render_template(
        "auth/login.html",
        form=form,
        resume_url=resume_url,
        resume_data=json.dumps(resume_data) if resume_url else "",
        session_ended=bool(resume_url),
    ), (200 if not form.errors else 400)


login.resubmittable = True


@bp.post("/logout")
@allow("signed-in")
def logout():
    user = current_user._get_current_object()
    audit.record("sign-out", user)
    # A new session token ends this session on the server too: a copy of the cookie (on a
    # shared ward computer, say) no longer signs anyone in. Other devices sign in again.
    user.session_token = secrets.token_hex(16)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


# --- password reset by an administrator or a ward lead ---------------------------------------


@bp.app_template_global()
def may_reset_password(user: User) -> bool:
    """Whether the signed-in user may create a reset link for this account (for templates)."""
    return services.can_reset(current_user, user)


@bp.route("/users/<int:user_id>/reset-link", methods=["GET", "POST"])
@allow("signed-in")
def reset_link(user_id: int):
    """An administrator, or the person's ward lead, creates a one-time link to give them."""
    user = services.resettable_user_or_404(user_id, current_user)
    form = CreateResetLinkForm()
    if form.validate_on_submit():
        # Shown once, on this page, and never stored: so no redirect here.
        link = services.create_reset_link(user, current_user)
        return render_template("auth/reset_link_created.html", link=link)
    return render_template("auth/reset_link.html", user=user, form=form), (
        400 if form.errors else 200
    )


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@allow("public")
def reset_password(token: str):
    try:
        link = services.valid_link(token)
    except services.LinkNotValid:
        return render_template("auth/reset_link_not_valid.html"), 404
    form = NewPasswordForm()
    form.email = link.user.email
    if form.validate_on_submit():
        try:
            services.set_new_password(token, form.password.data)
        except services.LinkNotValid:
            abort(404)
        logout_user()
        session.clear()
        flash("Your password has been changed. Sign in with your new password.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", user=link.user, form=form), (
        400 if form.errors else 200
    )


@bp.route("/account/password", methods=["GET", "POST"])
@allow("signed-in")
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    form.email = user.email
    if form.validate_on_submit():
        keys = security.sign_in_keys(user.email, request.remote_addr)
        # Same limit as signing in: a session left open must not let someone guess the password.
        attempt = security.begin_attempt(keys)
        stored_hash = user.password_hash
        db.session.commit()  # as at sign-in: no write lock held while the password is hashed
        if attempt is None:
            form.current.errors.append(LOCKED_MESSAGE)
        elif not check_password(stored_hash, form.current.data):
            audit.record("password-change-refused", user, detail="current password not correct")
            db.session.commit()
            form.current.errors.append("Your current password is not correct")
        else:
            security.forgive(attempt)
            services.change_password(user, form.password.data)
            login_user(user)  # this session carries on under the new session token
            flash(
                "Your password has been changed. You have been signed out everywhere else.",
                "success",
            )
            return redirect(url_for("assessments.home"))
    return render_template("auth/change_password.html", form=form), (400 if form.errors else 200)
