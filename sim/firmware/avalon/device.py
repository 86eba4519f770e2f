"""One simulated Avalon: physics, model, identity and the settings its firmware keeps."""

from dataclasses import dataclass, field
from typing import Self

from sim.firmware.avalon.models import AvalonModel
from sim.identity import Identity
from sim.physics import Clock, MinerState, wall_time


@dataclass(slots=True)
class AvalonSettings:
    """What ``ascset`` changed besides the power level.

    ``stored`` holds the options that are kept and reported but move no power (the Mini
    3's ``workmode``); ``soft_off_time``/``soft_on_time`` are the wall-clock timestamps of
    the last ``softoff``/``softon`` requests (0 before the first one).
    """

    led: bool = False
    stored: dict[str, int] = field(default_factory=dict)
    fan_speed: str = "-1"
    target_temp_c: int = 75
    soft_off_time: int = 0
    soft_on_time: int = 0


@dataclass(slots=True)
class AvalonDevice:
    """Everything the Avalon replies are built from.

    ``wall_clock`` is Unix time, used for ``When`` and the soft off/on timestamps; the
    physics runs on ``state.clock``.
    """

    state: MinerState
    model: AvalonModel
    identity: Identity
    settings: AvalonSettings = field(default_factory=AvalonSettings)
    wall_clock: Clock = wall_time

    @classmethod
    def create(
        cls,
        state: MinerState,
        model: AvalonModel,
        identity: Identity,
        *,
        wall_clock: Clock = wall_time,
    ) -> Self:
        """Build a device with the model's default settings."""
        settings = AvalonSettings(
            stored={s.option: s.default for s in model.stored},
            target_temp_c=model.target_temp_c,
        )
        return cls(state, model, identity, settings, wall_clock)

    @property
    def work_level(self) -> int:
        """Value of the power-driving option (``worklevel`` or ``workmode``) now in force."""
        return int(self.state.profile.name)

    def option_value(self, option: str) -> int:
        """Reported value of ``workmode``/``worklevel``: the level, or the stored setting."""
        if option in self.model.power_options:
            return self.work_level
        return self.settings.stored.get(option, 0)

    def to_clock(self, timestamp: float) -> float:
        """Physics clock time at which the wall clock reads ``timestamp``."""
        return self.state.clock() + (timestamp - self.wall_clock())
