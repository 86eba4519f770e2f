"""End to end: simulated LuxOS miners -> real pyasic -> the site coordinator -> HA sensor states."""

import asyncio

import pytest
from homeassistant.config_entries import ConfigEntryState, ConfigSubentryData
from homeassistant.const import CONF_HOST, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.const import (
    CONF_MAC,
    DOMAIN,
    REDETECT_AFTER_FAILURES,
    SCAN_INTERVAL,
    SUBENTRY_MINER,
)
from sim import Fleet, SimulatedMiner

from .conftest import next_address


def _site(*miners: SimulatedMiner) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="Boiler room",
        subentries_data=[
            ConfigSubentryData(
                data={CONF_HOST: miner.host, CONF_MAC: miner.identity.mac},
                subentry_type=SUBENTRY_MINER,
                title=f"Miner {miner.host}",
                unique_id=miner.identity.mac,
            )
            for miner in miners
        ],
    )


def _entity_id(hass: HomeAssistant, miner: SimulatedMiner, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{miner.identity.mac}_{key}"
    )
    assert entity_id is not None
    return entity_id


def _value(hass: HomeAssistant, entity_id: str) -> float:
    state = hass.states.get(entity_id)
    assert state is not None
    return float(state.state)


async def _refresh(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await entry.runtime_data.async_refresh()
    await hass.async_block_till_done()


async def test_simulated_values_reach_sensor_states(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    entry = _site(miner)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED

    snapshot = miner.state.snapshot()
    assert _value(hass, _entity_id(hass, miner, "power")) == snapshot.watts
    assert _value(hass, _entity_id(hass, miner, "hashrate")) == pytest.approx(
        snapshot.hashrate_ghs / 1000
    )
    power_state = hass.states.get(_entity_id(hass, miner, "power"))
    assert power_state is not None
    assert power_state.attributes["unit_of_measurement"] == "W"
    hashrate_state = hass.states.get(_entity_id(hass, miner, "hashrate"))
    assert hashrate_state is not None
    assert hashrate_state.attributes["unit_of_measurement"] == "TH/s"

    # The miner changes profile (as LuxOS profileset does); after its retune the new power arrives.
    new_profile = miner.state.set_profile("-2")
    await asyncio.sleep(0.8)
    await _refresh(hass, entry)
    assert _value(hass, _entity_id(hass, miner, "power")) == new_profile.watts
    assert _value(hass, _entity_id(hass, miner, "hashrate")) == pytest.approx(
        new_profile.hashrate_ths, rel=1e-3
    )


async def test_each_miner_is_a_device_of_its_subentry(hass: HomeAssistant, fleet: Fleet) -> None:
    entry = _site(*fleet.miners)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    by_subentry = {device.config_subentry_id for device in devices}
    assert by_subentry == set(entry.subentries)
    device = devices[0]
    assert device.connections == {(dr.CONNECTION_NETWORK_MAC, fleet.miners[0].identity.mac)}


@pytest.mark.parametrize("fleet", [2], indirect=True)
async def test_one_dead_miner_leaves_the_others_updating(
    hass: HomeAssistant, fleet: Fleet, caplog: pytest.LogCaptureFixture
) -> None:
    alive, dead = fleet.miners
    entry = _site(alive, dead)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    dead.faults.offline = True
    dead.server.sync()
    for _ in range(REDETECT_AFTER_FAILURES):
        await _refresh(hass, entry)
    (dead_client,) = (c for c in entry.runtime_data.clients.values() if c.host == dead.host)
    # After repeated failures the miner is detected afresh (it may have been replaced).
    assert not dead_client.detected

    dead_power = hass.states.get(_entity_id(hass, dead, "power"))
    assert dead_power is not None
    assert dead_power.state == STATE_UNAVAILABLE
    assert _value(hass, _entity_id(hass, alive, "power")) == alive.state.snapshot().watts
    assert caplog.text.count(f"Miner Miner {dead.host} is unreachable") == 1

    dead.faults.offline = False
    dead.server.sync()
    await _refresh(hass, entry)
    assert _value(hass, _entity_id(hass, dead, "power")) == dead.state.snapshot().watts
    assert f"Miner Miner {dead.host} is reachable again" in caplog.text
    assert dead_client.detected


@pytest.mark.parametrize("fleet", [2], indirect=True)
async def test_a_hung_miner_is_cut_off_by_its_deadline(
    hass: HomeAssistant, fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyasic would wait 100 s on a silent socket; the per-miner deadline bounds the poll."""
    monkeypatch.setattr("custom_components.hashheat.coordinator.MINER_TIMEOUT_SECONDS", 1.0)
    alive, hung = fleet.miners
    entry = _site(alive, hung)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    hung.faults.hang = True
    loop = asyncio.get_running_loop()
    started = loop.time()
    await _refresh(hass, entry)
    assert loop.time() - started < 5
    hung_power = hass.states.get(_entity_id(hass, hung, "power"))
    assert hung_power is not None
    assert hung_power.state == STATE_UNAVAILABLE
    assert _value(hass, _entity_id(hass, alive, "power")) == alive.state.snapshot().watts


async def test_site_not_ready_when_no_miner_answers(hass: HomeAssistant, loopback: None) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Empty tank",
        subentries_data=[
            ConfigSubentryData(
                data={CONF_HOST: next_address(), CONF_MAC: None},
                subentry_type=SUBENTRY_MINER,
                title="Gone",
                unique_id="gone",
            )
        ],
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert "None of the miners of site Empty tank answered" in (entry.reason or "")


async def test_unload_and_subentry_removal(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    entry = _site(miner)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    device_registry = dr.async_get(hass)
    assert dr.async_entries_for_config_entry(device_registry, entry.entry_id)

    (subentry_id,) = entry.subentries
    assert hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert not dr.async_entries_for_config_entry(device_registry, entry.entry_id)

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED  # type: ignore[comparison-overlap]


def test_poll_interval_is_reasonable() -> None:
    assert 5 <= SCAN_INTERVAL.total_seconds() <= 60
