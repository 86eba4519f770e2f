"""A site's health detectors: each miner's chip-to-fluid rise and the tank's heat exchanger.

Fed once per poll with what the site reads. The tank's fluid is its own sensor's where there is
one, else the mean of what the miners report of it (their inlet), as one tank's miners share it;
a miner's chips are compared with its own inlet where it reports one.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .health import (
    CHIP_RISE_SETTINGS,
    EXCHANGER_SETTINGS,
    DriftDetector,
    DriftReport,
    DriftSettings,
    HealthStatus,
    chip_rise_sample,
    exchanger_sample,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class MinerHealthSample:
    """One poll of a miner (None where not reported)."""

    chip_c: float | None
    fluid_c: float | None
    power_w: float | None


@dataclass(frozen=True, kw_only=True, slots=True)
class LoopSample:
    """One poll of the loop; ``heat_w`` only when measured (a meter or calorimetric)."""

    tank_c: float | None
    supply_c: float | None
    return_c: float | None
    heat_w: float | None


def tank_fluid_c(miners: Mapping[str, MinerHealthSample | None]) -> float | None:
    """The tank's fluid: the mean of what the miners report of it."""
    values = [s.fluid_c for s in miners.values() if s is not None and s.fluid_c is not None]
    return sum(values) / len(values) if values else None


@dataclass(kw_only=True, slots=True)
class SiteHealth:
    """Every detector of a site."""

    chip_settings: DriftSettings = CHIP_RISE_SETTINGS
    chips: dict[str, DriftDetector] = field(default_factory=dict)
    exchanger: DriftDetector = field(
        default_factory=lambda: DriftDetector(settings=EXCHANGER_SETTINGS)
    )

    def record(
        self, now_s: float, miners: Mapping[str, MinerHealthSample | None], loop: LoopSample
    ) -> None:
        """One poll; a miner missing (None) is a gap in its detector."""
        fluid = loop.tank_c if loop.tank_c is not None else tank_fluid_c(miners)
        for miner_id, sample in miners.items():
            detector = self.chips.setdefault(miner_id, DriftDetector(settings=self.chip_settings))
            if sample is None:
                detector.add(now_s, None, None)
                continue
            detector.add(
                now_s,
                *chip_rise_sample(
                    chip_c=sample.chip_c,
                    fluid_c=sample.fluid_c if sample.fluid_c is not None else fluid,
                    power_kw=sample.power_w / 1000 if sample.power_w is not None else None,
                ),
            )
        self.exchanger.add(
            now_s,
            *exchanger_sample(
                fluid_c=fluid, supply_c=loop.supply_c, return_c=loop.return_c, heat_w=loop.heat_w
            ),
        )

    def chip(self, miner_id: str) -> DriftReport | None:
        """A miner's chip-to-fluid rise (None: never recorded)."""
        detector = self.chips.get(miner_id)
        return detector.report() if detector is not None else None

    def warning_chips(self) -> dict[str, DriftReport]:
        """The miners whose chips run hotter over the fluid than they learned."""
        reports = {miner_id: d.report() for miner_id, d in self.chips.items()}
        return {m: r for m, r in reports.items() if r.status is HealthStatus.WARNING}

    def forget_miners_except(self, miner_ids: set[str]) -> None:
        """Drop the detectors of miners that left the site."""
        for miner_id in set(self.chips) - miner_ids:
            del self.chips[miner_id]

    def as_dict(self) -> dict[str, Any]:
        """What to persist."""
        return {
            "chips": {miner_id: d.as_dict() for miner_id, d in self.chips.items()},
            "exchanger": self.exchanger.as_dict(),
        }

    @classmethod
    def from_dict(
        cls,
        data: Any,
        *,
        chip_settings: DriftSettings = CHIP_RISE_SETTINGS,
        exchanger_settings: DriftSettings = EXCHANGER_SETTINGS,
    ) -> SiteHealth:
        """Restore; anything malformed learns afresh."""
        stored = data if isinstance(data, dict) else {}
        chips = stored.get("chips")
        return cls(
            chip_settings=chip_settings,
            chips={
                str(miner_id): DriftDetector.from_dict(chip_settings, saved)
                for miner_id, saved in (chips.items() if isinstance(chips, dict) else ())
            },
            exchanger=DriftDetector.from_dict(exchanger_settings, stored.get("exchanger")),
        )
