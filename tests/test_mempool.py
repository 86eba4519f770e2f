"""Network data from a mempool-compatible API, answered by aioclient_mock (no real network)."""

import asyncio
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import aiohttp
import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from yarl import URL

from custom_components.hashheat.domain.bitcoin import expected_btc_per_day
from custom_components.hashheat.mempool import (
    DEFAULT_BASE_URL,
    HASHRATE_PATH,
    HEIGHT_PATH,
    PRICES_PATH,
    REWARD_STATS_PATH,
    SUPPORTED_CURRENCIES,
    MempoolConnectionError,
    MempoolDataError,
    MempoolError,
    fetch_network_stats,
    validate_base_url,
)

from .helpers.mempool import mempool_fixture, mock_mempool

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
PATHS = (HEIGHT_PATH, HASHRATE_PATH, REWARD_STATS_PATH, PRICES_PATH)
JSON_PATHS = (HASHRATE_PATH, REWARD_STATS_PATH, PRICES_PATH)


@pytest.fixture
async def session(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> aiohttp.ClientSession:
    """Home Assistant's shared session, which aioclient_mock answers (it must patch first)."""
    return async_get_clientsession(hass)


async def _fetch(session: aiohttp.ClientSession, currency: str = "USD", **kwargs: Any) -> Any:
    kwargs.setdefault("base_url", DEFAULT_BASE_URL)
    return await fetch_network_stats(session, currency=currency, now=lambda: NOW, **kwargs)


async def test_fetch_network_stats(
    session: aiohttp.ClientSession, aioclient_mock: AiohttpClientMocker
) -> None:
    mock_mempool(aioclient_mock)
    stats = await _fetch(session)
    assert stats.height == 925_000
    assert stats.difficulty == 152_271_405_447_597.1
    # 2,975,312,847 sats over blocks 924,857..925,000 (144 blocks).
    assert stats.fees_per_block_sats == pytest.approx(2_975_312_847 / 144)
    assert stats.btc_price == 101_234
    assert stats.currency == "USD"
    assert stats.fetched_at == NOW
    assert stats.subsidy_sats == 312_500_000
    assert stats.reward_per_block_btc == pytest.approx(3.125 + 0.20661894770833)
    assert sorted(str(call[1]) for call in aioclient_mock.mock_calls) == sorted(
        DEFAULT_BASE_URL + path for path in PATHS
    )
    # 100 TH/s at this difficulty: 100e12 x 86,400 / (1.52e14 x 2^32) blocks a day.
    blocks = 100e12 * 86_400 / (152_271_405_447_597.1 * 2**32)
    assert expected_btc_per_day(hashrate_ths=100, stats=stats, pool_fee=0) == pytest.approx(
        blocks * (312_500_000 + 2_975_312_847 / 144) / 1e8
    )


async def test_default_time_is_utc_now(
    session: aiohttp.ClientSession, aioclient_mock: AiohttpClientMocker
) -> None:
    mock_mempool(aioclient_mock)
    before = datetime.now(UTC)
    stats = await fetch_network_stats(session, base_url=DEFAULT_BASE_URL, currency="USD")
    assert before <= stats.fetched_at <= datetime.now(UTC)


@pytest.mark.parametrize(("currency", "price"), [("eur", 87_321), (" JPY ", 15_612_345)])
async def test_currency_is_normalised(
    session: aiohttp.ClientSession,
    aioclient_mock: AiohttpClientMocker,
    currency: str,
    price: float,
) -> None:
    mock_mempool(aioclient_mock)
    stats = await _fetch(session, currency)
    assert stats.btc_price == price
    assert stats.currency == currency.strip().upper()


def test_supported_currencies_are_those_the_prices_endpointmempool_answers() -> None:
    assert set(mempool_fixture("prices.json")) - {"time"} == SUPPORTED_CURRENCIES


async def test_custom_base_url(
    session: aiohttp.ClientSession, aioclient_mock: AiohttpClientMocker
) -> None:
    mock_mempool(aioclient_mock, base_url="http://umbrel.local:3006/mempool")
    stats = await _fetch(session, base_url="http://umbrel.local:3006/mempool/")
    assert stats.height == 925_000
    assert {call[1].host for call in aioclient_mock.mock_calls} == {"umbrel.local"}
    assert URL("http://umbrel.local:3006/mempool/api/v1/prices") in {
        call[1] for call in aioclient_mock.mock_calls
    }


async def test_unsupported_currency_has_no_price(
    session: aiohttp.ClientSession, aioclient_mock: AiohttpClientMocker
) -> None:
    mock_mempool(aioclient_mock)
    stats = await _fetch(session, "SEK")
    assert stats.btc_price is None
    assert stats.currency == "SEK"
    assert expected_btc_per_day(hashrate_ths=100, stats=stats, pool_fee=0.02) > 0


async def test_converted_currency_of_a_newer_backend_is_used(
    session: aiohttp.ClientSession, aioclient_mock: AiohttpClientMocker
) -> None:
    mock_mempool(
        aioclient_mock,
        {PRICES_PATH: {"json": {**mempool_fixture("prices.json"), "SEK": 1_105_000}}},
    )
    assert (await _fetch(session, "SEK")).btc_price == 1_105_000


@pytest.mark.parametrize("unknown", [-1, 0, None])
async def test_unknown_price_is_none(
    session: aiohttp.ClientSession, aioclient_mock: AiohttpClientMocker, unknown: float | None
) -> None:
    # mempool answers -1 for a currency whose price it does not know (price-updater.ts).
    mock_mempool(
        aioclient_mock, {PRICES_PATH: {"json": {**mempool_fixture("prices.json"), "USD": unknown}}}
    )
    stats = await _fetch(session)
    assert stats.btc_price is None
    assert stats.height == 925_000


@pytest.mark.parametrize("currency", ["", "EURO", "US$", "time", "12A"])
async def test_invalid_currency_code(session: aiohttp.ClientSession, currency: str) -> None:
    with pytest.raises(ValueError, match="currency"):
        await _fetch(session, currency)


@pytest.mark.parametrize("base_url", ["mempool.space", "ftp://mempool.space", ""])
async def test_invalid_base_url(session: aiohttp.ClientSession, base_url: str) -> None:
    with pytest.raises(ValueError, match="URL"):
        await _fetch(session, base_url=base_url)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"exc": TimeoutError()}, "timed out"),
        ({"exc": aiohttp.ClientConnectionError("refused")}, "ClientConnectionError"),
        ({"exc": aiohttp.ServerDisconnectedError()}, "ServerDisconnectedError"),
        ({"status": HTTPStatus.INTERNAL_SERVER_ERROR, "text": "Oops"}, "HTTP 500"),
        ({"status": HTTPStatus.SERVICE_UNAVAILABLE}, "HTTP 503"),
        ({"status": HTTPStatus.NOT_FOUND, "text": "Not found"}, "HTTP 404"),
        ({"closing": True}, "ClientConnectionError"),
    ],
)
async def test_endpoint_unreachable(
    session: aiohttp.ClientSession,
    aioclient_mock: AiohttpClientMocker,
    path: str,
    answer: dict[str, Any],
    message: str,
) -> None:
    mock_mempool(aioclient_mock, {path: answer})
    with pytest.raises(MempoolConnectionError, match=message) as caught:
        await _fetch(session)
    assert path in str(caught.value)
    assert "\n" not in str(caught.value)
    assert "Traceback" not in str(caught.value)


