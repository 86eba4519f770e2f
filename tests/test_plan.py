"""The price plan in Home Assistant: a site with a price source plans, follows, re-plans, falls back.

Real Home Assistant, real pyasic against a simulated miner, ENTSO-e's entities as its own code
makes them (tests/fixtures/price_sources). The learned model is restored through the site's Store
(as after a restart) except in the test that learns it from readings.
"""

import logging
import math
from datetime import datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.hashheat.capabilities import MinerCapabilities, PowerControl, PowerStep
from custom_components.hashheat.const import (
    CONF_DRY_COOLER,
    CONF_FLOW,
    CONF_HEAT_DEMAND,
    CONF_HEAT_METER,
    CONF_OUTDOOR_TEMPERATURE,
    CONF_PRICE_ENTITY,
    CONF_TANK_TEMPERATURE,
    CONF_WEATHER,
    DOMAIN,
)
from custom_components.hashheat.domain.control import MinerSpec
from custom_components.hashheat.domain.dispatch import Layer
from custom_components.hashheat.domain.plan_status import Strategy
from custom_components.hashheat.domain.site_model import SiteModel
from custom_components.hashheat.plan_runner import (
    PLAN_STORAGE_VERSION,
    miner_power_steps,
    plant_prior,
)
from custom_components.hashheat.settings import SiteSettings
from sim import Fleet

from .helpers.entities import miner_value, site_value
from .helpers.price_sources import install, load
from .helpers.site import PLANT, miner_subentry, poll, set_plant, setup_entry
from .helpers.weather import MET_ENTITY, met_temperatures, setup_met

ENTSOE = "sensor.current_electricity_market_price"
FORECAST = "sensor.average_electricity_price"
OPTIONS = {
    **PLANT,
    CONF_PRICE_ENTITY: ENTSOE,
    CONF_TANK_TEMPERATURE: "sensor.tank",
    CONF_OUTDOOR_TEMPERATURE: "sensor.outdoor",
}
ENTRY_ID = "plan_site"


def confident_model(options: dict[str, Any]) -> dict[str, Any]:
    """A model that has seen enough (the prior's values, a day and a half of varied readings)."""
    fresh = SiteModel(plant_prior(SiteSettings.from_options(options), [[3250.0]]))
    return {
        "model": {
            **fresh.as_dict(),
            "samples": 144,
            "demand_samples": 144,
            "store_range_c": [40.0, 55.0],
            "outdoor_range_c": [-5.0, 5.0],
        },
        "approach_k_per_kw": 1.0,
    }


def set_weather(hass: HomeAssistant, *, tank: float = 50.0, outdoor: float = 0.0) -> None:
    hass.states.async_set("sensor.tank", str(tank), {"unit_of_measurement": "°C"})
    hass.states.async_set("sensor.outdoor", str(outdoor), {"unit_of_measurement": "°C"})


async def plan_site(
    hass: HomeAssistant,
    fleet: Fleet,
    hass_storage: dict[str, Any],
    *,
    options: dict[str, Any] = OPTIONS,
    model: dict[str, Any] | None = None,
) -> MockConfigEntry:
    hass.config.currency = "EUR"
    if model is not None:
        hass_storage[f"{DOMAIN}.{ENTRY_ID}.plan"] = {
            "version": PLAN_STORAGE_VERSION,
            "minor_version": 1,
            "key": f"{DOMAIN}.{ENTRY_ID}.plan",
            "data": model,
        }
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Boiler room",
        entry_id=ENTRY_ID,
        options=options,
        subentries_data=[miner_subentry(miner, f"Miner {miner.host}") for miner in fleet.miners],
    )
    await setup_entry(hass, entry)
    network = entry.runtime_data.network
    if network is not None:
        await network.async_refresh()
    await poll(hass, entry)
    return entry


def entity_id(hass: HomeAssistant, platform: str, key: str) -> str:
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{ENTRY_ID}_{key}")
    assert found is not None, key
    return found


def state(hass: HomeAssistant, platform: str, key: str) -> Any:
    found = hass.states.get(entity_id(hass, platform, key))
    assert found is not None
    return found


