"""The wire protocol, driven with raw sockets: framing, multicommands, sessions, errors."""

import asyncio
import json

import pytest

from sim import ManualClock, SimulatedMiner, until
from sim.server import request_complete
from sim.tests.helpers import REBOOT, command, decode, exchange, logon, status


async def test_reply_is_json_plus_nul_then_close(miner: SimulatedMiner) -> None:
    raw = await exchange(miner.host, b'{"command":"version"}')
    assert raw.endswith(b"}\x00")
    assert raw.count(b"\x00") == 1
    reply = decode(raw)
    assert status(reply)["STATUS"] == "S"
    assert status(reply)["Msg"] == "LUXminer versions"
    assert reply["id"] == 1
    version = reply["VERSION"][0]
    assert version["Type"] == "Antminer S19 XP"
    assert version["API"] == "3.7"
    assert version["LUXminer"].startswith("2024.")


async def test_request_split_across_writes(miner: SimulatedMiner) -> None:
    raw = await exchange(miner.host, b'{"command": "summary"}', split=True)
    assert decode(raw)["SUMMARY"][0]["GHS 5s"] == pytest.approx(141_000)


async def test_multicommand_shape(miner: SimulatedMiner) -> None:
    reply = await command(miner, "summary+stats+power")
    assert set(reply) == {"summary", "stats", "power", "id"}
    for key in ("summary", "stats", "power"):
        assert isinstance(reply[key], list)
        assert len(reply[key]) == 1
        assert status(reply[key][0])["STATUS"] == "S"
        assert reply[key][0]["id"] == 1
    assert reply["power"][0]["POWER"][0]["Watts"] == 3010


async def test_multicommand_with_a_bad_part(miner: SimulatedMiner) -> None:
    reply = await command(miner, "summary+bogus")
    assert status(reply["summary"][0])["STATUS"] == "S"
    assert status(reply["bogus"][0])["STATUS"] == "E"


@pytest.mark.parametrize(
    ("payload", "code", "msg"),
    [
        (b'{"command":"bogus"}', 14, "Invalid command"),
        (b"not json at all", 23, "Invalid JSON"),
        (b"[1, 2]", 23, "Invalid JSON"),
        (b'{"parameter":"x"}', 24, "Missing JSON 'command'"),
    ],
)
async def test_errors(miner: SimulatedMiner, payload: bytes, code: int, msg: str) -> None:
    entry = status(decode(await exchange(miner.host, payload)))
    assert entry["STATUS"] == "E"
    assert entry["Code"] == code
    assert entry["Msg"] == msg
    assert entry["Description"].startswith("LUXminer ")
    assert isinstance(entry["When"], int)


def test_request_complete() -> None:
    assert request_complete(b'{"command":"version"}')
    assert request_complete(b'{"command":"version"}\x00')
    assert not request_complete(b"")
    assert not request_complete(b'{"command":')
    assert not request_complete(b'{"command":"vers')
    assert request_complete(b"garbage")


async def test_stats_fields_pyasic_reads(miner: SimulatedMiner) -> None:
    board = (await command(miner, "stats"))["STATS"][1]
    snap = miner.state.snapshot()
    assert board["Elapsed"] == snap.uptime_seconds
    assert board["rate_unit"] == "GH"
    assert board["total_rateideal"] == pytest.approx(141_000)
    for i, expected in enumerate(snap.boards, start=1):
        assert float(board[f"chain_rate{i}"]) == pytest.approx(expected.hashrate_ghs)
        assert board[f"chain_acn{i}"] == 110
        assert board[f"temp_chip{i}"] == "-".join(map(str, expected.chip_temps))
        assert board[f"temp_pcb{i}"] == "-".join(map(str, expected.pcb_temps))


async def test_fans_are_reported_at_zero(miner: SimulatedMiner) -> None:
    reply = await command(miner, "fans")
    assert [f["RPM"] for f in reply["FANS"]] == [0, 0, 0, 0]
    assert reply["FANCTRL"][0]["MinFans"] == 0


async def test_profiles_and_config(miner: SimulatedMiner) -> None:
    profiles = (await command(miner, "profiles"))["PROFILES"]
    default = next(p for p in profiles if p["Profile Name"] == "default")
    assert default == {
        "Profile Name": "default",
        "Frequency": 500,
        "Hashrate": 141.0,
        "IsDynamic": False,
        "IsTuned": False,
        "Step": "0",
        "Voltage": 13.6,
        "Watts": 3010,
    }
    config = (await command(miner, "config"))["CONFIG"][0]
    assert config["Profile"] == "default"
    assert config["RedLed"] == "off"
    assert config["IsTuning"] is False
    assert config["MACAddr"] == miner.identity.mac


