"""Electricity prices from a sensor, whatever unit it states them in, as main currency per kWh.

Price sensors differ: Nord Pool reports "EUR/kWh", spot markets "EUR/MWh", German tariffs
"ct/kWh", British ones "p/kWh", Amber (Australia) "$/kWh". The unit names the currency when it
can; when it names only a subunit or a symbol several currencies share ("c", "kr", "$"), the
currency is left to the caller, which falls back to Home Assistant's configured currency.
"""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final


@dataclass(frozen=True, kw_only=True, slots=True)
class PriceUnit:
    """A price unit: its currency, and the factor that turns a price in it into one per kWh.

    ``currency`` is an ISO 4217 code, or None when the unit does not say which currency.
    A sensor's state times ``per_kwh_factor`` is the price in main currency units per kWh.
    """

    currency: str | None
    per_kwh_factor: float


# Home Assistant's ACTIVE_CURRENCIES (homeassistant.generated.currencies), copied to keep this
# module free of Home Assistant, plus XCG and ZWG (introduced in ISO 4217 in 2024-2025).
# Only real codes count, so that units such as WattTime's "lbs/MWh" are not taken for prices.
_ISO_4217_TEXT: Final = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES
    KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR
    MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB
    RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY
    TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL
"""
ISO_4217_CODES: Final = frozenset(_ISO_4217_TEXT.split())

# Energy units (lower-cased) and the factor from a price per that unit to a price per kWh.
# Lower-casing makes "mWh" read as MWh: nobody prices milliwatt-hours.
_PER_KWH: Final[Mapping[str, float]] = {
    "wh": 1000.0,
    "kwh": 1.0,
    "mwh": 1e-3,
    "gwh": 1e-6,
    "mj": 3.6,  # 1 kWh = 3.6 MJ
    "gj": 3.6e-3,
}

# Symbols and names of a main unit (lower-cased); None where several currencies use the symbol
# ("$": USD, AUD, CAD, ...; "kr": SEK, NOK, DKK, ISK).
_MAIN_UNITS: Final[Mapping[str, str | None]] = {
    "€": "EUR",
    "euro": "EUR",
    "£": "GBP",
    "$": None,
    "us$": "USD",
    "a$": "AUD",
    "au$": "AUD",
    "c$": "CAD",
    "ca$": "CAD",
    "nz$": "NZD",
    "zł": "PLN",
    "kr": None,
    "kr.": None,
}

# Hundredths of a main unit (lower-cased), with the currency when only one uses the name.
# "øre" is Norwegian and Danish, and "ore" may stand for it or for Swedish "öre".
_SUBUNITS: Final[Mapping[str, str | None]] = {
    "cents": None,
    "cent": None,
    "ct": None,
    "c": None,
    "¢": None,
    "p": "GBP",
    "pence": "GBP",
    "rp": "CHF",
    "rp.": "CHF",
    "öre": "SEK",
    "øre": None,
    "ore": None,
}

# Longest first, so that a whole name ("cents") is tried before one it starts with ("c").
_SUBUNIT_NAMES: Final = sorted(_SUBUNITS, key=len, reverse=True)

_PER: Final = re.compile(r"\s*/\s*|\s+per\s+", re.IGNORECASE)

_SUBUNIT_FACTOR: Final = 0.01


def _currency_named(text: str) -> str | None:
    """The one currency an ISO code, symbol or name stands for; None if unknown or shared."""
    if text.upper() in ISO_4217_CODES:
        return text.upper()
    return _MAIN_UNITS.get(text)


def _money(text: str) -> tuple[str | None, float] | None:
    """Currency and factor to main units of a money unit such as "EUR", "ct" or "EUR cent"."""
    if not text:
        return None
    if (currency := _currency_named(text)) is not None or text in _MAIN_UNITS:
        return currency, 1.0
    if text in _SUBUNITS:
        return _SUBUNITS[text], _SUBUNIT_FACTOR
    # A main unit and a subunit together, either way round: "EUR cent", "ct EUR", "€ct", "øre DKK";
    # a currency named by either side counts, and one named differently by both sides is no unit.
    for name in _SUBUNIT_NAMES:
        if text.endswith(name):
            rest = text.removesuffix(name).strip()
        elif text.startswith(name):
            rest = text.removeprefix(name).strip()
        else:
            continue
        main = _currency_named(rest)
        if main is None and rest not in _MAIN_UNITS:
            continue
        sub = _SUBUNITS[name]
        if main is None or sub is None or main == sub:
            return main or sub, _SUBUNIT_FACTOR
    return None


def currency_of(unit: str | None) -> str | None:
    """The currency a money unit such as "EUR" or "€" names (None when none or ambiguous)."""
    money = _money((unit or "").strip().lower())
    return None if money is None else money[0]


def parse_price_unit(unit: str | None) -> PriceUnit | None:
    """Read a price sensor's unit; None when it is not a price per unit of energy."""
    if unit is None:
        return None
    match _PER.split(unit.strip()):
        case [money, energy]:
            per_kwh = _PER_KWH.get(energy.strip().lower())
            money_unit = _money(money.strip().lower())
        case _:
            return None
    if per_kwh is None or money_unit is None:
        return None
    currency, to_main_unit = money_unit
    return PriceUnit(currency=currency, per_kwh_factor=to_main_unit * per_kwh)


