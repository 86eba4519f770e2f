"""The heat demand ahead: the outdoor temperature per plan slot, and a demand sensor's correction.

:func:`outdoor_per_slot` turns a weather forecast's points into one outdoor temperature per slot
(at the slot's midpoint), holding the last value beyond the forecast's end and the current
reading when there is no forecast at all; the result says which it did. :class:`DemandCorrection`
learns, from an optional building heat-demand sensor, how far the modelled demand is off and
scales the modelled demand per slot by it, as far as it has seen enough to be trusted.
"""

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any, Final, Protocol

from .stored import is_finite_number

# A daily forecast's low and high, placed where a winter day usually has them (local time).
DAILY_LOW_AT: Final = time(5)
DAILY_HIGH_AT: Final = time(14)
# A twice-daily forecast's value stands for the middle of its half day.
HALF_DAY: Final = timedelta(hours=12)

# The correction follows the sensor over about a day: long enough to average a day's pattern out.
CORRECTION_TIME_CONSTANT_S: Final = 24 * 3600.0
# Full weight once this much time has been seen with both demands known.
CORRECTION_CONFIDENT_S: Final = 48 * 3600.0
# A gap between readings counts for at most this much (the sensor or HA was away).
CORRECTION_MAX_STEP_S: Final = 3600.0
# Below this modelled demand a ratio means nothing (summer, or a warm afternoon).
CORRECTION_MIN_MODELLED_KW: Final = 0.5
CORRECTION_BOUNDS: Final = (0.5, 2.0)


class SlotLike(Protocol):
    """A plan slot: the price slots are."""

    @property
    def start(self) -> datetime:
        """Its start, aware."""

    @property
    def end(self) -> datetime:
        """Its end, aware."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ForecastPoint:
    """One outdoor temperature of a forecast, at an aware time."""

    at: datetime
    temperature_c: float


@dataclass(frozen=True, kw_only=True, slots=True)
class DayTemperatures:
    """One entry of a twice-daily or daily forecast."""

    at: datetime
    temperature_c: float
    low_c: float | None = None


class OutdoorSource(StrEnum):
    """Where a slot's outdoor temperature came from."""

    WEATHER = "weather"
    PERSISTENCE = "persistence"


class ForecastKind(StrEnum):
    """The forecasts a weather entity offers, best first."""

    HOURLY = "hourly"
    TWICE_DAILY = "twice_daily"
    DAILY = "daily"


class WeatherProblem(StrEnum):
    """Why a weather entity gave no forecast."""

    NOT_CONFIGURED = "not_configured"
    MISSING = "missing"
    UNAVAILABLE = "unavailable"
    NO_FORECAST = "no_forecast"
    UNIT = "unit"
    ACTION_FAILED = "action_failed"
    NO_TEMPERATURE = "no_temperature"


@dataclass(frozen=True, kw_only=True, slots=True)
class OutdoorForecast:
    """One outdoor temperature per slot, where it came from and how (for the attributes)."""

    outdoor_c: tuple[float, ...]
    source: OutdoorSource
    until: datetime | None
    """The forecast's last point (None: no forecast, the current temperature held)."""
    held_slots: int
    """Slots past the forecast's end, or all without one, that hold the last value known."""
    kind: ForecastKind | None = None
    """The forecast read (hourly, or a coarser one interpolated)."""
    problem: WeatherProblem | None = None
    """Why there is no forecast, where the weather entity says."""


def outdoor_per_slot(
    slots: Sequence[SlotLike],
    hourly_points: Sequence[ForecastPoint],
    current_outdoor_c: float | None,
) -> OutdoorForecast | None:
    """The outdoor temperature at each slot's midpoint; None with neither forecast nor reading.

    Between points the forecast is interpolated linearly; before its first point the first value
    holds, after its last point the last value holds (persistence), and the detail says for how
    many slots.
    """
    points = _clean(hourly_points)
    if not points:
        if current_outdoor_c is None or not math.isfinite(current_outdoor_c):
            return None
        return OutdoorForecast(
            outdoor_c=tuple(current_outdoor_c for _ in slots),
            source=OutdoorSource.PERSISTENCE,
            until=None,
            held_slots=len(slots),
        )
    times = [point.at for point in points]
    values = [point.temperature_c for point in points]
    middles = [slot.start + (slot.end - slot.start) / 2 for slot in slots]
    beyond = sum(1 for middle in middles if middle > times[-1])
    outdoor = tuple(_interpolate(times, values, middle) for middle in middles)
    return OutdoorForecast(
        outdoor_c=outdoor,
        source=OutdoorSource.PERSISTENCE
        if slots and beyond == len(slots)
        else OutdoorSource.WEATHER,
        until=times[-1],
        held_slots=beyond,
    )


def _clean(points: Sequence[ForecastPoint]) -> list[ForecastPoint]:
    """Finite points sorted by time, one per time (the first given)."""
    seen: dict[datetime, ForecastPoint] = {}
    for point in points:
        if math.isfinite(point.temperature_c):
            seen.setdefault(point.at, point)
    return sorted(seen.values(), key=lambda point: point.at)


