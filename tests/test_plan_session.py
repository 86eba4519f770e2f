"""The plan session: learning poll by poll, counting starts, re-planning, saying why not."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.hashheat.domain.dispatch import (
    NO_HOLDS,
    DispatchSettings,
    GridHold,
    HoldSchedule,
    PlanStep,
)
from custom_components.hashheat.domain.plan_reason import Reason, ReasonCode
from custom_components.hashheat.domain.plan_session import (
    PlanSession,
    SessionSettings,
    SiteObservation,
    from_now,
    hold_windows,
)
from custom_components.hashheat.domain.planner import GridHold as HoldWindow
from custom_components.hashheat.domain.price_forecast import PriceSlot
from custom_components.hashheat.domain.site_model import PlantPrior, SiteModel
from custom_components.hashheat.domain.thermal import Fluid

START = datetime(2026, 1, 5, tzinfo=UTC)
STEPS = [[2000.0, 2750.0, 3500.0]] * 2


def session(**settings: object) -> PlanSession:
    prior = PlantPrior(
        tank_volume_l=600, tank_fluid=Fluid.DIELECTRIC_OIL, miner_power_steps_w=STEPS
    )
    return PlanSession(
        model=SiteModel(prior),
        settings=SessionSettings(miner_steps_w=STEPS, dispatch=DispatchSettings(), **settings),  # type: ignore[arg-type]
    )


def confident(planning: PlanSession) -> PlanSession:
    fresh = planning.model
    planning.model = SiteModel.from_dict(
        fresh.prior,
        {
            "store": fresh.store.as_dict(),
            "demand": fresh.demand.as_dict(),
            "samples": 96,
            "demand_samples": 96,
            "store_range_c": [40.0, 55.0],
            "outdoor_range_c": [-5.0, 5.0],
        },
    )
    return planning


def seen(at: datetime, **values: object) -> SiteObservation:
    base = SiteObservation(
        at_s=at.timestamp(),
        store_c=50.0,
        return_c=40.0,
        power_w=0.0,
        heat_w=5000.0,
        outdoor_c=0.0,
        running=0,
    )
    return replace(base, **values)  # type: ignore[arg-type]


def prices(hours: int, cheap: int) -> list[PriceSlot]:
    return [
        PriceSlot(
            start=START + timedelta(hours=h),
            end=START + timedelta(hours=h + 1),
            price_per_kwh=0.05 if h < cheap else 0.40,
        )
        for h in range(hours)
    ]


def replan(planning: PlanSession, slots: list[PriceSlot]) -> object:
    return planning.replan(
        prices=slots,
        outdoor_forecast_c=[0.0] * len(slots),
        store_c=50.0,
        now_s=START.timestamp(),
        loop_target_c=40.0,
        revenue_per_kwh=0.0872,
    )


def test_no_plan_until_the_model_is_confident_and_the_reason_says_so() -> None:
    planning = session()
    assert replan(planning, prices(12, 6)) is None
    assert planning.comfort_reasons[0].code is ReasonCode.SAMPLES
    assert planning.step_at(START) is None


def test_a_confident_session_heats_the_store_in_the_cheap_hours() -> None:
    planning = confident(session())
    result = replan(planning, prices(12, 6))
    assert result is not None
    assert planning.comfort_reasons == ()
    powers = [slot.power_w for slot in planning.last_plan.slots]  # type: ignore[union-attr]
    assert sum(powers[:6]) > sum(powers[6:])
    assert planning.step_at(START + timedelta(minutes=30)) == PlanStep(power_w=powers[0])
    assert planning.step_at(START + timedelta(hours=12)) is None  # past the plan's end


def test_a_plan_without_prices_falls_back_to_comfort_with_the_planners_reason() -> None:
    planning = confident(session())
    assert replan(planning, prices(12, 6)) is not None
    assert replan(planning, []) is None
    assert planning.comfort_reasons == (Reason(ReasonCode.NO_PRICES),)
    assert planning.step_at(START) is None  # the old plan is not followed any more


def test_starts_are_counted_per_local_day() -> None:
    planning = session()
    planning.observe(seen(START, running=0))
    planning.observe(seen(START + timedelta(seconds=15), running=2))
    planning.observe(seen(START + timedelta(seconds=30), running=1))
    planning.observe(seen(START + timedelta(seconds=45), running=2))
    assert planning.starts_today == 3
    planning.observe(seen(START + timedelta(days=1), running=2))
    assert planning.starts_today == 0


def test_the_store_floor_rises_with_the_demand_by_the_approach_the_readings_show() -> None:
    planning = session()
    assert planning.min_store_c(40.0, [8.0]) == 40.0  # nothing learned yet
    planning.observe(seen(START, store_c=50.0, return_c=40.0))
    assert planning.approach_k_per_kw == pytest.approx(2.0)  # 10 K at 5 kW
    assert planning.min_store_c(40.0, [1.0, 2.0]) == pytest.approx(44.0)
    assert planning.min_store_c(40.0, [50.0]) == DispatchSettings().ceiling_c - 5.0
    planning.observe(seen(START, heat_w=None, return_c=None, outdoor_c=None))
    assert planning.approach_k_per_kw == pytest.approx(2.0)  # nothing to learn from


def test_the_dry_cooler_runs_only_with_a_heat_dump_and_the_store_at_its_upper_limit() -> None:
    ceiling = DispatchSettings().ceiling_c
    assert session(heat_dump=True).dump_wanted(ceiling - 1.0, following=True)
    assert not session(heat_dump=True).dump_wanted(ceiling - 3.0, following=True)
    assert not session().dump_wanted(ceiling, following=True)
    assert not session(heat_dump=True).dump_wanted(ceiling, following=False)  # no plan runs


def test_what_is_saved_comes_back_and_damage_is_learned_again() -> None:
    planning = session()
    planning.observe(seen(START, indoor_c=20.0, heat_w=6000.0))
    assert planning.lag is not None
    assert planning.lag.learned_h is not None
    saved = planning.as_dict()
    restored = session()
    restored.restore(saved)
    assert restored.approach_k_per_kw == planning.approach_k_per_kw
    assert restored.lag is not None
    assert restored.lag.learned_h == planning.lag.learned_h
    assert restored.model.as_dict() == planning.model.as_dict()
    damaged = session()
    damaged.restore({"model": "garbage", "approach_k_per_kw": float("nan"), "lag_h": "x"})
    assert damaged.approach_k_per_kw is None
    assert damaged.lag is not None
    assert damaged.lag.learned_h is None
    assert damaged.model.samples == 0


def with_house(planning: PlanSession) -> PlanSession:
    """A session whose building fit has seen two days (at its prior) and an indoor reading now."""
    planning.observe(seen(START, indoor_c=20.5))
    house = planning.building
    assert house is not None
    planning.restore({"building": {**house.as_dict(), "hours": 48, "indoor_range_c": [19, 22]}})
    return planning


def test_with_an_indoor_sensor_the_building_is_the_store_once_its_fit_is_confident() -> None:
    planning = session()
    planning.observe(seen(START, indoor_c=20.5))
    assert replan(planning, prices(12, 6)) is None
    assert ReasonCode.INDOOR_HOURS in [reason.code for reason in planning.comfort_reasons]
    with_house(planning)  # the tank's fit is still not confident: the building's is enough
    assert replan(planning, prices(12, 6)) is not None
    result = planning.last_plan
    assert result is not None
    assert all(19.0 < slot.store_c < 23.0 for slot in result.slots)  # indoor, not tank, °C
    powers = [slot.power_w for slot in result.slots]
    assert sum(powers[:6]) > sum(powers[6:])


def test_a_stale_indoor_reading_plans_with_the_tank_or_not_at_all() -> None:
    planning = with_house(session())
    stale = START.timestamp() + 3600
    result = planning.replan(
        prices=prices(12, 6),
        outdoor_forecast_c=[0.0] * 12,
        store_c=50.0,
        now_s=stale,
        loop_target_c=40.0,
        revenue_per_kwh=0.0872,
    )
    assert result is None
    assert planning.comfort_reasons[0].code is ReasonCode.SAMPLES


def test_the_dry_cooler_runs_in_the_slots_the_plan_dumps() -> None:
    planning = with_house(session(heat_dump=True))
    cheap = [replace(slot, price_per_kwh=0.0) for slot in prices(12, 12)]
    result = planning.replan(
        prices=cheap,
        outdoor_forecast_c=[25.0] * 12,
        store_c=40.0,
        now_s=START.timestamp(),
        loop_target_c=30.0,
        revenue_per_kwh=0.0872,
    )
    assert result is not None
    assert result.slots[0].dump
    assert planning.step_at(START) == PlanStep(power_w=result.slots[0].power_w)
    assert planning.dump_wanted(40.0, following=True)
    planning.restore({"building": "garbage"})  # a damaged building keeps what was learned
    assert planning.building is not None


def test_where_mining_pays_and_the_house_wants_some_heat_the_valve_splits_the_slot() -> None:
    planning = with_house(session(heat_dump=True))
    cheap = [replace(slot, price_per_kwh=0.0) for slot in prices(12, 12)]
    result = planning.replan(
        prices=cheap,
        outdoor_forecast_c=[10.0] * 12,  # the house loses a few kW: less than the miners make
        store_c=40.0,
        now_s=START.timestamp(),
        loop_target_c=30.0,
        revenue_per_kwh=0.0872,
    )
    assert result is not None
    full_w = sum(max(steps) for steps in STEPS)
    assert all(slot.power_w == full_w for slot in result.slots)
    split = next(slot for slot in result.slots if 0 < slot.house_share < 1)
    assert split.dump
    # The valve to the house for its share of the slot, then to the cooler.
    to_cooler = split.start + (split.end - split.start) * split.house_share
    planning.step_at(split.start)
    assert not planning.dump_wanted(40.0, following=True)
    planning.step_at(to_cooler - timedelta(seconds=1))
    assert not planning.dump_wanted(40.0, following=True)
    planning.step_at(to_cooler)
    assert planning.dump_wanted(40.0, following=True)


def test_planning_with_the_building_the_cooler_never_takes_a_slot_that_heats_the_house() -> None:
    planning = with_house(session(heat_dump=True))
    ceiling = DispatchSettings().ceiling_c
    result = planning.replan(
        prices=prices(12, 0),  # dear: mining does not pay, only the house's heat
        outdoor_forecast_c=[0.0] * 12,
        store_c=ceiling,
        now_s=START.timestamp(),
        loop_target_c=30.0,
        revenue_per_kwh=0.0872,
    )
    assert result is not None
    heating = next(slot for slot in result.slots if slot.power_w > 0)
    assert not heating.dump
    assert planning.step_at(heating.start) is not None
    # At its limit the tank is held by the ceiling guard: the diverting valve stays on the house.
    assert not planning.dump_wanted(ceiling, following=True)


def test_where_heat_comes_in_bursts_the_plan_counts_what_the_tank_and_loop_still_hold() -> None:
    planning = with_house(session())  # indoor 20.5 °C, the loop's return at 40 °C

    def planned_indoor_c(outdoor_c: float) -> float:
        planning.replan(
            prices=prices(12, 6),
            outdoor_forecast_c=[outdoor_c] * 12,
            store_c=55.0,
            now_s=START.timestamp(),
            loop_target_c=30.0,
            revenue_per_kwh=0.0872,
        )
        assert planning.last_inputs is not None
        assert planning.last_inputs.building is not None
        return planning.last_inputs.building.indoor_c

    assert planning.building is not None
    capacity = planning.building.params.capacity_kwh_per_k
    prior = planning.model.prior
    held = 34.5 * prior.tank_capacity_kwh_per_k + 19.5 * prior.loop_capacity_kwh_per_k
    assert planned_indoor_c(25.0) == pytest.approx(20.5 + held / capacity)  # a warm day
    assert planning.last_inputs is not None
    assert planning.last_inputs.building is not None
    assert planning.last_inputs.building.lag_h > 1.0
    assert planned_indoor_c(0.0) == 20.5  # heating all day: the air already lags


def test_a_replan_counts_the_slot_in_progress_from_now_and_drops_the_past() -> None:
    slots = prices(3, 1)
    now_s = (START + timedelta(hours=1, minutes=15)).timestamp()
    ahead, forecast = from_now(slots, [1.0, 2.0, 3.0], now_s)
    assert [slot.start for slot in ahead] == [
        START + timedelta(hours=1, minutes=15),
        slots[2].start,
    ]
    assert ahead[0].end == slots[1].end
    assert forecast == [2.0, 3.0]
    assert from_now(slots, [1.0], now_s) == (slots, [1.0])  # the planner says what is wrong


def test_the_indoor_reading_is_averaged_over_minutes_and_a_gap_starts_it_again() -> None:
    planning = session()
    planning.observe(seen(START, indoor_c=20.0))
    planning.observe(seen(START + timedelta(seconds=15), indoor_c=21.0))
    assert planning.indoor is not None
    assert planning.indoor[1] == pytest.approx(20.05)
    later = START + timedelta(hours=1)
    planning.observe(seen(later, indoor_c=19.0))
    assert planning.indoor == (later.timestamp(), 19.0)
    planning.observe(seen(later + timedelta(seconds=15), indoor_c=float("nan")))
    assert planning.indoor == (later.timestamp(), 19.0)  # a broken reading is not one


def test_the_building_learns_nothing_while_the_dry_cooler_takes_the_heat() -> None:
    planning = session(heat_dump=True)
    assert planning.dump_wanted(DispatchSettings().ceiling_c, following=True)
    for minute in range(180):
        planning.observe(seen(START + timedelta(minutes=minute), indoor_c=20.0 + minute / 600))
    assert planning.building is not None
    assert planning.building.hours == 0
    assert not planning.dump_wanted(DispatchSettings().ceiling_c, following=False)
    for minute in range(180, 360):
        planning.observe(seen(START + timedelta(minutes=minute), indoor_c=20.0 + minute / 600))
    assert planning.building.hours >= 1


def test_a_heat_demand_sensor_corrects_the_demand_the_plan_forecasts() -> None:
    planning = confident(session())
    modelled = planning.model.demand_kw(0.0)
    assert modelled > 0
    for quarter in range(4 * 48):  # two days of a building needing twice what the curve says
        at = START + timedelta(minutes=15 * quarter)
        planning.observe(seen(at, heat_demand_kw=2 * modelled, outdoor_c=0.0, heat_w=None))
    assert replan(planning, prices(12, 6)) is not None
    assert planning.last_inputs is not None
    assert planning.last_inputs.demand_kw[0] == pytest.approx(2 * modelled, rel=0.02)
    restored = confident(session())
    restored.restore(planning.as_dict())
    assert restored.demand_correction.ratio == pytest.approx(2.0, rel=0.02)
    without = confident(session())
    for quarter in range(4 * 48):  # no sensor: the learned curve as it is
        without.observe(seen(START + timedelta(minutes=15 * quarter), heat_w=None))
    assert replan(without, prices(12, 6)) is not None
    assert without.last_inputs is not None
    assert without.last_inputs.demand_kw[0] == pytest.approx(without.model.demand_kw(0.0))


HOUR = timedelta(hours=1)


def test_grid_holds_cap_the_plan_over_their_time_or_to_the_horizons_ends() -> None:
    slots = prices(12, 6)
    two = START + timedelta(hours=2)
    ahead = GridHold(floor_w=500.0, start_s=two.timestamp(), until_s=(two + HOUR).timestamp())
    assert hold_windows(HoldSchedule((ahead,)), slots) == [
        HoldWindow(start=two, end=two + HOUR, cap_w=500.0)
    ]
    now = GridHold()  # from now, until released
    assert hold_windows(HoldSchedule((now,)), slots) == [
        HoldWindow(start=slots[0].start, end=slots[-1].end, cap_w=0.0)
    ]
    assert hold_windows(HoldSchedule((now, ahead)), slots) == [
        HoldWindow(start=slots[0].start, end=slots[-1].end, cap_w=0.0),
        HoldWindow(start=two, end=two + HOUR, cap_w=500.0),
    ]
    assert hold_windows(NO_HOLDS, slots) == []
    assert hold_windows(HoldSchedule((now,)), []) == []
