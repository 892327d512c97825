from app.engine import load, plan, score, summary

from .conftest import SHIPPED


def test_shipped_framework_loads_scores_and_plans(shipped):
    assert shipped.id == "blanket-restrictions"
    assert summary(shipped).endswith("actions")
    item = shipped.items[0]
    answers = {item.id: {"in-place": "everyone", "written-reason": "no"}}
    result = score(shipped, answers)
    assert result.items[item.id].blanket
    (safeguards,) = [a for a in plan(shipped, answers) if a.key == f"{item.id}/safeguards"]
    # only the missing safeguard is listed: the written reason
    lead, *steps = safeguards.text.split("\n")
    assert item.title in lead
    assert steps == ["- a written reason, naming the risk on this ward that it manages"]
    assert load(SHIPPED).digest == shipped.digest
