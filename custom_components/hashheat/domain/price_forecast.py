"""Electricity price forecasts from Home Assistant price integrations, normalised to price slots.

Each parser takes the data as Home Assistant exposes it (a price entity's state attributes, or an
action's response) and returns slots sorted by start, without duplicates or overlaps, priced in
main currency units per kWh exactly as the integration has them (see ``price_per_kwh``). A
malformed entry is dropped, a slot listed twice counts once, an entry overlapping an earlier one
is dropped too (the slot kept notes it), and a payload with nothing usable gives an empty list:
nothing here raises on bad data, since a forecast only advises the control loop.
``forecast_quality`` says what is wrong with a forecast, the dropped overlaps too.

Which price a source gives differs: Nord Pool (core), ENTSO-e with its default template and EPEX
Spot's market price sensor give the spot price; the HACS Nord Pool sensor gives the spot price
with VAT and its additional-costs template, rounded to its precision (3 decimals by default);
EPEX Spot's net (before 4.0.0) or total price sensor, Tibber and Octopus Energy give the price
the site pays, taxes included.

Slot times are kept in UTC. Python compares and subtracts two datetimes that share a tzinfo by
their wall-clock fields, which is an hour out across a daylight-saving change; in UTC it is exact.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from operator import attrgetter, itemgetter
from typing import Any, Final

from .price_units import PriceUnit, parse_price_unit, price_per_kwh


@dataclass(frozen=True, kw_only=True, slots=True)
class PriceSlot:
    """One price interval of a forecast: [start, end), both aware, in UTC from the parsers."""

    start: datetime
    end: datetime
    price_per_kwh: float
    # The latest end of the slots dropped for sharing time with this one (not for being the same
    # slot again): ``forecast_quality`` reports them as an overlap. Not part of the slot's value.
    overlapped_until: datetime | None = field(default=None, compare=False)


class TariffSource(StrEnum):
    """The price integrations whose forecasts can be read."""

    NORDPOOL = "nordpool"  # Home Assistant core, nordpool.get_prices_for_date response
    NORDPOOL_CUSTOM = "nordpool_custom"  # HACS custom-components/nordpool sensor attributes
    ENTSOE = "entsoe"  # HACS JaccoR/hass-entso-e average price sensor attributes
    TIBBER = "tibber"  # Home Assistant core, tibber.get_prices response
    EPEX_SPOT = "epex_spot"  # HACS mampfes/ha_epex_spot price sensor attributes
    OCTOPUS_ENERGY = "octopus_energy"  # HACS BottlecapDave/HomeAssistant-OctopusEnergy rates
    GENERIC = "generic"  # any entity with a GENERIC_FORECAST_ATTRIBUTES list, e.g. a template


# Units of the payloads that do not state theirs. The currency does not change the factor; these
# are the integrations' defaults. Nord Pool's action returns the API's per-MWh prices (its sensors
# divide them by 1000 and state "<currency>/kWh"); ENTSO-e defaults to EUR and kWh (its energy
# scale may be set to MWh, which its sensors' unit then states); Tibber prices per kWh.
NORDPOOL_DEFAULT_UNIT: Final = "EUR/MWh"
ENTSOE_DEFAULT_UNIT: Final = "EUR/kWh"
TIBBER_DEFAULT_UNIT: Final = "EUR/kWh"

# ha_epex_spot names the unit in the key. Since 3.0.0 (2024-09, "change to price per kWh instead
# of ct or MWh") entries carry price_per_kwh in "€/kWh" or "£/kWh"; before, the price sensor
# carried both a per-MWh and a per-kWh subunit key, and its net price sensor only the latter.
# Most precise first: the older per-kWh figures were rounded to 3 decimals.
_EPEX_PRICE_UNITS: Final[Mapping[str, str]] = {
    "price_per_kwh": "EUR/kWh",
    "price_eur_per_mwh": "EUR/MWh",
    "price_gbp_per_mwh": "GBP/MWh",
    "price_ct_per_kwh": "ct/kWh",
    "price_pence_per_kwh": "pence/kWh",
}

# Octopus Energy rates: since v9.0.0 (2023-11, breaking change "value_inc_vat and rates to be in
# pounds/pence") each rate of the day-rates event entities' "rates" is {"start", "end",
# "value_inc_vat"} in GBP/kWh; until v8.5 the current-rate sensor's "all_rates" (and the disabled
# events' "rates") passed the API's rates through, {"valid_from", "valid_to", "value_inc_vat"} in
# pence/kWh although that sensor states GBP/kWh. The keys tell the two apart.
OCTOPUS_UNIT: Final = "GBP/kWh"  # Octopus Energy serves Great Britain only
_OCTOPUS_LEGACY_UNIT: Final = "p/kWh"
_OCTOPUS_KEYS: Final = ("rates", "all_rates")

# The generic shape: one of these attributes holds [{"start", "end" or "duration" (minutes),
# "price" or "value"}, ...], prices in the entity's unit; the first attribute holding such
# entries is read.
GENERIC_FORECAST_ATTRIBUTES: Final = ("forecast", "prices", "data", "rates")
_GENERIC_PRICE_KEYS: Final = ("price", "value")
_PER_KWH: Final = PriceUnit(currency=None, per_kwh_factor=1.0)

# A series that gives only starts (ENTSO-e, Tibber) has slots as long as the step to the next
# start; a longer step than this is missing data, not a long slot.
_MAX_INFERRED_SLOT: Final = timedelta(hours=1)
_DEFAULT_SLOT: Final = timedelta(hours=1)

_ENTSOE_KEYS: Final = ("prices_today", "prices_tomorrow", "prices")


def _utc(moment: datetime) -> datetime:
    """The same instant in UTC, so that comparisons and differences are exact."""
    return moment.astimezone(UTC)


def _when(value: object) -> datetime | None:
    """An aware datetime (or ISO 8601 text of one) in UTC; None for anything else."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        if not isinstance(moment, datetime) or moment.utcoffset() is None:
            return None
        return _utc(moment)
    except ValueError, OverflowError:
        return None


