"""The access-denied repair asks for a refusing miner's password, as the site's reauthentication does."""

import pytest
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.const import CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component

from custom_components.hashheat.const import DOMAIN
from sim import Fleet, SimulatedMiner

from .helpers.entities import state_of, value
from .helpers.site import poll, setup_site

NEW_PASSWORD = "changed-on-the-miner"


def change_password(miner: SimulatedMiner) -> None:
    """The password changed on the miner: the sessions it gave out end."""
    if miner.vnish is not None:
        miner.vnish.password = NEW_PASSWORD
        miner.vnish.tokens.clear()
    else:
        assert miner.braiins is not None
        miner.braiins.password = NEW_PASSWORD
        miner.expire_session()


@pytest.mark.parametrize(
    ("fleet", "power_w"),
    [(["Antminer S19j Pro VNish"], 3100), (["Antminer S19j Pro BOS+"], 3250)],
    indirect=["fleet"],
    ids=["vnish", "braiins"],
)
@pytest.mark.filterwarnings("ignore:Could not authenticate web token")
async def test_a_refused_password_is_fixed_in_the_repair(
    hass: HomeAssistant, fleet: Fleet, power_w: int
) -> None:
    """Both need the password to be read at all: the repair comes at the next poll."""
    (miner,) = fleet.miners
    entry = await setup_site(hass, miner)
    (subentry_id,) = entry.subentries
    change_password(miner)
    entry.runtime_data.miners[subentry_id].client.forget()
    await poll(hass, entry)
    assert state_of(hass, "sensor", miner, "power") == "unavailable"
    issue_id = f"access_denied_{subentry_id}"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable

    assert await async_setup_component(hass, "repairs", {})
    flows = repairs_flow_manager(hass)
    assert flows is not None
    started = await flows.async_init(DOMAIN, context={"issue_id": issue_id})
    assert (started["type"], started["step_id"]) == (FlowResultType.FORM, "password")
    title = entry.subentries[subentry_id].title
    assert started["description_placeholders"] == {"miner": title, "host": miner.host}

    wrong = await flows.async_configure(started["flow_id"], {CONF_PASSWORD: "still-wrong"})
    assert (wrong["type"], wrong["errors"]) == (
        FlowResultType.FORM,
        {CONF_PASSWORD: "invalid_auth"},
    )
    assert entry.subentries[subentry_id].data.get(CONF_PASSWORD) != NEW_PASSWORD

    fixed = await flows.async_configure(started["flow_id"], {CONF_PASSWORD: NEW_PASSWORD})
    assert fixed["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.subentries[subentry_id].data[CONF_PASSWORD] == NEW_PASSWORD
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    await poll(hass, entry)
    assert value(hass, miner, "power") == power_w


async def test_a_repair_of_a_miner_no_longer_there_ends(hass: HomeAssistant) -> None:
    """The site was removed while its repair stayed open: the flow says so, nothing else."""
    assert await async_setup_component(hass, DOMAIN, {})
    issue_id = "access_denied_gone"
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key="access_denied",
        translation_placeholders={"miner": "Gone"},
    )
    assert await async_setup_component(hass, "repairs", {})
    flows = repairs_flow_manager(hass)
    assert flows is not None
    result = await flows.async_init(DOMAIN, context={"issue_id": issue_id})
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "miner_gone")
