"""Heat a miner puts into its hydronic loop: measured from flow and temperatures, or estimated.

A miner turns practically all of its electricity into heat; how much of it reaches the heating
loop depends on the installation (tank losses, pump heat, piping). A heat meter measures what
does: the mass flow times the fluid's specific heat times the temperature rise across the miner.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Fluid(StrEnum):
    """A heat-transfer fluid with tabulated properties."""

    WATER = "water"
    PROPYLENE_GLYCOL_25 = "propylene_glycol_25"
    PROPYLENE_GLYCOL_40 = "propylene_glycol_40"
    ETHYLENE_GLYCOL_30 = "ethylene_glycol_30"
    # A synthetic or mineral immersion fluid, for loops that run the fluid itself through the meter.
    DIELECTRIC_OIL = "dielectric_oil"


@dataclass(frozen=True, kw_only=True, slots=True)
class FluidProperties:
    """What the heat calculation needs to know about a fluid, at the loop's temperature."""

    specific_heat_j_per_kg_k: float
    density_kg_per_m3: float

    def __post_init__(self) -> None:
        """Reject properties no fluid has (a user can enter their own)."""
        for name, value in (
            ("specific heat", self.specific_heat_j_per_kg_k),
            ("density", self.density_kg_per_m3),
        ):
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"The {name} of a fluid must be a positive number, not {value}")


# At 40-50 °C, rounded to the 1-2 % a heat meter achieves anyway. Water from steam tables; the
# glycol mixes (concentration as mixed; by mass or by volume differs by less than that) from the
# engineering tables of secondary coolants (ASHRAE Handbook - Fundamentals) and glycol makers'
# data; the oil is typical of immersion-cooling datasheets (PAO and mineral oils: 1.9-2.3 kJ/kgK,
# 0.80-0.85 kg/L). Freeze protection lowers the heat capacity: the same flow and temperature
# rise carry 7-15 % less heat than with water.
FLUIDS: Final[Mapping[Fluid, FluidProperties]] = {
    Fluid.WATER: FluidProperties(specific_heat_j_per_kg_k=4180.0, density_kg_per_m3=990.0),
    Fluid.PROPYLENE_GLYCOL_25: FluidProperties(
        specific_heat_j_per_kg_k=3900.0, density_kg_per_m3=1020.0
    ),
    Fluid.PROPYLENE_GLYCOL_40: FluidProperties(
        specific_heat_j_per_kg_k=3650.0, density_kg_per_m3=1030.0
    ),
    Fluid.ETHYLENE_GLYCOL_30: FluidProperties(
        specific_heat_j_per_kg_k=3560.0, density_kg_per_m3=1040.0
    ),
    Fluid.DIELECTRIC_OIL: FluidProperties(specific_heat_j_per_kg_k=2100.0, density_kg_per_m3=830.0),
}


class FlowUnit(StrEnum):
    """A unit of volume flow; the values are Home Assistant's (UnitOfVolumeFlowRate)."""

    L_PER_MIN = "L/min"
    L_PER_H = "L/h"
    M3_PER_H = "m³/h"
    L_PER_S = "L/s"
    M3_PER_S = "m³/s"
    ML_PER_S = "mL/s"
    M3_PER_MIN = "m³/min"
    FT3_PER_MIN = "ft³/min"
    GAL_PER_MIN = "gal/min"
    GAL_PER_H = "gal/h"
    GAL_PER_D = "gal/d"


# US gallon (231 in³) and international foot, exactly, as Home Assistant converts them.
US_GALLON_M3: Final = 0.003785411784
CUBIC_FOOT_M3: Final = 0.028316846592

_M3_PER_S: Final[Mapping[FlowUnit, float]] = {
    FlowUnit.L_PER_MIN: 1e-3 / 60,
    FlowUnit.L_PER_H: 1e-3 / 3600,
    FlowUnit.M3_PER_H: 1 / 3600,
    FlowUnit.L_PER_S: 1e-3,
    FlowUnit.M3_PER_S: 1.0,
    FlowUnit.ML_PER_S: 1e-6,
    FlowUnit.M3_PER_MIN: 1 / 60,
    FlowUnit.FT3_PER_MIN: CUBIC_FOOT_M3 / 60,
    FlowUnit.GAL_PER_MIN: US_GALLON_M3 / 60,
    FlowUnit.GAL_PER_H: US_GALLON_M3 / 3600,
    FlowUnit.GAL_PER_D: US_GALLON_M3 / 86400,
}

