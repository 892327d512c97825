"""The rendering speed-ups change no page: every page reads the same as with stock Jinja and the
NHS.UK macros.

The reference is a second app on the same database whose Jinja environment is Flask's own and
whose question fields come from the nhsuk-frontend-jinja macros, so every difference a speed-up
could make shows up as a difference in some page. Pages compare as HTML: the same tags,
attributes and text in the same order, where a run of whitespace counts as one space (as a
browser shows it), except inside a textarea or pre, where every character counts.
"""

from __future__ import annotations

import re
from collections import ChainMap
from html.parser import HTMLParser

import flask.templating
import jinja2
import pytest
from markupsafe import Markup

import app as app_package
from app import create_app, frameworks
from app.demo import demo_answers
from app.extensions import db
from app.templating import PageEnvironment
from tests.conftest import login
from tests.helpers import make_assessment

TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')
# Our macro files, and the NHS.UK components each of their macros stands for.
NHSUK_COMPONENTS = {
    "questions": {
        "radios": "radios",
        "checkboxes": "checkboxes",
        "dateInput": "date-input",
        "textarea": "textarea",
        "button": "button",
    },
    "status": {"taskList": "task-list", "tag": "tag"},
    "layout": {"skipLink": "skip-link", "header": "header", "footer": "footer"},
}


def nhsuk_version(module: str) -> str:
    """templates/macros/<module>.html written as calls to the NHS.UK package's own macros."""
    return "".join(
        f'{{% from "nhsuk/components/{folder}/macro.jinja" import {name} as nhsuk_{name} %}}'
        f"{{% macro {name}(params) %}}{{{{ nhsuk_{name}(params) }}}}{{% endmacro %}}\n"
        for name, folder in NHSUK_COMPONENTS[module].items()
    )


class _Tokens(HTMLParser):
    def __init__(self):
        super().__init__()
        self.out: list[tuple] = []
        self.verbatim = 0

    def handle_starttag(self, tag, attrs):
        self.out.append(("start", tag, tuple(attrs)))
        self.verbatim += tag in ("textarea", "pre")

    def handle_startendtag(self, tag, attrs):
        self.out.append(("start", tag, tuple(attrs)))

    def handle_endtag(self, tag):
        self.out.append(("end", tag))
        self.verbatim -= tag in ("textarea", "pre")

    def handle_data(self, data):
        if self.out and self.out[-1][0] == "text":
            data = self.out.pop()[1] + data
        self.out.append(("text", data if self.verbatim else re.sub(r"\s+", " ", data)))

    def handle_decl(self, decl):
        self.out.append(("decl", decl))


def as_html(text: str) -> list[tuple]:
    """What a browser makes of a page, whitespace between words and tags counted once."""
    parser = _Tokens()
    parser.feed(text)
    parser.close()
    return parser.out


def test_the_comparison_counts_what_a_browser_shows():
    assert as_html("<p class='a'>\n  one  two\n</p>") == as_html('<p class="a"> one two </p>')
    assert as_html("<p>one two</p>") != as_html("<p>onetwo</p>")
    assert as_html("<p> x</p>") != as_html("<p>x</p>")
    assert as_html("<input checked>") != as_html("<input>")
    assert as_html("<textarea>a  b</textarea>") != as_html("<textarea>a b</textarea>")


