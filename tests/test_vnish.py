"""A VNish miner end to end through real pyasic: tuned presets, the throttle, pause, reboot, the
password."""

import aiohttp
import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_HOST, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hashheat.const import CONF_CAPABILITIES, DOMAIN
from custom_components.hashheat.miner_client import MinerClient, MinerUnreachableError
from custom_components.hashheat.pyasic_loader import APIError, VNishWebAPI
from custom_components.hashheat.vnish import VNishTransport, post_throttle
from sim import Fleet, SimulatedMiner
from sim.firmware.vnish.device import VNishDevice
from sim.physics import Mode

from .helpers.climate import call, cap_site, controlled_site, heat
from .helpers.entities import entity_id, state_of, value
from .helpers.flows import add_miner_flow
from .helpers.site import poll, set_plant, setup_site

VNISH = ["Antminer S19j Pro VNish"]
VNISH_THROTTLE = ["Antminer S19j Pro VNish 1.3"]  # VNish 1.3.4: presets and the throttle
PRESETS = [["1800", 1800], ["2400", 2400], ["2800", 2800], ["3100", 3100], ["3500", 3500]]


def device(miner: SimulatedMiner) -> VNishDevice:
    assert miner.vnish is not None
    return miner.vnish


async def polled_site(
    hass: HomeAssistant, miner: SimulatedMiner, power_control: str
) -> tuple[MockConfigEntry, ConfigSubentry]:
    """A site with the miner, polled once: it offers the tuned presets by ``power_control``."""
    entry = await setup_site(hass, miner)
    await poll(hass, entry)
    (subentry,) = entry.subentries.values()
    assert subentry.data[CONF_CAPABILITIES]["power_control"] == power_control
    assert subentry.data[CONF_CAPABILITIES]["power_steps"] == PRESETS
    return entry, subentry


async def set_limit(hass: HomeAssistant, miner: SimulatedMiner, watts: float) -> None:
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": entity_id(hass, "number", miner, "power_limit_control"), "value": watts},
        blocking=True,
    )


