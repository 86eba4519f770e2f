"""Money, CO2 and reuse figures, on the README's worked example.

A month: 2 000 kWh of electricity at 0.25 EUR/kWh (500 EUR), 1 900 kWh of heat delivered
(capture 0.95), 300 EUR of mining revenue. The heat replaces a gas boiler burning gas at
0.10 EUR/kWh with an efficiency of 0.90; the grid emits 0.25 kg CO2/kWh, gas 0.201 kg/kWh.
"""

import math

import pytest

from custom_components.hashheat.domain.economics import (
    GAS_KG_PER_KWH,
    GRID_KG_PER_KWH,
    Co2Factors,
    HeatReference,
    HeatReferenceKind,
    breakeven_electricity_price,
    co2_avoided_kg,
    displaced_kg_per_kwh_heat,
    economic_cop,
    electricity_cost,
    energy_reuse_factor,
    net_cost_of_heat_per_mwh,
)

ELECTRICITY_KWH = 2000.0
PRICE = 0.25  # EUR/kWh
COST = 500.0  # 2000 x 0.25
HEAT_KWH = 1900.0
CAPTURE = 0.95  # 1900 / 2000
REVENUE = 300.0
REVENUE_PER_KWH = 0.15  # 300 / 2000
GAS = HeatReference.gas_boiler(gas_price_per_kwh=0.10, boiler_efficiency=0.90)
FACTORS = Co2Factors(gas_kg_per_kwh=0.201, grid_kg_per_kwh=0.25)


def test_electricity_cost() -> None:
    assert electricity_cost(ELECTRICITY_KWH, PRICE) == pytest.approx(COST)  # 2000 x 0.25


def test_gas_heat_price_ignores_the_electricity_price() -> None:
    # 0.10 EUR per kWh of gas / 0.90 = 0.1111 EUR per kWh of heat
    assert GAS.heat_price_terms() == pytest.approx((0.10 / 0.90, 0.0))
    assert GAS.heat_price_per_kwh(PRICE) == pytest.approx(0.111111, abs=1e-6)
    assert GAS.heat_price_per_kwh(0.40) == pytest.approx(0.111111, abs=1e-6)


def test_net_cost_of_heat() -> None:
    # (500 - 300) EUR / 1.9 MWh = 105.263 EUR/MWh
    net = net_cost_of_heat_per_mwh(electricity_cost=COST, revenue=REVENUE, heat_kwh=HEAT_KWH)
    assert net == pytest.approx(105.263, abs=1e-3)


def test_net_cost_of_heat_is_negative_when_mining_pays_for_more_than_the_electricity() -> None:
    # (500 - 600) EUR / 1.9 MWh = -52.632 EUR/MWh
    net = net_cost_of_heat_per_mwh(electricity_cost=COST, revenue=600.0, heat_kwh=HEAT_KWH)
    assert net == pytest.approx(-52.632, abs=1e-3)


@pytest.mark.parametrize("heat_kwh", [0.0, -1.0])
def test_no_net_cost_of_heat_without_heat(heat_kwh: float) -> None:
    assert (
        net_cost_of_heat_per_mwh(electricity_cost=COST, revenue=REVENUE, heat_kwh=heat_kwh) is None
    )


def test_breakeven_against_a_gas_boiler() -> None:
    # p* = r + c x gas / eta = 0.15 + 0.95 x 0.1111 = 0.15 + 0.10556 = 0.25556 EUR/kWh
    breakeven = breakeven_electricity_price(
        revenue_per_kwh=REVENUE_PER_KWH, heat_kwh_per_kwh=CAPTURE, reference=GAS
    )
    assert breakeven == pytest.approx(0.255556, abs=1e-6)
    # At p*, the month's electricity costs what the revenue and the heat are worth:
    # 2000 x 0.25556 = 511.11 EUR = 300 + 211.11
    assert breakeven is not None
    assert ELECTRICITY_KWH * breakeven == pytest.approx(
        REVENUE + HEAT_KWH * GAS.heat_price_per_kwh(breakeven)
    )


def test_breakeven_against_a_heat_pump() -> None:
    heat_pump = HeatReference.heat_pump(cop=3.0)
    assert heat_pump.heat_price_terms() == pytest.approx((0.0, 1 / 3))
    assert heat_pump.heat_price_per_kwh(PRICE) == pytest.approx(0.083333, abs=1e-6)  # 0.25 / 3
    # p* = r / (1 - c / COP) = 0.15 / (1 - 0.95 / 3) = 0.15 / 0.68333 = 0.21951 EUR/kWh
    breakeven = breakeven_electricity_price(
        revenue_per_kwh=REVENUE_PER_KWH, heat_kwh_per_kwh=CAPTURE, reference=heat_pump
    )
    assert breakeven == pytest.approx(0.219512, abs=1e-6)
    # p* = r + c x p* / COP: 0.15 + 0.95 x 0.21951 / 3 = 0.15 + 0.06951 = 0.21951
    assert breakeven is not None
    assert breakeven == pytest.approx(REVENUE_PER_KWH + CAPTURE * breakeven / 3)