def _number(value: object) -> float | None:
    """A finite number; None for anything else (booleans included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _minutes(value: object) -> timedelta | None:
    """A positive number of minutes as a duration; None for anything else."""
    minutes = _number(value)
    if minutes is None or minutes <= 0:
        return None
    try:
        return timedelta(minutes=minutes)
    except OverflowError:
        return None


def _entries(value: object) -> list[Mapping[str, Any]]:
    """The mappings in a list attribute; nothing when it is no list."""
    if not isinstance(value, list | tuple):
        return []
    return [entry for entry in value if isinstance(entry, Mapping)]


def _select(response: Mapping[str, Any], key: str | None) -> object:
    """The value under ``key`` (matched exactly, else ignoring case), or the only one if no key."""
    if key is None:
        return next(iter(response.values())) if len(response) == 1 else None
    if key in response:
        return response[key]
    matches = [
        v for k, v in response.items() if isinstance(k, str) and k.casefold() == key.casefold()
    ]
    return matches[0] if len(matches) == 1 else None


def _slots(intervals: Iterable[tuple[datetime, datetime, float]]) -> list[PriceSlot]:
    """Slots sorted by start; see ``_joined``."""
    return _joined(
        PriceSlot(start=start, end=end, price_per_kwh=price) for start, end, price in intervals
    )


def _joined(slots: Iterable[PriceSlot]) -> list[PriceSlot]:
    """Slots sorted by start, each instant in one slot at most.

    A slot listed again (the same start and end: a day's entity beside the whole forecast, two
    sources of the same day) counts once. A slot sharing time with an earlier-starting one is
    dropped, and the one kept says until when it was overlapped.
    """
    kept: list[PriceSlot] = []
    for slot in sorted(slots, key=attrgetter("start")):
        if slot.end <= slot.start:
            continue
        if not kept or slot.start >= kept[-1].end:
            kept.append(slot)
            continue
        last = kept[-1]
        same = (slot.start, slot.end) == (last.start, last.end)
        ends = [last.overlapped_until, slot.overlapped_until, None if same else slot.end]
        if any(end is not None for end in ends):
            kept[-1] = replace(last, overlapped_until=max(end for end in ends if end is not None))
    return kept


def _slots_from_starts(points: Iterable[tuple[datetime, float]]) -> list[PriceSlot]:
    """Slots from starts alone, each lasting until the next start (hourly, 15-minute or mixed).

    The last slot, and one followed by a gap, last as long as the slot before them (the first
    such as the first known step; an hour when there is only one start).
    """
    prices: dict[datetime, float] = {}
    for start, price in sorted(points, key=itemgetter(0)):
        prices.setdefault(start, price)
    starts = list(prices)
    if not starts:
        return []
    steps: list[timedelta | None] = [
        step if step <= _MAX_INFERRED_SLOT else None
        for step in (later - earlier for earlier, later in pairwise(starts))
    ]
    steps.append(None)
    length = next((step for step in steps if step is not None), _DEFAULT_SLOT)
    slots: list[PriceSlot] = []
    for start, step in zip(starts, steps, strict=True):
        length = step or length
        slots.append(PriceSlot(start=start, end=start + length, price_per_kwh=prices[start]))
    return slots


def _interval(
    entry: Mapping[str, Any], start_key: str, end_key: str, price: object, unit: PriceUnit
) -> tuple[datetime, datetime, float] | None:
    """An entry's interval and price per kWh; None if any of them is missing or malformed."""
    start, end, value = _when(entry.get(start_key)), _when(entry.get(end_key)), _number(price)
    if start is None or end is None or value is None:
        return None
    return start, end, price_per_kwh(value, unit)


