"""Price forecasts from the price integrations' payloads, and the figures derived from them."""

import copy
import dataclasses
import json
import math
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.hashheat.domain.price_forecast import (
    PriceSlot,
    TariffSource,
    above,
    cheapest_hours,
    current_slot,
    detect_source,
    is_cheap_now,
    parse_entsoe,
    parse_epex_spot,
    parse_forecast,
    parse_nordpool,
    parse_nordpool_custom,
    parse_octopus_energy,
    parse_tibber,
    rank_of_current,
)

FIXTURES = Path(__file__).parent / "fixtures" / "tariffs"

HOUR = timedelta(hours=1)
QUARTER = timedelta(minutes=15)
HALF_HOUR = timedelta(minutes=30)
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def load(name: str) -> dict[str, Any]:
    """A fixture payload, as Home Assistant would hand it over (datetimes as ISO text)."""
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def utc(text: str) -> datetime:
    """An ISO time, in UTC."""
    return datetime.fromisoformat(text).astimezone(UTC)


def series(start: datetime, step: timedelta, prices: list[float]) -> list[PriceSlot]:
    """Consecutive slots of one length."""
    return [
        PriceSlot(start=start + i * step, end=start + (i + 1) * step, price_per_kwh=price)
        for i, price in enumerate(prices)
    ]


def lengths(slots: list[PriceSlot]) -> set[timedelta]:
    """The distinct slot lengths."""
    return {slot.end - slot.start for slot in slots}


def assert_well_formed(slots: list[PriceSlot]) -> None:
    """Sorted, in UTC, non-empty slots that do not overlap."""
    for slot in slots:
        assert slot.start.utcoffset() == timedelta(0)
        assert slot.end > slot.start
    for earlier, later in pairwise(slots):
        assert earlier.end <= later.start


# --- Home Assistant core Nord Pool: nordpool.get_prices_for_date --------------------------------


def test_nordpool_action_hourly_per_mwh() -> None:
    # The response of Home Assistant's own service test (SE3, 2024-11-05, per MWh).
    slots = parse_nordpool(load("nordpool_get_prices_for_date.json"))
    assert len(slots) == 24
    assert_well_formed(slots)
    assert lengths(slots) == {HOUR}
    assert slots[0].start == utc("2024-11-04T23:00:00+00:00")
    assert slots[-1].end == utc("2024-11-05T23:00:00+00:00")
    assert slots[0].price_per_kwh == pytest.approx(0.25073)  # 250.73 / 1000
    assert slots[17].price_per_kwh == pytest.approx(2.51265)  # 2512.65 / 1000, the 17:00 peak


@pytest.mark.parametrize(
    ("unit", "first_price"),
    [
        (None, 0.25073),
        ("SEK/MWh", 0.25073),
        ("EUR/MWh", 0.25073),
        ("SEK/kWh", 250.73),  # the caller says the prices are per kWh
        ("öre/kWh", 2.5073),  # 250.73 öre = 2.5073 SEK
    ],
)
def test_nordpool_action_unit(unit: str | None, first_price: float) -> None:
    slots = parse_nordpool(load("nordpool_get_prices_for_date.json"), unit=unit)
    assert slots[0].price_per_kwh == pytest.approx(first_price)


def test_nordpool_action_unusable_unit() -> None:
    assert parse_nordpool(load("nordpool_get_prices_for_date.json"), unit="lbs/MWh") == []


def test_nordpool_action_15_minutes_two_areas() -> None:
    response = load("nordpool_get_prices_for_date_15min.json")
    assert parse_nordpool(response) == []  # two areas and none chosen
    finland = parse_nordpool(response, area="FI")
    assert len(finland) == 8
    assert_well_formed(finland)
    assert lengths(finland) == {QUARTER}
    assert finland[0].start == utc("2025-09-30T21:00:00+00:00")
    assert finland[0].price_per_kwh == pytest.approx(0.05231)  # 52.31 EUR/MWh
    estonia = parse_nordpool(response, area="ee")  # areas are upper case; a lower-case one matches
    assert estonia[0].price_per_kwh == pytest.approx(0.06102)
    assert parse_nordpool(response, area="SE3") == []


