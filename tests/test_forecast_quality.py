"""What is wrong with a price forecast, and until when it is known: synthetic forecasts.

The real integrations' forecasts are checked in test_price_forecast (no problem in any of them,
known until the end of the last published day).
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.hashheat.domain.forecast_quality import (
    ForecastProblem,
    forecast_problems,
    known_until,
)
from custom_components.hashheat.domain.price_forecast import PriceSlot

TEN = datetime(2026, 3, 28, 10, tzinfo=UTC)
HOUR = timedelta(hours=1)
QUARTER = timedelta(minutes=15)
BERLIN = ZoneInfo("Europe/Berlin")


def slot(start: datetime, length: timedelta = HOUR, price: float = 0.1) -> PriceSlot:
    """One slot."""
    return PriceSlot(start=start, end=start + length, price_per_kwh=price)


def hours(first: int, count: int) -> list[PriceSlot]:
    """Consecutive hourly slots from ``first`` o'clock."""
    return [slot(TEN.replace(hour=first) + i * HOUR) for i in range(count)]


def at(hour: int, minute: int = 0) -> datetime:
    """A time on the examples' day."""
    return TEN.replace(hour=hour, minute=minute)


@pytest.mark.parametrize(
    ("slots", "now", "problems"),
    [
        (hours(10, 4), at(10, 30), set()),
        (hours(10, 4), at(13, 59), set()),
        ([], at(10), {ForecastProblem.EMPTY}),
        (hours(10, 4), at(14), {ForecastProblem.NOT_COVERING_NOW}),  # stale
        (hours(11, 4), at(10, 30), {ForecastProblem.NOT_COVERING_NOW}),  # not yet begun
        # 10:00-12:00, then 13:00-14:00: the hour 12:00 is missing.
        ([*hours(10, 2), *hours(13, 1)], at(10, 30), {ForecastProblem.GAP}),
        ([*hours(13, 1), *hours(10, 2)], at(10, 30), {ForecastProblem.GAP}),  # any order
        # A gap behind now does not count; one ahead of a forecast not covering now does.
        ([*hours(8, 1), *hours(10, 3)], at(10, 30), set()),
        (
            [*hours(11, 1), *hours(13, 1)],
            at(10),
            {ForecastProblem.NOT_COVERING_NOW, ForecastProblem.GAP},
        ),
        # The hour 11:00 twice, or a quarter inside it: shared time.
        ([*hours(10, 3), *hours(11, 1)], at(10, 30), {ForecastProblem.OVERLAP}),
        ([*hours(10, 3), slot(at(11, 15), QUARTER)], at(10, 30), {ForecastProblem.OVERLAP}),
        # A long slot that covers the next ones' time, then a hole after them.
        (
            [slot(at(10), 3 * HOUR), *hours(11, 1), *hours(14, 1)],
            at(10, 30),
            {ForecastProblem.OVERLAP, ForecastProblem.GAP},
        ),
    ],
)
def test_forecast_problems(
    slots: list[PriceSlot], now: datetime, problems: set[ForecastProblem]
) -> None:
    assert forecast_problems(slots, now) == problems


def test_forecast_problems_of_local_slots() -> None:
    # Slots and now in any zone: 12:00-13:00 in Berlin (CET) is 11:00-12:00 UTC, right after the
    # UTC slot 10:00-11:00.
    local = PriceSlot(
        start=datetime(2026, 3, 28, 12, tzinfo=BERLIN),
        end=datetime(2026, 3, 28, 13, tzinfo=BERLIN),
        price_per_kwh=0.1,
    )
    assert forecast_problems([*hours(10, 1), local], at(10, 30).astimezone(BERLIN)) == set()
    assert known_until([*hours(10, 1), local], at(10, 30)) == at(12)


def test_problem_values() -> None:
    assert [problem.value for problem in ForecastProblem] == [
        "empty",
        "not_covering_now",
        "gap",
        "overlap",
    ]


@pytest.mark.parametrize(
    ("slots", "now", "until"),
    [
        (hours(10, 4), at(10, 30), at(14)),
        (hours(10, 4), at(13), at(14)),
        ([*hours(10, 2), *hours(13, 1)], at(10, 30), at(12)),  # up to the gap
        ([*hours(10, 2), *hours(13, 1)], at(13, 30), at(14)),
        ([slot(at(10), 3 * HOUR), *hours(11, 1)], at(10, 30), at(13)),  # overlaps extend it
        ([*hours(10, 3), slot(at(11), 4 * HOUR)], at(10, 30), at(15)),
        (hours(10, 4), at(14), None),  # stale
        (hours(11, 4), at(10, 30), None),  # not yet begun
        ([], at(10), None),
    ],
)
def test_known_until(slots: list[PriceSlot], now: datetime, until: datetime | None) -> None:
    assert known_until(slots, now) == until


def test_known_until_is_utc() -> None:
    local = [slot(at(10).astimezone(BERLIN))]
    until = known_until(local, at(10, 30))
    assert until == at(11)
    assert until is not None
    assert until.utcoffset() == timedelta(0)
