"""Per-poll figures of a site: heat, revenue and what they are worth (no Home Assistant).

Combines the miners' readings, the plant's sensors (converted by the caller), the plant
configuration and the Bitcoin network data into instantaneous figures and the per-hour rates the
ledger integrates.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from enum import StrEnum

from .const import RevenueSource
from .domain.bitcoin import NetworkStats, expected_btc_per_day
from .domain.economics import breakeven_electricity_price, displaced_kg_per_kwh_heat
from .domain.fluid_limits import FluidInput
from .domain.ledger import MinerRates, SiteRates
from .domain.thermal import calorimetric_heat_w, estimated_heat_w, measured_capture_fraction
from .miner_data import MinerReading
from .settings import PlantConfig


class HeatMethod(StrEnum):
    """How a site's heat output is known."""

    METER = "meter"
    CALORIMETRIC = "calorimetric"
    ESTIMATED = "estimated"


@dataclass(frozen=True, kw_only=True, slots=True)
class PlantInputs:
    """The plant's sensors at this poll; None where unavailable or not configured."""

    return_c: float | None = None
    supply_c: float | None = None
    flow_m3_per_s: float | None = None
    meter_heat_w: float | None = None
    price_per_kwh: float | None = None  # as the price sensor gives it (spot), before fees and VAT
    grid_kg_per_kwh: float | None = None
    btc_price: float | None = None
    hashprice: float | None = None  # currency per TH/s per day, from a sensor
    pump_running: bool | None = None  # None without a pump sensor
    tank_c: float | None = None  # the immersion fluid, where a sensor is configured
    # The fluid sensors configured, in their quantities' units (None: unavailable).
    fluid: Mapping[FluidInput, float | None] = field(default_factory=dict)
    # Not reported again within the configured time: heat still uses the last value,
    # control and the interlocks do not.
    return_stale: bool = False

    @property
    def loop_c(self) -> float | None:
        """The loop's return temperature control acts on: None while missing or stale."""
        return None if self.return_stale else self.return_c


@dataclass(frozen=True, kw_only=True, slots=True)
class MinerFigures:
    """One miner's heat and revenue at this poll."""

    heat_w: float | None
    btc_per_day: float | None
    revenue_per_day: float | None


@dataclass(frozen=True, kw_only=True, slots=True)
class SiteFigures:
    """A site's figures at this poll, and the rates they add to the ledger."""

    power_w: float | None
    hashrate_ths: float | None
    heat_method: HeatMethod
    heat_w: float | None
    measured_capture: float | None
    spot_price_per_kwh: float | None  # the price sensor's or the fixed price
    price_per_kwh: float | None  # all-in: what the site pays, with fees and VAT
    heat_price_per_kwh: float | None
    btc_per_day: float | None
    revenue_per_day: float | None
    breakeven_price_per_kwh: float | None
    rates: SiteRates
    miners: dict[str, MinerFigures] = field(default_factory=dict)
    miner_rates: dict[str, MinerRates | None] = field(default_factory=dict)