@pytest.mark.parametrize("path", JSON_PATHS)
@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"text": "<html><body>502 Bad Gateway</body></html>"}, "did not answer JSON"),
        ({"text": '{"currentDifficulty": 1.5e14'}, "did not answer JSON"),
        ({"text": ""}, "did not answer JSON"),
        ({"content": b"\xff\xfe{}"}, "did not answer JSON"),
        ({"json": [1, 2, 3]}, "did not answer a JSON object"),
        ({"text": "null"}, "did not answer a JSON object"),
    ],
)
async def test_malformed_json(
    session: aiohttp.ClientSession,
    aioclient_mock: AiohttpClientMocker,
    path: str,
    answer: dict[str, Any],
    message: str,
) -> None:
    mock_mempool(aioclient_mock, {path: answer})
    with pytest.raises(MempoolDataError, match=message) as caught:
        await _fetch(session)
    assert path in str(caught.value)


@pytest.mark.parametrize(
    "text", ["", "abc", "-5", "+5", "12.5", "9e5", "1_000", "1" * 13, "[925000]", "٩٢٥٠٠٠"]
)
async def test_bad_height(
    session: aiohttp.ClientSession, aioclient_mock: AiohttpClientMocker, text: str
) -> None:
    mock_mempool(aioclient_mock, {HEIGHT_PATH: {"text": text}})
    with pytest.raises(MempoolDataError, match="block height"):
        await _fetch(session)


async def test_height_with_whitespace(
    session: aiohttp.ClientSession, aioclient_mock: AiohttpClientMocker
) -> None:
    mock_mempool(aioclient_mock, {HEIGHT_PATH: {"text": "925000\n"}})
    assert (await _fetch(session)).height == 925_000


