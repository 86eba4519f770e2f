"""Firmware that takes a power target in exact watts (Braiins OS+ over gRPC, Whatsminer API v3),
end to end through real pyasic: the entities, the limit, a changed password, and the loop."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_HOST, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir

from custom_components.hashheat.const import CONF_CAPABILITIES, DOMAIN
from sim import Fleet, SimulatedMiner

from .helpers.climate import call, cap_site, controlled_site, heat
from .helpers.entities import entity_id, state_of, value
from .helpers.site import poll, setup_site

NEW_PASSWORD = "changed-on-the-miner"


@dataclass(frozen=True, kw_only=True)
class Family:
    """A simulated exact-watt miner and the figures its tests use."""

    model: str
    min_w: int
    max_w: int
    hashrate_ths: float
    target_w: Callable[[SimulatedMiner], int]
    """The power target the simulated firmware holds."""
    change_password: Callable[[SimulatedMiner], None]
    """The password changed on the miner, as the firmware then answers."""


def _whatsminer_target(miner: SimulatedMiner) -> int:
    assert miner.whatsminer is not None
    return miner.whatsminer.power_limit


def _whatsminer_password(miner: SimulatedMiner) -> None:
    assert miner.whatsminer is not None
    miner.whatsminer.password = NEW_PASSWORD  # each call's salted token is made from it


def _braiins_target(miner: SimulatedMiner) -> int:
    assert miner.braiins is not None
    return miner.braiins.power_target


def _braiins_password(miner: SimulatedMiner) -> None:
    assert miner.braiins is not None
    miner.braiins.password = NEW_PASSWORD
    miner.expire_session()  # the old login ends: the next call logs in again


FAMILIES = [
    Family(
        model="Whatsminer M63S",
        min_w=3000,
        max_w=7215,
        hashrate_ths=390.0,
        target_w=_whatsminer_target,
        change_password=_whatsminer_password,
    ),
    Family(
        model="Antminer S19j Pro BOS+",
        min_w=1600,
        max_w=3250,
        hashrate_ths=104.0,
        target_w=_braiins_target,
        change_password=_braiins_password,
    ),
]


def between(family: Family, share: float) -> int:
    """A wattage ``share`` of the way from the miner's lowest target to its highest."""
    return round(family.min_w + share * (family.max_w - family.min_w))


async def set_limit(hass: HomeAssistant, miner: SimulatedMiner, watts: float) -> None:
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": entity_id(hass, "number", miner, "power_limit_control"), "value": watts},
        blocking=True,
    )


each_family = pytest.mark.parametrize(
    ("family", "fleet"),
    [(family, [family.model]) for family in FAMILIES],
    indirect=["fleet"],
    ids=[family.model for family in FAMILIES],
)


@each_family
async def test_entities_and_exact_watt_limit(
    hass: HomeAssistant, fleet: Fleet, family: Family, freezer: FrozenDateTimeFactory
) -> None:
    (miner,) = fleet.miners
    entry = await setup_site(hass, miner)
    await poll(hass, entry)
    (subentry,) = entry.subentries.values()
    capabilities = subentry.data[CONF_CAPABILITIES]
    assert capabilities["power_control"] == "watts"
    assert capabilities["power_steps"] == [
        [str(family.min_w), family.min_w],
        [str(family.max_w), family.max_w],
    ]
    assert subentry.data["mac"] == miner.identity.mac
    assert value(hass, miner, "power") == family.max_w
    assert value(hass, miner, "hashrate") == pytest.approx(family.hashrate_ths)
    for platform, key in (("button", "reboot"), ("button", "identify"), ("switch", "mining")):
        entity_id(hass, platform, miner, key)
    number = hass.states.get(entity_id(hass, "number", miner, "power_limit_control"))
    assert number is not None
    assert (number.attributes["min"], number.attributes["max"]) == (family.min_w, family.max_w)

    odd = between(family, 0.45) + 0.7
    await set_limit(hass, miner, odd)
    assert family.target_w(miner) == int(odd)  # exact watts, no snapping to presets
    freezer.tick(0.6)  # the retune
    await poll(hass, entry)
    assert value(hass, miner, "power") == int(odd)
    assert float(state_of(hass, "number", miner, "power_limit_control")) == int(odd)


@each_family
async def test_a_wrong_password_asks_for_the_right_one(
    hass: HomeAssistant, fleet: Fleet, family: Family
) -> None:
    """The firmware refuses us: access denied (a repair), fixed by giving the password."""
    (miner,) = fleet.miners
    entry = await setup_site(hass, miner)
    (subentry_id,) = entry.subentries
    family.change_password(miner)
    lower = between(family, 0.25)

    with pytest.raises(HomeAssistantError, match="access denied"):
        await set_limit(hass, miner, lower)
    assert family.target_w(miner) == family.max_w
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"access_denied_{subentry_id}")
    assert issue is not None

    started = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        started["flow_id"], {CONF_HOST: miner.host, CONF_PASSWORD: NEW_PASSWORD}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    await set_limit(hass, miner, lower)
    assert family.target_w(miner) == lower
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"access_denied_{subentry_id}") is None


@each_family
async def test_the_loop_drives_its_power_in_watts(
    hass: HomeAssistant, fleet: Fleet, family: Family, freezer: FrozenDateTimeFactory
) -> None:
    """Heating flat out, then held under a site power cap: the firmware gets the cap's watts."""
    (miner,) = fleet.miners
    entry = await controlled_site(hass, miner)
    await set_limit(hass, miner, family.min_w)
    freezer.tick(1)
    await poll(hass, entry)
    loop = await heat(hass, entry)
    assert family.target_w(miner) == family.max_w

    for watts in (between(family, 0.73), between(family, 0.31)):
        await cap_site(hass, entry, freezer, watts)
        assert family.target_w(miner) == watts  # exact: preset firmware would snap below

    await call(hass, "turn_off", loop)
    await poll(hass, entry)
    assert miner.state.is_sleeping


@pytest.mark.parametrize("fleet", [["Whatsminer M63S"]], indirect=True)
async def test_a_whatsminer_write_that_fails_is_a_refused_command(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    """Code -1 to ``set.miner.power_limit`` (any nonzero code fails, as API v3 clients read
    it): pyasic 0.79.0 reports success; HashHeat says the miner refused, the limit unchanged."""
    (miner,) = fleet.miners
    assert miner.whatsminer is not None
    entry = await setup_site(hass, miner)
    await poll(hass, entry)
    miner.whatsminer.accepted_watts = range(5000, 7216)
    with pytest.raises(HomeAssistantError) as refused:
        await set_limit(hass, miner, 4000)
    assert refused.value.translation_key == "command_refused"
    assert miner.whatsminer.power_limit == 7215
    await set_limit(hass, miner, 6000)
    assert miner.whatsminer.power_limit == 6000


@pytest.mark.parametrize("fleet", [["Whatsminer M63S"]], indirect=True)
async def test_whatsminer_boards_counted_only_as_board_num(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    """Firmware 20251209.16.Rel2 (256foundation/asic-rs whatsminer/src/test/json/v3/
    get_device_info.json) counts its boards only as ``miner.board-num``: pyasic 0.79.0 would
    read three of the M63S's four, a board missing; HashHeat counts all four, no problem."""
    (miner,) = fleet.miners
    assert miner.whatsminer is not None
    miner.whatsminer.lists_hardware = False
    entry = await setup_site(hass, miner)
    await poll(hass, entry)
    assert value(hass, miner, "power") == 7215
    assert state_of(hass, "binary_sensor", miner, "problem") == "off"
