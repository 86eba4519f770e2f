"""The outdoor temperature the plan learns from, and (for now) its forecast by persistence."""

from homeassistant.const import UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.util.unit_conversion import TemperatureConverter

from .miner_data import to_number
from .plant_inputs import temperature_c
from .settings import PlanConfig


def outdoor_now_c(hass: HomeAssistant, config: PlanConfig) -> float | None:
    """The outdoor sensor, else the weather entity's current temperature; None without either."""
    if (sensor := temperature_c(hass, config.outdoor_temperature_entity)) is not None:
        return sensor
    if not config.weather_entity or (weather := hass.states.get(config.weather_entity)) is None:
        return None
    number = to_number(weather.attributes.get("temperature"))
    unit = weather.attributes.get("temperature_unit", UnitOfTemperature.CELSIUS)
    if number is None or unit not in {u.value for u in UnitOfTemperature}:
        return None
    return TemperatureConverter.convert(number, unit, UnitOfTemperature.CELSIUS)


def outdoor_forecast_by_persistence(
    hass: HomeAssistant, config: PlanConfig, slots: int
) -> list[float] | None:
    """The outdoor temperature per slot ahead: today's, held (until a forecast reader lands)."""
    now_c = outdoor_now_c(hass, config)
    return None if now_c is None else [now_c] * slots
