"""Start Acuerdo's processes together and stop them all cleanly."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class Process:
    name: str
    argv: list[str]
    popen: subprocess.Popen[bytes] | None = None


def start_all(processes: Sequence[Process], env: dict[str, str]) -> None:
    """Start every process (`python -m console ...`), each in its own process group."""
    for process in processes:
        process.popen = subprocess.Popen(
            [sys.executable, "-m", "console", *process.argv], env=env, start_new_session=True
        )


def wait_until_one_exits(processes: Sequence[Process]) -> Process:
    """Block until a process exits (or Ctrl-C); return the one that did."""
    while True:
        for process in processes:
            if process.popen is not None and process.popen.poll() is not None:
                return process
        time.sleep(0.5)


def stop_all(processes: Sequence[Process], timeout: float = 10.0) -> None:
    """Stop the processes in reverse order of starting (SIGTERM to each group, then SIGKILL)."""
    for process in reversed(processes):
        if process.popen is None or process.popen.poll() is not None:
            continue
        os.killpg(process.popen.pid, signal.SIGTERM)
        try:
            process.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.popen.pid, signal.SIGKILL)
            process.popen.wait()