def _points(
    entries: Iterable[Mapping[str, Any]], time_key: str, unit: PriceUnit
) -> list[tuple[datetime, float]]:
    """The starts and prices per kWh of the entries that have both."""
    points: list[tuple[datetime, float]] = []
    for entry in entries:
        start, price = _when(entry.get(time_key)), _number(entry.get("price"))
        if start is not None and price is not None:
            points.append((start, price_per_kwh(price, unit)))
    return points


def parse_nordpool(
    response: Mapping[str, Any], *, area: str | None = None, unit: str | None = None
) -> list[PriceSlot]:
    """Read a Home Assistant core ``nordpool.get_prices_for_date`` response.

    The response maps each area to ``[{"start": iso, "end": iso, "price": number}, ...]``
    (homeassistant/components/nordpool/services.py). ``area`` picks one; without it the response
    must hold a single area. ``unit`` is the unit of the response's prices, per MWh by default
    (not the sensors' per-kWh unit). ``nordpool.get_price_indices_for_date`` answers in the same
    shape (hourly averages at its default resolution of 60 minutes).
    """
    price_unit = parse_price_unit(unit or NORDPOOL_DEFAULT_UNIT)
    if price_unit is None:
        return []
    intervals = (
        _interval(entry, "start", "end", entry.get("price"), price_unit)
        for entry in _entries(_select(response, area))
    )
    return _slots(interval for interval in intervals if interval is not None)


def parse_nordpool_custom(
    attributes: Mapping[str, Any], *, unit: str | None = None
) -> list[PriceSlot]:
    """Read the HACS Nord Pool sensor's ``raw_today`` and ``raw_tomorrow`` attributes.

    Each is ``[{"start": datetime, "end": datetime, "value": number or None}, ...]`` (datetimes in
    Home Assistant's time zone), the values already in the sensor's unit: per the ``unit``
    attribute ("kWh", "MWh" or "Wh"), in cents when ``price_in_cents`` is true
    (custom_components/nordpool/sensor.py). ``unit``, if given (the sensor's unit of measurement,
    e.g. "NOK/kWh" or "Øre/kWh"), replaces those attributes. The values include VAT and the
    additional-costs template and are rounded to the sensor's precision, like its state.
    """
    if unit is None:
        energy = attributes.get("unit", "kWh")
        if not isinstance(energy, str):
            return []
        money = "c" if attributes.get("price_in_cents") is True else "EUR"
        unit = f"{money}/{energy}"
    price_unit = parse_price_unit(unit)
    if price_unit is None:
        return []
    entries = [*_entries(attributes.get("raw_today")), *_entries(attributes.get("raw_tomorrow"))]
    intervals = (
        _interval(entry, "start", "end", entry.get("value"), price_unit) for entry in entries
    )
    return _slots(interval for interval in intervals if interval is not None)


