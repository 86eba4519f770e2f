"""What a miner's firmware can do, and how a power limit in watts maps onto its controls.

Firmware differ: LuxOS and VNish snap a power limit to named presets (VNish 1.3.3+ throttles a
preset down to any power in between), Avalon firmware to work levels, Whatsminer API v3 and Braiins
OS+ take exact watts within a range, stock Antminer firmware cannot limit power at all. An entity
exists only for what the firmware can do, and a requested power limit is mapped to what the firmware
will really apply.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from .boser import runs_boser
from .pyasic_loader import BaseMiner, MinerProtocol


class PowerControl(StrEnum):
    """How a miner's power can be limited."""

    NONE = "none"
    PRESETS = "presets"  # named profiles, each with a power; the highest one <= the limit applies
    LEVELS = "levels"  # numbered work levels (Avalon); pyasic takes the level number itself
    WATTS = "watts"  # any whole number of watts between the two steps (lowest, highest)
    # presets, each throttled to 20-100 % of its power (VNish 1.3.3+): any whole number of watts
    # from the lowest preset at 20 % up to the highest preset
    THROTTLE = "throttle"


THROTTLE_MIN_PERCENT: Final = 20


@dataclass(frozen=True, kw_only=True, slots=True)
class PowerStep:
    """One setting the firmware can apply: its name or level and its nominal power."""

    key: str
    watts: int


_CONTROLS: Final = (
    "can_pause",
    "can_reboot",
    "can_restart_backend",
    "can_identify",
    "can_set_immersion",
)


