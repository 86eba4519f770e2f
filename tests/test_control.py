"""The loop controller: PI with anti-windup and rate limits, staging and hardware protection."""

import pytest

from custom_components.hashheat.domain.control import (
    ControllerSettings,
    LoopController,
    MinerCommand,
    MinerSpec,
    share_power,
)
from custom_components.hashheat.domain.protection import DAY_S, Protection, ProtectionSettings

EFFICIENT = MinerSpec(
    miner_id="a", modulating=True, min_power_w=2000, max_power_w=3600, efficiency_jth=20
)
THIRSTY = MinerSpec(
    miner_id="b", modulating=True, min_power_w=2000, max_power_w=3600, efficiency_jth=30
)
ONOFF = MinerSpec(
    miner_id="c", modulating=False, min_power_w=3000, max_power_w=3000, efficiency_jth=25
)
FAST = ControllerSettings(ramp_w_per_s=1e9, retune_s=0)


def protection(
    *, min_on_s: float = 0, min_off_s: float = 0, max_starts_per_day: int = 12
) -> Protection:
    """Hardware protection, by default none (the controller's own behaviour on its own)."""
    return Protection(
        ProtectionSettings(
            min_on_s=min_on_s, min_off_s=min_off_s, max_starts_per_day=max_starts_per_day
        )
    )


def by_id(commands: list[MinerCommand]) -> dict[str, MinerCommand]:
    return {command.miner_id: command for command in commands}


def primed(miners: list[MinerSpec], settings: ControllerSettings) -> LoopController:
    """A controller that has seen one sample at target (its clock starts at t = 0)."""
    controller = LoopController(miners, settings, protection())
    controller.update(0, 50.0, 50.0)
    return controller


def test_most_efficient_miner_runs_first_and_the_next_joins_with_demand() -> None:
    controller = primed([THIRSTY, EFFICIENT], FAST)
    # Gain: 7200 W / 4 K = 1800 W/K; 1.5 K below target asks 2700 W (+ 1.5 W of integral in
    # one second: 1800 W/K / 1800 s x 1.5 K x 1 s): one miner.
    commands = by_id(controller.update(1, 48.5, 50.0))
    assert commands["a"].run
    assert commands["a"].power_w == pytest.approx(2701.5)
    assert commands["b"].run is False
    # 3.5 K below: 6300 W needs both; they share it (each at a lower, more efficient setting).
    commands = by_id(controller.update(2, 46.5, 50.0))
    assert commands["a"].power_w == pytest.approx(3150, abs=10)
    assert commands["b"].power_w == commands["a"].power_w


def test_a_demand_at_a_stage_edge_does_not_start_and_stop_a_miner() -> None:
    third = MinerSpec(
        miner_id="c", modulating=True, min_power_w=2000, max_power_w=3600, efficiency_jth=40
    )
    controller = primed([EFFICIENT, THIRSTY, third], FAST)
    # Two miners give at most 7200 W, three at least 6000 W: around 7200 W all three share it.
    for second in range(1, 21):
        commands = by_id(controller.update(second, 40.0, 50.0, cap_w=7100 + 200 * (second % 2)))
        assert all(command.run for command in commands.values())
    # Each at a third; 7100 / 3 W is inside the retune deadband of the 7300 / 3 W it runs at.
    assert commands["c"].power_w == pytest.approx(7300 / 3)
    assert {m: len(times) for m, times in controller.protection.starts.items()} == dict.fromkeys(
        "abc", 1
    )
    # Below what the three could share at their lowest settings, the last one stops.
    commands = by_id(controller.update(21, 40.0, 50.0, cap_w=5900))
    assert [commands[m].run for m in "abc"] == [True, True, False]
    assert commands["a"].power_w == pytest.approx(2950)


def test_power_cap_is_obeyed() -> None:
    controller = primed([EFFICIENT, THIRSTY], FAST)
    commands = by_id(controller.update(1, 40.0, 50.0, cap_w=4000))
    assert controller.demand_w == 4000
    # 4000 W is more than one miner gives: two share it at their lowest setting.
    assert commands["a"].power_w == 2000
    assert commands["b"].power_w == 2000
    commands = by_id(controller.update(2, 40.0, 50.0, cap_w=3000))
    assert controller.demand_w == 3000
    assert commands["a"].power_w == 3000  # one miner is enough again
    assert commands["b"].run is False


