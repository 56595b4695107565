"""`acuerdo sandbox` starts the sandbox with a world file, a seed and a speed."""

import subprocess
import sys
from pathlib import Path

import httpx

from tests.telephony.conftest import free_port, wait_until

CLI = [sys.executable, "-c", "from console.cli import main; main()", "sandbox"]
WORLD = """
seed: 5
calls_per_second: 3
answer_probability_by_hour: {9: 0.8}
numbers:
  - match: "*0001"
    call: busy
  - number: "+525512345678"
    call: human
    talk_seconds: {min: 30, max: 90, mode: 45}
sms:
  reply_probability: 0.5
  replies:
    - body: SI
      weight: 3
    - body: BAJA
"""


def test_acuerdo_sandbox_serves_the_world_file(tmp_path: Path, child_env: dict[str, str]) -> None:
    world = tmp_path / "world.yaml"
    world.write_text(WORLD, encoding="utf-8")
    port = free_port()
    process = subprocess.Popen(
        [*CLI, "--host", "127.0.0.1", "--port", str(port), "--world", str(world), "--speed", "30"],
        env=child_env,
    )
    try:
        url = f"http://127.0.0.1:{port}/sandbox/world"

        def served() -> dict[str, object] | None:
            try:
                return dict(httpx.get(url, timeout=1).json())
            except httpx.HTTPError:
                return None

        loaded = wait_until(served, timeout=20)
        assert (loaded["seed"], loaded["speed"], loaded["calls_per_second"]) == (5, 30.0, 3.0)
        assert loaded["numbers"][1]["number"] == "+525512345678"
        assert [r["body"] for r in loaded["sms"]["replies"]] == ["SI", "BAJA"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_missing_world_file_is_refused(tmp_path: Path, child_env: dict[str, str]) -> None:
    missing = tmp_path / "nope.yaml"
    result = subprocess.run(
        [*CLI, "--port", str(free_port()), "--world", str(missing)],
        env={**child_env, "COLUMNS": "1000"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "nope.yaml is not a file" in result.stderr
