"""Site price entities from a price sensor's forecast (ENTSO-e attribute format)."""

from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant

from sim import Fleet

from .helpers.entities import site_state
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
    assert site_state(hass, entry, "sensor", "price_rank") == "2"
    # Only one cheap hour: 13:00, not now.
    assert site_state(hass, entry, "binary_sensor", "cheap_now") == "off"
    # 0.05 EUR/kWh is below what mining plus the heat's value pay.
    assert site_state(hass, entry, "binary_sensor", "above_breakeven") == "off"

    hass.config_entries.async_update_entry(entry, options={**PLANT, "cheap_hours": 2})
    await hass.async_block_till_done()
    await poll(hass, entry)
    assert site_state(hass, entry, "binary_sensor", "cheap_now") == "on"

    # The forecast's slot is the price, whatever the state shows (rounded, averaged, late).
    hass.states.async_set("sensor.spot_price", "3.0", entsoe_attributes(prices))
    await poll(hass, entry)
    assert site_state(hass, entry, "binary_sensor", "above_breakeven") == "off"

    prices[12] = 3.0
    hass.states.async_set("sensor.spot_price", "0.05", entsoe_attributes(prices))
    await poll(hass, entry)
    assert site_state(hass, entry, "binary_sensor", "above_breakeven") == "on"


async def test_no_forecast_is_unknown(hass: HomeAssistant, fleet: Fleet) -> None:
    set_plant(hass)  # a price sensor without a forecast in its attributes
    entry = await setup_plant_site(hass, fleet.miners[0])
    await poll(hass, entry)
    assert site_state(hass, entry, "sensor", "price_rank") == "unknown"
    assert site_state(hass, entry, "binary_sensor", "cheap_now") == "unknown"
