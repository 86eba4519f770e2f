"""The report's periods and figures, without Home Assistant."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from custom_components.hashheat.domain.report import (
    MeteredHeat,
    PeriodError,
    PeriodKind,
    PeriodTotals,
    SiteFacts,
    build_report,
    meter_resets,
    report_period,
    split_by_building,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


def test_a_month_runs_between_local_midnights() -> None:
    start, end = report_period(
        PeriodKind.MONTH, day=date(2026, 10, 17), end_day=None, zone=BERLIN, now=NOW
    )
    assert start == datetime(2026, 9, 30, 22, 0, tzinfo=UTC)
    assert end == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)  # summer time ended on the 25th


def test_the_current_year_ends_now_and_a_range_includes_its_last_day() -> None:
    start, end = report_period(
        PeriodKind.YEAR, day=date(2026, 3, 1), end_day=None, zone=UTC, now=NOW
    )
    assert (start, end) == (datetime(2026, 1, 1, tzinfo=UTC), NOW)
    start, end = report_period(
        PeriodKind.RANGE, day=date(2026, 11, 1), end_day=date(2026, 11, 2), zone=UTC, now=NOW
    )
    assert (start, end) == (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC))


@pytest.mark.parametrize(
    ("kind", "day", "end_day", "in_future"),
    [
        (PeriodKind.MONTH, date(2026, 12, 1), None, True),
        (PeriodKind.RANGE, date(2026, 11, 2), date(2026, 11, 1), False),
        (PeriodKind.RANGE, date(2026, 11, 2), None, False),
    ],
)
def test_periods_that_cannot_be_reported(
    kind: PeriodKind, day: date, end_day: date | None, *, in_future: bool
) -> None:
    with pytest.raises(PeriodError) as raised:
        report_period(kind, day=day, end_day=end_day, zone=UTC, now=NOW)
    assert raised.value.in_future is in_future


TOTALS = PeriodTotals(
    electricity_kwh=1000.0,
    heat_kwh=950.0,
    electricity_cost=250.0,
    revenue=200.0,
    heat_value=105.0,
    co2_avoided_kg=12.0,
    starts=30.0,
    thermal_cycles=28.5,
    running_hours=600.0,
    hot_hours=0.0,
    grid_hold_hours=12.0,
    curtailed_kwh=40.0,
    heat_asked_hours=600.0,
    heat_short_hours=30.0,
    held_heat_asked_hours=50.0,
    held_heat_short_hours=20.0,
)


@pytest.mark.parametrize(
    ("method", "basis"), [("meter", "heat meter (MID MI-004)"), ("estimated", "not for billing")]
)
def test_report_figures_and_eed_fields(method: str, basis: str) -> None:
    facts = SiteFacts(
        site="Boiler room",
        currency="EUR",
        heat_method=method,
        installed_power_kw=12.04,
        average_supply_c=48.26,
    )
    report = build_report(TOTALS, facts, NOW, NOW)
    assert report["energy_reuse_factor"] == 0.95
    # (250 - 200) EUR over 0.95 MWh of heat.
    assert report["net_cost_of_heat_per_mwh"] == pytest.approx(52.63, abs=0.01)
    assert report["for_billing"] is (method == "meter")
    assert report["grid_hold_hours"] == 12.0
    assert report["energy_curtailed_kwh"] == 40.0
    # The 20 short hours under a grid hold are excused: 10 short of 550 asked outside holds.
    assert report["heat_availability"] == 0.9818
    assert report["heat_availability_including_grid_holds"] == 0.95
    assert report["eed"] == {
        "installed_power_kw": 12.04,
        "energy_consumed_kwh": 1000.0,
        "waste_heat_reused_kwh": 950.0,
        "average_waste_heat_temperature_c": 48.3,
        "energy_reuse_factor": 0.95,
        "basis": basis,
    }


def test_totals_without_statistics_are_empty() -> None:
    empty = PeriodTotals(**dict.fromkeys(PeriodTotals.__dataclass_fields__))
    assert empty.empty
    assert not TOTALS.empty
    facts = SiteFacts(
        site="s",
        currency="EUR",
        heat_method="estimated",
        installed_power_kw=None,
        average_supply_c=None,
    )
    report = build_report(empty, facts, NOW, NOW)
    assert report["energy_reuse_factor"] is None
    assert report["net_cost_of_heat_per_mwh"] is None


def test_buildings_split_cost_and_revenue_by_heat_share() -> None:
    rows = split_by_building(
        TOTALS,
        {
            "sensor.a": MeteredHeat(building="School", kwh=600.0),
            "sensor.b": MeteredHeat(building="Town hall", kwh=200.0, resets=1),
        },
    )
    assert [row["building"] for row in rows] == ["School", "Town hall"]
    assert [row["heat_share"] for row in rows] == [0.75, 0.25]
    assert [row["meter_resets"] for row in rows] == [0, 1]
    assert sum(row["electricity_cost"] for row in rows) == pytest.approx(250.0)
    assert rows[0]["net_cost"] == pytest.approx(0.75 * 50.0)
    only = {"sensor.a": MeteredHeat(building="School", kwh=0.0)}
    assert split_by_building(TOTALS, only)[0]["heat_share"] is None


def test_a_reading_that_falls_while_the_sum_goes_on_is_a_reset() -> None:
    steady = [(10.0, 10.0), (12.0, 12.0), (15.0, 15.0)]
    assert meter_resets(steady) == 0
    # Reset to 0 and counting again (the recorder's sum carries on), twice; an hour unknown.
    assert meter_resets([(10.0, 10.0), (1.0, 11.0), (None, None), (3.0, 13.0), (0.5, 13.5)]) == 2
    # Reading and sum both falling is a meter run back, not a reset: reported otherwise.
    assert meter_resets([(10.0, 10.0), (8.0, 8.0)]) == 0
