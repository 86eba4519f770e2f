"""Site-wide actions: pause and resume every miner of a site at once (demand response)."""

import asyncio

import probatio
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv

from .const import DOMAIN, LOGGER
from .coordinator import HashHeatConfigEntry
from .miner_client import MinerClient, MinerError

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
SERVICE_PAUSE_SITE = "pause_site"
SERVICE_RESUME_SITE = "resume_site"

SITE_SCHEMA = probatio.Schema({probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string})


def _loaded_site(hass: HomeAssistant, entry_id: str) -> HashHeatConfigEntry:
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="site_not_found",
            translation_placeholders={"entry_id": entry_id},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="site_not_loaded",
            translation_placeholders={"site": entry.title},
        )
    site: HashHeatConfigEntry = entry
    return site


async def _for_every_miner(call: ServiceCall, pause: bool) -> None:
    site = _loaded_site(call.hass, call.data[ATTR_CONFIG_ENTRY_ID])
    coordinator = site.runtime_data
    trackers = [t for t in coordinator.miners.values() if t.capabilities.can_pause]

    async def command(client: MinerClient) -> MinerError | None:
        try:
            await (client.pause() if pause else client.resume())
        except MinerError as err:
            return err
        return None

    errors = await asyncio.gather(*(command(tracker.client) for tracker in trackers))
    await coordinator.async_request_refresh()
    failed = [t.subentry.title for t, err in zip(trackers, errors, strict=True) if err]
    if failed:
        LOGGER.warning("%s of site %s failed for: %s", call.service, site.title, failed)
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="site_command_failed",
            translation_placeholders={
                "site": site.title,
                "failed": str(len(failed)),
                "total": str(len(trackers)),
            },
        )


async def _pause_site(call: ServiceCall) -> None:
    await _for_every_miner(call, pause=True)


async def _resume_site(call: ServiceCall) -> None:
    await _for_every_miner(call, pause=False)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (once, for all sites)."""
    hass.services.async_register(DOMAIN, SERVICE_PAUSE_SITE, _pause_site, schema=SITE_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_RESUME_SITE, _resume_site, schema=SITE_SCHEMA)
