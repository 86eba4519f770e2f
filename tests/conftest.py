"""Fixtures: the real Home Assistant test harness plus simulated miners on loopback."""

import ipaddress
import itertools
import os
import zlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_socket

from sim import Fleet, start_fleet

# Integration tests take 127.100.0.0-127.199.255.255: one /16 per xdist worker and a fresh address
# per simulated miner, so parallel workers and successive tests never share a socket. The run id
# (shared by the workers of one run) shifts the range, so two runs on one machine rarely meet.
_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_run = zlib.crc32(os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid())).encode())
_addresses = (
    f"127.{100 + (_worker + _run) % 100}.{(_run // 100 + n // 254) % 256}.{n % 254 + 1}"
    for n in itertools.count()
)


def next_address() -> str:
    """A loopback address no other test or worker uses."""
    return next(_addresses)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components."""


@pytest.fixture
def loopback(socket_enabled: None) -> None:
    """Allow real connections to the whole loopback range, where the simulator listens."""
    pytest_socket.socket_allow_hosts(["127.0.0.0/8"], allow_unix_socket=True)


def reserve_subnet(size: int = 8) -> ipaddress.IPv4Network:
    """A fresh aligned block of loopback addresses (for scans), reserved for the caller."""
    while True:
        address = ipaddress.IPv4Address(next_address())
        if int(address) % size == 1 and int(address) % 256 + size - 2 <= 254:
            break
    for _ in range(size - 2):
        next_address()
    return ipaddress.IPv4Network(f"{address - 1}/{32 - size.bit_length() + 1}")


FAST_SIM: dict[str, Any] = {"retune_seconds": 0.5, "warmup_seconds": 0.5, "noise": 0.0}


@pytest.fixture
async def fleet(loopback: None, request: pytest.FixtureRequest) -> AsyncIterator[Fleet]:
    """Simulated miners: one LuxOS by default; parametrize indirectly with a count of LuxOS
    miners or a list of model names (e.g. ``["Antminer S19 XP", "Avalon Mini3"]``).
    """
    param: int | list[str] = getattr(request, "param", 1)
    models = param if isinstance(param, list) else None
    count = len(param) if isinstance(param, list) else param
    first = next_address()
    for _ in range(count - 1):
        next_address()
    # Avalon Mini 3 firmware gives its MAC only on its web page (port 80 of its own address).
    async with start_fleet(
        count=count, first_address=first, models=models, web_port=80, **FAST_SIM
    ) as running:
        yield running
