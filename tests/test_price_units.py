"""Electricity price sensor units: currency and the factor to main currency per kWh."""

import math

import pytest

from custom_components.hashheat.domain.price_units import (
    PriceUnit,
    PriceUnitProblem,
    parse_hashprice_unit,
    parse_price_unit,
    price_per_kwh,
    price_unit_problem,
)


@pytest.mark.parametrize(
    ("unit", "currency", "factor"),
    [
        ("EUR/kWh", "EUR", 1.0),
        ("€/kWh", "EUR", 1.0),
        ("EUR/MWh", "EUR", 0.001),  # 1 MWh = 1000 kWh
        ("€/MWh", "EUR", 0.001),
        ("EUR/Wh", "EUR", 1000.0),
        ("EUR/GWh", "EUR", 0.000001),
        ("EUR/GJ", "EUR", 0.0036),  # 1 kWh = 3.6 MJ = 0.0036 GJ
        ("EUR / kWh", "EUR", 1.0),
        ("eur/KWH", "EUR", 1.0),
        ("EUR per kWh", "EUR", 1.0),
        ("ct/kWh", None, 0.01),
        ("c/kWh", None, 0.01),
        ("cent/kWh", None, 0.01),
        ("Cent/kWh", None, 0.01),
        ("¢/kWh", None, 0.01),
        ("EUR cent/kWh", "EUR", 0.01),
        ("€ct/kWh", "EUR", 0.01),
        ("ct EUR/kWh", "EUR", 0.01),
        ("USD cents/kWh", "USD", 0.01),
        ("ct/MWh", None, 0.00001),  # 0.01 x 0.001
        ("p/kWh", "GBP", 0.01),
        ("GBP/kWh", "GBP", 1.0),
        ("£/kWh", "GBP", 1.0),
        ("$/kWh", None, 1.0),  # Amber (Australia) reports "$/kWh": the dollar is not only USD
        ("US$/kWh", "USD", 1.0),
        ("A$/kWh", "AUD", 1.0),
        ("USD/MWh", "USD", 0.001),
        ("SEK/kWh", "SEK", 1.0),
        ("öre/kWh", "SEK", 0.01),
        ("Öre/kWh", "SEK", 0.01),
        ("NOK/kWh", "NOK", 1.0),
        ("øre/kWh", None, 0.01),  # Norwegian or Danish
        ("Øre/kWh", None, 0.01),
        ("ore/kWh", None, 0.01),  # ASCII for øre or öre
        ("øre DKK/kWh", "DKK", 0.01),
        ("öre kr/kWh", "SEK", 0.01),  # the subunit names the currency the symbol does not
        ("$ ct/kWh", None, 0.01),
        ("DKK/kWh", "DKK", 1.0),
        ("kr/kWh", None, 1.0),  # SEK, NOK, DKK or ISK
        ("PLN/MWh", "PLN", 0.001),
        ("zł/MWh", "PLN", 0.001),
        ("CHF/kWh", "CHF", 1.0),
        ("Rp./kWh", "CHF", 0.01),  # Swiss Rappen
        ("CZK/MWh", "CZK", 0.001),
    ],
)
def test_parse_price_unit(unit: str, currency: str | None, factor: float) -> None:
    parsed = parse_price_unit(unit)
    assert parsed is not None
    assert parsed.currency == currency
    assert parsed.per_kwh_factor == pytest.approx(factor)


@pytest.mark.parametrize(
    "unit",
    [
        None,
        "",
        "W",
        "%",
        "kWh",
        "EUR",
        "/kWh",  # no money
        "EUR/",
        "EUR/kW",  # a capacity charge, not an energy price
        "EUR/m³",
        "EUR/kWh/day",
        "lbs/MWh",  # WattTime's CO2 intensity
        "g/kWh",
        "gCO2eq/kWh",
        "XYZ/kWh",  # not an ISO 4217 code
        "p EUR/kWh",  # pence are British
        "credits/kWh",  # starts like "c" (cent), but is no currency
    ],
)
def test_not_a_price_per_energy(unit: str | None) -> None:
    assert parse_price_unit(unit) is None


