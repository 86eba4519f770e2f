"""The loop's climate entity and the plant-safety options that control needs."""

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.const import DOMAIN
from sim import SimulatedMiner

from .site import PLANT, poll, set_plant, setup_plant_site

CLIMATE = "climate"
# The plant with its safety interlocks, and no minimum on/off times to wait for.
CONTROL = {
    **PLANT,
    "over_temperature": 60.0,
    "stale_minutes": 5,
    "sensor_fallback": "stop",
    "pump_entity": "binary_sensor.loop_pump",
    "min_on_minutes": 0,
    "min_off_minutes": 0,
    "max_starts_per_day": 12,
}


async def controlled_site(
    hass: HomeAssistant, miners: SimulatedMiner | list[SimulatedMiner], **options: Any
) -> MockConfigEntry:
    """A site under control (plant sensors reporting, the pump on), polled once."""
    set_plant(hass)
    hass.states.async_set("binary_sensor.loop_pump", "on")
    entry = await setup_plant_site(hass, miners, {**CONTROL, **options})
    await poll(hass, entry)
    return entry


def climate_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """The entity id of the site's Loop."""
    entity_id = er.async_get(hass).async_get_entity_id(CLIMATE, DOMAIN, f"{entry.entry_id}_loop")
    assert entity_id is not None
    return entity_id


async def call(hass: HomeAssistant, service: str, entity_id: str, **data: Any) -> None:
    """Call a climate action on ``entity_id`` and wait for it."""
    await hass.services.async_call(
        CLIMATE, service, {"entity_id": entity_id, **data}, blocking=True
    )


def issue(hass: HomeAssistant, entry: MockConfigEntry, name: str) -> ir.IssueEntry | None:
    """The repair issue of one of the site's interlocks, if raised."""
    return ir.async_get(hass).async_get_issue(DOMAIN, f"interlock_{name}_{entry.entry_id}")


async def heat(hass: HomeAssistant, entry: MockConfigEntry, target_c: float = 45.0) -> str:
    """Turn the site's Loop on toward ``target_c`` (far above the plant's return) and poll."""
    loop = climate_id(hass, entry)
    await call(hass, "set_temperature", loop, temperature=target_c)
    await call(hass, "turn_on", loop)
    await poll(hass, entry)
    return loop


async def cap_site(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory, watts: float
) -> None:
    """Cap the site's power at ``watts`` and poll a minute later."""
    cap = er.async_get(hass).async_get_entity_id("number", DOMAIN, f"{entry.entry_id}_power_cap")
    await hass.services.async_call(
        "number", "set_value", {"entity_id": cap, "value": watts}, blocking=True
    )
    freezer.tick(timedelta(minutes=1))
    set_plant(hass)
    await poll(hass, entry)
