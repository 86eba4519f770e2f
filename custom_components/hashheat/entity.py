"""Base entity for a miner of a HashHeat site."""

from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_HOST
from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_FIRMWARE, CONF_MAC, CONF_MAKE, CONF_MODEL, DOMAIN
from .coordinator import HashHeatSiteCoordinator
from .miner_client import MinerReading


class HashHeatMinerEntity(CoordinatorEntity[HashHeatSiteCoordinator]):
    """An entity of one miner; unavailable whenever that miner did not answer the last poll."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: HashHeatSiteCoordinator,
        subentry: ConfigSubentry,
        description: EntityDescription,
    ) -> None:
        """Bind the entity to its miner's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self.miner_id = subentry.subentry_id
        mac: str | None = subentry.data.get(CONF_MAC)
        # The MAC survives re-adding the miner; miners that hide it fall back to the subentry id.
        device_key = mac or subentry.subentry_id
        self._attr_unique_id = f"{device_key}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, device_key)},
            connections={(CONNECTION_NETWORK_MAC, mac)} if mac else set(),
            name=subentry.title,
            manufacturer=subentry.data.get(CONF_MAKE),
            model=subentry.data.get(CONF_MODEL),
            sw_version=subentry.data.get(CONF_FIRMWARE),
            configuration_url=f"http://{subentry.data[CONF_HOST]}",
        )

    @property
    def reading(self) -> MinerReading | None:
        """This miner's reading from the last poll, if it answered."""
        return self.coordinator.data.readings.get(self.miner_id)

    @property
    def available(self) -> bool:
        """Available only while the coordinator works and this miner answered."""
        return super().available and self.reading is not None
