"""Money, CO2 and energy-reuse figures of a heating site: what its heat costs and what it saves.

Inputs are plain numbers over one period: energy in kWh, money in the site's currency, prices
per kWh. Mining revenue pays part of the electricity; the heat replaces heat from a reference
(a gas boiler, a heat pump or district heat), whose price and emissions it avoids.
"""

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class HeatReferenceKind(StrEnum):
    """The heating the miners' heat replaces."""

    GAS_BOILER = "gas_boiler"
    HEAT_PUMP = "heat_pump"
    DISTRICT_HEAT = "district_heat"


# A condensing boiler recovers the latent heat of its flue gas: above 100 % on the gas's net
# calorific value, up to about 108-110 %.
MAX_BOILER_EFFICIENCY: Final = 1.1


def _number(value: float | None, name: str) -> float:
    if value is None or not math.isfinite(value):
        raise ValueError(f"The {name} must be a finite number, not {value}")
    return value


@dataclass(frozen=True, kw_only=True, slots=True)
class HeatReference:
    """The heating the miners displace, with what its heat costs.

    Each kind needs its own parameters; those of the other kinds are ignored. The gas price is
    per kWh of gas, on the same calorific basis (gross or net) as the boiler's efficiency.
    """

    kind: HeatReferenceKind
    gas_price_per_kwh: float | None = None
    boiler_efficiency: float | None = None
    heat_pump_cop: float | None = None
    district_heat_price_per_kwh: float | None = None

    def __post_init__(self) -> None:
        """Reject a reference that lacks its kind's parameters or has impossible ones."""
        match self.kind:
            case HeatReferenceKind.GAS_BOILER:
                if _number(self.gas_price_per_kwh, "gas price") < 0:
                    raise ValueError("The gas price cannot be negative")
                efficiency = _number(self.boiler_efficiency, "boiler efficiency")
                if not 0 < efficiency <= MAX_BOILER_EFFICIENCY:
                    raise ValueError(
                        f"The boiler efficiency must be above 0 and at most "
                        f"{MAX_BOILER_EFFICIENCY}, not {efficiency}"
                    )
            case HeatReferenceKind.HEAT_PUMP:
                if (cop := _number(self.heat_pump_cop, "heat pump COP")) <= 0:
                    raise ValueError(f"The heat pump COP must be positive, not {cop}")
            case HeatReferenceKind.DISTRICT_HEAT:
                if _number(self.district_heat_price_per_kwh, "district heat price") < 0:
                    raise ValueError("The district heat price cannot be negative")

    @classmethod
    def gas_boiler(cls, *, gas_price_per_kwh: float, boiler_efficiency: float) -> HeatReference:
        """A gas boiler burning gas at ``gas_price_per_kwh`` with ``boiler_efficiency``."""
        return cls(
            kind=HeatReferenceKind.GAS_BOILER,
            gas_price_per_kwh=gas_price_per_kwh,
            boiler_efficiency=boiler_efficiency,
        )

    @classmethod
    def heat_pump(cls, *, cop: float) -> HeatReference:
        """A heat pump running on the same electricity as the miners, at a seasonal ``cop``."""
        return cls(kind=HeatReferenceKind.HEAT_PUMP, heat_pump_cop=cop)

    @classmethod
    def district_heat(cls, *, price_per_kwh: float) -> HeatReference:
        """District heat bought at ``price_per_kwh`` of heat."""
        return cls(kind=HeatReferenceKind.DISTRICT_HEAT, district_heat_price_per_kwh=price_per_kwh)

    def heat_price_terms(self) -> tuple[float, float]:
        """The reference's heat price as ``(a, b)``: a + b x electricity price, per kWh of heat."""
        match self.kind:
            case HeatReferenceKind.GAS_BOILER:
                gas_price = _number(self.gas_price_per_kwh, "gas price")
                return gas_price / _number(self.boiler_efficiency, "boiler efficiency"), 0.0
            case HeatReferenceKind.HEAT_PUMP:
                return 0.0, 1.0 / _number(self.heat_pump_cop, "heat pump COP")
            case HeatReferenceKind.DISTRICT_HEAT:
                return _number(self.district_heat_price_per_kwh, "district heat price"), 0.0

    def heat_price_per_kwh(self, electricity_price_per_kwh: float) -> float:
        """What a kWh of heat from the reference costs at the given electricity price."""
        fixed, per_electricity_price = self.heat_price_terms()
        return fixed + per_electricity_price * electricity_price_per_kwh


# Natural gas burnt, combustion only, per kWh of gas on its net calorific value: the German BAFA
# list's 0.201 kg CO2/kWh, in line with the IPCC 2006 default of 56.1 t CO2/TJ (0.202 kg/kWh).
# Where gas is billed on the gross calorific value (UK, Germany), the matching factor is 0.183
# kg CO2e/kWh (UK DESNZ/BEIS 2023 conversion factors); factor, price and efficiency must share
# a basis.
GAS_KG_PER_KWH: Final = 0.201
# A round figure for the EU-27 generation mix of the early 2020s (EEA: 0.28 kg CO2e/kWh in 2018,
# about 0.21 in 2023). Grids differ tenfold between countries: the user's own factor belongs here.
GRID_KG_PER_KWH: Final = 0.25


