"""The all-in price through Home Assistant: Spot price, Electricity price and the decisions."""

import logging
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.const import DOMAIN
from sim import Fleet

from .helpers.entities import site_value
from .helpers.site import PLANT, poll, set_plant, setup_plant_site

BERLIN = ZoneInfo("Europe/Berlin")
MIDNIGHT = datetime(2026, 11, 26, tzinfo=BERLIN)
HOUR = timedelta(hours=1)
PRICE = "sensor.spot_price"
# A German household's tariff: a night network tariff, levies and 19 % VAT.
GRID_FEE, NIGHT_FEE, LEVIES, VAT = 0.0825, 0.031, 0.0197, 0.19
TARIFF = {
    "grid_fee": GRID_FEE,
    "levies": LEVIES,
    "vat_percent": VAT * 100,
    "grid_fee_schedule": f"22:00-06:00 {NIGHT_FEE}",
}


def night(moment: datetime) -> bool:
    return not 6 <= moment.astimezone(BERLIN).hour < 22


def spot_at(moment: datetime) -> float:
    """Spot prices of two days: dearer at night, when the grid fee is lower."""
    return 0.10 if night(moment) else 0.08


def all_in(spot: float, moment: datetime) -> float:
    return (spot + (NIGHT_FEE if night(moment) else GRID_FEE) + LEVIES) * (1 + VAT)


def set_price(hass: HomeAssistant, now: datetime) -> None:
    """The spot sensor as the ENTSO-e integration shows it: the hour's price and two days ahead."""
    starts = [MIDNIGHT + hour * HOUR for hour in range(48)]
    hass.states.async_set(
        PRICE,
        str(spot_at(now)),
        {
            "unit_of_measurement": "EUR/kWh",
            "prices": [{"time": str(start), "price": spot_at(start)} for start in starts],
        },
    )


