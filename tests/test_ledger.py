"""The ledger: per-miner and site counters, gaps and persistence."""

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.hashheat.domain.ledger import Ledger, MinerRates, SiteRates
from custom_components.hashheat.domain.service_level import ServiceRates

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
RUNNING = SiteRates(
    power_kw=3.0,
    heat_kw=2.85,
    electricity_cost_per_hour=0.75,
    revenue_per_hour=0.5,
    heat_value_per_hour=0.3,
    co2_avoided_kg_per_hour=-0.1,
)
MINER = MinerRates(power_kw=3.0, heat_kw=2.85, revenue_per_hour=0.5)


def test_records_site_and_miners_and_round_trips() -> None:
    ledger = Ledger()
    ledger.record(T0, RUNNING, {"a": MINER, "b": None})
    ledger.record(T0 + timedelta(minutes=1), RUNNING, {"a": MINER, "b": None})
    # One minute at 3 kW = 0.05 kWh; 0.75 EUR/h for a minute = 0.0125 EUR.
    assert ledger.site.electricity_kwh.total == pytest.approx(0.05)
    assert ledger.site.electricity_cost.total == pytest.approx(0.0125)
    assert ledger.site.co2_avoided_kg.total == pytest.approx(-0.1 / 60)
    assert ledger.miners["a"].heat_kwh.total == pytest.approx(2.85 / 60)
    assert ledger.miners["b"].electricity_kwh.total == 0.0

    restored = Ledger.from_dict(ledger.as_dict())
    assert restored.as_dict() == ledger.as_dict()


def test_a_gap_pauses_every_counter() -> None:
    ledger = Ledger()
    ledger.record(T0, RUNNING, {"a": MINER})
    ledger.record_gap(T0 + timedelta(minutes=1))
    ledger.record(T0 + timedelta(minutes=2), RUNNING, {"a": MINER})
    assert ledger.site.electricity_kwh.total == 0.0
    assert ledger.miners["a"].electricity_kwh.total == 0.0


def test_removed_miners_are_forgotten() -> None:
    ledger = Ledger()
    ledger.record(T0, RUNNING, {"a": MINER, "b": MINER})
    ledger.forget_miners_except({"a"})
    assert set(ledger.miners) == {"a"}


@pytest.mark.parametrize("stored", [None, [], {"site": 3, "miners": [1, 2]}, {"miners": {"a": 5}}])
def test_malformed_storage_restores_empty_counters(stored: object) -> None:
    ledger = Ledger.from_dict(stored)
    assert ledger.site.electricity_kwh.total == 0.0
    assert all(c.electricity_kwh.total == 0.0 for c in ledger.miners.values())


def test_service_counters_add_up_survive_a_restart_and_pause_in_a_gap() -> None:
    held = ServiceRates(
        grid_hold_h=1.0,
        curtailed_kw=4.0,
        heat_asked_h=1.0,
        heat_short_h=1.0,
        held_heat_asked_h=1.0,
        held_heat_short_h=1.0,
    )
    ledger = Ledger()
    ledger.record(T0, RUNNING, {}, held)
    ledger.record(T0 + timedelta(minutes=1), RUNNING, {}, held)
    ledger.record_gap(T0 + timedelta(minutes=2))
    ledger.record(T0 + timedelta(minutes=3), RUNNING, {}, held)
    assert ledger.site.grid_hold_h.total == pytest.approx(1 / 60)
    assert ledger.site.curtailed_kwh.total == pytest.approx(4 / 60)
    assert ledger.site.heat_asked_h.total == pytest.approx(1 / 60)
    assert ledger.site.heat_short_h.total == pytest.approx(1 / 60)
    assert ledger.site.held_heat_asked_h.total == pytest.approx(1 / 60)
    restored = Ledger.from_dict(ledger.as_dict())
    assert restored.site.heat_short_h.total == pytest.approx(1 / 60)
    assert restored.site.held_heat_short_h.total == pytest.approx(1 / 60)
