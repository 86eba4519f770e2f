"""The automation blueprints under blueprints/automation/hashheat: metadata, validity, behaviour."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from homeassistant.components.automation.config import (
    AUTOMATION_BLUEPRINT_SCHEMA,
    async_validate_config_item,
)
from homeassistant.components.blueprint.models import Blueprint, BlueprintInputs
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import yaml as yaml_util
from pytest_homeassistant_custom_component.common import async_mock_service

BLUEPRINT_DIR = Path(__file__).parent.parent / "blueprints" / "automation" / "hashheat"
SOURCE_URL = "https://github.com/hashheat/hashheat/blob/main/blueprints/automation/hashheat/"
ENTRY_ID = "01JHASHHEATSITE000000000000"

# Required inputs of each blueprint (optional ones take their defaults).
REQUIRED_INPUTS: dict[str, dict[str, Any]] = {
    "return_temperature_modulation.yaml": {
        "power_cap": "number.boiler_room_power_cap",
        "return_temperature": "sensor.tank_return_temperature",
    },
    "grid_emergency.yaml": {
        "site": ENTRY_ID,
        "loop_climate": "climate.boiler_room_loop",
        "power_cap": "number.boiler_room_power_cap",
    },
    "dynamic_tariff.yaml": {
        "loop_climate": "climate.boiler_room_loop",
        "cheap_now": "binary_sensor.boiler_room_cheap_electricity_now",
        "above_breakeven": "binary_sensor.boiler_room_price_above_breakeven",
        "electricity_price": "sensor.boiler_room_electricity_price",
    },
}

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
        "normal_target": 48,
        "preheat_target": 70.5,
        "price_ceiling": 0.35,
        "minimum_loop_temperature": 30,
    },
}


@pytest.fixture(autouse=True)
async def stop_automations(hass: HomeAssistant) -> AsyncIterator[None]:
    """Detach the automations' triggers (time patterns) before Home Assistant stops."""
    yield
    if hass.services.has_service("automation", "turn_off"):
        await hass.services.async_call(
            "automation", "turn_off", {"entity_id": "all"}, blocking=True
        )


def load_blueprint(name: str) -> Blueprint:
    """Load a blueprint as Home Assistant does (with !input support) and check its schema."""
    path = BLUEPRINT_DIR / name
    data = yaml_util.load_yaml_dict(path)
    return Blueprint(
        data,
        expected_domain="automation",
        path=f"hashheat/{name}",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )


def substitute(blueprint: Blueprint, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The automation a user gets from the blueprint with these inputs."""
    blueprint_inputs = BlueprintInputs(
        blueprint,
        {"use_blueprint": {"path": f"hashheat/{name}", "input": inputs}},
    )
    blueprint_inputs.validate()
    config: dict[str, Any] = blueprint_inputs.async_substitute()
    return {"id": name.removesuffix(".yaml"), "alias": blueprint.name, **config}


def test_every_blueprint_file_is_tested() -> None:
    files = {path.name for path in BLUEPRINT_DIR.glob("*.yaml")}
    assert files == set(REQUIRED_INPUTS) == set(FULL_INPUTS)


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


@pytest.mark.parametrize(
    ("signals", "expected"),
    [
        (("0.10", "on", "off", 50), [("set_preset_mode", "boost"), ("set_temperature", 65)]),
        (("-0.01", "off", "off", 50), [("set_preset_mode", "boost"), ("set_temperature", 65)]),
        (("0.30", "off", "on", 50), [("set_preset_mode", "eco")]),
        (("0.80", "off", "on", 50), [("set_hvac_mode", "off")]),
        (("0.80", "off", "on", 30), [("set_preset_mode", "eco")]),
        (("unavailable", "unavailable", "unavailable", 50), []),
    ],
)
async def test_dynamic_tariff(
    hass: HomeAssistant,
    signals: tuple[str, str, str, float],
    expected: list[tuple[str, Any]],
) -> None:
    price, cheap, breakeven, loop_c = signals
    mocks = {
        service: async_mock_service(hass, "climate", service)
        for service in ("set_hvac_mode", "set_preset_mode", "set_temperature")
    }
    loop = "climate.boiler_room_loop"
    hass.states.async_set(
        loop, "heat", {"preset_mode": "comfort", "temperature": 50, "current_temperature": loop_c}
    )
    name = "dynamic_tariff.yaml"
    inputs = REQUIRED_INPUTS[name]
    hass.states.async_set(inputs["cheap_now"], cheap)
    hass.states.async_set(inputs["above_breakeven"], breakeven)
    hass.states.async_set(inputs["electricity_price"], price)
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
