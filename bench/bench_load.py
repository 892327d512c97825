"""Load: the app under gunicorn on loopback, 50 simulated ward staff at once, SQLite then
PostgreSQL.

    .venv/bin/python bench/bench_load.py [--users 50] [--seconds 60] [--think 1.0]
                                         [--workers 4] [--ramp 10] [--databases sqlite,postgresql]

For each database: a fresh database in a temporary folder (`flask db upgrade`, `flask
framework load`, `flask seed-demo`), one extra ward per simulated user with that user as its
lead and a draft to answer (so nobody meets another's 409 conflict, which is by design), and a
shared reference ward with a submitted assessment. PostgreSQL comes from
scripts/pg-test-server.sh. gunicorn runs `--workers` sync workers on 127.0.0.1.

The users arrive spread over the first `--ramp` seconds (10 by default; a ward's staff do not
all sign in within the same second, and each sign-in is a deliberately slow scrypt hash: use
`--ramp 2` to see that crowd). Each simulated user signs in, then until time runs out repeats,
with a pause of 0 to 2 x `--think` seconds between page loads (people read pages): open their
task list, open an item and answer it (CSRF token and hidden `version` read from the page,
redirect followed), view the reference ward's results, download its cached PDF report, go
home, or now and then sign out and in again. Stdlib only (threads + http.client).

Prints requests, requests/s, p50/p95/p99 latency, errors (5xx, unexpected status, connection
failures) and 409 conflicts, overall and per kind of request; the p95 once everyone has
arrived; and the CPU the app and this script used.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PG_SCRIPT = ROOT / "scripts" / "pg-test-server.sh"
PASSWORD = "bench-password-42"
REFERENCE_WARD = "Bench Reference Ward"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION_RE = re.compile(r'name="version"[^>]*value="(\d+)"')
# (kind, weight) of what a signed-in user does next.
MIX = [
    ("task list", 30),
    ("answer item", 35),
    ("results", 15),
    ("pdf", 8),
    ("home", 9),
    ("sign in again", 3),
]


# Setting up: a seeded database, then gunicorn.


def seed(env: dict, users: int) -> dict:
    """Run in a child process (so this one holds no database connections)."""
    code = f"""
import json
from app import create_app, frameworks
from app.assessments import services
from app.auth.passwords import hash_password
from app.demo import demo_answers
from app.extensions import db
from app.models import ROLE_LEAD, ROLE_MEMBER, Answer, Provider, User, Ward, WardMembership
import secrets
app = create_app()
with app.app_context():
    fw = frameworks.latest()
    provider = db.session.scalars(db.select(Provider).order_by(Provider.id)).first()
    hashed = hash_password({PASSWORD!r})
    reference = Ward(name={REFERENCE_WARD!r}, provider=provider)
    db.session.add(reference)
    out = {{"users": []}}
    for n in range({users}):
        user = User(email=f"bench{{n}}@example.org", name=f"Bench User {{n}}",
                    password_hash=hashed, session_token=secrets.token_hex(16))
        ward = Ward(name=f"Bench Ward {{n}}", provider=provider)
        db.session.add_all([user, ward])
        db.session.flush()
        db.session.add(WardMembership(user_id=user.id, ward_id=ward.id, role=ROLE_LEAD))
        db.session.add(WardMembership(user_id=user.id, ward_id=reference.id, role=ROLE_MEMBER))
        db.session.commit()
        draft = services.start(ward, user)
        out["users"].append({{"email": user.email, "draft": draft.id}})
        if n == 0:
            lead = user
    done = services.start(reference, lead)
    for item_id, values in demo_answers(fw, 7, 0.3, 0.5, 0.3).items():
        db.session.add(Answer(assessment_id=done.id, item_id=item_id, values=values,
                              version=1, updated_by_id=lead.id))
    db.session.commit()
    db.session.refresh(done)
    assert services.submit(done, lead)
    out["reference"] = done.id
    out["items"] = [item.id for item in fw.items]
    print(json.dumps(out))
