"""The automation blueprints under blueprints/automation/hashheat: metadata, validity, behaviour."""

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import (
    async_validate_config_item,
)
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.hashheat.const import DEFAULT_OVER_TEMPERATURE, DOMAIN
from custom_components.hashheat.settings import CEILING_MARGIN_K

from .helpers.blueprints import BLUEPRINT_DIR, ENTRY_ID, REQUIRED_INPUTS, load_blueprint, substitute

SOURCE_URL = "https://github.com/hashheat/hashheat/blob/main/blueprints/automation/hashheat/"


# Every input given, so no branch of a blueprint is left untested by its defaults alone.
FULL_INPUTS: dict[str, dict[str, Any]] = {
    "return_temperature_modulation.yaml": {
        "power_cap": "number.boiler_room_power_cap",
        "return_temperature": "sensor.tank_return_temperature",
        "low_temperature": 40,
        "high_temperature": 55.5,
        "minimum_cap": 500,
        "full_cap": 6000,
        "deadband": 100,
    },
    "grid_emergency.yaml": {
        "site": ENTRY_ID,
        "loop_climate": "climate.boiler_room_loop",
        "power_cap": "number.boiler_room_power_cap",
        "emergency_sensor": "binary_sensor.dso_demand_response",
        "emergency_event": "dso_curtailment",
        "frequency_sensor": "sensor.grid_frequency",
        "power_floor": 2500,
        "frequency_threshold": 49.7,
        "frequency_hysteresis": 0.1,
        "hold_time": {"minutes": 30},
        "ramp_steps": 5,
        "ramp_minutes": 40,
        "final_cap": 8000,
    },
    "dynamic_tariff.yaml": {
        "loop_climate": "climate.boiler_room_loop",
        "cheap_now": "binary_sensor.boiler_room_cheap_electricity_now",
        "above_breakeven": "binary_sensor.boiler_room_price_above_breakeven",
        "electricity_price": "sensor.boiler_room_electricity_price",
        "spot_price": "sensor.boiler_room_spot_price",
        "normal_target": 48,
        "preheat_target": 58.5,
        "price_ceiling": 0.35,
        "minimum_loop_temperature": 30,
    },
    "building_heat_demand.yaml": {
        "loop_climate": "climate.boiler_room_loop",
        "outdoor_temperature": "sensor.outdoor_temperature",
        "slope": 1.4,
        "offset": 28.5,
        "minimum_target": 30,
        "maximum_target": 70,
        "use_night_setback": True,
        "night_start": "21:30:00",
        "night_end": "05:45:00",
        "night_setback": 7.5,
        "heat_demand_sensor": "sensor.building_heat_demand",
        "design_heat_load": 15,
    },
    "summer_mode.yaml": {
        "loop_climate": "climate.boiler_room_loop",
        "above_breakeven": "binary_sensor.boiler_room_price_above_breakeven",
        "heat_demand": "sensor.building_heat_demand",
        "demand_threshold": 1500,
        "hold_hours": 12.5,
        "summer_action": "heat_dump",
        "dry_cooler": "switch.dry_cooler",
    },
}


def test_every_blueprint_file_is_tested() -> None:
    files = {path.name for path in BLUEPRINT_DIR.glob("*.yaml")}
    assert files == set(REQUIRED_INPUTS) == set(FULL_INPUTS)


@pytest.fixture(autouse=True)
def fixed_time(freezer: FrozenDateTimeFactory) -> None:
    """A minute past a 5- and 15-minute mark, so no time pattern fires unless a test says so."""
    freezer.move_to("2026-11-26 12:01:00+00:00")


def _input_keys(inputs: dict[str, Any]) -> set[str]:
    """Every input's key, through the sections."""
    keys: set[str] = set()
    for key, spec in inputs.items():
        keys |= _input_keys(spec["input"]) if "input" in spec else {key}
    return keys


@pytest.mark.parametrize("name", sorted(REQUIRED_INPUTS))
def test_readme_import_link_and_inputs(name: str) -> None:
    readme = (BLUEPRINT_DIR.parents[2] / "README.md").read_text(encoding="utf-8")
    link = "https://my.home-assistant.io/redirect/blueprint_import/?blueprint_url=" + quote(
        SOURCE_URL + name, safe=""
    )
    assert link in readme
    section = readme[readme.index(link) :].split("\n#### ", 1)[0]
    for key in _input_keys(load_blueprint(name).inputs):
        assert f"(`{key}`," in section


