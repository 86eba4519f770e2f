"""Unmodified pyasic 0.79.0 against a simulated VNish miner (web API and 4028) on loopback."""

from typing import Any

import pytest
from pyasic.errors import APIError
from pyasic.miners.antminer.vnish.X19.S19 import VNishS19jPro
from pyasic.miners.backends.vnish import VNish

from sim import ManualClock, Mode, SimulatedMiner
from sim.tests.helpers import REBOOT, RETUNE, WARMUP, find_miner, listening, mode


async def detect_vnish(host: str) -> VNish:
    """Run ``pyasic.get_miner`` and insist on a VNish miner."""
    found = await find_miner(host)
    assert isinstance(found, VNish)
    return found


async def test_get_miner_detects_vnish_and_the_model(vnish: SimulatedMiner) -> None:
    assert type(await detect_vnish(vnish.host)) is VNishS19jPro


async def test_get_data_matches_simulator(vnish: SimulatedMiner, clock: ManualClock) -> None:
    clock.advance(700)
    data = await (await detect_vnish(vnish.host)).get_data()
    snap = vnish.state.snapshot()
    assert data.wattage == snap.watts == 3100
    assert data.wattage_limit == 3100
    assert data.hashrate is not None
    assert float(data.hashrate) == pytest.approx(104.0)
    assert data.uptime == 700
    assert (data.mac, data.hostname) == (vnish.identity.mac.upper(), vnish.identity.hostname)
    assert data.fw_ver == "1.2.6"
    assert data.is_mining is True
    assert len(data.hashboards) == 3
    assert data.pools[0].user == "hashheat.sim"


async def test_presets_are_set_through_the_web_api(
    vnish: SimulatedMiner, clock: ManualClock
) -> None:
    found = await detect_vnish(vnish.host)
    presets: Any = await found.web.autotune_presets()  # an array, "disabled" first (1.2.6+)
    assert [p["pretty"] for p in presets][:3] == [
        "Disabled",
        "1800 watt ~ 72 TH",
        "2400 watt ~ 88 TH",
    ]
    # pyasic 0.79.0 reads no preset mode from VNish (MiningModeConfig.from_vnish recurses into
    # itself), so its set_power_limit refuses; its web API's own call sets the preset.
    assert await found.set_power_limit(2500) is False
    await found.web.set_power_limit(2400)
    assert vnish.state.profile.watts == 2400
    clock.advance(RETUNE)
    data = await found.get_data()
    assert (data.wattage_limit, data.wattage) == (2400, 2400)


async def test_pause_resume_identify_reboot(vnish: SimulatedMiner, clock: ManualClock) -> None:
    found = await detect_vnish(vnish.host)
    assert await found.stop_mining() is True
    assert mode(vnish.state) == Mode.SLEEPING
    assert (await found.get_data()).is_mining is False
    assert await found.resume_mining() is True
    clock.advance(WARMUP)
    assert mode(vnish.state) == Mode.MINING
    assert await found.fault_light_on() is True
    assert vnish.vnish is not None
    assert vnish.vnish.locating is True
    assert await found.reboot() is True
    assert not listening(vnish)
    clock.advance(REBOOT)
    assert listening(vnish)


@pytest.mark.filterwarnings("ignore:Could not authenticate web token")
async def test_a_wrong_password_is_refused(vnish: SimulatedMiner) -> None:
    found = await detect_vnish(vnish.host)
    found.web.pwd = "not-the-password"  # noqa: S105
    with pytest.raises(APIError, match="Could not authenticate"):
        await found.stop_mining()
    assert mode(vnish.state) == Mode.MINING


async def throttle(found: VNish, percent: object) -> dict[str, object]:
    """pyasic has no throttle call; its web API posts any command with parameters."""
    return await found.web.send_command("mining/throttle", privileged=True, percent=percent)


async def test_the_throttle_scales_power_and_hashrate(
    vnish_throttle: SimulatedMiner, clock: ManualClock
) -> None:
    found = await detect_vnish(vnish_throttle.host)
    assert type(found) is VNishS19jPro
    summary = await found.web.summary()
    assert summary["miner"]["miner_status"]["throttled"] == 100
    assert await throttle(found, 50) == {"restart_required": False, "reboot_required": False}
    clock.advance(RETUNE)
    data = await found.get_data()
    assert data.wattage == 1550  # half of the 3100 W preset
    assert data.hashrate is not None
    assert float(data.hashrate) == pytest.approx(52.0)
    assert data.wattage_limit == 3100  # pyasic reads the preset, not the throttle
    assert (await found.web.summary())["miner"]["miner_status"]["throttled"] == 50
    await found.web.set_power_limit(2400)  # a new preset keeps the throttle
    clock.advance(RETUNE)
    assert (await found.get_data()).wattage == 1200


@pytest.mark.parametrize("percent", [19, 101, "50", None])
async def test_a_throttle_outside_20_to_100_is_refused(
    vnish_throttle: SimulatedMiner, percent: object
) -> None:
    found = await detect_vnish(vnish_throttle.host)
    with pytest.raises(APIError):
        await throttle(found, percent)
    assert vnish_throttle.state.profile.watts == 3100


async def test_older_firmware_has_no_throttle(vnish: SimulatedMiner) -> None:
    found = await detect_vnish(vnish.host)
    assert "throttled" not in (await found.web.summary())["miner"]["miner_status"]
    with pytest.raises(APIError):
        await throttle(found, 50)
    assert vnish.state.profile.watts == 3100
