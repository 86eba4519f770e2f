"""A mixed site: LuxOS presets and Avalon work levels, end to end through real pyasic."""

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir

from custom_components.hashheat.capabilities import MinerCapabilities
from custom_components.hashheat.const import (
    CAPABILITIES_RECHECK,
    CONF_CAPABILITIES,
    CONF_MIN_OFF_MINUTES,
    DOMAIN,
)
from sim import Fleet

from .helpers.entities import entity_id, state_of, value
from .helpers.site import poll, setup_site, site

MIXED = ["Antminer S19 XP", "Avalon Mini3", "Avalon Q"]


@pytest.mark.parametrize("fleet", [MIXED], indirect=True)
async def test_mixed_site_reports_every_miner(hass: HomeAssistant, fleet: Fleet) -> None:
    luxos, mini3, avalon_q = fleet.miners
    entry = await setup_site(hass, luxos, mini3, avalon_q)
    await poll(hass, entry)

    for miner in (luxos, mini3):
        snapshot = miner.state.snapshot()
        assert value(hass, miner, "power") == snapshot.watts
        assert value(hass, miner, "hashrate") == pytest.approx(snapshot.hashrate_ghs / 1000)
    # Avalon Q firmware reports no wattage: unknown, never 0 W.
    assert state_of(hass, "sensor", avalon_q, "power") == "unknown"
    assert value(hass, avalon_q, "hashrate") == pytest.approx(
        avalon_q.state.snapshot().hashrate_ghs / 1000
    )
    # The Avalon hashboards report fluid temperatures; LuxOS on an S19 does not.
    assert value(hass, mini3, "fluid_inlet_temperature") <= value(
        hass, mini3, "fluid_outlet_temperature"
    )

    by_host = {s.data["host"]: s.data[CONF_CAPABILITIES] for s in entry.subentries.values()}
    assert by_host[luxos.host]["power_control"] == "presets"
    assert by_host[mini3.host]["power_control"] == "levels"
    assert by_host[mini3.host]["power_steps"] == [["-1", 500], ["0", 800]]
    assert by_host[mini3.host]["can_reboot"] is False

    registry = er.async_get(hass)
    # No reboot button where the firmware cannot reboot through its API.
    assert registry.async_get_entity_id("button", DOMAIN, f"{mini3.identity.mac}_reboot") is None
    entity_id(hass, "button", mini3, "identify")
    entity_id(hass, "button", luxos, "reboot")


@pytest.mark.parametrize("fleet", [["Avalon Mini3"]], indirect=True)
async def test_work_level_is_set_and_read_back(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    (mini3,) = fleet.miners
    entry = await setup_site(hass, mini3)
    number = entity_id(hass, "number", mini3, "power_limit_control")
    state = hass.states.get(number)
    assert state is not None
    assert (state.attributes["min"], state.attributes["max"]) == (500, 800)

    await hass.services.async_call(
        "number", "set_value", {"entity_id": number, "value": 650}, blocking=True
    )
    assert mini3.work_level == -1  # Eco: the highest level at or below 650 W
    await poll(hass, entry)
    assert float(hass.states.get(number).state) == 500  # type: ignore[union-attr]

    await hass.services.async_call(
        "number", "set_value", {"entity_id": number, "value": 800}, blocking=True
    )
    assert mini3.work_level == 0
    freezer.tick(0.8)  # the retune
    await poll(hass, entry)
    assert float(hass.states.get(number).state) == 800  # type: ignore[union-attr]
    assert value(hass, mini3, "power") == mini3.state.snapshot().watts


@pytest.mark.parametrize("fleet", [["Avalon Mini3"]], indirect=True)
async def test_avalon_pause_and_resume(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """Avalon firmware pauses at a time it is given (pyasic: now + 5 s); the switch follows."""
    (mini3,) = fleet.miners
    entry = await setup_site(hass, mini3, options={CONF_MIN_OFF_MINUTES: 0.05})
    switch = entity_id(hass, "switch", mini3, "mining")
    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    await poll(hass, entry)
    assert state_of(hass, "switch", mini3, "mining") == STATE_ON  # not yet: scheduled
    freezer.tick(6)
    await poll(hass, entry)
    assert state_of(hass, "switch", mini3, "mining") == STATE_OFF

    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    freezer.tick(6)
    await poll(hass, entry)
    assert state_of(hass, "switch", mini3, "mining") == STATE_ON


@pytest.mark.parametrize("fleet", [["Avalon Mini3"]], indirect=True)
async def test_lost_controls_raise_a_repair_issue(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """Stored capabilities promised a reboot the firmware cannot do (e.g. after an update)."""
    (mini3,) = fleet.miners
    entry = site(mini3)
    (subentry,) = entry.subentries.values()
    promised = MinerCapabilities(can_reboot=True, can_pause=True).as_dict()
    entry.add_to_hass(hass)
    hass.config_entries.async_update_subentry(
        entry, subentry, data={**subentry.data, CONF_CAPABILITIES: promised}
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    issue_id = f"capabilities_lost_{subentry.subentry_id}"
    # One read that disagrees may be a reply with parts missing: nothing changes yet.
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    freezer.tick(CAPABILITIES_RECHECK)
    await poll(hass, entry)
    await hass.async_block_till_done()

    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {"miner": subentry.title, "lost": "can_reboot"}
    registry = er.async_get(hass)
    assert registry.async_get_entity_id("button", DOMAIN, f"{mini3.identity.mac}_reboot") is None