def test_nordpool_action_empty_area() -> None:
    # What Home Assistant answers when Nord Pool has nothing for the date.
    assert parse_nordpool({"SE3": []}) == []


# --- HACS Nord Pool (custom-components/nordpool) ------------------------------------------------


def test_nordpool_custom_attributes() -> None:
    slots = parse_nordpool_custom(load("nordpool_custom_no1.json"))
    assert len(slots) == 24
    assert_well_formed(slots)
    assert lengths(slots) == {HOUR}
    assert slots[0].start == utc("2024-11-04T23:00:00+00:00")  # 00:00 in Oslo
    assert slots[0].price_per_kwh == pytest.approx(0.853)  # NOK/kWh as shown
    assert slots[17].price_per_kwh == pytest.approx(1.503)


def test_nordpool_custom_in_cents() -> None:
    # price_in_cents: the sensor multiplies by 100 (NOK -> øre); 85.3 øre/kWh = 0.853 NOK/kWh.
    attributes = load("nordpool_custom_no1.json")
    for entry in attributes["raw_today"]:
        entry["value"] = round(entry["value"] * 100, 1)
    attributes["price_in_cents"] = True
    slots = parse_nordpool_custom(attributes)
    assert slots[0].price_per_kwh == pytest.approx(0.853)
    assert parse_nordpool_custom(attributes, unit="Øre/kWh") == slots
    attributes["price_in_cents"] = False  # the sensor's unit, when given, wins over attributes
    assert parse_nordpool_custom(attributes, unit="Øre/kWh") == slots


@pytest.mark.parametrize(
    ("energy", "value", "expected"),
    [("kWh", 0.853, 0.853), ("MWh", 853.0, 0.853), ("Wh", 0.000853, 0.853)],
)
def test_nordpool_custom_price_type(energy: str, value: float, expected: float) -> None:
    attributes = load("nordpool_custom_no1.json")
    attributes["unit"] = energy
    attributes["raw_today"][0]["value"] = value
    assert parse_nordpool_custom(attributes)[0].price_per_kwh == pytest.approx(expected)


@pytest.mark.parametrize("energy", [5, None, "furlongs"])
def test_nordpool_custom_unusable_unit(energy: object) -> None:
    attributes = load("nordpool_custom_no1.json")
    attributes["unit"] = energy
    assert parse_nordpool_custom(attributes) == []


def test_nordpool_custom_datetimes_and_missing_values() -> None:
    # In Home Assistant the attributes hold datetimes, and None where Nord Pool sent no price.
    oslo = ZoneInfo("Europe/Oslo")
    day = datetime(2024, 11, 6, tzinfo=oslo)
    attributes = load("nordpool_custom_no1.json")
    attributes["raw_tomorrow"] = [
        {"start": day + i * HOUR, "end": day + (i + 1) * HOUR, "value": value}
        for i, value in enumerate([0.75, None, 0.71])
    ]
    slots = parse_nordpool_custom(attributes)
    assert len(slots) == 26
    assert slots[24].start == utc("2024-11-05T23:00:00+00:00")
    assert slots[25].start == utc("2024-11-06T01:00:00+00:00")
    assert slots[25].price_per_kwh == pytest.approx(0.71)


# --- ENTSO-e (JaccoR/hass-entso-e) --------------------------------------------------------------


def test_entsoe_hourly_today_and_tomorrow() -> None:
    slots = parse_entsoe(load("entsoe_hourly.json"))
    assert len(slots) == 48  # "prices" repeats today and tomorrow: counted once
    assert_well_formed(slots)
    assert lengths(slots) == {HOUR}  # the last one as long as the one before
    assert slots[0].start == utc("2024-11-04T23:00:00+00:00")
    assert slots[0].price_per_kwh == pytest.approx(0.10231)
    assert slots[-1].end == utc("2024-11-06T23:00:00+00:00")


def test_entsoe_15_minutes_per_mwh() -> None:
    # Energy scale MWh: the sensor's unit says so, and the caller passes it on.
    slots = parse_entsoe(load("entsoe_15min.json"), unit="EUR/MWh")
    assert len(slots) == 8
    assert lengths(slots) == {QUARTER}
    assert slots[0].start == utc("2025-09-30T22:00:00+00:00")
    assert slots[0].price_per_kwh == pytest.approx(0.09812)  # 98.12 / 1000
    assert slots[-1].end == utc("2025-10-01T00:00:00+00:00")


