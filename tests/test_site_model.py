"""The learned site model: fits a known plant, refuses absurd data, survives a restart."""

import json
import math
import random
from collections.abc import Callable, Iterator

import pytest

from custom_components.hashheat.domain.plan_reason import Reason, ReasonCode
from custom_components.hashheat.domain.site_model import (
    PlantPrior,
    SiteModel,
    SiteReading,
)
from custom_components.hashheat.domain.thermal import Fluid
from sim.outdoor import DailySinusoid
from sim.plant import Plant, PlantParams

S19_STEPS = (2000.0, 2500.0, 3010.0)
PRIOR = PlantPrior(
    tank_volume_l=600, tank_fluid=Fluid.DIELECTRIC_OIL, miner_power_steps_w=[S19_STEPS] * 4
)
POLL_S = 60.0


def analytic_site(  # noqa: PLR0913
    *,
    capacity_kwh_per_k: float,
    capture: float,
    loss_kw_per_k: float,
    demand: Callable[[float], float],
    days: float,
    heat_scale: float = 1.0,
    seed: int = 1,
) -> Iterator[SiteReading]:
    """A well-mixed store under a 45/65 °C thermostat, outdoor 0 ± 6 °C daily.

    Power ramps linearly between polls (as the trapezoid the model integrates by assumes).
    """
    rng = random.Random(seed)  # noqa: S311 - sensor noise, not cryptography
    store_c, power_kw = 50.0, 12.04
    for i in range(int(days * 86400 / POLL_S)):
        now = i * POLL_S
        outdoor = -6.0 * math.cos(2 * math.pi * now / 86400)
        heat_kw = demand(outdoor)
        yield SiteReading(
            at_s=now,
            store_c=store_c + rng.gauss(0.0, 0.05),
            power_w=power_kw * 1000,
            heat_w=heat_scale * (heat_kw * 1000 + rng.gauss(0.0, 50.0)),
            outdoor_c=outdoor + rng.gauss(0.0, 0.05),
        )
        on = store_c < 65.0 if power_kw else store_c < 45.0
        next_kw = 12.04 if on else 0.0
        flow = capture * (power_kw + next_kw) / 2 - heat_kw - loss_kw_per_k * (store_c - 20.0)
        store_c += flow * POLL_S / 3600 / capacity_kwh_per_k
        power_kw = next_kw


def learned(readings: Iterator[SiteReading]) -> SiteModel:
    model = SiteModel(PRIOR)
    for reading in readings:
        model.observe(reading)
    return model


def test_prior_comes_from_the_configured_plant() -> None:
    model = SiteModel(PRIOR)
    # 600 L of oil at 0.83 kg/L and 2.1 kJ/kgK = 1.0458 MJ/K = 0.2905 kWh/K.
    assert model.store_params.capacity_kwh_per_k == pytest.approx(0.2905, abs=1e-4)
    assert model.store_params.capture_fraction == pytest.approx(0.95)
    # Full power captured (0.95 x 12.04 kW) covers 20 - (-10) = 30 K.
    assert model.demand_kw(-10.0) == pytest.approx(0.95 * 12.04)
    assert model.demand_kw(25.0) == 0.0
    assert not model.confidence.confident


def test_learns_a_known_analytic_site() -> None:
    model = learned(
        analytic_site(
            capacity_kwh_per_k=0.45,
            capture=0.9,
            loss_kw_per_k=0.01,
            demand=lambda out: 1.0 + 0.25 * (20.0 - out),
            days=4,
        )
    )
    store = model.store_params
    assert store.capacity_kwh_per_k == pytest.approx(0.45, rel=0.05)
    assert store.capture_fraction == pytest.approx(0.9, abs=0.02)
    assert store.loss_kw_per_k == pytest.approx(0.01, abs=0.005)
    a, b = model.demand_coefficients
    assert a == pytest.approx(1.0, abs=0.3)
    assert b == pytest.approx(0.25, abs=0.02)
    confidence = model.confidence
    assert confidence.confident, confidence.reasons
    assert confidence.samples >= 4 * 96 - 1
    assert confidence.store_swing_k > 15
    assert confidence.outdoor_spread_k > 10
    assert confidence.residual_kw < 0.2


