"""Outdoor temperatures of a DWD test reference year (TRY 2010 format), hour by hour.

A TRY file is free text down to a line of ``***``; below it one whitespace-separated row per hour
of a 365-day year: ``RG IS MM DD HH N WR WG t ...`` with the hour ``HH`` from 1 to 24 in
Central European Time all year (no daylight saving) and the air temperature ``t`` in °C. The
column titles stand on the line before the ``***``.
"""

from datetime import UTC, datetime, timedelta, timezone

from sim.outdoor import HOUR_S, HourlySeries

__all__ = ["CENTRAL_EUROPEAN_TIME", "TRY_HOURS", "read_try_temperatures", "try_outdoor"]

CENTRAL_EUROPEAN_TIME = timezone(timedelta(hours=1))
TRY_HOURS = 8760
_TEMPERATURE = "t"
_HOUR = "HH"


def read_try_temperatures(text: str) -> list[float]:
    """The year's air temperatures in file order: the first at 01:00 CET on 1 January.

    Raises ValueError when the file has no ``***`` line, no ``t`` or ``HH`` column, or not
    one row for each of the 8760 hours in order.
    """
    lines = text.splitlines()
    marker = next((i for i, line in enumerate(lines) if line.startswith("***")), None)
    if marker is None or marker == 0:
        raise ValueError("not a TRY file: no column titles above a line of ***")
    titles = lines[marker - 1].split()
    if _TEMPERATURE not in titles or _HOUR not in titles:
        raise ValueError(f"no {_TEMPERATURE!r} or {_HOUR!r} column in {titles}")
    column, hour_column = titles.index(_TEMPERATURE), titles.index(_HOUR)
    rows = [line.split() for line in lines[marker + 1 :] if line.strip()]
    if len(rows) != TRY_HOURS:
        raise ValueError(f"a TRY year has {TRY_HOURS} hours, this file {len(rows)}")
    for index, row in enumerate(rows):
        if int(row[hour_column]) != index % 24 + 1:
            raise ValueError(f"row {index + 1} is hour {row[hour_column]}, not {index % 24 + 1}")
    return [float(row[column]) for row in rows]


def try_outdoor(temperatures: list[float], year: int) -> HourlySeries:
    """The reference year laid on ``year``'s calendar, on a clock of Unix seconds."""
    new_year = datetime(year, 1, 1, tzinfo=CENTRAL_EUROPEAN_TIME).astimezone(UTC)
    return HourlySeries(new_year.timestamp() + HOUR_S, temperatures)
