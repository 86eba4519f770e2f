"""A grid hold (demand response) on a heating site, end to end: real Home Assistant, real pyasic,
simulated LuxOS miners. The hold wins over the loop's heating, survives a restart, releases
itself after its duration, keeps the site under a power floor and releases miners one by one.
"""

from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.const import DOMAIN
from sim import Fleet, SimulatedMiner, until

from .helpers.blueprints import load_blueprint, substitute
from .helpers.climate import CONTROL, call, climate_id
from .helpers.entities import entity_id
from .helpers.site import poll, set_plant, setup_plant_site

# A poll a minute: the loop ramps the site to full power in about 10 minutes.
POLL = timedelta(minutes=1)


async def heating(hass: HomeAssistant, fleet: Fleet, **options: Any) -> MockConfigEntry:
    """A three-miner site heating toward a target far above its return temperature."""
    set_plant(hass)
    hass.states.async_set("binary_sensor.loop_pump", "on")
    entry = await setup_plant_site(hass, list(fleet.miners), {**CONTROL, **options})
    loop = climate_id(hass, entry)
    await call(hass, "set_temperature", loop, temperature=55, hvac_mode="heat")
    return entry


async def polls(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    count: int,
    *,
    automation_waiting: bool = False,
) -> list[int]:
    """Poll ``count`` times, a minute apart; how many miners mined after each poll.

    ``automation_waiting``: an automation run waits (for a signal to clear), so Home Assistant
    is never "done" and the poll is awaited directly.
    """
    mining = []
    for _ in range(count):
        freezer.tick(POLL)
        set_plant(hass)  # the plant's sensors report at every poll
        if automation_waiting:
            await entry.runtime_data.async_refresh()
        else:
            await poll(hass, entry)
        mining.append(sum(not miner.state.is_sleeping for miner in FLEETS[entry.entry_id]))
    return mining


FLEETS: dict[str, list[SimulatedMiner]] = {}


def hold_state(hass: HomeAssistant, entry: MockConfigEntry) -> tuple[str, dict[str, Any]]:
    sensor = er.async_get(hass).async_get_entity_id(
        "binary_sensor", DOMAIN, f"{entry.entry_id}_grid_hold"
    )
    assert sensor is not None
    state = hass.states.get(sensor)
    assert state is not None
    return state.state, dict(state.attributes)


async def pause(hass: HomeAssistant, entry: MockConfigEntry, **data: Any) -> None:
    await hass.services.async_call(
        DOMAIN, "pause_site", {"config_entry_id": entry.entry_id, **data}, blocking=True
    )


async def started(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory, **options: Any
) -> MockConfigEntry:
    """The site heating with all three miners running."""
    entry = await heating(hass, fleet, **options)
    FLEETS[entry.entry_id] = list(fleet.miners)
    assert (await polls(hass, entry, freezer, 12))[-1] == 3
    return entry


