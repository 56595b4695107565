"""Line and bar charts drawn on the server as SVG: axes, ticks, a legend and a <title> on every
point, readable by screen readers (role="img", <title>, <desc>) and with no script or CDN.

`report_chart` draws one chart of a report section (campaigns.reports.table); `svg_chart` draws
any labelled series. Values are written in the reader's locale (console.report_cells).
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from campaigns.i18n import _, translate
from campaigns.reports.table import Chart, Section
from console.report_cells import axis_label, short_day, shown

WIDTH, HEIGHT = 720, 280
EMPTY_HEIGHT = 48
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 30, 46
MAX_X_LABELS = 12
CHAR_WIDTH = 6.5  # an 11px label's average character width, to keep axis labels apart
LABEL_CHARS = 14
COLOURS = ("#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#a16207", "#0e7490")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 2", "1 2")

LINE_DESC = _("Line chart of {series} by {x}, {count} points; the table has every figure.")
BAR_DESC = _("Bar chart of {series} by {x}, {count} groups; the table has every figure.")
NO_DATA = _("No figures to draw for this range.")

YOf = Callable[[float], float]


@dataclass(frozen=True)
class Series:
    """One plotted series: its label, its values (None = no figure) and their written form."""

    label: str
    values: tuple[float | None, ...]
    written: tuple[str, ...]


def nice_step(span: float, ticks: int = 4) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) splitting `span` into ~`ticks`."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return float(factor * power)
    return 10 * power


def value_ticks(values: Sequence[float], *, whole: bool = False) -> list[float]:
    """The value axis ticks: from 0 (or below, for negatives) to past the largest value; steps
    of at least 1 for counts (`whole`)."""
    low, high = min([0.0, *values]), max([0.0, *values])
    if high == low:
        high = low + (4 if whole else 1)
    step = nice_step(high - low)
    if whole:
        step = max(1.0, math.ceil(step))
    first, last = math.floor(low / step), math.ceil(high / step)
    return [round(i * step, 10) for i in range(first, last + 1)]


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _text(x: float, y: float, text: str, anchor: str = "middle", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


class TickLabel:
    """How a value axis tick is written, and what an empty chart says."""

    def __init__(self, kind: str, *, locale: str, currency: str | None) -> None:
        self.kind, self.locale, self.currency = kind, locale, currency
        self.no_data = translate(locale, NO_DATA)

    def __call__(self, value: float) -> str:
        return axis_label(value, self.kind, locale=self.locale, currency=self.currency)


def svg_chart(
    *,
    kind: str,
    chart_id: str,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    tick_label: TickLabel,
    x_ticks: Sequence[str] | None = None,
) -> Markup:
    """A line or bar chart as an inline SVG element (`x_ticks`: shorter category labels for the
    axis, such as "3 nov" for "3 nov 2026"; the points' titles keep `x_labels`)."""
    plotted = [v for s in series for v in s.values if v is not None]
    empty = not plotted or not x_labels
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{escape(kind)}" '
        f'viewBox="0 0 {WIDTH} {EMPTY_HEIGHT if empty else HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    if empty:
        return Markup(head + _text(WIDTH / 2, EMPTY_HEIGHT / 2 + 4, tick_label.no_data) + "</svg>")
    ticks = value_ticks(plotted, whole=tick_label.kind == "int")
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(value: float) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    parts = [head, '<g class="axis y">']
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(_text(LEFT - 6, y + 4, tick_label(tick), "end"))
    parts.append("</g>")
    count = len(x_labels)
    band = plot_w / count
    axis_labels = [_short(label) for label in (x_ticks or x_labels)]
    widest = max(len(label) for label in axis_labels) * CHAR_WIDTH + 8
    every = max(1, math.ceil(count / max(1, min(MAX_X_LABELS, int(plot_w // widest)))))
    parts.append('<g class="axis x">')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y_of(0):.1f}" y2="{y_of(0):.1f}"/>')
    for i, label in enumerate(axis_labels):
        if i % every == 0:
            parts.append(_text(LEFT + band * (i + 0.5), HEIGHT - BOTTOM + 18, label))
    parts.append("</g>")
    if kind == "bar":
        parts.extend(_bars(series, x_labels, band, y_of))
    else:
        parts.extend(_lines(series, x_labels, band, y_of))
    parts.extend(_legend(series))
    parts.append("</svg>")
    return Markup("".join(parts))


def _point_title(x_label: str, series: Series, i: int) -> str:
    return f"<title>{escape(x_label)} · {escape(series.label)}: {escape(series.written[i])}</title>"


def _bars(series: Sequence[Series], x_labels: Sequence[str], band: float, y_of: YOf) -> list[str]:
    parts = []
    width = band * 0.8 / len(series)
    zero = y_of(0)
    for n, one in enumerate(series):
        parts.append(f'<g class="series" fill="{COLOURS[n % len(COLOURS)]}">')
        for i, value in enumerate(one.values):
            if value is None:
                continue
            x = LEFT + band * i + band * 0.1 + width * n
            top = min(y_of(value), zero)
            height = max(abs(zero - y_of(value)), 0.5)
            parts.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{max(width - 1, 1):.1f}" '
                f'height="{height:.1f}">{_point_title(x_labels[i], one, i)}</rect>'
            )
        parts.append("</g>")
    return parts


def _lines(series: Sequence[Series], x_labels: Sequence[str], band: float, y_of: YOf) -> list[str]:
    parts = []
    for n, one in enumerate(series):
        colour, dash = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        points = [
            (LEFT + band * (i + 0.5), y_of(value), i)
            for i, value in enumerate(one.values)
            if value is not None
        ]
        parts.append(f'<g class="series" stroke="{colour}" fill="{colour}">')
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _i in points)
        parts.append(f'<polyline fill="none" stroke-width="2"{dash_attr} points="{path}"/>')
        for x, y, i in points:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3">'
                f"{_point_title(x_labels[i], one, i)}</circle>"
            )
        parts.append("</g>")
    return parts


def _legend(series: Sequence[Series]) -> list[str]:
    parts = ['<g class="legend">']
    x = LEFT
    for n, one in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(x + 16, 18, one.label, "start"))
        x += 28 + 7 * len(one.label)
    parts.append("</g>")
    return parts


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return float(value)


def report_chart(chart: Chart, section: Section, *, locale: str, index: int = 0) -> Markup:
    """One chart of a report section, its labels in the reader's language."""
    columns = {c.key: c for c in (*section.columns, *section.chart_columns)}
    x_column = columns[chart.x]
    rows = section.rows
    if x_column.kind in ("date", "month"):
        # A row without a day (a month's total beside its days) has no place on a time axis.
        rows = tuple(row for row in rows if row.get(chart.x) is not None)
    x_labels = [
        shown(row.get(chart.x), x_column.kind, locale=locale, currency=section.currency)
        for row in rows
    ]
    x_ticks = [
        short_day(row.get(chart.x), locale) if x_column.kind == "date" else label
        for row, label in zip(rows, x_labels, strict=True)
    ]
    series = []
    for key in chart.series:
        column = columns[key]
        values = tuple(_number(row.get(key)) for row in rows)
        written = tuple(
            shown(row.get(key), column.kind, locale=locale, currency=section.currency)
            for row in rows
        )
        series.append(Series(translate(locale, column.label), values, written))
    value_kind = columns[chart.series[0]].kind if chart.series else "int"
    names = ", ".join(s.label for s in series)
    description = translate(
        locale,
        BAR_DESC if chart.kind == "bar" else LINE_DESC,
        series=names,
        x=translate(locale, x_column.label),
        count=len(x_labels),
    )
    return svg_chart(
        kind=chart.kind,
        chart_id=f"chart-{section.key}-{index}",
        title=translate(locale, chart.title),
        description=description,
        x_labels=x_labels,
        series=series,
        tick_label=TickLabel(value_kind, locale=locale, currency=section.currency),
        x_ticks=x_ticks,
    )


# A horizontal bar chart: one labelled bar per row, for long category names (rules).
BAR_ROW = 28
LABEL_WIDTH = 360
BAR_WIDTH = 380
VALUE_WIDTH = 90


def bar_chart(rows: Sequence[tuple[str, int, str]], *, title: str) -> Markup:
    """One bar per (label, value, value as written), the longest bar for the largest value."""
    top = max((value for _label, value, _text in rows), default=0) or 1
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = BAR_ROW * max(len(rows), 1) + 4
    parts = [
        f'<svg class="bar-chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for index, (label, value, text) in enumerate(rows):
        y = index * BAR_ROW + 2
        bar = max(round(BAR_WIDTH * value / top), 2 if value else 0)
        parts.append(
            f'<g><text x="{LABEL_WIDTH - 8}" y="{y + 18}" text-anchor="end" '
            f'font-size="13">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{bar}" height="{BAR_ROW - 8}" rx="3" '
            f'fill="#2f6f9f"><title>{escape(label)}: {escape(text)}</title></rect>'
            f'<text x="{LABEL_WIDTH + bar + 6}" y="{y + 18}" font-size="13">{escape(text)}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