def test_entsoe_mixed_resolution_and_gap() -> None:
    # Hourly, then quarter-hourly (ENTSO-e's BE mix), then a missing hour before the last start.
    times = ["10:00", "11:00", "11:15", "11:30", "11:45", "14:00"]
    attributes = {
        "prices_today": [
            {"time": f"2025-06-01 {time}:00+02:00", "price": 0.1 + i / 100}
            for i, time in enumerate(times)
        ]
    }
    slots = parse_entsoe(attributes)
    assert [(slot.end - slot.start) for slot in slots] == [HOUR] + [QUARTER] * 5
    assert slots[-2].end == utc("2025-06-01T12:00:00+02:00")
    assert slots[-1].start == utc("2025-06-01T14:00:00+02:00")  # the gap stays a gap


def test_entsoe_unusable_unit() -> None:
    assert parse_entsoe(load("entsoe_hourly.json"), unit="EUR") == []


def test_entsoe_single_time_lasts_an_hour() -> None:
    slots = parse_entsoe({"prices": [{"time": "2025-06-01 10:00:00+02:00", "price": 0.2}]})
    assert lengths(slots) == {HOUR}


def test_entsoe_gap_after_first_time() -> None:
    # A slot followed by a gap takes the length of the first known step.
    attributes = {
        "prices_today": [
            {"time": f"2025-06-01 {time}:00+00:00", "price": 0.2}
            for time in ["08:00", "10:00", "10:15"]
        ]
    }
    assert [(slot.end - slot.start) for slot in parse_entsoe(attributes)] == [QUARTER] * 3


# --- Tibber: tibber.get_prices ------------------------------------------------------------------


def test_tibber_homes() -> None:
    response = load("tibber_get_prices.json")
    assert parse_tibber(response) == []  # two homes and none chosen
    home = parse_tibber(response, home="Hjem")
    assert len(home) == 8
    assert_well_formed(home)
    assert lengths(home) == {QUARTER}
    assert home[0].start == utc("2025-11-03T23:00:00+00:00")
    assert home[0].price_per_kwh == pytest.approx(1.2345)
    assert home[-1].end == utc("2025-11-04T02:00:00+01:00")
    cabin = parse_tibber(response, home="Hytta")
    assert lengths(cabin) == {HOUR}
    assert [slot.price_per_kwh for slot in cabin] == [0.4521, 0.4387, 0.4299]


def test_tibber_single_home_and_unit() -> None:
    response = load("tibber_get_prices.json")
    del response["prices"]["Hjem"]
    assert len(parse_tibber(response)) == 3
    assert parse_tibber(response, unit="öre/kWh")[0].price_per_kwh == pytest.approx(0.004521)


# --- EPEX Spot (mampfes/ha_epex_spot) -----------------------------------------------------------


def test_epex_spot_price_per_kwh() -> None:
    slots = parse_epex_spot(load("epex_spot_market_price.json"))
    assert len(slots) == 10
    assert_well_formed(slots)
    assert lengths(slots) == {HOUR}
    assert slots[0].start == utc("2024-11-04T23:00:00+00:00")
    assert slots[0].price_per_kwh == pytest.approx(0.10862)


def test_epex_spot_before_3_0_0() -> None:
    # Both keys: the per-MWh one, unrounded, is read: 108.62 EUR/MWh = 0.10862 EUR/kWh.
    attributes = load("epex_spot_v2_price.json")
    slots = parse_epex_spot(attributes)
    assert [slot.price_per_kwh for slot in slots] == pytest.approx(
        [0.10862, 0.10231, 0.09876, 0.09542]
    )
    # The old net price sensor carried only ct/kWh: 10.862 ct = 0.10862 EUR.
    for entry in attributes["data"]:
        del entry["price_eur_per_mwh"]
    assert parse_epex_spot(attributes)[0].price_per_kwh == pytest.approx(0.10862)


