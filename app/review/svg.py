"""Trend charts drawn on the server as SVG: no script, no inline style, a title and a
description for screen readers (the page also has the same figures as a table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape

from ..dates import uk_time


@dataclass(frozen=True)
class Point:
    when: datetime
    percent: float
    rag: str


@dataclass(frozen=True)
class Band:
    rating: str
    low: float
    high: float


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _label(when: datetime) -> str:
    """The month of a stored (UTC) time, as the UK calendar has it."""
    return f"{uk_time(when):%b %Y}"


def trend_chart(
    chart_id: str,
    title: str,
    points: list[Point],
    bands: list[Band],
    *,
    width: int = 640,
    height: int = 260,
    value_labels: bool = True,
) -> Markup:
    """A line of restriction scores (0 to 100%, higher is worse) across assessments."""
    left, right, top, bottom = 44, 16, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom

    def y(percent: float) -> float:
        return round(top + plot_h * (1 - max(0.0, min(100.0, percent)) / 100), 1)

    def x(index: int) -> float:
        if len(points) == 1:
            return round(left + plot_w / 2, 1)
        return round(left + plot_w * index / (len(points) - 1), 1)

    if points:
        values = "; ".join(f"{_label(p.when)}: {_fmt(p.percent)}% {p.rag}" for p in points)
        desc = (
            f"Restriction score at each of {len(points)} submitted assessments, oldest first "
            f"(0% is best; higher is worse). {values}."
        )
    else:
        desc = "No submitted assessments yet."
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {width} {height}"'
        f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]
    for band in bands:
        parts.append(
            f'<rect class="app-chart__band app-chart__band--{escape(band.rating)}" x="{left}"'
            f' y="{y(band.high)}" width="{plot_w}" height="{round(y(band.low) - y(band.high), 1)}"/>'
        )
    for tick in (0, 25, 50, 75, 100):
        parts.append(
            f'<line class="app-chart__grid" x1="{left}" x2="{left + plot_w}"'
            f' y1="{y(tick)}" y2="{y(tick)}"/>'
            f'<text class="app-chart__axis" x="{left - 6}" y="{y(tick) + 4}"'
            f' text-anchor="end">{tick}%</text>'
        )
    step = max(1, -(-len(points) // 6))  # at most about six date labels
    for i, p in enumerate(points):
        if i % step == 0 or i == len(points) - 1:
            parts.append(
                f'<text class="app-chart__axis" x="{x(i)}" y="{height - bottom + 18}"'
                f' text-anchor="middle">{_label(p.when)}</text>'
            )
    if len(points) > 1:
        coords = " ".join(f"{x(i)},{y(p.percent)}" for i, p in enumerate(points))
        parts.append(f'<polyline class="app-chart__line" points="{coords}"/>')
    for i, p in enumerate(points):
        parts.append(f'<circle class="app-chart__point" cx="{x(i)}" cy="{y(p.percent)}" r="4"/>')
        if value_labels:
            parts.append(
                f'<text class="app-chart__value" x="{x(i)}" y="{y(p.percent) - 9}"'
                f' text-anchor="middle">{_fmt(p.percent)}%</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def bands_from(rag_bands) -> list[Band]:
    """The framework's RAG bands (each up to and including its upper bound)."""
    bands, low = [], 0.0
    for band in rag_bands:
        bands.append(Band(band.rating, low, float(band.max)))
        low = float(band.max)
    return bands