@pytest.mark.parametrize(
    ("state", "unit", "expected"),
    [
        (85.3, "EUR/MWh", 0.0853),  # 85.3 / 1000
        (-12.0, "EUR/MWh", -0.012),  # negative spot prices stay negative
        (23.5, "ct/kWh", 0.235),  # 23.5 / 100
        (24.5, "p/kWh", 0.245),  # 24.5 pence = 0.245 GBP
        (0.000235, "EUR/Wh", 0.235),  # 0.000235 x 1000
        (1.42, "SEK/kWh", 1.42),
    ],
)
def test_price_per_kwh(state: float, unit: str, expected: float) -> None:
    parsed = parse_price_unit(unit)
    assert parsed is not None
    assert price_per_kwh(state, parsed) == pytest.approx(expected)


def test_price_per_kwh_of_a_unit_given_by_hand() -> None:
    assert price_per_kwh(30.0, PriceUnit(currency="EUR", per_kwh_factor=0.01)) == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("state", "unit", "expected"),
    [
        # A power of ten moves the decimal point; multiplying by 0.001 or 0.01 would not give
        # these floats (9.92 x 0.001 = 0.009920000000000001, -1.596 x 0.01 = -0.015960000000000002).
        (9.92, "EUR/MWh", 0.00992),
        (-1.596, "p/kWh", -0.01596),
        (16.7685, "p/kWh", 0.167685),
        (5.0, "ct/MWh", 0.00005),
        (0.000853, "EUR/Wh", 0.853),
        (0.1, "EUR/kWh", 0.1),
        (math.inf, "EUR/MWh", math.inf),
    ],
)
def test_price_per_kwh_is_exact_for_powers_of_ten(state: float, unit: str, expected: float) -> None:
    parsed = parse_price_unit(unit)
    assert parsed is not None
    assert price_per_kwh(state, parsed) == expected


def test_price_per_kwh_other_factors_multiply() -> None:
    parsed = parse_price_unit("EUR/GJ")  # 1 kWh = 0.0036 GJ
    assert parsed is not None
    assert price_per_kwh(10.0, parsed) == 10.0 * 0.0036


@pytest.mark.parametrize(
    ("unit", "currency", "factor"),
    [
        ("USD/PH/day", "USD", 1e-3),  # Luxor's hashprice index
        ("EUR/TH/d", "EUR", 1.0),
        ("EUR/TH/s/day", "EUR", 1.0),
        ("$/PHs/day", None, 1e-3),
        ("ct/TH/day", None, 0.01),
        ("USD/EH/day", "USD", 1e-6),
    ],
)
def test_hashprice_units(unit: str, currency: str | None, factor: float) -> None:
    parsed = parse_hashprice_unit(unit)
    assert parsed is not None
    assert parsed.currency == currency
    assert parsed.per_th_day_factor == pytest.approx(factor)


@pytest.mark.parametrize("unit", [None, "", "USD/day", "USD/kWh", "TH/s", "USD/GH/day", "x/TH/y"])
def test_not_hashprice_units(unit: str | None) -> None:
    assert parse_hashprice_unit(unit) is None


@pytest.mark.parametrize(
    ("unit", "problem"),
    [
        ("EUR/kWh", None),
        ("€/MWh", None),
        ("ct/kWh", None),  # names no currency: taken to be the site's
        ("kr/kWh", None),  # shared by SEK, NOK, DKK: the site's
        ("NOK/kWh", PriceUnitProblem.CURRENCY),
        ("øre NOK/kWh", PriceUnitProblem.CURRENCY),
        ("p/kWh", PriceUnitProblem.CURRENCY),  # pence: GBP
        ("EUR", PriceUnitProblem.UNIT),  # no energy
        ("EUR/m³", PriceUnitProblem.UNIT),
        (None, PriceUnitProblem.UNIT),
    ],
)
def test_price_unit_problem(unit: str | None, problem: PriceUnitProblem | None) -> None:
    assert price_unit_problem(unit, "EUR") == problem
