"""Slow degradation of a heating site, for testing HashHeat's health detectors.

Three ways an immersion site degrades, each growing linearly from ``start_s`` to its full
``share`` over ``ramp_s`` seconds of plant time (simulated weeks, or a step with 0):

* ``fluid``: the dielectric fluid ages (viscosity rises), heat moves worse from the chips: their
  rise over the fluid grows by ``share`` (0.2: 25 K at full power becomes 30 K);
* ``fouling``: the plate heat exchanger fouls: its UA falls by ``share``;
* ``pump``: the oil pump loses flow: the oil flow through the exchanger falls by ``share``.

A :class:`Degrader` remembers the healthy site and applies the degradations at the plant's time.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sim.physics import MinerState
from sim.plant import Plant

__all__ = ["Degradation", "DegradationKind", "Degrader", "parse_degradation"]

_DAY_S = 86_400.0


class DegradationKind(enum.StrEnum):
    """What degrades."""

    FLUID = "fluid"
    FOULING = "fouling"
    PUMP = "pump"


@dataclass(frozen=True, kw_only=True, slots=True)
class Degradation:
    """One degradation: ``share`` reached ``ramp_s`` seconds after ``start_s`` (plant time)."""

    kind: DegradationKind
    share: float
    start_s: float = 0.0
    ramp_s: float = 0.0

    def __post_init__(self) -> None:
        """A share of what is lost, below all of it."""
        if not 0.0 <= self.share < 1.0 or not self.ramp_s >= 0.0:
            raise ValueError(f"share must be in [0, 1) and ramp_s >= 0: {self}")

    def at(self, now_s: float) -> float:
        """The share reached at ``now_s``."""
        elapsed = now_s - self.start_s
        if elapsed <= 0.0:
            return 0.0
        if elapsed >= self.ramp_s:
            return self.share
        return self.share * elapsed / self.ramp_s


def parse_degradation(text: str, *, start_s: float = 0.0) -> Degradation:
    """``KIND:SHARE[:DAYS]`` (e.g. ``fouling:0.2:7``) as a :class:`Degradation` from ``start_s``."""
    parts = text.split(":")
    if len(parts) not in {2, 3}:
        raise ValueError(f"expected KIND:SHARE[:DAYS], not {text!r}")
    days = float(parts[2]) if len(parts) == 3 else 0.0  # noqa: PLR2004
    return Degradation(
        kind=DegradationKind(parts[0]), share=float(parts[1]), start_s=start_s, ramp_s=days * _DAY_S
    )


class Degrader:
    """Applies degradations to a plant and the miners in its tank, at the plant's time."""

    def __init__(
        self, plant: Plant, miners: Sequence[MinerState], degradations: Sequence[Degradation]
    ) -> None:
        """Remember the healthy plant and miners."""
        self.plant = plant
        self.miners = list(miners)
        self.degradations = list(degradations)
        self._healthy = plant.params
        self._rises = [miner.chip_rise_k for miner in self.miners]

    def _share(self, kind: DegradationKind) -> float:
        now = self.plant.now_s
        kept = 1.0
        for degradation in self.degradations:
            if degradation.kind is kind:
                kept *= 1.0 - degradation.at(now)
        return 1.0 - kept

    def apply(self) -> None:
        """Set the plant and the miners to their state at the plant's time now."""
        healthy = self._healthy
        params = replace(
            healthy,
            hx_ua_w_per_k=healthy.hx_ua_w_per_k * (1.0 - self._share(DegradationKind.FOULING)),
            oil_flow_m3_per_s=healthy.oil_flow_m3_per_s * (1.0 - self._share(DegradationKind.PUMP)),
        )
        if params != self.plant.params:
            self.plant.params = params
            # Setting the loop flow again recomputes the exchanger from the new parameters.
            self.plant.flow_m3_per_s = self.plant.flow_m3_per_s
        growth = 1.0 + self._share(DegradationKind.FLUID)
        for miner, rise in zip(self.miners, self._rises, strict=True):
            miner.chip_rise_k = rise * growth
