"""Server-rendered charts: a line and a bar chart of a report section, read back as SVG."""

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

from campaigns.reports.table import Chart, Column, Section
from console.charts import nice_step, report_chart, value_ticks

SVG = "{http://www.w3.org/2000/svg}"
DAYS = Section(
    key="daily",
    title="Recovery",
    columns=(
        Column("day", "Date", "date"),
        Column("collected", "Amount promised", "money"),
        Column("kept_rate", "Kept rate", "pct"),
    ),
    rows=(
        {"day": date(2026, 11, 2), "collected": Decimal("1500.00"), "kept_rate": 0.5},
        {"day": date(2026, 11, 3), "collected": Decimal("0.00"), "kept_rate": None},
        {"day": date(2026, 11, 4), "collected": Decimal("4200.50"), "kept_rate": 0.25},
    ),
    charts=(
        Chart("bar", "Amount promised", "day", ("collected",)),
        Chart("line", "Kept rate", "day", ("kept_rate",)),
    ),
    currency="MXN",
)


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def test_a_bar_chart_has_one_bar_per_value_with_its_amount_in_the_readers_locale() -> None:
    svg = _parse(report_chart(DAYS.charts[0], DAYS, locale="es_MX", index=0))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-daily-0-title chart-daily-0-desc"
    assert svg.find(f"{SVG}title").text == "Monto prometido"  # type: ignore[union-attr]
    desc = svg.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "Gráfica de barras" in desc and "3 grupos" in desc
    bars = svg.findall(f".//{SVG}g[@class='series']/{SVG}rect")
    assert len(bars) == 3
    titles = [bar.find(f"{SVG}title").text for bar in bars]  # type: ignore[union-attr]
    assert titles[0] == "2 nov 2026 · Monto prometido: $1,500.00"
    assert titles[2] == "4 nov 2026 · Monto prometido: $4,200.50"
    heights = [float(bar.get("height", 0)) for bar in bars]
    assert heights[2] > heights[0] > heights[1]  # 4,200.50 > 1,500 > 0
    assert round(heights[2] / heights[0], 1) == round(4200.5 / 1500, 1)
    ticks = [t.text for t in svg.findall(f".//{SVG}g[@class='axis y']/{SVG}text")]
    assert ticks[0] == "$0" and len(ticks) >= 3
    days = [t.text for t in svg.findall(f".//{SVG}g[@class='axis x']/{SVG}text")]
    assert days == ["2 nov", "3 nov", "4 nov"]  # the year is in each bar's title


def test_a_line_chart_skips_days_without_a_figure_and_writes_percentages() -> None:
    svg = _parse(report_chart(DAYS.charts[1], DAYS, locale="en", index=1))
    points = svg.findall(f".//{SVG}circle")
    assert len(points) == 2  # the day with no kept rate is not drawn as 0
    assert [p.find(f"{SVG}title").text for p in points] == [  # type: ignore[union-attr]
        "Nov 2, 2026 · Kept rate: 50.0%",
        "Nov 4, 2026 · Kept rate: 25.0%",
    ]
    assert float(points[0].get("cy", 0)) < float(points[1].get("cy", 0))  # 50 % drawn higher
    polyline = svg.find(f".//{SVG}polyline")
    assert polyline is not None and len((polyline.get("points") or "").split()) == 2
    ticks = [t.text for t in svg.findall(f".//{SVG}g[@class='axis y']/{SVG}text")]
    assert ticks == ["0.0%", "20.0%", "40.0%", "60.0%"]


def test_text_from_the_data_is_escaped() -> None:
    hostile = Section(
        key="rules",
        title="Refusals",
        columns=(Column("rule", "Rule", "text"), Column("refused", "Contacts refused", "int")),
        rows=({"rule": "<script>alert(1)</script>", "refused": 3},),
        charts=(Chart("bar", "Contacts refused by rule", "rule", ("refused",)),),
    )
    markup = str(report_chart(hostile.charts[0], hostile, locale="es_MX"))
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    _parse(markup)


