"""The framework loader given random YAML (hypothesis): it returns problems, never raises
anything else, and `load` refuses with FrameworkError alone."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine import FrameworkError, Problem, load, validate

from .conftest import tally

VALID = Path(__file__).resolve().parents[1] / "engine" / "fixtures" / "valid"
KEYS = ["id", "title", "version", "domains", "items", "questions", "options", "actions",
        "scoring", "rag", "when", "question", "in", "points", "type", "sources", "published",
        "review_period_months", "standard_questions", "standard_actions", "due_days",
        "priority", "text", "references", "source", "paragraphs"]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.dates(),
)
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=10)), inner, max_size=6),
    ),
    max_leaves=30,
)
raw_text = st.one_of(
    st.text(max_size=400),
    st.sampled_from(
        [
            "a: [1, 2",  # unclosed
            "x: !!python/object/apply:os.system ['echo hi']",  # a tag that must not run
            "- &a x\n- *b",
            "\t- tab indented",
            "id: \x00",
            "a: b: c",
            "? [1, 2]\n: complex key",
            "%YAML 9.9\n---\na: 1",
            "a: 1\na: 2",
        ]
    ),
)
documents = st.one_of(trees.map(lambda t: yaml.safe_dump(t, allow_unicode=True)), raw_text)
BROKEN = [0]


def _check(folder: Path) -> None:
    problems = validate(folder)
    assert isinstance(problems, list) and all(isinstance(p, Problem) for p in problems)
    try:
        load(folder)
    except FrameworkError as error:
        assert error.problems
    if problems:
        BROKEN[0] += 1


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(which=st.sampled_from(sorted(p.name for p in VALID.glob("*.yaml"))), text=documents)
def test_random_yaml_in_any_framework_file_gives_problems_not_exceptions(which, text):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "fuzzed"
        shutil.copytree(VALID, folder)
        (folder / which).write_text(text)
        _check(folder)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(tree=trees)
def test_a_framework_made_of_random_yaml_trees_gives_problems(tree):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "random"
        folder.mkdir()
        (folder / "framework.yaml").write_text(yaml.safe_dump(tree))
        _check(folder)


def _alias_bomb(levels: int = 6) -> str:
    """Each level repeats the one before ten times: a million values from a few lines."""
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("text", ["&a [*a]", "a: &x {b: *x}", _alias_bomb()])
def test_a_self_referencing_alias_gives_a_problem(tmp_path, text):
    folder = tmp_path / "alias"
    shutil.copytree(VALID, folder)
    (folder / "garden.yaml").write_text(text)
    _check(folder)


def test_record_how_many_broken_frameworks_were_tried():
    # Runs after the two property tests in this module (pytest keeps file order).
    assert BROKEN[0] > 100
    tally("broken_framework_files", BROKEN[0])
