"""The price planner: stores cheap heat, keeps to the site's limits, falls back to comfort."""

import itertools
import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.hashheat.domain import planner
from custom_components.hashheat.domain.planner import (
    BuildingStore,
    GridHold,
    Plan,
    PlanInputs,
    PlanReason,
    comfort_floor_per_kh,
    plan,
    site_levels,
)
from custom_components.hashheat.domain.price_forecast import PriceSlot
from custom_components.hashheat.domain.site_model import StoreParams

START = datetime(2026, 1, 5, tzinfo=UTC)
QUARTER = timedelta(minutes=15)
S19_STEPS = (2000.0, 2500.0, 3010.0)
STORE = StoreParams(capacity_kwh_per_k=0.3, capture_fraction=0.95, loss_kw_per_k=0.003)


def slots(prices: list[float], length: timedelta = QUARTER) -> list[PriceSlot]:
    return [
        PriceSlot(start=START + i * length, end=START + (i + 1) * length, price_per_kwh=price)
        for i, price in enumerate(prices)
    ]


def inputs(prices: list[float], demand_kw: float = 5.0, **changes: object) -> PlanInputs:
    base = PlanInputs(
        slots=slots(prices),
        demand_kw=[demand_kw] * len(prices),
        store_c=50.0,
        store=STORE,
        miner_steps_w=[S19_STEPS] * 4,
        min_store_c=40.0,
        max_store_c=70.0,
        revenue_per_kwh=0.087,
        heat_value_per_kwh=0.10,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def energy_kwh(result: Plan, indices: range) -> float:
    return sum(result.slots[i].power_w / 1000 * 0.25 for i in indices)


def run_lengths(result: Plan) -> list[int]:
    return [len(list(group)) for _, group in itertools.groupby(s.running for s in result.slots)]


def test_site_levels_of_stepped_and_on_off_miners() -> None:
    assert site_levels([(3010.0,)] * 2) == [[0.0], [3010.0], [6020.0]]
    levels = site_levels([S19_STEPS] * 4)
    assert levels[0] == [0.0]
    assert levels[1] == [2000.0, 2500.0, 3010.0]
    assert levels[4][0] == 8000.0
    assert levels[4][-1] == 12040.0


def test_shifts_energy_into_cheap_slots_when_the_store_has_room() -> None:
    # Four cheap hours, then four dear ones, then flat; the store starts half full.
    prices = [0.05] * 16 + [0.40] * 16 + [0.20] * 16
    result = plan(inputs(prices))
    assert result.is_price_plan
    cheap, dear = energy_kwh(result, range(16)), energy_kwh(result, range(16, 32))
    assert cheap > 2 * dear
    assert result.slots[15].store_c > 60.0
    assert sum(s.unmet_kwh for s in result.slots) == pytest.approx(0.0, abs=1e-6)
    flat = plan(inputs([0.20] * 48))
    assert result.expected_cost < flat.expected_cost


def test_never_plans_the_store_over_its_bound() -> None:
    # Electricity is paid for: without a dump the store is the only sink.
    result = plan(inputs([-0.50] * 96, demand_kw=2.0))
    assert max(s.store_c for s in result.slots) <= 70.0 + 1e-6
    assert max(s.store_c for s in result.slots) > 69.0
    assert all(s.dumped_kwh == 0.0 for s in result.slots)


def test_a_store_starting_over_its_bound_still_gets_a_plan() -> None:
    result = plan(inputs([0.20] * 16, store_c=75.0, demand_kw=1.0))
    assert result.is_price_plan
    assert result.slots[0].power_w == 0.0
    assert result.slots[-1].store_c < 75.0


def test_a_zero_power_cap_keeps_the_miners_off() -> None:
    result = plan(inputs([0.02] * 8, site_cap_w=0.0))
    assert all(s.power_w == 0.0 for s in result.slots)


def test_respects_the_site_power_cap() -> None:
    result = plan(inputs([0.02] * 32, site_cap_w=7000.0, demand_kw=8.0))
    assert max(s.power_w for s in result.slots) <= 7000.0
    assert max(s.power_w for s in result.slots) > 6000.0


def test_holds_the_grid_floor_over_its_window() -> None:
    hold = GridHold(start=START + 8 * QUARTER, end=START + 16 * QUARTER, floor_w=9000.0)
    # Dear electricity: without the hold the miners would run only for comfort.
    result = plan(inputs([0.60] * 32, holds=[hold], demand_kw=7.0))
    held = [s.power_w for s in result.slots[8:16]]
    assert min(held) >= 9000.0
    assert energy_kwh(result, range(16, 32)) / 16 < 9.0 * 0.25


def test_a_hold_ahead_caps_its_slots_and_the_store_is_heated_before_it() -> None:
    # Flat prices; two hours at most 2 kW from the third hour on, against 5 kW of demand.
    hold = GridHold(start=START + 8 * QUARTER, end=START + 16 * QUARTER, cap_w=2000.0)
    free = plan(inputs([0.20] * 32))
    held = plan(inputs([0.20] * 32, holds=[hold]))
    assert max(s.power_w for s in held.slots[8:16]) <= 2000.0
    assert max(s.power_w for s in free.slots[8:16]) > 2000.0
    assert energy_kwh(held, range(8)) > energy_kwh(free, range(8)) + 5.0
    assert held.slots[7].store_c > free.slots[7].store_c + 10.0
    assert sum(s.unmet_kwh for s in held.slots) == pytest.approx(0.0, abs=1e-6)


def test_keeps_to_the_daily_start_cap() -> None:
    # Prices alternating every half hour across two days tempt the plan to start often.
    prices = [0.02 if (i // 2) % 2 else 0.40 for i in range(192)]
    free = plan(inputs(prices, demand_kw=3.0))
    capped = plan(inputs(prices, demand_kw=3.0, start_cap_per_day=4, starts_today=1))
    assert free.starts > 8
    assert capped.start_cap_met
    running = [0] + [s.running for s in capped.slots]
    per_day = [0, 0]
    for i, (before, after) in enumerate(itertools.pairwise(running)):
        per_day[i // 96] += max(after - before, 0)
    assert per_day[0] <= 4 - 1
    assert per_day[1] <= 4


def test_keeps_minimum_on_and_off_times() -> None:
    prices = [0.02 if i % 2 else 0.40 for i in range(96)]
    result = plan(inputs(prices, demand_kw=3.0, min_on_s=3600.0, min_off_s=3600.0))
    # The first run is free to change (the count had been held long before); the last is cut.
    assert all(length >= 4 for length in run_lengths(result)[1:-1])
    assert len(run_lengths(result)) > 2


def test_stays_comfortable_when_prices_are_flat() -> None:
    result = plan(inputs([0.20] * 192, demand_kw=9.0))
    assert sum(s.unmet_kwh for s in result.slots) == pytest.approx(0.0, abs=1e-6)
    assert all(40.0 - 1e-6 <= s.store_c <= 70.0 + 1e-6 for s in result.slots)
    delivered = 9.0 * 48
    heat = sum(s.power_w / 1000 * 0.25 for s in result.slots) * STORE.capture_fraction
    assert heat == pytest.approx(delivered, rel=0.05)
    # Started once (four miners from none), then no chatter.
    assert result.starts <= 4


def test_no_prices_gives_a_comfort_plan_with_the_reason() -> None:
    result = plan(inputs([]))
    assert not result.is_price_plan
    assert result.reason is PlanReason.NO_PRICES
    assert result.slots == ()
    assert "no price" in result.detail


def test_a_gap_in_prices_gives_a_comfort_plan_with_the_reason() -> None:
    gapped = slots([0.05] * 8 + [0.40] * 8)
    gapped = gapped[:8] + [
        replace(s, start=s.start + QUARTER, end=s.end + QUARTER) for s in gapped[8:]
    ]
    result = plan(inputs([0.0] * 16, slots=gapped, demand_kw=6.0))
    assert result.reason is PlanReason.PRICE_GAP
    assert "02:00" in result.detail
    assert sum(s.unmet_kwh for s in result.slots) == pytest.approx(0.0, abs=1e-6)
    # Comfort only: no storing of the cheap hours' heat.
    assert energy_kwh(result, range(8)) < energy_kwh(result, range(8, 16)) + 1.0


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"demand_kw": [1.0]}, "a demand figure per price slot"),
        ({"store_c": math.nan}, "finite numbers"),
        ({"max_store_c": 30.0}, "a store range"),
        ({"store": replace(STORE, capture_fraction=0.0)}, "a capture fraction"),
        ({"miner_steps_w": [(math.inf,)]}, "positive power steps"),
        ({"miner_steps_w": [()]}, "a power step for every miner"),
    ],
)
def test_bad_input_is_a_reason_not_an_exception(change: dict[str, object], detail: str) -> None:
    result = plan(replace(inputs([0.1] * 8), **change))  # type: ignore[arg-type]
    assert result.reason is PlanReason.BAD_INPUT
    assert detail in result.detail


