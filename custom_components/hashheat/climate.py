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
        state = self.coordinator.control.state
        state.heating = last.state == HVACMode.HEAT
        target = last.attributes.get(ATTR_TEMPERATURE)
        if isinstance(target, int | float):
            state.target_c = min(max(float(target), self.min_temp), self.max_temp)
        if (preset := last.attributes.get("preset_mode")) in self._attr_preset_modes:
            state.preset = Preset(preset)

    @property
    def available(self) -> bool:
        """Always: the mode and target stand (and are restored) even while miners are down."""
        return True

    @property
    def hvac_mode(self) -> HVACMode:
        """Heat while HashHeat controls the loop."""
        return HVACMode.HEAT if self.coordinator.control.state.heating else HVACMode.OFF

    @property
    def hvac_action(self) -> HVACAction:
        """Heating while any miner runs under control, idle while none is needed."""
        control = self.coordinator.control
        if not control.state.heating:
            return HVACAction.OFF
        return HVACAction.HEATING if control.running_under_control else HVACAction.IDLE

    @property
    def current_temperature(self) -> float | None:
        """The loop's return temperature, if fresh."""
        return self.coordinator.control.temperature_c

    @property
    def target_temperature(self) -> float:
        """The return temperature to hold."""
        return self.coordinator.control.state.target_c

    @property
    def preset_mode(self) -> str:
        """Comfort, eco or boost."""
        return self.coordinator.control.state.preset.value

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Which plant-safety interlocks hold the miners, and the heat demand."""
        control = self.coordinator.control
        return {
            "interlocks": sorted(control.active),
            "heat_demand_w": round(control.controller.demand_w),
            "boost_ceiling": control.ceiling_c,
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
        state = self.coordinator.control.state
        if state.preset is Preset.BOOST:
            self._refuse_boost_at(float(target))
        state.target_c = float(target)
        if (mode := kwargs.get(ATTR_HVAC_MODE)) is not None:
            state.heating = mode == HVACMode.HEAT
        await self._act()

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Heat, or off (the miners stop once, then are left alone)."""
        self.coordinator.control.state.heating = hvac_mode == HVACMode.HEAT
        await self._act()

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """Comfort, eco or boost (boost only toward a target under the ceiling)."""
        if preset_mode == Preset.BOOST:
            self._refuse_boost_at(self.coordinator.control.state.target_c)
        self.coordinator.control.state.preset = Preset(preset_mode)
        await self._act()

    def _refuse_boost_at(self, target: float) -> None:
        ceiling = self.coordinator.control.ceiling_c
        if target >= ceiling:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="boost_target_too_high",
                translation_placeholders={"ceiling": f"{ceiling:g}"},
            )

    async def async_turn_on(self) -> None:
        """Heat."""
        await self.async_set_hvac_mode(HVACMode.HEAT)

    async def async_turn_off(self) -> None:
        """Off."""
        await self.async_set_hvac_mode(HVACMode.OFF)

    async def _act(self) -> None:
        self.async_write_ha_state()
        await self.coordinator.async_request_refresh()


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
            self.coordinator.control.state.miner_modes[self.miner_id] = MINER_MODES[
                HVACMode(last.state)
            ]

    @property
    def available(self) -> bool:
        """Always: the mode stands (and is restored) while the miner is down for maintenance."""
        return True

    @property
    def hvac_mode(self) -> HVACMode:
        """Auto (follow the site), heat (flat out) or off."""
        mode = self.coordinator.control.state.miner_modes.get(self.miner_id, MinerMode.AUTO)
        return HVACMode(mode.value)

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
        reading = self.reading
        if reading is not None and reading.fluid_outlet_temp_c is not None:
            return reading.fluid_outlet_temp_c
        return self.coordinator.control.temperature_c

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Hand the miner to the site, run it flat out, or stop it."""
        self.coordinator.control.state.miner_modes[self.miner_id] = MINER_MODES[hvac_mode]
        self.async_write_ha_state()
        await self.coordinator.async_request_refresh()

    async def async_turn_on(self) -> None:
        """Follow the site's controller."""
        await self.async_set_hvac_mode(HVACMode.AUTO)

    async def async_turn_off(self) -> None:
        """Stop the miner."""
        await self.async_set_hvac_mode(HVACMode.OFF)