def test_rate_limit_spreads_a_step_over_time() -> None:
    controller = LoopController([EFFICIENT], ControllerSettings(ramp_w_per_s=10), protection())
    controller.update(0, 50.0, 50.0)
    controller.update(10, 40.0, 50.0)  # a 10 K step asks for everything at once
    assert controller.demand_w == pytest.approx(100)  # 10 W/s for 10 s
    controller.update(70, 40.0, 50.0)
    assert controller.demand_w == pytest.approx(700)


def test_integral_is_frozen_while_a_miner_retunes() -> None:
    settings = ControllerSettings(ramp_w_per_s=1e9, retune_s=60)
    controller = primed([EFFICIENT], settings)
    controller.update(1, 48.0, 50.0)  # a power change: retuning until t = 61
    first = controller.demand_w
    controller.update(30, 48.0, 50.0)  # same error, frozen integral: same demand
    assert controller.demand_w == first
    controller.update(90, 48.0, 50.0)  # thawed: the integral grows
    assert controller.demand_w > first


def test_anti_windup_lets_the_demand_fall_as_soon_as_the_loop_is_warm() -> None:
    controller = LoopController([EFFICIENT], FAST, protection())
    for second in range(0, 7200, 10):  # two hours far below target, saturated
        controller.update(second, 30.0, 50.0)
    assert controller.demand_w == 3600
    controller.update(7210, 50.5, 50.0)  # just above target
    # Without anti-windup the integral would hold full power for a long time; here it is bounded
    # by the site's power and the proportional part pulls it down at once.
    assert controller.demand_w < 3600


def test_minimum_on_and_off_times() -> None:
    controller = LoopController([ONOFF], FAST, protection(min_on_s=600, min_off_s=300))
    assert by_id(controller.update(0, 45.0, 50.0))["c"].run  # cold: on
    assert by_id(controller.update(60, 60.0, 50.0))["c"].run  # hot, but on for only a minute
    assert not by_id(controller.update(600, 60.0, 50.0))["c"].run  # ten minutes: off
    assert not by_id(controller.update(660, 40.0, 50.0))["c"].run  # cold, but off for a minute
    assert by_id(controller.update(900, 40.0, 50.0))["c"].run  # five minutes off: on


def test_starts_per_day_are_capped() -> None:
    controller = LoopController([ONOFF], FAST, protection(max_starts_per_day=3))
    starts = 0
    for hour in range(12):
        cold = hour % 2 == 0
        command = by_id(controller.update(hour * 3600, 40.0 if cold else 60.0, 50.0))["c"]
        if cold and command.run:
            starts += 1
    assert starts == 3
    # A day after the first start, it may start again.
    assert by_id(controller.update(DAY_S + 1, 40.0, 50.0))["c"].run


def test_start_cap_survives_a_rebuilt_controller() -> None:
    shared = protection(max_starts_per_day=2)
    controller = LoopController([ONOFF], FAST, shared)
    for hour in range(4):  # cold, warm, cold, warm: two starts
        controller.update(hour * 3600, 40.0 if hour % 2 == 0 else 60.0, 50.0)
    assert len(shared.starts["c"]) == 2
    rebuilt = LoopController([ONOFF], FAST, shared)
    assert not by_id(rebuilt.update(4 * 3600, 40.0, 50.0))["c"].run
    # Start times carried into a new protection count too.
    carried = Protection(
        ProtectionSettings(min_off_s=0, max_starts_per_day=2), starts=shared.starts
    )
    assert not by_id(LoopController([ONOFF], FAST, carried).update(4 * 3600, 40.0, 50.0))["c"].run
    # A fresh protection would have started it.
    assert by_id(LoopController([ONOFF], FAST, protection()).update(4 * 3600, 40.0, 50.0))["c"].run


def test_duty_cycles_below_the_lowest_setting_with_hysteresis() -> None:
    controller = primed([EFFICIENT], FAST)
    # 0.3 K below target asks 270 W: below the 2000 W floor and inside the 0.5 K band: off.
    assert not by_id(controller.update(1, 49.7, 50.0))["a"].run
    command = by_id(controller.update(10, 49.4, 50.0))["a"]  # outside the band: on at the floor
    assert command.run
    assert command.power_w == 2000
    assert by_id(controller.update(20, 50.2, 50.0))["a"].run  # inside the band: stays on
    assert not by_id(controller.update(30, 50.6, 50.0))["a"].run  # above the band: off