def test_the_preheat_target_leaves_the_boost_margin_under_the_default_limit() -> None:
    """No pre-heat target the input offers is one a site with the default limit refuses."""
    ceiling = DEFAULT_OVER_TEMPERATURE - CEILING_MARGIN_K
    spec = load_blueprint("dynamic_tariff.yaml").inputs["preheat_target"]
    assert spec["default"] < ceiling
    assert spec["selector"]["number"]["max"] < ceiling


@pytest.mark.parametrize("name", sorted(REQUIRED_INPUTS))
def test_metadata(name: str) -> None:
    blueprint = load_blueprint(name)
    metadata = blueprint.metadata
    assert metadata["name"].startswith("HashHeat")
    assert len(metadata["description"]) > 80
    assert metadata["domain"] == "automation"
    assert metadata["source_url"] == SOURCE_URL + name
    assert metadata["homeassistant"]["min_version"] == "2026.10.0"
    assert blueprint.validate() is None
    for key, spec in blueprint.inputs.items():
        assert isinstance(spec, dict), key
        assert "selector" in spec, key
        assert spec.get("name"), key
        selector = spec["selector"]
        if "entity" in selector:
            for entity_filter in selector["entity"]["filter"]:
                if entity_filter.get("integration") is not None:
                    assert entity_filter["integration"] == "hashheat", key
        if "config_entry" in selector:
            assert selector["config_entry"]["integration"] == "hashheat", key
    # Required inputs sit at the top; every input inside a section is optional (has a default).
    for key, value in metadata["input"].items():
        if value and "input" in value:
            assert value.get("name"), key
            for inner, spec in value["input"].items():
                assert "default" in spec, inner
        else:
            assert key in REQUIRED_INPUTS[name], key
    assert set(REQUIRED_INPUTS[name]) <= set(blueprint.inputs)
    assert set(FULL_INPUTS[name]) == set(blueprint.inputs)


@pytest.mark.parametrize("inputs", [REQUIRED_INPUTS, FULL_INPUTS], ids=["defaults", "all"])
@pytest.mark.parametrize("name", sorted(REQUIRED_INPUTS))
async def test_generated_automation_is_valid(
    hass: HomeAssistant, name: str, inputs: dict[str, dict[str, Any]]
) -> None:
    assert await async_setup_component(hass, "automation", {})
    blueprint = load_blueprint(name)
    config = substitute(blueprint, name, inputs[name])
    validated = await async_validate_config_item(hass, config["id"], config)
    assert validated is not None
    assert validated.validation_status == "ok", validated.validation_error
    assert validated["triggers"]
    assert validated["actions"]


CAP = "number.boiler_room_power_cap"
RETURN = "sensor.tank_return_temperature"


async def _modulation(hass: HomeAssistant, **extra: Any) -> list[Any]:
    """Set up blueprint 1 on a fake Power cap (max 10 kW, step 100 W) and return the calls."""
    calls = async_mock_service(hass, "number", "set_value")
    hass.states.async_set(
        CAP, "10000", {"min": 0, "max": 10000, "step": 100, "unit_of_measurement": "W"}
    )
    hass.states.async_set(RETURN, "30", {"unit_of_measurement": "°C"})
    name = "return_temperature_modulation.yaml"
    inputs = {"power_cap": CAP, "return_temperature": RETURN, **extra}
    config = substitute(load_blueprint(name), name, inputs)
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    assert hass.states.get("automation.hashheat_modulate_power_cap_from_tank_return_temperature")
    return calls


