"""Integrate a rate over time into a running total, without inventing anything across gaps.

Used for every counter HashHeat keeps: energy (kW -> kWh), money (currency per hour -> currency)
and CO2. A missing sample (a miner or a price unavailable) or a gap longer than ``max_gap``
(Home Assistant was stopped, polling stalled) ends the current run: nothing is added for the gap,
and counting resumes from the next sample. Totals survive restarts through ``as_dict``/
``from_dict``; the last sample is deliberately not restored, so the downtime adds nothing and
nothing is counted twice.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

DEFAULT_MAX_GAP: Final = timedelta(minutes=5)


@dataclass(kw_only=True, slots=True)
class Accumulator:
    """A running total of a rate (units per hour), trapezoidal between consecutive samples."""

    total: float = 0.0
    max_gap: timedelta = DEFAULT_MAX_GAP
    _last_time: datetime | None = None
    _last_rate: float | None = None

    def add(self, time: datetime, rate_per_hour: float | None) -> float:
        """Record a sample; return what it added to the total (0 for the first after a gap)."""
        if rate_per_hour is None or not math.isfinite(rate_per_hour):
            self._last_time = self._last_rate = None
            return 0.0
        added = 0.0
        if self._last_time is not None and self._last_rate is not None:
            elapsed = time - self._last_time
            if timedelta(0) < elapsed <= self.max_gap:
                hours = elapsed.total_seconds() / 3600
                added = (self._last_rate + rate_per_hour) / 2 * hours
                self.total += added
            elif elapsed <= timedelta(0):
                # A repeated or out-of-order sample adds nothing and does not move the clock back.
                return 0.0
        self._last_time, self._last_rate = time, rate_per_hour
        return added

    def as_dict(self) -> dict[str, Any]:
        """What to persist: the total only."""
        return {"total": self.total}

    @classmethod
    def from_dict(cls, data: Any, *, max_gap: timedelta = DEFAULT_MAX_GAP) -> Accumulator:
        """Restore a total; anything malformed restores as zero rather than failing setup."""
        total = data.get("total") if isinstance(data, dict) else None
        if (
            isinstance(total, bool)
            or not isinstance(total, int | float)
            or not math.isfinite(total)
        ):
            total = 0.0
        return cls(total=float(total), max_gap=max_gap)
