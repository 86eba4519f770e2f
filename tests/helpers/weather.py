"""Weather entities of real core integrations: met on a recorded-shape payload, template weather."""

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.met.coordinator import URL as MET_URL
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from .mempool import mock_mempool

MET = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "weather" / "met__2026.10.4.json").read_text(
        encoding="utf-8"
    )
)
MET_ENTITY = str(MET["entities"][0]["entity_id"])
MET_NOW = datetime.fromisoformat(MET["now"])


def met_temperatures() -> dict[datetime, float]:
    """The payload's air temperature by time (UTC)."""
    return {
        datetime.fromisoformat(step["time"]): step["data"]["instant"]["details"]["air_temperature"]
        for step in MET["payload"]["properties"]["timeseries"]
    }


def serve_met(aioclient_mock: AiohttpClientMocker, payload: Any = None, status: int = 200) -> None:
    """met.no answering met's request for the fixture's home (only with its parameters).

    Every answer is registered again (the mocker clears them all), the mempool API's too.
    """
    clear: Callable[[], None] = aioclient_mock.clear_requests  # the mocker is untyped
    get: Callable[..., None] = aioclient_mock.get
    clear()
    mock_mempool(aioclient_mock)
    get(
        MET_URL,
        params=MET["request"]["params"],
        json=MET["payload"] if payload is None else payload,
        status=status,
    )


async def setup_met(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> MockConfigEntry:
    """The met entry onboarding creates (tracking the home), at the fixture's time and place."""
    freezer.move_to(MET_NOW)
    await hass.config.async_set_time_zone(MET["time_zone"])
    hass.config.latitude = MET["home"]["latitude"]
    hass.config.longitude = MET["home"]["longitude"]
    hass.config.elevation = MET["home"]["elevation"]
    hass.config.location_name = MET["config_entry"]["title"]
    serve_met(aioclient_mock)
    entry = MockConfigEntry(
        domain="met",
        title=MET["config_entry"]["title"],
        data=MET["config_entry"]["data"],
        version=MET["config_entry"]["version"],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def setup_template_weather(hass: HomeAssistant, weather: dict[str, Any]) -> None:
    """One template weather entity, its templates given in ``weather``."""
    config = {"condition": "cloudy", "temperature": "{{ 5 }}", "humidity": "{{ 70 }}", **weather}
    assert await async_setup_component(hass, "template", {"template": [{"weather": [config]}]})
    await hass.async_block_till_done()
