"""The plan bench's pure helpers: its CSV readers, the site's powers and the optimum's programme."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from custom_components.hashheat.domain.plan_reason import ReasonCode
from custom_components.hashheat.domain.site_model import SiteModel
from scripts import bench_plan
from scripts.bench_miners import SimMiner, miner_specs
from scripts.bench_optimum import Choice, Optimum, Problem, deliverable_w
from scripts.bench_plan import (
    ECONOMICS,
    SITES,
    SUMMER,
    Score,
    Trajectory,
    ValveThermostat,
    cheapest_comfortable,
    forecast_with_error,
    optimum_drive,
    optimum_problem,
    planner_drive,
    planner_run,
    site_powers_w,
)
from scripts.bench_plan_data import (
    PlanData,
    load_plan_data,
    read_prices_csv,
    read_series_csv,
    read_weather_csv,
)
from scripts.bench_tariff import FORTNIGHTS
from sim.outdoor import HourlySeries
from sim.plant import PlantParams, PlantReadings, hydronic_steady_state
from sim.smard import PriceHour

NO_VALVES = PlantParams(trv_band_k=None)


def test_a_series_csv_skips_its_header_reads_offsets_and_takes_naive_times_as_utc() -> None:
    rows = read_series_csv(
        "timestamp,value\n2015-01-05T02:00:00+01:00,12.5\n\n2015-01-05T00:00:00,-3\n"
    )
    assert rows == [
        (datetime(2015, 1, 5, 0, tzinfo=UTC), -3.0),
        (datetime(2015, 1, 5, 1, tzinfo=UTC), 12.5),
    ]


@pytest.mark.parametrize("text", ["t,v\n2015-01-05T00:00:00Z,cheap\n", "t,v\n", ""])
def test_a_series_csv_with_a_bad_row_or_no_rows_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"row 2|no rows"):
        read_series_csv(text)


def test_quarter_hour_prices_become_hourly_means() -> None:
    start = datetime(2024, 3, 1, 10, tzinfo=UTC)
    quarters = [40.0, 60.0, 80.0, 100.0, -20.0]
    text = "".join(
        f"{(start + timedelta(minutes=15 * i)).isoformat()},{price}\n"
        for i, price in enumerate(quarters)
    )
    hours = read_prices_csv(text)
    assert [(hour.start, hour.eur_per_mwh) for hour in hours] == [
        (start, 70.0),
        (start + timedelta(hours=1), -20.0),
    ]


def test_a_price_scale_multiplies_every_spot_price_and_names_itself(tmp_path: Path) -> None:
    prices = tmp_path / "prices.csv"
    prices.write_text("2015-01-05T00:00:00Z,40\n2015-01-05T01:00:00Z,-5\n")
    weather = tmp_path / "weather.csv"
    weather.write_text("2015-01-05T00:00:00Z,2\n2015-01-05T01:00:00Z,3\n")
    calm = load_plan_data(prices, weather)
    crisis = load_plan_data(prices, weather, price_scale=6)
    assert [hour.eur_per_mwh for hour in crisis.prices] == [
        6 * hour.eur_per_mwh for hour in calm.prices
    ]
    assert [hour.start for hour in crisis.prices] == [hour.start for hour in calm.prices]
    assert crisis.sources["prices"] == f"{prices} x 6"


def test_hourly_weather_is_replayed_on_the_plants_clock() -> None:
    cet = timezone(timedelta(hours=1))
    outdoor = read_weather_csv(
        "2015-07-06T01:00:00+01:00,14\n2015-07-06T02:00:00+01:00,16\n2015-07-06T03:00+01:00,15\n"
    )
    first = datetime(2015, 7, 6, 1, tzinfo=cet).timestamp()
    assert outdoor(first) == 14.0
    assert outdoor(first + 1800) == pytest.approx(15.0)
    assert outdoor(first + 2 * 3600) == 15.0


def test_weather_with_a_missing_hour_is_refused() -> None:
    with pytest.raises(ValueError, match="2015-07-06T01:00:00"):
        read_weather_csv("2015-07-06T00:00:00Z,14\n2015-07-06T02:00:00Z,16\n")


def test_the_site_runs_off_or_each_running_miner_between_its_lowest_and_highest_power() -> None:
    powers = site_powers_w(4)
    assert powers[0] == 0.0
    assert {1925.0, 3010.0, 3850.0, 12040.0} <= set(powers.tolist())
    # Between one miner at its highest and two at their lowest there is nothing.
    assert not np.any((powers > 3010.0) & (powers < 3850.0))
    assert powers.max() == 12040.0


def test_the_building_takes_less_heat_as_the_valves_close_and_none_once_they_are_shut() -> None:
    params = PlantParams()
    most = deliverable_w(params, np.array([20.0, 21.0, 22.5]), limit_c=60.0)
    # At 20 °C the design load (11.4 kW) needs a tank near 60 °C; at 21 °C the valves are half shut.
    assert 10_000 < most[0] < 13_000
    assert 0 < most[1] < most[0] * 0.7
    assert most[2] == 0.0
    tank_c = hydronic_steady_state(params, indoor_c=21.0, heat_w=float(most[1])).tank_c
    assert tank_c == pytest.approx(60.0, abs=0.01)
    assert deliverable_w(params, np.array([20.0]), limit_c=55.0)[0] < most[0]


def problem(**changes: object) -> Problem:
    """Two hourly slots, no valves, no tank limit, no value for the heat left at the end."""
    base = Problem(
        params=NO_VALVES,
        powers_w=np.array([0.0, 1000.0]),
        net_price=np.array([-0.1, 0.1]),
        outdoor_c=np.array([20.0, 20.0]),
        start_indoor_c=20.0,
        band_c=(19.0, 21.0),
        tank_limit_c=1000.0,
        comfort_eur_per_kh=100.0,
        heat_value_eur_per_kwh=0.0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_it_mines_the_slot_that_pays_and_not_the_one_that_costs() -> None:
    # Outdoors as warm as indoors: 1 kW for an hour lifts the house 0.084 K, inside the band.
    optimum = Optimum(problem())
    decay = np.exp(-NO_VALVES.building_ua_w_per_k * 3600 / NO_VALVES.building_capacity_j_per_k)
    warmed = 20.0 + 950.0 / 380.0 * (1 - decay)
    assert optimum.best(0, 20.0) == Choice(power_w=1000.0, dump=False)
    assert optimum.best(1, warmed).power_w == 0.0
    # One kWh earned at 0.1 EUR, nothing else.
    assert optimum.values[0][np.argmin(np.abs(optimum.grid_c - 20.0))] == pytest.approx(-0.1)


def test_it_heats_in_the_cheaper_slot_just_in_time_to_stay_in_the_band() -> None:
    # 10 °C outdoors: 4 kW (3.8 kW of heat = 380 W/K x 10 K) holds 20 °C. Without heat the house
    # loses 0.34 K an hour: two cold hours leave the band's 19.6 °C, one does not.
    optimum = Optimum(
        problem(
            powers_w=np.array([0.0, 4000.0]),
            net_price=np.array([0.3, 0.05]),
            outdoor_c=np.array([10.0, 10.0]),
            band_c=(19.6, 22.0),
        )
    )
    decay = np.exp(-NO_VALVES.building_ua_w_per_k * 3600 / NO_VALVES.building_capacity_j_per_k)
    cooled = 10.0 + 10.0 * decay
    assert optimum.best(0, 20.0).power_w == 0.0
    assert optimum.best(1, cooled) == Choice(power_w=4000.0, dump=False)
    # 4 kWh at 0.05 EUR.
    assert optimum.values[0][np.argmin(np.abs(optimum.grid_c - 20.0))] == pytest.approx(0.2)


def test_with_a_dry_cooler_it_mines_every_slot_that_pays_and_dumps_what_the_house_cannot_take() -> (
    None
):
    # Summer: the house at the top of its band; 1 kW mined pays 0.1 EUR in each slot.
    optimum = Optimum(problem(net_price=np.array([-0.1, -0.1]), band_c=(19.0, 20.0), dump=True))
    assert optimum.best(0, 20.0) == Choice(power_w=1000.0, dump=True)
    assert optimum.values[0][np.argmin(np.abs(optimum.grid_c - 20.0))] == pytest.approx(-0.2)
    # Without it, the band allows one slot's heat at most (half of it each, around 20.04 °C).
    assert (
        Optimum(problem(net_price=np.array([-0.1, -0.1]), band_c=(19.0, 20.0))).values[0][
            np.argmin(np.abs(optimum.grid_c - 20.0))
        ]
        > -0.2
    )


def test_heat_left_above_the_start_earns_nothing_and_heat_missing_below_it_costs() -> None:
    # Heating costs 0.05 EUR/kWh: a kWh held at the end, valued 0.2, would pay for it, but the
    # net cost never sees it back; from 19.9 °C, below the start, it is worth heating back.
    one_slot = {"net_price": np.array([0.05]), "outdoor_c": np.array([20.0])}
    optimum = Optimum(problem(**one_slot, heat_value_eur_per_kwh=0.2, band_c=(19.0, 22.0)))
    assert optimum.best(0, 20.0).power_w == 0.0
    assert optimum.values[0][np.argmin(np.abs(optimum.grid_c - 20.0))] == pytest.approx(0.0)
    assert optimum.best(0, 19.9).power_w == 1000.0


def test_after_a_dump_slot_the_tank_soaks_up_what_the_house_does_not_take() -> None:
    # 15 °C outdoors, the house must keep 20.99 °C: a slot into the cooler would leave the band.
    # With the tank at the 60 °C limit the radiators (valves half shut at 21 °C) take ~6.6 kW, so
    # the miners run at ~6.9 kW; after a dump slot the tank is near 39 °C: the house gets less
    # and the tank takes the rest of the full 12.04 kW, mined at -0.05 EUR/kWh for 15 minutes.
    optimum = Optimum(
        problem(
            params=PlantParams(),
            powers_w=np.array([0.0, 3010.0, 12040.0]),
            net_price=np.array([-0.05]),
            outdoor_c=np.array([15.0]),
            start_indoor_c=21.0,
            band_c=(20.99, 22.0),
            tank_limit_c=60.0,
            comfort_eur_per_kh=1000.0,
            dump=True,
            slot_s=900.0,
        )
    )
    at_21 = np.argmin(np.abs(optimum.grid_c - 21.0))
    assert optimum.best(0, 21.0, after_dump=True) == Choice(power_w=12040.0, dump=False)
    assert optimum.values_after_dump[0][at_21] == pytest.approx(-0.05 * 12.04 / 4)
    assert -0.05 * 7.0 / 4 < optimum.values[0][at_21] < -0.05 * 6.8 / 4


def test_the_optimum_runs_through_the_dispatcher_at_most_at_its_power() -> None:
    optimum = Optimum(problem(powers_w=np.array([0.0, 6000.0])))
    assert optimum.best(0, 20.0) == Choice(power_w=6000.0, dump=False)
    site = SITES[0]
    drive = optimum_drive(site, FORTNIGHTS[0], optimum)
    miners = {spec.miner_id: SimMiner() for spec in miner_specs(site.miners)}
    running_w = []
    for step in range(240):
        drive(step, _readings(15.0 * step, tank_c=45.0), 20.0, False, miners)
        running_w.append(sum(miner.target_w for miner in miners.values() if miner.running))
    assert max(running_w) <= 6000.0
    assert running_w[-1] == pytest.approx(6000.0, rel=0.05)
    drive(240, _readings(3600.0, tank_c=45.0), 20.0, True, miners)  # the interlock stops all
    assert not any(miner.running for miner in miners.values())


def test_the_valve_thermostat_warms_the_cool_building_while_the_tank_has_room() -> None:
    thermostat = ValveThermostat(ceiling_c=60.0)
    assert thermostat.dump(indoor_c=19.7, tank_c=40.0)  # warm enough: the cooler
    assert not thermostat.dump(indoor_c=19.55, tank_c=40.0)  # cool: the building
    assert not thermostat.dump(indoor_c=19.7, tank_c=55.0)  # until it is warm again
    assert thermostat.dump(indoor_c=19.85, tank_c=55.0)
    assert thermostat.dump(indoor_c=19.55, tank_c=52.0)  # cool, but the tank has no room
    assert not thermostat.dump(indoor_c=19.55, tank_c=45.0)
    assert thermostat.dump(indoor_c=19.6, tank_c=58.0)  # full: the cooler, the miners run on


def test_where_mining_pays_the_thermostat_replay_runs_flat_out_and_splits_the_heat() -> None:
    # Mining pays in both slots; the plan's own choices give the house all or none of the heat.
    site = SITES[0]
    powers_w = np.array(site_powers_w(site.miners))
    optimum = Optimum(
        problem(
            net_price=np.array([-0.1, -0.1]), dump=True, params=PlantParams(), powers_w=powers_w
        )
    )
    assert optimum.mining_pays(0)
    drive = optimum_drive(site, SUMMER, optimum, valve_thermostat=True)
    miners = {spec.miner_id: SimMiner() for spec in miner_specs(site.miners)}
    dumps = [
        drive(step, _readings(15.0 * step, tank_c=40.0), 19.55, False, miners) for step in range(40)
    ]
    assert not any(dumps)  # the building is cool
    assert drive(40, _readings(600.0, tank_c=40.0), 19.9, False, miners)
    assert sum(miner.target_w for miner in miners.values() if miner.running) == pytest.approx(
        float(optimum.problem.powers_w.max())
    )


def test_the_optimum_is_the_cheapest_candidate_that_keeps_the_constant_setpoints_comfort() -> None:
    def scored(net_cost_eur: float, comfort_kh: float) -> Score:
        trajectory = Trajectory(electricity_kwh=[], mined_kwh=[], comfort_kh=comfort_kh)
        return Score(trajectory=trajectory, net_cost_eur=net_cost_eur, electricity_cost_eur=0.0)

    constant = scored(10.0, 40.0)
    candidates = {"warm": scored(5.0, 30.0), "cold": scored(1.0, 90.0), "dear": scored(6.0, 20.0)}
    assert cheapest_comfortable(candidates, constant) == "warm"
    assert cheapest_comfortable({"cold": candidates["cold"]}, constant) == "cold"


def test_the_forecast_errs_more_the_further_ahead_it_looks() -> None:
    outdoor = HourlySeries(0.0, [5.0] * 48)
    rng = np.random.default_rng(1)
    errors = np.array(
        [
            np.array(forecast_with_error(outdoor, [h * 3600.0 for h in range(25)], rng)) - 5.0
            for _ in range(400)
        ]
    )
    spread = errors.std(axis=0)
    assert spread[0] == pytest.approx(0.3, rel=0.2)
    assert spread[24] == pytest.approx(1.5, rel=0.2)


def _readings(now_s: float, *, tank_c: float = 50.0) -> PlantReadings:
    return PlantReadings(
        now_s=now_s,
        tank_c=tank_c,
        supply_c=45.0,
        return_c=40.0,
        indoor_c=20.0,
        outdoor_c=0.0,
        flow_m3_per_s=2.8e-4,
        heat_w=5000.0,
        power_w=0.0,
        dump_on=False,
    )


def _flat_data(start: datetime, prices: list[float]) -> PlanData:
    return PlanData(
        prices=[
            PriceHour(start=start + timedelta(hours=h), eur_per_mwh=price)
            for h, price in enumerate(prices)
        ],
        outdoor=HourlySeries(start.timestamp(), [0.0] * len(prices)),
        sources={},
    )


def test_the_optimum_counts_the_loops_lag_only_where_the_building_takes_heat_in_bursts() -> None:
    # A cold week (0 °C: heat most of the time), then a mild one (16 °C: heat now and then).
    start = datetime(2015, 4, 6, tzinfo=UTC)
    data = _flat_data(start - timedelta(days=1), [40.0] * 24 * 9)
    data = replace(
        data, outdoor=HourlySeries(data.outdoor.start_s, [0.0] * 24 * 4 + [16.0] * 24 * 5)
    )
    season = replace(FORTNIGHTS[1], first_day=start.date())
    problem = optimum_problem(data, season, SITES[0], ECONOMICS[0], days=7)
    by_day = np.asarray(problem.lag_h).reshape(7, -1)
    # The cold days have none; the mild spell's first day has it once little cold is left behind.
    assert not by_day[:3].any()
    assert 0 < np.count_nonzero(by_day[3]) < by_day[3].size
    assert (by_day[4:] > 0.5).all()


def test_until_its_model_is_confident_the_planner_keeps_comfort_control_and_says_why() -> None:
    start = datetime(2015, 1, 5, tzinfo=UTC)
    site = SITES[0]
    run = planner_run(FORTNIGHTS[0], site)
    drive = planner_drive(_flat_data(start, [30.0] * 48), FORTNIGHTS[0], site, ECONOMICS[0], run)
    miners = {spec.miner_id: SimMiner() for spec in miner_specs(site.miners)}
    drive(0, _readings(start.timestamp(), tank_c=30.0), 20.0, False, miners)
    assert run.solve_s == []
    assert run.session.comfort_reasons[0].code is ReasonCode.SAMPLES
    assert any(miner.running for miner in miners.values())  # the cold loop asks comfort for heat
    assert run.planned_share == 0.0


def _confident(run: bench_plan.PlannerRun) -> bench_plan.PlannerRun:
    fresh = run.session.model
    run.session.model = SiteModel.from_dict(
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
    return run


@pytest.mark.parametrize("foresight", [False, True])
def test_the_planner_with_foresight_knows_two_days_of_prices_whatever_is_published(
    foresight: bool,
) -> None:
    start = datetime(2015, 1, 5, tzinfo=UTC)  # 01:00 in Berlin: tomorrow's prices come at 13:00
    site = SITES[0]
    run = _confident(planner_run(FORTNIGHTS[0], site))
    drive = planner_drive(
        _flat_data(start, [30.0] * 72), FORTNIGHTS[0], site, ECONOMICS[0], run, foresight=foresight
    )
    miners = {spec.miner_id: SimMiner() for spec in miner_specs(site.miners)}
    drive(0, _readings(start.timestamp(), tank_c=45.0), 20.0, False, miners)
    assert run.session.last_inputs is not None
    assert len(run.session.last_inputs.slots) == (48 if foresight else 23)


def test_a_custom_period_as_warm_as_summer_is_planned_and_scored_as_a_summer() -> None:
    warm = replace(FORTNIGHTS[0], name="custom", normal_target_c=bench_plan.SUMMER.normal_target_c)
    assert bench_plan.heat_has_no_use(warm)
    assert not bench_plan.heat_has_no_use(replace(warm, normal_target_c=40.0))
    assert planner_run(warm, SITES[0]).session.settings.heat_dump


def test_a_confident_planner_runs_the_miners_through_the_dispatcher_in_the_cheap_hours(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One plan for the hour: the fixed readings below would teach the model nonsense by the next.
    monkeypatch.setattr(bench_plan, "REPLAN_EVERY_S", 3600.0)
    start = datetime(2015, 1, 5, tzinfo=UTC)
    site = SITES[0]
    run = _confident(planner_run(FORTNIGHTS[0], site))
    data = _flat_data(start, [0.0] + [400.0] * 47)  # one cheap hour: the time to store heat
    drive = planner_drive(data, FORTNIGHTS[0], site, ECONOMICS[0], run)
    miners = {spec.miner_id: SimMiner() for spec in miner_specs(site.miners)}
    running_w = []
    for step in range(240):  # the cheap hour, polled every 15 s
        drive(step, _readings(start.timestamp() + 15 * step, tank_c=45.0), 20.0, False, miners)
        running_w.append(sum(miner.target_w for miner in miners.values() if miner.running))
    assert len(run.solve_s) == 1
    assert run.planned_share == 1.0
    assert run.session.last_plan is not None
    planned = run.session.last_plan.slots[0].power_w
    assert planned > 0
    assert max(running_w) <= planned  # the dispatcher runs the plan's power, ramping up to it
    assert running_w[-1] == pytest.approx(planned, rel=0.05)
