"""Simulated demo history: past weeks of the site's counters, from the plant model hour by hour.

A fresh demo has no past, so the dashboard's Report view and ``hashheat.report`` would show
nothing. This runs the plant model (``sim.plant``) over the weeks before the demo started at
hourly steps (the reference 12 kW site, counted as the demo's five miners), held at the demo's
return target by a proportional-integral controller while the outdoor air is under the heating
limit, with a seasonal Berlin outdoor temperature, the demo's day-ahead price curve and a
two-hour grid hold every fourth evening, and adds up what each of the site's counters would have
counted. It is simulated demo history, not a measurement.

The figures come out as hourly long-term statistics: per counter its change each hour, as sums
that end at 0 at the last simulated hour, so the sums the recorder compiles afterwards (which
start from 0) continue them without a jump. A change is a sum less the one before it (0 when
there is none), so one row at ``ANCHOR``, long before any period a chart or a report asks for,
carries the starting sum.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Final

from custom_components.hashheat.domain.economics import (
    Co2Factors,
    HeatReference,
    co2_avoided_kg,
    electricity_cost,
    net_cost_of_heat_per_mwh,
)
from custom_components.hashheat.domain.health import (
    EXCHANGER_SETTINGS,
    DriftDetector,
    exchanger_sample,
)
from custom_components.hashheat.domain.service_level import SHORT_TOLERANCE_K
from custom_components.hashheat.domain.wear import Rainflow, WearSettings
from sim.day_ahead import price_at
from sim.outdoor import DAY_S, HOUR_S
from sim.plant.model import Plant
from sim.plant.scenarios import SITE_POWER_W, equilibrium_plant

__all__ = [
    "ANCHOR",
    "CHIP_RISE",
    "COUNTERS",
    "MEANS",
    "SUPPLY",
    "HistoryHour",
    "Statistic",
    "chip_rise_statistics",
    "simulate",
    "statistics",
]

_HOUR: Final = timedelta(hours=1)
ANCHOR: Final = datetime(2000, 1, 1, tzinfo=UTC)
_KWH: Final = 3.6e6
# Berlin: daily means from about 0 °C in late January to 19 °C in late July, ±3 K over the day.
_YEAR_MEAN_C: Final = 9.5
_YEAR_SWING_K: Final = 9.5
_COLDEST_DAY: Final = 20
_DAY_SWING_K: Final = 3.0
_COLDEST_HOUR_UTC: Final = 4.0
_YEAR_S: Final = 365.25 * DAY_S
# Five miners; asleep they draw their control boards' few watts.
MINERS: Final = 5
SLEEP_W: Final = MINERS * 10.0
# The demo's loop: its return target, and the gains of the controller holding it there (W per K
# below it, and per kelvin-hour below it). The loop heats while the outdoor air is under the
# heating limit.
TARGET_C: Final = 36.5
GAIN_W_PER_K: Final = 400.0
INTEGRAL_W_PER_KH: Final = 100.0
HEATING_LIMIT_C: Final = 15.0
# An assumed mining revenue per kWh the miners draw (a hashprice of about 0.05 EUR/TH/day).
REVENUE_PER_KWH: Final = 0.08
# The simulated miners' hottest chip above the fluid at full power (``sim.physics``' default).
CHIP_RISE_FULL_POWER_K: Final = 25.0
# A grid hold: from 17:00 local, two hours, every fourth day.
HOLD_EVERY_DAYS: Final = 4
HOLD_HOUR: Final = 17
HOLD_HOURS: Final = 2
HEAT_REFERENCE: Final = HeatReference.gas_boiler(gas_price_per_kwh=0.10, boiler_efficiency=0.9)
CO2: Final = Co2Factors(gas_kg_per_kwh=0.201, grid_kg_per_kwh=0.25)
WEAR: Final = WearSettings()


@dataclass(frozen=True, kw_only=True, slots=True)
class Statistic:
    """How a sensor's statistics are kept: its unit and unit class, a sum or a mean."""

    unit: str | None
    unit_class: str | None
    has_sum: bool


