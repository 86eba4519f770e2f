"""Bodies of Avalon (Canaan cgminer 4.11.1) read-only replies, built from a snapshot.

Each function returns the reply sections (without STATUS/id) for one command, with the
field names of Canaan's cgminer API, which pyasic 0.79.0 parses.
"""

from sim.api import JsonObject
from sim.firmware.avalon.device import AvalonDevice
from sim.firmware.avalon.estats import hbinfo_string, status_string
from sim.firmware.avalon.models import CGMINER_VERSION
from sim.physics import Snapshot

API_VERSION = "3.7"
DRIVER = "AVALON"
LOG_INTERVAL = 30
_SHARE_DIFFICULTY = 65536.0
_MIN_WAIT = 99999999.0


def _accepted(snap: Snapshot) -> int:
    """Plausible accepted share count for the time mined so far."""
    return int(snap.uptime_seconds * snap.hashrate_ghs / 1000.0 / 2.0)


def _mhs(snap: Snapshot) -> float:
    return round(snap.hashrate_ghs * 1000.0, 2)


def version(dev: AvalonDevice) -> JsonObject:
    """``version``: pyasic's factory maps ``PROD`` (upper-cased) to the model class."""
    model = dev.model
    return {
        "VERSION": [
            {
                "CGMiner": CGMINER_VERSION,
                "API": API_VERSION,
                "PROD": model.prod,
                "MODEL": model.code,
                "HWTYPE": model.hwtype,
                "SWTYPE": model.swtype,
                "LVERSION": model.firmware,
                "BVERSION": model.firmware,
                "CGVERSION": model.firmware,
                "DNA": dev.identity.serial,
                "MAC": dev.identity.mac.replace(":", ""),
                "UPAPI": "2",
            },
        ],
    }


def config(_dev: AvalonDevice) -> JsonObject:
    """``config``: plain cgminer fields (no MAC, hostname or power settings)."""
    return {
        "CONFIG": [
            {
                "ASC Count": 1,
                "PGA Count": 0,
                "Pool Count": 1,
                "Strategy": "Failover",
                "Log Interval": LOG_INTERVAL,
                "Device Code": DRIVER,
                "OS": "Linux",
                "Hotplug": "None",
            },
        ],
    }


def devdetails(_dev: AvalonDevice) -> JsonObject:
    """``devdetails``: the single AVALON ASC device (all boards behind one controller)."""
    return {
        "DEVDETAILS": [
            {
                "DEVDETAILS": 0,
                "Name": DRIVER,
                "ID": 0,
                "Driver": "avalon",
                "Kernel": "",
                "Model": "",
                "Device Path": "",
            },
        ],
    }


def devs(dev: AvalonDevice) -> JsonObject:
    """``devs``: pyasic reads the hashrate from ``MHS 1m`` (MH/s)."""
    snap = dev.state.snapshot()
    accepted = _accepted(snap)
    mhs = _mhs(snap)
    now = int(dev.wall_clock())
    chips = [t for b in snap.boards for t in b.chip_temps]
    return {
        "DEVS": [
            {
                "ASC": 0,
                "Name": DRIVER,
                "ID": 0,
                "Enabled": "Y",
                "Status": "Alive",
                "Temperature": float(max(chips)),
                "MHS av": mhs,
                f"MHS {LOG_INTERVAL}s": mhs,
                "MHS 1m": mhs,
                "MHS 5m": mhs,
                "MHS 15m": mhs,
                "Accepted": accepted,
                "Rejected": 0,
                "Hardware Errors": 0,
                "Utility": round(accepted / max(snap.uptime_seconds, 1) * 60, 2),
                "Last Share Pool": 0 if accepted else -1,
                "Last Share Time": now if accepted else 0,
                "Total MH": round(snap.uptime_seconds * mhs, 1),
                "Diff1 Work": accepted * int(_SHARE_DIFFICULTY),
                "Difficulty Accepted": accepted * _SHARE_DIFFICULTY,
                "Difficulty Rejected": 0.0,
                "Last Share Difficulty": _SHARE_DIFFICULTY if accepted else 0.0,
                "Last Valid Work": now,
                "Device Hardware%": 0.0,
                "Device Rejected%": 0.0,
                "Device Elapsed": snap.uptime_seconds,
            },
        ],
    }


def summary(dev: AvalonDevice) -> JsonObject:
    """``summary``: rates in MH/s, as Canaan's cgminer reports them."""
    snap = dev.state.snapshot()
    accepted = _accepted(snap)
    mhs = _mhs(snap)
    elapsed = snap.uptime_seconds
    return {
        "SUMMARY": [
            {
                "Elapsed": elapsed,
                "MHS av": mhs,
                f"MHS {LOG_INTERVAL}s": mhs,
                "MHS 1m": mhs,
                "MHS 5m": mhs,
                "MHS 15m": mhs,
                "Found Blocks": 0,
                "Getworks": elapsed // 30,
                "Accepted": accepted,
                "Rejected": 0,
                "Hardware Errors": 0,
                "Utility": round(accepted / max(elapsed, 1) * 60, 2),
                "Discarded": 0,
                "Stale": 0,
                "Get Failures": 0,
                "Local Work": elapsed * 449,
                "Remote Failures": 0,
                "Network Blocks": 0,
                "Total MH": round(elapsed * mhs, 1),
                "Work Utility": round(snap.hashrate_ghs * 13.97, 2),
                "Difficulty Accepted": accepted * _SHARE_DIFFICULTY,
                "Difficulty Rejected": 0.0,
                "Difficulty Stale": 0.0,
                "Best Share": accepted * 97,
                "Device Hardware%": 0.0,
                "Device Rejected%": 0.0,
                "Pool Rejected%": 0.0,
                "Pool Stale%": 0.0,
                "Last getwork": int(dev.wall_clock()) if accepted else 0,
            },
        ],
    }