@dataclass(frozen=True, kw_only=True, slots=True)
class Co2Factors:
    """Emission factors in kg CO2 per kWh: of gas burnt, of grid electricity, of district heat."""

    gas_kg_per_kwh: float = GAS_KG_PER_KWH
    grid_kg_per_kwh: float = GRID_KG_PER_KWH
    district_kg_per_kwh_heat: float = 0.0

    def __post_init__(self) -> None:
        """Reject factors that are negative or not numbers."""
        for name in ("gas_kg_per_kwh", "grid_kg_per_kwh", "district_kg_per_kwh_heat"):
            if _number(getattr(self, name), name) < 0:
                raise ValueError(f"The emission factor {name} cannot be negative")


def displaced_kg_per_kwh_heat(reference: HeatReference, factors: Co2Factors) -> float:
    """CO2 the reference emits per kWh of heat, which each kWh of the miners' heat avoids."""
    match reference.kind:
        case HeatReferenceKind.GAS_BOILER:
            return factors.gas_kg_per_kwh / _number(reference.boiler_efficiency, "efficiency")
        case HeatReferenceKind.HEAT_PUMP:
            return factors.grid_kg_per_kwh / _number(reference.heat_pump_cop, "heat pump COP")
        case HeatReferenceKind.DISTRICT_HEAT:
            return factors.district_kg_per_kwh_heat


def co2_avoided_kg(
    *, heat_kwh: float, electricity_kwh: float, reference: HeatReference, factors: Co2Factors
) -> float:
    """CO2 the reference would have emitted for the heat, minus the miners' electricity's.

    Negative when the miners emit more than the heating they replace: on a fossil-heavy grid,
    or against a heat pump, which makes several kWh of heat from each kWh of electricity.
    """
    displaced = heat_kwh * displaced_kg_per_kwh_heat(reference, factors)
    return displaced - electricity_kwh * factors.grid_kg_per_kwh


def electricity_cost(kwh: float, price_per_kwh: float) -> float:
    """What the electricity cost."""
    return kwh * price_per_kwh


def net_cost_of_heat_per_mwh(
    *, electricity_cost: float, revenue: float, heat_kwh: float
) -> float | None:
    """Electricity cost less mining revenue, per MWh of heat; None without heat.

    Negative when the mining revenue paid for the electricity and more: the heat came free.
    """
    if heat_kwh <= 0:
        return None
    return (electricity_cost - revenue) / (heat_kwh / 1000)


_ROUNDING: Final = 1e-9


def breakeven_electricity_price(
    *, revenue_per_kwh: float, heat_kwh_per_kwh: float, reference: HeatReference
) -> float | None:
    """The electricity price up to which mining and using the heat beats the reference.

    At this price p, a kWh of electricity costs what it earns: the mining revenue r plus the
    value of the c kWh of heat it delivers, priced at the reference's a + b x p. Solving
    p = r + c (a + b p) gives p = (r + c a) / (1 - c b). Only a heat-pump reference depends on
    the electricity price (b = 1 / COP): when its COP is at most the capture fraction c, the
    miners out-heat the heat pump per kWh and, with any revenue, win at every price. There is no
    finite breakeven then, and the result is None.
    """
    fixed, per_electricity_price = reference.heat_price_terms()
    denominator = 1 - heat_kwh_per_kwh * per_electricity_price
    # A COP equal to the capture fraction leaves 1e-16 of rounding, not a price of 1e15 per kWh.
    if denominator <= _ROUNDING:
        return None
    return (revenue_per_kwh + heat_kwh_per_kwh * fixed) / denominator


def economic_cop(*, electricity_cost: float, revenue: float) -> float | None:
    """Heat per unit of net spending, relative to a resistance heater: cost / (cost - revenue).

    A heater that mines turns electricity into heat as a resistance heater does, but the revenue
    pays part of the bill: the same heat for a fraction of the money, like a heat pump of this
    COP. None without a cost, or when the revenue covers all of it (the heat is free or better,
    an infinite COP).
    """
    if electricity_cost <= 0 or revenue >= electricity_cost:
        return None
    return 1 / (1 - revenue / electricity_cost)


def energy_reuse_factor(*, heat_reused_kwh: float, electricity_kwh: float) -> float | None:
    """ERF (ISO/IEC 30134-6): energy reused over the total energy consumed; None without energy.

    Normally between 0 and 1; not clamped, so that a miscalibrated heat meter shows.
    """
    if electricity_kwh <= 0:
        return None
    return heat_reused_kwh / electricity_kwh
