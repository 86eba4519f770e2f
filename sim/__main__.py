"""Command line: ``python -m sim fleet``, ``python -m sim plant`` or ``python -m sim site``.

``fleet`` runs N simulated miners, ``plant`` the heating-plant model alone, ``site`` a heating
site in real time (miners in the plant's tank) with its HTTP server.
"""

import argparse
import asyncio
import contextlib
import sys

from sim.families import ALL_MODELS, Firmware, choose_model, resolve_model
from sim.fleet import DEFAULT_PORT, start_fleet
from sim.outdoor import ColdFront
from sim.plant.control import Controller, Thermostat, constant_power
from sim.plant.run import format_summary, run
from sim.plant.scenarios import SCENARIOS
from sim.server import SimulatorBindError
from sim.signals import stop_on_signals
from sim.site_cli import add_site_parser, main_site

# One model of each firmware family, in turn.
DEFAULT_MIX = (
    "Antminer S19 XP",
    "Avalon Mini3",
    "Whatsminer M63S",
    "Antminer S19j Pro VNish",
    "Antminer S19j Pro BOS+",
)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the simulator CLI."""
    parser = argparse.ArgumentParser(
        prog="python -m sim",
        description="Simulated immersion-cooled miners of five firmware families on loopback.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    fleet = sub.add_parser("fleet", help="run N simulated miners until Ctrl-C")
    fleet.add_argument("--count", type=int, default=1, help="number of miners (default 1)")
    fleet.add_argument("--first-address", default="127.42.0.1", help="first 127.x.y.z address")
    fleet.add_argument("--port", type=int, default=DEFAULT_PORT, help="API port (default 4028)")
    family = fleet.add_mutually_exclusive_group()
    family.add_argument(
        "--model", choices=sorted(ALL_MODELS), help="miner model (default: the firmware's)"
    )
    family.add_argument(
        "--mix",
        action="store_true",
        help=f"one of each firmware family in turn: {', '.join(DEFAULT_MIX)}",
    )
    family.add_argument(
        "--models", help="comma-separated models to cycle through, e.g. 'Avalon Q,Antminer S21'"
    )
    fleet.add_argument(
        "--firmware",
        choices=[f.value for f in Firmware],
        help="firmware family when no model is given (default luxos: S19 XP; avalon: Mini3; "
        "whatsminer: M63S; vnish, braiins: S19j Pro)",
    )
    fleet.add_argument("--retune-seconds", type=float, default=45.0, help="power change ramp")
    fleet.add_argument("--warmup-seconds", type=float, default=60.0, help="wake-up ramp")
    fleet.add_argument("--reboot-seconds", type=float, default=90.0, help="reboot downtime")
    fleet.add_argument("--fluid-temp", type=float, default=40.0, help="fluid temperature, C")
    fleet.add_argument("--atm", action="store_true", help="start LuxOS miners with ATM enabled")
    fleet.add_argument(
        "--web-port",
        type=int,
        help="Avalon: also serve the web MAC page here; VNish: its web API (default 80)",
    )
    fleet.add_argument("--seed", type=int, default=0, help="noise seed")
    _add_plant_parser(sub)
    add_site_parser(sub)
    return parser


def _add_plant_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    plant = sub.add_parser("plant", help="simulate a heating site and print a summary")
    plant.add_argument("--scenario", choices=sorted(SCENARIOS), default="winter")
    plant.add_argument("--hours", type=float, default=48.0, help="simulated hours (default 48)")
    plant.add_argument("--dt", type=float, default=10.0, help="step, seconds (default 10)")
    plant.add_argument(
        "--controller",
        choices=["thermostat", "constant"],
        default="thermostat",
        help="on/off indoor thermostat with a 65 C tank limit, or constant power",
    )
    plant.add_argument("--power", type=float, help="miner power when on, W (default: the site's)")
    plant.add_argument("--cold-front", action="store_true", help="-10 K front from hour 24")
    plant.add_argument("--noise", type=float, default=0.05, help="sensor noise std, K")
    plant.add_argument("--seed", type=int, default=0, help="noise seed")


def run_plant(args: argparse.Namespace) -> str:
    """Run the plant scenario described by ``args``; return the summary table."""
    scenario = SCENARIOS[args.scenario](
        seed=args.seed,
        noise_k=args.noise,
        cold_front=ColdFront() if args.cold_front else None,
    )
    power = scenario.site_power_w if args.power is None else args.power
    controller: Controller
    if args.controller == "constant":
        controller = constant_power(power)
    else:
        controller = Thermostat(power, off_w=scenario.sleep_power_w)
    trace = run(scenario.plant, controller, args.hours, args.dt)
    title = f"{scenario.name} ({scenario.description}), {args.controller} {power:g} W"
    return format_summary(title, trace)


def _models(args: argparse.Namespace) -> list[str] | None:
    if args.mix:
        return list(DEFAULT_MIX)
    if args.models:
        return [name.strip() for name in args.models.split(",") if name.strip()]
    return None


async def run_fleet(args: argparse.Namespace, stop: asyncio.Event | None = None) -> None:
    """Start the fleet described by ``args``, print its addresses, run until stopped.

    Stopped: ``stop`` is set, or SIGINT or SIGTERM arrives.
    """
    models = _models(args)
    if models is not None and args.firmware is not None:
        raise ValueError("--firmware cannot be combined with --mix or --models")
    fleet = start_fleet(
        count=args.count,
        first_address=args.first_address,
        port=args.port,
        model=args.model,
        firmware=args.firmware,
        models=models,
        seed=args.seed,
        fluid_temp_c=args.fluid_temp,
        retune_seconds=args.retune_seconds,
        warmup_seconds=args.warmup_seconds,
        reboot_seconds=args.reboot_seconds,
        atm_enabled=args.atm,
        web_port=args.web_port,
    )
    if models is None:
        what = choose_model(args.model, args.firmware).name
    else:
        what = ", ".join(resolve_model(m).name for m in models) + " in turn"
    stop = stop or asyncio.Event()
    with stop_on_signals(stop):
        async with fleet:
            out = sys.stdout
            out.write(f"{len(fleet)} simulated miner(s) ({what}) on port {args.port}:\n")
            for host in fleet.hosts:
                out.write(f"{host}\n")
            out.write("Press Ctrl-C to stop.\n")
            out.flush()
            await stop.wait()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "plant":
            sys.stdout.write(run_plant(args))
            return 0
        if args.command == "site":
            main_site(args)
            return 0
        with contextlib.suppress(KeyboardInterrupt):  # before the signal handlers are in place
            asyncio.run(run_fleet(args))
    except (SimulatorBindError, OSError, ValueError) as err:
        sys.stderr.write(f"error: {err}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
