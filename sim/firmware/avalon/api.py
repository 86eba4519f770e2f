"""Avalon (Canaan cgminer) command dispatcher: request in, reply dict out (no I/O).

Follows Canaan's cgminer API: no sessions and no access groups; ``a+b`` multicommands
answer ``{"a": [...], "b": [...], "id": 1}``, skip repeated parts and refuse the
non-joinable ``ascset``/``restart`` inside them; an unknown command's STATUS carries no
``Description``. Power, standby, LED and reboot go through ``ascset`` (see
:mod:`sim.firmware.avalon.ascset`).
"""

import json
import re
from collections.abc import Callable

from sim.api import ConnectionDropped, JsonObject
from sim.faults import Faults
from sim.firmware.avalon import replies
from sim.firmware.avalon.ascset import Outcome, apply
from sim.firmware.avalon.device import AvalonDevice
from sim.firmware.avalon.models import CGMINER_VERSION
from sim.physics import MinerState

# Canaan cgminer STATUS codes.
CODE_INVALID_COMMAND = 14
CODE_MISSING_ID = 15
CODE_INVALID_JSON = 23
CODE_MISSING_COMMAND = 24
CODE_ACCESS_DENIED = 45
CODE_MISSING_CHECK = 71
CODE_CHECK = 72
CODE_INVALID_ASC = 107
CODE_MISSING_ASC_OPTION = 116
CODE_ASCSET_INFO = 118
CODE_ASCSET_OK = 119
CODE_ASCSET_FAILED = 120

DESCRIPTION = f"cgminer {CGMINER_VERSION}"
WRITE_COMMANDS = frozenset({"ascset", "restart"})

_READ_COMMANDS: dict[str, tuple[int, str, Callable[[AvalonDevice], JsonObject]]] = {
    "version": (22, "CGMiner versions", replies.version),
    "config": (33, "CGMiner config", replies.config),
    "devs": (9, "1 ASC(s)", replies.devs),
    "edevs": (9, "1 ASC(s)", replies.devs),
    "pools": (7, "1 Pool(s)", replies.pools),
    "summary": (11, "Summary", replies.summary),
    "devdetails": (69, "Device Details", replies.devdetails),
    "stats": (70, "CGMiner stats", replies.stats),
    "estats": (70, "CGMiner stats", replies.estats),
    "lcd": (125, "LCD", replies.lcd),
}
_LEADING_INT = re.compile(r"^\s*-?\d+")


