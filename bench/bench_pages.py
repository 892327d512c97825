"""Server CPU per request for the pages the load benchmark hits most.

    .venv/bin/python bench/bench_pages.py [--repeat 300] [--only item,task]

The app as gunicorn runs it (CSRF on, not debug, a file SQLite database in a temporary
folder), seeded like bench/bench_load.py: the demo data, a bench user who leads a ward with a
draft (a third of its items answered) and is a member of a reference ward with a submitted
assessment whose PDF report is cached. Each request goes through the Flask test client after
a warm-up; the figure is the CPU time of this process (time.process_time), which waiting for
a busy machine's CPU does not inflate. Prints the median and p90 per request.
Copy the figures into docs/benchmarks.md under "Page CPU per request".
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from app import create_app, frameworks  # noqa: E402
from app.assessments import services  # noqa: E402
from app.auth.passwords import hash_password  # noqa: E402
from app.demo import demo_answers  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import ROLE_LEAD, ROLE_MEMBER, Answer, Provider, User, Ward, WardMembership  # noqa: E402
from bench.bench_engine import cpu_model  # noqa: E402

PASSWORD = "bench-password-42"
EMAIL = "bench0@example.org"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION_RE = re.compile(r'name="version"[^>]*value="(\d+)"')


def seed(app) -> dict:
    """The demo data, then one bench user as bench/bench_load.py makes fifty."""
    runner = app.test_cli_runner()
    for args in (["framework", "load"], ["seed-demo"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    fw = frameworks.latest()
    provider = db.session.scalars(db.select(Provider).order_by(Provider.id)).first()
    reference = Ward(name="Bench Reference Ward", provider=provider)
    ward = Ward(name="Bench Ward 0", provider=provider)
    user = User(
        email=EMAIL,
        name="Bench User 0",
        password_hash=hash_password(PASSWORD),
        session_token=secrets.token_hex(16),
    )
    db.session.add_all([reference, ward, user])
    db.session.flush()
    db.session.add(WardMembership(user_id=user.id, ward_id=ward.id, role=ROLE_LEAD))
    db.session.add(WardMembership(user_id=user.id, ward_id=reference.id, role=ROLE_MEMBER))
    db.session.commit()
    draft = services.start(ward, user)
    add_answers(draft, demo_answers(fw, 3, 0.3, 0.5, 0.3, len(fw.items) // 3), user)
    done = services.start(reference, user)
    add_answers(done, demo_answers(fw, 7, 0.3, 0.5, 0.3), user)
    db.session.commit()
    db.session.refresh(done)
    assert services.submit(done, user)
    plan = {"draft": draft.id, "reference": done.id, "items": [i.id for i in fw.items]}
    db.session.remove()
    return plan


def add_answers(assessment, answers: dict, user) -> None:
    for item_id, values in answers.items():
        db.session.add(
            Answer(
                assessment_id=assessment.id,
                item_id=item_id,
                values=values,
                version=1,
                updated_by_id=user.id,
            )
        )


def csrf(page: bytes) -> str:
    match = CSRF_RE.search(page.decode())
    return match.group(1) if match else ""


def sign_in(client) -> None:
    page = client.get("/login").data
    response = client.post(
        "/login", data={"csrf_token": csrf(page), "email": EMAIL, "password": PASSWORD}
    )
    assert response.status_code == 302, response.status_code


def cpu_per_request(request, repeat: int) -> list[float]:
    """CPU milliseconds of each call; `request` returns a callable to time (setup untimed)."""
    out = []
    for _ in range(repeat):
        call = request()
        started = time.process_time()
        call()
        out.append((time.process_time() - started) * 1000)
    return out


def requests(client, anonymous, plan: dict) -> dict:
    """name -> (a function returning the call to time, repetitions factor)."""
    draft, reference = plan["draft"], plan["reference"]
    # An item early in a section, so that saving it redirects to the next item's page.
    item = plan["items"][len(plan["items"]) // 3 + 1]
    item_path = f"/assessments/{draft}/items/{item}"

    def get(c, path, status=200):
        def call():
            response = c.get(path)
            assert response.status_code == status, (path, response.status_code)

        return lambda: call

    def save():
        page = client.get(item_path).data.decode()
        form = {
            "csrf_token": csrf(page.encode()),
            "version": VERSION_RE.search(page).group(1),
            "q-in-place": "individual",
            "evidence": f"Checked on the ward by {EMAIL}",
            "comment": "",
        }

        def call():
            response = client.post(item_path, data=form)
            assert response.status_code == 302, response.status_code

        return call

    def signed_out():
        home = anonymous.get("/")
        if home.status_code == 200:  # signed in by a sign-in repetition
            anonymous.post("/logout", data={"csrf_token": csrf(home.data)})

    def sign_in_page():
        signed_out()
        return get(anonymous, "/login")()

    def sign_in_post():
        signed_out()
        page = anonymous.get("/login").data
        form = {"csrf_token": csrf(page), "email": EMAIL, "password": PASSWORD}

        def call():
            response = anonymous.post("/login", data=form)
            assert response.status_code == 302, response.status_code

        return call

    return {
        "task list": (get(client, f"/assessments/{draft}"), 1),
        "item page": (get(client, item_path), 1),
        "item save (POST)": (save, 1),
        "results": (get(client, f"/assessments/{reference}/results"), 1),
        "home": (get(client, "/"), 1),
        "PDF report (cached)": (get(client, f"/assessments/{reference}/report.pdf"), 1),
        "sign-in page": (sign_in_page, 1),
        # Mostly the scrypt check (its parameters are a security setting, not tuned here).
        "sign in (POST)": (sign_in_post, 0.25),
    }


def print_queries(app, kinds: dict) -> None:
    """The SQL statements one request of each kind runs."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split())[:150])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    for name, (request, _) in kinds.items():
        call = request()
        statements.clear()
        call()
        print(f"{name}: {len(statements)} statements")
        for statement in statements:
            print(f"    {statement}")
    event.remove(engine, "before_cursor_execute", record)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--only", default="", help="comma-separated name fragments")
    parser.add_argument("--profile", default="", help="cProfile one request kind, print top 40")
    parser.add_argument("--queries", action="store_true", help="print each request's SQL")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-pages-")
    os.environ.update(INSTANCE_PATH=tmp, APP_ENV="development", LOG_LEVEL="WARNING")
    app = create_app(
        {
            "SECRET_KEY": secrets.token_hex(32),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
        }
    )
    with app.app_context():
        db.create_all()
        plan = seed(app)

    client = app.test_client()
    anonymous = app.test_client()
    sign_in(client)
    kinds = requests(client, anonymous, plan)
    if args.only:
        wanted = args.only.split(",")
        kinds = {k: v for k, v in kinds.items() if any(w in k for w in wanted)}
    for request, _ in kinds.values():  # warm up: templates compiled, PDF rendered and cached
        for _ in range(5):
            request()()

    if args.queries:
        print_queries(app, kinds)
        return

    if args.profile:
        import cProfile
        import pstats

        request = next(r for k, (r, _) in kinds.items() if args.profile in k)
        profiler = cProfile.Profile()
        for _ in range(args.repeat):
            call = request()
            profiler.enable()
            call()
            profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        # Each template and macro, by its share of the time.
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"\.(jinja|html):", 40)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return

    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}, {cpu_model()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}"
    )
    print(f"{'request':<22} {'n':>5} {'median ms':>10} {'p90 ms':>8}  (CPU time per request)")
    for name, (request, factor) in kinds.items():
        repeat = max(20, int(args.repeat * factor))
        times = sorted(cpu_per_request(request, repeat))
        p90 = times[int(0.9 * (len(times) - 1))]
        print(f"{name:<22} {repeat:>5} {statistics.median(times):>10.2f} {p90:>8.2f}")


if __name__ == "__main__":
    main()
