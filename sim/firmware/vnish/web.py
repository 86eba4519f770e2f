"""VNish's web API on port 80: the AnthillOS page, ``/api/v1`` unlocked with the password.

``POST /api/v1/unlock {"pw": ...}`` gives a token for the ``Authorization`` header (``Bearer``
for ``system/*``); every other call needs it. Power is set by choosing a tuned preset in
``POST /api/v1/settings``; releases from 1.3.3 also throttle the preset to 20-100 % of its power
(``POST /api/v1/mining/throttle``), older ones answer 404 there. The server is a
:class:`sim.server.MinerServer` with HTTP framing, so the miner's faults (offline, hang, garbage,
cut replies, refused writes) apply here too.
"""

import asyncio
import json
from collections.abc import Callable

from sim.api import ConnectionDropped, JsonObject
from sim.faults import Faults, cut_reply
from sim.firmware.vnish.device import THROTTLE_RANGE, VNishDevice
from sim.physics import MinerState, Mode
from sim.server import MAX_REQUEST_BYTES

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    500: "Internal Server Error",
}
PAGE = "<html><head><title>AnthillOS</title></head><body>AnthillOS</body></html>"


class HttpFraming:
    """One HTTP/1.1 request in (head and ``Content-Length`` body), one response out."""

    async def read(self, reader: asyncio.StreamReader) -> bytes | None:
        """Read the head and the body."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError, asyncio.LimitOverrunError:
            return None
        length = 0
        for line in head.decode("latin-1").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length" and value.strip().isdigit():
                length = min(int(value), MAX_REQUEST_BYTES)
        try:
            return head + (await reader.readexactly(length) if length else b"")
        except asyncio.IncompleteReadError:
            return None

    def encode(self, reply: JsonObject) -> bytes:
        """A response from ``{"status": ..., "type": ..., "body": ...}``."""
        status = int(str(reply["status"]))
        body = str(reply["body"]).encode()
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}\r\n"
            f"Content-Type: {reply['type']}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        return head.encode() + body

    def encode_cut(self, reply: JsonObject) -> bytes:
        """The whole head, then the body cut inside a section."""
        full = self.encode(reply)
        head_length = full.index(b"\r\n\r\n") + 4
        return full[:head_length] + cut_reply(full[head_length:])


def _json(status: int, body: object) -> JsonObject:
    return {"status": status, "type": "application/json", "body": json.dumps(body)}


# No preset: the chips run at the globals (VNish 1.2.6 API reference's preset list; its
# ``tune_settings`` left out here).
_DISABLED = {"name": "disabled", "pretty": "Disabled", "status": "untuned"}


def _preset(device: VNishDevice, name: str) -> JsonObject:
    preset = next(p for p in device.model.presets if p.name == name)
    return {
        "name": preset.name,
        "pretty": preset.pretty,
        "status": "untuned" if name in device.untuned else "tuned",
        "modded_psu_required": False,
    }


def _presets(device: VNishDevice) -> object:
    listed = [_preset(device, p.name) for p in device.model.presets]
    if not device.presets_as_array:
        return {"presets": listed}
    return [{**_DISABLED, "modded_psu_required": False}, *listed]


class VNishWebApi:
    """The web API of one VNish miner (the body of :class:`sim.server.MinerServer`)."""

    # The web server is not the mining process: it answers while mining restarts, its summary
    # then in the ``restarting`` state (MinerState in VNish's OpenAPI 1.2.6-1.3.4).
    serves_while_mining_restarts = True

    def __init__(self, device: VNishDevice, faults: Faults | None = None) -> None:
        """Serve ``device``; ``faults.refuse_privileged`` forbids every write."""
        self.device = device
        self.faults = faults if faults is not None else Faults()
        self._reads: dict[str, Callable[[], object]] = {
            "info": self._info,
            "summary": self._summary,
            "settings": self._settings,
            "autotune/presets": lambda: _presets(device),
            "perf-summary": lambda: {"current_preset": _preset(device, device.preset)},
        }
        state = device.state
        self._actions: dict[str, Callable[[], object]] = {
            "mining/stop": state.sleep,
            "mining/pause": state.sleep,
            "mining/start": device.start_mining,
            "mining/resume": device.start_mining,
            "mining/restart": device.restart_mining,
            "system/reboot": state.reboot,
        }

    @property
    def state(self) -> MinerState:
        """The physics behind the API."""
        return self.device.state

    def handle_bytes(self, raw: bytes) -> JsonObject:
        """Answer one HTTP request."""
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split()
        if len(parts) < 2:  # noqa: PLR2004 - method and path
            return _json(400, {"err": "bad request"})
        method, path = parts[0], parts[1].split("?", 1)[0]
        if path in {"/", "/index.html"}:
            return {"status": 200, "type": "text/html", "body": PAGE}
        if not path.startswith("/api/v1/"):
            return _json(404, {"err": "not found"})
        try:
            payload = json.loads(body) if body else {}
        except json.JSONDecodeError:
            return _json(400, {"err": "invalid json"})
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:])
        }
        return self._api(method, path.removeprefix("/api/v1/"), headers, payload)

    def _api(
        self, method: str, command: str, headers: dict[str, str], payload: object
    ) -> JsonObject:
        if command == "unlock" and method == "POST":
            token = self.device.unlock(payload.get("pw") if isinstance(payload, dict) else None)
            return _json(200, {"token": token}) if token else _json(401, {"err": "wrong password"})
        if headers.get("authorization", "").removeprefix("Bearer ") not in self.device.tokens:
            return _json(401, {"err": "unauthorized"})
        if method == "GET" and command in self._reads:
            return _json(200, self._reads[command]())
        if method == "POST":
            return self._write(command, payload)
        return _json(404, {"err": "not found"})

    def _write(self, command: str, payload: object) -> JsonObject:
        if self.faults.refuses():
            return _json(403, {"err": "forbidden"})
        if self.faults.take_reboot():
            self.device.state.reboot()
            raise ConnectionDropped(command)
        if command in self._actions:
            self._actions[command]()
            return _json(200, {})
        if command == "find-miner":
            self.device.locating = not self.device.locating
            return _json(200, {"on": self.device.locating})
        if command == "settings":
            return self._select_preset(payload)
        if command == "mining/throttle" and self.device.model.throttles:
            return self._throttle(payload)
        return _json(404, {"err": "not found"})

    def _throttle(self, payload: object) -> JsonObject:
        # VNish 1.3.3+: ``POST /api/v1/mining/throttle {"percent": 20..100}``, read back as
        # ``miner.miner_status.throttled`` in ``summary``. Source: the AnthillOS 1.3.4 OpenAPI
        # schema (ThrottleSettings.percent, 20-100) added to 256foundation/asic-rs in PR #297,
        # and the endpoint the VNish web UI calls (tntvlad/hass-miner PR #35, live on 1.3.3).
        percent = payload.get("percent") if isinstance(payload, dict) else None
        if not isinstance(percent, int) or percent not in THROTTLE_RANGE:
            # the OpenAPI answers 200, 401 or 500 (ErrDescr): no 400 for a value out of range
            return _json(500, {"err": "percent must be 20-100"})
        if self.device.applies_on_restart:
            self.device.saved_throttle = percent
        else:
            self.device.set_throttle(percent)
        return self._saved()

    def _saved(self) -> JsonObject:
        restart = self.device.applies_on_restart
        return _json(200, {"restart_required": restart, "reboot_required": False})

    def _select_preset(self, payload: object) -> JsonObject:
        device = self.device
        try:
            name = str(payload["miner"]["overclock"]["preset"])  # type: ignore[index]
            device.state.get_profile(name)
        except LookupError, TypeError:
            return _json(400, {"err": "unknown preset"})
        if device.applies_on_restart:
            device.saved_preset = name
        else:
            device.select_preset(name)
        return self._saved()

    def _info(self) -> object:
        return {"miner": self.device.model.miner_type, "system": self._system()}

    def _system(self) -> JsonObject:
        ident = self.device.identity
        return {
            "network_status": {
                "mac": ident.mac.upper(),
                "hostname": ident.hostname,
                "ip": ident.host,
            },
        }

    def _summary(self) -> object:
        snap = self.device.state.snapshot()
        stopped = snap.mode is Mode.SLEEPING
        state = "restarting" if snap.mode is Mode.RESTARTING else "mining"
        status: JsonObject = {"miner_state": "stopped" if stopped else state}
        if self.device.model.throttles:
            status["throttled"] = self.device.throttle
        power: JsonObject = {"power_consumption": snap.watts}
        if self.device.reports_power_usage:
            power["power_usage"] = snap.watts
        return {
            "miner": {
                "miner_type": self.device.model.miner_type,
                "miner_status": status,
                **power,
                "hr_realtime": round(snap.hashrate_ghs / 1000, 2),
                "chains": [
                    {"id": i + 1, "status": {"state": "stopped" if stopped else "mining"}}
                    for i in range(len(snap.boards))
                ],
            },
            "system": self._system(),
        }

    def _settings(self) -> object:
        ident = self.device.identity
        return {
            "miner": {
                "overclock": {"preset": self.device.saved_preset or self.device.preset},
                "pools": [
                    {
                        "url": ident.pool_url.split("://", 1)[-1],
                        "user": ident.pool_user,
                        "pass": "x",
                    }
                ],
            },
        }
