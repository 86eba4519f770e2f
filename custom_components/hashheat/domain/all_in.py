"""The all-in electricity price a site pays: (spot + grid fee + levies) x (1 + VAT).

Spot-price sources (Nord Pool, ENTSO-e, EPEX Spot) publish the wholesale price; the grid fee, the
levies and the VAT come on top. Fees are in the spot price's currency per kWh, VAT is a fraction.
The grid fee may depend on the time of day (day/night network tariffs): windows of local time,
each with its fee, and the flat grid fee outside them. A price at an instant takes the window
that instant falls in; a forecast slot takes the window its start falls in.

VAT applies to the sum as it is, so a negative sum stays negative, times 1 + VAT.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, time, tzinfo
from itertools import combinations
from typing import Final

from .price_forecast import PriceSlot

_DAY_S: Final = 24 * 3600

# "22:00-06:00 0.05": start and end (hh:mm, 24:00 for the end of the day) and the fee, with a
# decimal point or comma. Windows are separated by new lines or semicolons.
_WINDOW: Final = re.compile(
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s+(?P<fee>[+-]?\d+(?:[.,]\d+)?)"
)
_SEPARATORS: Final = re.compile(r"[;\n]")


@dataclass(frozen=True, kw_only=True, slots=True)
class FeeWindow:
    """A grid fee from ``start`` until ``end`` in local time.

    An end before the start runs across midnight; an end equal to the start makes it all day.
    """

    start: time
    end: time
    fee_per_kwh: float

    def contains(self, moment: time) -> bool:
        """Whether a local time of day falls in the window (its start in, its end out)."""
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def spans(self) -> list[tuple[int, int]]:
        """The seconds of the day the window covers, as [from, to) pairs."""
        start, end = _seconds(self.start), _seconds(self.end)
        if start < end:
            return [(start, end)]
        return [(start, _DAY_S), (0, end)]


@dataclass(frozen=True, kw_only=True, slots=True)
class Tariff:
    """What a site pays on top of the spot price; all zero: the price as published."""

    grid_fee_per_kwh: float = 0.0
    levies_per_kwh: float = 0.0
    vat: float = 0.0
    windows: tuple[FeeWindow, ...] = ()

    def grid_fee(self, at: datetime, zone: tzinfo) -> float:
        """The grid fee at an aware instant: its window's in ``zone``'s local time, else flat."""
        local = at.astimezone(zone).time()
        return next(
            (window.fee_per_kwh for window in self.windows if window.contains(local)),
            self.grid_fee_per_kwh,
        )

    def all_in(self, spot_per_kwh: float, at: datetime, zone: tzinfo) -> float:
        """The all-in price of a spot price at an aware instant."""
        fees = self.grid_fee(at, zone) + self.levies_per_kwh
        return (spot_per_kwh + fees) * (1 + self.vat)


def all_in_slots(slots: Iterable[PriceSlot], tariff: Tariff, zone: tzinfo) -> list[PriceSlot]:
    """A forecast's slots at their all-in prices, each with the grid fee at its start."""
    return [
        replace(slot, price_per_kwh=tariff.all_in(slot.price_per_kwh, slot.start, zone))
        for slot in slots
    ]


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _time(text: str, *, end: bool) -> time | None:
    """An hh:mm time of day; 24:00 for the end of a window (midnight); None for no such time."""
    if end and text == "24:00":
        return time(0)
    hours, minutes = (int(part) for part in text.split(":"))
    try:
        return time(hours, minutes)
    except ValueError:
        return None


def parse_fee_windows(text: str) -> tuple[FeeWindow, ...] | None:
    """Windows written as ``22:00-06:00 0.05; 06:00-22:00 0.09``; None when any is malformed.

    One window a line or between semicolons; blank parts are skipped, so empty text is none.
    """
    windows: list[FeeWindow] = []
    for part in _SEPARATORS.split(text):
        if not part.strip():
            continue
        if (match := _WINDOW.fullmatch(part.strip())) is None:
            return None
        start, end = _time(match["start"], end=False), _time(match["end"], end=True)
        if start is None or end is None:
            return None
        fee = float(match["fee"].replace(",", "."))
        windows.append(FeeWindow(start=start, end=end, fee_per_kwh=fee))
    return tuple(windows)


def overlapping(windows: Iterable[FeeWindow]) -> bool:
    """Whether any two windows share a moment of the day."""
    return any(
        first_from < second_to and second_from < first_to
        for first, second in combinations(windows, 2)
        for first_from, first_to in first.spans()
        for second_from, second_to in second.spans()
    )