@pytest.mark.parametrize(
    ("key", "value"), [("price_gbp_per_mwh", 95.5), ("price_pence_per_kwh", 9.55)]
)
def test_epex_spot_great_britain_before_3_0_0(key: str, value: float) -> None:
    attributes = {
        "data": [
            {
                "start_time": "2024-11-05T00:00:00+00:00",
                "end_time": "2024-11-05T01:00:00+00:00",
                key: value,
            }
        ]
    }
    assert parse_epex_spot(attributes)[0].price_per_kwh == pytest.approx(0.0955)


# --- Octopus Energy (BottlecapDave/HomeAssistant-OctopusEnergy) ---------------------------------


def test_octopus_energy_rates_in_pounds() -> None:
    slots = parse_octopus_energy(load("octopus_current_day_rates.json"))
    assert len(slots) == 6
    assert_well_formed(slots)
    assert lengths(slots) == {HALF_HOUR}
    assert slots[0].start == utc("2024-11-05T00:00:00+00:00")
    assert slots[0].price_per_kwh == pytest.approx(0.151221)  # GBP/kWh as given


def test_octopus_energy_v8_rates_in_pence() -> None:
    slots = parse_octopus_energy(load("octopus_v8_rates.json"))
    assert len(slots) == 4
    assert slots[0].price_per_kwh == pytest.approx(0.151221)  # 15.1221 p/kWh
    assert slots[0].end == utc("2024-11-05T00:30:00+00:00")


# --- Dispatch and detection ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "fixture", "kwargs", "count"),
    [
        (TariffSource.NORDPOOL, "nordpool_get_prices_for_date.json", {}, 24),
        (TariffSource.NORDPOOL, "nordpool_get_prices_for_date_15min.json", {"key": "EE"}, 8),
        (TariffSource.NORDPOOL_CUSTOM, "nordpool_custom_no1.json", {}, 24),
        (TariffSource.ENTSOE, "entsoe_hourly.json", {}, 48),
        (TariffSource.ENTSOE, "entsoe_15min.json", {"unit": "EUR/MWh"}, 8),
        (TariffSource.TIBBER, "tibber_get_prices.json", {"key": "Hytta"}, 3),
        (TariffSource.EPEX_SPOT, "epex_spot_market_price.json", {}, 10),
        (TariffSource.EPEX_SPOT, "epex_spot_v2_price.json", {}, 4),
        (TariffSource.OCTOPUS_ENERGY, "octopus_current_day_rates.json", {}, 6),
        (TariffSource.OCTOPUS_ENERGY, "octopus_v8_rates.json", {}, 4),
    ],
)
def test_parse_forecast(
    source: TariffSource, fixture: str, kwargs: dict[str, str], count: int
) -> None:
    slots = parse_forecast(source, load(fixture), **kwargs)
    assert len(slots) == count
    assert_well_formed(slots)


def test_parse_forecast_passes_the_unit() -> None:
    response = load("nordpool_get_prices_for_date.json")
    slots = parse_forecast(TariffSource.NORDPOOL, response, unit="SEK/kWh")
    assert slots[0].price_per_kwh == pytest.approx(250.73)


@pytest.mark.parametrize(
    ("fixture", "source"),
    [
        ("nordpool_custom_no1.json", TariffSource.NORDPOOL_CUSTOM),
        ("entsoe_hourly.json", TariffSource.ENTSOE),
        ("entsoe_15min.json", TariffSource.ENTSOE),
        ("epex_spot_market_price.json", TariffSource.EPEX_SPOT),
        ("epex_spot_v2_price.json", TariffSource.EPEX_SPOT),
        ("octopus_current_day_rates.json", TariffSource.OCTOPUS_ENERGY),
        ("octopus_v8_rates.json", TariffSource.OCTOPUS_ENERGY),
    ],
)
def test_detect_source(fixture: str, source: TariffSource) -> None:
    assert detect_source(load(fixture)) is source