def _sum(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return sum(present) if present else None


def _per_hour(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def _site_heat(
    config: PlantConfig, inputs: PlantInputs, power_w: float | None
) -> tuple[HeatMethod, float | None]:
    if config.heat_meter_entity:
        return HeatMethod.METER, inputs.meter_heat_w
    if config.calorimetric:
        flow, supply, back = inputs.flow_m3_per_s, inputs.supply_c, inputs.return_c
        if flow is None or supply is None or back is None:
            return HeatMethod.CALORIMETRIC, None
        heat = calorimetric_heat_w(
            flow_m3_per_s=flow, supply_c=supply, return_c=back, fluid=config.fluid
        )
        return HeatMethod.CALORIMETRIC, heat
    if power_w is None:
        return HeatMethod.ESTIMATED, None
    return HeatMethod.ESTIMATED, estimated_heat_w(power_w, config.capture_fraction)


def _miner_figures(
    reading: MinerReading,
    config: PlantConfig,
    network: NetworkStats | None,
    btc_price: float | None,
    hashprice: float | None,
) -> MinerFigures:
    hashrate = reading.hashrate_ths
    btc = (
        expected_btc_per_day(hashrate_ths=hashrate, stats=network, pool_fee=config.pool_fee)
        if hashrate is not None and network is not None
        else None
    )
    if config.revenue_source.uses_hashprice:
        revenue = (
            hashrate * hashprice * (1 - config.pool_fee)
            if hashrate is not None and hashprice is not None
            else None
        )
    else:
        revenue = btc * btc_price if btc is not None and btc_price is not None else None
    heat = (
        estimated_heat_w(reading.power_w, config.capture_fraction)
        if reading.power_w is not None
        else None
    )
    return MinerFigures(heat_w=heat, btc_per_day=btc, revenue_per_day=revenue)


def compute_figures(  # noqa: PLR0913
    readings: Mapping[str, MinerReading | None],
    config: PlantConfig,
    inputs: PlantInputs,
    network: NetworkStats | None,
    *,
    now: datetime,
    zone: tzinfo,
) -> SiteFigures:
    """Everything a site's entities show for one poll, and what it adds to the ledger.

    Money is counted at the all-in price at ``now`` (the grid fee's time of day in ``zone``).
    """
    reachable = {miner_id: r for miner_id, r in readings.items() if r is not None}
    btc_price = (
        inputs.btc_price
        if inputs.btc_price is not None
        else (network.btc_price if network is not None else None)
    )
    hashprice = (
        config.fixed_hashprice
        if config.revenue_source is RevenueSource.FIXED_HASHPRICE
        else inputs.hashprice
    )
    miners = {
        miner_id: _miner_figures(reading, config, network, btc_price, hashprice)
        for miner_id, reading in reachable.items()
    }
    power_w = _sum([r.power_w for r in reachable.values()])
    method, heat_w = _site_heat(config, inputs, power_w)
    # A measured heat covers the whole loop; with a miner missing, its power (and so the
    # ratios and the heat counter, which must match the electricity counter) is unknown.
    # While no miner mines, the loop's heat is what the tank still holds, not what idle miners give.
    complete = len(reachable) == len(readings)
    mining = any(reading.is_mining for reading in reachable.values())
    measured = (
        measured_capture_fraction(heat_w, power_w)
        if complete
        and mining
        and method is not HeatMethod.ESTIMATED
        and heat_w is not None
        and power_w is not None
        else None
    )
    counted_heat_w = heat_w if complete or method is HeatMethod.ESTIMATED else None
    revenue_per_day = _sum([m.revenue_per_day for m in miners.values()]) if miners else None
    reference = config.heat_reference
    spot = inputs.price_per_kwh if inputs.price_per_kwh is not None else config.fixed_price_per_kwh
    price = None if spot is None else config.tariff.all_in(spot, now, zone)
    heat_price = (
        reference.heat_price_per_kwh(price) if reference is not None and price is not None else None
    )
    breakeven = None
    if reference is not None and revenue_per_day is not None and power_w:
        breakeven = breakeven_electricity_price(
            revenue_per_kwh=revenue_per_day / 24 / (power_w / 1000),
            heat_kwh_per_kwh=(
                measured if measured is not None and 0 < measured <= 1 else config.capture_fraction
            ),
            reference=reference,
        )
    power_kw = _per_hour(power_w, 0.001)
    heat_kw = _per_hour(counted_heat_w, 0.001)
    grid = (
        inputs.grid_kg_per_kwh
        if inputs.grid_kg_per_kwh is not None
        else (config.co2.grid_kg_per_kwh)
    )
    co2_per_hour = None
    if reference is not None and power_kw is not None and heat_kw is not None:
        displaced = displaced_kg_per_kwh_heat(reference, replace(config.co2, grid_kg_per_kwh=grid))
        co2_per_hour = heat_kw * displaced - power_kw * grid
    return SiteFigures(
        power_w=power_w,
        hashrate_ths=_sum([r.hashrate_ths for r in reachable.values()]),
        heat_method=method,
        heat_w=heat_w,
        measured_capture=measured,
        spot_price_per_kwh=spot,
        price_per_kwh=price,
        heat_price_per_kwh=heat_price,
        btc_per_day=_sum([m.btc_per_day for m in miners.values()]),
        revenue_per_day=revenue_per_day,
        breakeven_price_per_kwh=breakeven,
        rates=SiteRates(
            power_kw=power_kw,
            heat_kw=heat_kw,
            electricity_cost_per_hour=power_kw * price
            if power_kw is not None and price is not None
            else None,
            revenue_per_hour=_per_hour(revenue_per_day, 1 / 24),
            heat_value_per_hour=heat_kw * heat_price
            if heat_kw is not None and heat_price is not None
            else None,
            co2_avoided_kg_per_hour=co2_per_hour,
        ),
        miners=miners,
        miner_rates={
            miner_id: MinerRates(
                power_kw=_per_hour(reading.power_w, 0.001),
                heat_kw=_per_hour(miners[miner_id].heat_w, 0.001),
                revenue_per_hour=_per_hour(miners[miner_id].revenue_per_day, 1 / 24),
            )
            if (reading := readings[miner_id]) is not None
            else None
            for miner_id in readings
        },
    )
