"""The app's set-up: configuration, health check, demo data and command-line tasks."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import create_app
from app.config import ConfigError
from app.extensions import db
from app.models import Assessment, Provider, User, Ward


def test_healthz_answers_with_json_once_the_database_is_ready(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_demo_data_is_created_once_and_running_again_keeps_it(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "demo-password-1" in result.output
    names = set(db.session.scalars(select(Ward.name)))
    assert names == {"Oak Ward", "Ash Ward", "Willow Ward"}
    assert set(db.session.scalars(select(Provider.name))) == {
        "Northfield NHS Foundation Trust",
        "Southbay Healthcare",
    }
    oak = db.session.scalar(select(Ward).where(Ward.name == "Oak Ward"))
    statuses = sorted(
        db.session.scalars(select(Assessment.status).where(Assessment.ward_id == oak.id))
    )
    assert statuses == ["draft", "submitted", "submitted"]
    users_before = db.session.scalar(select(func.count(User.id)))
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert "already there" in again.output
    assert db.session.scalar(select(func.count(User.id))) == users_before


def test_demo_accounts_sign_in_with_the_documented_password(app, client, runner):
    runner.invoke(args=["seed-demo"])
    for email in (
        "admin@example.org",
        "commissioner@example.org",
        "oak.lead@example.org",
        "oak.member@example.org",
        "willow.lead@example.org",
    ):
        client.post("/logout")
        response = client.post("/login", data={"email": email, "password": "demo-password-1"})
        assert response.status_code == 302, email


def test_demo_data_is_refused_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {
            "APP_ENV": "production",
            "SECRET_KEY": "y" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}",
        }
    )
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 1
        assert "cannot be created when APP_ENV=production" in result.output
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_users_create_makes_the_first_administrator_and_explains_bad_input(app, runner, client):
    bad = runner.invoke(
        args=["users", "create", "--email", "not-an-email", "--name", "A", "--password", "x" * 20]
    )
    assert bad.exit_code == 1 and "correct format" in bad.output
    short = runner.invoke(
        args=["users", "create", "--email", "a@example.org", "--name", "A", "--password", "short"]
    )
    assert short.exit_code == 1 and "12 characters or more" in short.output
    ok = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "First.Admin@Example.org",
            "--name",
            "First Admin",
            "--admin",
            "--password",
            "a-sound-passphrase-here",
        ]
    )
    assert ok.exit_code == 0, ok.output
    user = db.session.scalar(select(User).where(User.email == "first.admin@example.org"))
    assert user.is_admin and user.password_hash.startswith("scrypt:")
    again = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "first.admin@example.org",
            "--name",
            "X",
            "--password",
            "a-sound-passphrase-here",
        ]
    )
    assert again.exit_code == 1 and "already an account" in again.output
    response = client.post(
        "/login", data={"email": "first.admin@example.org", "password": "a-sound-passphrase-here"}
    )
    assert response.status_code == 302


def test_framework_validate_prints_a_summary_for_the_shipped_framework(runner):
    result = runner.invoke(args=["framework", "validate"])
    assert result.exit_code == 0, result.output
    assert "blanket-restrictions 1.0.0:" in result.output
    assert " domains, " in result.output and " actions" in result.output


def test_framework_validate_names_file_line_and_item_of_each_problem(runner, tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "framework.yaml").write_text("id: broken\ntitle: [unclosed\n")
    result = runner.invoke(args=["framework", "validate", str(folder)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "framework.yaml:" in result.output
    missing = runner.invoke(args=["framework", "validate", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "no such file" in missing.output


def test_framework_load_records_versions_and_refuses_edits_to_a_version_in_use(
    app, runner, world, tmp_path
):
    result = runner.invoke(args=["framework", "load"])
    assert result.exit_code == 0, result.output
    assert "blanket-restrictions 1.0.0: loaded" in result.output
    assert "unchanged" in runner.invoke(args=["framework", "load"]).output


def test_the_accessibility_statement_says_what_the_law_asks_of_it(client):
    page = client.get("/accessibility").get_data(as_text=True)
    for heading in (
        "How accessible this service is",
        "Feedback and contact information",
        "Enforcement procedure",
        "Compliance status",
        "Preparation of this accessibility statement",
    ):
        assert f">{heading}</h" in page, heading
    assert (
        "partially compliant with the Web Content Accessibility Guidelines version 2.2 AA" in page
    )
    assert "Equality and Human Rights Commission" in page
    assert '<a href="https://www.equalityadvisoryservice.com/">' in page
    assert "tell your ward lead" in page and "mailto:" not in page  # no address set


def test_the_accessibility_statement_gives_the_contact_address_when_one_is_set(app, client):
    app.config["ACCESSIBILITY_CONTACT_EMAIL"] = "accessibility@northfield.example.org"
    page = client.get("/accessibility").get_data(as_text=True)
    assert (
        '<a href="mailto:accessibility@northfield.example.org">'
        "accessibility@northfield.example.org</a>" in page
    )
    assert "tell your ward lead" not in page
