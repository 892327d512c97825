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


def test_1_3_0_stops_counting_two_governance_items_and_never_justifies_staffing_cuts(
    app, client, world, login_as
):
    """1.2.1 counted the rules poster and a rule kept after one incident as blanket
    restrictions; 1.3.0 does not (so they are not "removed"). Leave cancelled for everyone
    when short of staff, justified on 1.2.1 with every safeguard "yes", is still in place on
    1.3.0 and can never be justified there."""
    moved = ("rules-poster-of-prohibitions", "restriction-after-one-incident")
    leave = "leave-cancelled-short-staffed"

    def answers(version: str) -> dict:
        framework = frameworks.get("blanket-restrictions", version)
        every_yes = answers_for(framework, "everyone", "yes")
        return answers_for(framework) | {i: every_yes[i] for i in (*moved, leave)}

    first = make_assessment(world.oak, world.oak_lead, answers("1.2.1"), True, "1.2.1")
    assert first.result.blanket_count == 3 and first.result.unjustified_count == 0
    later = make_assessment(world.oak, world.oak_lead, answers("1.3.0"), True)
    assert later.framework_version == "1.3.0"
    assert later.result.blanket_count == 1 and later.result.unjustified_count == 1
    login_as(world.oak_member)
    page = client.get(f"/assessments/{later.id}/results").get_data(as_text=True)
    assert "That assessment used version 1.2.1 of the framework and this one version 1.3.0" in page
    assert "Removed (0)" in page and "Introduced (0)" in page and "Still in place (1)" in page
    note = page[page.index("Version 1.3.0 does not count these") :]
    note = note[: note.index("</ul>")]
    for item_id in moved:
        assert frameworks.latest().item(item_id).title in note
    title = frameworks.latest().item(leave).title
    assert title not in note
    found = page[page.index("Blanket restrictions found") :]
    not_justified = found[found.index("Not justified (1)") : found.index("Justified (0)")]
    assert f"{title} (this can never be justified as a rule for everyone)" in not_justified
    login_as(world.commissioner)
    assert "(framework version changed)" in client.get("/review/").get_data(as_text=True)


def test_the_same_version_twice_has_no_note(app, client, world, login_as):
    make_assessment(world.oak, world.oak_lead, same_answers("1.3.0"), True)
    later = make_assessment(world.oak, world.oak_lead, same_answers("1.3.0"), True)
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