async def test_session_logon_and_privileged(miner: SimulatedMiner) -> None:
    assert (await command(miner, "session"))["SESSION"][0]["SessionID"] == ""
    session_id = await logon(miner)
    assert len(session_id) == 8
    assert (await command(miner, "session"))["SESSION"][0]["SessionID"] == session_id
    assert status(await command(miner, "logon"))["Msg"] == "Another session is active"

    reply = await command(miner, "profileset", f"{session_id},400MHz")
    assert status(reply)["Msg"] == "Profile Set"
    assert reply["PROFILE"][0]["Profile"] == "400MHz"
    assert miner.state.is_tuning
    config = (await command(miner, "config"))["CONFIG"][0]
    assert config["Profile"] == "400MHz"
    assert config["IsTuning"] is True

    reply = await command(miner, "ledset", f"{session_id},red,blink")
    assert status(reply)["STATUS"] == "S"
    assert (await command(miner, "config"))["CONFIG"][0]["RedLed"] == "blink"

    reply = await command(miner, "curtail", f"{session_id},sleep")
    assert reply["CURTAIL"][0]["Action"] == "sleep mode"
    assert (await command(miner, "power"))["POWER"][0]["Watts"] == 10
    reply = await command(miner, "curtail", f"{session_id},wakeup")
    assert reply["CURTAIL"][0]["Action"] == "wake up"

    assert status(await command(miner, "logoff", session_id))["STATUS"] == "S"
    assert (await command(miner, "session"))["SESSION"][0]["SessionID"] == ""


@pytest.mark.parametrize(
    ("cmd", "parameter", "msg"),
    [
        ("profileset", None, "Missing session id"),
        ("profileset", "wrong,default", "Invalid session id"),
        ("curtail", "wrong,sleep", "Invalid session id"),
        ("rebootdevice", "", "Missing session id"),
    ],
)
async def test_privileged_needs_session(
    miner: SimulatedMiner, cmd: str, parameter: str | None, msg: str
) -> None:
    await logon(miner)
    entry = status(await command(miner, cmd, parameter))
    assert entry["STATUS"] == "E"
    assert entry["Msg"] == msg


@pytest.mark.parametrize(
    ("cmd", "args"),
    [
        ("profileset", "nope"),
        ("profileset", ""),
        ("curtail", "nap"),
        ("ledset", "green,on"),
        ("ledset", "red"),
        ("atmset", "enabled=maybe"),
        ("atmset", "colour=blue"),
        ("atmset", "no-equals"),
        ("atmset", "temp_window=x"),
        ("atmset", "max_profile=999MHz"),
    ],
)
async def test_privileged_bad_arguments(miner: SimulatedMiner, cmd: str, args: str) -> None:
    session_id = await logon(miner)
    assert status(await command(miner, cmd, f"{session_id},{args}"))["STATUS"] == "E"


async def test_session_expires_after_idle_minute(miner: SimulatedMiner, clock: ManualClock) -> None:
    session_id = await logon(miner)
    clock.advance(50)
    assert status(await command(miner, "ledset", f"{session_id},red,on"))["STATUS"] == "S"
    clock.advance(50)  # refreshed by the last use
    assert (await command(miner, "session"))["SESSION"][0]["SessionID"] == session_id
    clock.advance(61)
    assert (await command(miner, "session"))["SESSION"][0]["SessionID"] == ""
    reply = await command(miner, "ledset", f"{session_id},red,off")
    assert status(reply)["Msg"] == "Invalid session id"


async def test_atm_and_profileset_interlock(miner: SimulatedMiner) -> None:
    session_id = await logon(miner)
    atm = (await command(miner, "atm"))["ATM"][0]
    assert atm["Enabled"] is False
    params = f"{session_id},enabled=true,temp_window=4,max_profile=+2,startup_minutes=3"
    assert status(await command(miner, "atmset", params))["STATUS"] == "S"
    atm = (await command(miner, "atm"))["ATM"][0]
    assert (atm["Enabled"], atm["TempWindow"], atm["MaxProfile"]) == (True, 4.0, "+2")
    assert atm["StartupMinutes"] == 3
    reply = await command(miner, "profileset", f"{session_id},-1")
    assert status(reply)["STATUS"] == "E"
    assert "ATM" in status(reply)["Msg"]


async def test_prevent_oc_reverts_to_default(miner: SimulatedMiner) -> None:
    session_id = await logon(miner)
    await command(miner, "profileset", f"{session_id},+2")
    await command(miner, "atmset", f"{session_id},enabled=true")
    await command(miner, "atmset", f"{session_id},enabled=false,prevent_oc=true")
    assert miner.state.profile.name == "default"


async def test_legacy_board_id_form(miner: SimulatedMiner) -> None:
    session_id = await logon(miner)
    reply = await command(miner, "profileset", f"{session_id},0,450MHz")
    assert reply["PROFILE"][0]["Profile"] == "450MHz"


async def test_rebootdevice_goes_away_and_comes_back(
    miner: SimulatedMiner, clock: ManualClock
) -> None:
    session_id = await logon(miner)
    assert status(await command(miner, "rebootdevice", session_id))["Msg"] == "Rebooting device"
    await until(lambda: not miner.server.listening)
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(miner.host, miner.port)
    clock.advance(REBOOT + 1)
    assert miner.server.listening
    stats = (await command(miner, "stats"))["STATS"][1]
    assert stats["Elapsed"] == 1
    assert (await command(miner, "session"))["SESSION"][0]["SessionID"] == ""


async def test_resetminer_restarts_quickly(miner: SimulatedMiner, clock: ManualClock) -> None:
    session_id = await logon(miner)
    assert status(await command(miner, "resetminer", session_id))["STATUS"] == "S"
    await until(lambda: not miner.server.listening)
    clock.advance(5)
    assert miner.server.listening
    assert (await command(miner, "config"))["CONFIG"][0]["SystemStatus"] == "waking"


async def test_parameter_may_be_a_number(miner: SimulatedMiner) -> None:
    raw = await exchange(miner.host, json.dumps({"command": "version", "parameter": 3}).encode())
    assert status(decode(raw))["STATUS"] == "S"
