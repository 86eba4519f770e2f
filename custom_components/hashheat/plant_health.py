"""A site's health detectors and wear ledger in Home Assistant: fed, stored, repairs raised.

Stored like the counters (a delayed save on the ledger's beat, a final save at shutdown), so the
learned baselines and the wear survive restarts.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .domain.fluid_limits import QUANTITIES, FluidInput, FluidReport, FluidWatch
from .domain.health import CHIP_RISE_SETTINGS, EXCHANGER_SETTINGS, DriftReport, HealthStatus
from .domain.site_health import LoopSample, MinerHealthSample, SiteHealth
from .domain.wear import WearFigures, WearLedger, WearSample
from .figures import HeatMethod, PlantInputs, SiteFigures
from .issues import Repair, clear_issue, raise_issue
from .miner_data import MinerReading
from .settings import HealthSettings

_PERCENT = 100.0


def _miner_sample(reading: MinerReading | None) -> MinerHealthSample | None:
    if reading is None:
        return None
    return MinerHealthSample(
        chip_c=reading.chip_temp_max_c, fluid_c=reading.fluid_inlet_temp_c, power_w=reading.power_w
    )


def _wear_sample(reading: MinerReading | None, now: datetime) -> WearSample | None:
    if reading is None:
        return None
    return WearSample(
        mining=reading.is_mining, chip_c=reading.chip_temp_max_c, boot=reading.last_boot(now)
    )


def _show(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _change(report: DriftReport) -> str:
    return "-" if report.change is None else f"{report.change * _PERCENT:+.0f}"


@dataclass(frozen=True, kw_only=True, slots=True)
class HealthReport:
    """A drift detector's report (None: not seen yet) and the wear, of a miner or the site."""

    drift: DriftReport | None = None
    wear: WearFigures | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class HealthReports:
    """What the detectors, the wear ledger and the fluid watch report, as of the last poll."""

    site: HealthReport = HealthReport()
    miners: Mapping[str, HealthReport] = field(default_factory=dict)
    fluid: Mapping[FluidInput, FluidReport] = field(default_factory=dict)  # those with a report


