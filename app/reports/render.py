"""HTML to PDF with WeasyPrint, in child processes that are stopped if they run too long.

A thread cannot be stopped from outside; a forked child can. Forking also keeps whatever
memory a large render takes out of the app's own process.

A long document comes as several parts (`documents.plan_parts`), each laid out by a child of
its own, side by side on the machine's cores, and joined into one PDF (`merge.py`). The parts
need each other's page counts for "Page 5 of 34": each child sends its count to this process
as soon as its pages are laid out, and waits for the others' before it writes its page numbers
(`PageNumbers`).
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.text.fonts import FontConfiguration

from .fetcher import StaticFilesOnly
from .merge import MergeFailed, Part, merge

PRINT_CSS = Path(__file__).with_name("print.css")
# Tagged for screen readers (PDF/UA-1): headings, tables and reading order survive.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


class RenderTimeout(RuntimeError):
    """The render ran past its time limit and was stopped."""


class RenderFailed(RuntimeError):
    """The render stopped with an error."""


class PageNumbers(CounterStyle):
    """Page numbers that count across every part of a document, for the print stylesheet's
    footer: `counter(pages, app-sync)` prints nothing but hands this part's page count to
    `sync`, which answers with (pages in the parts before this one, pages in all parts);
    `counter(page, app-page)` and `counter(pages, app-pages)` then print the whole document's
    numbers. WeasyPrint makes the page margins after it has laid out every page, so the count
    is final when the first footer asks for it."""

    def __init__(self, sync: Callable[[int], tuple[int, int]]):
        super().__init__()
        self._sync = sync
        self._numbers: tuple[int, int] | None = None

    @property
    def shared(self) -> bool:
        """Whether the page count has been shared (the footer asked for it)."""
        return self._numbers is not None

    def render_value(self, counter_value, counter_name=None, counter=None, previous_types=None):
        if counter_name == "app-sync":
            if self._numbers is None:
                self._numbers = self._sync(counter_value)
            return ""
        if counter_name in ("app-page", "app-pages"):
            if self._numbers is None:
                raise RenderFailed("a page number was asked for before the page count")
            before, total = self._numbers
            return str(counter_value + before if counter_name == "app-page" else total)
        return super().render_value(counter_value, counter_name, counter, previous_types)


@lru_cache(maxsize=1)
def _stylesheet() -> tuple[CSS, FontConfiguration]:
    fonts = FontConfiguration()
    return CSS(filename=str(PRINT_CSS), font_config=fonts), fonts


def _alone(pages: int) -> tuple[int, int]:
    return 0, pages


def render_part(
    html: str, static_root: str, sync: Callable[[int], tuple[int, int]] = _alone
) -> Part:
    """Render one part in this process: its PDF, and its bookmarks' levels for the join."""
    css, fonts = _stylesheet()
    fetcher = StaticFilesOnly(static_root)
    source = HTML(string=html, base_url=Path(static_root).as_uri() + "/", url_fetcher=fetcher)
    numbers = PageNumbers(sync)
    options = {"stylesheets": [css], **PDF_OPTIONS}
    document = source.render(font_config=fonts, counter_style=numbers, **options)
    if not numbers.shared and sync is not _alone:
        raise RenderFailed("the part printed no page numbers, so it could not count its pages")
    pdf = document.write_pdf(**options)
    bookmarks = [
        (level, state == "open")
        for page in document.pages
        for level, _label, _point, state in page.bookmarks
    ]
    return Part(pdf, bookmarks)


def write_pdf(html: str, static_root: str) -> bytes:
    """Render a whole document in this process (benchmarks and tests call it directly)."""
    return render_part(html, static_root).pdf


def _child(conn, html: str, static_root: str, alone: bool) -> None:
    # The child lives for one render and its memory goes back when it exits, so the cyclic
    # garbage collector only costs time here: a render makes millions of short-lived objects,
    # and each collection walks them (about an eighth of the render). Measured: the worst-case
    # report peaks at 250 MB either way.
    gc.disable()

    def sync(pages: int) -> tuple[int, int]:
        conn.send(("pages", pages))
        return conn.recv()

    try:
        conn.send(("part", render_part(html, static_root, _alone if alone else sync)))
    except Exception as exc:  # reported to the parent, which raises RenderFailed
        conn.send(("error", repr(exc)[:2000]))
    finally:
        conn.close()


def _expect(conn, kind: str, deadline: float, timeout: float):
    if not conn.poll(max(0.0, deadline - time.monotonic())):
        raise RenderTimeout(f"render took longer than {timeout} seconds")
    try:
        tag, value = conn.recv()
    except EOFError as exc:
        raise RenderFailed("the render stopped without a result") from exc
    if tag == "error":
        raise RenderFailed(value)
    if tag != kind:
        raise RenderFailed(f"the render sent {tag!r} where {kind!r} was due")
    return value


def render_pdf(parts: str | Sequence[str], static_root: str, timeout: float) -> bytes:
    """The PDF for this HTML, or for these parts of one document joined in order; or
    RenderTimeout after `timeout` seconds."""
    htmls = [parts] if isinstance(parts, str) else list(parts)
    deadline = time.monotonic() + timeout
    _stylesheet()  # parsed once in this process, so every forked child starts with it
    ctx = multiprocessing.get_context("fork")
    children = []
    try:
        # Frozen objects are left out of garbage collection, so the children's collections do
        # not walk, and copy page by page, the whole heap they inherited.
        gc.freeze()
        try:
            for html in htmls:
                ours, theirs = ctx.Pipe()
                child = ctx.Process(
                    target=_child, args=(theirs, html, static_root, len(htmls) == 1), daemon=True
                )
                children.append((child, ours))
                child.start()
                theirs.close()
        finally:
            gc.unfreeze()
        if len(htmls) > 1:
            counts = [_expect(conn, "pages", deadline, timeout) for _, conn in children]
            before = 0
            for (_, conn), count in zip(children, counts, strict=True):
                conn.send((before, sum(counts)))
                before += count
        results = [_expect(conn, "part", deadline, timeout) for _, conn in children]
    finally:
        for child, conn in children:
            conn.close()
            if child.is_alive():
                child.kill()
            child.join()
    try:
        return merge(results)
    except MergeFailed as exc:
        raise RenderFailed(f"the parts could not be joined: {exc}") from exc
