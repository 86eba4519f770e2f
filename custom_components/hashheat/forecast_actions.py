"""Price forecasts fetched through the price integration's own action (core Nord Pool and Tibber).

These integrations keep their forecast out of their sensors' attributes and offer it through an
action with a response instead. Which action to call follows from the price entity's platform in
the entity registry. A failed call keeps the last forecast: it only advises the control loop.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .const import LOGGER
from .domain.price_forecast import PriceSlot, TariffSource, merge_forecasts, parse_forecast
from .domain.price_units import parse_price_unit

NORDPOOL_DOMAIN: Final = "nordpool"
NORDPOOL_ACTION: Final = "get_prices_for_date"
TIBBER_DOMAIN: Final = "tibber"
TIBBER_ACTION: Final = "get_prices"

# Day-ahead prices for tomorrow appear once a day, around noon in Europe; until they have,
# asking every half hour finds them soon enough without loading the price service.
REFRESH_INTERVAL: Final = timedelta(minutes=30)
ACTION_TIMEOUT_SECONDS: Final = 10
# A poll waits this long for a refresh under way, then uses the forecast it has.
ACTION_PATIENCE_SECONDS: Final = 2
# A refresh that gave nothing (the price integration still starting) is tried again after this.
RETRY_INTERVAL: Final = timedelta(minutes=2)


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
    price_unit = parse_price_unit(unit if isinstance(unit, str) else None)
    currency = price_unit.currency if price_unit is not None else None
    if entry.platform == NORDPOOL_DOMAIN and entry.config_entry_id:
        # Nord Pool's device per area is identified by ("nordpool", "<area>"); its action prices
        # per MWh, in the sensor's currency.
        area = _nordpool_area(hass, entry)
        if area is None:
            return None
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


def _nordpool_area(hass: HomeAssistant, entry: er.RegistryEntry) -> str | None:
    device = dr.async_get(hass).async_get(entry.device_id) if entry.device_id else None
    areas = [
        value for domain, value in (device.identifiers if device else ()) if domain == "nordpool"
    ]
    if areas:
        return areas[0]
    # Without a device (older registries): unique ids are "<area>-<key>".
    area, _, key = entry.unique_id.partition("-")
    return area if key else None


class ActionForecast:
    """A price forecast kept up to date by calling the price integration's action.

    A refresh runs as a task of its own: a poll waits for it at most ``ACTION_PATIENCE_SECONDS``
    and otherwise goes on with the forecast it has, so a slow or hanging price service never
    holds up the control of the miners.
    """

    def __init__(self, hass: HomeAssistant, action: ForecastAction) -> None:
        """Nothing is fetched until the first ``async_slots``."""
        self._hass = hass
        self.action = action
        self.slots: list[PriceSlot] = []
        self._asked: datetime | None = None  # the last refresh that gave slots
        self._failed: datetime | None = None  # the last refresh that gave none
        self._refresh: asyncio.Task[None] | None = None

    async def async_slots(self, now: datetime, *, wait: bool = False) -> list[PriceSlot]:
        """The forecast, refreshed each day and every half hour until tomorrow's is known.

        ``wait``: wait for a refresh to end (the options flow), not just for a moment (a poll).
        """
        if self._due(now) and (self._refresh is None or self._refresh.done()):
            self._refresh = self._hass.async_create_background_task(
                self._refresh_at(now), f"hashheat_price_forecast_{self.action.domain}"
            )
        if self._refresh is not None and not self._refresh.done():
            await asyncio.wait((self._refresh,), timeout=None if wait else ACTION_PATIENCE_SECONDS)
        return list(self.slots)

    async def _refresh_at(self, now: datetime) -> None:
        if fetched := await self._fetch(now):
            self.slots, self._asked, self._failed = fetched, now, None
        else:
            self._failed = now

    def _due(self, now: datetime) -> bool:
        if self._failed is not None and now - self._failed < RETRY_INTERVAL:
            return False
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
            # Nord Pool's days are delivery days in CET: east of it, local midnight to 01:00
            # belongs to the day before.
            requests = [
                {**self.action.data, "date": (today + timedelta(days=offset)).isoformat()}
                for offset in (-1, 0, 1)
            ]
        else:
            start = dt_util.start_of_local_day(today)
            end = start + timedelta(days=2)
            requests = [{"start": start.isoformat(), "end": end.isoformat()}]
        responses = await asyncio.gather(*(self._call(request) for request in requests))
        days: list[list[PriceSlot]] = []
        for response in responses:
            if response is None:
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
        # Another integration's action may raise anything (Tibber before its entry is loaded
        # raises AttributeError); the forecast only advises, so no error may reach the poll.
        except Exception as err:  # noqa: BLE001
            LOGGER.debug(
                "Price forecast from %s.%s failed: %s", self.action.domain, self.action.service, err
            )
            return None
        return dict(response) if response else None
