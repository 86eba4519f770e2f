"""A site's price source: the entity the user picked, and where its forecast really is.

Price integrations do not all put the forecast on the entity that shows the current price:
ENTSO-e keeps it on its average-price sensor, Octopus Energy (v9 and later) on its day-rates
event entities, core Nord Pool and Tibber behind an action. The source is found from the
picked entity's siblings in the entity registry (same device, else same config entry, and the
same meter where the entity names one), so the user picks what their integration calls the
current price.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .domain.forecast_quality import known_until
from .domain.price_forecast import (
    OCTOPUS_UNIT,
    PriceSlot,
    TariffSource,
    current_slot,
    detect_source,
    merge_forecasts,
)
from .domain.price_forecast import parse_forecast as parse
from .domain.price_units import (
    PriceUnitProblem,
    parse_price_unit,
    price_per_kwh,
    price_unit_problem,
)
from .forecast_actions import ActionForecast, ForecastAction, forecast_action
from .plant_inputs import numeric_state

# A forecast that no longer covers now (its integration stopped updating it): the entity's state
# stands in for this long, then the site has no price (and a repair issue says why).
FORECAST_GRACE = timedelta(hours=1)
# Attributes that name the meter an entity belongs to (Octopus Energy: one account, many meters).
_METER_ATTRIBUTES = ("mpan", "serial_number")


@dataclass(frozen=True, kw_only=True, slots=True)
class PriceSource:
    """Where a site's electricity price is read."""

    entity_id: str  # the entity the user picked: its state is the price without a forecast
    forecast_entities: tuple[str, ...] = ()  # whose attributes hold the forecast
    action: ForecastAction | None = None  # the integration's action that gives the forecast
    disabled: tuple[str, ...] = ()  # siblings that would hold the forecast, but are disabled

    @property
    def has_forecast(self) -> bool:
        """Whether a forecast can be read at all (from attributes or an action)."""
        return bool(self.forecast_entities or self.action)


def find_price_source(hass: HomeAssistant, entity_id: str, now: datetime) -> PriceSource:
    """The picked entity's price source: itself, its siblings, or its integration's action.

    A picked event entity is one day's rates (Octopus Energy): the source is it and the other
    days' events of its meter.
    """
    picked_event = entity_id.startswith("event.")
    if not picked_event and _forecast_source(hass, entity_id) is not None:
        return PriceSource(entity_id=entity_id, forecast_entities=(entity_id,))
    if (action := forecast_action(hass, entity_id)) is not None:
        return PriceSource(entity_id=entity_id, action=action)
    registry = er.async_get(hass)
    if (picked := registry.async_get(entity_id)) is None:
        alone = (entity_id,) if _forecast_source(hass, entity_id) is not None else ()
        return PriceSource(entity_id=entity_id, forecast_entities=alone)
    siblings = [entry for entry in _siblings(registry, picked) if _same_meter(hass, picked, entry)]
    disabled = tuple(
        entry.entity_id
        for entry in siblings
        if entry.disabled_by is not None and _holds_forecast_when_enabled(entry)
    )
    # A picked event: it and the other days' events, not a sensor that may hold rates too (v8).
    with_forecast = [
        entry.entity_id
        for entry in ([picked, *siblings] if picked_event else siblings)
        if _forecast_source(hass, entry.entity_id) and (not picked_event or entry.domain == "event")
    ]
    return PriceSource(
        entity_id=entity_id,
        forecast_entities=_best(hass, registry, entity_id, with_forecast, now),
        disabled=disabled,
    )


def read_forecast(hass: HomeAssistant, source: PriceSource) -> list[PriceSlot]:
    """The forecast the source's entities hold now, merged and sorted (no action called)."""
    forecasts: list[list[PriceSlot]] = []
    for entity_id in source.forecast_entities:
        if (state := hass.states.get(entity_id)) is None:
            continue
        if (kind := detect_source(state.attributes)) is None:
            continue
        unit = state.attributes.get("unit_of_measurement")
        forecasts.append(
            parse(kind, state.attributes, unit=unit if isinstance(unit, str) else None)
        )
    return merge_forecasts(*forecasts)


def _forecast_source(hass: HomeAssistant, entity_id: str) -> TariffSource | None:
    state = hass.states.get(entity_id)
    return None if state is None else detect_source(state.attributes)


def _siblings(registry: er.EntityRegistry, picked: er.RegistryEntry) -> list[er.RegistryEntry]:
    """The other entities of the picked one's device, else of its config entry."""
    if picked.device_id is not None:
        found: Iterable[er.RegistryEntry] = er.async_entries_for_device(
            registry, picked.device_id, include_disabled_entities=True
        )
    elif picked.config_entry_id is not None:
        found = er.async_entries_for_config_entry(registry, picked.config_entry_id)
    else:
        return []
    return [entry for entry in found if entry.entity_id != picked.entity_id]


