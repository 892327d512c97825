"""The trend chart names each assessment's month as the UK calendar has it."""

from __future__ import annotations

from datetime import datetime

from app.review.svg import Band, Point, trend_chart


def test_an_assessment_just_after_midnight_in_the_uk_is_in_the_new_month():
    # 23:30 UTC on 31 May 2026 is 00:30 on 1 June in the UK (British Summer Time).
    points = [
        Point(datetime(2026, 1, 10, 12, 0), 40.0, "amber"),
        Point(datetime(2026, 5, 31, 23, 30), 20.0, "green"),
    ]
    chart = str(trend_chart("t", "Overall", points, [Band("green", 0, 25)]))
    assert "Jun 2026: 20% green" in chart
    assert ">Jun 2026</text>" in chart
    assert "May 2026" not in chart
