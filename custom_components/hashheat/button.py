"""Buttons of a miner (reboot, restart the backend, identify) and of a site (relearn health)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.button import (
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import HashHeatConfigEntry, HashHeatSiteCoordinator
from .entity import (
    HashHeatMinerEntity,
    HashHeatSiteEntity,
    MinerEntityDescription,
    add_miner_entities,
)
from .miner_client import MinerClient

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class HashHeatButtonDescription(ButtonEntityDescription, MinerEntityDescription):
    """Describes a miner button: what pressing does."""

    press_fn: Callable[[HashHeatSiteCoordinator, str], Awaitable[None]]


BUTTONS: tuple[HashHeatButtonDescription, ...] = (
    HashHeatButtonDescription(
        key="reboot",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        exists_fn=lambda facts: facts.capabilities.can_reboot,
        press_fn=lambda coordinator, miner_id: coordinator.async_command(
            miner_id, MinerClient.reboot
        ),
    ),
    HashHeatButtonDescription(
        key="restart_backend",
        entity_registry_enabled_default=False,
        translation_key="restart_backend",
        entity_category=EntityCategory.CONFIG,
        exists_fn=lambda facts: facts.capabilities.can_restart_backend,
        press_fn=lambda coordinator, miner_id: coordinator.async_command(
            miner_id, MinerClient.restart_backend
        ),
    ),
    HashHeatButtonDescription(
        key="identify",
        device_class=ButtonDeviceClass.IDENTIFY,
        entity_category=EntityCategory.CONFIG,
        exists_fn=lambda facts: facts.capabilities.can_identify,
        press_fn=lambda coordinator, miner_id: coordinator.async_identify(miner_id),
    ),
)


SITE_BUTTONS: tuple[ButtonEntityDescription, ...] = (
    ButtonEntityDescription(
        key="relearn_health",
        translation_key="relearn_health",
        entity_category=EntityCategory.CONFIG,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HashHeatConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the buttons each miner's firmware supports."""
    add_miner_entities(entry, async_add_entities, BUTTONS, MinerButton)
    coordinator = entry.runtime_data
    async_add_entities(RelearnHealthButton(coordinator, d) for d in SITE_BUTTONS)


class MinerButton(HashHeatMinerEntity, ButtonEntity):
    """A one-shot command to a miner."""

    entity_description: HashHeatButtonDescription

    async def async_press(self) -> None:
        """Send the command."""
        await self.entity_description.press_fn(self.coordinator, self.miner_id)


class RelearnHealthButton(HashHeatSiteEntity, ButtonEntity):
    """After new fluid or a cleaned exchanger: the health detectors learn their baselines again."""

    async def async_press(self) -> None:
        """Forget the baselines, clear their repairs, and store that."""
        coordinator = self.coordinator
        entry = coordinator.config_entry
        coordinator.plant_health.relearn()
        coordinator.plant_health.report_repairs(self.hass, entry.entry_id, entry.title)
        await coordinator.plant_health.async_save()
        coordinator.async_update_listeners()
