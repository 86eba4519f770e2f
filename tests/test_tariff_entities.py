"""Site price entities from a price sensor's forecast (ENTSO-e attribute format)."""

from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from custom_components.hashheat.const import DOMAIN
from sim import Fleet

from .helpers.site import PLANT, poll, set_plant, setup_plant_site

NOW = datetime(2026, 11, 26, 12, 30, tzinfo=UTC)


def entsoe_attributes(prices: list[float]) -> dict[str, object]:
    """Hourly prices from midnight UTC, as the ENTSO-e integration publishes them."""
    midnight = NOW.replace(hour=0, minute=0)
    return {
        "unit_of_measurement": "EUR/kWh",
        "prices": [
            {"time": str(midnight + timedelta(hours=hour)), "price": price}
            for hour, price in enumerate(prices)
        ],
    }


def state(hass: HomeAssistant, platform: str, entry_id: str, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{entry_id}_{key}")
    assert entity_id is not None
    found = hass.states.get(entity_id)
    assert found is not None
    return found.state


async def test_rank_cheap_now_and_above_breakeven(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(NOW)
    set_plant(hass)
    # Noon is the 2nd cheapest of the 12 hours ahead (13:00 is cheaper): 0.30 elsewhere.
    prices = [0.30] * 24
    prices[12], prices[13] = 0.05, 0.02
    hass.states.async_set("sensor.spot_price", "0.05", entsoe_attributes(prices))
    entry = await setup_plant_site(hass, fleet.miners[0], {**PLANT, "cheap_hours": 1})
    await poll(hass, entry)
    assert state(hass, "sensor", entry.entry_id, "price_rank") == "2"
    # Only one cheap hour: 13:00, not now.
    assert state(hass, "binary_sensor", entry.entry_id, "cheap_now") == "off"
    # 0.05 EUR/kWh is below what mining plus the heat's value pay.
    assert state(hass, "binary_sensor", entry.entry_id, "above_breakeven") == "off"

    hass.config_entries.async_update_entry(entry, options={**PLANT, "cheap_hours": 2})
    await hass.async_block_till_done()
    await poll(hass, entry)
    assert state(hass, "binary_sensor", entry.entry_id, "cheap_now") == "on"

    # The forecast's slot is the price, whatever the state shows (rounded, averaged, late).
    hass.states.async_set("sensor.spot_price", "3.0", entsoe_attributes(prices))
    await poll(hass, entry)
    assert state(hass, "binary_sensor", entry.entry_id, "above_breakeven") == "off"

    prices[12] = 3.0
    hass.states.async_set("sensor.spot_price", "0.05", entsoe_attributes(prices))
    await poll(hass, entry)
    assert state(hass, "binary_sensor", entry.entry_id, "above_breakeven") == "on"


async def test_no_forecast_is_unknown(hass: HomeAssistant, fleet: Fleet) -> None:
    set_plant(hass)  # a price sensor without a forecast in its attributes
    entry = await setup_plant_site(hass, fleet.miners[0])
    await poll(hass, entry)
    assert state(hass, "sensor", entry.entry_id, "price_rank") == "unknown"
    assert state(hass, "binary_sensor", entry.entry_id, "cheap_now") == "unknown"
