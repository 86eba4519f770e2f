"""The all-in price: (spot + grid fee + levies) x (1 + VAT), with time-of-use grid fees."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.hashheat.domain.all_in import (
    FeeWindow,
    Tariff,
    all_in_slots,
    overlapping,
    parse_fee_windows,
)
from custom_components.hashheat.domain.price_forecast import PriceSlot

BERLIN = ZoneInfo("Europe/Berlin")
HELSINKI = ZoneInfo("Europe/Helsinki")
NOON = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
# A night network tariff, as German, Dutch and Nordic grid operators have them.
NIGHT = FeeWindow(start=time(22), end=time(6), fee_per_kwh=0.03)
DAY_AND_NIGHT = Tariff(grid_fee_per_kwh=0.08, levies_per_kwh=0.02, vat=0.19, windows=(NIGHT,))


def hourly(start: datetime, hours: int, price: float = 0.0) -> list[PriceSlot]:
    return [
        PriceSlot(start=start + i * HOUR, end=start + (i + 1) * HOUR, price_per_kwh=price)
        for i in range(hours)
    ]


def test_no_adders_is_the_spot_price() -> None:
    assert Tariff().all_in(0.1234, NOON, BERLIN) == 0.1234


@pytest.mark.parametrize(
    ("spot", "expected"),
    [
        (0.10, (0.10 + 0.08 + 0.02) * 1.19),
        (0.0, 0.10 * 1.19),
        # A negative spot price lowers the sum; the fees are still paid.
        (-0.05, 0.05 * 1.19),
        # Below minus the fees the sum is negative, and VAT makes it more so.
        (-0.30, -0.20 * 1.19),
    ],
)
def test_spot_plus_fees_times_vat(spot: float, expected: float) -> None:
    tariff = Tariff(grid_fee_per_kwh=0.08, levies_per_kwh=0.02, vat=0.19)
    assert tariff.all_in(spot, NOON, BERLIN) == pytest.approx(expected)


def test_vat_multiplies_a_negative_sum() -> None:
    tariff = Tariff(vat=0.25)
    assert tariff.all_in(-0.08, NOON, BERLIN) == pytest.approx(-0.10)


@pytest.mark.parametrize(
    ("local", "fee"),
    [
        ("2026-11-26 21:59", 0.08),
        ("2026-11-26 22:00", 0.03),
        ("2026-11-26 23:30", 0.03),
        ("2026-11-27 00:00", 0.03),
        ("2026-11-27 05:59", 0.03),
        ("2026-11-27 06:00", 0.08),
        ("2026-11-27 12:00", 0.08),
    ],
)
def test_a_window_across_midnight(local: str, fee: float) -> None:
    at = datetime.fromisoformat(local).replace(tzinfo=BERLIN)
    assert DAY_AND_NIGHT.grid_fee(at, BERLIN) == fee
    # The same instant given in UTC: the window is in the site's local time.
    assert DAY_AND_NIGHT.grid_fee(at.astimezone(UTC), BERLIN) == fee
    assert DAY_AND_NIGHT.all_in(0.10, at, BERLIN) == pytest.approx((0.10 + fee + 0.02) * 1.19)


def test_the_window_is_read_in_the_sites_time_zone() -> None:
    # 21:30 UTC is 22:30 in Berlin (night) and 23:30 in Helsinki (night), 21:30 in London (day).
    at = datetime(2026, 11, 26, 21, 30, tzinfo=UTC)
    assert DAY_AND_NIGHT.grid_fee(at, BERLIN) == 0.03
    assert DAY_AND_NIGHT.grid_fee(at, ZoneInfo("Europe/London")) == 0.08


def test_the_first_window_that_holds_the_time_wins_and_the_flat_fee_is_the_rest() -> None:
    peak = FeeWindow(start=time(17), end=time(20), fee_per_kwh=0.15)
    tariff = Tariff(grid_fee_per_kwh=0.06, windows=(peak, NIGHT))
    fees = [
        tariff.grid_fee(datetime(2026, 11, 26, hour, tzinfo=BERLIN), BERLIN) for hour in range(24)
    ]
    assert fees == [0.03] * 6 + [0.06] * 11 + [0.15] * 3 + [0.06] * 2 + [0.03] * 2


def test_an_all_day_window() -> None:
    all_day = FeeWindow(start=time(0), end=time(0), fee_per_kwh=0.05)
    assert all(all_day.contains(time(hour, 30)) for hour in range(24))
    assert all_day.spans() == [(0, 86400), (0, 0)]


@pytest.mark.parametrize(
    ("day", "night_hours"),
    [
        ("2026-03-29", 7),  # clocks go forward at 02:00 CET: 22:00-06:00 lasts 7 hours
        ("2026-10-25", 9),  # and back at 03:00 CEST: it lasts 9
        ("2026-11-26", 8),
    ],
)
def test_night_slots_across_a_dst_change(day: str, night_hours: int) -> None:
    """The night fee covers 22:00 to 06:00 on the clock, however many hours that is."""
    evening = datetime.fromisoformat(f"{day} 18:00").replace(tzinfo=BERLIN).astimezone(UTC)
    eve = (datetime.fromisoformat(f"{day} 18:00") - timedelta(days=1)).replace(tzinfo=BERLIN)
    hours = (evening - eve.astimezone(UTC)) // HOUR
    slots = hourly(eve.astimezone(UTC), hours, price=0.10)
    assert slots[-1].end == evening
    priced = all_in_slots(slots, DAY_AND_NIGHT, BERLIN)
    night = [
        slot for slot in priced if slot.price_per_kwh == pytest.approx((0.10 + 0.03 + 0.02) * 1.19)
    ]
    assert len(night) == night_hours
    assert night[0].start.astimezone(BERLIN).hour == 22
    assert night[-1].end.astimezone(BERLIN).hour == 6
    day_fee = [slot for slot in priced if slot not in night]
    assert all(slot.price_per_kwh == pytest.approx((0.10 + 0.08 + 0.02) * 1.19) for slot in day_fee)


def test_a_slot_takes_the_fee_at_its_start() -> None:
    # A half-hour window inside an hourly slot: the slot starting 21:00 is not in it.
    late = FeeWindow(start=time(21, 30), end=time(22), fee_per_kwh=1.0)
    start = datetime(2026, 11, 26, 21, tzinfo=HELSINKI)
    (slot,) = all_in_slots(hourly(start, 1, price=0.1), Tariff(windows=(late,)), HELSINKI)
    assert slot.price_per_kwh == pytest.approx(0.1)
    assert Tariff(windows=(late,)).all_in(0.1, start + HOUR / 2, HELSINKI) == pytest.approx(1.1)


def test_slots_keep_their_times() -> None:
    slots = hourly(NOON, 3, price=-0.02)
    priced = all_in_slots(slots, Tariff(levies_per_kwh=0.01, vat=0.5), BERLIN)
    assert [(s.start, s.end) for s in priced] == [(s.start, s.end) for s in slots]
    assert [s.price_per_kwh for s in priced] == pytest.approx([-0.015] * 3)
    assert [s.price_per_kwh for s in slots] == [-0.02] * 3  # the spot slots are left as they are


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ()),
        ("  \n ; ", ()),
        ("22:00-06:00 0.03", (NIGHT,)),
        (
            "22:00-06:00 0.03; 6:00-22:00 0,08",
            (NIGHT, FeeWindow(start=time(6), end=time(22), fee_per_kwh=0.08)),
        ),
        (
            "17:00 - 20:00 0.15\n20:00-24:00 -0.01\n",
            (
                FeeWindow(start=time(17), end=time(20), fee_per_kwh=0.15),
                FeeWindow(start=time(20), end=time(0), fee_per_kwh=-0.01),
            ),
        ),
    ],
)
def test_parse_fee_windows(text: str, expected: tuple[FeeWindow, ...]) -> None:
    assert parse_fee_windows(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "22:00-06:00",
        "22-06 0.03",
        "night 0.03",
        "24:00-06:00 0.03",
        "22:00-06:60 0.03",
        "25:00-06:00 0.03",
        "22:00-06:00 0.03 EUR",
        "22:00-06:00 0.03; 06:00-22:00",
    ],
)
def test_malformed_fee_windows(text: str) -> None:
    assert parse_fee_windows(text) is None


@pytest.mark.parametrize(
    ("text", "overlap"),
    [
        ("22:00-06:00 0.03; 06:00-22:00 0.08", False),
        ("22:00-06:00 0.03; 05:00-07:00 0.08", True),
        ("22:00-06:00 0.03; 23:00-23:30 0.08", True),
        ("22:00-24:00 0.03; 00:00-06:00 0.02; 06:00-22:00 0.08", False),
        ("00:00-00:00 0.03; 12:00-13:00 0.08", True),
        ("17:00-20:00 0.15", False),
    ],
)
def test_overlapping(text: str, overlap: bool) -> None:
    windows = parse_fee_windows(text)
    assert windows is not None
    assert overlapping(windows) is overlap
