"""The site's poll runs on its interval: a hung miner neither stretches it nor holds back the others.

Time is frozen and moved in small steps; between steps the event loop runs until the healthy
miners have answered (over real loopback sockets), so every time stamp is on the frozen clock.
"""

import asyncio
from collections.abc import Callable
from datetime import timedelta
from itertools import pairwise

import freezegun.api
import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant

from custom_components.hashheat.const import POLL_WAIT_SECONDS, SCAN_INTERVAL
from custom_components.hashheat.coordinator import HashHeatSiteCoordinator
from sim import Fleet, SimulatedMiner

from .helpers.climate import CONTROL, call, climate_id
from .helpers.entities import state_of, value
from .helpers.site import set_plant, setup_plant_site, setup_site

STEP = timedelta(seconds=0.25)
GIVE_UP_S = 30.0  # real seconds


async def _turn(coordinator: HashHeatSiteCoordinator, healthy: list[SimulatedMiner]) -> None:
    """Let a poll that is due start, and the healthy miners answer it (real sockets)."""
    give_up = freezegun.api.real_perf_counter() + GIVE_UP_S
    healthy_hosts = {miner.host for miner in healthy}
    for _ in range(5):
        await asyncio.sleep(0)
    while any(
        tracker.read is not None and not tracker.read.done()
        for tracker in coordinator.miners.values()
        if tracker.client.host in healthy_hosts
    ):
        assert freezegun.api.real_perf_counter() < give_up
        await asyncio.sleep(0)
    for _ in range(20):  # the poll, if it has its answers, publishes them
        await asyncio.sleep(0)


async def _until(done: Callable[[], bool]) -> None:
    """Let the event loop run, the frozen clock standing, until ``done`` (real sockets, threads)."""
    give_up = freezegun.api.real_perf_counter() + GIVE_UP_S
    while not done():
        assert freezegun.api.real_perf_counter() < give_up
        await asyncio.sleep(0)


@pytest.mark.parametrize("heating", [False, True], ids=["loop_off", "loop_heating"])
@pytest.mark.parametrize("fleet", [3], indirect=True)
async def test_a_hung_miner_does_not_slow_the_site(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory, heating: bool
) -> None:
    """Heating, the loop sends commands every poll: one to the hung miner holds back none."""
    *healthy, hung = fleet.miners
    if heating:
        set_plant(hass)
        hass.states.async_set("binary_sensor.loop_pump", "on")
        entry = await setup_plant_site(hass, list(fleet.miners), CONTROL)
        # One call: a second within the refresh cooldown would poll off the site's schedule.
        await call(
            hass, "set_temperature", climate_id(hass, entry), temperature=55, hvac_mode="heat"
        )
    else:
        entry = await setup_site(hass, *fleet.miners)
    coordinator = entry.runtime_data
    loop = asyncio.get_running_loop()
    asked: list[float] = []  # when the healthy miners were asked (frozen clock)
    published: list[float] = []  # when the site's update reached its entities
    hung_shown: list[bool] = []  # whether that update had a reading of the hung miner
    (hung_id,) = (i for i, t in coordinator.miners.items() if t.client.host == hung.host)

    def on_update() -> None:
        published.append(loop.time())
        hung_shown.append(hung_id in coordinator.data.readings)

    remove = coordinator.async_add_listener(on_update)
    hung.faults.hang = True
    (watched,) = (t for t in coordinator.miners.values() if t.client.host == healthy[0].host)
    read = watched.read
    while len(published) < 5:
        freezer.tick(STEP)
        await _turn(coordinator, healthy)
        if watched.read is not read:
            read = watched.read
            asked.append(loop.time())
        if asked[-1:] and loop.time() >= asked[-1] + POLL_WAIT_SECONDS + STEP.total_seconds():
            # Its patience is over (its timer fired by the step after): the poll publishes
            # without the clock moving on; what is left of it runs in real time (the plan in the
            # executor too), not on a deadline.
            await _until(lambda: len(published) >= len(asked))
    remove()

    intervals = [later - earlier for earlier, later in pairwise(published)]
    assert intervals == pytest.approx([SCAN_INTERVAL.total_seconds()] * 4, abs=STEP.total_seconds())
    # Each update carries the healthy miners' answers to that poll, a bounded wait after it asked.
    delays = [done - start for start, done in zip(asked, published, strict=True)]
    assert all(delay <= POLL_WAIT_SECONDS + STEP.total_seconds() for delay in delays)
    for miner in healthy:
        assert value(hass, miner, "power") == miner.state.snapshot().watts
    # Its last reading stood while its first read was under way; after its deadline it is down.
    assert hung_shown == [True, False, False, False, False]
    assert state_of(hass, "sensor", hung, "power") == STATE_UNAVAILABLE
    # Heating, the loop did command the hung miner: that command is what did not hold the poll.
    assert (hung_id in coordinator.control.failing) is heating
    assert (hung_id in coordinator.control.commands_under_way) is heating
    # Unloading drops it: nothing the old site wanted reaches a miner after it is gone.
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert coordinator.control.commands_under_way == frozenset()
