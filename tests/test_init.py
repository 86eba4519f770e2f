"""End to end: simulated miners -> real pyasic -> the site coordinator -> Home Assistant states."""

import asyncio
from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState, ConfigSubentryData
from homeassistant.const import CONF_HOST, STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.entity_platform import MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.hashheat.const import (
    CONF_CAPABILITIES,
    CONF_MAC,
    CONF_MIN_OFF_MINUTES,
    CONF_MIN_ON_MINUTES,
    DOMAIN,
    REDETECT_AFTER_FAILURES,
    SUBENTRY_MINER,
    UNREACHABLE_REPAIR_AFTER,
)
from sim import Fleet, SimulatedMiner, until

from .helpers.addresses import next_address
from .helpers.entities import entity_id, state_of, value
from .helpers.miners import STEADY_TURNS
from .helpers.site import poll, setup_site


def _miner_devices(registry: dr.DeviceRegistry, entry: MockConfigEntry) -> list[dr.DeviceEntry]:
    return [
        device
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
        if device.config_subentry_id is not None
    ]


# Less used miner entities start disabled, so that a site of 500 miners stays within the
# 10 000 enabled entities Home Assistant allows a config entry.
DISABLED_BY_DEFAULT = {
    ("sensor", "expected_hashrate"),
    ("sensor", "power_limit"),
    ("sensor", "fan_speed"),
    ("sensor", "last_boot"),
    ("sensor", "active_pool"),
    ("sensor", "pool_state"),
    ("sensor", "btc_per_day"),
    ("button", "restart_backend"),
}


