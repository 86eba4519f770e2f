"""Plan bench: mining on the price forecast against constant comfort, blueprint and foresight.

Replays hourly day-ahead prices and outdoor temperatures (by default SMARD 2015 for
Germany/Austria/Luxembourg and the DWD test reference year of Potsdam, from the bench lock's
wheels; ``--prices``/``--weather`` CSVs for any year or zone) on the plant model, polled every
15 s with miners that answer as firmware does, for each season's fortnight on two plants (the
default 12 kW site, and a 48 kW loop: sixteen S19 XP, everything four times as large). The
strategies:

- ``constant``: the integration's dispatcher in comfort mode at the season's normal target;
- ``blueprint``: the dynamic-tariff blueprint's policy through the dispatcher (bench_tariff);
- ``optimum``: perfect foresight, the cheapest of its candidates that keeps the constant
  setpoint's comfort: the dynamic programme (``bench_optimum``), applied every quarter hour from
  the plant's state through the dispatcher's plan layer, in summer free to run into the dry
  cooler; the same with the loop's lag left out (where it has one); in summer the same with a
  valve thermostat where mining pays; and the planner knowing every price and temperature;
- ``planner``: the integration's plan session with only what HA knows (``domain.plan_session``:
  a SiteModel, and with the indoor sensor a BuildingModel, learned from the readings, comfort
  control until they are confident, re-planned every quarter hour on the published prices and a
  forecast with error), through the dispatcher's plan layer. Like an installed site, its session
  has watched the site before: it learns over the ``PREROLL_DAYS`` before the period under
  comfort control (the plant then starts the period afresh, as for every strategy); learning
  from cold is the tests'.

Each trajectory is scored under three economics: the base case (fees 0.10 EUR/kWh, revenue
0.0872 EUR/kWh), the bear case (revenue 0.05) and no fees; the optimum is solved for each,
constant and the blueprint decide with the base inputs. The gap the targets are on
(``gap_vs_optimum``, :func:`headline_gap`) is on the net cost, which the optimum minimises,
relative to the optimum's net cost; in summer, where that nears zero, relative to the larger of
it and the constant setpoint's electricity bill. Per MWh of heat, on the net cost alone and on the
bill are reported beside it. Prints a table, or JSON with --json.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time as time_module
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import repeat
from pathlib import Path
from typing import Any, Final

import numpy as np

from custom_components.hashheat.domain.dispatch import Dispatcher, Intents, PlanStep
from custom_components.hashheat.domain.hydronic import in_bursts
from custom_components.hashheat.domain.plan_session import PlanSession
from custom_components.hashheat.domain.planner import COMFORT_HOURS
from custom_components.hashheat.domain.price_forecast import PriceSlot
from custom_components.hashheat.settings import SiteSettings
from scripts.bench_miners import MINER_MAX_W, MINER_MIN_W, MINERS, SimMiner, miner_specs
from scripts.bench_optimum import Choice, Floats, Optimum, Problem, held_j, hydronic_lag_h
from scripts.bench_plan_data import PlanData, load_plan_data
from scripts.bench_planner import observation, plan_session
from scripts.bench_tariff import (
    FORTNIGHTS,
    POLICY_EVERY_S,
    POLL_S,
    PRICE_ZONE,
    SEED,
    Fortnight,
    Interlock,
    TariffData,
    TariffPolicy,
    Wanted,
    hourly_prices,
    intents_for,
    known_slots,
    site_snapshot,
)
from sim.outdoor import HourlySeries
from sim.plant import PlantParams, PlantReadings
from sim.plant.scenarios import equilibrium_plant, scaled_params
from sim.smard import GERMAN_TIME

DAYS: Final = 14
COMFORT_BAND_C: Final = (19.5, 22.5)
# The optimum aims inside the band: its reduced model leaves out the tank's and loop's lag (after
# a pause the tank takes ~1 h to warm, the building a few tenths of a kelvin cooler than planned).
OPTIMUM_BAND_C: Final = (19.9, 22.0)
COMFORT_EUR_PER_KH: Final = 5.0  # far above the ~0.02 EUR a K·h of the building's heat costs
TH_EUR_PER_DAY: Final = 0.045
JOULES_PER_TH: Final = 21.5
BASE_REVENUE_EUR_PER_KWH: Final = TH_EUR_PER_DAY / (JOULES_PER_TH * 86_400 / 3.6e6)  # 0.0872
SUMMER: Final = Fortnight(name="summer", first_day=date(2015, 7, 6), normal_target_c=30.0)
SEASONS: Final = (*FORTNIGHTS, SUMMER)
LARGE_FACTOR: Final = 4
POWER_LEVELS_PER_MINER: Final = 4
WINTER_BELOW_C: Final = 3.0  # a custom period's mean outdoor: winter's normal target below it
SHOULDER_BELOW_C: Final = 12.0
FORECAST_ERROR_K_PER_SQRT_H: Final = 0.3
QUARTER: Final = timedelta(minutes=15)
REPLAN_EVERY_S: Final = 900.0
"""The planner re-plans every quarter hour from the readings (the slot in progress from now)."""
OPTIMUM_SLOTS_PER_HOUR: Final = 4
"""The optimum decides every quarter hour (the prices are hourly): finer than the planner."""
THERMOSTAT_C: Final = (COMFORT_BAND_C[0] + 0.1, COMFORT_BAND_C[0] + 0.3)
"""The valve thermostat's hysteresis (the optimum's replay): just inside the band's low end, as
a summer's days warm the building past its high end anyway."""
TANK_ROOM_K: Final = 10.0
TANK_FULL_K: Final = 3.0
"""The valve thermostat's tank guard below the ceiling: room to take heat, and full."""
BURST_WINDOW_H: Final = 24
"""Whether the building needs heat in bursts is judged over this many hours either side."""
PREROLL_DAYS: Final = 3
FORESIGHT_HOURS: Final = 48
"""The planner run with foresight, one of the optimum's candidates, knows this far ahead."""


