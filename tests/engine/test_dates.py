"""Adding calendar months, for review dates: the same day of the month, or the month's last."""

from datetime import date, datetime

import pytest

from app.dates import add_months, parse_date, uk_midnight, uk_time, wrong_parts


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


def test_uk_time_and_midnight_follow_british_summer_time():
    # 23:30 UTC on 30 June is 00:30 on 1 July in London; in January the two clocks agree.
    assert uk_time(datetime(2026, 6, 30, 23, 30)).date() == date(2026, 7, 1)
    assert uk_time(datetime(2026, 1, 15, 23, 30)).strftime("%d %H:%M") == "15 23:30"
    assert uk_midnight(date(2026, 7, 1)) == datetime(2026, 6, 30, 23, 0)
    assert uk_midnight(date(2026, 1, 15)) == datetime(2026, 1, 15, 0, 0)


@pytest.mark.parametrize(
    ("typed", "wrong", "message"),
    [
        (("27", "", "2026"), ("month",), "Date must include a month"),
        (("", "", "2026"), ("day", "month"), "Date must include a day and month"),
        (("", "", ""), ("day", "month", "year"), "Date must include a day, month and year"),
        (("27", "March", "2026"), ("month",), "Date must be a real date, written in numbers"),
        # "²" passes str.isdigit() but int() refuses it: a message, not a server error
        (("27", "\u00b2", "2026"), ("month",), "Date must be a real date, written in numbers"),
        # too many digits for a date: int() takes them, date() overflows
        (("99999999999999999999", "1", "2020"), ("day",), "Date must be a real date"),
        (("27", "11111111111111111111", "2026"), ("month",), "Date must be a real date"),
        (("27", "3", "26"), ("year",), "Year must include 4 numbers"),
        (("27", "13", "2026"), ("month",), "Date must be a real date"),
        (("31", "2", "2026"), ("day",), "Date must be a real date"),
        (("27", "3", "2026"), ("day", "month", "year"), None),  # a real date: all, if refused
    ],
)
def test_the_boxes_marked_wrong_are_the_ones_to_correct(typed, wrong, message):
    assert wrong_parts(*typed) == wrong
    _, said = parse_date(*typed, "Date")
    assert (said is None) if message is None else said.startswith(message)
