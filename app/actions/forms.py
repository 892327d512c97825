"""Forms for the action plan, with the messages users read."""

from __future__ import annotations

from datetime import date

from wtforms import Field, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Length, ValidationError

from ..auth.forms import AppForm, choices
from ..dates import parse_date as read_date
from ..dates import part_names, posted_parts, wrong_parts
from ..models import ACTION_STATUSES, PRIORITIES

MAX_TEXT = 5_000
OTHER_OWNER = "other"
EXAMPLE_DATE = "27 3 2027"  # a plan date's example, unless a field gives its own


class DateField(Field):
    """An NHS.UK date input: day, month and year posted as <name>[day], [month], [year].

    `example` is the date its hint gives ("For example, 27 3 2027"), and its error messages too,
    so the two agree. The messages name the field by its label, without any "(optional)".
    """

    def __init__(self, label=None, validators=None, example: str = EXAMPLE_DATE, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.parts = ("", "", "")
        self.example = example

    @property
    def error_anchor(self) -> str:
        return f"{self.id}-{wrong_parts(*self.parts)[0]}"

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        if data is unset_value:
            data = self.default
        self.object_data = data
        self.data = data
        if isinstance(data, date):
            self.parts = (str(data.day), str(data.month), str(data.year))
        if formdata is not None and any(n in formdata for n in part_names(self.name)):
            self.parts = tuple(posted_parts(formdata, self.name))
            self.data = None
            if any(self.parts):
                name = str(self.label.text).removesuffix(" (optional)")
                self.data, message = parse_date(*self.parts, label=name, example=self.example)
                if message:
                    self.process_errors.append(message)

    def _value(self):
        return self.parts


def parse_date(
    day: str, month: str, year: str, label: str, example: str
) -> tuple[date | None, str | None]:
    """A plan's dates: real, and within this century."""
    parsed, message = read_date(day, month, year, label, example=example)
    if parsed is not None and not 2000 <= parsed.year <= 2100:
        return None, f"{label} must be between the years 2000 and 2100"
    return parsed, message


class ActionForm(AppForm):
    """Editing an action, or adding the team's own. The owner list is the ward's team."""

    text = TextAreaField(
        "Action",
        validators=[
            DataRequired("Enter what the team will do"),
            Length(max=MAX_TEXT, message=f"Action must be {MAX_TEXT:,} characters or fewer"),
        ],
    )
    priority = RadioField(
        "Priority",
        choices=choices(PRIORITIES),
        validators=[DataRequired("Select a priority")],
    )
    owner = SelectField("Owner (optional)", choices=[], validate_choice=False)
    owner_name = StringField(
        "Name of the owner, if they are not in the list",
        validators=[Length(max=200, message="Name must be 200 characters or fewer")],
    )
    due_date = DateField("Due date")
    status = RadioField(
        "Status",
        choices=choices(ACTION_STATUSES),
        default="not-started",
        validators=[DataRequired("Select a status")],
    )
    not_doing_reason = TextAreaField(
        "Why is the team not doing this action?",
        validators=[
            Length(max=MAX_TEXT, message=f"Reason must be {MAX_TEXT:,} characters or fewer")
        ],
    )
    notes = TextAreaField(
        "Notes (optional)",
        validators=[
            Length(max=MAX_TEXT, message=f"Notes must be {MAX_TEXT:,} characters or fewer")
        ],
    )
    review_date = DateField("Date the restriction is next reviewed (optional)")
    lived_experience = RadioField(
        "Were people with lived experience involved in this action?",
        # Not preselected: "no" must be someone's answer, not what nobody changed.
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validators=[
            DataRequired("Select yes if people with lived experience were involved, or no")
        ],
    )
    item_id = SelectField("Restriction it addresses (optional)", choices=[], validate_choice=False)
    version = HiddenField(default="0")

    def set_choices(self, team, framework=None, owner=None) -> None:
        """`owner` is the action's owner now: listed even after leaving the team, so that saving
        a change to something else keeps them rather than quietly removing them."""
        people = [SelectChoice(f"user-{u.id}", u.name) for u in team]
        self._team_ids = {u.id for u in team}
        if owner is not None and owner.id not in self._team_ids:
            people.append(SelectChoice(f"user-{owner.id}", f"{owner.name} (no longer on the team)"))
            self._team_ids.add(owner.id)
        self.owner.choices = (
            [SelectChoice("", "No owner yet")]
            + people
            + [SelectChoice(OTHER_OWNER, "Someone else (enter their name below)")]
        )
        if framework is not None:
            self.item_id.choices = [SelectChoice("", "Not about one restriction")] + [
                SelectChoice(i.id, f"{framework.domain_of(i.id).title}: {i.title}")
                for i in framework.items
            ]
            self._item_ids = {i.id for i in framework.items}

    def validate_owner(self, field) -> None:
        value = field.data or ""
        if value.startswith("user-"):
            try:
                user_id = int(value.removeprefix("user-"))
            except ValueError:
                user_id = None
            if user_id not in getattr(self, "_team_ids", set()):
                raise ValidationError("Select an owner from the list")
        elif value not in ("", OTHER_OWNER):
            raise ValidationError("Select an owner from the list")

    def validate_owner_name(self, field) -> None:
        if self.owner.data == OTHER_OWNER and not (field.data or "").strip():
            raise ValidationError("Enter the name of the person who owns this action")

    def validate_due_date(self, field) -> None:
        # Without a due date an action is never overdue, so the dashboard would stop counting it.
        if field.data is None and not field.process_errors:
            raise ValidationError("Enter a due date")

    def validate_not_doing_reason(self, field) -> None:
        if self.status.data == "not-doing" and not (field.data or "").strip():
            raise ValidationError("Enter why the team is not doing this action")

    def validate_item_id(self, field) -> None:
        if field.data and field.data not in getattr(self, "_item_ids", set()):
            raise ValidationError("Select a restriction from the list")

    @property
    def owner_user_id(self) -> int | None:
        value = self.owner.data or ""
        return int(value.removeprefix("user-")) if value.startswith("user-") else None

    @classmethod
    def data_from(cls, action) -> dict:
        if action.owner_user_id:
            owner = f"user-{action.owner_user_id}"
        else:
            owner = OTHER_OWNER if action.owner_name else ""
        return {
            "text": action.text,
            "priority": action.priority,
            "owner": owner,
            "owner_name": action.owner_name,
            "due_date": action.due_date,
            "status": action.status,
            "not_doing_reason": action.not_doing_reason,
            "notes": action.notes,
            "review_date": action.review_date,
            # not preselected while nobody has answered
            "lived_experience": LIVED_EXPERIENCE_CHOICE.get(action.lived_experience),
            "version": str(action.version),
        }


LIVED_EXPERIENCE_CHOICE = {True: "yes", False: "no", None: None}


class FilterForm(AppForm):
    """The plan's filters: a GET form, so no security token."""

    class Meta:
        csrf = False

    status = SelectField("Status", choices=[], validate_choice=False)
    domain = SelectField("Section", choices=[], validate_choice=False)
    owner = SelectField("Owner", choices=[], validate_choice=False)

    def set_choices(self, framework, owners: list[str]) -> None:
        self.status.choices = (
            [SelectChoice("", "Any status")]
            + choices(ACTION_STATUSES)
            + [SelectChoice("overdue", "Overdue")]
        )
        self.domain.choices = [SelectChoice("", "Any section")] + [
            SelectChoice(d.id, d.title) for d in framework.domains
        ]
        self.owner.choices = (
            [SelectChoice("", "Anyone")]
            + [SelectChoice(n, n) for n in owners]
            + [SelectChoice("none", "No owner yet")]
        )

    def cleaned(self, name: str) -> str:
        value = getattr(self, name).data or ""
        return value if value in {c.value for c in getattr(self, name).choices} else ""
