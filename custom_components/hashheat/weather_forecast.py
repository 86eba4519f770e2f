"""The outdoor temperature ahead, read from a weather entity's forecast (``weather.get_forecasts``).

The hourly forecast where the entity has one; otherwise its twice-daily or daily forecast, placed
in the day and interpolated (the reading says so). Temperatures are converted to °C from the
unit the entity shows. Forecasts change slowly: a site's reader asks at most every 30 minutes
(5 minutes after a read that gave nothing, as while the weather integration is still starting).
Whatever goes wrong (the entity missing or unavailable, the action failing, a forecast with no
usable temperature) gives no points and a reason, logged once, and never raises.
"""

import asyncio
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.components.weather import (
    ATTR_FORECAST_TEMP,
    ATTR_FORECAST_TEMP_LOW,
    ATTR_FORECAST_TIME,
    ATTR_WEATHER_TEMPERATURE_UNIT,
    SERVICE_GET_FORECASTS,
    WeatherEntityFeature,
)
from homeassistant.components.weather import DOMAIN as WEATHER_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_SUPPORTED_FEATURES,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import TemperatureConverter

from .const import LOGGER
from .domain.demand_forecast import (
    DayTemperatures,
    ForecastKind,
    ForecastPoint,
    OutdoorForecast,
    SlotLike,
    WeatherProblem,
    daily_points,
    outdoor_per_slot,
    twice_daily_points,
)

REFRESH_INTERVAL: Final = timedelta(minutes=30)
RETRY_INTERVAL: Final = timedelta(minutes=5)
ACTION_TIMEOUT_SECONDS: Final = 10


_FEATURES: Final = {
    ForecastKind.HOURLY: WeatherEntityFeature.FORECAST_HOURLY,
    ForecastKind.TWICE_DAILY: WeatherEntityFeature.FORECAST_TWICE_DAILY,
    ForecastKind.DAILY: WeatherEntityFeature.FORECAST_DAILY,
}


def forecast_kind(hass: HomeAssistant, entity_id: str) -> ForecastKind | None:
    """The finest forecast the weather entity offers; None without a state or any forecast."""
    if (state := hass.states.get(entity_id)) is None:
        return None
    try:
        features = int(state.attributes.get(ATTR_SUPPORTED_FEATURES) or 0)
    except TypeError, ValueError:
        return None
    return next((kind for kind, flag in _FEATURES.items() if features & flag), None)


@dataclass(frozen=True, kw_only=True, slots=True)
class WeatherReading:
    """The outdoor temperature ahead (None when there is none) and what was done, or why not."""

    points: tuple[ForecastPoint, ...] | None
    kind: ForecastKind | None
    detail: str
    """What was read, or why nothing was, for the log."""
    problem: WeatherProblem | None = None


class WeatherForecastReader:
    """One site's weather forecast, kept between reads."""

    def __init__(self, hass: HomeAssistant, entity_id: str | None) -> None:
        """Nothing is read until the first ``async_read``."""
        self._hass = hass
        self.entity_id = entity_id
        self._reading: WeatherReading | None = None
        self._read_at: datetime | None = None
        self._logged: str | None = None  # the failure last logged, so each is logged once

    async def async_read(self, now: datetime) -> WeatherReading:
        """The forecast as last read, read again when it is due."""
        if self._reading is not None and self._read_at is not None:
            wait = REFRESH_INTERVAL if self._reading.points is not None else RETRY_INTERVAL
            if now - self._read_at < wait:
                return self._reading
        self._reading, self._read_at = await self._read(), now
        self._log(self._reading)
        return self._reading

    async def async_outdoor(
        self, now: datetime, slots: Sequence[SlotLike], current_outdoor_c: float | None
    ) -> OutdoorForecast | None:
        """The outdoor temperature per slot, with the forecast read or why there was none."""
        reading = await self.async_read(now)
        found = outdoor_per_slot(slots, reading.points or (), current_outdoor_c)
        return None if found is None else replace(found, kind=reading.kind, problem=reading.problem)

    def _log(self, reading: WeatherReading) -> None:
        if reading.points is None and reading.detail != self._logged:
            LOGGER.warning("No outdoor forecast for the price plan: %s", reading.detail)
            self._logged = reading.detail
        elif reading.points is not None and self._logged is not None:
            LOGGER.info("Outdoor forecast for the price plan back: %s", reading.detail)
            self._logged = None

    async def _read(self) -> WeatherReading:
        if self.entity_id is None:
            return _none(WeatherProblem.NOT_CONFIGURED, "no weather entity configured")
        if isinstance(offered := _offered(self._hass, self.entity_id), WeatherReading):
            return offered
        kind, unit = offered
        try:
            async with asyncio.timeout(ACTION_TIMEOUT_SECONDS):
                response = await self._hass.services.async_call(
                    WEATHER_DOMAIN,
                    SERVICE_GET_FORECASTS,
                    {ATTR_ENTITY_ID: self.entity_id, "type": kind.value},
                    blocking=True,
                    return_response=True,
                )
        # The weather integration's action may raise anything; the forecast only advises.
        except Exception as err:  # noqa: BLE001
            return _none(
                WeatherProblem.ACTION_FAILED,
                f"{WEATHER_DOMAIN}.{SERVICE_GET_FORECASTS} failed: {err!r}",
            )
        entries = _entries(response, self.entity_id)
        days = [day for entry in entries if (day := _day(entry, unit)) is not None]
        if not days:
            return _none(
                WeatherProblem.NO_TEMPERATURE,
                f"the {kind} forecast of {self.entity_id} has no usable temperature",
            )
        return _reading(kind, days, self.entity_id)


