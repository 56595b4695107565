"""`scripts/bench_scheduler.py --quick` still runs and prints its figures beside their floors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.backend_free

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_bench_prints_the_tick_and_the_preview_beside_their_floors() -> None:
    # The bench builds its own SQLite database in a temporary directory.
    env = {key: value for key, value in os.environ.items() if not key.startswith("ACUERDO_")}
    command = [sys.executable, str(ROOT / "scripts" / "bench_scheduler.py"), "--quick"]
    ran = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stderr[-4000:]
    rows = [line.split("|")[1:-1] for line in ran.stdout.splitlines() if line.startswith("| ")]
    figures = {cells[0].strip().split(":")[0]: cells for cells in rows[1:]}
    assert set(figures) == {"(data)", "tick", "preview", "preview page", "manager's preview page"}
    assert figures["tick"][0].strip().startswith("tick: 500 picks")
    assert "2,000" in figures["tick"][1]
    for name in ("tick", "preview", "preview page", "manager's preview page"):
        assert figures[name][4].strip().endswith("x"), figures[name]
        assert float(figures[name][4].strip()[:-1]) > 0
