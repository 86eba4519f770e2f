"""Run a :class:`~sim.plant.Plant` under a controller and record a compact trace.

The trace keeps one sample every ``sample_every`` steps (bounded memory) but its
temperature statistics and energy totals cover every step.
"""

import math
from dataclasses import dataclass

from sim.outdoor import HOUR_S
from sim.plant.control import Controller
from sim.plant.model import EnergyTotals, Plant

__all__ = ["TempStats", "Trace", "TraceSample", "format_summary", "run"]

_KWH = 3.6e6
_STAT_NAMES = ("outdoor", "indoor", "tank", "supply", "return")


@dataclass(frozen=True, kw_only=True, slots=True)
class TraceSample:
    """The plant at one sampled instant and the power the controller chose for the next step."""

    time_s: float
    tank_c: float
    supply_c: float
    return_c: float
    indoor_c: float
    outdoor_c: float
    power_w: float
    heat_to_loop_w: float


@dataclass(frozen=True, kw_only=True, slots=True)
class TempStats:
    """Minimum, maximum and time-average of one (exact) temperature over a run, °C."""

    min_c: float
    max_c: float
    mean_c: float


@dataclass(frozen=True, kw_only=True, slots=True)
class Trace:
    """Result of :func:`run`.

    ``temperatures`` is keyed by "outdoor", "indoor", "tank", "supply", "return" (values at
    the start of each step); ``energy`` holds the flows and storage changes over the run.
    """

    steps: int
    dt_s: float
    samples: tuple[TraceSample, ...]
    temperatures: dict[str, TempStats]
    energy: EnergyTotals


class _Running:
    __slots__ = ("high", "low", "total")

    def __init__(self) -> None:
        self.low = math.inf
        self.high = -math.inf
        self.total = 0.0

    def add(self, value: float) -> None:
        self.low = min(self.low, value)
        self.high = max(self.high, value)
        self.total += value

    def stats(self, count: int) -> TempStats:
        return TempStats(min_c=self.low, max_c=self.high, mean_c=self.total / max(1, count))


def run(
    plant: Plant,
    controller_fn: Controller,
    hours: float,
    dt_s: float = 10.0,
    *,
    sample_every: int = 30,
) -> Trace:
    """Advance ``plant`` by ``hours`` in steps of ``dt_s``, asking ``controller_fn`` each step.

    Each step: the controller gets ``(plant.now_s, plant.measure())`` and returns the miners'
    electrical power (W), then the plant steps ``dt_s`` at that power. The step count is
    ``ceil(hours·3600 / dt_s)``; a sample is kept at steps 0, ``sample_every``, ….
    """
    if not hours > 0.0 or not dt_s > 0.0 or sample_every < 1:
        raise ValueError("hours and dt_s must be > 0 and sample_every >= 1")
    steps = math.ceil(hours * HOUR_S / dt_s - 1e-9)
    start = plant.energy
    running = [_Running() for _ in _STAT_NAMES]
    samples: list[TraceSample] = []
    for index in range(steps):
        exact = plant.snapshot()
        power = controller_fn(plant.now_s, plant.measure())
        temps = (exact.outdoor_c, exact.indoor_c, exact.tank_c, exact.supply_c, exact.return_c)
        for acc, value in zip(running, temps, strict=True):
            acc.add(value)
        if index % sample_every == 0:
            samples.append(
                TraceSample(
                    time_s=exact.now_s,
                    tank_c=exact.tank_c,
                    supply_c=exact.supply_c,
                    return_c=exact.return_c,
                    indoor_c=exact.indoor_c,
                    outdoor_c=exact.outdoor_c,
                    power_w=power,
                    heat_to_loop_w=exact.heat_w,
                ),
            )
        plant.step(dt_s, power)
    return Trace(
        steps=steps,
        dt_s=dt_s,
        samples=tuple(samples),
        temperatures={n: acc.stats(steps) for n, acc in zip(_STAT_NAMES, running, strict=True)},
        energy=plant.energy - start,
    )


def format_summary(title: str, trace: Trace) -> str:
    """A short text table: temperature statistics and the energy balance in kWh."""
    hours = trace.steps * trace.dt_s / HOUR_S
    lines = [
        f"{title}: {hours:g} h in {trace.steps} steps of {trace.dt_s:g} s",
        f"{'°C':<10}{'min':>8}{'mean':>8}{'max':>8}",
    ]
    for name, stats in trace.temperatures.items():
        lines.append(f"{name:<10}{stats.min_c:8.1f}{stats.mean_c:8.1f}{stats.max_c:8.1f}")
    energy = trace.energy
    stored = energy.tank_j + energy.loop_j + energy.building_j
    rows = (
        ("energy in (electrical)", energy.electrical_j),
        ("heat to loop", energy.heat_to_loop_j),
        ("heat delivered (radiators)", energy.delivered_j),
        ("heat dumped (dry cooler)", energy.dumped_j),
        ("lost to plant room", energy.room_loss_j),
        ("building envelope loss", energy.envelope_loss_j),
        ("stored (tank+loop+building)", stored),
    )
    lines.append("kWh")
    lines.extend(f"{label:<28}{value / _KWH:8.1f}" for label, value in rows)
    return "\n".join(lines) + "\n"