class PlantHealth:
    """One site's detectors and wear, with their store."""

    def __init__(
        self, store: Store[dict[str, Any]], settings: HealthSettings, *, max_starts_per_day: int
    ) -> None:
        """Empty until loaded."""
        self._store = store
        self._chip_settings = settings.drift(CHIP_RISE_SETTINGS)
        self._exchanger_settings = settings.drift(EXCHANGER_SETTINGS)
        self.health = SiteHealth.from_dict(
            None, chip_settings=self._chip_settings, exchanger_settings=self._exchanger_settings
        )
        self.wear = WearLedger()
        self.wear_settings = settings.wear(max_starts_per_day)
        self.fluid = FluidWatch(sensors=settings.fluid)
        self.reports = HealthReports()

    async def async_load(self, miner_ids: set[str]) -> None:
        """Restore what was learned and counted before the last stop."""
        stored = await self._store.async_load()
        data = stored if isinstance(stored, dict) else {}
        self.health = SiteHealth.from_dict(
            data.get("health"),
            chip_settings=self._chip_settings,
            exchanger_settings=self._exchanger_settings,
        )
        self.wear = WearLedger.from_dict(data.get("wear"))
        self.fluid = FluidWatch.from_dict(self.fluid.sensors, data.get("fluid"))
        self.health.forget_miners_except(miner_ids)
        self.wear.forget_miners_except(miner_ids)
        self._report(dt_util.utcnow())

    def as_dict(self) -> dict[str, Any]:
        """What is stored (and shown in diagnostics)."""
        return {
            "health": self.health.as_dict(),
            "wear": self.wear.as_dict(),
            "fluid": self.fluid.as_dict(),
        }

    def schedule_save(self, delay_s: float) -> None:
        """Save after ``delay_s`` (the counters' beat)."""
        self._store.async_delay_save(self.as_dict, delay_s)

    async def async_save(self) -> None:
        """Save now (at shutdown)."""
        await self._store.async_save(self.as_dict())

    def record(
        self,
        now: datetime,
        readings: Mapping[str, MinerReading | None],
        inputs: PlantInputs | None,
        figures: SiteFigures | None,
    ) -> None:
        """One poll: every miner's reading (None: did not answer) and the loop's sensors."""
        measured = figures is not None and figures.heat_method is not HeatMethod.ESTIMATED
        loop = LoopSample(
            tank_c=inputs.tank_c if inputs else None,
            supply_c=inputs.supply_c if inputs else None,
            return_c=inputs.return_c if inputs else None,
            heat_w=figures.heat_w if figures is not None and measured else None,
        )
        now_s = now.timestamp()
        self.health.record(now_s, {m: _miner_sample(r) for m, r in readings.items()}, loop)
        self.wear.record(
            now, {m: _wear_sample(r, now) for m, r in readings.items()}, self.wear_settings
        )
        self.fluid.record(now_s, inputs.fluid if inputs else {})
        self._report(now)

    def _report(self, now: datetime) -> None:
        """Take the reports the entities show (once a poll: the site's wear sums every miner)."""
        zone, settings, now_s = dt_util.get_default_time_zone(), self.wear_settings, now.timestamp()
        self.reports = HealthReports(
            site=HealthReport(
                drift=self.health.exchanger.report(),
                wear=self.wear.site_figures(now, zone, settings),
            ),
            miners={
                miner_id: HealthReport(
                    drift=self.health.chip(miner_id),
                    wear=self.wear.miner_figures(miner_id, now, zone, settings),
                )
                for miner_id in self.health.chips.keys() | self.wear.miners.keys()
            },
            fluid={
                kind: report
                for kind in self.fluid.sensors
                if (report := self.fluid.report(kind, now_s)) is not None
            },
        )

    def relearn(self) -> None:
        """Forget every learned baseline (new fluid, a cleaned exchanger): learn them again."""
        self.health.exchanger.relearn()
        for detector in self.health.chips.values():
            detector.relearn()
        self._report(dt_util.utcnow())

    def report_repairs(self, hass: HomeAssistant, entry_id: str, site: str) -> None:
        """Raise, update or clear the site's health repairs."""
        self._report_fluid_repairs(hass, entry_id, site)
        if warnings := self.health.warning_chips():
            worst = max(warnings.values(), key=lambda r: r.change or 0.0)
            raise_issue(
                hass,
                Repair.FLUID_CHECK,
                entry_id,
                {
                    "site": site,
                    "miners": str(len(warnings)),
                    "value": _show(worst.value, 2),
                    "baseline": _show(worst.baseline, 2),
                    "change": _change(worst),
                    "trend": _show(worst.trend_per_day, 3),
                },
            )
        else:
            clear_issue(hass, Repair.FLUID_CHECK, entry_id)
        exchanger = self.health.exchanger.report()
        if exchanger.status is HealthStatus.WARNING:
            raise_issue(
                hass,
                Repair.EXCHANGER_FOULING,
                entry_id,
                {
                    "site": site,
                    "value": _show(exchanger.value, 0),
                    "baseline": _show(exchanger.baseline, 0),
                    "change": _change(exchanger),
                    "trend": _show(exchanger.trend_per_day, 1),
                },
            )
        else:
            clear_issue(hass, Repair.EXCHANGER_FOULING, entry_id)

    def _report_fluid_repairs(self, hass: HomeAssistant, entry_id: str, site: str) -> None:
        """A fluid sensor out of its limit raises its repair; back within, it clears.

        While the sensor is unavailable its repair stays as it is (no raise, no clear).
        """
        now_s = dt_util.utcnow().timestamp()
        for kind in FluidInput:
            report = self.fluid.report(kind, now_s)
            if report is not None and report.status is HealthStatus.WARNING:
                raise_issue(
                    hass,
                    Repair(f"fluid_limit_{kind.name.lower()}"),
                    entry_id,
                    {
                        "site": site,
                        "entity": self.fluid.sensors[kind].entity_id,
                        "value": _show(report.value, 1),
                        "limit": _show(report.limit, 1),
                        "unit": QUANTITIES[kind].unit,
                    },
                )
            elif report is None or report.status is HealthStatus.OK:
                clear_issue(hass, Repair(f"fluid_limit_{kind.name.lower()}"), entry_id)
