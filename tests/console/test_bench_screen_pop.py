"""`scripts/bench_screen_pop.py --quick` still runs and prints the screen pop beside its floor."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.backend_free

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_bench_prints_the_screen_pop_beside_the_bare_floor() -> None:
    # The bench builds its own database and embedded Redis (it flushes the Redis it uses).
    env = {key: value for key, value in os.environ.items() if not key.startswith("ACUERDO_")}
    command = [sys.executable, str(ROOT / "scripts" / "bench_screen_pop.py"), "--quick"]
    ran = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert ran.returncode == 0, ran.stderr[-4000:]
    assert "not routed" not in ran.stdout, "every answered call reached an agent"
    rows = [line for line in ran.stdout.splitlines() if line.startswith("| 20 |")]
    assert len(rows) == 1
    cells = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert cells[1] == "2" and cells[2] == "20", "20 calls over 2 processes, each popped"
    assert cells[7].endswith("x"), "the ratio to the floor measured in the same run"
    assert "first 20 calls after start-up" in ran.stdout