def _offered(hass: HomeAssistant, entity_id: str) -> tuple[ForecastKind, str] | WeatherReading:
    """The forecast to ask for and the unit it comes in, or why there is none to ask for."""
    state = hass.states.get(entity_id)
    if state is None:
        return _none(WeatherProblem.MISSING, f"{entity_id} is missing")
    if state.state in {STATE_UNAVAILABLE, STATE_UNKNOWN}:
        return _none(WeatherProblem.UNAVAILABLE, f"{entity_id} is {state.state}")
    if (kind := forecast_kind(hass, entity_id)) is None:
        return _none(WeatherProblem.NO_FORECAST, f"{entity_id} offers no forecast")
    unit = state.attributes.get(ATTR_WEATHER_TEMPERATURE_UNIT)
    if unit not in TemperatureConverter.VALID_UNITS:
        return _none(WeatherProblem.UNIT, f"{entity_id} shows temperatures in {unit!r}")
    return kind, str(unit)


def _none(problem: WeatherProblem, detail: str) -> WeatherReading:
    return WeatherReading(points=None, kind=None, detail=detail, problem=problem)


def _reading(kind: ForecastKind, days: list[DayTemperatures], entity_id: str) -> WeatherReading:
    if kind is ForecastKind.HOURLY:
        points = [ForecastPoint(at=day.at, temperature_c=day.temperature_c) for day in days]
        detail = f"hourly forecast of {entity_id}"
    elif kind is ForecastKind.TWICE_DAILY:
        points = twice_daily_points(days)
        detail = f"{entity_id} has no hourly forecast: its twice-daily forecast, interpolated"
    else:
        points = daily_points(days, dt_util.get_default_time_zone())
        detail = (
            f"{entity_id} has no hourly forecast: its daily forecast, lows at dawn and highs "
            "in the afternoon, interpolated"
        )
    points.sort(key=lambda point: point.at)
    return WeatherReading(
        points=tuple(points),
        kind=kind,
        detail=f"{detail}, {len(points)} points to {points[-1].at.isoformat()}",
    )


def _entries(response: Any, entity_id: str) -> list[Any]:
    if not isinstance(response, Mapping):
        return []
    found = response.get(entity_id)
    if not isinstance(found, Mapping) or not isinstance(found.get("forecast"), list):
        return []
    return list(found["forecast"])


def _day(entry: Any, unit: str) -> DayTemperatures | None:
    """One forecast entry in °C at an aware time; None for anything unusable."""
    if not isinstance(entry, Mapping):
        return None
    at = _time(entry.get(ATTR_FORECAST_TIME))
    temperature = _celsius(entry.get(ATTR_FORECAST_TEMP), unit)
    if at is None or temperature is None:
        return None
    low = _celsius(entry.get(ATTR_FORECAST_TEMP_LOW), unit)
    return DayTemperatures(at=at, temperature_c=temperature, low_c=low)


def _time(value: Any) -> datetime | None:
    """The entry's ISO time, aware (a time without offset is Home Assistant's local time)."""
    if not isinstance(value, str) or (found := dt_util.parse_datetime(value)) is None:
        return None
    if found.tzinfo is None:
        found = found.replace(tzinfo=dt_util.get_default_time_zone())
    return dt_util.as_utc(found)


def _celsius(value: Any, unit: str) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return TemperatureConverter.convert(number, unit, UnitOfTemperature.CELSIUS)
