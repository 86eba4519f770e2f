"""Miners and options changed while a site is being set up (or reloaded) are never lost.

A hung miner holds the site's first poll open while the change lands; then it drops the
connections it holds (as a miner whose API restarts), which ends the poll.
"""

import asyncio

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr

from custom_components.hashheat.const import CONF_OVER_TEMPERATURE
from custom_components.hashheat.settings import CEILING_MARGIN_K
from sim import Fleet, SimulatedMiner
from sim.turns import until

from .helpers.climate import climate_id
from .helpers.flows import add_miner_flow
from .helpers.site import setup_site, site


def answer_again(miner: SimulatedMiner) -> None:
    """A hung miner comes back: it drops the connections it held and answers from now on."""
    miner.faults.hang = False
    miner.faults.offline = True
    miner.faults.offline = False


@pytest.mark.parametrize("fleet", [3], indirect=True)
async def test_miners_added_while_the_site_reloads_all_become_devices(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    first, second, third = fleet.miners
    entry = await setup_site(hass, first)
    flows = await asyncio.gather(*(add_miner_flow(hass, entry, "manual") for _ in range(2)))

    first.faults.hang = True  # the reload the first addition starts waits on this miner
    added = await hass.config_entries.subentries.async_configure(
        flows[0]["flow_id"], {CONF_HOST: second.host}
    )
    assert added["type"] is FlowResultType.CREATE_ENTRY
    await until(
        lambda: (
            entry.state is ConfigEntryState.SETUP_IN_PROGRESS and first.server.open_connections > 0
        )
    )
    added = await hass.config_entries.subentries.async_configure(
        flows[1]["flow_id"], {CONF_HOST: third.host}
    )
    assert added["type"] is FlowResultType.CREATE_ENTRY
    answer_again(first)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert len(entry.runtime_data.miners) == 3
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert {device.config_subentry_id for device in devices} - {None} == set(entry.subentries)


@pytest.mark.parametrize("fleet", [2], indirect=True)
async def test_options_changed_during_the_first_poll_take_effect(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    healthy, slow = fleet.miners
    entry = site(healthy, slow)
    entry.add_to_hass(hass)
    slow.faults.hang = True
    setup = asyncio.ensure_future(hass.config_entries.async_setup(entry.entry_id))
    await until(lambda: slow.server.open_connections > 0)
    hass.config_entries.async_update_entry(entry, options={CONF_OVER_TEMPERATURE: 60.0})
    answer_again(slow)
    await setup  # then it reloads with the new options
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    loop = hass.states.get(climate_id(hass, entry))
    assert loop is not None
    assert loop.attributes["boost_ceiling"] == 60.0 - CEILING_MARGIN_K
