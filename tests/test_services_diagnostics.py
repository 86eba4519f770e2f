"""Site actions and diagnostics, end to end against simulated miners."""

import json
from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.hashheat.const import CONF_MIN_OFF_MINUTES, CONF_MIN_ON_MINUTES, DOMAIN
from custom_components.hashheat.miner_client import MinerClient
from sim import Fleet

from .helpers.site import poll, setup_site

# Protection times off, so the actions' own behaviour shows at once.
UNPROTECTED = {CONF_MIN_ON_MINUTES: 0, CONF_MIN_OFF_MINUTES: 0}


@pytest.mark.parametrize("fleet", [3], indirect=True)
async def test_pause_and_resume_a_site_left_alone(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """With the loop off, a hold stops the miners; its release brings back those it stopped."""
    entry = await setup_site(hass, *fleet.miners, options=UNPROTECTED)
    await hass.services.async_call(
        DOMAIN, "pause_site", {"config_entry_id": entry.entry_id}, blocking=True
    )
    assert all(miner.state.is_sleeping for miner in fleet.miners)
    await hass.services.async_call(
        DOMAIN, "resume_site", {"config_entry_id": entry.entry_id}, blocking=True
    )
    # One at a time (a start per 10 s), not the whole site at once.
    awake = [sum(not miner.state.is_sleeping for miner in fleet.miners)]
    for _ in range(3):
        freezer.tick(timedelta(seconds=15))
        await poll(hass, entry)
        awake.append(sum(not miner.state.is_sleeping for miner in fleet.miners))
    assert awake == [1, 2, 3, 3]


@pytest.mark.parametrize("fleet", [2], indirect=True)
async def test_pause_site_reports_miners_that_refused(hass: HomeAssistant, fleet: Fleet) -> None:
    obedient, stubborn = fleet.miners
    entry = await setup_site(hass, obedient, stubborn, options=UNPROTECTED)
    stubborn.faults.refuse_privileged = True
    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(
            DOMAIN, "pause_site", {"config_entry_id": entry.entry_id}, blocking=True
        )
    assert raised.value.translation_key == "site_command_failed"
    assert raised.value.translation_placeholders == {
        "site": "Boiler room",
        "failed": "1",
        "total": "2",
    }
    assert obedient.state.is_sleeping


async def test_site_actions_validate_the_site(hass: HomeAssistant, fleet: Fleet) -> None:
    entry = await setup_site(hass, fleet.miners[0])
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN, "pause_site", {"config_entry_id": "nope"}, blocking=True
        )
    assert raised.value.translation_key == "site_not_found"
    assert await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN, "resume_site", {"config_entry_id": entry.entry_id}, blocking=True
        )
    assert raised.value.translation_key == "site_not_loaded"
    other = MockConfigEntry(domain="sun")
    other.add_to_hass(hass)
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN, "pause_site", {"config_entry_id": other.entry_id}, blocking=True
        )


@pytest.mark.parametrize("fleet", [2], indirect=True)
async def test_diagnostics_redact_secrets(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, fleet: Fleet
) -> None:
    up, down = fleet.miners
    entry = await setup_site(hass, up, down)
    subentry = next(iter(entry.subentries.values()))
    hass.config_entries.async_update_subentry(
        entry, subentry, data={**subentry.data, "password": "hunter2"}
    )
    await hass.async_block_till_done()
    down.faults.offline = True
    await poll(hass, entry)

    diagnostics: Any = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(diagnostics)
    assert up.identity.mac not in text
    assert "hashheat.sim" not in text
    assert "hunter2" not in text  # the simulator's pool user (wallet/worker)
    by_host = {m["subentry"]["data"]["host"]: m for m in diagnostics["miners"]}
    assert by_host[up.host]["reading"]["power_w"] == up.state.snapshot().watts
    assert by_host[up.host]["pyasic_data"]["wattage"] == up.state.snapshot().watts
    assert by_host[down.host]["reading"] is None
    assert by_host[down.host]["pyasic_data"].startswith("unreachable")
    assert diagnostics["ledger"]["site"]["electricity_kwh"]["total"] >= 0
    wear = diagnostics["health_and_wear"]["wear"]
    assert set(wear["miners"]) == set(entry.runtime_data.miners)
    assert wear["site_starts"] == 0
    assert "exchanger" in diagnostics["health_and_wear"]["health"]
    assert diagnostics["network"]["data"]["height"] == 925_000


@pytest.mark.parametrize("fleet", [3], indirect=True)
async def test_diagnostics_read_miners_within_the_poll_bound(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    fleet: Fleet,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("custom_components.hashheat.coordinator.MAX_CONCURRENT_POLLS", 2)
    entry = await setup_site(hass, *fleet.miners)
    read_raw = MinerClient.raw_data
    reading = most = 0

    async def counted(client: MinerClient) -> dict[str, Any]:
        nonlocal reading, most
        reading += 1
        most = max(most, reading)
        try:
            return await read_raw(client)
        finally:
            reading -= 1

    monkeypatch.setattr(MinerClient, "raw_data", counted)
    diagnostics: Any = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert all(isinstance(miner["pyasic_data"], dict) for miner in diagnostics["miners"])
    assert most == 2  # as many at once as a poll reads, not every miner of the site