def pools(dev: AvalonDevice) -> JsonObject:
    """``pools``: one configured pool; pyasic's ``get_config`` is built from this alone."""
    snap = dev.state.snapshot()
    accepted = _accepted(snap)
    ident = dev.identity
    url = ident.pool_url
    active = snap.hashrate_ghs > 0
    return {
        "POOLS": [
            {
                "POOL": 0,
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
                "Last Share Time": int(dev.wall_clock()) if accepted else 0,
                "Diff1 Shares": accepted * int(_SHARE_DIFFICULTY),
                "Proxy Type": "",
                "Proxy": "",
                "Difficulty Accepted": accepted * _SHARE_DIFFICULTY,
                "Difficulty Rejected": 0.0,
                "Difficulty Stale": 0.0,
                "Last Share Difficulty": _SHARE_DIFFICULTY if accepted else 0.0,
                "Work Difficulty": _SHARE_DIFFICULTY,
                "Has Stratum": True,
                "Stratum Active": active,
                "Stratum URL": url.split("://", 1)[-1].rsplit(":", 1)[0] if active else "",
                "Stratum Difficulty": _SHARE_DIFFICULTY if active else 0.0,
                "Has Vmask": True,
                "Has GBT": False,
                "Best Share": accepted * 97,
                "Pool Rejected%": 0.0,
                "Pool Stale%": 0.0,
                "Bad Work": 0,
                "Current Block Height": 0,
                "Current Block Version": 536870912,
            },
        ],
    }


def _item(index: int, item_id: str, snap: Snapshot) -> JsonObject:
    return {
        "STATS": index,
        "ID": item_id,
        "Elapsed": snap.uptime_seconds,
        "Calls": 0,
        "Wait": 0.0,
        "Max": 0.0,
        "Min": _MIN_WAIT,
    }


def _device_item(dev: AvalonDevice, snap: Snapshot) -> JsonObject:
    item = _item(0, f"{DRIVER}0", snap)
    if dev.model.summary_layout:
        item["MM ID0:Summary"] = status_string(dev, snap)
        item["HBinfo"] = hbinfo_string(dev, snap)
    else:
        item["MM ID0"] = status_string(dev, snap)
    item.update({"MM Count": 1, "Smart Speed": 1, "Voltage Level Offset": 0, "Nonce Mask": 25})
    return item


def _pool_item(snap: Snapshot) -> JsonObject:
    sent = snap.uptime_seconds // 6
    item = _item(1, "POOL0", snap)
    item.update(
        {
            "Pool Calls": 0,
            "Pool Attempts": 0,
            "Pool Wait": 0.0,
            "Pool Max": 0.0,
            "Pool Min": _MIN_WAIT,
            "Pool Av": 0.0,
            "Work Had Roll Time": False,
            "Work Can Roll": False,
            "Work Had Expire": False,
            "Work Roll Time": 0,
            "Work Diff": _SHARE_DIFFICULTY,
            "Min Diff": _SHARE_DIFFICULTY,
            "Max Diff": _SHARE_DIFFICULTY,
            "Min Diff Count": 1,
            "Max Diff Count": 1,
            "Times Sent": sent,
            "Bytes Sent": sent * 176,
            "Times Recv": sent + 2,
            "Bytes Recv": (sent + 2) * 347,
            "Net Bytes Sent": sent * 176,
            "Net Bytes Recv": (sent + 2) * 347,
        }
    )
    return item


def stats(dev: AvalonDevice) -> JsonObject:
    """``stats``: the device item, then one item per pool (pyasic's uptime is ``STATS[1]``)."""
    snap = dev.state.snapshot()
    return {"STATS": [_device_item(dev, snap), _pool_item(snap)]}


def estats(dev: AvalonDevice) -> JsonObject:
    """``estats``: the device item only."""
    snap = dev.state.snapshot()
    return {"STATS": [_device_item(dev, snap)]}


def lcd(dev: AvalonDevice) -> JsonObject:
    """``lcd``: what the front display shows."""
    snap = dev.state.snapshot()
    accepted = _accepted(snap)
    ghs = round(snap.hashrate_ghs, 2)
    chips = [t for b in snap.boards for t in b.chip_temps]
    now = int(dev.wall_clock())
    return {
        "LCD": [
            {
                "Elapsed": snap.uptime_seconds,
                "GHS av": ghs,
                "GHS 5m": ghs,
                "GHS 5s": ghs,
                "Temperature": float(max(chips)),
                "Last Share Difficulty": _SHARE_DIFFICULTY if accepted else 0.0,
                "Last Share Time": now if accepted else 0,
                "Best Share": accepted * 97,
                "Last Valid Work": now,
                "Found Blocks": 0,
                "Current Pool": dev.identity.pool_url,
                "User": dev.identity.pool_user,
            },
        ],
    }
