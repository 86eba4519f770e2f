"""The mining switch of a HashHeat miner: pause and resume hashing."""

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .coordinator import HashHeatConfigEntry
from .entity import HashHeatMinerEntity, add_miner_entities
from .miner_client import MinerClient

PARALLEL_UPDATES = 1

MINING = SwitchEntityDescription(key="mining", translation_key="mining")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HashHeatConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a mining switch to every miner whose firmware can pause and resume."""
    add_miner_entities(
        entry,
        async_add_entities,
        lambda coordinator, miner_id, tracker: (
            [MinerMiningSwitch(coordinator, miner_id, MINING)]
            if tracker.capabilities.can_pause
            else []
        ),
    )


class MinerMiningSwitch(HashHeatMinerEntity, SwitchEntity):
    """On while the miner measurably hashes (not what the firmware claims)."""

    @property
    def is_on(self) -> bool | None:
        """Whether the miner hashes, from its measured hashrate."""
        reading = self.reading
        return None if reading is None else reading.is_mining

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Resume hashing, unless a grid hold or the miner's protection times forbid a start."""
        if refusal := self.coordinator.control.start_refusal(self.miner_id, dt_util.utcnow()):
            key, placeholders = refusal
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=key,
                translation_placeholders={"miner": self.tracker.subentry.title, **placeholders},
            )
        await self.coordinator.async_command(self.miner_id, MinerClient.resume)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Pause hashing; the miner stays reachable."""
        await self.coordinator.async_command(self.miner_id, MinerClient.pause)