def test_a_section_without_numbers_draws_a_message_not_an_axis() -> None:
    empty = Section(
        key="x",
        title="Recovery",
        columns=(Column("day", "Date", "date"), Column("kept_rate", "Kept rate", "pct")),
        rows=({"day": date(2026, 11, 2), "kept_rate": None},),
        charts=(Chart("line", "Kept rate", "day", ("kept_rate",)),),
    )
    svg = _parse(report_chart(empty.charts[0], empty, locale="es_MX"))
    assert (
        svg.find(f".//{SVG}g") is None and svg.get("viewBox") == "0 0 720 48"
    )  # a line, not a box
    assert "No hay cifras" in ET.tostring(svg, encoding="unicode")


def test_ticks_are_round_and_cover_the_values() -> None:
    assert nice_step(4200.5) == 2000 and nice_step(100) == 25 and nice_step(0.5) == 0.2
    assert value_ticks([4200.5, 0]) == [0, 2000, 4000, 6000]
    assert value_ticks([0.5, 0.25]) == [0, 0.2, 0.4, 0.6]
    assert value_ticks([-30, 70]) == [-50, -25, 0, 25, 50, 75]
    assert value_ticks([0]) == [0, 0.25, 0.5, 0.75, 1]
    assert value_ticks([0], whole=True) == [0, 1, 2, 3, 4]  # counts: no quarter of a call
    assert value_ticks([3, 1], whole=True) == [0, 1, 2, 3]


def test_a_long_range_labels_only_as_many_days_as_fit_on_the_axis() -> None:
    days = Section(
        key="long",
        title="Attempts",
        columns=(Column("period", "Date", "text"), Column("n", "Attempts", "int")),
        rows=tuple({"period": f"2026-11-{d:02d}", "n": d} for d in range(1, 31)),
        charts=(Chart("line", "Attempts", "period", ("n",)),),
    )
    svg = _parse(report_chart(days.charts[0], days, locale="es_MX"))
    labels = svg.findall(f".//{SVG}g[@class='axis x']/{SVG}text")
    xs = [float(t.get("x", 0)) for t in labels]
    assert 4 <= len(labels) < 30 and labels[0].text == "2026-11-01"
    assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= 10 * 6.5  # ten characters apart
    assert len(svg.findall(f".//{SVG}circle")) == 30  # every day is still drawn


def test_a_months_total_beside_its_days_is_not_a_point_on_the_days_axis() -> None:
    targets = Section(
        key="targets",
        title="Targets",
        columns=(
            Column("date", "Day", "date"),
            Column("month", "Month", "month"),
            Column("kept_rate", "Kept rate", "pct"),
        ),
        rows=(
            {"date": date(2026, 11, 2), "month": None, "kept_rate": 0.5},
            {"date": date(2026, 11, 3), "month": None, "kept_rate": 0.25},
            {"date": None, "month": date(2026, 11, 1), "kept_rate": 0.4},
        ),
        charts=(Chart("line", "Kept rate", "date", ("kept_rate",)),),
    )
    svg = _parse(report_chart(targets.charts[0], targets, locale="es_MX"))
    titles = [t.text or "" for t in svg.findall(f".//{SVG}circle/{SVG}title")]
    # Two days drawn, in the reader's locale; the month's 40 % is only in the table.
    assert len(titles) == 2
    assert "2 nov 2026" in titles[0] and "50" in titles[0] and "25" in titles[1]
    assert not any("40" in title for title in titles)


def test_a_chart_labels_its_axis_from_a_column_the_table_does_not_show() -> None:
    rolls = Section(
        key="roll_rates",
        title="Roll and cure rates, month over month",
        columns=(Column("aging_bucket", "Aging bucket at the start", "text"),),
        rows=(
            {"period": "2026-10 1-30", "aging_bucket": "1-30", "roll_rate": 0.5},
            {"period": "2026-10 31-60", "aging_bucket": "31-60", "roll_rate": 0.25},
        ),
        charts=(Chart("bar", "Roll and cure rates", "period", ("roll_rate",)),),
        chart_columns=(
            Column("period", "Month and bucket", "text"),
            Column("roll_rate", "Roll rate", "pct"),
        ),
    )
    svg = _parse(report_chart(rolls.charts[0], rolls, locale="en"))
    labels = [t.text for t in svg.findall(f".//{SVG}g[@class='axis x']/{SVG}text")]
    assert labels == ["2026-10 1-30", "2026-10 31-60"]
