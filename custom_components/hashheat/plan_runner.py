"""The price plan inside Home Assistant: one plan session per site, fed and followed each poll.

The decisions are the domain's (``plan_session``, ``plan_status``, ``plan_costs``); this runs
them: it builds the session from the settings and the miners' power steps, feeds it every poll,
re-plans in the executor when ``replan_due`` says so, saves the learned model, drives the dry
cooler and keeps the repair issue in step with the plan's status.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from homeassistant.const import SERVICE_TURN_OFF, SERVICE_TURN_ON, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .capabilities import MinerCapabilities, PowerControl
from .const import DOMAIN, LOGGER
from .domain.control import MinerSpec
from .domain.demand_forecast import OutdoorForecast
from .domain.dispatch import NO_HOLDS, HoldSchedule, PlanStep
from .domain.plan_costs import PlanCosts, plan_costs
from .domain.plan_reason import Reason, ReasonCode
from .domain.plan_session import PlanSession, SessionSettings, SiteObservation
from .domain.plan_status import (
    PlanBasis,
    PlanState,
    PlanStatus,
    Strategy,
    plan_status,
    planned_store_c,
    price_key,
    replan_due,
)
from .domain.planner import Plan
from .domain.price_forecast import PriceSlot, slots_ahead
from .domain.site_model import PlantPrior, SiteModel
from .figures import HeatMethod, PlantInputs, SiteFigures
from .issues import Repair, clear_issue, raise_issue
from .miner_data import MinerReading
from .plan_outdoor import outdoor_now_c
from .plant_inputs import power_kw, temperature_c
from .settings import SiteSettings
from .weather_forecast import WeatherForecastReader

PLAN_STORAGE_VERSION: Final = 1
PLAN_SAVE_DELAY_SECONDS: Final = 300


def plan_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Where a site's learned model is kept across restarts."""
    return Store(hass, PLAN_STORAGE_VERSION, f"{DOMAIN}.{entry_id}.plan")


def miner_power_steps(
    capabilities: Mapping[str, MinerCapabilities], specs: Mapping[str, MinerSpec]
) -> list[list[float]]:
    """Per miner the loop drives, its power steps (one step: a miner that is only on or off)."""
    steps: list[list[float]] = []
    for miner_id, spec in sorted(specs.items()):
        caps = capabilities.get(miner_id)
        if spec.modulating and caps is not None and caps.power_control is not PowerControl.NONE:
            # a throttling firmware's lowest setting is below its lowest preset
            watts = {float(step.watts) for step in caps.power_steps}
            steps.append(sorted({float(caps.min_power_w or 0), *watts}))
        else:
            steps.append([spec.max_power_w])
    return steps


