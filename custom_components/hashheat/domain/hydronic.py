"""The heat the tank and loop hold above the indoor air: the building's, an hour or two late.

What the miners put into the tank reaches the building through the loop and the radiators with a
lag: after a charge the tank and loop still hold what the house will get (up to 1.5 K of the house
on the reference site). Where the building needs heat only in bursts (:func:`in_bursts`: summer,
a long warm spell), that is what it lives on after each one, so planning with the building as
the store, its state is the indoor temperature plus that heat (:func:`held_kwh`), and once the
loop delivers ``Q`` the indoor air lags it by ``lag_h·Q/C`` (by about half that at the middle of a
slot that charges the tank and loop: ``MIDDLE_LAG_SHARE``). Where the loop runs most of the time
the tank and loop hold about what they always hold, and the indoor air the plan starts from already
lags by it. :class:`HydronicLag` learns ``lag_h``, the heat held per kW delivered, where the loop
delivers at least half the miners' captured power, from a prior of the configured tank and loop
``DESIGN_LIFT_K`` above the room at full power.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from .site_model import PlantPrior

DESIGN_LIFT_K: Final = 35.0
"""A tank near 60 °C and a 55/45 °C loop over a 20 °C room, on average."""
LEARN_FROM_SHARE: Final = 0.5
WEIGHT: Final = 0.01
BURST_SHARE: Final = 0.2
"""Heat needed in bursts: on average under this share of the miners' full heat, over the day
before and the forecast (a warm day in a cold spell still has its cold nights around it): a mild
summer day (15 °C) asks about a sixth of it, a cool one (13 °C) a quarter, a shoulder day (8 °C)
40 %. Counting what the tank holds pays where the house takes heat only now and then; where it
takes some most of the time it holds about what it always holds."""
PAST_HOURS: Final = 24
MIDDLE_LAG_SHARE: Final = 0.5
"""What the tank and loop hold at a slot's middle, as a share of ``lag_h·Q``: a slot mostly starts
from a loop that held little (heat comes in bursts) and fills it over the slot. The full lag has
the air cooler than it is, and heats every burst past need."""


def in_bursts(
    full_heat_kw: float, ua_kw_per_k: float, band_low_c: float, outdoor_c: Sequence[float]
) -> bool:
    """Whether the building's mean heat demand at the band's lower edge is under ``BURST_SHARE``."""
    if not outdoor_c:
        return False
    demand_kw = ua_kw_per_k * sum(max(band_low_c - c, 0.0) for c in outdoor_c) / len(outdoor_c)
    return demand_kw < BURST_SHARE * full_heat_kw


def held_kwh(prior: PlantPrior, *, tank_c: float, return_c: float | None, indoor_c: float) -> float:
    """Heat (kWh) the tank and loop hold above the indoor air (no return reading: the tank's)."""
    loop_c = tank_c if return_c is None else return_c
    tank = prior.tank_capacity_kwh_per_k * max(tank_c - indoor_c, 0.0)
    return tank + prior.loop_capacity_kwh_per_k * max(loop_c - indoor_c, 0.0)


@dataclass(slots=True)
class OutdoorHours:
    """The outdoor temperature's hourly means over the last ``PAST_HOURS`` hours."""

    hours: dict[int, tuple[float, int]] = field(default_factory=dict)

    def observe(self, at_s: float, outdoor_c: float) -> None:
        """One reading."""
        if not math.isfinite(outdoor_c):
            return
        hour = int(at_s // 3600)
        total, count = self.hours.get(hour, (0.0, 0))
        self.hours[hour] = (total + outdoor_c, count + 1)
        for old in [h for h in self.hours if h <= hour - PAST_HOURS]:
            del self.hours[old]

    @property
    def means_c(self) -> list[float]:
        """Each hour's mean, oldest first."""
        return [total / count for _, (total, count) in sorted(self.hours.items())]


@dataclass(slots=True)
class HydronicLag:
    """How much heat the tank and loop hold per kW they deliver (h), learned from the readings."""

    prior: PlantPrior
    learned_h: float | None = None

    @property
    def prior_h(self) -> float:
        """The configured tank and loop ``DESIGN_LIFT_K`` above the room, over the full heat."""
        full_kw = self.prior.capture_fraction * self.prior.max_power_kw
        return self.prior.capacity_kwh_per_k * DESIGN_LIFT_K / full_kw if full_kw > 0 else 0.0

    @property
    def lag_h(self) -> float:
        """The learned figure, else the prior's."""
        return self.prior_h if self.learned_h is None else self.learned_h

    def observe(
        self, *, tank_c: float, return_c: float | None, indoor_c: float, heat_w: float | None
    ) -> None:
        """A poll with the loop taking the tank's heat to the house (none with the cooler on)."""
        full_w = self.prior.capture_fraction * self.prior.max_power_kw * 1000
        values = (tank_c, indoor_c, heat_w if heat_w is not None else math.nan)
        if not all(math.isfinite(v) for v in values) or heat_w is None:
            return
        if full_w <= 0 or heat_w < LEARN_FROM_SHARE * full_w:
            return
        lag = held_kwh(self.prior, tank_c=tank_c, return_c=return_c, indoor_c=indoor_c)
        lag /= heat_w / 1000
        before = self.learned_h
        self.learned_h = lag if before is None else before + WEIGHT * (lag - before)