def binary(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    found = er.async_get(hass).async_get_entity_id(
        "binary_sensor", DOMAIN, f"{entry.entry_id}_{key}"
    )
    assert found is not None
    state = hass.states.get(found)
    assert state is not None
    return state.state


def forecast(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> list[dict[str, Any]]:
    found = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{entry.entry_id}_{key}")
    assert found is not None
    state = hass.states.get(found)
    assert state is not None
    slots: list[dict[str, Any]] = state.attributes["forecast"]
    return slots


async def berlin_site(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory, now: datetime, **extra: Any
) -> MockConfigEntry:
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(now)
    set_plant(hass)
    set_price(hass, now)
    entry = await setup_plant_site(hass, fleet.miners[0], {**PLANT, **TARIFF, **extra})
    await poll(hass, entry)
    return entry


async def test_fees_and_vat_change_the_breakeven_decision(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    set_plant(hass)
    hass.states.async_set(PRICE, "0.05", {"unit_of_measurement": "EUR/kWh"})
    entry = await setup_plant_site(hass, fleet.miners[0])
    await poll(hass, entry)
    breakeven = site_value(hass, entry, "breakeven_price")
    assert isinstance(breakeven, float)
    assert binary(hass, entry, "above_breakeven") == "off"
    assert site_value(hass, entry, "electricity_price") == site_value(hass, entry, "spot_price")

    # A grid fee that brings the price to 90 % of the breakeven: still below it.
    fee = 0.9 * breakeven - 0.05
    hass.config_entries.async_update_entry(entry, options={**PLANT, "grid_fee": fee})
    await hass.async_block_till_done()
    await poll(hass, entry)
    assert site_value(hass, entry, "breakeven_price") == pytest.approx(breakeven)
    assert site_value(hass, entry, "electricity_price") == pytest.approx(0.9 * breakeven)
    assert binary(hass, entry, "above_breakeven") == "off"

    # 20 % VAT on top: 108 % of the breakeven, while the spot price has not moved.
    hass.config_entries.async_update_entry(
        entry, options={**PLANT, "grid_fee": fee, "vat_percent": 20}
    )
    await hass.async_block_till_done()
    await poll(hass, entry)
    assert site_value(hass, entry, "spot_price") == 0.05
    assert site_value(hass, entry, "electricity_price") == pytest.approx(1.08 * breakeven)
    assert binary(hass, entry, "above_breakeven") == "on"


@pytest.mark.parametrize(
    "now",
    [
        MIDNIGHT + timedelta(hours=22, minutes=30),  # the night fee
        MIDNIGHT + timedelta(hours=21, minutes=59),  # the last minute of the day fee
        MIDNIGHT + timedelta(days=1, hours=6),  # the first of the next day's
    ],
    ids=["night", "evening", "morning"],
)
async def test_electricity_price_is_spot_plus_fees_times_vat_at_the_current_slot(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory, now: datetime
) -> None:
    entry = await berlin_site(hass, fleet, freezer, now)
    spot = spot_at(now)
    assert site_value(hass, entry, "spot_price") == spot
    assert site_value(hass, entry, "electricity_price") == pytest.approx(all_in(spot, now))


async def test_money_is_counted_at_the_all_in_price(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    now = MIDNIGHT + timedelta(hours=22, minutes=30)
    entry = await berlin_site(hass, fleet, freezer, now)
    freezer.tick(timedelta(seconds=60))
    await poll(hass, entry)
    kwh = site_value(hass, entry, "electricity_energy")
    assert kwh > 0
    cost = site_value(hass, entry, "electricity_cost")
    assert cost == pytest.approx(kwh * all_in(spot_at(now), now), rel=1e-6)
    revenue, heat_kwh = site_value(hass, entry, "revenue"), site_value(hass, entry, "heat_energy")
    net = (cost - revenue) / (heat_kwh / 1000)
    assert site_value(hass, entry, "net_cost_of_heat") == pytest.approx(net, rel=1e-6)


async def test_decisions_compare_all_in_prices(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """At night the spot price is higher but the grid fee lower: all-in, the night is cheapest."""
    now = MIDNIGHT + timedelta(hours=22, minutes=30)
    entry = await berlin_site(hass, fleet, freezer, now, cheap_hours=1)
    assert site_value(hass, entry, "price_rank") == 1
    assert binary(hass, entry, "cheap_now") == "on"

    # Without the adders the same spot prices rank the night last.
    hass.config_entries.async_update_entry(entry, options={**PLANT, "cheap_hours": 1})
    await hass.async_block_till_done()
    await poll(hass, entry)
    day_hours_ahead = 16  # 06:00 to 22:00 tomorrow
    assert site_value(hass, entry, "price_rank") == day_hours_ahead + 1
    assert binary(hass, entry, "cheap_now") == "off"


async def test_forecast_attributes(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    entry = await berlin_site(hass, fleet, freezer, MIDNIGHT + timedelta(hours=13, minutes=5))
    spot, priced = forecast(hass, entry, "spot_price"), forecast(hass, entry, "electricity_price")
    assert len(spot) == len(priced) == 48
    for slot in (*spot, *priced):
        assert set(slot) == {"start", "end", "price"}
        assert isinstance(slot["price"], float)
    # ISO 8601 in Home Assistant's time zone, with its offset, one slot after the other.
    assert spot[0]["start"] == "2026-11-26T00:00:00+01:00"
    assert priced[-1]["end"] == "2026-11-28T00:00:00+01:00"
    for earlier, later in pairwise(priced):
        assert earlier["end"] == later["start"]
    for as_spot, as_priced in zip(spot, priced, strict=True):
        start = datetime.fromisoformat(as_priced["start"])
        assert start.utcoffset() == timedelta(hours=1)
        assert as_spot["start"] == as_priced["start"]
        assert as_spot["price"] == spot_at(start)
        assert as_priced["price"] == pytest.approx(all_in(spot_at(start), start), abs=1e-6)


async def test_an_unavailable_price_is_unknown(
    hass: HomeAssistant,
    fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await berlin_site(hass, fleet, freezer, MIDNIGHT + timedelta(hours=13))
    assert binary(hass, entry, "above_breakeven") in {"on", "off"}
    caplog.clear()
    hass.states.async_set(PRICE, STATE_UNAVAILABLE)
    await poll(hass, entry)
    assert site_value(hass, entry, "spot_price") == "unknown"
    assert site_value(hass, entry, "electricity_price") == "unknown"
    assert binary(hass, entry, "above_breakeven") == "unknown"
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