@pytest.fixture
def reference_app(app, monkeypatch):
    """The same app on the same database, rendering with Jinja's stock environment and the
    NHS.UK macros."""
    monkeypatch.setattr(app_package, "PageEnvironment", flask.templating.Environment)
    keys = ("TESTING", "WTF_CSRF_ENABLED", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI")
    reference = create_app({k: app.config[k] for k in keys})
    assert type(reference.jinja_env) is flask.templating.Environment
    assert type(app.jinja_env) is PageEnvironment
    overlay = jinja2.DictLoader(
        {f"macros/{module}.html": nhsuk_version(module) for module in NHSUK_COMPONENTS}
    )
    reference.jinja_env.loader = jinja2.ChoiceLoader([overlay, reference.jinja_env.loader])
    return reference


def page(client, path: str) -> list[tuple]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    # A CSRF token is signed with the time, so two renders a second apart differ.
    return as_html(TOKEN.sub(r"\1-", response.get_data(as_text=True)))


def assert_same_pages(app, reference_app, user, paths):
    ours, theirs = app.test_client(), reference_app.test_client()
    if user is not None:
        assert login(ours, user).status_code == 302
        theirs.set_cookie("session", ours.get_cookie("session").value)
    for path in paths:
        assert_same_html(page(ours, path), page(theirs, path), path)


def assert_same_html(ours: list[tuple], theirs: list[tuple], what) -> None:
    if ours != theirs:
        pairs = enumerate(zip(ours, theirs, strict=False))
        at = next((n for n, (a, b) in pairs if a != b), min(len(ours), len(theirs)))
        raise AssertionError(
            f"{what}: first difference at {at}\nours:   {ours[max(at - 3, 0) : at + 4]}"
            f"\ntheirs: {theirs[max(at - 3, 0) : at + 4]}"
        )


def test_every_question_page_task_list_and_home_read_the_same(app, world, reference_app):
    framework = frameworks.latest()
    # Some items answered (blanket with safeguards, individual, not in place), the rest not.
    answers = demo_answers(framework, 5, 0.5, 0.5, 0.25, len(framework.items) // 2)
    draft = make_assessment(world.oak, world.oak_lead, answers)
    paths = ["/", f"/assessments/{draft.id}", f"/assessments/{draft.id}/check"]
    paths += [f"/assessments/{draft.id}/domains/{d.id}" for d in framework.domains]
    paths += [f"/assessments/{draft.id}/items/{i.id}" for i in framework.items]
    # Follow-on pages: the safeguard questions of the items answered "for everyone".
    more = [i for i in framework.items if answers.get(i.id, {}).get("in-place") == "everyone"]
    assert more
    paths += [f"/assessments/{draft.id}/items/{i.id}/more" for i in more]
    assert_same_pages(app, reference_app, world.oak_lead, paths)


def test_a_question_page_with_errors_reads_the_same(app, world, reference_app):
    draft = make_assessment(world.oak, world.oak_lead, {})
    item = frameworks.latest().items[0]
    path = f"/assessments/{draft.id}/items/{item.id}"
    ours, theirs = app.test_client(), reference_app.test_client()
    assert login(ours, world.oak_lead).status_code == 302
    theirs.set_cookie("session", ours.get_cookie("session").value)
    # No answer, and evidence typed with spaces.
    form = {"version": "0", "evidence": "  kept\n\nexactly <as> typed ", "action": "continue"}
    pages = []
    for client in (ours, theirs):
        response = client.post(path, data=form)
        db.session.remove()  # end the test context's write transaction, as a request would
        assert response.status_code == 400
        pages.append(as_html(TOKEN.sub(r"\1-", response.get_data(as_text=True))))
    assert "There is a problem" in str(pages[0])
    assert_same_html(*pages, path)
    # Blanket, then on the follow-on page a safeguard left out and a date that is not one.
    response = ours.post(path, data=form | {"q-in-place": "everyone"})
    db.session.remove()
    assert response.headers["Location"] == path + "/more"
    form = {
        "version": "1",
        "q-written-reason": "no",
        "q-reviewed-in-period": "yes",
        "q-last-review-date[day]": "31",
        "q-last-review-date[month]": "2",
        "q-last-review-date[year]": "26",
        "action": "continue",
    }
    pages = []
    for client in (ours, theirs):
        response = client.post(path + "/more", data=form)
        db.session.remove()
        assert response.status_code == 400
        pages.append(as_html(TOKEN.sub(r"\1-", response.get_data(as_text=True))))
    assert "Select yes or no: Has it been authorised" in str(pages[0])
    assert_same_html(*pages, path + "/more")


def test_results_sign_in_and_public_pages_read_the_same(app, world, reference_app):
    framework = frameworks.latest()
    done = make_assessment(
        world.oak, world.oak_lead, demo_answers(framework, 7, 0.3, 0.5, 0.3), submit=True
    )
    assert_same_pages(app, reference_app, world.oak_lead, [f"/assessments/{done.id}/results"])
    assert_same_pages(app, reference_app, None, ["/login", "/about", "/accessibility"])


class Thing:
    items = "an attribute"

    def __getitem__(self, key):
        return f"item {key}"


class Dict(dict):
    text = "an attribute of a dict subclass"


@pytest.mark.parametrize(
    "obj",
    [
        {"text": "a", "items": [1], "get": None, "none": None},
        {},
        Dict(text="an item"),
        Thing(),
        [1, 2],
        "text",
        None,
        jinja2.ChainableUndefined(name="x"),
    ],
)
@pytest.mark.parametrize("name", ["text", "items", "get", "none", "missing", "__class__"])
def test_attribute_lookups_answer_as_jinjas_own(obj, name):
    stock = jinja2.Environment(undefined=jinja2.ChainableUndefined)
    ours = PageEnvironment(flask.Flask(__name__), undefined=jinja2.ChainableUndefined)
    expected, got = stock.getattr(obj, name), ours.getattr(obj, name)
    assert type(got) is type(expected)
    if isinstance(expected, jinja2.Undefined):
        assert got._undefined_name == expected._undefined_name
        assert got._undefined_obj is expected._undefined_obj
    else:
        assert got == expected


def test_globals_subtract_as_a_chain_map_does():
    ours = PageEnvironment(flask.Flask(__name__)).make_globals({"a": 1, "b": 2})
    ours.maps[1].update(c=3)
    stock = ChainMap(*ours.maps)
    for keys in (set(), {"a"}, {"a", "c", "d"}, {"x", "y"}):
        assert keys - ours.keys() == keys - stock.keys()
        assert type(keys - ours.keys()) is set
    assert ours == stock


LEGEND = {"text": " Is the <garden> locked & why? ", "size": "m"}
CHOICES = [
    {
        "value": "yes",
        "text": "Yes",
        "checked": True,
        "conditional": {"html": "<p>more</p>\n<p>x</p>"},
    },
    {"value": "no", "text": " No <b> ", "checked": False, "conditional": {"html": "<p>then</p>"}},
    {"value": 'a"b', "text": "Quote", "checked": False},
]
FIELD_PARAMS = [
    {"name": "q-a", "idPrefix": "q-a", "fieldset": {"legend": LEGEND}, "items": CHOICES},
    {
        "name": "q-b",
        "idPrefix": "q-b",
        "fieldset": {"legend": {"text": "Small", "size": "s"}},
        "hint": {"text": "A hint with\nlines & <tags>"},
        "classes": "nhsuk-radios--inline",
        "errorMessage": {"text": "Select one of the options for: <this>"},
        "items": CHOICES[1:],
    },
    {
        "name": "q-c",
        "idPrefix": "q-c",
        "fieldset": {"legend": LEGEND},
        "classes": "",
        "errorMessage": {"text": "Select one"},
        "items": [{"value": "x", "text": "X", "checked": False}],
    },
]
DATE_PARAMS = [
    {
        "id": "q-d",
        "namePrefix": "q-d",
        "fieldset": {"legend": LEGEND},
        "hint": {"text": "For example, 27 3 2026"} if hint else None,
        "errorMessage": {"text": "Date must be a real date"} if error else None,
        "items": [
            {"name": part, "label": part.title(), "classes": width + error, "value": value}
            for part, width, value in (
                ("day", "nhsuk-input--width-2", "7"),
                ("month", "nhsuk-input--width-2", ""),
                ("year", "nhsuk-input--width-4", "<2026>"),
            )
        ],
    }
    for hint in (False, True)
    for error in ("", " nhsuk-input--error")
]


@pytest.mark.parametrize("macro", ["radios", "checkboxes"])
@pytest.mark.parametrize("params", FIELD_PARAMS)
def test_choice_fields_read_as_the_nhsuk_macros(app, macro, params):
    assert_same_macro_output(app, macro, params)


@pytest.mark.parametrize("params", DATE_PARAMS)
def test_date_fields_read_as_the_nhsuk_macro(app, params):
    params = {k: v for k, v in params.items() if v is not None}
    assert_same_macro_output(app, "dateInput", params)


TEXTAREAS = [
    {
        "name": "evidence",
        "id": "evidence",
        "label": {"text": " Evidence (optional) ", "size": "s"},
        "hint": {"text": "For example, the <policy> & notes."},
        "value": value,
        "errorMessage": {"text": "Evidence must be 5000 characters or fewer"} if error else None,
    }
    for value in ("", "\n  two  spaces\n\nand <b>tags</b> & more \n", "one")
    for error in (False, True)
] + [{"name": "q-x", "id": "q-x", "label": {"text": "Why?", "size": "m"}, "value": "x"}]
BUTTONS = [
    {"text": "Save and continue", "name": "action", "value": "continue"},
    {"text": " Later & <soon> ", "name": "action", "value": 'la"ter', "classes": "nhsuk-button--x"},
    {"text": "Sign in"},
]


@pytest.mark.parametrize("params", TEXTAREAS)
def test_text_boxes_read_as_the_nhsuk_macro(app, params):
    params = {k: v for k, v in params.items() if v is not None}
    assert_same_macro_output(app, "textarea", params)


@pytest.mark.parametrize("params", BUTTONS)
def test_buttons_read_as_the_nhsuk_macro(app, params):
    assert_same_macro_output(app, "button", params)


TASKS = [
    {
        "title": {"text": " Outside & <space> "},
        "href": "/assessments/1/domains/a?x=1&y=2",
        "hint": {"text": "1 of 4 restrictions answered"},
        "status": {"html": Markup('<strong class="nhsuk-tag">In progress</strong>')},
    },
    {
        "title": {"text": "Doors"},
        "href": "/b",
        "hint": {"text": "4 of 4 <restrictions> answered"},
        "status": {"text": " Completed & checked "},
    },
]


@pytest.mark.parametrize("params", [{"idPrefix": "domains", "items": TASKS}, {"items": TASKS}])
def test_task_lists_read_as_the_nhsuk_macro(app, params):
    assert_same_macro_output(app, "taskList", params, "status")


@pytest.mark.parametrize("colour", ["white", "blue", "green", "orange", "red", "mauve", None])
def test_tags_read_as_the_nhsuk_macro(app, colour):
    assert_same_macro_output(app, "tag", {"text": " Amber & <b> ", "colour": colour}, "status")


SIGN_OUT = Markup('<form action="/logout" method="post"><button>Sign out</button></form>')
NAVIGATION = [
    {"href": "/", "text": "Your wards", "active": False},
    {"href": "/review/?a=1&b=2", "text": "Review & <more>", "active": True},
    {"href": "/admin/", "text": "Administration", "active": False},
]
HEADERS = [
    {"service": {"text": "Blanket & <Self>", "href": "/"}, "logo": {"href": "/"}},
    {
        "service": {"text": "Blanket Restrictions Self-Assessment", "href": "/"},
        "logo": {"href": "/"},
        "account": {"items": [{"text": " Olivia <Oak> & co ", "icon": True}, {"html": SIGN_OUT}]},
        "navigation": {"items": NAVIGATION},
    },
    {
        "service": {"text": "Blanket Restrictions Self-Assessment", "href": "/x"},
        "logo": {"href": "/x"},
        "account": {"items": [{"text": "Omar", "icon": True}, {"html": SIGN_OUT}]},
        "navigation": {"items": NAVIGATION[:1]},
    },
]


@pytest.mark.parametrize("params", HEADERS)
def test_headers_read_as_the_nhsuk_macro(app, params):
    assert_same_macro_output(app, "header", params, "layout")


def test_the_skip_link_and_footer_read_as_the_nhsuk_macros(app):
    assert_same_macro_output(app, "skipLink", {"href": "#main", "text": "Skip & go"}, "layout")
    links = [{"href": "/about?a=1&b=2", "text": "About <us>"}, {"href": "/b", "text": "B"}]
    assert_same_macro_output(app, "footer", {"meta": {"items": links}}, "layout")


def assert_same_macro_output(app, macro, params, module="questions"):
    env = app.jinja_env
    ours = env.from_string(
        f'{{% from "macros/{module}.html" import {macro} %}}{{{{ {macro}(params) }}}}'
    )
    theirs = env.from_string(nhsuk_version(module) + f"{{{{ {macro}(params) }}}}")
    assert_same_html(
        as_html(ours.render(params=params)), as_html(theirs.render(params=params)), params
    )
