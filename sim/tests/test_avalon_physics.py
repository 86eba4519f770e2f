"""Avalon work levels as physics, and the scheduled actions they need (manual clock)."""

import pytest

from sim import AVALON_Q, MINI3, ManualClock, MinerState, Mode
from sim.tests.helpers import mode


def make(clock: ManualClock, profile: str = "0") -> MinerState:
    return MinerState(
        MINI3,
        clock=clock,
        profile=profile,
        retune_seconds=30,
        warmup_seconds=60,
        reboot_seconds=90,
        noise=0.0,
    )


def test_work_level_tables() -> None:
    assert [(p.name, p.watts, p.hashrate_ths) for p in MINI3.profiles()] == [
        ("-1", 500, 30.0),
        ("0", 800, 37.5),
    ]
    assert [(p.name, p.watts) for p in AVALON_Q.profiles()] == [
        ("0", 800),
        ("1", 1300),
        ("2", 1674),
    ]
    assert MINI3.level(-1).label == "Eco"
    assert AVALON_Q.level_values == (0, 1, 2)
    with pytest.raises(KeyError):
        MINI3.level(2)


def test_levels_resolve_by_name_and_watts(clock: ManualClock) -> None:
    state = make(clock)
    assert state.profile.name == "0"
    assert state.resolve_profile("600W").name == "-1"
    assert state.select(state.get_profile("-1")).watts == 500
    assert mode(state) == Mode.TUNING
    clock.advance(15)
    assert state.watts() == 650
    clock.advance(15)
    assert state.watts() == 500
    assert state.snapshot().boards[0].chips == 66


def test_scheduled_sleep_and_wakeup(clock: ManualClock) -> None:
    state = make(clock)
    start = clock()
    state.sleep(at=start + 5)
    state.wakeup(at=start + 20)
    assert state.scheduled == [start + 5, start + 20]
    clock.advance(4)
    assert mode(state) == Mode.MINING
    clock.advance(2)  # past the sleep: the wake-up ramp will start at +20, not later
    assert mode(state) == Mode.SLEEPING
    assert state.watts() == 10
    assert state.scheduled == [start + 20]
    clock.advance(44)  # +50: 30 s into the 60 s warm-up
    assert mode(state) == Mode.WAKING
    assert state.watts() == round(10 + (800 - 10) * 30 / 60)
    assert state.scheduled == []


def test_schedule_in_the_past_acts_now(clock: ManualClock) -> None:
    state = make(clock)
    state.sleep(at=clock() - 100)
    assert mode(state) == Mode.SLEEPING
    assert state.scheduled == []


def test_scheduled_reboot_and_restart(clock: ManualClock) -> None:
    state = make(clock)
    state.reboot(at=clock() + 10)
    assert state.is_reachable
    clock.advance(10)
    assert not state.is_reachable
    assert mode(state) == Mode.REBOOTING
    clock.advance(90)
    assert state.is_reachable
    assert state.uptime_seconds() == 0
    state.restart_miner(at=clock() + 1)
    clock.advance(1)
    assert mode(state) == Mode.RESTARTING
