"""Settings from the environment, in one place."""

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSECURE_KEYS = {"", "dev", "change-me", "dev-insecure-key"}


class ConfigError(RuntimeError):
    """The environment does not describe a safe way to run the app."""


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return f"sqlite:///{instance_path / 'blanket-restrictions.sqlite'}"
    # Heroku-style URLs and plain postgresql:// both mean psycopg 3 here.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    overrides = overrides or {}
    env = overrides.get("APP_ENV") or os.environ.get("APP_ENV", "development")
    secret = overrides.get("SECRET_KEY") or os.environ.get("SECRET_KEY", "")
    if env == "production" and (secret in INSECURE_KEYS or len(secret) < 32):
        raise ConfigError(
            "APP_ENV=production needs SECRET_KEY set to a random value of at least 32 characters "
            '(for example: python -c "import secrets; print(secrets.token_hex(32))").'
        )
    production = env == "production"
    config = {
        "APP_ENV": env,
        "SECRET_KEY": secret or "dev-insecure-key",
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "FRAMEWORK_ROOT": os.environ.get("FRAMEWORK_ROOT", str(ROOT / "framework")),
        "DEFAULT_FRAMEWORK": os.environ.get("DEFAULT_FRAMEWORK", "blanket-restrictions"),
        # Forms are long; a nurse may spend hours on one page. The token lifetime is the
        # session's, and an expired token re-shows the form rather than losing the answers.
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "PERMANENT_SESSION_LIFETIME": timedelta(
            minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "60"))
        ),
        "PDF_TIMEOUT_SECONDS": int(os.environ.get("PDF_TIMEOUT_SECONDS", "60")),
        # A long PDF (plan or report) is laid out in this many parts at once, one process
        # each (app/reports/documents.py: _cuts); 1 renders every document whole.
        "PDF_PARTS": int(os.environ.get("PDF_PARTS", str(min(2, os.cpu_count() or 1)))),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto headers to trust.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Where people report an accessibility problem or ask for another format (the
        # accessibility statement); without it they are sent to their ward lead.
        "ACCESSIBILITY_CONTACT_EMAIL": os.environ.get("ACCESSIBILITY_CONTACT_EMAIL", "").strip(),
    }
    config.update(overrides)
    return config