@pytest.mark.parametrize(
    ("difficulty", "message"),
    [
        ("abc", "not a number"),
        (True, "not a number"),
        (None, "not a number"),
        ([1.5e14], "not a number"),
        (-1.5e14, "negative"),
        (0, "no current difficulty"),  # the backend's answer while its Bitcoin node is down
        ("NaN", "not a number"),
        ("1e400", "not a number"),
    ],
)
async def test_bad_difficulty(
    session: aiohttp.ClientSession,
    aioclient_mock: AiohttpClientMocker,
    difficulty: Any,
    message: str,
) -> None:
    data = {**mempool_fixture("hashrate_3d.json"), "currentDifficulty": difficulty}
    mock_mempool(aioclient_mock, {HASHRATE_PATH: {"json": data}})
    with pytest.raises(MempoolDataError, match=message):
        await _fetch(session)


async def test_missing_difficulty(
    session: aiohttp.ClientSession, aioclient_mock: AiohttpClientMocker
) -> None:
    data = mempool_fixture("hashrate_3d.json")
    del data["currentDifficulty"]
    mock_mempool(aioclient_mock, {HASHRATE_PATH: {"json": data}})
    with pytest.raises(MempoolDataError, match="currentDifficulty is missing"):
        await _fetch(session)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400"])
async def test_non_finite_json_difficulty(
    session: aiohttp.ClientSession, aioclient_mock: AiohttpClientMocker, value: str
) -> None:
    # Python's JSON parser accepts NaN and Infinity (and overflows 1e400 to it): no network has.
    mock_mempool(aioclient_mock, {HASHRATE_PATH: {"text": f'{{"currentDifficulty": {value}}}'}})
    with pytest.raises(MempoolDataError, match="not a number"):
        await _fetch(session)


async def test_numeric_difficulty_string_is_accepted(
    session: aiohttp.ClientSession, aioclient_mock: AiohttpClientMocker
) -> None:
    mock_mempool(aioclient_mock, {HASHRATE_PATH: {"json": {"currentDifficulty": "1.2e14"}}})
    assert (await _fetch(session)).difficulty == 1.2e14


@pytest.mark.parametrize(
    ("stats", "fees"),
    [
        # The real shape: SQL sums as strings.
        ({"startBlock": 924857, "endBlock": 925000, "totalFee": "2975312847"}, 2975312847 / 144),
        # Numbers are accepted too.
        ({"startBlock": 924857, "endBlock": 925000, "totalFee": 2975312847}, 2975312847 / 144),
        # A backend that indexed only 100 blocks sums only those.
        ({"startBlock": 924901, "endBlock": 925000, "totalFee": "2000000000"}, 2e9 / 100),
        # A gap in the heights: the sum still covers at most the 144 blocks asked for.
        ({"startBlock": 924000, "endBlock": 925000, "totalFee": "2880000000"}, 2.88e9 / 144),
        ({"startBlock": 925000, "endBlock": 925000, "totalFee": "25000000"}, 25_000_000),
        # No block bounds: the sum covers the 144 blocks asked for.
        ({"totalFee": "2880000000"}, 20_000_000),
        ({"startBlock": None, "endBlock": None, "totalFee": "2880000000"}, 20_000_000),
        ({"startBlock": "924857", "endBlock": "925000", "totalFee": "0"}, 0),
    ],
)
async def test_fees_per_block(
    session: aiohttp.ClientSession,
    aioclient_mock: AiohttpClientMocker,
    stats: dict[str, Any],
    fees: float,
) -> None:
    mock_mempool(aioclient_mock, {REWARD_STATS_PATH: {"json": stats}})
    assert (await _fetch(session)).fees_per_block_sats == pytest.approx(fees)


@pytest.mark.parametrize(
    ("stats", "message"),
    [
        ({"startBlock": 924857, "endBlock": 925000}, "totalFee is missing"),
        # What the backend answers before it has indexed any block (SQL sums of nothing).
        ({"startBlock": None, "endBlock": None, "totalFee": None}, "totalFee is missing"),
        ({"startBlock": 924857, "endBlock": 925000, "totalFee": "abc"}, "not a number"),
        ({"startBlock": 924857, "endBlock": 925000, "totalFee": "-5"}, "negative"),
        ({"startBlock": 925000, "endBlock": 924857, "totalFee": "5"}, "invalid block range"),
        ({"startBlock": 924857, "totalFee": "5"}, "invalid block range"),
        ({"startBlock": "x", "endBlock": 925000, "totalFee": "5"}, "invalid block range"),
        ({"startBlock": -1, "endBlock": 925000, "totalFee": "5"}, "invalid block range"),
        ({"startBlock": 1.5, "endBlock": 925000, "totalFee": "5"}, "invalid block range"),
        ({"startBlock": True, "endBlock": 925000, "totalFee": "5"}, "invalid block range"),
    ],
)
async def test_bad_reward_stats(
    session: aiohttp.ClientSession,
    aioclient_mock: AiohttpClientMocker,
    stats: dict[str, Any],
    message: str,
) -> None:
    mock_mempool(aioclient_mock, {REWARD_STATS_PATH: {"json": stats}})
    with pytest.raises(MempoolDataError, match=message):
        await _fetch(session)


