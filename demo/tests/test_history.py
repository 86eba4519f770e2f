"""The demo's simulated history: what the plant model gives each counter, as statistics rows."""

from datetime import UTC, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from custom_components.hashheat.domain.service_level import (
    heat_availability,
    heat_availability_including_grid_holds,
)
from custom_components.hashheat.report import COUNTERS as REPORT_COUNTERS
from custom_components.hashheat.sensor import SITE_SENSORS
from custom_components.hashheat.sensor_health import SITE_HEALTH_SENSORS
from demo.history import (
    ANCHOR,
    COUNTERS,
    MEANS,
    SUPPLY,
    HistoryHour,
    chip_rise_statistics,
    held,
    simulate,
    statistics,
)

ZONE = ZoneInfo("Europe/Berlin")
END = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def hours() -> list[HistoryHour]:
    return simulate(END, 21, ZONE)


def test_every_counter_the_report_reads_is_simulated_under_its_sensors_key() -> None:
    assert set(REPORT_COUNTERS.values()) == set(COUNTERS)
    sensors = {d.key: d for d in (*SITE_SENSORS, *SITE_HEALTH_SENSORS)}
    for key, statistic in (*COUNTERS.items(), *MEANS.items()):
        description = sensors[key]
        money = getattr(description, "currency_unit", None)
        unit = money.format(currency="EUR") if money else description.native_unit_of_measurement
        assert statistic.unit == unit, key


def test_counter_sums_end_at_zero_and_change_by_each_hour(hours: list[HistoryHour]) -> None:
    assert len(hours) == 21 * 24
    assert hours[-1].start == datetime(2026, 11, 20, 8, tzinfo=UTC)
    for key in COUNTERS:
        rows = statistics(hours, key)
        assert rows[0]["start"] == ANCHOR.isoformat()
        assert [row["start"] for row in rows[1:]] == [h.start.isoformat() for h in hours]
        sums = [float(row["sum"]) for row in rows]
        assert sums[-1] == pytest.approx(0.0, abs=1e-6), key
        changes = [b - a for a, b in pairwise(sums)]
        assert changes == pytest.approx([h.added[key] for h in hours], abs=1e-6), key
        assert all(h.added[key] >= 0 for h in hours) or key == "co2_avoided", key


def test_a_november_of_the_plant_model_heats_and_holds(hours: list[HistoryHour]) -> None:
    total = {key: sum(h.added[key] for h in hours) for key in COUNTERS}
    # Three weeks of a mild November: the miners run nearly always, most of their power is heat.
    assert total["running_hours"] > 0.9 * len(hours)
    assert 0.85 < total["heat_energy"] / total["electricity_energy"] <= 0.96
    assert total["electricity_cost"] > total["revenue"] > 0
    assert total["grid_hold_time"] == sum(held(h.start, ZONE) for h in hours) > 0
    assert total["energy_curtailed"] > 0
    assert total["held_heat_short_time"] <= total["heat_short_time"]
    excused = heat_availability(
        total["heat_asked_time"],
        total["heat_short_time"],
        total["held_heat_asked_time"],
        total["held_heat_short_time"],
    )
    including = heat_availability_including_grid_holds(
        total["heat_asked_time"], total["heat_short_time"]
    )
    assert excused is not None
    assert including is not None
    assert excused >= including
    supply = [float(row["mean"]) for row in statistics(hours, SUPPLY)]
    assert len(supply) == len(hours)
    assert 30 < sum(supply) / len(supply) < 50
    conductance = [float(row["mean"]) for row in statistics(hours, "exchanger_conductance")]
    assert conductance
    assert all(500 < value < 5000 for value in conductance)


def test_the_healthy_exchangers_conductance_is_as_steady_as_the_sites_sensor_shows_it(
    hours: list[HistoryHour],
) -> None:
    """Smoothed as the integration smooths it: a daily grid hold is no spike in the chart."""
    conductance = [float(row["mean"]) for row in statistics(hours, "exchanger_conductance")]
    steady = conductance[24:]  # after its first day
    assert max(steady) / min(steady) < 1.1


def test_a_healthy_miners_chip_rise_is_flat_while_the_site_runs(hours: list[HistoryHour]) -> None:
    rows = chip_rise_statistics(hours, 3.2)
    assert len(rows) == sum(h.added["running_hours"] > 0 for h in hours) > 0
    assert {row["mean"] for row in rows} == {3.2}
