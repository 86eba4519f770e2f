"""Site flow, miner subentry flows, network scan and DHCP, against simulated miners."""

import asyncio
from typing import Any
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import (
    SOURCE_DHCP,
    SubentryFlowResult,
)
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from pyasic.miners.factory import miner_factory
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.hashheat.config_flow import NEW_SITE, _at_least
from custom_components.hashheat.const import (
    CONF_CAPABILITIES,
    CONF_MAC,
    CONF_MINERS,
    CONF_MODEL,
    CONF_SITE,
    CONF_SUBNET,
    DOMAIN,
    MIN_SCAN_SECONDS,
    SUBENTRY_MINER,
)
from sim import Fleet, start_fleet

from .helpers.addresses import next_address, reserve_subnet
from .helpers.flows import add_miner_flow, dhcp_info, site_with, start_site_flow
from .helpers.miners import FAST_SIM


async def test_create_site_with_first_miner(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    result = await start_site_flow(hass, "Boiler room", f" {miner.host} ")
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Boiler room"
    entry = result["result"]
    (subentry,) = entry.subentries.values()
    assert subentry.subentry_type == SUBENTRY_MINER
    assert subentry.data[CONF_HOST] == miner.host
    assert subentry.data[CONF_MAC] == miner.identity.mac
    assert subentry.unique_id == miner.identity.mac
    assert subentry.data[CONF_MODEL] == "S19 XP"
    capabilities = subentry.data[CONF_CAPABILITIES]
    assert capabilities["power_control"] == "presets"
    assert [watts for _, watts in capabilities["power_steps"]] == sorted(
        profile.watts for profile in miner.state.model.profiles()
    )
    assert capabilities["can_pause"] is True
    assert miner.host in subentry.title


async def test_nothing_answers_then_recovers(hass: HomeAssistant, fleet: Fleet) -> None:
    result = await start_site_flow(hass, "Loop", next_address())
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Loop", CONF_HOST: fleet.miners[0].host}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_blank_site_name_gets_the_default(hass: HomeAssistant, fleet: Fleet) -> None:
    result = await start_site_flow(hass, "  ", fleet.miners[0].host)
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Heating loop"


async def test_miner_already_in_a_site_aborts(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    # Same MAC under an old address: the miner moved, it is still the same miner.
    site_with((next_address(), miner.identity.mac)).add_to_hass(hass)
    result = await start_site_flow(hass, "Loop", miner.host)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_a_scan_lasts_long_enough_for_the_frontend_to_follow_it(
    freezer: FrozenDateTimeFactory,
) -> None:
    # The frontend subscribes to the flow's progress only after showing the progress step.
    worked = asyncio.Event()

    async def quick() -> str:
        worked.set()
        return "found"

    scan = asyncio.ensure_future(_at_least(0.2, quick()))
    await worked.wait()
    freezer.tick(0.19)
    await asyncio.sleep(0)
    assert not scan.done()  # the work is done, the minimum is not
    freezer.tick(0.02)
    assert await scan == "found"

    # Work that takes longer than the minimum is not made longer.
    started = asyncio.Event()

    async def slow() -> str:
        started.set()
        await asyncio.sleep(0.1)
        return "slow"

    scan = asyncio.ensure_future(_at_least(0.0, slow()))
    await started.wait()
    freezer.tick(0.09)
    await asyncio.sleep(0)
    assert not scan.done()
    freezer.tick(0.02)
    assert await scan == "slow"


async def _scan(  # a config or a subentry flow result
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    flow_id: str,
    subnet: str,
    *,
    subentry: bool = False,
) -> Any:
    manager = hass.config_entries.subentries if subentry else hass.config_entries.flow
    result = await manager.async_configure(flow_id, {CONF_SUBNET: subnet})
    if result["type"] is FlowResultType.SHOW_PROGRESS:
        # The scan shows its progress for at least MIN_SCAN_SECONDS: time moves past them.
        await asyncio.sleep(0)  # the scan and its minimum have started
        freezer.tick(MIN_SCAN_SECONDS)
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        result = await manager.async_configure(flow_id)
    return result


async def test_empty_address_scans_and_creates_site_with_chosen_miners(
    hass: HomeAssistant, loopback: None, freezer: FrozenDateTimeFactory
) -> None:
    subnet = reserve_subnet()
    hosts = [str(host) for host in subnet.hosts()]
    async with start_fleet(count=3, first_address=hosts[0], **FAST_SIM) as found:
        result = await start_site_flow(hass, "Scanned loop", "")
        assert result["type"] is FlowResultType.FORM
        assert result["step_id"] == "scan"

        result = await _scan(hass, freezer, result["flow_id"], str(subnet))
        assert result["type"] is FlowResultType.FORM
        assert result["step_id"] == "pick"
        assert result["description_placeholders"]["found"] == "3"

        chosen = [found.miners[0].host, found.miners[2].host]
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_MINERS: chosen}
        )
        await hass.async_block_till_done()
        assert result["type"] is FlowResultType.CREATE_ENTRY
        entry = result["result"]
        assert sorted(s.data[CONF_HOST] for s in entry.subentries.values()) == sorted(chosen)


async def test_a_scan_detects_each_miner_once(
    hass: HomeAssistant, loopback: None, freezer: FrozenDateTimeFactory
) -> None:
    subnet = reserve_subnet()
    hosts = [str(host) for host in subnet.hosts()]
    async with start_fleet(count=3, first_address=hosts[0], **FAST_SIM):
        with patch.object(miner_factory, "get_miner", wraps=miner_factory.get_miner) as detect:
            result = await start_site_flow(hass, "Scanned loop", "")
            result = await _scan(hass, freezer, result["flow_id"], str(subnet))
            assert result["step_id"] == "pick"
            # The scan's own detection of each miner is reused for what the pick form offers.
            assert sorted(str(call.args[0]) for call in detect.call_args_list) == sorted(hosts[:3])


