"""Dates people read and type: UK time, calendar months, and the three boxes of the NHS.UK date
input with the messages users read. Each form adds its own range (a review date is in the past,
a due date in the future)."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# The service is for England: every date and time people read or type is UK time. The
# database stores times in UTC (models.utcnow), so a server's own time zone never matters.
UK = ZoneInfo("Europe/London")

PARTS = ("day", "month", "year")


def uk_today() -> date:
    """Today's date in the UK: from midnight to 1 am in summer, a day later than UTC's."""
    return datetime.now(UK).date()


def uk_time(utc: datetime) -> datetime:
    """A time stored in UTC (without a zone, as the database keeps it), as UK clock time."""
    return (utc if utc.tzinfo else utc.replace(tzinfo=UTC)).astimezone(UK)


def uk_midnight(day: date) -> datetime:
    """The start of a UK day as a stored (UTC, zoneless) time, for comparing with the database."""
    return (
        datetime.combine(day, datetime.min.time(), tzinfo=UK).astimezone(UTC).replace(tzinfo=None)
    )


def part_names(name: str) -> list[str]:
    """The names the NHS.UK date input posts its boxes under: `name[day]`, `name[month]`,
    `name[year]` (its ids, which error links point at, are `id-day` and so on)."""
    return [f"{name}[{part}]" for part in PARTS]


def posted_parts(formdata, name: str) -> list[str]:
    """The day, month and year typed for the date input `name`, stripped ("" if missing)."""
    return [(formdata.get(n) or "").strip() for n in part_names(name)]


def _numeric(typed: str) -> bool:
    """Digits 0 to 9 only: str.isdigit() also accepts characters such as "²" that int() refuses."""
    return typed.isascii() and typed.isdigit()


def parse_date(
    day: str, month: str, year: str, label: str, example: str = "27 3 2026"
) -> tuple[date | None, str | None]:
    """(the date, None), or (None, what is wrong with it)."""
    missing = [part for part, typed in zip(PARTS, (day, month, year), strict=True) if not typed]
    if len(missing) == 3:
        return None, f"{label} must include a day, month and year"
    if missing:
        return None, f"{label} must include a {' and '.join(missing)}"
    if not (_numeric(day) and _numeric(month) and _numeric(year)):
        return None, f"{label} must be a real date, written in numbers, like {example}"
    if len(year) != 4:
        return None, "Year must include 4 numbers"
    try:
        return date(int(year), int(month), int(day)), None
    except (ValueError, OverflowError):  # OverflowError: a very long run of digits
        return None, f"{label} must be a real date"


def wrong_parts(day: str, month: str, year: str) -> tuple[str, ...]:
    """Which of a date input's boxes to mark as wrong, for the problem `parse_date` reports
    (all three when the date as a whole is wrong, such as in the future): the error summary
    links to the first of them."""
    typed = {"day": day, "month": month, "year": year}
    missing = tuple(p for p in PARTS if not typed[p])
    if missing and len(missing) < 3:
        return missing
    not_numbers = tuple(p for p in PARTS if typed[p] and not _numeric(typed[p]))
    if not_numbers:
        return not_numbers
    if year and len(year) != 4:
        return ("year",)
    if month and not 1 <= int(month) <= 12:
        return ("month",)
    if day and month and year:
        try:
            date(int(year), int(month), int(day))
        except (ValueError, OverflowError):  # OverflowError: a very long run of digits
            return ("day",)
    return PARTS


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (the month's last day if it is shorter):
    a review due 12 months after 29 February 2028 falls on 28 February 2029."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
