"""The integration's plan session on the plan bench, with only what Home Assistant would know.

The session (``domain.plan_session``) learns from the readings every poll, starting from the
configured plant's prior (tank volume and fluid, loop volume, miner count - never the plant's
true parameters), exactly as the coordinator runs it.
"""

from collections.abc import Sequence

from custom_components.hashheat.domain.dispatch import DispatchSettings
from custom_components.hashheat.domain.plan_session import (
    PlanSession,
    SessionSettings,
    SiteObservation,
)
from custom_components.hashheat.domain.site_model import PlantPrior, SiteModel
from custom_components.hashheat.domain.thermal import Fluid
from sim.plant import PlantParams, PlantReadings
from sim.smard import GERMAN_TIME


def plant_prior(params: PlantParams, miner_steps_w: Sequence[Sequence[float]]) -> PlantPrior:
    """What a user configures for the bench plant: its tank, fluid, loop volume and miners."""
    return PlantPrior(
        tank_volume_l=params.oil_volume_m3 * 1000,
        tank_fluid=Fluid.DIELECTRIC_OIL,
        loop_volume_l=params.loop_volume_m3 * 1000,
        miner_power_steps_w=miner_steps_w,
        indoor_setpoint_c=params.indoor_setpoint_c,
    )


def plan_session(
    params: PlantParams,
    miner_steps_w: Sequence[Sequence[float]],
    dispatch: DispatchSettings,
    *,
    heat_dump: bool,
) -> PlanSession:
    """A session as the integration starts it for the bench plant."""
    return PlanSession(
        model=SiteModel(plant_prior(params, miner_steps_w)),
        settings=SessionSettings(
            miner_steps_w=miner_steps_w, dispatch=dispatch, heat_dump=heat_dump, day_tz=GERMAN_TIME
        ),
    )


def observation(readings: PlantReadings, running: int) -> SiteObservation:
    """A poll of the bench plant as the integration's sensors would give it."""
    return SiteObservation(
        at_s=readings.now_s,
        store_c=readings.tank_c,
        return_c=readings.return_c,
        power_w=readings.power_w,
        heat_w=readings.heat_w,
        outdoor_c=readings.outdoor_c,
        indoor_c=readings.indoor_c,
        running=running,
    )
