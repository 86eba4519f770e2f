"""Optional HTTP side of a simulated Avalon: just enough for pyasic to read the MAC.

pyasic 0.79.0 reads an Avalon Mini 3's MAC only from the web UI (``get_miner_info.cgi``,
then ``get_minerinfo.cgi``), never from the cgminer API. Real miners serve it on port
80; tests use an unprivileged port and set ``miner.web.port`` on the pyasic object.
"""

import asyncio
import contextlib
import json
from collections.abc import Callable

from sim.firmware.avalon.device import AvalonDevice
from sim.server import SimulatorBindError

MINERINFO_PATHS = frozenset({"/get_miner_info.cgi", "/get_minerinfo.cgi"})
_READ_TIMEOUT = 5.0
_MAX_HEADER = 16384


class AvalonWebServer:
    """Answers ``GET /get_miner_info.cgi`` (JSONP with ``mac``) and ``GET /``.

    While ``is_up()`` is false (miner offline or rebooting) connections are accepted and
    closed without an answer.
    """

    def __init__(
        self, host: str, port: int, device: AvalonDevice, is_up: Callable[[], bool]
    ) -> None:
        """Prepare the server; nothing is bound until :meth:`start`."""
        self.host = host
        self.port = port
        self.device = device
        self.is_up = is_up
        self._server: asyncio.Server | None = None

    @property
    def listening(self) -> bool:
        """Whether the server is bound."""
        return self._server is not None

    async def start(self) -> None:
        """Bind; raise :class:`SimulatorBindError` if that fails."""
        try:
            self._server = await asyncio.start_server(self._on_client, self.host, self.port)
        except OSError as err:
            msg = f"cannot serve HTTP on {self.host}:{self.port}: {err.strerror or err}"
            raise SimulatorBindError(err.errno, msg) from err

    async def stop(self) -> None:
        """Close the listening socket."""
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(asyncio.CancelledError):
                await self._server.wait_closed()
            self._server = None

    def minerinfo(self) -> dict[str, str]:
        """The body of ``get_miner_info.cgi`` (inside ``minerinfoCallback(...)``)."""
        ident, model = self.device.identity, self.device.model
        return {
            "ip": ident.host,
            "mac": ident.mac,
            "hostname": ident.hostname,
            "model": model.prod,
            "version": model.firmware,
            "dna": ident.serial,
        }

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(_READ_TIMEOUT):
                head = await reader.readuntil(b"\r\n\r\n")
            if self.is_up() and len(head) <= _MAX_HEADER:
                writer.write(self._respond(head))
                await writer.drain()
        except TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    def _respond(self, head: bytes) -> bytes:
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split()
        path = parts[1].split("?", 1)[0] if len(parts) > 1 else "/"
        if path in MINERINFO_PATHS:
            status, kind = "200 OK", "application/javascript"
            body = f"minerinfoCallback({json.dumps(self.minerinfo())});"
        elif path in {"/", "/index.html"}:
            status, kind = "200 OK", "text/html"
            body = f"<html><head><title>{self.device.model.prod}</title></head></html>"
        else:
            status, kind, body = "404 Not Found", "text/plain", "Not Found"
        data = body.encode()
        header = (
            f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
        )
        return header.encode() + data
