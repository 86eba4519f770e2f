"""A price HashHeat cannot use as it is: another currency, no price unit, a forecast with overlaps
or none at all. The site has no price then (as when the entity is unavailable) and a repair issue
or the options flow says why; nothing is logged as an error."""

import logging
from datetime import datetime
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir

from custom_components.hashheat.const import CONF_PRICE_ENTITY, DOMAIN
from sim import Fleet

from .helpers.entities import site_state
from .helpers.price_sources import install, load, price_source_step
from .helpers.site import PLANT, poll, set_plant, setup_plant_site

BERLIN_NOW = datetime.fromisoformat("2026-03-28T14:20:00+01:00")
OCTOPUS_RATE = "sensor.octopus_energy_electricity_22l4381884_1200060123456_current_rate"


def _issue(hass: HomeAssistant, kind: str, entry: Any) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{kind}_{entry.entry_id}")


def _no_price(hass: HomeAssistant, entry: Any) -> bool:
    return (
        all(
            site_state(hass, entry, "sensor", key) == "unknown"
            for key in ("electricity_price", "spot_price", "price_rank")
        )
        and site_state(hass, entry, "binary_sensor", "cheap_now") == "unknown"
    )


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    ("unit", "kind"),
    [("NOK/kWh", "price_currency"), ("EUR", "price_unit"), ("EUR/m³", "price_unit")],
)
async def test_a_price_hashheat_cannot_convert_is_no_price(
    hass: HomeAssistant,
    fleet: Fleet,
    caplog: pytest.LogCaptureFixture,
    unit: str,
    kind: str,
) -> None:
    """The template sensor is edited after the site was set up: no price, and an issue."""
    set_plant(hass)
    entry = await setup_plant_site(hass, fleet.miners[0])
    assert float(site_state(hass, entry, "sensor", "electricity_price")) == pytest.approx(0.0853)
    hass.states.async_set("sensor.spot_price", "0.95", {"unit_of_measurement": unit})
    await poll(hass, entry)
    assert _no_price(hass, entry)
    issue = _issue(hass, kind, entry)
    assert issue is not None
    assert issue.translation_placeholders == {
        "site": "Boiler room",
        "entity": "sensor.spot_price",
        "unit": unit,
        "currency": "EUR",
    }
    assert not _errors(caplog)

    hass.states.async_set("sensor.spot_price", "0.095", {"unit_of_measurement": "EUR/kWh"})
    await poll(hass, entry)
    assert float(site_state(hass, entry, "sensor", "electricity_price")) == pytest.approx(0.095)
    assert _issue(hass, kind, entry) is None


async def test_octopus_in_pounds_on_a_site_in_euros(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """Its rates events state no unit; the rate sensor's GBP/kWh says whose they are."""
    fixture = load("octopus_energy__v18.3.1.json")
    await hass.config.async_set_time_zone("Europe/London")
    freezer.move_to(fixture.now)
    install(hass, fixture)
    set_plant(hass)
    entry = await setup_plant_site(
        hass, fleet.miners[0], {**PLANT, CONF_PRICE_ENTITY: OCTOPUS_RATE}
    )
    assert _no_price(hass, entry)
    issue = _issue(hass, "price_currency", entry)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["unit"] == "GBP/kWh"

    hass.config.currency = "GBP"
    await poll(hass, entry)
    rates = fixture.attributes(
        OCTOPUS_RATE.replace("sensor.", "event.").replace("_current_rate", "_current_day_rates")
    )["rates"]
    exact = next(r["value_inc_vat"] for r in rates if r["start"] <= fixture.now < r["end"])
    assert float(site_state(hass, entry, "sensor", "electricity_price")) == pytest.approx(exact)
    assert site_state(hass, entry, "sensor", "price_rank").isdigit()
    assert _issue(hass, "price_currency", entry) is None


async def test_the_options_flow_names_a_forecast_in_another_currency(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """The picked sensor is in euros, the sibling that holds the forecast in kroner."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(BERLIN_NOW)
    fixture = load("entsoe__v0.7.2.json")
    install(hass, fixture)
    average = "sensor.average_electricity_price"
    hass.states.async_set(
        average,
        fixture.state(average),
        {**fixture.attributes(average), "unit_of_measurement": "NOK/kWh"},
    )
    set_plant(hass)
    picked = "sensor.current_electricity_market_price"
    entry = await setup_plant_site(hass, fleet.miners[0], {**PLANT, CONF_PRICE_ENTITY: picked})
    result = await price_source_step(hass, entry)
    assert result["step_id"] == "price_source"
    assert result["errors"] == {"base": "price_source_currency"}
    shown = result["description_placeholders"]
    assert shown is not None
    assert (shown["mismatch_entity"], shown["mismatch_unit"], shown["currency"]) == (
        average,
        "NOK/kWh",
        "EUR",
    )


def _generic(hours: list[tuple[int, int, int]]) -> list[dict[str, Any]]:
    """Slots on 2026-03-28 (Berlin) from (start hour, start minute, length in minutes)."""
    slots = []
    for hour, minute, minutes in hours:
        start = datetime(2026, 3, 28, hour, minute, tzinfo=BERLIN_NOW.tzinfo)
        end = datetime.fromtimestamp(start.timestamp() + minutes * 60, tz=BERLIN_NOW.tzinfo)
        slots.append(
            {"start": start.isoformat(), "end": end.isoformat(), "price": 0.1 + hour / 100}
        )
    return slots


@pytest.mark.parametrize(
    ("forecast", "problems"),
    [
        # 15:30-16:30 overlaps the hour 15:00-16:00 (a template joining two sources badly)
        (_generic([(14, 0, 60), (15, 0, 60), (15, 30, 60), (16, 0, 60)]), "overlap"),
        ([], "empty"),
    ],
)
async def test_the_options_flow_flags_an_overlapping_or_empty_forecast(
    hass: HomeAssistant,
    fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    forecast: list[dict[str, Any]],
    problems: str,
) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(BERLIN_NOW)
    set_plant(hass)
    # ENTSO-e's average sensor shape: its lists are the forecast even when they are empty.
    hass.states.async_set(
        "sensor.spot_price",
        "0.24",
        {"unit_of_measurement": "EUR/kWh", "forecast": forecast}
        if forecast
        else {"unit_of_measurement": "EUR/kWh", "prices_today": [], "prices_tomorrow": []},
    )
    entry = await setup_plant_site(hass, fleet.miners[0])
    result = await price_source_step(hass, entry)
    assert result["errors"] == {"base": "price_forecast_problems"}
    shown = result["description_placeholders"]
    assert shown is not None
    assert shown["problems"] == problems
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY  # a warning: the user may go on
