"""The loop controller: hold a loop temperature with the miners of a site (no Home Assistant).

A PI controller turns the temperature error into a heat demand in watts. The demand is rate
limited (firmware retunes take a minute; the integral is frozen meanwhile so it does not wind up
against a plant that has not moved yet) and capped by the site's power cap. Miners are staged most
efficient first (rotated daily among equals, to spread wear): modulating miners take a power limit
between their lowest efficient setting and their maximum; below the lowest setting the first
miner is duty-cycled with a temperature hysteresis, and on/off firmware runs only at full power.
Every start and stop respects minimum on and off times and a cap on starts per day, because
cycling ASIC power damages hashboards and power supplies. Safety interlocks are the caller's:
``stop_all`` overrides every protection here.
"""

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

DAY_S: Final = 86_400.0
# Two miners whose efficiencies differ by less than this share take turns leading.
EFFICIENCY_TIE: Final = 0.05


@dataclass(frozen=True, kw_only=True, slots=True)
class MinerSpec:
    """What the controller knows of a miner."""

    miner_id: str
    modulating: bool
    min_power_w: float
    max_power_w: float
    efficiency_jth: float | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ControllerSettings:
    """Tuning and hardware protection. Defaults protect hardware; see the README."""

    gain_w_per_k: float | None = None  # None: full site power at 4 K below target
    integral_time_s: float = 1800.0
    ramp_w_per_s: float | None = None  # None: full site power in 10 minutes
    retune_s: float = 60.0
    deadband_w: float | None = None  # None: 5 % of a miner's maximum between power changes
    hysteresis_k: float = 0.5
    min_on_s: float = 600.0
    min_off_s: float = 600.0
    max_starts_per_day: int = 12


@dataclass(frozen=True, kw_only=True, slots=True)
class MinerCommand:
    """What a miner should do now: run (at a power limit, when it modulates) or stay off."""

    miner_id: str
    run: bool
    power_w: float | None = None


@dataclass(kw_only=True, slots=True)
class _Miner:
    spec: MinerSpec
    running: bool = False
    changed_s: float = -1e12
    power_w: float = 0.0
    starts: deque[float] = field(default_factory=deque)

    def can_start(self, now_s: float, settings: ControllerSettings) -> bool:
        while self.starts and now_s - self.starts[0] >= DAY_S:
            self.starts.popleft()
        return (
            now_s - self.changed_s >= settings.min_off_s
            and len(self.starts) < settings.max_starts_per_day
        )

    def can_stop(self, now_s: float, settings: ControllerSettings) -> bool:
        return now_s - self.changed_s >= settings.min_on_s


