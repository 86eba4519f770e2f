"""The simulated site of the control benches: four S19 XP that answer commands as firmware does.

A new power limit takes effect over a retune (45 s), a start takes a warm-up (60 s) and a
sleeping miner draws 10 W.
"""

import math
from dataclasses import dataclass

from custom_components.hashheat.domain.control import MinerSpec

MINERS = 4
MINER_MIN_W = 1925.0  # lowest LuxOS preset of an S19 XP
MINER_MAX_W = 3010.0  # its default profile
SLEEP_W = 10.0
RETUNE_S = 45.0
WARMUP_S = 60.0


@dataclass(kw_only=True, slots=True)
class SimMiner:
    """What a miner really draws while it follows its commands (retune and warm-up delays)."""

    running: bool = False
    power_w: float = SLEEP_W
    target_w: float = SLEEP_W
    ramp_w_per_s: float = 0.0
    starts: int = 0
    started_s: float = 0.0

    def command(self, *, run: bool, power_w: float, now_s: float = 0.0) -> None:
        """Take a command: start, stop, or move to a new power limit."""
        if run and not self.running:
            self.starts += 1
            self.running = True
            self.started_s = now_s
            self.target_w = power_w
            self.ramp_w_per_s = (power_w - self.power_w) / WARMUP_S
        elif not run and self.running:
            self.running = False
            self.target_w = self.power_w = SLEEP_W
        elif run and abs(power_w - self.target_w) > 1.0:
            self.target_w = power_w
            self.ramp_w_per_s = (power_w - self.power_w) / RETUNE_S

    def step(self, dt_s: float) -> float:
        """Move towards the commanded power; return the power drawn over this step."""
        remaining = self.target_w - self.power_w
        change = math.copysign(min(abs(remaining), abs(self.ramp_w_per_s) * dt_s), remaining)
        self.power_w += change
        return self.power_w


def miner_specs(count: int = MINERS) -> list[MinerSpec]:
    """The site's miners (four by default) as the integration describes them to its controller."""
    return [
        MinerSpec(
            miner_id=str(i),
            modulating=True,
            min_power_w=MINER_MIN_W,
            max_power_w=MINER_MAX_W,
            efficiency_jth=21.3 + i * 0.1,
        )
        for i in range(count)
    ]
