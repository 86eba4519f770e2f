"""The plant options flow: every selected entity is checked for a unit HashHeat can use."""

import json
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.const import DOMAIN
from custom_components.hashheat.domain.all_in import FeeWindow, Tariff
from custom_components.hashheat.settings import SiteSettings, plant_defaults

from .helpers.flows import sections
from .helpers.site import PLANT

STRINGS = json.loads(
    (Path(__file__).parents[1] / "custom_components" / "hashheat" / "strings.json").read_text(
        encoding="utf-8"
    )
)
SENSORS = {
    "sensor.tank_return": "°C",
    "sensor.loop_supply": "°F",
    "sensor.loop_flow": "m³/h",
    "sensor.spot_price": "ct/kWh",
    "sensor.heat_meter": "kWh",
    "sensor.outdoor": "%",
    "sensor.nok_price": "NOK/kWh",
    "sensor.intensity": "gCO2eq/kWh",
    "sensor.hashprice": "USD/PH/day",
    "sensor.usd": "USD",
    "sensor.oil_level": "%",
    "sensor.oil_water": "ppm",
    "sensor.oil_breakdown": "kV",
}
# The heat sub-meters of two buildings, as energy sensors with totals the recorder keeps.
BUILDING_METERS = {
    "sensor.school_heat": ("School", "kWh", "total_increasing"),
    "sensor.town_hall_heat": ("Town hall", "MWh", "total"),
    "sensor.pool_heat": ("Pool", "Gcal", "total_increasing"),  # a district-heating meter
}


@pytest.fixture
def site(hass: HomeAssistant) -> MockConfigEntry:
    hass.config.currency = "EUR"
    for entity_id, unit in SENSORS.items():
        hass.states.async_set(entity_id, "1", {"unit_of_measurement": unit})
    for entity_id, (name, unit, state_class) in BUILDING_METERS.items():
        hass.states.async_set(
            entity_id,
            "1",
            {
                "friendly_name": name,
                "device_class": "energy",
                "unit_of_measurement": unit,
                "state_class": state_class,
            },
        )
    entry = MockConfigEntry(domain=DOMAIN, title="Loop")
    entry.add_to_hass(hass)
    return entry


async def confirm_price_source(hass: HomeAssistant, result: Any) -> Any:
    """The price source step after the settings: what it found, confirmed as it is."""
    assert result["step_id"] == "price_source"
    assert result["description_placeholders"]["entity"] == PLANT["electricity_price_entity"]
    return await hass.config_entries.options.async_configure(result["flow_id"], {})


