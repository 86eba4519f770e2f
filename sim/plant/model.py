"""Lumped thermal model of one heating site: immersion tank, plate heat exchanger, loop, building.

Three energy stores, each one temperature, advanced by explicit Euler::

    miners ──P·f──▶ tank (oil + metal) ──PHE──▶ loop water ──radiators──▶ building ──UA──▶ outdoors
       └──P·(1-f)──▶ plant room (lost)            └──dry cooler (heat dump)──▶ outdoors

* Tank: well mixed; the miners put ``capture_fraction`` of their electrical power into the
  oil, the rest warms the plant room and is counted as a loss.
* Plate heat exchanger, counterflow ε-NTU between the oil pumped through it and the loop
  water: ``Q = ε·C_min·(T_tank - T_return)``; the supply is ``T_return + Q/(ṁ·cp)``.
* Loop: the water volume is one node whose outlet is the return temperature. Radiators emit
  ``K·(T_mean - T_indoor)^1.3`` (``T_mean`` = mean of supply and return), scaled by
  thermostatic valves that close over ``trv_band_k`` above the indoor set point. The pump
  runs at constant flow (a bypass keeps it constant when the valves close).
* Building: one indoor node with an effective thermal mass, losing ``UA·(T_indoor - T_out)``.
* Heat dump: a dry cooler behind a diverting (3-way) valve, as a heat-reuse site fits it:
  switched on, the loop water goes through the cooler instead of the building circuit, which
  rejects ``UA_dump·(T_mean - T_out)`` while the radiators get nothing (heat being dumped must
  not warm a house that wants none).

Pure computation, deterministic: time only advances through :meth:`Plant.step`; sensor noise
comes from a seeded RNG.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, fields

from sim.outdoor import OutdoorProfile

__all__ = [
    "EnergyTotals",
    "Plant",
    "PlantParams",
    "PlantReadings",
    "SteadyState",
    "counterflow_effectiveness",
    "hydronic_steady_state",
    "steady_state",
]

_NON_NEGATIVE = frozenset(
    {
        "metal_capacity_j_per_k",
        "oil_flow_m3_per_s",
        "hx_ua_w_per_k",
        "loop_flow_m3_per_s",
        "dump_ua_w_per_k",
    },
)
_OPTIONAL = frozenset({"trv_band_k", "indoor_setpoint_c", "capture_fraction"})


@dataclass(frozen=True, kw_only=True, slots=True)
class PlantParams:
    """Physical parameters of a site; the defaults describe a ~12 kW reference site.

    The reference: four Antminer S19 XP (4 x 3010 W = 12.04 kW) in 600 L of mineral/synthetic
    dielectric oil, a brazed plate heat exchanger, a 55/45 °C radiator loop, and an older
    ~250 m² house needing 11.4 kW (= 0.95 x 12 kW) at -10 °C outdoors and 20 °C indoors.
    """

    capture_fraction: float = 0.95
    """Share of the miners' power that ends up in the oil; PSUs and tank walls warm the room."""
    oil_volume_m3: float = 0.6
    """Dielectric fluid in the tank (600 L)."""
    oil_density_kg_per_m3: float = 830.0
    """Typical of mineral and synthetic immersion oils."""
    oil_cp_j_per_kg_k: float = 2_100.0
    """Specific heat of those oils (1.9-2.3 kJ/kg·K)."""
    metal_capacity_j_per_k: float = 40_000.0
    """Miners' metal: ~48 kg of aluminium heat sinks, copper and steel at ~0.85 kJ/kg·K."""
    oil_flow_m3_per_s: float = 1.0e-3
    """Oil pump through the heat exchanger (3.6 m³/h)."""
    hx_ua_w_per_k: float = 1_800.0
    """Plate heat exchanger: NTU ≈ 1.55 on the water side, tank 14.7 K above return at 11.4 kW."""
    loop_flow_m3_per_s: float = 2.8e-4
    """Loop pump (1 m³/h): 11.4 kW with a 10 K supply-return difference."""
    loop_volume_m3: float = 0.2
    """Water in the loop: radiators (~10 L/kW), pipes and exchanger."""
    water_density_kg_per_m3: float = 990.0
    """Water near 45 °C."""
    water_cp_j_per_kg_k: float = 4_180.0
    """Water."""
    emitter_rated_w: float = 11_400.0
    """Radiator output at the rated temperature difference (the design heat load)."""
    emitter_rated_delta_k: float = 30.0
    """Mean water minus indoor temperature at the rating: 55/45 °C water, 20 °C indoors."""
    emitter_exponent: float = 1.3
    """Radiator exponent (EN 442: 1.3 for panel radiators; 1.1 floor heating, 1.4 convectors)."""
    trv_band_k: float | None = 2.0
    """Thermostatic valves: open at the set point, shut this far above it; None: no valves."""
    indoor_setpoint_c: float = 20.0
    """Indoor target: where the valves start to close and the heat demand is counted from."""
    building_ua_w_per_k: float = 380.0
    """Envelope and ventilation loss: 380 W/K x (20 - (-10)) K = 11.4 kW design load."""
    building_capacity_j_per_k: float = 40.0e6
    """Effective thermal mass: ISO 13790 "medium" 165 kJ/m²K x 250 m²; time constant UA/C ≈ 29 h."""
    dump_ua_w_per_k: float = 800.0
    """Dry cooler: rejects 12 kW with the loop 15 K above the outdoor air."""
    max_step_s: float = 30.0
    """Longest internal Euler step; :meth:`Plant.step` splits longer steps (stability)."""

    def __post_init__(self) -> None:
        """Reject values that would make the model unphysical."""
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name in _OPTIONAL:
                continue
            if field.name in _NON_NEGATIVE:
                if not value >= 0.0:
                    raise ValueError(f"{field.name} must be >= 0, not {value}")
            elif not value > 0.0:
                raise ValueError(f"{field.name} must be > 0, not {value}")
        if not 0.0 < self.capture_fraction <= 1.0:
            raise ValueError(f"capture_fraction must be in (0, 1], not {self.capture_fraction}")
        if self.trv_band_k is not None and not self.trv_band_k > 0.0:
            raise ValueError(f"trv_band_k must be > 0 or None, not {self.trv_band_k}")

    @property
    def tank_capacity_j_per_k(self) -> float:
        """Thermal capacity of the tank: oil mass x cp plus the miners' metal."""
        oil = self.oil_volume_m3 * self.oil_density_kg_per_m3 * self.oil_cp_j_per_kg_k
        return oil + self.metal_capacity_j_per_k

    @property
    def loop_capacity_j_per_k(self) -> float:
        """Thermal capacity of the loop water."""
        return self.loop_volume_m3 * self.water_density_kg_per_m3 * self.water_cp_j_per_kg_k

    @property
    def emitter_coefficient(self) -> float:
        """Radiator constant K in ``Q = K·ΔT^n`` (W/K^n), from the rating."""
        return self.emitter_rated_w / math.pow(self.emitter_rated_delta_k, self.emitter_exponent)

    @property
    def oil_rate_w_per_k(self) -> float:
        """Heat capacity rate of the oil stream through the exchanger (W/K)."""
        return self.oil_flow_m3_per_s * self.oil_density_kg_per_m3 * self.oil_cp_j_per_kg_k

    def water_rate_w_per_k(self, flow_m3_per_s: float | None = None) -> float:
        """Heat capacity rate ``ṁ·cp`` of the loop water at a flow (default: the design flow)."""
        flow = self.loop_flow_m3_per_s if flow_m3_per_s is None else flow_m3_per_s
        return flow * self.water_density_kg_per_m3 * self.water_cp_j_per_kg_k

    def hx_conductance_w_per_k(self, flow_m3_per_s: float | None = None) -> float:
        """``ε·C_min`` of the exchanger (W/K): heat moved per kelvin of tank minus return."""
        water = self.water_rate_w_per_k(flow_m3_per_s)
        oil = self.oil_rate_w_per_k
        return counterflow_effectiveness(self.hx_ua_w_per_k, oil, water) * min(oil, water)