@pytest.mark.parametrize(
    ("attributes", "source"),
    [
        ({}, None),
        ({"unit_of_measurement": "EUR/kWh", "friendly_name": "Price"}, None),
        ({"prices": [{"start": "x"}]}, None),  # a "prices" list, but not ENTSO-e's
        ({"prices": [{"time": "2025-06-01 10:00:00+02:00", "price": 0.2}]}, TariffSource.ENTSOE),
        ({"prices_today": [], "prices_tomorrow": []}, TariffSource.ENTSOE),
        # EPEX Spot's volume sensors share the "data" attribute, without a price.
        ({"data": [{"start_time": "x", "end_time": "y", "buy_volume_mwh": 1.0}]}, None),
        ({"rates": [], "tariff_code": "E-1R-AGILE-24-10-01-C"}, TariffSource.OCTOPUS_ENERGY),
        ({"rates": []}, None),
        ({"raw_today": "junk"}, None),
    ],
)
def test_detect_source_others(attributes: dict[str, Any], source: TariffSource | None) -> None:
    assert detect_source(attributes) is source


# --- Garbage ------------------------------------------------------------------------------------

GOOD = {"start": "2025-06-01T10:00:00+00:00", "end": "2025-06-01T11:00:00+00:00", "price": 50.0}


@pytest.mark.parametrize(
    "entry",
    [
        None,
        "2025-06-01T12:00:00+00:00",
        42,
        [],
        {},
        {**GOOD, "start": "2025-06-01T12:00:00+00:00", "price": None},
        {**GOOD, "start": "2025-06-01T12:00:00+00:00", "price": "50"},
        {**GOOD, "start": "2025-06-01T12:00:00+00:00", "price": True},
        {**GOOD, "start": "2025-06-01T12:00:00+00:00", "price": math.nan},
        {**GOOD, "start": "2025-06-01T12:00:00+00:00", "price": math.inf},
        {**GOOD, "start": "2025-06-01T12:00:00+00:00", "price": 10**400},
        {**GOOD, "start": "not a time"},
        {**GOOD, "start": "2025-06-01T12:00:00"},  # naive: which zone?
        {**GOOD, "start": datetime(2025, 6, 1, 12)},  # noqa: DTZ001 - naive on purpose
        {**GOOD, "start": 1748772000},
        {**GOOD, "start": "2025-06-01T12:00:00+00:00", "end": "2025-06-01T12:00:00+00:00"},
        {**GOOD, "start": "2025-06-01T12:00:00+00:00", "end": "2025-06-01T11:30:00+00:00"},
        {"start": "2025-06-01T12:00:00+00:00", "end": "2025-06-01T13:00:00+00:00"},
        {**GOOD, "price": 60.0},  # the same start again: the first one stays
        {**GOOD, "start": "2025-06-01T10:30:00+00:00"},  # overlaps the good one
    ],
)
def test_garbage_entry_dropped(entry: object) -> None:
    slots = parse_nordpool({"SE3": [GOOD, entry]})
    assert len(slots) == 1
    assert (slots[0].start, slots[0].end) == (utc(str(GOOD["start"])), utc(str(GOOD["end"])))
    assert slots[0].price_per_kwh == pytest.approx(0.05)


@pytest.mark.parametrize(
    "entry",
    [
        None,
        {"time": "yesterday", "price": 0.2},
        {"time": "2025-06-01 12:00:00", "price": 0.2},
        {"time": "2025-06-01 12:00:00+00:00", "price": "0.2"},
        {"time": "2025-06-01 12:00:00+00:00"},
        {"price": 0.2},
    ],
)
def test_garbage_time_entry_dropped(entry: object) -> None:
    good = {"time": "2025-06-01 10:00:00+00:00", "price": 0.2}
    assert len(parse_entsoe({"prices_today": [good, entry]})) == 1
    if isinstance(entry, dict):  # Tibber names the time "start_time"
        entry = {("start_time" if key == "time" else key): value for key, value in entry.items()}
    tibber = {"prices": {"Home": [{"start_time": good["time"], "price": 0.2}, entry]}}
    assert len(parse_tibber(tibber)) == 1


