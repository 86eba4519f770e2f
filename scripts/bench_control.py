"""Closed-loop benchmark: HashHeat's loop controller against a generic_thermostat-like baseline.

Both drive the same simulated site (four 3 kW immersion miners, the plant model of ``sim``) for
48 model hours in a winter and a shoulder-season scenario, holding the loop's return temperature.
Miners answer as firmware does: a new power limit takes effect over a retune (45 s), a start
takes a warm-up (60 s) and a sleeping miner draws 10 W. Then the price scenario
(``bench_tariff.py``): two fortnights of 2015 prices and weather under the dynamic-tariff
blueprint's policy. Prints two tables, or JSON with --json.
"""

import argparse
import json
import math
import sys
from dataclasses import dataclass
from typing import Any, Protocol

from custom_components.hashheat.domain.control import ControllerSettings, LoopController
from scripts.bench_miners import MINER_MAX_W, MINERS, RETUNE_S, SimMiner, miner_specs
from scripts.bench_tariff import load_data, price_scenarios, price_table, setup_json
from sim import Scenario, shoulder, winter

DT_S = 10.0
HOURS = 48.0
TARGETS_C = {"winter": 42.0, "shoulder": 33.0}
BASELINE_BAND_K = 0.3


class Policy(Protocol):
    """A controller under test: commands per miner from the measured return temperature."""

    def __call__(self, now_s: float, return_c: float) -> list[tuple[bool, float]]:
        """Run flag and power limit of each miner."""
        ...


class HashHeatPolicy:
    """The integration's own LoopController."""

    def __init__(self, target_c: float) -> None:
        """Four modulating miners, default (hardware-protecting) settings."""
        self.controller = LoopController(miner_specs(), ControllerSettings(retune_s=RETUNE_S))
        self.target_c = target_c

    def __call__(self, now_s: float, return_c: float) -> list[tuple[bool, float]]:
        """Ask the controller."""
        commands = self.controller.update(now_s, return_c, self.target_c)
        by_id = {command.miner_id: command for command in commands}
        return [(by_id[str(i)].run, by_id[str(i)].power_w or MINER_MAX_W) for i in range(MINERS)]


class BaselinePolicy:
    """HA core's generic_thermostat: every miner on below target - 0.3 K, off above + 0.3 K."""

    def __init__(self, target_c: float) -> None:
        """Start off."""
        self.target_c = target_c
        self.on = False

    def __call__(self, now_s: float, return_c: float) -> list[tuple[bool, float]]:  # noqa: ARG002
        """On/off with hysteresis, full power."""
        if return_c < self.target_c - BASELINE_BAND_K:
            self.on = True
        elif return_c > self.target_c + BASELINE_BAND_K:
            self.on = False
        return [(self.on, MINER_MAX_W)] * MINERS


@dataclass(kw_only=True, slots=True)
class Result:
    """Figures of one run."""

    rms_k: float
    max_overshoot_k: float
    starts: int
    electricity_kwh: float
    heat_kwh: float
    mean_return_c: float


def simulate(scenario: Scenario, policy: Policy, target_c: float) -> Result:
    """Run 48 h; the first two hours (warming from the scenario's start) are not scored."""
    plant = scenario.plant
    miners = [SimMiner() for _ in range(MINERS)]
    steps = math.ceil(HOURS * 3600 / DT_S)
    warmup_steps = math.ceil(2 * 3600 / DT_S)
    squared, overshoot, total, start = 0.0, 0.0, 0.0, plant.energy
    for index in range(steps):
        readings = plant.measure()
        for miner, (run, power) in zip(miners, policy(plant.now_s, readings.return_c), strict=True):
            miner.command(run=run, power_w=power)
        power = sum(miner.step(DT_S) for miner in miners)
        if index >= warmup_steps:
            error = plant.snapshot().return_c - target_c
            total += error
            squared += error * error
            overshoot = max(overshoot, error)
        plant.step(DT_S, power)
    energy = plant.energy - start
    scored = steps - warmup_steps
    return Result(
        rms_k=math.sqrt(squared / scored),
        max_overshoot_k=overshoot,
        starts=sum(miner.starts for miner in miners),
        electricity_kwh=energy.electrical_j / 3.6e6,
        heat_kwh=energy.heat_to_loop_j / 3.6e6,
        mean_return_c=target_c + total / scored,
    )


def main() -> int:
    """Run both scenarios with both controllers; print a table or JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    report: dict[str, Any] = {"scenarios": []}
    for name, factory in (("winter", winter), ("shoulder", shoulder)):
        target = TARGETS_C[name]
        controllers = {
            "hashheat": simulate(factory(seed=1), HashHeatPolicy(target), target),
            "baseline": simulate(factory(seed=1), BaselinePolicy(target), target),
        }
        report["scenarios"].append(
            {
                "name": name,
                "target_return_c": target,
                "hours": HOURS,
                "controllers": {
                    key: {
                        "rms_k": round(r.rms_k, 3),
                        "max_overshoot_k": round(r.max_overshoot_k, 3),
                        "starts": r.starts,
                        "electricity_kwh": round(r.electricity_kwh, 1),
                        "heat_kwh": round(r.heat_kwh, 1),
                        "mean_return_c": round(r.mean_return_c, 2),
                    }
                    for key, r in controllers.items()
                },
            }
        )
    data = load_data()
    report["price_setup"] = setup_json(data)
    report["price_scenarios"] = price_scenarios(data)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print(
        f"{'scenario':<10}{'controller':<11}{'RMS K':>8}{'overshoot K':>13}{'starts':>8}"
        f"{'elec kWh':>10}{'heat kWh':>10}{'mean return':>13}"
    )
    for scenario in report["scenarios"]:
        for key, figures in scenario["controllers"].items():
            print(
                f"{scenario['name']:<10}{key:<11}{figures['rms_k']:>8.3f}"
                f"{figures['max_overshoot_k']:>13.3f}{figures['starts']:>8}"
                f"{figures['electricity_kwh']:>10.1f}{figures['heat_kwh']:>10.1f}"
                f"{figures['mean_return_c']:>13.2f}"
            )
    print()
    print("\n".join(price_table(report["price_scenarios"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
