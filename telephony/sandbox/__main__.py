"""`python -m telephony.sandbox --host H --port P [--world FILE --seed N --speed X --cps N]`."""

import argparse
from pathlib import Path

from campaigns.log_privacy import install_log_privacy
from telephony.sandbox import serve


def main() -> None:
    """Parse the command line and serve the sandbox."""
    install_log_privacy()
    parser = argparse.ArgumentParser(prog="python -m telephony.sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--world", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--speed", type=float, default=None)
    parser.add_argument("--cps", type=float, default=None)
    args = parser.parse_args()
    serve(
        host=args.host,
        port=args.port,
        world_file=args.world,
        seed=args.seed,
        speed=args.speed,
        calls_per_second=args.cps,
    )


if __name__ == "__main__":
    main()