@pytest.mark.parametrize(
    ("source", "payload"),
    [
        (TariffSource.NORDPOOL, {}),
        (TariffSource.NORDPOOL, {"SE3": "junk"}),
        (TariffSource.NORDPOOL, {"SE3": [1, 2, 3]}),
        (TariffSource.NORDPOOL, {3: []}),
        (TariffSource.NORDPOOL_CUSTOM, {}),
        (TariffSource.NORDPOOL_CUSTOM, {"raw_today": None, "raw_tomorrow": 7}),
        (TariffSource.ENTSOE, {"prices_today": {"time": "x"}}),
        (TariffSource.TIBBER, {}),
        (TariffSource.TIBBER, {"prices": [1, 2]}),
        (TariffSource.TIBBER, {"prices": {"Home": None}}),
        (TariffSource.EPEX_SPOT, {"data": "junk"}),
        (TariffSource.EPEX_SPOT, {"data": [{"start_time": "x", "end_time": "y"}]}),
        (TariffSource.EPEX_SPOT, {"data": [{"start_time": "x", "price_per_kwh": 0.1}]}),
        (TariffSource.OCTOPUS_ENERGY, {"rates": None}),
        (TariffSource.OCTOPUS_ENERGY, {"rates": [{"start": "x", "value_inc_vat": 0.1}]}),
        (TariffSource.OCTOPUS_ENERGY, {"rates": [{"valid_from": "2024-11-05T00:00:00Z"}]}),
    ],
)
def test_unusable_payload(source: TariffSource, payload: dict[Any, Any]) -> None:
    assert parse_forecast(source, payload) == []


# --- Derived figures: worked examples -----------------------------------------------------------

TEN = datetime(2025, 6, 2, 10, tzinfo=UTC)
# 10:00 0.30, 11:00 0.10, 12:00 0.20, 13:00 0.10, 14:00 0.40 (each an hour, until 15:00).
DAY = series(TEN, HOUR, [0.30, 0.10, 0.20, 0.10, 0.40])


def hour(h: int, minute: int = 0) -> datetime:
    """A time on the worked examples' day."""
    return TEN.replace(hour=h, minute=minute)


def test_current_slot() -> None:
    assert current_slot(DAY, hour(10, 30)) == DAY[0]
    assert current_slot(DAY, hour(11)) == DAY[1]  # a slot includes its start
    assert current_slot(DAY, hour(14, 59)) == DAY[4]
    assert current_slot(DAY, hour(15)) is None  # expired
    assert current_slot(DAY, hour(9, 59)) is None  # not yet begun
    assert current_slot([], hour(10)) is None
    # Any zone will do for now: 12:30 in Stockholm (summer time) is 10:30 UTC.
    assert current_slot(DAY, hour(10, 30).astimezone(STOCKHOLM)) == DAY[0]


@pytest.mark.parametrize(
    ("now", "rank"),
    [
        (hour(10, 30), (4, 5)),  # 0.30: 0.10, 0.10 and 0.20 are cheaper, among five
        (hour(11, 15), (1, 4)),  # 0.10: the cheapest, shared with 13:00, among four
        (hour(12, 59), (2, 3)),  # 0.20: only 13:00's 0.10 is cheaper, among three
        (hour(13), (1, 2)),
        (hour(14, 30), (1, 1)),  # the last known slot
        (hour(15), None),  # expired
        (hour(9), None),  # no slot covers now
    ],
)
def test_rank_of_current(now: datetime, rank: tuple[int, int] | None) -> None:
    assert rank_of_current(DAY, now) == rank


def test_rank_of_empty_forecast() -> None:
    assert rank_of_current([], hour(10)) is None


@pytest.mark.parametrize(
    ("now", "hours", "starts"),
    [
        # Cheapest first: 11:00 (0.10), 13:00 (0.10), 12:00 (0.20), 10:00 (0.30), 14:00 (0.40).
        (hour(10, 30), 1, {11}),
        (hour(10, 30), 2, {11, 13}),
        (hour(10, 30), 2.5, {11, 12, 13}),  # the last slot taken may overshoot
        # Half of the 10:00 slot is left: 11, 13 and 12 cover 3 h, 10:00 the last 0.5 h.
        (hour(10, 30), 3.5, {10, 11, 12, 13}),
        (hour(10, 30), 4, {10, 11, 12, 13, 14}),
        (hour(10, 30), 24, {10, 11, 12, 13, 14}),  # longer than the known horizon: all of it
        (hour(10, 30), math.inf, {10, 11, 12, 13, 14}),
        # Only a quarter of the 11:00 slot is left, so 13:00 is needed to make up an hour.
        (hour(11, 45), 1, {11, 13}),
        (hour(12), 1, {13}),  # past slots do not count
        (hour(10, 30), 0, set()),
        (hour(10, 30), -1, set()),
        (hour(10, 30), math.nan, set()),
        (hour(15), 3, set()),  # expired
    ],
)
def test_cheapest_hours(now: datetime, hours: float, starts: set[int]) -> None:
    assert cheapest_hours(DAY, now, hours) == {hour(h) for h in starts}


