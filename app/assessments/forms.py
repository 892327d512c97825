"""Forms for the walk-through. An item's question form is built from the framework's data."""

from __future__ import annotations

from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..auth.forms import AppForm
from ..dates import add_months, parse_date, posted_parts, uk_today, wrong_parts

MAX_TEXT = 10_000  # a text question's answer, evidence, comments
MAX_REASON = 2_000  # the reason for reopening an assessment


def characters_hint(limit: int) -> str:
    """The hint under a text box with a length limit, so nobody learns it from an error."""
    return f"You can enter up to {limit:,} characters."


def question_field_name(question_id: str) -> str:
    return f"q-{question_id}"


class ItemForm(AppForm):
    """Evidence, comment and the version the page was loaded at. Questions are read directly
    from the posted data (see parse_item), because which are shown depends on the answers."""

    evidence = TextAreaField(
        "Evidence (optional)",
        validators=[
            Length(max=MAX_TEXT, message=f"Evidence must be {MAX_TEXT:,} characters or fewer")
        ],
    )
    comment = TextAreaField(
        "Comments (optional)",
        validators=[
            Length(max=MAX_TEXT, message=f"Comments must be {MAX_TEXT:,} characters or fewer")
        ],
    )
    version = HiddenField(default="0")


class ReopenForm(AppForm):
    reason = TextAreaField(
        "Why are you reopening this assessment?",
        validators=[
            DataRequired("Enter why you are reopening this assessment"),
            Length(max=MAX_REASON, message=f"Reason must be {MAX_REASON:,} characters or fewer"),
        ],
    )


class ConfirmForm(AppForm):
    """A form with only the security token, for buttons such as Submit and Start."""


class StartForm(ConfirmForm):
    pass


class SearchForm(AppForm):
    q = StringField("Search")


def parse_item(
    framework, item, formdata, require_complete: bool, asked=None, saved: dict | None = None
):
    """Read an item's answers from the posted data.

    `asked` is the set of question ids on the page that posted (all of them when None); the
    answers to the item's other questions are taken from `saved`, what is already saved.
    Returns (values, errors): values {question id -> value} for the questions shown given the
    answers, errors {anchor -> message} in question order.
    """
    asked = {q.id for q in item.questions} if asked is None else set(asked)
    kept = {k: v for k, v in (saved or {}).items() if k not in asked}
    raw: dict = {}
    errors: dict[str, str] = {}
    for q in item.questions:
        if q.id not in asked:
            continue
        name = question_field_name(q.id)
        if q.type == "multiple":
            chosen = [v for v in formdata.getlist(name) if v]
            raw[q.id] = chosen
        elif q.type == "date":
            raw[q.id] = posted_parts(formdata, name)
        else:
            raw[q.id] = (formdata.get(name) or "").strip()

    values: dict = {}
    option_ids = {q.id: {o.id for o in q.options} for q in item.questions}
    # Walk in order: a question is shown when its condition holds on the earlier answers.
    for q in framework.visible_questions(item, _plain(item, raw) | kept):
        if q.id not in asked:
            if q.id in kept:
                values[q.id] = kept[q.id]
            continue
        value = raw.get(q.id)
        name = question_field_name(q.id)
        if q.type in ("single", "yes_no"):
            if value and value in option_ids[q.id]:
                values[q.id] = value
            elif value:
                errors[name] = f"Select one of the options for: {q.text}"
            elif require_complete:
                errors[name] = _required_message(q)
        elif q.type == "multiple":
            unknown = [v for v in value if v not in option_ids[q.id]]
            if unknown:
                errors[name] = f"Select only the options listed for: {q.text}"
            elif value:
                values[q.id] = list(dict.fromkeys(value))
            elif require_complete:
                errors[name] = _required_message(q)
        elif q.type == "date":
            day, month, year = value
            if any(value):
                within = framework.review_period_months if q.within_review_period else None
                parsed, message = _parse_date(day, month, year, within)
                if message:
                    # Like the other questions' messages: what is wrong, then the question.
                    first = wrong_parts(day, month, year)[0]
                    errors[f"{name}-{first}"] = f"{message}: {q.text}"
                else:
                    values[q.id] = parsed.isoformat()
        elif q.type == "text":
            if len(value) > MAX_TEXT:
                errors[name] = f"Answer must be {MAX_TEXT:,} characters or fewer: {q.text}"
            elif value:
                values[q.id] = value
    return values, errors


def _plain(item, raw: dict) -> dict:
    """The raw answers in the engine's shape, to decide which questions are shown."""
    out = {}
    for q in item.questions:
        v = raw.get(q.id)
        if q.type == "date":
            continue
        if v:
            out[q.id] = v
    return out


def _required_message(q) -> str:
    if q.type == "yes_no":
        return f"Select yes or no: {q.text}"
    if q.type == "multiple":
        return f"Select at least one option: {q.text}"
    return f"Select an answer: {q.text}"


def _parse_date(day: str, month: str, year: str, within_months: int | None = None):
    """A review date: real, in the past, not before 1990 and, when asked, within the last
    `within_months` months."""
    parsed, message = parse_date(day, month, year, "Date")
    if parsed is None:
        return None, message
    today = uk_today()
    if parsed > today:
        return None, "Date must be today or in the past"
    if parsed.year < 1990:
        return None, "Date must be in 1990 or later"
    if within_months and parsed < add_months(today, -within_months):
        return None, f"Date must be within the last {within_months} months"
    return parsed, None
