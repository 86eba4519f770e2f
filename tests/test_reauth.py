"""A miner refusing its password starts the site's reauthentication, for each firmware with one.

VNish and Braiins OS+ want the password to be read at all; a Whatsminer (API v3) only to be
written to. LuxOS and Avalon ask for none. The rest of the site keeps running throughout.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState, ConfigFlowResult
from homeassistant.const import CONF_PASSWORD, STATE_OFF
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.const import CONF_MIN_ON_MINUTES, DOMAIN
from sim import Fleet, SimulatedMiner

from .helpers.climate import call, climate_id, controlled_site
from .helpers.entities import entity_id, state_of, value
from .helpers.site import poll, setup_site

NEW_PASSWORD = "changed-on-the-miner"


def _vnish_password(miner: SimulatedMiner) -> None:
    assert miner.vnish is not None
    miner.vnish.password = NEW_PASSWORD
    miner.vnish.tokens.clear()  # the sessions it gave out end


def _braiins_password(miner: SimulatedMiner) -> None:
    assert miner.braiins is not None
    miner.braiins.password = NEW_PASSWORD
    miner.expire_session()


def _whatsminer_password(miner: SimulatedMiner) -> None:
    assert miner.whatsminer is not None
    miner.whatsminer.password = NEW_PASSWORD  # each write's salted token is made from it


@dataclass(frozen=True, kw_only=True)
class Family:
    """A simulated miner whose firmware has a password, and how it is changed on the miner."""

    model: str
    power_w: int
    change_password: Callable[[SimulatedMiner], None]
    read_needs_password: bool
    """Whether its reads are refused too (else only its commands are)."""


# The simulated miners have just booted: a stop by hand would wait for their minimum on time.
JUST_BOOTED = {CONF_MIN_ON_MINUTES: 0}

FAMILIES = [
    Family(
        model="Antminer S19j Pro VNish",
        power_w=3100,
        change_password=_vnish_password,
        read_needs_password=True,
    ),
    Family(
        model="Antminer S19j Pro BOS+",
        power_w=3250,
        change_password=_braiins_password,
        read_needs_password=True,
    ),
    Family(
        model="Whatsminer M63S",
        power_w=7215,
        change_password=_whatsminer_password,
        read_needs_password=False,
    ),
]


def reauth_flows(hass: HomeAssistant, entry: MockConfigEntry) -> list[ConfigFlowResult]:
    """The site's reauthentications under way, as Home Assistant lists them."""
    return [
        flow
        for flow in hass.config_entries.flow.async_progress()
        if flow["context"].get("source") == SOURCE_REAUTH
        and flow["context"].get("entry_id") == entry.entry_id
    ]


def asked_for(entry: MockConfigEntry, flow: ConfigFlowResult) -> str:
    """The name of the flow, as the integrations page shows it: the site and the miner."""
    name = flow["context"]["title_placeholders"]["name"]
    assert name.startswith(f"{entry.title}: ")
    return name


async def mining_off(hass: HomeAssistant, miner: SimulatedMiner) -> None:
    switch = entity_id(hass, "switch", miner, "mining")
    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)


async def refuse(
    hass: HomeAssistant, entry: MockConfigEntry, miner: SimulatedMiner, family: Family
) -> None:
    """The password changed on the miner; HashHeat meets the refusal at a read or a command."""
    family.change_password(miner)
    if family.read_needs_password:
        for tracker in entry.runtime_data.miners.values():
            if tracker.client.host == miner.host:
                tracker.client.forget()  # logs in afresh
    else:
        with pytest.raises(HomeAssistantError, match="access denied"):
            await mining_off(hass, miner)
    await poll(hass, entry)


each_family = pytest.mark.parametrize(
    ("family", "fleet"),
    [(family, [family.model]) for family in FAMILIES],
    indirect=["fleet"],
    ids=["vnish", "braiins", "whatsminer"],
)


