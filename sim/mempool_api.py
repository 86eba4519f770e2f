"""A mempool-compatible REST API with fixed Bitcoin network figures, for an offline site.

Answers the four endpoints a mempool client reads for mining revenue (tip height, difficulty,
fees of the last 144 blocks, bitcoin prices) in the shapes of mempool.space's API, so the demo
site's revenue needs no internet: point the site's mempool URL at the simulator's HTTP server.
"""

import time
from dataclasses import dataclass, field

from aiohttp import web

__all__ = ["NetworkFigures", "add_mempool_routes"]

_FEE_WINDOW = 144


@dataclass(frozen=True, kw_only=True, slots=True)
class NetworkFigures:
    """Bitcoin network figures of late 2025 (height, difficulty, fees, prices)."""

    height: int = 925_000
    difficulty: float = 152_271_405_447_597.1
    hashrate_hs: float = 1.0688e21
    fees_per_block_sats: int = 20_661_895
    subsidy_sats: int = 312_500_000
    prices: dict[str, float] = field(
        default_factory=lambda: {
            "USD": 101_234,
            "EUR": 87_321,
            "GBP": 76_890,
            "CAD": 141_920,
            "CHF": 80_410,
            "AUD": 155_600,
            "JPY": 15_612_345,
        }
    )


def add_mempool_routes(app: web.Application, figures: NetworkFigures) -> None:
    """Serve ``figures`` at mempool's paths on ``app``."""

    async def height(_: web.Request) -> web.Response:
        return web.Response(text=str(figures.height))

    async def hashrate(_: web.Request) -> web.Response:
        return web.json_response(
            {
                "hashrates": [],
                "difficulty": [],
                "currentHashrate": figures.hashrate_hs,
                "currentDifficulty": figures.difficulty,
            }
        )

    async def reward_stats(_: web.Request) -> web.Response:
        fees = figures.fees_per_block_sats * _FEE_WINDOW
        # SQL sums: strings of satoshis.
        return web.json_response(
            {
                "startBlock": figures.height - _FEE_WINDOW + 1,
                "endBlock": figures.height,
                "totalReward": str(fees + figures.subsidy_sats * _FEE_WINDOW),
                "totalFee": str(fees),
                "totalTx": str(3_500 * _FEE_WINDOW),
            }
        )

    async def prices(_: web.Request) -> web.Response:
        return web.json_response({"time": int(time.time()), **figures.prices})

    app.router.add_get("/api/blocks/tip/height", height)
    app.router.add_get("/api/v1/mining/hashrate/3d", hashrate)
    app.router.add_get(f"/api/v1/mining/reward-stats/{_FEE_WINDOW}", reward_stats)
    app.router.add_get("/api/v1/prices", prices)
