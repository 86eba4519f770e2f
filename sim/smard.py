"""Day-ahead prices as SMARD (the German regulator's market data site) exports them, hour by hour.

The CSV has one row per hour: ``Date;Time of day;<zone>[€/MWh];...`` with the date as
``Jan 5, 2015`` and the time as ``1:00 AM`` in German local time, ``-`` where a zone had no
price. The hour that repeats when daylight saving ends appears twice, in order; the one skipped
when it starts does not appear.
"""

import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

__all__ = ["GERMAN_TIME", "PriceHour", "read_day_ahead"]

GERMAN_TIME = ZoneInfo("Europe/Berlin")
_MISSING = "-"


@dataclass(frozen=True, kw_only=True, slots=True)
class PriceHour:
    """One hour's day-ahead price of a zone: its start (aware, UTC) and EUR/MWh."""

    start: datetime
    eur_per_mwh: float


def read_day_ahead(text: str, zone: str) -> list[PriceHour]:
    """The hours of ``zone`` (a column title, e.g. ``Germany/Austria/Luxembourg[€/MWh]``).

    Hours without a price are left out. Raises ValueError for a zone the file lacks or a row that
    is not a date, an hour and numbers.
    """
    rows = csv.reader(text.lstrip("\ufeff").splitlines(), delimiter=";")
    header = next(rows, [])
    if zone not in header:
        raise ValueError(f"no column {zone!r} in the price file (it has {header[2:]})")
    column = header.index(zone)
    hours: list[PriceHour] = []
    previous: datetime | None = None
    for row in rows:
        if not row:
            continue
        local = datetime.strptime(f"{row[0]} {row[1]}", "%b %d, %Y %I:%M %p")  # noqa: DTZ007
        # The second of two equal wall-clock hours is the one after daylight saving ended.
        start = local.replace(tzinfo=GERMAN_TIME, fold=int(local == previous))
        previous = local
        if row[column] != _MISSING:
            hours.append(PriceHour(start=start.astimezone(UTC), eur_per_mwh=float(row[column])))
    return hours
