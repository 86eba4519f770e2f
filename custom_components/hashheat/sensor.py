"""Sensors of a HashHeat miner."""

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfPower
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import HashHeatConfigEntry
from .entity import HashHeatMinerEntity
from .miner_client import MinerReading

PARALLEL_UPDATES = 0

UNIT_TERAHASH_PER_SECOND = "TH/s"


@dataclass(frozen=True, kw_only=True)
class HashHeatMinerSensorDescription(SensorEntityDescription):
    """Describes a sensor that reads one value from a miner's reading."""

    value_fn: Callable[[MinerReading], float | None]


MINER_SENSORS: tuple[HashHeatMinerSensorDescription, ...] = (
    HashHeatMinerSensorDescription(
        key="hashrate",
        translation_key="hashrate",
        native_unit_of_measurement=UNIT_TERAHASH_PER_SECOND,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=lambda reading: reading.hashrate_ths,
    ),
    HashHeatMinerSensorDescription(
        key="power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda reading: reading.power_w,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HashHeatConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every miner, each under its own subentry."""
    coordinator = entry.runtime_data
    for miner_id, subentry in coordinator.miners.items():
        async_add_entities(
            (
                HashHeatMinerSensor(coordinator, subentry, description)
                for description in MINER_SENSORS
            ),
            config_subentry_id=miner_id,
        )


class HashHeatMinerSensor(HashHeatMinerEntity, SensorEntity):
    """A sensor showing one value of a miner."""

    entity_description: HashHeatMinerSensorDescription

    @property
    def native_value(self) -> float | None:
        """The value from this miner's last reading."""
        reading = self.reading
        return None if reading is None else self.entity_description.value_fn(reading)