async def test_defaults_then_save(hass: HomeAssistant, site: MockConfigEntry) -> None:
    result = await hass.config_entries.options.async_init(site.entry_id)
    assert result["type"] is FlowResultType.FORM
    options = {
        **plant_defaults(),
        **PLANT,
        "heat_meter_entity": "sensor.heat_meter",
        "grid_intensity_entity": "sensor.intensity",
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], sections(options))
    result = await confirm_price_source(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert site.options["flow_entity"] == "sensor.loop_flow"
    assert site.options["heat_meter_entity"] == "sensor.heat_meter"


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"return_temperature_entity": "sensor.outdoor"},
            {"plant": "temperature_unit"},
        ),
        ({"flow_entity": "sensor.spot_price"}, {"plant": "flow_unit"}),
        ({"supply_temperature_entity": None}, {"plant": "calorimetric_incomplete"}),
        ({"heat_meter_entity": "sensor.loop_flow"}, {"plant": "heat_meter_unit"}),
        (
            {"building_heat_meters": ["sensor.school_heat", "sensor.tank_return"]},
            {"plant": "building_meter_unit"},
        ),
        (
            {"building_heat_meters": ["sensor.school_heat", "sensor.no_such_meter"]},
            {"plant": "entity_missing"},
        ),
        # In kWh but no state class: the recorder keeps no totals the report could read.
        ({"building_heat_meters": ["sensor.heat_meter"]}, {"plant": "building_meter_state_class"}),
        (
            {"electricity_price_entity": "sensor.outdoor"},
            {"electricity": "price_unit"},
        ),
        (
            {"electricity_price_entity": "sensor.nok_price"},
            {"electricity": "price_currency"},
        ),
        ({"grid_intensity_entity": "sensor.outdoor"}, {"emissions": "intensity_unit"}),
        ({"fluid_level_entity": "sensor.tank_return"}, {"plant": "fluid_level_unit"}),
        ({"fluid_moisture_entity": "sensor.oil_breakdown"}, {"plant": "fluid_moisture_unit"}),
        ({"fluid_quality_entity": "sensor.oil_water"}, {"plant": "fluid_quality_unit"}),
        ({"fluid_level_entity": "sensor.no_such_level"}, {"plant": "entity_missing"}),
        ({"gas_price": None}, {"heat_reference_section": "required_for_reference"}),
        (
            {"heat_reference": "heat_pump", "heat_pump_cop": None},
            {"heat_reference_section": "required_for_reference"},
        ),
        ({"heat_reference": "district_heat"}, {"heat_reference_section": "required_for_reference"}),
        ({"mempool_url": "ftp://mempool.local"}, {"revenue": "invalid_url"}),
        ({"revenue_source": "btc_price_entity"}, {"revenue": "required_for_source"}),
        ({"revenue_source": "fixed_hashprice"}, {"revenue": "required_for_source"}),
        ({"revenue_source": "hashprice_entity"}, {"revenue": "required_for_source"}),
        (
            {"revenue_source": "hashprice_entity", "hashprice_entity": "sensor.spot_price"},
            {"revenue": "hashprice_unit"},
        ),
        # Fees in cents by mistake, VAT as a fraction or above 100 %, and unusable schedules.
        ({"grid_fee": 10.5}, {"tariff": "fee_range"}),
        ({"levies": -1.5}, {"tariff": "fee_range"}),
        ({"vat_percent": 119}, {"tariff": "vat_range"}),
        ({"vat_percent": -0.19}, {"tariff": "vat_range"}),
        ({"grid_fee_schedule": "night 0.03"}, {"tariff": "fee_schedule_format"}),
        ({"grid_fee_schedule": "22:00-30:00 0.03"}, {"tariff": "fee_schedule_format"}),
        ({"grid_fee_schedule": "22:00-06:00 3.5 ct"}, {"tariff": "fee_schedule_format"}),
        ({"grid_fee_schedule": "22:00-06:00 35"}, {"tariff": "fee_range"}),
        (
            {"grid_fee_schedule": "22:00-06:00 0.03\n05:00-22:00 0.08"},
            {"tariff": "fee_schedule_overlap"},
        ),
    ],
)
async def test_bad_choices_are_explained(
    hass: HomeAssistant, site: MockConfigEntry, changes: dict[str, Any], errors: dict[str, str]
) -> None:
    merged = {**plant_defaults(), **PLANT, **changes}
    options = {key: value for key, value in merged.items() if value is not None}
    result = await hass.config_entries.options.async_init(site.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], sections(options))
    assert result["type"] is FlowResultType.FORM
    # Errors show on the section that holds the field, each a translated message.
    assert result["errors"] == errors
    assert set(errors.values()) <= set(STRINGS["options"]["error"])
    assert site.options == {}


