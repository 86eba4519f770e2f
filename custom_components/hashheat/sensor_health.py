"""Health and wear sensors of a site and its miners: drifts to chart, wear to count.

They read the stored detectors' and ledger's reports in the site's typed view, so they keep their
values while a miner is away and across restarts, like the energy counters.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfTime

from .domain.fluid_limits import QUANTITIES, FluidInput
from .domain.health import DriftReport, HealthStatus
from .entity import (
    HashHeatMinerEntity,
    HashHeatSiteEntity,
    MinerEntityDescription,
    SiteEntityDescription,
)
from .plant_health import HealthReport
from .settings import SiteSettings

UNIT_KELVIN_PER_KILOWATT = "K/kW"
UNIT_WATT_PER_KELVIN = "W/K"
_PERCENT = 100.0

type HealthValue = float | int | str | None


@dataclass(frozen=True, kw_only=True)
class HealthSensorDescription(SensorEntityDescription, MinerEntityDescription):
    """A health or wear sensor; ``drift`` ones carry the baseline, change and trend."""

    value_fn: Callable[[HealthReport], HealthValue]
    drift: bool = False


def _drift_value(report: HealthReport) -> HealthValue:
    return report.drift.value if report.drift else None


def _drift_status(report: HealthReport) -> HealthValue:
    return report.drift.status.value if report.drift else HealthStatus.LEARNING.value


def _wear(name: str) -> Callable[[HealthReport], HealthValue]:
    def value(report: HealthReport) -> HealthValue:
        figure: HealthValue = getattr(report.wear, name) if report.wear is not None else None
        return figure

    return value


def _status(key: str) -> HealthSensorDescription:
    return HealthSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENUM,
        options=[status.value for status in HealthStatus],
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_drift_status,
    )


def _count(key: str, name: str, **kwargs: Any) -> HealthSensorDescription:
    return HealthSensorDescription(
        key=key,
        translation_key=key,
        value_fn=_wear(name),
        entity_category=EntityCategory.DIAGNOSTIC,
        **kwargs,
    )


def _enabled_later(description: HealthSensorDescription) -> HealthSensorDescription:
    """A miner's copy, disabled at first: 500 miners stay under the entity limit."""
    return replace(description, entity_registry_enabled_default=False)


def _hours(key: str, name: str) -> HealthSensorDescription:
    return _count(
        key,
        name,
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.HOURS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=1,
    )


WEAR_SENSORS: tuple[HealthSensorDescription, ...] = (
    _count("starts_today", "starts_today", state_class=SensorStateClass.MEASUREMENT),
    _count("starts_30_days", "starts_30_days", state_class=SensorStateClass.MEASUREMENT),
    _count("starts", "lifetime_starts", state_class=SensorStateClass.TOTAL_INCREASING),
    _count(
        "remaining_starts_today",
        "remaining_starts_today",
        state_class=SensorStateClass.MEASUREMENT,
    ),
    _count(
        "thermal_cycles",
        "thermal_cycles",
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=1,
    ),
    _hours("running_hours", "running_hours"),
    _hours("hot_hours", "hot_hours"),
)

MINER_HEALTH_SENSORS: tuple[HealthSensorDescription, ...] = (
    HealthSensorDescription(
        key="chip_rise",
        translation_key="chip_rise",
        native_unit_of_measurement=UNIT_KELVIN_PER_KILOWATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=_drift_value,
        drift=True,
    ),
    _enabled_later(_status("chip_rise_status")),
    *(_enabled_later(description) for description in WEAR_SENSORS),
)

SITE_HEALTH_SENSORS: tuple[HealthSensorDescription, ...] = (
    HealthSensorDescription(
        key="exchanger_conductance",
        translation_key="exchanger_conductance",
        native_unit_of_measurement=UNIT_WATT_PER_KELVIN,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=_drift_value,
        drift=True,
    ),
    _status("exchanger_status"),
    *WEAR_SENSORS,
)


def _drift_attributes(report: DriftReport | None) -> dict[str, Any]:
    """The baseline, the change in % of it and the trend per day (None until known)."""
    if report is None:
        return {"baseline": None, "change": None, "trend_per_day": None}
    return {
        "baseline": report.baseline,
        "change": round(report.change * _PERCENT, 1) if report.change is not None else None,
        "trend_per_day": report.trend_per_day,
    }


class _HealthSensor(SensorEntity):
    """Shared by the miner and the site sensors: value and drift attributes from a report."""

    entity_description: HealthSensorDescription

    @property
    def _report(self) -> HealthReport:
        raise NotImplementedError

    @property
    def native_value(self) -> HealthValue:
        """The detector's or the ledger's figure as of the last poll."""
        return self.entity_description.value_fn(self._report)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Baseline, change and trend of a drift."""
        if not self.entity_description.drift:
            return None
        return _drift_attributes(self._report.drift)


class HashHeatMinerHealthSensor(HashHeatMinerEntity, _HealthSensor):
    """A miner's chip-to-fluid rise or wear; stays available with its stored figures."""

    @property
    def available(self) -> bool:
        """Stored figures: shown while the miner is away too."""
        return True

    @property
    def _report(self) -> HealthReport:
        return self.miner.health


class HashHeatSiteHealthSensor(HashHeatSiteEntity, _HealthSensor):
    """The site's exchanger conductance or wear."""

    @property
    def available(self) -> bool:
        """Stored figures: shown while the site's miners are away too."""
        return True

    @property
    def _report(self) -> HealthReport:
        return self.site.health


@dataclass(frozen=True, kw_only=True)
class FluidSensorDescription(SensorEntityDescription, SiteEntityDescription):
    """A fluid quantity the site watches; it exists where a sensor is configured for it."""

    kind: FluidInput


def _watched(kind: FluidInput) -> Callable[[SiteSettings], bool]:
    """Whether the site has a sensor configured for this fluid quantity."""
    return lambda settings: kind in settings.health.fluid


FLUID_SENSORS: tuple[FluidSensorDescription, ...] = tuple(
    FluidSensorDescription(
        key=kind.value,
        translation_key=kind.value,
        native_unit_of_measurement=QUANTITIES[kind].unit,
        device_class=SensorDeviceClass.VOLTAGE if kind is FluidInput.QUALITY else None,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        kind=kind,
        exists_fn=_watched(kind),
    )
    for kind in FluidInput
)


class HashHeatFluidSensor(HashHeatSiteEntity, SensorEntity):
    """A fluid sensor the site watches: its reading, its limit and whether it is within."""

    entity_description: FluidSensorDescription

    @property
    def available(self) -> bool:
        """Shown with its limit while the source sensor is away too (its value then unknown)."""
        return True

    @property
    def native_value(self) -> float | None:
        """The source sensor's reading in the quantity's unit (None: unavailable)."""
        report = self.site.fluid.get(self.entity_description.kind)
        return None if report is None else report.value

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The limit (low or high) and the status (None while the source is unavailable)."""
        report = self.site.fluid.get(self.entity_description.kind)
        if report is None:
            return {}
        return {
            f"{report.bound.value}_limit": report.limit,
            "status": report.status.value if report.status is not None else None,
        }