def heat_has_no_use(season: Fortnight) -> bool:
    """Whether the period is a summer's: the site has its dry cooler and heat is not the point.

    By the loop's normal target, so that a warm period of a custom run (``--start``) counts too.
    """
    return season.normal_target_c <= SUMMER.normal_target_c


@dataclass(frozen=True, kw_only=True, slots=True)
class Economics:
    """Fees on top of the spot price and what a kWh mined earns (EUR/kWh)."""

    name: str
    fees_eur_per_kwh: float
    revenue_eur_per_kwh: float


ECONOMICS: Final = (
    Economics(name="base", fees_eur_per_kwh=0.10, revenue_eur_per_kwh=BASE_REVENUE_EUR_PER_KWH),
    Economics(name="bear", fees_eur_per_kwh=0.10, revenue_eur_per_kwh=0.05),
    Economics(name="no_fees", fees_eur_per_kwh=0.0, revenue_eur_per_kwh=BASE_REVENUE_EUR_PER_KWH),
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Site:
    """A plant and its miners."""

    name: str
    params: PlantParams
    miners: int


SITES: Final = (
    Site(name="default", params=PlantParams(), miners=MINERS),
    Site(name="loop_50kw", params=scaled_params(LARGE_FACTOR), miners=MINERS * LARGE_FACTOR),
)


@dataclass(kw_only=True, slots=True)
class Trajectory:
    """What a strategy did, hour by hour where the economics need it."""

    electricity_kwh: list[float]
    mined_kwh: list[float]
    heat_kwh: float = 0.0
    comfort_kh: float = 0.0
    starts: int = 0
    start_cap: int = 0
    over_temperature_trips: int = 0
    max_tank_c: float = -math.inf
    end_indoor_c: float = math.nan


type Drive = Callable[[int, PlantReadings, float, bool, dict[str, SimMiner]], bool]
"""Commands the miners at a poll (step, readings, exact indoor °C, interlock tripped, miners).

Returns whether the dry cooler is on.
"""
type IntentsAt = Callable[[float, float], Intents]
"""The climate's intents at a time (Unix s) and loop temperature."""


def simulate(data: PlanData, season: Fortnight, site: Site, drive: Drive, days: int) -> Trajectory:
    """One strategy over the period, polled every 15 s, with the over-temperature interlock."""
    settings = SiteSettings.from_options({}).dispatch
    start_s = season.start.timestamp()
    plant = equilibrium_plant(
        data.outdoor, outdoor_c=data.outdoor(start_s), params=site.params, now_s=start_s, seed=SEED
    )
    miners = {spec.miner_id: SimMiner() for spec in miner_specs(site.miners)}
    interlock = Interlock(settings.over_temperature_c)
    hours = days * 24
    per_hour = round(3600 / POLL_S)
    trajectory = Trajectory(
        electricity_kwh=[0.0] * hours,
        mined_kwh=[0.0] * hours,
        start_cap=settings.protection.max_starts_per_day * site.miners * days,
    )
    start_energy = plant.energy
    low, high = COMFORT_BAND_C
    step_h = POLL_S / 3600
    for step in range(hours * per_hour):
        readings = plant.measure()
        tripped = interlock.update(max(readings.return_c, readings.tank_c))
        plant.dump_on = drive(step, readings, plant.indoor_c, tripped, miners)
        power = sum(miner.step(POLL_S) for miner in miners.values())
        hour = step // per_hour
        trajectory.electricity_kwh[hour] += power / 1000 * step_h
        mining = sum(miner.power_w for miner in miners.values() if miner.running)
        trajectory.mined_kwh[hour] += mining / 1000 * step_h
        indoor = plant.indoor_c
        trajectory.comfort_kh += (max(0.0, low - indoor) + max(0.0, indoor - high)) * step_h
        trajectory.max_tank_c = max(trajectory.max_tank_c, plant.tank_c)
        plant.step(POLL_S, power)
    trajectory.heat_kwh = (plant.energy - start_energy).heat_to_loop_j / 3.6e6
    trajectory.end_indoor_c = plant.indoor_c
    trajectory.starts = sum(miner.starts for miner in miners.values())
    trajectory.over_temperature_trips = interlock.trips
    return trajectory


def dispatcher_drive(site: Site, intents: IntentsAt) -> Drive:
    """The integration's dispatcher, asked ``intents(now_s, loop_c)`` every 5 minutes."""
    dispatcher = Dispatcher(SiteSettings.from_options({}).dispatch)
    dispatcher.set_miners({spec.miner_id: spec for spec in miner_specs(site.miners)})
    every = round(POLICY_EVERY_S / POLL_S)
    current: list[Intents] = []

    def drive(
        step: int,
        readings: PlantReadings,
        _indoor_c: float,
        tripped: bool,
        miners: dict[str, SimMiner],
    ) -> bool:
        if step % every == 0:
            current[:] = [intents(readings.now_s, readings.return_c)]
        snapshot = site_snapshot(miners, readings, readings.now_s, safety_stop=tripped)
        for command in dispatcher.decide(current[0], snapshot, readings.now_s).commands:
            miners[command.miner_id].command(
                run=command.run, power_w=command.power_w or MINER_MAX_W, now_s=readings.now_s
            )
        return False

    return drive


def constant_intents(season: Fortnight) -> IntentsAt:
    """Comfort mode at the season's normal target, all the time."""
    intents = intents_for(Wanted.COMFORT, season.normal_target_c, season.normal_target_c)
    return lambda _now_s, _loop_c: intents


def blueprint_intents(data: PlanData, season: Fortnight, economics: Economics) -> IntentsAt:
    """The dynamic-tariff blueprint's policy over the all-in prices (bench_tariff's)."""
    tariff = TariffData(
        slots=all_in_slots(data, economics), outdoor=data.outdoor, sources=data.sources
    )
    policy = TariffPolicy(tariff, season, SiteSettings.from_options({}).dispatch.ceiling_c)
    return policy.intents


def all_in_slots(data: PlanData, economics: Economics) -> list[PriceSlot]:
    """Hourly all-in prices (EUR/kWh)."""
    return [
        PriceSlot(
            start=hour.start,
            end=hour.start + timedelta(hours=1),
            price_per_kwh=hour.eur_per_mwh / 1000 + economics.fees_eur_per_kwh,
        )
        for hour in data.prices
    ]


def site_powers_w(miners: int) -> Floats:
    """The site's powers: off, or k miners each at one of a few powers from lowest to highest."""
    levels = {0.0}
    for running in range(1, miners + 1):
        levels.update(
            float(level)
            for level in np.linspace(
                running * MINER_MIN_W, running * MINER_MAX_W, POWER_LEVELS_PER_MINER
            )
        )
    return np.array(sorted(levels))


def slot_outdoor(outdoor: HourlySeries, start_s: float, slots: int, slot_s: float) -> Floats:
    """Each slot's mean outdoor temperature (the mean of its start, middle and end)."""
    return np.array(
        [
            statistics.fmean(
                outdoor(start_s + slot * slot_s + offset) for offset in (0, slot_s / 2, slot_s)
            )
            for slot in range(slots)
        ]
    )


def optimum_problem(
    data: PlanData, season: Fortnight, site: Site, economics: Economics, days: int
) -> Problem:
    """Perfect foresight of the period: every price and outdoor temperature, the true plant."""
    hours = days * 24
    prices = np.array(hourly_prices(all_in_slots(data, economics), season.start, hours))
    net = prices - economics.revenue_eur_per_kwh
    slot_s = 3600 / OPTIMUM_SLOTS_PER_HOUR
    outdoor_c = slot_outdoor(
        data.outdoor, season.start.timestamp(), hours * OPTIMUM_SLOTS_PER_HOUR, slot_s
    )
    params = site.params
    full_heat_kw = params.capture_fraction * site.miners * MINER_MAX_W / 1000
    ua_kw_per_k = params.building_ua_w_per_k / 1000
    # As the planner decides at each re-plan, over the day before and the day ahead.
    around = [
        data.outdoor(season.start.timestamp() + slot * slot_s + hour * 3600.0)
        for slot in range(0, outdoor_c.size, OPTIMUM_SLOTS_PER_HOUR)
        for hour in range(-BURST_WINDOW_H, BURST_WINDOW_H)
    ]
    windows = np.array(around).reshape(hours, 2 * BURST_WINDOW_H)
    bursts = np.array(
        [in_bursts(full_heat_kw, ua_kw_per_k, OPTIMUM_BAND_C[0], w.tolist()) for w in windows]
    )
    return Problem(
        params=params,
        powers_w=site_powers_w(site.miners),
        net_price=np.repeat(net, OPTIMUM_SLOTS_PER_HOUR),
        outdoor_c=outdoor_c,
        slot_s=slot_s,
        start_indoor_c=site.params.indoor_setpoint_c,
        band_c=OPTIMUM_BAND_C,
        tank_limit_c=SiteSettings.from_options({}).dispatch.ceiling_c,
        # As the planner's: where heat is dear, a flat penalty would buy a cold building.
        comfort_eur_per_kh=max(
            COMFORT_EUR_PER_KH,
            COMFORT_HOURS * ua_kw_per_k * max(float(net.max()), 0.0) / params.capture_fraction,
        ),
        heat_value_eur_per_kwh=max(0.0, float(np.mean(net))) / site.params.capture_fraction,
        dump=heat_has_no_use(season),
        lag_h=np.repeat(np.where(bursts, hydronic_lag_h(params), 0.0), OPTIMUM_SLOTS_PER_HOUR),
    )


def optimum_drive(
    site: Site, season: Fortnight, optimum: Optimum, *, valve_thermostat: bool = False
) -> Drive:
    """The optimum's power each hour from the plant's state, through the dispatcher's plan layer.

    As the planner's is: the power is the site's cap, the ceiling guard holds the tank under its
    limit, protection keeps its minimum times, and the dry cooler (behind its diverting valve)
    runs where the plan dumps.

    With ``valve_thermostat``, where mining pays and the heat may be dumped the miners run flat
    out and the valve follows a thermostat instead of the plan (:class:`ValveThermostat`): the
    programme's slots give the building all or none of the heat, so it mines less to keep the
    building warm on a cool night; a valve that sends the heat to the building while it is cool
    and the tank has room mines every kWh and keeps it warm.
    """
    per_slot = round(optimum.problem.slot_s / POLL_S)
    plan: list[Choice] = [Choice(power_w=0.0, dump=False)]
    full_w = float(optimum.problem.powers_w.max())
    flat_out = [False]
    thermostat = ValveThermostat(ceiling_c=optimum.problem.tank_limit_c)
    settings = SiteSettings.from_options({}).dispatch
    dispatcher = Dispatcher(settings)
    dispatcher.set_miners({spec.miner_id: spec for spec in miner_specs(site.miners)})
    comfort = constant_intents(season)(0.0, 0.0)

    def drive(
        step: int,
        readings: PlantReadings,
        indoor_c: float,
        tripped: bool,
        miners: dict[str, SimMiner],
    ) -> bool:
        if step % per_slot == 0:
            # Where its model has the tank and loop lag, what they hold is the building's heat.
            held = 0.0
            if optimum.lag_h[step // per_slot] > 0 and not plan[0].dump:
                held = held_j(site.params, readings.tank_c, readings.return_c, indoor_c)
            heat_c = indoor_c + held / site.params.building_capacity_j_per_k
            plan[0] = optimum.best(step // per_slot, heat_c, after_dump=plan[0].dump)
            flat_out[0] = valve_thermostat and optimum.mining_pays(step // per_slot)
        if flat_out[0]:
            dump = thermostat.dump(indoor_c=indoor_c, tank_c=readings.tank_c)
            plan[0] = Choice(power_w=full_w, dump=dump)
        snapshot = site_snapshot(miners, readings, readings.now_s, safety_stop=tripped)
        intents = replace(comfort, plan=PlanStep(power_w=plan[0].power_w))
        for command in dispatcher.decide(intents, snapshot, readings.now_s).commands:
            miners[command.miner_id].command(
                run=command.run, power_w=command.power_w or MINER_MAX_W, now_s=readings.now_s
            )
        return plan[0].dump

    return drive


@dataclass(kw_only=True, slots=True)
class ValveThermostat:
    """The diverting valve by hysteresis: to the building while it is cool and the tank has room.

    Keeps the tank off its ceiling (where the guard would hold the miners back); the hysteresis
    keeps it from chattering.
    """

    ceiling_c: float
    to_building: bool = False

    def dump(self, *, indoor_c: float, tank_c: float) -> bool:
        """Whether the heat goes to the dry cooler now."""
        on_c, off_c = THERMOSTAT_C
        if self.to_building:
            self.to_building = indoor_c < off_c and tank_c < self.ceiling_c - TANK_FULL_K
        else:
            self.to_building = indoor_c < on_c and tank_c < self.ceiling_c - TANK_ROOM_K
        return not self.to_building


def miner_steps_w(miners: int) -> list[list[float]]:
    """Each miner's power steps, as the site's powers use them."""
    steps = np.linspace(MINER_MIN_W, MINER_MAX_W, POWER_LEVELS_PER_MINER).tolist()
    return [steps for _ in range(miners)]


@dataclass(kw_only=True, slots=True)
class PlannerRun:
    """The integration's plan session over one case, and what it measured."""

    session: PlanSession
    polls: int = 0
    planned_polls: int = 0
    solve_s: list[float] = field(default_factory=list)

    @property
    def planned_share(self) -> float:
        """Share of the polls the plan drove (the rest: comfort control)."""
        return self.planned_polls / self.polls if self.polls else 0.0


def planner_run(
    season: Fortnight, site: Site, learned: Mapping[str, Any] | None = None
) -> PlannerRun:
    """A session from the configured plant's prior (not its true one), or what it ``learned``."""
    session = plan_session(
        site.params,
        miner_steps_w(site.miners),
        SiteSettings.from_options({}).dispatch,
        heat_dump=heat_has_no_use(season),
    )
    if learned is not None:
        session.restore(learned)
    return PlannerRun(session=session)


def learned_before(
    data: PlanData, season: Fortnight, site: Site, days: int = PREROLL_DAYS
) -> dict[str, Any]:
    """What a session learns watching the site under comfort control the ``days`` before."""
    session = planner_run(season, site).session
    constant = dispatcher_drive(site, constant_intents(season))

    def drive(
        step: int,
        readings: PlantReadings,
        indoor_c: float,
        tripped: bool,
        miners: dict[str, SimMiner],
    ) -> bool:
        session.observe(observation(readings, sum(miner.running for miner in miners.values())))
        return constant(step, readings, indoor_c, tripped, miners)

    earlier = replace(season, first_day=season.first_day - timedelta(days=days))
    simulate(data, earlier, site, drive, days)
    return session.as_dict()


def planner_drive(  # noqa: PLR0913
    data: PlanData,
    season: Fortnight,
    site: Site,
    economics: Economics,
    run: PlannerRun,
    *,
    foresight: bool = False,
) -> Drive:
    """The planner in closed loop through the dispatcher's plan layer, as the integration runs it.

    The session learns every poll and re-plans each quarter hour on the published prices (with
    tomorrow's from 13:00) and a forecast with error; until it has a plan the dispatcher's comfort
    layer runs the loop at the season's normal target. With ``foresight`` it knows the next
    ``FORESIGHT_HOURS`` of prices at every re-plan and the outdoor temperatures exactly.
    """
    per_replan = round(REPLAN_EVERY_S / POLL_S)
    slots = all_in_slots(data, economics)
    rng = np.random.default_rng(SEED)
    session = run.session
    dispatcher = Dispatcher(session.settings.dispatch)
    dispatcher.set_miners({spec.miner_id: spec for spec in miner_specs(site.miners)})
    comfort = constant_intents(season)(0.0, 0.0)

    def drive(
        step: int,
        readings: PlantReadings,
        _indoor_c: float,
        tripped: bool,
        miners: dict[str, SimMiner],
    ) -> bool:
        now_s = readings.now_s
        session.observe(observation(readings, sum(miner.running for miner in miners.values())))
        run.polls += 1
        if step % per_replan == 0:
            now = datetime.fromtimestamp(now_s, UTC)
            if foresight:
                until = now + timedelta(hours=FORESIGHT_HOURS)
                published = [slot for slot in slots if now < slot.end and slot.start < until]
            else:
                published = known_slots(slots, now)
            at_s = [max(slot.start.timestamp(), now_s) for slot in published]
            forecast = (
                [data.outdoor(moment) for moment in at_s]
                if foresight
                else forecast_with_error(data.outdoor, at_s, rng)
            )
            started = time_module.perf_counter()
            planned = session.replan(
                prices=published,
                outdoor_forecast_c=forecast,
                store_c=readings.tank_c,
                now_s=now_s,
                loop_target_c=season.normal_target_c,
                revenue_per_kwh=economics.revenue_eur_per_kwh,
            )
            if planned is not None:
                run.solve_s.append(time_module.perf_counter() - started)
        plan_step = session.step_at(datetime.fromtimestamp(now_s, UTC))
        run.planned_polls += plan_step is not None
        snapshot = site_snapshot(miners, readings, now_s, safety_stop=tripped)
        intents = replace(comfort, plan=plan_step)
        for command in dispatcher.decide(intents, snapshot, now_s).commands:
            miners[command.miner_id].command(
                run=command.run, power_w=command.power_w or MINER_MAX_W, now_s=now_s
            )
        return session.dump_wanted(readings.tank_c, following=plan_step is not None)

    return drive


def quarter_hour_solve_s(
    data: PlanData, economics: Economics, season: Fortnight, run: PlannerRun
) -> dict[str, object] | None:
    """One plan of the 48 h after the period in 15-minute slots, with what the session learned.

    The size the issue asks to solve within a second; None when the session has no plan to make.
    """
    session = run.session
    if session.indoor is None:
        return None
    now_s = session.indoor[0]
    now = datetime.fromtimestamp(now_s, UTC)
    hours = [slot for slot in all_in_slots(data, economics) if now <= slot.start][:48]
    quarters = [
        replace(hour, start=hour.start + k * QUARTER, end=hour.start + (k + 1) * QUARTER)
        for hour in hours
        for k in range(4)
    ]
    started = time_module.perf_counter()
    planned = session.replan(
        prices=quarters,
        outdoor_forecast_c=[data.outdoor(slot.start.timestamp()) for slot in quarters],
        store_c=season.normal_target_c + 5.0,
        now_s=now_s,
        loop_target_c=season.normal_target_c,
        revenue_per_kwh=economics.revenue_eur_per_kwh,
    )
    elapsed = time_module.perf_counter() - started
    if planned is None:
        return None
    return {"slots": len(planned.slots), "seconds": round(elapsed, 4)}


def learned_figures(run: PlannerRun) -> dict[str, object]:
    """The model the session learned: the store's and, with the indoor sensor, the building's."""
    store = run.session.model.store_params
    figures: dict[str, object] = {
        "capture_fraction": round(store.capture_fraction, 3),
        "store_kwh_per_k": round(store.capacity_kwh_per_k, 3),
    }
    if run.session.building is not None:
        building = run.session.building.params
        figures["building_kwh_per_k"] = round(building.capacity_kwh_per_k, 2)
        figures["building_ua_kw_per_k"] = round(building.ua_kw_per_k, 3)
    return figures


def forecast_with_error(
    outdoor: HourlySeries, at_s: Sequence[float], rng: np.random.Generator
) -> list[float]:
    """An outdoor forecast for hourly times ``at_s``: the truth plus an error growing with lead.

    A random walk of 0.3 K per sqrt(hour): about 1.5 K a day ahead, as a weather service's.
    """
    walk = np.cumsum(rng.normal(0.0, FORECAST_ERROR_K_PER_SQRT_H, len(at_s)))
    return [outdoor(moment) + float(error) for moment, error in zip(at_s, walk, strict=True)]


@dataclass(frozen=True, kw_only=True, slots=True)
class Score:
    """A trajectory under one economics."""

    trajectory: Trajectory
    net_cost_eur: float
    electricity_cost_eur: float

    @property
    def eur_per_mwh_heat(self) -> float:
        """Net cost per MWh of heat into the loop."""
        return self.net_cost_eur / (self.trajectory.heat_kwh / 1000)


def score(trajectory: Trajectory, prices: Sequence[float], economics: Economics) -> Score:
    """Electricity at each hour's all-in price less the revenue of what was mined."""
    cost = sum(kwh * price for kwh, price in zip(trajectory.electricity_kwh, prices, strict=True))
    return Score(
        trajectory=trajectory,
        net_cost_eur=cost - sum(trajectory.mined_kwh) * economics.revenue_eur_per_kwh,
        electricity_cost_eur=cost,
    )


def gap(value: float, optimum: float) -> float:
    """How much worse than the optimum, relative to its magnitude."""
    return (value - optimum) / abs(optimum)


def bill_gap(result: Score, optimum: Score, constant: Score) -> float:
    """The net cost over the optimum's, as a share of the constant setpoint's electricity bill."""
    return (result.net_cost_eur - optimum.net_cost_eur) / constant.electricity_cost_eur


def headline_gap(result: Score, optimum: Score, constant: Score, *, heat_wanted: bool) -> float:
    """The gap the targets are on: the net cost over the optimum's, relative to the money at stake.

    The net cost, because it is what the optimum minimises (within the comfort band): per MWh of
    heat a strategy that heats more than needed (a warmer house, cheap heat it then loses) looks
    cheaper, so the optimum could not be a reference for it. Where heat is wanted the money at
    stake is the optimum's net cost. In summer (no use for heat) that nears zero with fees (the
    optimum's mining pays for what little heating it does: a 2 EUR miss on 12 EUR would read
    "15 %"), so it is the larger of that and the constant setpoint's electricity bill, which does
    not vanish (and is the smaller, near nothing, where mining alone pays: no fees).
    """
    stake = abs(optimum.net_cost_eur)
    if not heat_wanted:
        stake = max(stake, constant.electricity_cost_eur)
    return (result.net_cost_eur - optimum.net_cost_eur) / stake


def score_json(
    result: Score, optimum: Score, constant: Score, *, heat_wanted: bool
) -> dict[str, object]:
    """One strategy's figures, rounded, with its gaps to the optimum.

    ``gap_vs_optimum`` is :func:`headline_gap`; per MWh of heat, on the net cost and on the
    constant setpoint's electricity bill are reported beside it.
    """
    t = result.trajectory
    compared_gap = headline_gap(result, optimum, constant, heat_wanted=heat_wanted)
    return {
        "electricity_kwh": round(sum(t.electricity_kwh), 1),
        "heat_kwh": round(t.heat_kwh, 1),
        "net_cost_eur": round(result.net_cost_eur, 2),
        "eur_per_mwh_heat": round(result.eur_per_mwh_heat, 2),
        "comfort_kh": round(t.comfort_kh, 2),
        "starts": t.starts,
        "start_cap": t.start_cap,
        "over_temperature_trips": t.over_temperature_trips,
        "gap_vs_optimum": round(compared_gap, 4),
        "gap_eur_per_mwh_heat": round(gap(result.eur_per_mwh_heat, optimum.eur_per_mwh_heat), 4),
        "gap_net_cost": round(gap(result.net_cost_eur, optimum.net_cost_eur), 4),
        "gap_bill": round(bill_gap(result, optimum, constant), 4),
        "max_tank_c": round(t.max_tank_c, 1),
        "end_indoor_c": round(t.end_indoor_c, 2),
    }


def normal_target_c(mean_outdoor_c: float) -> float:
    """The loop's normal target for a period of a custom run, by its mean outdoor temperature."""
    if mean_outdoor_c < WINTER_BELOW_C:
        return 45.0
    return 40.0 if mean_outdoor_c < SHOULDER_BELOW_C else 30.0


def cheapest_comfortable(candidates: Mapping[str, Score], constant: Score) -> str:
    """The optimum's candidate: the cheapest that keeps the comfort the planner is held to.

    That is the constant setpoint's (a candidate that saved money by leaving the building cold
    would be no reference); where none does, the cheapest.
    """
    bar = constant.trajectory.comfort_kh
    comfortable = [key for key, value in candidates.items() if value.trajectory.comfort_kh <= bar]
    return min(comfortable or candidates, key=lambda key: candidates[key].net_cost_eur)


def site_cases(data: PlanData, season: Fortnight, site: Site, days: int) -> list[dict[str, Any]]:
    """One season on one site under every economics."""
    cases: list[dict[str, Any]] = []
    base = ECONOMICS[0]
    learned = learned_before(data, season, site)
    fixed = {
        "constant": simulate(
            data, season, site, dispatcher_drive(site, constant_intents(season)), days
        ),
        "blueprint": simulate(
            data,
            season,
            site,
            dispatcher_drive(site, blueprint_intents(data, season, base)),
            days,
        ),
    }
    for economics in ECONOMICS:
        problem = optimum_problem(data, season, site, economics, days)
        started = time_module.perf_counter()
        optimum = Optimum(problem)
        solve_s = time_module.perf_counter() - started
        prices = hourly_prices(all_in_slots(data, economics), season.start, days * 24)
        foreseeing = planner_run(season, site, learned)
        candidates = {
            "dynamic_programme": optimum_drive(site, season, optimum),
            "planner_with_foresight": planner_drive(
                data, season, site, economics, foreseeing, foresight=True
            ),
        }
        if problem.dump:
            candidates["dynamic_programme_valve_thermostat"] = optimum_drive(
                site, season, optimum, valve_thermostat=True
            )
        if np.any(optimum.lag_h > 0):
            steady = Optimum(replace(problem, lag_h=0.0))
            candidates["dynamic_programme_steady_loop"] = optimum_drive(site, season, steady)
        candidate_scores = {
            key: score(simulate(data, season, site, drive, days), prices, economics)
            for key, drive in candidates.items()
        }
        scores = {key: score(value, prices, economics) for key, value in fixed.items()}
        source = cheapest_comfortable(candidate_scores, scores["constant"])
        scores["optimum"] = best = candidate_scores[source]
        heat_wanted = not heat_has_no_use(season)
        strategies: dict[str, object] = {
            key: score_json(value, best, scores["constant"], heat_wanted=heat_wanted)
            for key, value in scores.items()
        }
        run = planner_run(season, site, learned)
        drive = planner_drive(data, season, site, economics, run)
        scores["planner"] = score(simulate(data, season, site, drive, days), prices, economics)
        strategies["planner"] = {
            **score_json(scores["planner"], best, scores["constant"], heat_wanted=heat_wanted),
            "planned_share": round(run.planned_share, 3),
            "comfort_reason": "; ".join(map(str, run.session.comfort_reasons)),
            "learned": learned_figures(run),
        }
        cases.append(
            {
                "name": f"{season.name}/{site.name}/{economics.name}",
                "season": season.name,
                "first_day": season.first_day.isoformat(),
                "days": days,
                "plant": site.name,
                "miners": site.miners,
                "economics": {
                    "name": economics.name,
                    "fees_eur_per_kwh": economics.fees_eur_per_kwh,
                    "revenue_eur_per_kwh": round(economics.revenue_eur_per_kwh, 4),
                },
                "normal_target_c": season.normal_target_c,
                "strategies": strategies,
                "optimum_solve_s": round(solve_s, 3),
                "optimum_source": source,
                "optimum_candidates_net_cost_eur": {
                    key: round(value.net_cost_eur, 2) for key, value in candidate_scores.items()
                },
                "optimum_is_reference": all(
                    best.net_cost_eur <= other.net_cost_eur for other in scores.values()
                ),
                "planner_solve_s": {
                    "p50": round(float(np.percentile(run.solve_s, 50)), 4),
                    "p95": round(float(np.percentile(run.solve_s, 95)), 4),
                }
                if run.solve_s
                else None,
                "planner_solve_48h_15min": quarter_hour_solve_s(data, economics, season, run),
            }
        )
    return cases


def run_cases(
    data: PlanData, seasons: Sequence[Fortnight], sites: Sequence[Site], days: int, jobs: int = 1
) -> list[dict[str, Any]]:
    """Every season on every site under every economics, ``jobs`` season-sites at a time."""
    pairs = [(season, site) for season in seasons for site in sites]
    if jobs <= 1:
        return [case for pair in pairs for case in site_cases(data, *pair, days)]
    with ProcessPoolExecutor(jobs) as pool:
        done = pool.map(
            site_cases, repeat(data), [s for s, _ in pairs], [t for _, t in pairs], repeat(days)
        )
        return [case for cases in done for case in cases]


def print_table(cases: list[dict[str, Any]]) -> None:
    """The text report: one row per case and strategy."""
    print(
        f"{'case':<26}{'strategy':<11}{'elec kWh':>10}{'heat kWh':>10}{'net EUR':>9}"
        f"{'EUR/MWh':>9}{'comfort Kh':>11}{'starts/cap':>12}{'trips':>6}{'gap':>8}"
    )
    for case in cases:
        for key, figures in case["strategies"].items():
            print(
                f"{case['name']:<26}{key:<11}{figures['electricity_kwh']:>10.1f}"
                f"{figures['heat_kwh']:>10.1f}{figures['net_cost_eur']:>9.2f}"
                f"{figures['eur_per_mwh_heat']:>9.2f}{figures['comfort_kh']:>11.2f}"
                f"{figures['starts']:>6}/{figures['start_cap']:<5}"
                f"{figures['over_temperature_trips']:>6}{figures['gap_vs_optimum']:>8.1%}"
            )


def periods(data: PlanData, start: date | None, days: int) -> list[Fortnight]:
    """The three seasons' fortnights, or the one period from ``--start``."""
    if start is None:
        return list(SEASONS)
    midnight = datetime.combine(start, time(), GERMAN_TIME).timestamp()
    mean = statistics.fmean(data.outdoor(midnight + hour * 3600) for hour in range(days * 24))
    return [Fortnight(name="custom", first_day=start, normal_target_c=normal_target_c(mean))]


def main() -> int:
    """Run every case; print a table or JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--prices", type=Path, help="CSV of timestamp, EUR/MWh")
    parser.add_argument("--weather", type=Path, help="CSV of timestamp, deg C (hourly)")
    parser.add_argument(
        "--zone", default=PRICE_ZONE, help="the SMARD file's price column (default DE-AT-LU)"
    )
    parser.add_argument(
        "--price-scale", type=float, default=1.0, help="multiply every spot price (default 1)"
    )
    parser.add_argument("--start", type=date.fromisoformat, help="first day (local, Europe/Berlin)")
    parser.add_argument("--days", type=int, default=DAYS, help="days per case (default 14)")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="season-sites run at once"
    )
    args = parser.parse_args()
    data = load_plan_data(args.prices, args.weather, zone=args.zone, price_scale=args.price_scale)
    seasons = periods(data, args.start, args.days)
    cases = run_cases(data, seasons, SITES, args.days, args.jobs)
    report = {
        "sources": data.sources,
        "comfort_band_c": COMFORT_BAND_C,
        "poll_s": POLL_S,
        "cases": cases,
    }
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print_table(cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
