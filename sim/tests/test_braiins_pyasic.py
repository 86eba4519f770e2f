"""Unmodified pyasic 0.79.0 against a simulated Braiins OS+ miner (4028 and gRPC) on loopback."""

import pytest
from grpclib import GRPCError
from grpclib.const import Status
from pyasic.config.fans import FanModeImmersion, FanModeNormal
from pyasic.miners.antminer.bosminer.X19.S19 import BOSMinerS19jPro
from pyasic.miners.backends.braiins_os import BOSer

from sim import ManualClock, Mode, SimulatedMiner, until
from sim.firmware.braiins.device import CoolingLayout
from sim.tests.helpers import REBOOT, RETUNE, WARMUP, find_miner, listening, mode


async def detect_braiins(host: str) -> BOSer:
    """Run ``pyasic.get_miner`` and insist on Braiins OS+ with gRPC (BOSer)."""
    found = await find_miner(host)
    assert isinstance(found, BOSer)
    return found


def grpc_listening(miner: SimulatedMiner) -> bool:
    return miner.side_servers[0].listening


async def test_get_miner_detects_boser_and_the_model(braiins: SimulatedMiner) -> None:
    assert type(await detect_braiins(braiins.host)) is BOSMinerS19jPro


async def test_get_data_matches_simulator(braiins: SimulatedMiner, clock: ManualClock) -> None:
    clock.advance(800)
    data = await (await detect_braiins(braiins.host)).get_data()
    snap = braiins.state.snapshot()
    assert data.wattage == snap.watts == 3250
    assert data.wattage_limit == 3250
    assert data.hashrate is not None
    assert float(data.hashrate) == pytest.approx(104.0)
    assert data.uptime == 800
    ident = braiins.identity
    assert (data.mac, data.hostname, data.serial_number) == (
        ident.mac.upper(),
        ident.hostname,
        ident.serial,
    )
    assert data.fw_ver == "25.01"
    assert [board.chips for board in data.hashboards] == [126, 126, 126]
    assert data.pools[0].user == "hashheat.sim"


async def test_power_target_in_exact_watts(braiins: SimulatedMiner, clock: ManualClock) -> None:
    found = await detect_braiins(braiins.host)
    assert await found.set_power_limit(2345) is True  # pyasic checks the target it gets back
    clock.advance(RETUNE)
    data = await found.get_data()
    assert (data.wattage_limit, data.wattage) == (2345, 2345)
    assert await found.set_power_limit(900) is False  # clamped to 1600 W: not what was asked
    assert braiins.braiins is not None
    assert braiins.braiins.power_target == 1600


async def test_pause_resume_identify_reboot(braiins: SimulatedMiner, clock: ManualClock) -> None:
    found = await detect_braiins(braiins.host)
    assert await found.stop_mining() is True
    assert mode(braiins.state) == Mode.SLEEPING
    assert await found.resume_mining() is True
    clock.advance(WARMUP)
    assert mode(braiins.state) == Mode.MINING
    assert await found.fault_light_on() is True
    assert braiins.braiins is not None
    assert braiins.braiins.locating is True
    assert await found.reboot() is True
    await until(lambda: not grpc_listening(braiins))  # once the reply is out
    assert not listening(braiins)
    clock.advance(REBOOT)
    assert listening(braiins)
    assert grpc_listening(braiins)


async def test_a_wrong_password_is_refused(braiins: SimulatedMiner) -> None:
    found = await detect_braiins(braiins.host)
    found.web.pwd = "not-the-password"  # noqa: S105
    with pytest.raises(GRPCError) as refused:
        await found.web.pause_mining()
    assert refused.value.status is Status.UNAUTHENTICATED
    assert mode(braiins.state) == Mode.MINING


async def test_immersion_mode_is_read_and_set(braiins: SimulatedMiner) -> None:
    assert braiins.braiins is not None
    found = await detect_braiins(braiins.host)
    # 24.xx and later name an immersion mode of their own, which pyasic 0.79.0's messages lack:
    # it reads the fan mode (HashHeat reads the mode off the wire, boser.COOLING_MODE).
    assert isinstance((await found.get_config()).fan_mode, FanModeNormal)
    braiins.braiins.no_fan_layout = CoolingLayout.DISABLED  # before 24.xx
    assert isinstance((await found.get_config()).fan_mode, FanModeImmersion)
    reply = await found.web.set_immersion_mode(False)
    assert "immersionMode" not in reply  # False is the default, left out of the reply
    assert braiins.braiins.immersion is False
    fan_mode = (await found.get_config()).fan_mode
    assert isinstance(fan_mode, FanModeNormal)
    assert fan_mode.minimum_fans == 1
    assert await found.web.set_immersion_mode(True) == {"immersionMode": True}
    assert isinstance((await found.get_config()).fan_mode, FanModeImmersion)
