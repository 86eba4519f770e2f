"""The plant options flow: every selected entity is checked for a unit HashHeat can use."""

from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.const import DOMAIN
from custom_components.hashheat.settings import plant_defaults

from .helpers.flows import sections
from .helpers.site import PLANT

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
}


@pytest.fixture
def site(hass: HomeAssistant) -> MockConfigEntry:
    hass.config.currency = "EUR"
    for entity_id, unit in SENSORS.items():
        hass.states.async_set(entity_id, "1", {"unit_of_measurement": unit})
    entry = MockConfigEntry(domain=DOMAIN, title="Loop")
    entry.add_to_hass(hass)
    return entry


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
            {"electricity_price_entity": "sensor.outdoor"},
            {"electricity": "price_unit"},
        ),
        (
            {"electricity_price_entity": "sensor.nok_price"},
            {"electricity": "price_currency"},
        ),
        ({"grid_intensity_entity": "sensor.outdoor"}, {"emissions": "intensity_unit"}),
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
    # Errors show on the section that holds the field.
    assert result["errors"] == errors
    assert site.options == {}