def counterflow_effectiveness(ua_w_per_k: float, rate_a: float, rate_b: float) -> float:
    """Effectiveness ε of a counterflow exchanger with two streams' ``ṁ·cp`` (W/K).

    ``ε = (1 - e^{-NTU(1-Cr)}) / (1 - Cr·e^{-NTU(1-Cr)})``, ``NTU/(1+NTU)`` when balanced;
    0 when either stream stops.
    """
    c_min, c_max = min(rate_a, rate_b), max(rate_a, rate_b)
    if c_min <= 0.0:
        return 0.0
    ntu = ua_w_per_k / c_min
    ratio = c_min / c_max
    if math.isclose(ratio, 1.0):
        return ntu / (1.0 + ntu)
    decay = math.exp(-ntu * (1.0 - ratio))
    return (1.0 - decay) / (1.0 - ratio * decay)


@dataclass(frozen=True, kw_only=True, slots=True)
class PlantReadings:
    """What the site's sensors report at one instant (noisy from :meth:`Plant.measure`).

    ``heat_w`` is a heat meter's figure, ``rho·cp·flow·(supply - return)`` from the same
    (noisy) temperature readings; flow, power and the dump switch are exact.
    """

    now_s: float
    tank_c: float
    supply_c: float
    return_c: float
    indoor_c: float
    outdoor_c: float
    flow_m3_per_s: float
    heat_w: float
    power_w: float
    dump_on: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class EnergyTotals:
    """Cumulative energy flows (J) since the plant was built, and the energy now stored.

    Stored energies are ``C·T`` relative to 0 °C; only their differences mean anything.
    Per store: ``electrical - room_loss = Δtank + heat_to_loop``,
    ``heat_to_loop = Δloop + delivered + dumped``, ``delivered = Δbuilding + envelope_loss``.
    Subtract two snapshots for the flows over an interval.
    """

    electrical_j: float = 0.0
    room_loss_j: float = 0.0
    heat_to_loop_j: float = 0.0
    delivered_j: float = 0.0
    dumped_j: float = 0.0
    envelope_loss_j: float = 0.0
    tank_j: float = 0.0
    loop_j: float = 0.0
    building_j: float = 0.0

    def __sub__(self, other: EnergyTotals) -> EnergyTotals:
        """Flows and storage changes between ``other`` (earlier) and this snapshot."""
        return EnergyTotals(
            **{f.name: getattr(self, f.name) - getattr(other, f.name) for f in fields(self)},
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class SteadyState:
    """Temperatures of the plant in equilibrium (constant power and outdoor temperature)."""

    tank_c: float
    supply_c: float
    return_c: float
    indoor_c: float


def steady_state(params: PlantParams, *, outdoor_c: float, miner_power_w: float) -> SteadyState:
    """Solve the network in equilibrium with the heat dump off, at the design loop flow.

    All the captured heat ``Q = capture_fraction x miner_power_w`` flows through every
    stage: ``T_in = T_out + Q/UA_b``; ``T_mean = T_in + (Q/(v·K))^(1/n)`` with the valve
    opening ``v`` at ``T_in``; supply and return ``T_mean ± Q/(2·ṁcp)``;
    ``T_tank = T_return + Q/(ε·C_min)``. Raises ValueError when the valves would be shut
    (no equilibrium: the tank heats without bound) or the pumps stand still.
    """
    if not miner_power_w >= 0.0:
        raise ValueError(f"miner_power_w must be >= 0, not {miner_power_w}")
    heat = params.capture_fraction * miner_power_w
    return hydronic_steady_state(
        params, indoor_c=outdoor_c + heat / params.building_ua_w_per_k, heat_w=heat
    )


def hydronic_steady_state(params: PlantParams, *, indoor_c: float, heat_w: float) -> SteadyState:
    """The tank and loop in equilibrium delivering ``heat_w`` to the building at ``indoor_c``.

    Raises ValueError when the valves are shut or the pumps stand still with heat coming in.
    """
    heat, indoor = heat_w, indoor_c
    opening = _valve_opening(params, indoor)
    conductance = params.hx_conductance_w_per_k()
    if heat > 0.0 and (opening <= 0.0 or conductance <= 0.0):
        raise ValueError("no equilibrium: valves closed or pumps stopped with heat coming in")
    emitter_rise = heat / (opening * params.emitter_coefficient) if heat > 0.0 else 0.0
    mean = indoor + math.pow(emitter_rise, 1.0 / params.emitter_exponent)
    half_rise = heat / (2.0 * params.water_rate_w_per_k())
    ret = mean - half_rise
    tank = ret + (heat / conductance if heat > 0.0 else 0.0)
    return SteadyState(tank_c=tank, supply_c=mean + half_rise, return_c=ret, indoor_c=indoor)


def _valve_opening(params: PlantParams, indoor_c: float) -> float:
    if params.trv_band_k is None:
        return 1.0
    return min(1.0, max(0.0, 1.0 - (indoor_c - params.indoor_setpoint_c) / params.trv_band_k))


class Plant:
    """One heating site, advanced by :meth:`step`; read its state or :meth:`measure` it.

    ``outdoor`` gives the outdoor temperature at a simulated time (see :mod:`sim.outdoor`).
    Initial temperatures default to a cold hydronic side: indoor at the set point, loop and
    tank at the indoor temperature. ``dump_on`` switches the dry cooler and turns its diverting
    valve (the radiators then get no water);
    ``flow_m3_per_s`` sets the loop pump (0 stops it). Sensor noise is Gaussian with
    standard deviation ``noise_k`` from ``random.Random(seed)``.
    """

    def __init__(  # noqa: PLR0913
        self,
        outdoor: OutdoorProfile,
        params: PlantParams | None = None,
        *,
        now_s: float = 0.0,
        tank_c: float | None = None,
        return_c: float | None = None,
        indoor_c: float | None = None,
        noise_k: float = 0.05,
        seed: int = 0,
    ) -> None:
        """Build the plant at time ``now_s`` (s since midnight of day 0)."""
        self.params = p = params or PlantParams()
        self.outdoor = outdoor
        self.now_s = now_s
        self.noise_k = noise_k
        self.dump_on = False
        self._rng = random.Random(seed)  # noqa: S311 - simulation noise, not cryptography
        self._indoor = p.indoor_setpoint_c if indoor_c is None else indoor_c
        self._return = self._indoor if return_c is None else return_c
        self._tank = self._return if tank_c is None else tank_c
        self._c_tank = p.tank_capacity_j_per_k
        self._c_loop = p.loop_capacity_j_per_k
        self._c_building = p.building_capacity_j_per_k
        self._k_emitter = p.emitter_coefficient
        self._flow = 0.0
        self._c_water = 0.0
        self._g_hx = 0.0
        self.flow_m3_per_s = p.loop_flow_m3_per_s
        self._power_w = 0.0
        self._electrical_j = 0.0
        self._room_loss_j = 0.0
        self._heat_to_loop_j = 0.0
        self._delivered_j = 0.0
        self._dumped_j = 0.0
        self._envelope_j = 0.0

    # ------------------------------------------------------------------ dynamics

    def step(self, dt_s: float, miner_power_w: float) -> None:
        """Advance ``dt_s`` seconds with the miners drawing ``miner_power_w`` (electrical, W).

        Steps longer than ``params.max_step_s`` are split into equal Euler sub-steps.
        """
        if not dt_s > 0.0:
            raise ValueError(f"dt_s must be > 0, not {dt_s}")
        if not miner_power_w >= 0.0:
            raise ValueError(f"miner_power_w must be >= 0, not {miner_power_w}")
        count = max(1, math.ceil(dt_s / self.params.max_step_s))
        h = dt_s / count
        captured = miner_power_w * self.params.capture_fraction
        for _ in range(count):
            q_hx, _, q_emit, q_dump, q_env = self._fluxes(self.outdoor(self.now_s))
            self._tank += h * (captured - q_hx) / self._c_tank
            self._return += h * (q_hx - q_emit - q_dump) / self._c_loop
            self._indoor += h * (q_emit - q_env) / self._c_building
            self._heat_to_loop_j += h * q_hx
            self._delivered_j += h * q_emit
            self._dumped_j += h * q_dump
            self._envelope_j += h * q_env
            self.now_s += h
        self._electrical_j += miner_power_w * dt_s
        self._room_loss_j += (miner_power_w - captured) * dt_s
        self._power_w = miner_power_w

    def _fluxes(self, outdoor_c: float) -> tuple[float, float, float, float, float]:
        """Heat flows (W) at the current state: exchanger, supply °C, radiators, dump, envelope."""
        p = self.params
        ret = self._return
        indoor = self._indoor
        q_hx = self._g_hx * (self._tank - ret)
        supply = ret + q_hx / self._c_water if self._c_water > 0.0 else ret
        mean = 0.5 * (supply + ret)
        diff = mean - indoor
        # Signed: water colder than the room takes heat from it.
        q_emit = self._k_emitter * math.copysign(abs(diff) ** p.emitter_exponent, diff)
        if p.trv_band_k is not None and indoor > p.indoor_setpoint_c:
            q_emit *= max(0.0, 1.0 - (indoor - p.indoor_setpoint_c) / p.trv_band_k)
        q_dump = 0.0
        if self.dump_on:
            q_emit, q_dump = 0.0, p.dump_ua_w_per_k * (mean - outdoor_c)
        q_env = p.building_ua_w_per_k * (indoor - outdoor_c)
        return q_hx, supply, q_emit, q_dump, q_env

    # ------------------------------------------------------------------ controls

    @property
    def flow_m3_per_s(self) -> float:
        """Loop flow (m³/s); set it to model a variable-speed pump, 0 stops it."""
        return self._flow

    @flow_m3_per_s.setter
    def flow_m3_per_s(self, value: float) -> None:
        if not value >= 0.0:
            raise ValueError(f"flow must be >= 0, not {value}")
        self._flow = value
        self._c_water = self.params.water_rate_w_per_k(value)
        self._g_hx = self.params.hx_conductance_w_per_k(value)

    def clock(self) -> float:
        """Simulated time (s); pass ``plant.clock`` as a :class:`MinerState` clock."""
        return self.now_s

    # ------------------------------------------------------------------ state

    @property
    def tank_c(self) -> float:
        """Tank (immersion fluid) temperature, °C."""
        return self._tank

    @property
    def return_c(self) -> float:
        """Loop return temperature (water back from the radiators), °C."""
        return self._return

    @property
    def supply_c(self) -> float:
        """Loop supply temperature (water leaving the exchanger), °C."""
        return self._fluxes(self.outdoor_c)[1]

    @property
    def indoor_c(self) -> float:
        """Indoor air temperature, °C."""
        return self._indoor

    @property
    def outdoor_c(self) -> float:
        """Outdoor air temperature now, °C."""
        return self.outdoor(self.now_s)

    @property
    def heat_to_loop_w(self) -> float:
        """Heat the exchanger moves from the tank into the loop, W."""
        return self._fluxes(self.outdoor_c)[0]

    @property
    def heat_delivered_w(self) -> float:
        """Heat the radiators give the building (0 while the dry cooler takes the loop), W."""
        return self._fluxes(self.outdoor_c)[2]

    @property
    def dump_w(self) -> float:
        """Heat the dry cooler rejects outdoors (0 when switched off), W."""
        return self._fluxes(self.outdoor_c)[3]

    @property
    def building_load_w(self) -> float:
        """Heat the building loses to the outdoors now, ``UA·(T_indoor - T_out)``, W."""
        return self.params.building_ua_w_per_k * (self._indoor - self.outdoor_c)

    @property
    def heat_demand_w(self) -> float:
        """Heat needed to hold the set point, ``UA·max(0, T_set - T_out)``, W."""
        p = self.params
        return p.building_ua_w_per_k * max(0.0, p.indoor_setpoint_c - self.outdoor_c)

    @property
    def miner_power_w(self) -> float:
        """Electrical power of the last step, W."""
        return self._power_w

    @property
    def energy(self) -> EnergyTotals:
        """Cumulative energy flows and stored energy now."""
        return EnergyTotals(
            electrical_j=self._electrical_j,
            room_loss_j=self._room_loss_j,
            heat_to_loop_j=self._heat_to_loop_j,
            delivered_j=self._delivered_j,
            dumped_j=self._dumped_j,
            envelope_loss_j=self._envelope_j,
            tank_j=self._c_tank * self._tank,
            loop_j=self._c_loop * self._return,
            building_j=self._c_building * self._indoor,
        )

    # ------------------------------------------------------------------ sensors

    def snapshot(self) -> PlantReadings:
        """Exact values of every sensor now."""
        outdoor = self.outdoor_c
        q_hx, supply, _, _, _ = self._fluxes(outdoor)
        return PlantReadings(
            now_s=self.now_s,
            tank_c=self._tank,
            supply_c=supply,
            return_c=self._return,
            indoor_c=self._indoor,
            outdoor_c=outdoor,
            flow_m3_per_s=self._flow,
            heat_w=q_hx,
            power_w=self._power_w,
            dump_on=self.dump_on,
        )

    def measure(self) -> PlantReadings:
        """Sensor readings now: temperatures with Gaussian noise (std ``noise_k``)."""
        exact = self.snapshot()
        if not self.noise_k:
            return exact
        gauss, std = self._rng.gauss, self.noise_k
        supply = exact.supply_c + gauss(0.0, std)
        ret = exact.return_c + gauss(0.0, std)
        return PlantReadings(
            now_s=exact.now_s,
            tank_c=exact.tank_c + gauss(0.0, std),
            supply_c=supply,
            return_c=ret,
            indoor_c=exact.indoor_c + gauss(0.0, std),
            outdoor_c=exact.outdoor_c + gauss(0.0, std),
            flow_m3_per_s=exact.flow_m3_per_s,
            heat_w=self._c_water * (supply - ret),
            power_w=exact.power_w,
            dump_on=exact.dump_on,
        )
