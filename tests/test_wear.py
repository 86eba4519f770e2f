"""The wear ledger: starts from what miners show, rainflow cycles, hours, the cap, restarts."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.hashheat.domain.wear import (
    MinerWear,
    Rainflow,
    WearLedger,
    WearSample,
    WearSettings,
)

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Berlin")
SETTINGS = WearSettings(cycle_range_k=10.0, hot_chip_c=80.0, max_starts_per_day=3)
POLL = timedelta(seconds=15)


def _count(values: list[float], gate: float = 10.0) -> float:
    flow = Rainflow()
    for value in values:
        flow.add(value, gate)
    return flow.cycles


def test_rainflow_counts_on_off_swings_as_cycles() -> None:
    # Seven swings of 30 K; a swing is counted (as half a cycle) once the next has closed it.
    assert _count([45, 75, 45, 75, 45, 75, 45, 75]) == pytest.approx(2.5)


def test_rainflow_ignores_ripple_below_the_gate() -> None:
    assert _count([60, 63, 58, 64, 57, 62, 59] * 20) == 0.0


def test_rainflow_does_not_split_a_large_cycle_on_a_small_one() -> None:
    # 40 -> 80 -> 40 with a 60 -> 75 wobble on the way down: the wobble is one full cycle of
    # 15 K, the 40 K swing is not split by it (a half cycle, its range kept whole).
    values = [40, 80, 60, 75, 40, 80]
    flow = Rainflow()
    for value in values:
        flow.add(value, 10.0)
    assert flow.cycles == pytest.approx(1.5)
    assert max(abs(a - b) for a, b in zip(flow.residue, flow.residue[1:], strict=False)) == 40


def test_rainflow_round_trips_and_damaged_restores_empty() -> None:
    flow = Rainflow()
    for value in (45, 75, 45, 80):
        flow.add(value, 10.0)
    restored = Rainflow.from_dict(flow.as_dict())
    assert restored == flow
    assert Rainflow.from_dict({"cycles": -1, "residue": ["x"]}) == Rainflow()


def _run(ledger: WearLedger, pattern: list[tuple[bool, float]], start: datetime) -> datetime:
    now = start
    for mining, chip in pattern:
        ledger.record(now, {"a": WearSample(mining=mining, chip_c=chip)}, SETTINGS)
        now += POLL
    return now


def test_counts_starts_hours_cycles_and_the_remaining_cap() -> None:
    ledger = WearLedger()
    # Off, on for an hour at 85 °C chips, off, on, off: two starts, four swings of 45 K of which
    # the first three are closed (half a cycle each, the first from the start).
    pattern = [(False, 40.0)] * 4 + [(True, 85.0)] * 240 + [(False, 40.0)] * 40
    pattern += [(True, 85.0)] * 36 + [(False, 40.0)] * 4
    now = _run(ledger, pattern, T0)
    figures = ledger.miner_figures("a", now, ZONE, SETTINGS)
    assert figures is not None
    assert figures.lifetime_starts == 2
    assert figures.starts_today == 2
    assert figures.starts_30_days == 2
    assert figures.remaining_starts_today == 1
    assert figures.thermal_cycles == pytest.approx(1.0)
    assert figures.running_hours == pytest.approx(276 * 15 / 3600, abs=2 * 15 / 3600)
    assert figures.hot_hours == pytest.approx(figures.running_hours)
    site = ledger.site_figures(now, ZONE, SETTINGS)
    assert site.lifetime_starts == 2
    assert site.thermal_cycles == figures.thermal_cycles


def test_first_sight_of_a_running_miner_is_no_start_but_a_reboot_is() -> None:
    wear = MinerWear()
    boot = T0 - timedelta(hours=5)
    assert not wear.record(T0, WearSample(mining=True, boot=boot), SETTINGS)
    assert not wear.record(T0 + POLL, WearSample(mining=True, boot=boot), SETTINGS)
    assert wear.record(T0 + 10 * POLL, WearSample(mining=True, boot=T0 + 8 * POLL), SETTINGS)
    assert wear.lifetime_starts == 1


def test_unreachable_is_a_gap_not_a_stop() -> None:
    ledger = WearLedger()
    _run(ledger, [(True, 70.0)] * 4, T0)
    ledger.record(T0 + 10 * POLL, {"a": None}, SETTINGS)
    ledger.record(T0 + 11 * POLL, {"a": WearSample(mining=True, chip_c=70.0)}, SETTINGS)
    assert ledger.miners["a"].lifetime_starts == 0


def test_starts_today_follow_local_midnight_and_the_month_rolls() -> None:
    ledger = WearLedger()
    evening = datetime(2026, 11, 26, 22, 30, tzinfo=UTC)  # 23:30 in Berlin
    now = _run(ledger, [(False, 40.0), (True, 70.0)], evening)
    after_midnight = evening + timedelta(hours=1)
    figures = ledger.miner_figures("a", after_midnight, ZONE, SETTINGS)
    assert figures is not None
    assert (figures.starts_today, figures.remaining_starts_today) == (0, 2)
    later = now + timedelta(days=31)
    _run(ledger, [(False, 40.0), (False, 40.0)], later)
    figures = ledger.miner_figures("a", later, ZONE, SETTINGS)
    assert figures is not None
    assert (figures.starts_30_days, figures.lifetime_starts) == (0, 1)


def test_survives_a_restart_and_counts_a_start_while_down() -> None:
    ledger = WearLedger()
    now = _run(ledger, [(True, 80.0), (False, 40.0), (False, 40.0)], T0)
    restored = WearLedger.from_dict(ledger.as_dict())
    assert restored.as_dict() == ledger.as_dict()
    restored.record(now + timedelta(hours=2), {"a": WearSample(mining=True)}, SETTINGS)
    assert restored.site_starts == 1
    assert restored.miners["a"].running_h.total == ledger.miners["a"].running_h.total


def test_site_lifetime_totals_stay_when_a_miner_leaves() -> None:
    ledger = WearLedger()
    _run(ledger, [(False, 40.0), (True, 80.0), (False, 40.0)], T0)
    ledger.forget_miners_except(set())
    figures = ledger.site_figures(T0 + timedelta(hours=1), ZONE, SETTINGS)
    assert (figures.lifetime_starts, figures.starts_today) == (1, 0)


@pytest.mark.parametrize("stored", [None, [], {"miners": [1], "site_starts": "x"}])
def test_malformed_storage_restores_zero(stored: object) -> None:
    ledger = WearLedger.from_dict(stored)
    assert ledger.site_starts == 0
    assert ledger.miners == {}
