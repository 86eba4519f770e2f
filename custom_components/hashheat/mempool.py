"""Bitcoin network data from a mempool-compatible REST API (mempool.space or a self-hosted one).

The shapes follow mempool's API documentation (mempool.space/docs/api/rest, generated from
frontend/src/app/docs/api-docs/api-docs-data.ts) and its backend (api/bitcoin/bitcoin.routes.ts,
api/mining/mining-routes.ts, repositories/BlocksRepository.ts, tasks/price-updater.ts), as of
github.com/mempool/mempool commit 3b6ed8b (August 2026):

- ``/api/blocks/tip/height``: the height as plain text, e.g. ``871234``.
- ``/api/v1/mining/hashrate/3d``: ``{"hashrates": [...], "difficulty": [...],
  "currentHashrate": 8.1e20, "currentDifficulty": 1.1e14}``; the backend answers 0 for both
  ``current`` figures when it cannot reach its Bitcoin node.
- ``/api/v1/mining/reward-stats/144``: ``{"startBlock": 736556, "endBlock": 736655,
  "totalReward": "63811748254", "totalFee": "1311748254", "totalTx": "164216"}``; the totals
  are SQL sums, which come as strings of satoshis.
- ``/api/v1/prices``: ``{"time": 1703252411, "USD": 43753, "EUR": 40545, ...}``; -1 for a
  currency whose price the backend does not know.

A fetch is all or nothing: any endpoint failing fails it, so revenue never mixes fresh and
missing figures. Only a currency the source has no price for is not a failure: the price is then
None, and the BTC figures still work.
"""

import asyncio
import ipaddress
import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp

from .domain.bitcoin import NetworkStats

DEFAULT_BASE_URL: Final = "https://mempool.space"
# The currencies mempool's exchange feeds price; newer backends may add converted ones (SEK,
# BRL, ...) when configured with a conversion feed, which are used when present.
SUPPORTED_CURRENCIES: Final = frozenset({"USD", "EUR", "GBP", "CAD", "CHF", "AUD", "JPY"})
DEFAULT_TIMEOUT: Final = 20.0
MAX_URL_LENGTH: Final = 200
# One day of blocks: enough to smooth out single fee-rich blocks, short enough to follow demand.
FEE_WINDOW_BLOCKS: Final = 144

HEIGHT_PATH: Final = "/api/blocks/tip/height"
HASHRATE_PATH: Final = "/api/v1/mining/hashrate/3d"
REWARD_STATS_PATH: Final = f"/api/v1/mining/reward-stats/{FEE_WINDOW_BLOCKS}"
PRICES_PATH: Final = "/api/v1/prices"

_DIGITS: Final = re.compile(r"[0-9]{1,12}")
# A DNS name (underscores allowed: container and mDNS names have them) or an IP address.
_HOST_LABEL: Final = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")
_CURRENCY: Final = re.compile(r"[A-Z]{3}")


class MempoolError(Exception):
    """The network data could not be fetched."""


class MempoolConnectionError(MempoolError):
    """The API did not answer, timed out or answered with an HTTP error."""


class MempoolDataError(MempoolError):
    """The API answered with something that is not the data expected."""


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return all(_HOST_LABEL.fullmatch(label) for label in host.removesuffix(".").split("."))
    return True


def validate_base_url(text: str) -> str:
    """Return the API's base URL normalised (no trailing slash); raise ValueError if unusable."""
    text = text.strip()
    if not text or len(text) > MAX_URL_LENGTH:
        raise ValueError(f"A URL must have 1 to {MAX_URL_LENGTH} characters")
    if any(char.isspace() or not char.isprintable() for char in text):
        raise ValueError("A URL cannot contain spaces or control characters")
    if "?" in text or "#" in text:
        raise ValueError("A base URL cannot have a query or a fragment")
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError as err:
        raise ValueError(f"Invalid host or port: {err}") from err
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise ValueError("The URL must start with http:// or https://")
    if not host:
        raise ValueError("The URL has no host")
    if not _is_host(host) or port == 0:
        raise ValueError(f"Invalid host or port: {host}")
    if parts.username is not None or parts.password is not None:
        raise ValueError("The URL cannot contain credentials")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


async def _get(session: aiohttp.ClientSession, url: str, path: str) -> bytes:
    """Return the body of a successful GET; MempoolConnectionError otherwise."""
    try:
        async with session.get(url + path) as response:
            if response.status >= HTTPStatus.BAD_REQUEST:
                raise MempoolConnectionError(f"{path} answered HTTP {response.status}")
            return await response.read()
    except TimeoutError as err:  # aiohttp's own timeouts (the session's, or a socket's)
        raise MempoolConnectionError(f"{path} timed out") from err
    except aiohttp.ClientError as err:
        raise MempoolConnectionError(f"{path} failed: {type(err).__name__}") from err


