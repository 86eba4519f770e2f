"""The fluid sensors a site already has (level, moisture, quality), each watched against a limit.

Each quantity is kept in one unit: the level in % of the tank's nominal fill, the water in the
fluid in ppm by mass (a sensor in % by mass is converted), the quality as the fluid's dielectric
breakdown voltage in kV (IEC 60156). The default limits are those a fluid maintainer works to:
top up under 90 % of the fill, act on more than 50 ppm of water in a hydrocarbon dielectric, and
on a breakdown voltage under 30 kV (IEC 60422's "poor" for equipment under 72.5 kV).

A sensor that is unavailable reads as unknown: its warning neither rises nor clears then, so a
flaky sensor cannot raise and clear a repair at every poll.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from .health import HealthStatus, LimitDetector, LimitSettings

_PPM_PER_PERCENT: Final = 10_000.0


class FluidInput(StrEnum):
    """A fluid quantity a site may watch."""

    LEVEL = "fluid_level"
    MOISTURE = "fluid_moisture"
    QUALITY = "fluid_quality"


class Bound(StrEnum):
    """Which side of its limit a quantity must stay on."""

    LOW = "low"  # warns under the limit
    HIGH = "high"  # warns over it


@dataclass(frozen=True, kw_only=True, slots=True)
class FluidQuantity:
    """A quantity's unit, the units a sensor may give it in (with the factor), and its limit."""

    unit: str
    factors: Mapping[str, float]
    bound: Bound
    default_limit: float
    min_limit: float
    max_limit: float


QUANTITIES: Final[Mapping[FluidInput, FluidQuantity]] = {
    FluidInput.LEVEL: FluidQuantity(
        unit="%",
        factors={"%": 1.0},
        bound=Bound.LOW,
        default_limit=90.0,
        min_limit=1.0,
        max_limit=100.0,
    ),
    FluidInput.MOISTURE: FluidQuantity(
        unit="ppm",
        factors={"ppm": 1.0, "%": _PPM_PER_PERCENT},
        bound=Bound.HIGH,
        default_limit=50.0,
        min_limit=1.0,
        max_limit=10_000.0,
    ),
    FluidInput.QUALITY: FluidQuantity(
        unit="kV",
        factors={"kV": 1.0, "V": 0.001},
        bound=Bound.LOW,
        default_limit=30.0,
        min_limit=1.0,
        max_limit=200.0,
    ),
}


def unit_accepted(kind: FluidInput, unit: str | None) -> bool:
    """Whether a sensor in ``unit`` can give the quantity."""
    return unit in QUANTITIES[kind].factors


def in_quantity_unit(kind: FluidInput, value: float, unit: str | None) -> float | None:
    """A sensor's reading in the quantity's unit; None for a unit it cannot be in."""
    factor = QUANTITIES[kind].factors.get(unit or "")
    return None if factor is None else value * factor


@dataclass(frozen=True, kw_only=True, slots=True)
class FluidSensor:
    """A configured fluid sensor and the limit its quantity must stay within."""

    kind: FluidInput
    entity_id: str
    limit: float

    @property
    def settings(self) -> LimitSettings:
        """The limit, on the side the quantity's bound says."""
        if QUANTITIES[self.kind].bound is Bound.LOW:
            return LimitSettings(low=self.limit)
        return LimitSettings(high=self.limit)


@dataclass(frozen=True, kw_only=True, slots=True)
class FluidReport:
    """A fluid sensor's figures now; ``value`` and ``status`` None while it is unavailable."""

    value: float | None
    limit: float
    bound: Bound
    status: HealthStatus | None


@dataclass(kw_only=True, slots=True)
class FluidWatch:
    """The site's fluid sensors, each with its detector and its reading now."""

    sensors: Mapping[FluidInput, FluidSensor]
    detectors: dict[FluidInput, LimitDetector] = field(default_factory=dict)
    now: dict[FluidInput, float | None] = field(default_factory=dict)

    def record(self, now_s: float, readings: Mapping[FluidInput, float | None]) -> None:
        """One poll of every configured sensor (None or missing: unavailable)."""
        for kind, sensor in self.sensors.items():
            value = readings.get(kind)
            self.now[kind] = value
            self.detectors.setdefault(kind, LimitDetector(settings=sensor.settings)).add(
                now_s, value
            )

    def report(self, kind: FluidInput, now_s: float) -> FluidReport | None:
        """A configured sensor's figures (None: not configured)."""
        if (sensor := self.sensors.get(kind)) is None:
            return None
        value = self.now.get(kind)
        detector = self.detectors.get(kind)
        return FluidReport(
            value=value,
            limit=sensor.limit,
            bound=QUANTITIES[kind].bound,
            status=None if value is None or detector is None else detector.status(now_s),
        )

    def as_dict(self) -> dict[str, Any]:
        """What to persist: each detector and its sensor (the reading now is read again)."""
        return {
            kind.value: {**detector.as_dict(), "entity_id": self.sensors[kind].entity_id}
            for kind, detector in self.detectors.items()
            if kind in self.sensors
        }

    @classmethod
    def from_dict(cls, sensors: Mapping[FluidInput, FluidSensor], data: Any) -> FluidWatch:
        """Restore the detectors of the sensors configured now; anything malformed starts afresh.

        A sensor replaced by another entity starts afresh; a changed limit applies from now.
        """
        stored = data if isinstance(data, dict) else {}
        detectors = {}
        for kind, sensor in sensors.items():
            saved = stored.get(kind.value)
            if isinstance(saved, dict) and saved.get("entity_id") == sensor.entity_id:
                detectors[kind] = LimitDetector.from_dict(sensor.settings, saved)
        return cls(sensors=sensors, detectors=detectors)
