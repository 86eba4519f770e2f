"""The public mempool API, answered with recorded-shape payloads (never the internet)."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.hashheat.mempool import (
    DEFAULT_BASE_URL,
    HASHRATE_PATH,
    HEIGHT_PATH,
    PRICES_PATH,
    REWARD_STATS_PATH,
)

MEMPOOL_FIXTURES = Path(__file__).parent.parent / "fixtures" / "mempool"


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
