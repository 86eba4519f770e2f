"""Physics of a single miner, stepped with a manual clock (no sockets)."""

import pytest

from sim import S19XP, S21, ManualClock, MinerState, Mode
from sim.tests.helpers import mode


def reachable(state: MinerState) -> bool:
    return state.is_reachable


def make(clock: ManualClock, fluid_temp_c: float = 40.0) -> MinerState:
    return MinerState(
        S19XP,
        clock=clock,
        retune_seconds=30,
        warmup_seconds=60,
        reboot_seconds=90,
        noise=0.0,
        fluid_temp_c=fluid_temp_c,
    )


def test_profiles_span_realistic_range() -> None:
    profiles = S19XP.profiles()
    names = [p.name for p in profiles]
    assert "default" in names
    assert names[0] == "350MHz"
    assert names[-1] == "575MHz"
    watts = [p.watts for p in profiles]
    assert watts == sorted(watts)
    assert 1800 <= watts[0] <= 2000
    assert 3500 <= watts[-1] <= 3700
    default = next(p for p in profiles if p.name == "default")
    assert (default.watts, default.hashrate_ths, default.frequency_mhz) == (3010, 141.0, 500)
    assert [p.step_label for p in profiles][5:8] == ["-1", "0", "+1"]
    assert {p.name for p in S21.profiles()} >= {"default", "340MHz", "565MHz"}


def test_resolve_selectors(clock: ManualClock) -> None:
    state = make(clock)
    assert state.resolve_profile("default").step == 0
    assert state.resolve_profile("+1").name == "525MHz"
    assert state.resolve_profile("-2").name == "450MHz"
    assert state.resolve_profile("2500W").name == "425MHz"
    assert state.resolve_profile("3.3kW").name == "525MHz"
    assert state.resolve_profile("130THs").name == "450MHz"
    for bad in ("nope", "+9", "100W", "1THs"):
        with pytest.raises(KeyError):
            state.resolve_profile(bad)


def test_starts_settled_on_default(clock: ManualClock) -> None:
    state = make(clock)
    snap = state.snapshot()
    assert snap.mode == Mode.MINING
    assert not snap.is_tuning
    assert snap.watts == 3010
    assert snap.hashrate_ghs == pytest.approx(141_000)
    assert len(snap.boards) == 3
    assert all(b.chips == 110 for b in snap.boards)


def test_profile_change_ramps_over_retune_delay(clock: ManualClock) -> None:
    state = make(clock)
    state.set_profile("400MHz")
    assert mode(state) == Mode.TUNING
    assert state.is_tuning
    assert state.profile.name == "400MHz"
    assert state.watts() == 3010  # nothing moved yet
    clock.advance(15)
    assert state.watts() == round((3010 + 2268) / 2)
    assert state.hashrate_ths() == pytest.approx((141 + 112.8) / 2)
    clock.advance(15)
    assert mode(state) == Mode.MINING
    assert state.watts() == 2268
    assert state.hashrate_ths() == pytest.approx(112.8)


def test_retarget_mid_ramp_starts_from_current_point(clock: ManualClock) -> None:
    state = make(clock)
    state.set_profile("400MHz")
    clock.advance(15)
    middle = state.watts()
    state.set_profile("575MHz")
    assert state.watts() == middle
    clock.advance(30)
    assert state.watts() == 3616


def test_same_profile_is_a_no_op(clock: ManualClock) -> None:
    state = make(clock)
    state.set_profile("default")
    assert mode(state) == Mode.MINING


def test_sleep_and_wakeup(clock: ManualClock) -> None:
    state = make(clock)
    state.sleep()
    assert mode(state) == Mode.SLEEPING
    assert state.is_sleeping
    assert state.watts() == 10
    assert state.hashrate_ths() == 0
    state.set_profile("450MHz")  # only the target changes while asleep
    clock.advance(100)
    assert state.watts() == 10
    state.wakeup()
    assert mode(state) == Mode.WAKING
    assert state.is_tuning
    clock.advance(30)
    assert 10 < state.watts() < 2630
    clock.advance(30)
    assert mode(state) == Mode.MINING
    assert state.watts() == 2630
    state.wakeup()  # already awake: nothing happens
    assert mode(state) == Mode.MINING


def test_reboot_is_unreachable_then_warms_up(clock: ManualClock) -> None:
    state = make(clock)
    clock.advance(500)
    assert state.uptime_seconds() == 500
    state.reboot()
    assert not reachable(state)
    assert mode(state) == Mode.REBOOTING
    clock.advance(89)
    assert not reachable(state)
    clock.advance(2)
    assert reachable(state)
    assert mode(state) == Mode.WAKING
    assert state.uptime_seconds() == 1
    clock.advance(60)
    assert mode(state) == Mode.MINING
    assert state.watts() == 3010


def test_restart_miner_is_short(clock: ManualClock) -> None:
    state = make(clock)
    state.restart_miner()
    assert mode(state) == Mode.RESTARTING
    clock.advance(5)
    assert mode(state) == Mode.WAKING


def test_sleep_survives_reboot(clock: ManualClock) -> None:
    state = make(clock)
    state.sleep()
    state.reboot()
    state.set_profile("-1")
    clock.advance(91)
    assert mode(state) == Mode.SLEEPING
    assert state.watts() == 10


def test_temperatures_follow_fluid_and_load(clock: ManualClock) -> None:
    state = make(clock, fluid_temp_c=40.0)
    state.set_profile("575MHz")  # full power
    clock.advance(30)
    for board in state.snapshot().boards:
        assert (board.chip_temps[0] + board.chip_temps[3]) / 2 == pytest.approx(65, abs=1.5)
        assert (board.pcb_temps[1] + board.pcb_temps[2]) / 2 == pytest.approx(55, abs=1.5)
    state.fluid_temp_c = 50.0
    hotter = state.snapshot().boards[0]
    assert (hotter.chip_temps[0] + hotter.chip_temps[3]) / 2 == pytest.approx(75, abs=1.5)
    state.sleep()
    for board in state.snapshot().boards:
        assert all(abs(t - 50) <= 1 for t in board.chip_temps + board.pcb_temps)


def test_noise_is_small_and_reproducible() -> None:
    snaps = []
    for seed in (1, 1, 2):
        state = MinerState(S19XP, clock=ManualClock(), seed=seed, noise=0.01)
        snaps.append(state.snapshot())
    assert snaps[0] == snaps[1]
    assert snaps[0].boards != snaps[2].boards
    rates = [b.hashrate_ghs for b in snaps[0].boards]
    assert len(set(rates)) == 3
    assert snaps[0].hashrate_ghs == pytest.approx(141_000, rel=0.01)
    assert snaps[0].watts == pytest.approx(3010, rel=0.005)


def test_noise_changes_over_time_windows() -> None:
    clock = ManualClock()
    state = MinerState(S19XP, clock=clock, seed=3, noise=0.01)
    first = state.snapshot().hashrate_ghs
    clock.advance(1)
    assert state.snapshot().hashrate_ghs == first  # same 5 s window
    clock.advance(10)
    assert state.snapshot().hashrate_ghs != first


def test_manual_clock() -> None:
    clock = ManualClock(5.0)
    assert clock() == 5.0
    clock.advance(2.5)
    assert clock() == 7.5
