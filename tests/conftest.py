"""Fixtures: the real Home Assistant test harness plus simulated miners on loopback."""

import ipaddress
import itertools
import json
import logging
import os
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from unittest.mock import PropertyMock, patch

import pytest
import pytest_socket
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.hashheat.mempool import (
    DEFAULT_BASE_URL,
    HASHRATE_PATH,
    HEIGHT_PATH,
    PRICES_PATH,
    REWARD_STATS_PATH,
)
from sim import Fleet, start_fleet

# The test harness sets SQLAlchemy's engine log to INFO when it loads, so every statement of the
# recorder's database would fill the test output; a failure's log stays readable without them.
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)

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


MEMPOOL_FIXTURES = Path(__file__).parent / "fixtures" / "mempool"


def mempool_fixture(name: str) -> dict[str, Any]:
    """A recorded-shape payload of the mempool API."""
    data: dict[str, Any] = json.loads((MEMPOOL_FIXTURES / name).read_text(encoding="utf-8"))
    return data


def mempool_answers() -> dict[str, dict[str, Any]]:
    """What a healthy mempool.space answers, in the shapes of its API (see the fixtures)."""
    return {
        HEIGHT_PATH: {"text": "925000"},
        HASHRATE_PATH: {"json": mempool_fixture("hashrate_3d.json")},
        REWARD_STATS_PATH: {"json": mempool_fixture("reward_stats_144.json")},
        PRICES_PATH: {"json": mempool_fixture("prices.json")},
    }


def mock_mempool(
    aioclient_mock: AiohttpClientMocker,
    overrides: dict[str, dict[str, Any]] | None = None,
    *,
    base_url: str = DEFAULT_BASE_URL,
) -> None:
    """Answer every endpoint; ``overrides`` replace the answers of some, keyed by path."""
    get: Callable[..., None] = aioclient_mock.get  # the mocker is untyped
    for path, answer in (mempool_answers() | (overrides or {})).items():
        get(base_url + path, **answer)


@pytest.fixture
def mempool_api(aioclient_mock: AiohttpClientMocker) -> AiohttpClientMocker:
    """The public mempool API, answered with recorded-shape payloads (never the internet)."""
    mock_mempool(aioclient_mock)
    return aioclient_mock


@pytest.fixture
def loopback(socket_enabled: None, mempool_api: AiohttpClientMocker) -> None:
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


@pytest.fixture(autouse=True)
async def stop_automations(hass: HomeAssistant) -> AsyncIterator[None]:
    """Detach the automations' triggers (time patterns) before Home Assistant stops."""
    yield
    if hass.services.has_service("automation", "turn_off"):
        await hass.services.async_call(
            "automation", "turn_off", {"entity_id": "all"}, blocking=True
        )


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create every entity enabled, as core's fixture of this name does."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield
