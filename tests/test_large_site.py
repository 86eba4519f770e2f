"""A large site tells its entities of a poll in slices, so Home Assistant's event loop keeps running."""

from functools import partial

import pytest
from homeassistant.core import HomeAssistant

from custom_components.hashheat import coordinator as coordinator_module
from custom_components.hashheat.const import LISTENER_SLICE
from sim import Fleet

from .helpers.entities import value
from .helpers.site import setup_site


async def test_entities_are_told_in_slices(
    hass: HomeAssistant,
    fleet: Fleet,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(coordinator_module, "LISTENER_SLICE", 4)
    miner = fleet.miners[0]
    entry = await setup_site(hass, miner)
    coordinator = entry.runtime_data
    assert len(coordinator._listeners) > 8  # the miner's and the site's entities

    calls: list[int] = []
    unsubscribe = [coordinator.async_add_listener(partial(calls.append, i)) for i in range(10)]

    def broken() -> None:
        raise RuntimeError("boom")

    coordinator.async_add_listener(broken)
    miner.fluid_temp_c = 55.0
    await coordinator.async_refresh()
    # The first slice is told at once; the listeners added last wait for later loop iterations.
    assert calls == []
    await hass.async_block_till_done()
    assert calls == list(range(10))
    assert "Unexpected error updating listener" in caplog.text
    assert value(hass, miner, "chip_temperature_max") > 55.0

    calls.clear()
    coordinator.async_update_listeners()
    # Newer data replaces the notification still under way: nobody is told twice.
    coordinator.async_update_listeners()
    unsubscribe[0]()  # a listener that goes in the meantime is not called
    await hass.async_block_till_done()
    assert calls == list(range(1, 10))


async def test_small_site_tells_its_entities_at_once(hass: HomeAssistant, fleet: Fleet) -> None:
    entry = await setup_site(hass, fleet.miners[0])
    coordinator = entry.runtime_data
    assert len(coordinator._listeners) <= LISTENER_SLICE
    calls: list[int] = []
    coordinator.async_add_listener(partial(calls.append, 1))
    await coordinator.async_refresh()
    assert calls == [1]
