"""The plan bench's perfect-foresight reference: a dynamic programme over the building's heat.

Hour by hour, knowing every price and outdoor temperature, choose the miners' electrical power
(0 or one of the powers the site can run at) to minimise electricity cost less mining revenue,
plus a comfort penalty for each K·h the indoor air spends outside the comfort band, plus the
value of the heat the building lacks at the end below where it started (heat above it earns
nothing: the net cost the bench scores does not pay it back, so heat bought to be held at the end
would be a cost the optimum does not see).

Where heat has no use (summer), the miners may also run with the dry cooler taking all their
heat (as far as it can with the loop under the tank limit), the building getting none.

The store is the building's thermal mass (its indoor temperature, on a fine grid; the tank and
loop hold a few % of that and settle within the hour, so they are taken at equilibrium): over a
slot with the miners at P it relaxes exactly towards ``T_out + Q/UA`` with time constant
``C/UA`` (the plant's true parameters), ``Q = f·P`` up to what the loop can give the building at
that indoor temperature with the tank at its limit (valves throttling above the set point): the
power is replayed as a cap through the dispatcher's plan layer, whose ceiling guard holds the tank
there, so the miners then draw only ``Q/f``. The backward pass gives the value of every indoor
temperature at every hour, so the bench applies the plan from the plant's measured state each
hour (the reduced model's error does not accumulate over a fortnight). In slots where the
building takes heat only in bursts (``lag_h`` > 0, judged as the planner judges it), the state
counts what the tank and loop hold above the air, and the air lags it as in the planner's model
(:mod:`custom_components.hashheat.domain.hydronic`).

After a slot into the dry cooler the tank is down near the cooler's level, so in a slot that
follows with the valve to the house the miners may run above what the house takes while the tank
soaks up the rest, up to the tank limit: the programme's state also says whether the last slot
dumped. That charge is not counted as the building's (the next dump slot throws it away; a house
slot after it gives the house more than planned, which the next decision sees).
"""

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from custom_components.hashheat.domain.hydronic import MIDDLE_LAG_SHARE
from sim.plant import PlantParams, hydronic_steady_state

type Floats = npt.NDArray[np.float64]

GRID_C: Final[Floats] = np.arange(16.0, 25.0 + 1e-9, 0.02, dtype=np.float64)
"""Indoor temperatures of the store's grid (°C)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Problem:
    """What perfect foresight knows: the plant, its powers, each slot's net price and weather."""

    params: PlantParams
    powers_w: Floats
    """Electrical powers the site can run at (W), 0 included."""
    net_price: Floats
    """EUR per kWh the miners draw in each slot: all-in price less mining revenue."""
    outdoor_c: Floats
    """Mean outdoor temperature of each slot."""
    start_indoor_c: float
    band_c: tuple[float, float]
    tank_limit_c: float
    comfort_eur_per_kh: float
    heat_value_eur_per_kwh: float
    """What a kWh of heat the building lacks at the end, below the start, costs."""
    dump: bool = False
    """Whether the heat may go to the dry cooler instead of the building (when heat has no use)."""
    slot_s: float = 3600.0
    lag_h: float | Floats = 0.0
    """Heat the tank and loop hold above the indoor air per kW they give the building (kWh/kW),
    in each slot (0 where the building takes heat steadily: the loop's lag does not show)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Choice:
    """A slot's decision: the miners' electrical power and whether the dry cooler takes the heat."""

    power_w: float
    dump: bool


_BISECTIONS: Final = 40
_TIE_EUR: Final = 1e-9


def hydronic_lag_h(params: PlantParams) -> float:
    """Heat the tank and loop hold above the indoor air per kW, delivering the design heat."""
    heat_w = params.emitter_rated_w
    state = hydronic_steady_state(params, indoor_c=params.indoor_setpoint_c, heat_w=heat_w)
    return held_j(params, state.tank_c, state.return_c, params.indoor_setpoint_c) / heat_w / 3600


def held_j(params: PlantParams, tank_c: float, return_c: float, indoor_c: float) -> float:
    """Heat (J) the tank and loop hold above the indoor air."""
    tank = params.tank_capacity_j_per_k * max(tank_c - indoor_c, 0.0)
    return tank + params.loop_capacity_j_per_k * max(return_c - indoor_c, 0.0)


def deliverable_w(params: PlantParams, indoor_c: Floats, limit_c: float) -> Floats:
    """The most heat the loop gives the building at each indoor °C with the tank at ``limit_c``."""
    most = np.zeros(indoor_c.size)
    for i, indoor in enumerate(indoor_c):
        low, high = 0.0, 10.0 * params.emitter_rated_w
        for _ in range(_BISECTIONS):
            middle = (low + high) / 2
            try:
                tank_c = hydronic_steady_state(params, indoor_c=float(indoor), heat_w=middle).tank_c
            except ValueError:
                break  # the valves are shut: nothing goes in
            low, high = (middle, high) if tank_c <= limit_c else (low, middle)
        most[i] = low
    return most


def dumped_tank_c(params: PlantParams, heat_w: float, outdoor_c: Floats) -> Floats:
    """The tank in equilibrium with the dry cooler taking ``heat_w`` at each outdoor °C."""
    mean = outdoor_c + heat_w / params.dump_ua_w_per_k
    ret = mean - heat_w / (2.0 * params.water_rate_w_per_k())
    return np.asarray(ret + heat_w / params.hx_conductance_w_per_k(), dtype=np.float64)


def deliverable_from_w(params: PlantParams, indoor_c: Floats, tank_c: Floats) -> Floats:
    """:func:`deliverable_w` for each slot's tank °C (rows), interpolated between whole kelvins."""
    lowest = math.floor(tank_c.min())
    limits = np.arange(lowest, max(math.ceil(tank_c.max()), lowest + 1) + 1.0)
    table = np.stack([deliverable_w(params, indoor_c, float(limit)) for limit in limits])
    position = tank_c - lowest
    below = np.minimum(np.floor(position).astype(int), limits.size - 2)
    share = (position - below)[:, None]
    return np.asarray(table[below] * (1 - share) + table[below + 1] * share, dtype=np.float64)


