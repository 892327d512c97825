"""Loading: the expanded model, look-ups, several versions side by side."""

import datetime as dt
from pathlib import Path

import pydantic
import pytest

from app.engine import (
    FrameworkError,
    load,
    load_all,
    load_each,
    summary,
    validate,
    visible_questions,
)

from .conftest import FIXTURES

VERSIONS = Path(__file__).resolve().parent / "versions"


@pytest.fixture(scope="module")
def tiny():
    return load(FIXTURES / "valid")


def test_manifest_fields(tiny):
    assert tiny.id == "tiny"
    assert tiny.version == "1.0.0"
    assert tiny.title == "Tiny framework"
    assert tiny.published == dt.date(2026, 11, 25)
    assert tiny.review_period_months == 12
    assert [s.id for s in tiny.sources] == ["mha-cop"]
    assert [b.rating for b in tiny.scoring.rag] == ["green", "amber", "red"]
    assert tiny.scoring.rag[-1].max == 100
    assert len(tiny.digest) == 64


def test_domains_and_items_in_order(tiny):
    assert [d.id for d in tiny.domains] == ["garden"]
    assert tiny.domains[0].file == "garden.yaml"
    assert [i.id for i in tiny.items] == ["garden-locked", "set-times"]
    assert tiny.item("set-times").title == "Garden at set times"
    assert tiny.domain("garden").title == "Garden"
    assert tiny.domain_of("set-times").id == "garden"
    with pytest.raises(KeyError):
        tiny.item("nope")


def test_questions_are_expanded(tiny):
    assert [q.id for q in tiny.item("garden-locked").questions] == ["in-place", "written-reason"]
    # standard questions first, then the item's extra questions
    assert [q.id for q in tiny.item("set-times").questions] == [
        "in-place",
        "written-reason",
        "hours",
        "notes",
    ]
    when = tiny.item("set-times").question("hours").when
    assert when[0].question == "in-place"
    assert when[0].in_ == ("individual", "everyone")


def test_actions_are_expanded_with_the_title(tiny):
    item = tiny.item("garden-locked")
    assert [a.id for a in item.actions] == ["unlock", "care-plans", "record-reason"]
    assert item.own_action_ids == ("unlock", "care-plans")
    assert item.action("record-reason").text == 'Write down why "Garden locked" is needed.'
    # the manifest's own copy is untouched
    assert tiny.standard_actions[0].text == 'Write down why "{title}" is needed.'


def test_justified_when_defaults_to_the_framework(tiny):
    assert tiny.item("garden-locked").justified_when == tiny.scoring.justified_when


def test_max_points(tiny):
    assert tiny.item("garden-locked").max_points == 4 + 2
    assert tiny.item("set-times").max_points == 4 + 2 + (1 + 2) + 0


def test_models_are_frozen(tiny):
    with pytest.raises(pydantic.ValidationError):
        tiny.item("set-times").title = "changed"
    assert hash(tiny.item("set-times").questions[0])


def test_visible_questions(tiny):
    item = tiny.item("set-times")

    def ids(answers):
        return [q.id for q in visible_questions(item, answers)]

    assert ids({}) == ["in-place", "notes"]
    assert ids({"in-place": "not-in-place"}) == ["in-place", "notes"]
    assert ids({"in-place": "individual"}) == ["in-place", "hours", "notes"]
    assert ids({"in-place": "everyone"}) == ["in-place", "written-reason", "hours", "notes"]
    # an answer that is not an option shows nothing that depends on it
    assert ids({"in-place": "sometimes"}) == ["in-place", "notes"]
    assert [q.id for q in tiny.visible_questions("set-times", {"in-place": "individual"})] == [
        "in-place",
        "hours",
        "notes",
    ]


def test_condition_on_a_hidden_question_is_false(tmp_path):
    import shutil

    folder = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "valid", folder)
    garden = folder / "garden.yaml"
    garden.write_text(
        garden.read_text().replace(
            "      - id: notes\n        type: text\n",
            "      - id: notes\n        type: text\n"
            '        when: {question: written-reason, in: ["no"]}\n',
        )
    )
    item = load(folder).item("set-times")
    # written-reason is hidden (in-place is not everyone), so notes stays hidden too
    shown = visible_questions(item, {"in-place": "individual", "written-reason": "no"})
    assert [q.id for q in shown] == ["in-place", "hours"]
    shown = visible_questions(item, {"in-place": "everyone", "written-reason": "no"})
    assert [q.id for q in shown] == ["in-place", "written-reason", "hours", "notes"]


def test_summary(tiny):
    assert summary(tiny) == "1 domains, 2 items, 6 questions, 6 actions"


def test_load_all_keeps_versions_side_by_side():
    frameworks = load_all(VERSIONS)
    assert sorted(frameworks) == [("tiny", "1.0.0"), ("tiny", "2.0.0")]
    assert frameworks["tiny", "1.0.0"].item("garden-locked").title == "Garden locked"
    assert frameworks["tiny", "2.0.0"].item("garden-locked").title == "Garden door locked"
    assert frameworks["tiny", "1.0.0"].digest != frameworks["tiny", "2.0.0"].digest
    assert validate(VERSIONS) == []


def test_load_all_refuses_broken_frameworks():
    with pytest.raises(FrameworkError) as caught:
        load_all(FIXTURES)
    assert caught.value.problems == validate(FIXTURES)


def test_load_each_keeps_what_loads_and_reports_the_rest():
    """What a running app uses: the broken folders are reported, the valid one still loads."""
    loaded, problems = load_each(FIXTURES)
    assert list(loaded) == [("tiny", "1.0.0")]
    assert loaded["tiny", "1.0.0"].item("set-times").title == "Garden at set times"
    assert problems == validate(FIXTURES) and problems


def test_load_a_folder_without_manifest(tmp_path):
    with pytest.raises(FrameworkError) as caught:
        load(tmp_path)
    assert "no framework.yaml" in caught.value.problems[0].message


def test_the_engine_imports_neither_flask_nor_a_database():
    import subprocess
    import sys

    code = (
        "import sys, importlib.util, pathlib; sys.path.insert(0, sys.argv[1]);"
        # load app.engine without running app/__init__.py (which builds the Flask app)
        "spec = importlib.util.spec_from_file_location('engine', "
        "pathlib.Path(sys.argv[1]) / 'app' / 'engine' / '__init__.py', "
        "submodule_search_locations=[str(pathlib.Path(sys.argv[1]) / 'app' / 'engine')]);"
        "m = importlib.util.module_from_spec(spec); sys.modules['engine'] = m;"
        "spec.loader.exec_module(m);"
        "bad = [n for n in sys.modules if n.split('.')[0] in "
        "('flask', 'sqlalchemy', 'flask_sqlalchemy', 'psycopg', 'werkzeug')];"
        "print(','.join(bad))"
    )
    root = str(Path(__file__).resolve().parents[2])
    out = subprocess.run([sys.executable, "-c", code, root], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_the_manifest_path_means_its_folder():
    assert load(FIXTURES / "valid" / "framework.yaml").id == "tiny"
    assert validate(FIXTURES / "valid" / "framework.yaml") == []