@pytest.mark.parametrize(
    ("now", "hours", "cheap"),
    [
        (hour(10, 30), 2, False),
        (hour(10, 30), 3.5, True),
        (hour(11, 30), 1, True),
        (hour(12, 30), 1, False),
        (hour(12, 30), 2, True),
        (hour(10, 30), 0, False),
        (hour(15), 2, None),
        (hour(9), 2, None),
    ],
)
def test_is_cheap_now(now: datetime, hours: float, cheap: bool | None) -> None:
    assert is_cheap_now(DAY, now, hours) is cheap


def test_is_cheap_now_empty() -> None:
    assert is_cheap_now([], hour(10), 3) is None


def test_ties_go_to_the_earlier_slot() -> None:
    flat = series(TEN, HOUR, [0.2, 0.2, 0.2])
    assert cheapest_hours(flat, hour(10), 2) == {hour(10), hour(11)}


def test_quarter_hours() -> None:
    # 10:00-11:00 in quarters: 0.20, 0.15, 0.25, 0.05.
    quarters = series(TEN, QUARTER, [0.20, 0.15, 0.25, 0.05])
    assert cheapest_hours(quarters, hour(10), 0.5) == {hour(10, 45), hour(10, 15)}
    assert rank_of_current(quarters, hour(10, 5)) == (3, 4)
    assert is_cheap_now(quarters, hour(10, 20), 0.5) is True
    # At 10:35 only 10 minutes of 0.25 and the 0.05 quarter are left: half an hour takes both.
    assert is_cheap_now(quarters, hour(10, 35), 0.5) is True
    assert is_cheap_now(quarters, hour(10, 35), 0.25) is False


def test_mixed_hour_and_quarter_slots() -> None:
    # An hourly slot at 0.20, then 11:00-12:00 in quarters: 0.15, 0.25, 0.05, 0.30.
    mixed = [*series(TEN, HOUR, [0.20]), *series(hour(11), QUARTER, [0.15, 0.25, 0.05, 0.30])]
    assert cheapest_hours(mixed, hour(10), 0.5) == {hour(11, 30), hour(11)}
    # 0.05 and 0.15 cover half an hour; the hourly 0.20 makes it 1.5 h.
    assert cheapest_hours(mixed, hour(10), 1) == {hour(11, 30), hour(11), hour(10)}
    assert rank_of_current(mixed, hour(10)) == (3, 5)
    assert is_cheap_now(mixed, hour(10), 1) is True
    assert is_cheap_now(mixed, hour(10), 0.5) is False


@pytest.mark.parametrize(
    ("price", "threshold", "result"),
    [
        (0.30, 0.20, True),
        (0.20, 0.20, False),  # strictly above
        (0.10, 0.20, False),
        (-0.05, -0.10, True),  # negative prices happen
        (None, 0.20, None),
        (0.20, None, None),
        (None, None, None),
        (math.nan, 0.20, None),
        (0.20, math.inf, None),
    ],
)
def test_above(price: float | None, threshold: float | None, result: bool | None) -> None:
    assert above(price, threshold) is result


# --- Daylight saving time -----------------------------------------------------------------------

# Stockholm: 2025-03-30 runs 23 hours (02:00 becomes 03:00), 2025-10-26 25 hours (03:00 -> 02:00).
SPRING = datetime(2025, 3, 29, 23, tzinfo=UTC)  # midnight in Stockholm
AUTUMN = datetime(2025, 10, 25, 22, tzinfo=UTC)


def local_hours(midnight_utc: datetime, count: int) -> list[datetime]:
    """Consecutive hour starts from a local midnight, as Home Assistant's local datetimes."""
    return [(midnight_utc + i * HOUR).astimezone(STOCKHOLM) for i in range(count)]


