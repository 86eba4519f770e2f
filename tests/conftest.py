"""Fixtures: the real Home Assistant test harness plus simulated miners on loopback."""

import logging
from collections.abc import AsyncIterator, Iterator
from unittest.mock import PropertyMock, patch

import pytest
import pytest_socket
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from syrupy.assertion import SnapshotAssertion

from sim import Fleet

from .helpers.mempool import mock_mempool
from .helpers.miners import simulated_fleet
from .helpers.snapshots import SNAPSHOT_MODELS, SNAPSHOT_TIME, pin_identity

# The test harness sets SQLAlchemy's engine log to INFO when it loads, so every statement of the
# recorder's database would fill the test output; a failure's log stays readable without them.
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components."""


@pytest.fixture
def mempool_api(aioclient_mock: AiohttpClientMocker) -> AiohttpClientMocker:
    """The public mempool API, answered with recorded-shape payloads (never the internet)."""
    mock_mempool(aioclient_mock)
    return aioclient_mock


@pytest.fixture
def loopback(socket_enabled: None, mempool_api: AiohttpClientMocker) -> None:
    """Allow real connections to the whole loopback range, where the simulator listens."""
    pytest_socket.socket_allow_hosts(["127.0.0.0/8"], allow_unix_socket=True)


@pytest.fixture
async def fleet(loopback: None, request: pytest.FixtureRequest) -> AsyncIterator[Fleet]:
    """Simulated miners: one LuxOS by default; parametrize indirectly with a count of LuxOS
    miners or a list of model names (e.g. ``["Antminer S19 XP", "Avalon Mini3"]``).
    """
    async with simulated_fleet(getattr(request, "param", 1)) as running:
        yield running


@pytest.fixture
async def snapshot_fleet(loopback: None, freezer: FrozenDateTimeFactory) -> AsyncIterator[Fleet]:
    """The snapshot tests' miners (see tests/helpers/snapshots.py), started at a fixed time."""
    freezer.move_to(SNAPSHOT_TIME)
    async with simulated_fleet(SNAPSHOT_MODELS) as running:
        for number, miner in enumerate(running, start=1):
            pin_identity(miner, number)
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


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Syrupy's snapshot with Home Assistant's serializer (ids as ANY, states as core shows them),
    kept in tests/snapshots/; syrupy's own fixture would win over the harness's.
    """
    return snapshot.use_extension(HomeAssistantSnapshotExtension)
