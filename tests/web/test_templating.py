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
