"""The preview's bar chart: bars proportional to the values, text escaped, an accessible title."""

import re

from console.charts import BAR_WIDTH, bar_chart


def test_bars_are_proportional_and_labels_are_escaped() -> None:
    svg = str(
        bar_chart(
            [
                ("Would be contacted", 300, "300"),
                ("<script>x</script>", 150, "150"),
                ("none", 0, "0"),
            ],
            title="Cuentas por regla",
        )
    )
    widths = [int(w) for w in re.findall(r'<rect [^>]*width="(\d+)"', svg)]
    assert widths == [BAR_WIDTH, BAR_WIDTH // 2, 0]
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<title>Cuentas por regla</title>" in svg and 'role="img"' in svg


def test_an_empty_chart_is_still_a_valid_image() -> None:
    svg = str(bar_chart([], title="t"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
