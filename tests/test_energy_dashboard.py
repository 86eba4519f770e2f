"""The energy counters are valid device-consumption sources for HA's Energy dashboard."""

from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.energy import data as energy_data
from homeassistant.components.energy import validate as energy_validate
from homeassistant.components.recorder.core import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)

from custom_components.hashheat.const import DOMAIN
from sim import Fleet

from .helpers.site import PLANT, poll, set_plant, setup_plant_site


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must start before Home Assistant, so it comes first here."""


async def test_energy_counters_validate_as_device_consumption(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    assert await async_setup_component(hass, "energy", {})
    miner = fleet.miners[0]
    set_plant(hass)
    entry = await setup_plant_site(hass, miner, PLANT)
    await poll(hass, entry)
    registry = er.async_get(hass)
    candidates = {
        "miner electricity": f"{miner.identity.mac}_electricity_energy",
        "site electricity": f"{entry.entry_id}_electricity_energy",
        "site heat": f"{entry.entry_id}_heat_energy",
        "a power sensor (control)": f"{entry.entry_id}_power",
    }
    entity_ids = {
        name: registry.async_get_entity_id("sensor", DOMAIN, uid)
        for name, uid in candidates.items()
    }
    assert None not in entity_ids.values()

    # Compile the five-minute statistics of the period the states were recorded in.
    await async_wait_recording_done(hass)
    now = dt_util.utcnow()
    period = now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
    freezer.move_to(period + timedelta(minutes=5, seconds=1))
    do_adhoc_statistics(hass, start=period)
    await async_wait_recording_done(hass)

    manager = await energy_data.async_get_manager(hass)
    await manager.async_update(
        {
            "device_consumption": [
                {"stat_consumption": entity_id} for entity_id in entity_ids.values()
            ]
        }  # type: ignore[typeddict-item]
    )
    result = (await energy_validate.async_validate(hass)).as_dict()
    issues = dict(zip(entity_ids, result["device_consumption"], strict=True))
    assert issues["miner electricity"] == []
    assert issues["site electricity"] == []
    assert issues["site heat"] == []
    # The validator is not lenient: a power sensor is rejected as a consumption source.
    assert issues["a power sensor (control)"] != []
