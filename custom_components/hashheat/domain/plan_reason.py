"""Why the price plan does not run: a code per cause and the figures that go with it.

The codes are translation keys (the plan_active sensor's ``detail`` attribute, the plan fallback
repair issue); the figures are their placeholders, formatted here, in no language.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class ReasonCode(StrEnum):
    """One cause of comfort control instead of the price plan."""

    NO_CONTROLLED_MINER = "no_controlled_miner"
    NO_STORE_TEMPERATURE = "no_store_temperature"
    NO_OUTDOOR_TEMPERATURE = "no_outdoor_temperature"
    PLANNER_FAILED = "planner_failed"
    PLANNER_INPUT = "planner_input"
    NO_PRICES = "no_prices"
    PRICE_GAP = "price_gap"
    NO_HEAT_READINGS = "no_heat_readings"
    READING_NOT_FINITE = "reading_not_finite"
    TEMPERATURE_OUT_OF_RANGE = "temperature_out_of_range"
    POWER_OUT_OF_RANGE = "power_out_of_range"
    SAMPLES = "samples"
    STORE_SWING = "store_swing"
    OUTDOOR_SPREAD = "outdoor_spread"
    CAPTURE_FRACTION = "capture_fraction"
    STORE_CAPACITY = "store_capacity"
    STORE_LOSS = "store_loss"
    DEMAND_SLOPE = "demand_slope"
    DEMAND_OFFSET = "demand_offset"
    BUILDING_UNPHYSICAL = "building_unphysical"
    BUILDING_CAPACITY = "building_capacity"
    BUILDING_LOSS = "building_loss"
    INDOOR_HOURS = "indoor_hours"
    INDOOR_SWING = "indoor_swing"


@dataclass(frozen=True, slots=True)
class Reason:
    """A cause and its figures (the translation's placeholders)."""

    code: ReasonCode
    figures: Mapping[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        """The code and its figures, for logs, diagnostics and the bench."""
        figures = ", ".join(f"{key}={value}" for key, value in self.figures.items())
        return f"{self.code}({figures})" if figures else self.code.value


def outside(code: ReasonCode, value: float, low: float, high: float, digits: int) -> Reason:
    """A learned value outside the range a real site has."""
    return Reason(
        code,
        {"value": f"{value:.{digits}f}", "low": f"{low:.{digits}f}", "high": f"{high:.{digits}f}"},
    )


def seen(code: ReasonCode, count: float, needed: float) -> Reason:
    """Not yet enough seen: a count (samples, hours) or a spread (K) against what is needed."""
    return Reason(code, {"seen": f"{count:.1f}".removesuffix(".0"), "needed": f"{needed:g}"})