async def test_modulation_writes_interpolated_cap(hass: HomeAssistant) -> None:
    calls = await _modulation(hass, low_temperature=40, high_temperature=60, minimum_cap=1000)

    # Midway: 10000 - 0.5 * (10000 - 1000) = 5500 W.
    hass.states.async_set(RETURN, "50", {"unit_of_measurement": "°C"})
    await hass.async_block_till_done()
    assert [call.data for call in calls] == [{"entity_id": [CAP], "value": 5500}]

    # 55.5 °C: 10000 - 0.775 * 9000 = 3025 W, rounded to the 100 W step -> 3000 W.
    hass.states.async_set(CAP, "5500", {"min": 0, "max": 10000, "step": 100})
    hass.states.async_set(RETURN, "55.5", {"unit_of_measurement": "°C"})
    await hass.async_block_till_done()
    assert calls[-1].data["value"] == 3000

    # At or above the high temperature: the minimum cap.
    hass.states.async_set(CAP, "3000", {"min": 0, "max": 10000, "step": 100})
    hass.states.async_set(RETURN, "75", {"unit_of_measurement": "°C"})
    await hass.async_block_till_done()
    assert calls[-1].data["value"] == 1000


async def test_modulation_respects_deadband_and_bounds(hass: HomeAssistant) -> None:
    calls = await _modulation(hass, low_temperature=40, high_temperature=60, deadband=500)

    # 10000 -> 9500 W is not more than the 500 W deadband: nothing is written.
    hass.states.async_set(RETURN, "41", {"unit_of_measurement": "°C"})
    await hass.async_block_till_done()
    assert calls == []

    # Back from a cap just below the maximum, the full cap (no cap) is still reached exactly.
    hass.states.async_set(CAP, "9800", {"min": 0, "max": 10000, "step": 100})
    hass.states.async_set(RETURN, "35", {"unit_of_measurement": "°C"})
    await hass.async_block_till_done()
    assert [call.data["value"] for call in calls] == [10000]


@pytest.mark.parametrize("state", ["unavailable", "unknown", "warm"])
async def test_modulation_ignores_unavailable_sensor(hass: HomeAssistant, state: str) -> None:
    calls = await _modulation(hass)
    hass.states.async_set(RETURN, state)
    await hass.async_block_till_done()
    hass.states.async_set(CAP, "unavailable")
    hass.states.async_set(RETURN, "70", {"unit_of_measurement": "°C"})
    await hass.async_block_till_done()
    assert calls == []


BOOST = [("set_preset_mode", "boost"), ("set_temperature", 55)]


@pytest.mark.parametrize(
    ("signals", "expected"),
    [
        (("0.10", "0.02", "on", "off", 50), BOOST),
        # A negative spot price pre-heats, though fees and VAT keep the all-in price positive.
        (("0.12", "-0.01", "off", "off", 50), BOOST),
        # With a spot price sensor, a negative all-in price (a grid rebate) is no negative price.
        (("-0.02", "0.01", "off", "off", 50), []),
        # Without one (an automation made before the input existed), the all-in price is read.
        (("-0.01", None, "off", "off", 50), BOOST),
        (("0.30", "0.15", "off", "on", 50), [("set_preset_mode", "eco")]),
        (("0.80", "0.55", "off", "on", 50), [("set_hvac_mode", "off")]),
        (("0.80", "0.55", "off", "on", 30), [("set_preset_mode", "eco")]),
        (("0.30", "unavailable", "off", "off", 50), []),
        (("unavailable", "unavailable", "unavailable", "unavailable", 50), []),
    ],
)
async def test_dynamic_tariff(
    hass: HomeAssistant,
    signals: tuple[str, str | None, str, str, float],
    expected: list[tuple[str, Any]],
) -> None:
    price, spot, cheap, breakeven, loop_c = signals
    mocks = {
        service: async_mock_service(hass, "climate", service)
        for service in ("set_hvac_mode", "set_preset_mode", "set_temperature")
    }
    loop = "climate.boiler_room_loop"
    hass.states.async_set(
        loop, "heat", {"preset_mode": "comfort", "temperature": 50, "current_temperature": loop_c}
    )
    name = "dynamic_tariff.yaml"
    inputs = dict(REQUIRED_INPUTS[name])
    hass.states.async_set(inputs["cheap_now"], cheap)
    hass.states.async_set(inputs["above_breakeven"], breakeven)
    hass.states.async_set(inputs["electricity_price"], price)
    if spot is None:
        del inputs["spot_price"]
    else:
        hass.states.async_set(inputs["spot_price"], spot)
    config = substitute(load_blueprint(name), name, inputs)
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()

    await hass.services.async_call(
        "automation",
        "trigger",
        {
            "entity_id": "automation.hashheat_follow_a_dynamic_electricity_tariff",
            "skip_condition": False,
        },
        blocking=True,
    )
    await hass.async_block_till_done()
    seen = [
        (service, value)
        for service, calls in mocks.items()
        for call in calls
        for key, value in call.data.items()
        if key != "entity_id"
    ]
    assert sorted(seen, key=str) == sorted(expected, key=str)
    assert all(call.data["entity_id"] == [loop] for calls in mocks.values() for call in calls)