def _json_object(body: bytes, path: str) -> Mapping[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as err:  # JSONDecodeError and UnicodeDecodeError
        raise MempoolDataError(f"{path} did not answer JSON") from err
    if not isinstance(data, dict):
        raise MempoolDataError(f"{path} did not answer a JSON object")
    return data


def _as_float(value: object) -> float | None:
    """A finite number from a JSON number or a numeric string; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError, OverflowError:
        return None
    return number if math.isfinite(number) else None


def _number(data: Mapping[str, Any], key: str, path: str) -> float:
    """A finite, non-negative number; numeric strings count (SQL sums come as strings)."""
    number = _as_float(data.get(key))
    if number is None:
        raise MempoolDataError(f"{path}: {key} is missing or not a number")
    if number < 0:
        raise MempoolDataError(f"{path}: {key} is negative")
    return number


def _integer(value: object) -> int | None:
    """A non-negative integer from a JSON integer or a string of digits."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


async def _height(session: aiohttp.ClientSession, url: str) -> int:
    body = await _get(session, url, HEIGHT_PATH)
    try:
        height = _integer(body.decode("ascii").strip())
    except UnicodeDecodeError:
        height = None
    if height is None:
        raise MempoolDataError(f"{HEIGHT_PATH} did not answer a block height")
    return height


async def _difficulty(session: aiohttp.ClientSession, url: str) -> float:
    data = _json_object(await _get(session, url, HASHRATE_PATH), HASHRATE_PATH)
    difficulty = _number(data, "currentDifficulty", HASHRATE_PATH)
    if difficulty == 0:  # what the backend answers while its Bitcoin node is unreachable
        raise MempoolDataError(f"{HASHRATE_PATH}: no current difficulty")
    return difficulty


async def _fees_per_block(session: aiohttp.ClientSession, url: str) -> float:
    data = _json_object(await _get(session, url, REWARD_STATS_PATH), REWARD_STATS_PATH)
    total_fee = _number(data, "totalFee", REWARD_STATS_PATH)
    start, end = data.get("startBlock"), data.get("endBlock")
    if start is None and end is None:
        # Not in the documented shape, but the sum still covers the blocks asked for.
        return total_fee / FEE_WINDOW_BLOCKS
    first, last = _integer(start), _integer(end)
    if first is None or last is None or last < first:
        raise MempoolDataError(f"{REWARD_STATS_PATH}: invalid block range")
    # The sum covers at most the blocks asked for; fewer when the backend indexed fewer.
    return total_fee / min(last - first + 1, FEE_WINDOW_BLOCKS)


async def _price(session: aiohttp.ClientSession, url: str, currency: str) -> float | None:
    data = _json_object(await _get(session, url, PRICES_PATH), PRICES_PATH)
    if data.get(currency) is None:
        return None
    price = _as_float(data[currency])
    if price is None:
        raise MempoolDataError(f"{PRICES_PATH}: the {currency} price is not a number")
    # mempool answers -1 for a price it does not know.
    return price if price > 0 else None


async def _fetch_all(
    session: aiohttp.ClientSession, url: str, currency: str
) -> tuple[int, float, float, float | None]:
    try:
        async with asyncio.TaskGroup() as group:
            height = group.create_task(_height(session, url))
            difficulty = group.create_task(_difficulty(session, url))
            fees = group.create_task(_fees_per_block(session, url))
            price = group.create_task(_price(session, url, currency))
    except* MempoolError as errors:
        # The first failure cancels the other requests; report it alone, with its own cause.
        first = errors.exceptions[0]
        raise first from first.__cause__
    return height.result(), difficulty.result(), fees.result(), price.result()


async def fetch_network_stats(
    session: aiohttp.ClientSession,
    *,
    base_url: str,
    currency: str,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - one deadline for the concurrent requests
    now: Callable[[], datetime] | None = None,
) -> NetworkStats:
    """Fetch the difficulty, height, recent fees and BTC price, concurrently.

    Raise ValueError for an unusable base URL or a currency that is not a three-letter code,
    MempoolConnectionError or MempoolDataError when any endpoint fails.
    """
    url = validate_base_url(base_url)
    code = currency.strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise ValueError(f"Not a currency code: {currency!r}")
    try:
        async with asyncio.timeout(timeout):
            height, difficulty, fees, price = await _fetch_all(session, url, code)
    except TimeoutError:
        raise MempoolConnectionError(f"No answer within {timeout:g} s") from None
    return NetworkStats(
        difficulty=difficulty,
        height=height,
        fees_per_block_sats=fees,
        btc_price=price,
        currency=code,
        fetched_at=now() if now is not None else datetime.now(UTC),
    )
