"""Config, subentry and options flows as the frontend drives them."""

from typing import Any

from homeassistant.config_entries import (
    SOURCE_USER,
    ConfigFlowResult,
    ConfigSubentryData,
    SubentryFlowResult,
)
from homeassistant.const import CONF_HOST, CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.const import CONF_MAC, DOMAIN, SUBENTRY_MINER
from custom_components.hashheat.options_flow import FIELD_SECTIONS, SECTIONS
from sim import SimulatedMiner


async def start_site_flow(hass: HomeAssistant, name: str, host: str) -> ConfigFlowResult:
    """Start "Add integration" and submit a site name and its first miner's address."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {}
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: name, CONF_HOST: host}
    )


def site_with(*miners: tuple[str, str | None]) -> MockConfigEntry:
    """A site titled "Existing" with miners given as (address, MAC or None)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Existing",
        subentries_data=[
            ConfigSubentryData(
                data={CONF_HOST: host, CONF_MAC: mac},
                subentry_type=SUBENTRY_MINER,
                title=f"Existing {host}",
                unique_id=mac or host,
            )
            for host, mac in miners
        ],
    )


async def add_miner_flow(
    hass: HomeAssistant, entry: MockConfigEntry, option: str
) -> SubentryFlowResult:
    """Start "Add miner" on a site and pick a menu option ("manual" or "scan")."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_MINER), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": option}
    )


def dhcp_info(miner: SimulatedMiner, ip: str | None = None) -> DhcpServiceInfo:
    """What DHCP discovery reports for a miner (at another address with ``ip``)."""
    return DhcpServiceInfo(
        ip=ip or miner.host,
        hostname=miner.identity.hostname,
        macaddress=miner.identity.mac.replace(":", ""),
    )


def sections(flat: dict[str, Any]) -> dict[str, Any]:
    """The options form's nested sections, as the frontend sends them (unknown keys dropped)."""
    nested: dict[str, Any] = {name: {} for name in SECTIONS}
    for key, value in flat.items():
        if (name := FIELD_SECTIONS.get(key)) is not None:
            nested[name][key] = value
    return nested
