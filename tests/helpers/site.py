"""Sites of simulated miners set up through Home Assistant, their plant sensors, and polling."""

from typing import Any

from homeassistant.config_entries import ConfigEntryState, ConfigSubentryData
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.const import (
    CONF_BOILER_EFFICIENCY_PERCENT,
    CONF_CAPTURE_PERCENT,
    CONF_FLOW,
    CONF_FLUID,
    CONF_GAS_CO2,
    CONF_GAS_PRICE,
    CONF_GRID_CO2,
    CONF_HEAT_REFERENCE,
    CONF_MAC,
    CONF_MEMPOOL_URL,
    CONF_POOL_FEE_PERCENT,
    CONF_PRICE_ENTITY,
    CONF_RETURN_TEMPERATURE,
    CONF_REVENUE_SOURCE,
    CONF_SUPPLY_TEMPERATURE,
    DOMAIN,
    SUBENTRY_MINER,
)
from custom_components.hashheat.mempool import DEFAULT_BASE_URL
from sim import SimulatedMiner

# The plant's sensors (as set_plant reports them), a gas boiler as the heat reference and the
# mempool API for revenue.
PLANT = {
    CONF_RETURN_TEMPERATURE: "sensor.tank_return",
    CONF_SUPPLY_TEMPERATURE: "sensor.loop_supply",
    CONF_FLOW: "sensor.loop_flow",
    CONF_FLUID: "water",
    CONF_CAPTURE_PERCENT: 95.0,
    CONF_PRICE_ENTITY: "sensor.spot_price",
    CONF_HEAT_REFERENCE: "gas_boiler",
    CONF_GAS_PRICE: 0.10,
    CONF_BOILER_EFFICIENCY_PERCENT: 90.0,
    CONF_GAS_CO2: 0.201,
    CONF_GRID_CO2: 0.25,
    CONF_REVENUE_SOURCE: "network",
    CONF_MEMPOOL_URL: DEFAULT_BASE_URL,
    CONF_POOL_FEE_PERCENT: 2.0,
}


def miner_subentry(miner: SimulatedMiner, title: str) -> ConfigSubentryData:
    """A miner subentry as the config flow stores it (without capabilities, as in version 0.1)."""
    return ConfigSubentryData(
        data={CONF_HOST: miner.host, CONF_MAC: miner.identity.mac},
        subentry_type=SUBENTRY_MINER,
        title=title,
        unique_id=miner.identity.mac,
    )


def site(
    *miners: SimulatedMiner, title: str = "Boiler room", options: dict[str, Any] | None = None
) -> MockConfigEntry:
    """A site whose miners were added before capabilities were stored (as in version 0.1)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        options=options or {},
        subentries_data=[miner_subentry(miner, f"Miner {miner.host}") for miner in miners],
    )


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Add a site to Home Assistant and wait until it is loaded (capabilities stored)."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    return entry


async def setup_site(
    hass: HomeAssistant, *miners: SimulatedMiner, options: dict[str, Any] | None = None
) -> MockConfigEntry:
    """Set a site up and wait until its miners' capabilities are stored and it has reloaded."""
    return await setup_entry(hass, site(*miners, options=options))


def set_plant(hass: HomeAssistant, *, supply: Any = 50.0, flow: Any = 4.2) -> None:
    """Plant sensors as their integrations would report them."""
    hass.states.async_set("sensor.tank_return", "40.0", {"unit_of_measurement": "°C"})
    hass.states.async_set("sensor.loop_supply", str(supply), {"unit_of_measurement": "°C"})
    hass.states.async_set("sensor.loop_flow", str(flow), {"unit_of_measurement": "L/min"})
    hass.states.async_set("sensor.spot_price", "85.3", {"unit_of_measurement": "EUR/MWh"})


async def setup_plant_site(
    hass: HomeAssistant,
    miners: SimulatedMiner | list[SimulatedMiner],
    options: dict[str, Any] | None = None,
    *,
    currency: str = "EUR",
) -> MockConfigEntry:
    """A site with plant options; a single miner is titled "Miner", several by their address.

    ``currency``: Home Assistant's, which the site's money figures are in.
    """
    hass.config.currency = currency
    several = isinstance(miners, list)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Boiler room",
        options=PLANT if options is None else options,
        subentries_data=[
            miner_subentry(miner, miner.host if several else "Miner")
            for miner in (miners if isinstance(miners, list) else [miners])
        ],
    )
    await setup_entry(hass, entry)
    network = entry.runtime_data.network
    if network is not None:
        await network.async_refresh()
    return entry


async def poll(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """One poll of the site, and everything it set off."""
    await entry.runtime_data.async_refresh()
    await hass.async_block_till_done()