async def test_buildings_heat_sub_meters_are_saved_and_parsed(
    hass: HomeAssistant, site: MockConfigEntry
) -> None:
    meters = list(BUILDING_METERS)
    options = {**plant_defaults(), **PLANT, "building_heat_meters": meters}
    submitted = sections(options)
    assert submitted["plant"]["building_heat_meters"] == meters
    result = await hass.config_entries.options.async_init(site.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], submitted)
    result = await confirm_price_source(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert site.options["building_heat_meters"] == meters
    plant = SiteSettings.from_options(site.options).plant
    assert plant.building_heat_meters == tuple(BUILDING_METERS)
    assert SiteSettings.from_options(PLANT).plant.building_heat_meters == ()


# The fluid limits and health thresholds of the options' plant section, in the form's order.
HEALTH_LIMITS = (
    "fluid_level_low_percent",
    "fluid_moisture_high_ppm",
    "fluid_quality_low_kv",
    "health_hold_hours",
    "health_learn_days",
    "thermal_cycle_range_k",
    "hot_chip_c",
)


async def test_fluid_sensors_and_health_thresholds_are_saved_and_parsed(
    hass: HomeAssistant, site: MockConfigEntry
) -> None:
    defaults = plant_defaults()
    # The defaults a fluid maintainer and the detectors work to, shown in the form.
    assert [defaults[key] for key in HEALTH_LIMITS] == [90.0, 50.0, 30.0, 6.0, 1.0, 10.0, 80.0]
    options = {
        **defaults,
        **PLANT,
        "fluid_level_entity": "sensor.oil_level",
        "fluid_moisture_entity": "sensor.oil_water",
        "fluid_moisture_high_ppm": 80.0,
        "fluid_quality_entity": "sensor.oil_breakdown",
        "health_hold_hours": 12.0,
        "health_learn_days": 3.0,
        "thermal_cycle_range_k": 15.0,
        "hot_chip_c": 85.0,
    }
    submitted = sections(options)
    assert submitted["health"] == {
        "health_hold_hours": 12.0,
        "health_learn_days": 3.0,
        "thermal_cycle_range_k": 15.0,
        "hot_chip_c": 85.0,
    }
    result = await hass.config_entries.options.async_init(site.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], submitted)
    result = await confirm_price_source(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    health = SiteSettings.from_options(site.options).health
    assert (health.hold_s, health.learn_s) == (12 * 3600, 3 * 86400)
    assert (health.cycle_range_k, health.hot_chip_c) == (15.0, 85.0)
    assert {kind.value: (s.entity_id, s.limit) for kind, s in health.fluid.items()} == {
        "fluid_level": ("sensor.oil_level", 90.0),
        "fluid_moisture": ("sensor.oil_water", 80.0),
        "fluid_quality": ("sensor.oil_breakdown", 30.0),
    }


async def test_health_thresholds_left_empty_mean_the_defaults(
    hass: HomeAssistant, site: MockConfigEntry
) -> None:
    options = {k: v for k, v in {**plant_defaults(), **PLANT}.items() if k not in HEALTH_LIMITS}
    result = await hass.config_entries.options.async_init(site.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], sections(options))
    result = await confirm_price_source(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert not set(HEALTH_LIMITS) & set(site.options)
    health = SiteSettings.from_options(site.options).health
    assert (health.hold_s, health.learn_s, health.cycle_range_k, health.hot_chip_c) == (
        6 * 3600,
        86400,
        10.0,
        80.0,
    )


async def test_fees_vat_and_a_time_of_use_schedule_are_saved(
    hass: HomeAssistant, site: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(site.entry_id)
    assert result["data_schema"] is not None
    # The form offers the tariff with no adders, so a site keeps the price as its sensor shows it.
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema["tariff"].schema.schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested == {"grid_fee": 0.0, "levies": 0.0, "vat_percent": 0.0}
    tariff = {
        "grid_fee": 0.0825,
        "levies": 0.0197,
        "vat_percent": 19,
        "grid_fee_schedule": "22:00-06:00 0.031\n06:00-22:00 0.0825",
    }
    options = {**plant_defaults(), **PLANT, **tariff}
    result = await hass.config_entries.options.async_configure(result["flow_id"], sections(options))
    result = await confirm_price_source(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    settings = SiteSettings.from_options(site.options)
    assert settings.plant.tariff == Tariff(
        grid_fee_per_kwh=0.0825,
        levies_per_kwh=0.0197,
        vat=0.19,
        windows=(
            FeeWindow(start=time(22), end=time(6), fee_per_kwh=0.031),
            FeeWindow(start=time(6), end=time(22), fee_per_kwh=0.0825),
        ),
    )


def test_no_tariff_options_mean_no_adders() -> None:
    """A site saved before the tariff section existed keeps its price as the sensor shows it."""
    assert SiteSettings.from_options(PLANT).plant.tariff == Tariff()
