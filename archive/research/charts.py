"""Bar charts drawn on the server as SVG: no JavaScript, no library, every bar a link.

A chart is plain data (`Chart`); `bar_chart_svg` draws it and `chart_csv_rows` writes the
same numbers as rows, so the picture, its table and its CSV download never disagree.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

# Colour-blind-safe (Okabe–Ito, darkened to 3:1 against the page); "other" is grey.
PALETTE = ["#0b5a6b", "#c2410c", "#6a3d9a", "#1f7a3a", "#a0266a", "#8a6d00", "#2b5fb3"]
OTHER_COLOUR = "#7a7a7a"
OTHER = "__other__"

YEAR_THRESHOLD_DAYS = 3 * 366  # longer ranges are counted by year, shorter by month


@dataclass(frozen=True)
class Period:
    key: str  # "2023" or "2023-10"
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        """The year ("2023"), or the month ("Oct 2023") named in the interface's language."""
        return self.key if len(self.key) == 4 else date_format(self.start, "M Y")


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str


@dataclass
class Segment:
    series: Series
    count: int
    href: str
    title: str


@dataclass
class Bar:
    period: Period
    segments: list[Segment] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(s.count for s in self.segments)

    def count_of(self, series_key: str) -> int:
        return next((s.count for s in self.segments if s.series.key == series_key), 0)

    def segment(self, series_key: str) -> Segment | None:
        return next((s for s in self.segments if s.series.key == series_key), None)


@dataclass
class Chart:
    id: str
    title: str
    description: str
    unit: str  # "month" | "year": also the CSV's first column, so never translated
    series: list[Series]
    bars: list[Bar]
    noun: str = "communiqués"

    @property
    def unit_label(self) -> str:
        """The heading of the periods' column in the chart's table."""
        return gettext("Year") if self.unit == "year" else gettext("Month")

    @property
    def is_empty(self) -> bool:
        return not any(bar.total for bar in self.bars)

    @property
    def rows(self) -> list[dict]:
        """The table equivalent: one row per period, one cell per series (with its link)."""
        return [
            {
                "period": bar.period,
                "cells": [bar.segment(s.key) for s in self.series],
                "total": bar.total,
            }
            for bar in self.bars
        ]


def unit_for(start: dt.date | None, end: dt.date | None) -> str:
    if start is None or end is None:
        return "month"
    return "year" if (end - start).days > YEAR_THRESHOLD_DAYS else "month"


