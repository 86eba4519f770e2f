"""HashHeat: immersion-cooled Bitcoin miners as controllable heaters."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN
from .coordinator import HashHeatConfigEntry, HashHeatSiteCoordinator, site_stores
from .issues import clear_orphaned_issues
from .plan_runner import plan_store
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CLIMATE,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, which serve every site."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: HashHeatConfigEntry) -> bool:
    """Set up a site: poll its miners, then add their entities."""
    entries = hass.config_entries.async_entries(DOMAIN)
    clear_orphaned_issues(
        hass,
        sites={site.entry_id for site in entries},
        miners={subentry_id for site in entries for subentry_id in site.subentries},
    )
    coordinator = HashHeatSiteCoordinator(hass, entry)
    # Listening from the moment the site has read its miners and options (nothing awaited in
    # between): a change while it starts rebuilds it once it has started, not never.
    entry.runtime_data = coordinator
    entry.async_on_unload(entry.add_update_listener(_async_reload_on_change))
    await coordinator.async_load_ledger()
    if coordinator.network is not None:
        # Keeps the network data refreshing on its own interval; the site's next poll uses it.
        entry.async_on_unload(coordinator.network.async_add_listener(lambda: None))
        # The public API is on the internet; setup does not wait for it.
        entry.async_create_background_task(
            hass, coordinator.network.async_refresh(), f"{DOMAIN}_network_first_refresh"
        )
    await coordinator.async_config_entry_first_refresh()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: HashHeatConfigEntry) -> bool:
    """Unload a site (its coordinator's shutdown, run on unload, writes the counters)."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: HashHeatConfigEntry) -> None:
    """A removed site takes its counters, grid hold, protection records and model with it."""
    for store in (*site_stores(hass, entry.entry_id), plan_store(hass, entry.entry_id)):
        await store.async_remove()


async def _async_reload_on_change(hass: HomeAssistant, entry: HashHeatConfigEntry) -> None:
    """Miners added, changed or removed, options changed: rebuild the site, unless it has them."""
    if not entry.runtime_data.runs_with(entry):
        hass.config_entries.async_schedule_reload(entry.entry_id)
