"""Physical model of one immersion-cooled ASIC miner (LuxOS profiles or Avalon work levels).

Pure computation, no I/O: every value is derived from an injectable clock, so tests
can step time with :class:`ManualClock` instead of sleeping.
"""

from __future__ import annotations

import enum
import hashlib
import heapq
import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

type Clock = Callable[[], float]
"""A source of monotonic time in seconds."""

BOARD_SENSORS = 4
# Weights of the load-dependent rise for the four sensors of one board.
_PCB_WEIGHTS = (0.8, 1.0, 0.97, 0.85)
_CHIP_WEIGHTS = (1.0, 0.96, 0.97, 0.99)
_NOISE_WINDOW_SECONDS = 5.0
_POWER_NOISE_SHARE = 0.3


def monotonic_time() -> float:
    """``time.monotonic()`` looked up at each call, so a test that freezes time moves it too."""
    return time.monotonic()


def wall_time() -> float:
    """``time.time()`` looked up at each call, so a test that freezes time moves it too."""
    return time.time()


class ManualClock:
    """A clock that only moves when told to; use it to step the physics in tests.

    Listeners are told of each step at once (a miner's socket follows its reboot, for one).
    """

    def __init__(self, start: float = 1000.0) -> None:
        """Start the clock at ``start`` seconds."""
        self.now = start
        self._listeners: list[Callable[[], None]] = []

    def __call__(self) -> float:
        """Return the current time in seconds."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` and tell the listeners."""
        self.now += seconds
        for listener in list(self._listeners):
            listener()

    def add_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after each step; returns the function that removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)


@dataclass(frozen=True, slots=True)
class PowerProfile:
    """One LuxOS power profile: a frequency/voltage pair and its nominal output."""

    name: str
    step: int
    frequency_mhz: int
    voltage: float
    watts: int
    hashrate_ths: float

    @property
    def step_label(self) -> str:
        """Relative position as LuxOS writes it: ``"0"``, ``"-1"``, ``"+2"``."""
        return f"{self.step:+d}" if self.step else "0"


@dataclass(frozen=True, slots=True)
class MinerModel:
    """Nameplate data of a miner model, from which its LuxOS profiles are generated."""

    name: str
    boards: int
    chips_per_board: int
    default_frequency_mhz: int
    default_voltage: float
    default_watts: int
    default_hashrate_ths: float
    steps_down: int
    steps_up: int
    frequency_step_mhz: int = 25
    voltage_step: float = 0.1

    def profiles(self) -> tuple[PowerProfile, ...]:
        """Build the profile table, lowest power first, like LuxOS's linear steps."""
        result: list[PowerProfile] = []
        for step in range(-self.steps_down, self.steps_up + 1):
            freq = self.default_frequency_mhz + step * self.frequency_step_mhz
            volt = round(self.default_voltage + step * self.voltage_step, 2)
            ratio = freq / self.default_frequency_mhz
            watts = self.default_watts * ratio * (volt / self.default_voltage) ** 2
            result.append(
                PowerProfile(
                    name="default" if step == 0 else f"{freq}MHz",
                    step=step,
                    frequency_mhz=freq,
                    voltage=volt,
                    watts=round(watts),
                    hashrate_ths=round(self.default_hashrate_ths * ratio, 2),
                ),
            )
        return tuple(result)


S19XP = MinerModel(
    name="Antminer S19 XP",
    boards=3,
    chips_per_board=110,
    default_frequency_mhz=500,
    default_voltage=13.6,
    default_watts=3010,
    default_hashrate_ths=141.0,
    steps_down=6,
    steps_up=3,
)
S21 = MinerModel(
    name="Antminer S21",
    boards=3,
    chips_per_board=108,
    default_frequency_mhz=490,
    default_voltage=13.0,
    default_watts=3500,
    default_hashrate_ths=200.0,
    steps_down=6,
    steps_up=3,
)
MODELS: dict[str, MinerModel] = {m.name: m for m in (S19XP, S21)}


class ModelSpec(Protocol):
    """What :class:`MinerState` needs from a model: LuxOS models and Avalon models both fit."""

    @property
    def name(self) -> str:
        """Model name, e.g. ``"Antminer S19 XP"``."""
        ...

    @property
    def boards(self) -> int:
        """Number of hashboards."""
        ...

    @property
    def chips_per_board(self) -> int:
        """ASIC chips on each hashboard."""
        ...

    def profiles(self) -> tuple[PowerProfile, ...]:
        """Operating points, lowest power first."""
        ...