def test_learns_the_simulated_plant() -> None:
    params = PlantParams()
    plant = Plant(DailySinusoid(mean_c=0.0, swing_k=5.0), params, tank_c=45.0, seed=3)
    model, on, poll_s = SiteModel(PRIOR), True, 60.0
    for _ in range(int(3 * 86400 / poll_s)):
        on = plant.tank_c < 60.0 if on else plant.tank_c < 45.0
        plant.step(poll_s, 12_040.0 if on else 0.0)
        r = plant.measure()
        model.observe(
            SiteReading(
                at_s=r.now_s,
                store_c=r.tank_c,
                power_w=r.power_w,
                heat_w=r.heat_w,
                outdoor_c=r.outdoor_c,
            )
        )
    store = model.store_params
    true_kwh_per_k = params.tank_capacity_j_per_k / 3.6e6
    assert store.capacity_kwh_per_k == pytest.approx(true_kwh_per_k, rel=0.05)
    assert store.capture_fraction == pytest.approx(params.capture_fraction, abs=0.02)
    assert store.loss_kw_per_k < 0.01
    # The building loses 0.38 kW/K; the loop delivers about that over a day.
    assert model.demand_kw(0.0) == pytest.approx(0.38 * 20, rel=0.15)


def test_absurd_learned_values_keep_the_prior_and_say_why() -> None:
    # A heat meter reading ten times too much: the store seems to capture 9x its power.
    model = learned(
        analytic_site(
            capacity_kwh_per_k=0.3,
            capture=0.95,
            loss_kw_per_k=0.0,
            demand=lambda out: 0.3 * (20.0 - out),
            days=2,
            heat_scale=10.0,
        )
    )
    assert model.store_params == SiteModel(PRIOR).store_params
    assert model.demand_coefficients == SiteModel(PRIOR).demand_coefficients
    codes = [reason.code for reason in model.confidence.reasons]
    assert codes[:2] == [ReasonCode.CAPTURE_FRACTION, ReasonCode.DEMAND_SLOPE]
    assert model.confidence.reasons[0].figures["high"] == "1.10"  # the highest believable
    assert not model.confidence.confident


def test_readings_without_heat_cannot_teach_the_store() -> None:
    model = SiteModel(PRIOR)
    for i in range(200):
        model.observe(
            SiteReading(at_s=i * POLL_S, store_c=50.0, power_w=0.0, heat_w=None, outdoor_c=0.0)
        )
    assert model.store_params == SiteModel(PRIOR).store_params
    assert model.confidence.samples == 0
    assert model.confidence.reasons[0] == Reason(ReasonCode.NO_HEAT_READINGS)


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("store_c", math.nan, Reason(ReasonCode.READING_NOT_FINITE)),
        (
            "outdoor_c",
            400.0,
            Reason(ReasonCode.TEMPERATURE_OUT_OF_RANGE, {"low": "-60", "high": "130"}),
        ),
        ("power_w", -5000.0, Reason(ReasonCode.POWER_OUT_OF_RANGE, {"power": "-5000"})),
    ],
)
def test_bad_readings_are_skipped(field: str, value: float, problem: Reason) -> None:
    model = SiteModel(PRIOR)
    good = {"store_c": 50.0, "power_w": 6000.0, "heat_w": 3000.0, "outdoor_c": 0.0}
    for i in range(40):
        readings = good | ({field: value} if i % 2 else {})
        model.observe(SiteReading(at_s=i * POLL_S, **readings))
    assert model.confidence.samples == 0
    assert model.last_problem == problem


def test_storage_round_trip() -> None:
    model = learned(
        analytic_site(
            capacity_kwh_per_k=0.4,
            capture=0.9,
            loss_kw_per_k=0.0,
            demand=lambda out: 0.3 * (20.0 - out),
            days=1,
        )
    )
    restored = SiteModel.from_dict(PRIOR, json.loads(json.dumps(model.as_dict())))
    assert restored.store_params == model.store_params
    assert restored.demand_coefficients == model.demand_coefficients
    assert restored.confidence == model.confidence


def test_damaged_storage_starts_from_the_prior() -> None:
    model = learned(
        analytic_site(
            capacity_kwh_per_k=0.4,
            capture=0.9,
            loss_kw_per_k=0.0,
            demand=lambda out: 0.3 * (20.0 - out),
            days=1,
        )
    )
    saved = model.as_dict()
    saved["store"]["theta"][1] = math.inf
    saved["demand"] = {"theta": [1.0], "cov": "x"}
    saved["samples"] = "many"
    restored = SiteModel.from_dict(PRIOR, saved)
    assert restored.store_params == SiteModel(PRIOR).store_params
    assert restored.demand_coefficients == SiteModel(PRIOR).demand_coefficients
    assert restored.confidence.samples == 0
