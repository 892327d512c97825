"""Adding calendar months, for review dates: the same day of the month, or the month's last."""

from datetime import date

import pytest

from app.dates import add_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 11, 25), 12, date(2027, 11, 25)),
        (date(2026, 11, 25), 2, date(2027, 1, 25)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 12, 1), 24, date(2028, 12, 1)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected
