"""`scripts/bench_reports.py --quick` still generates, rolls up and times every report."""

import subprocess
import sys
from pathlib import Path

import pytest

from campaigns.reports import REPORTS

pytestmark = pytest.mark.backend_free

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_bench_times_every_report_beside_its_floors(child_env: dict[str, str]) -> None:
    env = {k: v for k, v in child_env.items() if k != "ACUERDO_DATABASE_URL"}  # its own database
    command = [sys.executable, str(ROOT / "scripts" / "bench_reports.py"), "--quick"]
    ran = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr
    rolled_up, _sep, live = ran.stdout.partition("computed live")
    rows = {
        cells[0]: cells[1:]
        for line in rolled_up.splitlines()
        if line.startswith("| ") and not line.startswith("| report")
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    assert list(rows) == list(REPORTS)
    for key, (shown, took, floor, ratio, raw, _vs_raw) in rows.items():
        assert int(shown.replace(",", "")) > 0, key  # the report found figures to show
        assert float(took) > 0 and float(ratio) > 0, key
        assert float(floor) >= 0 and float(raw) >= 0, key
    assert "rollup of 10 days" in ran.stdout
    live_rows = [line for line in live.splitlines() if line.startswith("| ")][1:]
    assert "today's portfolio snapshot stored in" in live
    assert [line.split("|")[1].strip() for line in live_rows] == list(REPORTS)
    for line in live_rows:
        key, all_live, with_snapshot, floor, ratio = [c.strip() for c in line.strip("|").split("|")]
        assert float(all_live) > 0 and float(with_snapshot) > 0, key
        assert float(floor) > 0 and float(ratio) > 0, key  # measured beside its floor
