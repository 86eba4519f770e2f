"""The Avalon cgminer API, driven with raw sockets: shapes, multicommands, ascset, errors."""

import json
import time

import pytest

from sim import ManualClock, Mode, SimulatedMiner
from sim.firmware.avalon.estats import STANDBY
from sim.tests.helpers import (
    REBOOT,
    RETUNE,
    WARMUP,
    command,
    decode,
    exchange,
    listening,
    mm_id0,
    mode,
    status,
)


async def test_version_shape(avalon: SimulatedMiner) -> None:
    raw = await exchange(avalon.host, b'{"command":"version"}')
    assert raw.endswith(b"}\x00")
    reply = decode(raw)
    assert status(reply) == {
        "STATUS": "S",
        "When": status(reply)["When"],
        "Code": 22,
        "Msg": "CGMiner versions",
        "Description": "cgminer 4.11.1",
    }
    version = reply["VERSION"][0]
    assert version["PROD"] == "Avalon Mini3"
    assert version["MODEL"] == "Mini3"
    assert version["CGMiner"] == "4.11.1"
    assert version["API"] == "3.7"
    assert version["MAC"] == avalon.identity.mac.replace(":", "")
    assert version["DNA"] == avalon.identity.serial
    assert len(version["DNA"]) == 16
    assert version["LVERSION"] == "25022401_cb28ba7"


async def test_devdetails_and_config(avalon: SimulatedMiner) -> None:
    details = (await command(avalon, "devdetails"))["DEVDETAILS"]
    assert details == [
        {
            "DEVDETAILS": 0,
            "Name": "AVALON",
            "ID": 0,
            "Driver": "avalon",
            "Kernel": "",
            "Model": "",
            "Device Path": "",
        }
    ]
    config = await command(avalon, "config")
    assert status(config)["Msg"] == "CGMiner config"
    assert config["CONFIG"][0]["Device Code"] == "AVALON"


async def test_multicommand_like_canaan_cgminer(avalon: SimulatedMiner) -> None:
    reply = await command(avalon, "version+devs+estats+stats+pools+summary+summary")
    assert list(reply) == ["version", "devs", "estats", "stats", "pools", "summary", "id"]
    for key in ("version", "devs", "estats", "stats", "pools", "summary"):
        assert status(reply[key][0])["STATUS"] == "S"
        assert reply[key][0]["id"] == 1
    assert reply["devs"][0]["DEVS"][0]["MHS 1m"] == pytest.approx(37_500_000)
    reply = await command(avalon, "summary+ascset+bogus")
    assert status(reply["ascset"][0])["Msg"] == "Access denied to 'ascset' command"
    bogus = status(reply["bogus"][0])
    assert (bogus["STATUS"], bogus["Code"], bogus["Msg"]) == ("E", 14, "Invalid command")
    assert "Description" not in bogus  # cgminer hides it from random probes


@pytest.mark.parametrize(
    ("payload", "code", "msg"),
    [
        (b"not json at all", 23, "Invalid JSON"),
        (b"[1, 2]", 23, "Invalid JSON"),
        (b'{"parameter":"x"}', 24, "Missing JSON 'command'"),
        (b'{"command":7}', 14, "Invalid command"),
        (b'{"command":"bogus"}', 14, "Invalid command"),
        (b'{"command":"restart"}', 14, "Invalid command"),  # not in this firmware
    ],
)
async def test_errors(avalon: SimulatedMiner, payload: bytes, code: int, msg: str) -> None:
    entry = status(decode(await exchange(avalon.host, payload)))
    assert (entry["STATUS"], entry["Code"], entry["Msg"]) == ("E", code, msg)


async def test_stats_and_estats_items(avalon: SimulatedMiner, clock: ManualClock) -> None:
    clock.advance(321)
    stats = (await command(avalon, "stats"))["STATS"]
    assert [item["ID"] for item in stats] == ["AVALON0", "POOL0"]
    assert stats[1]["Elapsed"] == 321  # pyasic's uptime
    estats = await command(avalon, "estats")
    assert status(estats)["Msg"] == "CGMiner stats"
    assert [item["ID"] for item in estats["STATS"]] == ["AVALON0"]
    text = estats["STATS"][0]["MM ID0"]
    assert text.startswith("Ver[Mini3-25022401_cb28ba7] ")
    mm = mm_id0(estats)
    assert mm["Elapsed"] == 321
    assert mm["SYSTEMSTATU"] == "Work: In Work, Hash Board: 1"
    assert (mm["WORKMODE"], mm["WORKLEVEL"], mm["MPO"], mm["WALLPOWER"]) == (1, 0, 800, 800)
    assert (mm["GHSmm"], mm["MGHS"], mm["Led"], mm["SoftOFF"]) == (37500.0, 37500.0, 0, 0)
    assert (mm["Temp"], mm["ITemp"], mm["Fan1"], mm["FanR"]) == (40, 40, 0, "0%")
    assert len(mm["PVT_T0"]) == 66
    assert mm["PS"][-1] == 800
    snap = avalon.state.snapshot()
    assert mm["TMax"] == max(snap.boards[0].chip_temps)
    assert mm["HBITemp"] == min(snap.boards[0].pcb_temps)