def test_breakeven_against_district_heat() -> None:
    district = HeatReference.district_heat(price_per_kwh=0.12)
    assert district.heat_price_terms() == pytest.approx((0.12, 0.0))
    # p* = 0.15 + 0.95 x 0.12 = 0.15 + 0.114 = 0.264 EUR/kWh
    breakeven = breakeven_electricity_price(
        revenue_per_kwh=REVENUE_PER_KWH, heat_kwh_per_kwh=CAPTURE, reference=district
    )
    assert breakeven == pytest.approx(0.264)


@pytest.mark.parametrize("cop", [0.95, 0.5])
def test_no_finite_breakeven_against_a_heat_pump_worse_than_the_capture(cop: float) -> None:
    # 1 - c / COP = 1 - 0.95 / 0.95 = 0 (and < 0 for COP 0.5): mining wins at any price.
    breakeven = breakeven_electricity_price(
        revenue_per_kwh=REVENUE_PER_KWH,
        heat_kwh_per_kwh=CAPTURE,
        reference=HeatReference.heat_pump(cop=cop),
    )
    assert breakeven is None


def test_economic_cop() -> None:
    # 1 / (1 - 300 / 500) = 1 / 0.4 = 2.5
    assert economic_cop(electricity_cost=COST, revenue=REVENUE) == pytest.approx(2.5)
    # No revenue: a resistance heater, COP 1
    assert economic_cop(electricity_cost=COST, revenue=0.0) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("cost", "revenue"),
    [
        (500.0, 500.0),  # revenue covers the bill: the heat is free
        (500.0, 600.0),  # and better than free
        (0.0, 0.0),  # no cost
        (-10.0, 0.0),  # paid to consume (negative prices)
    ],
)
def test_no_economic_cop_when_the_heat_is_free(cost: float, revenue: float) -> None:
    assert economic_cop(electricity_cost=cost, revenue=revenue) is None


def test_co2_displaced_per_kwh_of_heat() -> None:
    gas = displaced_kg_per_kwh_heat(GAS, FACTORS)
    assert gas == pytest.approx(0.223333, abs=1e-6)  # 0.201 / 0.9
    heat_pump = displaced_kg_per_kwh_heat(HeatReference.heat_pump(cop=3.0), FACTORS)
    assert heat_pump == pytest.approx(0.083333, abs=1e-6)  # 0.25 / 3
    district = HeatReference.district_heat(price_per_kwh=0.12)
    factors = Co2Factors(grid_kg_per_kwh=0.25, district_kg_per_kwh_heat=0.05)
    assert displaced_kg_per_kwh_heat(district, factors) == pytest.approx(0.05)


def test_co2_avoided_is_negative_on_this_grid() -> None:
    # 1900 x 0.201 / 0.9 - 2000 x 0.25 = 424.333 - 500 = -75.667 kg
    avoided = co2_avoided_kg(
        heat_kwh=HEAT_KWH, electricity_kwh=ELECTRICITY_KWH, reference=GAS, factors=FACTORS
    )
    assert avoided == pytest.approx(-75.667, abs=1e-3)


def test_co2_avoided_on_a_greener_grid() -> None:
    greener = Co2Factors(gas_kg_per_kwh=0.201, grid_kg_per_kwh=0.1)
    # 1900 x 0.201 / 0.9 - 2000 x 0.1 = 424.333 - 200 = +224.333 kg
    avoided = co2_avoided_kg(
        heat_kwh=HEAT_KWH, electricity_kwh=ELECTRICITY_KWH, reference=GAS, factors=greener
    )
    assert avoided == pytest.approx(224.333, abs=1e-3)


def test_co2_avoided_against_a_heat_pump() -> None:
    # 1900 x 0.25 / 3 - 2000 x 0.25 = 158.333 - 500 = -341.667 kg
    avoided = co2_avoided_kg(
        heat_kwh=HEAT_KWH,
        electricity_kwh=ELECTRICITY_KWH,
        reference=HeatReference.heat_pump(cop=3.0),
        factors=FACTORS,
    )
    assert avoided == pytest.approx(-341.667, abs=1e-3)


