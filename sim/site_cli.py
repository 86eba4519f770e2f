"""``python -m sim site``: one heating site in real time, plus spare miners to be found by a scan.

The site's miners sit in the tank of a plant scenario (closed loop, :mod:`sim.site`); its plant
sensors, pump, electricity price and Bitcoin network data are served over HTTP
(:mod:`sim.site_server`). Spare miners on a separate range are not in the tank (their fluid
stays at 40 °C): they are there to be found and added.
"""

import argparse
import asyncio
import contextlib
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from sim.degradation import parse_degradation
from sim.fleet import Fleet, start_fleet
from sim.plant.scenarios import SCENARIOS
from sim.signals import stop_on_signals
from sim.site import SiteSimulation
from sim.site_server import build_app

__all__ = ["DEFAULT_SITE_MODELS", "DEFAULT_SPARE_MODELS", "add_site_parser", "run_site"]

DEFAULT_SITE_MODELS = ("Antminer S19 XP",) * 3 + ("Avalon Mini3",) * 2
DEFAULT_SPARE_MODELS = ("Antminer S21", "Avalon Mini3")


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def add_site_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``site`` command to the CLI."""
    site = sub.add_parser("site", help="one heating site in real time, with an HTTP server")
    site.add_argument("--first-address", default="127.60.0.1", help="first miner's address")
    site.add_argument(
        "--models",
        default=",".join(DEFAULT_SITE_MODELS),
        help="the site's miners, one model each (default: 3 S19 XP, 2 Avalon Mini3)",
    )
    site.add_argument("--spare-first-address", default="127.77.1.1")
    site.add_argument("--spare-count", type=int, default=3, help="spare miners (default 3)")
    site.add_argument(
        "--spare-models",
        default=",".join(DEFAULT_SPARE_MODELS),
        help="models the spare miners cycle through",
    )
    site.add_argument("--scenario", choices=sorted(SCENARIOS), default="mild")
    site.add_argument(
        "--speed", type=float, default=1.0, help="plant time per wall-clock second (default 1)"
    )
    site.add_argument("--time-zone", default="UTC", help="local time of the outdoor day, prices")
    site.add_argument("--http-host", default="127.0.0.1")
    site.add_argument("--http-port", type=int, default=8300)
    site.add_argument("--seed", type=int, default=0, help="noise seed")
    site.add_argument(
        "--degrade",
        action="append",
        default=[],
        metavar="KIND:SHARE[:DAYS]",
        help="degrade the site from now on over DAYS of plant time: fluid (chip rise grows by "
        "SHARE), fouling (exchanger UA falls by SHARE) or pump (oil flow falls by SHARE); "
        "e.g. fouling:0.2:3",
    )


def _fleets(args: argparse.Namespace) -> tuple[Fleet, Fleet]:
    models = _names(args.models)
    spare_models = _names(args.spare_models)
    if not models or (args.spare_count and not spare_models):
        raise ValueError("give at least one model")
    site = start_fleet(len(models), args.first_address, models=models, seed=args.seed)
    spare = start_fleet(
        args.spare_count, args.spare_first_address, models=spare_models, seed=args.seed + 100
    )
    return site, spare


async def run_site(args: argparse.Namespace, stop: asyncio.Event | None = None) -> None:
    """Run the site described by ``args`` until ``stop`` is set, SIGINT or SIGTERM."""
    stop = stop or asyncio.Event()
    zone = ZoneInfo(args.time_zone)
    scenario = SCENARIOS[args.scenario](seed=args.seed)
    local = datetime.now(zone)
    scenario.plant.now_s = local.hour * 3600.0 + local.minute * 60.0 + local.second
    degradations = [parse_degradation(text, start_s=scenario.plant.now_s) for text in args.degrade]
    site_fleet, spare_fleet = _fleets(args)
    with stop_on_signals(stop):
        async with site_fleet, spare_fleet:
            site = SiteSimulation(
                scenario.plant, site_fleet.miners, speed=args.speed, degradations=degradations
            )
            runner = web.AppRunner(build_app(site, zone), access_log=None)
            await runner.setup()
            try:
                await web.TCPSite(runner, args.http_host, args.http_port).start()
                port = runner.addresses[0][1]  # the bound one, also when asked for port 0
                _announce(args, port, (site_fleet, spare_fleet), scenario.description)
                await site.run(stop)
            finally:
                await runner.cleanup()


def _announce(
    args: argparse.Namespace, port: int, fleets: tuple[Fleet, Fleet], description: str
) -> None:
    site, spare = fleets
    out = sys.stdout
    out.write(f"site ({args.scenario}: {description}; plant speed x{args.speed:g}):\n")
    for miner in site:
        out.write(f"  {miner.host}:{miner.port} {miner.model.name}\n")
    out.write("spare (not in the tank):\n")
    for miner in spare:
        out.write(f"  {miner.host}:{miner.port} {miner.model.name}\n")
    out.write(f"http://{args.http_host}:{port}/plant /pump /price /api/...\n")
    out.write("Press Ctrl-C to stop.\n")
    out.flush()


def main_site(args: argparse.Namespace) -> None:
    """Run the site until Ctrl-C or SIGTERM."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_site(args))