async def test_avalon_q_summary_layout(avalon_q: SimulatedMiner) -> None:
    item = (await command(avalon_q, "estats"))["STATS"][0]
    assert "MM ID0" not in item
    assert item["MM ID0:Summary"].startswith("'STATS':{Ver[Q-")
    assert item["MM ID0:Summary"].endswith(" Nonce Mask[25]}")
    assert item["HBinfo"].startswith("'HB0':{PVT_T0[")
    mm = mm_id0({"STATS": [item]})
    assert "WALLPOWER" not in mm
    assert "Temp" not in mm
    assert "Led" not in mm
    assert (mm["WORKMODE"], mm["WORKLEVEL"], mm["MPO"], mm["PS"][-1]) == (2, 2, 1674, 1674)
    assert [mm[f"Fan{i}"] for i in range(1, 5)] == [0, 0, 0, 0]


async def test_ascset_help_lists_options(avalon: SimulatedMiner) -> None:
    entry = status(await command(avalon, "ascset", "0,help"))
    assert (entry["STATUS"], entry["Code"]) == ("I", 118)
    listed = entry["Msg"].removeprefix("ASC 0 set info: ").split("|")
    assert {"worklevel", "workmode", "softoff", "softon", "led", "reboot"} <= set(listed)


async def test_worklevel_set_and_get(avalon: SimulatedMiner, clock: ManualClock) -> None:
    entry = status(await command(avalon, "ascset", "0,worklevel,set,-1"))
    assert (entry["STATUS"], entry["Code"], entry["Msg"]) == ("S", 119, "ASC 0 set OK")
    assert avalon.work_level == -1
    assert mode(avalon.state) == Mode.TUNING
    assert status(await command(avalon, "ascset", "0,worklevel,get"))["Msg"] == (
        "ASC 0 set info: worklevel -1"
    )
    clock.advance(RETUNE)
    mm = mm_id0(await command(avalon, "estats"))
    assert (mm["WORKLEVEL"], mm["MPO"], mm["WALLPOWER"], mm["GHSspd"]) == (-1, 500, 500, 30000.0)


async def test_workmode_is_only_stored_on_mini3(avalon: SimulatedMiner) -> None:
    assert status(await command(avalon, "ascset", "0,workmode,set,0"))["Msg"] == "ASC 0 set OK"
    assert avalon.work_level == 0
    assert mode(avalon.state) == Mode.MINING
    reply = await command(avalon, "ascset", "0,work_mode_lvl,get")
    assert status(reply)["Msg"] == "ASC 0 set info: workmode 0 worklevel 0"
    assert mm_id0(await command(avalon, "estats"))["WORKMODE"] == 0


async def test_q_workmode_and_worklevel_both_set_power(
    avalon_q: SimulatedMiner, clock: ManualClock
) -> None:
    await command(avalon_q, "ascset", "0,workmode,set,0")
    assert avalon_q.work_level == 0
    await command(avalon_q, "ascset", "0,worklevel,set,1")
    clock.advance(RETUNE)
    mm = mm_id0(await command(avalon_q, "estats"))
    assert (mm["WORKMODE"], mm["WORKLEVEL"], mm["MPO"], mm["PS"][-1]) == (1, 1, 1300, 1300)


@pytest.mark.parametrize(
    ("parameter", "code", "msg"),
    [
        ("", 15, "Missing device id parameter"),
        ("0", 116, "Missing option after ASC number"),
        ("1,led,1-1", 107, "Invalid ASC id 1 - range is 0 - 0"),
        ("0,bogus,1", 120, "ASC 0 set failed: Unknown option: bogus"),
        ("0,worklevel,set", 120, "ASC 0 set failed: Missing worklevel value"),
        ("0,worklevel,set,2", 120, "ASC 0 set failed: Invalid worklevel 2, valid values: -1 0"),
        ("0,worklevel,up", 120, "ASC 0 set failed: Invalid worklevel parameter: up"),
        ("0,workmode,set,5", 120, "ASC 0 set failed: Invalid workmode 5, valid values: 0 1 2"),
        ("0,work_mode_lvl", 120, "ASC 0 set failed: Invalid work_mode_lvl parameter: "),
        ("0,softoff,now", 120, "ASC 0 set failed: Invalid softoff parameter: now"),
        ("0,led,on", 120, "ASC 0 set failed: Invalid led parameter: on"),
        ("0,reboot,301", 120, "ASC 0 set failed: Invalid reboot delay: 301"),
        ("0,fan-spd,5", 120, "ASC 0 set failed: Invalid fan-spd parameter: 5"),
        ("0,target-temp,99", 120, "ASC 0 set failed: Invalid target-temp parameter: 99"),
    ],
)
async def test_ascset_refusals(avalon: SimulatedMiner, parameter: str, code: int, msg: str) -> None:
    entry = status(await command(avalon, "ascset", parameter))
    assert (entry["STATUS"], entry["Code"], entry["Msg"]) == ("E", code, msg)
    assert avalon.work_level == 0


