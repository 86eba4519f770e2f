"""Whatsminer dispatchers (no I/O): API v3 on port 4433 and the btminer replies on 4028.

API v3 requests are ``{"cmd": ..., "param": ...}``; a ``set.*`` command also carries ``ts``,
``account`` and ``token``, the first 8 characters of base64(sha256(cmd + password + salt + ts)),
which the firmware recomputes with its own password and rejects when it differs.
"""

import base64
import hashlib
import json
from collections.abc import Callable

from sim.api import ConnectionDropped, JsonObject
from sim.faults import Faults
from sim.firmware.whatsminer import replies
from sim.firmware.whatsminer.device import WhatsminerDevice
from sim.physics import MinerState

CODE_OK = 0
CODE_FAILED = -1
CODE_INVALID_COMMAND = -2
CODE_INVALID_JSON = -3
CODE_PERMISSION_DENIED = -4
TOKEN_LENGTH = 8

_STATUS_PARTS: dict[str, Callable[[WhatsminerDevice], JsonObject]] = {
    "summary": replies.summary,
    "pools": replies.pools,
    "edevs": replies.edevs,
}
_SERVICE_ACTIONS = frozenset({"start", "stop", "restart"})


def command_token(command: str, password: str, salt: str, ts: int) -> str:
    """The token a ``set.*`` command must carry."""
    digest = hashlib.sha256(f"{command}{password}{salt}{ts}".encode()).digest()
    return base64.b64encode(digest).decode()[:TOKEN_LENGTH]


def _answer(code: int, msg: object) -> JsonObject:
    return {"code": code, "msg": msg}


class WhatsminerV3Api:
    """API v3 of one Whatsminer: reads answer anyone, writes need the salted token."""

    def __init__(self, device: WhatsminerDevice, faults: Faults | None = None) -> None:
        """Serve ``device``; ``faults.refuse_privileged`` denies every ``set.*`` command."""
        self.device = device
        self.faults = faults if faults is not None else Faults()

    @property
    def state(self) -> MinerState:
        """The physics behind the API."""
        return self.device.state

    def handle_bytes(self, raw: bytes) -> JsonObject:
        """Answer one raw request body (the length prefix already removed)."""
        try:
            request = json.loads(raw.decode("utf-8", errors="replace"))
        except json.JSONDecodeError:
            return _answer(CODE_INVALID_JSON, "invalid json")
        if not isinstance(request, dict) or not isinstance(request.get("cmd"), str):
            return _answer(CODE_INVALID_JSON, "invalid json")
        return self.handle(request)

    def handle(self, request: dict[str, object]) -> JsonObject:
        """Answer one decoded request."""
        command = str(request["cmd"])
        param = request.get("param")
        if command.startswith("set."):
            return self._write(command, param, request)
        if command == "get.device.info":
            if param == "salt":
                return _answer(CODE_OK, {"salt": self.device.salt})
            return _answer(CODE_OK, replies.device_info(self.device))
        if command == "get.miner.status" and isinstance(param, str) and param in _STATUS_PARTS:
            return _answer(CODE_OK, _STATUS_PARTS[param](self.device))
        if command == "get.miner.setting":
            return _answer(CODE_OK, replies.miner_setting(self.device))
        return _answer(CODE_INVALID_COMMAND, "invalid command")

    def _authorised(self, command: str, request: dict[str, object]) -> bool:
        ts = request.get("ts")
        if self.faults.refuses() or request.get("account") != "super":
            return False
        if not isinstance(ts, int) or isinstance(ts, bool):
            return False
        expected = command_token(command, self.device.password, self.device.salt, ts)
        return request.get("token") == expected

    def _write(self, command: str, param: object, request: dict[str, object]) -> JsonObject:
        if not self._authorised(command, request):
            return _answer(CODE_PERMISSION_DENIED, "permission denied: invalid token")
        state = self.device.state
        if self.faults.take_reboot():
            state.reboot()
            raise ConnectionDropped(command)
        if command == "set.miner.power_limit":
            if not isinstance(param, int) or isinstance(param, bool) or param <= 0:
                return _answer(CODE_FAILED, "invalid power limit")
            accepted = self.device.accepted_watts
            if accepted is not None and param not in accepted:
                return _answer(CODE_FAILED, "power limit out of range")
            self.device.set_power_limit(param)
        elif command == "set.miner.service":
            if param not in _SERVICE_ACTIONS:
                return _answer(CODE_FAILED, "invalid service action")
            {"start": state.wakeup, "stop": state.sleep, "restart": state.restart_miner}[
                str(param)
            ]()
        elif command == "set.system.reboot":
            state.reboot()
        elif command == "set.system.led":
            self.device.led_manual = param != "auto"
        else:
            return _answer(CODE_INVALID_COMMAND, "invalid command")
        return _answer(CODE_OK, "ok")


_RPC_COMMANDS: dict[str, tuple[str, Callable[[WhatsminerDevice], JsonObject]]] = {
    "version": ("BTMiner versions", replies.cgminer_version),
    "devdetails": ("Device Details", replies.cgminer_devdetails),
}


class WhatsminerRpcApi:
    """The btminer replies on 4028 that pyasic's factory reads to detect the miner."""

    def __init__(self, device: WhatsminerDevice, faults: Faults | None = None) -> None:
        """Serve ``device``."""
        self.device = device
        self.faults = faults if faults is not None else Faults()

    @property
    def state(self) -> MinerState:
        """The physics behind the API."""
        return self.device.state

    def expire_session(self) -> None:
        """Do nothing: API v3 has no sessions (each write carries its own token)."""

    def handle_bytes(self, raw: bytes) -> JsonObject:
        """Answer one cgminer-style request."""
        try:
            request = json.loads(raw.decode("utf-8", errors="replace").strip().rstrip("\x00"))
        except json.JSONDecodeError:
            request = {}
        command = request.get("command") if isinstance(request, dict) else None
        if command == "get_version":
            return {"STATUS": "S", "Code": 131, "Msg": replies.cgminer_get_version(self.device)}
        if isinstance(command, str) and command in _RPC_COMMANDS:
            msg, build = _RPC_COMMANDS[command]
            return {"STATUS": [self._status("S", msg)], **build(self.device), "id": 1}
        return {"STATUS": [self._status("E", "Invalid command")], "id": 1}

    def _status(self, severity: str, msg: str) -> JsonObject:
        return {
            "STATUS": severity,
            "Code": 14 if severity == "E" else 22,
            "Msg": msg,
            "Description": "btminer",
        }