@dataclass(frozen=True, kw_only=True, slots=True)
class MinerCapabilities:
    """What a detected miner supports."""

    power_control: PowerControl = PowerControl.NONE
    power_steps: tuple[PowerStep, ...] = ()
    can_pause: bool = False
    can_reboot: bool = False
    can_restart_backend: bool = False
    can_identify: bool = False
    can_set_immersion: bool = False  # Braiins OS+: its cooling's immersion mode

    @property
    def min_power_w(self) -> int | None:
        """The lowest power limit the firmware applies."""
        lowest = min((step.watts for step in self.power_steps), default=None)
        if lowest is not None and self.power_control is PowerControl.THROTTLE:
            return math.ceil(lowest * THROTTLE_MIN_PERCENT / 100)
        return lowest

    @property
    def max_power_w(self) -> int | None:
        """The highest power limit the firmware applies."""
        return max((step.watts for step in self.power_steps), default=None)

    def step_for(self, watts: float) -> PowerStep | None:
        """Return the setting for ``watts``: the highest at or below it, else the lowest.

        Exact-watt and throttling firmware take ``watts`` itself, rounded down into its range.
        """
        if not self.power_steps:
            return None
        if self.power_control in (PowerControl.WATTS, PowerControl.THROTTLE):
            low, high = self.min_power_w or 0, self.max_power_w or 0
            exact = max(low, min(int(watts), high))
            return PowerStep(key=str(exact), watts=exact)
        at_or_below = [step for step in self.power_steps if step.watts <= watts]
        if at_or_below:
            return max(at_or_below, key=lambda step: step.watts)
        return min(self.power_steps, key=lambda step: step.watts)

    def lost_since(self, before: MinerCapabilities) -> list[str]:
        """Names of the controls ``before`` had that these capabilities no longer have."""
        lost = [name for name in _CONTROLS if getattr(before, name) and not getattr(self, name)]
        if before.power_control is not PowerControl.NONE and self.power_control is (
            PowerControl.NONE
        ):
            lost.insert(0, "power_limit")
        return lost

    def as_dict(self) -> dict[str, Any]:
        """Serialise for storage in the miner's subentry."""
        return {
            "power_control": self.power_control.value,
            "power_steps": [[step.key, step.watts] for step in self.power_steps],
            "can_pause": self.can_pause,
            "can_reboot": self.can_reboot,
            "can_restart_backend": self.can_restart_backend,
            "can_identify": self.can_identify,
            "can_set_immersion": self.can_set_immersion,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> MinerCapabilities:
        """Restore from storage; anything malformed means "cannot"."""
        if not data:
            return cls()
        try:
            control = PowerControl(data.get("power_control", PowerControl.NONE))
            steps = tuple(
                PowerStep(key=str(key), watts=int(watts))
                for key, watts in data.get("power_steps", ())
            )
        except TypeError, ValueError:
            control, steps = PowerControl.NONE, ()
        return cls(
            power_control=control if steps else PowerControl.NONE,
            power_steps=steps,
            can_pause=bool(data.get("can_pause")),
            can_reboot=bool(data.get("can_reboot")),
            can_restart_backend=bool(data.get("can_restart_backend")),
            can_identify=bool(data.get("can_identify")),
            can_set_immersion=bool(data.get("can_set_immersion")),
        )


# Canaan's home miners set power by work level (Mini 3: -1 Eco, 0 Super; Q: 0 Eco, 1 Standard,
# 2 Super), keyed by pyasic's model name, with the nominal power of each level (nameplate for the
# top level). pyasic 0.79.0 maps watts to levels 0..2 and drops a level of 0, so the Mini 3 cannot
# be set through it; the client sends the level itself. These firmware have no `restart` command,
# which pyasic's reboot and restart use, so neither is offered.
AVALON_WORK_LEVELS: Final[Mapping[str, tuple[tuple[int, int], ...]]] = {
    "AVALON MINI 3": ((-1, 500), (0, 800)),
    "AVALON Q HOME": ((0, 800), (1, 1300), (2, 1674)),
}


# Firmware that takes a power limit in exact watts (Whatsminer API v3, Braiins OS+), keyed by
# pyasic's firmware and model names: the range it accepts (the nameplate power at the top). A
# model not listed is switched on and off only.
EXACT_WATT_RANGES: Final[Mapping[tuple[str, str], tuple[int, int]]] = {
    ("Stock", "M63S VK30"): (3000, 7215),
    ("BOS+", "S19J PRO"): (1600, 3250),
}


def _overrides(miner: BaseMiner, method: str) -> bool:
    """Tell whether the pyasic class implements ``method`` (the protocol's stub returns False)."""
    return getattr(type(miner), method, None) is not getattr(MinerProtocol, method, None)


def preset_steps(presets: Iterable[Any]) -> tuple[PowerStep, ...]:
    """Power steps from pyasic mining presets (name and power), skipping incomplete ones."""
    steps = {
        str(preset.name): int(preset.power)
        for preset in presets
        if getattr(preset, "name", None) and isinstance(getattr(preset, "power", None), int)
    }
    return tuple(
        PowerStep(key=name, watts=watts)
        for name, watts in sorted(steps.items(), key=lambda item: item[1])
    )


def capabilities_of(
    miner: BaseMiner, presets: tuple[PowerStep, ...], *, throttles: bool = False
) -> MinerCapabilities:
    """Capabilities of a detected miner, given the presets its configuration lists.

    ``throttles``: the firmware can also throttle each preset (VNish 1.3.3+).
    """
    control = PowerControl.NONE
    steps: tuple[PowerStep, ...] = ()
    model = str(miner.raw_model or "").upper()
    levels = AVALON_WORK_LEVELS.get(model)
    watt_range = EXACT_WATT_RANGES.get((str(miner.firmware), model))
    if levels:
        control = PowerControl.LEVELS
        steps = tuple(PowerStep(key=str(level), watts=watts) for level, watts in levels)
    elif watt_range and _overrides(miner, "set_power_limit"):
        control = PowerControl.WATTS
        steps = tuple(PowerStep(key=str(watts), watts=watts) for watts in watt_range)
    elif presets and _overrides(miner, "set_power_limit"):
        control = PowerControl.THROTTLE if throttles else PowerControl.PRESETS
        steps = presets
    return MinerCapabilities(
        power_control=control,
        power_steps=steps,
        can_pause=_overrides(miner, "stop_mining") and _overrides(miner, "resume_mining"),
        can_reboot=_overrides(miner, "reboot") and not levels,
        can_restart_backend=_overrides(miner, "restart_backend") and not levels,
        can_identify=_overrides(miner, "fault_light_on") and _overrides(miner, "fault_light_off"),
        can_set_immersion=runs_boser(miner),
    )
