"""`scripts/bench_pacing.py --quick` still runs and prints every cell of its tables, the
clairvoyant bound's columns included."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.backend_free

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_bench_prints_both_profiles_for_8_and_30_agents(
    child_env: dict[str, str],
) -> None:
    command = [
        sys.executable,
        str(ROOT / "scripts" / "bench_pacing.py"),
        "--quick",
        "--clairvoyant",
    ]
    ran = subprocess.run(
        command, env=child_env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert ran.returncode == 0, ran.stderr
    rows = [
        line
        for line in ran.stdout.splitlines()
        if line.startswith("| flat") or line.startswith("| daily")
    ]
    assert len(rows) == 8
    assert {row.split("|")[2].strip() for row in rows} == {"8", "30"}
    assert all(row.count("%") == 7 for row in rows), "answer, shares, abandons, the bound's two"
    assert "worst predictive abandon rate" in ran.stdout
    shared = [line.split("|") for line in ran.stdout.splitlines() if line.startswith("| 30 | 1 |")]
    assert [row[3].strip() for row in shared] == ["predictive A", "progressive", "predictive B"]
    progressive = shared[1]
    assert progressive[9].strip() == "0", "progressive abandons nobody on the shared team"
    assert all(row[15].strip() == "0" for row in shared), "never more calls than ready agents"