async def start_price_plan(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The Loop heats and the strategy is the price plan."""
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": entity_id(hass, "select", "strategy"), "option": "price_plan"},
        blocking=True,
    )
    await hass.services.async_call(
        "climate",
        "set_hvac_mode",
        {"entity_id": entity_id(hass, "climate", "loop"), "hvac_mode": "heat"},
        blocking=True,
    )
    await poll(hass, entry)


async def get_plan(hass: HomeAssistant) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "get_plan", {"config_entry_id": ENTRY_ID}, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


def fallback_issue(hass: HomeAssistant) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"plan_fallback_{ENTRY_ID}")


@pytest.fixture
async def berlin(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> datetime:
    """ENTSO-e at 10:00 on 28 March 2026: today's prices, tomorrow's not yet published."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    fixture = load("entsoe__v0.7.2__before_tomorrow.json")
    freezer.move_to(fixture.now)
    install(hass, fixture)
    set_plant(hass)
    set_weather(hass)
    return fixture.now


async def test_a_restored_model_plans_and_the_miner_follows_the_slot(
    hass: HomeAssistant,
    fleet: Fleet,
    hass_storage: dict[str, Any],
    berlin: datetime,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await plan_site(hass, fleet, hass_storage, model=confident_model(OPTIONS))
    # Comfort is the default: the plan is published, not followed.
    active = state(hass, "binary_sensor", "plan_active")
    assert active.state == "off"
    assert active.attributes["reason"] == "strategy_comfort"
    planned = state(hass, "sensor", "planned_power")
    forecast = planned.attributes["forecast"]
    assert forecast[-1]["end"] == "2026-03-29T00:00:00+01:00"  # today's prices only
    assert {"start", "end", "power_w", "price", "stored_heat_kwh", "dry_cooler_share"} <= set(
        forecast[0]
    )
    assert float(planned.state) == forecast[0]["power_w"]

    await start_price_plan(hass, entry)
    assert state(hass, "select", "strategy").state == "price_plan"
    assert state(hass, "binary_sensor", "plan_active").state == "on"
    coordinator = entry.runtime_data
    miner_id = next(iter(coordinator.miners))
    slot_w = float(state(hass, "sensor", "planned_power").state)
    assert coordinator.control.state.plan is not None
    assert coordinator.control.state.plan.power_w == slot_w
    await poll(hass, entry)
    assert coordinator.control.layers[miner_id] is Layer.PLAN
    assert coordinator.data.readings[miner_id].power_limit_w == slot_w
    # Later in the day the plan asks another power: the miner follows it.
    forecast = state(hass, "sensor", "planned_power").attributes["forecast"]
    later = next(slot for slot in forecast if slot["power_w"] not in {slot_w, 0})
    freezer.move_to(datetime.fromisoformat(later["start"]) + timedelta(minutes=5))
    set_plant(hass)  # reported again: not stale
    await poll(hass, entry)
    await poll(hass, entry)
    slot_w = float(state(hass, "sensor", "planned_power").state)
    assert slot_w != forecast[0]["power_w"]
    assert coordinator.data.readings[miner_id].power_limit_w == slot_w
    plan = await get_plan(hass)
    assert plan["active"] is True
    assert plan["strategy"] == "price_plan"
    assert plan["slots"] == state(hass, "sensor", "planned_power").attributes["forecast"]
    assert plan["today"]["expected_cost"] is not None
    assert plan["today"]["saving"] == pytest.approx(
        plan["today"]["comfort_cost"] - plan["today"]["expected_cost"]
    )
    assert plan["tomorrow"]["expected_cost"] is None
    assert state(hass, "sensor", "expected_cost_tomorrow").state == "unknown"


async def test_tomorrows_prices_bring_a_new_plan(
    hass: HomeAssistant,
    fleet: Fleet,
    hass_storage: dict[str, Any],
    berlin: datetime,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await plan_site(hass, fleet, hass_storage, model=confident_model(OPTIONS))
    await start_price_plan(hass, entry)
    before = (await get_plan(hass))["slots"]
    published = load("entsoe__v0.7.2.json")
    freezer.move_to(published.now)  # 14:20: within the hour of the last plan, but new prices
    for entity in published.entities:
        hass.states.async_set(entity, published.state(entity), published.attributes(entity))
    await poll(hass, entry)
    after = (await get_plan(hass))["slots"]
    assert before[-1]["end"] == "2026-03-29T00:00:00+01:00"
    assert after[-1]["end"] == "2026-03-30T00:00:00+02:00"  # tomorrow, the 23-hour day
    assert float(state(hass, "sensor", "expected_cost_tomorrow").state) == pytest.approx(
        (await get_plan(hass))["tomorrow"]["expected_cost"], abs=0.01
    )


async def test_the_forecast_disappears_comfort_and_a_repair(
    hass: HomeAssistant, fleet: Fleet, hass_storage: dict[str, Any], berlin: datetime
) -> None:
    entry = await plan_site(hass, fleet, hass_storage, model=confident_model(OPTIONS))
    await start_price_plan(hass, entry)
    assert fallback_issue(hass) is None
    kept = hass.states.get(FORECAST)
    assert kept is not None
    hass.states.async_remove(FORECAST)
    hass.states.async_set(ENTSOE, "unavailable")
    await poll(hass, entry)
    active = state(hass, "binary_sensor", "plan_active")
    assert active.state == "off"
    assert active.attributes["reason"] == "no_prices"
    assert entry.runtime_data.control.state.plan is None
    miner_id = next(iter(entry.runtime_data.miners))
    assert entry.runtime_data.control.layers[miner_id] is Layer.COMFORT
    issue = fallback_issue(hass)
    assert issue is not None
    assert issue.translation_key == "plan_fallback_no_prices"
    hass.states.async_set(FORECAST, kept.state, kept.attributes)
    hass.states.async_set(ENTSOE, "85.3", {"unit_of_measurement": "EUR/MWh"})
    await poll(hass, entry)
    assert state(hass, "binary_sensor", "plan_active").state == "on"
    assert fallback_issue(hass) is None


async def test_no_heat_readings_cannot_be_learned(
    hass: HomeAssistant,
    fleet: Fleet,
    hass_storage: dict[str, Any],
    berlin: datetime,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Without a heat meter or calorimetry the store cannot be learned: comfort, and why."""
    options = {k: v for k, v in OPTIONS.items() if k != CONF_FLOW}
    entry = await plan_site(hass, fleet, hass_storage, options=options)
    await start_price_plan(hass, entry)
    for _ in range(3):
        freezer.tick(timedelta(minutes=15))
        await poll(hass, entry)
    active = state(hass, "binary_sensor", "plan_active")
    assert active.state == "off"
    assert active.attributes["reason"] == "cannot_learn"
    assert active.attributes["detail"] == "no_heat_readings"
    issue = fallback_issue(hass)
    assert issue is not None
    assert issue.translation_key == "plan_fallback_no_heat_readings"
    assert issue.translation_placeholders == {"site": "Boiler room"}


async def test_absurd_learned_values_mean_comfort(
    hass: HomeAssistant, fleet: Fleet, hass_storage: dict[str, Any], berlin: datetime
) -> None:
    model = confident_model(OPTIONS)
    model["model"]["store"]["theta"] = [0.95, 500.0, 0.0]  # a heat capacity of 500 kWh/K
    entry = await plan_site(hass, fleet, hass_storage, model=model)
    await start_price_plan(hass, entry)
    active = state(hass, "binary_sensor", "plan_active")
    assert active.attributes["reason"] == "cannot_learn"
    assert active.attributes["detail"] == "store_capacity"
    figures = active.attributes["detail_figures"]
    assert figures["value"] == "500.000"
    assert float(figures["low"]) < float(figures["high"]) < 500
    issue = fallback_issue(hass)
    assert issue is not None
    assert issue.translation_key == "plan_fallback_store_capacity"
    assert issue.translation_placeholders == {"site": "Boiler room", **figures}
    assert entry.runtime_data.control.state.plan is None


async def test_no_outdoor_temperature_is_bad_input(
    hass: HomeAssistant, fleet: Fleet, hass_storage: dict[str, Any], berlin: datetime
) -> None:
    hass.states.async_set("sensor.outdoor", "unavailable")
    entry = await plan_site(hass, fleet, hass_storage, model=confident_model(OPTIONS))
    await start_price_plan(hass, entry)
    active = state(hass, "binary_sensor", "plan_active")
    assert active.attributes["reason"] == "bad_input", active.attributes
    assert active.attributes["detail"] == "no_outdoor_temperature"
    assert active.attributes["detail_figures"] is None


async def test_a_site_learns_its_model_from_its_readings(
    hass: HomeAssistant,
    fleet: Fleet,
    hass_storage: dict[str, Any],
    berlin: datetime,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A fresh site: half a day of heat meter, tank and weather readings, then a plan.

    The tank follows C·dT/dt = f·P - Q with the prior's capacity and the building's demand
    Q = a + b·(20 - T_out) over an outdoor swing; the Loop is off, so the miner runs as it is.
    """
    options = {**OPTIONS, CONF_HEAT_METER: "sensor.heat_meter", CONF_WEATHER: "weather.home"}
    del options[CONF_OUTDOOR_TEMPERATURE]
    hass.states.async_set("weather.home", "cloudy", {"temperature": 0.0})
    entry = await plan_site(hass, fleet, hass_storage, options=options)
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": entity_id(hass, "select", "strategy"), "option": "price_plan"},
        blocking=True,
    )
    planner = entry.runtime_data.planner
    assert planner.session is not None
    prior = planner.session.model.prior
    figures = entry.runtime_data.data.figures
    assert figures is not None
    assert figures.power_w
    power_kw, capacity = figures.power_w / 1000, prior.capacity_kwh_per_k
    slope = prior.demand_slope_kw_per_k
    tank = 45.0
    active = state(hass, "binary_sensor", "plan_active")
    assert active.attributes["reason"] == "learning"
    for step in range(52):
        outdoor = 6.0 * math.sin(2 * math.pi * step / 48)
        heat_kw = prior.capture_fraction * power_kw - slope * outdoor
        tank += (prior.capture_fraction * power_kw - heat_kw) * 0.25 / capacity
        set_plant(hass)
        set_weather(hass, tank=tank)
        hass.states.async_set("weather.home", "cloudy", {"temperature": round(outdoor, 1)})
        hass.states.async_set(
            "sensor.heat_meter", str(heat_kw * 1000), {"unit_of_measurement": "W"}
        )
        freezer.tick(timedelta(minutes=15))
        await poll(hass, entry)
    assert planner.session.model.confidence.confident
    active = state(hass, "binary_sensor", "plan_active")
    assert active.state == "on", active.attributes
    assert float(state(hass, "sensor", "planned_power").state) >= 0


async def test_the_strategy_and_the_learned_model_survive_a_restart(
    hass: HomeAssistant, fleet: Fleet, hass_storage: dict[str, Any], berlin: datetime
) -> None:
    entry = await plan_site(hass, fleet, hass_storage, model=confident_model(OPTIONS))
    await start_price_plan(hass, entry)
    planner = entry.runtime_data.planner
    assert planner.session is not None
    learned = planner.session.approach_k_per_kw
    assert learned != 1.0  # the polls moved it from what was restored
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    saved = hass_storage[f"{DOMAIN}.{ENTRY_ID}.plan"]["data"]
    assert saved["approach_k_per_kw"] == learned
    assert saved["model"]["samples"] == 144
    assert state(hass, "select", "strategy").state == "price_plan"
    assert entry.runtime_data.planner.strategy is Strategy.PRICE_PLAN
    await poll(hass, entry)
    assert state(hass, "binary_sensor", "plan_active").state == "on"


async def test_the_weather_entity_stands_in_for_an_outdoor_sensor(
    hass: HomeAssistant, fleet: Fleet, hass_storage: dict[str, Any], berlin: datetime
) -> None:
    options = {k: v for k, v in OPTIONS.items() if k != CONF_OUTDOOR_TEMPERATURE}
    options[CONF_WEATHER] = "weather.home"
    hass.states.async_set("weather.home", "cloudy", {"temperature": 32, "temperature_unit": "°F"})
    entry = await plan_site(
        hass, fleet, hass_storage, options=options, model=confident_model(OPTIONS)
    )
    await start_price_plan(hass, entry)
    assert state(hass, "binary_sensor", "plan_active").state == "on"
    hass.states.async_set("weather.home", "unavailable")
    hass.states.async_set(ENTSOE, "86.0", {"unit_of_measurement": "EUR/MWh"})
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": entity_id(hass, "select", "strategy"), "option": "comfort"},
        blocking=True,
    )
    await start_price_plan(hass, entry)  # a new plan, now without any outdoor temperature
    active = state(hass, "binary_sensor", "plan_active")
    assert active.attributes["reason"] == "bad_input"
    assert active.attributes["detail"] == "no_outdoor_temperature"


async def test_the_plan_forecasts_demand_from_met_s_hourly_forecast(
    hass: HomeAssistant,
    fleet: Fleet,
    hass_storage: dict[str, Any],
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Core met (its own entity, met.no's payload) beside ENTSO-e, the same afternoon."""
    await setup_met(hass, aioclient_mock, freezer)
    install(hass, load("entsoe__v0.7.2__before_tomorrow.json"))
    set_plant(hass)
    set_weather(hass)
    options = {k: v for k, v in OPTIONS.items() if k != CONF_OUTDOOR_TEMPERATURE}
    options[CONF_WEATHER] = MET_ENTITY
    entry = await plan_site(
        hass, fleet, hass_storage, options=options, model=confident_model(OPTIONS)
    )
    await start_price_plan(hass, entry)
    assert state(hass, "binary_sensor", "plan_active").state == "on"
    planned = state(hass, "sensor", "planned_power")
    assert planned.attributes["outdoor_forecast"] == "weather"
    assert planned.attributes["outdoor_forecast_kind"] == "hourly"
    assert planned.attributes["outdoor_forecast_problem"] is None
    assert planned.attributes["outdoor_forecast_held_slots"] == 0
    session = entry.runtime_data.planner.session
    assert session is not None
    assert session.last_inputs is not None
    demand = session.last_inputs.demand_kw
    slots = session.last_inputs.slots
    by_hour = {
        at: c for at, c in met_temperatures().items() if slots[0].start <= at < slots[-1].end
    }
    colder, warmer = min(by_hour, key=by_hour.__getitem__), max(by_hour, key=by_hour.__getitem__)
    assert by_hour[colder] < by_hour[warmer]
    at_cold = next(i for i, slot in enumerate(slots) if slot.start >= colder)
    at_warm = next(i for i, slot in enumerate(slots) if slot.start >= warmer)
    assert demand[at_cold] > demand[at_warm]  # the forecast's cold hours ask more heat


async def test_a_heat_demand_sensor_feeds_the_demand_correction(
    hass: HomeAssistant,
    fleet: Fleet,
    hass_storage: dict[str, Any],
    berlin: datetime,
    freezer: FrozenDateTimeFactory,
) -> None:
    options = {**OPTIONS, CONF_HEAT_DEMAND: "sensor.heat_demand"}
    entry = await plan_site(
        hass, fleet, hass_storage, options=options, model=confident_model(OPTIONS)
    )
    hass.states.async_set("sensor.heat_demand", "7500", {"unit_of_measurement": "W"})
    for _ in range(3):
        freezer.tick(timedelta(minutes=15))
        await poll(hass, entry)
    session = entry.runtime_data.planner.session
    assert session is not None
    correction = session.demand_correction
    assert correction.seen_s > 0
    assert correction.measured_kw == pytest.approx(7.5)
    saved = session.as_dict()["demand_correction"]
    assert saved["measured_kw"] == pytest.approx(7.5)


async def test_a_gap_in_the_forecast_means_comfort_and_a_repair(
    hass: HomeAssistant, fleet: Fleet, hass_storage: dict[str, Any], berlin: datetime
) -> None:
    """A generic forecast whose 16:00 hour is missing."""
    forecast = [
        {
            "start": f"2026-03-28T{h:02d}:00:00+01:00",
            "end": f"2026-03-28T{h + 1:02d}:00:00+01:00",
            "price": 0.1 + h / 100,
        }
        for h in range(10, 20)
        if h != 16
    ]
    hass.states.async_set(
        "sensor.spot_price", "0.20", {"unit_of_measurement": "EUR/kWh", "forecast": forecast}
    )
    options = {**OPTIONS, CONF_PRICE_ENTITY: "sensor.spot_price"}
    entry = await plan_site(
        hass, fleet, hass_storage, options=options, model=confident_model(OPTIONS)
    )
    await start_price_plan(hass, entry)
    active = state(hass, "binary_sensor", "plan_active")
    assert active.attributes["reason"] == "price_gap", active.attributes
    assert entry.runtime_data.control.state.plan is None
    assert fallback_issue(hass) is not None


async def test_the_dry_cooler_runs_where_the_plan_dumps_and_never_without_a_plan(
    hass: HomeAssistant, fleet: Fleet, hass_storage: dict[str, Any], berlin: datetime
) -> None:
    switched: list[str] = []

    async def switch(call: ServiceCall) -> None:
        switched.append(call.service)
        on = call.service == "turn_on"
        hass.states.async_set("input_boolean.dry_cooler", "on" if on else "off")

    for service in ("turn_on", "turn_off"):
        hass.services.async_register("input_boolean", service, switch)
    hass.states.async_set("input_boolean.dry_cooler", "off")
    options = {**OPTIONS, CONF_DRY_COOLER: "input_boolean.dry_cooler"}
    entry = await plan_site(
        hass, fleet, hass_storage, options=options, model=confident_model(OPTIONS)
    )
    set_weather(hass, tank=59.5)  # at the store's upper limit (the ceiling less the hysteresis)
    await poll(hass, entry)
    assert switched == []  # the strategy is comfort: no plan runs
    await start_price_plan(hass, entry)
    assert switched == ["turn_on"]
    assert hass.states.get("input_boolean.dry_cooler").state == "on"  # type: ignore[union-attr]
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": entity_id(hass, "select", "strategy"), "option": "comfort"},
        blocking=True,
    )
    await poll(hass, entry)
    assert switched == ["turn_on", "turn_off"]


async def test_get_plan_of_an_unknown_site_is_a_translated_error(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN, "get_plan", {"config_entry_id": "nope"}, blocking=True, return_response=True
        )
    assert raised.value.translation_key == "site_not_found"


@pytest.mark.usefixtures("berlin")
async def test_a_planner_that_fails_means_comfort_not_a_failed_poll(
    hass: HomeAssistant,
    fleet: Fleet,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[object] = []

    def broken(*args: object) -> None:
        calls.append(args)
        raise ArithmeticError("a bug")

    monkeypatch.setattr("custom_components.hashheat.plan_runner.plan_costs", broken)
    entry = await plan_site(hass, fleet, hass_storage, model=confident_model(OPTIONS))
    await start_price_plan(hass, entry)
    assert entry.runtime_data.last_update_success
    active = state(hass, "binary_sensor", "plan_active")
    assert active.attributes["reason"] == "bad_input"
    assert active.attributes["detail"] == "planner_failed"
    plan = await get_plan(hass)
    assert (plan["reason"], plan["detail"], plan["detail_figures"]) == (
        "bad_input",
        "planner_failed",
        {},
    )
    assert entry.runtime_data.control.state.plan is None
    tried = len(calls)
    freezer.tick(timedelta(minutes=5))
    set_plant(hass)
    await poll(hass, entry)
    assert len(calls) == tried  # tried again later, not at every poll


@pytest.mark.parametrize("fleet", [2], indirect=True)
@pytest.mark.usefixtures("berlin")
async def test_a_plan_the_site_cannot_follow_is_made_again(
    hass: HomeAssistant,
    fleet: Fleet,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A miner that stops answering: a new plan 15 minutes on. A grid hold set: one at once."""
    caplog.set_level(logging.DEBUG, logger="custom_components.hashheat")
    entry = await plan_site(hass, fleet, hass_storage, model=confident_model(OPTIONS))
    await start_price_plan(hass, entry)
    fleet.miners[1].faults.offline = True
    await poll(hass, entry)
    assert "re-plans: a miner stopped answering" not in caplog.text  # not within minutes
    freezer.tick(timedelta(minutes=15))
    set_plant(hass)
    await poll(hass, entry)
    assert "re-plans: a miner stopped answering" in caplog.text
    await hass.services.async_call(
        DOMAIN, "pause_site", {"config_entry_id": ENTRY_ID, "power_floor_w": 2000}, blocking=True
    )
    assert "re-plans: grid hold set or released" in caplog.text
    assert state(hass, "binary_sensor", "plan_active").state == "on"


def energy(slots: list[dict[str, Any]], start: datetime, hours: float) -> float:
    """The plan's energy (kWh) in its hourly slots from ``start`` over ``hours``."""
    end = start + timedelta(hours=hours)
    return sum(
        float(slot["power_w"]) / 1000
        for slot in slots
        if start <= datetime.fromisoformat(slot["start"]) < end
    )


async def test_a_grid_hold_ahead_is_planned_for_and_stops_the_miners_at_its_start(
    hass: HomeAssistant,
    fleet: Fleet,
    hass_storage: dict[str, Any],
    berlin: datetime,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A demand-response event announced for 13:00-15:00, the cheapest hours of the day.

    The plan heats the tank before it, holds the miners off through it and catches up after it.
    """
    entry = await plan_site(hass, fleet, hass_storage, model=confident_model(OPTIONS))
    await start_price_plan(hass, entry)
    free = (await get_plan(hass))["slots"]
    start = datetime.fromisoformat("2026-03-28T13:00:00+01:00")
    await hass.services.async_call(
        DOMAIN,
        "pause_site",
        {"config_entry_id": ENTRY_ID, "start": "2026-03-28 13:00:00", "duration": "02:00:00"},
        blocking=True,
    )
    held = (await get_plan(hass))["slots"]
    assert all(slot["start"][14:] == "00:00+01:00" for slot in held)  # hourly slots
    assert energy(held, start, 2) == 0
    assert energy(free, start, 2) > 6
    assert (
        energy(held, start - timedelta(hours=3), 3)
        > energy(free, start - timedelta(hours=3), 3) + 1
    )
    assert energy(held, start + timedelta(hours=2), 2) > energy(free, start + timedelta(hours=2), 2)
    assert state(hass, "binary_sensor", "plan_active").state == "on"

    miner_id = next(iter(entry.runtime_data.miners))
    freezer.move_to(start - timedelta(minutes=1))
    set_plant(hass)
    set_weather(hass)
    await poll(hass, entry)
    assert entry.runtime_data.control.layers[miner_id] is Layer.PLAN
    freezer.move_to(start + timedelta(seconds=30))
    set_plant(hass)
    set_weather(hass)
    await poll(hass, entry)
    assert entry.runtime_data.control.layers[miner_id] is Layer.GRID_HOLD
    assert all(miner.state.is_sleeping for miner in fleet.miners)


async def polls_from(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    when: datetime,
    *,
    tank: float,
) -> None:
    """Eight polls a minute apart from ``when`` (a woken miner boots in them), the tank at ``tank``."""
    freezer.move_to(when)
    for _ in range(8):
        set_plant(hass)
        set_weather(hass, tank=tank)
        await poll(hass, entry)
        freezer.tick(timedelta(minutes=1))


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_a_start_by_the_plan_counts_as_wear_and_survives_a_reload(
    hass: HomeAssistant,
    fleet: Fleet,
    hass_storage: dict[str, Any],
    berlin: datetime,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The plan stops the miner in a slot of 0 W and starts it in the next powered one."""
    entry = await plan_site(hass, fleet, hass_storage, model=confident_model(OPTIONS))
    await start_price_plan(hass, entry)
    miner = fleet.miners[0]
    slots = state(hass, "sensor", "planned_power").attributes["forecast"]
    off = next(
        index
        for index, slot in enumerate(slots[:-1])
        if slot["power_w"] == 0 and slots[index + 1]["power_w"] > 0
    )
    # A full tank keeps the slot at 0 W when the plan is made again in it.
    off_start = datetime.fromisoformat(slots[off]["start"])
    await polls_from(hass, entry, freezer, off_start + timedelta(minutes=5), tank=58.0)
    assert float(state(hass, "sensor", "planned_power").state) == 0
    assert miner.state.is_sleeping
    site_starts = site_value(hass, entry, "starts")
    miner_starts = miner_value(hass, miner, "starts_today")

    # The next slot, the tank drawn down: the plan asks power, the miner wakes and mines.
    on_start = datetime.fromisoformat(slots[off + 1]["start"])
    await polls_from(hass, entry, freezer, on_start + timedelta(minutes=5), tank=40.0)
    assert float(state(hass, "sensor", "planned_power").state) > 0
    assert entry.runtime_data.control.layers[next(iter(entry.runtime_data.miners))] is Layer.PLAN
    assert not miner.state.is_sleeping
    assert site_value(hass, entry, "starts") == site_starts + 1
    assert miner_value(hass, miner, "starts_today") == miner_starts + 1

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert site_value(hass, entry, "starts") == site_starts + 1
    assert miner_value(hass, miner, "starts_today") == miner_starts + 1


def test_the_plan_knows_a_throttled_miners_lowest_setting() -> None:
    presets = (PowerStep(key="1800", watts=1800), PowerStep(key="3500", watts=3500))
    caps = {
        "throttle": MinerCapabilities(power_control=PowerControl.THROTTLE, power_steps=presets),
        "presets": MinerCapabilities(power_control=PowerControl.PRESETS, power_steps=presets),
    }
    specs = {
        miner_id: MinerSpec(
            miner_id=miner_id, modulating=True, min_power_w=360.0, max_power_w=3500.0
        )
        for miner_id in caps
    }
    assert miner_power_steps(caps, specs) == [[1800.0, 3500.0], [360.0, 1800.0, 3500.0]]
