from app.engine import load, plan, score, summary

from .conftest import SHIPPED


def test_shipped_framework_loads_scores_and_plans(shipped):
    assert shipped.id == "blanket-restrictions"
    assert summary(shipped).endswith("actions")
    item = shipped.items[0]
    answers = {item.id: {"in-place": "everyone", "written-reason": "no"}}
    result = score(shipped, answers)
    assert result.items[item.id].blanket
    assert any(a.key == f"{item.id}/record-reason" for a in plan(shipped, answers))
    assert load(SHIPPED).digest == shipped.digest
