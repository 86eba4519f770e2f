"""The outdoor temperature per plan slot, and the correction a heat-demand sensor teaches."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.hashheat.domain.demand_forecast import (
    DayTemperatures,
    DemandCorrection,
    ForecastPoint,
    OutdoorSource,
    daily_points,
    outdoor_per_slot,
    twice_daily_points,
)
from custom_components.hashheat.domain.price_forecast import PriceSlot

START = datetime(2026, 1, 12, 0, tzinfo=UTC)


def slots(count: int, minutes: int = 60) -> list[PriceSlot]:
    step = timedelta(minutes=minutes)
    return [
        PriceSlot(start=START + i * step, end=START + (i + 1) * step, price_per_kwh=0.1)
        for i in range(count)
    ]


def hourly(*temperatures: float) -> list[ForecastPoint]:
    return [
        ForecastPoint(at=START + timedelta(hours=i), temperature_c=t)
        for i, t in enumerate(temperatures)
    ]


def test_slot_midpoints_are_interpolated() -> None:
    found = outdoor_per_slot(slots(4, minutes=15), hourly(0.0, 4.0), current_outdoor_c=10.0)
    assert found is not None
    assert found.source is OutdoorSource.WEATHER
    assert found.outdoor_c == pytest.approx((0.5, 1.5, 2.5, 3.5))


def test_the_last_value_holds_beyond_the_forecast_and_says_for_how_many_slots() -> None:
    found = outdoor_per_slot(slots(4), hourly(-2.0, 0.0, 2.0), current_outdoor_c=None)
    assert found is not None
    assert found.outdoor_c == pytest.approx((-1.0, 1.0, 2.0, 2.0))
    assert found.source is OutdoorSource.WEATHER
    assert found.held_slots == 2
    assert found.until == START + timedelta(hours=2)


def test_before_the_first_point_the_first_value_holds() -> None:
    points = [ForecastPoint(at=START + timedelta(hours=2), temperature_c=5.0)]
    points.append(ForecastPoint(at=START + timedelta(hours=3), temperature_c=7.0))
    found = outdoor_per_slot(slots(3), points, current_outdoor_c=None)
    assert found is not None
    assert found.outdoor_c == pytest.approx((5.0, 5.0, 6.0))


def test_a_forecast_that_ended_before_the_slots_is_persistence() -> None:
    points = [ForecastPoint(at=START - timedelta(hours=5), temperature_c=3.0)]
    found = outdoor_per_slot(slots(2), points, current_outdoor_c=8.0)
    assert found is not None
    assert found.source is OutdoorSource.PERSISTENCE
    assert found.outdoor_c == (3.0, 3.0)
    assert (found.until, found.held_slots) == (points[0].at, 2)


def test_unsorted_duplicate_and_non_finite_points_are_cleaned() -> None:
    points = [
        ForecastPoint(at=START + timedelta(hours=1), temperature_c=2.0),
        ForecastPoint(at=START, temperature_c=float("nan")),
        ForecastPoint(at=START, temperature_c=0.0),
        ForecastPoint(at=START + timedelta(hours=1), temperature_c=99.0),
    ]
    found = outdoor_per_slot(slots(1), points, current_outdoor_c=None)
    assert found is not None
    assert found.outdoor_c == pytest.approx((1.0,))


def test_without_a_forecast_the_current_reading_persists() -> None:
    found = outdoor_per_slot(slots(3), [], current_outdoor_c=-4.5)
    assert found is not None
    assert found.source is OutdoorSource.PERSISTENCE
    assert found.outdoor_c == (-4.5, -4.5, -4.5)
    assert (found.until, found.held_slots) == (None, 3)


@pytest.mark.parametrize("current", [None, float("nan")])
def test_with_nothing_at_all_there_is_no_outdoor_forecast(current: float | None) -> None:
    assert outdoor_per_slot(slots(3), [], current_outdoor_c=current) is None


def test_a_daily_forecast_has_its_low_in_the_morning_and_its_high_in_the_afternoon() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    day = DayTemperatures(at=datetime(2026, 1, 12, 11, tzinfo=UTC), temperature_c=4.0, low_c=-2.0)
    points = daily_points([day], berlin)
    assert [(p.at.astimezone(berlin).hour, p.temperature_c) for p in points] == [
        (5, -2.0),
        (14, 4.0),
    ]
    found = outdoor_per_slot(slots(24), points, current_outdoor_c=None)
    assert found is not None
    # Midnight to 04:00 UTC is before the low (05:00 Berlin = 04:00 UTC); 13:00 UTC is the high.
    assert found.outdoor_c[0] == -2.0
    assert found.outdoor_c[13] == 4.0
    assert -2.0 < found.outdoor_c[8] < 4.0


def test_a_twice_daily_value_stands_for_the_middle_of_its_half_day() -> None:
    entries = [
        DayTemperatures(at=START + timedelta(hours=6), temperature_c=3.0),
        DayTemperatures(at=START + timedelta(hours=18), temperature_c=-1.0),
    ]
    assert [(p.at, p.temperature_c) for p in twice_daily_points(entries)] == [
        (START + timedelta(hours=12), 3.0),
        (START + timedelta(hours=24), -1.0),
    ]


def learn(correction: DemandCorrection, hours: int, measured: float, modelled: float) -> None:
    start = correction.last_at_s or 0.0
    for minute in range(0, hours * 60 + 1, 5):
        correction.observe(start + minute * 60.0, measured, modelled)


def test_the_sensor_corrects_the_modelled_demand_once_trusted() -> None:
    correction = DemandCorrection()
    assert correction.apply([4.0, 2.0]).demand_kw == (4.0, 2.0)
    learn(correction, 72, measured=6.0, modelled=4.0)
    assert correction.ratio == pytest.approx(1.5)
    corrected = correction.apply([4.0, 2.0, 0.0])
    assert corrected.confidence == 1.0
    assert corrected.demand_kw == pytest.approx((6.0, 3.0, 0.0))


def test_a_new_sensor_only_nudges_the_forecast() -> None:
    correction = DemandCorrection()
    learn(correction, 12, measured=6.0, modelled=4.0)
    corrected = correction.apply([4.0])
    assert corrected.confidence == pytest.approx(0.25)
    assert corrected.demand_kw == pytest.approx((4.0 * (1 + 0.25 * 0.5),))


def test_the_ratio_is_smoothed_over_about_a_day() -> None:
    correction = DemandCorrection()
    learn(correction, 72, measured=4.0, modelled=4.0)
    learn(correction, 1, measured=8.0, modelled=4.0)
    assert 1.0 < correction.ratio < 1.1
    # Three time constants later it has gone 95 % of the way.
    learn(correction, 72, measured=8.0, modelled=4.0)
    assert correction.ratio == pytest.approx(1.95, abs=0.01)


def test_the_ratio_is_bounded() -> None:
    correction = DemandCorrection()
    learn(correction, 72, measured=40.0, modelled=4.0)
    assert correction.ratio == 2.0
    learn(correction, 240, measured=0.0, modelled=4.0)
    assert correction.ratio == 0.5


def test_warm_hours_missing_readings_and_garbage_teach_nothing() -> None:
    correction = DemandCorrection()
    learn(correction, 24, measured=3.0, modelled=0.1)
    learn(correction, 24, measured=float("nan"), modelled=4.0)
    learn(correction, 24, measured=-1.0, modelled=4.0)
    correction.observe(10**7, None, 4.0)
    assert correction.seen_s == 0.0
    assert correction.ratio == 1.0


def test_a_gap_between_readings_counts_for_an_hour_at_most() -> None:
    correction = DemandCorrection()
    correction.observe(0.0, 5.0, 4.0)
    correction.observe(10 * 3600.0, 5.0, 4.0)
    assert correction.seen_s == 3600.0


def test_the_correction_survives_a_restart_and_damage_means_afresh() -> None:
    correction = DemandCorrection()
    learn(correction, 72, measured=5.0, modelled=4.0)
    restored = DemandCorrection.from_dict(correction.as_dict())
    assert restored.ratio == pytest.approx(correction.ratio)
    assert restored.confidence == correction.confidence
    damaged = {**correction.as_dict(), "modelled_kw": "x"}
    assert DemandCorrection.from_dict(damaged) == DemandCorrection()