def parse_entsoe(attributes: Mapping[str, Any], *, unit: str | None = None) -> list[PriceSlot]:
    """Read the HACS ENTSO-e average price sensor's ``prices_today/_tomorrow`` and ``prices``.

    Each is ``[{"time": str(datetime), "price": number}, ...]`` at the configured period (PT60M
    or PT15M), so slots end at the next time (custom_components/entsoe/coordinator.py). The times
    carry one fixed offset per delivery day ("2026-03-29 03:00:00+01:00" is 04:00 summer time on
    the day the clocks go forward): the offset is what counts, never the wall clock. Only the
    average price sensor has these; the integration's other sensors have no forecast. ``unit`` is
    the sensor's unit of measurement, "EUR/kWh" by default.
    """
    price_unit = parse_price_unit(unit or ENTSOE_DEFAULT_UNIT)
    if price_unit is None:
        return []
    entries = (entry for key in _ENTSOE_KEYS for entry in _entries(attributes.get(key)))
    return _slots_from_starts(_points(entries, "time", price_unit))


def parse_tibber(
    response: Mapping[str, Any], *, home: str | None = None, unit: str | None = None
) -> list[PriceSlot]:
    """Read a Home Assistant core ``tibber.get_prices`` response.

    The response is ``{"prices": {"<home name>": [{"start_time": iso, "price": number}, ...]}}``
    with total prices per kWh in the home's currency (homeassistant/components/tibber/
    services.py); slots end at the next start. The sensor's state is the same price rounded to
    3 decimals. ``home`` picks one home, else there must be one.
    """
    price_unit = parse_price_unit(unit or TIBBER_DEFAULT_UNIT)
    homes = response.get("prices")
    if price_unit is None or not isinstance(homes, Mapping):
        return []
    return _slots_from_starts(_points(_entries(_select(homes, home)), "start_time", price_unit))


def parse_epex_spot(attributes: Mapping[str, Any]) -> list[PriceSlot]:
    """Read the HACS EPEX Spot price sensors' ``data`` attribute.

    ``[{"start_time": iso, "end_time": iso, "price_per_kwh": number}, ...]``, or before 3.0.0
    ``price_eur_per_mwh``/``price_ct_per_kwh`` (``price_gbp_per_mwh``/``price_pence_per_kwh``
    for Great Britain) in place of ``price_per_kwh`` (custom_components/epex_spot/sensor.py).
    Yesterday, today and, once published, tomorrow. The rank and quantile sensors' ``data``
    (today's slots ordered by price, with a rank or quantile but no price) is no forecast and
    gives no slots.
    """
    intervals: list[tuple[datetime, datetime, float]] = []
    for entry in _entries(attributes.get("data")):
        key = next((key for key in _EPEX_PRICE_UNITS if key in entry), None)
        price_unit = None if key is None else parse_price_unit(_EPEX_PRICE_UNITS[key])
        if key is None or price_unit is None:
            continue
        if interval := _interval(entry, "start_time", "end_time", entry[key], price_unit):
            intervals.append(interval)
    return _slots(intervals)


def parse_octopus_energy(attributes: Mapping[str, Any]) -> list[PriceSlot]:
    """Read Octopus Energy's half-hourly rates, VAT included.

    Since v9.0.0 the previous/current/next day rates event entities' ``rates``: ``[{"start":
    datetime, "end": datetime, "value_inc_vat": GBP per kWh}, ...]``, one day each (``[]`` for
    tomorrow until it is published; ``merge_forecasts`` joins the days). Until v8.5 the current
    rate sensor's ``all_rates`` (yesterday to tomorrow) and the disabled events' ``rates``:
    ``valid_from``/``valid_to`` (UTC) and pence per kWh (utils/__init__.py,
    private_rates_to_public_rates, and _docs/entities/electricity.md).
    """
    intervals: list[tuple[datetime, datetime, float]] = []
    for key in _OCTOPUS_KEYS:
        for entry in _entries(attributes.get(key)):
            if "start" in entry or "end" in entry:
                start_key, end_key, unit = "start", "end", OCTOPUS_UNIT
            else:
                start_key, end_key, unit = "valid_from", "valid_to", _OCTOPUS_LEGACY_UNIT
            price_unit = parse_price_unit(unit)
            price = entry.get("value_inc_vat")
            if price_unit is not None and (
                interval := _interval(entry, start_key, end_key, price, price_unit)
            ):
                intervals.append(interval)
    return _slots(intervals)


