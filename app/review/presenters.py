"""How the review's figures read: changes in words, the CSV's rows."""

from __future__ import annotations

import csv
import io

from ..csv_files import cell
from ..dates import uk_time
from ..templating import format_date
from ..templating import format_points as points
from .queries import WardRow


def change_words(row: WardRow) -> str:
    """Restriction scores: a fall is an improvement."""
    if not row.assessed:
        return "Not assessed"
    if row.change is None:
        return "First assessment"
    change = round(row.change, 1)
    if change < 0:
        words = f"Down {points(change)}, better"
    elif change > 0:
        words = f"Up {points(change)}, worse"
    else:
        words = "No change"
    return words + (" (framework version changed)" if row.framework_changed else "")


CSV_HEADER = [
    "Provider",
    "Ward",
    "Latest assessment",
    "Restriction score (%)",
    "Rating",
    "Blanket restrictions",
    "Not justified",
    "Open actions",
    "Overdue actions",
    "Change since previous assessment (points)",
    "Change in words",
    "Previous assessment",
    "Assessed in the last 12 months",
]


def dashboard_csv(rows: list[WardRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in rows:
        writer.writerow(
            [
                cell(r.provider_name),
                cell(r.ward_name),
                uk_time(r.submitted_at).date().isoformat() if r.submitted_at else "",
                "" if r.overall_percent is None else round(r.overall_percent, 1),
                (r.overall_rag or "").capitalize(),
                "" if r.blanket_count is None else r.blanket_count,
                "" if r.unjustified_count is None else r.unjustified_count,
                r.open_actions,
                r.overdue_actions,
                "" if r.change is None else round(r.change, 1),
                change_words(r),
                uk_time(r.previous_submitted_at).date().isoformat()
                if r.previous_submitted_at
                else "",
                "No" if r.stale else "Yes",
            ]
        )
    return out.getvalue()


def last_assessed_words(row: WardRow) -> str:
    if not row.assessed:
        return "Never assessed"
    return format_date(row.submitted_at)
