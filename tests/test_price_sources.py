"""Each price integration's entities as its own code makes them; HashHeat reads the right number.

The user picks the entity their integration calls the current price. HashHeat finds the forecast
where that integration keeps it (the entity, a sibling, an event entity or an action) and takes
the exact price of the slot that holds now, not the (rounded, averaged or late) state.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from custom_components.hashheat.const import CONF_PRICE_ENTITY, DOMAIN
from custom_components.hashheat.price_source import find_price_source
from custom_components.hashheat.settings import plant_defaults
from sim import Fleet

from .helpers.entities import site_state
from .helpers.flows import sections
from .helpers.price_sources import PriceFixture, disable, install, load
from .helpers.site import PLANT, poll, set_plant, setup_plant_site

BERLIN_NOW = datetime.fromisoformat("2026-03-28T14:20:00+01:00")
LONDON_NOW = datetime.fromisoformat("2026-03-28T13:20:00+00:00")

type Items = list[dict[str, Any]]


def _entity(fixture: PriceFixture, entity_id: str) -> dict[str, Any]:
    return fixture.entities[entity_id]


def _response(fixture: PriceFixture, service: str, **request: str) -> Any:
    return next(
        response
        for asked, response in fixture.responses(service)
        if all(asked.get(k) == v for k, v in request.items())
    )


def _holding(
    items: Items, start: str, end: str | None, now: datetime, step: timedelta
) -> dict[str, Any]:
    """The item whose interval holds ``now`` (its end, or its start plus ``step``)."""

    def when(value: str | datetime) -> datetime:
        return value if isinstance(value, datetime) else datetime.fromisoformat(value)

    return next(
        item
        for item in items
        if when(item[start]) <= now < (when(item[end]) if end else when(item[start]) + step)
    )


# (fixture, the entity a user picks, time zone, now, the integration's exact price of the slot)
SOURCES: dict[str, tuple[str, str, str, datetime, Callable[[PriceFixture], float]]] = {
    "nordpool_core": (
        "nordpool_core__2026.10.4",
        "sensor.nord_pool_ger_current_price",
        "Europe/Berlin",
        BERLIN_NOW,
        lambda f: _holding(
            _response(f, "get_prices_for_date", date="2026-03-28")["GER"],
            "start", "end", BERLIN_NOW, timedelta(0),
        )["price"] / 1000,
    ),
    "tibber": (
        "tibber_core__2026.10.4",
        "sensor.zuhause_electricity_price",
        "Europe/Berlin",
        BERLIN_NOW,
        lambda f: _holding(
            _response(f, "get_prices", start="2026-03-28 00:00:00")["prices"]["Zuhause"],
            "start_time", None, BERLIN_NOW, timedelta(minutes=15),
        )["price"],
    ),
    "nordpool_hacs": (
        "nordpool_hacs__0.0.18",
        "sensor.nordpool_kwh_ger_eur_3_10_019",
        "Europe/Berlin",
        BERLIN_NOW,
        lambda f: _holding(
            _entity(f, "sensor.nordpool_kwh_ger_eur_3_10_019")["attributes"]["raw_today"],
            "start", "end", BERLIN_NOW, timedelta(0),
        )["value"],
    ),
    "entsoe": (
        "entsoe__v0.7.2",
        "sensor.current_electricity_market_price",
        "Europe/Berlin",
        BERLIN_NOW,
        lambda f: _holding(
            _entity(f, "sensor.average_electricity_price")["attributes"]["prices_today"],
            "time", None, BERLIN_NOW, timedelta(hours=1),
        )["price"],
    ),
    "entsoe_15min": (
        "entsoe__v0.7.2-pt15m",
        "sensor.current_electricity_market_price",
        "Europe/Berlin",
        BERLIN_NOW,
        lambda f: _holding(
            _entity(f, "sensor.average_electricity_price")["attributes"]["prices_today"],
            "time", None, BERLIN_NOW, timedelta(minutes=15),
        )["price"],
    ),
    "epex_spot": (
        "epex_spot__4.0.0",
        "sensor.epex_spot_data_market_price",
        "Europe/Berlin",
        BERLIN_NOW,
        lambda f: _holding(
            _entity(f, "sensor.epex_spot_data_market_price")["attributes"]["data"],
            "start_time", "end_time", BERLIN_NOW, timedelta(0),
        )["price_per_kwh"],
    ),
    "octopus_energy": (
        "octopus_energy__v18.3.1",
        "sensor.octopus_energy_electricity_22l4381884_1200060123456_current_rate",
        "Europe/London",
        LONDON_NOW,
        lambda f: _holding(
            _entity(
                f, "event.octopus_energy_electricity_22l4381884_1200060123456_current_day_rates"
            )["attributes"]["rates"],
            "start", "end", LONDON_NOW, timedelta(0),
        )["value_inc_vat"],
    ),
    "epex_spot_3": (
        "epex_spot__3.0.0",
        "sensor.epex_spot_data_price",
        "Europe/Berlin",
        BERLIN_NOW,
        lambda f: _holding(
            _entity(f, "sensor.epex_spot_data_price")["attributes"]["data"],
            "start_time", "end_time", BERLIN_NOW, timedelta(0),
        )["price_per_kwh"],
    ),
    "epex_spot_2": (  # per MWh before 3.0.0
        "epex_spot__2.3.9",
        "sensor.epex_spot_data_price",
        "Europe/Berlin",
        BERLIN_NOW,
        lambda f: _holding(
            _entity(f, "sensor.epex_spot_data_price")["attributes"]["data"],
            "start_time", "end_time", BERLIN_NOW, timedelta(0),
        )["price_eur_per_mwh"] / 1000,
    ),
    "octopus_energy_v8": (  # rates in pence on the sensor before v9
        "octopus_energy__v8.5.2",
        "sensor.octopus_energy_electricity_22l4381884_1200060123456_current_rate",
        "Europe/London",
        LONDON_NOW,
        lambda f: _holding(
            _entity(
                f, "sensor.octopus_energy_electricity_22l4381884_1200060123456_current_rate"
            )["attributes"]["all_rates"],
            "valid_from", "valid_to", LONDON_NOW, timedelta(0),
        )["value_inc_vat"] / 100,
    ),
}  # fmt: skip


async def _site(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory, source: str
) -> tuple[Any, PriceFixture]:
    name, picked, zone, now, _ = SOURCES[source]
    await hass.config.async_set_time_zone(zone)
    freezer.move_to(now)
    fixture = load(f"{name}.json")
    install(hass, fixture)
    set_plant(hass)
    currency = "GBP" if zone == "Europe/London" else "EUR"  # Octopus Energy's rates are pounds
    entry = await setup_plant_site(
        hass, fleet.miners[0], {**PLANT, CONF_PRICE_ENTITY: picked}, currency=currency
    )
    await poll(hass, entry)
    return entry, fixture


@pytest.mark.parametrize("source", SOURCES)
async def test_the_current_price_is_the_exact_slot_of_the_forecast(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory, source: str
) -> None:
    entry, fixture = await _site(hass, fleet, freezer, source)
    exact = SOURCES[source][4](fixture)
    price = site_state(hass, entry, "sensor", "electricity_price")
    assert float(price) == pytest.approx(exact, abs=1e-9)
    # With a forecast, the slot's rank among those ahead is known.
    assert site_state(hass, entry, "sensor", "price_rank").isdigit()


async def test_tibbers_rounded_state_is_not_the_price(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """Tibber rounds its sensor to 3 decimals; its action has the slot's exact price."""
    entry, fixture = await _site(hass, fleet, freezer, "tibber")
    shown = float(_entity(fixture, "sensor.zuhause_electricity_price")["state"])
    price = float(site_state(hass, entry, "sensor", "electricity_price"))
    assert price != shown
    assert round(price, 3) == shown


