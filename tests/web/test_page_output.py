"""The rendering speed-ups change no page: every page reads the same as with stock Jinja and the
NHS.UK macros.

The reference is a second app on the same database whose Jinja environment is Flask's own, so
every difference a speed-up could make shows up as a difference in some page.
"""

from __future__ import annotations

import re
from collections import ChainMap

import flask.templating
import jinja2
import pytest

import app as app_package
from app import create_app, frameworks
from app.demo import demo_answers
from app.templating import PageEnvironment
from tests.conftest import login
from tests.helpers import make_assessment

TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')


@pytest.fixture
def reference_app(app, monkeypatch):
    """The same app on the same database, rendering with Jinja's stock environment."""
    monkeypatch.setattr(app_package, "PageEnvironment", flask.templating.Environment)
    keys = ("TESTING", "WTF_CSRF_ENABLED", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI")
    reference = create_app({k: app.config[k] for k in keys})
    assert type(reference.jinja_env) is flask.templating.Environment
    assert type(app.jinja_env) is PageEnvironment
    return reference


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    # A CSRF token is signed with the time, so two renders a second apart differ.
    return TOKEN.sub(r"\1-", response.get_data(as_text=True))


def assert_same_pages(app, reference_app, user, paths):
    ours, theirs = app.test_client(), reference_app.test_client()
    if user is not None:
        assert login(ours, user).status_code == 302
        theirs.set_cookie("session", ours.get_cookie("session").value)
    for path in paths:
        assert page(ours, path) == page(theirs, path), path


def test_every_question_page_task_list_and_home_read_the_same(app, world, reference_app):
    framework = frameworks.latest()
    # Some items answered (blanket with safeguards, individual, not in place), the rest not.
    answers = demo_answers(framework, 5, 0.5, 0.5, 0.25, len(framework.items) // 2)
    draft = make_assessment(world.oak, world.oak_lead, answers)
    paths = ["/", f"/assessments/{draft.id}", f"/assessments/{draft.id}/check"]
    paths += [f"/assessments/{draft.id}/domains/{d.id}" for d in framework.domains]
    paths += [f"/assessments/{draft.id}/items/{i.id}" for i in framework.items]
    assert_same_pages(app, reference_app, world.oak_lead, paths)


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
