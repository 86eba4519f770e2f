"""The options flow's price plan section: the store, the demand's inputs, each checked."""

import json
from pathlib import Path
from typing import Any

import pytest
from homeassistant.components.weather import WeatherEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.const import DOMAIN
from custom_components.hashheat.domain.thermal import Fluid
from custom_components.hashheat.settings import SiteSettings, plant_defaults

from .helpers.flows import sections
from .helpers.site import PLANT

STRINGS = json.loads(
    (Path(__file__).parents[1] / "custom_components" / "hashheat" / "strings.json").read_text(
        encoding="utf-8"
    )
)
PLAN_FIELDS = (
    "tank_volume_l",
    "tank_fluid",
    "loop_volume_l",
    "outdoor_temperature_entity",
    "weather_entity",
    "indoor_temperature_entity",
    "heat_demand_entity",
    "dry_cooler_entity",
)
SENSORS = {
    "sensor.tank_return": "°C",
    "sensor.loop_supply": "°C",
    "sensor.loop_flow": "m³/h",
    "sensor.spot_price": "EUR/kWh",
    "sensor.tank_top": "°C",
    "sensor.tank_kelvin": "K",
    "sensor.outdoor": "°F",
    "sensor.living_room": "°C",
    "sensor.humidity": "%",
    "sensor.heat_demand": "kW",
    "sensor.heat_energy": "kWh",
}
PLAN = {
    "tank_volume_l": 1500,
    "tank_fluid": "water",
    "loop_volume_l": 350,
    "tank_temperature_entity": "sensor.tank_top",
    "outdoor_temperature_entity": "sensor.outdoor",
    "weather_entity": "weather.home",
    "indoor_temperature_entity": "sensor.living_room",
    "heat_demand_entity": "sensor.heat_demand",
    "dry_cooler_entity": "switch.dry_cooler",
}


@pytest.fixture
def site(hass: HomeAssistant) -> MockConfigEntry:
    hass.config.currency = "EUR"
    for entity_id, unit in SENSORS.items():
        hass.states.async_set(entity_id, "1", {"unit_of_measurement": unit})
    hass.states.async_set(
        "weather.home",
        "cloudy",
        {"supported_features": WeatherEntityFeature.FORECAST_DAILY, "temperature_unit": "°C"},
    )
    hass.states.async_set("weather.no_forecast", "cloudy", {"supported_features": 0})
    hass.states.async_set("switch.dry_cooler", "off")
    hass.states.async_set("input_boolean.dump_heat", "off")
    entry = MockConfigEntry(domain=DOMAIN, title="Loop")
    entry.add_to_hass(hass)
    return entry


async def submit(hass: HomeAssistant, site: MockConfigEntry, changes: dict[str, Any]) -> Any:
    merged = {**plant_defaults(), **PLANT, **PLAN, **changes}
    options = {key: value for key, value in merged.items() if value is not None}
    result = await hass.config_entries.options.async_init(site.entry_id)
    return await hass.config_entries.options.async_configure(result["flow_id"], sections(options))