def test_summer_mines_only_where_revenue_beats_price_with_a_dump() -> None:
    prices = [0.05, 0.12, 0.08, 0.20, 0.02, 0.09] * 4
    # No wear cost on starts: the margin in the 0.08 slots is only 0.02 EUR.
    summer = {"demand_kw": 0.0, "heat_value_per_kwh": 0.0, "store_c": 70.0, "start_cost": 0.0}
    with_dump = plan(inputs(prices, heat_dump=True, **summer))
    for slot in with_dump.slots:
        assert (slot.power_w == 12040.0) == (slot.price_per_kwh < 0.087)
        assert slot.power_w in {0.0, 12040.0}
    assert sum(s.dumped_kwh for s in with_dump.slots) > 0
    assert with_dump.expected_cost < 0
    # A full store that loses no heat is no sink: no mining at all.
    lossless = replace(STORE, loss_kw_per_k=0.0)
    without_dump = plan(inputs(prices, heat_dump=False, store=lossless, **summer))
    assert all(s.power_w == 0.0 for s in without_dump.slots)
    # A store losing heat makes room, used only at a price below the revenue.
    leaky = plan(inputs(prices, heat_dump=False, **summer))
    assert all(s.price_per_kwh < 0.087 for s in leaky.slots if s.power_w)
    assert all(s.store_c <= 70.0 + 1e-6 for s in leaky.slots)


