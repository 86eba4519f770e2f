"""Price forecasts fetched through the price integration's own action (core Nord Pool and Tibber).

These integrations keep their forecast out of their sensors' attributes and offer it through an
action with a response instead. Which action to call follows from the price entity's platform in
the entity registry. A failed call keeps the last forecast: it only advises the control loop.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

import probatio
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .const import LOGGER
from .domain.price_forecast import PriceSlot, TariffSource, merge_forecasts, parse_forecast
from .domain.price_units import currency_of

NORDPOOL_DOMAIN: Final = "nordpool"
NORDPOOL_ACTION: Final = "get_prices_for_date"
TIBBER_DOMAIN: Final = "tibber"
TIBBER_ACTION: Final = "get_prices"

# Day-ahead prices for tomorrow appear once a day, around noon in Europe; until they have,
# asking every half hour finds them soon enough without loading the price service.
REFRESH_INTERVAL: Final = timedelta(minutes=30)
ACTION_TIMEOUT_SECONDS: Final = 10


@dataclass(frozen=True, kw_only=True, slots=True)
class ForecastAction:
    """How to ask a price entity's integration for its forecast."""

    source: TariffSource
    domain: str
    service: str
    data: dict[str, Any] = field(default_factory=dict)
    key: str | None = None
    unit: str | None = None


def forecast_action(hass: HomeAssistant, price_entity: str | None) -> ForecastAction | None:
    """The action that gives ``price_entity``'s forecast; None if its integration has none."""
    if not price_entity or (entry := er.async_get(hass).async_get(price_entity)) is None:
        return None
    state = hass.states.get(price_entity)
    unit = state.attributes.get("unit_of_measurement") if state else None
    currency = currency_of(unit if isinstance(unit, str) else None)
    if entry.platform == NORDPOOL_DOMAIN and entry.config_entry_id:
        # Nord Pool's unique ids are "<area>-<key>"; its action prices per MWh, in the sensor's
        # currency.
        area = entry.unique_id.split("-", 1)[0]
        return ForecastAction(
            source=TariffSource.NORDPOOL,
            domain=NORDPOOL_DOMAIN,
            service=NORDPOOL_ACTION,
            data={"config_entry": entry.config_entry_id, "areas": [area]},
            key=area,
            unit=f"{currency}/MWh" if currency else None,
        )
    if entry.platform == TIBBER_DOMAIN:
        device = dr.async_get(hass).async_get(entry.device_id) if entry.device_id else None
        return ForecastAction(
            source=TariffSource.TIBBER,
            domain=TIBBER_DOMAIN,
            service=TIBBER_ACTION,
            key=device.name if device else None,
            unit=f"{currency}/kWh" if currency else None,
        )
    return None


class ActionForecast:
    """A price forecast kept up to date by calling the price integration's action."""

    def __init__(self, hass: HomeAssistant, action: ForecastAction) -> None:
        """Nothing is fetched until the first ``async_slots``."""
        self._hass = hass
        self.action = action
        self.slots: list[PriceSlot] = []
        self._asked: datetime | None = None

    async def async_slots(self, now: datetime) -> list[PriceSlot]:
        """The forecast, fetched again each day and every half hour until tomorrow's is known."""
        if self._due(now):
            self._asked = now
            if fetched := await self._fetch(now):
                self.slots = fetched
        return list(self.slots)

    def _due(self, now: datetime) -> bool:
        if (
            self._asked is None
            or dt_util.as_local(self._asked).date() != dt_util.as_local(now).date()
        ):
            return True
        horizon = max((slot.end for slot in self.slots), default=now)
        tomorrow_end = dt_util.start_of_local_day(dt_util.as_local(now)) + timedelta(days=2)
        return horizon < tomorrow_end and now - self._asked >= REFRESH_INTERVAL

    async def _fetch(self, now: datetime) -> list[PriceSlot]:
        """Today's and tomorrow's slots; a day the service cannot give is left out."""
        today = dt_util.as_local(now).date()
        if self.action.source is TariffSource.NORDPOOL:
            requests = [
                {**self.action.data, "date": day.isoformat()}
                for day in (today, today + timedelta(days=1))
            ]
        else:
            start = dt_util.start_of_local_day(today)
            end = start + timedelta(days=2)
            requests = [{"start": start.isoformat(), "end": end.isoformat()}]
        days: list[list[PriceSlot]] = []
        for request in requests:
            if (response := await self._call(request)) is None:
                continue
            found = parse_forecast(
                self.action.source, response, unit=self.action.unit, key=self.action.key
            )
            if not found and self.action.key is not None:
                found = parse_forecast(self.action.source, response, unit=self.action.unit)
            days.append(found)
        return merge_forecasts(*days)

    async def _call(self, data: dict[str, Any]) -> dict[str, Any] | None:
        try:
            async with asyncio.timeout(ACTION_TIMEOUT_SECONDS):
                response = await self._hass.services.async_call(
                    self.action.domain,
                    self.action.service,
                    data,
                    blocking=True,
                    return_response=True,
                )
        except (HomeAssistantError, probatio.Invalid, TimeoutError) as err:
            LOGGER.debug(
                "Price forecast from %s.%s failed: %s", self.action.domain, self.action.service, err
            )
            return None
        return dict(response) if response else None
