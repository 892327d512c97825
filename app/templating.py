"""Template filters and globals shared by every page."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import KeysView
from datetime import date, datetime

from flask import Flask, request, url_for
from flask.templating import Environment
from flask_login import current_user
from markupsafe import Markup

from .dates import uk_time, wrong_parts
from .engine import NEVER_JUSTIFIED_WORDS

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
    if isinstance(value, datetime):  # a stored time: the date it was in the UK
        value = uk_time(value)
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: datetime | None) -> str:
    """A stored (UTC) time as UK clock time, the way people read it: 25 November 2026 at 14:05."""
    if value is None:
        return ""
    value = uk_time(value)
    return f"{value.day} {value:%B %Y} at {value:%H:%M}"


def format_percent(value) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"


def plural(count, singular: str, plural_form: str | None = None, with_count: bool = True) -> str:
    """A count and its noun, the one rule for plurals: "1 action", "0 actions", "3 actions".

    `plural_form` for a noun that does not just add "s"; with_count=False gives the noun alone,
    for a page that sets the number apart (`<strong>3</strong> wards`). `count` may be a number
    or a number already written out ("1.5").
    """
    one = count == "1" if isinstance(count, str) else count == 1
    noun = singular if one else (plural_form or singular + "s")
    return f"{count} {noun}" if with_count else noun


def format_points(value: float) -> str:
    """A change between two percentages, in percentage points: "5 points", "1 point"."""
    value = abs(value)
    return plural(f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}", "point")


def restrictions_found(result) -> str:
    """The count of blanket restrictions in a result, and how many are not justified."""
    found, unjustified = result.blanket_count, result.unjustified_count
    if found == 0:
        return "No blanket restrictions found."
    if found == 1:
        return (
            "1 blanket restriction found. It is " + ("not " if unjustified else "") + "justified."
        )
    return f"{found} blanket restrictions found, {unjustified} of them not justified."


def restriction_title(restriction, framework) -> str:
    """A restriction's title, saying so when its framework version counts it as never
    justified (1.3.0 on: holding everyone's letters, say), on the results page and in PDFs."""
    try:
        never = framework.item(restriction.item_id).never_justified
    except KeyError:
        never = False
    note = f" (this {NEVER_JUSTIFIED_WORDS})" if never else ""
    return restriction.title + note


def main_navigation() -> list[dict]:
    """The header links this user's roles call for."""
    items = []
    endpoint = request.endpoint or ""
    # A lead's team pages live in the admin blueprint but belong to their ward.
    ward_pages = endpoint.startswith(("assessments.", "actions.", "admin.team."))
    if current_user.memberships:
        items.append(
            {
                "href": url_for("assessments.home"),
                "text": "Your wards",
                "active": ward_pages,
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
                "active": endpoint.startswith("admin.") and not ward_pages,
            }
        )
    # The audit trail shows what happened on the wards a person leads (everything, to an
    # administrator); a team member has nothing there of their own to look up.
    from .audit_views import trail_ward_ids  # the one rule for who reads it

    if trail_ward_ids(current_user) != set():
        items.append(
            {
                "href": url_for("audit.trail"),
                "text": "Audit trail",
                "active": endpoint.startswith("audit."),
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


class _GlobalsKeys(KeysView):
    """The keys of a template's globals, with a fast `set - keys`.

    Every `{% from ... import %}` in a template runs `context_keys - template.globals.keys()`
    (Jinja's Template._get_default_module); the NHS.UK macros import several templates on each
    call, hundreds of times a page. The generic view tests each key against each map in
    Python; set.difference does it in C. Same result (a set).
    """

    def __rsub__(self, other):
        return set(other).difference(*self._mapping.maps)


class _Globals(ChainMap):
    def keys(self):
        return _GlobalsKeys(self)


class PageEnvironment(Environment):
    """Flask's Jinja environment with two faster look-ups the NHS.UK macros lean on.

    Output is unchanged: `getattr` answers exactly as Jinja's does, and the globals are the
    same ChainMap (template globals over the environment's), only quicker to subtract.
    """

    def getattr(self, obj, attribute):
        # The macros read every parameter as `params.name` on a plain dict. Jinja tries the
        # attribute first and the item second, raising and catching an AttributeError each
        # time; a dict has no attributes but its methods, so look the item up directly.
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def make_globals(self, d):
        return _Globals(d if d is not None else {}, self.globals)


_DICT_ATTRIBUTES = frozenset(dir(dict))


def register_templating(app: Flask) -> None:
    from .actions.forms import MAX_TEXT as MAX_ACTION_TEXT
    from .assessments.forms import MAX_REASON, MAX_TEXT, characters_hint

    app.jinja_env.globals.update(
        error_items=error_items,
        characters_hint=characters_hint,
        MAX_ANSWER_TEXT=MAX_TEXT,
        MAX_REOPEN_REASON=MAX_REASON,
        MAX_ACTION_TEXT=MAX_ACTION_TEXT,
        main_navigation=main_navigation,
        report_links=report_links,
        date_wrong_parts=lambda parts: wrong_parts(*(str(p or "") for p in parts)),
    )
    app.jinja_env.globals["RAG_TAG_COLOURS"] = RAG_TAG_COLOURS
    app.jinja_env.filters.update(
        indent=indent,
        date=format_date,
        datetime=format_datetime,
        percent=format_percent,
        points=format_points,
        plural=plural,
        restrictions_found=restrictions_found,
        restriction_title=restriction_title,
    )
