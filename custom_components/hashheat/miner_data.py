"""What a miner reports, as plain typed values: parsed from pyasic's data, free of Home Assistant.

Every field is ``None`` when the miner did not report it; nothing is ever invented as zero.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from .pyasic_loader import MinerData

# Below this hashrate a miner is not mining, whatever its firmware claims (sleeping LuxOS
# miners draw ~10 W and report 0 TH/s; pyasic's is_mining stays True on some firmware).
MINING_HASHRATE_THS: Final = 0.1
# A pool URL is shown as a state, which Home Assistant limits to 255 characters.
MAX_POOL_URL_LENGTH: Final = 255


@dataclass(frozen=True, kw_only=True, slots=True)
class MinerReading:
    """One poll of a miner's live values."""

    hashrate_ths: float | None
    expected_hashrate_ths: float | None = None
    power_w: float | None
    power_limit_w: float | None = None
    board_temp_max_c: float | None = None
    board_temp_avg_c: float | None = None
    chip_temp_max_c: float | None = None
    fluid_inlet_temp_c: float | None = None
    fluid_outlet_temp_c: float | None = None
    fan_speed_rpm: float | None = None
    uptime_s: int | None = None
    active_pool: str | None = None
    pool_connected: bool | None = None
    error_count: int | None = None
    hashboards_expected: int | None = None
    hashboards_working: int | None = None
    # Parts of the reply left out because pyasic could not parse them (their values unknown).
    unread: tuple[str, ...] = ()

    @property
    def efficiency_jth(self) -> float | None:
        """Energy per unit of work (J/TH = W per TH/s); None when not mining."""
        if self.power_w is None or not self.hashrate_ths or self.hashrate_ths < MINING_HASHRATE_THS:
            return None
        return self.power_w / self.hashrate_ths

    @property
    def is_mining(self) -> bool | None:
        """Whether the miner measurably hashes; None when it reported no hashrate."""
        if self.hashrate_ths is None:
            return None
        return self.hashrate_ths >= MINING_HASHRATE_THS

    @property
    def has_problem(self) -> bool:
        """Errors, a part of the reply unreadable, or hashboards missing or idle while mining."""
        if self.error_count or self.unread:
            return True
        if self.is_mining and self.hashboards_expected is not None:
            return (self.hashboards_working or 0) < self.hashboards_expected
        return False

    def last_boot(self, now: datetime) -> datetime | None:
        """Return the boot time implied by the uptime, to the second."""
        if self.uptime_s is None:
            return None
        return (now - timedelta(seconds=self.uptime_s)).replace(microsecond=0)


class EmptyReadingError(ValueError):
    """The miner's answer held none of the values asked for."""


def to_terahash(hashrate: object) -> float | None:
    """Convert a pyasic hashrate to TH/s; None when it is missing or not a hashrate."""
    if hashrate is None:
        return None
    try:
        terahash = to_number(float(hashrate.into(hashrate.unit.TH)))  # type: ignore[attr-defined]
    except AttributeError, TypeError, ValueError:
        return None
    return terahash if terahash is not None and terahash >= 0 else None


def to_number(value: object) -> float | None:
    """Return a finite real number, or None (booleans and strings are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _present(values: Iterable[object]) -> list[float]:
    return [number for value in values if (number := to_number(value)) is not None]


def reading_from_data(data: MinerData, *, fluid_temps: bool = True) -> MinerReading:
    """Turn pyasic's data into a reading; raise if the miner reported nothing at all.

    ``fluid_temps=False``: the boards' inlet and outlet temperatures are not the fluid's.
    """
    boards = list(data.hashboards)
    board_temps = _present(board.temp for board in boards)
    chip_temps = _present(board.chip_temp for board in boards)
    inlet = _present(board.inlet_temp for board in boards) if fluid_temps else []
    outlet = _present(board.outlet_temp for board in boards) if fluid_temps else []
    fans = _present(fan.speed for fan in data.fans)
    active_pools = [pool for pool in data.pools if pool.active] or list(data.pools[:1])
    reading = MinerReading(
        hashrate_ths=to_terahash(data.hashrate),
        expected_hashrate_ths=to_terahash(data.expected_hashrate),
        power_w=to_number(data.wattage),
        power_limit_w=to_number(data.wattage_limit),
        board_temp_max_c=max(board_temps, default=None),
        board_temp_avg_c=sum(board_temps) / len(board_temps) if board_temps else None,
        chip_temp_max_c=max(chip_temps, default=None),
        fluid_inlet_temp_c=min(inlet, default=None),
        fluid_outlet_temp_c=max(outlet, default=None),
        fan_speed_rpm=max(fans, default=None),
        uptime_s=int(uptime) if (uptime := to_number(data.uptime)) is not None else None,
        active_pool=str(active_pools[0].url)[:MAX_POOL_URL_LENGTH]
        if active_pools and active_pools[0].url
        else None,
        pool_connected=bool(active_pools[0].alive) if active_pools else None,
        error_count=len(data.errors),
        hashboards_expected=data.expected_hashboards,
        hashboards_working=sum(
            1 for board in boards if not board.missing and (to_terahash(board.hashrate) or 0) > 0
        )
        if boards
        else None,
    )
    if reading.hashrate_ths is None and reading.power_w is None:
        raise EmptyReadingError(f"{data.ip} returned no data")
    return reading
