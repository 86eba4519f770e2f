"""The heat the tank and loop hold above the indoor air, and how much they hold per kW."""

import pytest

from custom_components.hashheat.domain.hydronic import (
    PAST_HOURS,
    HydronicLag,
    OutdoorHours,
    held_kwh,
    in_bursts,
)
from custom_components.hashheat.domain.site_model import PlantPrior
from custom_components.hashheat.domain.thermal import Fluid

PRIOR = PlantPrior(
    tank_volume_l=600,
    tank_fluid=Fluid.DIELECTRIC_OIL,
    loop_volume_l=200,
    miner_power_steps_w=[[3010.0]] * 4,
)
TANK_KWH_PER_K = 0.6 * 830 * 2100 / 3.6e6  # 0.2905
LOOP_KWH_PER_K = 0.2 * 990 * 4180 / 3.6e6  # 0.2299


def test_the_configured_tank_and_loop_hold_their_heat_above_the_indoor_air() -> None:
    assert PRIOR.tank_capacity_kwh_per_k == pytest.approx(TANK_KWH_PER_K)
    assert PRIOR.loop_capacity_kwh_per_k == pytest.approx(LOOP_KWH_PER_K)
    held = held_kwh(PRIOR, tank_c=60.0, return_c=45.0, indoor_c=20.0)
    assert held == pytest.approx(40 * TANK_KWH_PER_K + 25 * LOOP_KWH_PER_K)
    # Water colder than the room is not the building's heat; without a return, the tank's.
    assert held_kwh(PRIOR, tank_c=18.0, return_c=17.0, indoor_c=20.0) == 0.0
    alone = held_kwh(PRIOR, tank_c=30.0, return_c=None, indoor_c=20.0)
    assert alone == pytest.approx(10 * (TANK_KWH_PER_K + LOOP_KWH_PER_K))


def test_the_lag_is_learned_where_the_loop_delivers_most_of_the_heat() -> None:
    lag = HydronicLag(PRIOR)
    full_kw = 0.95 * 12.04
    assert lag.lag_h == pytest.approx(PRIOR.capacity_kwh_per_k * 35.0 / full_kw)  # ~1.6 h
    lag.observe(tank_c=30.0, return_c=27.0, indoor_c=20.0, heat_w=2000.0)  # a trickle: no
    lag.observe(tank_c=60.0, return_c=45.0, indoor_c=20.0, heat_w=None)
    assert lag.learned_h is None
    lag.observe(tank_c=60.0, return_c=45.0, indoor_c=20.0, heat_w=10_000.0)
    held = 40 * TANK_KWH_PER_K + 25 * LOOP_KWH_PER_K
    assert lag.lag_h == pytest.approx(held / 10.0)
    lag.observe(tank_c=50.0, return_c=40.0, indoor_c=20.0, heat_w=10_000.0)
    assert held / 10 > lag.lag_h > (30 * TANK_KWH_PER_K + 20 * LOOP_KWH_PER_K) / 10


def test_heat_is_needed_in_bursts_where_the_mean_demand_is_a_small_share_of_the_miners() -> None:
    # 0.38 kW/K: 15 °C outdoors needs 1.9 kW at 19.9 °C, 16 % of 11.4 kW (a mild summer day);
    # 13 °C needs 23 %, 0 °C 66 %.
    assert in_bursts(11.4, 0.38, 19.9, [13.0, 25.0])
    assert in_bursts(11.4, 0.38, 19.9, [15.0])
    assert not in_bursts(11.4, 0.38, 19.9, [13.0])
    assert not in_bursts(11.4, 0.38, 19.9, [0.0, 25.0])
    assert not in_bursts(11.4, 0.38, 19.9, [])


def test_the_day_before_is_kept_as_hourly_means() -> None:
    past = OutdoorHours()
    for minute in range(0, 30 * 60, 30):
        past.observe(minute * 60.0, 10.0 if minute % 60 == 0 else 12.0)
    past.observe(30 * 3600.0, float("nan"))
    assert len(past.means_c) == PAST_HOURS
    assert past.means_c == [pytest.approx(11.0)] * PAST_HOURS
