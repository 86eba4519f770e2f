"""The typed views entities read: a site and a miner as they are now (no coordinator internals)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from .capabilities import MinerCapabilities
from .coordinator import HashHeatSiteCoordinator
from .domain.bitcoin import NetworkStats
from .domain.demand_forecast import OutdoorForecast
from .domain.dispatch import HoldSchedule, MinerMode, Preset
from .domain.fluid_limits import FluidInput, FluidReport
from .domain.ledger import MinerCounters, SiteCounters
from .domain.plan_costs import PlanCosts
from .domain.plan_status import PlanStatus, Strategy
from .domain.planner import Plan
from .domain.price_forecast import PriceSlot
from .figures import MinerFigures, SiteFigures
from .miner_data import MinerReading
from .plant_health import HealthReport
from .site_control import Interlock


@dataclass(frozen=True, kw_only=True, slots=True)
class LoopView:
    """The heating loop: what the user asked of it and what control sees."""

    heating: bool
    target_c: float
    preset: Preset
    power_cap_w: float | None  # None: no cap
    full_power_w: float  # all miners at their highest setting
    temperature_c: float | None  # the return temperature, while fresh
    running_under_control: bool
    heat_demand_w: float
    boost_ceiling_c: float
    miner_modes: Mapping[str, MinerMode]


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanView:
    """The price plan: the strategy, whether the plan runs (or why not), the plan, its costs."""

    strategy: Strategy
    status: PlanStatus
    plan: Plan | None  # made also while the strategy is comfort, to show what it would do
    costs: PlanCosts | None
    outdoor: OutdoorForecast | None  # the outdoor temperature ahead the last plan used


@dataclass(frozen=True, kw_only=True, slots=True)
class SiteView:
    """What a site's entities read: this poll's figures, the counters, network, prices, loop."""

    figures: SiteFigures | None
    counters: SiteCounters
    # The last network data fetched, kept while the source fails: its time shows how old it is.
    network: NetworkStats | None
    spot_slots: list[PriceSlot]  # the price sensor's forecast as published
    price_slots: list[PriceSlot]  # all-in (fees and VAT added): what decisions compare
    prices_known_until: datetime | None  # the end of the unbroken forecast from now
    cheap_hours: float
    interlocks: frozenset[Interlock]
    grid_holds: HoldSchedule  # the one in force and those announced ahead
    loop: LoopView
    plan: PlanView
    health: HealthReport  # the exchanger's drift and the site's wear
    fluid: Mapping[FluidInput, FluidReport]  # the watched fluid sensors' readings and limits


@dataclass(frozen=True, kw_only=True, slots=True)
class MinerView:
    """What a miner's entities read: its last reading (if it answered), figures and counters."""

    reading: MinerReading | None
    figures: MinerFigures | None
    counters: MinerCounters
    capabilities: MinerCapabilities
    mode: MinerMode
    loop_temperature_c: float | None
    health: HealthReport  # its chips' drift and its wear (stored: also while it is away)
    immersion: bool | None = None


def site_view(coordinator: HashHeatSiteCoordinator) -> SiteView:
    """The site as its entities see it now."""
    data, control, planner = coordinator.data, coordinator.control, coordinator.planner
    state = control.state
    return SiteView(
        figures=data.figures if data else None,
        counters=coordinator.ledger.site,
        network=coordinator.network.data if coordinator.network is not None else None,
        spot_slots=data.spot_slots if data else [],
        price_slots=data.all_in_slots if data else [],
        prices_known_until=data.prices_known_until if data else None,
        cheap_hours=coordinator.settings.plant.cheap_hours,
        interlocks=frozenset(control.active),
        grid_holds=state.holds,
        loop=LoopView(
            heating=state.heating,
            target_c=state.target_c,
            preset=state.preset,
            power_cap_w=state.power_cap_w,
            full_power_w=control.controller.max_power_w,
            temperature_c=control.temperature_c,
            running_under_control=control.running_under_control,
            heat_demand_w=control.controller.demand_w,
            boost_ceiling_c=control.ceiling_c,
            miner_modes=dict(state.miner_modes),
        ),
        plan=PlanView(
            strategy=planner.strategy,
            status=planner.status,
            plan=planner.plan,
            costs=planner.costs,
            outdoor=planner.outdoor,
        ),
        health=coordinator.plant_health.reports.site,
        fluid=coordinator.plant_health.reports.fluid,
    )


def miner_view(coordinator: HashHeatSiteCoordinator, miner_id: str) -> MinerView:
    """One miner as its entities see it now."""
    data, control = coordinator.data, coordinator.control
    return MinerView(
        reading=data.readings.get(miner_id) if data else None,
        figures=data.figures.miners.get(miner_id) if data and data.figures else None,
        counters=coordinator.ledger.miners.get(miner_id) or MinerCounters(),
        capabilities=coordinator.miners[miner_id].capabilities,
        mode=control.state.miner_modes.get(miner_id, MinerMode.AUTO),
        loop_temperature_c=control.temperature_c,
        health=coordinator.plant_health.reports.miners.get(miner_id) or HealthReport(),
        immersion=coordinator.miners[miner_id].immersion,
    )