async def test_entsoe_forecast_is_read_from_the_average_sensor(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(BERLIN_NOW)
    install(hass, load("entsoe__v0.7.2.json"))
    source = find_price_source(hass, "sensor.current_electricity_market_price", dt_util.utcnow())
    assert source.forecast_entities == ("sensor.average_electricity_price",)


async def test_octopus_day_rates_events_and_what_to_enable(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """The forecast is on three event entities; disabled ones are named, the state stands in."""
    entry, fixture = await _site(hass, fleet, freezer, "octopus_energy")
    picked = SOURCES["octopus_energy"][1]
    prefix = "event.octopus_energy_electricity_22l4381884_1200060123456"
    source = find_price_source(hass, picked, dt_util.utcnow())
    assert set(source.forecast_entities) == {
        f"{prefix}_previous_day_rates",
        f"{prefix}_current_day_rates",
        f"{prefix}_next_day_rates",
    }
    for day in ("previous", "current", "next"):
        disable(hass, f"{prefix}_{day}_day_rates")
    source = find_price_source(hass, picked, dt_util.utcnow())
    assert not source.has_forecast
    assert f"{prefix}_current_day_rates" in source.disabled
    await poll(hass, entry)
    assert float(site_state(hass, entry, "sensor", "electricity_price")) == float(
        _entity(fixture, picked)["state"]
    )
    assert site_state(hass, entry, "sensor", "price_rank") == "unknown"


async def test_a_forecast_that_stops_covering_now(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """The state stands in for an hour; then no price, and a repair issue says why."""
    entry, fixture = await _site(hass, fleet, freezer, "entsoe")
    shown = _entity(fixture, "sensor.current_electricity_market_price")["state"]
    issue_id = f"price_forecast_stale_{entry.entry_id}"
    freezer.move_to(BERLIN_NOW + timedelta(days=2))  # beyond tomorrow: nothing covers now
    await poll(hass, entry)
    assert float(site_state(hass, entry, "sensor", "electricity_price")) == float(shown)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    freezer.tick(timedelta(hours=1, minutes=1))
    await poll(hass, entry)
    assert site_state(hass, entry, "sensor", "electricity_price") == "unknown"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    freezer.move_to(BERLIN_NOW + timedelta(minutes=15))  # the integration catches up
    await poll(hass, entry)
    assert site_state(hass, entry, "sensor", "electricity_price") != "unknown"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


def _attribute(hass: HomeAssistant, entry: Any, key: str, attribute: str) -> Any:
    entity_id = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{entry.entry_id}_{key}")
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return state.attributes.get(attribute)


@pytest.mark.parametrize(
    ("name", "known_until"),
    [
        ("entsoe__v0.7.2", "2026-03-30T00:00:00+02:00"),  # tomorrow is out: to its end
        ("entsoe__v0.7.2__before_tomorrow", "2026-03-29T00:00:00+01:00"),  # today only
    ],
)
async def test_until_when_prices_are_known(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory, name: str, known_until: str
) -> None:
    fixture = load(f"{name}.json")
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(fixture.now)
    install(hass, fixture)
    set_plant(hass)
    entry = await setup_plant_site(
        hass, fleet.miners[0], {**PLANT, CONF_PRICE_ENTITY: SOURCES["entsoe"][1]}
    )
    await poll(hass, entry)
    for key in ("electricity_price", "spot_price"):
        assert _attribute(hass, entry, key, "prices_known_until") == known_until


async def test_a_negative_slot_and_the_dst_day(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """Nord Pool's -5.2 EUR/MWh quarter hour, then 03:20 on the 23-hour day (ENTSO-e's whole
    day written with +01:00: the slot of 02:15+01:00 is 03:15 summer time)."""
    entry, fixture = await _site(hass, fleet, freezer, "nordpool_core")
    freezer.move_to(datetime.fromisoformat("2026-03-28T13:20:00+01:00"))
    await poll(hass, entry)
    assert float(site_state(hass, entry, "sensor", "electricity_price")) == -0.0052
    assert float(site_state(hass, entry, "sensor", "price_rank")) == 1

    morning = datetime.fromisoformat("2026-03-29T03:20:00+02:00")
    freezer.move_to(morning)
    await poll(hass, entry)
    tomorrow = _response(fixture, "get_prices_for_date", date="2026-03-29")["GER"]
    exact = _holding(tomorrow, "start", "end", morning, timedelta(0))["price"] / 1000
    assert float(site_state(hass, entry, "sensor", "electricity_price")) == pytest.approx(exact)


async def test_the_options_flow_shows_what_a_source_gives(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    entry, fixture = await _site(hass, fleet, freezer, "entsoe_15min")
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], sections({**plant_defaults(), **entry.options})
    )
    assert result["step_id"] == "price_source"
    assert not result["errors"]
    shown = result["description_placeholders"]
    assert shown is not None
    assert shown["forecast"] == "sensor.average_electricity_price"
    assert shown["integration"] == "entsoe"
    assert (shown["today"], shown["tomorrow"]) == ("96", "92")  # 15 minutes; 23-hour tomorrow
    assert float(shown["price"]) == pytest.approx(SOURCES["entsoe_15min"][4](fixture), abs=1e-5)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_the_options_flow_names_the_events_to_enable(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    entry, _ = await _site(hass, fleet, freezer, "octopus_energy")
    prefix = "event.octopus_energy_electricity_22l4381884_1200060123456"
    disable(hass, f"{prefix}_next_day_rates")
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], sections({**plant_defaults(), **entry.options})
    )
    assert result["errors"] == {"base": "price_forecast_disabled"}
    shown = result["description_placeholders"]
    assert shown is not None
    assert shown["disabled"] == f"{prefix}_next_day_rates"


async def test_the_options_flow_flags_a_forecast_with_a_gap(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """A template sensor in the generic shape whose 16:00 hour is missing."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(BERLIN_NOW)
    set_plant(hass)
    hours = [h for h in range(14, 20) if h != 16]
    forecast = [
        {
            "start": f"2026-03-28T{h:02d}:00:00+01:00",
            "end": f"2026-03-28T{h + 1:02d}:00:00+01:00",
            "price": 0.1 + h / 100,
        }
        for h in hours
    ]
    hass.states.async_set(
        "sensor.spot_price", "0.24", {"unit_of_measurement": "EUR/kWh", "forecast": forecast}
    )
    entry = await setup_plant_site(hass, fleet.miners[0])
    await poll(hass, entry)
    assert float(site_state(hass, entry, "sensor", "electricity_price")) == pytest.approx(0.24)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], sections({**plant_defaults(), **entry.options})
    )
    assert result["errors"] == {"base": "price_forecast_problems"}
    shown = result["description_placeholders"]
    assert shown is not None
    assert shown["problems"] == "gap"


@pytest.mark.parametrize(
    ("vat_percent", "errors"), [(25, {"base": "price_already_all_in"}), (0, {})]
)
async def test_the_options_flow_warns_when_an_all_in_price_gets_vat_again(
    hass: HomeAssistant,
    fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    vat_percent: float,
    errors: dict[str, str],
) -> None:
    """Tibber's price is its total, taxes included: VAT on top would count them twice."""
    entry, _ = await _site(hass, fleet, freezer, "tibber")
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        sections({**plant_defaults(), **entry.options, "vat_percent": vat_percent}),
    )
    assert result["step_id"] == "price_source_all_in"
    assert result["errors"] == errors
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["vat_percent"] == vat_percent  # a warning: the user may go on


@pytest.mark.parametrize(
    ("pick", "all_in"),
    [
        (("tibber", None), True),
        (("octopus_energy", None), True),
        (("octopus_energy_v8", None), True),
        (("nordpool_hacs", None), False),  # its VAT only: no additional costs (its default)
        (("epex_spot", "sensor.epex_spot_data_total_price"), True),
        (("epex_spot_3", "sensor.epex_spot_data_net_price"), True),
        (("nordpool_core", None), False),
        (("entsoe", None), False),
        (("epex_spot", None), False),  # the market price
        (("epex_spot_2", None), False),
    ],
)
async def test_the_options_flow_says_when_a_source_is_all_in(
    hass: HomeAssistant,
    fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    pick: tuple[str, str | None],
    all_in: bool,
) -> None:
    """With no fees or VAT set, the step still says whether the price is all-in (adders 0)."""
    source, picked = pick  # the source's fixture, and another of its entities than the usual
    entry, _ = await _site(hass, fleet, freezer, source)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    options = {**plant_defaults(), **entry.options}
    if picked is not None:
        options[CONF_PRICE_ENTITY] = picked
    result = await hass.config_entries.options.async_configure(result["flow_id"], sections(options))
    assert result["step_id"] == ("price_source_all_in" if all_in else "price_source")
    assert result["errors"] == {}


async def test_hacs_nord_pool_with_additional_costs_is_all_in(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """Its template's fees (additional_costs_current_hour) make its price all-in."""
    entry, _ = await _site(hass, fleet, freezer, "nordpool_hacs")
    picked = entry.options[CONF_PRICE_ENTITY]
    state = hass.states.get(picked)
    assert state is not None
    hass.states.async_set(
        picked, state.state, {**state.attributes, "additional_costs_current_hour": 0.1342}
    )
    result = await hass.config_entries.options.async_init(entry.entry_id)
    options = {**plant_defaults(), **entry.options}
    result = await hass.config_entries.options.async_configure(result["flow_id"], sections(options))
    assert result["step_id"] == "price_source_all_in"


async def test_the_octopus_day_rates_event_can_be_picked(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """The user picks the event entity their integration made: its meter's days are found."""
    entry, fixture = await _site(hass, fleet, freezer, "octopus_energy")
    prefix = "event.octopus_energy_electricity_22l4381884_1200060123456"
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        sections(
            {
                **plant_defaults(),
                **entry.options,
                CONF_PRICE_ENTITY: f"{prefix}_current_day_rates",
            }
        ),
    )
    assert result["step_id"] == "price_source_all_in"  # unit rates incl. VAT
    assert result["errors"] == {}
    shown = result["description_placeholders"]
    assert shown is not None
    assert set(shown["forecast"].split(", ")) == {
        f"{prefix}_previous_day_rates",
        f"{prefix}_current_day_rates",
        f"{prefix}_next_day_rates",
    }
    assert (shown["today"], shown["tomorrow"]) == ("48", "46")
    exact = SOURCES["octopus_energy"][4](fixture)
    assert float(shown["price"]) == pytest.approx(exact, abs=1e-5)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the site reloads with its new options
    await poll(hass, entry)
    assert float(site_state(hass, entry, "sensor", "electricity_price")) == pytest.approx(exact)
    assert site_state(hass, entry, "sensor", "price_rank") == "1"  # the negative half hour


async def test_a_source_with_no_price_now_is_named_in_the_flow(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """ENTSO-e v0.6.3, which Home Assistant no longer loads: its sensors are restored
    unavailable, without a forecast."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(BERLIN_NOW)
    install(hass, load("entsoe__v0.6.3.json"))
    set_plant(hass)
    picked = SOURCES["entsoe"][1]
    entry = await setup_plant_site(hass, fleet.miners[0], {**PLANT, CONF_PRICE_ENTITY: picked})
    assert site_state(hass, entry, "sensor", "electricity_price") == "unknown"
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], sections({**plant_defaults(), **entry.options})
    )
    assert result["step_id"] == "price_source"
    assert result["errors"] == {"base": "price_unusable"}
    shown = result["description_placeholders"]
    assert shown is not None
    assert (shown["entity"], shown["forecast"], shown["price"]) == (picked, "-", "-")
