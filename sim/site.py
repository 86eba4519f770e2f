"""A heating site in real time: simulated miners heat the plant model, which sets their fluid.

Closed loop: on every tick the plant steps over the time elapsed since the last tick (times
``speed``) at the miners' total electrical power, then each miner's immersion fluid temperature
is set to the tank's. Whatever changes the miners' power (HashHeat, a user, a fault) changes the
plant's temperatures, and those come back in the miners' own temperature readings.

``speed`` runs the plant's thermal time faster than the wall clock (the outdoor day too); the
miners always answer in real time (their retune and warm-up take their real seconds).
"""

import asyncio
import contextlib
from collections.abc import Sequence

from sim.degradation import Degradation, Degrader
from sim.fleet import SimulatedMiner
from sim.physics import Clock, monotonic_time
from sim.plant import Plant

__all__ = ["SiteSimulation"]


class SiteSimulation:
    """Miners in one tank of a :class:`~sim.plant.Plant`, advanced by :meth:`advance`."""

    def __init__(
        self,
        plant: Plant,
        miners: Sequence[SimulatedMiner],
        *,
        speed: float = 1.0,
        clock: Clock = monotonic_time,
        degradations: Sequence[Degradation] = (),
    ) -> None:
        """Couple ``miners`` to ``plant``; their fluid takes the tank's temperature at once.

        ``degradations`` (fluid ageing, exchanger fouling, pump flow loss) grow on plant time.
        """
        if not speed > 0.0:
            raise ValueError(f"speed must be > 0, not {speed}")
        self.plant = plant
        self.miners = list(miners)
        self.speed = speed
        self._clock = clock
        self._last = clock()
        self.degrader = Degrader(plant, [miner.state for miner in self.miners], degradations)
        self.degrader.apply()
        self._sync_fluid()

    @property
    def miner_power_w(self) -> float:
        """Electrical power the miners draw now (what they report), W."""
        return float(sum(miner.state.snapshot().watts for miner in self.miners))

    @property
    def pump_on(self) -> bool:
        """Whether the loop pump runs (at the design flow)."""
        return self.plant.flow_m3_per_s > 0.0

    @pump_on.setter
    def pump_on(self, on: bool) -> None:
        self.plant.flow_m3_per_s = self.plant.params.loop_flow_m3_per_s if on else 0.0

    def advance(self) -> None:
        """Step the plant over the time since the last call at the miners' power now."""
        now = self._clock()
        elapsed, self._last = now - self._last, now
        if elapsed > 0.0:
            self.plant.step(elapsed * self.speed, self.miner_power_w)
            self.degrader.apply()
        self._sync_fluid()

    async def run(self, stop: asyncio.Event, *, tick_s: float = 1.0) -> None:
        """Advance every ``tick_s`` seconds until ``stop`` is set."""
        while not stop.is_set():
            self.advance()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(tick_s):
                    await stop.wait()

    def _sync_fluid(self) -> None:
        for miner in self.miners:
            miner.fluid_temp_c = self.plant.tank_c
