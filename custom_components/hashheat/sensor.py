"""Sensors of a HashHeat miner."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    REVOLUTIONS_PER_MINUTE,
    EntityCategory,
    UnitOfPower,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .coordinator import HashHeatConfigEntry, HashHeatSiteCoordinator
from .entity import HashHeatMinerEntity
from .miner_data import MinerReading

PARALLEL_UPDATES = 0

UNIT_TERAHASH_PER_SECOND = "TH/s"
UNIT_JOULE_PER_TERAHASH = "J/TH"
# Uptime and poll time are sampled apart; a boot time moving less than this is the same boot.
BOOT_TIME_TOLERANCE_S = 60

type SensorValue = float | int | str | datetime | None


@dataclass(frozen=True, kw_only=True)
class HashHeatMinerSensorDescription(SensorEntityDescription):
    """Describes a sensor that reads one value from a miner's reading."""

    value_fn: Callable[[MinerReading], SensorValue]
    # Sensors for values only some firmware reports exist when the first reading has them.
    reported_only: bool = False


def _temperature(
    key: str, value_fn: Callable[[MinerReading], float | None], **kwargs: object
) -> HashHeatMinerSensorDescription:
    return HashHeatMinerSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=value_fn,
        **kwargs,  # type: ignore[arg-type]
    )


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
        key="expected_hashrate",
        translation_key="expected_hashrate",
        native_unit_of_measurement=UNIT_TERAHASH_PER_SECOND,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda reading: reading.expected_hashrate_ths,
    ),
    HashHeatMinerSensorDescription(
        key="power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda reading: reading.power_w,
    ),
    HashHeatMinerSensorDescription(
        key="power_limit",
        translation_key="power_limit",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda reading: reading.power_limit_w,
    ),
    HashHeatMinerSensorDescription(
        key="efficiency",
        translation_key="efficiency",
        native_unit_of_measurement=UNIT_JOULE_PER_TERAHASH,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda reading: reading.efficiency_jth,
    ),
    _temperature("board_temperature_max", lambda reading: reading.board_temp_max_c),
    _temperature(
        "board_temperature_average",
        lambda reading: reading.board_temp_avg_c,
        entity_registry_enabled_default=False,
    ),
    _temperature("chip_temperature_max", lambda reading: reading.chip_temp_max_c),
    _temperature(
        "fluid_inlet_temperature", lambda reading: reading.fluid_inlet_temp_c, reported_only=True
    ),
    _temperature(
        "fluid_outlet_temperature",
        lambda reading: reading.fluid_outlet_temp_c,
        reported_only=True,
    ),
    HashHeatMinerSensorDescription(
        key="fan_speed",
        translation_key="fan_speed",
        native_unit_of_measurement=REVOLUTIONS_PER_MINUTE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda reading: reading.fan_speed_rpm,
    ),
    HashHeatMinerSensorDescription(
        key="last_boot",
        translation_key="last_boot",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda reading: reading.last_boot(dt_util.utcnow()),
    ),
    HashHeatMinerSensorDescription(
        key="active_pool",
        translation_key="active_pool",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda reading: reading.active_pool,
    ),
    HashHeatMinerSensorDescription(
        key="pool_state",
        translation_key="pool_state",
        device_class=SensorDeviceClass.ENUM,
        options=["connected", "disconnected"],
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda reading: (
            None
            if reading.pool_connected is None
            else ("connected" if reading.pool_connected else "disconnected")
        ),
    ),
    HashHeatMinerSensorDescription(
        key="error_count",
        translation_key="error_count",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda reading: reading.error_count,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HashHeatConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every miner, each under its own subentry."""
    coordinator = entry.runtime_data
    for miner_id in coordinator.miners:
        first = coordinator.data.readings.get(miner_id)
        async_add_entities(
            (
                HashHeatMinerSensor(coordinator, miner_id, description)
                for description in MINER_SENSORS
                if not description.reported_only
                or (first is not None and description.value_fn(first) is not None)
            ),
            config_subentry_id=miner_id,
        )


class HashHeatMinerSensor(HashHeatMinerEntity, SensorEntity):
    """A sensor showing one value of a miner."""

    entity_description: HashHeatMinerSensorDescription

    def __init__(
        self,
        coordinator: HashHeatSiteCoordinator,
        miner_id: str,
        description: HashHeatMinerSensorDescription,
    ) -> None:
        """Create the sensor with the value of the latest poll."""
        super().__init__(coordinator, miner_id, description)
        self._update_value()

    @callback
    def _handle_coordinator_update(self) -> None:
        self._update_value()
        super()._handle_coordinator_update()

    def _update_value(self) -> None:
        reading = self.reading
        if reading is None:
            return
        value = self.entity_description.value_fn(reading)
        previous = self._attr_native_value
        if (
            isinstance(value, datetime)
            and isinstance(previous, datetime)
            and abs((value - previous).total_seconds()) < BOOT_TIME_TOLERANCE_S
        ):
            return
        self._attr_native_value = value
