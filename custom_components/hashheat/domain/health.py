"""Plant health: slow drifts caught long before an over-temperature trip.

An immersion site degrades quietly. Ageing dielectric fluid (or poor circulation in the tank) lets
the chips run hotter over the fluid for the same power; a fouled plate heat exchanger (or less
flow through it) moves less heat for the same temperatures. Each detector here learns a baseline
while the plant is healthy, then follows a smoothed value and warns once it has stayed beyond a
share of the baseline for a while: a single spike or sensor noise raises nothing.

The tracked figures are ratios (kelvin per kW, watts per kelvin). Each is estimated as the ratio
of time-weighted averages of numerator and denominator, so samples at low load, where the ratio
is noisy, weigh little. Everything survives a restart through ``as_dict``/``from_dict``; the last
sample is not restored, so the downtime adds nothing.
"""

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from .stored import is_finite_number

HOUR_S: Final = 3_600.0
DAY_S: Final = 86_400.0
# Below these, a sample says little about the figure (the ratio is mostly noise).
MIN_MINER_POWER_KW: Final = 0.3
MIN_EXCHANGER_DELTA_K: Final = 0.5
# A warning clears only once the change is back under this share of the threshold.
CLEAR_SHARE: Final = 0.5
# The trend compares the smoothed value with one this many times slower.
TREND_SLOWDOWN: Final = 4.0


class HealthStatus(StrEnum):
    """What a detector says now."""

    LEARNING = "learning"
    OK = "ok"
    WARNING = "warning"


class Worse(StrEnum):
    """Which way of the figure is bad."""

    RISE = "rise"
    FALL = "fall"


@dataclass(frozen=True, kw_only=True, slots=True)
class DriftSettings:
    """How a drift detector learns and when it warns.

    ``threshold`` is the share of the baseline the smoothed value may move the bad way;
    ``learn_s`` the time of usable samples that makes the baseline; ``tau_s`` the smoothing time
    constant; ``sustain_s`` how long the value must stay beyond the threshold before a warning.
    """

    worse: Worse
    threshold: float = 0.1
    learn_s: float = DAY_S
    tau_s: float = 6 * HOUR_S
    sustain_s: float = 6 * HOUR_S
    max_gap_s: float = 900.0


CHIP_RISE_SETTINGS: Final = DriftSettings(worse=Worse.RISE)
EXCHANGER_SETTINGS: Final = DriftSettings(worse=Worse.FALL)


@dataclass(kw_only=True, slots=True)
class _Ratio:
    """Time-weighted running sums of a numerator and a denominator."""

    numerator: float = 0.0
    denominator: float = 0.0

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator > 0.0 else None

    def smooth(self, numerator: float, denominator: float, weight: float) -> None:
        """Move a share ``weight`` of the way to the sample (an exponential average)."""
        if self.denominator <= 0.0:
            self.numerator, self.denominator = numerator, denominator
            return
        self.numerator += weight * (numerator - self.numerator)
        self.denominator += weight * (denominator - self.denominator)

    def as_list(self) -> list[float]:
        return [self.numerator, self.denominator]

    @classmethod
    def from_list(cls, data: Any) -> _Ratio:
        if (
            isinstance(data, list)
            and len(data) == 2  # noqa: PLR2004
            and all(is_finite_number(v) for v in data)
            and data[1] >= 0.0
        ):
            return cls(numerator=float(data[0]), denominator=float(data[1]))
        return cls()


@dataclass(frozen=True, kw_only=True, slots=True)
class DriftReport:
    """A drift detector's figures now (None: not known yet)."""

    status: HealthStatus
    value: float | None
    baseline: float | None
    change: float | None  # share of the baseline, signed (+0.2: 20 % above)
    trend_per_day: float | None  # of the value, in its unit per day


