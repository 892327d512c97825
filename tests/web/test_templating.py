"""Template helpers: our faster `indent` must give exactly what Jinja's gives."""

import pytest
from jinja2.filters import do_indent
from markupsafe import Markup

from app.templating import indent

SAMPLES = [
    Markup("<p>a</p>\n<b>&amp;</b>\n\n  x"),
    "a <b>\nc & d\n",
    Markup(""),
    "",
    Markup("one"),
    Markup("x\r\ny\n"),
    "t\n\n\nq",
]


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("width", [0, 2, 4, "--"])
@pytest.mark.parametrize("first", [False, True])
@pytest.mark.parametrize("blank", [False, True])
def test_indent_matches_jinjas_own_filter(text, width, first, blank):
    ours = indent(text, width, first, blank)
    theirs = do_indent(text, width, first, blank)
    assert ours == theirs
    assert type(ours) is type(theirs)


def test_stored_times_are_shown_as_uk_clock_time():
    from datetime import date, datetime

    from app.templating import format_date, format_datetime

    # Stored in UTC: in summer the UK clock is an hour ahead, and just before midnight UTC it
    # is already the next day in the UK.
    assert format_datetime(datetime(2026, 7, 1, 12, 5)) == "1 July 2026 at 13:05"
    assert format_datetime(datetime(2026, 1, 15, 12, 5)) == "15 January 2026 at 12:05"
    assert format_date(datetime(2026, 6, 30, 23, 30)) == "1 July 2026"
    assert format_date(date(2026, 6, 30)) == "30 June 2026"  # a date is a date: unchanged
