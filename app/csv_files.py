"""CSV downloads that open cleanly in a spreadsheet: one place for how every CSV is made safe
and sent."""

from __future__ import annotations

from flask import Response

# A cell starting with one of these would run as a formula in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """The value as text, made plain text if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(text: str, filename: str) -> Response:
    """A download of `text`, with a byte-order mark so that Excel reads the UTF-8 correctly
    (without one it assumes Windows-1252, and names with accents or curly quotes garble)."""
    return Response(
        "\ufeff" + text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