async def test_softoff_and_softon_take_effect_at_their_time(
    avalon: SimulatedMiner, clock: ManualClock
) -> None:
    when = int(time.time()) + 10
    entry = status(await command(avalon, "ascset", f"0,softoff,1:{when}"))
    assert (entry["STATUS"], entry["Code"]) == ("I", 118)
    assert entry["Msg"] == f"ASC 0 set info: success softoff:{when}"
    assert mode(avalon.state) == Mode.MINING
    assert len(avalon.state.scheduled) == 1
    clock.advance(11)
    assert mode(avalon.state) == Mode.SLEEPING
    mm = mm_id0(await command(avalon, "estats"))
    assert (mm["SoftOFF"], mm["SoftOffTime"], mm["WALLPOWER"], mm["GHSspd"]) == (
        STANDBY,
        when,
        10,
        0.0,
    )
    assert mm["SYSTEMSTATU"] == "Work: In Idle, Hash Board: 1"
    past = int(time.time()) - 100  # a time already gone acts at once
    reply = await command(avalon, "ascset", f"0,softon,1:{past}")
    assert status(reply)["Msg"] == f"ASC 0 set info: success softon:{past}"
    assert mode(avalon.state) == Mode.WAKING
    clock.advance(WARMUP)
    assert avalon.state.snapshot().watts == 800


async def test_led_fan_target_voltage(avalon: SimulatedMiner) -> None:
    assert status(await command(avalon, "ascset", "0,led,1-1"))["Msg"] == "ASC 0 set OK"
    assert mm_id0(await command(avalon, "estats"))["Led"] == 1
    assert status(await command(avalon, "ascset", "0,led,1-0"))["STATUS"] == "S"
    assert status(await command(avalon, "ascset", "0,fan-spd,30..100"))["STATUS"] == "S"
    assert status(await command(avalon, "ascset", "0,fan-spd,-1"))["STATUS"] == "S"
    assert status(await command(avalon, "ascset", "0,target-temp,70"))["STATUS"] == "S"
    assert status(await command(avalon, "ascset", "0,filter-clean,1"))["STATUS"] == "S"
    mm = mm_id0(await command(avalon, "estats"))
    assert (mm["Led"], mm["TarT"]) == (0, 70)
    voltage = status(await command(avalon, "ascset", "0,voltage"))
    assert voltage["Msg"] == "ASC 0 set info: PS[0 1215 2050 36 736 2050 800]"
    assert status(await command(avalon, "ascset", "0,voltage,1150"))["STATUS"] == "S"


async def test_ascset_reboot_after_delay(avalon: SimulatedMiner, clock: ManualClock) -> None:
    assert status(await command(avalon, "ascset", "0,reboot,5"))["Msg"] == "ASC 0 set OK"
    assert listening(avalon)
    clock.advance(5)
    assert not listening(avalon)
    assert mode(avalon.state) == Mode.REBOOTING
    clock.advance(REBOOT)
    assert listening(avalon)
    assert mm_id0(await command(avalon, "estats"))["Elapsed"] == 0


async def test_check_lcd_and_numeric_parameter(avalon: SimulatedMiner) -> None:
    check = await command(avalon, "check", "ascset")
    assert check["CHECK"] == [{"Exists": "Y", "Access": "Y"}]
    assert (await command(avalon, "check", "restart"))["CHECK"][0]["Exists"] == "N"
    assert status(await command(avalon, "check"))["Msg"] == "Missing check cmd"
    lcd = (await command(avalon, "lcd"))["LCD"][0]
    assert lcd["GHS 5s"] == pytest.approx(37_500)
    assert lcd["User"] == avalon.identity.pool_user
    raw = await exchange(avalon.host, json.dumps({"command": "ascset", "parameter": 0}).encode())
    assert status(decode(raw))["Msg"] == "Missing option after ASC number"
