"""Parsing pyasic's MinerData into readings: no invented zeros, derived values right."""

from datetime import UTC, datetime

import pytest
from pyasic.data import MinerData
from pyasic.data.boards import HashBoard
from pyasic.data.fans import Fan
from pyasic.data.pools import PoolMetrics
from pyasic.device.algorithm.hashrate.sha256 import SHA256HashRate
from pyasic.device.algorithm.hashrate.unit.sha256 import SHA256Unit

from custom_components.hashheat.miner_data import (
    EmptyReadingError,
    MinerReading,
    reading_from_data,
    to_number,
)


def _ths(value: float) -> SHA256HashRate:
    return SHA256HashRate(rate=value, unit=SHA256Unit.TH)


def _board(
    slot: int, ths: float, temps: tuple[float, float, float, float] | None = None
) -> HashBoard:
    board, chip, inlet, outlet = temps or (None, None, None, None)
    return HashBoard(
        slot=slot,
        hashrate=_ths(ths),
        missing=False,
        temp=board,
        chip_temp=chip,
        inlet_temp=inlet,
        outlet_temp=outlet,
    )


def test_reading_from_full_data() -> None:
    data = MinerData(
        ip="127.0.0.1",
        wattage=3000,
        expected_hashboards=2,
        hashboards=[
            _board(0, 70, (50, 60, 40, 48)),
            _board(1, 71, (54, 66, 41, 49)),
        ],
        fans=[Fan(speed=0), Fan(speed=None)],
        uptime=3600,
        pools=[
            PoolMetrics(url=None, active=False, alive=False),
            PoolMetrics(url=None, active=True, alive=True),
        ],
    )
    reading = reading_from_data(data)
    assert reading.hashrate_ths == pytest.approx(141)
    assert reading.board_temp_max_c == 54
    assert reading.board_temp_avg_c == 52
    assert reading.chip_temp_max_c == 66
    assert reading.fluid_inlet_temp_c == 40
    assert reading.fluid_outlet_temp_c == 49
    assert reading.fan_speed_rpm == 0
    assert reading.pool_connected is True
    assert reading.active_pool is None
    assert reading.hashboards_working == 2
    assert reading.has_problem is False
    assert reading.efficiency_jth == pytest.approx(3000 / 141)
    now = datetime(2026, 11, 26, 12, 0, 0, 500_000, tzinfo=UTC)
    assert reading.last_boot(now) == datetime(2026, 11, 26, 11, 0, 0, tzinfo=UTC)


def test_a_dead_board_is_a_problem_while_mining() -> None:
    data = MinerData(
        ip="127.0.0.1",
        wattage=2000,
        expected_hashboards=3,
        hashboards=[_board(0, 47), _board(1, 47), HashBoard(slot=2)],
    )
    reading = reading_from_data(data)
    assert reading.hashboards_working == 2
    assert reading.has_problem


def test_errors_are_a_problem() -> None:
    assert MinerReading(hashrate_ths=1.0, power_w=1.0, error_count=2).has_problem


def test_a_sleeping_miner_is_not_mining_and_has_no_efficiency() -> None:
    reading = MinerReading(hashrate_ths=0.0, power_w=10.0)
    assert reading.is_mining is False
    assert reading.efficiency_jth is None
    assert reading.has_problem is False


def test_unknown_hashrate_is_unknown_mining() -> None:
    reading = MinerReading(hashrate_ths=None, power_w=10.0)
    assert reading.is_mining is None
    assert reading.last_boot(datetime.now(UTC)) is None


def test_nothing_reported_is_an_error() -> None:
    with pytest.raises(EmptyReadingError):
        reading_from_data(MinerData(ip="127.0.0.1"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(5, 5.0), (2.5, 2.5), (True, None), ("5", None), (float("nan"), None), (float("inf"), None)],
)
def test_to_number(raw: object, expected: float | None) -> None:
    assert to_number(raw) == expected
