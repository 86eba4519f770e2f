"""The health detectors on the plant model: each simulated degradation caught, a healthy month quiet.

Four simulated S19 XP heat the reference site; each poll the detectors get what the integration
reads: each miner's hottest chip and power, the tank's fluid, the loop's supply and return and the
calorimetric heat, all from the noisy sensors. The plant runs at a manual clock, weeks in seconds.
"""

import math
from dataclasses import dataclass, field

import pytest

from custom_components.hashheat.domain.health import (
    CHIP_RISE_SETTINGS,
    DAY_S,
    EXCHANGER_SETTINGS,
    HOUR_S,
    DriftDetector,
    HealthStatus,
    chip_rise_sample,
    exchanger_sample,
)
from sim.degradation import Degradation, DegradationKind, Degrader
from sim.outdoor import ColdFront
from sim.physics import S19XP, MinerState
from sim.plant.scenarios import mild

STEP_S = 60.0
ONSET_S = 3 * DAY_S
EXPENSIVE_HOURS = frozenset({7, 8, 17, 18})


@dataclass(kw_only=True, slots=True)
class Watch:
    """The detectors of one site and when each first warned."""

    chips: list[DriftDetector]
    exchanger: DriftDetector = field(
        default_factory=lambda: DriftDetector(settings=EXCHANGER_SETTINGS)
    )
    first_warning: dict[str, float] = field(default_factory=dict)

    def note(self, now_s: float) -> None:
        named = {"exchanger": self.exchanger} | {f"chip{i}": d for i, d in enumerate(self.chips)}
        for name, detector in named.items():
            if detector.report().status is HealthStatus.WARNING:
                self.first_warning.setdefault(name, now_s)


def _miners_wanted(now_s: float, demand_w: float) -> int:
    """Enough miners for the building's demand; none in the expensive hours."""
    if int(now_s % DAY_S // HOUR_S) in EXPENSIVE_HOURS:
        return 0
    return max(1, min(4, math.ceil(demand_w / (0.95 * S19XP.default_watts))))


def _run(
    days: float, degradations: list[Degradation], *, cold_front: ColdFront | None = None
) -> Watch:
    plant = mild(seed=3, cold_front=cold_front).plant
    miners = [
        MinerState(S19XP, clock=plant.clock, seed=i, fluid_temp_c=plant.tank_c) for i in range(4)
    ]
    degrader = Degrader(plant, miners, degradations)
    watch = Watch(chips=[DriftDetector(settings=CHIP_RISE_SETTINGS) for _ in miners])
    for _ in range(int(days * DAY_S / STEP_S)):
        now = plant.now_s
        wanted = _miners_wanted(now, plant.heat_demand_w)
        for index, miner in enumerate(miners):
            if index < wanted and miner.is_sleeping:
                miner.wakeup()
            elif index >= wanted and not miner.is_sleeping:
                miner.sleep()
        snapshots = [miner.snapshot() for miner in miners]
        readings = plant.measure()
        for detector, snap in zip(watch.chips, snapshots, strict=True):
            chip = max(max(board.chip_temps) for board in snap.boards)
            detector.add(
                now,
                *chip_rise_sample(chip_c=chip, fluid_c=readings.tank_c, power_kw=snap.watts / 1000),
            )
        watch.exchanger.add(
            now,
            *exchanger_sample(
                fluid_c=readings.tank_c,
                supply_c=readings.supply_c,
                return_c=readings.return_c,
                heat_w=readings.heat_w,
            ),
        )
        watch.note(now)
        plant.step(STEP_S, float(sum(snap.watts for snap in snapshots)))
        degrader.apply()
        for miner in miners:
            miner.fluid_temp_c = plant.tank_c
    return watch


def test_a_healthy_month_with_weather_and_price_driven_load_raises_nothing() -> None:
    watch = _run(30, [], cold_front=ColdFront(start_h=10 * 24, drop_k=8.0, hold_h=48.0))
    assert watch.first_warning == {}
    assert watch.exchanger.report().status is HealthStatus.OK
    assert {d.report().status for d in watch.chips} == {HealthStatus.OK}


@pytest.mark.parametrize(
    ("kind", "share", "caught_by"),
    [
        (DegradationKind.FOULING, 0.2, "exchanger"),  # UA -20 %
        (DegradationKind.PUMP, 0.3, "exchanger"),  # oil flow -30 %
        (DegradationKind.FLUID, 0.2, "chip"),  # +5 K chip-to-fluid at full power
    ],
)
def test_each_degradation_is_reported_within_three_days(
    kind: DegradationKind, share: float, caught_by: str
) -> None:
    watch = _run(6, [Degradation(kind=kind, share=share, start_s=ONSET_S)])
    caught = {name for name in watch.first_warning if name.startswith(caught_by)}
    assert caught
    assert all(ONSET_S < watch.first_warning[name] < ONSET_S + 3 * DAY_S for name in caught)
    assert set(watch.first_warning) == caught  # the other detector stays quiet
