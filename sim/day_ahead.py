"""A deterministic day-ahead electricity price curve, hourly, in EUR/kWh.

The shape of a sunny-winter spot market: cheap at night and cheapest around noon (solar), with
a morning and a higher evening peak. Each day is scaled a little differently (by its date), so
today and tomorrow differ. Used by the demo site's price sensor (``python -m sim site``).
"""

from datetime import UTC, datetime, timedelta, tzinfo
from math import sin

__all__ = ["HOURLY_SHAPE", "day_ahead_prices", "price_at"]

HOURLY_SHAPE: tuple[float, ...] = (
    0.14, 0.12, 0.11, 0.10, 0.10, 0.12, 0.17, 0.24, 0.27, 0.22, 0.16, 0.11,
    0.08, 0.08, 0.10, 0.14, 0.20, 0.28, 0.32, 0.30, 0.25, 0.20, 0.17, 0.15,
)  # fmt: skip
"""EUR/kWh by local hour of the day (0-23)."""

_DAY_SWING = 0.1  # each day's prices are scaled by 1 +- this
_HOUR = timedelta(hours=1)


def price_at(moment: datetime) -> float:
    """The price of the hour ``moment`` (aware) falls in, by its local hour and date."""
    scale = 1.0 + _DAY_SWING * sin(moment.date().toordinal())
    return round(HOURLY_SHAPE[moment.hour] * scale, 4)


def day_ahead_prices(now: datetime, zone: tzinfo, *, days: int = 2) -> list[tuple[datetime, float]]:
    """Hourly (start, price) from local midnight of ``now``'s day in ``zone``, for ``days`` days.

    Starts are aware local times; across a daylight-saving change a day has 23 or 25 hours.
    """
    local = now.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    # Aware arithmetic on a zone's datetime is wall-clock arithmetic: local midnight again.
    end = midnight + timedelta(days=days)
    start_utc, end_utc = midnight.astimezone(UTC), end.astimezone(UTC)
    prices: list[tuple[datetime, float]] = []
    moment = start_utc
    while moment < end_utc:
        start = moment.astimezone(zone)
        prices.append((start, price_at(start)))
        moment += _HOUR
    return prices