LOOP = "climate.boiler_room_loop"
OUTDOOR = "sensor.outdoor_temperature"
DEMAND = "sensor.building_heat_demand"


async def test_heating_curve(hass: HomeAssistant) -> None:
    calls = async_mock_service(hass, "climate", "set_temperature")
    loop_attributes = {"temperature": 40, "min_temp": 20, "max_temp": 75}
    hass.states.async_set(LOOP, "heat", loop_attributes)
    hass.states.async_set(OUTDOOR, "15", {"unit_of_measurement": "°C"})
    name = "building_heat_demand.yaml"
    config = substitute(load_blueprint(name), name, REQUIRED_INPUTS[name])
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()

    # 30 + 1.0 * (20 - 2.2) = 47.8 -> rounded to 48 °C.
    hass.states.async_set(OUTDOOR, "2.2", {"unit_of_measurement": "°C"})
    await hass.async_block_till_done()
    assert [call.data for call in calls] == [{"entity_id": [LOOP], "temperature": 48.0}]

    # 48.2 -> 48 °C is the current target: nothing is written.
    hass.states.async_set(LOOP, "heat", {**loop_attributes, "temperature": 48})
    hass.states.async_set(OUTDOOR, "1.8", {"unit_of_measurement": "°C"})
    await hass.async_block_till_done()
    assert len(calls) == 1
    # 47.6 -> 47.5 °C differs by 0.5 K: written.
    hass.states.async_set(OUTDOOR, "2.4", {"unit_of_measurement": "°C"})
    await hass.async_block_till_done()
    assert calls[-1].data["temperature"] == 47.5

    # Very cold: clamped to the 65 °C maximum; very warm: the 25 °C minimum.
    hass.states.async_set(OUTDOOR, "-30", {"unit_of_measurement": "°C"})
    await hass.async_block_till_done()
    assert calls[-1].data["temperature"] == 65
    hass.states.async_set(OUTDOOR, "28", {"unit_of_measurement": "°C"})
    await hass.async_block_till_done()
    assert calls[-1].data["temperature"] == 25

    # An unavailable or non-numeric outdoor sensor writes nothing.
    for state in ("unavailable", "unknown", "cold"):
        hass.states.async_set(OUTDOOR, state)
        await hass.async_block_till_done()
    assert len(calls) == 4


