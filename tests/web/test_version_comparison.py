"""A ward assessed on two framework versions: the comparison says so, and does not call the
items the newer version no longer counts "removed"."""

from __future__ import annotations

from app import frameworks
from tests.helpers import answers_for, make_assessment

GOVERNANCE = ("no-restrictions-register", "restrictions-never-reviewed")
GOVERNANCE += ("patients-not-involved-in-restrictions",)


def same_answers(version: str) -> dict:
    framework = frameworks.get("blanket-restrictions", version)
    worst = answers_for(framework, "everyone", "no")
    return answers_for(framework) | {i: worst[i] for i in (*GOVERNANCE, "garden-locked")}


def test_the_results_say_the_framework_changed_and_list_what_it_no_longer_counts(
    app, client, world, login_as
):
    make_assessment(world.oak, world.oak_lead, same_answers("1.1.0"), True, version="1.1.0")
    later = make_assessment(world.oak, world.oak_lead, same_answers("1.2.0"), True, "1.2.0")
    assert later.framework_version == "1.2.0" and later.result.blanket_count == 1
    login_as(world.oak_member)
    page = client.get(f"/assessments/{later.id}/results").get_data(as_text=True)
    assert "That assessment used version 1.1.0 of the framework and this one version 1.2.0" in page
    assert "Removed (0)" in page and "Still in place (1)" in page
    note = page[page.index("Version 1.2.0 does not count these") :]
    note = note[: note.index("</ul>")]
    for item_id in GOVERNANCE:
        assert frameworks.latest().item(item_id).title in note

    # The commissioner's dashboard marks the change too.
    login_as(world.commissioner)
    page = client.get("/review/").get_data(as_text=True)
    assert "(framework version changed)" in page


def test_the_same_version_twice_has_no_note(app, client, world, login_as):
    make_assessment(world.oak, world.oak_lead, same_answers("1.2.1"), True)
    later = make_assessment(world.oak, world.oak_lead, same_answers("1.2.1"), True)
    login_as(world.oak_member)
    page = client.get(f"/assessments/{later.id}/results").get_data(as_text=True)
    assert "Changes since" in page
    assert "of the framework and this one version" not in page
    assert "does not count" not in page
    login_as(world.commissioner)
    assert "framework version changed" not in client.get("/review/").get_data(as_text=True)


def test_common_restrictions_use_the_newest_title_of_each_item(app, client, world, login_as):
    item_id = "smoke-free-without-support"
    old = frameworks.get("blanket-restrictions", "1.1.0")
    new = frameworks.latest()
    assert old.item(item_id).title != new.item(item_id).title
    for ward, version, framework in ((world.oak, "1.1.0", old), (world.ash, None, new)):
        worst = answers_for(framework, "everyone", "no")
        answers = answers_for(framework) | {item_id: worst[item_id]}
        make_assessment(ward, world.oak_lead, answers, True, version=version)
    login_as(world.commissioner)
    page = client.get("/review/restrictions").get_data(as_text=True)
    assert new.item(item_id).title in page
    assert old.item(item_id).title not in page