class Optimum:
    """The value of each indoor temperature at each slot boundary; the best power from any state.

    ``values`` is after a slot with the valve to the house (and at the start), ``values_after_dump``
    after a slot into the dry cooler.
    """

    def __init__(self, problem: Problem, grid_c: Floats = GRID_C) -> None:
        """Solve backwards from the last slot."""
        self.problem = p = problem
        self.grid_c = grid_c
        slots = p.net_price.size
        self.lag_h = np.broadcast_to(np.asarray(p.lag_h, dtype=np.float64), (slots,))
        self.values = np.empty((slots + 1, grid_c.size))
        capacity_kwh_per_k = p.params.building_capacity_j_per_k / 3.6e6
        self.values[slots] = (
            p.heat_value_eur_per_kwh
            * capacity_kwh_per_k
            * np.maximum(p.start_indoor_c - grid_c, 0.0)
        )
        self.values_after_dump = self.values.copy()
        dumped = p.powers_w[1:] if p.dump else p.powers_w[:0]
        self.powers_w = np.concatenate([p.powers_w, dumped])
        self.dumped = np.arange(self.powers_w.size) >= p.powers_w.size
        self.deliverable_w = deliverable_w(p.params, grid_c, p.tank_limit_c)
        self.soak_w = np.zeros(slots)
        self.deliverable_after_dump_w = np.tile(self.deliverable_w, (slots, 1))
        if p.dump:
            full_w = p.params.capture_fraction * float(p.powers_w.max())
            tank_c = np.minimum(dumped_tank_c(p.params, full_w, p.outdoor_c), p.tank_limit_c)
            self.soak_w = p.params.tank_capacity_j_per_k * (p.tank_limit_c - tank_c) / p.slot_s
            self.deliverable_after_dump_w = deliverable_from_w(p.params, grid_c, tank_c)
        for slot in range(slots - 1, -1, -1):
            self.values[slot] = np.min(self._q_values(slot, grid_c, after_dump=False), axis=1)
            self.values_after_dump[slot] = np.min(
                self._q_values(slot, grid_c, after_dump=True), axis=1
            )

    def _q_values(self, slot: int, indoor_c: Floats, *, after_dump: bool) -> Floats:
        p = self.problem
        hours = p.slot_s / 3600
        ua = p.params.building_ua_w_per_k
        decay = np.exp(-ua * p.slot_s / p.params.building_capacity_j_per_k)
        # The dry cooler takes the heat while the loop stays under the tank limit.
        cooler_w = p.params.dump_ua_w_per_k * (p.tank_limit_c - p.outdoor_c[slot])
        captured = p.params.capture_fraction * self.powers_w
        coolable = ~self.dumped | (captured <= cooler_w)
        deliverable = self.deliverable_after_dump_w[slot] if after_dump else self.deliverable_w
        most = np.interp(indoor_c, self.grid_c, deliverable)[:, None]
        heat_w = np.where(self.dumped[None, :], 0.0, np.minimum(captured[None, :], most))
        soak_w = self.soak_w[slot] if after_dump else 0.0
        kept_w = np.minimum(captured[None, :], heat_w + soak_w)
        power_w = np.where(self.dumped[None, :], self.powers_w, kept_w / p.params.capture_fraction)
        lag_k = self.lag_h[slot] * heat_w * 3600 / p.params.building_capacity_j_per_k
        target = p.outdoor_c[slot] + heat_w / ua + lag_k
        after = target + (indoor_c[:, None] - target) * decay
        middle = 0.5 * (indoor_c[:, None] + after)
        low, high = p.band_c
        air_c = middle - MIDDLE_LAG_SHARE * lag_k
        outside = np.maximum(low - air_c, 0.0) + np.maximum(middle - high, 0.0)
        cost = power_w / 1000 * hours * p.net_price[slot]
        cost = cost + p.comfort_eur_per_kh * hours * outside
        following = np.where(
            self.dumped[None, :],
            np.interp(after, self.grid_c, self.values_after_dump[slot + 1]),
            np.interp(after, self.grid_c, self.values[slot + 1]),
        )
        return np.where(coolable[None, :], cost + following, np.inf)

    def mining_pays(self, slot: int) -> bool:
        """Whether the slot's miners earn more than they draw, and their heat can be dumped."""
        p = self.problem
        cooler_w = p.params.dump_ua_w_per_k * (p.tank_limit_c - p.outdoor_c[slot])
        coolable = p.params.capture_fraction * float(p.powers_w.max()) <= cooler_w
        return p.dump and coolable and bool(p.net_price[slot] < 0)

    def best(self, slot: int, indoor_c: float, *, after_dump: bool = False) -> Choice:
        """What to run over ``slot`` from the measured indoor temperature (and last valve).

        Of powers equally good (more than the loop can give the building) the highest where
        mining pays (the dispatcher's ceiling guard then lets the miners run as far as the tank
        takes their heat), else the lowest.
        """
        costs = self._q_values(slot, np.array([indoor_c]), after_dump=after_dump)[0]
        ties = np.flatnonzero(costs <= costs.min() + _TIE_EUR)
        best = int(ties[-1] if self.problem.net_price[slot] < 0 else ties[0])
        return Choice(power_w=float(self.powers_w[best]), dump=bool(self.dumped[best]))
