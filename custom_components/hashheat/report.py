"""A site's report from Home Assistant's long-term statistics of the site's own counters.

Past periods work without a store of HashHeat's own: the recorder keeps each counter's hourly
sums, and a period's total is the sum of their changes. An export writes the report as JSON and
CSV into a folder under ``<config>/hashheat/reports`` (the one allowed place), never outside it.
"""

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import fields
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Final

from homeassistant.components.recorder import get_instance
from homeassistant.components.recorder.statistics import get_metadata, statistics_during_period
from homeassistant.const import UnitOfEnergy, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from homeassistant.util import slugify
from homeassistant.util.unit_conversion import EnergyConverter

from .const import DOMAIN
from .coordinator import HashHeatConfigEntry
from .domain.report import (
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

# Each total of the report and the site sensor (description key) whose statistics give it.
COUNTERS: Final[Mapping[str, str]] = {
    "electricity_kwh": "electricity_energy",
    "heat_kwh": "heat_energy",
    "electricity_cost": "electricity_cost",
    "revenue": "revenue",
    "heat_value": "heat_value",
    "co2_avoided_kg": "co2_avoided",
    "starts": "starts",
    "thermal_cycles": "thermal_cycles",
    "running_hours": "running_hours",
    "hot_hours": "hot_hours",
    "grid_hold_hours": "grid_hold_time",
    "curtailed_kwh": "energy_curtailed",
    "heat_asked_hours": "heat_asked_time",
    "heat_short_hours": "heat_short_time",
    "held_heat_asked_hours": "held_heat_asked_time",
    "held_heat_short_hours": "held_heat_short_time",
}
EXPORT_ROOT: Final = Path(DOMAIN) / "reports"
_UNITS: Final = {"energy": UnitOfEnergy.KILO_WATT_HOUR, "temperature": UnitOfTemperature.CELSIUS}


def _counter_ids(hass: HomeAssistant, entry: HashHeatConfigEntry) -> dict[str, str]:
    """Each total's statistic id: the site sensor's entity id."""
    registry = er.async_get(hass)
    found = {
        total: registry.async_get_entity_id("sensor", DOMAIN, f"{entry.entry_id}_{key}")
        for total, key in COUNTERS.items()
    }
    return {total: entity_id for total, entity_id in found.items() if entity_id}


async def _statistics(
    hass: HomeAssistant, start: datetime, end: datetime, ids: set[str], *kinds: str
) -> dict[str, list[Any]]:
    rows: dict[str, list[Any]] = await get_instance(hass).async_add_executor_job(
        statistics_during_period, hass, start, end, ids, "hour", _UNITS, set(kinds)
    )
    return rows


def _changes(rows: list[Any]) -> float | None:
    changes = [row["change"] for row in rows if row.get("change") is not None]
    return float(sum(changes)) if changes else None


def _mean(rows: list[Any]) -> float | None:
    means = [row["mean"] for row in rows if row.get("mean") is not None]
    return sum(means) / len(means) if means else None


async def async_site_report(  # noqa: PLR0913
    hass: HomeAssistant,
    entry: HashHeatConfigEntry,
    *,
    kind: PeriodKind,
    day: date | None,
    end_day: date | None,
    export_folder: str | None,
    heat_meters: list[str] | None = None,
) -> dict[str, Any]:
    """The site's report over the period; written to ``export_folder`` too when given.

    ``heat_meters``: the heat sub-meters (energy sensors) of the buildings the site supplies,
    else those of the site's options; the report splits heat, cost and revenue by their shares.
    """
    if "recorder" not in hass.config.components:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="report_needs_recorder"
        )
    now = dt_util.utcnow()
    zone = dt_util.get_default_time_zone()
    try:
        start, end = report_period(
            kind, day=day or now.astimezone(zone).date(), end_day=end_day, zone=zone, now=now
        )
    except PeriodError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="report_period_in_future" if err.in_future else "report_period_invalid",
        ) from err
    target = _export_target(hass, export_folder) if export_folder is not None else None
    ids = _counter_ids(hass, entry)
    rows = await _statistics(hass, start, end, set(ids.values()), "change")
    totals = PeriodTotals(
        **{f.name: _changes(rows.get(ids.get(f.name, ""), [])) for f in fields(PeriodTotals)}
    )
    if totals.empty:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="report_no_data",
            translation_placeholders={"site": entry.title, "start": start.isoformat()},
        )
    coordinator = entry.runtime_data
    supply = coordinator.settings.plant.supply_temperature_entity
    average_supply = (
        _mean((await _statistics(hass, start, end, {supply}, "mean")).get(supply, []))
        if supply
        else None
    )
    figures = coordinator.data.figures if coordinator.data else None
    facts = SiteFacts(
        site=entry.title,
        currency=hass.config.currency,
        heat_method=figures.heat_method.value if figures else "estimated",
        installed_power_kw=coordinator.control.controller.max_power_w / 1000,
        average_supply_c=average_supply,
    )
    report = build_report(totals, facts, start, end)
    meters = heat_meters or list(coordinator.settings.plant.building_heat_meters)
    if meters:
        metered, missing = await _metered_heat(hass, start, end, meters, configured=not heat_meters)
        if missing:
            report["missing_meters"] = missing
        report["buildings"] = split_by_building(totals, metered)
        report["unmetered_heat_kwh"] = (
            totals.heat_kwh - sum(heat.kwh for heat in metered.values())
            if totals.heat_kwh is not None
            else None
        )
    if target is not None:
        name = f"{slugify(entry.title)}_{start.date().isoformat()}_{end.date().isoformat()}"
        report["files"] = await hass.async_add_executor_job(_write, target, name, report)
    return report


