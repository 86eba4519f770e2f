"""Hardware protection: the one gate every start and stop of a miner passes, in every mode.

Cycling an ASIC's power thermally cycles its hashboards and stresses its power supply, so each
miner has a minimum on time, a minimum off time and a cap on starts per day, and a site starts at
most one miner per spacing interval (no inrush of a whole site at once). Only plant safety may
stop a miner inside its minimum on time.

A change nobody commanded (a miner rebooted, paused from its web page, or started by hand) counts
as it happens: a miner stopped from outside waits its minimum off time like any other. A change
that was commanded is believed once the miner shows it, or after ``confirm_s`` (hashrate takes a
while to appear and to fade), so a slow miner is not mistaken for one switched from outside.

What protection knows survives a restart (``as_dict`` / ``from_dict``): a miner stopped a minute
before Home Assistant restarted still waits the rest of its minimum off time, and the day's starts
still count. A miner seen for the first time with no record may start: nothing says it just
stopped.
"""

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .stored import is_finite_number

DAY_S: Final = 86_400.0


@dataclass(frozen=True, kw_only=True, slots=True)
class ProtectionSettings:
    """Protection times and caps (defaults protect hashboards and power supplies)."""

    min_on_s: float = 600.0
    min_off_s: float = 600.0
    max_starts_per_day: int = 12
    start_spacing_s: float = 0.0  # between two starts anywhere on the site
    confirm_s: float = 90.0


NEVER_S: Final = -1e12


@dataclass(kw_only=True, slots=True)
class _Record:
    running: bool = False
    changed_s: float = NEVER_S
    commanded_s: float | None = None  # a commanded change not yet seen on the miner
    starts: deque[float] = field(default_factory=deque)
    saved: bool = False  # restored from before a restart, not yet seen since

    def as_dict(self) -> dict[str, Any]:
        return {"running": self.running, "changed_s": self.changed_s, "starts": list(self.starts)}

    @classmethod
    def from_dict(cls, data: Any) -> _Record | None:
        """A saved record, or None when it is not one (a damaged store loses only that miner)."""
        if not isinstance(data, Mapping):
            return None
        running, changed, starts = data.get("running"), data.get("changed_s"), data.get("starts")
        if (
            not isinstance(running, bool)
            or not is_finite_number(changed)
            or not isinstance(starts, list)
        ):
            return None
        return cls(
            running=running,
            changed_s=float(changed),
            starts=deque(sorted(float(t) for t in starts if is_finite_number(t))),
            saved=True,
        )


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
        self._last_start_s = NEVER_S

    @classmethod
    def from_dict(cls, settings: ProtectionSettings, data: Any) -> Protection:
        """What a protection knew before a restart (``as_dict``); anything unreadable is skipped."""
        protection = cls(settings)
        if isinstance(data, Mapping):
            for miner_id, saved in data.items():
                if isinstance(miner_id, str) and (record := _Record.from_dict(saved)) is not None:
                    protection._records[miner_id] = record
        return protection

    def as_dict(self) -> dict[str, Any]:
        """What this protection knows, to be saved across a restart."""
        return {miner_id: record.as_dict() for miner_id, record in self._records.items()}

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
            self._known.add(miner_id)
            saved, record.saved = record.saved, False
            if saved and mining == record.running:
                return  # as it was before the restart: its times stand
            if mining:
                since = since_s if since_s is not None else now_s
                if saved:
                    record.starts.append(since)  # started while Home Assistant was down
                record.running, record.changed_s = True, since
            else:
                # Stopped while Home Assistant was down: its minimum off time counts from now.
                # Never seen before: it may start (nothing says it just stopped).
                record.running, record.changed_s = False, now_s if saved else NEVER_S
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

    def stop_allowed_at(self, miner_id: str, now_s: float) -> float:
        """The earliest time the miner may stop (``now_s`` or earlier: now)."""
        record = self._record(miner_id)
        if not record.running:
            return now_s
        return record.changed_s + self.settings.min_on_s

    def may_stop(self, miner_id: str, now_s: float) -> bool:
        """Whether the miner may stop now (plant safety does not ask)."""
        record = self._record(miner_id)
        return not record.running or now_s - record.changed_s >= self.settings.min_on_s

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

    def stop(self, miner_id: str, now_s: float, *, forced: bool = False) -> bool:
        """Stop the miner if allowed; True when it (already or now) stands.

        ``forced``: plant safety stops it even inside its minimum on time (its minimum off time
        then counts as for any stop).
        """
        record = self._record(miner_id)
        if not record.running:
            return True
        if not forced and not self.may_stop(miner_id, now_s):
            return False
        record.running, record.changed_s, record.commanded_s = False, now_s, now_s
        return True
