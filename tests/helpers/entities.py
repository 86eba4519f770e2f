"""Find a site's or a miner's entities by their keys, and read their states."""

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.const import DOMAIN
from sim import SimulatedMiner


def entity_id(hass: HomeAssistant, platform: str, miner: SimulatedMiner, key: str) -> str:
    """The entity id of a miner's entity."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{miner.identity.mac}_{key}")
    assert found is not None, f"no {platform} {key} for {miner.host}"
    return found


def state_of(hass: HomeAssistant, platform: str, miner: SimulatedMiner, key: str) -> str:
    """The state of a miner's entity."""
    state = hass.states.get(entity_id(hass, platform, miner, key))
    assert state is not None
    return state.state


def value(hass: HomeAssistant, miner: SimulatedMiner, key: str) -> float:
    """The number a miner's sensor shows."""
    return float(state_of(hass, "sensor", miner, key))


def _sensor(hass: HomeAssistant, unique_id: str) -> Any:
    found = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, unique_id)
    assert found is not None, unique_id
    state = hass.states.get(found)
    assert state is not None
    try:
        return float(state.state)
    except ValueError:
        return state.state


def site_value(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> Any:
    """A site sensor's number, or its state when it shows none (``unknown``)."""
    return _sensor(hass, f"{entry.entry_id}_{key}")


def miner_value(hass: HomeAssistant, miner: SimulatedMiner, key: str) -> Any:
    """A miner sensor's number, or its state when it shows none (``unavailable``)."""
    return _sensor(hass, f"{miner.identity.mac}_{key}")


def site_state(hass: HomeAssistant, entry: MockConfigEntry, platform: str, key: str) -> str:
    """The state of one of the site's own entities, by its description key."""
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{entry.entry_id}_{key}")
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state
