"""Read a site's plant sensors from Home Assistant's state machine, in the units HashHeat uses."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from homeassistant.const import STATE_ON, UnitOfEnergy, UnitOfPower, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.util.unit_conversion import (
    EnergyConverter,
    PowerConverter,
    TemperatureConverter,
)

from .const import RevenueSource
from .domain.fluid_limits import FluidSensor, in_quantity_unit
from .domain.price_units import parse_hashprice_unit
from .domain.thermal import flow_m3_per_s, parse_flow_unit
from .figures import PlantInputs
from .miner_data import to_number
from .settings import PlantConfig, SiteSettings

_GRAMS_PER_KG = 1000.0


def numeric_state(hass: HomeAssistant, entity_id: str | None) -> tuple[float, str | None] | None:
    """A numeric state and its unit, or None when missing, unavailable or not a number."""
    if not entity_id or (state := hass.states.get(entity_id)) is None:
        return None
    try:
        value = to_number(float(state.state))
    except ValueError:
        return None
    if value is None:
        return None
    return value, state.attributes.get("unit_of_measurement")


def temperature_c(hass: HomeAssistant, entity_id: str | None) -> float | None:
    """A temperature sensor in °C; None when missing, not a number or not a temperature."""
    if (found := numeric_state(hass, entity_id)) is None:
        return None
    value, unit = found
    if unit not in {u.value for u in UnitOfTemperature}:
        return None
    return TemperatureConverter.convert(value, unit, UnitOfTemperature.CELSIUS)


def power_kw(hass: HomeAssistant, entity_id: str | None) -> float | None:
    """A power sensor in kW; None when missing, not a number or not a power."""
    if (found := numeric_state(hass, entity_id)) is None:
        return None
    value, unit = found
    if unit not in {u.value for u in UnitOfPower}:
        return None
    return PowerConverter.convert(value, unit, UnitOfPower.KILO_WATT)


def fluid_reading(hass: HomeAssistant, sensor: FluidSensor) -> float | None:
    """A fluid sensor in its quantity's unit; None when unavailable or in another unit."""
    if (found := numeric_state(hass, sensor.entity_id)) is None:
        return None
    return in_quantity_unit(sensor.kind, *found)


@dataclass(kw_only=True, slots=True)
class MeterTracker:
    """Turns a heat meter's energy counter into power.

    Meters update their counter every few minutes, not at every poll: the power is the energy
    between two changes of the counter over the time between them, held until the next change
    (or for ``hold`` at most, after which a counter that stopped means no heat).
    """

    hold: timedelta = timedelta(minutes=15)
    last_kwh: float | None = None
    changed: datetime | None = None
    rate_w: float | None = None

    def power_w(self, kwh: float, now: datetime) -> float | None:
        """The meter's power now; None for the first reading or after a reset counter."""
        previous, since = self.last_kwh, self.changed
        if previous is None or since is None or kwh < previous:
            self.last_kwh, self.changed, self.rate_w = kwh, now, None
            return None
        if kwh > previous and now > since:
            self.rate_w = (kwh - previous) * 3_600_000 / (now - since).total_seconds()
            self.last_kwh, self.changed = kwh, now
        elif now - since > self.hold:
            self.rate_w = 0.0
        return self.rate_w


def _meter_heat_w(
    hass: HomeAssistant, config: PlantConfig, meter: MeterTracker, now: datetime
) -> float | None:
    if (found := numeric_state(hass, config.heat_meter_entity)) is None:
        return None
    value, unit = found
    if unit in {u.value for u in (UnitOfPower.WATT, UnitOfPower.KILO_WATT, UnitOfPower.MEGA_WATT)}:
        return max(0.0, PowerConverter.convert(value, unit, UnitOfPower.WATT))
    if unit in EnergyConverter.VALID_UNITS:
        kwh = EnergyConverter.convert(value, unit, UnitOfEnergy.KILO_WATT_HOUR)
        return meter.power_w(kwh, now)
    return None


def read_plant_inputs(
    hass: HomeAssistant,
    settings: SiteSettings,
    meter: MeterTracker,
    now: datetime,
    *,
    price_per_kwh: float | None,
) -> PlantInputs:
    """The plant's sensors now; anything unavailable or in an unusable unit is None.

    The loop's return temperature is marked stale once it was not reported within the
    configured time.
    """
    config = settings.plant
    return_state = (
        hass.states.get(config.return_temperature_entity)
        if config.return_temperature_entity
        else None
    )
    flow = None
    if (found := numeric_state(hass, config.flow_entity)) is not None:
        unit = parse_flow_unit(found[1])
        flow = flow_m3_per_s(found[0], unit) if unit is not None else None
    grid = None
    if (found := numeric_state(hass, config.grid_intensity_entity)) is not None:
        grid = found[0] if found[1] == "kg/kWh" else found[0] / _GRAMS_PER_KG
    btc_price = None
    if config.revenue_source is RevenueSource.BTC_PRICE_ENTITY and (
        found := numeric_state(hass, config.btc_price_entity)
    ):
        btc_price = found[0]
    hashprice = None
    if config.revenue_source is RevenueSource.HASHPRICE_ENTITY and (
        found := numeric_state(hass, config.hashprice_entity)
    ):
        hashprice_unit = parse_hashprice_unit(found[1])
        hashprice = found[0] * hashprice_unit.per_th_day_factor if hashprice_unit else None
    return PlantInputs(
        return_c=temperature_c(hass, config.return_temperature_entity),
        return_stale=return_state is not None
        and now - return_state.last_reported > settings.safety.stale_after,
        supply_c=temperature_c(hass, config.supply_temperature_entity),
        tank_c=temperature_c(hass, config.tank_temperature_entity),
        fluid={kind: fluid_reading(hass, sensor) for kind, sensor in settings.health.fluid.items()},
        flow_m3_per_s=flow,
        meter_heat_w=_meter_heat_w(hass, config, meter, now),
        price_per_kwh=price_per_kwh,
        grid_kg_per_kwh=grid,
        btc_price=btc_price,
        hashprice=hashprice,
        pump_running=None
        if settings.safety.pump_entity is None
        else (pump := hass.states.get(settings.safety.pump_entity)) is not None
        and pump.state == STATE_ON,
    )
