"""Bodies of Whatsminer replies: API v3 ``msg`` objects and the btminer replies on 4028.

Field names are those pyasic 0.79.0's ``BTMinerV3`` backend and miner factory read.
"""

from sim.api import JsonObject
from sim.firmware.whatsminer.device import WhatsminerDevice
from sim.firmware.whatsminer.models import API_VERSION, FIRMWARE_VERSION
from sim.physics import Mode

BTMINER_API = "2.0.5"


def device_info(device: WhatsminerDevice) -> JsonObject:
    """``get.device.info``: network identity, firmware, model, serials."""
    ident = device.identity
    miner: JsonObject = {
        "type": device.model.type_code,
        "miner-sn": ident.serial,
        "working": "false" if device.state.mode is Mode.SLEEPING else "true",
        "board-num": str(device.model.boards),
    }
    for index in range(device.model.boards):
        miner[f"pcbsn{index}"] = f"{ident.serial}B{index}"
    info: JsonObject = {
        "network": {"mac": ident.mac.upper(), "hostname": ident.hostname, "ip": ident.host},
        "system": {
            "api": API_VERSION,
            "fwversion": FIRMWARE_VERSION,
            "ledstatus": "manual" if device.led_manual else "auto",
        },
        "miner": miner,
        "power": {"fanspeed": 0},
        "error-code": [],
    }
    if device.lists_hardware:
        info["hardware"] = {"boards": device.model.boards}
    return info


def summary(device: WhatsminerDevice) -> JsonObject:
    """``get.miner.status`` ``summary`` (pools are their own part, as on the firmware)."""
    snap = device.state.snapshot()
    return {
        "summary": {
            "elapsed": snap.uptime_seconds,
            "hash-realtime": round(snap.hashrate_ghs / 1000, 2),
            "factory-hash": device.model.hashrate_ths,
            "power-realtime": snap.watts,
            "power-limit": device.power_limit,
            "fan-speed-in": 0,
            "fan-speed-out": 0,
            "environment-temperature": round(device.state.fluid_temp_c, 1),
        },
    }


def pools(device: WhatsminerDevice) -> JsonObject:
    """``get.miner.status`` ``pools``."""
    ident = device.identity
    alive = device.state.mode is not Mode.SLEEPING
    return {
        "pools": [
            {
                "id": 1,
                "url": ident.pool_url,
                "account": ident.pool_user,
                "status": "alive" if alive else "dead",
                "stratum-active": alive,
            },
        ],
    }


def edevs(device: WhatsminerDevice) -> JsonObject:
    """``get.miner.status`` ``edevs``: one entry per hashboard."""
    snap = device.state.snapshot()
    return {
        "edevs": [
            {
                "id": index,
                "hash-average": round(board.hashrate_ghs / 1000, 2),
                "chip-temp-min": min(board.chip_temps),
                "chip-temp-max": max(board.chip_temps),
                "effective-chips": board.chips,
            }
            for index, board in enumerate(snap.boards)
        ],
    }


def miner_setting(device: WhatsminerDevice) -> JsonObject:
    """``get.miner.setting``."""
    return {"power-mode": "normal", "power-limit": device.power_limit}


def cgminer_version(_device: WhatsminerDevice) -> JsonObject:
    """4028 ``version``: names btminer, which is how pyasic's factory knows a Whatsminer."""
    return {"VERSION": [{"API": BTMINER_API, "Miner": "btminer", "CGMiner": "btminer"}]}


def cgminer_devdetails(device: WhatsminerDevice) -> JsonObject:
    """4028 ``devdetails``: the model pyasic's factory maps to a class."""
    return {
        "DEVDETAILS": [
            {
                "DEVDETAILS": 0,
                "Name": "SM",
                "ID": 0,
                "Driver": "bitmicro",
                "Model": device.model.type_code,
            }
        ],
    }


def cgminer_get_version(_device: WhatsminerDevice) -> JsonObject:
    """4028 ``get_version``: the firmware date that makes pyasic choose API v3."""
    return {"api_ver": BTMINER_API, "fw_ver": FIRMWARE_VERSION}
