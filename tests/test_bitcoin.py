"""Mining revenue arithmetic, checked against hand-computed figures."""

import math
from datetime import UTC, datetime

import pytest

from custom_components.hashheat.domain.bitcoin import (
    HALVING_INTERVAL,
    NetworkStats,
    block_subsidy_sats,
    expected_btc_per_day,
    revenue_per_day,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _stats(
    *,
    difficulty: float = 1.0e14,
    height: int = 900_000,
    fees_per_block_sats: float = 2_000_000,
    btc_price: float | None = 100_000,
) -> NetworkStats:
    return NetworkStats(
        difficulty=difficulty,
        height=height,
        fees_per_block_sats=fees_per_block_sats,
        btc_price=btc_price,
        currency="USD",
        fetched_at=NOW,
    )


@pytest.mark.parametrize(
    ("height", "sats"),
    [
        (0, 5_000_000_000),  # 50 BTC, the genesis era
        (209_999, 5_000_000_000),
        (210_000, 2_500_000_000),  # first halving, November 2012
        (839_999, 625_000_000),  # 6.25 BTC
        (840_000, 312_500_000),  # 3.125 BTC: the April 2024 halving
        (1_050_000, 156_250_000),  # 1.5625 BTC
        (6_929_999, 1),  # 32 halvings: 5e9 >> 32 = 1 satoshi, the last one
        (6_930_000, 0),  # 33 halvings: the shift reaches 0
        (13_440_000, 0),  # 64 halvings: 0 by rule
        (10**12, 0),
    ],
)
def test_block_subsidy(height: int, sats: int) -> None:
    assert block_subsidy_sats(height) == sats


def test_all_subsidies_add_up_to_the_supply_cap() -> None:
    # Each era of 210,000 blocks pays its subsidy: 20,999,999.9769 BTC in all.
    total = sum(HALVING_INTERVAL * block_subsidy_sats(era * HALVING_INTERVAL) for era in range(70))
    assert total == 2_099_999_997_690_000


def test_negative_height_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        block_subsidy_sats(-1)


def test_network_figures() -> None:
    stats = _stats()
    # Height 900,000 is in the fifth era (900,000 // 210,000 = 4): 5e9 >> 4 = 312,500,000.
    assert stats.subsidy_sats == 312_500_000
    # (312,500,000 + 2,000,000) / 1e8 = 3.145 BTC.
    assert stats.reward_per_block_btc == pytest.approx(3.145, rel=1e-15)


def test_expected_btc_per_day() -> None:
    # Blocks per day: 100e12 x 86,400 / (1e14 x 2^32) = 86,400 / 2^32 = 675 / 2^25
    #   = 2.0116567611694336e-05 (one block every ~135.9 years).
    # BTC per day: 675 / 2^25 x 3.145 x (1 - 0.02) = 832,167 / 13,421,772,800
    #   = 6.200127303600311e-05 BTC (6,200 sats).
    btc = expected_btc_per_day(hashrate_ths=100, stats=_stats(), pool_fee=0.02)
    assert btc == pytest.approx(6.200127303600311e-05, rel=1e-12)
    assert btc == pytest.approx(675 / 2**25 * 3.145 * 0.98, rel=1e-12)


def test_expected_btc_scales_with_hashrate_and_difficulty() -> None:
    base = expected_btc_per_day(hashrate_ths=100, stats=_stats(), pool_fee=0.02)
    assert expected_btc_per_day(hashrate_ths=200, stats=_stats(), pool_fee=0.02) == pytest.approx(
        2 * base
    )
    assert expected_btc_per_day(
        hashrate_ths=100, stats=_stats(difficulty=2.0e14), pool_fee=0.02
    ) == pytest.approx(base / 2)
    assert expected_btc_per_day(hashrate_ths=0, stats=_stats(), pool_fee=0.02) == 0


def test_whole_network_earns_a_day_of_blocks() -> None:
    # The whole network's hashrate finds 144 blocks a day:
    # 1e14 x 2^32 / 600 / 1e12 = 715,827,882.67 TH/s (716 EH/s).
    stats = _stats()
    btc = expected_btc_per_day(hashrate_ths=715_827_882.6666666, stats=stats, pool_fee=0)
    assert btc == pytest.approx(144 * 3.145)


def test_pool_fee_bounds() -> None:
    stats = _stats()
    full = expected_btc_per_day(hashrate_ths=100, stats=stats, pool_fee=0)
    assert full == pytest.approx(675 / 2**25 * 3.145)
    assert expected_btc_per_day(hashrate_ths=100, stats=stats, pool_fee=1) == 0
    for fee in (-0.01, 1.01, math.nan):
        with pytest.raises(ValueError, match="pool fee"):
            expected_btc_per_day(hashrate_ths=100, stats=stats, pool_fee=fee)
        with pytest.raises(ValueError, match="pool fee"):
            revenue_per_day(hashrate_ths=1, stats=stats, pool_fee=fee)


@pytest.mark.parametrize("hashrate", [-1.0, math.nan, math.inf])
def test_impossible_hashrate_is_rejected(hashrate: float) -> None:
    with pytest.raises(ValueError, match="hashrate"):
        expected_btc_per_day(hashrate_ths=hashrate, stats=_stats(), pool_fee=0.02)


def test_hashprice_and_revenue() -> None:
    # 1 TH/s: 6.200127303600311e-07 BTC/day x 100,000 USD = 0.06200127 USD per TH/s per day.
    assert revenue_per_day(hashrate_ths=1, stats=_stats(), pool_fee=0.02) == pytest.approx(
        0.06200127303600311, rel=1e-12
    )
    # 100 TH/s: 6.200127303600311e-05 BTC/day x 100,000 USD = 6.20 USD/day.
    assert revenue_per_day(hashrate_ths=100, stats=_stats(), pool_fee=0.02) == pytest.approx(
        6.200127303600311, rel=1e-12
    )


def test_no_price_no_money() -> None:
    stats = _stats(btc_price=None)
    assert revenue_per_day(hashrate_ths=100, stats=stats, pool_fee=0.02) is None
    assert expected_btc_per_day(hashrate_ths=100, stats=stats, pool_fee=0.02) > 0


@pytest.mark.parametrize(
    "changes",
    [
        {"difficulty": 0.0},
        {"difficulty": -1.0},
        {"difficulty": math.nan},
        {"difficulty": math.inf},
        {"height": -1},
        {"fees_per_block_sats": -1.0},
        {"fees_per_block_sats": math.nan},
        {"btc_price": 0.0},
        {"btc_price": -1.0},
        {"btc_price": math.inf},
    ],
)
def test_impossible_stats_are_rejected(changes: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be a finite"):
        _stats(**changes)  # type: ignore[arg-type]
