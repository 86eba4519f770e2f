"""Heat, energy and money of a site, end to end: simulated miner, plant sensors, mempool API."""

from datetime import timedelta
from http import HTTPStatus
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.hashheat.const import (
    CONF_FLOW,
    CONF_REVENUE_SOURCE,
    CONF_SUPPLY_TEMPERATURE,
    DOMAIN,
)
from sim import Fleet

from .helpers.entities import miner_value, site_value
from .helpers.mempool import mock_mempool
from .helpers.site import PLANT, poll, set_plant, setup_plant_site

# The mempool fixtures: difficulty 152271405447597.1 at height 925 000 (subsidy 50 / 2^4 =
# 3.125 BTC), 2 975 312 847 sats of fees over the 144 blocks 924 857..925 000, 1 BTC = 87 321 EUR.
DIFFICULTY = 152271405447597.1
REWARD_BTC = 3.125 + 2_975_312_847 / 144 / 1e8
BTC_EUR = 87_321


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_calorimetric_heat_energy_and_money(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    miner = fleet.miners[0]
    set_plant(hass)
    entry = await setup_plant_site(hass, miner)
    await poll(hass, entry)
    power = miner.state.snapshot().watts  # 3010 W on the default profile, no noise
    hashrate = miner.state.snapshot().hashrate_ghs / 1000

    # 4.2 L/min of water, 50 -> 40 °C: 4.2/60000 m³/s x 990 kg/m³ x 4180 J/kgK x 10 K = 2896.74 W
    assert site_value(hass, entry, "heat_power") == pytest.approx(2896.74, abs=0.01)
    assert site_value(hass, entry, "heat_method") == "calorimetric"
    assert site_value(hass, entry, "capture_fraction") == pytest.approx(2896.74 / power * 100, 1e-4)
    assert site_value(hass, entry, "power") == power
    # The miner's own heat is estimated: 95 % of its power.
    assert miner_value(hass, miner, "heat_power") == pytest.approx(power * 0.95)
    assert site_value(hass, entry, "electricity_price") == pytest.approx(0.0853)

    # Revenue: H x 1e12 x 86400 / (D x 2^32) blocks a day x reward x (1 - 2 % pool fee).
    btc_per_day = hashrate * 1e12 * 86400 / (DIFFICULTY * 2**32) * REWARD_BTC * 0.98
    assert miner_value(hass, miner, "btc_per_day") == pytest.approx(btc_per_day, rel=1e-6)
    assert site_value(hass, entry, "revenue_rate") == pytest.approx(btc_per_day * BTC_EUR, 1e-6)

    # Breakeven: revenue per kWh + capture x gas heat price (0.10 / 0.9).
    revenue_per_kwh = btc_per_day * BTC_EUR / 24 / (power / 1000)
    breakeven = revenue_per_kwh + 2896.74 / power * (0.10 / 0.9)
    assert site_value(hass, entry, "breakeven_price") == pytest.approx(breakeven, rel=1e-4)

    freezer.tick(timedelta(seconds=60))
    await poll(hass, entry)
    hours = 60 / 3600
    kwh = power / 1000 * hours
    heat_kwh = 2.89674 * hours
    assert site_value(hass, entry, "electricity_energy") == pytest.approx(kwh, rel=1e-4)
    assert miner_value(hass, miner, "electricity_energy") == pytest.approx(kwh, rel=1e-4)
    assert site_value(hass, entry, "heat_energy") == pytest.approx(heat_kwh, rel=1e-4)
    assert miner_value(hass, miner, "heat_energy") == pytest.approx(kwh * 0.95, rel=1e-4)
    assert site_value(hass, entry, "electricity_cost") == pytest.approx(kwh * 0.0853, rel=1e-3)
    revenue = btc_per_day * BTC_EUR * hours / 24
    assert site_value(hass, entry, "revenue") == pytest.approx(revenue, rel=1e-3)
    assert site_value(hass, entry, "heat_value") == pytest.approx(heat_kwh * 0.10 / 0.9, 1e-3)
    net = (kwh * 0.0853 - revenue) / (heat_kwh / 1000)
    assert site_value(hass, entry, "net_cost_of_heat") == pytest.approx(net, rel=1e-3)
    co2 = heat_kwh * 0.201 / 0.9 - kwh * 0.25
    assert site_value(hass, entry, "co2_avoided") == pytest.approx(co2, rel=1e-3)
    assert site_value(hass, entry, "energy_reuse_factor") == pytest.approx(
        heat_kwh / kwh * 100, rel=1e-3
    )


async def test_implausible_or_idle_heat_ratio_not_used(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    # 100 L/min over 10 K is 69 kW: more heat than the 3 kW miner can give (a meter fault).
    set_plant(hass, flow=100.0)
    entry = await setup_plant_site(hass, miner)
    await poll(hass, entry)
    power = miner.state.snapshot().watts
    heat = site_value(hass, entry, "heat_power")
    assert site_value(hass, entry, "capture_fraction") == pytest.approx(heat / power * 100)
    # The breakeven falls back to the configured 95 % capture instead of 2300 %.
    revenue_per_kwh = site_value(hass, entry, "revenue_rate") / 24 / (power / 1000)
    breakeven = revenue_per_kwh + 0.95 * (0.10 / 0.9)
    assert site_value(hass, entry, "breakeven_price") == pytest.approx(breakeven, rel=1e-4)

    # Sleeping miners: the loop's heat is the tank's, no capture fraction is measured.
    miner.state.sleep()
    await poll(hass, entry)
    assert site_value(hass, entry, "power") < 100
    assert site_value(hass, entry, "capture_fraction") == "unknown"


async def test_counters_survive_a_restart_and_a_dead_miner(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    miner = fleet.miners[0]
    set_plant(hass)
    entry = await setup_plant_site(hass, miner)
    await poll(hass, entry)
    freezer.tick(timedelta(seconds=60))
    await poll(hass, entry)
    before = site_value(hass, entry, "electricity_energy")
    assert before > 0

    power = miner.state.snapshot().watts
    minute_kwh = power / 1000 / 60

    # Home Assistant is down for ten minutes, then starts: nothing lost, the downtime adds nothing.
    freezer.tick(timedelta(minutes=10))
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert site_value(hass, entry, "electricity_energy") == pytest.approx(before)
    freezer.tick(timedelta(seconds=60))
    await poll(hass, entry)
    after_restart = before + minute_kwh
    assert site_value(hass, entry, "electricity_energy") == pytest.approx(after_restart)

    # The miner goes offline for two minutes: no energy is invented for it.
    miner.faults.offline = True
    for _ in range(2):
        freezer.tick(timedelta(seconds=60))
        await poll(hass, entry)
    assert miner_value(hass, miner, "electricity_energy") == pytest.approx(after_restart)
    assert site_value(hass, entry, "electricity_energy") == pytest.approx(after_restart)
    miner.faults.offline = False
    freezer.tick(timedelta(seconds=15))
    await poll(hass, entry)  # back: a new run starts here
    freezer.tick(timedelta(seconds=15))
    await poll(hass, entry)
    assert miner_value(hass, miner, "electricity_energy") == pytest.approx(
        after_restart + minute_kwh / 4, rel=1e-6
    )


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    "failure",
    [{"status": HTTPStatus.INTERNAL_SERVER_ERROR}, {"exc": TimeoutError()}, {"text": "{not json"}],
)
async def test_network_failure_leaves_revenue_unknown_and_heat_running(
    hass: HomeAssistant,
    fleet: Fleet,
    aioclient_mock: AiohttpClientMocker,
    failure: dict[str, Any],
) -> None:
    miner = fleet.miners[0]
    set_plant(hass)
    entry = await setup_plant_site(hass, miner)
    await poll(hass, entry)
    assert isinstance(site_value(hass, entry, "revenue_rate"), float)

    aioclient_mock.clear_requests()  # type: ignore[no-untyped-call]
    mock_mempool(aioclient_mock, {"/api/v1/mining/hashrate/3d": failure})
    network = entry.runtime_data.network
    assert network is not None
    await network.async_refresh()
    assert not network.last_update_success
    await poll(hass, entry)
    assert site_value(hass, entry, "revenue_rate") == "unknown"
    assert miner_value(hass, miner, "btc_per_day") == "unknown"
    assert site_value(hass, entry, "heat_power") == pytest.approx(2896.74, abs=0.01)
    assert site_value(hass, entry, "network_data_time") != "unknown"  # the last good data


async def test_estimated_heat_and_unusable_plant_sensors(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    set_plant(hass, supply="unavailable", flow="garbage")
    entry = await setup_plant_site(hass, miner)
    await poll(hass, entry)
    # Calorimetric configured but its sensors are unusable: heat unknown, never invented.
    assert site_value(hass, entry, "heat_power") == "unknown"
    assert site_value(hass, entry, "heat_method") == "calorimetric"

    estimated = {k: v for k, v in PLANT.items() if k not in (CONF_FLOW, CONF_SUPPLY_TEMPERATURE)}
    hass.config_entries.async_update_entry(entry, options=estimated)
    await hass.async_block_till_done()
    await poll(hass, entry)
    power = miner.state.snapshot().watts
    assert site_value(hass, entry, "heat_method") == "estimated"
    assert site_value(hass, entry, "heat_power") == pytest.approx(power * 0.95)
    assert site_value(hass, entry, "capture_fraction") == "unknown"


async def test_fixed_hashprice_needs_no_network(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    options = {**PLANT, CONF_REVENUE_SOURCE: "fixed_hashprice", "hashprice": 0.05}
    set_plant(hass)
    entry = await setup_plant_site(hass, miner, options)
    assert entry.runtime_data.network is None
    await poll(hass, entry)
    hashrate = miner.state.snapshot().hashrate_ghs / 1000
    # 0.05 EUR per TH/s per day, less the 2 % pool fee.
    assert site_value(hass, entry, "revenue_rate") == pytest.approx(hashrate * 0.05 * 0.98)
    assert site_value(hass, entry, "btc_per_day") == "unknown"


@pytest.mark.parametrize(("unit", "reading"), [("kW", 2.5), ("W", 2500.0), ("MW", 0.0025)])
async def test_heat_meter_power_overrides_the_other_methods(
    hass: HomeAssistant, fleet: Fleet, unit: str, reading: float
) -> None:
    miner = fleet.miners[0]
    set_plant(hass)
    hass.states.async_set("sensor.heat_meter", str(reading), {"unit_of_measurement": unit})
    entry = await setup_plant_site(hass, miner, {**PLANT, "heat_meter_entity": "sensor.heat_meter"})
    await poll(hass, entry)
    assert site_value(hass, entry, "heat_method") == "meter"
    assert site_value(hass, entry, "heat_power") == pytest.approx(2500.0)


async def test_heat_meter_energy_counter_becomes_power(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    miner = fleet.miners[0]
    set_plant(hass)
    meter = "sensor.heat_meter"
    hass.states.async_set(meter, "1000.000", {"unit_of_measurement": "kWh"})
    entry = await setup_plant_site(hass, miner, {**PLANT, "heat_meter_entity": meter})
    await poll(hass, entry)
    assert site_value(hass, entry, "heat_power") == "unknown"  # one reading is no rate yet
    freezer.tick(timedelta(seconds=60))
    hass.states.async_set(meter, "1000.045", {"unit_of_measurement": "kWh"})
    await poll(hass, entry)
    # 0.045 kWh in a minute = 2.7 kW
    assert site_value(hass, entry, "heat_power") == pytest.approx(2700.0, rel=1e-6)
    # The meter updates its counter every few minutes: between updates the rate holds.
    freezer.tick(timedelta(seconds=60))
    await poll(hass, entry)
    assert site_value(hass, entry, "heat_power") == pytest.approx(2700.0, rel=1e-6)
    freezer.tick(timedelta(minutes=20))  # a counter stopped this long means no heat
    await poll(hass, entry)
    assert site_value(hass, entry, "heat_power") == 0
    freezer.tick(timedelta(seconds=60))
    hass.states.async_set(meter, "0.5", {"unit_of_measurement": "kWh"})  # meter replaced
    await poll(hass, entry)
    assert site_value(hass, entry, "heat_power") == "unknown"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_grid_intensity_sensor_and_btc_price_sensor(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    miner = fleet.miners[0]
    set_plant(hass)
    hass.states.async_set("sensor.grid_co2", "100", {"unit_of_measurement": "gCO2eq/kWh"})
    hass.states.async_set("sensor.btc_eur", "90000", {"unit_of_measurement": "EUR"})
    options = {
        **PLANT,
        "grid_intensity_entity": "sensor.grid_co2",
        CONF_REVENUE_SOURCE: "btc_price_entity",
        "btc_price_entity": "sensor.btc_eur",
    }
    entry = await setup_plant_site(hass, miner, options)
    await poll(hass, entry)
    btc_per_day = miner_value(hass, miner, "btc_per_day")
    assert miner_value(hass, miner, "revenue_rate") == pytest.approx(btc_per_day * 90000)
    freezer.tick(timedelta(seconds=60))
    await poll(hass, entry)
    power = miner.state.snapshot().watts
    kwh, heat_kwh = power / 1000 / 60, 2.89674 / 60
    # The sensor's 100 g/kWh replaces the configured 0.25 kg/kWh.
    co2 = heat_kwh * 0.201 / 0.9 - kwh * 0.100
    assert site_value(hass, entry, "co2_avoided") == pytest.approx(co2, rel=1e-3)


async def test_hashprice_sensor_in_its_own_unit(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    set_plant(hass)
    hass.states.async_set("sensor.hashprice", "48.5", {"unit_of_measurement": "EUR/PH/day"})
    options = {
        **PLANT,
        CONF_REVENUE_SOURCE: "hashprice_entity",
        "hashprice_entity": "sensor.hashprice",
    }
    entry = await setup_plant_site(hass, miner, options)
    assert entry.runtime_data.network is None
    await poll(hass, entry)
    hashrate = miner.state.snapshot().hashrate_ghs / 1000
    # 48.5 EUR per PH/s per day = 0.0485 EUR per TH/s per day, less the 2 % pool fee.
    assert site_value(hass, entry, "revenue_rate") == pytest.approx(hashrate * 0.0485 * 0.98)


async def test_counters_are_written_while_polling_not_only_at_shutdown(
    hass: HomeAssistant,
    fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """A crash must not lose the day: the ledger reaches the disk while polls keep coming."""
    miner = fleet.miners[0]
    set_plant(hass)
    entry = await setup_plant_site(hass, miner)
    key = f"{DOMAIN}.{entry.entry_id}.ledger"
    for _ in range(6):  # every 15 s for 90 s: a save re-armed at each poll would never fire
        freezer.tick(timedelta(seconds=15))
        async_fire_time_changed(hass)
        await poll(hass, entry)
    await hass.async_block_till_done()
    assert key in hass_storage
    saved = hass_storage[key]["data"]["site"]["electricity_kwh"]["total"]
    assert saved > 0


@pytest.mark.parametrize("fleet", [2], indirect=True)
async def test_measured_ratios_wait_for_every_miner(hass: HomeAssistant, fleet: Fleet) -> None:
    """Loop heat covers all miners: with one missing, capture and heat counting pause."""
    up, down = fleet.miners
    set_plant(hass)
    entry = await setup_plant_site(hass, [up, down])
    await poll(hass, entry)
    assert isinstance(site_value(hass, entry, "capture_fraction"), float)
    down.faults.offline = True
    await poll(hass, entry)
    assert site_value(hass, entry, "capture_fraction") == "unknown"
    assert site_value(hass, entry, "heat_power") == pytest.approx(2896.74, abs=0.01)
    assert entry.runtime_data.data.figures is not None
    assert entry.runtime_data.data.figures.rates.heat_kw is None
