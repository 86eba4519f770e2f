"""Unmodified pyasic 0.79.0 against a simulated Whatsminer with API v3 on loopback."""

import asyncio
import json
import struct

import pytest
from pyasic.miners.backends.btminer import BTMinerV3
from pyasic.miners.whatsminer.btminer.M6X.M63S import BTMinerM63SVK30

from sim import ManualClock, Mode, SimulatedMiner
from sim.firmware.whatsminer.api import command_token
from sim.tests.helpers import REBOOT, RETUNE, WARMUP, find_miner, listening, mode


async def detect_whatsminer(host: str) -> BTMinerV3:
    """Run ``pyasic.get_miner`` and insist on a Whatsminer speaking API v3."""
    found = await find_miner(host)
    assert isinstance(found, BTMinerV3)
    return found


async def v3_exchange(host: str, request: dict[str, object]) -> dict[str, object]:
    """One API v3 request on port 4433, framed as the firmware frames it."""
    reader, writer = await asyncio.open_connection(host, 4433)
    body = json.dumps(request).encode()
    writer.write(struct.pack("<I", len(body)) + body)
    await writer.drain()
    (length,) = struct.unpack("<I", await reader.readexactly(4))
    reply = json.loads(await reader.readexactly(length))
    writer.close()
    await writer.wait_closed()
    assert isinstance(reply, dict)
    return reply


async def test_get_miner_detects_api_v3_and_the_model(whatsminer: SimulatedMiner) -> None:
    found = await detect_whatsminer(whatsminer.host)
    assert type(found).__name__ == BTMinerM63SVK30.__name__  # pyasic builds the class anew
    assert found.raw_model == "M63S VK30"


async def test_get_data_matches_simulator(whatsminer: SimulatedMiner, clock: ManualClock) -> None:
    clock.advance(600)
    data = await (await detect_whatsminer(whatsminer.host)).get_data()
    snap = whatsminer.state.snapshot()
    assert data.wattage == snap.watts == 7215
    assert data.wattage_limit == 7215
    assert data.hashrate is not None
    assert float(data.hashrate) == pytest.approx(390.0)
    assert data.uptime == 600
    assert data.mac == whatsminer.identity.mac.upper()
    assert data.hostname == whatsminer.identity.hostname
    assert data.serial_number == whatsminer.identity.serial
    assert data.fw_ver == "20250214.16.REL"
    assert len(data.hashboards) == 4
    assert data.hashboards[0].chips == 156


async def test_power_limit_is_exact_watts(whatsminer: SimulatedMiner, clock: ManualClock) -> None:
    found = await detect_whatsminer(whatsminer.host)
    assert await found.set_power_limit(5123) is True
    clock.advance(RETUNE)
    data = await found.get_data()
    assert (data.wattage_limit, data.wattage) == (5123, 5123)
    assert await found.set_power_limit(100) is True  # the firmware clamps to its minimum
    assert whatsminer.whatsminer is not None
    assert whatsminer.whatsminer.power_limit == 3000


async def test_pause_resume_reboot(whatsminer: SimulatedMiner, clock: ManualClock) -> None:
    found = await detect_whatsminer(whatsminer.host)
    assert await found.stop_mining() is True
    assert mode(whatsminer.state) == Mode.SLEEPING
    assert await found.resume_mining() is True
    clock.advance(WARMUP)
    assert mode(whatsminer.state) == Mode.MINING
    assert await found.fault_light_on() is True
    assert (await found.get_data()).fault_light is True
    assert await found.reboot() is True
    assert not listening(whatsminer)
    assert not whatsminer.side_servers[0].listening
    clock.advance(REBOOT)
    assert listening(whatsminer)
    assert whatsminer.side_servers[0].listening


async def test_a_wrong_password_is_refused(whatsminer: SimulatedMiner) -> None:
    found = await detect_whatsminer(whatsminer.host)
    found.rpc.pwd = "not-the-password"  # noqa: S105
    assert await found.stop_mining() is False
    assert await found.rpc.set_miner_power_limit(4000) == {
        "code": -4,
        "msg": "permission denied: invalid token",
    }
    assert mode(whatsminer.state) == Mode.MINING
    assert whatsminer.whatsminer is not None
    assert whatsminer.whatsminer.power_limit == 7215


async def test_the_token_is_salted_and_checked(whatsminer: SimulatedMiner) -> None:
    salt = (await v3_exchange(whatsminer.host, {"cmd": "get.device.info", "param": "salt"}))["msg"]
    assert isinstance(salt, dict)
    command = {"cmd": "set.miner.power_limit", "param": 4500, "ts": 1700000000, "account": "super"}
    good = command_token("set.miner.power_limit", "super", str(salt["salt"]), 1700000000)
    stale = command_token("set.miner.power_limit", "super", "othersalt", 1700000000)
    assert (await v3_exchange(whatsminer.host, {**command, "token": stale}))["code"] == -4
    assert (await v3_exchange(whatsminer.host, {**command, "token": good})) == {
        "code": 0,
        "msg": "ok",
    }
