"""TCP side of a simulated miner: one request per connection, its framing, and faults.

cgminer framing (port 4028): the client does not half-close, so the request is read until
it parses as one complete JSON object; the reply is compact JSON plus a trailing NUL byte.
Length-prefixed framing (Whatsminer API v3, port 4433): a 4-byte little-endian length, then
that many bytes of JSON, both ways. The server closes the connection after the reply.
"""

import asyncio
import contextlib
import json
import logging
import socket
import struct
from collections.abc import Callable
from typing import Protocol

from sim.api import ConnectionDropped, JsonObject, MinerApi
from sim.faults import Faults, cut_reply
from sim.physics import Mode

_LOGGER = logging.getLogger(__name__)
MAX_REQUEST_BYTES = 65536
MONITOR_INTERVAL = 0.05


class SimulatorBindError(OSError):
    """The simulator could not listen on its address."""


def request_complete(buf: bytes) -> bool:
    """Whether ``buf`` holds a whole request (valid JSON, or JSON that cannot become valid)."""
    text = buf.decode("utf-8", errors="replace").strip().rstrip("\x00").strip()
    if not text:
        return False
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        incomplete = err.pos >= len(text) or err.msg.startswith("Unterminated string")
        return not incomplete
    return True


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening, non-blocking TCP socket; :class:`SimulatorBindError` when it cannot bind."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError as err:
        sock.close()
        msg = (
            f"cannot listen on {host}:{port}: {err.strerror or err}. "
            "Use a free 127.x.y.z loopback address (on macOS add it first with "
            "'sudo ifconfig lo0 alias <address>'); ports below 1024 need privileges."
        )
        raise SimulatorBindError(err.errno, msg) from err
    return sock


class Port(Protocol):
    """One listening port of a simulated miner (its API on 4028, or another of its APIs)."""

    after_connection: Callable[[], None]

    @property
    def listening(self) -> bool:
        """Whether the socket is open."""
        ...

    @property
    def requests(self) -> int:
        """Requests read so far."""
        ...

    @property
    def open_connections(self) -> int:
        """Connections or calls under way."""
        ...

    async def start(self) -> None:
        """Bind and serve."""
        ...

    async def stop(self) -> None:
        """Close and drop everything under way."""
        ...

    def sync(self) -> None:
        """Open or close the socket to match the miner."""
        ...


class Framing(Protocol):
    """How requests and replies are cut on the wire."""

    async def read(self, reader: asyncio.StreamReader) -> bytes | None:
        """Read one request (None: the client closed without one)."""
        ...

    def encode(self, reply: JsonObject) -> bytes:
        """The bytes of one reply."""
        ...

    def encode_cut(self, reply: JsonObject) -> bytes:
        """The bytes of one reply as a connection lost mid-way delivers them."""
        ...


class CgminerFraming:
    """JSON until it parses in; compact JSON and a NUL byte out."""

    async def read(self, reader: asyncio.StreamReader) -> bytes | None:
        """Read until the buffer holds a whole JSON request."""
        buf = b""
        while True:
            chunk = await reader.read(4096)
            if not chunk:
                return buf or None
            buf += chunk
            if request_complete(buf) or len(buf) >= MAX_REQUEST_BYTES:
                return buf

    def encode(self, reply: JsonObject) -> bytes:
        """Compact JSON plus the trailing NUL cgminer sends."""
        return json.dumps(reply, separators=(",", ":")).encode() + b"\x00"

    def encode_cut(self, reply: JsonObject) -> bytes:
        """The JSON cut inside a section, without the NUL."""
        return cut_reply(json.dumps(reply, separators=(",", ":")).encode())


class LengthPrefixedFraming:
    """A 4-byte little-endian length, then the JSON, both ways."""

    async def read(self, reader: asyncio.StreamReader) -> bytes | None:
        """Read the length and then exactly that many bytes."""
        try:
            header = await reader.readexactly(4)
            (length,) = struct.unpack("<I", header)
            return await reader.readexactly(min(length, MAX_REQUEST_BYTES))
        except asyncio.IncompleteReadError:
            return None

    def encode(self, reply: JsonObject) -> bytes:
        """The JSON behind its length."""
        body = json.dumps(reply, separators=(",", ":")).encode()
        return struct.pack("<I", len(body)) + body

    def encode_cut(self, reply: JsonObject) -> bytes:
        """The whole length, then the JSON cut inside a section."""
        body = json.dumps(reply, separators=(",", ":")).encode()
        return struct.pack("<I", len(body)) + cut_reply(body)


