"""A price integration's entities, set up as that integration makes them (from a fixture).

Each fixture in tests/fixtures/price_sources/ was built by reading the integration's own source
at a named release (repository, release and files inside the fixture): its config entry, every
entity it creates for one site with unique id, enabled flag, state and attributes, and its
actions' responses. Disabled entities get a registry entry and no state, as in Home Assistant.
"""

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

FIXTURES = Path(__file__).parent.parent / "fixtures" / "price_sources"
# Attribute lists whose items hold datetime objects in a live Home Assistant (Nord Pool HACS,
# Octopus Energy v9+); JSON keeps them as ISO strings.
_DATETIME_LISTS = ("raw_today", "raw_tomorrow", "rates")


def load(name: str) -> dict[str, Any]:
    """A fixture by file name (without .json)."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def _live(attributes: dict[str, Any]) -> dict[str, Any]:
    live = dict(attributes)
    for key in _DATETIME_LISTS:
        if isinstance(items := live.get(key), list):
            live[key] = [
                {
                    k: datetime.fromisoformat(v)
                    if k in ("start", "end") and isinstance(v, str)
                    else v
                    for k, v in item.items()
                }
                for item in items
            ]
    return live


def install(hass: HomeAssistant, fixture: dict[str, Any]) -> MockConfigEntry:
    """The integration's config entry, devices, entity registry entries, states and actions."""
    config = fixture["config_entry"]
    entry = MockConfigEntry(
        domain=config["domain"],
        title=config.get("title", config["domain"]),
        data=config.get("data", {}),
        options=config.get("options", {}),
        entry_id=config.get("entry_id"),
    )
    entry.add_to_hass(hass)
    devices, entities = dr.async_get(hass), er.async_get(hass)
    for entity in fixture["entities"]:
        device_id = None
        if device := entity.get("device"):
            device_id = devices.async_get_or_create(
                config_entry_id=entry.entry_id,
                identifiers={tuple(pair) for pair in device["identifiers"]},
                name=device.get("name"),
            ).id
        domain, object_id = entity["entity_id"].split(".", 1)
        entities.async_get_or_create(
            domain,
            entity["platform"],
            entity["unique_id"],
            config_entry=entry,
            device_id=device_id,
            suggested_object_id=object_id,
            disabled_by=None
            if entity["enabled_by_default"]
            else er.RegistryEntryDisabler.INTEGRATION,
        )
        if entity["enabled_by_default"]:
            hass.states.async_set(entity["entity_id"], entity["state"], _live(entity["attributes"]))
    for service in {action["service"] for action in fixture.get("actions", [])}:
        _register(hass, fixture, service)
    return entry


def _register(hass: HomeAssistant, fixture: dict[str, Any], service: str) -> None:
    actions = [action for action in fixture["actions"] if action["service"] == service]
    domain = actions[0]["domain"]

    async def respond(call: ServiceCall) -> ServiceResponse:
        # The response of the recorded request for the same day (Nord Pool), else the one that
        # asked for a period (Tibber: today and tomorrow).
        day = call.data.get("date")
        for action in actions:
            if day is not None and str(action["request"].get("date")) == str(day):
                return dict(action["response"])
        return dict(max(actions, key=lambda action: len(action["request"]))["response"])

    hass.services.async_register(domain, service, respond, supports_response=SupportsResponse.ONLY)


def disable(hass: HomeAssistant, entity_id: str) -> None:
    """Disable an entity as a user (or an older release) did: no state any more."""
    er.async_get(hass).async_update_entity(
        entity_id, disabled_by=er.RegistryEntryDisabler.INTEGRATION
    )
    hass.states.async_remove(entity_id)
