"""The progress bar `acuerdo import` redraws on a terminal."""

from console.cli.imports import progress_bar


def test_the_bar_fills_with_the_accounts_written() -> None:
    assert progress_bar(0, 200, width=10) == "[..........]   0%"
    assert progress_bar(100, 200, width=10) == "[#####.....]  50%"
    assert progress_bar(200, 200, width=10) == "[##########] 100%"
    assert progress_bar(0, 0, width=10) == "[##########] 100%"  # an empty file is done at once