class MinerServer:
    """Listens on ``host:port`` and answers with a firmware API (:class:`MinerApi`).

    The listening socket follows the miner: it is closed (connections refused) while
    ``faults.offline`` is set or the miner is rebooting, and reopened afterwards.
    """

    def __init__(  # noqa: PLR0913
        self,
        host: str,
        port: int,
        api: MinerApi,
        faults: Faults,
        *,
        read_timeout: float = 10.0,
        framing: Framing | None = None,
    ) -> None:
        """Prepare the server; nothing is bound until :meth:`start`."""
        self.host = host
        self.port = port
        self.api = api
        self.faults = faults
        self.read_timeout = read_timeout
        self.framing: Framing = framing or CgminerFraming()
        self._sock: socket.socket | None = None
        self._server: asyncio.Server | None = None
        self._serve_task: asyncio.Task[None] | None = None
        self._monitor: asyncio.Task[None] | None = None
        self._connections: set[asyncio.Task[object]] = set()
        self._running = False
        self.requests = 0  # requests read so far (answered or not)
        # What to sync after each connection; a miner with several ports syncs them all.
        self.after_connection: Callable[[], None] = self.sync
        faults.add_listener(self.sync)

    @property
    def listening(self) -> bool:
        """Whether the listening socket is open."""
        return self._sock is not None

    @property
    def open_connections(self) -> int:
        """Connections accepted and not yet closed (a hung miner keeps them open)."""
        return len(self._connections)

    def _should_listen(self) -> bool:
        state = self.api.state
        up = state.is_reachable or (
            getattr(self.api, "serves_while_mining_restarts", False)
            and state.mode is Mode.RESTARTING
        )
        return self._running and not self.faults.offline and up

    async def start(self) -> None:
        """Bind and start serving; raise :class:`SimulatorBindError` if binding fails."""
        self._running = True
        try:
            self.sync(raise_errors=True)
        except SimulatorBindError:
            self._running = False
            raise
        self._monitor = asyncio.create_task(self._watch(), name=f"sim-monitor-{self.host}")
        if self._serve_task is not None:
            await self._serve_task

    async def stop(self) -> None:
        """Close the socket and drop every open connection."""
        self._running = False
        if self._monitor is not None:
            self._monitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._monitor
            self._monitor = None
        self._close()
        tasks = list(self._connections)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def sync(self, *, raise_errors: bool = False) -> None:
        """Open or close the listening socket to match faults and reachability."""
        want = self._should_listen()
        if want and self._sock is None:
            try:
                self._open()
            except SimulatorBindError:
                if raise_errors:
                    raise
                _LOGGER.exception("Simulated miner %s could not reopen", self.host)
        elif not want and self._sock is not None:
            self._close()

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(MONITOR_INTERVAL)
            self.sync()

    def _open(self) -> None:
        sock = bind_socket(self.host, self.port)
        self._sock = sock
        self._serve_task = asyncio.get_running_loop().create_task(self._serve(sock))

    async def _serve(self, sock: socket.socket) -> None:
        server = await asyncio.start_server(self._on_client, sock=sock)
        if self._sock is sock:
            self._server = server
        else:  # closed while starting
            server.close()

    def _close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._serve_task is not None and not self._serve_task.done():
            self._serve_task.cancel()
        self._serve_task = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        for task in list(self._connections):
            task.cancel()

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            await self._answer(reader, writer)
        except ConnectionError, OSError, TimeoutError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError, asyncio.CancelledError):
                await writer.wait_closed()
            if task is not None:
                self._connections.discard(task)
            self.after_connection()  # a reboot or restart closes the socket right after the reply

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raw = await self._read_request(reader)
        if raw is None:
            return
        self.requests += 1
        if self.faults.hang:
            while await reader.read(4096):  # never answer; wait for the client to give up
                pass
            return
        if self.faults.garbage:
            data = self.faults.garbage_payload
        else:
            try:
                reply = self.api.handle_bytes(raw)
            except ConnectionDropped:
                return  # the miner went down mid-command: the connection closes unanswered
            encode = self.framing.encode_cut if self.faults.truncated else self.framing.encode
            data = encode(reply)
        writer.write(data)
        await writer.drain()

    async def _read_request(self, reader: asyncio.StreamReader) -> bytes | None:
        async with asyncio.timeout(self.read_timeout):
            return await self.framing.read(reader)
