"""Helpers for the simulator tests: raw-socket exchanges and typed pyasic entry points."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, cast

import pytest
from freezegun.api import FrozenDateTimeFactory
from pyasic.miners.backends.avalonminer import AvalonMiner
from pyasic.miners.backends.luxminer import LUXMiner
from pyasic.miners.base import BaseMiner
from pyasic.miners.factory import get_miner

from sim import MinerState, Mode, SimulatedMiner, until

type Reply = dict[str, Any]

# Short, test-friendly timings; tests step the manual clock past them.
RETUNE = 30.0
WARMUP = 60.0
REBOOT = 90.0
WEB_PORT = 8080  # unprivileged stand-in for an Avalon's port 80
SPLIT_TURNS = 10
DEADLINE = 0.3  # what a test gives a hung miner (in frozen time)
# Frozen time is Unix time, where a float resolves about 0.2 us: a step of exactly a deadline
# may land a hair before it.
PAST = 0.001


async def exchange(host: str, payload: bytes, *, port: int = 4028, split: bool = False) -> bytes:
    """Send ``payload`` (in two writes, the loop turning between them, if ``split``) without
    half-closing; read to EOF.
    """
    reader, writer = await asyncio.open_connection(host, port)
    try:
        if split:
            half = len(payload) // 2
            writer.write(payload[:half])
            await writer.drain()
            for _ in range(SPLIT_TURNS):  # the miner reads the first half on its own
                await asyncio.sleep(0)
            payload = payload[half:]
        writer.write(payload)
        await writer.drain()
        async with asyncio.timeout(5):
            return await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()


async def times_out(
    miner: SimulatedMiner, freezer: FrozenDateTimeFactory, work: Awaitable[object]
) -> None:
    """Run ``work`` with a deadline against a hung ``miner``: once the miner has read a request
    (and keeps the connection open without an answer) time moves past the deadline, at once.
    """
    asked = miner.server.requests
    task = asyncio.ensure_future(asyncio.wait_for(work, DEADLINE))
    await asyncio.sleep(0)  # the task starts: its deadline is set
    await until(lambda: miner.server.requests > asked)
    assert not task.done()
    freezer.tick(DEADLINE + PAST)
    with pytest.raises(TimeoutError):
        await task


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


async def printed(capsys: pytest.CaptureFixture[str], text: str) -> str:
    """What a command running in this event loop has printed once it printed ``text``."""
    out = ""

    def seen() -> bool:
        nonlocal out
        out += capsys.readouterr().out
        return text in out

    await until(seen)
    return out


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
