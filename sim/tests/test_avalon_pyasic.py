"""Unmodified pyasic 0.79.0 against simulated Avalon miners on loopback."""

import dataclasses
from collections.abc import Callable

import pytest
from freezegun.api import FrozenDateTimeFactory
from pyasic.miners.avalonminer.cgminer.mini.mini3 import CGMinerAvalonMini3
from pyasic.miners.avalonminer.cgminer.Q.Q import CGMinerAvalonQHome

from sim import MINI3, ManualClock, Mode, SimulatedMiner, until
from sim.tests.helpers import (
    REBOOT,
    RETUNE,
    WARMUP,
    WEB_PORT,
    detect_avalon,
    find_miner,
    listening,
    mode,
    use_web_port,
)


async def test_get_miner_detects_mini3_and_q(
    avalon: SimulatedMiner, avalon_q: SimulatedMiner
) -> None:
    assert type(await detect_avalon(avalon.host)) is CGMinerAvalonMini3
    assert type(await detect_avalon(avalon_q.host)) is CGMinerAvalonQHome


async def test_get_data_matches_simulator(avalon: SimulatedMiner, clock: ManualClock) -> None:
    clock.advance(1234)
    found = await detect_avalon(avalon.host)
    use_web_port(found, WEB_PORT)  # pyasic reads a Mini 3's MAC from the web page only
    data = await found.get_data()
    snap = avalon.state.snapshot()
    assert data.hashrate is not None
    assert float(data.hashrate) == pytest.approx(snap.hashrate_ghs / 1000) == 37.5
    assert data.wattage == snap.watts == 800
    assert data.wattage_limit == 800
    assert data.expected_hashrate is not None
    assert float(data.expected_hashrate) == pytest.approx(37.5)
    assert data.uptime == 1234
    assert data.mac == avalon.identity.mac.upper()
    assert data.env_temp == 40.0
    assert (data.fw_ver, data.api_ver) == ("4.11.1", "3.7")
    assert [fan.speed for fan in data.fans] == [0]
    assert data.total_chips == 66
    assert data.fault_light is False
    board = data.hashboards[0]
    chips, pcbs = snap.boards[0].chip_temps, snap.boards[0].pcb_temps
    assert board.chip_temp == max(chips)
    assert board.temp == round(sum(chips) / len(chips))
    assert (board.inlet_temp, board.outlet_temp) == (min(pcbs), max(pcbs))
    assert data.pools[0].user == "hashheat.sim"
    assert data.hostname is None


async def test_mini3_mac_needs_the_web_page(avalon: SimulatedMiner) -> None:
    found = await detect_avalon(avalon.host)  # port 80: nothing listens there
    assert (await found.get_data(include=["mac"])).mac is None


async def test_avalon_q_lacks_wattage_env_temp_and_led(avalon_q: SimulatedMiner) -> None:
    found = await detect_avalon(avalon_q.host)
    data = await found.get_data()
    assert data.mac == avalon_q.identity.mac.upper()  # from VERSION.MAC on the Q
    assert data.wattage is None  # no WALLPOWER in the Q's status string
    assert data.env_temp is None  # no Temp either
    assert data.wattage_limit == 1674
    assert [fan.speed for fan in data.fans] == [0, 0]
    assert await found.fault_light_on() is True
    assert (await found.get_data()).fault_light is False  # no Led field to read back
    assert avalon_q.avalon is not None
    assert avalon_q.avalon.settings.led is True


async def test_set_power_limit_on_mini3(avalon: SimulatedMiner, clock: ManualClock) -> None:
    found = await detect_avalon(avalon.host)
    use_web_port(found, WEB_PORT)
    assert await found.set_power_limit(-1) is True  # pyasic passes values below 3 through
    assert avalon.work_level == -1
    assert mode(avalon.state) == Mode.TUNING
    data = await found.get_data()
    assert (data.wattage_limit, data.wattage) == (500, 800)
    clock.advance(RETUNE / 2)
    assert (await found.get_data()).wattage == 650
    clock.advance(RETUNE / 2)
    data = await found.get_data()
    assert data.wattage == 500
    assert data.hashrate is not None
    assert float(data.hashrate) == pytest.approx(30.0)
    # Watts above 100 become worklevel 2, 81-100 level 1: not Mini 3 levels.
    assert await found.set_power_limit(800) is False
    assert await found.set_power_limit(90) is False
    # 3-80 W and 0 become level 0, which pyasic sends without its value ("0,worklevel,set").
    assert await found.set_power_limit(0) is False
    assert await found.set_power_limit(50) is False
    assert avalon.work_level == -1
    reply = await found.rpc.ascset(0, "worklevel,set", "0")  # the way back to Super
    assert reply["STATUS"][0]["Msg"] == "ASC 0 set OK"
    assert avalon.work_level == 0