def plant_prior(settings: SiteSettings, steps: Sequence[Sequence[float]]) -> PlantPrior:
    """What the site's options say about its plant, before any reading."""
    plan = settings.plan
    return PlantPrior(
        tank_volume_l=plan.tank_volume_l,
        tank_fluid=plan.tank_fluid,
        loop_volume_l=plan.loop_volume_l,
        miner_power_steps_w=steps,
        capture_fraction=settings.plant.capture_fraction,
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanPoll:
    """What a poll gives the plan."""

    now: datetime
    readings: Mapping[str, MinerReading | None]
    inputs: PlantInputs
    figures: SiteFigures
    prices: Sequence[PriceSlot]
    """The all-in prices as published (past slots of today too)."""
    steps: list[list[float]]
    target_c: float
    held: bool
    """A grid hold holds the site now."""
    holds: HoldSchedule = NO_HOLDS
    """The site's grid holds, also those still to begin: the plan caps the slots they cover."""


class SitePlanner:
    """One site's plan session, its status, costs, saved model and dry cooler."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, title: str, settings: SiteSettings
    ) -> None:
        """No session until the miners' power steps are known (the first poll)."""
        self.hass = hass
        self._entry_id = entry_id
        self._title = title
        self.settings = settings
        self.strategy = Strategy.COMFORT
        self.session: PlanSession | None = None
        self.status = PlanStatus(state=PlanState.LEARNING)
        self.costs: PlanCosts | None = None
        self.outdoor: OutdoorForecast | None = None
        self._weather = WeatherForecastReader(hass, settings.plan.weather_entity)
        self._store = plan_store(hass, entry_id)
        self._saved: Mapping[str, Any] | None = None
        self._basis: PlanBasis | None = None
        self._revenue_per_kwh = 0.0
        self._dumping = False
        self._missing: Reason | None = None  # an input the last re-plan lacked

    @property
    def plan(self) -> Plan | None:
        """The price plan as last made (also while the strategy is comfort), or None."""
        return self.session.last_plan if self.session is not None else None

    def step(self, now: datetime) -> PlanStep | None:
        """What the dispatcher's plan layer runs now: only while the plan is the strategy."""
        if self.session is None or not self.status.active:
            return None
        return self.session.step_at(now)

    async def async_load(self) -> None:
        """The model learned before the last stop."""
        self._saved = await self._store.async_load()

    async def async_save(self) -> None:
        """Write the model now (on unload)."""
        if self.session is not None:
            await self._store.async_save(self.session.as_dict())

    def _session_for(self, steps: list[list[float]]) -> PlanSession:
        session = self.session
        if session is not None and [list(s) for s in session.settings.miner_steps_w] == steps:
            return session
        fresh = PlanSession(
            model=SiteModel(plant_prior(self.settings, steps)),
            settings=SessionSettings(
                miner_steps_w=steps,
                dispatch=self.settings.dispatch,
                heat_dump=self.settings.plan.dry_cooler_entity is not None,
                day_tz=dt_util.get_default_time_zone(),
            ),
        )
        saved = session.as_dict() if session is not None else self._saved
        if saved:
            fresh.restore(saved)
        self._basis = None
        self.session = fresh
        return fresh

    def _store_c(self, poll: PlanPoll) -> float | None:
        """The tank sensor, else the hottest miner fluid, else the loop's return."""
        if poll.inputs.tank_c is not None:
            return poll.inputs.tank_c
        fluids = [r.fluid_outlet_temp_c for r in poll.readings.values() if r is not None]
        hottest = max((f for f in fluids if f is not None), default=None)
        return hottest if hottest is not None else poll.inputs.return_c

    def _observe(self, session: PlanSession, poll: PlanPoll, store_c: float) -> None:
        figures = poll.figures
        # A measured heat covers the whole loop: with a miner silent, the power it matches is not
        # known. An estimated heat is the power times a fixed fraction: nothing to learn from.
        measured = figures.heat_method is not HeatMethod.ESTIMATED and all(
            reading is not None for reading in poll.readings.values()
        )
        indoor = temperature_c(self.hass, self.settings.plan.indoor_temperature_entity)
        power_w = figures.power_w or 0.0
        running = sum(bool(r and r.is_mining) for r in poll.readings.values())
        if figures.revenue_per_day is not None and running and power_w > 0:
            self._revenue_per_kwh = figures.revenue_per_day / 24 / (power_w / 1000)
        session.observe(
            SiteObservation(
                at_s=poll.now.timestamp(),
                store_c=store_c,
                return_c=poll.inputs.return_c,
                power_w=power_w,
                heat_w=figures.heat_w if measured else None,
                outdoor_c=outdoor_now_c(self.hass, self.settings.plan),
                running=running,
                indoor_c=indoor,
                heat_demand_kw=power_kw(self.hass, self.settings.plan.heat_demand_entity),
            )
        )

    async def async_update(self, poll: PlanPoll) -> PlanStep | None:
        """One poll: learn, re-plan when due, keep the repair and the dry cooler in step.

        Returns what the dispatcher's plan layer runs now (None: comfort).
        """
        if not poll.steps:
            self.status = PlanStatus(
                state=PlanState.BAD_INPUT, reasons=(Reason(ReasonCode.NO_CONTROLLED_MINER),)
            )
            self._report()
            return None
        session = self._session_for(poll.steps)
        store_c = self._store_c(poll)
        if store_c is not None:
            self._observe(session, poll, store_c)
        await self._replan_if_due(session, poll, store_c)
        self._report()
        step = self.step(poll.now)
        await self._drive_dump(session, store_c, active=step is not None)
        return step

    async def _replan_if_due(
        self, session: PlanSession, poll: PlanPoll, store_c: float | None
    ) -> None:
        now_s = poll.now.timestamp()
        basis = PlanBasis(
            at_s=now_s,
            prices=price_key(poll.prices),
            strategy=self.strategy,
            answering=sum(r is not None for r in poll.readings.values()),
            held=poll.held,
            holds=poll.holds,
        )
        current = session.last_plan
        off_plan = None
        if current is not None and store_c is not None and session.last_inputs is not None:
            planned = planned_store_c(current, session.last_inputs.store_c, poll.now)
            off_plan = None if planned is None else store_c - planned
        why = replan_due(self._basis, basis, has_plan=current is not None, off_plan_k=off_plan)
        if why is None:
            self.status = plan_status(self.strategy, session, self._missing)
            return
        self._basis = basis
        ahead = slots_ahead(poll.prices, poll.now)
        self.outdoor = outdoor = await self._weather.async_outdoor(
            poll.now, ahead, outdoor_now_c(self.hass, self.settings.plan)
        )
        forecast = None if outdoor is None else list(outdoor.outdoor_c)
        missing = (
            Reason(ReasonCode.NO_STORE_TEMPERATURE)
            if store_c is None
            else Reason(ReasonCode.NO_OUTDOOR_TEMPERATURE)
            if forecast is None
            else None
        )
        if missing is None and store_c is not None and forecast is not None:
            LOGGER.debug("Site %s re-plans: %s", self._title, why)
            try:
                self.costs = await self.hass.async_add_executor_job(
                    self._replan, session, ahead, forecast, store_c, poll
                )
            except Exception:  # noqa: BLE001 - a planner bug must not stop the site's control
                LOGGER.exception("Site %s: the planner failed; comfort control", self._title)
                missing = Reason(ReasonCode.PLANNER_FAILED)
        if missing is not None:
            session.last_plan, self.costs = None, None
        self._missing = missing
        self.status = plan_status(self.strategy, session, missing)
        self._store.async_delay_save(session.as_dict, PLAN_SAVE_DELAY_SECONDS)

    def _replan(
        self,
        session: PlanSession,
        prices: list[PriceSlot],
        forecast: list[float],
        store_c: float,
        poll: PlanPoll,
    ) -> PlanCosts | None:
        """In the executor: the plan, and what it costs against comfort control."""
        made = session.replan(
            prices=prices,
            outdoor_forecast_c=forecast,
            store_c=store_c,
            now_s=poll.now.timestamp(),
            loop_target_c=poll.target_c,
            revenue_per_kwh=self._revenue_per_kwh,
            holds=poll.holds,
        )
        if made is None or session.last_inputs is None:
            return None
        return plan_costs(made, session.last_inputs, poll.now, dt_util.get_default_time_zone())

    def _report(self) -> None:
        main = self.status.main
        if self.strategy is Strategy.PRICE_PLAN and self.status.needs_repair and main is not None:
            # A text per reason: a reason put in as a placeholder would stay in one language.
            raise_issue(
                self.hass,
                Repair.PLAN_FALLBACK,
                self._entry_id,
                {"site": self._title, **main.figures},
                translation_key=f"plan_fallback_{main.code}",
            )
        else:
            clear_issue(self.hass, Repair.PLAN_FALLBACK, self._entry_id)

    async def _drive_dump(
        self, session: PlanSession, store_c: float | None, *, active: bool
    ) -> None:
        """The dry cooler where the plan dumps heat; off (if it was ours) without a plan."""
        wanted = session.dump_wanted(store_c, following=active)
        entity_id = self.settings.plan.dry_cooler_entity
        if entity_id is None:
            return
        if not wanted and not self._dumping:
            return
        state = self.hass.states.get(entity_id)
        if state is not None and (state.state == STATE_ON) == wanted:
            self._dumping = wanted
            return
        try:
            await self.hass.services.async_call(
                entity_id.split(".", 1)[0],
                SERVICE_TURN_ON if wanted else SERVICE_TURN_OFF,
                {"entity_id": entity_id},
                blocking=True,
            )
        except HomeAssistantError as err:
            LOGGER.warning("Site %s: dry cooler %s not switched: %s", self._title, entity_id, err)
            return
        self._dumping = wanted

    def as_dict(self) -> dict[str, Any]:
        """The learned model, the status and the last plan (diagnostics)."""
        session, current = self.session, self.plan
        return {
            "strategy": self.strategy.value,
            "status": {
                "state": self.status.state.value,
                "reasons": [str(reason) for reason in self.status.reasons],
            },
            "model": session.as_dict() if session is not None else None,
            "confidence": [str(r) for r in session.model.confidence.reasons] if session else None,
            "revenue_per_kwh": self._revenue_per_kwh,
            "last_plan": plan_slots(current) if current is not None else None,
        }


def plan_slots(made: Plan) -> list[dict[str, Any]]:
    """The plan's slots, to chart or return: local ISO times, power, price, stored heat.

    ``dry_cooler_share``: the share of the slot, at its end, whose heat the dry cooler takes.
    """
    return [
        {
            "start": dt_util.as_local(slot.start).isoformat(),
            "end": dt_util.as_local(slot.end).isoformat(),
            "power_w": round(slot.power_w),
            "price": round(slot.price_per_kwh, 6),
            "stored_heat_kwh": round(slot.stored_heat_kwh, 2),
            "dry_cooler_share": round(1 - slot.house_share, 2) if slot.dump else 0.0,
        }
        for slot in made.slots
    ]
