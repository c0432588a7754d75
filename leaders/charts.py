"""Server-side SVG bar charts for printed reports (the 通报 and its PDF).

Plain SVG strings, no JavaScript: they print, and WeasyPrint draws them into the PDF. Horizontal
bars, because township and cause names are long and there may be twenty of them: each category
is a row, each series a bar in that row.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.text import mark

FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif"
INK, MUTED, GRID = "#222", "#666", "#ddd"


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int | float]
    color: str


def nice_axis(maximum: float, *, ticks: int = 5) -> tuple[float, float]:
    """(axis end, tick step): a step of 1, 2 or 5 × 10ⁿ (never below 1: the charts count things)
    giving at most `ticks` intervals, and the first multiple of it at or above `maximum`."""
    if maximum <= 0:
        return 1, 1
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if raw <= m * magnitude)
    step = max(step, 1)
    return math.ceil(maximum / step) * step, step


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _text_width(text: str, size: float) -> float:
    """Rough width of a label: CJK characters are square, others about half as wide."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.55 for ch in text)


def horizontal_bar_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    width: int = 640,
    bar: int = 9,
    empty_text: str | None = None,
) -> SafeString:
    """An SVG of `categories` (rows, top to bottom) × `series` (one bar each per row, with its
    value at the end), a legend and a value axis; `empty_text` (default 无数据, translated) when
    there is no category. Every text is escaped."""
    empty_text = gettext("无数据") if empty_text is None else empty_text
    colon = mark("：")  # in a bar's tooltip: 北关镇 发现隐患：3
    label_size, value_size = 12, 10
    label_width = max((_text_width(c, label_size) for c in categories), default=0) + 12
    top, bottom, right = 52, 26, 36
    group = bar * len(series) + 8
    plot_left, plot_width = label_width, width - label_width - right
    height = top + max(len(categories), 1) * group + bottom
    maximum = max((v for s in series for v in s.values), default=0)
    axis_end, step = nice_axis(maximum)

    def x_of(value: float) -> float:
        return plot_left + value / axis_end * plot_width

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="bold" fill="{INK}">{escape(title)}</text>',
    ]
    legend_x = 0.0
    for s in series:
        parts.append(f'<rect x="{legend_x:.1f}" y="28" width="12" height="10" fill="{s.color}"/>')
        parts.append(
            f'<text x="{legend_x + 16:.1f}" y="37" font-size="{value_size + 1}" fill="{INK}">{escape(s.label)}</text>'
        )
        legend_x += 16 + _text_width(s.label, value_size + 1) + 18

    plot_bottom = height - bottom
    tick = 0.0
    while tick <= axis_end + 1e-9:
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{plot_bottom}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{plot_bottom + 16}" font-size="{value_size}" fill="{MUTED}" '
            f'text-anchor="middle">{_number(tick)}</text>'
        )
        tick += step
    if not categories:
        parts.append(
            f'<text x="{plot_left + plot_width / 2:.1f}" y="{top + group / 2 + 4:.1f}" font-size="{label_size}" '
            f'fill="{MUTED}" text-anchor="middle">{escape(empty_text)}</text>'
        )

    for row, category in enumerate(categories):
        y0 = top + row * group
        parts.append(
            f'<text x="{label_width - 8:.1f}" y="{y0 + (group - 8) / 2 + 4:.1f}" font-size="{label_size}" '
            f'fill="{INK}" text-anchor="end">{escape(category)}</text>'
        )
        for index, s in enumerate(series):
            value = s.values[row] or 0
            tip = f"{category} {s.label}{colon}{_number(value)}"
            y = y0 + index * bar
            parts.append(
                f'<rect x="{plot_left:.1f}" y="{y}" width="{x_of(value) - plot_left:.1f}" height="{bar - 1}" '
                f'fill="{s.color}"><title>{escape(tip)}</title></rect>'
            )
            if value:
                parts.append(
                    f'<text x="{x_of(value) + 3:.1f}" y="{y + bar - 2}" font-size="{value_size - 1}" '
                    f'fill="{INK}">{_number(value)}</text>'
                )
    parts.append(
        f'<line x1="{plot_left}" y1="{top - 4}" x2="{plot_left}" y2="{plot_bottom}" stroke="{MUTED}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()