@pytest.mark.parametrize("fleet", [VNISH], indirect=True)
async def test_entities_and_presets(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    (miner,) = fleet.miners
    entry, subentry = await polled_site(hass, miner, "presets")
    assert subentry.data["mac"] == miner.identity.mac
    assert value(hass, miner, "power") == 3100
    assert value(hass, miner, "hashrate") == pytest.approx(104.0)
    for platform, key in (("button", "reboot"), ("button", "identify"), ("switch", "mining")):
        entity_id(hass, platform, miner, key)

    await set_limit(hass, miner, 2500)
    assert device(miner).preset == "2400"  # the highest tuned preset at or below
    freezer.tick(0.6)
    await poll(hass, entry)
    assert value(hass, miner, "power") == 2400
    assert float(state_of(hass, "number", miner, "power_limit_control")) == 2400


@pytest.mark.parametrize("fleet", [VNISH], indirect=True)
@pytest.mark.filterwarnings("ignore:Could not authenticate web token")
async def test_a_changed_password_asks_for_the_new_one(hass: HomeAssistant, fleet: Fleet) -> None:
    """VNish wants its password to be read at all: a repair at once, no retry storm."""
    (miner,) = fleet.miners
    entry = await setup_site(hass, miner)
    (subentry_id,) = entry.subentries
    device(miner).password = "changed-on-the-miner"
    device(miner).tokens.clear()
    miner.expire_session()
    entry.runtime_data.miners[subentry_id].client.forget()
    for _ in range(3):
        await poll(hass, entry)
    assert state_of(hass, "sensor", miner, "power") == "unavailable"
    issue_id = f"access_denied_{subentry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    started = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        started["flow_id"], {CONF_HOST: miner.host, CONF_PASSWORD: "changed-on-the-miner"}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    await poll(hass, entry)
    assert value(hass, miner, "power") == 3100
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.parametrize("fleet", [VNISH], indirect=True)
async def test_the_loop_steps_through_the_presets(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """Under a site power cap the loop picks the highest tuned preset that fits."""
    (miner,) = fleet.miners
    entry = await controlled_site(hass, miner)
    loop = await heat(hass, entry)
    for watts, preset in ((2500, "2400"), (1900, "1800")):
        await cap_site(hass, entry, freezer, watts)
        assert device(miner).preset == preset
    await call(hass, "turn_off", loop)
    await poll(hass, entry)
    assert miner.state.is_sleeping


@pytest.mark.parametrize("fleet", [["Antminer S19 XP", *VNISH]], indirect=True)
@pytest.mark.filterwarnings("ignore:Could not authenticate web token")
async def test_adding_with_a_wrong_password_says_so(hass: HomeAssistant, fleet: Fleet) -> None:
    luxos, vnish = fleet.miners
    entry = await setup_site(hass, luxos)
    device(vnish).password = "set-on-the-miner"
    result = await add_miner_flow(hass, entry, "manual")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_HOST: vnish.host, CONF_PASSWORD: "a-guess"}
    )
    assert result["errors"] == {CONF_PASSWORD: "invalid_auth"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_HOST: vnish.host, CONF_PASSWORD: "set-on-the-miner"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize("fleet", [VNISH_THROTTLE], indirect=True)
async def test_the_throttle_makes_the_power_limit_continuous(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    (miner,) = fleet.miners
    entry, _ = await polled_site(hass, miner, "throttle")
    limit = state_of(hass, "number", miner, "power_limit_control")
    number = hass.states.get(entity_id(hass, "number", miner, "power_limit_control"))
    assert number is not None
    assert (number.attributes["min"], number.attributes["max"]) == (360, 3500)  # 1800 W at 20 %
    assert float(limit) == 3100

    # 2000 W: the lowest preset above it (2400 W, the most efficient that reaches it) at 83 %
    await set_limit(hass, miner, 2000)
    assert (device(miner).preset, device(miner).throttle) == ("2400", 83)
    freezer.tick(0.6)
    await poll(hass, entry)
    assert value(hass, miner, "power") == 1992
    assert float(state_of(hass, "number", miner, "power_limit_control")) == 1992

    # below the lowest preset: 1800 W throttled, down to 20 %
    await set_limit(hass, miner, 500)
    assert (device(miner).preset, device(miner).throttle) == ("1800", 27)
    await set_limit(hass, miner, 360)
    assert (device(miner).preset, device(miner).throttle) == ("1800", 20)
    freezer.tick(0.6)
    await poll(hass, entry)
    assert value(hass, miner, "power") == 360


@pytest.mark.parametrize("fleet", [VNISH_THROTTLE], indirect=True)
async def test_the_loop_drives_the_throttle(
    hass: HomeAssistant, fleet: Fleet, freezer: FrozenDateTimeFactory
) -> None:
    """Under a site power cap the loop runs the miner at the cap, between and below presets."""
    (miner,) = fleet.miners
    entry = await controlled_site(hass, miner)
    await heat(hass, entry)
    for watts, preset, percent in ((2500, "2800", 89), (1000, "1800", 55)):
        await cap_site(hass, entry, freezer, watts)
        assert (device(miner).preset, device(miner).throttle) == (preset, percent)
        freezer.tick(60)
        set_plant(hass)
        await poll(hass, entry)
        assert value(hass, miner, "power") == int(preset) * percent // 100


@pytest.mark.parametrize("fleet", [VNISH], indirect=True)
async def test_older_firmware_keeps_to_the_presets(hass: HomeAssistant, fleet: Fleet) -> None:
    (miner,) = fleet.miners
    entry = await setup_site(hass, miner)
    await poll(hass, entry)
    number = hass.states.get(entity_id(hass, "number", miner, "power_limit_control"))
    assert number is not None
    assert (number.attributes["min"], number.attributes["max"]) == (1800, 3500)
    await set_limit(hass, miner, 2000)
    assert (device(miner).preset, device(miner).throttle) == ("1800", 100)


@pytest.mark.parametrize(
    ("fleet", "applied"),
    [(VNISH, ("1800", 100)), (VNISH_THROTTLE, ("2400", 83))],
    indirect=["fleet"],
)
async def test_a_write_that_needs_a_restart_is_applied_by_one(
    hass: HomeAssistant, fleet: Fleet, applied: tuple[str, int]
) -> None:
    """``restart_required: true`` in the reply (VNish OpenAPI 1.2.6-1.3.4, SaveConfigResult):
    the setting waits for mining to restart, which HashHeat then asks for."""
    (miner,) = fleet.miners
    device(miner).applies_on_restart = True
    entry = await setup_site(hass, miner)
    await poll(hass, entry)
    await set_limit(hass, miner, 2000)
    assert (device(miner).preset, device(miner).throttle) == applied
    assert (device(miner).saved_preset, device(miner).saved_throttle) == (None, None)
    assert device(miner).restarts == 1  # once, however many writes needed it
    await poll(hass, entry)
    await poll(hass, entry)
    assert device(miner).restarts == 1  # the setting is in force: nothing is written again


@pytest.mark.parametrize(
    ("fleet", "applied"),
    [(VNISH, ("1800", 100)), (VNISH_THROTTLE, ("2400", 83))],
    indirect=["fleet"],
)
async def test_a_write_that_needs_a_restart_does_not_start_a_stopped_miner(
    hass: HomeAssistant, fleet: Fleet, applied: tuple[str, int]
) -> None:
    """A restart starts mining: a stopped miner keeps the setting saved for its next start."""
    (miner,) = fleet.miners
    device(miner).applies_on_restart = True
    entry = await setup_site(hass, miner)
    miner.state.sleep()
    await poll(hass, entry)
    await set_limit(hass, miner, 2000)
    assert device(miner).restarts == 0
    assert miner.state.snapshot().mode is Mode.SLEEPING
    assert (device(miner).saved_preset or device(miner).preset) == applied[0]
    device(miner).start_mining()
    assert (device(miner).preset, device(miner).throttle) == applied


@pytest.mark.parametrize("fleet", [VNISH_THROTTLE], indirect=True)
async def test_the_power_is_read_without_the_deprecated_field(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    """``power_usage`` (what pyasic 0.79.0 reads) is deprecated in VNish's OpenAPI 1.2.6-1.3.4;
    ``power_consumption`` is the documented power."""
    (miner,) = fleet.miners
    device(miner).reports_power_usage = False
    entry = await setup_site(hass, miner)
    await poll(hass, entry)
    assert value(hass, miner, "power") == 3100


# Both layouts of the preset list: an array with the "disabled" pseudo-preset first (VNish 1.2.6
# to 1.3.4 OpenAPI), or wrapped in {"presets": [...]} (source: VNishDevice's fields).
@pytest.mark.parametrize("as_array", [True, False])
@pytest.mark.parametrize("fleet", [VNISH_THROTTLE], indirect=True)
async def test_only_tuned_presets_are_power_steps(
    hass: HomeAssistant, fleet: Fleet, as_array: bool
) -> None:
    (miner,) = fleet.miners
    device(miner).presets_as_array = as_array
    device(miner).untuned = frozenset({"2800", "3500"})
    entry = await setup_site(hass, miner)
    await poll(hass, entry)
    (subentry,) = entry.subentries.values()
    assert subentry.data[CONF_CAPABILITIES]["power_control"] == "throttle"
    assert subentry.data[CONF_CAPABILITIES]["power_steps"] == [
        ["1800", 1800],
        ["2400", 2400],
        ["3100", 3100],
    ]


@pytest.mark.parametrize("fleet", [VNISH_THROTTLE], indirect=True)
async def test_a_fresh_install_without_tuned_presets_offers_no_power_limit(
    hass: HomeAssistant, fleet: Fleet
) -> None:
    """Every preset untuned (the 1.2.6 API reference's list): read, but no limit to set."""
    (miner,) = fleet.miners
    device(miner).untuned = frozenset(p.name for p in device(miner).model.presets)
    entry = await setup_site(hass, miner)
    await poll(hass, entry)
    (subentry,) = entry.subentries.values()
    assert subentry.data[CONF_CAPABILITIES]["power_control"] == "none"
    limit = f"{miner.identity.mac}_power_limit_control"
    assert er.async_get(hass).async_get_entity_id("number", DOMAIN, limit) is None
    assert value(hass, miner, "power") == 3100
    assert state_of(hass, "binary_sensor", miner, "connectivity") == "on"


@pytest.mark.parametrize("fleet", [VNISH_THROTTLE], indirect=True)
async def test_a_refused_throttle_is_a_translated_error(hass: HomeAssistant, fleet: Fleet) -> None:
    (miner,) = fleet.miners
    entry = await setup_site(hass, miner)
    await poll(hass, entry)
    miner.faults.refuse_privileged = True
    with pytest.raises(HomeAssistantError) as refused:
        await set_limit(hass, miner, 3000)  # the preset in force (3100 W) at 96 %
    assert refused.value.translation_key == "access_denied"
    assert device(miner).throttle == 100
    assert miner.state.profile.watts == 3100


@pytest.mark.parametrize("fleet", [VNISH_THROTTLE], indirect=True)
@pytest.mark.parametrize("kept", [False, True], ids=["pyasic-httpx", "kept-session"])
@pytest.mark.parametrize("fault", ["garbage", "truncated", "offline"])
async def test_a_throttle_the_miner_does_not_answer_is_an_api_error(
    fleet: Fleet, fault: str, kept: bool
) -> None:
    """pyasic's own error (the client reports it as an unreachable miner), not the transport's."""
    (miner,) = fleet.miners
    web = VNishWebAPI(miner.host)
    await web.auth()
    async with aiohttp.ClientSession() as session:
        transport = VNishTransport(web, session if kept else None)
        assert await post_throttle(transport, 50) is False  # taken, no restart needed
        assert device(miner).throttle == 50
        assert await post_throttle(transport, 10) is None  # out of 20-100: 500, as the OpenAPI has
        assert device(miner).throttle == 50
        setattr(miner.faults, fault, True)
        with pytest.raises(APIError, match="mining/throttle"):
            await post_throttle(transport, 60)


@pytest.mark.parametrize("fleet", [VNISH], indirect=True)
@pytest.mark.parametrize("kept", [False, True], ids=["pyasic-httpx", "kept-session"])
async def test_web_requests_over_a_kept_session_as_over_pyasics_own(
    fleet: Fleet, kept: bool
) -> None:
    """The same readings, presets, renewal of an expired token, and failure when it is down."""
    (miner,) = fleet.miners
    paths: list[str] = []

    async def on_request(_: object, __: object, params: aiohttp.TraceRequestStartParams) -> None:
        paths.append(params.url.path)

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request)
    async with aiohttp.ClientSession(trace_configs=[trace]) as session:
        client = MinerClient(
            miner.host, timeout=5, detect_timeout=10, http=session if kept else None
        )
        reading = await client.read()
        capabilities = await client.capabilities()
        await client.set_power_limit(capabilities, 2500)
        assert device(miner).preset == "2400"
        device(miner).tokens.clear()  # the miner forgot the session (a restart)
        with pytest.raises(MinerUnreachableError):
            await client.read()  # pyasic unlocks again but does not retry the request
        again = await client.read()
        for fault in ("garbage", "offline"):
            setattr(miner.faults, fault, True)
            with pytest.raises(MinerUnreachableError):
                await client.read()
            miner.faults.clear()
        client.close()

    assert reading.power_w == 3100
    assert reading.power_limit_w == 3100
    assert [step.watts for step in capabilities.power_steps] == [1800, 2400, 2800, 3100, 3500]
    assert again.power_limit_w == 2400
    # pyasic's unlock is its own (httpx); every other request goes over the kept session: a read
    # (summary and settings, in either order), the presets and a summary (has it the throttle?),
    # the preset saved checked, pyasic's settings read and write, the read back, a read failing at
    # its first request (expired token), a read, garbage, offline
    assert len(paths) == (2 + 2 + 4 + 1 + 2 + 1 + 1 if kept else 0)
    assert paths.count("/api/v1/autotune/presets") == (1 if kept else 0)
    assert set(paths) <= {"/api/v1/summary", "/api/v1/settings", "/api/v1/autotune/presets"}