async def test_set_power_limit_on_q(avalon_q: SimulatedMiner, clock: ManualClock) -> None:
    found = await detect_avalon(avalon_q.host)
    assert await found.set_power_limit(1) is True
    assert avalon_q.work_level == 1
    clock.advance(RETUNE)
    data = await found.get_data()
    assert data.wattage_limit == 1300
    assert data.hashrate is not None
    assert float(data.hashrate) == pytest.approx(79.0)
    assert await found.set_power_limit(1674) is True
    assert avalon_q.work_level == 2
    assert await found.set_power_limit(85) is True
    assert avalon_q.work_level == 1
    assert await found.set_power_limit(50) is False


async def test_default_clocks_are_the_monotonic_and_the_wall_time(
    address: Callable[[int], str], freezer: FrozenDateTimeFactory
) -> None:
    async with SimulatedMiner(
        address(5), firmware="avalon", retune_seconds=0.3, noise=0.0, web_port=WEB_PORT
    ) as sim:
        found = await detect_avalon(sim.host)
        assert await found.set_power_limit(-1)
        assert (await found.get_data()).wattage == 800  # no time has passed
        freezer.tick(0.3)
        assert (await found.get_data()).wattage == 500
        assert await found.stop_mining() is True  # softoff five seconds from now (wall time)
        freezer.tick(5)
        assert mode(sim.state) == Mode.SLEEPING


async def test_stop_and_resume_mining(avalon: SimulatedMiner, clock: ManualClock) -> None:
    found = await detect_avalon(avalon.host)
    assert await found.stop_mining() is True  # softoff five seconds from now
    assert mode(avalon.state) == Mode.MINING
    clock.advance(5)
    assert mode(avalon.state) == Mode.SLEEPING
    data = await found.get_data()
    assert data.wattage == 10
    assert data.hashrate is not None
    assert float(data.hashrate) == 0
    assert data.wattage_limit == 800
    assert await found.resume_mining() is True  # softon five seconds from now
    assert mode(avalon.state) == Mode.SLEEPING
    clock.advance(5)
    assert mode(avalon.state) == Mode.WAKING
    clock.advance(WARMUP)
    assert (await found.get_data()).wattage == 800
    assert mode(avalon.state) == Mode.MINING


async def test_fault_light(avalon: SimulatedMiner) -> None:
    found = await detect_avalon(avalon.host)
    assert await found.fault_light_on() is True
    assert (await found.get_data()).fault_light is True
    assert await found.fault_light_off() is True
    assert (await found.get_data()).fault_light is False


async def test_reboot_is_not_a_command_of_this_firmware(
    avalon: SimulatedMiner, clock: ManualClock
) -> None:
    found = await detect_avalon(avalon.host)
    assert await found.reboot() is False  # cgminer "restart": Invalid command
    assert listening(avalon)
    reply = await found.rpc.ascset(0, "reboot", "0")  # what reboots a Mini 3
    assert reply["STATUS"][0]["Msg"] == "ASC 0 set OK"
    await until(lambda: not listening(avalon))
    assert await find_miner(avalon.host) is None
    clock.advance(REBOOT)
    assert listening(avalon)
    assert (await found.get_data()).uptime == 0


async def test_reboot_where_restart_exists(
    address: Callable[[int], str], clock: ManualClock
) -> None:
    model = dataclasses.replace(MINI3, api_restart=True)
    async with SimulatedMiner(address(6), model=model, clock=clock, noise=0.0) as sim:
        found = await detect_avalon(sim.host)
        clock.advance(100)
        assert await found.reboot() is True  # {"STATUS": "RESTART"}
        await until(lambda: not listening(sim))
        assert mode(sim.state) == Mode.RESTARTING
        clock.advance(sim.state.restart_seconds)
        assert listening(sim)
        assert (await found.get_data()).uptime == 0
