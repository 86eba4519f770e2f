"""The wear ledger: what wears hashboards and power supplies, per miner and for the site.

Starts are counted from what the miners show, whoever started them (the loop's control, the grid
hold's release, the plan, a user, a reboot): a miner that mines now and did not at its last
reading, or whose boot time moved on, started. Thermal cycles are the chip temperature's swings
of at least ``cycle_range_k``, counted by rainflow (ASTM E1049) as a fatigue analysis would: a
swing up and back down is one cycle, a small ripple on a large swing does not split it.

What the ledger knows survives a restart (``as_dict``/``from_dict``), including each miner's
last state, so a miner that started while Home Assistant was down still counts one start.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any, Final

from .accumulator import Accumulator
from .stored import is_finite_number

MONTH: Final = timedelta(days=30)
DAY: Final = timedelta(days=1)
# The boot time is derived from an uptime in whole seconds, read at a poll of its own.
BOOT_TOLERANCE_S: Final = 60.0
# Reversals kept for counting; older ones are closed as half cycles (bounded storage).
MAX_RESIDUE: Final = 64


@dataclass(frozen=True, kw_only=True, slots=True)
class WearSettings:
    """What counts as a thermal cycle and a hot hour, and the cap on starts per day."""

    cycle_range_k: float = 10.0
    hot_chip_c: float = 80.0
    max_starts_per_day: int = 12


@dataclass(frozen=True, kw_only=True, slots=True)
class WearSample:
    """One reading of a miner (None: not reported)."""

    mining: bool | None
    chip_c: float | None = None
    boot: datetime | None = None


@dataclass(kw_only=True, slots=True)
class Rainflow:
    """Streaming rainflow count of the swings of at least ``gate`` kelvin.

    Reversals are taken with a hysteresis of ``gate`` (a turn counts once the value has come back
    by that much), so every range between kept reversals is at least ``gate``.
    """

    cycles: float = 0.0
    residue: list[float] = field(default_factory=list)
    _extreme: float | None = None
    _rising: bool | None = None

    def add(self, value: float, gate: float) -> float:
        """One reading; returns the cycles it closed."""
        if not self.residue:
            self.residue.append(value)
            self._extreme = value
            return 0.0
        extreme = self._extreme if self._extreme is not None else self.residue[-1]
        if self._rising is None:
            if abs(value - extreme) >= gate:
                self._rising, self._extreme = value > extreme, value
            return 0.0
        if (value > extreme) == self._rising and value != extreme:
            self._extreme = value
            return 0.0
        if abs(extreme - value) < gate:
            return 0.0
        self._rising, self._extreme = not self._rising, value
        return self._push(extreme)

    def _push(self, reversal: float) -> float:
        before = self.cycles
        self.residue.append(reversal)
        while len(self.residue) >= 3:  # noqa: PLR2004
            newest = abs(self.residue[-1] - self.residue[-2])
            older = abs(self.residue[-2] - self.residue[-3])
            if newest < older:
                break
            if len(self.residue) == 3:  # noqa: PLR2004
                self.cycles += 0.5  # the range holds the starting point: a half cycle
                del self.residue[0]
            else:
                self.cycles += 1.0
                del self.residue[-3:-1]
        while len(self.residue) > MAX_RESIDUE:
            self.cycles += 0.5
            del self.residue[0]
        return self.cycles - before

    def as_dict(self) -> dict[str, Any]:
        """What to persist."""
        return {
            "cycles": self.cycles,
            "residue": list(self.residue),
            "extreme": self._extreme,
            "rising": self._rising,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Rainflow:
        """Restore; a damaged residue starts afresh, a damaged count as zero."""
        stored = data if isinstance(data, dict) else {}
        cycles, residue = stored.get("cycles"), stored.get("residue")
        extreme, rising = stored.get("extreme"), stored.get("rising")
        valid = isinstance(residue, list) and all(is_finite_number(v) for v in residue)
        return cls(
            cycles=float(cycles) if is_finite_number(cycles) and cycles >= 0 else 0.0,
            residue=[float(v) for v in residue] if valid and isinstance(residue, list) else [],
            _extreme=float(extreme) if valid and is_finite_number(extreme) else None,
            _rising=rising if valid and isinstance(rising, bool) else None,
        )


def _float_or_none(value: Any) -> float | None:
    return float(value) if is_finite_number(value) else None


def _count(value: Any) -> int:
    return int(value) if is_finite_number(value) and value >= 0 else 0


@dataclass(kw_only=True, slots=True)
class MinerWear:
    """The wear of one miner."""

    lifetime_starts: int = 0
    recent_starts: list[float] = field(default_factory=list)  # timestamps, the last 30 days
    cycles: Rainflow = field(default_factory=Rainflow)
    running_h: Accumulator = field(default_factory=Accumulator)
    hot_h: Accumulator = field(default_factory=Accumulator)
    mining: bool | None = None
    boot_s: float | None = None

    def record(self, now: datetime, sample: WearSample | None, settings: WearSettings) -> bool:
        """One poll (None: unreachable, a gap); returns whether the miner started."""
        if sample is None or sample.mining is None:
            self.running_h.add(now, None)
            self.hot_h.add(now, None)
            return False
        boot_s = sample.boot.timestamp() if sample.boot is not None else None
        rebooted = (
            boot_s is not None
            and self.boot_s is not None
            and boot_s > self.boot_s + BOOT_TOLERANCE_S
        )
        started = sample.mining and (self.mining is False or rebooted)
        self.mining = sample.mining
        self.boot_s = boot_s if boot_s is not None else self.boot_s
        if started:
            self.lifetime_starts += 1
            self.recent_starts.append(now.timestamp())
        cutoff = (now - MONTH).timestamp()
        self.recent_starts = [t for t in self.recent_starts if t > cutoff]
        self.running_h.add(now, 1.0 if sample.mining else 0.0)
        hot = sample.chip_c is not None and sample.chip_c >= settings.hot_chip_c
        self.hot_h.add(now, 1.0 if hot else 0.0)
        if sample.chip_c is not None:
            self.cycles.add(sample.chip_c, settings.cycle_range_k)
        return started

    def starts_since(self, since: datetime) -> int:
        """Starts after ``since`` (within the last 30 days)."""
        cutoff = since.timestamp()
        return sum(1 for t in self.recent_starts if t >= cutoff)

    def remaining_starts(self, now: datetime, settings: WearSettings) -> int:
        """Starts left under the cap in the 24 hours up to now (as protection counts them)."""
        return max(0, settings.max_starts_per_day - self.starts_since(now - DAY))

    def as_dict(self) -> dict[str, Any]:
        """What to persist."""
        return {
            "lifetime_starts": self.lifetime_starts,
            "recent_starts": list(self.recent_starts),
            "cycles": self.cycles.as_dict(),
            "running_h": self.running_h.as_dict(),
            "hot_h": self.hot_h.as_dict(),
            "mining": self.mining,
            "boot_s": self.boot_s,
        }

    @classmethod
    def from_dict(cls, data: Any) -> MinerWear:
        """Restore; malformed parts restore as zero or unknown."""
        stored = data if isinstance(data, dict) else {}
        recent = stored.get("recent_starts")
        mining = stored.get("mining")
        return cls(
            lifetime_starts=_count(stored.get("lifetime_starts")),
            recent_starts=sorted(float(t) for t in recent if is_finite_number(t))
            if isinstance(recent, list)
            else [],
            cycles=Rainflow.from_dict(stored.get("cycles")),
            running_h=Accumulator.from_dict(stored.get("running_h")),
            hot_h=Accumulator.from_dict(stored.get("hot_h")),
            mining=mining if isinstance(mining, bool) else None,
            boot_s=_float_or_none(stored.get("boot_s")),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class WearFigures:
    """What the wear sensors show, for a miner or the site."""

    starts_today: int
    starts_30_days: int
    lifetime_starts: int
    remaining_starts_today: int
    thermal_cycles: float
    running_hours: float
    hot_hours: float


@dataclass(kw_only=True, slots=True)
class WearLedger:
    """Every miner's wear, and the site's lifetime totals (kept when a miner leaves)."""

    miners: dict[str, MinerWear] = field(default_factory=dict)
    site_starts: int = 0
    site_cycles: float = 0.0
    site_running_h: Accumulator = field(default_factory=Accumulator)
    site_hot_h: Accumulator = field(default_factory=Accumulator)

    def record(
        self, now: datetime, samples: Mapping[str, WearSample | None], settings: WearSettings
    ) -> None:
        """One poll of every miner; the site runs (is hot) while any miner does."""
        for miner_id, sample in samples.items():
            wear = self.miners.setdefault(miner_id, MinerWear())
            before = wear.cycles.cycles
            self.site_starts += wear.record(now, sample, settings)
            self.site_cycles += wear.cycles.cycles - before
        known = [s for s in samples.values() if s is not None and s.mining is not None]
        if not known:
            self.site_running_h.add(now, None)
            self.site_hot_h.add(now, None)
            return
        self.site_running_h.add(now, 1.0 if any(s.mining for s in known) else 0.0)
        hot = any(s.chip_c is not None and s.chip_c >= settings.hot_chip_c for s in known)
        self.site_hot_h.add(now, 1.0 if hot else 0.0)

    def forget_miners_except(self, miner_ids: set[str]) -> None:
        """Drop the wear of miners that left the site (the site's totals stay)."""
        for miner_id in set(self.miners) - miner_ids:
            del self.miners[miner_id]

    def miner_figures(
        self, miner_id: str, now: datetime, zone: tzinfo, settings: WearSettings
    ) -> WearFigures | None:
        """A miner's figures (None: never recorded)."""
        if (wear := self.miners.get(miner_id)) is None:
            return None
        return WearFigures(
            starts_today=wear.starts_since(_midnight(now, zone)),
            starts_30_days=len(wear.recent_starts),
            lifetime_starts=wear.lifetime_starts,
            remaining_starts_today=wear.remaining_starts(now, settings),
            thermal_cycles=wear.cycles.cycles,
            running_hours=wear.running_h.total,
            hot_hours=wear.hot_h.total,
        )

    def site_figures(self, now: datetime, zone: tzinfo, settings: WearSettings) -> WearFigures:
        """The site's figures: recent starts of the miners it has, lifetime totals of all."""
        midnight = _midnight(now, zone)
        wears = self.miners.values()
        return WearFigures(
            starts_today=sum(w.starts_since(midnight) for w in wears),
            starts_30_days=sum(len(w.recent_starts) for w in wears),
            lifetime_starts=self.site_starts,
            remaining_starts_today=sum(w.remaining_starts(now, settings) for w in wears),
            thermal_cycles=self.site_cycles,
            running_hours=self.site_running_h.total,
            hot_hours=self.site_hot_h.total,
        )

    def as_dict(self) -> dict[str, Any]:
        """What to persist."""
        return {
            "miners": {miner_id: wear.as_dict() for miner_id, wear in self.miners.items()},
            "site_starts": self.site_starts,
            "site_cycles": self.site_cycles,
            "site_running_h": self.site_running_h.as_dict(),
            "site_hot_h": self.site_hot_h.as_dict(),
        }

    @classmethod
    def from_dict(cls, data: Any) -> WearLedger:
        """Restore; malformed parts restore as zero."""
        stored = data if isinstance(data, dict) else {}
        miners = stored.get("miners")
        cycles = stored.get("site_cycles")
        return cls(
            miners={
                str(miner_id): MinerWear.from_dict(wear)
                for miner_id, wear in (miners.items() if isinstance(miners, dict) else ())
            },
            site_starts=_count(stored.get("site_starts")),
            site_cycles=float(cycles) if is_finite_number(cycles) and cycles >= 0 else 0.0,
            site_running_h=Accumulator.from_dict(stored.get("site_running_h")),
            site_hot_h=Accumulator.from_dict(stored.get("site_hot_h")),
        )


def _midnight(now: datetime, zone: tzinfo) -> datetime:
    return now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