def period_of(day: dt.date, unit: str) -> Period:
    if unit == "year":
        return Period(f"{day.year:04d}", dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(
        f"{day.year:04d}-{day.month:02d}",
        dt.date(day.year, day.month, 1),
        dt.date(day.year, day.month, last),
    )


def periods_between(start: dt.date, end: dt.date, unit: str) -> list[Period]:
    """Every period from the one holding `start` to the one holding `end`, gaps included."""
    periods, current = [], period_of(start, unit)
    while current.start <= end:
        periods.append(current)
        current = period_of(current.end + dt.timedelta(days=1), unit)
    return periods


def colours(keys: list[str]) -> dict[str, str]:
    return {
        key: OTHER_COLOUR if key == OTHER else PALETTE[i % len(PALETTE)]
        for i, key in enumerate(keys)
    }


def series_for(shown: list[tuple[str, str]], other_label: str | None) -> list[Series]:
    """One coloured series per (key, label), plus "other" when `other_label` is given."""
    keys = [key for key, _ in shown] + ([OTHER] if other_label else [])
    palette = colours(keys)
    series = [Series(key, label, palette[key]) for key, label in shown]
    if other_label:
        series.append(Series(OTHER, other_label, palette[OTHER]))
    return series


def _ticks(top: int) -> list[int]:
    if top <= 0:
        return [0]
    step = max(1, 10 ** int(math.log10(top)))
    while top / step > 5:
        step *= 2
    return list(range(0, top + step, step))


# Geometry, in SVG user units (the picture scales to its container).
HEIGHT = 260
TOP, BOTTOM, LEFT, RIGHT = 16, 44, 40, 8
MIN_LABEL_HEIGHT = 14


def bar_chart_svg(chart: Chart) -> SafeString:
    """The chart as stacked bars; each segment is a link with a <title> and a data-count.

    The <svg> is a labelled group, not role="img": an image's children are presentational,
    so links inside one would be hidden from assistive technology (axe: nested-interactive).
    Each bar is a link named by its <title>; the table after the chart says the same.
    """
    n = max(1, len(chart.bars))
    band = max(14, min(72, 900 // n))
    width = LEFT + RIGHT + band * n
    plot = HEIGHT - TOP - BOTTOM
    ticks = _ticks(max((bar.total for bar in chart.bars), default=0))
    scale = plot / ticks[-1] if ticks[-1] else 0
    label_every = max(1, math.ceil(n / (width / 60)))

    parts = [
        format_html(
            '<svg class="chart-svg" id="{}" role="group" aria-labelledby="{}-title {}-desc" '
            'viewBox="0 0 {} {}" width="{}" height="{}" preserveAspectRatio="xMinYMin meet">'
            '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
            chart.id,
            chart.id,
            chart.id,
            width,
            HEIGHT,
            width,
            HEIGHT,
            chart.id,
            chart.title,
            chart.id,
            chart.description,
        )
    ]
    parts.append('<g class="chart-axis" aria-hidden="true">')
    for tick in ticks:
        y = HEIGHT - BOTTOM - tick * scale
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}"/><text x="{}" y="{}" text-anchor="end">{}'
                "</text>",
                LEFT,
                width - RIGHT,
                _f(y),
                _f(y),
                LEFT - 4,
                _f(y + 4),
                tick,
            )
        )
    parts.append("</g>")
    for i, bar in enumerate(chart.bars):
        x = LEFT + i * band + 2
        y = HEIGHT - BOTTOM
        parts.append(
            format_html(
                '<g class="chart-bar" data-period="{}" data-total="{}">', bar.period.key, bar.total
            )
        )
        for segment in bar.segments:
            if not segment.count:
                continue
            h = segment.count * scale
            y -= h
            label = ""
            if h >= MIN_LABEL_HEIGHT and band >= 16:
                label = format_html(
                    '<text class="chart-count" x="{}" y="{}" text-anchor="middle" '
                    'aria-hidden="true">{}</text>',
                    _f(x + (band - 4) / 2),
                    _f(y + h / 2 + 4),
                    segment.count,
                )
            parts.append(
                format_html(
                    '<a href="{}" data-series="{}" data-count="{}"><title>{}</title>'
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>{}</a>',
                    segment.href,
                    segment.series.key,
                    segment.count,
                    segment.title,
                    _f(x),
                    _f(y),
                    band - 4,
                    _f(h),
                    segment.series.colour,
                    label,
                )
            )
        if i % label_every == 0:
            parts.append(
                format_html(
                    '<text class="chart-period" x="{}" y="{}" text-anchor="middle" '
                    'aria-hidden="true">{}</text>',
                    _f(x + (band - 4) / 2),
                    HEIGHT - BOTTOM + 16,
                    bar.period.label,
                )
            )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))  # every piece went through format_html


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def chart_csv_rows(chart: Chart):
    """Header, then one row per period: period, start, end, each series' count, total."""
    yield [chart.unit, "start", "end", *(s.label for s in chart.series), "total"]
    for bar in chart.bars:
        yield [
            bar.period.key,
            bar.period.start.isoformat(),
            bar.period.end.isoformat(),
            *(bar.count_of(s.key) for s in chart.series),
            bar.total,
        ]


def legend_html(chart: Chart) -> SafeString:
    items = "".join(
        format_html(
            # An SVG swatch, not style="": the site's CSP allows no inline styles.
            '<li><svg class="swatch" width="12" height="12" aria-hidden="true">'
            '<rect width="12" height="12" rx="2" fill="{}"/></svg>{}</li>',
            s.colour,
            s.label,
        )
        for s in chart.series
    )
    return (
        mark_safe(f'<ul class="chart-legend">{items}</ul>') if len(chart.series) > 1 else escape("")
    )
