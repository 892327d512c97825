"""Each kind of problem the validator finds, on a small broken framework under fixtures/.

Every case asserts the whole list of problems (so nothing extra is reported), and checks that
the reported line of the file really holds the text the problem is about.
"""

import pytest

from app.engine import FrameworkError, Problem, load, validate

from .conftest import FIXTURES

# fixture -> [(file, line, id, message, text expected on that line)]
CASES = {
    "yaml-syntax": [
        ("garden.yaml", 13, "garden",
         "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)",
         "in: [everyone}"),
    ],
    "empty-file": [
        ("garden.yaml", 1, "garden", "the file is empty", "# nothing here yet"),
    ],
    "missing-domain-file": [
        ("framework.yaml", 12, "doors", "domain file 'doors.yaml' is listed but missing",
         "- doors.yaml"),
    ],
    "unlisted-file": [
        ("doors.yaml", 1, "doors",
         "this file is not listed under 'domains' in framework.yaml, so it is not used",
         "id: doors"),
    ],
    "unknown-key": [
        ("garden.yaml", 6, "garden-locked",
         "unknown key 'descripton' (did you mean 'description'?)", "descripton:"),
    ],
    "missing-key": [
        ("garden.yaml", 14, "garden-locked/care-plans", "missing required key 'priority'",
         "- id: care-plans"),
    ],
    "wrong-type": [
        ("garden.yaml", 12, "garden-locked/unlock",
         "'due_days' should be a whole number, not 'sixty'", "due_days: sixty"),
    ],
    "manifest-problems": [
        ("framework.yaml", 4, "tiny", "'version' should be text, not 1.0; put it in quotes",
         "version: 1.0"),
        ("framework.yaml", 6, "tiny",
         "review_period_months must be a whole number of months, 1 or more, not 0",
         "review_period_months: 0"),
    ],
    "duplicate-key": [
        ("garden.yaml", 6, "garden-locked", "key 'title' is given twice; remove one",
         "title: Locked garden"),
    ],
    "duplicate-domain-id": [
        ("doors.yaml", 1, "garden", "domain id 'garden' is already used by garden.yaml",
         "id: garden"),
    ],
    "duplicate-item-id": [
        ("doors.yaml", 4, "garden-locked",
         "item id 'garden-locked' is already used in garden.yaml (line 4)", "id: garden-locked"),
    ],
    "duplicate-question-id": [
        ("garden.yaml", 29, "set-times/written-reason",
         "question id 'written-reason' is used twice in this item "
         "(it is also a standard question)", "id: written-reason"),
    ],
    "duplicate-option-id": [
        ("garden.yaml", 28, "set-times/hours",
         "option id 'evenings' is used twice in this question", "label: Weekends"),
        # the action that chose 'weekends' now points at an option that is not there
        ("garden.yaml", 37, "set-times/extend-hours",
         "action trigger refers to option 'weekends', which question 'hours' does not have "
         "(it has: evenings)", "weekends"),
    ],
    "duplicate-action-id": [
        ("garden.yaml", 14, "garden-locked/unlock",
         "action id 'unlock' is used twice in this item", "- id: unlock"),
    ],
    "standard-action-id": [
        ("garden.yaml", 14, "garden-locked/record-reason",
         "action id 'record-reason' is a standard action id; give this action another id",
         "- id: record-reason"),
    ],
    "bad-slug": [
        ("garden.yaml", 4, "Garden_Locked",
         "'Garden_Locked' is not a valid id: use lower-case letters, digits and single "
         "hyphens, like 'garden-locked'", "id: Garden_Locked"),
    ],
    "condition-unknown-question": [
        ("garden.yaml", 25, "set-times/hours",
         "condition refers to unknown question 'in-plaice'", "in-plaice"),
    ],
    "condition-unknown-option": [
        ("garden.yaml", 25, "set-times/hours",
         "condition refers to option 'everybody', which question 'in-place' does not have "
         "(it has: not-in-place, individual, everyone)", "everybody"),
    ],
    "condition-later-question": [
        ("garden.yaml", 25, "set-times/hours",
         "condition refers to 'closed-why', which comes later; a question can only depend on "
         "an earlier one", "question: closed-why"),
    ],
    "condition-on-text-question": [
        ("garden.yaml", 28, "set-times/hours",
         "condition refers to 'why-closed', a text question; conditions can only use "
         "questions with options", "question: why-closed"),
    ],
    "action-trigger-unknown": [
        ("garden.yaml", 18, "garden-locked/care-plans",
         "action trigger refers to option 'some', which question 'in-place' does not have "
         "(it has: not-in-place, individual, everyone)", "in: [some, everyone]"),
        ("garden.yaml", 37, "set-times/extend-hours",
         "action trigger refers to unknown question 'opening-hours'", "opening-hours"),
    ],
    "action-steps": [
        ("garden.yaml", 14, "garden-locked/care-plans",
         "action has neither 'when' nor 'steps'; say when it is suggested", "- id: care-plans"),
        ("garden.yaml", 44, "set-times/closure-log",
         "action step trigger refers to option 'nights', which question 'hours' does not have "
         "(it has: evenings, weekends)", "in: [evenings, nights]"),
        ("garden.yaml", 46, "set-times/closure-log",
         "action step trigger refers to unknown question 'reason-closed'", "reason-closed"),
    ],
    "score-out-of-range": [
        ("garden.yaml", 28, "set-times/hours",
         "score must be a whole number from 0 to 10, not 12", "score: 12"),
    ],
    "rag-order": [
        ("framework.yaml", 16, "scoring",
         "RAG bands must go up in order: 'amber' ends at 10, which is not above 'green' (15)",
         "max: 10"),
    ],
    "rag-floor-unknown": [
        ("framework.yaml", 18, "scoring",
         "unjustified_rating_at_least is 'orange', which is not one of the RAG ratings "
         "(amber, green, red)",
         "unjustified_rating_at_least: orange"),
    ],
    "rag-last-not-100": [
        ("framework.yaml", 17, "scoring", "the last RAG band must end at 100, not 90",
         "max: 90"),
    ],
    "too-few-actions": [
        ("garden.yaml", 8, "garden-locked",
         "item has 1 actions of its own; at least 2 are needed", "actions:"),
    ],
    "yes-no-options": [
        ("garden.yaml", 32, "set-times/signposted",
         'a yes_no question must have exactly two options, with ids "yes" and "no"',
         "options:"),
    ],
    "choice-no-options": [
        ("garden.yaml", 29, "set-times/notes", "a single question needs options to choose from",
         "- id: notes"),
    ],
    "date-with-options": [
        ("garden.yaml", 32, "set-times/closed-since",
         "a date question has no options and scores nothing; remove 'options'", "options:"),
    ],
    "review-period-not-date": [
        ("garden.yaml", 36, "set-times/hours-reviewed",
         "only a date question can have 'within_review_period'", "within_review_period: true"),
    ],
    # never_justified (1.3.0): true or false, only on an item that can be blanket, and never
    # with a justified_when of the item's own
    "never-justified-not-boolean": [
        ("garden.yaml", 21, "garden-as-sanction",
         "'never_justified' should be true or false, not 'yes'", "never_justified: yes"),
    ],
    "never-justified-with-justified-when": [
        ("garden.yaml", 22, "garden-as-sanction",
         "justified_when cannot be combined with never_justified: true, which means a blanket "
         "answer never counts as justified; remove justified_when", "justified_when:"),
    ],
    "never-justified-not-blanket": [
        ("garden.yaml", 21, "garden-as-sanction",
         "never_justified is only for an item that can be a blanket restriction, but no answer "
         "to its questions is marked blanket: true; mark the answer that means it applies to "
         "everyone, or remove never_justified", "never_justified: true"),
    ],
    "never-justified-standard-questions": [
        ("garden.yaml", 21, "garden-as-sanction",
         "never_justified needs the item's own questions: the standard ones ask about "
         "safeguards, which cannot make it justified; give the item its own 'questions'",
         "never_justified: true"),
    ],
    "justified-when-unknown": [
        ("framework.yaml", 19, "scoring",
         "justified_when refers to unknown question 'written-reasons'", "written-reasons"),
        ("garden.yaml", 21, "set-times",
         "justified_when refers to unknown question 'opening-times'", "opening-times"),
    ],
    "own-questions-justified": [
        ("garden.yaml", 21, "set-times",
         "the framework's justified_when uses question 'written-reason', which this item's own "
         "questions do not include; give the item its own justified_when", "questions:"),
    ],
    # an empty list of conditions is refused where it would quietly change the scoring
    "empty-conditions": [
        ("garden.yaml", 8, "garden-locked",
         "justified_when has no conditions, so this item's blanket restriction would always "
         "count as justified; list the answers that make it justified", "justified_when: []"),
        ("garden.yaml", 14, "garden-locked/unlock",
         "action's 'when' has no conditions, so it never says when the action is suggested; "
         "give at least one", "when: []"),
    ],
    "scoring-problems": [
        ("framework.yaml", 4, "tiny",
         'version \'1.0.0-rc1\' should be like "1.2.0": whole numbers separated by dots',
         'version: "1.0.0-rc1"'),
        ("framework.yaml", 12, "scoring",
         "scoring has no justified_when conditions, so every blanket restriction would count "
         "as justified; list the answers that make one justified", "scoring:"),
    ],
    "unknown-source": [
        ("garden.yaml", 7, "garden-locked",
         "reference to unknown source 'nice' (known: mha-cop)", "source: nice"),
    ],
    "bad-priority": [
        ("garden.yaml", 11, "garden-locked/unlock",
         "priority must be 'high', 'medium' or 'low', not 'urgent'", "priority: urgent"),
    ],
    "bad-due-days": [
        ("garden.yaml", 17, "garden-locked/care-plans",
         "due_days must be a whole number of days, 1 or more, not 0", "due_days: 0"),
    ],
    # every problem is reported, not only the first
    "many-problems": [
        ("garden.yaml", 11, "garden-locked/unlock",
         "priority must be 'high', 'medium' or 'low', not 'urgent'", "priority: urgent"),
        ("garden.yaml", 17, "garden-locked/care-plans",
         "due_days must be a whole number of days, 1 or more, not -1", "due_days: -1"),
        ("garden.yaml", 28, "set-times/hours",
         "score must be a whole number from 0 to 10, not 11", "score: 11"),
    ],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_problem_kind(name):
    folder = FIXTURES / name
    expected = [
        Problem(f"{name}/{file}", line, ident, message)
        for file, line, ident, message, _ in CASES[name]
    ]
    assert validate(folder) == expected
    for file, line, _, _, text in CASES[name]:
        assert text in (folder / file).read_text().splitlines()[line - 1]


@pytest.mark.parametrize("name", sorted(CASES))
def test_load_refuses_a_broken_framework(name):
    with pytest.raises(FrameworkError) as caught:
        load(FIXTURES / name)
    assert caught.value.problems == validate(FIXTURES / name)
    assert str(caught.value.problems[0]) in str(caught.value)


def test_every_fixture_folder_is_covered():
    folders = {p.name for p in FIXTURES.iterdir() if (p / "framework.yaml").is_file()}
    assert folders == set(CASES) | {"valid"}
    assert len(CASES) >= 15


def test_valid_fixture_has_no_problems():
    assert validate(FIXTURES / "valid") == []


def test_problem_str():
    p = Problem("blanket-restrictions/doors.yaml", 12, "front-door", "missing required key 'title'")
    assert str(p) == "blanket-restrictions/doors.yaml:12: front-door: missing required key 'title'"
    with pytest.raises(AttributeError):
        p.line = 3  # frozen


def test_validate_a_folder_of_frameworks_reports_each_one():
    problems = validate(FIXTURES)
    by_folder = {p.file.split("/")[0] for p in problems}
    assert by_folder == set(CASES)
    for name, cases in CASES.items():
        for file, line, ident, message, _ in cases:
            assert Problem(f"{name}/{file}", line, ident, message) in problems


def test_validate_a_folder_without_frameworks(tmp_path):
    (problem,) = validate(tmp_path)
    assert problem.file == f"{tmp_path.name}/framework.yaml"
    assert "no framework.yaml" in problem.message


def test_same_version_in_two_folders(tmp_path):
    import shutil

    shutil.copytree(FIXTURES / "valid", tmp_path / "tiny-a")
    shutil.copytree(FIXTURES / "valid", tmp_path / "tiny-b")
    assert validate(tmp_path) == [
        Problem(
            "tiny-b/framework.yaml",
            1,
            "tiny",
            "version '1.0.0' of 'tiny' is also in folder 'tiny-a'; a version is never changed "
            "once used, so give this one a new version",
        )
    ]


def test_top_level_list_and_wrong_container_types(tmp_path):
    import shutil

    folder = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "valid", folder)
    (folder / "garden.yaml").write_text("- just\n- a list\n")
    assert validate(folder) == [
        Problem(
            "tiny/garden.yaml", 1, "garden", "the file should be a mapping of keys (like 'id: ...')"
        )
    ]
    (folder / "garden.yaml").write_text("id: garden\ntitle: Garden\nitems: nothing\n")
    assert validate(folder) == [
        Problem("tiny/garden.yaml", 3, "garden", "'items' should be a list, not 'nothing'")
    ]


def test_unquoted_yes_and_no_stay_text(tmp_path):
    """YAML 1.1 would read an unquoted yes as true; option ids "yes"/"no" must survive."""
    import shutil

    folder = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "valid", folder)
    manifest = folder / "framework.yaml"
    manifest.write_text(manifest.read_text().replace('"yes"', "yes").replace('"no"', "no"))
    fw = load(folder)
    assert [o.id for o in fw.standard_questions[1].options] == ["yes", "no"]
    assert fw.scoring.justified_when[0].in_ == ("yes",)