_HOURS = Statistic(unit="h", unit_class="duration", has_sum=True)
_ENERGY = Statistic(unit="kWh", unit_class="energy", has_sum=True)
_MONEY = Statistic(unit="EUR", unit_class=None, has_sum=True)
_COUNT = Statistic(unit=None, unit_class="unitless", has_sum=True)
# The site's counters by the key of their sensor.
COUNTERS: Final[dict[str, Statistic]] = {
    "electricity_energy": _ENERGY,
    "heat_energy": _ENERGY,
    "electricity_cost": _MONEY,
    "revenue": _MONEY,
    "heat_value": _MONEY,
    "co2_avoided": Statistic(unit="kg", unit_class="mass", has_sum=True),
    "starts": _COUNT,
    "thermal_cycles": _COUNT,
    "running_hours": _HOURS,
    "hot_hours": _HOURS,
    "grid_hold_time": _HOURS,
    "energy_curtailed": _ENERGY,
    "heat_asked_time": _HOURS,
    "heat_short_time": _HOURS,
    "held_heat_asked_time": _HOURS,
    "held_heat_short_time": _HOURS,
}
# The site's figures charted as hourly means, by the key of their sensor.
MEANS: Final[dict[str, Statistic]] = {
    "net_cost_of_heat": Statistic(unit="EUR/MWh", unit_class=None, has_sum=False),
    "exchanger_conductance": Statistic(unit="W/K", unit_class=None, has_sum=False),
}
CHIP_RISE: Final = Statistic(unit="K/kW", unit_class=None, has_sum=False)
SUPPLY = "supply_temperature"
SUPPLY_STATISTIC: Final = Statistic(unit="°C", unit_class="temperature", has_sum=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class HistoryHour:
    """One simulated hour: what each counter added, and the means of the charted figures."""

    start: datetime
    added: dict[str, float]
    means: dict[str, float | None]


def outdoor_c(now_s: float) -> float:
    """A seasonal Berlin outdoor temperature at a Unix time."""
    year = 2.0 * math.pi * (now_s / _YEAR_S - _COLDEST_DAY / 365.25)
    day = 2.0 * math.pi * (now_s / DAY_S - _COLDEST_HOUR_UTC / 24.0)
    return _YEAR_MEAN_C - _YEAR_SWING_K * math.cos(year) - _DAY_SWING_K * math.cos(day)


def held(moment: datetime, zone: tzinfo) -> bool:
    """Whether a grid hold is on in the hour starting at ``moment``."""
    local = moment.astimezone(zone)
    return (
        local.date().toordinal() % HOLD_EVERY_DAYS == 0
        and HOLD_HOUR <= local.hour < HOLD_HOUR + HOLD_HOURS
    )


@dataclass(kw_only=True, slots=True)
class _Site:
    """The simulated site's running state between hours."""

    plant: Plant
    running: bool = True
    integral_kh: float = 0.0
    power_before_hold_w: float = 0.0
    cycles: Rainflow = field(default_factory=Rainflow)
    electricity_kwh: float = 0.0
    cost: float = 0.0
    revenue: float = 0.0
    heat_kwh: float = 0.0
    # What the site's Conductance sensor shows: the integration's own smoothing, fed hourly.
    exchanger: DriftDetector = field(
        default_factory=lambda: DriftDetector(
            settings=replace(EXCHANGER_SETTINGS, max_gap_s=HOUR_S)
        )
    )

    def power_w(self, *, asked: bool, hold: bool) -> float:
        plant = self.plant
        if not asked:
            self.integral_kh = 0.0
            return SLEEP_W
        demand = plant.params.building_ua_w_per_k * max(
            0.0, plant.params.indoor_setpoint_c - plant.outdoor_c
        )
        error = TARGET_C - plant.return_c
        wanted = (
            demand / plant.params.capture_fraction
            + GAIN_W_PER_K * error
            + INTEGRAL_W_PER_KH * self.integral_kh
        )
        if hold:
            return SLEEP_W
        if SLEEP_W < wanted < SITE_POWER_W:
            self.integral_kh += error
        return min(SITE_POWER_W, max(SLEEP_W, wanted))

    def hour(self, start: datetime, zone: tzinfo) -> HistoryHour:
        plant = self.plant
        hold = held(start, zone)
        asked = plant.outdoor_c < HEATING_LIMIT_C
        short = float(asked and plant.return_c < TARGET_C - SHORT_TOLERANCE_K)
        power = self.power_w(asked=asked, hold=hold)
        curtailed = max(0.0, self.power_before_hold_w - power) if hold else 0.0
        if not hold:
            self.power_before_hold_w = power
        running = power > SLEEP_W
        starts = MINERS if running and not self.running else 0
        self.running = running
        before = plant.energy
        plant.step(HOUR_S, power)
        done = plant.energy - before
        kwh, heat = done.electrical_j / _KWH, done.heat_to_loop_j / _KWH
        price = price_at(start.astimezone(zone))
        chip_c = plant.tank_c + CHIP_RISE_FULL_POWER_K * power / SITE_POWER_W
        cycles = self.cycles.add(chip_c, WEAR.cycle_range_k) * MINERS
        self.electricity_kwh += kwh
        self.cost += electricity_cost(kwh, price)
        self.revenue += kwh * REVENUE_PER_KWH
        self.heat_kwh += heat
        self.exchanger.add(
            (start + _HOUR).timestamp(),
            *exchanger_sample(
                fluid_c=plant.tank_c,
                supply_c=plant.supply_c,
                return_c=plant.return_c,
                heat_w=heat * 1000,
            ),
        )
        return HistoryHour(
            start=start,
            added={
                "electricity_energy": kwh,
                "heat_energy": heat,
                "electricity_cost": electricity_cost(kwh, price),
                "revenue": kwh * REVENUE_PER_KWH,
                "heat_value": heat * HEAT_REFERENCE.heat_price_per_kwh(price),
                "co2_avoided": co2_avoided_kg(
                    heat_kwh=heat, electricity_kwh=kwh, reference=HEAT_REFERENCE, factors=CO2
                ),
                "starts": float(starts),
                "thermal_cycles": cycles,
                "running_hours": float(running),
                "hot_hours": float(chip_c >= WEAR.hot_chip_c),
                "grid_hold_time": float(hold),
                "energy_curtailed": curtailed / 1000,
                "heat_asked_time": float(asked),
                "heat_short_time": short,
                "held_heat_asked_time": float(asked and hold),
                "held_heat_short_time": short if hold else 0.0,
            },
            means={
                "net_cost_of_heat": net_cost_of_heat_per_mwh(
                    electricity_cost=self.cost, revenue=self.revenue, heat_kwh=self.heat_kwh
                ),
                "exchanger_conductance": self.exchanger.report().value,
                SUPPLY: plant.supply_c,
            },
        )


def _hours(first: datetime, count: int) -> Iterator[datetime]:
    for index in range(count):
        yield first + index * _HOUR


def simulate(end: datetime, days: int, zone: tzinfo) -> list[HistoryHour]:
    """The ``days`` before ``end`` (a whole hour, aware), hour by hour."""
    first = end - timedelta(days=days)
    start_s = first.timestamp()
    site = _Site(
        plant=equilibrium_plant(outdoor_c, outdoor_c=outdoor_c(start_s), now_s=start_s, seed=1)
    )
    return [site.hour(moment, zone) for moment in _hours(first, days * 24)]


def statistics(hours: list[HistoryHour], key: str) -> list[dict[str, float | str]]:
    """A figure's hourly statistics rows: a counter's sums ending at 0, else the hour's mean."""
    if key in COUNTERS:
        total = sum(hour.added[key] for hour in hours)
        running = -total
        rows: list[dict[str, float | str]] = [{"start": ANCHOR.isoformat(), "sum": running}]
        for hour in hours:
            running += hour.added[key]
            rows.append({"start": hour.start.isoformat(), "sum": running})
        return rows
    return [
        {"start": hour.start.isoformat(), "mean": value, "min": value, "max": value}
        for hour in hours
        if (value := hour.means[key]) is not None
    ]


def chip_rise_statistics(hours: list[HistoryHour], rise: float) -> list[dict[str, float | str]]:
    """A miner's chip rise over the fluid (K/kW) in the hours the site ran: a healthy plant's.

    The simulated miners' chips run over the fluid in proportion to their power, so a healthy
    miner's rise per kW is the same at every power: flat, at ``rise``.
    """
    return [
        {"start": hour.start.isoformat(), "mean": rise, "min": rise, "max": rise}
        for hour in hours
        if hour.added["running_hours"] > 0
    ]
