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
    """The options form's nested sections, as the frontend sends them."""
    plant = (
        "return_temperature_entity",
        "supply_temperature_entity",
        "flow_entity",
        "fluid",
        "capture_percent",
        "heat_meter_entity",
    )
    sections = {
        "control": (
            "over_temperature",
            "stale_minutes",
            "sensor_fallback",
            "pump_entity",
            "min_on_minutes",
            "min_off_minutes",
            "max_starts_per_day",
        ),
        "plant": plant,
        "electricity": ("electricity_price_entity", "electricity_price", "cheap_hours"),
        "tariff": ("grid_fee", "levies", "vat_percent", "grid_fee_schedule"),
        "heat_reference_section": (
            "heat_reference",
            "gas_price",
            "boiler_efficiency_percent",
            "heat_pump_cop",
            "district_heat_price",
        ),
        "emissions": (
            "gas_co2_kg_per_kwh",
            "grid_co2_kg_per_kwh",
            "district_co2_kg_per_kwh",
            "grid_intensity_entity",
        ),
        "revenue": (
            "revenue_source",
            "mempool_url",
            "btc_price_entity",
            "hashprice_entity",
            "hashprice",
            "pool_fee_percent",
        ),
        "plan": (
            "tank_volume_l",
            "tank_fluid",
            "loop_volume_l",
            "tank_temperature_entity",
            "outdoor_temperature_entity",
            "weather_entity",
            "indoor_temperature_entity",
            "heat_demand_entity",
            "dry_cooler_entity",
        ),
    }
    return {
        name: {key: flat[key] for key in keys if key in flat} for name, keys in sections.items()
    }