@pytest.mark.parametrize("price", ["abc", True, [1], {"price": 1}, "Infinity"])
async def test_bad_price(
    session: aiohttp.ClientSession, aioclient_mock: AiohttpClientMocker, price: Any
) -> None:
    mock_mempool(
        aioclient_mock, {PRICES_PATH: {"json": {**mempool_fixture("prices.json"), "USD": price}}}
    )
    with pytest.raises(MempoolDataError, match="USD price is not a number"):
        await _fetch(session)


async def test_a_bad_price_of_another_currency_does_not_matter(
    session: aiohttp.ClientSession, aioclient_mock: AiohttpClientMocker
) -> None:
    mock_mempool(
        aioclient_mock, {PRICES_PATH: {"json": {**mempool_fixture("prices.json"), "EUR": "abc"}}}
    )
    assert (await _fetch(session)).btc_price == 101_234


async def test_overall_timeout(
    session: aiohttp.ClientSession,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    asked = asyncio.Event()

    async def never(*_: Any) -> Any:
        asked.set()
        await asyncio.sleep(3600)

    mock_mempool(aioclient_mock, {PRICES_PATH: {"side_effect": never}})
    fetch = asyncio.ensure_future(_fetch(session, timeout=0.05))
    await asked.wait()
    freezer.tick(0.06)  # past the timeout
    with pytest.raises(MempoolConnectionError, match=r"No answer within 0\.05 s"):
        await fetch


async def test_first_failure_cancels_the_other_requests(
    session: aiohttp.ClientSession, aioclient_mock: AiohttpClientMocker
) -> None:
    cancelled = asyncio.Event()

    async def slow(*_: Any) -> Any:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    mock_mempool(
        aioclient_mock,
        {PRICES_PATH: {"side_effect": slow}, HEIGHT_PATH: {"status": HTTPStatus.BAD_GATEWAY}},
    )
    async with asyncio.timeout(5):
        with pytest.raises(MempoolConnectionError, match="HTTP 502") as caught:
            await _fetch(session, timeout=60)
    assert cancelled.is_set()
    assert isinstance(caught.value, MempoolError)


async def test_failure_keeps_its_cause(
    session: aiohttp.ClientSession, aioclient_mock: AiohttpClientMocker
) -> None:
    mock_mempool(aioclient_mock, {HASHRATE_PATH: {"exc": aiohttp.ClientConnectionError("refused")}})
    with pytest.raises(MempoolConnectionError) as caught:
        await _fetch(session)
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectionError)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://mempool.space", "https://mempool.space"),
        ("https://mempool.space/", "https://mempool.space"),
        ("  HTTPS://Mempool.Space//  ", "https://mempool.space"),
        ("http://192.168.1.20:8999", "http://192.168.1.20:8999"),
        ("http://umbrel.local:3006/", "http://umbrel.local:3006"),
        ("https://example.com/mempool/", "https://example.com/mempool"),
        ("http://[FD00::1]:8999/", "http://[fd00::1]:8999"),
        ("https://mempool.space:443", "https://mempool.space:443"),
    ],
)
def test_valid_base_urls(text: str, expected: str) -> None:
    assert validate_base_url(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "1 to 200 characters"),
        ("   ", "1 to 200 characters"),
        ("https://" + "a" * 190 + ".com", "1 to 200 characters"),
        ("mempool.space", "http:// or https://"),
        ("ftp://mempool.space", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("https://", "no host"),
        ("https://:8999", "no host"),
        ("https:///api", "no host"),
        ("https://mempool.space?x=1", "query or a fragment"),
        ("https://mempool.space/#top", "query or a fragment"),
        ("https://user:secret@mempool.space", "credentials"),
        ("https://mempool.space:99999", "Invalid host or port"),
        ("https://mempool.space:abc", "Invalid host or port"),
        ("https://mempool.space:0", "Invalid host or port"),
        ("https://<script>/", "Invalid host or port"),
        ("https://mem..pool/", "Invalid host or port"),
        ("https://-mempool.local/", "Invalid host or port"),
        ("http://[fd00::1", "Invalid host or port"),
        ("https://mem pool.space", "spaces or control characters"),
        ("https://mempool.space/\x00", "spaces or control characters"),
    ],
)
def test_invalid_base_urls(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_base_url(text)