def _is_generic(entry: Mapping[str, Any]) -> bool:
    """Whether an entry has the generic shape's keys (not whether their values are usable)."""
    return (
        "start" in entry
        and ("end" in entry or "duration" in entry)
        and any(key in entry for key in _GENERIC_PRICE_KEYS)
    )


def _generic_entries(attributes: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The entries of the first generic forecast attribute; nothing when there is none."""
    for key in GENERIC_FORECAST_ATTRIBUTES:
        entries = _entries(attributes.get(key))
        if any(_is_generic(entry) for entry in entries):
            return entries
    return []


def _generic_interval(
    entry: Mapping[str, Any], unit: PriceUnit
) -> tuple[datetime, datetime, float] | None:
    """A generic entry's interval and price per kWh; None if malformed."""
    start = _when(entry.get("start"))
    if entry.get("end") is not None:
        end = _when(entry["end"])
    else:
        duration = _minutes(entry.get("duration"))
        end = None if start is None or duration is None else start + duration
    price = next((_number(entry[key]) for key in _GENERIC_PRICE_KEYS if key in entry), None)
    if start is None or end is None or price is None:
        return None
    return start, end, price_per_kwh(price, unit)


def parse_generic(attributes: Mapping[str, Any], *, unit: str | None = None) -> list[PriceSlot]:
    """Read the generic forecast shape, e.g. a template sensor's or HashHeat's own.

    The first of ``GENERIC_FORECAST_ATTRIBUTES`` that holds ``[{"start": iso or datetime, "end":
    iso or datetime, "price": number}, ...]`` is read; ``duration`` (minutes) may stand for
    ``end`` and ``value`` for ``price``. Times need an offset. Prices are in ``unit``, the
    entity's unit of measurement, main currency per kWh when it has none.
    """
    price_unit = _PER_KWH if unit is None else parse_price_unit(unit)
    if price_unit is None:
        return []
    intervals = (_generic_interval(entry, price_unit) for entry in _generic_entries(attributes))
    return _slots(interval for interval in intervals if interval is not None)


def merge_forecasts(*forecasts: Iterable[PriceSlot]) -> list[PriceSlot]:
    """One forecast from several (e.g. Octopus Energy's day entities, Nord Pool's days).

    As the parsers do: sorted, in UTC, a slot in two of them counted once, and a slot overlapping
    an earlier-starting one dropped (the kept one says so, for ``forecast_problems``).
    """
    return _joined(
        replace(
            slot,
            start=_utc(slot.start),
            end=_utc(slot.end),
            overlapped_until=None if slot.overlapped_until is None else _utc(slot.overlapped_until),
        )
        for forecast in forecasts
        for slot in forecast
    )


def parse_forecast(
    source: TariffSource,
    data: Mapping[str, Any],
    *,
    unit: str | None = None,
    key: str | None = None,
) -> list[PriceSlot]:
    """Read a forecast from ``source``'s attributes or action response.

    ``unit`` states the prices' unit where the payload does not (Nord Pool's action, ENTSO-e,
    Tibber, the generic shape) and overrides the HACS Nord Pool sensor's ``unit``/
    ``price_in_cents``; EPEX Spot and Octopus Energy name theirs. ``key`` picks the area (Nord
    Pool) or home (Tibber) in a response that holds several.
    """
    match source:
        case TariffSource.NORDPOOL:
            slots = parse_nordpool(data, area=key, unit=unit)
        case TariffSource.NORDPOOL_CUSTOM:
            slots = parse_nordpool_custom(data, unit=unit)
        case TariffSource.ENTSOE:
            slots = parse_entsoe(data, unit=unit)
        case TariffSource.TIBBER:
            slots = parse_tibber(data, home=key, unit=unit)
        case TariffSource.EPEX_SPOT:
            slots = parse_epex_spot(data)
        case TariffSource.OCTOPUS_ENERGY:
            slots = parse_octopus_energy(data)
        case TariffSource.GENERIC:
            slots = parse_generic(data, unit=unit)
    return slots


def _is_octopus(attributes: Mapping[str, Any], key: str) -> bool:
    """Whether ``key`` holds Octopus Energy rates: a list beside a tariff, or rates with VAT."""
    return isinstance(attributes.get(key), list) and (
        "tariff_code" in attributes
        or "tariff" in attributes
        or any("value_inc_vat" in entry for entry in _entries(attributes.get(key)))
    )


def detect_source(attributes: Mapping[str, Any]) -> TariffSource | None:
    """Which integration's forecast a price entity's state attributes hold, if any.

    The integrations' own layouts first, then the generic shape.
    """
    if isinstance(attributes.get("raw_today"), list):
        return TariffSource.NORDPOOL_CUSTOM
    if isinstance(attributes.get("prices_today"), list) or any(
        "time" in entry for entry in _entries(attributes.get("prices"))
    ):
        return TariffSource.ENTSOE
    if any(
        "start_time" in entry and any(key in entry for key in _EPEX_PRICE_UNITS)
        for entry in _entries(attributes.get("data"))
    ):
        return TariffSource.EPEX_SPOT
    if any(_is_octopus(attributes, key) for key in _OCTOPUS_KEYS):
        return TariffSource.OCTOPUS_ENERGY
    if _generic_entries(attributes):
        return TariffSource.GENERIC
    return None


def current_slot(slots: Iterable[PriceSlot], now: datetime) -> PriceSlot | None:
    """The slot ``now`` falls in; None when the forecast does not cover it."""
    moment = _utc(now)
    return next(
        (slot for slot in slots if _utc(slot.start) <= moment < _utc(slot.end)),
        None,
    )


def first_gap(slots: Iterable[PriceSlot]) -> datetime | None:
    """Where the slots first stop before the next one starts (None: they are unbroken)."""
    return next((a.end for a, b in pairwise(slots) if b.start != a.end), None)


def slots_ahead(slots: Iterable[PriceSlot], now: datetime) -> list[PriceSlot]:
    """The known slots from now on: the current one and those after it."""
    moment = _utc(now)
    return [slot for slot in slots if _utc(slot.end) > moment]


def rank_of_current(slots: Iterable[PriceSlot], now: datetime) -> tuple[int, int] | None:
    """The current slot's price rank among the known slots from now on, and how many there are.

    Rank 1 is the cheapest, and equal prices share the better rank; None when no slot covers now.
    """
    ahead = slots_ahead(slots, now)
    current = current_slot(ahead, now)
    if current is None:
        return None
    cheaper = sum(slot.price_per_kwh < current.price_per_kwh for slot in ahead)
    return cheaper + 1, len(ahead)


def cheapest_hours(slots: Iterable[PriceSlot], now: datetime, hours: float) -> set[datetime]:
    """Starts (in UTC) of the cheapest known slots from now on that together cover ``hours``.

    The current slot counts for what is left of it. Slots are taken cheapest first (earlier first
    among equals) until ``hours`` are covered, so the last may overshoot; every slot is taken
    when the horizon is shorter than ``hours``, and none when ``hours`` is not positive.
    """
    if not hours > 0:
        return set()
    moment = _utc(now)
    needed = hours * 3600
    covered = 0.0
    chosen: set[datetime] = set()
    for slot in sorted(
        slots_ahead(slots, now), key=lambda slot: (slot.price_per_kwh, _utc(slot.start))
    ):
        if covered >= needed:
            break
        chosen.add(_utc(slot.start))
        covered += (_utc(slot.end) - max(_utc(slot.start), moment)).total_seconds()
    return chosen


def is_cheap_now(slots: Iterable[PriceSlot], now: datetime, hours: float) -> bool | None:
    """Whether the current slot is among the cheapest ``hours`` ahead; None when none covers now."""
    ahead = slots_ahead(slots, now)
    current = current_slot(ahead, now)
    if current is None:
        return None
    return _utc(current.start) in cheapest_hours(ahead, now, hours)


def above(price: float | None, threshold: float | None) -> bool | None:
    """Whether a price is strictly above a threshold; None when either is unknown."""
    if price is None or threshold is None:
        return None
    if not (math.isfinite(price) and math.isfinite(threshold)):
        return None
    return price > threshold
