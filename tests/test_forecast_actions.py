"""Price forecasts from the core Nord Pool and Tibber actions, and a blueprint driven by them.

Neither integration can reach its price service here, so each test registers its action under
the real name with a response in the shape of homeassistant/components/<domain>/services.py.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from sim import Fleet

from .helpers.blueprints import REQUIRED_INPUTS, load_blueprint, substitute
from .helpers.entities import site_state
from .helpers.site import PLANT, poll, set_plant, setup_plant_site

NOW = datetime(2026, 11, 26, 10, 30, tzinfo=UTC)  # 12:30 in Helsinki
HELSINKI_MIDNIGHT = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)
NORDPOOL_PRICE = "sensor.nord_pool_fi_current_price"
TIBBER_PRICE = "sensor.hytta_electricity_price"


def hourly(first: datetime, prices: list[float]) -> list[tuple[datetime, datetime, float]]:
    return [
        (first + timedelta(hours=n), first + timedelta(hours=n + 1), price)
        for n, price in enumerate(prices)
    ]


def today_prices() -> list[float]:
    """EUR/MWh from Helsinki midnight: noon (now) costs 50, 14:00-16:00 costs 20, else 100."""
    prices = [100.0] * 24
    prices[12], prices[14], prices[15] = 50.0, 20.0, 20.0
    return prices


class NordPool:
    """The core Nord Pool integration as far as HashHeat sees it: a price entity and an action."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.entry = MockConfigEntry(domain="nordpool", data={"areas": ["FI"], "currency": "EUR"})
        self.entry.add_to_hass(hass)
        er.async_get(hass).async_get_or_create(
            "sensor",
            "nordpool",
            "FI-current_price",
            config_entry=self.entry,
            suggested_object_id="nord_pool_fi_current_price",
        )
        hass.states.async_set(NORDPOOL_PRICE, "0.05", {"unit_of_measurement": "EUR/kWh"})
        self.days: dict[str, list[float]] = {"2026-11-26": today_prices(), "2026-11-27": []}
        self.calls: list[dict[str, Any]] = []
        self.failing = False
        hass.services.async_register(
            "nordpool",
            "get_prices_for_date",
            self._get_prices_for_date,
            supports_response=SupportsResponse.ONLY,
        )

    async def _get_prices_for_date(self, call: ServiceCall) -> ServiceResponse:
        self.calls.append(dict(call.data))
        if self.failing:
            raise ServiceValidationError(
                translation_domain="nordpool", translation_key="connection_error"
            )
        day = str(call.data["date"])
        first = datetime.fromisoformat(day).replace(tzinfo=UTC) - timedelta(hours=2)
        return {
            area: [
                {"start": start.isoformat(), "end": end.isoformat(), "price": price}
                for start, end, price in hourly(first, self.days.get(day, []))
            ]
            for area in call.data["areas"]
        }