class AvalonApi:
    """The cgminer API of one Avalon miner: parses requests and builds replies."""

    def __init__(self, device: AvalonDevice, faults: Faults | None = None) -> None:
        """Serve ``device``; ``faults.refuse_privileged`` denies ``ascset`` and ``restart``."""
        self.device = device
        self.faults = faults if faults is not None else Faults()

    @property
    def state(self) -> MinerState:
        """The physics behind the API."""
        return self.device.state

    def expire_session(self) -> None:
        """Do nothing: Avalon firmware has no sessions."""

    def commands(self) -> list[str]:
        """The commands this miner answers (``restart`` only if the model has it)."""
        names = [*_READ_COMMANDS, "check", "ascset"]
        if self.device.model.api_restart:
            names.append("restart")
        return names

    # ------------------------------------------------------------------ framing

    def handle_bytes(self, raw: bytes) -> JsonObject:
        """Answer one raw request (JSON text, an optional trailing NUL is ignored)."""
        text = raw.decode("utf-8", errors="replace").strip().rstrip("\x00").strip()
        try:
            request = json.loads(text)
        except json.JSONDecodeError:
            return self._reply("E", CODE_INVALID_JSON, "Invalid JSON")
        if not isinstance(request, dict):
            return self._reply("E", CODE_INVALID_JSON, "Invalid JSON")
        return self.handle(request)

    def handle(self, request: dict[str, object]) -> JsonObject:
        """Answer one decoded request ``{"command": ..., "parameter": ...}``."""
        if "command" not in request:
            return self._reply("E", CODE_MISSING_COMMAND, "Missing JSON 'command'")
        command = request["command"]
        if not isinstance(command, str):
            return self._invalid_command()
        parameter = _parameter(request.get("parameter"))
        if "+" not in command:
            return self._single(command, parameter)
        reply: JsonObject = {}
        for part in command.split("+"):
            if not part or part in reply:
                continue
            if part in self.commands() and part in {"check", *WRITE_COMMANDS}:
                reply[part] = [self._access_denied(part)]
            else:
                reply[part] = [self._single(part, None)]
        reply["id"] = 1
        return reply

    def _status(self, severity: str, code: int, msg: str, *, described: bool = True) -> JsonObject:
        status: JsonObject = {
            "STATUS": severity,
            "When": int(self.device.wall_clock()),
            "Code": code,
            "Msg": msg,
        }
        if described:
            status["Description"] = DESCRIPTION
        return status

    def _reply(
        self, severity: str, code: int, msg: str, body: JsonObject | None = None
    ) -> JsonObject:
        return {"STATUS": [self._status(severity, code, msg)], **(body or {}), "id": 1}

    def _invalid_command(self) -> JsonObject:
        status = self._status("E", CODE_INVALID_COMMAND, "Invalid command", described=False)
        return {"STATUS": [status], "id": 1}

    def _access_denied(self, command: str) -> JsonObject:
        return self._reply("E", CODE_ACCESS_DENIED, f"Access denied to '{command}' command")

    def _single(self, command: str, parameter: str | None) -> JsonObject:
        if command not in self.commands():
            return self._invalid_command()
        if command in WRITE_COMMANDS and self.faults.refuses():
            return self._access_denied(command)
        if command in WRITE_COMMANDS and self.faults.take_reboot():
            self.device.state.reboot()
            raise ConnectionDropped(command)
        if command in _READ_COMMANDS:
            code, msg, build = _READ_COMMANDS[command]
            return self._reply("S", code, msg, build(self.device))
        if command == "check":
            return self._check(parameter)
        if command == "ascset":
            return self._ascset(parameter)
        return self._restart()

    # ----------------------------------------------------------------- commands

    def _check(self, parameter: str | None) -> JsonObject:
        if not parameter:
            return self._reply("E", CODE_MISSING_CHECK, "Missing check cmd")
        found = "Y" if parameter in self.commands() else "N"
        body: JsonObject = {"CHECK": [{"Exists": found, "Access": found}]}
        return self._reply("S", CODE_CHECK, "Check command", body)

    def _ascset(self, parameter: str | None) -> JsonObject:
        if not parameter:
            return self._reply("E", CODE_MISSING_ID, "Missing device id parameter")
        asc, _, rest = parameter.partition(",")
        if not rest:
            return self._reply("E", CODE_MISSING_ASC_OPTION, "Missing option after ASC number")
        match = _LEADING_INT.match(asc)
        asc_id = int(match.group()) if match else 0  # cgminer uses atoi()
        if asc_id != 0:
            msg = f"Invalid ASC id {asc_id} - range is 0 - 0"
            return self._reply("E", CODE_INVALID_ASC, msg)
        option, sep, value = rest.partition(",")
        result = apply(self.device, option, value if sep else None)
        if result.outcome is Outcome.FAILED:
            return self._reply("E", CODE_ASCSET_FAILED, f"ASC 0 set failed: {result.text}")
        if result.outcome is Outcome.INFO:
            return self._reply("I", CODE_ASCSET_INFO, f"ASC 0 set info: {result.text}")
        return self._reply("S", CODE_ASCSET_OK, "ASC 0 set OK")

    def _restart(self) -> JsonObject:
        """Classic cgminer ``restart``: the reply is ``{"STATUS": "RESTART"}``, then it restarts."""
        self.device.state.restart_miner()
        return {"STATUS": "RESTART", "id": 1}


def _parameter(raw: object) -> str | None:
    """The parameter as cgminer sees it: strings as is, numbers printed, anything else none."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        return f"{raw:f}"
    return None