def _same_meter(hass: HomeAssistant, picked: er.RegistryEntry, entry: er.RegistryEntry) -> bool:
    """False only when both entities name their meter and the meters differ."""
    mine, theirs = _meter(hass, picked.entity_id), _meter(hass, entry.entity_id)
    return not mine or not theirs or mine == theirs


def _meter(hass: HomeAssistant, entity_id: str) -> dict[str, str]:
    if (state := hass.states.get(entity_id)) is None:
        return {}
    return {key: str(state.attributes[key]) for key in _METER_ATTRIBUTES if key in state.attributes}


def _holds_forecast_when_enabled(entry: er.RegistryEntry) -> bool:
    """A disabled entity has no state to look into: the ones known to hold a forecast by id.

    Octopus Energy's current- and next-day rates events (yesterday's is not needed), ENTSO-e's
    average price sensor.
    """
    if entry.platform == "octopus_energy":
        return entry.domain == "event" and entry.unique_id.endswith(
            ("_current_day_rates", "_next_day_rates")
        )
    return entry.platform == "entsoe" and entry.unique_id.endswith("avg_price")


def _best(
    hass: HomeAssistant,
    registry: er.EntityRegistry,
    entity_id: str,
    candidates: list[str],
    now: datetime,
) -> tuple[str, ...]:
    """The forecast entities to read among the siblings that hold one.

    Day-by-day entities (events) together; of several whole forecasts, the one that prices the
    current slot as the picked entity does (EPEX Spot's market or total price). While the picked
    entity shows no price, only a sibling known to hold its forecast (ENTSO-e's average sensor):
    an unavailable EPEX Spot market price must not turn into its total price.
    """
    if all(c.startswith("event.") for c in candidates):
        return tuple(candidates)
    if (shown := state_price(hass, entity_id)) is None:
        return tuple(
            candidate
            for candidate in candidates
            if (entry := registry.async_get(candidate)) is not None
            and _holds_forecast_when_enabled(entry)
        )
    if len(candidates) == 1:
        return tuple(candidates)

    def distance(candidate: str) -> float:
        alone = PriceSource(entity_id=candidate, forecast_entities=(candidate,))
        slot = current_slot(read_forecast(hass, alone), now)
        return abs(slot.price_per_kwh - shown) if slot is not None else math.inf

    return (min(candidates, key=distance),)


def state_price(hass: HomeAssistant, entity_id: str) -> float | None:
    """The entity's state as a price per kWh in main currency; None if it is not one."""
    if (found := numeric_state(hass, entity_id)) is None:
        return None
    value, unit_text = found
    unit = parse_price_unit(unit_text)
    return None if unit is None else price_per_kwh(value, unit)


@dataclass(frozen=True, kw_only=True, slots=True)
class UnitMismatch:
    """An entity of the price source whose unit is no price in the site's currency per kWh."""

    problem: PriceUnitProblem
    entity_id: str
    unit: str  # as the entity states it ("-" when it states none)
    currency: str  # the site's: Home Assistant's, which the money figures are in


def unit_mismatch(hass: HomeAssistant, source: PriceSource) -> UnitMismatch | None:
    """The first entity of the source whose price cannot be read in Home Assistant's currency.

    Events state no unit: Octopus Energy's rates are in pounds. A forecast entity without a unit
    is left to its parser; the picked entity without one counts when its state is a number.
    """
    currency = hass.config.currency
    for entity_id in dict.fromkeys((source.entity_id, *source.forecast_entities)):
        if (state := hass.states.get(entity_id)) is None:
            continue
        unit = state.attributes.get(ATTR_UNIT_OF_MEASUREMENT)
        if entity_id.startswith("event."):
            if detect_source(state.attributes) is not TariffSource.OCTOPUS_ENERGY:
                continue
            unit = OCTOPUS_UNIT
        picked_number = entity_id == source.entity_id and numeric_state(hass, entity_id)
        if unit is None and not picked_number:
            continue
        text = unit if isinstance(unit, str) else None
        if (problem := price_unit_problem(text, currency)) is not None:
            return UnitMismatch(
                problem=problem, entity_id=entity_id, unit=text or "-", currency=currency
            )
    return None


@dataclass(frozen=True, kw_only=True, slots=True)
class PriceReading:
    """A site's price at one poll."""

    slots: list[PriceSlot]  # the forecast from today's local midnight on
    current_per_kwh: float | None  # the forecast's slot that holds now, else the entity's state
    known_until: datetime | None  # the end of the unbroken run of slots from now
    forecast_stale: bool  # a forecast that stopped covering now longer than the grace time
    unit_mismatch: UnitMismatch | None = None  # then no price at all: its figures would be wrong


