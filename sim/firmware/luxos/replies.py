"""Bodies of LuxOS read-only command replies, built from a physics snapshot.

Each function returns the reply sections (without STATUS/id) for one command, with the
field names LuxOS uses and pyasic 0.79.0 parses.
"""

from sim.identity import LUXMINER_VERSION, Identity
from sim.physics import MinerState, Mode, Snapshot

type JsonObject = dict[str, object]

__all__ = [
    "COMPILE_TIME",
    "FAN_COUNT",
    "LUXMINER_VERSION",
    "Identity",
    "JsonObject",
    "config",
    "devdetails",
    "fans",
    "groups",
    "pools",
    "power",
    "profiles",
    "stats",
    "summary",
    "tempctrl",
    "version",
]

FAN_COUNT = 4
COMPILE_TIME = "Fri Nov 08 16:02:08 UTC 2024"
_SHARE_DIFFICULTY = 65536.0


def _shares(snap: Snapshot) -> int:
    """Plausible accepted share count for the time mined so far."""
    return int(snap.uptime_seconds * snap.hashrate_ghs / 1000.0 / 2.0)


def version(state: MinerState, ident: Identity) -> JsonObject:
    """Reply body of ``version``; ``Type`` is what pyasic maps to a model class."""
    return {
        "VERSION": [
            {
                "API": "3.7",
                "BMMiner": "1.0.0",
                "CompileTime": COMPILE_TIME,
                "LUXminer": ident.firmware,
                "Miner": ident.firmware.split("-", 1)[0],
                "Type": state.model.name,
            },
        ],
    }


def devdetails(state: MinerState, _ident: Identity) -> JsonObject:
    """Reply body of ``devdetails``: one entry per hashboard."""
    return {
        "DEVDETAILS": [
            {
                "DEVDETAILS": i,
                "Name": "BC5",
                "ID": i,
                "Driver": "luxminer",
                "Kernel": "",
                "Model": state.model.name,
                "Device Path": "",
            }
            for i in range(state.model.boards)
        ],
    }


def summary(state: MinerState, _ident: Identity) -> JsonObject:
    """Reply body of ``summary`` (cgminer shape, rates in GH/s)."""
    snap = state.snapshot()
    accepted = _shares(snap)
    return {
        "SUMMARY": [
            {
                "Accepted": accepted,
                "Best Share": accepted * 97,
                "Device Hardware%": 0.0,
                "Device Rejected%": 0.0,
                "Difficulty Accepted": accepted * _SHARE_DIFFICULTY,
                "Difficulty Rejected": 0.0,
                "Difficulty Stale": 0.0,
                "Discarded": 0,
                "Elapsed": snap.uptime_seconds,
                "Found Blocks": 0,
                "Get Failures": 0,
                "Getworks": snap.uptime_seconds // 30,
                "GHS 5s": round(snap.hashrate_ghs, 2),
                "GHS 30m": round(snap.hashrate_ghs, 2),
                "GHS av": snap.ideal_hashrate_ghs,
                "Hardware Errors": 0,
                "Last getwork": 0,
                "Local Work": snap.uptime_seconds * 10,
                "Network Blocks": 0,
                "Pool Rejected%": 0.0,
                "Pool Stale%": 0.0,
                "Rejected": 0,
                "Remote Failures": 0,
                "Stale": 0,
                "Total MH": round(snap.uptime_seconds * snap.hashrate_ghs * 1000.0, 1),
                "Utility": 0.0,
                "Work Utility": 0.0,
            },
        ],
    }


def _temps(values: tuple[int, ...]) -> str:
    return "-".join(str(v) for v in values)


