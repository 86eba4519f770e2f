"""Health and wear end to end: real Home Assistant, real pyasic, simulated LuxOS miners.

Every start counts, whoever made it (the loop, a grid hold's release), and the wear survives a
restart; a drift the detectors report raises its repair with the figures, and clears with it.
"""

import math
from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.const import DOMAIN
from custom_components.hashheat.domain.health import (
    CHIP_RISE_SETTINGS,
    EXCHANGER_SETTINGS,
    DriftDetector,
)
from sim import Fleet

from .helpers.climate import CONTROL, call, climate_id
from .helpers.entities import miner_value, site_value
from .helpers.site import PLANT, poll, set_plant, setup_plant_site

POLL = timedelta(minutes=1)


async def _polls(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory, count: int
) -> None:
    for _ in range(count):
        freezer.tick(POLL)
        set_plant(hass)
        await poll(hass, entry)


async def _site_service(hass: HomeAssistant, service: str, entry: MockConfigEntry) -> None:
    await hass.services.async_call(
        DOMAIN, service, {"config_entry_id": entry.entry_id}, blocking=True
    )


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("fleet", [2], indirect=True)
async def test_every_start_counts_and_survives_a_restart(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    # Midday in Home Assistant's time zone: "today" must not end during the test.
    freezer.move_to(dt_util.now().replace(hour=12, minute=0, second=0, microsecond=0))
    set_plant(hass)
    hass.states.async_set("binary_sensor.loop_pump", "on")
    entry = await setup_plant_site(hass, list(fleet.miners), CONTROL)
    await call(hass, "set_temperature", climate_id(hass, entry), temperature=55, hvac_mode="heat")
    await _polls(hass, entry, freezer, 12)
    assert not any(miner.state.is_sleeping for miner in fleet.miners)
    before = site_value(hass, entry, "starts")
    assert site_value(hass, entry, "running_hours") > 0

    # The grid hold stops the site; its release starts both miners again: two starts.
    await _site_service(hass, "pause_site", entry)
    await _polls(hass, entry, freezer, 3)
    assert all(miner.state.is_sleeping for miner in fleet.miners)
    await _site_service(hass, "resume_site", entry)
    await _polls(hass, entry, freezer, 8)
    assert not any(miner.state.is_sleeping for miner in fleet.miners)
    assert site_value(hass, entry, "starts") == before + 2
    assert site_value(hass, entry, "starts_today") >= 2
    assert site_value(hass, entry, "remaining_starts_today") <= 2 * (12 - 1)
    for miner in fleet.miners:
        assert miner_value(hass, miner, "starts_today") >= 1
        assert miner_value(hass, miner, "remaining_starts_today") <= 11

    # A start from outside HashHeat (the miner woken from its own page) counts too.
    miner = fleet.miners[0]
    counted = miner_value(hass, miner, "starts")
    await _site_service(hass, "pause_site", entry)
    await _polls(hass, entry, freezer, 2)
    miner.state.wakeup()
    await _polls(hass, entry, freezer, 2)
    assert miner_value(hass, miner, "starts") == counted + 1

    # Restarted: the counts are as they were.
    totals = {key: site_value(hass, entry, key) for key in ("starts", "running_hours")}
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert {key: site_value(hass, entry, key) for key in totals} == totals
    assert miner_value(hass, miner, "starts") == counted + 1


def _drifted(detector: DriftDetector, baseline: float, now: float) -> dict[str, Any]:
    """A detector's stored state: learned ``baseline``, ``now`` for a day, warning."""
    data = detector.as_dict()
    return {
        **data,
        "learned_s": detector.settings.learn_s,
        "baseline": [baseline, 1.0],
        "fast": [now, 1.0],
        "slow": [baseline, 1.0],
        "beyond_s": detector.settings.sustain_s,
        "warning": True,
    }


async def test_drifts_raise_their_repairs_with_figures_and_clear(
    hass: HomeAssistant, fleet: Fleet, hass_storage: dict[str, Any]
) -> None:
    set_plant(hass)
    miner = fleet.miners[0]
    entry = await setup_plant_site(hass, miner)
    health = entry.runtime_data.plant_health.health
    (miner_id,) = entry.runtime_data.miners
    health.chips[miner_id] = DriftDetector.from_dict(
        CHIP_RISE_SETTINGS, _drifted(DriftDetector(settings=CHIP_RISE_SETTINGS), 7.0, 8.5)
    )
    health.exchanger = DriftDetector.from_dict(
        EXCHANGER_SETTINGS, _drifted(DriftDetector(settings=EXCHANGER_SETTINGS), 2000.0, 1500.0)
    )
    await poll(hass, entry)
    registry = ir.async_get(hass)
    fluid = registry.async_get_issue(DOMAIN, f"fluid_check_{entry.entry_id}")
    assert fluid is not None
    assert fluid.translation_placeholders is not None
    assert fluid.translation_placeholders["site"] == "Boiler room"
    assert fluid.translation_placeholders["baseline"] == "7.00"
    assert fluid.translation_placeholders["change"].startswith("+")
    fouling = registry.async_get_issue(DOMAIN, f"exchanger_fouling_{entry.entry_id}")
    assert fouling is not None
    assert fouling.translation_placeholders is not None
    assert fouling.translation_placeholders["baseline"] == "2000"
    assert site_value(hass, entry, "exchanger_status") == "warning"

    # Stored with the site: a restart keeps the learned baselines and the warnings.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    saved = hass_storage[f"{DOMAIN}.{entry.entry_id}.health"]["data"]["health"]
    assert saved["exchanger"]["baseline"] == [2000.0, 1.0]
    assert site_value(hass, entry, "exchanger_status") == "warning"

    # New fluid, a cleaned exchanger: Relearn plant health clears the repairs and the baselines.
    button = er.async_get(hass).async_get_entity_id(
        "button", DOMAIN, f"{entry.entry_id}_relearn_health"
    )
    assert button is not None
    await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)
    assert registry.async_get_issue(DOMAIN, f"fluid_check_{entry.entry_id}") is None
    saved = hass_storage[f"{DOMAIN}.{entry.entry_id}.health"]["data"]["health"]
    assert saved["exchanger"]["learned_s"] == 0.0
    await poll(hass, entry)
    assert registry.async_get_issue(DOMAIN, f"exchanger_fouling_{entry.entry_id}") is None
    assert site_value(hass, entry, "exchanger_status") == "learning"