@each_family
@pytest.mark.filterwarnings("ignore:Could not authenticate web token")
async def test_a_refused_password_starts_the_sites_reauthentication(
    hass: HomeAssistant, fleet: Fleet, family: Family
) -> None:
    (miner,) = fleet.miners
    entry = await setup_site(hass, miner, options=JUST_BOOTED)
    (subentry_id,) = entry.subentries
    title = entry.subentries[subentry_id].title

    await refuse(hass, entry, miner, family)
    assert entry.state is ConfigEntryState.LOADED  # no ConfigEntryAuthFailed: the site runs on
    (flow,) = reauth_flows(hass, entry)
    assert flow["step_id"] == "reauth_confirm"
    assert flow["context"]["title_placeholders"] == {"name": f"{entry.title}: {title}"}
    if family.read_needs_password:
        assert state_of(hass, "sensor", miner, "power") == "unavailable"

    wrong = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_PASSWORD: "still-wrong"}
    )
    assert (wrong["type"], wrong["errors"]) == (
        FlowResultType.FORM,
        {CONF_PASSWORD: "invalid_auth"},
    )
    placeholders = wrong["description_placeholders"] or {}
    assert (placeholders["miner"], placeholders["host"]) == (title, miner.host)
    assert entry.subentries[subentry_id].data.get(CONF_PASSWORD) is None

    fixed = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_PASSWORD: NEW_PASSWORD}
    )
    assert (fixed["type"], fixed["reason"]) == (FlowResultType.ABORT, "reauth_successful")
    await hass.async_block_till_done()  # the site reloads with the password
    assert entry.subentries[subentry_id].data[CONF_PASSWORD] == NEW_PASSWORD
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"access_denied_{subentry_id}") is None
    assert not reauth_flows(hass, entry)

    await poll(hass, entry)
    assert not reauth_flows(hass, entry)
    assert value(hass, miner, "power") == family.power_w
    await mining_off(hass, miner)
    assert miner.state.is_sleeping
    await poll(hass, entry)
    assert state_of(hass, "switch", miner, "mining") == STATE_OFF


