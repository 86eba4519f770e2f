"""Heat from a hydronic loop: flow units, fluids, calorimetry and estimates."""

import math

import pytest

from custom_components.hashheat.domain.thermal import (
    FLUIDS,
    FlowUnit,
    Fluid,
    FluidProperties,
    calorimetric_heat_w,
    estimated_heat_w,
    flow_m3_per_s,
    measured_capture_fraction,
    parse_flow_unit,
)

WATER = FLUIDS[Fluid.WATER]


def test_every_fluid_has_properties() -> None:
    assert set(FLUIDS) == set(Fluid)


@pytest.mark.parametrize(
    ("value", "unit", "expected_m3_per_s"),
    [
        (20, FlowUnit.L_PER_MIN, 0.020 / 60),  # 20 L = 0.020 m³, per 60 s
        (1200, FlowUnit.L_PER_H, 1.2 / 3600),  # 1200 L = 1.2 m³, per 3600 s
        (1.2, FlowUnit.M3_PER_H, 1.2 / 3600),
        (0.5, FlowUnit.L_PER_S, 0.0005),
        (0.002, FlowUnit.M3_PER_S, 0.002),
        (250, FlowUnit.ML_PER_S, 0.00025),  # 250 mL = 0.25 L = 0.00025 m³
        (0.03, FlowUnit.M3_PER_MIN, 0.0005),  # 0.03 m³ / 60 s
        (5, FlowUnit.GAL_PER_MIN, 5 * 0.003785411784 / 60),  # US gallon = 3.785411784 L
        (60, FlowUnit.GAL_PER_H, 0.003785411784 / 60),  # 60 gal/h = 1 gal/min
        (1440, FlowUnit.GAL_PER_D, 0.003785411784 / 60),  # 1440 gal/day = 1 gal/min
        (1, FlowUnit.FT3_PER_MIN, 0.028316846592 / 60),  # 1 ft³ = 0.3048³ m³
    ],
)
def test_flow_conversion(value: float, unit: FlowUnit, expected_m3_per_s: float) -> None:
    assert flow_m3_per_s(value, unit) == pytest.approx(expected_m3_per_s)


def test_the_conversion_table_covers_every_unit() -> None:
    for unit in FlowUnit:
        assert flow_m3_per_s(1, unit) > 0


# 20 L/min of water warmed by 10 K: 20/60000 m³/s x 990 kg/m³ x 4180 J/kgK x 10 K = 13 794 W.
# Every row is the same 20 L/min (3.333e-4 m³/s) in another unit.
@pytest.mark.parametrize(
    ("value", "unit"),
    [
        (20, FlowUnit.L_PER_MIN),
        (1200, FlowUnit.L_PER_H),  # 20 x 60
        (1.2, FlowUnit.M3_PER_H),  # 1200 L/h / 1000
        (20 / 60, FlowUnit.L_PER_S),
        (20 / 60 / 1000, FlowUnit.M3_PER_S),
        (20 / 60 * 1000, FlowUnit.ML_PER_S),
        (0.02, FlowUnit.M3_PER_MIN),
    ],
)
def test_calorimetric_heat_in_each_flow_unit(value: float, unit: FlowUnit) -> None:
    heat = calorimetric_heat_w(
        flow_m3_per_s=flow_m3_per_s(value, unit), supply_c=45.0, return_c=35.0, fluid=WATER
    )
    assert heat == pytest.approx(13_794.0)


# 20 L/min and 10 K again: 20/60000 x 10 = 1/300, so heat = density x cp / 300.
@pytest.mark.parametrize(
    ("fluid", "expected_w"),
    [
        (Fluid.WATER, 990 * 4180 / 300),  # 13 794 W
        (Fluid.PROPYLENE_GLYCOL_25, 1020 * 3900 / 300),  # 13 260 W
        (Fluid.PROPYLENE_GLYCOL_40, 1030 * 3650 / 300),  # 12 531.67 W
        (Fluid.ETHYLENE_GLYCOL_30, 1040 * 3560 / 300),  # 12 341.33 W
        (Fluid.DIELECTRIC_OIL, 830 * 2100 / 300),  # 5 810 W
    ],
)
def test_calorimetric_heat_of_each_fluid(fluid: Fluid, expected_w: float) -> None:
    heat = calorimetric_heat_w(
        flow_m3_per_s=20 / 60000, supply_c=50.0, return_c=40.0, fluid=FLUIDS[fluid]
    )
    assert heat == pytest.approx(expected_w)


def test_glycol_carries_less_heat_than_water() -> None:
    def heat(fluid: Fluid) -> float:
        return calorimetric_heat_w(
            flow_m3_per_s=0.001, supply_c=45.0, return_c=40.0, fluid=FLUIDS[fluid]
        )

    assert heat(Fluid.PROPYLENE_GLYCOL_40) < heat(Fluid.PROPYLENE_GLYCOL_25) < heat(Fluid.WATER)


def test_calorimetric_heat_of_a_custom_fluid() -> None:
    fluid = FluidProperties(specific_heat_j_per_kg_k=3000.0, density_kg_per_m3=1000.0)
    # 1 L/s = 1 kg/s at 1000 kg/m³; x 3000 J/kgK x 5 K = 15 000 W
    heat = calorimetric_heat_w(flow_m3_per_s=0.001, supply_c=30.0, return_c=25.0, fluid=fluid)
    assert heat == pytest.approx(15_000.0)


