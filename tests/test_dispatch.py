"""Unit tests of the site dispatcher: its priority layers and the hardware protection."""

import itertools
import json
from collections.abc import Mapping
from dataclasses import replace

from custom_components.hashheat.domain.control import MinerCommand, MinerSpec
from custom_components.hashheat.domain.dispatch import (
    Decision,
    Dispatcher,
    DispatchSettings,
    GridHold,
    HoldSchedule,
    Intents,
    Layer,
    MinerMode,
    MinerSnapshot,
    PlanStep,
    Preset,
    Snapshot,
)
from custom_components.hashheat.domain.protection import Protection, ProtectionSettings

HEAT = Intents(heating=True, target_c=60.0)


def spec(miner_id: str) -> MinerSpec:
    """A modulating miner of 2 to 3.5 kW."""
    return MinerSpec(miner_id=miner_id, modulating=True, min_power_w=2000, max_power_w=3500)


class Site:
    """A dispatcher and obedient miners that do what the last decision commanded."""

    def __init__(
        self,
        ids: tuple[str, ...] = ("a", "b"),
        *,
        protection: Protection | None = None,
        running: bool = False,
        **settings: float,
    ) -> None:
        self.settings = DispatchSettings(protection=ProtectionSettings(**settings))  # type: ignore[arg-type]
        self.dispatcher = Dispatcher(self.settings, protection)
        self.dispatcher.set_miners({m: spec(m) for m in ids})
        self.state: dict[str, MinerSnapshot] = {
            m: MinerSnapshot(mining=running, power_w=3500.0 if running else 0.0) for m in ids
        }
        self.fluid_c: float | None = None  # what every miner reports of its fluid

    def step(
        self, intents: Intents, now_s: float, loop_c: float = 20.0, *, safety: bool = False
    ) -> Decision:
        miners = {m: replace(s, fluid_c=self.fluid_c) for m, s in self.state.items()}
        decision = self.dispatcher.decide(
            intents, Snapshot(miners=miners, loop_c=loop_c, safety_stop=safety), now_s
        )
        for command in decision.commands:
            self.state[command.miner_id] = MinerSnapshot(
                mining=command.run, power_w=command.power_w if command.run else 0.0
            )
        return decision

    def run(
        self,
        intents: Intents,
        start_s: float,
        end_s: float,
        step_s: float = 30.0,
        loop_c: float = 20.0,
    ) -> list[tuple[float, Decision]]:
        out = []
        t = start_s
        while t <= end_s:
            out.append((t, self.step(intents, t, loop_c)))
            t += step_s
        return out

    def mining(self) -> dict[str, bool | None]:
        return {m: s.mining for m, s in self.state.items()}

    def power_w(self) -> float:
        return sum(s.power_w or 0.0 for s in self.state.values() if s.mining)


def by_id(decision: Decision) -> Mapping[str, MinerCommand]:
    return {c.miner_id: c for c in decision.commands}


def modes(**kw: MinerMode) -> dict[str, MinerMode]:
    return dict(kw)


# --- safety -------------------------------------------------------------------------------------


def test_safety_stops_every_miner_inside_min_on_time() -> None:
    site = Site(start_spacing_s=0.0)
    site.run(HEAT, 0.0, 330.0)
    assert all(site.mining().values())  # both started well inside their 600 s minimum on time
    decision = site.step(HEAT, 360.0, safety=True)
    assert {c.miner_id: c.run for c in decision.commands} == {"a": False, "b": False}
    assert decision.layers == {"a": Layer.SAFETY, "b": Layer.SAFETY}


def test_safety_wins_over_manual_heat_and_hold() -> None:
    site = Site(start_spacing_s=0.0)
    intents = Intents(heating=True, target_c=60.0, miner_modes=modes(a=MinerMode.HEAT))
    site.run(intents, 0.0, 300.0)
    assert site.mining()["a"]
    held = Intents(
        heating=True, target_c=60.0, miner_modes=modes(a=MinerMode.HEAT), hold=GridHold()
    )
    decision = site.step(held, 330.0, safety=True)
    assert not any(c.run for c in decision.commands)
    assert decision.layers == {"a": Layer.SAFETY, "b": Layer.SAFETY}


# --- grid hold ----------------------------------------------------------------------------------


def test_hold_floor_zero_stops_auto_miners_while_heating() -> None:
    site = Site(start_spacing_s=0.0)
    site.run(HEAT, 0.0, 3600.0)
    assert all(site.mining().values())
    held = Intents(heating=True, target_c=60.0, hold=GridHold(floor_w=0.0))
    for _, decision in site.run(held, 3630.0, 3630.0 + 4 * 3600.0, 60.0):
        assert not any(c.run for c in decision.commands)
        assert decision.layers == {"a": Layer.GRID_HOLD, "b": Layer.GRID_HOLD}
    assert not any(site.mining().values())


