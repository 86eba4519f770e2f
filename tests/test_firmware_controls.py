"""What every newer firmware family offers through the same entities: pause, resume, reboot,
identify and restarting the mining backend."""

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.hashheat.const import CONF_MIN_OFF_MINUTES, IDENTIFY_DURATION
from sim import Fleet, SimulatedMiner, until

from .helpers.entities import entity_id, state_of
from .helpers.site import poll, setup_site


@pytest.mark.parametrize(
    "fleet",
    [
        ["Antminer S19j Pro BOS+"],
        ["Antminer S19j Pro VNish"],
        ["Antminer S19j Pro VNish 1.3"],
        ["Whatsminer M63S"],
    ],
    indirect=True,
)
async def test_pause_resume_and_reboot(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    (miner,) = fleet.miners
    entry = await setup_site(hass, miner, options={CONF_MIN_OFF_MINUTES: 0.05})
    switch = entity_id(hass, "switch", miner, "mining")
    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    assert miner.state.is_sleeping
    await poll(hass, entry)
    assert state_of(hass, "switch", miner, "mining") == STATE_OFF
    freezer.tick(6)
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    freezer.tick(1)
    await poll(hass, entry)
    assert state_of(hass, "switch", miner, "mining") == STATE_ON

    reboot = entity_id(hass, "button", miner, "reboot")
    await hass.services.async_call("button", "press", {"entity_id": reboot}, blocking=True)
    await until(lambda: miner.state.mode == "rebooting")  # once the caller has read the reply


def light_on(miner: SimulatedMiner) -> bool:
    """Whether the simulated firmware has its locate light (fault light) on."""
    if miner.whatsminer is not None:
        return miner.whatsminer.led_manual
    device = miner.vnish or miner.braiins
    assert device is not None
    return device.locating


async def press(hass: HomeAssistant, miner: SimulatedMiner, key: str) -> None:
    button = entity_id(hass, "button", miner, key)
    await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)


@pytest.mark.parametrize(
    "fleet",
    [["Antminer S19j Pro BOS+"], ["Antminer S19j Pro VNish"], ["Whatsminer M63S"]],
    indirect=True,
    ids=["braiins", "vnish", "whatsminer"],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")  # restart_backend is disabled
async def test_identify_and_restart_backend(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    (miner,) = fleet.miners
    await setup_site(hass, miner)
    await press(hass, miner, "identify")
    assert light_on(miner)
    freezer.tick(IDENTIFY_DURATION)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert not light_on(miner)

    assert miner.state.mode == "mining"
    await press(hass, miner, "restart_backend")
    await until(lambda: miner.state.mode == "restarting")
