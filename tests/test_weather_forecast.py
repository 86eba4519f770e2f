"""The outdoor forecast read from real core weather entities (met on met.no's payload, template)."""

import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.hashheat.domain.demand_forecast import (
    ForecastKind,
    OutdoorSource,
    WeatherProblem,
)
from custom_components.hashheat.domain.price_forecast import PriceSlot
from custom_components.hashheat.weather_forecast import (
    WeatherForecastReader,
    forecast_kind,
)

from .helpers.weather import (
    MET,
    MET_ENTITY,
    MET_NOW,
    met_temperatures,
    serve_met,
    setup_met,
    setup_template_weather,
)

BERLIN = ZoneInfo("Europe/Berlin")


async def test_met_gives_its_hourly_forecast_in_celsius(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    entry = await setup_met(hass, aioclient_mock, freezer)
    # met creates the entities the fixture describes, having asked as the fixture says.
    expected = MET["entities"][0]
    registered = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    assert [(e.entity_id, e.platform, e.unique_id) for e in registered] == [
        (e["entity_id"], e["platform"], e["unique_id"]) for e in MET["entities"]
    ]
    state = hass.states.get(MET_ENTITY)
    assert state is not None
    assert state.attributes["supported_features"] == expected["supported_features"]
    assert state.attributes["temperature_unit"] == expected["temperature_unit"]
    assert len(aioclient_mock.mock_calls) == 1

    reading = await WeatherForecastReader(hass, MET_ENTITY).async_read(MET_NOW)
    assert reading.kind is ForecastKind.HOURLY
    assert reading.points is not None
    # 48 entries from the next full hour, each the payload's value at that hour. They span 47
    # hours: the night the clocks go forward, PyMetno's local wall-clock hours put the 02:00
    # that does not exist on the same hour as 01:00 UTC.
    payload = met_temperatures()
    assert len(reading.points) == 48
    assert reading.points[0].at == datetime(2026, 3, 28, 14, tzinfo=UTC)
    assert reading.points[-1].at == datetime(2026, 3, 30, 12, tzinfo=UTC)
    times = [p.at for p in reading.points]
    assert [t for t in times if times.count(t) > 1] == [datetime(2026, 3, 29, 1, tzinfo=UTC)] * 2
    assert [p.temperature_c for p in reading.points] == [payload[p.at] for p in reading.points]
    assert "hourly forecast of weather.forecast_home" in reading.detail


async def test_a_fahrenheit_weather_entity_is_read_in_celsius(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    hass.config.units = US_CUSTOMARY_SYSTEM
    await setup_met(hass, aioclient_mock, freezer)
    state = hass.states.get(MET_ENTITY)
    assert state is not None
    assert state.attributes["temperature_unit"] == "°F"
    reading = await WeatherForecastReader(hass, MET_ENTITY).async_read(MET_NOW)
    assert reading.points is not None
    payload = met_temperatures()
    # The weather component shows whole °F: within half a degree Fahrenheit of the payload.
    for point in reading.points:
        assert point.temperature_c == pytest.approx(payload[point.at], abs=0.28)


def quarter_hours(start: datetime, hours: int) -> list[PriceSlot]:
    step = timedelta(minutes=15)
    return [
        PriceSlot(start=start + i * step, end=start + (i + 1) * step, price_per_kwh=0.1)
        for i in range(4 * hours)
    ]


async def test_the_plan_slots_get_met_s_forecast(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    await setup_met(hass, aioclient_mock, freezer)
    reader = WeatherForecastReader(hass, MET_ENTITY)
    reading = await reader.async_read(MET_NOW)
    assert reading.points is not None
    start = datetime(2026, 3, 28, 14, tzinfo=UTC)
    slots = quarter_hours(start, 72)
    outdoor = await reader.async_outdoor(MET_NOW, slots, current_outdoor_c=None)
    assert outdoor is not None
    assert (outdoor.source, outdoor.kind, outdoor.problem) == (
        OutdoorSource.WEATHER,
        ForecastKind.HOURLY,
        None,
    )
    assert outdoor.until == reading.points[-1].at
    payload = met_temperatures()
    first, second = payload[start], payload[start + timedelta(hours=1)]
    assert outdoor.outdoor_c[0] == pytest.approx(first + (second - first) / 8)
    # Past met's last hour (46 hours ahead), its value holds.
    assert outdoor.outdoor_c[-1] == reading.points[-1].temperature_c
    assert outdoor.held_slots == 4 * (72 - 46)


async def test_the_forecast_is_read_again_only_every_half_hour(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    entry = await setup_met(hass, aioclient_mock, freezer)
    reader = WeatherForecastReader(hass, MET_ENTITY)
    first = await reader.async_read(MET_NOW)
    assert first.points is not None
    # met.no issues a warmer forecast and met fetches it.
    properties = MET["payload"]["properties"]
    timeseries = [
        {**step, "data": {**step["data"], "instant": {"details": {"air_temperature": 20.0}}}}
        for step in properties["timeseries"]
    ]
    warmer = {**MET["payload"], "properties": {**properties, "timeseries": timeseries}}
    serve_met(aioclient_mock, warmer)
    await entry.runtime_data.async_refresh()
    assert await reader.async_read(MET_NOW + timedelta(minutes=29)) == first
    later = await reader.async_read(MET_NOW + timedelta(minutes=30))
    assert later.points is not None
    assert {p.temperature_c for p in later.points} == {20.0}


async def test_met_unavailable_gives_no_forecast_and_says_why_once(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await setup_met(hass, aioclient_mock, freezer)
    serve_met(aioclient_mock, status=500)
    await entry.runtime_data.async_refresh()
    await hass.async_block_till_done()
    state = hass.states.get(MET_ENTITY)
    assert state is not None
    assert state.state == "unavailable"
    reader = WeatherForecastReader(hass, MET_ENTITY)
    with caplog.at_level(logging.WARNING, logger="custom_components.hashheat"):
        for minutes in (0, 5, 10):
            reading = await reader.async_read(MET_NOW + timedelta(minutes=minutes))
            assert reading.points is None
            assert reading.problem is WeatherProblem.UNAVAILABLE
            assert reading.detail == "weather.forecast_home is unavailable"
    assert [r.message for r in caplog.records if "outdoor forecast" in r.message] == [
        "No outdoor forecast for the price plan: weather.forecast_home is unavailable"
    ]
    # The plan's slots get the outdoor temperature now, held, and say why.
    slots = quarter_hours(datetime(2026, 3, 28, 14, tzinfo=UTC), 24)
    outdoor = await reader.async_outdoor(MET_NOW, slots, current_outdoor_c=9.5)
    assert outdoor is not None
    assert outdoor.source is OutdoorSource.PERSISTENCE
    assert set(outdoor.outdoor_c) == {9.5}
    assert (outdoor.problem, outdoor.kind, outdoor.until, outdoor.held_slots) == (
        WeatherProblem.UNAVAILABLE,
        None,
        None,
        len(slots),
    )
    assert await reader.async_outdoor(MET_NOW, slots, current_outdoor_c=None) is None
    # met.no answers again: the next read finds the forecast (and says so).
    serve_met(aioclient_mock)
    await entry.runtime_data.async_refresh()
    reading = await reader.async_read(MET_NOW + timedelta(minutes=15))
    assert reading.points is not None


async def test_a_daily_forecast_is_placed_in_the_day_and_interpolated(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(MET_NOW)
    await hass.config.async_set_time_zone("Europe/Berlin")
    forecast = (
        "{{ [{'datetime': '2026-03-28T12:00:00+01:00', 'temperature': 50, 'templow': 32},"
        " {'datetime': '2026-03-29T12:00:00+02:00', 'temperature': 41, 'templow': 23}] }}"
    )
    await setup_template_weather(
        hass,
        {"name": "Daily only", "forecast_daily": forecast, "temperature_unit": "°F"},
    )
    assert forecast_kind(hass, "weather.daily_only") is ForecastKind.DAILY
    reading = await WeatherForecastReader(hass, "weather.daily_only").async_read(MET_NOW)
    assert reading.kind is ForecastKind.DAILY
    assert "no hourly forecast" in reading.detail
    assert "interpolated" in reading.detail
    assert reading.points is not None
    local = [
        (p.at.astimezone(BERLIN).isoformat(), round(p.temperature_c, 2)) for p in reading.points
    ]
    # Lows at 05:00 and highs at 14:00 local time, in °C; the 29th is the day clocks go forward.
    assert local == [
        ("2026-03-28T05:00:00+01:00", 0.0),
        ("2026-03-28T14:00:00+01:00", 10.0),
        ("2026-03-29T05:00:00+02:00", -5.0),
        ("2026-03-29T14:00:00+02:00", 5.0),
    ]


async def test_a_twice_daily_forecast_stands_for_the_middle_of_each_half_day(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(MET_NOW)
    forecast = (
        "{{ [{'datetime': '2026-03-28T06:00:00+00:00', 'temperature': 8, 'is_daytime': true},"
        " {'datetime': '2026-03-28T18:00:00+00:00', 'temperature': 1, 'is_daytime': false}] }}"
    )
    await setup_template_weather(hass, {"name": "Half days", "forecast_twice_daily": forecast})
    reading = await WeatherForecastReader(hass, "weather.half_days").async_read(MET_NOW)
    assert reading.kind is ForecastKind.TWICE_DAILY
    assert reading.points is not None
    assert [(p.at.hour, p.temperature_c) for p in reading.points] == [(12, 8.0), (0, 1.0)]
    assert "twice-daily forecast, interpolated" in reading.detail


async def test_the_hourly_forecast_is_preferred_when_there_are_several(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(MET_NOW)
    await setup_template_weather(
        hass,
        {
            "name": "Both",
            "forecast_daily": "{{ [{'datetime': '2026-03-28T12:00:00+00:00', 'temperature': 30}] }}",
            "forecast_hourly": "{{ [{'datetime': '2026-03-28T14:00:00+00:00', 'temperature': 4}] }}",
        },
    )
    reading = await WeatherForecastReader(hass, "weather.both").async_read(MET_NOW)
    assert reading.kind is ForecastKind.HOURLY
    assert reading.points is not None
    assert [p.temperature_c for p in reading.points] == [4.0]


@pytest.mark.parametrize(
    "forecast",
    [
        "{{ [{'datetime': 'tomorrow', 'temperature': 4}] }}",
        "{{ [{'datetime': '2026-03-28T14:00:00+00:00', 'temperature': 'warm'}] }}",
        "{{ [{'datetime': '2026-03-28T14:00:00+00:00'}] }}",
        "{{ [] }}",
    ],
)
async def test_a_forecast_without_a_usable_temperature_gives_none(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, forecast: str
) -> None:
    freezer.move_to(MET_NOW)
    await setup_template_weather(hass, {"name": "Garbage", "forecast_hourly": forecast})
    reading = await WeatherForecastReader(hass, "weather.garbage").async_read(MET_NOW)
    assert reading.points is None
    assert reading.problem is WeatherProblem.NO_TEMPERATURE
    assert reading.detail == "the hourly forecast of weather.garbage has no usable temperature"


async def test_a_failing_action_gives_none_and_never_raises(hass: HomeAssistant) -> None:
    # A state that claims a forecast, with no weather entity behind it to answer the action.
    hass.states.async_set(
        "weather.ghost", "sunny", {"supported_features": 2, "temperature_unit": "°C"}
    )
    reading = await WeatherForecastReader(hass, "weather.ghost").async_read(MET_NOW)
    assert reading.points is None
    assert reading.problem is WeatherProblem.ACTION_FAILED
    assert reading.detail.startswith("weather.get_forecasts failed: ")


@pytest.mark.parametrize(
    ("entity_id", "attributes", "problem", "detail"),
    [
        (None, None, WeatherProblem.NOT_CONFIGURED, "no weather entity configured"),
        ("weather.gone", None, WeatherProblem.MISSING, "weather.gone is missing"),
        (
            "weather.plain",
            {"supported_features": 0},
            WeatherProblem.NO_FORECAST,
            "weather.plain offers no forecast",
        ),
        (
            "weather.odd",
            {"supported_features": 2, "temperature_unit": "degrees"},
            WeatherProblem.UNIT,
            "weather.odd shows temperatures in 'degrees'",
        ),
    ],
)
async def test_what_cannot_be_asked_is_explained(
    hass: HomeAssistant,
    entity_id: str | None,
    attributes: dict[str, object] | None,
    problem: WeatherProblem,
    detail: str,
) -> None:
    if entity_id is not None and attributes is not None:
        hass.states.async_set(entity_id, "sunny", attributes)
    reading = await WeatherForecastReader(hass, entity_id).async_read(MET_NOW)
    assert reading.points is None
    assert (reading.problem, reading.detail) == (problem, detail)


async def test_a_failed_read_is_tried_again_after_five_minutes(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    reader = WeatherForecastReader(hass, MET_ENTITY)
    assert (await reader.async_read(MET_NOW)).points is None
    await setup_met(hass, aioclient_mock, freezer)
    assert (await reader.async_read(MET_NOW + timedelta(minutes=4))).points is None
    assert (await reader.async_read(MET_NOW + timedelta(minutes=5))).points is not None


async def test_a_time_without_offset_is_local_and_a_day_without_low_gives_its_high(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(MET_NOW)
    await hass.config.async_set_time_zone("Europe/Berlin")
    await setup_template_weather(
        hass,
        {
            "name": "Naive",
            "forecast_daily": "{{ [{'datetime': '2026-03-28T23:30:00', 'temperature': 9}] }}",
        },
    )
    reading = await WeatherForecastReader(hass, "weather.naive").async_read(MET_NOW)
    assert reading.points is not None
    assert [(p.at, p.temperature_c) for p in reading.points] == [
        (datetime(2026, 3, 28, 13, tzinfo=UTC), 9.0)
    ]
