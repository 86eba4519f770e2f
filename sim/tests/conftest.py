"""Fixtures for the simulator tests: real loopback sockets, unique addresses, a manual clock.

Addresses: 127.(200 + xdist worker).(per-test block).x, so parallel workers and
successive tests never share a socket (integration tests use 127.100-199.x.y).
"""

import itertools
import os
from collections.abc import AsyncIterator, Callable

import pytest
import pytest_socket

from sim import ManualClock, SimulatedMiner
from sim.tests.helpers import REBOOT, RETUNE, WARMUP, WEB_PORT

_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0")
_SECOND_OCTET = 200 + _WORKER % 55
# Start at a pid-derived block so two test runs at the same time rarely share an address.
_BLOCKS = itertools.count(os.getpid() % 256)


@pytest.fixture(autouse=True)
def loopback(socket_enabled: None) -> None:
    """Re-enable real sockets (the HA test plugin blocks them) for all of 127.0.0.0/8."""
    pytest_socket.socket_allow_hosts(["127.0.0.0/8"], allow_unix_socket=True)


@pytest.fixture
def address() -> Callable[[int], str]:
    """Return ``address(n)``: the n-th (1-based) address of this test's own /24."""
    block = next(_BLOCKS) % 255  # a fleet may spill into block + 1, still ours

    def make(n: int = 1) -> str:
        return f"127.{_SECOND_OCTET}.{block}.{n}"

    return make


@pytest.fixture
def clock() -> ManualClock:
    """A clock the test advances by hand."""
    return ManualClock()


def one_miner(
    address: str,
    clock: ManualClock,
    *,
    model: str | None = None,
    firmware: str | None = None,
    web_port: int | None = None,
) -> SimulatedMiner:
    """A simulated miner with noise off and the tests' short retune, warm-up and reboot times."""
    return SimulatedMiner(
        address,
        clock=clock,
        noise=0.0,
        retune_seconds=RETUNE,
        warmup_seconds=WARMUP,
        reboot_seconds=REBOOT,
        model=model,
        firmware=firmware,
        web_port=web_port,
    )


@pytest.fixture
async def miner(address: Callable[[int], str], clock: ManualClock) -> AsyncIterator[SimulatedMiner]:
    """One S19 XP on a fresh address, noise off, driven by the manual clock."""
    async with one_miner(address(1), clock) as running:
        yield running


@pytest.fixture
async def avalon(
    address: Callable[[int], str], clock: ManualClock
) -> AsyncIterator[SimulatedMiner]:
    """One Avalon Mini 3 (with its web page) on a fresh address, noise off, manual clock."""
    async with one_miner(address(1), clock, firmware="avalon", web_port=WEB_PORT) as running:
        yield running


@pytest.fixture
async def avalon_q(
    address: Callable[[int], str], clock: ManualClock
) -> AsyncIterator[SimulatedMiner]:
    """One Avalon Q on a fresh address, noise off, manual clock."""
    async with one_miner(address(2), clock, model="Avalon Q") as running:
        yield running


@pytest.fixture
async def whatsminer(
    address: Callable[[int], str], clock: ManualClock
) -> AsyncIterator[SimulatedMiner]:
    """One Whatsminer M63S (API v3) on a fresh address, noise off, manual clock."""
    async with one_miner(address(1), clock, firmware="whatsminer") as running:
        yield running


@pytest.fixture
async def vnish(address: Callable[[int], str], clock: ManualClock) -> AsyncIterator[SimulatedMiner]:
    """One Antminer S19j Pro on VNish (web API on port 80) on a fresh address, manual clock."""
    async with one_miner(address(1), clock, firmware="vnish") as running:
        yield running


@pytest.fixture
async def vnish_throttle(
    address: Callable[[int], str], clock: ManualClock
) -> AsyncIterator[SimulatedMiner]:
    """One Antminer S19j Pro on VNish 1.3.4 (with the throttle), manual clock."""
    async with one_miner(address(1), clock, model="Antminer S19j Pro VNish 1.3") as running:
        yield running


@pytest.fixture
async def braiins(
    address: Callable[[int], str], clock: ManualClock
) -> AsyncIterator[SimulatedMiner]:
    """One Antminer S19j Pro on Braiins OS+ (gRPC on 50051) on a fresh address, manual clock."""
    async with one_miner(address(1), clock, firmware="braiins") as running:
        yield running
