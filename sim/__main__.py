"""Command line: ``python -m sim fleet --count N --first-address 127.42.0.1``."""

import argparse
import asyncio
import contextlib
import sys

from sim.fleet import DEFAULT_PORT, start_fleet
from sim.physics import MODELS, S19XP
from sim.server import SimulatorBindError


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the simulator CLI."""
    parser = argparse.ArgumentParser(
        prog="python -m sim",
        description="Simulated immersion-cooled LuxOS miners on 127.x.y.z loopback addresses.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    fleet = sub.add_parser("fleet", help="run N simulated LuxOS miners until Ctrl-C")
    fleet.add_argument("--count", type=int, default=1, help="number of miners (default 1)")
    fleet.add_argument("--first-address", default="127.42.0.1", help="first 127.x.y.z address")
    fleet.add_argument("--port", type=int, default=DEFAULT_PORT, help="API port (default 4028)")
    fleet.add_argument("--model", default=S19XP.name, choices=sorted(MODELS), help="miner model")
    fleet.add_argument("--retune-seconds", type=float, default=45.0, help="profile change ramp")
    fleet.add_argument("--warmup-seconds", type=float, default=60.0, help="wake-up ramp")
    fleet.add_argument("--reboot-seconds", type=float, default=90.0, help="reboot downtime")
    fleet.add_argument("--fluid-temp", type=float, default=40.0, help="fluid temperature, C")
    fleet.add_argument("--atm", action="store_true", help="start with ATM enabled")
    fleet.add_argument("--seed", type=int, default=0, help="noise seed")
    return parser


async def run_fleet(args: argparse.Namespace, stop: asyncio.Event | None = None) -> None:
    """Start the fleet described by ``args``, print its addresses, run until ``stop``."""
    fleet = start_fleet(
        count=args.count,
        first_address=args.first_address,
        port=args.port,
        model=args.model,
        seed=args.seed,
        fluid_temp_c=args.fluid_temp,
        retune_seconds=args.retune_seconds,
        warmup_seconds=args.warmup_seconds,
        reboot_seconds=args.reboot_seconds,
        atm_enabled=args.atm,
    )
    async with fleet:
        out = sys.stdout
        out.write(f"{len(fleet)} simulated {args.model} miner(s) on port {args.port}:\n")
        for host in fleet.hosts:
            out.write(f"{host}\n")
        out.write("Press Ctrl-C to stop.\n")
        out.flush()
        await (stop or asyncio.Event()).wait()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run_fleet(args))
    except (SimulatorBindError, ValueError) as err:
        sys.stderr.write(f"error: {err}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