class Mode(enum.StrEnum):
    """What the miner is doing right now."""

    MINING = "mining"
    TUNING = "tuning"
    SLEEPING = "sleeping"
    WAKING = "waking"
    REBOOTING = "rebooting"
    RESTARTING = "restarting"


@dataclass(frozen=True, slots=True)
class _Ramp:
    """Linear move of power and hashrate between two operating points."""

    start: float
    duration: float
    from_watts: float
    from_ths: float
    to_watts: float
    to_ths: float
    warmup: bool

    def fraction(self, now: float) -> float:
        if self.duration <= 0:
            return 1.0
        return min(1.0, max(0.0, (now - self.start) / self.duration))

    def at(self, now: float) -> tuple[float, float]:
        f = self.fraction(now)
        watts = self.from_watts + (self.to_watts - self.from_watts) * f
        ths = self.from_ths + (self.to_ths - self.from_ths) * f
        return watts, ths


@dataclass(frozen=True, slots=True)
class BoardReading:
    """One hashboard at one instant."""

    hashrate_ghs: float
    ideal_ghs: float
    chips: int
    pcb_temps: tuple[int, ...]
    chip_temps: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the API reports, computed at a single instant."""

    mode: Mode
    profile: PowerProfile
    watts: int
    ideal_hashrate_ghs: float
    boards: tuple[BoardReading, ...]
    uptime_seconds: int
    frequency_mhz: int

    @property
    def hashrate_ghs(self) -> float:
        """Sum of the boards, which is what pyasic reports as the miner's hashrate."""
        return sum(b.hashrate_ghs for b in self.boards)

    @property
    def is_tuning(self) -> bool:
        """Whether power and hashrate are still moving towards the profile."""
        return self.mode in {Mode.TUNING, Mode.WAKING}


def _unit_noise(seed: int, *parts: object) -> float:
    """Deterministic pseudo-random number in [-1, 1] for the given key."""
    key = ":".join(str(p) for p in (seed, *parts)).encode()
    value = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big")
    return value / float(2**64 - 1) * 2.0 - 1.0


_SELECTOR = re.compile(r"^(?P<value>\d+(?:\.\d+)?)(?P<unit>THs|kW|W)$")


