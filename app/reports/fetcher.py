"""The only way a PDF render reaches outside itself: the app's own static files, nothing else.

Users' text goes into the PDFs. It is escaped, but should anything slip through, a render must
not fetch a URL on the network or a file elsewhere on the server.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse


class Refused(ValueError):
    """A URL outside the app's static files."""


class StaticFilesOnly(URLFetcher):
    def __init__(self, static_root: str | Path):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, timeout=1)
        self.root = Path(static_root).resolve()
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        path = self._local_path(url)
        if path is None:
            self.refused.append(url)
            raise Refused(f"refused to fetch {url[:200]}")
        mime, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(
            path.as_uri(),
            path.read_bytes(),
            {"Content-Type": mime or "application/octet-stream"},
        )

    def _local_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path
