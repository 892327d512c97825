"""PDF rendering figures: the worst case the shipped framework allows (every item a blanket,
unjustified restriction), rendered cold and from the cache, compared with headless Chromium
printing the same HTML (COLD_RUNS=5 runs each, each render paired with a print straight after
it), and the memory of 100 renders in one process. Each document is timed as the app renders it
(a long one in PDF_PARTS parts side by side, joined) and whole in one process, for comparison;
Chromium always prints the whole document.

Run: .venv/bin/python bench/bench_pdf.py
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402
from sqlalchemy import delete  # noqa: E402

from app import create_app, frameworks  # noqa: E402
from app.auth.passwords import hash_password  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    ROLE_LEAD,
    Provider,
    RenderedDocument,
    User,
    Ward,
    WardMembership,
)
from app.reports import documents  # noqa: E402
from app.reports.render import PRINT_CSS, write_pdf  # noqa: E402
from tests.helpers import answers_for, make_assessment  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
RENDERS = int(os.environ.get("RENDERS", "100"))
COLD_RUNS = int(os.environ.get("COLD_RUNS", "5"))
SWEEP = (8, 20, 40, 60, 82)  # items answered "for everyone" in the plans of the size sweep


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def assessed_ward(name: str, blanket_items: int | None):
    """A submitted assessment: every item answered "for everyone" with no safeguards (None),
    or the first n; the rest "not in place". (Items that cannot be a blanket restriction, such
    as 1.2.0's governance items, are scored but not counted as restrictions.)"""
    provider = Provider(name=f"{name} NHS Trust")
    ward = Ward(name=f"{name} Ward", provider=provider)
    user = User(
        email=f"{name.lower()}@example.org",
        name="Bench Lead",
        password_hash=hash_password("x" * 20),
    )
    db.session.add_all([provider, ward, user])
    db.session.flush()
    db.session.add(WardMembership(user_id=user.id, ward_id=ward.id, role=ROLE_LEAD))
    db.session.commit()
    framework = frameworks.latest()
    answers = answers_for(framework)
    worst = answers_for(framework, "everyone", "no")
    for item_id in list(worst)[:blanket_items]:
        answers[item_id] = worst[item_id]
    return make_assessment(ward, user, answers, submit=True)


def chromium_seconds(html: str, workdir: Path) -> tuple[float, float, int] | None:
    """Wall and CPU seconds (Chromium's processes included) to print the same HTML.

    WeasyPrint is handed the print stylesheet beside the HTML; Chromium gets it inline, so
    both lay out the same document (same font size, margins and page breaks).
    """
    if not Path(CHROMIUM).exists():
        return None
    source = workdir / "doc.html"
    source.write_text(html.replace("</head>", f"<style>{PRINT_CSS.read_text()}</style></head>", 1))
    out = workdir / "chromium.pdf"
    out.unlink(missing_ok=True)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={out}",
            source.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    shutil.rmtree(profile, ignore_errors=True)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return elapsed, cpu, len(PdfReader(out).pages)


def forked_memory(app, html: str | list[str], what: str) -> None:
    """The app process's memory over RENDERS renders of this document, as the app renders."""
    before = rss_mb()
    started = time.perf_counter()
    for n in range(RENDERS):
        documents.render_pdf(html, app.static_folder, 120)
        if n == min(9, RENDERS - 1):
            after_10 = rss_mb()
    per = (time.perf_counter() - started) / RENDERS
    print(
        f"memory, {RENDERS} {what}: parent RSS {before:.0f} MB before, {after_10:.0f} MB after "
        f"10, {rss_mb():.0f} MB after {RENDERS}; {per:.2f} s each"
    )


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    os.environ["INSTANCE_PATH"] = str(workdir / "instance")
    url = f"sqlite:///{workdir / 'bench.sqlite'}"
    os.environ["DATABASE_URL"] = url
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 32})
    cpu = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line),
        "unknown",
    )
    parts = app.config["PDF_PARTS"]
    print(f"machine: {os.cpu_count()} cores, {cpu}; a long plan renders in {parts} part(s)")
    with app.app_context():
        db.create_all()
        assessment = assessed_ward("Worst", None)
        typical = assessed_ward("Typical", 8)
        print(
            f"worst case: {len(assessment.answers)} items, "
            f"{assessment.result.blanket_count} blanket restrictions, all unjustified"
        )
        with app.test_request_context():
            today = date.today()
            # Each document as the app renders it (in parts, if long), and whole in one process
            # (as before PDF_PARTS) for comparison.
            runs = [
                (kind, n) for kind in ("plan", "report") for n in sorted({parts, 1}, reverse=True)
            ]
            for kind, run_parts in runs:
                app.config["PDF_PARTS"] = run_parts
                label = f"{kind} in {run_parts} parts" if run_parts > 1 else f"{kind}, whole"
                html = (
                    documents.report_html(assessment, today, with_trail=True)
                    if kind == "report"
                    else documents.plan_html(assessment, today)
                )
                # Several cold renders (the cache emptied before each), since one run on a
                # shared machine can be off by a fifth either way. Each is paired with a
                # Chromium print of the same HTML straight after it, so a minute when the
                # machine is slow (or fast) weighs on both sides of the ratio alike.
                colds, chromium = [], []
                for _ in range(COLD_RUNS):
                    db.session.execute(delete(RenderedDocument))
                    db.session.commit()
                    started = time.perf_counter()
                    children = resource.getrusage(resource.RUSAGE_CHILDREN)
                    cold = documents.document_for(kind, assessment, today, with_trail=True)
                    wall = time.perf_counter() - started
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    # The render runs in a forked child: its CPU time is what a loaded machine
                    # distorts least.
                    cpu = (after.ru_utime + after.ru_stime) - (
                        children.ru_utime + children.ru_stime
                    )
                    assert not cold.cached
                    colds.append((wall, cpu))
                    chromium.append(chromium_seconds(html, workdir))
                timings = []
                for _ in range(20):
                    started = time.perf_counter()
                    hit = documents.document_for(kind, assessment, today, with_trail=True)
                    timings.append(time.perf_counter() - started)
                    assert hit.cached
                timings.sort()
                pages = len(PdfReader(io.BytesIO(cold.content)).pages)
                cold_s = statistics.median(w for w, _ in colds)
                cold_cpu = statistics.median(c for _, c in colds)
                print(
                    f"{label}: {pages} pages, {len(cold.content):,} bytes, HTML {len(html):,} bytes; "
                    f"cold, median of {COLD_RUNS}: {cold_s:.2f} s wall (best "
                    f"{min(w for w, _ in colds):.2f}, worst {max(w for w, _ in colds):.2f}), "
                    f"CPU {cold_cpu:.2f} s; cached median {timings[len(timings) // 2] * 1000:.1f} ms "
                    f"(max {timings[-1] * 1000:.1f} ms)"
                )
                if chromium[0] is not None:
                    wall = statistics.median(w for w, _, _ in chromium)
                    cpu = statistics.median(c for _, c, _ in chromium)
                    pairs = statistics.median(
                        ours[0] / theirs[0] for ours, theirs in zip(colds, chromium, strict=True)
                    )
                    print(
                        f"{label}: chromium --print-to-pdf, same HTML and stylesheet, "
                        f"{chromium[0][2]} pages, median of {COLD_RUNS}: {wall:.2f} s wall "
                        f"(best {min(w for w, _, _ in chromium):.2f}, CPU {cpu:.2f} s); "
                        f"WeasyPrint/Chromium: ratio of medians {cold_s / wall:.2f} wall, "
                        f"{cold_cpu / cpu:.2f} CPU; median of the {COLD_RUNS} paired runs' ratios {pairs:.2f}"
                    )

            app.config["PDF_PARTS"] = parts
            # Where the two cross: plans from a typical ward's to the worst case. Chromium
            # starts a browser for each print, so it costs more for short documents.
            print("plan size sweep, median of 3 each (wall seconds):")
            in_parts = None  # the shortest plan of the sweep that renders in parts
            for blanket in SWEEP:
                sized = assessed_ward(f"Sweep{blanket}", blanket)
                html = documents.plan_html(sized, today)
                # As the app renders it: in parts side by side if it is long enough.
                pieces = documents.plan_parts(sized, today, parts)
                if len(pieces) > 1 and in_parts is None:
                    in_parts = (sized.result.blanket_count, pieces)
                walls, chromium = [], []
                for _ in range(3):  # paired, as above
                    started = time.perf_counter()
                    content = documents.render_pdf(pieces, app.static_folder, 120)
                    walls.append(time.perf_counter() - started)
                    chromium.append(chromium_seconds(html, workdir))
                ours = statistics.median(walls)
                line = (
                    f"  {sized.result.blanket_count:>2} blanket restrictions, "
                    f"{len(PdfReader(io.BytesIO(content)).pages):>2} pages, {len(pieces)} "
                    f"part{'s' if len(pieces) > 1 else ''}: WeasyPrint {ours:.2f} s"
                )
                if chromium[0] is not None:
                    theirs = statistics.median(w for w, _, _ in chromium)
                    line += f", Chromium {theirs:.2f} s, ratio {ours / theirs:.2f}"
                print(line)

            html = documents.plan_html(typical, today)
            pages = len(PdfReader(io.BytesIO(write_pdf(html, app.static_folder))).pages)
            print(f"typical plan (8 blanket restrictions): {pages} pages")
            forked_memory(app, html, "typical plan renders (forked, as the app does)")
            if in_parts is not None:
                # The parts are joined in the app's own process (pikepdf): it must not grow.
                blanket, pieces = in_parts
                forked_memory(
                    app,
                    pieces,
                    f"renders of the {blanket}-restriction plan in {len(pieces)} parts "
                    "(forked, joined in this process)",
                )
            before = rss_mb()
            for n in range(max(1, RENDERS // 5)):
                write_pdf(html, app.static_folder)
                if n == min(1, max(1, RENDERS // 5) - 1):
                    after_2 = rss_mb()
            print(
                f"memory, {max(1, RENDERS // 5)} typical plan renders in-process (no fork): RSS {before:.0f} MB "
                f"before, {after_2:.0f} MB after 2, {rss_mb():.0f} MB after {max(1, RENDERS // 5)}; "
                f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
            )
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
