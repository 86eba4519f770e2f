"""Hardware protection: the one gate every start and stop of a miner passes, in every mode.

Cycling an ASIC's power thermally cycles its hashboards and stresses its power supply, so each
miner has a minimum on time, a minimum off time and a cap on starts per day, and a site starts at
most one miner per spacing interval (no inrush of a whole site at once). Only plant safety may
stop a miner inside its minimum on time.

A change nobody commanded (a miner rebooted, paused from its web page, or started by hand) counts
as it happens: a miner stopped from outside waits its minimum off time like any other. A change
that was commanded is believed once the miner shows it, or after ``confirm_s`` (hashrate takes a
while to appear and to fade), so a slow miner is not mistaken for one switched from outside.
"""

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

DAY_S: Final = 86_400.0


@dataclass(frozen=True, kw_only=True, slots=True)
class ProtectionSettings:
    """Protection times and caps (defaults protect hashboards and power supplies)."""

    min_on_s: float = 600.0
    min_off_s: float = 600.0
    max_starts_per_day: int = 12
    start_spacing_s: float = 0.0  # between two starts anywhere on the site
    confirm_s: float = 90.0


@dataclass(kw_only=True, slots=True)
class _Record:
    running: bool = False
    changed_s: float = -1e12
    commanded_s: float | None = None  # a commanded change not yet seen on the miner
    starts: deque[float] = field(default_factory=deque)


class Protection:
    """Each miner's running state as protection sees it, and what it allows now."""

    def __init__(
        self,
        settings: ProtectionSettings,
        *,
        starts: Mapping[str, Iterable[float]] | None = None,
    ) -> None:
        """Every miner unknown until observed; ``starts`` carries start times over."""
        self.settings = settings
        self._records: dict[str, _Record] = {
            miner_id: _Record(starts=deque(times)) for miner_id, times in (starts or {}).items()
        }
        self._known: set[str] = set()
        self._last_start_s = -1e12

    def _record(self, miner_id: str) -> _Record:
        return self._records.setdefault(miner_id, _Record())

    @property
    def starts(self) -> dict[str, tuple[float, ...]]:
        """Each miner's start times of the last day (for a protection that replaces this one)."""
        return {miner_id: tuple(record.starts) for miner_id, record in self._records.items()}

    def running(self, miner_id: str) -> bool:
        """Whether the miner runs, as protection counts it."""
        return self._record(miner_id).running

    def observe(
        self, miner_id: str, *, mining: bool, now_s: float, since_s: float | None = None
    ) -> None:
        """What the miner measurably does now (``since_s``: when it started, if it runs)."""
        record = self._record(miner_id)
        if miner_id not in self._known:
            # First sight: a running miner has run since it booted, a stopped one counts as
            # stopped just now (its minimum off time applies: we do not know since when).
            self._known.add(miner_id)
            record.running = mining
            record.changed_s = (since_s if since_s is not None else now_s) if mining else now_s
            return
        if mining == record.running:
            record.commanded_s = None  # what was commanded shows (or nothing was)
            return
        if record.commanded_s is not None and now_s - record.commanded_s < self.settings.confirm_s:
            return  # commanded, and not showing yet
        # Changed from outside (or a command that did not take): it counts now.
        record.running, record.changed_s, record.commanded_s = mining, now_s, None
        if mining:
            record.starts.append(now_s)

    def forget(self, miner_id: str) -> None:
        """The miner left the site."""
        self._records.pop(miner_id, None)
        self._known.discard(miner_id)

    def _starts_today(self, record: _Record, now_s: float) -> int:
        while record.starts and now_s - record.starts[0] >= DAY_S:
            record.starts.popleft()
        return len(record.starts)

    def start_allowed_at(self, miner_id: str, now_s: float) -> float:
        """The earliest time the miner may start (``now_s`` or earlier: now)."""
        settings, record = self.settings, self._record(miner_id)
        if record.running:
            return now_s
        at = max(
            record.changed_s + settings.min_off_s, self._last_start_s + settings.start_spacing_s
        )
        if self._starts_today(record, now_s) >= settings.max_starts_per_day:
            at = max(at, record.starts[0] + DAY_S)
        return at

    def may_start(self, miner_id: str, now_s: float) -> bool:
        """Whether the miner may start now."""
        return self.start_allowed_at(miner_id, now_s) <= now_s

    def may_stop(self, miner_id: str, now_s: float) -> bool:
        """Whether the miner may stop now (plant safety does not ask)."""
        record = self._record(miner_id)
        return not record.running or now_s - record.changed_s >= self.settings.min_on_s

    def starts_left_today(self, miner_id: str, now_s: float) -> int:
        """How many more starts the daily cap allows the miner."""
        record = self._record(miner_id)
        return max(0, self.settings.max_starts_per_day - self._starts_today(record, now_s))

    def start(self, miner_id: str, now_s: float) -> bool:
        """Start the miner if allowed; True when it (already or now) runs."""
        record = self._record(miner_id)
        if record.running:
            return True
        if not self.may_start(miner_id, now_s):
            return False
        record.running, record.changed_s, record.commanded_s = True, now_s, now_s
        record.starts.append(now_s)
        self._last_start_s = now_s
        return True

    def stop(self, miner_id: str, now_s: float, *, safety: bool = False) -> bool:
        """Stop the miner if allowed (always for safety); True when it (already or now) stands."""
        record = self._record(miner_id)
        if not record.running:
            return True
        if not safety and not self.may_stop(miner_id, now_s):
            return False
        record.running, record.changed_s, record.commanded_s = False, now_s, now_s
        return True