def test_energy_reuse_factor() -> None:
    # 1900 / 2000
    erf = energy_reuse_factor(heat_reused_kwh=HEAT_KWH, electricity_kwh=ELECTRICITY_KWH)
    assert erf == pytest.approx(0.95)
    # not clamped: 2100 / 2000 shows a miscalibrated meter
    erf = energy_reuse_factor(heat_reused_kwh=2100.0, electricity_kwh=ELECTRICITY_KWH)
    assert erf == pytest.approx(1.05)


@pytest.mark.parametrize("electricity_kwh", [0.0, -1.0])
def test_no_energy_reuse_factor_without_electricity(electricity_kwh: float) -> None:
    assert energy_reuse_factor(heat_reused_kwh=HEAT_KWH, electricity_kwh=electricity_kwh) is None


def test_default_co2_factors() -> None:
    factors = Co2Factors()
    assert factors.gas_kg_per_kwh == GAS_KG_PER_KWH == 0.201
    assert factors.grid_kg_per_kwh == GRID_KG_PER_KWH == 0.25
    assert factors.district_kg_per_kwh_heat == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"gas_kg_per_kwh": -0.1},
        {"grid_kg_per_kwh": -0.01},
        {"district_kg_per_kwh_heat": -1.0},
        {"grid_kg_per_kwh": math.nan},
    ],
)
def test_co2_factors_must_not_be_negative(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="kg_per_kwh"):
        Co2Factors(**kwargs)


def test_the_constructors_build_the_same_references() -> None:
    assert HeatReference.gas_boiler(gas_price_per_kwh=0.10, boiler_efficiency=0.90) == (
        HeatReference(
            kind=HeatReferenceKind.GAS_BOILER, gas_price_per_kwh=0.10, boiler_efficiency=0.90
        )
    )
    assert HeatReference.heat_pump(cop=3.0) == HeatReference(
        kind=HeatReferenceKind.HEAT_PUMP, heat_pump_cop=3.0
    )
    assert HeatReference.district_heat(price_per_kwh=0.12) == HeatReference(
        kind=HeatReferenceKind.DISTRICT_HEAT, district_heat_price_per_kwh=0.12
    )


def test_parameters_of_other_kinds_are_ignored() -> None:
    reference = HeatReference(
        kind=HeatReferenceKind.HEAT_PUMP, heat_pump_cop=4.0, gas_price_per_kwh=-1.0
    )
    assert reference.heat_price_per_kwh(0.20) == pytest.approx(0.05)  # 0.20 / 4


def test_a_condensing_boiler_may_exceed_100_percent() -> None:
    boiler = HeatReference.gas_boiler(gas_price_per_kwh=0.11, boiler_efficiency=1.1)
    assert boiler.heat_price_per_kwh(PRICE) == pytest.approx(0.1)  # 0.11 / 1.1


@pytest.mark.parametrize(
    ("gas_price", "efficiency", "message"),
    [
        (None, 0.9, "gas price must be a finite number"),
        (math.nan, 0.9, "gas price must be a finite number"),
        (-0.1, 0.9, "gas price cannot be negative"),
        (0.1, None, "boiler efficiency must be a finite number"),
        (0.1, 0.0, "boiler efficiency must be above 0"),
        (0.1, 90.0, "at most 1.1"),  # a percentage where a fraction belongs
    ],
)
def test_invalid_gas_boilers_are_rejected(
    gas_price: float | None, efficiency: float | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        HeatReference(
            kind=HeatReferenceKind.GAS_BOILER,
            gas_price_per_kwh=gas_price,
            boiler_efficiency=efficiency,
        )


@pytest.mark.parametrize(
    ("cop", "message"),
    [
        (None, "must be a finite number"),
        (math.inf, "must be a finite number"),
        (0.0, "must be positive"),
        (-3.0, "must be positive"),
    ],
)
def test_invalid_heat_pumps_are_rejected(cop: float | None, message: str) -> None:
    with pytest.raises(ValueError, match=f"heat pump COP {message}"):
        HeatReference(kind=HeatReferenceKind.HEAT_PUMP, heat_pump_cop=cop)


@pytest.mark.parametrize(
    ("price", "message"), [(None, "must be a finite number"), (-0.05, "cannot be negative")]
)
def test_invalid_district_heat_is_rejected(price: float | None, message: str) -> None:
    with pytest.raises(ValueError, match=f"district heat price {message}"):
        HeatReference(kind=HeatReferenceKind.DISTRICT_HEAT, district_heat_price_per_kwh=price)
