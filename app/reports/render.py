"""HTML to PDF with WeasyPrint, in a child process that is stopped if it runs too long.

A thread cannot be stopped from outside; a forked child can. Forking also keeps whatever
memory a large render takes out of the app's own process.
"""

from __future__ import annotations

import gc
import multiprocessing
from functools import lru_cache
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from .fetcher import StaticFilesOnly

PRINT_CSS = Path(__file__).with_name("print.css")
# Tagged for screen readers (PDF/UA-1): headings, tables and reading order survive.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


class RenderTimeout(RuntimeError):
    """The render ran past its time limit and was stopped."""


class RenderFailed(RuntimeError):
    """The render stopped with an error."""


@lru_cache(maxsize=1)
def _stylesheet() -> tuple[CSS, FontConfiguration]:
    fonts = FontConfiguration()
    return CSS(filename=str(PRINT_CSS), font_config=fonts), fonts


def write_pdf(html: str, static_root: str) -> bytes:
    """Render in this process (the child calls this; benchmarks call it directly too)."""
    css, fonts = _stylesheet()
    fetcher = StaticFilesOnly(static_root)
    document = HTML(string=html, base_url=Path(static_root).as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[css], font_config=fonts, **PDF_OPTIONS)


def _child(conn, html: str, static_root: str) -> None:
    # The child lives for one render and its memory goes back when it exits, so the cyclic
    # garbage collector only costs time here: a render makes millions of short-lived objects,
    # and each collection walks them (about an eighth of the render). Measured: the worst-case
    # report peaks at 250 MB either way.
    gc.disable()
    try:
        conn.send_bytes(b"ok" + write_pdf(html, static_root))
    except Exception as exc:  # reported to the parent, which raises RenderFailed
        conn.send_bytes(b"er" + repr(exc).encode()[:2000])
    finally:
        conn.close()


def render_pdf(html: str, static_root: str, timeout: float) -> bytes:
    """The PDF for this HTML, or RenderTimeout after `timeout` seconds."""
    _stylesheet()  # parsed once in this process, so every forked child starts with it
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, html, static_root), daemon=True)
    # Frozen objects are left out of garbage collection, so the child's collections (a render
    # makes many) do not walk, and copy page by page, the whole heap it inherited.
    gc.freeze()
    try:
        child.start()
    finally:
        gc.unfreeze()
    send.close()
    try:
        if not receive.poll(timeout):
            raise RenderTimeout(f"render took longer than {timeout} seconds")
        try:
            message = receive.recv_bytes()
        except EOFError as exc:
            raise RenderFailed("the render stopped without a result") from exc
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()
    if message[:2] != b"ok":
        raise RenderFailed(message[2:].decode(errors="replace"))
    return message[2:]
