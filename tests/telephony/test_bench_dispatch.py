"""`scripts/bench_dispatch.py --quick` still runs and prints its figures beside their floor."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.backend_free

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_bench_prints_jobs_per_second_beside_the_bare_job_floor_and_calls_at_cps_30() -> (
    None
):
    # The bench builds its own database and embedded Redis (it flushes the Redis it uses).
    env = {key: value for key, value in os.environ.items() if not key.startswith("ACUERDO_")}
    command = [sys.executable, str(ROOT / "scripts" / "bench_dispatch.py"), "--quick"]
    ran = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stderr[-4000:]
    lines = ran.stdout.splitlines()
    floors = lines[
        lines.index("| workers | floor: bare rq jobs/s | SMS jobs/s | ratio floor/SMS |") :
    ]
    assert [row.split("|")[1].strip() for row in floors[2:4]] == ["1", "2"]
    assert all(row.rstrip(" |").endswith("x") for row in floors[2:4])
    assert "in a loop, in one process" in ran.stdout
    cpu = [line for line in lines if line.startswith("| SMS |")]
    assert [row.split("|")[2].strip() for row in cpu] == ["1", "2"]
    header = (
        "| calls | workers | configured CPS | achieved calls/s | steady calls/s"
        " | most in one second |"
    )
    calls = lines[lines.index(header) + 2]
    assert calls.split("|")[2:4] == [" 2 ", " 30 "]