def test_hold_floor_keeps_commanded_power_under_floor() -> None:
    site = Site(start_spacing_s=0.0)
    site.run(HEAT, 0.0, 3600.0)
    assert all(site.mining().values())
    floor = 3000.0
    held = Intents(heating=True, target_c=60.0, hold=GridHold(floor_w=floor))
    for _, decision in site.run(held, 3630.0, 3630.0 + 2 * 3600.0, 60.0):
        total = sum(c.power_w or 0.0 for c in decision.commands if c.run)
        assert total <= floor
        assert set(decision.layers.values()) == {Layer.GRID_HOLD}
    assert any(site.mining().values())  # one miner still heats, under the floor


def test_hold_wins_over_manual_heat() -> None:
    site = Site(("a",))
    manual = Intents(miner_modes=modes(a=MinerMode.HEAT))
    site.run(manual, 0.0, 1200.0)
    assert site.mining()["a"]
    decision = site.step(
        Intents(miner_modes=modes(a=MinerMode.HEAT), hold=GridHold(floor_w=0.0)), 1230.0
    )
    assert not by_id(decision)["a"].run
    assert decision.layers == {"a": Layer.GRID_HOLD}


def test_expired_hold_no_longer_holds() -> None:
    site = Site(start_spacing_s=0.0)
    held = Intents(heating=True, target_c=60.0, hold=GridHold(floor_w=0.0, until_s=1000.0))
    for _, decision in site.run(held, 0.0, 990.0):
        assert not any(c.run for c in decision.commands)
        assert set(decision.layers.values()) == {Layer.GRID_HOLD}
    decision = site.step(held, 2000.0)
    assert any(c.run for c in decision.commands)
    assert set(decision.layers.values()) == {Layer.COMFORT}


def test_a_hold_ahead_holds_from_its_start_to_its_end_and_is_saved_with_its_start() -> None:
    hold = GridHold(floor_w=500.0, start_s=1000.0, until_s=2000.0, reason="DR")
    assert [hold.active(t) for t in (999.0, 1000.0, 1999.0, 2000.0)] == [False, True, True, False]
    assert [hold.ended(t) for t in (999.0, 1999.0, 2000.0)] == [False, False, True]
    assert GridHold.from_dict(hold.as_dict()) == hold
    assert GridHold.from_dict({**hold.as_dict(), "start_s": "soon"}) is None
    site = Site(start_spacing_s=0.0, min_on_s=0.0)
    held = Intents(heating=True, target_c=60.0, hold=replace(hold, floor_w=0.0))
    decision = site.step(held, 990.0)
    assert any(c.run for c in decision.commands)
    assert set(decision.layers.values()) == {Layer.COMFORT}
    decision = site.step(held, 1000.0)
    assert not any(c.run for c in decision.commands)
    assert set(decision.layers.values()) == {Layer.GRID_HOLD}


def test_a_hold_schedule_keeps_the_hold_in_force_beside_those_announced_ahead() -> None:
    emergency = GridHold(floor_w=0.0, reason="emergency")  # from now until released
    tomorrow = GridHold(floor_w=800.0, start_s=5000.0, until_s=6000.0, reason="DR")
    holds = HoldSchedule().with_hold(emergency, 100.0).with_hold(tomorrow, 200.0)
    assert holds.holds == (emergency, tomorrow)
    assert holds.in_force(300.0) == emergency
    assert holds.in_force(5500.0) == emergency  # the lowest floor of those in force holds
    assert holds.ahead(300.0) == (tomorrow,)
    moved = replace(tomorrow, start_s=5500.0, until_s=6500.0)
    assert holds.with_hold(moved, 300.0).holds == (emergency, moved)  # rescheduled, not doubled
    later = replace(tomorrow, start_s=9000.0, until_s=9500.0)
    assert holds.with_hold(later, 300.0).holds == (emergency, tomorrow, later)
    eased = GridHold(floor_w=2000.0)  # a new hold from now replaces the one in force only
    assert holds.with_hold(eased, 300.0).holds == (eased, tomorrow)
    only_tomorrow = HoldSchedule((tomorrow,))
    assert only_tomorrow.in_force(4999.0) is None
    assert only_tomorrow.in_force(5000.0) == tomorrow
    assert only_tomorrow.pruned(6000.0).holds == ()
    assert HoldSchedule.from_saved(holds.as_list(), 300.0) == holds
    assert HoldSchedule.from_saved(tomorrow.as_dict(), 300.0).holds == (tomorrow,)  # saved before
    assert HoldSchedule.from_saved(None, 300.0).holds == ()
    assert HoldSchedule.from_saved([tomorrow.as_dict(), "garbage"], 7000.0).holds == ()


