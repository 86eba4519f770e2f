"""The ``hashheat.report`` action on real Home Assistant with the recorder's long-term statistics.

A month of the site's counters is imported as hourly statistics (what the recorder compiles from
the sensors); the report's totals are those of the counters over the month's local hours.
"""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.core import Recorder
from homeassistant.components.recorder.models import StatisticMeanType
from homeassistant.components.recorder.statistics import async_import_statistics
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.hashheat.const import DOMAIN
from sim import Fleet

from .helpers.site import PLANT, poll, set_plant, setup_plant_site

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
# Hourly increments of the site's counters (sensor key: per hour, unit, unit class).
PER_HOUR: dict[str, tuple[float, str, str | None]] = {
    "electricity_energy": (3.0, "kWh", "energy"),
    "heat_energy": (2.85, "kWh", "energy"),
    "electricity_cost": (0.25, "EUR", None),
    "revenue": (0.2, "EUR", None),
    "heat_value": (0.3, "EUR", None),
    "co2_avoided": (0.1, "kg", "mass"),
    "starts": (0.5, "", None),
    "thermal_cycles": (0.25, "", None),
    "running_hours": (1.0, "h", "duration"),
    "hot_hours": (0.0, "h", "duration"),
    "grid_hold_time": (0.25, "h", "duration"),
    "energy_curtailed": (0.75, "kWh", "energy"),
    "heat_asked_time": (1.0, "h", "duration"),
    "heat_short_time": (0.05, "h", "duration"),
    "held_heat_asked_time": (0.2, "h", "duration"),
    "held_heat_short_time": (0.03, "h", "duration"),
}
# October 2026 in Berlin: 31 days and the hour summer time gave back on the 25th.
OCTOBER_HOURS = 31 * 24 + 1
FIRST_HOUR = datetime(2026, 9, 20, tzinfo=UTC)
HOURS = 50 * 24


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must start before Home Assistant, so it comes first here."""


# The buildings' heat sub-meters (one in MWh, one reset in September and again in October) and
# one that runs backwards: per hour, unit, name, and the hours (from the first) it was reset at.
BUILDINGS: dict[str, tuple[float, str, str, tuple[int, ...]]] = {
    "sensor.school_heat": (2.0, "kWh", "School", ()),
    "sensor.town_hall_heat": (0.00085, "MWh", "Town hall", ()),
    "sensor.library_heat": (0.5, "kWh", "Library", (100, 20 * 24 + 7)),
    "sensor.broken_heat": (-0.5, "kWh", "Broken", ()),
}


def _import(  # noqa: PLR0913
    hass: HomeAssistant,
    entity_id: str,
    per_hour: float,
    unit: str,
    unit_class: str | None,
    *,
    resets: tuple[int, ...] = (),
) -> None:
    """Hourly statistics as the recorder compiles them: after a reset the sum goes on."""

    def reading(hour: int) -> float:
        since = max((reset for reset in resets if reset <= hour), default=0)
        return per_hour * (hour + 1 - since)

    async_import_statistics(
        hass,
        {
            "mean_type": StatisticMeanType.NONE,
            "has_sum": True,
            "name": None,
            "source": "recorder",
            "statistic_id": entity_id,
            "unit_class": unit_class,
            "unit_of_measurement": unit,
        },
        [
            {
                "start": FIRST_HOUR + timedelta(hours=hour),
                "state": reading(hour),
                "sum": per_hour * (hour + 1),
            }
            for hour in range(HOURS)
        ],
    )


@pytest.fixture
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A configuration directory of the test's own, inside an outer folder nothing may reach."""
    path = tmp_path / "config"
    path.mkdir()
    hass.config.config_dir = str(path)
    return path


async def _site_with_a_month(
    hass: HomeAssistant,
    fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    *,
    building_meters: list[str] | None = None,
) -> MockConfigEntry:
    """A site with a month and more of statistics; ``building_meters``: its configured ones."""
    freezer.move_to(NOW)
    await hass.config.async_set_time_zone("Europe/Berlin")
    set_plant(hass)
    options = {**PLANT, "building_heat_meters": building_meters} if building_meters else PLANT
    entry = await setup_plant_site(hass, fleet.miners[0], options)
    await poll(hass, entry)
    registry = er.async_get(hass)
    for key, (per_hour, unit, unit_class) in PER_HOUR.items():
        entity_id = registry.async_get_entity_id("sensor", DOMAIN, f"{entry.entry_id}_{key}")
        assert entity_id is not None
        _import(hass, entity_id, per_hour, unit, unit_class)
    for meter, (per_hour, unit, name, resets) in BUILDINGS.items():
        hass.states.async_set(
            meter,
            "0",
            {"unit_of_measurement": unit, "device_class": "energy", "friendly_name": name},
        )
        _import(hass, meter, per_hour, unit, "energy", resets=resets)
    async_import_statistics(
        hass,
        {
            "mean_type": StatisticMeanType.ARITHMETIC,
            "has_sum": False,
            "name": None,
            "source": "recorder",
            "statistic_id": "sensor.loop_supply",
            "unit_class": "temperature",
            "unit_of_measurement": "°C",
        },
        [
            {"start": FIRST_HOUR + timedelta(hours=h), "mean": 48.0, "min": 47.0, "max": 49.0}
            for h in range(HOURS)
        ],
    )
    await async_wait_recording_done(hass)
    return entry


