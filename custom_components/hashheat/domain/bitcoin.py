"""Mining revenue arithmetic: block subsidies, network figures and a miner's expected earnings.

A miner finds a block with probability (its hashes) / (difficulty x 2^32), so over a day it
expects hashrate x 86400 / (difficulty x 2^32) blocks, each worth the subsidy plus the fees.
A pool pays that expectation (FPPS/PPLNS on average) less its fee.
"""

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Final

HALVING_INTERVAL: Final = 210_000
INITIAL_SUBSIDY_SATS: Final = 5_000_000_000
SATS_PER_BTC: Final = 100_000_000
TARGET_BLOCK_SECONDS: Final = 600

# Bitcoin Core's GetBlockSubsidy: the subsidy is 0 from 64 halvings on (a shift by 64 or more is
# undefined in C++); in practice the right shift reaches 0 at 33 halvings already.
MAX_HALVINGS: Final = 64
HASHES_PER_DIFFICULTY: Final = 2**32
SECONDS_PER_DAY: Final = 86_400
HASHES_PER_TERAHASH: Final = 1e12


def block_subsidy_sats(height: int) -> int:
    """The new coins a block at ``height`` may create, in satoshis (consensus rule)."""
    if height < 0:
        raise ValueError(f"A block height cannot be negative, not {height}")
    halvings = height // HALVING_INTERVAL
    if halvings >= MAX_HALVINGS:
        return 0
    return INITIAL_SUBSIDY_SATS >> halvings


def _finite(value: float, name: str, *, positive: bool = False) -> None:
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        kind = "positive" if positive else "non-negative"
        raise ValueError(f"The {name} must be a finite {kind} number, not {value}")


@dataclass(frozen=True, kw_only=True, slots=True)
class NetworkStats:
    """The Bitcoin network at one moment: what a block takes to find and what it pays.

    ``fees_per_block_sats`` is an average over recent blocks; ``btc_price`` is the price of one
    BTC in ``currency``, or None when the source has no price in that currency.
    """

    difficulty: float
    height: int
    fees_per_block_sats: float
    btc_price: float | None
    currency: str
    fetched_at: datetime

    def __post_init__(self) -> None:
        """Reject figures no network has, so that every derived value is finite."""
        _finite(self.difficulty, "difficulty", positive=True)
        _finite(self.height, "block height")
        _finite(self.fees_per_block_sats, "fees per block")
        if self.btc_price is not None:
            _finite(self.btc_price, "BTC price", positive=True)

    @property
    def subsidy_sats(self) -> int:
        """The subsidy of the next block (the one being mined on the tip), in satoshis."""
        return block_subsidy_sats(self.height + 1)

    @property
    def reward_per_block_btc(self) -> float:
        """What a block pays its miner on average: subsidy plus fees, in BTC."""
        return (self.subsidy_sats + self.fees_per_block_sats) / SATS_PER_BTC


def _check_pool_fee(pool_fee: float) -> None:
    if not 0 <= pool_fee <= 1:
        raise ValueError(f"The pool fee must be a fraction from 0 to 1, not {pool_fee}")


def expected_btc_per_day(*, hashrate_ths: float, stats: NetworkStats, pool_fee: float) -> float:
    """The BTC a miner of ``hashrate_ths`` earns per day on average, after the pool's fee."""
    _finite(hashrate_ths, "hashrate")
    _check_pool_fee(pool_fee)
    blocks_per_day = (
        hashrate_ths
        * HASHES_PER_TERAHASH
        * SECONDS_PER_DAY
        / (stats.difficulty * HASHES_PER_DIFFICULTY)
    )
    return blocks_per_day * stats.reward_per_block_btc * (1 - pool_fee)


def revenue_per_day(*, hashrate_ths: float, stats: NetworkStats, pool_fee: float) -> float | None:
    """What a miner of ``hashrate_ths`` earns per day in the stats' currency, if priced."""
    btc = expected_btc_per_day(hashrate_ths=hashrate_ths, stats=stats, pool_fee=pool_fee)
    return btc * stats.btc_price if stats.btc_price is not None else None