def test_hold_release_is_staged() -> None:
    site = Site(running=True, min_on_s=0.0, min_off_s=0.0, start_spacing_s=300.0)
    held = Intents(hold=GridHold(floor_w=0.0, until_s=1000.0))
    site.run(held, 0.0, 990.0)
    assert not any(site.mining().values())
    starts: list[float] = []
    for step in range(34):
        t = 1000.0 + 30.0 * step
        site.step(held, t)
        running = sum(1 for v in site.mining().values() if v)
        assert running - len(starts) <= 1
        starts.extend([t] * (running - len(starts)))
    assert len(starts) == 2
    assert starts[1] - starts[0] >= 300.0


def test_hold_floor_dims_the_miners_that_run_while_the_loop_is_off() -> None:
    site = Site(("a", "b", "c"), running=True, min_on_s=0.0, start_spacing_s=0.0)
    site.state["c"] = MinerSnapshot(mining=False, power_w=0.0)  # stopped by its owner
    held = Intents(hold=GridHold(floor_w=5000.0, until_s=3600.0))
    for _, decision in site.run(held, 0.0, 3570.0, 60.0):
        assert 0 < sum(c.power_w or 0.0 for c in decision.commands if c.run) <= 5000
        assert set(decision.layers.values()) == {Layer.GRID_HOLD}
    assert site.mining() == {"a": True, "b": True, "c": False}  # dimmed, and none started
    assert site.power_w() == 5000
    decision = site.step(held, 3600.0)  # the hold ends: the power they had before, not more
    assert {m: (c.run, c.power_w) for m, c in by_id(decision).items()} == {
        "a": (True, 3500),
        "b": (True, 3500),
    }
    assert site.mining()["c"] is False


def test_hold_floor_holds_over_miners_of_different_ranges() -> None:
    """A miner whose lowest setting is near its highest takes no more than the floor leaves."""
    site = Site(("big", "small"), running=True, min_on_s=0.0, start_spacing_s=0.0)
    site.dispatcher.set_miners(
        {
            "big": MinerSpec(miner_id="big", modulating=True, min_power_w=1000, max_power_w=3000),
            "small": MinerSpec(
                miner_id="small", modulating=True, min_power_w=900, max_power_w=1000
            ),
        }
    )
    site.state["small"] = MinerSnapshot(mining=True, power_w=1000.0)
    held = Intents(hold=GridHold(floor_w=2000.0))
    for _, decision in site.run(held, 0.0, 600.0, 60.0):
        assert sum(c.power_w or 0.0 for c in decision.commands if c.run) <= 2000
    assert site.mining() == {"big": True, "small": True}
    assert site.power_w() == 2000


def test_a_dimmed_miners_power_comes_back_after_a_restart_and_at_its_maximum_if_unknown() -> None:
    site = Site(("a", "b"), running=True, min_on_s=0.0, start_spacing_s=0.0)
    site.state["b"] = MinerSnapshot(mining=True, power_w=None)  # no reading when the hold began
    held = Intents(hold=GridHold(floor_w=5000.0))
    site.run(held, 0.0, 300.0, 60.0)
    assert site.power_w() == 5000
    saved = json.loads(json.dumps(site.dispatcher.held_powers()))  # as the Store keeps it
    # Home Assistant restarts during the hold: a new dispatcher from what was saved.
    restarted = Site(
        ("a", "b"),
        protection=Protection.from_dict(
            site.settings.protection, site.dispatcher.protection.as_dict()
        ),
        min_on_s=0.0,
        start_spacing_s=0.0,
    )
    restarted.state = dict(site.state)
    restarted.dispatcher.restore_held_powers(saved)
    restarted.run(held, 360.0, 600.0, 60.0)
    assert restarted.power_w() == 5000
    restarted.run(Intents(), 660.0, 720.0, 60.0)  # released
    assert {m: s.power_w for m, s in restarted.state.items()} == {"a": 3500, "b": 3500}


