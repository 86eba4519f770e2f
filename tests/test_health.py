"""Health detectors on synthetic series: learning, sustained drifts, spikes, noise, restarts."""

import math
import random
from collections.abc import Callable

import pytest

from custom_components.hashheat.domain.health import (
    CHIP_RISE_SETTINGS,
    DAY_S,
    EXCHANGER_SETTINGS,
    HOUR_S,
    DriftDetector,
    HealthStatus,
    LimitDetector,
    LimitSettings,
    chip_rise_sample,
    exchanger_sample,
)

STEP_S = 60.0
RISE_K_PER_KW = 7.0


def _feed(
    detector: DriftDetector,
    days: float,
    rise_per_kw: Callable[[float], float],
    *,
    seed: int = 0,
    start_s: float = 0.0,
) -> list[tuple[float, HealthStatus]]:
    """A miner whose power follows the day (price and weather), chip temperatures rounded."""
    rng = random.Random(seed)  # noqa: S311 - test noise, not cryptography
    statuses = []
    steps = int(days * DAY_S / STEP_S)
    for index in range(steps):
        now = start_s + index * STEP_S
        power_kw = 1.0 + 2.0 * (0.5 + 0.5 * math.sin(2 * math.pi * now / DAY_S))
        if (now % DAY_S) < 2 * HOUR_S:
            power_kw = 0.01  # asleep through the expensive hours
        fluid = 40.0 + rng.gauss(0.0, 0.3)
        chip = round(fluid + rise_per_kw(now) * power_kw + rng.gauss(0.0, 0.6))
        detector.add(now, *chip_rise_sample(chip_c=chip, fluid_c=fluid, power_kw=power_kw))
        statuses.append((now, detector.report().status))
    return statuses


def test_healthy_noisy_month_learns_and_never_warns() -> None:
    detector = DriftDetector(settings=CHIP_RISE_SETTINGS)
    statuses = _feed(detector, 30, lambda _: RISE_K_PER_KW)
    assert statuses[0][1] is HealthStatus.LEARNING
    assert {s for t, s in statuses if t > 2 * DAY_S} == {HealthStatus.OK}
    report = detector.report()
    assert report.baseline == pytest.approx(RISE_K_PER_KW, rel=0.02)
    assert report.change is not None
    assert abs(report.change) < 0.03


def test_slow_drift_warns_once_sustained_not_before() -> None:
    # From day 3 the rise grows 2 % of the baseline per day: 10 % on day 8.
    def drifting(now: float) -> float:
        return RISE_K_PER_KW * (1.0 + 0.02 * max(0.0, now / DAY_S - 3.0))

    detector = DriftDetector(settings=CHIP_RISE_SETTINGS)
    statuses = _feed(detector, 14, drifting)
    first = next(t for t, s in statuses if s is HealthStatus.WARNING)
    assert 8.0 * DAY_S < first < 10.0 * DAY_S
    report = detector.report()
    assert report.change is not None
    assert report.change > 0.1
    assert report.trend_per_day == pytest.approx(0.02 * RISE_K_PER_KW, rel=0.3)


def test_a_spike_does_not_warn() -> None:
    def spiking(now: float) -> float:
        in_spike = 5 * DAY_S + 12 * HOUR_S <= now < 5 * DAY_S + 13 * HOUR_S
        return RISE_K_PER_KW * (1.5 if in_spike else 1.0)

    detector = DriftDetector(settings=CHIP_RISE_SETTINGS)
    statuses = _feed(detector, 8, spiking)
    assert HealthStatus.WARNING not in {s for _, s in statuses}


def test_a_warning_clears_only_well_inside_the_threshold() -> None:
    def step(now: float) -> float:
        if now < 3 * DAY_S:
            return RISE_K_PER_KW
        return RISE_K_PER_KW * (1.2 if now < 6 * DAY_S else 1.0)

    detector = DriftDetector(settings=CHIP_RISE_SETTINGS)
    statuses = _feed(detector, 9, step)
    assert dict(statuses)[6 * DAY_S - STEP_S] is HealthStatus.WARNING
    assert statuses[-1][1] is HealthStatus.OK


def test_falling_exchanger_conductance_warns() -> None:
    detector = DriftDetector(settings=EXCHANGER_SETTINGS)
    for index in range(int(6 * DAY_S / STEP_S)):
        now = index * STEP_S
        ua = 1300.0 if now < 2 * DAY_S else 1050.0
        detector.add(now, ua * 5.0, 5.0)
    report = detector.report()
    assert report.status is HealthStatus.WARNING
    assert report.change == pytest.approx(1050 / 1300 - 1, rel=0.01)


def test_state_survives_a_restart_and_the_downtime_adds_nothing() -> None:
    detector = DriftDetector(settings=CHIP_RISE_SETTINGS)
    _feed(detector, 2, lambda _: RISE_K_PER_KW)
    restored = DriftDetector.from_dict(CHIP_RISE_SETTINGS, detector.as_dict())
    assert restored.report() == detector.report()
    restored.add(10 * DAY_S, 7.0, 1.0)
    assert restored.learned_s == detector.learned_s


@pytest.mark.parametrize(
    "stored", [None, [], {"learned_s": "x", "baseline": [1, "a"]}, {"learned_s": 9e9}]
)
def test_damaged_state_learns_afresh(stored: object) -> None:
    detector = DriftDetector.from_dict(CHIP_RISE_SETTINGS, stored)
    assert detector.report().status is HealthStatus.LEARNING


def test_relearn_forgets_the_baseline() -> None:
    detector = DriftDetector(settings=CHIP_RISE_SETTINGS)
    _feed(detector, 2, lambda _: RISE_K_PER_KW)
    detector.relearn()
    assert detector.report().status is HealthStatus.LEARNING


def test_samples_at_low_power_or_missing_are_gaps() -> None:
    assert chip_rise_sample(chip_c=60.0, fluid_c=40.0, power_kw=0.1) == (None, None)
    assert chip_rise_sample(chip_c=None, fluid_c=40.0, power_kw=3.0) == (None, None)
    assert chip_rise_sample(chip_c=61.0, fluid_c=40.0, power_kw=3.0) == (21.0, 3.0)


def test_exchanger_sample_is_the_log_mean_temperature_difference() -> None:
    heat, lmtd = exchanger_sample(fluid_c=55.0, supply_c=50.0, return_c=40.0, heat_w=10_000.0)
    assert heat == 10_000.0
    assert lmtd == pytest.approx(10.0 / math.log(15.0 / 5.0))
    assert exchanger_sample(fluid_c=50.2, supply_c=50.0, return_c=40.0, heat_w=1.0) == (None, None)
    assert exchanger_sample(fluid_c=55.0, supply_c=50.0, return_c=40.0, heat_w=-5.0) == (None, None)


def test_limit_detector_warns_after_sustained_excursion() -> None:
    limit = LimitDetector(settings=LimitSettings(low=80.0, sustain_s=600.0))
    assert limit.status(0.0) is HealthStatus.LEARNING
    limit.add(0.0, 95.0)
    limit.add(60.0, 75.0)
    assert limit.status(300.0) is HealthStatus.OK
    limit.add(700.0, None)
    assert limit.status(700.0) is HealthStatus.WARNING
    restored = LimitDetector.from_dict(limit.settings, limit.as_dict())
    assert restored.status(700.0) is HealthStatus.WARNING
    restored.add(800.0, 90.0)
    assert restored.status(800.0) is HealthStatus.OK
