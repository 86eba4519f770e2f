"""The options the demo posts are accepted by the integration's own options flow."""

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.const import DOMAIN
from demo import site_setup
from demo.settings import DemoSettings


async def test_demo_options_pass_the_options_flow(hass: HomeAssistant) -> None:
    await hass.config.async_update(currency="EUR")
    for entity_id, value, unit in (
        (site_setup.RETURN_SENSOR, "36.6", "°C"),
        (site_setup.SUPPLY_SENSOR, "42.2", "°C"),
        (site_setup.TANK_SENSOR, "45.0", "°C"),
        (site_setup.FLOW_SENSOR, "1.008", "m³/h"),
        (site_setup.PRICE_SENSOR, "0.12", "EUR/kWh"),
    ):
        hass.states.async_set(entity_id, value, {"unit_of_measurement": unit})
    hass.states.async_set(site_setup.PUMP_SENSOR, "on")
    assert site_setup.DOMAIN == DOMAIN
    entry = MockConfigEntry(domain=DOMAIN, title="Boiler room", data={})
    entry.add_to_hass(hass)
    settings = DemoSettings()
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], site_setup.options_input(settings)
    )
    assert result["step_id"] == "price_source", result.get("errors")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    assert entry.options["mempool_url"] == settings.sim_url
    assert entry.options["pump_entity"] == site_setup.PUMP_SENSOR
    assert entry.options["tank_temperature_entity"] == site_setup.TANK_SENSOR