def test_hold_floor_under_two_miners_sheds_one_as_its_minimum_on_time_allows() -> None:
    site = Site(running=True, min_on_s=600.0)
    site.step(Intents(), 0.0)  # the site sees them running (from now: inside their minimum on)
    held = Intents(hold=GridHold(floor_w=3000.0))
    decision = site.step(held, 60.0)  # neither may stop yet: both as low as they go
    assert sorted((c.run, c.power_w) for c in decision.commands) == [(True, 2000), (True, 2000)]
    site.run(held, 120.0, 1200.0, 60.0)
    assert list(site.mining().values()).count(True) == 1  # one shed once it could stop
    assert site.power_w() == 3000


# --- manual -------------------------------------------------------------------------------------


def test_manual_off_stops_a_miner_the_loop_would_run() -> None:
    site = Site(("a",))
    site.run(HEAT, 0.0, 300.0)
    assert site.mining()["a"]
    off = Intents(heating=True, target_c=60.0, miner_modes=modes(a=MinerMode.OFF))
    inside = by_id(site.step(off, 330.0))["a"]
    assert inside.run  # inside its minimum on time: at its lowest
    assert inside.power_w == 2000
    decision = site.step(off, 700.0)
    assert not by_id(decision)["a"].run
    assert decision.layers == {"a": Layer.MANUAL}


def test_manual_heat_flat_out_up_to_ceiling_with_hysteresis() -> None:
    site = Site(("a",))  # ceiling 65 - 5 = 60 °C, restart below 58 °C
    manual = Intents(miner_modes=modes(a=MinerMode.HEAT))
    decision = site.step(manual, 0.0, loop_c=50.0)
    assert by_id(decision)["a"] == MinerCommand(miner_id="a", run=True, power_w=3500)
    assert decision.layers == {"a": Layer.MANUAL}
    assert by_id(site.step(manual, 1000.0, loop_c=59.9))["a"].run
    assert not by_id(site.step(manual, 2000.0, loop_c=60.0))["a"].run
    assert not by_id(site.step(manual, 3000.0, loop_c=58.5))["a"].run
    assert by_id(site.step(manual, 4000.0, loop_c=57.9))["a"].run


def test_manual_heat_stops_at_the_ceiling_on_its_fluid() -> None:
    site = Site(("a",))  # the cut-out watches the fluid too, hotter than the loop at full power
    manual = Intents(miner_modes=modes(a=MinerMode.HEAT))
    for t, fluid, runs in (
        (0.0, 50.0, True),
        (1e3, 60.0, False),
        (2e3, 58.5, False),
        (3e3, 57.9, True),
    ):
        site.fluid_c = fluid
        assert by_id(site.step(manual, t, loop_c=40.0))["a"].run is runs


# --- comfort ------------------------------------------------------------------------------------


def test_comfort_starts_miners_one_per_spacing_interval() -> None:
    site = Site(("a", "b", "c"), start_spacing_s=300.0)
    starts: list[float] = []
    for t, decision in site.run(HEAT, 0.0, 1800.0, 30.0, loop_c=20.0):
        assert set(decision.layers.values()) == {Layer.COMFORT}
        running = sum(1 for c in decision.commands if c.run)
        assert running - len(starts) <= 1
        starts.extend([t] * (running - len(starts)))
    assert len(starts) == 3
    assert starts[0] == 0.0
    assert all(b - a >= 300.0 for a, b in itertools.pairwise(starts))


def test_boost_never_targets_above_ceiling() -> None:
    site = Site(start_spacing_s=0.0)
    boost = Intents(heating=True, target_c=80.0, preset=Preset.BOOST)
    site.run(boost, 0.0, 1800.0, 60.0, loop_c=50.0)
    assert all(site.mining().values())
    site.run(boost, 1860.0, 1860.0 + 2 * 3600.0, 60.0, loop_c=61.0)
    assert not any(site.mining().values())


def test_boost_holds_the_miners_fluid_under_the_ceiling_by_modulating() -> None:
    boost = Intents(heating=True, target_c=55.0, preset=Preset.BOOST)
    site, blind_to_fluid = Site(start_spacing_s=0.0), Site(start_spacing_s=0.0)
    site.fluid_c = 50.0
    for each in (site, blind_to_fluid):
        each.run(boost, 0.0, 1800.0, 60.0, loop_c=45.0)
        assert each.power_w() == 7000  # flat out, 10 K under the target
    # The fluid passes the ceiling (65 - 5 = 60 °C) long before the loop reaches the target.
    site.fluid_c = 61.0
    powers = []
    for minute in range(31, 31 + 3 * 60):
        decision = site.step(boost, minute * 60.0, loop_c=45.0)
        assert set(decision.layers.values()) == {Layer.COMFORT}
        powers.append(site.power_w())
    assert powers[1] < 7000  # less at once: modulating, not waiting for the cut-out
    assert 0 < min(p for p in powers if p) < 7000  # down through the miners' settings
    assert not any(site.mining().values())  # and off while the fluid stays above the ceiling
    blind_to_fluid.run(boost, 1860.0, 1860.0 + 3 * 3600.0, 60.0, 45.0)
    assert blind_to_fluid.power_w() == 7000  # what the loop alone says: still 10 K to go


