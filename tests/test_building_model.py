"""The learned building: fits a known house from noisy hourly means, refuses absurd fits."""

import math
import random

from custom_components.hashheat.domain.building_model import (
    CONFIDENT_HOURS,
    BuildingModel,
)
from custom_components.hashheat.domain.plan_reason import Reason, ReasonCode
from custom_components.hashheat.domain.site_model import PlantPrior
from custom_components.hashheat.domain.thermal import Fluid

POLL_S = 60.0
# The prior's design point (-20 °C) makes its UA 0.29 kW/K, a quarter off the house's 0.38.
PRIOR = PlantPrior(
    tank_volume_l=600,
    tank_fluid=Fluid.DIELECTRIC_OIL,
    loop_volume_l=0.0,
    miner_power_steps_w=[[3010.0]] * 4,
    design_outdoor_c=-20.0,
)


def learned(*, capacity: float, ua: float, days: float, seed: int = 3) -> BuildingModel:
    """A house heated 0-11 kW on a pattern, outdoor 0 ± 5 °C daily, readings with noise."""
    rng = random.Random(seed)  # noqa: S311 - sensor noise, not cryptography
    model = BuildingModel(PRIOR)
    indoor = 20.0
    for i in range(int(days * 86400 / POLL_S)):
        now = i * POLL_S
        outdoor = -5.0 * math.cos(2 * math.pi * now / 86400)
        heat_kw = 11.0 if (i // 97) % 3 else 2.0
        model.observe(
            at_s=now,
            indoor_c=indoor + rng.gauss(0.0, 0.05),
            outdoor_c=outdoor + rng.gauss(0.0, 0.05),
            heat_w=heat_kw * 1000 + rng.gauss(0.0, 100.0),
            return_c=None,
        )
        indoor += (heat_kw - ua * (indoor - outdoor)) * POLL_S / 3600 / capacity
    return model


def test_the_prior_comes_from_the_design_load_and_a_typical_time_constant() -> None:
    prior = BuildingModel(PRIOR).params
    assert math.isclose(prior.ua_kw_per_k, 0.95 * 12.04 / 40)
    assert math.isclose(prior.time_constant_h, 30.0)


def test_learns_a_house_the_prior_had_wrong() -> None:
    model = learned(capacity=8.0, ua=0.38, days=6)
    params = model.params
    assert model.reasons == ()
    assert math.isclose(params.ua_kw_per_k, 0.38, rel_tol=0.1)
    assert math.isclose(params.capacity_kwh_per_k, 8.0, rel_tol=0.1)


def test_until_it_has_seen_a_day_it_says_why() -> None:
    model = learned(capacity=8.0, ua=0.38, days=0.5)
    assert model.hours < CONFIDENT_HOURS
    assert Reason(ReasonCode.INDOOR_HOURS, {"seen": str(model.hours), "needed": "24"}) in (
        model.reasons
    )


def test_absurd_readings_interrupt_and_absurd_fits_keep_the_prior() -> None:
    model = BuildingModel(PRIOR)
    model.observe(at_s=0.0, indoor_c=math.nan, outdoor_c=0.0, heat_w=0.0, return_c=None)
    assert model.hours == 0
    model.fit.theta[:] = [-1.0, 0.1]
    assert model.rejection() is not None
    assert model.params == model.prior_params()
    model.fit.theta[:] = [1 / 500, 1 / 30 / 500]
    rejected = model.rejection()
    assert rejected is not None
    assert rejected.code is ReasonCode.BUILDING_CAPACITY
    assert rejected.figures["value"] == "500.000"


def test_storage_round_trip_and_damage() -> None:
    model = learned(capacity=8.0, ua=0.38, days=2)
    back = BuildingModel.from_dict(PRIOR, model.as_dict())
    assert back.params == model.params
    assert back.hours == model.hours
    assert back.indoor_range_c == model.indoor_range_c
    damaged = BuildingModel.from_dict(PRIOR, {"fit": {"theta": [1, "x"]}, "hours": 5})
    assert damaged.hours == 0
    assert math.isclose(damaged.params.ua_kw_per_k, damaged.prior_params().ua_kw_per_k)
