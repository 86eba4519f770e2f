"""The plan bench's prices and weather: the 2015 wheels' data by default, or any CSV given.

A CSV has one row per time: ``timestamp,value`` (ISO 8601; without an offset it is UTC), an
optional header row, the value in EUR/MWh (prices) or °C (weather). Finer rows (15-min prices)
are averaged into hours; the bench plans and scores hour by hour.
"""

import csv
import itertools
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scripts.bench_tariff import PRICE_FILE, PRICE_ZONE, WEATHER_FILE, WHEELS, YEAR
from sim.dwd_try import read_try_temperatures, try_outdoor
from sim.outdoor import HourlySeries
from sim.smard import PriceHour, read_day_ahead
from sim.wheel_data import read_wheel_file

HOUR = timedelta(hours=1)


def read_series_csv(text: str) -> list[tuple[datetime, float]]:
    """The ``(timestamp, value)`` rows of a CSV in time order; a first row that is not is a header.

    Raises ValueError for a row that is not a timestamp and a number, or no rows.
    """
    rows: list[tuple[datetime, float]] = []
    for number, row in enumerate(csv.reader(text.lstrip("\ufeff").splitlines())):
        if not row or not "".join(row).strip():
            continue
        try:
            moment = datetime.fromisoformat(row[0].strip())
            value = float(row[1])
        except (ValueError, IndexError) as err:
            if number == 0:
                continue
            raise ValueError(f"row {number + 1} is not a timestamp and a number: {row}") from err
        rows.append((moment if moment.tzinfo else moment.replace(tzinfo=UTC), value))
    if not rows:
        raise ValueError("the CSV has no rows")
    return sorted(rows)


def hourly_means(rows: list[tuple[datetime, float]]) -> list[tuple[datetime, float]]:
    """The mean of the rows in each hour (UTC), by the hour's start."""
    hours: defaultdict[datetime, list[float]] = defaultdict(list)
    for moment, value in rows:
        hours[moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)].append(value)
    return [(start, statistics.fmean(values)) for start, values in sorted(hours.items())]


def read_prices_csv(text: str) -> list[PriceHour]:
    """Hourly day-ahead prices (EUR/MWh) from a CSV."""
    return [
        PriceHour(start=start, eur_per_mwh=value)
        for start, value in hourly_means(read_series_csv(text))
    ]


def read_weather_csv(text: str) -> HourlySeries:
    """Hourly outdoor temperatures (°C) from a CSV; ValueError when an hour is missing."""
    hours = hourly_means(read_series_csv(text))
    for (before, _), (after, _) in itertools.pairwise(hours):
        if after - before != HOUR:
            raise ValueError(f"no temperature for the hour from {(before + HOUR).isoformat()}")
    return HourlySeries(hours[0][0].timestamp(), [value for _, value in hours])


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanData:
    """Spot prices (EUR/MWh, hourly), outdoor temperatures and where they came from."""

    prices: list[PriceHour]
    outdoor: HourlySeries
    sources: dict[str, str]


def load_plan_data(
    prices_csv: Path | None = None,
    weather_csv: Path | None = None,
    wheels: Path = WHEELS,
    *,
    zone: str = PRICE_ZONE,
    price_scale: float = 1.0,
) -> PlanData:
    """The CSVs given, else the bench lock's wheels (SMARD 2015 and the DWD test reference year).

    ``zone`` picks another bidding zone of the SMARD file; ``price_scale`` multiplies every spot
    price (a price crisis from a calm year's shape, e.g. 6 for 2022's German level).
    """
    sources: dict[str, str] = {}
    if prices_csv is None:
        wheel = read_wheel_file(wheels, *PRICE_FILE)
        prices = read_day_ahead(wheel.text, zone)
        sources["prices"] = f"{wheel.wheel}:{wheel.member} ({zone})"
    else:
        prices = read_prices_csv(prices_csv.read_text(encoding="utf-8"))
        sources["prices"] = str(prices_csv)
    if price_scale != 1.0:
        prices = [
            PriceHour(start=hour.start, eur_per_mwh=hour.eur_per_mwh * price_scale)
            for hour in prices
        ]
        sources["prices"] += f" x {price_scale:g}"
    if weather_csv is None:
        wheel = read_wheel_file(wheels, *WEATHER_FILE)
        outdoor = try_outdoor(read_try_temperatures(wheel.text), YEAR)
        sources["weather"] = f"{wheel.wheel}:{wheel.member} (laid on {YEAR})"
    else:
        outdoor = read_weather_csv(weather_csv.read_text(encoding="utf-8"))
        sources["weather"] = str(weather_csv)
    return PlanData(prices=prices, outdoor=outdoor, sources=sources)