async def _metered_heat(
    hass: HomeAssistant, start: datetime, end: datetime, meters: list[str], *, configured: bool
) -> tuple[dict[str, MeteredHeat], list[str]]:
    """Each sub-meter's building and heat over the period; a meter not in energy or run back fails.

    The unit is the state's, or while the meter is unavailable the one its statistics are kept in.
    A ``configured`` meter (the site's options, not the action's) that is gone, with neither a
    state nor statistics, is left out and listed: the other buildings are still reported.
    """
    metadata = await get_instance(hass).async_add_executor_job(
        partial(get_metadata, hass, statistic_ids=set(meters))
    )
    missing = [
        meter
        for meter in meters
        if configured and hass.states.get(meter) is None and meter not in metadata
    ]
    meters = [meter for meter in meters if meter not in missing]
    for meter in meters:
        unit = _unit(hass, meter) or (
            metadata[meter][1]["unit_of_measurement"] if meter in metadata else None
        )
        if unit not in EnergyConverter.VALID_UNITS:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="report_meter_unit",
                translation_placeholders={"meter": meter, "unit": str(unit)},
            )
    # From the hour before: a reset in the period's first hour shows against it.
    rows = await _statistics(
        hass, start - timedelta(hours=1), end, set(meters), "change", "state", "sum"
    )
    first = start.timestamp()
    metered = {}
    for meter in meters:
        readings = rows.get(meter, [])
        changes = [
            row["change"]
            for row in readings
            if row["start"] >= first and row.get("change") is not None
        ]
        if any(change < 0 for change in changes):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="report_meter_backwards",
                translation_placeholders={"meter": meter},
            )
        metered[meter] = MeteredHeat(
            building=_building(hass, meter),
            kwh=float(sum(changes)),
            resets=meter_resets([(row.get("state"), row.get("sum")) for row in readings]),
        )
    return metered, missing


def _unit(hass: HomeAssistant, entity_id: str) -> str | None:
    state = hass.states.get(entity_id)
    return None if state is None else state.attributes.get("unit_of_measurement")


def _building(hass: HomeAssistant, meter: str) -> str:
    """The building a sub-meter measures: the meter's name as Home Assistant shows it."""
    if (state := hass.states.get(meter)) is not None:
        return state.name
    entry = er.async_get(hass).async_get(meter)
    return (entry.name or entry.original_name or meter) if entry is not None else meter


def _export_target(hass: HomeAssistant, folder: str) -> Path:
    """The export folder inside ``<config>/hashheat/reports`` (links resolved), or an error."""
    root = Path(hass.config.path(str(EXPORT_ROOT))).resolve()
    target = (root / folder).resolve()
    if not target.is_relative_to(root):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="report_export_path",
            translation_placeholders={"folder": folder, "root": str(root)},
        )
    return target


def _flat(report: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """One ``field, value`` row per figure, nested ones as ``buildings.0.heat_share``."""
    rows: list[tuple[str, Any]] = []
    for key, value in report.items():
        if isinstance(value, Mapping):
            rows += _flat(value, f"{prefix}{key}.")
        elif isinstance(value, list) and all(isinstance(item, Mapping) for item in value):
            for index, item in enumerate(value):
                rows += _flat(item, f"{prefix}{key}.{index}.")
        else:
            rows.append((f"{prefix}{key}", value))
    return rows


def _write(target: Path, name: str, report: Mapping[str, Any]) -> list[str]:
    target.mkdir(parents=True, exist_ok=True)
    json_path, csv_path = target / f"{name}.json", target / f"{name}.csv"
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("field", "value"))
    writer.writerows(_flat(report))
    csv_path.write_text(buffer.getvalue(), encoding="utf-8")
    return [str(json_path), str(csv_path)]