def _interpolate(times: list[datetime], values: list[float], at: datetime) -> float:
    after = bisect.bisect_left(times, at)
    if after == 0:
        return values[0]
    if after == len(times):
        return values[-1]
    before = after - 1
    share = (at - times[before]) / (times[after] - times[before])
    return values[before] + share * (values[after] - values[before])


def twice_daily_points(entries: Sequence[DayTemperatures]) -> list[ForecastPoint]:
    """Each half day's temperature at the middle of its twelve hours."""
    return [
        ForecastPoint(at=entry.at + HALF_DAY / 2, temperature_c=entry.temperature_c)
        for entry in entries
    ]


def daily_points(entries: Sequence[DayTemperatures], tz: tzinfo) -> list[ForecastPoint]:
    """Each day's low early in the morning and its high in the afternoon (local time).

    A day without a low gives its temperature at the afternoon's hour only.
    """
    points: list[ForecastPoint] = []
    for entry in entries:
        day = entry.at.astimezone(tz).date()
        if entry.low_c is not None:
            low_at = datetime.combine(day, DAILY_LOW_AT, tz)
            points.append(ForecastPoint(at=low_at, temperature_c=entry.low_c))
        high_at = datetime.combine(day, DAILY_HIGH_AT, tz)
        points.append(ForecastPoint(at=high_at, temperature_c=entry.temperature_c))
    return points


@dataclass(frozen=True, kw_only=True, slots=True)
class CorrectedDemand:
    """The demand per slot after the sensor's correction, and how much of it was applied."""

    demand_kw: tuple[float, ...]
    ratio: float
    """Measured over modelled demand, as learned (1 before anything was seen)."""
    confidence: float
    """0 to 1: the share of the ratio applied."""


@dataclass(kw_only=True, slots=True)
class DemandCorrection:
    """Measured over modelled heat demand, smoothed over about a day and bounded.

    Both demands are averaged with the same time constant and their ratio taken, so a single
    warm hour (tiny modelled demand) cannot swing it. The correction applied is weighted by the
    time seen: a sensor added yesterday nudges the forecast, one seen for two days sets it.
    """

    measured_kw: float = 0.0
    modelled_kw: float = 0.0
    seen_s: float = 0.0
    last_at_s: float | None = None

    def observe(self, at_s: float, measured_kw: float | None, modelled_kw: float) -> None:
        """One poll: the sensor's demand (None when it has none) and the model's at that time."""
        previous, self.last_at_s = self.last_at_s, at_s
        if (
            measured_kw is None
            or not math.isfinite(measured_kw)
            or measured_kw < 0
            or not math.isfinite(modelled_kw)
            or modelled_kw < CORRECTION_MIN_MODELLED_KW
            or previous is None
            or at_s <= previous
        ):
            return
        step = min(at_s - previous, CORRECTION_MAX_STEP_S)
        if self.seen_s == 0.0:
            self.measured_kw, self.modelled_kw = measured_kw, modelled_kw
        else:
            weight = 1.0 - math.exp(-step / CORRECTION_TIME_CONSTANT_S)
            self.measured_kw += weight * (measured_kw - self.measured_kw)
            self.modelled_kw += weight * (modelled_kw - self.modelled_kw)
        self.seen_s += step

    @property
    def ratio(self) -> float:
        """Measured over modelled, within the bounds; 1 before anything was seen."""
        if self.seen_s == 0.0 or self.modelled_kw <= 0.0:
            return 1.0
        low, high = CORRECTION_BOUNDS
        return min(high, max(low, self.measured_kw / self.modelled_kw))

    @property
    def confidence(self) -> float:
        """The share of the ratio applied, growing with the time seen."""
        return min(1.0, self.seen_s / CORRECTION_CONFIDENT_S)

    def apply(self, modelled_kw: Sequence[float]) -> CorrectedDemand:
        """The modelled demand per slot, scaled by the ratio as far as it is trusted."""
        factor = 1.0 + self.confidence * (self.ratio - 1.0)
        return CorrectedDemand(
            demand_kw=tuple(max(0.0, demand * factor) for demand in modelled_kw),
            ratio=self.ratio,
            confidence=self.confidence,
        )

    def as_dict(self) -> dict[str, Any]:
        """What to store across a restart."""
        return {
            "measured_kw": self.measured_kw,
            "modelled_kw": self.modelled_kw,
            "seen_s": self.seen_s,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DemandCorrection:
        """Read back ``as_dict``; anything damaged means starting afresh."""
        values: list[float] = []
        for key in ("measured_kw", "modelled_kw", "seen_s"):
            value = data.get(key)
            if not is_finite_number(value) or value < 0:
                return cls()
            values.append(float(value))
        measured, modelled, seen = values
        return cls(measured_kw=measured, modelled_kw=modelled, seen_s=seen)
