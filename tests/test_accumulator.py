"""Counters: trapezoidal integration, gaps, unavailability and restarts."""

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.hashheat.domain.accumulator import Accumulator

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_trapezoid_over_steady_and_changing_power() -> None:
    kwh = Accumulator(max_gap=HOUR)
    kwh.add(at(0), 3.0)  # kW
    kwh.add(at(900), 3.0)  # 15 min at 3 kW = 0.75 kWh
    kwh.add(at(1800), 1.0)  # ramp 3 -> 1 kW over 15 min = 2 kW avg x 0.25 h = 0.5 kWh
    assert kwh.total == pytest.approx(1.25)


def test_unavailable_sample_invents_no_energy() -> None:
    kwh = Accumulator()
    kwh.add(at(0), 3.0)
    kwh.add(at(60), 3.0)  # 3 kW x 1/60 h = 0.05 kWh
    kwh.add(at(120), None)  # miner unreachable
    kwh.add(at(180), 3.0)  # first sample after the outage: starts a new run
    kwh.add(at(240), 3.0)  # 0.05 kWh
    assert kwh.total == pytest.approx(0.10)


def test_a_long_gap_adds_nothing() -> None:
    kwh = Accumulator(max_gap=timedelta(minutes=5))
    kwh.add(at(0), 3.0)
    assert kwh.add(at(3600), 3.0) == 0.0  # an hour without samples: unknown, not 3 kWh
    kwh.add(at(3660), 3.0)
    assert kwh.total == pytest.approx(0.05)


def test_repeated_and_out_of_order_samples_are_ignored() -> None:
    kwh = Accumulator()
    kwh.add(at(60), 3.0)
    assert kwh.add(at(60), 3.0) == 0.0
    assert kwh.add(at(30), 9.0) == 0.0
    kwh.add(at(120), 3.0)
    assert kwh.total == pytest.approx(0.05)


def test_non_finite_rate_is_a_gap() -> None:
    kwh = Accumulator()
    kwh.add(at(0), 3.0)
    kwh.add(at(60), float("nan"))
    kwh.add(at(120), 3.0)
    assert kwh.total == 0.0


def test_restart_in_the_middle_loses_nothing_and_counts_nothing_twice() -> None:
    before = Accumulator(max_gap=HOUR)
    before.add(at(0), 2.0)
    before.add(at(1800), 2.0)  # 1 kWh
    stored = before.as_dict()

    after = Accumulator.from_dict(stored, max_gap=HOUR)  # Home Assistant restarted
    assert after.total == pytest.approx(1.0)
    after.add(at(1900), 2.0)  # first sample after the restart: nothing for the downtime
    after.add(at(3700), 2.0)  # 30 min at 2 kW = 1 kWh
    assert after.total == pytest.approx(2.0)


@pytest.mark.parametrize(
    "stored", [None, {}, {"total": "x"}, {"total": float("inf")}, [], {"total": True}]
)
def test_malformed_storage_restores_zero(stored: object) -> None:
    assert Accumulator.from_dict(stored).total == 0.0
