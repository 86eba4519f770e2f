"""Outdoor air temperature as a function of simulated time, for the heating-plant model.

Time is in seconds since midnight of day 0, so ``profile(5 * 3600)`` is 05:00 on the first
day. A profile is any ``Callable[[float], float]``; :class:`DailySinusoid` covers the usual
cases (a constant is a sinusoid without swing), :class:`HourlySeries` replays measured weather.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

type OutdoorProfile = Callable[[float], float]
"""Outdoor air temperature (°C) at a simulated time (s since midnight of day 0)."""

HOUR_S = 3_600.0
DAY_S = 24 * HOUR_S


@dataclass(frozen=True, kw_only=True, slots=True)
class ColdFront:
    """A passing cold front: the temperature falls linearly, stays down, then recovers.

    The fall starts ``start_h`` hours after midnight of day 0, takes ``ramp_h`` hours and
    lowers the temperature by ``drop_k``; it stays down ``hold_h`` hours and recovers over
    another ``ramp_h`` hours. The defaults (-10 K from the second day, held a day) are a
    typical continental winter front.
    """

    start_h: float = 24.0
    drop_k: float = 10.0
    ramp_h: float = 6.0
    hold_h: float = 24.0

    def offset_k(self, now_s: float) -> float:
        """Temperature change (K, negative) the front causes at ``now_s``."""
        t = now_s / HOUR_S - self.start_h
        if t <= 0.0:
            return 0.0
        if t < self.ramp_h:
            return -self.drop_k * t / self.ramp_h
        t -= self.ramp_h
        if t <= self.hold_h:
            return -self.drop_k
        t -= self.hold_h
        if t < self.ramp_h:
            return -self.drop_k * (1.0 - t / self.ramp_h)
        return 0.0


@dataclass(frozen=True, kw_only=True, slots=True)
class DailySinusoid:
    """A daily cycle ``mean_c ± swing_k``: coldest at ``coldest_hour``, warmest 12 h later.

    ``swing_k`` is the amplitude (half the day's range); 0 gives a constant temperature.
    An optional ``cold_front`` is added on top.
    """

    mean_c: float
    swing_k: float = 0.0
    coldest_hour: float = 5.0
    cold_front: ColdFront | None = None

    def __call__(self, now_s: float) -> float:
        """Outdoor temperature (°C) at ``now_s``."""
        value = self.mean_c
        if self.swing_k:
            phase = 2.0 * math.pi * (now_s / DAY_S - self.coldest_hour / 24.0)
            value -= self.swing_k * math.cos(phase)
        if self.cold_front is not None:
            value += self.cold_front.offset_k(now_s)
        return value


@dataclass(frozen=True, slots=True)
class HourlySeries:
    """Hourly values from ``start_s`` on, linear between hours, held flat outside the series.

    ``start_s`` is the time of ``values[0]`` on the plant's clock (e.g. a Unix time), so a plant
    whose clock runs in Unix seconds can replay a weather year.
    """

    start_s: float
    values: Sequence[float] = field(repr=False)

    def __post_init__(self) -> None:
        """A series needs a value."""
        if not self.values:
            raise ValueError("an hourly series needs at least one value")

    def __call__(self, now_s: float) -> float:
        """Outdoor temperature (°C) at ``now_s``."""
        hours = (now_s - self.start_s) / HOUR_S
        last = len(self.values) - 1
        if hours <= 0.0:
            return self.values[0]
        if hours >= last:
            return self.values[last]
        index = int(hours)
        share = hours - index
        return self.values[index] + share * (self.values[index + 1] - self.values[index])
