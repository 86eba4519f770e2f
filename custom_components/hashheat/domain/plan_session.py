"""One site's price planning as it runs poll after poll: learn, re-plan, say why not.

A :class:`PlanSession` learns its :class:`~.site_model.SiteModel` from every poll's
:class:`SiteObservation` (starting from the configured plant's prior, never the plant's true
parameters), counts the starts of the local day, and on :meth:`PlanSession.replan` plans on the
published prices and the outdoor forecast. Until the model is confident, or when the planner
falls back to comfort, there is no plan and ``comfort_reason`` says why. The Home Assistant
coordinator and the plan bench both run it, so the bench measures what the integration does.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, Final

import numpy as np

from .dispatch import DispatchSettings, PlanStep
from .planner import Plan, PlanInputs, PlanReason, plan
from .price_forecast import PriceSlot
from .site_model import SiteModel, SiteReading
from .stored import is_finite_number

APPROACH_MIN_HEAT_W: Final = 1000.0
APPROACH_WEIGHT: Final = 0.01
STORE_RANGE_K: Final = 5.0


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


@dataclass(frozen=True, kw_only=True, slots=True)
class SessionSettings:
    """What the plan may do: the miners' steps, the ceiling and protection, a heat dump."""

    miner_steps_w: Sequence[Sequence[float]]
    dispatch: DispatchSettings
    heat_dump: bool = False
    day_tz: tzinfo = UTC
    """Time zone whose midnights reset the daily start cap."""


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
    comfort_reason: str = ""
    last_plan: Plan | None = field(default=None, repr=False)
    last_inputs: PlanInputs | None = field(default=None, repr=False)
    """What the last plan was made from (None: the model was not confident)."""
    outcome: PlanReason | None = None
    """The planner's reason at the last re-plan (None: not confident, no planner run)."""

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
        day = datetime.fromtimestamp(seen.at_s, self.settings.day_tz).date().isoformat()
        if day != self.day:
            self.day, self.starts_today = day, 0
        if seen.running != self.running or self.running_since_s is None:
            self.starts_today += max(seen.running - self.running, 0)
            self.running, self.running_since_s = seen.running, seen.at_s
        heat_w, return_c = seen.heat_w, seen.return_c
        if heat_w is not None and heat_w > APPROACH_MIN_HEAT_W and return_c is not None:
            approach = (seen.store_c - return_c) / (heat_w / 1000)
            previous = self.approach_k_per_kw
            self.approach_k_per_kw = (
                approach if previous is None else previous + APPROACH_WEIGHT * (approach - previous)
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
    ) -> Plan | None:
        """A plan over ``prices`` (the outdoor forecast per slot), or None: comfort, and why."""
        confidence = self.model.confidence
        if not confidence.confident:
            self.comfort_reason = "; ".join(confidence.reasons)
            self.last_plan, self.last_inputs, self.outcome = None, None, None
            return None
        demand = [self.model.demand_kw(outdoor) for outdoor in outdoor_forecast_c]
        net = np.array([slot.price_per_kwh for slot in prices]) - revenue_per_kwh
        store = self.model.store_params
        heat_wanted = sum(demand) > 0
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
        )
        result = plan(inputs)
        self.last_inputs, self.outcome = inputs, result.reason
        self.last_plan = result if result.is_price_plan else None
        self.comfort_reason = "" if result.is_price_plan else result.detail
        return self.last_plan

    def step_at(self, now: datetime) -> PlanStep | None:
        """The plan's slot that contains ``now``; None without a plan or past its end."""
        if self.last_plan is None:
            return None
        for slot in self.last_plan.slots:
            if slot.start <= now < slot.end:
                return PlanStep(power_w=slot.power_w)
        return None

    def dump_wanted(self, store_c: float) -> bool:
        """The dry cooler runs where the plan dumps: the store at its upper limit."""
        dispatch = self.settings.dispatch
        return self.settings.heat_dump and store_c >= dispatch.ceiling_c - dispatch.hysteresis_k

    def as_dict(self) -> dict[str, Any]:
        """What survives a restart: the learned model and the approach."""
        return {"model": self.model.as_dict(), "approach_k_per_kw": self.approach_k_per_kw}

    def restore(self, data: Mapping[str, Any]) -> None:
        """Take back what :meth:`as_dict` saved (anything unreadable is learned again)."""
        model = data.get("model")
        if isinstance(model, Mapping):
            self.model = SiteModel.from_dict(self.model.prior, model)
        approach = data.get("approach_k_per_kw")
        self.approach_k_per_kw = float(approach) if is_finite_number(approach) else None
