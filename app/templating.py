"""Template filters and globals shared by every page."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, request, url_for
from flask_login import current_user
from markupsafe import Markup

RAG_TAG_COLOURS = {"green": "green", "amber": "orange", "red": "red"}


def error_items(form) -> list[dict]:
    """The error summary's list: each message links to the field it is about."""
    items = []
    for name, errors in form.errors.items():
        messages = list(errors.values()) if isinstance(errors, dict) else errors
        field = form[name] if name in form else None
        anchor = getattr(field, "error_anchor", None) or (field.id if field else name)
        if name == "csrf_token":
            anchor = "main-form"
        for message in messages:
            if isinstance(message, list):
                message = message[0]
            items.append({"text": message, "href": f"#{anchor}"})
    return items


def format_date(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y} at {value:%H:%M}"


def format_percent(value) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"


def main_navigation() -> list[dict]:
    """The header links this user's roles call for."""
    items = []
    endpoint = request.endpoint or ""
    if current_user.memberships:
        items.append(
            {
                "href": url_for("assessments.home"),
                "text": "Your wards",
                "active": endpoint.startswith(("assessments.", "actions.")),
            }
        )
    if current_user.is_commissioner:
        items.append(
            {
                "href": url_for("review.dashboard"),
                "text": "Review",
                "active": endpoint.startswith("review."),
            }
        )
    if current_user.is_admin:
        items.append(
            {
                "href": url_for("admin.index"),
                "text": "Administration",
                "active": endpoint.startswith("admin."),
            }
        )
    return items


def report_links(assessment) -> list[dict]:
    """Download links for a submitted assessment's documents (PDF, CSV)."""
    if assessment is None or assessment.status != "submitted":
        return []
    return [
        {
            "href": url_for(f"actions.{endpoint}", assessment_id=assessment.id),
            "text": text,
        }
        for endpoint, text in (
            ("plan_pdf", "Download the action plan (PDF)"),
            ("report_pdf", "Download the full assessment report (PDF)"),
            ("plan_csv", "Download the action plan as a spreadsheet (CSV)"),
        )
    ]


def indent(s, width=4, first: bool = False, blank: bool = False):
    """Jinja's `indent`, on plain strings.

    The NHS.UK macros indent every component they nest. Jinja's own filter joins Markup pieces,
    which escapes each line again and was a third of a page's render time; joining plain text
    and marking the result safe gives the same characters, because every piece of safe input is
    already escaped and indentation is only spaces.
    """
    safe = isinstance(s, Markup)
    text = str(s) + "\n"
    indention = width if isinstance(width, str) else " " * width
    if blank:
        out = ("\n" + indention).join(text.splitlines())
    else:
        lines = text.splitlines()
        out = lines.pop(0)
        if lines:
            out += "\n" + "\n".join(indention + line if line else line for line in lines)
    if first:
        out = indention + out
    return Markup(out) if safe else out


def register_templating(app: Flask) -> None:
    app.jinja_env.globals.update(
        error_items=error_items, main_navigation=main_navigation, report_links=report_links
    )
    app.jinja_env.globals["RAG_TAG_COLOURS"] = RAG_TAG_COLOURS
    app.jinja_env.filters.update(
        indent=indent, date=format_date, datetime=format_datetime, percent=format_percent
    )
