"""The power limit of a HashHeat miner, snapped by the firmware and read back."""

from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberExtraStoredData,
    NumberMode,
    RestoreNumber,
)
from homeassistant.const import UnitOfPower
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .capabilities import PowerControl
from .coordinator import HashHeatConfigEntry
from .entity import (
    HashHeatMinerEntity,
    HashHeatSiteEntity,
    MinerEntityDescription,
    add_miner_entities,
)

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MinerNumberDescription(NumberEntityDescription, MinerEntityDescription):
    """Describes a number of a miner."""


POWER_LIMIT = MinerNumberDescription(
    key="power_limit_control",
    exists_fn=lambda facts: facts.capabilities.power_control is not PowerControl.NONE,
    translation_key="power_limit_control",
    device_class=NumberDeviceClass.POWER,
    native_unit_of_measurement=UnitOfPower.WATT,
    mode=NumberMode.BOX,
    native_step=1,
)


POWER_CAP = NumberEntityDescription(
    key="power_cap",
    translation_key="power_cap",
    device_class=NumberDeviceClass.POWER,
    native_unit_of_measurement=UnitOfPower.WATT,
    mode=NumberMode.BOX,
    native_step=100,
    native_min_value=0,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HashHeatConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a power limit to every miner whose firmware can limit power."""
    async_add_entities([SitePowerCap(entry.runtime_data, POWER_CAP)])
    add_miner_entities(entry, async_add_entities, (POWER_LIMIT,), MinerPowerLimit)


class MinerPowerLimit(HashHeatMinerEntity, NumberEntity):
    """Power limit in watts; shows what the firmware applied, not what was asked."""

    @property
    def native_min_value(self) -> float:
        """The lowest setting the firmware offers."""
        return float(self.miner.capabilities.min_power_w or 0)

    @property
    def native_max_value(self) -> float:
        """The highest setting the firmware offers."""
        return float(self.miner.capabilities.max_power_w or 0)

    @property
    def native_value(self) -> float | None:
        """The power limit the miner reports as applied."""
        reading = self.reading
        return None if reading is None else reading.power_limit_w

    async def async_set_native_value(self, value: float) -> None:
        """Ask for a limit; the firmware snaps it to its nearest setting at or below.

        Refused during a grid hold, which decides the miners' power.
        """
        await self.coordinator.async_set_power_limit(self.miner_id, value)


class SitePowerCap(HashHeatSiteEntity, RestoreNumber):
    """The most the site's miners may draw together (tariffs, grid limits); the maximum = no cap."""

    async def async_added_to_hass(self) -> None:
        """Restore the cap from before the restart."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_number_data()) is not None:
            self.coordinator.restore_intents(power_cap_w=last.native_value)

    @property
    def extra_restore_state_data(self) -> NumberExtraStoredData:
        """Store "no cap" as no value, not as today's full power (miners may be added)."""
        return NumberExtraStoredData(
            self.native_max_value,
            self.native_min_value,
            self.native_step,
            self.native_unit_of_measurement,
            self.site.loop.power_cap_w,
        )

    @property
    def native_max_value(self) -> float:
        """The site's full power."""
        return self.site.loop.full_power_w

    @property
    def native_value(self) -> float:
        """The cap in force (the site's full power when there is none)."""
        loop = self.site.loop
        return loop.full_power_w if loop.power_cap_w is None else loop.power_cap_w

    async def async_set_native_value(self, value: float) -> None:
        """Set the cap; the controller obeys it from the next poll (interlocks still win)."""
        await self.coordinator.async_set_power_cap(value)