@dataclass(kw_only=True, slots=True)
class DriftDetector:
    """A ratio that should stay where it was learned; warns on a sustained move the bad way."""

    settings: DriftSettings
    learned_s: float = 0.0
    _baseline: _Ratio = field(default_factory=_Ratio)
    _fast: _Ratio = field(default_factory=_Ratio)
    _slow: _Ratio = field(default_factory=_Ratio)
    beyond_s: float = 0.0
    warning: bool = False
    _last_s: float | None = None

    def add(self, now_s: float, numerator: float | None, denominator: float | None) -> None:
        """One sample; None (or a denominator at or under 0) is a gap."""
        if (
            numerator is None
            or denominator is None
            or not math.isfinite(numerator)
            or not math.isfinite(denominator)
            or denominator <= 0.0
        ):
            self._last_s = None
            return
        last, self._last_s = self._last_s, now_s
        if last is None or not 0.0 < now_s - last <= self.settings.max_gap_s:
            dt = 0.0
        else:
            dt = now_s - last
        s = self.settings
        if self.learned_s < s.learn_s:
            self._baseline.numerator += numerator * dt
            self._baseline.denominator += denominator * dt
            self.learned_s += dt
        self._fast.smooth(numerator, denominator, 1.0 - math.exp(-dt / s.tau_s))
        self._slow.smooth(numerator, denominator, 1.0 - math.exp(-dt / (s.tau_s * TREND_SLOWDOWN)))
        self._judge(dt)

    def _judge(self, dt: float) -> None:
        change = self.report().change
        if change is None or self.learned_s < self.settings.learn_s:
            return
        bad = change if self.settings.worse is Worse.RISE else -change
        threshold = self.settings.threshold
        self.beyond_s = self.beyond_s + dt if bad >= threshold else 0.0
        if self.beyond_s >= self.settings.sustain_s:
            self.warning = True
        elif bad < threshold * CLEAR_SHARE:
            self.warning = False

    def relearn(self) -> None:
        """Forget the baseline (after new fluid or a cleaned exchanger): learn it again."""
        self.learned_s, self._baseline, self.beyond_s, self.warning = 0.0, _Ratio(), 0.0, False

    def report(self) -> DriftReport:
        """The figures now."""
        learned = self.learned_s >= self.settings.learn_s
        value, baseline = self._fast.value, self._baseline.value if learned else None
        change = value / baseline - 1.0 if value is not None and baseline else None
        slow = self._slow.value
        trend = (
            (value - slow) / (self.settings.tau_s * (TREND_SLOWDOWN - 1.0) / DAY_S)
            if learned and value is not None and slow is not None
            else None
        )
        if not learned:
            status = HealthStatus.LEARNING
        else:
            status = HealthStatus.WARNING if self.warning else HealthStatus.OK
        return DriftReport(
            status=status, value=value, baseline=baseline, change=change, trend_per_day=trend
        )

    def as_dict(self) -> dict[str, Any]:
        """What to persist (not the last sample: the downtime adds nothing)."""
        return {
            "learned_s": self.learned_s,
            "baseline": self._baseline.as_list(),
            "fast": self._fast.as_list(),
            "slow": self._slow.as_list(),
            "beyond_s": self.beyond_s,
            "warning": self.warning,
        }

    @classmethod
    def from_dict(cls, settings: DriftSettings, data: Any) -> DriftDetector:
        """Restore; anything malformed restores as a detector learning afresh."""
        stored = data if isinstance(data, dict) else {}
        learned, beyond = stored.get("learned_s"), stored.get("beyond_s")
        detector = cls(
            settings=settings,
            learned_s=float(learned) if is_finite_number(learned) and learned >= 0 else 0.0,
            _baseline=_Ratio.from_list(stored.get("baseline")),
            _fast=_Ratio.from_list(stored.get("fast")),
            _slow=_Ratio.from_list(stored.get("slow")),
            beyond_s=float(beyond) if is_finite_number(beyond) and beyond >= 0 else 0.0,
            warning=stored.get("warning") is True,
        )
        if detector._baseline.value is None:
            detector.learned_s = 0.0
        return detector


def chip_rise_sample(
    *, chip_c: float | None, fluid_c: float | None, power_kw: float | None
) -> tuple[float | None, float | None]:
    """A miner's chip-to-fluid rise (K) and power (kW), or a gap when it barely runs."""
    if chip_c is None or fluid_c is None or power_kw is None or power_kw < MIN_MINER_POWER_KW:
        return None, None
    return chip_c - fluid_c, power_kw


def exchanger_sample(
    *, fluid_c: float | None, supply_c: float | None, return_c: float | None, heat_w: float | None
) -> tuple[float | None, float | None]:
    """Heat (W) and log-mean temperature difference (K) of the tank-to-loop exchanger.

    The tank is taken as one temperature (well mixed), so ``UA = Q / LMTD`` with
    ``LMTD = (T_supply - T_return) / ln((T_tank - T_return) / (T_tank - T_supply))``. A gap
    while the differences are too small to tell from sensor noise, or the heat flows backwards.
    """
    if fluid_c is None or supply_c is None or return_c is None or heat_w is None or heat_w <= 0:
        return None, None
    rise, approach = supply_c - return_c, fluid_c - supply_c
    if rise < MIN_EXCHANGER_DELTA_K or approach < MIN_EXCHANGER_DELTA_K:
        return None, None
    return heat_w, rise / math.log((fluid_c - return_c) / approach)


@dataclass(frozen=True, kw_only=True, slots=True)
class LimitSettings:
    """Thresholds of a fluid sensor the user already has (level, moisture, quality)."""

    low: float | None = None
    high: float | None = None
    sustain_s: float = 600.0


@dataclass(kw_only=True, slots=True)
class LimitDetector:
    """A reading that must stay within limits; warns once it has been outside for a while."""

    settings: LimitSettings
    value: float | None = None
    outside_since_s: float | None = None

    def add(self, now_s: float, value: float | None) -> None:
        """One reading (None: unavailable, which neither warns nor clears)."""
        if value is None or not math.isfinite(value):
            return
        self.value = value
        low, high = self.settings.low, self.settings.high
        outside = (low is not None and value < low) or (high is not None and value > high)
        if not outside:
            self.outside_since_s = None
        elif self.outside_since_s is None:
            self.outside_since_s = now_s

    def status(self, now_s: float) -> HealthStatus:
        """Warning once outside the limits for ``sustain_s``; learning before any reading."""
        if self.value is None:
            return HealthStatus.LEARNING
        since = self.outside_since_s
        if since is not None and now_s - since >= self.settings.sustain_s:
            return HealthStatus.WARNING
        return HealthStatus.OK

    def as_dict(self) -> dict[str, Any]:
        """What to persist."""
        return {"value": self.value, "outside_since_s": self.outside_since_s}

    @classmethod
    def from_dict(cls, settings: LimitSettings, data: Any) -> LimitDetector:
        """Restore; anything malformed restores as no reading yet."""
        stored = data if isinstance(data, dict) else {}
        value, since = stored.get("value"), stored.get("outside_since_s")
        return cls(
            settings=settings,
            value=float(value) if is_finite_number(value) else None,
            outside_since_s=float(since) if is_finite_number(since) else None,
        )
