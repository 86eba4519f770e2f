"""Braiins OS+ (BOSer) through real pyasic and gRPC: its immersion mode (exact watts, login:
test_exact_watts.py; pause, reboot: test_firmware_controls.py)."""

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir

from custom_components.hashheat.const import CAPABILITIES_INTERVAL, DOMAIN
from sim import Fleet, SimulatedMiner
from sim.firmware.braiins.device import BraiinsDevice, CoolingLayout

from .helpers.entities import entity_id, state_of
from .helpers.site import poll, setup_site

BRAIINS = ["Antminer S19j Pro BOS+"]


def device(miner: SimulatedMiner) -> BraiinsDevice:
    assert miner.braiins is not None
    return miner.braiins


async def set_immersion(hass: HomeAssistant, miner: SimulatedMiner, on: bool) -> None:
    await hass.services.async_call(
        "switch",
        "turn_on" if on else "turn_off",
        {"entity_id": entity_id(hass, "switch", miner, "immersion_mode")},
        blocking=True,
    )


def fan_mode_issue(hass: HomeAssistant, subentry_id: str) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"fan_mode_{subentry_id}")


# Before Braiins OS+ 24.xx immersion is the ``disabled`` cooling mode; later releases name an
# ``immersion`` mode, which pyasic 0.79.0's messages lack (source: CoolingLayout's docstring).
@pytest.mark.parametrize("layout", [CoolingLayout.DISABLED, CoolingLayout.IMMERSION])
@pytest.mark.parametrize("fleet", [BRAIINS], indirect=True)
async def test_immersion_mode_is_shown_and_a_fan_mode_is_a_repair(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory, layout: CoolingLayout
) -> None:
    (miner,) = fleet.miners
    device(miner).no_fan_layout = layout
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
async def test_hydro_cooling_is_neither_immersion_nor_a_fan_mode(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    """A hydro-cooled miner (Braiins OS+ 24.xx+ ``hydro`` mode) needs no fans: no repair."""
    (miner,) = fleet.miners
    device(miner).no_fan_layout = CoolingLayout.HYDRO
    entry = await setup_site(hass, miner)
    await poll(hass, entry)
    (subentry_id,) = entry.subentries
    assert state_of(hass, "switch", miner, "immersion_mode") == "unknown"
    assert fan_mode_issue(hass, subentry_id) is None

    await set_immersion(hass, miner, on=True)  # SetImmersionMode: from hydro to immersion
    assert device(miner).immersion is True
    device(miner).no_fan_layout = CoolingLayout.IMMERSION
    await poll(hass, entry)
    assert state_of(hass, "switch", miner, "immersion_mode") == "on"


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


@pytest.mark.parametrize("fleet", [BRAIINS], indirect=True)
async def test_a_board_reading_zero_is_unknown_and_a_problem_not_a_failed_poll(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    """A board at zero sends empty messages (proto3), which pyasic 0.79.0 indexes into."""
    (miner,) = fleet.miners
    entry = await setup_site(hass, miner)
    await poll(hass, entry)
    hottest = float(state_of(hass, "sensor", miner, "board_temperature_max"))
    device(miner).zeroed_boards = frozenset({0, 1})
    await poll(hass, entry)
    assert state_of(hass, "binary_sensor", miner, "connectivity") == "on"
    assert float(state_of(hass, "sensor", miner, "hashrate")) > 0
    assert 0 < float(state_of(hass, "sensor", miner, "board_temperature_max")) <= hottest
    assert state_of(hass, "binary_sensor", miner, "problem") == "on"


@pytest.mark.parametrize("fleet", [BRAIINS], indirect=True)
async def test_more_boards_than_pyasic_expects_leave_the_rest_readable(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    """pyasic 0.79.0 fails on a board it has no slot for: the miner is read without its boards."""
    (miner,) = fleet.miners
    entry = await setup_site(hass, miner)
    assert state_of(hass, "sensor", miner, "board_temperature_max") != "unknown"
    device(miner).extra_boards = 1
    await poll(hass, entry)
    assert state_of(hass, "binary_sensor", miner, "connectivity") == "on"
    assert float(state_of(hass, "sensor", miner, "power")) == miner.state.snapshot().watts
    assert float(state_of(hass, "sensor", miner, "hashrate")) > 0
    assert state_of(hass, "sensor", miner, "board_temperature_max") == "unknown"
    assert state_of(hass, "binary_sensor", miner, "problem") == "on"  # boards unknown, not dead


@pytest.mark.parametrize("fleet", [BRAIINS], indirect=True)
async def test_a_reply_without_boards_is_a_problem_not_a_failed_poll(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    """No board answers: the list is left out of the reply, which pyasic 0.79.0 indexes."""
    (miner,) = fleet.miners
    entry = await setup_site(hass, miner)
    device(miner).lists_boards = False
    await poll(hass, entry)
    assert state_of(hass, "binary_sensor", miner, "connectivity") == "on"
    assert float(state_of(hass, "sensor", miner, "power")) > 0
    assert state_of(hass, "sensor", miner, "board_temperature_max") == "unknown"
    assert state_of(hass, "binary_sensor", miner, "problem") == "on"
