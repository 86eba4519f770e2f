"""Helpers for the simulator tests: raw-socket exchanges and typed pyasic entry points."""

import asyncio
import json
from collections.abc import Callable
from typing import Any, cast

from pyasic.miners.backends.avalonminer import AvalonMiner
from pyasic.miners.backends.luxminer import LUXMiner
from pyasic.miners.base import BaseMiner
from pyasic.miners.factory import get_miner

from sim import MinerState, Mode, SimulatedMiner

type Reply = dict[str, Any]

# Short, test-friendly timings; tests step the manual clock past them.
RETUNE = 30.0
WARMUP = 60.0
REBOOT = 90.0
WEB_PORT = 8080  # unprivileged stand-in for an Avalon's port 80


async def exchange(host: str, payload: bytes, *, port: int = 4028, pause: float = 0.0) -> bytes:
    """Send ``payload`` (split in two writes if ``pause``) without half-closing; read to EOF."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        if pause:
            half = len(payload) // 2
            writer.write(payload[:half])
            await writer.drain()
            await asyncio.sleep(pause)
            payload = payload[half:]
        writer.write(payload)
        await writer.drain()
        async with asyncio.timeout(5):
            return await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()


def decode(raw: bytes) -> Reply:
    """Decode a NUL-terminated JSON reply."""
    assert raw.endswith(b"\x00")
    reply = json.loads(raw[:-1])
    assert isinstance(reply, dict)
    return reply


async def command(miner: SimulatedMiner, cmd: str, parameter: str | None = None) -> Reply:
    """Send one command the way pyasic does and decode the reply."""
    request = {"command": cmd}
    if parameter is not None:
        request["parameter"] = parameter
    return decode(await exchange(miner.host, json.dumps(request).encode(), port=miner.port))


def status(reply: Reply) -> Reply:
    """Return the single STATUS entry of a reply."""
    entry = reply["STATUS"][0]
    assert isinstance(entry, dict)
    return entry


async def logon(miner: SimulatedMiner) -> str:
    """Create a session and return its id."""
    session_id = (await command(miner, "logon"))["SESSION"][0]["SessionID"]
    assert isinstance(session_id, str)
    return session_id


async def wait_until(predicate: Callable[[], bool], attempts: int = 200) -> None:
    """Poll ``predicate`` every 10 ms (the server follows clock steps within 50 ms)."""
    for _ in range(attempts):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


async def find_miner(host: str) -> BaseMiner | None:
    """Run unmodified ``pyasic.get_miner`` (typed: pyasic's own annotation is unbound)."""
    return cast("BaseMiner | None", await get_miner(host))


async def detect(host: str) -> LUXMiner:
    """Run ``pyasic.get_miner`` and insist on a LuxOS miner."""
    found = await find_miner(host)
    assert isinstance(found, LUXMiner)
    return found


def mode(state: MinerState) -> Mode:
    """Read ``state.mode`` (a function call, so mypy does not narrow it between reads)."""
    return state.mode


def listening(miner: SimulatedMiner) -> bool:
    """Whether the miner's listening socket is open."""
    return miner.server.listening


async def detect_avalon(host: str) -> AvalonMiner:
    """Run ``pyasic.get_miner`` and insist on an Avalon miner."""
    found = await find_miner(host)
    assert isinstance(found, AvalonMiner)
    return found


def mm_id0(reply: Reply) -> dict[str, Any]:
    """The device item's status string parsed the way pyasic parses it."""
    parse = cast("Callable[[Reply], Reply]", AvalonMiner.parse_estats)
    parsed = parse(reply)
    status = parsed["STATS"][0]["MM ID0"]
    assert isinstance(status, dict)
    return status


def use_web_port(found: AvalonMiner, port: int) -> None:
    """Point pyasic's web client (port 80 by default) at the simulator's web page."""
    web = found.web
    assert web is not None
    web.port = port