def test_hourly_slots_plan_too() -> None:
    result = plan(
        replace(
            inputs([0.05] * 4 + [0.40] * 4),
            slots=slots([0.05] * 4 + [0.40] * 4, timedelta(hours=1)),
        )
    )
    assert result.is_price_plan
    assert result.slots[-1].end == START + timedelta(hours=8)
    assert sum(s.power_w for s in result.slots[:4]) > sum(s.power_w for s in result.slots[4:])


@pytest.mark.parametrize("running_for_s", [0.0, 500.0, 1300.0, 5000.0, math.inf])
def test_any_time_since_the_last_change_plans_and_a_fresh_count_waits_its_minimum(
    running_for_s: float,
) -> None:
    prices = [0.05] * 4 + [0.40] * 12
    result = plan(
        inputs(prices, running=0, running_for_s=running_for_s, min_on_s=600.0, min_off_s=600.0)
    )
    assert result.is_price_plan
    # 600 s is most of a 15-minute slot: a count changed just now holds its first slot.
    assert (result.slots[0].running == 0) is (running_for_s < 450.0)


HOUSE = BuildingStore(
    indoor_c=20.5,
    outdoor_c=[0.0] * 24,
    capacity_kwh_per_k=11.0,
    ua_kw_per_k=0.38,
    band_c=(19.9, 22.0),
)


def building_inputs(prices: list[float], **changes: object) -> PlanInputs:
    house = replace(HOUSE, outdoor_c=[0.0] * len(prices))
    hourly = slots(prices, timedelta(hours=1))
    return replace(inputs(prices), slots=hourly, **{"building": house, **changes})  # type: ignore[arg-type]


def test_the_building_stores_cheap_heat_inside_its_band() -> None:
    prices = [0.05] * 6 + [0.40] * 6 + [0.20] * 12
    result = plan(building_inputs(prices))
    assert result.is_price_plan
    cheap = sum(s.power_w for s in result.slots[:6])
    dear = sum(s.power_w for s in result.slots[6:12])
    assert cheap > 2 * dear
    assert max(s.store_c for s in result.slots[:6]) > 21.0  # charged in the cheap hours
    assert all(19.5 <= s.store_c <= 22.2 for s in result.slots)
    assert result.slots[5].stored_heat_kwh > result.slots[11].stored_heat_kwh


def test_the_building_below_its_band_is_heated_back_whatever_the_price() -> None:
    cold = replace(HOUSE, indoor_c=19.0, outdoor_c=[0.0] * 12)
    result = plan(building_inputs([0.60] * 12, building=cold))
    assert result.slots[0].power_w > 0
    assert all(s.store_c >= 19.8 for s in result.slots[2:-1])  # the last: the horizon's end


def test_with_a_dump_the_building_is_not_heated_for_the_mining() -> None:
    house = replace(HOUSE, indoor_c=21.5, outdoor_c=[18.0] * 12)
    summer = {"heat_value_per_kwh": 0.0, "heat_dump": True, "start_cost": 0.0}
    result = plan(building_inputs([0.02] * 12, building=house, **summer))
    assert all(s.power_w == 12040.0 and s.dump for s in result.slots)
    assert all(s.dumped_kwh > 0 for s in result.slots)
    assert result.slots[-1].store_c < 21.5  # the house cools towards the outdoors
    without = plan(building_inputs([0.02] * 12, building=house, **{**summer, "heat_dump": False}))
    assert all(not s.dump for s in without.slots)
    assert all(s.store_c <= 22.1 for s in without.slots[:-1])  # the house as the only sink
    assert sum(s.power_w for s in without.slots) < sum(s.power_w for s in result.slots) / 2