async def test_a_tank_sensor_is_the_fluid_the_detectors_compare_with(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    set_plant(hass)  # supply 50 °C, return 40 °C, 4.2 L/min of water: 2896.74 W
    hass.states.async_set("sensor.tank_fluid", "55.0", {"unit_of_measurement": "°C"})
    miner = fleet.miners[0]
    entry = await setup_plant_site(
        hass, miner, {**PLANT, "tank_temperature_entity": "sensor.tank_fluid"}
    )
    await poll(hass, entry)
    # UA = Q / LMTD, LMTD = (50 - 40) / ln((55 - 40) / (55 - 50)).
    ua = 2896.74 / (10.0 / math.log(15.0 / 5.0))
    assert site_value(hass, entry, "exchanger_conductance") == pytest.approx(ua, rel=1e-4)
    reading = entry.runtime_data.data.readings[next(iter(entry.runtime_data.miners))]
    assert reading.chip_temp_max_c is not None
    assert reading.power_w is not None
    rise = (reading.chip_temp_max_c - 55.0) / (reading.power_w / 1000)
    assert miner_value(hass, miner, "chip_rise") == pytest.approx(rise)


async def test_the_warning_threshold_hold_and_learning_are_options(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    set_plant(hass)
    options = {
        **PLANT,
        "health_threshold_percent": 30,
        "health_hold_hours": 2,
        "health_learn_days": 3,
    }
    entry = await setup_plant_site(hass, fleet.miners[0], options)
    health = entry.runtime_data.plant_health.health
    settings = health.exchanger.settings
    assert (settings.threshold, settings.sustain_s, settings.learn_s) == (
        pytest.approx(0.3),
        2 * 3600,
        3 * 86400,
    )
    # 25 % under its baseline: a warning at the default 10 %, within the site's 30 %.
    stored = _drifted(DriftDetector(settings=health.exchanger.settings), 2000.0, 1500.0)
    stored["warning"] = False  # drifted for 6 hours, not yet judged
    health.exchanger = DriftDetector.from_dict(health.exchanger.settings, stored)
    await poll(hass, entry)
    assert site_value(hass, entry, "exchanger_status") == "ok"
    registry = ir.async_get(hass)
    assert registry.async_get_issue(DOMAIN, f"exchanger_fouling_{entry.entry_id}") is None


@pytest.mark.parametrize(("hot_chip_c", "hot"), [(80.0, False), (40.0, True)])
async def test_the_hot_chip_limit_is_an_option(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory, hot_chip_c: float, hot: bool
) -> None:
    set_plant(hass)
    miner = fleet.miners[0]
    entry = await setup_plant_site(hass, miner, {**PLANT, "hot_chip_c": hot_chip_c})
    await _polls(hass, entry, freezer, 5)
    reading = entry.runtime_data.data.readings[next(iter(entry.runtime_data.miners))]
    assert reading.chip_temp_max_c is not None
    assert 40.0 < reading.chip_temp_max_c < 80.0
    assert (site_value(hass, entry, "hot_hours") > 0) is hot
    assert entry.runtime_data.plant_health.wear_settings.cycle_range_k == 10.0
