"""Reference controllers for :func:`sim.plant.run.run`: a constant load and an on/off thermostat.

A controller is ``controller_fn(now_s, readings) -> watts``: called once per step with the
(noisy) sensor readings, it returns the miners' total electrical power for the next step.
These are baselines for benchmarks, not HashHeat's controller.
"""

from collections.abc import Callable

from sim.plant.model import PlantReadings

__all__ = ["Controller", "Thermostat", "constant_power"]

type Controller = Callable[[float, PlantReadings], float]
"""``controller_fn(now_s, readings)`` → total miner electrical power (W) for the next step."""


def constant_power(watts: float) -> Controller:
    """Return a controller that always asks for ``watts``."""

    def controller(now_s: float, readings: PlantReadings) -> float:  # noqa: ARG001
        return watts

    return controller


class Thermostat:
    """On/off on the indoor temperature, with a tank high limit.

    Full power (``on_w``) below ``setpoint_c - hysteresis_k/2``, ``off_w`` (the miners
    asleep, ~10 W each) above ``setpoint_c + hysteresis_k/2``. At ``tank_limit_c`` the
    miners sleep until the tank has cooled by ``limit_hysteresis_k``: immersion miners
    throttle themselves near 65-70 °C fluid.
    """

    def __init__(  # noqa: PLR0913
        self,
        on_w: float,
        *,
        off_w: float = 40.0,
        setpoint_c: float = 20.0,
        hysteresis_k: float = 1.0,
        tank_limit_c: float = 65.0,
        limit_hysteresis_k: float = 5.0,
    ) -> None:
        """Start switched on."""
        self.on_w = on_w
        self.off_w = off_w
        self.setpoint_c = setpoint_c
        self.hysteresis_k = hysteresis_k
        self.tank_limit_c = tank_limit_c
        self.limit_hysteresis_k = limit_hysteresis_k
        self.on = True
        self.limited = False

    def __call__(self, now_s: float, readings: PlantReadings) -> float:  # noqa: ARG002
        """Return the power for the next step."""
        half = self.hysteresis_k / 2.0
        if readings.indoor_c <= self.setpoint_c - half:
            self.on = True
        elif readings.indoor_c >= self.setpoint_c + half:
            self.on = False
        if readings.tank_c >= self.tank_limit_c:
            self.limited = True
        elif readings.tank_c <= self.tank_limit_c - self.limit_hysteresis_k:
            self.limited = False
        return self.on_w if self.on and not self.limited else self.off_w