"""
    result = subprocess.run(
        [str(VENV_BIN / "python"), "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"seeding failed:\n{result.stderr}")
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def flask(env: dict, *args: str) -> None:
    subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "app", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict, workers: int, port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--no-control-socket",
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.terminate()
    sys.exit("gunicorn did not answer /healthz within 60 s")


# A simulated user.


class Browser:
    """Cookies, CSRF tokens and redirects over one http.client connection."""

    def __init__(self, port: int, record):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.record = record

    def request(self, kind: str, method: str, path: str, form: dict | None = None, ok=(200,)):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.record(kind, "error", time.perf_counter() - started, f"{type(exc).__name__}")
            return None, b""
        elapsed = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        if response.status in ok:
            outcome = "ok"
        elif response.status == 409:
            outcome = "conflict"
        else:
            outcome = "error"
        self.record(kind, outcome, elapsed, f"{method} {path} -> {response.status}")
        if response.status in (301, 302, 303) and method == "POST":
            location = urlsplit(response.getheader("Location", "/"))
            path = location.path + (f"?{location.query}" if location.query else "")
            return self.request(kind + " (redirect)", "GET", path)
        return response, content


def csrf(content: bytes) -> str:
    match = CSRF_RE.search(content.decode())
    return match.group(1) if match else ""


def sign_in(browser: Browser, email: str) -> None:
    _, page = browser.request("sign in", "GET", "/login")
    browser.request(
        "sign in",
        "POST",
        "/login",
        {"csrf_token": csrf(page), "email": email, "password": PASSWORD},
        ok=(302,),
    )


def simulated_user(port, user, plan, deadline, think, record, seed_, arrive_at):
    rng = random.Random(seed_)
    browser = Browser(port, record)
    time.sleep(max(0.0, arrive_at - time.monotonic()))
    sign_in(browser, user["email"])
    kinds, weights = zip(*MIX, strict=True)
    while time.monotonic() < deadline:
        kind = rng.choices(kinds, weights)[0]
        draft = user["draft"]
        if kind == "task list":
            browser.request(kind, "GET", f"/assessments/{draft}")
        elif kind == "answer item":
            item_id = rng.choice(plan["items"])
            path = f"/assessments/{draft}/items/{item_id}"
            _, page = browser.request("item page", "GET", path)
            version = VERSION_RE.search(page.decode())
            time.sleep(rng.uniform(0, 2 * think))  # reading and choosing
            form = {
                "csrf_token": csrf(page),
                "version": version.group(1) if version else "0",
                "q-in-place": rng.choice(["not-in-place", "individual"]),
                "evidence": f"Checked on the ward by {user['email']}",
                "comment": "",
            }
            browser.request(kind, "POST", path, form, ok=(302,))
        elif kind == "results":
            browser.request(kind, "GET", f"/assessments/{plan['reference']}/results")
        elif kind == "pdf":
            browser.request(kind, "GET", f"/assessments/{plan['reference']}/report.pdf")
        elif kind == "home":
            browser.request(kind, "GET", "/")
        else:
            _, page = browser.request("sign out", "GET", "/")
            browser.request("sign out", "POST", "/logout", {"csrf_token": csrf(page)}, ok=(302,))
            sign_in(browser, user["email"])
        time.sleep(rng.uniform(0, 2 * think))


# Running and reporting.


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run(database: str, args) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"bench-load-{database}-"))
    pg_dir = None
    server = None
    env = dict(
        os.environ,
        INSTANCE_PATH=str(work / "instance"),
        SECRET_KEY=secrets.token_hex(32),
        APP_ENV="development",
        LOG_LEVEL="WARNING",
    )
    try:
        if database == "postgresql":
            out = subprocess.run(
                [str(PG_SCRIPT), "start"], capture_output=True, text=True, check=True
            ).stdout.splitlines()
            env["DATABASE_URL"], pg_dir = out[0], out[1]
        else:
            env["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite'}"
        flask(env, "db", "upgrade")
        flask(env, "framework", "load")
        flask(env, "seed-demo")
        plan = seed(env, args.users)
        port = free_port()
        server = start_gunicorn(env, args.workers, port, work / "gunicorn.log")

        samples: list[tuple[str, str, float, str]] = []
        lock = threading.Lock()

        def record(kind, outcome, elapsed, detail):
            with lock:
                samples.append((kind, outcome, elapsed, detail, time.monotonic() - elapsed))

        # Warm up: every worker loads the framework and compiles the templates; the PDF is
        # rendered once and cached in the database.
        warm = Browser(port, lambda *a: None)
        sign_in(warm, plan["users"][0]["email"])
        draft, reference = plan["users"][0]["draft"], plan["reference"]
        for _ in range(args.workers * 3):
            for path in (
                "/",
                f"/assessments/{draft}",
                f"/assessments/{draft}/items/{plan['items'][0]}",
                f"/assessments/{reference}/results",
                f"/assessments/{reference}/report.pdf",
            ):
                warm.request("warm-up", "GET", path)
        load_before = os.getloadavg()[0]
        server_cpu_before = tree_cpu_seconds(server.pid)
        own_before = resource.getrusage(resource.RUSAGE_SELF)

        started = time.monotonic()
        deadline = started + args.seconds
        # People do not all arrive in the same moment: one user every ramp/users seconds,
        # give or take a second, so the first sign-ins (a scrypt hash each) are spread out.
        rng = random.Random(0)
        arrivals = sorted(
            max(0.0, n * args.ramp / args.users + rng.uniform(-1, 1)) for n in range(args.users)
        )
        threads = [
            threading.Thread(
                target=simulated_user,
                args=(port, user, plan, deadline, args.think, record, n, started + arrivals[n]),
                daemon=True,
            )
            for n, user in enumerate(plan["users"])
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.seconds + 60)
        wall = time.monotonic() - started
        own_after = resource.getrusage(resource.RUSAGE_SELF)
        own = (own_after.ru_utime + own_after.ru_stime) - (
            own_before.ru_utime + own_before.ru_stime
        )
        served = tree_cpu_seconds(server.pid) - server_cpu_before
        print(f"\nload average (1 min) before {load_before:.1f}, after {os.getloadavg()[0]:.1f}")
        print(
            f"CPU over the run: gunicorn {served:.1f} s ({served / wall:.2f} cores), "
            f"this load generator {own:.1f} s ({own / wall:.2f} cores), of {os.cpu_count()} cores"
        )
        summary = summarise(database, samples, wall, args)
        arrived = started + max(arrivals) + 5
        settled = [s[2] * 1000 for s in samples if s[4] >= arrived]
        print(
            f"  once everyone has arrived and signed in (from {arrived - started:.0f} s): "
            f"{len(settled)} requests, p95 {percentile(settled, 95):.1f} ms, "
            f"p99 {percentile(settled, 99):.1f} ms"
        )
        if summary["errors"]:
            log = (work / "gunicorn.log").read_text().splitlines()
            problems = [line for line in log if "Error" in line or "ERROR" in line]
            print("\n".join(f"    server: {line}" for line in problems[-10:]))
        return summary
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if pg_dir:
            subprocess.run([str(PG_SCRIPT), "stop", pg_dir], check=False)
        shutil.rmtree(work, ignore_errors=True)


def tree_cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process and its children (gunicorn's workers), from
    /proc: a worker's time counts while it lives."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        pending.extend(int(c) for c in children)
    return total


def summarise(database: str, samples, wall: float, args) -> dict:
    latencies = [s[2] * 1000 for s in samples]
    errors = [s for s in samples if s[1] == "error"]
    conflicts = sum(1 for s in samples if s[1] == "conflict")
    print(
        f"\n{database}: {args.users} users arriving over {args.ramp:g} s, {args.seconds:.0f} s, "
        f"think time 0-{2 * args.think:g} s, {args.workers} gunicorn workers"
    )
    print(
        f"  {len(samples)} requests, {len(samples) / wall:.1f} requests/s, "
        f"p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms, "
        f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies, default=0):.1f} ms, "
        f"errors {len(errors)}, conflicts (409) {conflicts}"
    )
    by_kind = defaultdict(list)
    for kind, _, elapsed, *_ in samples:
        by_kind[kind].append(elapsed * 1000)
    for kind, values in sorted(by_kind.items()):
        print(
            f"    {kind:<24} {len(values):6d}  p50 {percentile(values, 50):7.1f} ms  "
            f"p95 {percentile(values, 95):7.1f} ms  mean {statistics.fmean(values):7.1f} ms"
        )
    for detail in sorted({e[3] for e in errors})[:10]:
        print(f"    error: {detail}")
    return {
        "requests": len(samples),
        "rps": len(samples) / wall,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "errors": len(errors),
        "conflicts": conflicts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between pages")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--ramp", type=float, default=10.0, help="seconds over which the users arrive"
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    args.seconds = min(args.seconds, 600.0)  # bounded, whatever is asked
    results = {db: run(db, args) for db in args.databases.split(",")}
    failed = [db for db, r in results.items() if r["errors"]]
    if failed:
        sys.exit(f"errors on {', '.join(failed)}")


if __name__ == "__main__":
    main()