class MinerState:
    """The physics of one miner: profile, ramps, sleep, reboot, temperatures.

    All timings are plain attributes and may be changed at any time; a change applies to
    the next transition. ``fluid_temp_c`` is the immersion fluid temperature. Sleep,
    wake-up, reboot and restart may be scheduled for a later clock time (``at=``); a
    scheduled action takes effect at exactly that time, evaluated lazily on the next read.
    """

    def __init__(  # noqa: PLR0913
        self,
        model: ModelSpec = S19XP,
        *,
        clock: Clock = monotonic_time,
        seed: int = 0,
        profile: str = "default",
        fluid_temp_c: float = 40.0,
        retune_seconds: float = 45.0,
        warmup_seconds: float = 60.0,
        reboot_seconds: float = 90.0,
        restart_seconds: float = 5.0,
        sleep_watts: float = 10.0,
        chip_rise_k: float = 25.0,
        board_rise_k: float = 15.0,
        noise: float = 0.01,
    ) -> None:
        """Create a miner that is already mining on ``profile`` (settled)."""
        self.model = model
        self.clock = clock
        self.seed = seed
        self.fluid_temp_c = fluid_temp_c
        self.retune_seconds = retune_seconds
        self.warmup_seconds = warmup_seconds
        self.reboot_seconds = reboot_seconds
        self.restart_seconds = restart_seconds
        self.sleep_watts = sleep_watts
        self.chip_rise_k = chip_rise_k
        self.board_rise_k = board_rise_k
        self.noise = noise
        self.profiles = model.profiles()
        self._profile = self._lookup(profile, 0)
        now = clock()
        self._boot_time = now
        self._sleeping = False
        self._down_until: float | None = None
        self._down_mode = Mode.REBOOTING
        watts, ths = self._target()
        self._ramp = _Ramp(now, 0.0, watts, ths, watts, ths, warmup=False)
        self._board_share = self._board_shares()
        self._scheduled: list[tuple[float, int, Callable[[float], None]]] = []
        self._sequence = itertools.count()

    # ----------------------------------------------------------------- profiles

    @property
    def profile(self) -> PowerProfile:
        """The configured profile (the target, even while ramping or asleep)."""
        return self._profile

    @property
    def max_watts(self) -> int:
        """Power of the highest profile, used as "full power" for temperatures."""
        return max(p.watts for p in self.profiles)

    def get_profile(self, name: str) -> PowerProfile:
        """Return the profile called ``name``; raise KeyError when there is none."""
        for p in self.profiles:
            if p.name == name:
                return p
        raise KeyError(name)

    def resolve_profile(self, selector: str) -> PowerProfile:
        """Resolve a LuxOS profile selector.

        Accepts a profile name, a relative step from the current profile ("+1", "-2"),
        or a target ("3000W", "2.5kW", "120.5THs": highest profile not above it).
        Raises KeyError when nothing matches.
        """
        return self._lookup(selector, self._profile.step)

    def _lookup(self, selector: str, base_step: int) -> PowerProfile:
        selector = selector.strip()
        if selector[:1] in {"+", "-"} and selector[1:].isdigit():
            step = base_step + int(selector)
            for p in self.profiles:
                if p.step == step:
                    return p
            raise KeyError(selector)
        match = _SELECTOR.match(selector)
        if match is None:
            return self.get_profile(selector)
        value = float(match["value"])
        if match["unit"] == "THs":
            fitting = [(p.hashrate_ths, p) for p in self.profiles if p.hashrate_ths <= value]
        else:
            watts = value * 1000 if match["unit"] == "kW" else value
            fitting = [(float(p.watts), p) for p in self.profiles if p.watts <= watts]
        if not fitting:
            raise KeyError(selector)
        return max(fitting, key=lambda item: item[0])[1]

    def set_profile(self, selector: str) -> PowerProfile:
        """Switch to a profile; power and hashrate retune over ``retune_seconds``.

        While asleep or rebooting only the target changes; it applies on wake-up.
        """
        return self.select(self.resolve_profile(selector))

    def select(self, profile: PowerProfile) -> PowerProfile:
        """Switch to ``profile`` (one of :attr:`profiles`), exactly as :meth:`set_profile`."""
        now = self.clock()
        self._settle(now)
        old = self._profile
        self._profile = profile
        if profile == old or self._sleeping or self._is_down(now):
            return profile
        watts, ths = self._ramp.at(now)
        self._ramp = _Ramp(
            now,
            self.retune_seconds,
            watts,
            ths,
            profile.watts,
            profile.hashrate_ths,
            warmup=False,
        )
        return profile

    def _target(self) -> tuple[float, float]:
        return float(self._profile.watts), self._profile.hashrate_ths

    # ------------------------------------------------------------------ actions

    def sleep(self, *, at: float | None = None) -> None:
        """Curtail: boards and PSU off, a few watts for the control board.

        With ``at`` (clock time) in the future the curtailment is scheduled instead.
        """
        self._run(at, self._sleep_at)

    def wakeup(self, *, at: float | None = None) -> None:
        """Leave sleep; ramp up to the profile over ``warmup_seconds`` (or schedule it)."""
        self._run(at, self._wakeup_at)

    def reboot(self, *, at: float | None = None) -> None:
        """Reboot the device: unreachable for ``reboot_seconds``, then warm up."""
        self._run(at, lambda t: self._go_down(t, self.reboot_seconds, Mode.REBOOTING))

    def restart_miner(self, *, at: float | None = None) -> None:
        """Restart the mining process: unreachable for ``restart_seconds``, then warm up."""
        self._run(at, lambda t: self._go_down(t, self.restart_seconds, Mode.RESTARTING))

    @property
    def scheduled(self) -> list[float]:
        """Clock times of the actions still scheduled, earliest first."""
        self._settle(self.clock())
        return sorted(at for at, _, _ in self._scheduled)

    def _run(self, at: float | None, action: Callable[[float], None]) -> None:
        now = self.clock()
        if at is not None and at > now:
            heapq.heappush(self._scheduled, (at, next(self._sequence), action))
            return
        self._settle(now)
        action(now)

    def _sleep_at(self, now: float) -> None:
        self._sleeping = True
        self._ramp = _Ramp(now, 0.0, self.sleep_watts, 0.0, self.sleep_watts, 0.0, warmup=False)

    def _wakeup_at(self, now: float) -> None:
        if not self._sleeping:
            return
        self._sleeping = False
        if not self._is_down(now):
            self._start_warmup(now)

    def _go_down(self, now: float, seconds: float, mode: Mode) -> None:
        self._down_until = now + seconds
        self._down_mode = mode
        self._ramp = _Ramp(now, 0.0, 0.0, 0.0, 0.0, 0.0, warmup=False)

    def _start_warmup(self, now: float) -> None:
        self._ramp = _Ramp(
            now,
            self.warmup_seconds,
            self.sleep_watts,
            0.0,
            *self._target(),
            warmup=True,
        )

    def _is_down(self, now: float) -> bool:
        return self._down_until is not None and now < self._down_until

    def _settle(self, now: float) -> None:
        """Apply due scheduled actions in time order, then a finished reboot/restart."""
        while self._scheduled and self._scheduled[0][0] <= now:
            at, _, action = heapq.heappop(self._scheduled)
            self._come_back(at)
            action(at)
        self._come_back(now)

    def _come_back(self, now: float) -> None:
        """Apply a finished reboot/restart: the device comes back and warms up."""
        if self._down_until is None or now < self._down_until:
            return
        back = self._down_until
        self._down_until = None
        self._boot_time = back
        if self._sleeping:  # LuxOS keeps the curtailment state across restarts
            self._ramp = _Ramp(
                back, 0.0, self.sleep_watts, 0.0, self.sleep_watts, 0.0, warmup=False
            )
        else:
            self._start_warmup(back)

    # ----------------------------------------------------------------- readings

    @property
    def mode(self) -> Mode:
        """Current mode, evaluated at the clock's current time."""
        return self._mode(self.clock())

    @property
    def is_reachable(self) -> bool:
        """False while rebooting or restarting (the API is down)."""
        now = self.clock()
        self._settle(now)
        return not self._is_down(now)

    @property
    def is_tuning(self) -> bool:
        """True while power and hashrate ramp towards the profile."""
        return self.mode in {Mode.TUNING, Mode.WAKING}

    @property
    def is_sleeping(self) -> bool:
        """True when curtailed (sleep mode)."""
        return self._sleeping

    def _mode(self, now: float) -> Mode:
        self._settle(now)
        if self._is_down(now):
            return self._down_mode
        if self._sleeping:
            return Mode.SLEEPING
        if self._ramp.fraction(now) < 1.0:
            return Mode.WAKING if self._ramp.warmup else Mode.TUNING
        return Mode.MINING

    def watts(self) -> int:
        """Return the current power draw in watts."""
        return self.snapshot().watts

    def hashrate_ths(self) -> float:
        """Return the current hashrate in TH/s (sum of the boards)."""
        return self.snapshot().hashrate_ghs / 1000.0

    def uptime_seconds(self) -> int:
        """Seconds since the last (re)start of the miner."""
        now = self.clock()
        self._settle(now)
        return max(0, int(now - self._boot_time))

    def snapshot(self) -> Snapshot:
        """Compute every reported value at one instant."""
        now = self.clock()
        mode = self._mode(now)
        watts, ths = self._ramp.at(now)
        window = int(now // _NOISE_WINDOW_SECONDS)
        if ths > 0 and self.noise:
            watts *= 1.0 + self.noise * _POWER_NOISE_SHARE * _unit_noise(self.seed, "w", window)
        ideal_ghs = ths * 1000.0
        load = max(0.0, watts / self.max_watts)
        boards = tuple(self._board(i, ideal_ghs, load, window) for i in range(self.model.boards))
        if ths > 0 and self._profile.hashrate_ths > 0:
            freq = round(self._profile.frequency_mhz * ths / self._profile.hashrate_ths)
        else:
            freq = 0
        return Snapshot(
            mode=mode,
            profile=self._profile,
            watts=round(watts),
            ideal_hashrate_ghs=round(ideal_ghs, 2),
            boards=boards,
            uptime_seconds=max(0, int(now - self._boot_time)),
            frequency_mhz=freq,
        )

    def _board_shares(self) -> tuple[float, ...]:
        raw = [
            1.0 + 0.5 * self.noise * _unit_noise(self.seed, "share", i)
            for i in range(self.model.boards)
        ]
        total = sum(raw)
        return tuple(r / total for r in raw)

    def _board(self, index: int, ideal_ghs: float, load: float, window: int) -> BoardReading:
        ideal = ideal_ghs / self.model.boards
        rate = ideal_ghs * self._board_share[index]
        if rate > 0 and self.noise:
            rate *= 1.0 + 0.5 * self.noise * _unit_noise(self.seed, "hr", index, window)
        fluid = self.fluid_temp_c
        pcb = tuple(
            round(
                fluid + self.board_rise_k * load * w + 0.6 * _unit_noise(self.seed, "pcb", index, s)
            )
            for s, w in enumerate(_PCB_WEIGHTS)
        )
        chip = tuple(
            round(
                fluid + self.chip_rise_k * load * w + 0.6 * _unit_noise(self.seed, "chip", index, s)
            )
            for s, w in enumerate(_CHIP_WEIGHTS)
        )
        return BoardReading(
            hashrate_ghs=round(rate, 2),
            ideal_ghs=round(ideal, 2),
            chips=self.model.chips_per_board,
            pcb_temps=pcb,
            chip_temps=chip,
        )
