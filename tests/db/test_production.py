"""Running several app servers on one database: nothing lives only in one process, health
checks, one log line per request, and the addresses seen behind a reverse proxy."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from flask import request

from app import create_app, frameworks
from app.config import ROOT
from app.extensions import db
from tests.helpers import make_assessment


def test_two_app_servers_on_one_database_share_sign_in_and_answers(app, client, world, login_as):
    """A load balancer may send each request to a different server."""
    other = create_app(dict(app.config))  # a second server: same SECRET_KEY, same database
    other_client = other.test_client()
    try:
        assessment = make_assessment(world.oak, world.oak_lead, answers={})
        assessment_id = assessment.id
        item_id = frameworks.for_assessment(assessment).items[0].id
        login_as(world.oak_lead)
        db.session.remove()  # end this server's request, as a real server does
        other_client.set_cookie("session", client.get_cookie("session").value)

        page = other_client.get("/").get_data(as_text=True)
        assert "Oak Ward" in page  # signed in on the other server with the same cookie
        saved = other_client.post(
            f"/assessments/{assessment_id}/items/{item_id}",
            data={"q-in-place": "not-in-place", "version": "0", "evidence": "Seen on nights"},
        )
        assert saved.status_code == 302
        page = client.get(f"/assessments/{assessment_id}/items/{item_id}").get_data(as_text=True)
        assert "Seen on nights" in page  # the first server sees what the other saved
        assert re.search(r'name="version"[^>]*value="1"', page)
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_healthz_checks_the_database(client, tmp_path, monkeypatch):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "broken"))
    broken = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'no-such-folder' / 'x.sqlite'}"}
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_each_request_logs_one_line_with_its_time_without_any_set_up(tmp_path):
    """As under gunicorn or `flask run`: a fresh process, nothing configuring logging."""
    code = (
        "from app import create_app\n"
        "app = create_app()\n"
        "app.test_client().get('/healthz')\n"
        "app.test_client().get('/no-such-page')\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("LOG_LEVEL",)}
    env["INSTANCE_PATH"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "app.requests" in line]
    assert len(lines) == 2, result.stderr
    assert re.search(r"GET /healthz 200 \d+\.\dms", lines[0])
    assert re.search(r"GET /no-such-page 404 \d+\.\dms", lines[1])


def test_behind_a_trusted_proxy_the_users_own_address_and_https_are_seen(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    seen = []
    for proxies in (0, 1):
        proxied = create_app(
            {
                "TRUSTED_PROXIES": proxies,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}",
            }
        )
        proxied.before_request(lambda: seen.append((request.remote_addr, request.scheme)))
        proxied.test_client().get(
            "/healthz",
            headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
        )
    assert seen == [("10.0.0.2", "http"), ("203.0.113.9", "https")]
