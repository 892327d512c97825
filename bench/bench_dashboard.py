"""Commissioner dashboard response time at scale.

    .venv/bin/python bench/bench_dashboard.py [--wards 2000] [--per-ward 5] [--requests 15]
                                             [--database-url postgresql://...]

Seeds the wards (each with submitted assessments six months apart, their results, domain
scores, restrictions found and actions) with bulk inserts into a fresh database, signs in as a
commissioner whose remit covers every ward, and prints the median and worst time of warm
requests through the Flask test client for each review page. SQLite in a temporary folder
unless --database-url names a PostgreSQL database (its schema is dropped and recreated).
Copy the figures into docs/benchmarks.md under "Commissioner dashboard".
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.passwords import hash_password  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import User  # noqa: E402
from bench.bench_engine import cpu_model  # noqa: E402
from tests.review.seeding import seed_wards  # noqa: E402

PASSWORD = "bench-password-long-enough"
PAGES = [
    ("Dashboard, first page (100 wards)", "/review/"),
    ("Dashboard sorted by change, overdue only", "/review/?sort=change&order=desc&overdue=y"),
    ("Heat map, first page", "/review/heat-map"),
    ("Most common restrictions", "/review/restrictions"),
    ("CSV of every ward", "/review/dashboard.csv"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=2000)
    parser.add_argument("--per-ward", type=int, default=5)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-dashboard-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
    os.environ["INSTANCE_PATH"] = tmp
    app = create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "bench-" + "x" * 32,
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
        }
    )
    with app.app_context():
        dialect = db.engine.dialect.name
        if dialect == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.create_all()
        commissioner = User(
            email="commissioner@example.org",
            name="Bench Commissioner",
            password_hash=hash_password(PASSWORD),
            session_token="bench",
        )
        db.session.add(commissioner)
        db.session.commit()
        started = time.perf_counter()
        seed_wards(commissioner, args.wards, args.per_ward, label="Bench")
        seeded = time.perf_counter() - started
        if dialect == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        db.session.remove()

    print(f"Machine: {cpu_model()}, {os.cpu_count()} cores; database: {dialect}")
    print(
        f"Seeded {args.wards} wards x {args.per_ward} submitted assessments "
        f"in {seeded:.1f} s (bulk inserts)"
    )
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "commissioner@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302, response.status_code
    print(f"{'page':48} {'median ms':>10} {'max ms':>8} {'size KB':>8}")
    for label, path in PAGES:
        first = client.get(path)
        assert first.status_code == 200, (path, first.status_code)
        times = []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        print(
            f"{label:48} {statistics.median(times):10.0f} {max(times):8.0f} "
            f"{len(response.data) / 1024:8.0f}"
        )


if __name__ == "__main__":
    main()