# Spellings seen on flow meters and in templates, after lower-casing, dropping spaces and writing
# "³" and "^3" as "3". A gallon is always the US gallon, as in Home Assistant.
_ALIASES: Final[Mapping[str, FlowUnit]] = {
    "l/min": FlowUnit.L_PER_MIN,
    "lpm": FlowUnit.L_PER_MIN,
    "l/h": FlowUnit.L_PER_H,
    "l/hr": FlowUnit.L_PER_H,
    "lph": FlowUnit.L_PER_H,
    "m3/h": FlowUnit.M3_PER_H,
    "m3/hr": FlowUnit.M3_PER_H,
    "l/s": FlowUnit.L_PER_S,
    "l/sec": FlowUnit.L_PER_S,
    "m3/s": FlowUnit.M3_PER_S,
    "ml/s": FlowUnit.ML_PER_S,
    "m3/min": FlowUnit.M3_PER_MIN,
    "ft3/min": FlowUnit.FT3_PER_MIN,
    "cfm": FlowUnit.FT3_PER_MIN,
    "gal/min": FlowUnit.GAL_PER_MIN,
    "gpm": FlowUnit.GAL_PER_MIN,
    "gal/h": FlowUnit.GAL_PER_H,
    "gal/hr": FlowUnit.GAL_PER_H,
    "gph": FlowUnit.GAL_PER_H,
    "gal/d": FlowUnit.GAL_PER_D,
}


def parse_flow_unit(text: str | None) -> FlowUnit | None:
    """Return the flow unit a sensor's unit string names, or None when it names none."""
    if text is None:
        return None
    key = "".join(text.split()).lower().replace("^3", "3").replace("³", "3")
    return _ALIASES.get(key)


def flow_m3_per_s(value: float, unit: FlowUnit) -> float:
    """Convert a volume flow to cubic metres per second."""
    return value * _M3_PER_S[unit]


def calorimetric_heat_w(
    *, flow_m3_per_s: float, supply_c: float, return_c: float, fluid: FluidProperties
) -> float:
    """Heat the loop receives, in watts: mass flow x specific heat x (supply - return).

    ``supply_c`` is the fluid leaving the miner towards the consumers, ``return_c`` the fluid
    coming back. The result is never negative: with no forward flow, or a return warmer than the
    supply (the loop heating the miner's tank, or sensors swapped or settling), the miner is not
    heating the loop and the heat is 0.0. Readings that are not finite numbers raise ValueError:
    the caller must drop unavailable sensors first.
    """
    if not all(math.isfinite(value) for value in (flow_m3_per_s, supply_c, return_c)):
        raise ValueError("Flow and temperatures must be finite numbers")
    rise_k = supply_c - return_c
    if flow_m3_per_s <= 0 or rise_k <= 0:
        return 0.0
    mass_flow_kg_per_s = flow_m3_per_s * fluid.density_kg_per_m3
    return mass_flow_kg_per_s * fluid.specific_heat_j_per_kg_k * rise_k


def estimated_heat_w(power_w: float, capture_fraction: float) -> float:
    """Heat estimated from electrical power and the share of it the loop captures (0 to 1).

    A negative power (a meter's offset while the miner is off) gives 0.0.
    """
    if not 0.0 <= capture_fraction <= 1.0:
        raise ValueError(f"The capture fraction must be between 0 and 1, not {capture_fraction}")
    return max(power_w, 0.0) * capture_fraction


def measured_capture_fraction(heat_w: float, power_w: float) -> float | None:
    """Share of the electrical power a heat meter sees in the loop; None without power.

    Not clamped: above 1 means the heat meter or the power reading is miscalibrated (or the
    wrong fluid is configured), which the user should see rather than have hidden.
    """
    if power_w <= 0:
        return None
    return heat_w / power_w
