"""`scripts/bench_import.py --quick` still runs and prints its figures beside their floors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.backend_free

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_bench_prints_first_import_and_reimport_beside_the_parse_floor() -> None:
    # The bench builds its own SQLite database in a temporary directory.
    env = {key: value for key, value in os.environ.items() if not key.startswith("ACUERDO_")}
    command = [sys.executable, str(ROOT / "scripts" / "bench_import.py"), "--quick"]
    ran = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stderr[-4000:]
    rows = [line.split("|")[1:-1] for line in ran.stdout.splitlines() if line.startswith("| ")]
    figures = {(cells[1].strip(), cells[4].strip()): cells for cells in rows[1:]}
    assert set(figures) == {("first", "parse only"), ("re-import", "parse only")}
    for cells in figures.values():
        assert cells[0].strip() == "2,000"
        assert float(cells[3].strip().replace(",", "")) > 0  # rows/s
        assert cells[6].strip().endswith("x") and float(cells[6].strip()[:-1]) > 0
        assert float(cells[8].strip()) > 0  # peak RSS, MB
    assert "peak RSS of the largest parse worker" in ran.stdout
