"""The integration's planner on the plan bench, with only what Home Assistant would know.

A :class:`SitePlanner` learns its :class:`SiteModel` from the site's readings every poll (from
the configured plant's prior: tank volume and fluid, loop volume, miner count - never the
plant's true parameters) and plans on the published prices and an outdoor forecast. Until the
model is confident it returns None: the site stays on comfort control and the reason is kept.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

import numpy as np

from custom_components.hashheat.domain.dispatch import DispatchSettings
from custom_components.hashheat.domain.planner import Plan, PlanInputs, plan
from custom_components.hashheat.domain.price_forecast import PriceSlot
from custom_components.hashheat.domain.site_model import PlantPrior, SiteModel, SiteReading
from custom_components.hashheat.domain.thermal import Fluid
from sim.plant import PlantParams, PlantReadings
from sim.smard import GERMAN_TIME

APPROACH_MIN_HEAT_W: Final = 1000.0
APPROACH_WEIGHT: Final = 0.01
STORE_RANGE_K: Final = 5.0


def plant_prior(params: PlantParams, miner_steps_w: Sequence[Sequence[float]]) -> PlantPrior:
    """What a user configures for the bench plant: its tank, fluid, loop volume and miners."""
    return PlantPrior(
        tank_volume_l=params.oil_volume_m3 * 1000,
        tank_fluid=Fluid.DIELECTRIC_OIL,
        loop_volume_l=params.loop_volume_m3 * 1000,
        miner_power_steps_w=miner_steps_w,
        indoor_setpoint_c=params.indoor_setpoint_c,
    )


@dataclass(kw_only=True, slots=True)
class SitePlanner:
    """The planner with its learned model, as the integration runs it for one site."""

    model: SiteModel
    miner_steps_w: Sequence[Sequence[float]]
    settings: DispatchSettings
    loop_target_c: float
    """The return temperature that keeps the building warm (the climate's target)."""
    heat_dump: bool
    approach_k_per_kw: float | None = None
    """How far the store runs above the return per kW delivered, learned from the readings."""
    guard_off: bool = False
    running: int = 0
    running_since_s: float | None = None
    starts_today: int = 0
    day: str = ""
    comfort_reason: str = ""
    polls: int = 0
    planned_polls: int = 0
    last_plan: Plan | None = field(default=None, repr=False)

    def observe(self, readings: PlantReadings, running: int) -> None:
        """One poll: the model learns, the starts of the local day are counted."""
        self.model.observe(
            SiteReading(
                at_s=readings.now_s,
                store_c=readings.tank_c,
                power_w=readings.power_w,
                heat_w=readings.heat_w,
                outdoor_c=readings.outdoor_c,
            )
        )
        day = datetime.fromtimestamp(readings.now_s, GERMAN_TIME).date().isoformat()
        if day != self.day:
            self.day, self.starts_today = day, 0
        if running != self.running or self.running_since_s is None:
            self.starts_today += max(running - self.running, 0)
            self.running, self.running_since_s = running, readings.now_s
        if readings.heat_w > APPROACH_MIN_HEAT_W:
            approach = (readings.tank_c - readings.return_c) / (readings.heat_w / 1000)
            previous = self.approach_k_per_kw
            self.approach_k_per_kw = (
                approach if previous is None else previous + APPROACH_WEIGHT * (approach - previous)
            )
        self.polls += 1

    def min_store_c(self, demand_kw: Sequence[float]) -> float:
        """The store temperature that still delivers the horizon's highest demand at the target."""
        approach = max(self.approach_k_per_kw or 0.0, 0.0)
        wanted = self.loop_target_c + approach * max(demand_kw, default=0.0)
        return min(wanted, self.settings.ceiling_c - STORE_RANGE_K)

    def guarded(self, power_w: float, store_c: float) -> float:
        """The planned power, cut from the ceiling until the store cools by the hysteresis."""
        ceiling = self.settings.ceiling_c
        if store_c >= ceiling:
            self.guard_off = True
        elif store_c <= ceiling - self.settings.hysteresis_k:
            self.guard_off = False
        return 0.0 if self.guard_off else power_w

    def planner_power_w(
        self,
        prices: Sequence[PriceSlot],
        outdoor_forecast_c: Sequence[float],
        readings: PlantReadings,
        revenue_eur_per_kwh: float,
    ) -> list[float] | None:
        """The planned power (W) per price slot, or None while the site stays on comfort."""
        confidence = self.model.confidence
        if not confidence.confident:
            self.comfort_reason = "; ".join(confidence.reasons)
            return None
        demand = [self.model.demand_kw(outdoor) for outdoor in outdoor_forecast_c]
        net = np.array([slot.price_per_kwh for slot in prices]) - revenue_eur_per_kwh
        store = self.model.store_params
        heat_wanted = sum(demand) > 0
        protection = self.settings.protection
        result = plan(
            PlanInputs(
                slots=prices,
                demand_kw=demand,
                store_c=readings.tank_c,
                store=store,
                miner_steps_w=self.miner_steps_w,
                min_store_c=self.min_store_c(demand),
                max_store_c=self.settings.ceiling_c,
                revenue_per_kwh=revenue_eur_per_kwh,
                heat_value_per_kwh=max(0.0, float(np.mean(net))) / store.capture_fraction
                if heat_wanted and len(net)
                else 0.0,
                heat_dump=self.heat_dump,
                min_on_s=protection.min_on_s,
                min_off_s=protection.min_off_s,
                start_cap_per_day=protection.max_starts_per_day * len(self.miner_steps_w),
                starts_today=self.starts_today,
                running=self.running,
                running_for_s=readings.now_s - (self.running_since_s or readings.now_s),
                day_tz=GERMAN_TIME,
            )
        )
        self.last_plan = result
        if not result.is_price_plan:
            self.comfort_reason = result.detail
            return None
        self.comfort_reason = ""
        return [slot.power_w for slot in result.slots]

    def dumping(self, store_c: float) -> bool:
        """The dry cooler runs where the plan dumps: the store at its upper limit."""
        return self.heat_dump and store_c >= self.settings.ceiling_c - self.settings.hysteresis_k

    @property
    def planned_share(self) -> float:
        """Share of the polls the plan drove (the rest: comfort control)."""
        return self.planned_polls / self.polls if self.polls else 0.0
