"""A horizontal bar chart as inline SVG, drawn on the server (no script, prints and screenshots
as it is shown). Labels and values are escaped; the caller passes them already translated."""

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

ROW = 28
LABEL_WIDTH = 360
BAR_WIDTH = 380
VALUE_WIDTH = 90


def bar_chart(rows: Sequence[tuple[str, int, str]], *, title: str) -> Markup:
    """One bar per (label, value, value as written), the longest bar for the largest value."""
    top = max((value for _label, value, _text in rows), default=0) or 1
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = ROW * max(len(rows), 1) + 4
    parts = [
        f'<svg class="bar-chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for index, (label, value, text) in enumerate(rows):
        y = index * ROW + 2
        bar = max(round(BAR_WIDTH * value / top), 2 if value else 0)
        parts.append(
            f'<g><text x="{LABEL_WIDTH - 8}" y="{y + 18}" text-anchor="end" '
            f'font-size="13">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{bar}" height="{ROW - 8}" rx="3" '
            f'fill="#2f6f9f"><title>{escape(label)}: {escape(text)}</title></rect>'
            f'<text x="{LABEL_WIDTH + bar + 6}" y="{y + 18}" font-size="13">{escape(text)}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
