"""``python -m demo`` (``scripts/demo``): the HashHeat demo, see README.md, section *Demo*."""

import argparse
import asyncio
import os
import sys
import time

from demo.run import run_demo
from demo.settings import FIVE_FAMILIES, SITE_MINERS, DemoSettings


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run the demo until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="scripts/demo", description=__doc__)
    parser.add_argument(
        "--fresh", action="store_true", help="forget the previous demo's Home Assistant data"
    )
    parser.add_argument(
        "--speed", type=float, default=1.0, help="plant time per second (default 1: real time)"
    )
    parser.add_argument("--port", type=int, default=8123, help="Home Assistant's port")
    parser.add_argument(
        "--degrade",
        action="append",
        default=[],
        metavar="KIND:SHARE[:DAYS]",
        help="let the simulated site degrade: fluid, fouling or pump, e.g. fouling:0.2:3",
    )
    parser.add_argument(
        "--mix",
        action="store_true",
        help="one miner of each firmware family: " + ", ".join(FIVE_FAMILIES),
    )
    args = parser.parse_args(argv)
    # scripts/demo passes when it was started, so the time to live values includes setup.
    started_at = float(os.environ.get("HASHHEAT_DEMO_STARTED", time.time()))
    settings = DemoSettings(
        speed=args.speed,
        ha_port=args.port,
        degradations=tuple(args.degrade),
        miner_models=FIVE_FAMILIES if args.mix else SITE_MINERS,
    )
    return asyncio.run(run_demo(settings, fresh=args.fresh, started_at=started_at))


if __name__ == "__main__":
    sys.exit(main())