@pytest.mark.parametrize(
    ("flow", "supply", "back"),
    [
        (0.001, 35.0, 45.0),  # return warmer than supply: the loop is not being heated
        (0.001, 40.0, 40.0),  # no temperature rise
        (0.0, 45.0, 35.0),  # pump stopped
        (-0.001, 45.0, 35.0),  # flow backwards
    ],
)
def test_calorimetric_heat_is_never_negative(flow: float, supply: float, back: float) -> None:
    heat = calorimetric_heat_w(flow_m3_per_s=flow, supply_c=supply, return_c=back, fluid=WATER)
    assert heat == 0.0


@pytest.mark.parametrize(
    ("flow", "supply", "back"),
    [(math.nan, 45.0, 35.0), (0.001, math.inf, 35.0), (0.001, 45.0, math.nan)],
)
def test_calorimetric_heat_rejects_readings_that_are_not_numbers(
    flow: float, supply: float, back: float
) -> None:
    with pytest.raises(ValueError, match="finite"):
        calorimetric_heat_w(flow_m3_per_s=flow, supply_c=supply, return_c=back, fluid=WATER)


@pytest.mark.parametrize(
    ("specific_heat", "density"),
    [(0.0, 1000.0), (-4180.0, 990.0), (4180.0, 0.0), (math.nan, 990.0), (4180.0, math.inf)],
)
def test_fluid_properties_must_be_positive(specific_heat: float, density: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        FluidProperties(specific_heat_j_per_kg_k=specific_heat, density_kg_per_m3=density)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Home Assistant's UnitOfVolumeFlowRate values
        ("m³/h", FlowUnit.M3_PER_H),
        ("m³/min", FlowUnit.M3_PER_MIN),
        ("m³/s", FlowUnit.M3_PER_S),
        ("ft³/min", FlowUnit.FT3_PER_MIN),
        ("L/h", FlowUnit.L_PER_H),
        ("L/min", FlowUnit.L_PER_MIN),
        ("L/s", FlowUnit.L_PER_S),
        ("gal/h", FlowUnit.GAL_PER_H),
        ("gal/min", FlowUnit.GAL_PER_MIN),
        ("gal/d", FlowUnit.GAL_PER_D),
        ("mL/s", FlowUnit.ML_PER_S),
        # variants
        ("l/min", FlowUnit.L_PER_MIN),
        ("LPM", FlowUnit.L_PER_MIN),
        ("lpm", FlowUnit.L_PER_MIN),
        (" L / min ", FlowUnit.L_PER_MIN),
        ("l/h", FlowUnit.L_PER_H),
        ("l/hr", FlowUnit.L_PER_H),
        ("LPH", FlowUnit.L_PER_H),
        ("m3/h", FlowUnit.M3_PER_H),
        ("M3/H", FlowUnit.M3_PER_H),
        ("m^3/h", FlowUnit.M3_PER_H),
        ("m3/hr", FlowUnit.M3_PER_H),
        ("m3/s", FlowUnit.M3_PER_S),
        ("l/s", FlowUnit.L_PER_S),
        ("l/sec", FlowUnit.L_PER_S),
        ("ml/s", FlowUnit.ML_PER_S),
        ("GPM", FlowUnit.GAL_PER_MIN),
        ("gph", FlowUnit.GAL_PER_H),
        ("CFM", FlowUnit.FT3_PER_MIN),
        ("ft3/min", FlowUnit.FT3_PER_MIN),
        # not a volume flow, or not one we know
        (None, None),
        ("", None),
        ("W", None),
        ("kg/h", None),
        ("L", None),
        ("m³", None),
        ("L/d", None),
    ],
)
def test_parse_flow_unit(text: str | None, expected: FlowUnit | None) -> None:
    assert parse_flow_unit(text) is expected


def test_every_flow_unit_parses_its_own_value() -> None:
    for unit in FlowUnit:
        assert parse_flow_unit(unit.value) is unit


@pytest.mark.parametrize(
    ("power_w", "capture", "expected_w"),
    [
        (3000.0, 0.95, 2850.0),  # 3000 x 0.95
        (3000.0, 1.0, 3000.0),
        (3000.0, 0.0, 0.0),
        (-5.0, 0.95, 0.0),  # a power meter's offset is no heat
    ],
)
def test_estimated_heat(power_w: float, capture: float, expected_w: float) -> None:
    assert estimated_heat_w(power_w, capture) == pytest.approx(expected_w)


@pytest.mark.parametrize("capture", [-0.01, 1.01, 95.0, math.nan])
def test_estimated_heat_rejects_a_fraction_outside_0_to_1(capture: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        estimated_heat_w(3000.0, capture)


@pytest.mark.parametrize(
    ("heat_w", "power_w", "expected"),
    [
        (2850.0, 3000.0, 0.95),  # 2850 / 3000
        (3300.0, 3000.0, 1.1),  # not clamped: a miscalibrated meter shows
        (0.0, 3000.0, 0.0),
    ],
)
def test_measured_capture_fraction(heat_w: float, power_w: float, expected: float) -> None:
    assert measured_capture_fraction(heat_w, power_w) == pytest.approx(expected)


@pytest.mark.parametrize("power_w", [0.0, -10.0])
def test_no_capture_fraction_without_power(power_w: float) -> None:
    assert measured_capture_fraction(2850.0, power_w) is None