@pytest.mark.parametrize(
    ("house", "detail"),
    [
        (replace(HOUSE, outdoor_c=[0.0]), "an outdoor temperature per price slot"),
        (replace(HOUSE, ua_kw_per_k=0.0), "a building C and UA > 0"),
        (replace(HOUSE, indoor_c=math.nan), "finite building figures"),
        (replace(HOUSE, band_c=(22.0, 20.0)), "a comfort band"),
    ],
)
def test_a_bad_building_is_a_reason_not_an_exception(house: BuildingStore, detail: str) -> None:
    result = plan(replace(building_inputs([0.1] * 24), building=house))
    assert result.reason is PlanReason.BAD_INPUT
    assert detail in result.detail


def test_two_days_of_quarter_hours_for_sixteen_miners_plan_with_the_building() -> None:
    prices = [0.05 + 0.3 * ((i // 8) % 2) for i in range(192)]
    house = replace(HOUSE, outdoor_c=[0.0] * 192, ua_kw_per_k=1.5, capacity_kwh_per_k=45.0)
    result = plan(
        replace(
            inputs(prices, miner_steps_w=[S19_STEPS] * 16),
            building=house,
            min_on_s=600.0,
            min_off_s=600.0,
            start_cap_per_day=96,
        )
    )
    assert result.is_price_plan
    assert len(result.slots) == 192
    assert result.start_cap_met


def test_the_indoor_air_lags_the_heat_the_tank_and_loop_still_hold() -> None:
    # A cool night: the house must stay in the band; its heat passes through the tank and loop.
    cool = replace(HOUSE, indoor_c=20.0, outdoor_c=[12.0] * 12)
    prices = [0.10] * 3 + [0.40] * 9
    prompt = plan(building_inputs(prices, building=cool))
    lagging = plan(building_inputs(prices, building=replace(cool, lag_h=1.6)))
    energy = [sum(s.power_w for s in result.slots) for result in (prompt, lagging)]
    # The air lags the heat held: keeping it in the band takes more heat than a prompt house's.
    assert energy[1] > energy[0]
    # Heat already held in the tank and loop (counted in the state) saves heating.
    held = plan(building_inputs(prices, building=replace(cool, indoor_c=21.0, lag_h=1.6)))
    assert sum(s.power_w for s in held.slots) < energy[1]
    # Heating never cools the air in the plan's eyes: a house over its band is not heated.
    hot = replace(HOUSE, indoor_c=24.0, outdoor_c=[25.0] * 12, lag_h=1.6)
    assert all(s.power_w == 0 for s in plan(building_inputs([0.10] * 12, building=hot)).slots)
    assert not plan(building_inputs(prices, building=replace(cool, lag_h=-1.0))).is_price_plan


def test_at_a_slots_middle_the_air_lags_by_what_the_filling_tank_and_loop_hold_by_then(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A burst from a loop that held nothing: by the slot's middle it holds about half the steady
    # lag, so the plan heats less than one that takes the air to lag by all of it from the start.
    cool = replace(HOUSE, indoor_c=20.0, outdoor_c=[12.0] * 12, lag_h=1.6)
    prices = [0.10] * 3 + [0.40] * 9
    filling = sum(s.power_w for s in plan(building_inputs(prices, building=cool)).slots)
    monkeypatch.setattr(planner, "MIDDLE_LAG_SHARE", 1.0)
    settled = sum(s.power_w for s in plan(building_inputs(prices, building=cool)).slots)
    assert filling < settled


def test_where_heat_is_dear_a_large_building_is_still_kept_in_its_band(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A 45 kW building on a -7 °C night, sixteen miners that only just keep up, heat at 0.7 EUR.
    prices = [0.3] * 4 + [0.8] * 8 + [0.3] * 12
    big = replace(
        HOUSE, indoor_c=20.2, outdoor_c=[-7.0] * 24, capacity_kwh_per_k=44.0, ua_kw_per_k=1.52
    )
    dear = building_inputs(prices, building=big, miner_steps_w=[S19_STEPS] * 16)
    assert comfort_floor_per_kh(big, 0.7) == pytest.approx(12 * 1.52 * 0.7)
    assert comfort_floor_per_kh(HOUSE, 0.1) == HOUSE.comfort_penalty_per_kh
    kept = plan(dear)
    assert min(s.store_c for s in kept.slots) > 19.7
    # At the flat 5 EUR per K·h the dear hours' heat cost more than the cold house.
    monkeypatch.setattr(planner, "COMFORT_HOURS", 0.0)
    assert min(s.store_c for s in plan(dear).slots) < 19.5