def test_lead_rotates_daily_among_equally_efficient_miners() -> None:
    twin = MinerSpec(
        miner_id="twin", modulating=True, min_power_w=2000, max_power_w=3600, efficiency_jth=20.5
    )
    controller = primed([EFFICIENT, twin, THIRSTY], FAST)
    day0 = by_id(controller.update(1, 48.9, 50.0))  # 1.1 K x 2700 W/K: one miner
    controller = LoopController([EFFICIENT, twin, THIRSTY], FAST, protection())
    controller.update(DAY_S, 50.0, 50.0)
    day1 = by_id(controller.update(DAY_S + 1, 48.9, 50.0))
    assert day0["a"].run != day1["a"].run
    assert day0["twin"].run != day1["twin"].run
    assert not day0["b"].run
    assert not day1["b"].run


def test_stop_all_overrides_minimum_on_time() -> None:
    controller = LoopController([ONOFF, EFFICIENT], FAST, protection(min_on_s=3600))
    controller.update(0, 40.0, 50.0)
    assert all(not command.run for command in controller.stop_all(5))
    assert controller.demand_w == 0


def test_observed_miners_continue_without_a_step_after_a_restart() -> None:
    seen = protection(min_on_s=600, min_off_s=600)
    seen.observe("a", mining=True, now_s=0, since_s=-7200)
    seen.observe("b", mining=False, now_s=0)
    controller = LoopController([EFFICIENT, THIRSTY], ControllerSettings(ramp_w_per_s=1), seen)
    controller.seed("a", 3600)
    assert controller.demand_w == 3600
    commands = by_id(controller.update(0, 50.0, 50.0))  # at target: hold, no jump
    assert commands["a"].power_w == 3600
    assert not commands["b"].run


def test_a_retune_within_the_deadband_still_reaches_the_end_of_the_range() -> None:
    controller = primed([EFFICIENT, THIRSTY], FAST)
    # A cap of 7000 W: each at 3500 W.
    commands = by_id(controller.update(1, 40.0, 50.0, cap_w=7000))
    assert commands["a"].power_w == pytest.approx(3500)
    # 3550 W each is inside the 180 W deadband of 3500 W: not worth a retune.
    commands = by_id(controller.update(2, 40.0, 50.0, cap_w=7100))
    assert commands["a"].power_w == pytest.approx(3500)
    # Flat out is the miners' maximum, 100 W more each, not a deadband short of it.
    commands = by_id(controller.update(3, 40.0, 50.0, cap_w=7200))
    assert [commands[m].power_w for m in "ab"] == [3600, 3600]
    # And back down to 2100 W each, then to the end of the range: 2000 W, within the deadband.
    controller.update(4, 40.0, 50.0, cap_w=4200)
    commands = by_id(controller.update(5, 40.0, 50.0, cap_w=4000))
    assert [commands[m].power_w for m in "ab"] == [2000, 2000]


def test_power_is_shared_by_weight_within_each_range_and_adds_up_to_the_demand() -> None:
    # In proportion while every share fits its range.
    assert share_power(3000.0, [(3000.0, 1000.0, 3000.0), (3000.0, 1000.0, 3000.0)]) == [
        1500.0,
        1500.0,
    ]
    # A high lowest setting is held there and the others share what is left.
    powers = share_power(2000.0, [(3000.0, 1000.0, 3000.0), (1000.0, 900.0, 1000.0)])
    assert powers == pytest.approx([1100.0, 900.0])
    # A low highest (its power before a hold) is held there and the rest goes to the others.
    powers = share_power(4000.0, [(3000.0, 1000.0, 1500.0), (3000.0, 1000.0, 3000.0)])
    assert powers == pytest.approx([1500.0, 2500.0])
    # Where the lowest settings do not fit, each is at its lowest (the caller sheds miners).
    assert share_power(1000.0, [(3000.0, 1000.0, 3000.0), (3000.0, 1000.0, 3000.0)]) == [
        1000.0,
        1000.0,
    ]
    assert share_power(500.0, []) == []
