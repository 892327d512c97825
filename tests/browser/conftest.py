"""Fixtures for the browser tests: the app served on loopback with the demo data, Debian's
Chromium driven by Playwright, and a fresh ward team for each journey.

The server is real: a WSGI server in a thread on 127.0.0.1, a SQLite file in a temporary
folder, CSRF checks on, so every form is posted as a person would post it.
"""

from __future__ import annotations

import itertools
import os
import secrets
import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}


@dataclass
class LiveServer:
    url: str
    app: object


@dataclass
class Team:
    """A ward of Northfield (so the demo commissioner sees it) with a lead and two members."""

    ward_id: int
    ward_name: str
    lead: tuple[str, str]  # (email, name)
    first_member: tuple[str, str]
    second_member: tuple[str, str]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from app import create_app, demo
    from app.extensions import db

    folder = tmp_path_factory.mktemp("browser-server")
    url = f"sqlite:///{folder / 'browser.sqlite'}"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("INSTANCE_PATH", str(folder / "instance"))
        env.setenv("DATABASE_URL", url)
        app = create_app(
            {
                "SECRET_KEY": "browser-" + secrets.token_hex(16),
                "SQLALCHEMY_DATABASE_URI": url,
                "WTF_CSRF_ENABLED": True,
            }
        )
        with app.app_context():
            db.create_all()
            demo.seed()
            db.session.remove()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield LiveServer(url=f"http://127.0.0.1:{server.port}", app=app)
        finally:
            server.shutdown()
            thread.join(timeout=5)
            with app.app_context():
                db.engine.dispose()


@pytest.fixture(scope="session")
def chromium():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh (make setup does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, live_server):
    """new_page(javascript=True, width=1280) opens a fresh browser context (no cookies) on the
    live server and returns its page. Each call is a different person at a different computer."""
    contexts = []

    def _open(javascript: bool = True, width: int = DESKTOP["width"], height: int | None = None):
        context = chromium.new_context(
            base_url=live_server.url,
            java_script_enabled=javascript,
            viewport={"width": width, "height": height or DESKTOP["height"]},
            accept_downloads=True,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.javascript = javascript  # the accessibility checks need it to run axe
        return page

    yield _open
    for context in contexts:
        context.close()


_team_numbers = itertools.count(1)


@pytest.fixture
def team(live_server) -> Team:
    """A new ward with its own lead and two members, all with the demo password."""
    from app.demo import user
    from app.extensions import db
    from app.models import ROLE_LEAD, ROLE_MEMBER, Provider, Ward, WardMembership

    n = next(_team_numbers)
    tag = secrets.token_hex(2)
    with live_server.app.app_context():
        provider = (
            db.session.query(Provider).filter_by(name="Northfield NHS Foundation Trust").one()
        )
        ward = Ward(name=f"Birch Ward {n}", provider=provider)
        db.session.add(ward)
        people = {
            "lead": (f"birch{n}.lead.{tag}@example.org", f"Bea Birch {n} (ward manager)"),
            "first": (f"birch{n}.nurse.{tag}@example.org", f"Ben Birch {n} (staff nurse)"),
            "second": (f"birch{n}.hca.{tag}@example.org", f"Bo Birch {n} (health care assistant)"),
        }
        users = {key: user(email, name) for key, (email, name) in people.items()}
        db.session.flush()
        for key, u in users.items():
            role = ROLE_LEAD if key == "lead" else ROLE_MEMBER
            db.session.add(WardMembership(user_id=u.id, ward_id=ward.id, role=role))
        db.session.commit()
        made = Team(
            ward_id=ward.id,
            ward_name=ward.name,
            lead=people["lead"],
            first_member=people["first"],
            second_member=people["second"],
        )
        db.session.remove()
    return made


@pytest.fixture
def submitted(live_server, team) -> int:
    """The team's ward with one submitted assessment, some restrictions blanket and
    unjustified (so its action plan has actions). Returns the assessment id."""
    from app import frameworks
    from app.extensions import db
    from app.models import User, Ward
    from tests.helpers import answers_for, make_assessment

    with live_server.app.app_context():
        ward = db.session.get(Ward, team.ward_id)
        lead = db.session.query(User).filter_by(email=team.lead[0]).one()
        framework = frameworks.latest()
        answers = answers_for(framework)
        blanket = answers_for(framework, status="everyone", safeguards="no")
        for item in list(framework.items)[:6]:
            answers[item.id] = blanket[item.id]
        assessment_id = make_assessment(ward, lead, answers, submit=True).id
        db.session.commit()
        db.session.remove()
    return assessment_id