async def test_scan_marks_configured_miners_and_aborts_when_nothing_new(
    hass: HomeAssistant, loopback: None, freezer: FrozenDateTimeFactory
) -> None:
    subnet = reserve_subnet()
    first = str(next(subnet.hosts()))
    async with start_fleet(count=1, first_address=first, **FAST_SIM) as found:
        site_with((first, found.miners[0].identity.mac)).add_to_hass(hass)
        result = await start_site_flow(hass, "Loop", "")
        result = await _scan(hass, freezer, result["flow_id"], str(subnet))
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "no_miners_found"
        assert first in result["description_placeholders"]["configured"]


async def test_add_miner_by_address(hass: HomeAssistant, fleet: Fleet) -> None:
    entry = site_with((next_address(), "02:00:00:00:00:01"))
    entry.add_to_hass(hass)
    miner = fleet.miners[0]

    result = await add_miner_flow(hass, entry, "manual")
    assert result["step_id"] == "manual"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_HOST: "256.1.1.1"}
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_HOST: next_address()}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_HOST: miner.host}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    added = [s for s in entry.subentries.values() if s.data[CONF_HOST] == miner.host]
    assert len(added) == 1
    assert added[0].unique_id == miner.identity.mac


async def test_add_miner_already_configured_by_host(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    entry = site_with((miner.host, None))
    entry.add_to_hass(hass)
    result = await add_miner_flow(hass, entry, "manual")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_HOST: miner.host}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_add_several_miners_from_a_scan(
    hass: HomeAssistant, loopback: None, freezer: FrozenDateTimeFactory
) -> None:
    subnet = reserve_subnet()
    hosts = [str(host) for host in subnet.hosts()]
    async with start_fleet(count=3, first_address=hosts[0], **FAST_SIM) as found:
        entry = site_with((hosts[0], found.miners[0].identity.mac))
        entry.add_to_hass(hass)
        result = await add_miner_flow(hass, entry, "scan")
        result = await _scan(hass, freezer, result["flow_id"], str(subnet), subentry=True)
        assert result["step_id"] == "pick"
        assert result["description_placeholders"]["found"] == "2"
        assert hosts[0] in result["description_placeholders"]["configured"]
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {CONF_MINERS: [hosts[1], hosts[2]]}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert sorted(s.data[CONF_HOST] for s in entry.subentries.values()) == sorted(hosts[:3])


async def _reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, host: str
) -> SubentryFlowResult:
    (subentry_id,) = entry.subentries
    result = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    assert result["type"] is FlowResultType.FORM
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_HOST: host}
    )


@pytest.mark.parametrize("fleet", [2], indirect=True)
async def test_reconfigure_moves_the_same_miner_only(hass: HomeAssistant, fleet: Fleet) -> None:
    moved, other = fleet.miners
    entry = site_with((next_address(), moved.identity.mac))
    entry.add_to_hass(hass)

    result = await _reconfigure(hass, entry, next_address())
    assert result["errors"] == {"base": "cannot_connect"}
    result = await _reconfigure(hass, entry, other.host)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "different_miner"

    result = await _reconfigure(hass, entry, moved.host)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    (subentry,) = entry.subentries.values()
    assert subentry.data[CONF_HOST] == moved.host
    assert subentry.unique_id == moved.identity.mac
    assert subentry.data[CONF_CAPABILITIES]["power_control"] == "presets"


async def test_dhcp_updates_a_known_miner_in_place(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    entry = site_with((next_address(), miner.identity.mac))
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(miner)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    (subentry,) = entry.subentries.values()
    assert subentry.data[CONF_HOST] == miner.host
    assert len(entry.subentries) == 1


@pytest.mark.parametrize("fleet", [2], indirect=True)
async def test_dhcp_adds_a_new_miner_to_a_chosen_site(hass: HomeAssistant, fleet: Fleet) -> None:
    known, new = fleet.miners
    entry = site_with((known.host, known.identity.mac))
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(new)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SITE: entry.entry_id}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "miner_added"
    assert sorted(s.data[CONF_HOST] for s in entry.subentries.values()) == sorted(
        [known.host, new.host]
    )


async def test_dhcp_new_miner_creates_a_new_site(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(miner)
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SITE: NEW_SITE, CONF_NAME: "Garage tank"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Garage tank"


async def test_dhcp_from_something_that_is_not_a_miner(hass: HomeAssistant, loopback: None) -> None:
    info = DhcpServiceInfo(ip=next_address(), hostname="printer", macaddress="02aabbccddee")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=info
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_a_miner"


async def test_add_miner_with_a_password_and_keep_it_on_reconfigure(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    miner = fleet.miners[0]
    entry = site_with((next_address(), "02:00:00:00:00:01"))
    entry.add_to_hass(hass)
    result = await add_miner_flow(hass, entry, "manual")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_HOST: miner.host, CONF_PASSWORD: "x" * 129}
    )
    assert result["errors"] == {CONF_PASSWORD: "invalid_password"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_HOST: miner.host, CONF_PASSWORD: "s3cret"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    (added,) = (s for s in entry.subentries.values() if s.data[CONF_HOST] == miner.host)
    assert added.data[CONF_PASSWORD] == "s3cret"

    started = await entry.start_subentry_reconfigure_flow(hass, added.subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        started["flow_id"], {CONF_HOST: miner.host, CONF_PASSWORD: ""}
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.subentries[added.subentry_id].data[CONF_PASSWORD] == "s3cret"
