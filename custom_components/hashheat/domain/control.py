"""The loop controller: hold a loop temperature with the miners of a site (no Home Assistant).

A PI controller turns the temperature error into a heat demand in watts. The demand is rate
limited (firmware retunes take a minute; the integral is frozen meanwhile so it does not wind up
against a plant that has not moved yet) and capped by the site's power cap. Miners are staged most
efficient first (rotated daily among equals, to spread wear): modulating miners take a power limit
between their lowest efficient setting and their maximum, and a running miner stops only when the
running ones could not share the demand at their lowest settings (a hysteresis between stages);
below the lowest setting the first miner is duty-cycled with a temperature hysteresis, and on/off
firmware runs only at full power.
Every start and stop passes the site's hardware protection (minimum on and off times, starts per
day), shared with every other mode. Boost drives toward its target at full power with a
hysteresis instead of the PI. Safety interlocks are the caller's: ``stop_all`` overrides every
protection here.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from .protection import DAY_S, Protection, ProtectionSettings

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
    """Tuning of the loop controller (hardware protection is the site's: ``Protection``)."""

    gain_w_per_k: float | None = None  # None: full site power at 4 K below target
    integral_time_s: float = 1800.0
    ramp_w_per_s: float | None = None  # None: full site power in 10 minutes
    retune_s: float = 60.0
    deadband_w: float | None = None  # None: 5 % of a miner's maximum between power changes
    hysteresis_k: float = 0.5


@dataclass(frozen=True, kw_only=True, slots=True)
class MinerCommand:
    """What a miner should do now: run (at a power limit, when it modulates) or stay off."""

    miner_id: str
    run: bool
    power_w: float | None = None


@dataclass(kw_only=True, slots=True)
class _Miner:
    spec: MinerSpec
    power_w: float = 0.0


class LoopController:
    """PI control of one loop's temperature through the power of its miners."""

    def __init__(
        self,
        miners: Sequence[MinerSpec],
        settings: ControllerSettings,
        protection: Protection | None = None,
    ) -> None:
        """Start from what ``protection`` knows of the miners (call ``seed`` with their power)."""
        self.settings = settings
        self.protection = protection or Protection(ProtectionSettings())
        self._miners = {spec.miner_id: _Miner(spec=spec) for spec in miners}
        total = sum(spec.max_power_w for spec in miners)
        self.max_power_w = total
        self._gain = settings.gain_w_per_k or total / 4.0
        self._ramp = settings.ramp_w_per_s or total / 600.0
        self._integral = 0.0
        self._demand_w = 0.0
        self._last_s: float | None = None
        self._frozen_until_s = -1e12
        self._duty_on = False
        self._boost_on = False
        self._limit_w = total

    def _running(self, miner: _Miner) -> bool:
        return self.protection.running(miner.spec.miner_id)

    @property
    def demand_w(self) -> float:
        """The heat demand after rate limiting and capping, as last computed."""
        return self._demand_w

    def seed(self, miner_id: str, power_w: float) -> None:
        """The power a running miner really draws (at start-up, or when handed to the loop).

        The demand continues from it, so a restart of Home Assistant neither drops running
        miners to zero nor ramps them up from nothing.
        """
        miner = self._miners[miner_id]
        power = power_w if self._running(miner) else 0.0
        self._demand_w += power - miner.power_w
        miner.power_w = power
        self._integral = self._demand_w

    def stop_all(self, now_s: float) -> list[MinerCommand]:
        """Safety stop: every miner off at once, whatever minimum on time remains."""
        self._integral, self._demand_w, self._duty_on, self._boost_on = 0.0, 0.0, False, False
        for miner in self._miners.values():
            self.protection.stop(miner.spec.miner_id, now_s, forced=True)
            miner.power_w = 0.0
        self._last_s = now_s
        return [MinerCommand(miner_id=m, run=False) for m in self._miners]

    def wind_down(self, now_s: float) -> list[MinerCommand]:
        """Nothing wanted: miners stop as their minimum on time allows, at their lowest until."""
        self._integral, self._demand_w, self._duty_on, self._boost_on = 0.0, 0.0, False, False
        self._last_s = now_s
        running = [m for m in self._miners.values() if self._decide(m, False, now_s)]
        for miner in running:
            miner.power_w = miner.spec.min_power_w
        for miner in self._miners.values():
            if miner not in running:
                miner.power_w = 0.0
        return self._commands(list(self._miners.values()))

    def dim(
        self, now_s: float, limit_w: float, before_w: Mapping[str, float | None]
    ) -> list[MinerCommand]:
        """A grid hold's floor with the loop off: the running miners dimmed to ``limit_w``.

        None starts and none runs above its power before the hold (``before_w``); in staging
        order, those whose lowest settings fit stay and share the floor, the rest stop as their
        minimum on time allows (at their lowest until).
        """
        self._integral, self._demand_w, self._duty_on, self._boost_on = 0.0, 0.0, False, False
        self._last_s = now_s
        self._limit_w = limit_w
        order = self._order(now_s)
        # Those inside their minimum on time stay first: they could not stop anyway.
        running = sorted(
            (m for m in order if self._running(m)),
            key=lambda m: self.protection.may_stop(m.spec.miner_id, now_s),
        )
        keep = len(running)
        while keep and sum(_floor(m.spec) for m in running[:keep]) > limit_w:
            keep -= 1
        kept = running[:keep]
        # Those that could not stop run on, inside their minimum on time.
        stuck = [miner for miner in running[keep:] if self._decide(miner, False, now_s)]
        for miner in stuck:
            miner.power_w = miner.spec.min_power_w
        fixed = sum(m.spec.min_power_w for m in stuck) + sum(
            m.spec.max_power_w for m in kept if not m.spec.modulating
        )
        modulating = [m for m in kept if m.spec.modulating]
        powers = share_power(
            limit_w - fixed,
            [
                (m.spec.max_power_w, m.spec.min_power_w, _at_most(m.spec, before_w))
                for m in modulating
            ],
        )
        for miner, power in zip(modulating, powers, strict=True):
            miner.power_w = power
        for miner in kept:
            if not miner.spec.modulating:
                miner.power_w = miner.spec.max_power_w
        for miner in order:
            if not self._running(miner):
                miner.power_w = 0.0
        return self._commands(order)

    def hold_lead(self, now_s: float) -> list[MinerCommand]:
        """Without the loop temperature (the sensor fallback): the lead miner at its lowest."""
        self._integral, self._demand_w, self._duty_on, self._boost_on = 0.0, 0.0, False, False
        self._last_s = now_s
        order = self._order(now_s)
        for index, miner in enumerate(order):
            running = self._decide(miner, index == 0, now_s)
            miner.power_w = miner.spec.min_power_w if running else 0.0
        return self._commands(order)

    def update(
        self,
        now_s: float,
        measured_c: float,
        target_c: float,
        *,
        cap_w: float | None = None,
        boost: bool = False,
    ) -> list[MinerCommand]:
        """Compute what every miner should do now (``boost``: full power up to the target)."""
        dt = 0.0 if self._last_s is None else max(0.0, now_s - self._last_s)
        self._last_s = now_s
        limit = self.max_power_w if cap_w is None else max(0.0, min(cap_w, self.max_power_w))
        self._limit_w = limit
        error = target_c - measured_c
        if boost:
            return self._boost(now_s, error, limit, dt)
        self._boost_on = False
        wanted = self._gain * error + self._integral
        saturated = (wanted >= limit and error > 0) or (wanted <= 0 and error < 0)
        if now_s >= self._frozen_until_s and not saturated:
            self._integral += self._gain / self.settings.integral_time_s * error * dt
            self._integral = min(max(self._integral, 0.0), limit)
        wanted = min(max(self._gain * error + self._integral, 0.0), limit)
        self._ramp_to(wanted, limit, dt)
        return self._allocate(now_s, error)

    def _boost(self, now_s: float, error: float, limit: float, dt: float) -> list[MinerCommand]:
        """Full power below the target, none at it; the hysteresis keeps miners from cycling."""
        if error > self.settings.hysteresis_k:
            self._boost_on = True
        elif error <= 0:
            self._boost_on = False
        self._ramp_to(limit if self._boost_on else 0.0, limit, dt)
        self._integral = self._demand_w  # comfort continues from here when boost ends
        return self._allocate(now_s, error)

    def _ramp_to(self, wanted: float, limit: float, dt: float) -> None:
        step = self._ramp * dt
        self._demand_w = min(max(wanted, self._demand_w - step), self._demand_w + step, limit)

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
        lead_floor = _floor(lead) if lead else 0.0
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
            # Miners that run keep running while they can share the demand at their lowest
            # settings: a demand that hovers at a stage's edge must not start and stop a miner at
            # every crossing (each a thermal cycle, and its daily starts gone in hours).
            keep = sum(1 for miner in order if self._running(miner))
            while keep > wanted and sum(_floor(m.spec) for m in order[:keep]) > demand:
                keep -= 1
            wanted = max(wanted, keep)
        # A cap (a power cap, eco, a grid hold's floor) is never exceeded by the miners' floors.
        while wanted and sum(_floor(m.spec) for m in order[:wanted]) > self._limit_w:
            wanted -= 1
        running = [
            miner for index, miner in enumerate(order) if self._decide(miner, index < wanted, now_s)
        ]
        self._set_powers(running, max(demand, lead_floor if running else 0.0), now_s)
        return self._commands(order)

    def _commands(self, miners: list[_Miner]) -> list[MinerCommand]:
        commands = []
        for miner in miners:
            running = self._running(miner)
            power = miner.power_w if running and miner.spec.modulating else None
            commands.append(MinerCommand(miner_id=miner.spec.miner_id, run=running, power_w=power))
        return commands

    def _set_powers(self, running: list[_Miner], demand: float, now_s: float) -> None:
        """Share the demand among the running miners in proportion to their maximum."""
        fixed = sum(m.spec.max_power_w for m in running if not m.spec.modulating)
        modulating = [m for m in running if m.spec.modulating]
        shares = share_power(
            demand - fixed,
            [(m.spec.max_power_w, m.spec.min_power_w, m.spec.max_power_w) for m in modulating],
        )
        wanted = dict(zip((m.spec.miner_id for m in modulating), shares, strict=True))
        for miner in running:
            spec = miner.spec
            if not spec.modulating:
                miner.power_w = spec.max_power_w
                continue
            power = wanted[spec.miner_id]
            deadband = self.settings.deadband_w or 0.05 * spec.max_power_w
            change = abs(power - miner.power_w)
            to_limit = power in (spec.min_power_w, spec.max_power_w)
            if miner.power_w and (change == 0.0 or (change < deadband and not to_limit)):
                # Not worth a firmware retune, unless to the end of its range: flat out must not
                # stay a deadband short of the miner's maximum (nor the lowest of its minimum).
                continue
            # A start or a retune: the plant has not moved yet, so the integral waits.
            self._frozen_until_s = now_s + self.settings.retune_s
            miner.power_w = power
        for miner in self._miners.values():
            if not self._running(miner):
                miner.power_w = 0.0

    def _decide(self, miner: _Miner, want: bool, now_s: float) -> bool:
        """Start or stop the miner as wanted, if protection allows; whether it runs now."""
        miner_id = miner.spec.miner_id
        if want:
            return self.protection.start(miner_id, now_s)
        return not self.protection.stop(miner_id, now_s)


def share_power(demand_w: float, miners: Sequence[tuple[float, float, float]]) -> list[float]:
    """Each miner's part of ``demand_w``, in proportion to its weight, within its range.

    ``miners``: (weight, lowest, highest) each. A miner whose share falls outside its range is
    held at that end and the rest share what is left (water-filling), so the total is the
    demand wherever the ranges allow it: a clamp alone would put a miner with a high lowest
    setting over its share, and the site over a cap or a grid hold's floor.
    """
    powers = [0.0] * len(miners)
    free = set(range(len(miners)))
    left = max(0.0, demand_w)
    while free:
        share = left / max(sum(miners[i][0] for i in free), 1.0)
        low = {i for i in free if share * miners[i][0] < miners[i][1]}
        high = {i for i in free if share * miners[i][0] > miners[i][2]}
        if not low and not high:
            for i in free:
                powers[i] = share * miners[i][0]
            break
        # Those under their lowest first: holding them there leaves less for the others.
        for i in low or high:
            powers[i] = miners[i][1] if low else miners[i][2]
            left = max(0.0, left - powers[i])
            free.discard(i)
    return powers


def _at_most(spec: MinerSpec, before_w: Mapping[str, float | None]) -> float:
    """The most a dimmed miner may draw: its power before the hold (its maximum if unknown)."""
    before = before_w.get(spec.miner_id) or spec.max_power_w
    return min(max(before, spec.min_power_w), spec.max_power_w)


def _floor(spec: MinerSpec) -> float:
    """The least a running miner draws."""
    return spec.min_power_w if spec.modulating else spec.max_power_w