def stats(state: MinerState, _ident: Identity) -> JsonObject:
    """Reply body of ``stats``: STATS[0] generic, STATS[1] the bmminer-style board data."""
    snap = state.snapshot()
    board: JsonObject = {
        "STATS": 0,
        "ID": "BC50",
        "Elapsed": snap.uptime_seconds,
        "Calls": 0,
        "Wait": 0.0,
        "Max": 0.0,
        "Min": 99999999.0,
        "GHS 5s": f"{snap.hashrate_ghs:.2f}",
        "GHS av": snap.ideal_hashrate_ghs,
        "miner_count": len(snap.boards),
        "frequency": str(snap.frequency_mhz),
        "fan_num": FAN_COUNT,
        "temp_num": len(snap.boards),
        "total_rateideal": snap.ideal_hashrate_ghs,
        "rate_unit": "GH",
        "total_freqavg": float(snap.frequency_mhz),
        "total_acn": sum(b.chips for b in snap.boards),
        "total_rate": round(snap.hashrate_ghs, 2),
        "no_matching_work": 0,
    }
    for i in range(FAN_COUNT):
        board[f"fan{i + 1}"] = 0
    for i, b in enumerate(snap.boards, start=1):
        board[f"temp{i}"] = max(b.pcb_temps)
        board[f"temp2_{i}"] = max(b.chip_temps)
        board[f"temp_pcb{i}"] = _temps(b.pcb_temps)
        board[f"temp_chip{i}"] = _temps(b.chip_temps)
        board[f"chain_acn{i}"] = b.chips
        board[f"chain_acs{i}"] = " ".join("o" * 10 for _ in range(b.chips // 10))
        board[f"chain_hw{i}"] = 0
        board[f"chain_rate{i}"] = f"{b.hashrate_ghs:.2f}"
        board[f"chain_rateideal{i}"] = b.ideal_ghs
        board[f"freq{i}"] = snap.frequency_mhz
    return {
        "STATS": [
            {
                "BMMiner": "1.0.0",
                "CompileTime": COMPILE_TIME,
                "Miner": "uart_trans.1.3",
                "Type": state.model.name,
            },
            board,
        ],
    }


def power(state: MinerState, _ident: Identity) -> JsonObject:
    """Reply body of ``power``: the estimated draw in watts."""
    snap = state.snapshot()
    return {"POWER": [{"PSU": snap.mode != Mode.SLEEPING, "Watts": snap.watts}]}


def fans(_state: MinerState, _ident: Identity) -> JsonObject:
    """Reply body of ``fans``: immersion miners run fanless, 0 RPM, manual speed 0."""
    return {
        "FANCTRL": [{"MinFans": 0, "PowerOffSpeed": 0, "Speed": 0}],
        "FANS": [{"FAN": i, "ID": i, "RPM": 0, "Speed": 0} for i in range(FAN_COUNT)],
    }


def tempctrl(_state: MinerState, ident: Identity) -> JsonObject:
    """Reply body of ``tempctrl`` (manual fans at 0 = immersion for pyasic)."""
    return {"TEMPCTRL": [{**ident.tempctrl, "Mode": "Manual"}]}


def pools(state: MinerState, ident: Identity) -> JsonObject:
    """Reply body of ``pools``: one Luxor pool in group 0."""
    snap = state.snapshot()
    accepted = _shares(snap)
    mining = snap.hashrate_ghs > 0
    url = ident.pool_url
    return {
        "POOLS": [
            {
                "POOL": 0,
                "GROUP": 0,
                "URL": url,
                "Status": "Alive",
                "Priority": 0,
                "Quota": 1,
                "Long Poll": "N",
                "Getworks": snap.uptime_seconds // 30,
                "Accepted": accepted,
                "Rejected": 0,
                "Works": accepted * 4,
                "Discarded": 0,
                "Stale": 0,
                "Get Failures": 0,
                "Remote Failures": 0,
                "User": ident.pool_user,
                "Last Share Time": 0,
                "Diff1 Shares": 0,
                "Proxy Type": "",
                "Proxy": "",
                "Difficulty Accepted": accepted * _SHARE_DIFFICULTY,
                "Difficulty Rejected": 0.0,
                "Difficulty Stale": 0.0,
                "Last Share Difficulty": _SHARE_DIFFICULTY,
                "Work Difficulty": _SHARE_DIFFICULTY,
                "Has Stratum": True,
                "Stratum Active": mining,
                "Stratum URL": url.split("://", 1)[-1].rsplit(":", 1)[0],
                "Stratum Difficulty": _SHARE_DIFFICULTY,
                "Best Share": accepted * 97,
                "Pool Rejected%": 0.0,
                "Pool Stale%": 0.0,
                "Bad Work": 0,
                "Current Block Height": 0,
                "Current Block Version": 0,
            },
        ],
    }


def groups(_state: MinerState, _ident: Identity) -> JsonObject:
    """Reply body of ``groups``: the single default pool group."""
    return {"GROUPS": [{"GROUP": 0, "Name": "default", "Quota": 1}]}


def config(state: MinerState, ident: Identity) -> JsonObject:
    """Reply body of ``config``: cgminer fields plus LuxOS's MACAddr, RedLed, Profile..."""
    snap = state.snapshot()
    return {
        "CONFIG": [
            {
                "ASC Count": state.model.boards,
                "PGA Count": 0,
                "Pool Count": 1,
                "Strategy": "Failover",
                "Log Interval": 5,
                "Device Code": "",
                "OS": "Linux",
                "Hotplug": "None",
                "CurtailMode": "Sleep" if snap.mode == Mode.SLEEPING else "None",
                "GreenLed": "on" if snap.hashrate_ghs > 0 else "off",
                "Hostname": ident.hostname,
                "IPAddr": ident.host,
                "IsPowerSupplyOn": snap.mode != Mode.SLEEPING,
                "IsTuning": snap.is_tuning,
                "MACAddr": ident.mac,
                "Model": state.model.name,
                "NetMask": "255.0.0.0",
                "Profile": snap.profile.name,
                "RedLed": ident.red_led,
                "SerialNumber": ident.serial,
                "SystemStatus": snap.mode.value,
            },
        ],
    }


def profiles(state: MinerState, _ident: Identity) -> JsonObject:
    """Reply body of ``profiles``: the keys pyasic's MiningPreset.from_luxos reads."""
    return {
        "PROFILES": [
            {
                "Profile Name": p.name,
                "Frequency": p.frequency_mhz,
                "Hashrate": p.hashrate_ths,
                "IsDynamic": False,
                "IsTuned": False,
                "Step": p.step_label,
                "Voltage": p.voltage,
                "Watts": p.watts,
            }
            for p in state.profiles
        ],
    }
