"""LuxOS command dispatcher: request object in, reply dict out (no I/O).

Handles single commands, ``a+b+c`` multicommands, sessions (``session``/``logon``/
``logoff``, one-minute idle expiry) and the privileged commands that take
``"<SessionID>,arg,..."``.
"""

import dataclasses
import json
import secrets
import string
from collections.abc import Callable

from sim.api import ConnectionDropped
from sim.faults import Faults
from sim.firmware.luxos import replies
from sim.firmware.luxos.replies import Identity, JsonObject
from sim.physics import Clock, MinerState, wall_time

# cgminer/LuxOS STATUS codes used in replies.
CODE_INVALID_COMMAND = 14
CODE_INVALID_JSON = 23
CODE_MISSING_COMMAND = 24
CODE_ACCESS_DENIED = 45
CODE_MISSING_PARAMETER = 310
CODE_INVALID_PARAMETER = 311
CODE_SESSION_ACTIVE = 315
CODE_INVALID_SESSION = 318

_READ_COMMANDS: dict[str, tuple[int, str, Callable[[MinerState, Identity], JsonObject]]] = {
    "version": (22, "LUXminer versions", replies.version),
    "devdetails": (69, "Device Details", replies.devdetails),
    "summary": (11, "Summary", replies.summary),
    "stats": (70, "LUXminer stats", replies.stats),
    "power": (338, "Estimated power usage", replies.power),
    "fans": (202, "4 Fan(s)", replies.fans),
    "tempctrl": (329, "Temperature control values", replies.tempctrl),
    "pools": (7, "1 Pool(s)", replies.pools),
    "groups": (324, "List groups", replies.groups),
    "config": (33, "LUXminer config", replies.config),
    "profiles": (327, "Profiles", replies.profiles),
}
_TOKEN_ALPHABET = string.ascii_letters + string.digits


class CommandError(Exception):
    """A command failed; becomes a STATUS "E" reply."""

    def __init__(self, code: int, msg: str) -> None:
        """Keep the STATUS code and message."""
        super().__init__(msg)
        self.code = code
        self.msg = msg


@dataclasses.dataclass(slots=True)
class AtmConfig:
    """Advanced Thermal Management settings as ``atm`` reports them."""

    enabled: bool = False
    startup_minutes: int = 15
    post_ramp_minutes: int = 15
    temp_window: float = 5.0
    min_profile: str = ""
    max_profile: str = ""