async def test_a_500_miner_site_fits_the_entity_limit(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    entry = await setup_site(hass, miner)
    await poll(hass, entry)
    registry = er.async_get(hass)
    for platform, key in DISABLED_BY_DEFAULT:
        found = registry.async_get(entity_id(hass, platform, miner, key))
        assert found is not None
        assert found.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    entities = er.async_entries_for_config_entry(registry, entry.entry_id)
    per_miner = sum(
        1 for e in entities if e.disabled_by is None and e.unique_id.startswith(miner.identity.mac)
    )
    per_site = sum(1 for e in entities if e.disabled_by is None) - per_miner
    assert 500 * per_miner + per_site <= MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_simulated_values_reach_every_sensor(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    miner.fluid_temp_c = 45.0
    entry = await setup_site(hass, miner)
    await poll(hass, entry)

    snapshot = miner.state.snapshot()
    assert value(hass, miner, "power") == snapshot.watts
    assert value(hass, miner, "hashrate") == pytest.approx(snapshot.hashrate_ghs / 1000)
    assert value(hass, miner, "expected_hashrate") == pytest.approx(
        snapshot.ideal_hashrate_ghs / 1000
    )
    assert value(hass, miner, "power_limit") == snapshot.profile.watts
    assert value(hass, miner, "efficiency") == pytest.approx(
        snapshot.watts / (snapshot.hashrate_ghs / 1000), rel=1e-3
    )
    board_temps = [sum(b.pcb_temps[1:3]) / 2 for b in snapshot.boards]
    assert value(hass, miner, "board_temperature_max") == pytest.approx(max(board_temps))
    chip_temps = [(b.chip_temps[0] + b.chip_temps[3]) / 2 for b in snapshot.boards]
    assert value(hass, miner, "chip_temperature_max") == pytest.approx(max(chip_temps))
    assert value(hass, miner, "chip_temperature_max") > miner.fluid_temp_c
    assert state_of(hass, "sensor", miner, "active_pool").startswith("stratum+tcp://")
    assert state_of(hass, "sensor", miner, "pool_state") == "connected"
    assert value(hass, miner, "error_count") == 0
    assert state_of(hass, "sensor", miner, "last_boot") != STATE_UNAVAILABLE
    assert state_of(hass, "binary_sensor", miner, "connectivity") == STATE_ON
    assert state_of(hass, "binary_sensor", miner, "problem") == STATE_OFF
    assert state_of(hass, "switch", miner, "mining") == STATE_ON

    registry = er.async_get(hass)
    # LuxOS on an S19 reports no fluid temperatures: no entity rather than an empty one.
    assert (
        registry.async_get_entity_id(
            "sensor", DOMAIN, f"{miner.identity.mac}_fluid_inlet_temperature"
        )
        is None
    )


async def test_capabilities_are_read_and_stored(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    entry = await setup_site(hass, miner)
    (subentry,) = entry.subentries.values()
    stored = subentry.data[CONF_CAPABILITIES]
    assert stored["power_control"] == "presets"
    assert stored["can_pause"] is True
    # The capabilities read at the first poll decide which controls exist.
    number = hass.states.get(entity_id(hass, "number", miner, "power_limit_control"))
    assert number is not None
    assert float(number.attributes["min"]) == min(p.watts for p in miner.state.model.profiles())
    assert float(number.attributes["max"]) == max(p.watts for p in miner.state.model.profiles())
    for key in ("reboot", "restart_backend", "identify"):
        entity_id(hass, "button", miner, key)


async def test_power_limit_is_snapped_and_read_back(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    miner = fleet.miners[0]
    entry = await setup_site(hass, miner)
    number = entity_id(hass, "number", miner, "power_limit_control")
    profiles = sorted(miner.state.model.profiles(), key=lambda p: p.watts)
    wanted = (profiles[2].watts + profiles[3].watts) // 2  # between two presets

    await hass.services.async_call(
        "number", "set_value", {"entity_id": number, "value": wanted}, blocking=True
    )
    await poll(hass, entry)
    assert miner.state.profile.name == profiles[2].name
    state = hass.states.get(number)
    assert state is not None
    assert float(state.state) == profiles[2].watts  # what the firmware applied, not what was asked

    freezer.tick(0.8)  # the simulated retune
    await poll(hass, entry)
    assert value(hass, miner, "power") == profiles[2].watts


async def test_power_limit_survives_an_expired_session(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    await setup_site(hass, miner)
    number = entity_id(hass, "number", miner, "power_limit_control")
    low = min(miner.state.model.profiles(), key=lambda p: p.watts)
    await hass.services.async_call(
        "number", "set_value", {"entity_id": number, "value": low.watts + 50}, blocking=True
    )
    miner.expire_session()
    high = max(miner.state.model.profiles(), key=lambda p: p.watts)
    await hass.services.async_call(
        "number", "set_value", {"entity_id": number, "value": high.watts}, blocking=True
    )
    assert miner.state.profile.name == high.name


async def test_refused_command_is_a_translated_error(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    await setup_site(hass, miner, options={CONF_MIN_ON_MINUTES: 0})  # it just booted
    miner.faults.refuse_privileged = True
    with pytest.raises(Exception, match="refused the command") as raised:
        await hass.services.async_call(
            "switch",
            "turn_off",
            {"entity_id": entity_id(hass, "switch", miner, "mining")},
            blocking=True,
        )
    assert raised.value.translation_key == "command_refused"  # type: ignore[attr-defined]
    assert miner.state.is_sleeping is False


async def test_mining_switch_follows_what_the_miner_does(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    miner = fleet.miners[0]
    entry = await setup_site(hass, miner, options={CONF_MIN_OFF_MINUTES: 0.05})
    switch = entity_id(hass, "switch", miner, "mining")

    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    await poll(hass, entry)
    assert miner.state.is_sleeping
    assert state_of(hass, "switch", miner, "mining") == STATE_OFF
    assert value(hass, miner, "power") == pytest.approx(10, abs=2)  # standby draw, still reported
    assert state_of(hass, "sensor", miner, "efficiency") == "unknown"

    # Its minimum off time protects it from a restart by hand, with a translated reason.
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    assert refused.value.translation_key == "miner_protected"
    assert refused.value.translation_placeholders == {
        "miner": f"Miner {miner.host}",
        "minutes": "1",
    }
    assert miner.state.is_sleeping

    freezer.tick(3)  # its 3 s minimum off time
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    freezer.tick(0.8)  # warm-up
    await poll(hass, entry)
    assert state_of(hass, "switch", miner, "mining") == STATE_ON

    # Only plant safety may stop a miner inside its minimum on time: not its switch.
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    assert refused.value.translation_key == "miner_protected_running"
    assert refused.value.translation_placeholders == {
        "miner": f"Miner {miner.host}",
        "minutes": "10",
    }
    assert not miner.state.is_sleeping
    freezer.tick(timedelta(minutes=10))
    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    assert miner.state.is_sleeping


async def test_buttons(hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory) -> None:
    miner = fleet.miners[0]
    miner.state.reboot_seconds = 0.3
    miner.state.restart_seconds = 0.3
    await setup_site(hass, miner)

    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": entity_id(hass, "button", miner, "identify")},
        blocking=True,
    )
    assert miner.identity.red_led == "blink"
    freezer.tick(timedelta(seconds=61))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert miner.identity.red_led == "off"

    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": entity_id(hass, "button", miner, "restart_backend")},
        blocking=True,
    )
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": entity_id(hass, "button", miner, "reboot")},
        blocking=True,
    )
    assert not miner.state.is_reachable


async def test_each_miner_is_a_device_of_its_subentry(hass: HomeAssistant, fleet: Fleet) -> None:
    entry = await setup_site(hass, *fleet.miners)
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    miners = [device for device in devices if device.config_subentry_id is not None]
    assert {device.config_subentry_id for device in miners} == set(entry.subentries)
    (site_device,) = (device for device in devices if device.config_subentry_id is None)
    assert site_device.identifiers == {(DOMAIN, entry.entry_id)}
    device = miners[0]
    assert device.connections == {(dr.CONNECTION_NETWORK_MAC, fleet.miners[0].identity.mac)}
    assert device.identifiers == {(DOMAIN, fleet.miners[0].identity.mac)}


@pytest.mark.parametrize("fleet", [2], indirect=True)
async def test_one_dead_miner_leaves_the_others_updating(
    hass: HomeAssistant,
    fleet: Fleet,
    caplog: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
) -> None:
    alive, dead = fleet.miners
    entry = await setup_site(hass, alive, dead)
    dead.faults.offline = True
    for _ in range(REDETECT_AFTER_FAILURES):
        await poll(hass, entry)
    (dead_tracker,) = (t for t in entry.runtime_data.miners.values() if t.client.host == dead.host)
    # After repeated failures the miner is detected afresh (it may have been replaced).
    assert not dead_tracker.client.detected

    assert state_of(hass, "sensor", dead, "power") == STATE_UNAVAILABLE
    assert state_of(hass, "binary_sensor", dead, "connectivity") == STATE_OFF
    assert value(hass, alive, "power") == alive.state.snapshot().watts
    assert caplog.text.count(f"Miner Miner {dead.host} is unreachable") == 1

    issue_id = f"miner_unreachable_{dead_tracker.subentry.subentry_id}"
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    freezer.tick(UNREACHABLE_REPAIR_AFTER + timedelta(minutes=1))
    await poll(hass, entry)
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["host"] == dead.host

    dead.faults.offline = False
    await poll(hass, entry)
    assert value(hass, dead, "power") == dead.state.snapshot().watts
    assert f"Miner Miner {dead.host} is reachable again" in caplog.text
    assert dead_tracker.client.detected
    assert issues.async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.parametrize("fleet", [2], indirect=True)
async def test_a_hung_miner_is_cut_off_by_its_deadline(
    hass: HomeAssistant,
    fleet: Fleet,
    monkeypatch: pytest.MonkeyPatch,
    freezer: FrozenDateTimeFactory,
) -> None:
    """pyasic would wait 100 s on a silent socket; the per-miner deadline bounds the poll."""
    monkeypatch.setattr("custom_components.hashheat.coordinator.MINER_TIMEOUT_SECONDS", 1.0)
    alive, hung = fleet.miners
    entry = await setup_site(hass, alive, hung)
    hung.faults.hang = True
    asked = {miner: miner.server.requests for miner in fleet}
    polled = asyncio.ensure_future(poll(hass, entry))

    def waiting_on_the_hung_miner() -> bool:
        both_asked = all(miner.server.requests > asked[miner] for miner in fleet)
        return both_asked and not alive.server.open_connections

    await until(waiting_on_the_hung_miner, steady=STEADY_TURNS)
    assert not polled.done()
    freezer.tick(1.0)  # the deadline has passed
    async_fire_time_changed(hass)
    await polled
    assert state_of(hass, "sensor", hung, "power") == STATE_UNAVAILABLE
    assert value(hass, alive, "power") == alive.state.snapshot().watts


async def test_garbage_from_a_miner_is_unavailable_not_zero(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    miner = fleet.miners[0]
    entry = await setup_site(hass, miner)
    before = value(hass, miner, "power")
    miner.faults.garbage = True
    await poll(hass, entry)
    assert state_of(hass, "sensor", miner, "power") == STATE_UNAVAILABLE
    miner.faults.garbage = False
    await poll(hass, entry)
    assert value(hass, miner, "power") == before


async def test_site_not_ready_when_no_miner_answers(hass: HomeAssistant, loopback: None) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Empty tank",
        subentries_data=[
            ConfigSubentryData(
                data={CONF_HOST: next_address(), CONF_MAC: None},
                subentry_type=SUBENTRY_MINER,
                title="Gone",
                unique_id="gone",
            )
        ],
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert "None of the miners of site Empty tank answered" in (entry.reason or "")


async def test_unload_and_subentry_removal(hass: HomeAssistant, fleet: Fleet) -> None:
    miner = fleet.miners[0]
    entry = await setup_site(hass, miner)
    device_registry = dr.async_get(hass)
    assert dr.async_entries_for_config_entry(device_registry, entry.entry_id)

    (subentry_id,) = entry.subentries
    assert hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert not _miner_devices(device_registry, entry)

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED  # type: ignore[comparison-overlap]


async def test_a_moved_miner_keeps_its_device_and_entities(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    old = fleet.miners[0]
    entry = await setup_site(hass, old)
    power_id = entity_id(hass, "sensor", old, "power")
    registry = dr.async_get(hass)
    (device,) = _miner_devices(registry, entry)

    # The same miner comes back on another address (new DHCP lease).
    await old.stop()
    async with SimulatedMiner(next_address(), noise=0.0) as moved:
        moved.identity.mac = old.identity.mac
        (subentry_id,) = entry.subentries
        started = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
        result = await hass.config_entries.subentries.async_configure(
            started["flow_id"], {CONF_HOST: moved.host}
        )
        assert result["reason"] == "reconfigure_successful"
        await hass.async_block_till_done()

        (after,) = _miner_devices(registry, entry)
        assert after.id == device.id
        assert entity_id(hass, "sensor", moved, "power") == power_id
        assert float(hass.states.get(power_id).state) == moved.state.snapshot().watts  # type: ignore[union-attr]


async def test_access_denied_raises_a_repair_issue_until_a_command_passes(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    miner = fleet.miners[0]
    entry = await setup_site(hass, miner)
    number = entity_id(hass, "number", miner, "power_limit_control")
    (subentry_id,) = entry.subentries
    issue_id = f"access_denied_{subentry_id}"
    miner.faults.refuse_privileged = True
    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(
            "number", "set_value", {"entity_id": number, "value": 2500}, blocking=True
        )
    assert raised.value.translation_key == "access_denied"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    miner.faults.refuse_privileged = False
    await hass.services.async_call(
        "number", "set_value", {"entity_id": number, "value": 2500}, blocking=True
    )
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_repair_issues_of_removed_miners_are_deleted(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    entry = await setup_site(hass, fleet.miners[0])
    ir.async_create_issue(
        hass,
        DOMAIN,
        "capabilities_lost_01GONEMINER",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="capabilities_lost",
    )
    (subentry_id,) = entry.subentries
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"capabilities_lost_{subentry_id}",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="capabilities_lost",
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, "capabilities_lost_01GONEMINER") is None
    assert issues.async_get_issue(DOMAIN, f"capabilities_lost_{subentry_id}") is not None