class LoopController:
    """PI control of one loop's temperature through the power of its miners."""

    def __init__(
        self,
        miners: Sequence[MinerSpec],
        settings: ControllerSettings,
        *,
        starts: Mapping[str, Iterable[float]] | None = None,
    ) -> None:
        """Start with every miner assumed off (call ``observe`` to seed the real state).

        ``starts`` carries each miner's start times over from a controller this one replaces,
        so that rebuilding the controller does not reset the cap on starts per day.
        """
        self.settings = settings
        history = starts or {}
        self._miners = {
            spec.miner_id: _Miner(spec=spec, starts=deque(history.get(spec.miner_id, ())))
            for spec in miners
        }
        total = sum(spec.max_power_w for spec in miners)
        self.max_power_w = total
        self._gain = settings.gain_w_per_k or total / 4.0
        self._ramp = settings.ramp_w_per_s or total / 600.0
        self._integral = 0.0
        self._demand_w = 0.0
        self._last_s: float | None = None
        self._frozen_until_s = -1e12
        self._duty_on = False

    @property
    def starts(self) -> dict[str, tuple[float, ...]]:
        """Each miner's start times within the last day (or longer, until next asked to start)."""
        return {miner_id: tuple(miner.starts) for miner_id, miner in self._miners.items()}

    @property
    def demand_w(self) -> float:
        """The heat demand after rate limiting and capping, as last computed."""
        return self._demand_w

    def observe(
        self, miner_id: str, *, running: bool, since_s: float, power_w: float = 0.0
    ) -> None:
        """Tell the controller what a miner really does (at start-up or after a manual change).

        The demand continues from the power the miners really draw, so a restart of Home
        Assistant neither drops running miners to zero nor ramps them up from nothing.
        """
        miner = self._miners[miner_id]
        self._demand_w += (power_w if running else 0.0) - miner.power_w
        miner.running, miner.changed_s = running, since_s
        miner.power_w = power_w if running else 0.0
        self._integral = self._demand_w

    def stop_all(self, now_s: float) -> list[MinerCommand]:
        """Safety stop: every miner off at once, whatever minimum on time remains."""
        self._integral, self._demand_w, self._duty_on = 0.0, 0.0, False
        for miner in self._miners.values():
            if miner.running:
                miner.running, miner.changed_s, miner.power_w = False, now_s, 0.0
        self._last_s = now_s
        return [MinerCommand(miner_id=m, run=False) for m in self._miners]

    def update(
        self, now_s: float, measured_c: float, target_c: float, *, cap_w: float | None = None
    ) -> list[MinerCommand]:
        """Compute what every miner should do now."""
        dt = 0.0 if self._last_s is None else max(0.0, now_s - self._last_s)
        self._last_s = now_s
        limit = self.max_power_w if cap_w is None else max(0.0, min(cap_w, self.max_power_w))
        error = target_c - measured_c
        wanted = self._gain * error + self._integral
        saturated = (wanted >= limit and error > 0) or (wanted <= 0 and error < 0)
        if now_s >= self._frozen_until_s and not saturated:
            self._integral += self._gain / self.settings.integral_time_s * error * dt
            self._integral = min(max(self._integral, 0.0), limit)
        wanted = min(max(self._gain * error + self._integral, 0.0), limit)
        step = self._ramp * dt
        self._demand_w = min(max(wanted, self._demand_w - step), self._demand_w + step, limit)
        return self._allocate(now_s, error)

    def _order(self, now_s: float) -> list[_Miner]:
        miners = sorted(
            self._miners.values(),
            key=lambda m: m.spec.efficiency_jth if m.spec.efficiency_jth is not None else 1e9,
        )
        best = miners[0].spec.efficiency_jth if miners else None
        if best is None:
            leaders = len(miners)
        else:
            leaders = sum(
                1
                for m in miners
                if m.spec.efficiency_jth is not None
                and m.spec.efficiency_jth <= best * (1 + EFFICIENCY_TIE)
            )
        shift = int(now_s // DAY_S) % max(leaders, 1)
        return miners[shift:leaders] + miners[:shift] + miners[leaders:]

    def _allocate(self, now_s: float, error: float) -> list[MinerCommand]:
        settings = self.settings
        demand = self._demand_w
        order = self._order(now_s)
        lead = order[0].spec if order else None
        lead_floor = (lead.min_power_w if lead.modulating else lead.max_power_w) if lead else 0.0
        if demand < lead_floor:
            # Below the lead miner's lowest setting: duty-cycle it on the temperature.
            if error > settings.hysteresis_k:
                self._duty_on = True
            elif error < -settings.hysteresis_k:
                self._duty_on = False
            wanted = 1 if self._duty_on else 0
        else:
            # The fewest miners, in staging order, whose maximum covers the demand; sharing it
            # keeps each at a lower, more efficient setting than filling one after another.
            wanted, capacity = 0, 0.0
            for miner in order:
                if capacity >= demand:
                    break
                wanted, capacity = wanted + 1, capacity + miner.spec.max_power_w
        running = [
            miner for index, miner in enumerate(order) if self._decide(miner, index < wanted, now_s)
        ]
        self._set_powers(running, max(demand, lead_floor if running else 0.0), now_s)
        return [
            MinerCommand(
                miner_id=miner.spec.miner_id,
                run=miner.running,
                power_w=miner.power_w if miner.running and miner.spec.modulating else None,
            )
            for miner in order
        ]

    def _set_powers(self, running: list[_Miner], demand: float, now_s: float) -> None:
        """Share the demand among the running miners in proportion to their maximum."""
        fixed = sum(m.spec.max_power_w for m in running if not m.spec.modulating)
        modulating = [m for m in running if m.spec.modulating]
        share = max(0.0, demand - fixed) / max(sum(m.spec.max_power_w for m in modulating), 1.0)
        for miner in running:
            spec = miner.spec
            if not spec.modulating:
                miner.power_w = spec.max_power_w
                continue
            power = min(max(share * spec.max_power_w, spec.min_power_w), spec.max_power_w)
            deadband = self.settings.deadband_w or 0.05 * spec.max_power_w
            if miner.power_w and abs(power - miner.power_w) < deadband:
                continue  # not worth a firmware retune: keep the limit it runs at
            # A start or a retune: the plant has not moved yet, so the integral waits.
            self._frozen_until_s = now_s + self.settings.retune_s
            miner.power_w = power
        for miner in self._miners.values():
            if not miner.running:
                miner.power_w = 0.0

    def _decide(self, miner: _Miner, want: bool, now_s: float) -> bool:
        if want and not miner.running and miner.can_start(now_s, self.settings):
            miner.running, miner.changed_s = True, now_s
            miner.starts.append(now_s)
        elif not want and miner.running and miner.can_stop(now_s, self.settings):
            miner.running, miner.changed_s = False, now_s
        return miner.running
