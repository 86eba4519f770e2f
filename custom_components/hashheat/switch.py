"""The switches of a HashHeat miner: mining (pause and resume), and immersion mode."""

from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import HashHeatConfigEntry
from .entity import HashHeatMinerEntity, MinerEntityDescription, add_miner_entities

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MinerSwitchDescription(SwitchEntityDescription, MinerEntityDescription):
    """Describes a switch of a miner."""


MINING = MinerSwitchDescription(
    key="mining",
    translation_key="mining",
    exists_fn=lambda facts: facts.capabilities.can_pause,
)
IMMERSION_MODE = MinerSwitchDescription(
    key="immersion_mode",
    translation_key="immersion_mode",
    entity_category=EntityCategory.CONFIG,
    exists_fn=lambda facts: facts.capabilities.can_set_immersion,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HashHeatConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switches each miner's firmware has."""
    add_miner_entities(entry, async_add_entities, (MINING,), MinerMiningSwitch)
    add_miner_entities(entry, async_add_entities, (IMMERSION_MODE,), MinerImmersionSwitch)


class MinerMiningSwitch(HashHeatMinerEntity, SwitchEntity):
    """On while the miner measurably hashes (not what the firmware claims)."""

    @property
    def is_on(self) -> bool | None:
        """Whether the miner hashes, from its measured hashrate."""
        reading = self.reading
        return None if reading is None else reading.is_mining

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Resume hashing, unless a grid hold or the miner's protection times forbid a start."""
        await self.coordinator.async_start_miner(self.miner_id)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Pause hashing; the miner stays reachable."""
        await self.coordinator.async_stop_miner(self.miner_id)


class MinerImmersionSwitch(HashHeatMinerEntity, SwitchEntity):
    """The cooling's immersion mode: no fan control and no fans required (Braiins OS+)."""

    @property
    def is_on(self) -> bool | None:
        """The mode last read (at setup and every few minutes) or set."""
        return self.miner.immersion

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Immersion mode: the miner no longer stops for its missing fans."""
        await self.coordinator.async_set_immersion(self.miner_id, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Back to the fan mode (for a miner taken out of the tank)."""
        await self.coordinator.async_set_immersion(self.miner_id, False)
