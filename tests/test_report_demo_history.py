"""The demo's simulated history, imported as the demo imports it, gives ``hashheat.report`` months.

The plant model's weeks go into the recorder through the websocket command the demo sends; the
report of a past month then totals what the simulation added in that month's local hours.
"""

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.core import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.hashheat.const import DOMAIN
from demo.history import COUNTERS, simulate, statistics
from demo.seed_history import import_command
from sim import Fleet

from .helpers.site import PLANT, poll, set_plant, setup_plant_site

NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Berlin")
IMPORTED = (
    "electricity_energy",
    "heat_energy",
    "grid_hold_time",
    "heat_asked_time",
    "heat_short_time",
    "held_heat_asked_time",
    "held_heat_short_time",
)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must start before Home Assistant, so it comes first here."""


async def test_the_simulated_history_reports_its_months(
    hass: HomeAssistant,
    fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    hass_ws_client: WebSocketGenerator,
) -> None:
    client = await hass_ws_client(hass)  # signed in before the clock moves
    freezer.move_to(NOW)
    await hass.config.async_set_time_zone("Europe/Berlin")
    set_plant(hass)
    entry = await setup_plant_site(hass, fleet.miners[0], PLANT)
    await poll(hass, entry)
    hours = simulate(NOW.replace(minute=0), 36, ZONE)
    registry = er.async_get(hass)
    for key in IMPORTED:
        statistic = COUNTERS[key]
        entity_id = registry.async_get_entity_id("sensor", DOMAIN, f"{entry.entry_id}_{key}")
        assert entity_id is not None
        await client.send_json_auto_id(import_command(entity_id, statistic, statistics(hours, key)))
        assert (await client.receive_json())["success"]
    await async_wait_recording_done(hass)

    response: Any = await hass.services.async_call(
        DOMAIN,
        "report",
        {"config_entry_id": entry.entry_id, "period": "month", "date": "2026-10-15"},
        blocking=True,
        return_response=True,
    )
    october = [h for h in hours if h.start.astimezone(ZONE).month == 10]
    assert len(october) == 31 * 24 + 1
    for field, key in (
        ("electricity_kwh", "electricity_energy"),
        ("heat_kwh", "heat_energy"),
        ("grid_hold_hours", "grid_hold_time"),
        ("heat_short_hours", "heat_short_time"),
    ):
        assert response[field] == pytest.approx(sum(h.added[key] for h in october)), field
    assert response["heat_kwh"] > 1000
    assert response["heat_availability"] >= response["heat_availability_including_grid_holds"]
