"""The outdoor temperature now: what the plan learns from, and what a missing forecast holds."""

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