class LuxosApi:
    """The LuxOS API of one miner: parses requests and builds replies."""

    def __init__(  # noqa: PLR0913
        self,
        state: MinerState,
        identity: Identity,
        faults: Faults | None = None,
        *,
        wall_clock: Clock = wall_time,
        session_timeout: float | None = 60.0,
        atm_enabled: bool = False,
    ) -> None:
        """Serve ``state``; sessions expire after ``session_timeout`` idle seconds."""
        self.state = state
        self.identity = identity
        self.faults = faults if faults is not None else Faults()
        self.wall_clock = wall_clock
        self.session_timeout = session_timeout
        self.atm = AtmConfig(enabled=atm_enabled)
        self._session_id: str | None = None
        self._session_used = 0.0
        self._plain: dict[str, Callable[[], JsonObject]] = {
            "session": self._cmd_session,
            "logon": self._cmd_logon,
            "atm": self._cmd_atm,
        }
        self._privileged: dict[str, Callable[[list[str]], JsonObject]] = {
            "atmset": self._cmd_atmset,
            "curtail": self._cmd_curtail,
            "ledset": self._cmd_ledset,
            "logoff": self._cmd_logoff,
            "profileset": self._cmd_profileset,
            "rebootdevice": self._cmd_rebootdevice,
            "resetminer": self._cmd_resetminer,
        }

    # ------------------------------------------------------------------ framing

    def handle_bytes(self, raw: bytes) -> JsonObject:
        """Answer one raw request (JSON text, an optional trailing NUL is ignored)."""
        text = raw.decode("utf-8", errors="replace").strip().rstrip("\x00").strip()
        try:
            request = json.loads(text)
        except json.JSONDecodeError:
            return self._error(CODE_INVALID_JSON, "Invalid JSON")
        if not isinstance(request, dict):
            return self._error(CODE_INVALID_JSON, "Invalid JSON")
        return self.handle(request)

    def handle(self, request: dict[str, object]) -> JsonObject:
        """Answer one decoded request ``{"command": ..., "parameter": ...}``."""
        command = request.get("command")
        if not isinstance(command, str) or not command:
            return self._error(CODE_MISSING_COMMAND, "Missing JSON 'command'")
        raw_param = request.get("parameter")
        parameter = "" if raw_param is None else str(raw_param)
        if "+" not in command:
            return self._single(command, parameter)
        reply: JsonObject = {}
        for part in command.split("+"):
            reply[part] = [self._single(part, parameter)]
        reply["id"] = 1
        return reply

    def _status(self, status: str, code: int, msg: str) -> JsonObject:
        return {
            "STATUS": status,
            "When": int(self.wall_clock()),
            "Code": code,
            "Msg": msg,
            "Description": self.identity.description,
        }

    def _ok(self, code: int, msg: str, body: JsonObject | None = None) -> JsonObject:
        return {**(body or {}), "STATUS": [self._status("S", code, msg)], "id": 1}

    def _error(self, code: int, msg: str) -> JsonObject:
        return {"STATUS": [self._status("E", code, msg)], "id": 1}

    def _single(self, command: str, parameter: str) -> JsonObject:
        try:
            if command in _READ_COMMANDS:
                code, msg, build = _READ_COMMANDS[command]
                return self._ok(code, msg, build(self.state, self.identity))
            if command in self._plain:
                return self._plain[command]()
            if command in self._privileged:
                args = self._authorize(command, parameter)
                if self.faults.take_reboot():
                    self._cmd_rebootdevice(args)
                    raise ConnectionDropped(command)
                return self._privileged[command](args)
        except CommandError as err:
            return self._error(err.code, err.msg)
        return self._error(CODE_INVALID_COMMAND, "Invalid command")

    # ----------------------------------------------------------------- sessions

    def _session_valid(self) -> bool:
        if self._session_id is None:
            return False
        timeout = self.session_timeout
        if timeout is not None and self.state.clock() - self._session_used > timeout:
            self._session_id = None
            return False
        return True

    @property
    def session_id(self) -> str | None:
        """The active session id, or None."""
        return self._session_id if self._session_valid() else None

    def expire_session(self) -> None:
        """Invalidate the active session, as if it had timed out."""
        self._session_id = None

    def _authorize(self, command: str, parameter: str) -> list[str]:
        """Check the session id (first parameter); return the remaining arguments."""
        if self.faults.refuses():
            raise CommandError(CODE_ACCESS_DENIED, f"Access denied to '{command}' command")
        parts = parameter.split(",") if parameter else []
        if not parts or not parts[0]:
            raise CommandError(CODE_MISSING_PARAMETER, "Missing session id")
        if not self._session_valid() or parts[0] != self._session_id:
            raise CommandError(CODE_INVALID_SESSION, "Invalid session id")
        self._session_used = self.state.clock()
        return [p.strip() for p in parts[1:]]

    def _session_body(self, session_id: str) -> JsonObject:
        return {"SESSION": [{"SessionID": session_id}]}

    def _cmd_session(self) -> JsonObject:
        current = self.session_id or ""
        return self._ok(319, "Session information", self._session_body(current))

    def _cmd_logon(self) -> JsonObject:
        if self._session_valid():
            raise CommandError(CODE_SESSION_ACTIVE, "Another session is active")
        self._session_id = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(8))
        self._session_used = self.state.clock()
        return self._ok(316, "Session created", self._session_body(self._session_id))

    def _cmd_logoff(self, _args: list[str]) -> JsonObject:
        self._session_id = None
        return self._ok(317, "Session closed")

    # ---------------------------------------------------------------------- ATM

    def _atm_body(self) -> JsonObject:
        atm = self.atm
        return {
            "ATM": [
                {
                    "Enabled": atm.enabled,
                    "MaxProfile": atm.max_profile,
                    "MinProfile": atm.min_profile,
                    "PostRampMinutes": atm.post_ramp_minutes,
                    "StartupMinutes": atm.startup_minutes,
                    "TempWindow": atm.temp_window,
                },
            ],
        }

    def _cmd_atm(self) -> JsonObject:
        return self._ok(339, "ATM configuration values", self._atm_body())

    def _cmd_atmset(self, args: list[str]) -> JsonObject:
        if not args:
            raise CommandError(CODE_MISSING_PARAMETER, "Missing parameter")
        new = dataclasses.replace(self.atm)
        prevent_oc = False
        for arg in args:
            key, sep, value = arg.partition("=")
            if not sep:
                raise CommandError(CODE_INVALID_PARAMETER, f"Invalid parameter: {arg}")
            prevent_oc |= self._apply_atm(new, key.strip(), value.strip())
        if prevent_oc and self.atm.enabled and not new.enabled and self.state.profile.step > 0:
            self.state.set_profile("default")
        self.atm = new
        return self._ok(340, "Advanced Thermal Management configuration updated")

    def _apply_atm(self, atm: AtmConfig, key: str, value: str) -> bool:
        """Set one ``key=value`` on ``atm``; return the ``prevent_oc`` flag."""
        invalid = CommandError(CODE_INVALID_PARAMETER, f"Invalid parameter: {key}")
        if key in {"enabled", "prevent_oc"}:
            if value not in {"true", "false"}:
                raise invalid
            if key == "prevent_oc":
                return value == "true"
            atm.enabled = value == "true"
        elif key in {"startup_minutes", "post_ramp_minutes", "temp_window"}:
            try:
                number = float(value)
            except ValueError as err:
                raise invalid from err
            if key == "temp_window":
                atm.temp_window = number
            else:
                setattr(atm, key, int(number))
        elif key in {"min_profile", "max_profile"}:
            if value:
                try:
                    self.state.resolve_profile(value)
                except KeyError as err:
                    raise invalid from err
            setattr(atm, key, value)
        else:
            raise invalid
        return False

    # --------------------------------------------------------- other privileged

    def _cmd_profileset(self, args: list[str]) -> JsonObject:
        if len(args) >= 2 and args[0] in {"0", "1", "2", "3"}:  # noqa: PLR2004
            args = args[1:]  # legacy "<session>,<board_id>,<profile>" form
        if not args or not args[0]:
            raise CommandError(CODE_MISSING_PARAMETER, "Missing profile name")
        if self.atm.enabled:
            raise CommandError(CODE_INVALID_PARAMETER, "Cannot set profile while ATM is enabled")
        try:
            profile = self.state.set_profile(args[0])
        except KeyError as err:
            raise CommandError(CODE_INVALID_PARAMETER, f"Profile not found: {args[0]}") from err
        body: JsonObject = {
            "PROFILE": [
                {"Board": 0, "FrequencyStep": 5, "Profile": profile.name, "VoltageStep": 0.05},
            ],
        }
        return self._ok(321, "Profile Set", body)

    def _cmd_curtail(self, args: list[str]) -> JsonObject:
        action = args[0] if args else ""
        if action == "sleep":
            self.state.sleep()
            label = "sleep mode"
        elif action == "wakeup":
            self.state.wakeup()
            label = "wake up"
        else:
            raise CommandError(CODE_INVALID_PARAMETER, f"Invalid curtail action: {action}")
        return self._ok(335, "Curtailment command sent", {"CURTAIL": [{"Action": label}]})

    def _cmd_ledset(self, args: list[str]) -> JsonObject:
        if len(args) < 2:  # noqa: PLR2004
            raise CommandError(CODE_MISSING_PARAMETER, "Missing parameter")
        color, state = args[0], args[1]
        if color != "red" or state not in {"on", "off", "blink"}:
            raise CommandError(CODE_INVALID_PARAMETER, f"Invalid LED setting: {color},{state}")
        self.identity.red_led = state
        return self._ok(334, "LED set", {"LED": [{"Color": color, "State": state}]})

    def _cmd_resetminer(self, _args: list[str]) -> JsonObject:
        self.state.restart_miner()
        self._session_id = None
        return self._ok(336, "Resetting LUXminer")

    def _cmd_rebootdevice(self, _args: list[str]) -> JsonObject:
        self.state.reboot()
        self._session_id = None
        return self._ok(337, "Rebooting device")
