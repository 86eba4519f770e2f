"""Ready-made heating-plant scenarios: the reference ~12 kW site in three seasons.

Winter, a mild winter and spring/autumn.

Both use the default :class:`~sim.plant.PlantParams` (four S19 XP, 12.04 kW; building
UA 380 W/K, i.e. 11.4 kW = 0.95 x 12 kW at -10 °C) and start in equilibrium for the day's
mean outdoor temperature with the indoor air at the 20 °C set point, so a run shows the
controller's behaviour rather than a warm-up transient. Time 0 is midnight; the coldest
hour is 05:00.
"""

from dataclasses import dataclass, replace
from typing import Protocol

from sim.outdoor import ColdFront, DailySinusoid, OutdoorProfile
from sim.physics import S19XP
from sim.plant.model import Plant, PlantParams, steady_state

__all__ = [
    "SCENARIOS",
    "SITE_MINERS",
    "SITE_POWER_W",
    "SLEEP_POWER_W",
    "Scenario",
    "ScenarioFactory",
    "equilibrium_plant",
    "mild",
    "scaled_params",
    "shoulder",
    "winter",
]

SITE_MINERS = 4
SITE_POWER_W = float(SITE_MINERS * S19XP.default_watts)
"""Electrical power of the reference site at the default profile: 4 x 3010 W."""
SLEEP_POWER_W = SITE_MINERS * 10.0
"""The four miners asleep (control boards only)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Scenario:
    """A configured plant, its outdoor profile and the site's power range."""

    name: str
    plant: Plant
    outdoor: DailySinusoid
    site_power_w: float
    sleep_power_w: float
    description: str


class ScenarioFactory(Protocol):
    """Signature shared by :func:`winter` and :func:`shoulder`."""

    def __call__(
        self,
        *,
        seed: int = 0,
        noise_k: float = 0.05,
        cold_front: ColdFront | None = None,
        params: PlantParams | None = None,
    ) -> Scenario:
        """Build the scenario."""
        ...


def scaled_params(factor: float, params: PlantParams | None = None) -> PlantParams:
    """A site ``factor`` times as large: every capacity, flow, conductance and load scaled.

    Temperatures, the emitters' exponent and the capture fraction stay, so the larger site
    runs at the same temperatures with ``factor`` times the miners (e.g. 4: sixteen S19 XP,
    48 kW, a 2.4 m³ tank and a 45.6 kW building).
    """
    p = params or PlantParams()
    return replace(
        p,
        oil_volume_m3=p.oil_volume_m3 * factor,
        metal_capacity_j_per_k=p.metal_capacity_j_per_k * factor,
        oil_flow_m3_per_s=p.oil_flow_m3_per_s * factor,
        hx_ua_w_per_k=p.hx_ua_w_per_k * factor,
        loop_flow_m3_per_s=p.loop_flow_m3_per_s * factor,
        loop_volume_m3=p.loop_volume_m3 * factor,
        emitter_rated_w=p.emitter_rated_w * factor,
        building_ua_w_per_k=p.building_ua_w_per_k * factor,
        building_capacity_j_per_k=p.building_capacity_j_per_k * factor,
        dump_ua_w_per_k=p.dump_ua_w_per_k * factor,
    )


def equilibrium_plant(  # noqa: PLR0913
    outdoor: OutdoorProfile,
    *,
    outdoor_c: float,
    params: PlantParams | None = None,
    now_s: float = 0.0,
    noise_k: float = 0.05,
    seed: int = 0,
) -> Plant:
    """A plant in equilibrium at ``outdoor_c`` with the indoor air at its set point."""
    params = params or PlantParams()
    demand = params.building_ua_w_per_k * max(0.0, params.indoor_setpoint_c - outdoor_c)
    start = steady_state(
        params, outdoor_c=outdoor_c, miner_power_w=demand / params.capture_fraction
    )
    return Plant(
        outdoor,
        params,
        now_s=now_s,
        tank_c=start.tank_c,
        return_c=start.return_c,
        indoor_c=start.indoor_c,
        noise_k=noise_k,
        seed=seed,
    )


