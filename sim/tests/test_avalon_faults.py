"""Fault injection on an Avalon, seen through raw sockets and unmodified pyasic."""

import asyncio

import pytest
from freezegun.api import FrozenDateTimeFactory
from pyasic.miners.avalonminer.cgminer.mini.mini3 import CGMinerAvalonMini3
from pyasic.miners.backends.avalonminer import AvalonMiner

from sim import ManualClock, SimulatedMiner
from sim.tests.helpers import (
    REBOOT,
    command,
    detect_avalon,
    exchange,
    find_miner,
    listening,
    status,
    times_out,
)


async def test_offline(avalon: SimulatedMiner) -> None:
    found = await detect_avalon(avalon.host)
    avalon.faults.offline = True
    assert not listening(avalon)
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(avalon.host, avalon.port)
    assert await find_miner(avalon.host) is None
    data = await found.get_data()  # unlike LuxOS, no exception: every field is None
    assert data.hashrate is None
    assert data.wattage is None
    assert data.wattage_limit is None
    assert data.uptime is None
    assert all(board.missing for board in data.hashboards)
    # pyasic reads STATUS from the empty reply of a refused connection.
    with pytest.raises(KeyError, match="STATUS"):
        await found.set_power_limit(-1)
    with pytest.raises(KeyError, match="STATUS"):
        await found.stop_mining()
    with pytest.raises(KeyError, match="STATUS"):
        await found.fault_light_on()
    assert await found.reboot() is False
    avalon.faults.offline = False
    assert (await found.get_data()).wattage == 800


async def test_hang(avalon: SimulatedMiner, freezer: FrozenDateTimeFactory) -> None:
    found = await detect_avalon(avalon.host)
    avalon.faults.hang = True
    await times_out(avalon, freezer, found.get_data())
    avalon.faults.hang = False
    assert (await found.get_data()).wattage == 800


async def test_garbage(avalon: SimulatedMiner) -> None:
    found = await detect_avalon(avalon.host)
    avalon.faults.garbage = True
    assert await exchange(avalon.host, b'{"command":"version"}') == avalon.faults.garbage_payload
    assert await find_miner(avalon.host) is None
    data = await found.get_data()
    assert data.hashrate is None
    assert data.wattage is None
    assert await found.set_power_limit(-1) is False
    assert await found.stop_mining() is False
    assert await found.fault_light_on() is False
    assert avalon.work_level == 0


async def test_truncated_loses_the_model(avalon: SimulatedMiner) -> None:
    avalon.faults.truncated = True
    partial = await find_miner(avalon.host)
    assert isinstance(partial, AvalonMiner)  # "AVALON" seen, PROD lost: the generic class
    assert not isinstance(partial, CGMinerAvalonMini3)
    data = await partial.get_data()
    assert data.wattage in {None, 800}


async def test_refuse_privileged(avalon: SimulatedMiner) -> None:
    found = await detect_avalon(avalon.host)
    avalon.faults.refuse_privileged = True
    entry = status(await command(avalon, "ascset", "0,led,1-1"))
    assert (entry["STATUS"], entry["Code"]) == ("E", 45)
    assert entry["Msg"] == "Access denied to 'ascset' command"
    assert await found.set_power_limit(-1) is False
    assert await found.stop_mining() is False
    assert await found.resume_mining() is False
    assert await found.fault_light_on() is False
    assert await found.reboot() is False
    assert (await found.get_data()).wattage == 800  # reading is never refused
    avalon.faults.refuse_privileged = False
    assert await found.set_power_limit(-1) is True
    assert avalon.work_level == -1


async def test_reboot_mid_command(avalon: SimulatedMiner, clock: ManualClock) -> None:
    found = await detect_avalon(avalon.host)
    avalon.faults.reboot_on_command = True
    assert await found.set_power_limit(-1) is False  # down before it acts, unanswered
    assert avalon.faults.reboot_on_command is False
    assert avalon.state.mode == "rebooting"
    assert avalon.work_level == 0
    assert not listening(avalon)
    clock.advance(REBOOT + 1)
    assert listening(avalon)
    assert await found.set_power_limit(-1) is True
    assert avalon.work_level == -1