def test_nordpool_action_23_hour_day() -> None:
    response = {
        "SE3": [
            {
                "start": (SPRING + i * HOUR).isoformat(),
                "end": (SPRING + (i + 1) * HOUR).isoformat(),
                "price": 40.0 + i,
            }
            for i in range(23)
        ]
    }
    slots = parse_nordpool(response)
    assert len(slots) == 23
    assert lengths(slots) == {HOUR}
    assert slots[-1].end - slots[0].start == timedelta(hours=23)
    assert [slot.start.astimezone(STOCKHOLM).hour for slot in slots[:4]] == [0, 1, 3, 4]


def test_nordpool_custom_local_datetimes_23_and_25_hour_days() -> None:
    # Home Assistant hands over local datetimes sharing one tzinfo; Python subtracts and compares
    # those by wall clock, so the parser must go through UTC.
    for midnight, count in ((SPRING, 23), (AUTUMN, 25)):
        starts = local_hours(midnight, count + 1)
        attributes = {
            "unit": "kWh",
            "price_in_cents": False,
            "raw_today": [
                {"start": start, "end": end, "value": 0.5} for start, end in pairwise(starts)
            ],
        }
        slots = parse_nordpool_custom(attributes)
        assert len(slots) == count
        assert lengths(slots) == {HOUR}
        assert slots[-1].end - slots[0].start == timedelta(hours=count)


def test_entsoe_25_hour_day() -> None:
    # The integration's times are str() of fixed-offset datetimes: 02:00+02:00, then 02:00+01:00.
    times = [
        start.astimezone(timezone(start.utcoffset() or HOUR)) for start in local_hours(AUTUMN, 25)
    ]
    prices = [0.2] * 25
    prices[2], prices[3] = 0.05, 0.06  # the two 02:00 hours are the cheapest
    attributes = {
        "prices_today": [{"time": str(t), "price": p} for t, p in zip(times, prices, strict=True)]
    }
    assert attributes["prices_today"][2]["time"] == "2025-10-26 02:00:00+02:00"
    assert attributes["prices_today"][3]["time"] == "2025-10-26 02:00:00+01:00"
    slots = parse_entsoe(attributes)
    assert len(slots) == 25
    assert lengths(slots) == {HOUR}
    first_two = datetime(2025, 10, 26, 2, 30, tzinfo=STOCKHOLM)  # fold 0: summer time
    second_two = first_two.replace(fold=1)  # the repeated hour, winter time
    assert current_slot(slots, first_two) == slots[2]
    assert current_slot(slots, second_two) == slots[3]
    assert cheapest_hours(slots, AUTUMN, 2) == {
        utc("2025-10-26T00:00:00Z"),
        utc("2025-10-26T01:00:00Z"),
    }
    assert rank_of_current(slots, second_two) == (1, 22)
    assert is_cheap_now(slots, first_two, 2) is True


def test_tibber_quarter_hours_on_a_25_hour_day() -> None:
    starts = [(AUTUMN + i * QUARTER).astimezone(STOCKHOLM) for i in range(100)]
    response = {
        "prices": {
            "Hem": [
                {"start_time": start.isoformat(timespec="milliseconds"), "price": 1.0}
                for start in starts
            ]
        }
    }
    slots = parse_tibber(response)
    assert len(slots) == 100
    assert lengths(slots) == {QUARTER}
    assert slots[-1].end == AUTUMN + timedelta(hours=25)


def test_cheapest_hours_in_local_slots_across_dst() -> None:
    # Slots built by hand in local time (one shared tzinfo) are measured in UTC too.
    starts = local_hours(AUTUMN, 26)
    slots = [
        PriceSlot(start=start, end=end, price_per_kwh=1.0 if i != 3 else 0.1)
        for i, (start, end) in enumerate(pairwise(starts))
    ]
    # The repeated 02:00 (winter time) is cheapest; one hour of it covers one hour.
    assert cheapest_hours(slots, AUTUMN, 1) == {utc("2025-10-26T01:00:00Z")}
    assert current_slot(slots, datetime(2025, 10, 26, 2, 30, tzinfo=STOCKHOLM, fold=1)) == slots[3]


def test_price_slot_is_frozen() -> None:
    slot = DAY[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        slot.price_per_kwh = 1.0  # type: ignore[misc]
    assert copy.replace(slot, price_per_kwh=1.0).price_per_kwh == 1.0