class PriceReader:
    """Reads a site's price source at every poll, keeping its action's forecast between polls."""

    def __init__(self, hass: HomeAssistant, entity_id: str | None) -> None:
        """Nothing is read until the first poll."""
        self._hass = hass
        self._entity_id = entity_id
        self._action: ActionForecast | None = None
        self._uncovered_since: datetime | None = None  # first poll the forecast missed now

    async def async_read(self, now: datetime) -> PriceReading:
        """The forecast and the current price; the exact slot price wherever a forecast has it."""
        if self._entity_id is None:
            return PriceReading(
                slots=[], current_per_kwh=None, known_until=None, forecast_stale=False
            )
        return await self.async_read_source(
            find_price_source(self._hass, self._entity_id, now), now
        )

    async def async_read_source(
        self, source: PriceSource, now: datetime, *, wait: bool = False
    ) -> PriceReading:
        """``async_read`` of a source already found (the options flow shows it too).

        ``wait``: wait for the action's forecast to arrive (the options flow), not just briefly.
        """
        if (mismatch := unit_mismatch(self._hass, source)) is not None:
            self._uncovered_since = None
            return PriceReading(
                slots=[],
                current_per_kwh=None,
                known_until=None,
                forecast_stale=False,
                unit_mismatch=mismatch,
            )
        slots = read_forecast(self._hass, source) or await self._action_slots(source, now, wait)
        today = dt_util.start_of_local_day(dt_util.as_local(now))
        slots = [slot for slot in slots if slot.end > today]  # today's and ahead
        if (slot := current_slot(slots, now)) is not None:
            self._uncovered_since = None
            current: float | None = slot.price_per_kwh
            stale = False
        else:
            if self._uncovered_since is None:
                self._uncovered_since = now
            stale = source.has_forecast and now - self._uncovered_since > FORECAST_GRACE
            current = None if stale else state_price(self._hass, source.entity_id)
        return PriceReading(
            slots=slots,
            current_per_kwh=current,
            known_until=known_until(slots, now),
            forecast_stale=stale,
        )

    async def _action_slots(
        self, source: PriceSource, now: datetime, wait: bool
    ) -> list[PriceSlot]:
        if source.action is None:
            self._action = None
            return []
        if self._action is None or self._action.action != source.action:
            self._action = ActionForecast(self._hass, source.action)
        return await self._action.async_slots(now, wait=wait)


def price_source_placeholders(
    hass: HomeAssistant, source: PriceSource, reading: PriceReading, now: datetime
) -> dict[str, str]:
    """What the options flow shows about a price source it found."""
    registry_entry = er.async_get(hass).async_get(source.entity_id)
    state = hass.states.get(source.entity_id)
    if source.forecast_entities:
        forecast = ", ".join(source.forecast_entities)
    elif source.action is not None:
        forecast = f"{source.action.domain}.{source.action.service}"
    else:
        forecast = "-"
    today = dt_util.as_local(now).date()
    days = [dt_util.as_local(slot.start).date() for slot in reading.slots]
    return {
        "entity": source.entity_id,
        "integration": registry_entry.platform if registry_entry else "-",
        "forecast": forecast,
        "unit": str(state.attributes.get("unit_of_measurement", "-")) if state else "-",
        "today": str(days.count(today)),
        "tomorrow": str(days.count(today + timedelta(days=1))),
        "price": "-" if reading.current_per_kwh is None else f"{reading.current_per_kwh:.5f}",
        "known_until": "-"
        if reading.known_until is None
        else dt_util.as_local(reading.known_until).strftime("%Y-%m-%d %H:%M"),
        "disabled": ", ".join(source.disabled) or "-",
    }


def publishes_all_in(hass: HomeAssistant, source: PriceSource) -> bool:
    """Whether the picked entity's price already includes fees and VAT.

    Tibber's total, Octopus Energy's unit rates incl. VAT, EPEX Spot's total (or, before 4.0.0,
    net) price, and the HACS Nord Pool sensor where its additional costs (the fees its template
    adds) are not 0: by default it adds only its VAT.
    """
    entry = er.async_get(hass).async_get(source.entity_id)
    if entry is None:
        return False
    if entry.platform in {"tibber", "octopus_energy"}:
        return True
    if entry.platform == "epex_spot":
        return entry.unique_id.endswith(("Total Price", "Net Price"))
    state = hass.states.get(source.entity_id)
    if entry.platform != "nordpool" or state is None or "raw_today" not in state.attributes:
        return False
    costs = state.attributes.get("additional_costs_current_hour")
    return isinstance(costs, int | float) and costs != 0
