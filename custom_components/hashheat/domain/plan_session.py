"""One site's price planning as it runs poll after poll: learn, re-plan, say why not.

A :class:`PlanSession` learns its :class:`~.site_model.SiteModel` from every poll's
:class:`SiteObservation` (starting from the configured plant's prior, never the plant's true
parameters), counts the starts of the local day, and on :meth:`PlanSession.replan` plans on the
published prices and the outdoor forecast. With an indoor temperature sensor it also learns the
building (:class:`~.building_model.BuildingModel`) and, once that is confident, plans with the
building as the heat store (its indoor temperature in a soft band); without one, or until then, the
store is the tank. Until a model is confident, or when the planner falls back to comfort, there is
no plan and ``comfort_reasons`` say why. The Home Assistant
coordinator and the plan bench both run it, so the bench measures what the integration does.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from typing import Any, Final

import numpy as np

from .building_model import BuildingModel
from .demand_forecast import DemandCorrection
from .dispatch import NO_HOLDS, DispatchSettings, HoldSchedule, PlanStep
from .hydronic import HydronicLag, OutdoorHours, held_kwh, in_bursts
from .plan_reason import Reason, ReasonCode
from .planner import BuildingStore, Plan, PlanInputs, PlanReason, plan
from .planner import GridHold as HoldWindow
from .price_forecast import PriceSlot, first_gap
from .site_model import SiteModel, SiteReading
from .stored import is_finite_number

APPROACH_MIN_HEAT_W: Final = 1000.0
APPROACH_WEIGHT: Final = 0.01
STORE_RANGE_K: Final = 5.0
INDOOR_STALE_S: Final = 1800.0
INDOOR_SMOOTHING_S: Final = 300.0


def hold_windows(holds: HoldSchedule, prices: Sequence[PriceSlot]) -> list[HoldWindow]:
    """The grid holds as the planner knows them: the site's power capped over their time."""
    if not prices:
        return []
    # A hold from now, or until released, covers the horizon from its first or to its last slot.
    return [
        HoldWindow(
            start=_at(hold.start_s) or prices[0].start,
            end=_at(hold.until_s) or prices[-1].end,
            cap_w=hold.floor_w,
        )
        for hold in holds.holds
    ]


def _at(at_s: float | None) -> datetime | None:
    return None if at_s is None else datetime.fromtimestamp(at_s, UTC)


def _fallback(result: Plan, prices: Sequence[PriceSlot], zone: tzinfo) -> Reason:
    """Why the planner made a comfort plan, as a code (its ``detail`` is for the log)."""
    match result.reason:
        case PlanReason.NO_PRICES:
            return Reason(ReasonCode.NO_PRICES)
        case PlanReason.PRICE_GAP if (gap := first_gap(prices)) is not None:
            return Reason(ReasonCode.PRICE_GAP, {"end": gap.astimezone(zone).isoformat()})
        case _:
            return Reason(ReasonCode.PLANNER_INPUT)


def from_now(
    prices: Sequence[PriceSlot], forecast_c: Sequence[float], now_s: float
) -> tuple[Sequence[PriceSlot], Sequence[float]]:
    """The slots still to come, the one in progress from now on, with their forecast.

    Left as they are when the forecast does not match the slots (the planner says so).
    """
    now = datetime.fromtimestamp(now_s, UTC)
    if len(prices) != len(forecast_c) or not prices:
        return prices, forecast_c
    kept = [(slot, c) for slot, c in zip(prices, forecast_c, strict=True) if slot.end > now]
    if kept and kept[0][0].start < now:
        kept[0] = (replace(kept[0][0], start=now), kept[0][1])
    return [slot for slot, _ in kept], [c for _, c in kept]


