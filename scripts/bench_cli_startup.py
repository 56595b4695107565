"""CLI start-up benchmark: `acuerdo --help` and a command's own help beside the interpreter floor.

Each command runs as a fresh process, alternating with the floor (`python -c pass`, the same
interpreter) so machine load hits both alike; the medians are printed with their ratio.

    python scripts/bench_cli_startup.py            # 15 runs each
    python scripts/bench_cli_startup.py --runs 5
"""

import argparse
import statistics
import subprocess
import sys
import time

CASES = {
    "acuerdo --help": ["-m", "console", "--help"],
    "acuerdo campaigns --help": ["-m", "console", "campaigns", "--help"],
    "acuerdo simulate --help": ["-m", "console", "simulate", "--help"],
}
FLOOR = ["-c", "pass"]


def _once(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    print(f"{'command':<28} {'median s':>9} {'floor s':>8} {'ratio':>6}")
    for label, args in CASES.items():
        _once(args)  # warm the file cache
        timed, floor = [], []
        for _ in range(runs):
            timed.append(_once(args))
            floor.append(_once(FLOOR))
        median, base = statistics.median(timed), statistics.median(floor)
        print(f"{label:<28} {median:>9.3f} {base:>8.3f} {median / base:>6.1f}")


if __name__ == "__main__":
    main()
