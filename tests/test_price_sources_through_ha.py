"""Every price integration's fixture, configured through the options flow as a user would, then
HashHeat's price entities at several instants against the fixture's own numbers.

At each instant: Electricity price and Spot price (no fees or VAT set: both the slot's price),
Price rank, Cheap electricity now, and the forecast attribute's first start, last end and length
(the slots from today's local midnight on). The instants: the fixture's now, the next slot's start,
one second before that slot's end, and today's most negative slot if the curve has one; then
tomorrow's publication, and the source's entities going unavailable.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.const import (
    CONF_CHEAP_HOURS,
    CONF_PRICE_ENTITY,
    DEFAULT_CHEAP_HOURS,
    DOMAIN,
)
from custom_components.hashheat.domain.price_forecast import detect_source
from sim import Fleet

from .helpers.entities import site_state
from .helpers.price_sources import (
    PUBLISHED,
    PriceFixture,
    Slot,
    attribute_slots,
    entsoe_slots,
    install,
    load,
    make_unavailable,
    nordpool_core_slots,
    octopus_slots,
    price_source_step,
    publish,
    tibber_slots,
)
from .helpers.site import PLANT, poll, set_plant, setup_plant_site

BEFORE_PUBLICATION = datetime.fromisoformat("2026-03-28T10:00:00+01:00")
OCTOPUS = "octopus_energy_electricity_22l4381884_1200060123456"
EPEX_DAYS = ("data",)
ENTSOE_PICK = "sensor.current_electricity_market_price"
NORDPOOL_HACS = "sensor.nordpool_kwh_ger_eur_3_10_019"


@dataclass(frozen=True, kw_only=True)
class Case:
    """One fixture as a user configures it."""

    fixture: str
    picked: str  # the entity the user picks
    slots: Callable[[PriceFixture, bool], list[Slot]]  # the integration's own (published?)
    currency: str = "EUR"
    by_action: bool = False  # the forecast is the integration's action's, not an attribute's
    now: datetime | None = None  # else the fixture's
    published_as: str | None = None  # the fixture once tomorrow's prices are out


def _epex(version: str, picked: str, price: str, scale: float = 1.0) -> Case:
    return Case(
        fixture=f"epex_spot__{version}.json",
        picked=picked,
        slots=attribute_slots(picked, EPEX_DAYS, ("start_time", "end_time", price), scale=scale),
    )


def _entsoe(release: str) -> dict[str, Case]:
    return {
        f"entsoe_{release}_autumn_dst": Case(
            fixture=f"entsoe__{release}__autumn_dst.json", picked=ENTSOE_PICK, slots=entsoe_slots
        ),
        f"entsoe_{release}": Case(
            fixture=f"entsoe__{release}.json", picked=ENTSOE_PICK, slots=entsoe_slots
        ),
        f"entsoe_{release}_before_tomorrow": Case(
            fixture=f"entsoe__{release}__before_tomorrow.json",
            picked=ENTSOE_PICK,
            slots=entsoe_slots,
            published_as=f"entsoe__{release}.json",
        ),
    }


def _octopus(release: str, **case: Any) -> Case:
    return Case(
        fixture=f"octopus_energy__{release}.json",
        picked=f"sensor.{OCTOPUS}_current_rate",
        currency="GBP",
        **case,
    )


NORDPOOL_HACS_SLOTS = attribute_slots(
    NORDPOOL_HACS, ("raw_today", "raw_tomorrow"), ("start", "end", "value")
)
CASES: dict[str, Case] = {
    "nordpool_core": Case(
        fixture="nordpool_core__2026.10.4.json",
        picked="sensor.nord_pool_ger_current_price",
        slots=nordpool_core_slots,
        by_action=True,
    ),
    "nordpool_core_before_publication": Case(
        fixture="nordpool_core__2026.10.4.json",
        picked="sensor.nord_pool_ger_current_price",
        slots=nordpool_core_slots,
        by_action=True,
        now=BEFORE_PUBLICATION,
    ),
    "nordpool_core_autumn_dst": Case(
        fixture="nordpool_core__2026.10.4__autumn_dst.json",
        picked="sensor.nord_pool_ger_current_price",
        slots=nordpool_core_slots,
        by_action=True,
    ),
    "tibber": Case(
        fixture="tibber_core__2026.10.4.json",
        picked="sensor.zuhause_electricity_price",
        slots=tibber_slots,
        by_action=True,
    ),
    "tibber_before_publication": Case(
        fixture="tibber_core__2026.10.4.json",
        picked="sensor.zuhause_electricity_price",
        slots=tibber_slots,
        by_action=True,
        now=BEFORE_PUBLICATION,
    ),
    "nordpool_hacs": Case(
        fixture="nordpool_hacs__0.0.18.json", picked=NORDPOOL_HACS, slots=NORDPOOL_HACS_SLOTS
    ),
    "nordpool_hacs_before_tomorrow": Case(
        fixture="nordpool_hacs__0.0.18__before_tomorrow.json",
        picked=NORDPOOL_HACS,
        slots=NORDPOOL_HACS_SLOTS,
        published_as="nordpool_hacs__0.0.18.json",
    ),
    **_entsoe("v0.7.2"),
    **_entsoe("v0.7.2-pt15m"),
    "epex_spot_4": _epex("4.0.0", "sensor.epex_spot_data_market_price", "price_per_kwh"),
    "epex_spot_3": _epex("3.0.0", "sensor.epex_spot_data_price", "price_per_kwh"),
    "epex_spot_2": _epex("2.3.9", "sensor.epex_spot_data_price", "price_eur_per_mwh", 1e-3),
    "octopus_energy_v18": _octopus("v18.3.1", slots=octopus_slots),
    "octopus_energy_v18_before_tomorrow": _octopus(
        "v18.3.1__before_tomorrow",
        slots=octopus_slots,
        published_as="octopus_energy__v18.3.1.json",
    ),
    "octopus_energy_v8": _octopus(
        "v8.5.2",
        slots=attribute_slots(
            f"sensor.{OCTOPUS}_current_rate",
            ("all_rates",),
            ("valid_from", "valid_to", "value_inc_vat"),
            scale=0.01,  # pence
        ),
    ),
}  # fmt: skip


def _published(case: Case, fixture: PriceFixture, at: datetime) -> bool:
    return at >= PUBLISHED if case.by_action else "__before_tomorrow" not in fixture.name


def _cheapest(ahead: list[Slot], at: datetime, hours: float) -> set[datetime]:
    """The starts of the cheapest slots ahead covering ``hours`` (what is left of the current)."""
    chosen: set[datetime] = set()
    covered = timedelta(0)
    for start, end, _ in sorted(ahead, key=lambda slot: (slot[2], slot[0])):
        if covered >= timedelta(hours=hours):
            break
        chosen.add(start)
        covered += end - max(start, at)
    return chosen


def _state(hass: HomeAssistant, entry: MockConfigEntry, platform: str, key: str) -> Any:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{entry.entry_id}_{key}")
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return state


def _assert_prices(
    hass: HomeAssistant, entry: MockConfigEntry, slots: list[Slot], at: datetime
) -> None:
    """HashHeat's price entities at ``at`` against the integration's slots."""
    midnight = dt_util.start_of_local_day(dt_util.as_local(at))
    shown = sorted({slot for slot in slots if slot[1] > midnight})
    current = next(slot for slot in shown if slot[0] <= at < slot[1])
    ahead = [slot for slot in shown if slot[1] > at]
    rank = 1 + sum(slot[2] < current[2] for slot in ahead)
    hours = float(entry.options.get(CONF_CHEAP_HOURS, DEFAULT_CHEAP_HOURS))
    cheap = current[0] in _cheapest(ahead, at, hours)
    for key in ("electricity_price", "spot_price"):
        state = _state(hass, entry, "sensor", key)
        assert float(state.state) == pytest.approx(current[2], abs=1e-9), (key, at)
        forecast = state.attributes["forecast"]
        assert len(forecast) == len(shown), (key, at)
        assert forecast[0]["start"] == dt_util.as_local(shown[0][0]).isoformat()
        assert forecast[-1]["end"] == dt_util.as_local(shown[-1][1]).isoformat()
        now_item = next(
            item for item in forecast if item["start"] == dt_util.as_local(current[0]).isoformat()
        )
        assert now_item["price"] == pytest.approx(current[2], abs=1e-6)
    assert site_state(hass, entry, "sensor", "price_rank") == str(rank), at
    assert site_state(hass, entry, "binary_sensor", "cheap_now") == ("on" if cheap else "off"), at


def _instants(slots: list[Slot], now: datetime) -> list[datetime]:
    """Now, the next slot's start and a second before its end, today's negative slot if any."""
    ordered = sorted(slots)
    current = next(slot for slot in ordered if slot[0] <= now < slot[1])
    following = next(slot for slot in ordered if slot[0] == current[1])
    today = [slot for slot in ordered if dt_util.as_local(slot[0]).date() == now.date()]
    lowest = min(today, key=lambda slot: slot[2])
    negative = [lowest[0]] if lowest[2] < 0 else []
    return [now, following[0], following[1] - timedelta(seconds=1), *negative]


async def _configure(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory, case: Case
) -> tuple[MockConfigEntry, PriceFixture, datetime]:
    """The integration installed, a site without a price, then the price picked in the flow."""
    fixture = load(case.fixture)
    now = case.now or fixture.now
    await hass.config.async_set_time_zone(str(fixture.zone))
    freezer.move_to(now)
    install(hass, fixture)
    set_plant(hass)
    options = {key: value for key, value in PLANT.items() if key != CONF_PRICE_ENTITY}
    entry = await setup_plant_site(hass, fleet.miners[0], options, currency=case.currency)
    result = await price_source_step(hass, entry, **{CONF_PRICE_ENTITY: case.picked})
    assert result["step_id"] in {"price_source", "price_source_all_in"}
    assert result["errors"] == {}
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options[CONF_PRICE_ENTITY] == case.picked
    return entry, fixture, now


@pytest.mark.parametrize("name", CASES)
async def test_a_source_through_home_assistant(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory, name: str
) -> None:
    case = CASES[name]
    entry, fixture, now = await _configure(hass, fleet, freezer, case)
    slots = case.slots(fixture, _published(case, fixture, now))
    for at in _instants(slots, now):
        freezer.move_to(at)
        await poll(hass, entry)
        _assert_prices(hass, entry, case.slots(fixture, _published(case, fixture, at)), at)

    if case.by_action and now < PUBLISHED:  # asked again every 30 min until tomorrow is out
        at = fixture.now
        freezer.move_to(at)
        await poll(hass, entry)
        _assert_prices(hass, entry, case.slots(fixture, True), at)
    elif case.published_as is not None:  # the integration writes tomorrow's prices
        fixture = load(case.published_as)
        at = fixture.now
        freezer.move_to(at)
        publish(hass, fixture)
        await poll(hass, entry)
        _assert_prices(hass, entry, case.slots(fixture, True), at)


@pytest.mark.parametrize("name", CASES)
async def test_a_source_going_unavailable(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory, name: str
) -> None:
    """The integration loses its data: its entities unavailable, so no price from them.

    An action's forecast (Nord Pool, Tibber) was the integration's answer: it stands.
    """
    case = CASES[name]
    entry, fixture, now = await _configure(hass, fleet, freezer, case)
    for entity_id, entity in fixture.entities.items():
        if entity["enabled_by_default"]:
            make_unavailable(hass, fixture, entity_id)
    await poll(hass, entry)
    if case.by_action:
        _assert_prices(hass, entry, case.slots(fixture, _published(case, fixture, now)), now)
        return
    for key in ("electricity_price", "spot_price", "price_rank"):
        assert site_state(hass, entry, "sensor", key) == "unknown"
    assert site_state(hass, entry, "binary_sensor", "cheap_now") == "unknown"
    assert _state(hass, entry, "sensor", "electricity_price").attributes["forecast"] == []


@pytest.mark.parametrize("name", [name for name, case in CASES.items() if not case.by_action])
async def test_only_the_picked_entity_going_unavailable(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory, name: str
) -> None:
    """A sibling holding the picked entity's own forecast still prices; no other sibling does.

    ENTSO-e's average sensor holds the current price sensor's forecast; EPEX Spot's total price
    beside an unavailable market price is another price, not a stand-in.
    """
    case = CASES[name]
    entry, fixture, now = await _configure(hass, fleet, freezer, case)
    make_unavailable(hass, fixture, case.picked)
    await poll(hass, entry)
    if detect_source(fixture.attributes(case.picked)) is None:
        _assert_prices(hass, entry, case.slots(fixture, _published(case, fixture, now)), now)
        return
    for key in ("electricity_price", "spot_price", "price_rank"):
        assert site_state(hass, entry, "sensor", key) == "unknown", key


@pytest.mark.parametrize("name", [name for name in CASES if name.endswith("_autumn_dst")])
async def test_the_25_hour_day_at_0230_both_times(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory, name: str
) -> None:
    """2026-10-25: 02:30 summer time, then an hour later 02:30 winter time, each its own slot."""
    case = CASES[name]
    entry, fixture, _ = await _configure(hass, fleet, freezer, case)
    slots = case.slots(fixture, False)
    prices = []
    for offset in ("+02:00", "+01:00"):
        at = datetime.fromisoformat(f"2026-10-25T02:30:00{offset}")
        freezer.move_to(at)
        await poll(hass, entry)
        _assert_prices(hass, entry, slots, at)
        prices.append(site_state(hass, entry, "sensor", "electricity_price"))
    assert prices[0] != prices[1]
    forecast = _state(hass, entry, "sensor", "electricity_price").attributes["forecast"]
    day_length = (forecast[-1]["end"], len(forecast))
    assert day_length[0] == "2026-10-26T00:00:00+01:00"
    assert day_length[1] == (100 if "pt15m" in name or "nordpool" in name else 25)