@pytest.mark.parametrize("fleet", [["Antminer S19j Pro VNish"] * 2], indirect=True)
@pytest.mark.filterwarnings("ignore:Could not authenticate web token")
async def test_several_refusing_miners_are_fixed_in_turn(hass: HomeAssistant, fleet: Fleet) -> None:
    """One reauthentication per site at a time; a fix by the repair ends it as well."""
    entry = await setup_site(hass, *fleet.miners, options=JUST_BOOTED)
    by_host = {entry.subentries[s].data["host"]: s for s in entry.subentries}
    for miner in fleet.miners:
        await refuse(hass, entry, miner, FAMILIES[0])
    (flow,) = reauth_flows(hass, entry)
    first, second = sorted(fleet.miners, key=lambda m: m.host not in asked_for(entry, flow))

    assert await async_setup_component(hass, "repairs", {})
    repairs = repairs_flow_manager(hass)
    assert repairs is not None
    issue_id = f"access_denied_{by_host[first.host]}"
    started = await repairs.async_init(DOMAIN, context={"issue_id": issue_id})
    fixed = await repairs.async_configure(started["flow_id"], {CONF_PASSWORD: NEW_PASSWORD})
    assert fixed["type"] is FlowResultType.CREATE_ENTRY
    assert not reauth_flows(hass, entry)  # its reauthentication ended with the repair's fix
    await hass.async_block_till_done()  # the site reloads: its first poll asks for the other
    (flow,) = reauth_flows(hass, entry)
    assert second.host in asked_for(entry, flow)
    done = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_PASSWORD: NEW_PASSWORD}
    )
    assert done["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    await poll(hass, entry)
    assert not reauth_flows(hass, entry)
    assert [value(hass, miner, "power") for miner in fleet.miners] == [3100, 3100]


@pytest.mark.parametrize("fleet", [["Antminer S19j Pro VNish"]], indirect=True)
@pytest.mark.filterwarnings("ignore:Could not authenticate web token")
async def test_a_refused_password_is_tried_again_only_every_ten_minutes(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """Real firmware can lock the account; and a miner refusing its password is not unreachable."""
    (miner,) = fleet.miners
    entry = await setup_site(hass, miner, options=JUST_BOOTED)
    (subentry_id,) = entry.subentries
    await refuse(hass, entry, miner, FAMILIES[0])
    asked = miner.requests
    for _ in range(39):  # every poll of the next 9 min 45 s
        freezer.tick(15)
        await poll(hass, entry)
    assert miner.requests == asked

    for _ in range(4):  # 40 min more, a poll every 10 min: each tries the password once
        freezer.tick(timedelta(minutes=10, seconds=1))
        await poll(hass, entry)
        assert miner.requests > asked
        asked = miner.requests
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, f"access_denied_{subentry_id}") is not None
    assert issues.async_get_issue(DOMAIN, f"miner_unreachable_{subentry_id}") is None
    assert state_of(hass, "sensor", miner, "power") == "unavailable"


@pytest.mark.parametrize("fleet", [["Antminer S19j Pro VNish"]], indirect=True)
@pytest.mark.filterwarnings("ignore:Could not authenticate web token")
async def test_a_password_put_back_on_the_miner_ends_the_repair_and_the_reauthentication(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """Left open, the site's one reauthentication would block the next miner's."""
    (miner,) = fleet.miners
    assert miner.vnish is not None
    kept = miner.vnish.password
    entry = await setup_site(hass, miner, options=JUST_BOOTED)
    (subentry_id,) = entry.subentries
    await refuse(hass, entry, miner, FAMILIES[0])
    assert reauth_flows(hass, entry)
    miner.vnish.password = kept
    freezer.tick(timedelta(minutes=10, seconds=1))
    await poll(hass, entry)
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"access_denied_{subentry_id}") is None
    assert not reauth_flows(hass, entry)
    assert value(hass, miner, "power") == FAMILIES[0].power_w


@pytest.mark.parametrize("fleet", [["Antminer S19j Pro VNish"]], indirect=True)
async def test_an_access_denied_issue_restored_inactive_after_a_restart_asks_nothing(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    """Home Assistant keeps a non-persistent issue over a restart, inactive: not shown, not open."""
    (miner,) = fleet.miners
    entry = await setup_site(hass, miner, options=JUST_BOOTED)
    (subentry_id,) = entry.subentries
    issue_id = f"access_denied_{subentry_id}"
    registry = ir.async_get(hass)
    registry.issues[(DOMAIN, issue_id)] = ir.IssueEntry(  # as the registry loads it
        active=False,
        breaks_in_ha_version=None,
        created=dt_util.utcnow(),
        data=None,
        dismissed_version=None,
        domain=DOMAIN,
        is_fixable=None,
        is_persistent=False,
        issue_id=issue_id,
        issue_domain=None,
        learn_more_url=None,
        severity=None,
        translation_key=None,
        translation_placeholders=None,
    )
    for _ in range(3):
        await poll(hass, entry)
    assert not reauth_flows(hass, entry)
    assert value(hass, miner, "power") == FAMILIES[0].power_w


@pytest.mark.parametrize("fleet", [["Antminer S19 XP"]], indirect=True)
async def test_a_miner_refusing_the_loops_commands_is_asked_again_only_every_ten_minutes(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """Each refused command is a failed login on firmware that has one: the loop backs off too."""
    (miner,) = fleet.miners
    entry = await controlled_site(hass, miner)
    miner.faults.refuse_privileged = True
    await call(hass, "set_temperature", climate_id(hass, entry), temperature=55, hvac_mode="heat")
    await poll(hass, entry)
    refused = miner.faults.refused
    assert refused > 0
    assert entry.runtime_data.control.failing == set(entry.runtime_data.miners)
    for _ in range(38):  # every poll of the next 9 min 30 s
        freezer.tick(15)
        await poll(hass, entry)
    assert miner.faults.refused == refused
    freezer.tick(timedelta(seconds=31))
    await poll(hass, entry)
    assert miner.faults.refused > refused  # asked again, once the ten minutes are over
    miner.faults.refuse_privileged = False
    freezer.tick(timedelta(minutes=10, seconds=1))
    await poll(hass, entry)
    assert not entry.runtime_data.control.failing


@pytest.mark.parametrize("fleet", [["Antminer S19 XP"]], indirect=True)
async def test_a_luxos_refusing_for_its_access_level_gets_the_repair_only(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    """LuxOS asks for no password: its repair says where to allow API writes."""
    (miner,) = fleet.miners
    entry = await setup_site(hass, miner, options=JUST_BOOTED)
    (subentry_id,) = entry.subentries
    miner.faults.refuse_privileged = True
    with pytest.raises(HomeAssistantError, match="access denied"):
        await hass.services.async_call(
            "number",
            "set_value",
            {"entity_id": entity_id(hass, "number", miner, "power_limit_control"), "value": 2500},
            blocking=True,
        )
    await poll(hass, entry)
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"access_denied_{subentry_id}") is not None
    assert not reauth_flows(hass, entry)