def test_plan_runs_the_site_at_its_slot_power_whatever_the_target() -> None:
    site = Site(start_spacing_s=0.0)
    planned = Intents(heating=True, target_c=30.0, plan=PlanStep(power_w=5500.0))
    for _, decision in site.run(planned, 0.0, 1800.0, 60.0, loop_c=45.0):
        assert set(decision.layers.values()) <= {Layer.PLAN}
    assert site.power_w() == 5500  # above the target, yet the plan stores heat
    site.run(replace(planned, plan=PlanStep(power_w=0.0)), 1860.0, 3600.0, 60.0, loop_c=45.0)
    assert not any(site.mining().values())


def test_plan_stops_at_the_ceiling_and_yields_to_hold_and_manual() -> None:
    site = Site(start_spacing_s=0.0)
    planned = Intents(
        heating=True, plan=PlanStep(power_w=7000.0), miner_modes=modes(b=MinerMode.OFF)
    )
    site.run(planned, 0.0, 1800.0, 60.0, loop_c=45.0)
    assert site.mining() == {"a": True, "b": False}
    site.run(planned, 1860.0, 1860.0 + 2 * 3600.0, 60.0, loop_c=61.0)
    assert not any(site.mining().values())  # the ceiling (60 °C) stops the plan, not the cut-out
    held = replace(planned, hold=GridHold(floor_w=0.0))
    site.run(planned, 9000.0, 10800.0, 60.0, loop_c=45.0)
    decision = site.step(held, 10860.0, loop_c=45.0)
    assert decision.layers == {"a": Layer.GRID_HOLD, "b": Layer.MANUAL}
    assert not any(c.run for c in decision.commands)


# --- protection ---------------------------------------------------------------------------------


def test_min_off_time_after_an_outside_stop() -> None:
    site = Site(("a",), running=True, min_off_s=600.0)
    site.run(HEAT, 0.0, 990.0)
    assert site.mining()["a"]
    site.state["a"] = MinerSnapshot(mining=False, power_w=0.0)  # paused from its web page
    for _, decision in site.run(HEAT, 1000.0, 1590.0):
        assert not by_id(decision)["a"].run
    assert by_id(site.step(HEAT, 1600.0))["a"].run


def test_min_on_time_refuses_a_stop() -> None:
    site = Site(("a",), min_on_s=600.0)
    assert by_id(site.step(HEAT, 0.0))["a"].run
    for _, decision in site.run(Intents(heating=False), 30.0, 570.0):
        assert by_id(decision)["a"].run
    assert not by_id(site.step(Intents(heating=False), 600.0))["a"].run


def test_daily_start_cap() -> None:
    site = Site(("a",), max_starts_per_day=2)
    manual = Intents(miner_modes=modes(a=MinerMode.HEAT))
    assert by_id(site.step(manual, 0.0, loop_c=40.0))["a"].run
    assert not by_id(site.step(manual, 1000.0, loop_c=61.0))["a"].run
    assert by_id(site.step(manual, 2000.0, loop_c=40.0))["a"].run
    assert not by_id(site.step(manual, 3000.0, loop_c=61.0))["a"].run
    assert not by_id(site.step(manual, 4000.0, loop_c=40.0))["a"].run
    assert not by_id(site.step(manual, 86_000.0, loop_c=40.0))["a"].run
    assert by_id(site.step(manual, 86_400.0, loop_c=40.0))["a"].run


def test_never_seen_stopped_miner_may_start_at_once() -> None:
    site = Site(("a",), min_off_s=600.0)
    assert by_id(site.step(HEAT, 0.0))["a"].run


def test_protection_state_survives_a_restart() -> None:
    site = Site(("a",), min_on_s=600.0, min_off_s=600.0)
    site.run(HEAT, 0.0, 990.0)
    assert not by_id(site.step(Intents(heating=False), 1000.0))["a"].run
    saved = json.loads(json.dumps(site.dispatcher.protection.as_dict()))
    restored = Protection.from_dict(site.settings.protection, saved)
    after = Site(("a",), protection=restored, min_on_s=600.0, min_off_s=600.0)
    for _, decision in after.run(HEAT, 1100.0, 1590.0):
        assert not by_id(decision)["a"].run
    assert by_id(after.step(HEAT, 1600.0))["a"].run