@pytest.mark.parametrize("fleet", [3], indirect=True)
async def test_hold_while_heating_holds_across_polls_and_a_restart(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    entry = await started(hass, fleet, freezer)

    await pause(hass, entry, reason="DSO signal 42")
    assert all(miner.state.is_sleeping for miner in fleet.miners)
    state, attributes = hold_state(hass, entry)
    assert state == "on"
    assert attributes["reason"] == "DSO signal 42"
    assert attributes["power_floor_w"] == 0
    assert attributes["until"] is None

    # The loop still heats and asks for every miner: the hold wins, poll after poll.
    assert await polls(hass, entry, freezer, 10) == [0] * 10
    climate = hass.states.get(climate_id(hass, entry))
    assert climate is not None
    assert climate.state == "heat"

    # A manual start is refused with a translated reason.
    switch = entity_id(hass, "switch", fleet.miners[0], "mining")
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    assert refused.value.translation_key == "grid_hold_active"
    assert fleet.miners[0].state.is_sleeping

    # Home Assistant restarts (the site is set up again from its stores): still held.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert await polls(hass, entry, freezer, 4) == [0] * 4
    assert hold_state(hass, entry)[0] == "on"

    # Released: the miners come back one by one (one start per poll), not all at once.
    await hass.services.async_call(
        DOMAIN, "resume_site", {"config_entry_id": entry.entry_id}, blocking=True
    )
    assert hold_state(hass, entry)[0] == "off"
    mining = [sum(not miner.state.is_sleeping for miner in fleet.miners)]
    mining += await polls(hass, entry, freezer, 12)
    assert mining[0] <= 1
    assert mining[-1] == 3
    assert all(b - a <= 1 for a, b in pairwise(mining))


@pytest.mark.parametrize("fleet", [3], indirect=True)
async def test_hold_with_a_duration_releases_itself(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    entry = await started(hass, fleet, freezer)
    await pause(hass, entry, duration={"minutes": 10})
    state, attributes = hold_state(hass, entry)
    assert state == "on"
    assert attributes["until"] is not None
    assert await polls(hass, entry, freezer, 9) == [0] * 9  # 9 of the 10 minutes
    mining = await polls(hass, entry, freezer, 12)
    assert mining[0] <= 1  # the hold ends during the first of these polls
    assert mining[-1] == 3
    assert hold_state(hass, entry)[0] == "off"
    # Staged: never more than one more miner per poll.
    assert all(b - a <= 1 for a, b in pairwise([0, *mining]))  # staged


@pytest.mark.parametrize("fleet", [3], indirect=True)
async def test_power_floor_dims_the_site(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    entry = await started(hass, fleet, freezer)
    full = sum(miner.state.snapshot().watts for miner in fleet.miners)
    floor = 4000
    assert full > floor
    await pause(hass, entry, power_floor_w=floor)
    drawn = []
    for _ in range(10):
        await polls(hass, entry, freezer, 1)
        drawn.append(sum(m.state.profile.watts for m in fleet.miners if not m.state.is_sleeping))
    assert max(drawn) <= floor
    assert min(drawn) > 0  # dimmed, not off
    assert hold_state(hass, entry)[1]["power_floor_w"] == floor


@pytest.mark.parametrize("fleet", [3], indirect=True)
async def test_a_power_limit_raised_during_a_dimmed_hold_does_not_stick(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """The hold wins over a miner's power limit, set from Home Assistant or from the miner."""
    entry = await started(hass, fleet, freezer)
    floor = 4000
    await pause(hass, entry, power_floor_w=floor)
    await polls(hass, entry, freezer, 3)
    running = [m for m in fleet.miners if not m.state.is_sleeping]
    assert running
    highest = max(p.watts for p in running[0].state.profiles)
    number = entity_id(hass, "number", running[0], "power_limit_control")
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(
            "number", "set_value", {"entity_id": number, "value": highest}, blocking=True
        )
    assert refused.value.translation_key == "grid_hold_active"
    assert running[0].state.profile.watts < highest

    # Raised on the miner itself (its web page): the next poll dims it again.
    running[0].state.set_profile(f"{highest}W")
    for _ in range(3):
        await polls(hass, entry, freezer, 1)
        assert running[0].state.profile.watts < highest
        assert sum(m.state.profile.watts for m in fleet.miners if not m.state.is_sleeping) <= floor


@pytest.mark.parametrize("fleet", [3], indirect=True)
async def test_power_floor_dims_the_miners_while_the_loop_is_off(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """Dim, not off: the miners mine on their own (the Loop off) and the floor dims them."""
    set_plant(hass)
    hass.states.async_set("binary_sensor.loop_pump", "on")
    entry = await setup_plant_site(hass, list(fleet.miners), CONTROL)
    FLEETS[entry.entry_id] = list(fleet.miners)
    assert await polls(hass, entry, freezer, 2) == [3, 3]
    climate = hass.states.get(climate_id(hass, entry))
    assert climate is not None
    assert climate.state == "off"
    floor = 5000
    await pause(hass, entry, power_floor_w=floor, duration={"minutes": 10})
    drawn, mining = [], []
    for _ in range(8):
        mining += await polls(hass, entry, freezer, 1)
        drawn.append(sum(m.state.profile.watts for m in fleet.miners if not m.state.is_sleeping))
    assert max(drawn) <= floor
    assert min(drawn) > 0  # dimmed, not off
    assert min(mining) >= 1
    # Released: the miners get back the power they had, and the one shed mines again.
    await polls(hass, entry, freezer, 4)
    assert hold_state(hass, entry)[0] == "off"
    assert all(not miner.state.is_sleeping for miner in fleet.miners)
    assert sum(m.state.profile.watts for m in fleet.miners) > floor


@pytest.mark.parametrize("fleet", [3], indirect=True)
async def test_grid_emergency_blueprint_holds_a_heating_site(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """The blueprint's hashheat.pause_site, live: the heating loop cannot undo it."""
    entry = await started(hass, fleet, freezer)
    name = "grid_emergency.yaml"
    cap = er.async_get(hass).async_get_entity_id("number", DOMAIN, f"{entry.entry_id}_power_cap")
    inputs = {
        "site": entry.entry_id,
        "power_cap": cap,
        "emergency_sensor": "binary_sensor.dso_relay",
        "hold_time": {"minutes": 0},
        "ramp_steps": 1,
    }
    hass.states.async_set("binary_sensor.dso_relay", "off")
    config = substitute(load_blueprint(name), name, inputs)
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()

    hass.states.async_set("binary_sensor.dso_relay", "on")
    await until(lambda: hold_state(hass, entry)[0] == "on")
    assert await polls(hass, entry, freezer, 10, automation_waiting=True) == [0] * 10
    state, attributes = hold_state(hass, entry)
    assert state == "on"
    assert attributes["reason"] == "Grid emergency: sensor"

    hass.states.async_set("binary_sensor.dso_relay", "off")
    await until(lambda: hold_state(hass, entry)[0] == "off")
    assert (await polls(hass, entry, freezer, 12))[-1] == 3


@pytest.mark.parametrize("fleet", [3], indirect=True)
async def test_removing_a_site_removes_its_stores(
    hass: HomeAssistant,
    fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    entry = await started(hass, fleet, freezer)
    await pause(hass, entry)
    keys = {f"{DOMAIN}.{entry.entry_id}.control", f"{DOMAIN}.{entry.entry_id}.ledger"}
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert keys <= set(hass_storage)
    assert hass_storage[f"{DOMAIN}.{entry.entry_id}.control"]["data"]["holds"][0]["floor_w"] == 0
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert not keys & set(hass_storage)


@pytest.mark.parametrize("fleet", [3], indirect=True)
async def test_a_hold_announced_ahead_begins_at_its_start_even_after_a_restart(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    entry = await started(hass, fleet, freezer)
    start = dt_util.utcnow() + timedelta(minutes=5, seconds=30)
    await pause(hass, entry, start=start.isoformat(), duration={"minutes": 10}, reason="DR 7")
    state, attributes = hold_state(hass, entry)
    assert state == "off"  # scheduled, not holding yet
    assert attributes["start"] == start.isoformat()
    assert attributes["until"] == (start + timedelta(minutes=10)).isoformat()
    assert await polls(hass, entry, freezer, 3) == [3] * 3

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert await polls(hass, entry, freezer, 2) == [3] * 2  # 5 minutes in: still before it
    assert await polls(hass, entry, freezer, 1) == [0]  # its start: every miner stops
    assert hold_state(hass, entry)[0] == "on"
    assert await polls(hass, entry, freezer, 8) == [0] * 8
    assert (await polls(hass, entry, freezer, 12))[-1] == 3  # over after its 10 minutes
    assert hold_state(hass, entry)[1]["start"] is None  # ended: no hold left


@pytest.mark.parametrize("fleet", [3], indirect=True)
async def test_a_hold_announced_while_one_is_in_force_does_not_release_it(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    entry = await started(hass, fleet, freezer)
    await pause(hass, entry, reason="emergency")
    assert await polls(hass, entry, freezer, 2) == [0, 0]
    tomorrow = dt_util.utcnow() + timedelta(days=1)
    await pause(hass, entry, start=tomorrow.isoformat(), duration={"hours": 2}, reason="DR 8")
    state, attributes = hold_state(hass, entry)
    assert state == "on"
    assert attributes["reason"] == "emergency"
    assert [(h["start"], h["reason"]) for h in attributes["scheduled"]] == [
        (tomorrow.isoformat(), "DR 8")
    ]
    assert await polls(hass, entry, freezer, 3) == [0] * 3

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert await polls(hass, entry, freezer, 2) == [0, 0]
    assert len(hold_state(hass, entry)[1]["scheduled"]) == 1
    await hass.services.async_call(
        DOMAIN, "resume_site", {"config_entry_id": entry.entry_id}, blocking=True
    )
    state, attributes = hold_state(hass, entry)
    assert (state, attributes["scheduled"]) == ("off", [])  # released and cancelled


@pytest.mark.parametrize("fleet", [3], indirect=True)
async def test_resume_site_cancels_a_hold_still_to_begin(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    entry = await started(hass, fleet, freezer)
    await pause(hass, entry, start=(dt_util.utcnow() + timedelta(minutes=2)).isoformat())
    assert hold_state(hass, entry)[1]["start"] is not None
    await hass.services.async_call(
        DOMAIN, "resume_site", {"config_entry_id": entry.entry_id}, blocking=True
    )
    assert hold_state(hass, entry)[1]["start"] is None
    assert await polls(hass, entry, freezer, 5) == [3] * 5


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"start": "2020-01-01T17:00:00+00:00"}, "hold_start_past"),
        ({"duration": {"minutes": 0}}, "hold_duration_invalid"),
        ({"duration": "-01:00:00"}, "hold_duration_invalid"),
    ],
)
@pytest.mark.parametrize("fleet", [1], indirect=True)
async def test_a_hold_that_cannot_be_is_a_translated_error(
    hass: HomeAssistant, fleet: Fleet, data: dict[str, Any], key: str
) -> None:
    entry = await heating(hass, fleet)
    with pytest.raises(ServiceValidationError) as refused:
        await pause(hass, entry, **data)
    assert refused.value.translation_key == key
    assert not entry.runtime_data.control.state.holds.holds
