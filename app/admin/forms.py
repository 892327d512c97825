"""Forms for administration and ward team pages, with the messages users read."""

from __future__ import annotations

import re

from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Regexp, ValidationError

from ..auth.forms import AppForm, choices
from ..auth.passwords import password_problem
from ..models import WARD_ROLES
from .services import EMAIL_TAKEN, user_by_email

# Enough to catch a typing slip; the address is only used to sign in and to send links.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.org"
# The columns' sizes (names 200, emails 320); `flask users create` checks the same limits.
NAME_MAX = 200
EMAIL_MAX = 320
PASSWORD_MAX = 200
EMAIL_TOO_LONG = f"Email address must be {EMAIL_MAX} characters or fewer"
PASSWORD_TOO_LONG = f"Password must be {PASSWORD_MAX} characters or fewer"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _name_field(label: str, what: str) -> StringField:
    return StringField(
        label,
        filters=[_strip],
        validators=[
            DataRequired(f"Enter the {what}"),
            Length(max=NAME_MAX, message=f"The {what} must be {NAME_MAX} characters or fewer"),
        ],
    )


def _email_field() -> EmailField:
    return EmailField(
        "Email address",
        filters=[_strip],
        validators=[
            DataRequired("Enter an email address"),
            Length(max=EMAIL_MAX, message=EMAIL_TOO_LONG),
            Regexp(EMAIL_PATTERN, message=EMAIL_FORMAT),
        ],
    )


def _password_field() -> PasswordField:
    return PasswordField(
        "Initial password",
        description="At least 12 characters. Give it to them in person or by phone, not by email.",
        validators=[
            DataRequired("Enter an initial password"),
            Length(max=PASSWORD_MAX, message=PASSWORD_TOO_LONG),
        ],
    )


def _role_field() -> RadioField:
    return RadioField(
        "Role in the ward team",
        choices=choices(WARD_ROLES),
        default="member",
        validators=[InputRequired("Select a role")],
    )


class ConfirmForm(AppForm):
    """Only the security token: for confirmation buttons."""

    refusal: str | None = None  # why the rules refused the change, shown on the page


class ProviderForm(AppForm):
    name = _name_field("Provider name", "provider name")


class WardForm(AppForm):
    name = _name_field("Ward name", "ward name")


class UserNameForm(AppForm):
    name = _name_field("Full name", "person's full name")


class NewUserForm(AppForm):
    name = _name_field("Full name", "person's full name")
    email = _email_field()
    password = _password_field()

    def validate_email(self, field):
        # Checked here as well as by the service, so it is reported with the other mistakes.
        if user_by_email(field.data or "") is not None:
            raise ValidationError(EMAIL_TAKEN)

    def validate_password(self, field):
        if problem := password_problem(field.data or "", self.email.data or ""):
            raise ValidationError(problem)


class TeamAddForm(AppForm):
    """Add someone who already has an account, found by email address."""

    email = _email_field()
    role = _role_field()


class TeamNewAccountForm(NewUserForm):
    role = _role_field()


class RoleForm(AppForm):
    role = _role_field()


class MembershipForm(AppForm):
    ward_id = SelectField("Ward", coerce=int, validators=[InputRequired("Select a ward")])
    role = _role_field()

    def __init__(self, wards, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ward_id.choices = [SelectChoice(0, "Choose a ward")] + [
            SelectChoice(w.id, w.full_name) for w in wards
        ]

    def validate_ward_id(self, field):
        if not field.data:
            raise ValidationError("Select a ward")


class RemitForm(AppForm):
    provider_id = SelectField("Provider", coerce=int, validators=[InputRequired()])

    def __init__(self, providers, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider_id.choices = [SelectChoice(0, "Choose a provider")] + [
            SelectChoice(p.id, p.name) for p in providers
        ]

    def validate_provider_id(self, field):
        if not field.data:
            raise ValidationError("Select a provider")
