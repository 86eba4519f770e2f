"""Fluid sensors a site already has, end to end: real Home Assistant, a simulated LuxOS miner.

A sensor out of its limit for 10 minutes raises its repair with the figures, clears once back;
while it is unavailable its sensor shows unknown and the repair neither rises nor clears.
"""

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.const import DOMAIN
from sim import Fleet

from .helpers.site import PLANT, poll, set_plant, setup_plant_site

WATER = "sensor.oil_water"


def _fluid(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> Any:
    entity_id = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{entry.entry_id}_{key}")
    assert entity_id is not None, key
    state = hass.states.get(entity_id)
    assert state is not None
    return state


async def _minutes(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory, count: int
) -> None:
    for _ in range(count):
        freezer.tick(timedelta(minutes=1))
        set_plant(hass)
        await poll(hass, entry)


def _water(hass: HomeAssistant, percent: str) -> None:
    hass.states.async_set(WATER, percent, {"unit_of_measurement": "%"})


async def test_a_fluid_sensor_out_of_its_limit_raises_its_repair_and_clears(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    set_plant(hass)
    _water(hass, "0.003")  # 30 ppm by mass
    entry = await setup_plant_site(hass, fleet.miners[0], {**PLANT, "fluid_moisture_entity": WATER})
    await poll(hass, entry)
    state = _fluid(hass, entry, "fluid_moisture")
    assert float(state.state) == 30.0
    assert state.attributes["unit_of_measurement"] == "ppm"
    assert state.attributes["high_limit"] == 50.0
    assert state.attributes["status"] == "ok"
    # Only the configured fluid sensors have entities.
    registry = er.async_get(hass)
    assert registry.async_get_entity_id("sensor", DOMAIN, f"{entry.entry_id}_fluid_level") is None

    # 80 ppm: a repair after 10 minutes over the limit, not before.
    issues = ir.async_get(hass)
    issue_id = f"fluid_limit_moisture_{entry.entry_id}"
    _water(hass, "0.008")
    await _minutes(hass, entry, freezer, 9)
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    await _minutes(hass, entry, freezer, 2)
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "fluid_limit_moisture"
    assert issue.translation_placeholders == {
        "site": "Boiler room",
        "entity": WATER,
        "value": "80.0",
        "limit": "50.0",
        "unit": "ppm",
    }
    assert _fluid(hass, entry, "fluid_moisture").attributes["status"] == "warning"

    # Unavailable: unknown, and the repair stays as it was (no raise and clear at every poll).
    hass.states.async_set(WATER, "unavailable")
    await _minutes(hass, entry, freezer, 3)
    state = _fluid(hass, entry, "fluid_moisture")
    assert state.state == "unknown"
    assert state.attributes["status"] is None
    assert issues.async_get_issue(DOMAIN, issue_id) is not None

    # Back under the limit: the repair clears.
    _water(hass, "0.004")
    await _minutes(hass, entry, freezer, 1)
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert _fluid(hass, entry, "fluid_moisture").attributes["status"] == "ok"
