"""Binary sensors of a HashHeat miner: connectivity and problem."""

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import HashHeatConfigEntry
from .entity import HashHeatMinerEntity, add_miner_entities

PARALLEL_UPDATES = 0

CONNECTIVITY = BinarySensorEntityDescription(
    key="connectivity",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)
PROBLEM = BinarySensorEntityDescription(
    key="problem",
    device_class=BinarySensorDeviceClass.PROBLEM,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HashHeatConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add connectivity and problem sensors for every miner."""
    add_miner_entities(
        entry,
        async_add_entities,
        lambda coordinator, miner_id, _tracker: [
            MinerConnectivitySensor(coordinator, miner_id, CONNECTIVITY),
            MinerProblemSensor(coordinator, miner_id, PROBLEM),
        ],
    )


class MinerConnectivitySensor(HashHeatMinerEntity, BinarySensorEntity):
    """On while the miner answers; never unavailable itself, so an outage shows as 'off'."""

    @property
    def available(self) -> bool:
        """Always available: its state is the answer to 'is the miner reachable'."""
        return True

    @property
    def is_on(self) -> bool:
        """Whether the miner answered the last poll."""
        return self.coordinator.last_update_success and self.reading is not None


class MinerProblemSensor(HashHeatMinerEntity, BinarySensorEntity):
    """On when the miner reports errors or hashboards are missing or idle."""

    @property
    def is_on(self) -> bool | None:
        """Whether the miner has a problem."""
        reading = self.reading
        return None if reading is None else reading.has_problem
