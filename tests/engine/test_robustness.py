"""The validator never crashes: every mangled file gives problems (or none), never an exception."""

import re
import shutil

import pytest

from app.engine import FrameworkError, load, validate

from .conftest import FIXTURES

REPLACEMENTS = ["", "[1, 2]", "{a: 1}", "12", "-3", "true", "null", "'Bad Id'", "2026-01-01"]


def mangled(text: str):
    lines = text.splitlines()
    for n in range(len(lines)):
        yield n, "\n".join(lines[:n] + lines[n + 1 :]) + "\n"  # the line removed
        match = re.match(r"^(\s*-?\s*[\w-]+:\s*)(\S.*)$", lines[n])
        if match:
            for new in REPLACEMENTS:
                changed = [*lines]
                changed[n] = match.group(1) + new
                yield n, "\n".join(changed) + "\n"


@pytest.mark.parametrize("file", ["framework.yaml", "garden.yaml"])
def test_mangled_files_give_problems_not_exceptions(tmp_path, file):
    folder = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "valid", folder)
    original = (folder / file).read_text()
    for n, text in mangled(original):
        (folder / file).write_text(text)
        problems = validate(folder)
        for p in problems:
            assert p.line >= 1 and p.message and p.id, (n, text, p)
        if problems:
            with pytest.raises(FrameworkError):
                load(folder)
        else:
            load(folder)
