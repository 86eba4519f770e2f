"""VNish's bmminer replies on port 4028 (pyasic reads hashrate, boards and pools here).

The bodies are the bmminer ones LuxOS shares; ``version`` names VNish and not Antminer (pyasic's
factory would take an Antminer for stock firmware), ``stats`` carries the firmware's model name.
"""

import json
from collections.abc import Callable
from typing import cast

from sim.api import JsonObject
from sim.faults import Faults
from sim.firmware.luxos import replies as bmminer
from sim.firmware.vnish.device import VNishDevice
from sim.physics import MinerState


def _version(device: VNishDevice) -> JsonObject:
    return {
        "VERSION": [
            {"API": "3.1", "BMMiner": "4.11.1", "Miner": f"Vnish {device.model.version}"},
        ],
    }


def _stats(device: VNishDevice) -> JsonObject:
    generic, boards = cast(
        "list[JsonObject]", bmminer.stats(device.state, device.identity)["STATS"]
    )
    return {"STATS": [{**generic, "Type": device.model.miner_type}, boards]}


_COMMANDS: dict[str, tuple[str, Callable[[VNishDevice], JsonObject]]] = {
    "version": ("BMMiner versions", _version),
    "summary": ("Summary", lambda d: bmminer.summary(d.state, d.identity)),
    "stats": ("BMMiner stats", _stats),
    "pools": ("1 Pool(s)", lambda d: bmminer.pools(d.state, d.identity)),
}


class VNishRpcApi:
    """Read-only cgminer-style API of one VNish miner."""

    def __init__(self, device: VNishDevice, faults: Faults | None = None) -> None:
        """Serve ``device``."""
        self.device = device
        self.faults = faults if faults is not None else Faults()

    @property
    def state(self) -> MinerState:
        """The physics behind the API."""
        return self.device.state

    def expire_session(self) -> None:
        """Forget every web API token (the next call unlocks again)."""
        self.device.tokens.clear()

    def handle_bytes(self, raw: bytes) -> JsonObject:
        """Answer one request."""
        try:
            request = json.loads(raw.decode("utf-8", errors="replace").strip().rstrip("\x00"))
        except json.JSONDecodeError:
            request = {}
        command = request.get("command") if isinstance(request, dict) else None
        if isinstance(command, str) and command in _COMMANDS:
            msg, build = _COMMANDS[command]
            status = {"STATUS": "S", "Code": 0, "Msg": msg, "Description": "bmminer"}
            return {"STATUS": [status], **build(self.device), "id": 1}
        status = {"STATUS": "E", "Code": 14, "Msg": "Invalid command", "Description": "bmminer"}
        return {"STATUS": [status], "id": 1}
