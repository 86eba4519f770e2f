"""What every newer firmware family offers through the same entities: pause, resume and reboot."""

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant

from custom_components.hashheat.const import CONF_MIN_OFF_MINUTES
from sim import Fleet

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
    assert miner.state.mode == "rebooting"
