"""Base entities of a miner and of a site, and the one rule by which a miner's entity exists."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from homeassistant.const import CONF_HOST
from homeassistant.helpers.device_registry import (
    CONNECTION_NETWORK_MAC,
    DeviceEntryType,
    DeviceInfo,
)
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .capabilities import MinerCapabilities
from .const import (
    CONF_FIRMWARE,
    CONF_FIRMWARE_VERSION,
    CONF_MAC,
    CONF_MAKE,
    CONF_MODEL,
    CONF_SERIAL,
    DOMAIN,
)
from .coordinator import (
    HashHeatConfigEntry,
    HashHeatSiteCoordinator,
    miner_device_key,
)
from .miner_data import MinerReading
from .settings import SiteSettings
from .view import MinerView, SiteView, miner_view, site_view


@dataclass(frozen=True, kw_only=True, slots=True)
class MinerFacts:
    """What is known of a miner when its entities are made."""

    capabilities: MinerCapabilities
    reading: MinerReading | None  # its first poll's, if it answered


def _always(_facts: MinerFacts) -> bool:
    return True


@dataclass(frozen=True, kw_only=True)
class MinerEntityDescription(EntityDescription):
    """Describes an entity of a miner; it exists where ``exists_fn`` says so."""

    exists_fn: Callable[[MinerFacts], bool] = _always


def _always_on_site(_settings: SiteSettings) -> bool:
    return True


@dataclass(frozen=True, kw_only=True)
class SiteEntityDescription(EntityDescription):
    """Describes an entity of a site; it exists where ``exists_fn`` says so."""

    exists_fn: Callable[[SiteSettings], bool] = _always_on_site


def add_site_entities[D: SiteEntityDescription](
    entry: HashHeatConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    descriptions: Iterable[D],
    entity: Callable[[HashHeatSiteCoordinator, D], Entity],
) -> None:
    """Add the site's entities that exist for its settings, on the site's device."""
    coordinator = entry.runtime_data
    async_add_entities(
        entity(coordinator, d) for d in descriptions if d.exists_fn(coordinator.settings)
    )


def add_miner_entities[D: MinerEntityDescription](
    entry: HashHeatConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    descriptions: Iterable[D],
    entity: Callable[[HashHeatSiteCoordinator, str, D], Entity],
) -> None:
    """Add each miner's entities that exist for it, under its own subentry (its device)."""
    coordinator = entry.runtime_data
    descriptions = tuple(descriptions)
    for miner_id, tracker in coordinator.miners.items():
        facts = MinerFacts(
            capabilities=tracker.capabilities,
            reading=coordinator.data.readings.get(miner_id) if coordinator.data else None,
        )
        async_add_entities(
            (entity(coordinator, miner_id, d) for d in descriptions if d.exists_fn(facts)),
            config_subentry_id=miner_id,
        )


def has_price_source(settings: SiteSettings) -> bool:
    """Whether the site can plan: it has a price sensor, whose forecast the plan uses."""
    return settings.plant.price_entity is not None


class HashHeatMinerEntity(CoordinatorEntity[HashHeatSiteCoordinator]):
    """An entity of one miner; unavailable whenever that miner did not answer the last poll."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: HashHeatSiteCoordinator,
        miner_id: str,
        description: EntityDescription,
    ) -> None:
        """Bind the entity to its miner's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self.miner_id = miner_id
        tracker = coordinator.miners[miner_id]
        data = tracker.subentry.data
        device_key = miner_device_key(tracker)
        mac: str | None = data.get(CONF_MAC)
        self._attr_unique_id = f"{device_key}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, device_key)},
            connections={(CONNECTION_NETWORK_MAC, mac)} if mac else set(),
            name=tracker.subentry.title,
            manufacturer=data.get(CONF_MAKE),
            model=data.get(CONF_MODEL),
            sw_version=data.get(CONF_FIRMWARE_VERSION) or data.get(CONF_FIRMWARE),
            serial_number=data.get(CONF_SERIAL),
            configuration_url=f"http://{data[CONF_HOST]}",
        )

    @property
    def miner(self) -> MinerView:
        """This miner as its entities see it now."""
        return miner_view(self.coordinator, self.miner_id)

    @property
    def reading(self) -> MinerReading | None:
        """This miner's reading from the last poll, if it answered."""
        return self.miner.reading

    @property
    def available(self) -> bool:
        """Available only while the coordinator works and this miner answered."""
        return super().available and self.reading is not None


class HashHeatSiteEntity(CoordinatorEntity[HashHeatSiteCoordinator]):
    """An entity of the site (the heating loop) as a whole, on the site's own device."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: HashHeatSiteCoordinator, description: EntityDescription
    ) -> None:
        """Bind the entity to the site's device."""
        super().__init__(coordinator)
        self.entity_description = description
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer="HashHeat",
            model="Heating site",
            entry_type=DeviceEntryType.SERVICE,
        )

    @property
    def site(self) -> SiteView:
        """The site as its entities see it now."""
        return site_view(self.coordinator)
