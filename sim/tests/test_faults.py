"""Fault injection, seen through raw sockets and through unmodified pyasic."""

import asyncio
import json

import pytest
from freezegun.api import FrozenDateTimeFactory
from pyasic.errors import APIError
from pyasic.miners.backends.luxminer import LUXMiner
from pyasic.miners.data import DataOptions
from pyasic.rpc.base import BaseMinerRPCAPI

from sim import ManualClock, SimulatedMiner, until
from sim.faults import cut_reply
from sim.tests.helpers import REBOOT, detect, exchange, find_miner, listening, times_out

# get_data() always calls get_config(), which raises on an empty reply; excluding it shows
# what each field does on its own.
NO_CONFIG: list[str | DataOptions] = ["config"]


async def test_offline_refuses_connections(miner: SimulatedMiner) -> None:
    found = await detect(miner.host)
    miner.faults.offline = True
    assert not listening(miner)
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(miner.host, miner.port)
    assert await find_miner(miner.host) is None
    with pytest.raises(APIError):
        await found.get_data()
    data = await found.get_data(exclude=NO_CONFIG)
    assert data.hashrate is None
    assert data.wattage is None
    assert data.wattage_limit is None
    assert data.uptime is None
    assert data.temperature_avg is None
    assert all(board.missing for board in data.hashboards)
    with pytest.raises(KeyError):  # pyasic parses the empty config reply
        await found.set_power_limit(2500)
    assert await found.stop_mining() is False

    miner.faults.offline = False  # reopens at once
    assert listening(miner)
    assert (await found.get_data()).wattage == 3010


async def test_hang_never_answers(miner: SimulatedMiner, freezer: FrozenDateTimeFactory) -> None:
    found = await detect(miner.host)
    miner.faults.hang = True
    await times_out(miner, freezer, found.get_data())
    await times_out(miner, freezer, exchange(miner.host, b'{"command":"version"}'))
    miner.faults.hang = False
    assert (await found.get_data()).wattage == 3010


async def test_garbage_reply(miner: SimulatedMiner) -> None:
    found = await detect(miner.host)
    miner.faults.garbage = True
    assert await exchange(miner.host, b'{"command":"version"}') == miner.faults.garbage_payload
    with pytest.raises(APIError, match="Decode Error"):
        await found.rpc.summary()
    assert await find_miner(miner.host) is None
    with pytest.raises(APIError):
        await found.get_data()
    data = await found.get_data(exclude=NO_CONFIG)
    assert data.hashrate is None
    assert data.wattage is None


async def test_binary_garbage_breaks_pyasic_detection(miner: SimulatedMiner) -> None:
    miner.faults.garbage = True
    miner.faults.garbage_payload = b"\xff\xfe\x80 binary"
    with pytest.raises(UnicodeDecodeError):  # pyasic's _socket_ping decodes unguarded
        await find_miner(miner.host)
    # pyasic leaves its other probe running: it ends before the miner stops.
    await until(lambda: not any("_socket_ping" in repr(t.get_coro()) for t in asyncio.all_tasks()))


async def test_truncated_reply(miner: SimulatedMiner) -> None:
    found = await detect(miner.host)
    miner.faults.truncated = True
    raw = await exchange(miner.host, b'{"command":"version"}')
    assert not raw.endswith(b"\x00")
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)
    with pytest.raises(APIError, match="Decode Error"):
        await found.rpc.version()
    # Cut inside a section, neither the multicommand nor its split commands leave a whole one.
    data = await found.get_data(exclude=NO_CONFIG)
    assert data.wattage is None
    assert data.wattage_limit is None
    # Detection still sees "LUXminer" in the partial text, but the model is lost.
    partial = await find_miner(miner.host)
    assert type(partial) is LUXMiner


async def test_privileged_refused(miner: SimulatedMiner) -> None:
    found = await detect(miner.host)
    miner.faults.refuse_privileged = True
    with pytest.raises(APIError, match="Access denied"):
        await found.set_power_limit(2500)
    assert await found.stop_mining() is False
    assert await found.fault_light_on() is False
    assert miner.state.profile.name == "default"
    miner.faults.refuse_privileged = False
    assert await found.set_power_limit(2500) is True


async def test_session_expired(miner: SimulatedMiner) -> None:
    found = await detect(miner.host)
    assert await found.set_power_limit(2500) is True
    miner.expire_session()
    with pytest.raises(APIError, match="Invalid session id"):
        await found.set_power_limit(3000)
    assert await found.stop_mining() is False  # pyasic never drops the stale token itself
    found.rpc.session_token = None  # what a client must do to recover
    assert await found.set_power_limit(3000) is True
    assert miner.state.profile.name == "475MHz"
    assert await found.stop_mining() is True


async def test_reboot_mid_command(miner: SimulatedMiner, clock: ManualClock) -> None:
    found = await detect(miner.host)
    miner.faults.reboot_on_command = True
    assert await found.get_data()  # reading is not a command: nothing happens
    assert miner.state.is_reachable
    # The miner goes down before it acts: the connection closes unanswered.
    assert await found.stop_mining() is False
    assert miner.faults.reboot_on_command is False  # one reboot per arming
    assert miner.state.mode == "rebooting"
    assert not miner.state.is_sleeping
    assert not listening(miner)
    clock.advance(REBOOT + 1)
    assert listening(miner)
    assert miner.state.snapshot().uptime_seconds == 1  # booted afresh
    found.rpc.session_token = None  # the reboot ended the session
    assert await found.stop_mining() is True
    assert miner.state.is_sleeping


async def test_requests_and_open_connections_are_counted(
    miner: SimulatedMiner, freezer: FrozenDateTimeFactory
) -> None:
    found = await detect(miner.host)
    before = miner.server.requests
    await found.get_data()
    assert miner.server.requests > before
    await until(lambda: miner.server.open_connections == 0)
    miner.faults.hang = True
    asked = miner.server.requests
    await times_out(miner, freezer, found.get_data())
    assert miner.server.requests > asked  # read, never answered: pyasic leaves it open
    assert miner.server.open_connections >= 1


async def test_faults_clear_and_repr(miner: SimulatedMiner) -> None:
    faults = miner.faults
    faults.hang = faults.garbage = faults.truncated = faults.refuse_privileged = True
    faults.offline = faults.reboot_on_command = True
    assert repr(faults) == (
        "Faults(offline, hang, garbage, truncated, refuse_privileged, reboot_on_command)"
    )
    assert "offline" in repr(miner)
    faults.clear()
    assert repr(faults) == "Faults(none)"
    assert listening(miner)


@pytest.mark.parametrize(
    "reply",
    [
        {"fans": [{"ID": 0, "RPM": 0}], "summary": [{"SUMMARY": [{"MHS 5s": 1.5, "Power": 3010}]}]},
        {"STATUS": [{"Msg": 'a "quoted", text'}], "POOLS": [{"URL": "x,y"}], "id": 1},
        {"a": [1, 2], "b": [3, 4], "c": [5, 6], "d": [7, 8]},
    ],
)
def test_cut_reply_leaves_no_whole_section(reply: dict[str, object]) -> None:
    text = json.dumps(reply, separators=(",", ":")).encode()
    cut = cut_reply(text)
    assert text.startswith(cut)
    assert len(text) // 4 < len(cut) < len(text)
    # The repair pyasic applies to an overflowed buffer cannot make it whole.
    with pytest.raises(APIError, match="Decode Error"):
        BaseMinerRPCAPI._load_api_data(cut)


def test_cut_reply_of_text_that_is_not_json() -> None:
    assert cut_reply(b"<html>AnthillOS</html>") == b"<html>Anthi"
