"""The books of a site: every counter HashHeat keeps, per miner and for the whole site.

Counters integrate rates (kW, currency per hour, kg CO2 per hour) sampled at each poll; see
:mod:`accumulator` for how gaps and restarts are handled. The ledger is persisted as a whole.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Final

from .accumulator import Accumulator
from .service_level import UNKNOWN, ServiceRates

STORAGE_VERSION: Final = 1


@dataclass(kw_only=True, slots=True)
class MinerCounters:
    """Counters of one miner."""

    electricity_kwh: Accumulator = field(default_factory=Accumulator)
    heat_kwh: Accumulator = field(default_factory=Accumulator)
    revenue: Accumulator = field(default_factory=Accumulator)


@dataclass(kw_only=True, slots=True)
class SiteCounters:
    """Counters of a whole site."""

    electricity_kwh: Accumulator = field(default_factory=Accumulator)
    heat_kwh: Accumulator = field(default_factory=Accumulator)
    electricity_cost: Accumulator = field(default_factory=Accumulator)
    revenue: Accumulator = field(default_factory=Accumulator)
    heat_value: Accumulator = field(default_factory=Accumulator)
    co2_avoided_kg: Accumulator = field(default_factory=Accumulator)
    grid_hold_h: Accumulator = field(default_factory=Accumulator)
    curtailed_kwh: Accumulator = field(default_factory=Accumulator)
    heat_asked_h: Accumulator = field(default_factory=Accumulator)
    heat_short_h: Accumulator = field(default_factory=Accumulator)
    held_heat_asked_h: Accumulator = field(default_factory=Accumulator)
    held_heat_short_h: Accumulator = field(default_factory=Accumulator)


@dataclass(frozen=True, kw_only=True, slots=True)
class MinerRates:
    """One poll of a miner, as rates per hour (None: not known at this poll)."""

    power_kw: float | None
    heat_kw: float | None
    revenue_per_hour: float | None


@dataclass(frozen=True, kw_only=True, slots=True)
class SiteRates:
    """One poll of the site, as rates per hour (None: not known at this poll)."""

    power_kw: float | None
    heat_kw: float | None
    electricity_cost_per_hour: float | None
    revenue_per_hour: float | None
    heat_value_per_hour: float | None
    co2_avoided_kg_per_hour: float | None


def _dump(counters: MinerCounters | SiteCounters) -> dict[str, Any]:
    return {f.name: getattr(counters, f.name).as_dict() for f in fields(counters)}


def _load[C: (MinerCounters, SiteCounters)](kind: type[C], data: Any) -> C:
    stored = data if isinstance(data, dict) else {}
    return kind(**{f.name: Accumulator.from_dict(stored.get(f.name)) for f in fields(kind)})


@dataclass(kw_only=True, slots=True)
class Ledger:
    """All counters of a site, keyed by miner subentry id."""

    site: SiteCounters = field(default_factory=SiteCounters)
    miners: dict[str, MinerCounters] = field(default_factory=dict)

    def record(
        self,
        now: datetime,
        site: SiteRates,
        miners: Mapping[str, MinerRates | None],
        service: ServiceRates = UNKNOWN,
    ) -> None:
        """Add one poll. A miner missing from the poll (unreachable) is a gap in its counters."""
        self.site.grid_hold_h.add(now, service.grid_hold_h)
        self.site.curtailed_kwh.add(now, service.curtailed_kw)
        self.site.heat_asked_h.add(now, service.heat_asked_h)
        self.site.heat_short_h.add(now, service.heat_short_h)
        self.site.held_heat_asked_h.add(now, service.held_heat_asked_h)
        self.site.held_heat_short_h.add(now, service.held_heat_short_h)
        self.site.electricity_kwh.add(now, site.power_kw)
        self.site.heat_kwh.add(now, site.heat_kw)
        self.site.electricity_cost.add(now, site.electricity_cost_per_hour)
        self.site.revenue.add(now, site.revenue_per_hour)
        self.site.heat_value.add(now, site.heat_value_per_hour)
        self.site.co2_avoided_kg.add(now, site.co2_avoided_kg_per_hour)
        for miner_id, rates in miners.items():
            counters = self.miners.setdefault(miner_id, MinerCounters())
            counters.electricity_kwh.add(now, rates.power_kw if rates else None)
            counters.heat_kwh.add(now, rates.heat_kw if rates else None)
            counters.revenue.add(now, rates.revenue_per_hour if rates else None)

    def record_gap(self, now: datetime) -> None:
        """Nothing is known at this poll (no miner answered): every counter pauses."""
        unknown = SiteRates(
            power_kw=None,
            heat_kw=None,
            electricity_cost_per_hour=None,
            revenue_per_hour=None,
            heat_value_per_hour=None,
            co2_avoided_kg_per_hour=None,
        )
        self.record(now, unknown, dict.fromkeys(self.miners))

    def forget_miners_except(self, miner_ids: set[str]) -> None:
        """Drop the counters of miners that left the site."""
        for miner_id in set(self.miners) - miner_ids:
            del self.miners[miner_id]

    def as_dict(self) -> dict[str, Any]:
        """Serialise for storage."""
        return {
            "site": _dump(self.site),
            "miners": {miner_id: _dump(c) for miner_id, c in self.miners.items()},
        }

    @classmethod
    def from_dict(cls, data: Any) -> Ledger:
        """Restore; malformed parts restore as zero."""
        stored = data if isinstance(data, dict) else {}
        miners = stored.get("miners")
        return cls(
            site=_load(SiteCounters, stored.get("site")),
            miners={
                str(miner_id): _load(MinerCounters, counters)
                for miner_id, counters in (miners.items() if isinstance(miners, dict) else ())
            },
        )
