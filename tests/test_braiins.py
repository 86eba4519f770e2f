"""Braiins OS+ (BOSer) end to end through real pyasic and gRPC: exact watts, pause, reboot, login."""

from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_HOST, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir

from custom_components.hashheat.const import CAPABILITIES_INTERVAL, CONF_CAPABILITIES, DOMAIN
from sim import Fleet, SimulatedMiner
from sim.firmware.braiins.device import BraiinsDevice

from .helpers.climate import CONTROL, call, climate_id
from .helpers.entities import entity_id, state_of, value
from .helpers.site import poll, set_plant, setup_plant_site, setup_site

BRAIINS = ["Antminer S19j Pro BOS+"]


def device(miner: SimulatedMiner) -> BraiinsDevice:
    assert miner.braiins is not None
    return miner.braiins


async def set_limit(hass: HomeAssistant, miner: SimulatedMiner, watts: float) -> None:
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": entity_id(hass, "number", miner, "power_limit_control"), "value": watts},
        blocking=True,
    )


@pytest.mark.parametrize("fleet", [BRAIINS], indirect=True)
async def test_entities_and_exact_watt_limit(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    (miner,) = fleet.miners
    entry = await setup_site(hass, miner)
    await poll(hass, entry)
    (subentry,) = entry.subentries.values()
    capabilities = subentry.data[CONF_CAPABILITIES]
    assert capabilities["power_control"] == "watts"
    assert capabilities["power_steps"] == [["1600", 1600], ["3250", 3250]]
    assert subentry.data["mac"] == miner.identity.mac
    assert value(hass, miner, "power") == 3250
    assert value(hass, miner, "hashrate") == pytest.approx(104.0)
    for platform, key in (("button", "reboot"), ("button", "identify"), ("switch", "mining")):
        entity_id(hass, platform, miner, key)
    number = hass.states.get(entity_id(hass, "number", miner, "power_limit_control"))
    assert number is not None
    assert (number.attributes["min"], number.attributes["max"]) == (1600, 3250)

    await set_limit(hass, miner, 2345.7)
    assert device(miner).power_target == 2345  # exact watts, no snapping to presets
    freezer.tick(0.6)  # the retune
    await poll(hass, entry)
    assert value(hass, miner, "power") == 2345
    assert float(state_of(hass, "number", miner, "power_limit_control")) == 2345


@pytest.mark.parametrize("fleet", [BRAIINS], indirect=True)
async def test_a_wrong_password_asks_for_the_right_one(hass: HomeAssistant, fleet: Fleet) -> None:
    """The firmware refuses the login: access denied (a repair), fixed by giving the password."""
    (miner,) = fleet.miners
    entry = await setup_site(hass, miner)
    (subentry_id,) = entry.subentries
    device(miner).password = "changed-on-the-miner"
    miner.expire_session()  # the old session ends: the next call logs in again

    with pytest.raises(HomeAssistantError, match="access denied"):
        await set_limit(hass, miner, 2000)
    assert device(miner).power_target == 3250
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"access_denied_{subentry_id}")
    assert issue is not None

    started = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        started["flow_id"], {CONF_HOST: miner.host, CONF_PASSWORD: "changed-on-the-miner"}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    await set_limit(hass, miner, 2000)
    assert device(miner).power_target == 2000
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"access_denied_{subentry_id}") is None


@pytest.mark.parametrize("fleet", [BRAIINS], indirect=True)
async def test_the_loop_drives_its_power_in_watts(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """Heating flat out, then held under a site power cap: the firmware gets the cap's watts."""
    (miner,) = fleet.miners
    set_plant(hass)
    hass.states.async_set("binary_sensor.loop_pump", "on")
    entry = await setup_plant_site(hass, miner, CONTROL)
    await poll(hass, entry)
    await set_limit(hass, miner, 1600)
    freezer.tick(1)
    await poll(hass, entry)
    loop = climate_id(hass, entry)
    await call(hass, "set_temperature", loop, temperature=45.0)
    await call(hass, "turn_on", loop)
    await poll(hass, entry)
    assert device(miner).power_target == 3250

    cap = er.async_get(hass).async_get_entity_id("number", DOMAIN, f"{entry.entry_id}_power_cap")
    for watts in (2789, 2100):
        await hass.services.async_call(
            "number", "set_value", {"entity_id": cap, "value": watts}, blocking=True
        )
        freezer.tick(timedelta(minutes=1))
        set_plant(hass)
        await poll(hass, entry)
        assert device(miner).power_target == watts  # exact: preset firmware would snap below

    await call(hass, "turn_off", loop)
    await poll(hass, entry)
    assert miner.state.is_sleeping


async def set_immersion(hass: HomeAssistant, miner: SimulatedMiner, on: bool) -> None:
    await hass.services.async_call(
        "switch",
        "turn_on" if on else "turn_off",
        {"entity_id": entity_id(hass, "switch", miner, "immersion_mode")},
        blocking=True,
    )


def fan_mode_issue(hass: HomeAssistant, subentry_id: str) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"fan_mode_{subentry_id}")


@pytest.mark.parametrize("fleet", [BRAIINS], indirect=True)
async def test_immersion_mode_is_shown_and_a_fan_mode_is_a_repair(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    (miner,) = fleet.miners
    entry = await setup_site(hass, miner)
    await poll(hass, entry)
    (subentry_id,) = entry.subentries
    assert state_of(hass, "switch", miner, "immersion_mode") == "on"
    assert fan_mode_issue(hass, subentry_id) is None

    device(miner).immersion = False  # switched on the miner's own page
    freezer.tick(CAPABILITIES_INTERVAL)
    await poll(hass, entry)
    assert state_of(hass, "switch", miner, "immersion_mode") == "off"
    issue = fan_mode_issue(hass, subentry_id)
    assert issue is not None
    (subentry,) = entry.subentries.values()
    assert issue.translation_placeholders == {"miner": subentry.title}

    await set_immersion(hass, miner, on=True)
    assert device(miner).immersion is True
    assert state_of(hass, "switch", miner, "immersion_mode") == "on"
    assert fan_mode_issue(hass, subentry_id) is None


@pytest.mark.parametrize("fleet", [BRAIINS], indirect=True)
async def test_a_refused_immersion_mode_is_a_translated_error(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    (miner,) = fleet.miners
    device(miner).immersion = False
    entry = await setup_site(hass, miner)
    await poll(hass, entry)
    (subentry_id,) = entry.subentries
    assert fan_mode_issue(hass, subentry_id) is not None
    miner.faults.refuse_privileged = True
    with pytest.raises(HomeAssistantError) as refused:
        await set_immersion(hass, miner, on=True)
    assert refused.value.translation_key == "access_denied"
    assert device(miner).immersion is False
    assert state_of(hass, "switch", miner, "immersion_mode") == "off"
    assert fan_mode_issue(hass, subentry_id) is not None
