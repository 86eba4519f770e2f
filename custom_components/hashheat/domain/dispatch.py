"""The site dispatcher: the one place that decides what every miner does.

Each poll it takes what is asked (``Intents``), what the miners and the plant show
(``Snapshot``) and the time, and returns the commands. The layers, highest first:

=========  =========================================  ===================  ==================
Layer      Asks                                       Wins over            Stops inside min on
=========  =========================================  ===================  ==================
safety     over-temperature or pump: every miner off  everything           yes
grid hold  the site at or under a power floor         manual, plan, comfort no
manual     a miner's own mode: heat or off            plan, comfort        no
plan       the site at the price plan's slot power    comfort              no
comfort    the loop's PI control: comfort, eco, boost  -                   no
=========  =========================================  ===================  ==================

The plan runs the loop's miners at its slot's power under the ceiling (off stays the climate's:
the plan acts only while the loop heats).

With the loop off, a hold's floor dims the miners that run (it starts none) and gives them their
power back when it ends; a floor of 0 stops them, and they restart one by one when it ends.

Every start of every layer passes the site's ``Protection`` (minimum off time, starts per day,
start spacing) and every stop but safety's waits for the minimum on time. Boost and a miner's
manual heat drive toward a ceiling a margin under the over-temperature limit with a hysteresis,
so the safety cut-out is never the thermostat. The ceiling watches what the cut-out watches: the
loop and every miner's fluid, which at full power runs hotter than the loop by the heat
exchanger's approach (about 15 K on the reference site).
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from .control import ControllerSettings, LoopController, MinerCommand, MinerSpec
from .protection import Protection, ProtectionSettings
from .stored import is_finite_number


class Layer(StrEnum):
    """Who decided a miner's command."""

    SAFETY = "safety"
    GRID_HOLD = "grid_hold"
    MANUAL = "manual"
    PLAN = "plan"
    COMFORT = "comfort"


class MinerMode(StrEnum):
    """What a miner's own climate entity asks: follow the site, heat flat out, or stay off."""

    AUTO = "auto"
    HEAT = "heat"
    OFF = "off"


class Preset(StrEnum):
    """Site presets: hold the setpoint (comfort), efficiently (eco), or heat flat out (boost)."""

    COMFORT = "comfort"
    ECO = "eco"
    BOOST = "boost"


@dataclass(frozen=True, kw_only=True, slots=True)
class GridHold:
    """Demand response: the site draws at most ``floor_w`` (0: off) from start_s to until_s.

    None for ``start_s``: from when it is set; for ``until_s``: until released.
    """

    floor_w: float = 0.0
    until_s: float | None = None
    reason: str = ""
    start_s: float | None = None

    def active(self, now_s: float) -> bool:
        """Whether the hold holds now."""
        return (self.start_s is None or now_s >= self.start_s) and not self.ended(now_s)

    def ended(self, now_s: float) -> bool:
        """Whether the hold is over (a scheduled one that has not begun is not)."""
        return self.until_s is not None and now_s >= self.until_s

    def as_dict(self) -> dict[str, float | str | None]:
        """The hold, to be saved across a restart."""
        return {
            "floor_w": self.floor_w,
            "until_s": self.until_s,
            "reason": self.reason,
            "start_s": self.start_s,
        }

    @classmethod
    def from_dict(cls, data: Any) -> GridHold | None:
        """A saved hold (``as_dict``), or None when there is none or it is unreadable."""
        if not isinstance(data, Mapping):
            return None
        floor, until, start = data.get("floor_w"), data.get("until_s"), data.get("start_s")
        if (
            not is_finite_number(floor)
            or floor < 0
            or not all(at is None or is_finite_number(at) for at in (until, start))
        ):
            return None
        reason = data.get("reason")
        return cls(
            floor_w=float(floor),
            until_s=None if until is None else float(until),
            reason=reason if isinstance(reason, str) else "",
            start_s=None if start is None else float(start),
        )


