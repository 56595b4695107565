"""`scripts/bench_dispatch.py --quick` still runs and prints its figures beside their floor."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_bench_prints_jobs_per_second_beside_the_bare_job_floor() -> None:
    # The bench builds its own database and embedded Redis (it flushes the Redis it uses).
    env = {key: value for key, value in os.environ.items() if not key.startswith("ACUERDO_")}
    command = [sys.executable, str(ROOT / "scripts" / "bench_dispatch.py"), "--quick"]
    ran = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stderr[-4000:]
    floors = [line for line in ran.stdout.splitlines() if line.startswith("| os.getpid")]
    assert [row.split("|")[2].strip() for row in floors] == ["1", "2"]
    assert all(row.rstrip(" |").endswith("x") for row in floors)
    sms = [line for line in ran.stdout.splitlines() if line.startswith("| SMS")]
    assert [row.split("|")[3].strip() for row in sms] == ["20", "20"]
    assert "in a loop, in one process" in ran.stdout