@pytest.mark.parametrize(
    ("extra", "demand", "expected"),
    [
        # Heat demand 50 % between 25 and 65 °C -> 45 °C; the outdoor curve is not used.
        ({"heat_demand_sensor": DEMAND}, ("50", "%"), 45.0),
        # 3 kW of a 12 kW design load: a quarter of the way, 35 °C; the same in W; above: 65 °C.
        ({"heat_demand_sensor": DEMAND, "design_heat_load": 12}, ("3", "kW"), 35.0),
        ({"heat_demand_sensor": DEMAND, "design_heat_load": 12}, ("3000", "W"), 35.0),
        ({"heat_demand_sensor": DEMAND, "design_heat_load": 12}, ("0.02", "MW"), 65.0),
        # A setback window covering the whole day: 30 + 1.0 * (20 - 0) - 5 = 45 °C.
        (
            {"use_night_setback": True, "night_start": "00:00:00", "night_end": "23:59:59"},
            ("50", "%"),
            45.0,
        ),
        # A demand in an unknown unit writes nothing.
        ({"heat_demand_sensor": DEMAND}, ("50", "m³/h"), None),
    ],
)
async def test_heating_curve_demand_and_setback(
    hass: HomeAssistant,
    extra: dict[str, Any],
    demand: tuple[str, str],
    expected: float | None,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to("2026-11-26 20:00:00+00:00")  # inside the window, never its last second
    calls = async_mock_service(hass, "climate", "set_temperature")
    hass.states.async_set(LOOP, "heat", {"temperature": 20, "min_temp": 20, "max_temp": 75})
    hass.states.async_set(OUTDOOR, "0", {"unit_of_measurement": "°C"})
    hass.states.async_set(DEMAND, demand[0], {"unit_of_measurement": demand[1]})
    name = "building_heat_demand.yaml"
    config = substitute(load_blueprint(name), name, {**REQUIRED_INPUTS[name], **extra})
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    await hass.services.async_call(
        "automation",
        "trigger",
        {
            "entity_id": "automation.hashheat_weather_compensated_heating_curve",
            "skip_condition": False,
        },
        blocking=True,
    )
    await hass.async_block_till_done()
    assert [call.data["temperature"] for call in calls] == ([] if expected is None else [expected])


async def _settle(hass: HomeAssistant) -> None:
    """Let the event loop run; the heat dump keeps a run waiting, so no async_block_till_done."""
    for _ in range(20):
        await asyncio.sleep(0)


@pytest.mark.parametrize("summer_action", ["off", "heat_dump"])
async def test_summer_mode(hass: HomeAssistant, summer_action: str) -> None:
    hvac = async_mock_service(hass, "climate", "set_hvac_mode")
    on = async_mock_service(hass, "switch", "turn_on")
    off = async_mock_service(hass, "switch", "turn_off")
    name = "summer_mode.yaml"
    breakeven = REQUIRED_INPUTS[name]["above_breakeven"]
    hass.states.async_set(LOOP, "heat")
    hass.states.async_set(breakeven, "off")
    hass.states.async_set(DEMAND, "4000", {"unit_of_measurement": "W"})
    inputs = {
        **REQUIRED_INPUTS[name],
        "demand_threshold": 1000,
        "summer_action": summer_action,
        "dry_cooler": "switch.dry_cooler",
    }
    config = substitute(load_blueprint(name), name, inputs)
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()

    # Below the threshold, but not yet for 6 hours: nothing happens.
    hass.states.async_set(DEMAND, "300", {"unit_of_measurement": "W"})
    await hass.async_block_till_done()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=5))
    await hass.async_block_till_done()
    assert hvac == on == off == []

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=6, seconds=1))
    await _settle(hass)
    if summer_action == "off":
        assert [call.data["hvac_mode"] for call in hvac] == ["off"]
        assert on == off == []
        hass.states.async_set(LOOP, "off")
    else:
        # Loop keeps heating; dry cooler on below breakeven, off above, on again below.
        assert hvac == []
        assert len(on) == 1
        assert off == []
        hass.states.async_set(breakeven, "on")
        await _settle(hass)
        assert len(off) == 1
        hass.states.async_set(breakeven, "off")
        await _settle(hass)
        assert len(on) == 2
        assert all(call.data["entity_id"] == ["switch.dry_cooler"] for call in [*on, *off])

    # Demand back above the threshold: dry cooler off, loop back to heat (if it was off).
    turned_off = len(off)
    hass.states.async_set(DEMAND, "2500", {"unit_of_measurement": "W"})
    await hass.async_block_till_done()
    assert len(off) == turned_off + 1
    if summer_action == "off":
        assert [call.data["hvac_mode"] for call in hvac] == ["off", "heat"]
    else:
        assert hvac == []
        # The heat dump has ended: price changes no longer switch the dry cooler.
        hass.states.async_set(breakeven, "on")
        await hass.async_block_till_done()
        assert len(off) == turned_off + 1
        assert len(on) == 2


GRID_SENSOR = "binary_sensor.grid_emergency"
GRID_FREQUENCY = "sensor.grid_frequency"


class GridCalls:
    """The calls the grid-emergency blueprint makes, in order, as (action, value)."""

    def __init__(self, hass: HomeAssistant) -> None:
        self._seen: list[tuple[str, Any]] = []
        for name, domain, service, field in (
            ("pause", DOMAIN, "pause_site", "config_entry_id"),
            ("resume", DOMAIN, "resume_site", "config_entry_id"),
            ("hvac", "climate", "set_hvac_mode", "hvac_mode"),
            ("cap", "number", "set_value", "value"),
        ):
            hass.services.async_register(domain, service, self._recorder(name, field))

    def _recorder(self, name: str, field: str) -> Callable[[ServiceCall], None]:
        @callback
        def record(call: ServiceCall) -> None:
            self._seen.append((name, call.data[field]))

        return record

    def seen(self) -> list[tuple[str, Any]]:
        return list(self._seen)