def _build(  # noqa: PLR0913
    name: str,
    outdoor: DailySinusoid,
    description: str,
    *,
    seed: int,
    noise_k: float,
    params: PlantParams | None,
) -> Scenario:
    return Scenario(
        name=name,
        plant=equilibrium_plant(
            outdoor, outdoor_c=outdoor.mean_c, params=params, noise_k=noise_k, seed=seed
        ),
        outdoor=outdoor,
        site_power_w=SITE_POWER_W,
        sleep_power_w=SLEEP_POWER_W,
        description=description,
    )


def winter(
    *,
    seed: int = 0,
    noise_k: float = 0.05,
    cold_front: ColdFront | None = None,
    params: PlantParams | None = None,
) -> Scenario:
    """Winter: -5 °C mean ± 5 K daily swing (-10 °C at 05:00, 0 °C at 17:00).

    Heat demand 7.6-11.4 kW (9.5 kW mean) against 11.4 kW the miners can deliver: they run
    near full power and must modulate only a little. Start: tank ≈ 54 °C, supply/return
    ≈ 50/42 °C. A ``cold_front`` (e.g. ``ColdFront()``: -10 K from hour 24) pushes the
    demand past what the site can deliver, so the indoor temperature sags.
    """
    outdoor = DailySinusoid(mean_c=-5.0, swing_k=5.0, cold_front=cold_front)
    return _build(
        "winter",
        outdoor,
        "outdoor -5 C +/- 5 K; demand 7.6-11.4 kW vs 11.4 kW available",
        seed=seed,
        noise_k=noise_k,
        params=params,
    )


def shoulder(
    *,
    seed: int = 0,
    noise_k: float = 0.05,
    cold_front: ColdFront | None = None,
    params: PlantParams | None = None,
) -> Scenario:
    """Spring/autumn: +10 °C mean ± 6 K daily swing (+4 °C at 05:00, +16 °C at 17:00).

    Heat demand 1.5-6.1 kW (3.8 kW mean), a third of the 11.4 kW the miners deliver at full
    power: a controller must modulate or cycle, or dump heat; at full power the tank
    climbs tens of kelvin per hour once the radiator valves close. Start: tank ≈ 36 °C,
    supply/return ≈ 35/31 °C.
    """
    outdoor = DailySinusoid(mean_c=10.0, swing_k=6.0, cold_front=cold_front)
    return _build(
        "shoulder",
        outdoor,
        "outdoor +10 C +/- 6 K; demand 1.5-6.1 kW vs 11.4 kW available",
        seed=seed,
        noise_k=noise_k,
        params=params,
    )


def mild(
    *,
    seed: int = 0,
    noise_k: float = 0.05,
    cold_front: ColdFront | None = None,
    params: PlantParams | None = None,
) -> Scenario:
    """Mild winter: +3 °C mean ± 4 K daily swing (-1 °C at 05:00, +7 °C at 17:00).

    Heat demand 4.9-8.0 kW (6.5 kW mean): the miners modulate around half to two thirds of
    their power. Start: tank ≈ 45 °C, supply/return ≈ 42/37 °C, so a return target near 36 °C
    keeps the tank below 47 °C even in the coldest hour (the demo's site, ``python -m sim site``).
    """
    outdoor = DailySinusoid(mean_c=3.0, swing_k=4.0, cold_front=cold_front)
    return _build(
        "mild",
        outdoor,
        "outdoor +3 C +/- 4 K; demand 4.9-8.0 kW vs 11.4 kW available",
        seed=seed,
        noise_k=noise_k,
        params=params,
    )


SCENARIOS: dict[str, ScenarioFactory] = {"winter": winter, "mild": mild, "shoulder": shoulder}