@dataclass(frozen=True, slots=True)
class HoldSchedule:
    """A site's grid holds: the one in force and those announced ahead.

    A hold from now replaces the holds in force and keeps those still to begin; a hold ahead
    replaces those still to begin that it overlaps (a rescheduled event) and keeps the one in
    force. Where holds overlap, the lowest floor holds.
    """

    holds: tuple[GridHold, ...] = ()

    def with_hold(self, hold: GridHold, now_s: float) -> HoldSchedule:
        """The schedule with ``hold`` added by the rules above."""
        if hold.start_s is None or hold.start_s <= now_s:
            kept = [h for h in self.holds if not h.active(now_s)]
        else:
            kept = [h for h in self.holds if h.active(now_s) or not _overlap(h, hold)]
        return HoldSchedule((*kept, hold)).pruned(now_s)

    def pruned(self, now_s: float) -> HoldSchedule:
        """Without the holds that have ended, in order of their start."""
        kept = [h for h in self.holds if not h.ended(now_s)]
        return HoldSchedule(tuple(sorted(kept, key=lambda h: h.start_s or 0.0)))

    def in_force(self, now_s: float) -> GridHold | None:
        """The hold that holds the site now: of those active, the lowest floor."""
        return min(
            (h for h in self.holds if h.active(now_s)), key=lambda h: h.floor_w, default=None
        )

    def ahead(self, now_s: float) -> tuple[GridHold, ...]:
        """The holds still to begin, soonest first."""
        return tuple(h for h in self.holds if not h.active(now_s) and not h.ended(now_s))

    def as_list(self) -> list[dict[str, float | str | None]]:
        """The holds, to be saved across a restart."""
        return [h.as_dict() for h in self.holds]

    @classmethod
    def from_saved(cls, data: Any, now_s: float) -> HoldSchedule:
        """Saved holds (``as_list``, or one hold as saved before schedules) that have not ended."""
        items = data if isinstance(data, list) else [data]
        holds = (GridHold.from_dict(item) for item in items)
        return cls(tuple(h for h in holds if h is not None)).pruned(now_s)


NO_HOLDS: Final = HoldSchedule()


def _overlap(a: GridHold, b: GridHold) -> bool:
    a_end = math.inf if a.until_s is None else a.until_s
    b_end = math.inf if b.until_s is None else b.until_s
    return (a.start_s or -math.inf) < b_end and (b.start_s or -math.inf) < a_end


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanStep:
    """The price plan's current slot: the site's electrical power."""

    power_w: float


@dataclass(frozen=True, kw_only=True, slots=True)
class Intents:
    """What the users and automations ask of the site."""

    heating: bool = False
    target_c: float = 40.0
    preset: Preset = Preset.COMFORT
    power_cap_w: float | None = None
    miner_modes: Mapping[str, MinerMode] = field(default_factory=dict)
    hold: GridHold | None = None
    plan: PlanStep | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class MinerSnapshot:
    """One miner as its last reading shows it (None: it did not say)."""

    mining: bool | None
    power_w: float | None = None
    uptime_s: float | None = None
    fluid_c: float | None = None  # at its outlet: the over-temperature cut-out watches it


@dataclass(frozen=True, kw_only=True, slots=True)
class Snapshot:
    """The site as one poll saw it."""

    miners: Mapping[str, MinerSnapshot]
    loop_c: float | None
    safety_stop: bool = False  # an over-temperature or pump interlock
    blind: bool = False  # the loop sensor is missing or stale
    hold_minimum_when_blind: bool = False  # the sensor fallback: lead miner at its lowest


@dataclass(frozen=True, kw_only=True, slots=True)
class DispatchSettings:
    """Tuning, hardware protection, and the ceiling for boost and manual heat."""

    controller: ControllerSettings = field(default_factory=ControllerSettings)
    protection: ProtectionSettings = field(default_factory=ProtectionSettings)
    over_temperature_c: float = 65.0
    ceiling_margin_k: float = 5.0
    hysteresis_k: float = 2.0

    @property
    def ceiling_c(self) -> float:
        """The highest loop temperature boost and manual heat drive toward."""
        return self.over_temperature_c - self.ceiling_margin_k


@dataclass(frozen=True, kw_only=True, slots=True)
class Decision:
    """The commands of one poll and the layer that decided each (None: leave them alone)."""

    commands: list[MinerCommand]
    layers: dict[str, Layer]