@pytest.fixture
async def helsinki(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    await hass.config.async_set_time_zone("Europe/Helsinki")
    freezer.move_to(NOW)


def rank(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    return site_state(hass, entry, "sensor", "price_rank")


async def nordpool_site(hass: HomeAssistant, fleet: Fleet, **options: Any) -> MockConfigEntry:
    set_plant(hass)
    entry = await setup_plant_site(
        hass, fleet.miners[0], {**PLANT, "electricity_price_entity": NORDPOOL_PRICE, **options}
    )
    await poll(hass, entry)
    return entry


@pytest.mark.usefixtures("helsinki")
async def test_nordpool_forecast_from_its_action(hass: HomeAssistant, fleet: Fleet) -> None:
    nordpool = NordPool(hass)
    entry = await nordpool_site(hass, fleet, cheap_hours=3)

    # Asked for yesterday (Nord Pool's CET day holds local midnight to 01:00 in Helsinki),
    # today and tomorrow (not published yet) in the sensor's area.
    assert nordpool.calls == [
        {"config_entry": nordpool.entry.entry_id, "areas": ["FI"], "date": "2026-11-25"},
        {"config_entry": nordpool.entry.entry_id, "areas": ["FI"], "date": "2026-11-26"},
        {"config_entry": nordpool.entry.entry_id, "areas": ["FI"], "date": "2026-11-27"},
    ]
    # Of the 12 hours left today, noon (50) is the 3rd cheapest after 14:00 and 15:00 (20).
    assert rank(hass, entry) == "3"
    assert site_state(hass, entry, "binary_sensor", "cheap_now") == "on"

    hass.config_entries.async_update_entry(entry, options={**entry.options, "cheap_hours": 2})
    await hass.async_block_till_done()
    await poll(hass, entry)
    assert site_state(hass, entry, "binary_sensor", "cheap_now") == "off"


@pytest.mark.usefixtures("helsinki")
async def test_nordpool_asked_again_until_tomorrow_is_known(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    nordpool = NordPool(hass)
    entry = await nordpool_site(hass, fleet)
    assert len(nordpool.calls) == 3

    freezer.tick(timedelta(minutes=20))
    await poll(hass, entry)
    assert len(nordpool.calls) == 3

    # Tomorrow's prices are out (10 EUR/MWh all day): asked again after 30 min, and the current
    # hour now ranks behind tomorrow's 24 and today's two cheaper hours.
    nordpool.days["2026-11-27"] = [10.0] * 24
    freezer.tick(timedelta(minutes=11))
    await poll(hass, entry)
    assert len(nordpool.calls) == 6
    assert rank(hass, entry) == "27"

    # With tomorrow known, not again until the next day.
    freezer.tick(timedelta(hours=6))
    await poll(hass, entry)
    assert len(nordpool.calls) == 6
    freezer.move_to(datetime(2026, 11, 26, 22, 5, tzinfo=UTC))
    await poll(hass, entry)
    assert [call["date"] for call in nordpool.calls[6:]] == [
        "2026-11-26",
        "2026-11-27",
        "2026-11-28",
    ]


@pytest.mark.usefixtures("helsinki")
async def test_nordpool_failure_keeps_the_last_forecast(
    hass: HomeAssistant,
    fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    nordpool = NordPool(hass)
    nordpool.failing = True
    entry = await nordpool_site(hass, fleet)
    assert rank(hass, entry) == "unknown"
    assert site_state(hass, entry, "sensor", "power") != "unavailable"

    # A failed refresh is tried again after 2 minutes (the price service may still be starting).
    nordpool.failing = False
    freezer.tick(timedelta(minutes=1))
    await poll(hass, entry)
    assert len(nordpool.calls) == 3
    freezer.tick(timedelta(minutes=2))
    await poll(hass, entry)
    assert len(nordpool.calls) == 6
    assert rank(hass, entry) == "3"

    # Tomorrow's prices not out yet, and the service failing: today's forecast stays.
    nordpool.failing = True
    freezer.tick(timedelta(minutes=31))
    await poll(hass, entry)
    assert len(nordpool.calls) == 9
    assert rank(hass, entry) == "3"
    assert "Traceback" not in caplog.text


@pytest.mark.usefixtures("helsinki")
async def test_price_entity_of_an_integration_without_action(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    # A Nord Pool entity whose integration is not loaded (no action): no forecast, no error.
    nordpool_entry = MockConfigEntry(domain="nordpool")
    nordpool_entry.add_to_hass(hass)
    er.async_get(hass).async_get_or_create(
        "sensor",
        "nordpool",
        "FI-current_price",
        config_entry=nordpool_entry,
        suggested_object_id="nord_pool_fi_current_price",
    )
    hass.states.async_set(NORDPOOL_PRICE, "0.05", {"unit_of_measurement": "EUR/kWh"})
    entry = await nordpool_site(hass, fleet)
    assert rank(hass, entry) == "unknown"
    assert site_state(hass, entry, "binary_sensor", "cheap_now") == "unknown"


def tibber_home(hass: HomeAssistant) -> list[dict[str, Any]]:
    """A Tibber price entity on the device of the home "Hytta"; returns the action's calls."""
    tibber_entry = MockConfigEntry(domain="tibber")
    tibber_entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=tibber_entry.entry_id, identifiers={("tibber", "home-1")}, name="Hytta"
    )
    er.async_get(hass).async_get_or_create(
        "sensor",
        "tibber",
        "home-1_price",
        config_entry=tibber_entry,
        device_id=device.id,
        suggested_object_id="hytta_electricity_price",
    )
    hass.states.async_set(TIBBER_PRICE, "0.05", {"unit_of_measurement": "EUR/kWh"})
    calls: list[dict[str, Any]] = []

    def quarter_hours(prices: Callable[[int], float]) -> list[dict[str, Any]]:
        return [
            {
                "start_time": (HELSINKI_MIDNIGHT + timedelta(minutes=15 * n)).isoformat(),
                "price": prices(n),
            }
            for n in range(96)
        ]

    async def get_prices(call: ServiceCall) -> dict[str, Any]:
        calls.append(dict(call.data))
        # Hytta: now (12:30) the cheapest quarter hour but one (12:45 is cheaper). Byen: the dearest.
        hytta = {50: 0.05, 51: 0.04}
        return {
            "prices": {
                "Byen": quarter_hours(lambda n: 0.01 if n != 50 else 0.9),
                "Hytta": quarter_hours(lambda n: hytta.get(n, 0.3)),
            }
        }

    hass.services.async_register(
        "tibber", "get_prices", get_prices, supports_response=SupportsResponse.ONLY
    )
    return calls


@pytest.mark.usefixtures("helsinki")
async def test_tibber_forecast_of_the_price_entity_home(hass: HomeAssistant, fleet: Fleet) -> None:
    calls = tibber_home(hass)
    set_plant(hass)
    entry = await setup_plant_site(
        hass,
        fleet.miners[0],
        {**PLANT, "electricity_price_entity": TIBBER_PRICE, "cheap_hours": 0.5},
    )
    await poll(hass, entry)

    # Today and tomorrow, from local midnight.
    assert calls == [{"start": "2026-11-26T00:00:00+02:00", "end": "2026-11-28T00:00:00+02:00"}]
    assert rank(hass, entry) == "2"
    # Half an hour's cheapest: 12:30 and 12:45.
    assert site_state(hass, entry, "binary_sensor", "cheap_now") == "on"


@pytest.mark.usefixtures("helsinki")
async def test_dynamic_tariff_blueprint_follows_the_nordpool_forecast(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """The cheapest-hours window opens and closes, then a price spike, then a negative price."""
    nordpool = NordPool(hass)
    entry = await nordpool_site(hass, fleet, cheap_hours=2)
    # Tomorrow's prices, published after noon: 30 EUR/MWh from 02:00 to 04:00, else 100; and
    # today's evening as the next fetch gives it: a spike at 17:00, 900 at 18:00, -10 at 19:00.
    nordpool.days["2026-11-27"] = [100.0] * 24
    nordpool.days["2026-11-27"][2:4] = [30.0, 30.0]
    nordpool.days["2026-11-26"][17:20] = [300.0, 900.0, -10.0]
    name = "dynamic_tariff.yaml"
    inputs = {
        **REQUIRED_INPUTS[name],
        "cheap_now": "binary_sensor.boiler_room_cheap_electricity_now",
        "electricity_price": "sensor.boiler_room_electricity_price",
        "normal_target": 50,
        "preheat_target": 65,  # above the 60 °C boost ceiling: lowered to just under it
        "price_ceiling": 0.5,
    }
    config = substitute(load_blueprint(name), name, inputs)
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    loop = "climate.boiler_room_loop"

    async def at(moment: datetime, price_per_kwh: float) -> tuple[str, Any, Any]:
        freezer.move_to(moment)
        hass.states.async_set(
            NORDPOOL_PRICE, str(price_per_kwh), {"unit_of_measurement": "EUR/kWh"}
        )
        await poll(hass, entry)
        state = hass.states.get(loop)
        assert state is not None
        return state.state, state.attributes.get("preset_mode"), state.attributes.get("temperature")

    # 12:30: not among the two cheapest hours ahead (14:00, 15:00): comfort at the normal target.
    await hass.services.async_call(
        "automation", "trigger", {"entity_id": "all", "skip_condition": False}, blocking=True
    )
    assert await at(NOW, 0.05) == ("heat", "comfort", 50)
    # 14:10: the window is open: pre-heat.
    assert await at(NOW + timedelta(minutes=100), 0.02) == ("heat", "boost", 59.5)
    # 16:05: closed again (19:00 and tomorrow night are cheaper than the rest of today).
    assert await at(NOW + timedelta(minutes=215), 0.10) == ("heat", "comfort", 50)
    # A spike above breakeven (0.30 EUR/kWh is more than mining and the heat's value pay).
    assert await at(NOW + timedelta(minutes=275), 0.30) == ("heat", "eco", 50)
    # Above the ceiling: off.
    assert await at(NOW + timedelta(minutes=335), 0.90) == ("off", "eco", 50)
    # A negative price: pre-heat.
    assert await at(NOW + timedelta(minutes=395), -0.01) == ("heat", "boost", 59.5)


@pytest.mark.usefixtures("helsinki")
async def test_a_price_action_that_raises_anything_does_not_stop_the_site(
    hass: HomeAssistant, fleet: Fleet, caplog: pytest.LogCaptureFixture
) -> None:
    """Tibber's action raises AttributeError while its entry is still setting up."""
    nordpool = NordPool(hass)

    async def broken(call: ServiceCall) -> ServiceResponse:
        del call
        raise AttributeError("'MockConfigEntry' object has no attribute 'runtime_data'")

    hass.services.async_register(
        "nordpool", "get_prices_for_date", broken, supports_response=SupportsResponse.ONLY
    )
    entry = await nordpool_site(hass, fleet)
    assert entry.state is ConfigEntryState.LOADED
    assert site_state(hass, entry, "sensor", "power") != "unavailable"
    assert rank(hass, entry) == "unknown"
    assert float(site_state(hass, entry, "sensor", "electricity_price")) == 0.05  # the state
    del nordpool
    assert "Traceback" not in caplog.text
