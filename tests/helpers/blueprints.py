"""The automation blueprints, loaded and filled in as Home Assistant does it."""

from pathlib import Path
from typing import Any

from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint.models import Blueprint, BlueprintInputs
from homeassistant.util import yaml as yaml_util

BLUEPRINT_DIR = Path(__file__).parents[2] / "blueprints" / "automation" / "hashheat"
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
        "spot_price": "sensor.boiler_room_spot_price",
    },
    "building_heat_demand.yaml": {
        "loop_climate": "climate.boiler_room_loop",
        "outdoor_temperature": "sensor.outdoor_temperature",
    },
    "summer_mode.yaml": {
        "loop_climate": "climate.boiler_room_loop",
        "above_breakeven": "binary_sensor.boiler_room_price_above_breakeven",
        "heat_demand": "sensor.building_heat_demand",
    },
}


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