async def _after(hass: HomeAssistant, minutes: float) -> None:
    """Run what is due ``minutes`` after the automation's last delay started.

    Script delays run on the event loop's clock, which the test does not move, so each call
    counts from the same moment rather than adding up.
    """
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=minutes))
    await _settle(hass)


async def _grid_emergency(hass: HomeAssistant) -> GridCalls:
    calls = GridCalls(hass)
    hass.states.async_set(GRID_SENSOR, "off")
    hass.states.async_set(GRID_FREQUENCY, "50.00", {"unit_of_measurement": "Hz"})
    hass.states.async_set(LOOP, "off")
    hass.states.async_set(CAP, "2000", {"min": 0, "max": 6000, "step": 100})
    name = "grid_emergency.yaml"
    inputs = {
        **REQUIRED_INPUTS[name],
        "emergency_sensor": GRID_SENSOR,
        "frequency_sensor": GRID_FREQUENCY,
        "hold_time": {"minutes": 15},
        "ramp_steps": 4,
        "ramp_minutes": 30,
    }
    config = substitute(load_blueprint(name), name, inputs)
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    return calls


PAUSE = ("pause", ENTRY_ID)
RESUME = ("resume", ENTRY_ID)


async def test_grid_emergency_holds_then_resumes_in_stages(hass: HomeAssistant) -> None:
    calls = await _grid_emergency(hass)

    hass.states.async_set(GRID_SENSOR, "on")
    await _settle(hass)
    assert calls.seen() == [PAUSE]

    # Paused as long as the signal lasts, and for the hold time after it clears.
    await _after(hass, 40)
    hass.states.async_set(GRID_SENSOR, "off")
    await _settle(hass)
    await _after(hass, 14.9)
    assert calls.seen() == [PAUSE]

    # Then a quarter of the cap's maximum, resume, heat, and three more steps 10 min apart.
    await _after(hass, 15.1)
    assert calls.seen() == [PAUSE, ("cap", 1500), RESUME]
    for step in (3000, 4500, 6000):
        await _after(hass, 9.9)
        assert calls.seen()[-1] != ("cap", step)
        await _after(hass, 10.1)
        assert calls.seen()[-1] == ("cap", step)
    await _after(hass, 60)
    assert len(calls.seen()) == 6


async def test_grid_emergency_frequency_hysteresis_and_restart(hass: HomeAssistant) -> None:
    calls = await _grid_emergency(hass)

    hass.states.async_set(GRID_FREQUENCY, "49.70", {"unit_of_measurement": "Hz"})
    await _settle(hass)
    assert calls.seen() == [PAUSE]

    # 49.82 Hz is above the 49.8 Hz threshold but not above it plus the 0.05 Hz hysteresis;
    # an unavailable sensor does not clear the signal either.
    for reading in ("49.82", "unavailable"):
        hass.states.async_set(GRID_FREQUENCY, reading, {"unit_of_measurement": "Hz"})
        await _settle(hass)
        await _after(hass, 30)
        assert calls.seen() == [PAUSE]

    hass.states.async_set(GRID_FREQUENCY, "49.90", {"unit_of_measurement": "Hz"})
    await _settle(hass)
    await _after(hass, 15.1)
    assert calls.seen() == [PAUSE, ("cap", 1500), RESUME]
    await _after(hass, 10.1)
    assert calls.seen()[-1] == ("cap", 3000)

    # A new emergency (an event this time) during the ramp pauses again and starts over.
    hass.bus.async_fire("hashheat_grid_emergency")
    await _settle(hass)
    assert calls.seen()[-1] == PAUSE
    await _after(hass, 10.1)
    assert calls.seen()[-1] == PAUSE
    await _after(hass, 15.1)
    assert calls.seen()[-2:] == [("cap", 1500), RESUME]
