"""The site's climate entity: the heating loop as a heater holding its return temperature."""

from dataclasses import dataclass
from typing import Any

from homeassistant.components.climate import (
    ATTR_HVAC_MODE,
    ClimateEntity,
    ClimateEntityDescription,
    ClimateEntityFeature,
    HVACAction,
    HVACMode,
)
from homeassistant.const import ATTR_TEMPERATURE, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .const import DOMAIN, MAX_TARGET_TEMPERATURE, MIN_TARGET_TEMPERATURE
from .coordinator import HashHeatConfigEntry
from .domain.dispatch import MinerMode, Preset
from .entity import (
    HashHeatMinerEntity,
    HashHeatSiteEntity,
    MinerEntityDescription,
    add_miner_entities,
)

PARALLEL_UPDATES = 0

LOOP = ClimateEntityDescription(key="loop", translation_key="loop")


@dataclass(frozen=True, kw_only=True)
class MinerClimateDescription(ClimateEntityDescription, MinerEntityDescription):
    """Describes a miner's own climate entity."""


MINER = MinerClimateDescription(key="climate", translation_key="miner")
MINER_MODES = {
    HVACMode.AUTO: MinerMode.AUTO,
    HVACMode.HEAT: MinerMode.HEAT,
    HVACMode.OFF: MinerMode.OFF,
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HashHeatConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the loop's climate entity, and one per miner."""
    async_add_entities([SiteClimate(entry.runtime_data, LOOP)])
    add_miner_entities(entry, async_add_entities, (MINER,), MinerClimate)


class SiteClimate(HashHeatSiteEntity, ClimateEntity, RestoreEntity):
    """Heat mode holds the loop's return temperature at the target with the site's miners."""

    _attr_hvac_modes = [HVACMode.OFF, HVACMode.HEAT]
    _attr_preset_modes = [preset.value for preset in Preset]
    _attr_supported_features = (
        ClimateEntityFeature.TARGET_TEMPERATURE
        | ClimateEntityFeature.PRESET_MODE
        | ClimateEntityFeature.TURN_ON
        | ClimateEntityFeature.TURN_OFF
    )
    _attr_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_min_temp = MIN_TARGET_TEMPERATURE
    _attr_max_temp = MAX_TARGET_TEMPERATURE
    _attr_target_temperature_step = 0.5

    async def async_added_to_hass(self) -> None:
        """Restore mode, target and preset from before the restart."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is None:
            return
        loop = self.site.loop
        target = last.attributes.get(ATTR_TEMPERATURE)
        preset = last.attributes.get("preset_mode")
        self.coordinator.restore_intents(
            loop=(
                last.state == HVACMode.HEAT,
                min(max(float(target), self.min_temp), self.max_temp)
                if isinstance(target, int | float)
                else loop.target_c,
                Preset(preset) if preset in self._attr_preset_modes else loop.preset,
            )
        )

    @property
    def available(self) -> bool:
        """Always: the mode and target stand (and are restored) even while miners are down."""
        return True

    @property
    def hvac_mode(self) -> HVACMode:
        """Heat while HashHeat controls the loop."""
        return HVACMode.HEAT if self.site.loop.heating else HVACMode.OFF

    @property
    def hvac_action(self) -> HVACAction:
        """Heating while any miner runs under control, idle while none is needed."""
        loop = self.site.loop
        if not loop.heating:
            return HVACAction.OFF
        return HVACAction.HEATING if loop.running_under_control else HVACAction.IDLE

    @property
    def current_temperature(self) -> float | None:
        """The loop's return temperature, if fresh."""
        return self.site.loop.temperature_c

    @property
    def target_temperature(self) -> float:
        """The return temperature to hold."""
        return self.site.loop.target_c

    @property
    def preset_mode(self) -> str:
        """Comfort, eco or boost."""
        return self.site.loop.preset.value

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Which plant-safety interlocks hold the miners, and the heat demand."""
        site = self.site
        return {
            "interlocks": sorted(site.interlocks),
            "heat_demand_w": round(site.loop.heat_demand_w),
            "boost_ceiling": site.loop.boost_ceiling_c,
        }

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the return temperature to hold (and the mode, when the action gives one)."""
        target = kwargs.get(ATTR_TEMPERATURE)
        if not isinstance(target, int | float) or not (self.min_temp <= target <= self.max_temp):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="target_out_of_range",
                translation_placeholders={"min": f"{self.min_temp:g}", "max": f"{self.max_temp:g}"},
            )
        mode = kwargs.get(ATTR_HVAC_MODE)
        await self.coordinator.async_set_loop(
            target_c=float(target), heating=None if mode is None else mode == HVACMode.HEAT
        )

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Heat, or off (the miners stop once, then are left alone)."""
        await self.coordinator.async_set_loop(heating=hvac_mode == HVACMode.HEAT)

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """Comfort, eco or boost (boost only toward a target under the ceiling)."""
        await self.coordinator.async_set_loop(preset=Preset(preset_mode))

    async def async_turn_on(self) -> None:
        """Heat."""
        await self.async_set_hvac_mode(HVACMode.HEAT)

    async def async_turn_off(self) -> None:
        """Off."""
        await self.async_set_hvac_mode(HVACMode.OFF)


class MinerClimate(HashHeatMinerEntity, ClimateEntity, RestoreEntity):
    """A miner as a heater: auto follows the loop's controller, heat runs it flat out, off stops it.

    Interlocks still win in every mode.
    """

    _attr_hvac_modes = list(MINER_MODES)
    _attr_supported_features = ClimateEntityFeature.TURN_ON | ClimateEntityFeature.TURN_OFF
    _attr_temperature_unit = UnitOfTemperature.CELSIUS

    async def async_added_to_hass(self) -> None:
        """Restore the mode from before the restart."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None and last.state in MINER_MODES:
            self.coordinator.restore_intents(
                miner_mode=(self.miner_id, MINER_MODES[HVACMode(last.state)])
            )

    @property
    def available(self) -> bool:
        """Always: the mode stands (and is restored) while the miner is down for maintenance."""
        return True

    @property
    def hvac_mode(self) -> HVACMode:
        """Auto (follow the site), heat (flat out) or off."""
        return HVACMode(self.miner.mode.value)

    @property
    def hvac_action(self) -> HVACAction | None:
        """Heating while the miner hashes."""
        reading = self.reading
        if reading is None or reading.is_mining is None:
            return None
        if reading.is_mining:
            return HVACAction.HEATING
        return HVACAction.OFF if self.hvac_mode == HVACMode.OFF else HVACAction.IDLE

    @property
    def current_temperature(self) -> float | None:
        """The fluid around the miner where its firmware reports it, else the loop's."""
        miner = self.miner
        if miner.reading is not None and miner.reading.fluid_outlet_temp_c is not None:
            return miner.reading.fluid_outlet_temp_c
        return miner.loop_temperature_c

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Hand the miner to the site, run it flat out, or stop it."""
        await self.coordinator.async_set_miner_mode(self.miner_id, MINER_MODES[hvac_mode])

    async def async_turn_on(self) -> None:
        """Follow the site's controller."""
        await self.async_set_hvac_mode(HVACMode.AUTO)

    async def async_turn_off(self) -> None:
        """Stop the miner."""
        await self.async_set_hvac_mode(HVACMode.OFF)