def _files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*"))


async def _report(hass: HomeAssistant, entry: MockConfigEntry, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "report",
        {"config_entry_id": entry.entry_id, **data},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return dict(response)


async def test_a_month_of_statistics_gives_the_counters_totals(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory, config_dir: Path
) -> None:
    entry = await _site_with_a_month(hass, fleet, freezer)
    report = await _report(hass, entry, period="month", date="2026-10-10", export_folder="2026")
    assert report["start"] == "2026-10-01T00:00:00+02:00"
    assert report["end"] == "2026-11-01T00:00:00+01:00"
    assert report["electricity_kwh"] == pytest.approx(3.0 * OCTOBER_HOURS)
    assert report["heat_kwh"] == pytest.approx(2.85 * OCTOBER_HOURS)
    assert report["electricity_cost"] == pytest.approx(0.25 * OCTOBER_HOURS)
    assert report["mining_revenue"] == pytest.approx(0.2 * OCTOBER_HOURS)
    assert report["co2_avoided_kg"] == pytest.approx(0.1 * OCTOBER_HOURS)
    assert report["starts"] == pytest.approx(0.5 * OCTOBER_HOURS)
    assert report["running_hours"] == pytest.approx(OCTOBER_HOURS)
    assert report["grid_hold_hours"] == pytest.approx(0.25 * OCTOBER_HOURS)
    assert report["energy_curtailed_kwh"] == pytest.approx(0.75 * OCTOBER_HOURS)
    assert report["heat_asked_hours"] == pytest.approx(OCTOBER_HOURS)
    assert report["heat_short_hours"] == pytest.approx(0.05 * OCTOBER_HOURS)
    assert report["heat_short_hours_under_grid_hold"] == pytest.approx(0.03 * OCTOBER_HOURS)
    # Under grid holds 0.03 of 0.2 h an hour were short: excused, 0.02 short of 0.8 h remain.
    assert report["heat_availability"] == pytest.approx(0.975)
    assert report["heat_availability_including_grid_holds"] == pytest.approx(0.95)
    assert report["energy_reuse_factor"] == pytest.approx(0.95)
    net = (0.25 - 0.2) * OCTOBER_HOURS / (2.85 * OCTOBER_HOURS / 1000)
    assert report["net_cost_of_heat_per_mwh"] == pytest.approx(net, abs=0.01)
    assert report["average_heat_delivery_temperature_c"] == 48.0
    assert report["heat_measurement"] == "calorimetric"
    assert report["eed"]["basis"] == "not for billing"
    assert report["eed"]["installed_power_kw"] > 3

    # The same report, as JSON and CSV in the allowed folder.
    root = config_dir / "hashheat" / "reports" / "2026"
    files = sorted(Path(name) for name in report["files"])
    assert [path.parent for path in files] == [root, root]
    assert {path.suffix for path in files} == {".csv", ".json"}
    written = json.loads(files[1].read_text(encoding="utf-8"))
    assert written == {key: value for key, value in report.items() if key != "files"}
    csv_text = files[0].read_text(encoding="utf-8")
    assert "electricity_kwh," in csv_text
    assert "heat_availability,0.975" in csv_text
    assert "energy_curtailed_kwh," in csv_text


@pytest.mark.usefixtures("config_dir")
async def test_configured_sub_meters_split_heat_cost_and_revenue_and_add_up_to_the_site(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    meters = ["sensor.school_heat", "sensor.town_hall_heat"]
    entry = await _site_with_a_month(hass, fleet, freezer, building_meters=meters)
    report = await _report(hass, entry, period="month", date="2026-10-10")
    school, town_hall = report["buildings"]
    assert (school["building"], town_hall["building"]) == ("School", "Town hall")
    assert (school["heat_meter"], town_hall["heat_meter"]) == tuple(meters)
    assert school["heat_kwh"] == pytest.approx(2.0 * OCTOBER_HOURS)
    assert town_hall["heat_kwh"] == pytest.approx(0.85 * OCTOBER_HOURS)  # from MWh
    assert school["heat_share"] == pytest.approx(2.0 / 2.85)
    assert school["heat_share"] + town_hall["heat_share"] == pytest.approx(1.0)
    assert school["heat_kwh"] + town_hall["heat_kwh"] == pytest.approx(report["heat_kwh"])
    for figure, total in (
        ("electricity_cost", "electricity_cost"),
        ("mining_revenue", "mining_revenue"),
    ):
        assert school[figure] + town_hall[figure] == pytest.approx(report[total])
    net = report["electricity_cost"] - report["mining_revenue"]
    assert school["net_cost"] + town_hall["net_cost"] == pytest.approx(net)
    assert (school["meter_resets"], town_hall["meter_resets"]) == (0, 0)
    assert report["unmetered_heat_kwh"] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.usefixtures("config_dir")
async def test_the_actions_sub_meters_win_over_the_configured_ones(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    entry = await _site_with_a_month(hass, fleet, freezer, building_meters=["sensor.school_heat"])
    meters = ["sensor.town_hall_heat", "sensor.library_heat"]
    report = await _report(hass, entry, period="month", date="2026-10-10", heat_meters=meters)
    assert [row["building"] for row in report["buildings"]] == ["Town hall", "Library"]


@pytest.mark.usefixtures("config_dir")
async def test_a_meter_reset_in_the_period_is_reported_not_lost(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """The library's meter fell back to 0 in September and on 10 October; its sum went on."""
    meters = ["sensor.school_heat", "sensor.library_heat"]
    entry = await _site_with_a_month(hass, fleet, freezer, building_meters=meters)
    school, library = (await _report(hass, entry, period="month", date="2026-10-10"))["buildings"]
    assert library["heat_kwh"] == pytest.approx(0.5 * OCTOBER_HOURS)
    assert (school["meter_resets"], library["meter_resets"]) == (0, 1)
    september = await _report(hass, entry, period="month", date="2026-09-25")
    assert september["buildings"][1]["meter_resets"] == 1


@pytest.mark.usefixtures("config_dir")
async def test_an_unavailable_meter_is_read_in_its_statistics_unit(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    meters = ["sensor.school_heat", "sensor.town_hall_heat"]
    entry = await _site_with_a_month(hass, fleet, freezer, building_meters=meters)
    hass.states.async_set("sensor.town_hall_heat", "unavailable", {"friendly_name": "Town hall"})
    _, town_hall = (await _report(hass, entry, period="month", date="2026-10-10"))["buildings"]
    assert town_hall["building"] == "Town hall"
    assert town_hall["heat_kwh"] == pytest.approx(0.85 * OCTOBER_HOURS)  # MWh, from its metadata


@pytest.mark.usefixtures("config_dir")
async def test_a_configured_meter_since_removed_is_listed_and_the_others_reported(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    meters = ["sensor.school_heat", "sensor.demolished_heat"]  # the latter never recorded
    entry = await _site_with_a_month(hass, fleet, freezer, building_meters=meters)
    report = await _report(hass, entry, period="month", date="2026-10-10")
    assert [row["building"] for row in report["buildings"]] == ["School"]
    assert report["missing_meters"] == ["sensor.demolished_heat"]
    with pytest.raises(ServiceValidationError) as refused:  # named in the action: an error
        await _report(hass, entry, period="month", date="2026-10-10", heat_meters=meters)
    assert refused.value.translation_key == "report_meter_unit"


@pytest.mark.usefixtures("config_dir")
async def test_a_year_so_far_covers_every_recorded_hour(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    entry = await _site_with_a_month(hass, fleet, freezer)
    report = await _report(hass, entry, period="year")
    assert report["electricity_kwh"] == pytest.approx(3.0 * HOURS)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"period": "month", "date": "2027-01-05"}, "report_period_in_future"),
        ({"period": "month", "date": "2025-01-05"}, "report_no_data"),
        ({"period": "range", "date": "2026-10-05"}, "report_period_invalid"),
        ({"period": "month", "export_folder": "../../outside"}, "report_export_path"),
        ({"period": "month", "export_folder": "/tmp"}, "report_export_path"),  # noqa: S108
        (
            {"period": "month", "date": "2026-10-10", "heat_meters": ["sensor.loop_supply"]},
            "report_meter_unit",
        ),
        (
            {"period": "month", "date": "2026-10-10", "heat_meters": ["sensor.broken_heat"]},
            "report_meter_backwards",
        ),
        # No state and no statistics: no unit to read the meter in.
        (
            {"period": "month", "date": "2026-10-10", "heat_meters": ["sensor.gone_heat"]},
            "report_meter_unit",
        ),
    ],
)
async def test_bad_periods_and_folders_are_refused_and_nothing_is_written(  # noqa: PLR0913
    hass: HomeAssistant,
    fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    config_dir: Path,
    data: dict[str, Any],
    *,
    reason: str,
) -> None:
    entry = await _site_with_a_month(hass, fleet, freezer)
    with pytest.raises(ServiceValidationError) as refused:
        await _report(hass, entry, **data)
    assert refused.value.translation_key == reason
    assert _files(config_dir.parent) == [config_dir, *_files(config_dir)]
    assert not (config_dir / "hashheat").exists()
