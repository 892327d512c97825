"""Blanket Restrictions Self-Assessment: the Flask application factory."""

from __future__ import annotations

import logging
import os
import time
from contextvars import ContextVar
from pathlib import Path

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from .clean_request import CleanRequest
from .config import ROOT, load_config
from .extensions import csrf, db, login_manager, migrate
from .templating import PageEnvironment

log = logging.getLogger("app.requests")

# Whether this request may write. GET and HEAD only read, so their SQLite transactions start
# deferred and never queue behind writers; everything else takes the write lock up front.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def create_app(overrides: dict | None = None) -> Flask:
    instance_path = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        static_folder="static",
        static_url_path="/assets",
    )
    app.config.update(load_config(instance_path, overrides))
    instance_path.mkdir(parents=True, exist_ok=True)
    _configure_logging()
    if app.config["TRUSTED_PROXIES"]:
        # Behind a load balancer: see each user's own address (sign-in limits are per
        # address) and that the original request was https.
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    app.request_class = CleanRequest
    app.jinja_environment = PageEnvironment
    app.jinja_options = {
        "undefined": ChainableUndefined,
        "loader": ChoiceLoader(
            [FileSystemLoader(str(ROOT / "templates")), PackageLoader("nhsuk_frontend_jinja")]
        ),
        "autoescape": True,
    }

    db.init_app(app)
    csrf.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.session_protection = "basic"

    from . import models  # noqa: F401  (register the tables)
    from .actions.views import bp as actions_bp
    from .admin.views import bp as admin_bp
    from .assessments.views import bp as assessments_bp
    from .audit_views import bp as audit_bp
    from .auth.views import bp as auth_bp
    from .cli import register_cli
    from .review.views import bp as review_bp
    from .templating import register_templating

    for bp in (auth_bp, assessments_bp, actions_bp, review_bp, admin_bp, audit_bp):
        app.register_blueprint(bp)
    register_cli(app)
    register_templating(app)
    _register_request_hooks(app)
    _register_errors(app)

    @app.get("/healthz")
    def healthz():
        try:
            db.session.execute(text("SELECT 1"))
        except Exception as exc:  # a health check reports; it does not raise
            return jsonify(status="error", database=str(exc.__class__.__name__)), 503
        return jsonify(status="ok", database="ok")

    healthz.access_rule = "public"
    return app


def _configure_logging() -> None:
    """The app's logs (one line per request) go to stderr under `flask run` and gunicorn
    alike; neither configures them. LOG_LEVEL=WARNING quietens the request lines."""
    logger = logging.getLogger("app")
    if not any(getattr(h, "app_handler", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(
            logging.Formatter("[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s")
        )
        handler.app_handler = True
        logger.addHandler(handler)
    logger.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """Answers are typed by hand: none may vanish on a power cut or a busy moment."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        # Let SQLAlchemy issue BEGIN itself so that writes can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(conn):
    # BEGIN IMMEDIATE takes the write lock at the start, so two writers queue on the busy
    # timeout instead of one failing half-way with "database is locked".
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def _register_request_hooks(app: Flask) -> None:
    @app.before_request
    def start_timer():
        g.started = time.perf_counter()
        write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def forget_request_state(_error=None):
        # Nothing about one request's user or CSRF check may outlive it, even when an app
        # context spans several requests (as in tests, where clients share one context).
        for key in ("_login_user", "csrf_valid", "csrf_failed", "csrf_token"):
            g.pop(key, None)

    @app.after_request
    def headers_and_log(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        # A reset link's token is a password in all but name: log the route, not the token.
        secret = request.endpoint == "auth.reset_password" and request.url_rule is not None
        log.info(
            "%s %s %s %.1fms %s",
            request.method,
            request.url_rule.rule if secret else request.full_path.rstrip("?"),
            response.status_code,
            elapsed,
            response.content_length or "-",
        )
        return response


def _register_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_expired(error):
        # An expired or missing token must not lose what was typed: run the view again; its
        # form fails validation on the token and re-shows every answer with a fresh token.
        g.csrf_failed = True
        view = app.view_functions.get(request.endpoint)
        if (
            request.method == "POST"
            and request.from_this_site  # another site's form is refused, never re-signed
            and getattr(view, "resubmittable", False)
        ):
            return view(**(request.view_args or {}))
        return render_template("errors/csrf.html"), 400

    for code in (400, 403, 404, 405, 413, 500):

        def handler(error, code=code):
            return render_template(f"errors/{code}.html"), code

        app.register_error_handler(code, handler)
