"""The loop's climate entity, the power cap and the plant-safety interlocks, end to end."""

from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.hashheat.const import DOMAIN
from sim import Fleet

from .helpers.climate import CLIMATE, CONTROL, call, climate_id, controlled_site, issue
from .helpers.site import poll, set_plant, setup_plant_site
from .helpers.snapshots import snapshot_entities


def interlock_state(hass: HomeAssistant, entry: MockConfigEntry, name: str) -> str | None:
    """The state of the site's interlock binary sensor; None if the site has none."""
    entity_id = er.async_get(hass).async_get_entity_id(
        "binary_sensor", DOMAIN, f"{entry.entry_id}_interlock_{name}"
    )
    state = hass.states.get(entity_id) if entity_id else None
    return state.state if state else None


async def test_heat_mode_holds_the_target_with_the_power_limit(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    miner = fleet.miners[0]
    entry = await controlled_site(hass, fleet.miners[0])
    entity_id = climate_id(hass, entry)
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "off"
    assert state.attributes["current_temperature"] == 40.0

    # 1.5 K below target: the controller asks for part of the miner's power.
    await call(hass, "set_temperature", entity_id, temperature=41.5)
    await call(hass, "set_hvac_mode", entity_id, hvac_mode="heat")
    await poll(hass, entry)
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "heat"
    assert state.attributes["hvac_action"] == "heating"
    assert state.attributes["temperature"] == 41.5
    profiles = sorted(p.watts for p in miner.state.model.profiles())
    assert miner.state.profile.watts < profiles[-1]  # modulated, not flat out

    modulated = miner.state.profile.watts
    await call(hass, "set_preset_mode", entity_id, preset_mode="boost")
    await poll(hass, entry)
    assert miner.state.profile.watts >= modulated  # toward full power, within the ramp limit
    freezer.tick(timedelta(minutes=11))
    set_plant(hass)
    await poll(hass, entry)
    assert miner.state.profile.watts == profiles[-1]

    await call(hass, "turn_off", entity_id)
    await poll(hass, entry)
    assert miner.state.is_sleeping
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["hvac_action"] == "off"


async def test_eco_preset_and_power_cap(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    entry = await controlled_site(hass, fleet.miners[0])
    entity_id = climate_id(hass, entry)
    lowest = min(p.watts for p in miner.state.model.profiles())
    await call(hass, "set_temperature", entity_id, temperature=60)
    await call(hass, "set_preset_mode", entity_id, preset_mode="eco")
    await call(hass, "turn_on", entity_id)
    await poll(hass, entry)
    assert miner.state.profile.watts == lowest  # eco: its most efficient setting

    cap_id = er.async_get(hass).async_get_entity_id("number", DOMAIN, f"{entry.entry_id}_power_cap")
    assert cap_id is not None
    await call(hass, "set_preset_mode", entity_id, preset_mode="comfort")
    await hass.services.async_call(
        "number", "set_value", {"entity_id": cap_id, "value": 2500}, blocking=True
    )
    await poll(hass, entry)
    assert miner.state.profile.watts <= 2500
    cap = hass.states.get(cap_id)
    assert cap is not None
    assert float(cap.state) == 2500


async def test_set_temperature_with_a_mode(hass: HomeAssistant, fleet: Fleet) -> None:
    entry = await controlled_site(hass, fleet.miners[0])
    entity_id = climate_id(hass, entry)
    await call(hass, "set_temperature", entity_id, temperature=42, hvac_mode="heat")
    state = hass.states.get(entity_id)
    assert state is not None
    assert (state.state, state.attributes["temperature"]) == ("heat", 42)
    await call(hass, "set_temperature", entity_id, temperature=40, hvac_mode="off")
    state = hass.states.get(entity_id)
    assert state is not None
    assert (state.state, state.attributes["temperature"]) == ("off", 40)


async def test_target_out_of_range_is_refused(hass: HomeAssistant, fleet: Fleet) -> None:
    entry = await controlled_site(hass, fleet.miners[0])
    with pytest.raises(ServiceValidationError):
        await call(hass, "set_temperature", climate_id(hass, entry), temperature=90)


async def test_over_temperature_stops_and_clears(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    entry = await controlled_site(hass, fleet.miners[0])
    entity_id = climate_id(hass, entry)
    await call(hass, "set_temperature", entity_id, temperature=50)
    await call(hass, "turn_on", entity_id)
    await poll(hass, entry)
    assert not miner.state.is_sleeping

    hass.states.async_set("sensor.tank_return", "61.0", {"unit_of_measurement": "°C"})
    await poll(hass, entry)
    assert miner.state.is_sleeping
    assert issue(hass, entry, "over_temperature") is not None
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["interlocks"] == ["over_temperature"]
    assert interlock_state(hass, entry, "over_temperature") == "on"
    assert interlock_state(hass, entry, "pump") == "off"

    hass.states.async_set("sensor.tank_return", "45.0", {"unit_of_measurement": "°C"})
    await poll(hass, entry)
    assert issue(hass, entry, "over_temperature") is None
    assert interlock_state(hass, entry, "over_temperature") == "off"
    await poll(hass, entry)
    assert not miner.state.is_sleeping  # resumed under control


async def test_pump_off_stops_even_when_not_heating(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    entry = await controlled_site(hass, fleet.miners[0])
    assert not miner.state.is_sleeping  # mining on its own, HashHeat's climate is off
    hass.states.async_set("binary_sensor.loop_pump", "off")
    await poll(hass, entry)
    assert miner.state.is_sleeping
    assert issue(hass, entry, "pump") is not None
    assert interlock_state(hass, entry, "pump") == "on"
    hass.states.async_set("binary_sensor.loop_pump", "on")
    await poll(hass, entry)
    assert issue(hass, entry, "pump") is None
    assert interlock_state(hass, entry, "pump") == "off"


@pytest.mark.parametrize(("fallback", "sleeping"), [("stop", True), ("minimum", False)])
async def test_stale_loop_sensor_applies_the_fallback(
    hass: HomeAssistant,
    fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    fallback: str,
    sleeping: bool,
) -> None:
    miner = fleet.miners[0]
    entry = await controlled_site(hass, fleet.miners[0], sensor_fallback=fallback)
    entity_id = climate_id(hass, entry)
    await call(hass, "set_temperature", entity_id, temperature=50)
    await call(hass, "turn_on", entity_id)
    await poll(hass, entry)
    freezer.tick(timedelta(minutes=6))  # the loop sensor stops reporting
    hass.states.async_set("binary_sensor.loop_pump", "on", force_update=True)
    await poll(hass, entry)
    assert issue(hass, entry, "sensor") is not None
    assert interlock_state(hass, entry, "sensor") == "on"
    assert miner.state.is_sleeping is sleeping
    if not sleeping:
        assert miner.state.profile.watts == min(p.watts for p in miner.state.model.profiles())
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["current_temperature"] is None


async def test_mode_target_preset_and_cap_restore(hass: HomeAssistant, fleet: Fleet) -> None:
    cap = {
        "native_value": 2000,
        "native_min_value": 0,
        "native_max_value": 3616,
        "native_step": 100,
        "native_unit_of_measurement": "W",
    }
    loop = State("climate.boiler_room_loop", "heat", {"temperature": 48.5, "preset_mode": "eco"})
    mock_restore_cache_with_extra_data(
        hass,
        [
            (loop, {}),
            (State("number.boiler_room_power_cap", "2000"), cap),
            (State("climate.miner_heater", "off"), {}),
        ],
    )
    entry = await controlled_site(hass, fleet.miners[0])
    state = hass.states.get(climate_id(hass, entry))
    assert state is not None
    assert state.state == "heat"
    assert state.attributes["temperature"] == 48.5
    assert state.attributes["preset_mode"] == "eco"
    assert entry.runtime_data.control.state.power_cap_w == 2000
    assert list(entry.runtime_data.control.state.miner_modes.values()) == ["off"]


@pytest.mark.parametrize("fleet", [2], indirect=True)
async def test_miner_heaters_auto_heat_and_off(hass: HomeAssistant, fleet: Fleet) -> None:
    """Auto miners follow the site; a miner in heat runs flat out, one in off stays off."""
    followed, manual = fleet.miners
    set_plant(hass)
    hass.states.async_set("binary_sensor.loop_pump", "on")
    entry = await setup_plant_site(hass, [followed, manual], CONTROL)
    registry = er.async_get(hass)
    heater = registry.async_get_entity_id(CLIMATE, DOMAIN, f"{manual.identity.mac}_climate")
    assert heater is not None
    state = hass.states.get(heater)
    assert state is not None
    assert state.state == "auto"

    await call(hass, "set_hvac_mode", heater, hvac_mode="off")
    await poll(hass, entry)
    assert manual.state.is_sleeping
    assert not followed.state.is_sleeping  # the site is off: HashHeat leaves it alone

    await call(hass, "set_hvac_mode", heater, hvac_mode="heat")
    await poll(hass, entry)
    assert not manual.state.is_sleeping
    assert manual.state.profile.watts == max(p.watts for p in manual.state.model.profiles())
    state = hass.states.get(heater)
    assert state is not None
    assert state.attributes["current_temperature"] == 40.0  # the loop's (no fluid sensor)

    # The site heats with the follower only: 1 K below target asks part of one miner.
    loop = climate_id(hass, entry)
    await call(hass, "set_temperature", loop, temperature=41.0)
    await call(hass, "turn_on", loop)
    await poll(hass, entry)
    assert followed.state.profile.watts < max(p.watts for p in followed.state.model.profiles())
    assert manual.state.profile.watts == max(p.watts for p in manual.state.model.profiles())

    await call(hass, "turn_on", heater)
    await poll(hass, entry)
    state = hass.states.get(heater)
    assert state is not None
    assert state.state == "auto"


async def test_interlock_stops_a_miner_started_by_hand(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """The stop goes by what the miners do, not by what HashHeat last told them."""
    miner = fleet.miners[0]
    entry = await controlled_site(hass, fleet.miners[0])
    hass.states.async_set("binary_sensor.loop_pump", "off")
    await poll(hass, entry)
    assert miner.state.is_sleeping
    miner.state.wakeup()  # someone starts it on the miner's own web page
    freezer.tick(0.8)  # its warm-up
    await poll(hass, entry)  # it reports mining...
    await poll(hass, entry)  # ...and is stopped again: the pump is still off
    assert miner.state.is_sleeping


@pytest.mark.parametrize("pump", ["unavailable", "unknown"])
async def test_an_unknown_pump_state_counts_as_stopped(
    hass: HomeAssistant, fleet: Fleet, pump: str
) -> None:
    entry = await controlled_site(hass, fleet.miners[0])
    hass.states.async_set("binary_sensor.loop_pump", pump)
    await poll(hass, entry)
    assert fleet.miners[0].state.is_sleeping
    assert issue(hass, entry, "pump") is not None


async def test_the_loop_entity_stays_available_without_miners(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    entry = await controlled_site(hass, fleet.miners[0])
    fleet.miners[0].faults.offline = True
    await poll(hass, entry)
    state = hass.states.get(climate_id(hass, entry))
    assert state is not None
    assert state.state == "off"  # its mode, not "unavailable": it is what gets restored


@pytest.mark.parametrize("fleet", [["Avalon Mini3"]], indirect=True)
async def test_hot_miner_fluid_stops_a_site_with_plant_safety_only(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    """A miner's own fluid temperature trips the interlock where plant safety is configured."""
    (miner,) = fleet.miners
    miner.fluid_temp_c = 70.0  # the Avalon reports its inlet/outlet temperatures
    monitored = await setup_plant_site(hass, miner, {})  # no plant sensors: monitoring only
    await poll(hass, monitored)
    assert issue(hass, monitored, "over_temperature") is None
    assert not miner.state.scheduled  # no soft-off was sent
    assert interlock_state(hass, monitored, "over_temperature") is None  # no such entity
    assert await hass.config_entries.async_unload(monitored.entry_id)

    entry = await controlled_site(hass, fleet.miners[0])
    await poll(hass, entry)
    assert issue(hass, entry, "over_temperature") is not None


@pytest.mark.parametrize("fleet", [["Avalon Mini3"]], indirect=True)
async def test_boost_backs_off_under_the_ceiling_on_a_miners_fluid(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """Boost's ceiling (limit 60 - 5 K) watches the miner's fluid, as the interlock does."""
    (miner,) = fleet.miners
    miner.fluid_temp_c = 20.0  # its outlet stays far under the ceiling at full power
    entry = await controlled_site(hass, fleet.miners[0])
    entity_id = climate_id(hass, entry)
    await call(hass, "set_temperature", entity_id, temperature=50)
    await call(hass, "set_preset_mode", entity_id, preset_mode="boost")
    await call(hass, "turn_on", entity_id)
    controller = entry.runtime_data.control.controller
    for _ in range(3):
        freezer.tick(timedelta(minutes=5))
        set_plant(hass)  # the loop at 40 °C, 10 K under the target
        await poll(hass, entry)
    assert controller.demand_w == controller.max_power_w  # flat out
    miner.fluid_temp_c = 42.0  # at full power its outlet reads about 57 °C: over the ceiling
    for _ in range(3):
        freezer.tick(timedelta(minutes=5))
        set_plant(hass)
        await poll(hass, entry)
    assert controller.demand_w <= controller.max_power_w / 2  # its lowest setting, loop still cold
    assert issue(hass, entry, "over_temperature") is None


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_climate_entities(
    hass: HomeAssistant,
    snapshot_fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
) -> None:
    """The Loop and each miner's heater, as a snapshot (scripts/snapshots)."""
    await snapshot_entities(hass, snapshot_fleet, freezer, snapshot, Platform.CLIMATE)