class Dispatcher:
    """Decides every miner's command, by layer, through one hardware protection."""

    def __init__(self, settings: DispatchSettings, protection: Protection | None = None) -> None:
        """No miners yet: ``set_miners`` gives them."""
        self.settings = settings
        self.protection = protection or Protection(settings.protection)
        self._specs: dict[str, MinerSpec] = {}
        self._controlled: tuple[str, ...] = ()
        self.controller = LoopController([], settings.controller, self.protection)
        self._seeded = False
        self._was_heating = False
        self._heat_on: dict[str, bool] = {}
        # The loop's miners that ran, at their power, when a hold began while the loop left them
        # alone: those it stopped come back, and those it dimmed get their power back, when it ends.
        self._restore: dict[str, float | None] = {}

    @property
    def specs(self) -> Mapping[str, MinerSpec]:
        """The miners as the dispatcher knows them."""
        return self._specs

    def held_powers(self) -> dict[str, float | None]:
        """What a hold with the loop off gives back when it ends: saved across a restart."""
        return dict(self._restore)

    def restore_held_powers(self, saved: Any) -> None:
        """Take back ``held_powers`` as saved; a damaged power is unknown (the miner's maximum)."""
        if isinstance(saved, Mapping):
            self._restore = {
                str(miner_id): float(power) if is_finite_number(power) else None
                for miner_id, power in saved.items()
            }

    def set_miners(self, specs: Mapping[str, MinerSpec]) -> None:
        """The site's miners (their capabilities changed, or miners came or went)."""
        for gone in set(self._specs) - set(specs):
            self.protection.forget(gone)
        self._specs = dict(specs)
        self._controlled = ()  # rebuilt at the next decision

    def controlled(self, modes: Mapping[str, MinerMode]) -> tuple[str, ...]:
        """The miners the loop controller drives: those in auto mode."""
        return tuple(m for m in self._specs if modes.get(m, MinerMode.AUTO) is MinerMode.AUTO)

    def decide(self, intents: Intents, snapshot: Snapshot, now_s: float) -> Decision:
        """What every miner should do now, and why."""
        self._observe(snapshot, now_s)
        self._follow_modes(intents, snapshot)
        if snapshot.safety_stop:
            self.controller.stop_all(now_s)
            for miner_id in self._specs:
                self.protection.stop(miner_id, now_s, forced=True)
            return Decision(
                commands=[MinerCommand(miner_id=m, run=False) for m in self._specs],
                layers=dict.fromkeys(self._specs, Layer.SAFETY),
            )
        hold = intents.hold if intents.hold is not None and intents.hold.active(now_s) else None
        budget = None if hold is None else hold.floor_w
        commands: list[MinerCommand] = []
        layers: dict[str, Layer] = {}
        for miner_id, mode in intents.miner_modes.items():
            if mode is MinerMode.AUTO or miner_id not in self._specs:
                continue
            command, limited = self._manual(miner_id, mode, snapshot, budget, now_s)
            commands.append(command)
            layers[miner_id] = Layer.GRID_HOLD if limited else Layer.MANUAL
            if budget is not None and command.run:
                budget -= command.power_w or self._specs[miner_id].max_power_w
        automatic = self._automatic(intents, snapshot, budget, now_s)
        if automatic is not None:
            commands += automatic
            layer = (
                Layer.GRID_HOLD
                if hold is not None
                else Layer.PLAN
                if intents.plan is not None
                else Layer.COMFORT
            )
            layers.update(dict.fromkeys(self._controlled, layer))
        return Decision(commands=commands, layers=layers)

    def _restore_after_hold(self, now_s: float) -> list[MinerCommand]:
        """Give the dimmed miners their power back; restart, as protection allows, those stopped."""
        commands = []
        for miner_id in sorted(self._restore.keys() & set(self._controlled)):
            if not self.protection.start(miner_id, now_s):
                continue  # one by one, as the start spacing allows
            spec = self._specs[miner_id]
            # Its power before the hold; unknown (no reading then): its maximum, not the dimmed.
            power = self._restore.pop(miner_id) or spec.max_power_w
            power_w = power if spec.modulating else None
            commands.append(MinerCommand(miner_id=miner_id, run=True, power_w=power_w))
            self.controller.seed(miner_id, power)
        self._restore = {m: p for m, p in self._restore.items() if m in self._controlled}
        return commands

    def _observe(self, snapshot: Snapshot, now_s: float) -> None:
        for miner_id, miner in snapshot.miners.items():
            if miner.mining is None or miner_id not in self._specs:
                continue
            since = now_s - miner.uptime_s if miner.uptime_s is not None else None
            self.protection.observe(miner_id, mining=miner.mining, now_s=now_s, since_s=since)

    def _follow_modes(self, intents: Intents, snapshot: Snapshot) -> None:
        """Rebuild the loop controller when miners are handed to it or taken from it."""
        controlled = self.controlled(intents.miner_modes)
        if controlled == self._controlled and self._seeded:
            return
        self._controlled = controlled
        self.controller = LoopController(
            [self._specs[m] for m in controlled], self.settings.controller, self.protection
        )
        for miner_id in controlled:
            miner = snapshot.miners.get(miner_id)
            if miner is not None and miner.power_w is not None:
                self.controller.seed(miner_id, miner.power_w)
        self._seeded = bool(snapshot.miners)

    def _manual(
        self,
        miner_id: str,
        mode: MinerMode,
        snapshot: Snapshot,
        budget: float | None,
        now_s: float,
    ) -> tuple[MinerCommand, bool]:
        """A miner its own mode runs: off, or flat out up to the ceiling. True: the hold cut it."""
        spec = self._specs[miner_id]
        want = mode is MinerMode.HEAT and not snapshot.blind and self._heat(miner_id, snapshot)
        power = spec.max_power_w
        limited = False
        if want and budget is not None:
            floor = spec.min_power_w if spec.modulating else spec.max_power_w
            if budget < floor:
                want, limited = False, True
            elif budget < power:
                power, limited = budget, True
        running = (
            self.protection.start(miner_id, now_s)
            if want
            else not self.protection.stop(miner_id, now_s)
        )
        if running and not want:
            power = spec.min_power_w  # inside its minimum on time: as low as it goes
        return (
            MinerCommand(
                miner_id=miner_id,
                run=running,
                power_w=power if running and spec.modulating else None,
            ),
            limited,
        )

    def _heat(self, miner_id: str, snapshot: Snapshot) -> bool:
        """Manual heat's hysteresis under the ceiling (no temperature at all: always on)."""
        on = self._heat_on.get(miner_id, True)
        hottest = _hottest(snapshot)
        if hottest is not None:
            ceiling = self.settings.ceiling_c
            if hottest >= ceiling:
                on = False
            elif hottest < ceiling - self.settings.hysteresis_k:
                on = True
        self._heat_on[miner_id] = on
        return on

    def _automatic(
        self, intents: Intents, snapshot: Snapshot, budget: float | None, now_s: float
    ) -> list[MinerCommand] | None:
        """The loop's miners: comfort, eco or boost toward the target, within caps and holds."""
        if not intents.heating:
            return self._loop_off(snapshot, budget, now_s)
        self._was_heating = True
        self._restore.clear()  # the loop decides again
        if snapshot.loop_c is None:
            if snapshot.blind and snapshot.hold_minimum_when_blind and budget != 0:
                return self.controller.hold_lead(now_s)
            return self.controller.wind_down(now_s)
        caps = [c for c in (intents.power_cap_w, budget) if c is not None]
        if intents.plan is not None:
            caps.append(max(intents.plan.power_w, 0.0))
        elif intents.preset is Preset.ECO:
            # Eco: every miner at most at its lowest (most efficient per TH) setting.
            caps.append(sum(self._specs[m].min_power_w for m in self._controlled))
        return self._toward_target(
            intents, snapshot, snapshot.loop_c, min(caps) if caps else None, now_s
        )

    def _loop_off(
        self, snapshot: Snapshot, budget: float | None, now_s: float
    ) -> list[MinerCommand] | None:
        """Wind the loop's miners down, dim them under a hold, or leave them alone (None)."""
        if budget is not None and not self._was_heating:
            for miner_id in self._controlled:
                if self.protection.running(miner_id) and miner_id not in self._restore:
                    miner = snapshot.miners.get(miner_id)
                    self._restore[miner_id] = None if miner is None else miner.power_w
            if budget > 0:
                # Dim, not off: the miners that ran keep running within the floor.
                return self.controller.dim(now_s, budget, self._restore)
        if budget is not None or self._was_heating:
            commands = self.controller.wind_down(now_s)
            self._was_heating = self._was_heating and any(c.run for c in commands)
            return commands
        if self._restore:
            return self._restore_after_hold(now_s)
        return None  # switched off and wound down: HashHeat leaves the miners alone

    def _toward_target(
        self, intents: Intents, snapshot: Snapshot, loop_c: float, cap: float | None, now_s: float
    ) -> list[MinerCommand]:
        """Comfort and eco: the PI. Boost and the plan: flat out under the ceiling.

        The plan runs at most at its slot's power; the ceiling is on what the cut-out sees.
        """
        if intents.preset is not Preset.BOOST and intents.plan is None:
            return self.controller.update(now_s, loop_c, intents.target_c, cap_w=cap)
        ceiling = self.settings.ceiling_c
        target = ceiling if intents.plan is not None else min(intents.target_c, ceiling)
        hottest = _hottest(snapshot)
        if hottest is not None and ceiling - hottest < target - loop_c:
            # What the cut-out watches nears the ceiling before the loop nears the target: hold
            # it there by modulating, as comfort does, rather than by stopping the miners.
            return self.controller.update(now_s, hottest, ceiling, cap_w=cap)
        return self.controller.update(now_s, loop_c, target, cap_w=cap, boost=True)


def _hottest(snapshot: Snapshot) -> float | None:
    """The hottest of the loop and the miners' fluid: what the over-temperature cut-out watches."""
    readings = [snapshot.loop_c, *(miner.fluid_c for miner in snapshot.miners.values())]
    return max((t for t in readings if t is not None), default=None)