async def test_the_section_offers_the_plan_settings_collapsed(
    hass: HomeAssistant, site: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(site.entry_id)
    assert result["data_schema"] is not None
    plan = result["data_schema"].schema["plan"]
    assert plan.options == {"collapsed": True}
    selectors = {
        str(key): value.serialize()["selector"] for key, value in plan.schema.schema.items()
    }
    assert tuple(selectors) == PLAN_FIELDS
    assert selectors["tank_volume_l"]["number"]["unit_of_measurement"] == "L"
    assert selectors["tank_volume_l"]["number"]["min"] == 0
    assert selectors["tank_fluid"]["select"]["translation_key"] == "fluid"
    assert selectors["tank_fluid"]["select"]["options"] == [fluid.value for fluid in Fluid]
    filters = {
        field: {key: selector["entity"].get(key) for key in ("domain", "device_class")}
        for field, selector in selectors.items()
        if "entity" in selector
    }
    temperature = {"domain": ["sensor"], "device_class": ["temperature"]}
    assert filters == {
        "outdoor_temperature_entity": temperature,
        "weather_entity": {"domain": ["weather"], "device_class": None},
        "indoor_temperature_entity": temperature,
        "heat_demand_entity": {"domain": ["sensor"], "device_class": ["power"]},
        "dry_cooler_entity": {"domain": ["switch", "input_boolean"], "device_class": None},
    }
    # The defaults are offered: the store of the plant model's default site.
    suggested = {
        str(key): key.description["suggested_value"]
        for key in plan.schema.schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested == {
        "tank_volume_l": 600.0,
        "tank_fluid": "dielectric_oil",
        "loop_volume_l": 200.0,
    }


def test_every_plan_field_is_labelled_and_described_in_every_language() -> None:
    translations = Path(__file__).parents[1] / "custom_components" / "hashheat" / "translations"
    for path in sorted(translations.glob("*.json")):
        plan = json.loads(path.read_text(encoding="utf-8"))["options"]["step"]["init"]["sections"][
            "plan"
        ]
        assert set(plan["data"]) == set(PLAN_FIELDS), path.name
        assert set(plan["data_description"]) == set(PLAN_FIELDS), path.name


async def test_the_plan_settings_are_saved(hass: HomeAssistant, site: MockConfigEntry) -> None:
    result = await submit(hass, site, {})
    assert result["step_id"] == "price_source"
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    plan = SiteSettings.from_options(site.options).plan
    assert plan.tank_volume_l == 1500
    assert plan.tank_fluid is Fluid.WATER
    assert plan.loop_volume_l == 350
    # The tank's sensor is the plant's (the health detectors read it too), in the plant section.
    assert (
        SiteSettings.from_options(site.options).plant.tank_temperature_entity == "sensor.tank_top"
    )
    assert plan.outdoor_temperature_entity == "sensor.outdoor"
    assert plan.weather_entity == "weather.home"
    assert plan.indoor_temperature_entity == "sensor.living_room"
    assert plan.heat_demand_entity == "sensor.heat_demand"
    assert plan.dry_cooler_entity == "switch.dry_cooler"


async def test_an_input_boolean_can_be_the_dry_cooler(
    hass: HomeAssistant, site: MockConfigEntry
) -> None:
    result = await submit(
        hass, site, {"dry_cooler_entity": "input_boolean.dump_heat", "weather_entity": None}
    )
    assert result["errors"] == {}


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"outdoor_temperature_entity": "sensor.tank_kelvin"}, "air_temperature_unit"),
        ({"outdoor_temperature_entity": "sensor.humidity"}, "air_temperature_unit"),
        ({"indoor_temperature_entity": "sensor.humidity"}, "air_temperature_unit"),
        ({"heat_demand_entity": "sensor.heat_energy"}, "demand_unit"),
        ({"heat_demand_entity": "sensor.humidity"}, "demand_unit"),
        ({"heat_demand_entity": "sensor.gone"}, "entity_missing"),
        ({"outdoor_temperature_entity": "sensor.gone"}, "entity_missing"),
        ({"weather_entity": "weather.gone"}, "entity_missing"),
        ({"weather_entity": "weather.no_forecast"}, "weather_no_forecast"),
        ({"dry_cooler_entity": "switch.gone"}, "entity_missing"),
    ],
)
async def test_bad_plan_choices_are_explained(
    hass: HomeAssistant, site: MockConfigEntry, changes: dict[str, Any], error: str
) -> None:
    result = await submit(hass, site, changes)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"plan": error}
    assert error in STRINGS["options"]["error"]
    # The section with the error opens; the others stay closed.
    assert result["data_schema"].schema["plan"].options == {"collapsed": False}
    assert site.options == {}


@pytest.mark.parametrize(
    "changes", [{"tank_volume_l": -1}, {"loop_volume_l": 1e9}, {"tank_fluid": "mercury"}]
)
async def test_impossible_volumes_and_fluids_are_refused(
    hass: HomeAssistant, site: MockConfigEntry, changes: dict[str, Any]
) -> None:
    with pytest.raises(InvalidData):
        await submit(hass, site, changes)
    assert site.options == {}


async def test_the_tank_sensor_is_the_plants_and_must_be_a_temperature(
    hass: HomeAssistant, site: MockConfigEntry
) -> None:
    result = await submit(hass, site, {"tank_temperature_entity": "sensor.humidity"})
    assert result["errors"] == {"plant": "temperature_unit"}
    assert site.options == {}