@dataclass(frozen=True, kw_only=True, slots=True)
class SiteObservation:
    """One poll of the site: its store (tank, else return), heat, power and weather."""

    at_s: float
    """Unix time of the poll."""
    store_c: float
    return_c: float | None
    power_w: float
    heat_w: float | None
    outdoor_c: float | None
    running: int
    """Miners mining."""
    indoor_c: float | None = None
    heat_demand_kw: float | None = None
    """The building's heat demand, where a sensor measures it (it corrects the learned curve)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class SessionSettings:
    """What the plan may do: the miners' steps, the ceiling and protection, a heat dump."""

    miner_steps_w: Sequence[Sequence[float]]
    dispatch: DispatchSettings
    heat_dump: bool = False
    day_tz: tzinfo = UTC
    """Time zone whose midnights reset the daily start cap."""
    indoor_band_c: tuple[float, float] = (19.9, 22.0)
    """Where the plan keeps the indoor temperature (soft), a little inside the comfort wanted:
    the tank and loop lag the plan's heat by up to an hour."""
    comfort_penalty_per_kh: float = 5.0
    """What a K·h outside the indoor band costs the plan (far above what the heat costs)."""


@dataclass(kw_only=True, slots=True)
class PlanSession:
    """The planner with its learned model, as it runs for one site."""

    model: SiteModel
    settings: SessionSettings
    approach_k_per_kw: float | None = None
    """How far the store runs above the return per kW delivered, learned from the readings."""
    running: int = 0
    running_since_s: float | None = None
    starts_today: int = 0
    day: str = ""
    comfort_reasons: tuple[Reason, ...] = ()
    last_plan: Plan | None = field(default=None, repr=False)
    last_inputs: PlanInputs | None = field(default=None, repr=False)
    """What the last plan was made from (None: the model was not confident)."""
    outcome: PlanReason | None = None
    """The planner's reason at the last re-plan (None: not confident, no planner run)."""
    building: BuildingModel | None = None
    """The learned building, from the first indoor reading on."""
    lag: HydronicLag | None = None
    """The heat the tank and loop hold per kW they deliver, from the first indoor reading on."""
    return_c: float | None = None
    """The last return reading."""
    outdoor_hours: OutdoorHours = field(default_factory=OutdoorHours)
    """The day before's outdoor temperatures."""
    indoor: tuple[float, float] | None = None
    """The last indoor reading: (Unix time, °C)."""
    dumping: bool = False
    """The plan's current slot dumps its heat."""
    cooler_on: bool = False
    """What :meth:`dump_wanted` last answered: the dumped heat never reached the building."""
    demand_correction: DemandCorrection = field(default_factory=DemandCorrection)
    """Measured over modelled demand, where a heat-demand sensor measures it."""

    def observe(self, seen: SiteObservation) -> None:
        """One poll: the model learns, the starts of the local day are counted."""
        if seen.outdoor_c is not None:
            self.model.observe(
                SiteReading(
                    at_s=seen.at_s,
                    store_c=seen.store_c,
                    power_w=seen.power_w,
                    heat_w=seen.heat_w,
                    outdoor_c=seen.outdoor_c,
                )
            )
            self.demand_correction.observe(
                seen.at_s, seen.heat_demand_kw, self.model.demand_kw(seen.outdoor_c)
            )
        day = datetime.fromtimestamp(seen.at_s, self.settings.day_tz).date().isoformat()
        if day != self.day:
            self.day, self.starts_today = day, 0
        if seen.running != self.running or self.running_since_s is None:
            self.starts_today += max(seen.running - self.running, 0)
            self.running, self.running_since_s = seen.running, seen.at_s
        self.return_c = seen.return_c
        if seen.outdoor_c is not None:
            self.outdoor_hours.observe(seen.at_s, seen.outdoor_c)
        self._observe_building(seen)
        heat_w, return_c = seen.heat_w, seen.return_c
        if heat_w is not None and heat_w > APPROACH_MIN_HEAT_W and return_c is not None:
            approach = (seen.store_c - return_c) / (heat_w / 1000)
            previous = self.approach_k_per_kw
            self.approach_k_per_kw = (
                approach if previous is None else previous + APPROACH_WEIGHT * (approach - previous)
            )

    def _observe_building(self, seen: SiteObservation) -> None:
        if seen.indoor_c is None or not math.isfinite(seen.indoor_c):
            return
        self.indoor = (seen.at_s, self._smoothed_indoor(seen.at_s, seen.indoor_c))
        if self.building is None:
            self.building = BuildingModel(self.model.prior)
        if self.lag is None:
            self.lag = HydronicLag(self.model.prior)
        if seen.heat_w is None or seen.outdoor_c is None or self.cooler_on:
            self.building.interrupt()
            return
        self.lag.observe(
            tank_c=seen.store_c, return_c=seen.return_c, indoor_c=seen.indoor_c, heat_w=seen.heat_w
        )
        self.building.observe(
            at_s=seen.at_s,
            indoor_c=seen.indoor_c,
            outdoor_c=seen.outdoor_c,
            heat_w=seen.heat_w,
            return_c=seen.return_c,
        )

    def _smoothed_indoor(self, at_s: float, indoor_c: float) -> float:
        """The indoor reading averaged over a few minutes: a sensor's noise is not the house's."""
        if self.indoor is None or not 0 < at_s - self.indoor[0] <= INDOOR_SMOOTHING_S:
            return indoor_c
        before_s, before_c = self.indoor
        return before_c + (at_s - before_s) / INDOOR_SMOOTHING_S * (indoor_c - before_c)

    def _building_store(
        self, now_s: float, outdoor_forecast_c: Sequence[float], store_c: float
    ) -> BuildingStore | None:
        """The building as the store, when it has a fresh indoor reading and a confident fit.

        Where it needs heat in bursts, its heat counts what the tank and loop hold above the indoor
        air (not while the dry cooler takes it) and the air lags it (:mod:`.hydronic`).
        """
        if self.building is None or self.indoor is None or self.building.reasons:
            return None
        at_s, indoor_c = self.indoor
        if not 0 <= now_s - at_s <= INDOOR_STALE_S:
            return None
        params = self.building.params
        prior = self.model.prior
        full_heat_kw = prior.capture_fraction * prior.max_power_kw
        low_c = self.settings.indoor_band_c[0]
        around_c = [*self.outdoor_hours.means_c, *outdoor_forecast_c]
        bursts = in_bursts(full_heat_kw, params.ua_kw_per_k, low_c, around_c)
        held, lag_h = 0.0, 0.0
        if bursts:
            lag_h = (self.lag or HydronicLag(prior)).lag_h
        if bursts and not self.cooler_on:
            held = held_kwh(prior, tank_c=store_c, return_c=self.return_c, indoor_c=indoor_c)
        return BuildingStore(
            indoor_c=indoor_c + held / params.capacity_kwh_per_k,
            lag_h=lag_h,
            outdoor_c=outdoor_forecast_c,
            capacity_kwh_per_k=params.capacity_kwh_per_k,
            ua_kw_per_k=params.ua_kw_per_k,
            band_c=self.settings.indoor_band_c,
            comfort_penalty_per_kh=self.settings.comfort_penalty_per_kh,
        )

    def min_store_c(self, loop_target_c: float, demand_kw: Sequence[float]) -> float:
        """The store temperature that still delivers the horizon's highest demand at the target."""
        approach = max(self.approach_k_per_kw or 0.0, 0.0)
        wanted = loop_target_c + approach * max(demand_kw, default=0.0)
        return min(wanted, self.settings.dispatch.ceiling_c - STORE_RANGE_K)

    def replan(  # noqa: PLR0913
        self,
        *,
        prices: Sequence[PriceSlot],
        outdoor_forecast_c: Sequence[float],
        store_c: float,
        now_s: float,
        loop_target_c: float,
        revenue_per_kwh: float,
        holds: HoldSchedule = NO_HOLDS,
    ) -> Plan | None:
        """A plan over ``prices`` (the outdoor forecast per slot), or None: comfort, and why.

        The grid holds, also those still to begin, cap the slots they cover.
        """
        prices, outdoor_forecast_c = from_now(prices, outdoor_forecast_c, now_s)
        building = self._building_store(now_s, outdoor_forecast_c, store_c)
        confidence = self.model.confidence
        if building is None and not confidence.confident:
            building_reasons = self.building.reasons if self.building else ()
            self.comfort_reasons = (*confidence.reasons, *building_reasons)
            self.last_plan, self.last_inputs, self.outcome = None, None, None
            return None
        demand = list(
            self.demand_correction.apply(
                [self.model.demand_kw(outdoor) for outdoor in outdoor_forecast_c]
            ).demand_kw
        )
        net = np.array([slot.price_per_kwh for slot in prices]) - revenue_per_kwh
        store = self.model.store_params
        heat_wanted = building is not None or sum(demand) > 0
        dispatch = self.settings.dispatch
        protection = dispatch.protection
        steps = self.settings.miner_steps_w
        inputs = PlanInputs(
            slots=prices,
            demand_kw=demand,
            store_c=store_c,
            store=store,
            miner_steps_w=steps,
            min_store_c=self.min_store_c(loop_target_c, demand),
            max_store_c=dispatch.ceiling_c,
            revenue_per_kwh=revenue_per_kwh,
            heat_value_per_kwh=max(0.0, float(np.mean(net))) / store.capture_fraction
            if heat_wanted and len(net)
            else 0.0,
            heat_dump=self.settings.heat_dump,
            min_on_s=protection.min_on_s,
            min_off_s=protection.min_off_s,
            start_cap_per_day=protection.max_starts_per_day * len(steps),
            starts_today=self.starts_today,
            running=self.running,
            running_for_s=now_s - (self.running_since_s or now_s),
            day_tz=self.settings.day_tz,
            building=building,
            holds=hold_windows(holds, prices),
        )
        result = plan(inputs)
        self.last_inputs, self.outcome = inputs, result.reason
        self.last_plan = result if result.is_price_plan else None
        self.comfort_reasons = (
            () if result.is_price_plan else (_fallback(result, prices, self.settings.day_tz),)
        )
        return self.last_plan

    def step_at(self, now: datetime) -> PlanStep | None:
        """The plan's slot that contains ``now``; None without a plan or past its end."""
        self.dumping = False
        if self.last_plan is None:
            return None
        for slot in self.last_plan.slots:
            if slot.start <= now < slot.end:
                to_building_until = slot.start + (slot.end - slot.start) * slot.house_share
                self.dumping = slot.dump and now >= to_building_until
                return PlanStep(power_w=slot.power_w)
        return None

    def dump_wanted(self, store_c: float | None, *, following: bool) -> bool:
        """Whether the dry cooler runs now; the building learns nothing while it does.

        Only while the site follows the plan: where (and once) its slot dumps; planning with the
        tank, also with the store at its limit (the tank's plan dumps what goes over it). Planning
        with the building, a slot that does not dump heats the house: the cooler's diverting valve
        would take that heat from it (and the miners would burn on into the cooler), so the ceiling
        guard holds the tank instead. Ask every poll, so that what was learned stops and starts
        with the cooler.
        """
        dispatch = self.settings.dispatch
        at_limit = store_c is not None and store_c >= dispatch.ceiling_c - dispatch.hysteresis_k
        tank_plan = self.last_inputs is None or self.last_inputs.building is None
        overflow = at_limit and tank_plan
        self.cooler_on = following and self.settings.heat_dump and (self.dumping or overflow)
        return self.cooler_on

    def as_dict(self) -> dict[str, Any]:
        """What survives a restart: the learned model and the approach."""
        return {
            "model": self.model.as_dict(),
            "approach_k_per_kw": self.approach_k_per_kw,
            "building": self.building.as_dict() if self.building else None,
            "lag_h": self.lag.learned_h if self.lag else None,
            "demand_correction": self.demand_correction.as_dict(),
        }

    def restore(self, data: Mapping[str, Any]) -> None:
        """Take back what :meth:`as_dict` saved (anything unreadable is learned again)."""
        model = data.get("model")
        if isinstance(model, Mapping):
            self.model = SiteModel.from_dict(self.model.prior, model)
        approach = data.get("approach_k_per_kw")
        self.approach_k_per_kw = float(approach) if is_finite_number(approach) else None
        correction = data.get("demand_correction")
        if isinstance(correction, Mapping):
            self.demand_correction = DemandCorrection.from_dict(correction)
        building = data.get("building")
        if isinstance(building, Mapping):
            self.building = BuildingModel.from_dict(self.model.prior, building)
        lag = data.get("lag_h")
        self.lag = HydronicLag(self.model.prior, float(lag) if is_finite_number(lag) else None)