class PriceUnitProblem(StrEnum):
    """Why a price in a unit cannot be used as a price in the site's currency per kWh."""

    UNIT = "price_unit"  # not a price per energy
    CURRENCY = "price_currency"  # a price in another currency


def price_unit_problem(unit: str | None, currency: str) -> PriceUnitProblem | None:
    """What keeps a price in ``unit`` from counting as ``currency`` per kWh; None when nothing.

    A unit that names no currency ("ct/kWh", "kr/kWh") is taken to be in ``currency``.
    """
    if (price_unit := parse_price_unit(unit)) is None:
        return PriceUnitProblem.UNIT
    if price_unit.currency is not None and price_unit.currency != currency:
        return PriceUnitProblem.CURRENCY
    return None


def price_per_kwh(state: float, unit: PriceUnit) -> float:
    """Convert a price (a sensor's state, a forecast's slot) to main currency units per kWh.

    A power-of-ten factor moves the decimal point of the number as written, as the integrations'
    own per-kWh figures do: 9.92 EUR/MWh is 0.00992 EUR/kWh, where 9.92 x 0.001 would give
    0.009920000000000001 and no longer equal the integration's current-price sensor.
    """
    factor = unit.per_kwh_factor
    if factor > 0 and math.isfinite(state):
        exponent = round(math.log10(factor))
        if math.isclose(factor, 10.0**exponent, rel_tol=1e-12):
            return float(Decimal(repr(state)).scaleb(exponent))
    return state * factor


@dataclass(frozen=True, kw_only=True, slots=True)
class HashpriceUnit:
    """Unit of a hashprice sensor: ``state x per_th_day_factor`` is currency per TH/s per day."""

    currency: str | None
    per_th_day_factor: float


# Per TH/s of the hashrate unit a hashprice is quoted per (Luxor's index: USD per PH/s per day).
_PER_HASHRATE: Final[Mapping[str, float]] = {"th": 1.0, "ph": 1e-3, "eh": 1e-6}
_HASHPRICE: Final = re.compile(
    r"^(?P<money>[^/]+?)\s*/\s*(?P<hash>[tpe]h)(?:\s*/\s*s|s)?\s*/\s*(?:day|d)$", re.IGNORECASE
)


def parse_hashprice_unit(unit: str | None) -> HashpriceUnit | None:
    """Read a hashprice sensor's unit, e.g. "USD/PH/day" or "EUR/TH/s/d"; None otherwise."""
    match = _HASHPRICE.match((unit or "").strip())
    if match is None or (money := _money(match["money"].strip().lower())) is None:
        return None
    currency, to_main_unit = money
    return HashpriceUnit(
        currency=currency,
        per_th_day_factor=to_main_unit * _PER_HASHRATE[match["hash"].lower()],
    )
