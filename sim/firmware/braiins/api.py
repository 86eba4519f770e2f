"""Braiins OS+'s cgminer-style API on port 4028 (BOSminer): what pyasic reads there.

``version`` names BOSminer (pyasic's factory detects Braiins OS by it), ``devdetails`` gives the
model as ``Bitmain Antminer S19j Pro``; ``summary`` (``MHS 1m``, ``Elapsed``), ``devs``,
``tunerstatus`` and ``pools``. ``a+b`` multicommands answer ``{"a": [...], "b": [...]}``.
"""

import json
from collections.abc import Callable

from sim.api import JsonObject
from sim.faults import Faults
from sim.firmware.braiins.device import BraiinsDevice
from sim.firmware.braiins.models import BOSMINER_VERSION
from sim.firmware.luxos import replies as cgminer
from sim.physics import MinerState, Mode


def _version(_device: BraiinsDevice) -> JsonObject:
    return {"VERSION": [{"API": "3.7", "BOSminer": BOSMINER_VERSION}]}


def _devdetails(device: BraiinsDevice) -> JsonObject:
    model = f"Bitmain {device.model.antminer}"
    return {
        "DEVDETAILS": [
            {"DEVDETAILS": i, "Name": "Chain", "ID": i, "Driver": "bitmain", "Model": model}
            for i in range(device.model.boards)
        ],
    }


def _summary(device: BraiinsDevice) -> JsonObject:
    snap = device.state.snapshot()
    mhs = round(snap.hashrate_ghs * 1000, 1)
    return {"SUMMARY": [{"Elapsed": snap.uptime_seconds, "MHS 1m": mhs, "MHS 5s": mhs}]}


def _devs(device: BraiinsDevice) -> JsonObject:
    snap = device.state.snapshot()
    return {
        "DEVS": [
            {"ASC": i, "ID": i, "Status": "Alive", "MHS 1m": round(board.hashrate_ghs * 1000, 1)}
            for i, board in enumerate(snap.boards)
        ],
    }


def _tunerstatus(device: BraiinsDevice) -> JsonObject:
    stable = "Stable" if device.state.mode is Mode.MINING else "Testing performance profile"
    return {
        "TUNERSTATUS": [
            {
                "PowerLimit": device.power_target,
                "TunerChainStatus": [
                    {"HashchainIndex": i, "Status": stable} for i in range(device.model.boards)
                ],
            },
        ],
    }


_COMMANDS: dict[str, Callable[[BraiinsDevice], JsonObject]] = {
    "version": _version,
    "devdetails": _devdetails,
    "summary": _summary,
    "devs": _devs,
    "tunerstatus": _tunerstatus,
    "pools": lambda d: cgminer.pools(d.state, d.identity),
}


class BraiinsRpcApi:
    """Read-only cgminer-style API of one Braiins OS+ miner."""

    def __init__(self, device: BraiinsDevice, faults: Faults | None = None) -> None:
        """Serve ``device``."""
        self.device = device
        self.faults = faults if faults is not None else Faults()

    @property
    def state(self) -> MinerState:
        """The physics behind the API."""
        return self.device.state

    def expire_session(self) -> None:
        """Forget every gRPC session token (the next privileged call logs in again)."""
        self.device.tokens.clear()

    def handle_bytes(self, raw: bytes) -> JsonObject:
        """Answer one request (a single command or an ``a+b`` multicommand)."""
        try:
            request = json.loads(raw.decode("utf-8", errors="replace").strip().rstrip("\x00"))
        except json.JSONDecodeError:
            request = {}
        command = request.get("command") if isinstance(request, dict) else None
        if not isinstance(command, str):
            return self._reply(None)
        if "+" not in command:
            return self._reply(command)
        reply: JsonObject = {part: [self._reply(part)] for part in command.split("+") if part}
        return {**reply, "id": 1}

    def _reply(self, command: str | None) -> JsonObject:
        build = _COMMANDS.get(command or "")
        if build is None:
            status = {"STATUS": "E", "Code": 14, "Msg": "Invalid command"}
            return {"STATUS": [status], "id": 1}
        status = {"STATUS": "S", "Code": 0, "Msg": str(command), "Description": "BOSminer"}
        return {"STATUS": [status], **build(self.device), "id": 1}
