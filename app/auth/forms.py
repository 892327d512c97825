"""Sign-in forms, with the messages users read."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from .passwords import password_problem

CSRF_MESSAGE = (
    "This page was open for a long time, so for your security it must be sent again. "
    "What you typed is shown below: check it and select the button again."
)


MAX_VERSION = 2**31 - 1


def form_version(value) -> int:
    """The optimistic-lock version a form was loaded at; -1 (always stale) when it is not a
    plausible version number, so odd input is refused as a stale save, never a crash."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return -1
    return number if 0 <= number <= MAX_VERSION else -1


def choices(labels: dict[str, str]) -> list[SelectChoice]:
    """A select's or radios' choices from {value: label}, in order."""
    return [SelectChoice(value, label) for value, label in labels.items()]


class AppForm(FlaskForm):
    """Every form: an expired security token re-shows the form with a plain message."""

    class Meta:
        def csrf_error_message(self):  # pragma: no cover - WTForms hook name
            return CSRF_MESSAGE

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if "csrf_token" in self.errors:
            self.csrf_token.errors = [CSRF_MESSAGE]
        return ok


class LoginForm(AppForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password"),
            Length(max=200, message="Password must be 200 characters or fewer"),
        ],
    )


class CreateResetLinkForm(AppForm):
    """Only the security token: the button that creates a one-time reset link."""


# WTForms lists a form's fields, and so its errors in the error summary, in the order they were
# declared. Changing one's password asks for the current one first, above the new password that
# it inherits from NewPasswordForm, so the field is declared here, before that form's fields.
_CURRENT_PASSWORD = PasswordField(
    "Current password",
    validators=[
        DataRequired("Enter your current password"),
        Length(max=200, message="Password must be 200 characters or fewer"),
    ],
)


class NewPasswordForm(AppForm):
    """Setting a password from a reset link. `email` is set by the view for the checks."""

    email = ""
    password = PasswordField(
        "New password",
        validators=[
            DataRequired("Enter a new password"),
            Length(max=200, message="Password must be 200 characters or fewer"),
        ],
    )
    confirm = PasswordField(
        "Type the new password again",
        validators=[
            DataRequired("Type the new password again"),
            EqualTo("password", message="The passwords do not match"),
        ],
    )

    def validate_password(self, field):
        problem = password_problem(field.data or "", self.email)
        if problem:
            raise ValidationError(problem)


class ChangePasswordForm(NewPasswordForm):
    """A signed-in person changing their own password: the current one first."""

    current = _CURRENT_PASSWORD  # first, as on the page (see _CURRENT_PASSWORD)
