"""The site coordinator: polls every miner of a heating loop concurrently, each in isolation."""

import asyncio
from dataclasses import dataclass, field
from typing import override

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .const import (
    DETECT_TIMEOUT_SECONDS,
    DOMAIN,
    LOGGER,
    MAX_CONCURRENT_POLLS,
    MINER_TIMEOUT_SECONDS,
    REDETECT_AFTER_FAILURES,
    SCAN_INTERVAL,
    SUBENTRY_MINER,
)
from .miner_client import MinerClient, MinerError, MinerReading

type HashHeatConfigEntry = ConfigEntry[HashHeatSiteCoordinator]


@dataclass(frozen=True, kw_only=True, slots=True)
class SiteData:
    """One poll of a site: the readings of the miners that answered, keyed by subentry id."""

    readings: dict[str, MinerReading] = field(default_factory=dict)


class HashHeatSiteCoordinator(DataUpdateCoordinator[SiteData]):
    """Poll all miners of one site with a concurrency bound and a deadline per miner."""

    config_entry: HashHeatConfigEntry

    def __init__(self, hass: HomeAssistant, entry: HashHeatConfigEntry) -> None:
        """Create one client per miner subentry; detection happens on the first poll."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN}_{entry.title}",
            update_interval=SCAN_INTERVAL,
        )
        self.miners: dict[str, ConfigSubentry] = {
            subentry.subentry_id: subentry
            for subentry in entry.get_subentries_of_type(SUBENTRY_MINER)
        }
        self.clients: dict[str, MinerClient] = {
            miner_id: MinerClient(
                subentry.data[CONF_HOST],
                timeout=MINER_TIMEOUT_SECONDS,
                detect_timeout=DETECT_TIMEOUT_SECONDS,
            )
            for miner_id, subentry in self.miners.items()
        }
        self._semaphore = asyncio.Semaphore(MAX_CONCURRENT_POLLS)
        self._failures: dict[str, int] = dict.fromkeys(self.clients, 0)
        self._unreachable: set[str] = set()

    @override
    async def _async_update_data(self) -> SiteData:
        results = await asyncio.gather(*(self._poll(miner_id) for miner_id in self.clients))
        readings = {
            miner_id: reading
            for miner_id, reading in zip(self.clients, results, strict=True)
            if reading is not None
        }
        if self.clients and not readings:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="site_unreachable",
                translation_placeholders={"site": self.config_entry.title},
            )
        return SiteData(readings=readings)

    async def _poll(self, miner_id: str) -> MinerReading | None:
        client = self.clients[miner_id]
        async with self._semaphore:
            try:
                reading = await client.read()
            except MinerError as err:
                self._record_failure(miner_id, err)
                return None
        self._record_success(miner_id)
        return reading

    def _record_failure(self, miner_id: str, err: MinerError) -> None:
        self._failures[miner_id] += 1
        if self._failures[miner_id] >= REDETECT_AFTER_FAILURES:
            self.clients[miner_id].forget()
        if miner_id not in self._unreachable:
            self._unreachable.add(miner_id)
            LOGGER.warning("Miner %s is unreachable: %s", self.miners[miner_id].title, err)

    def _record_success(self, miner_id: str) -> None:
        self._failures[miner_id] = 0
        if miner_id in self._unreachable:
            self._unreachable.discard(miner_id)
            LOGGER.info("Miner %s is reachable again", self.miners[miner_id].title)
