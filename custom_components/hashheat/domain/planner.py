"""The price plan: the site's power per price slot, with the heat store as a battery.

Entry point: :func:`plan` (``PlanInputs`` in, ``Plan`` out; pure, never raises on bad data).

It minimises electricity cost - mining revenue - value of the heat delivered to the building, by
dynamic programming over (slot, store temperature on a grid, miners running, slots since the
count last changed), the value function interpolated linearly between grid temperatures. Per
slot the store follows :class:`~.site_model.StoreParams`::

    T' = T + (f·P - d - L·(T - T_room)) · Δt / C

Soft constraints, so a plan always exists: heat the store cannot give (below ``min_store_c``) is
unmet demand, charged at the heat's value plus ``comfort_penalty_per_kwh``; a store above
``max_store_c`` (the over-temperature limit less its margin) is dumped for free when a heat dump
is available, else charged ``violation_penalty_per_kwh`` per kWh over and slot, as are power
over a cap (site, hold) or under a hold's floor. Minimum on/off times are hard (staying is always
possible) and apply to the site's count of running miners; each start costs ``start_cost`` (wear),
and the daily start cap is met by pricing starts higher (a multiplier found by bisection). The
end of the horizon must leave the store at ``terminal_store_c`` (default: where it starts); a
shortfall costs the dearest net price of heat.

With a :class:`BuildingStore` (a site with an indoor temperature sensor) the store is the
building instead: the state is its heat as an indoor temperature (the indoor air plus what the
tank and loop hold above it, :mod:`.hydronic`), which over a slot relaxes exactly towards
``T_out + Q/UA`` with time constant ``C/UA``, ``Q = f·P``; the indoor air lags it by
``lag_h·Q/C`` once the loop delivers ``Q`` (the tank and loop settle within the slot). Its demand
is then the building's own loss at each temperature, the comfort band is soft
(``comfort_penalty_per_kh`` per K·h the air is outside it, or ``COMFORT_HOURS`` of the building's
loss per K at the dearest heat where that is more, at the slot's middle, where the tank
and loop, filling over the slot, hold about half that lag: ``hydronic.MIDDLE_LAG_SHARE``).
What the heat the building holds at the end is worth depends on whether it will be needed (a
cold night, or a warm week): the programme runs on over a tail of ``TAIL_HOURS`` hours whose
prices and weather repeat the horizon's last day, and only then charges the heat missing below
where it started at the heat's value (heat held above it earns nothing: each re-plan starts again
from what the building holds, so a credit would only ratchet it up); the plan is the horizon's
slots. With a heat dump
each power may also run with all its heat dumped, the building getting none, and each count of
miners at its full power with only a share of the slot's heat going to the building
(``SPLIT_SHARES``: the valve to the building for that share of the slot, then to the dump): where
mining pays, the miners run on while the building takes what it needs.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from itertools import pairwise
from typing import Final

import numpy as np
import numpy.typing as npt

from .hydronic import MIDDLE_LAG_SHARE
from .price_forecast import PriceSlot, first_gap
from .site_model import StoreParams

type _Array = npt.NDArray[np.float64]

GRID_POINTS: Final = 61
BUILDING_GRID_POINTS: Final = 121
_BUILDING_BELOW_K: Final = 2.0
_BUILDING_ABOVE_K: Final = 1.5
TAIL_HOURS: Final = 24
SPLIT_SHARES: Final = (0.25, 0.5, 0.75)
COMFORT_HOURS: Final = 12.0
MAX_LEVELS_PER_COUNT: Final = 6
_OVERFLOW_HEADROOM_K: Final = 5.0
_BISECTIONS: Final = 7
_LOWEST_START_COST: Final = 1e-3
_HIGHEST_START_COST: Final = 1e3
_TIE_START_COST: Final = 1e-6
_TIE_HEAT_COST: Final = 1e-5


class PlanReason(StrEnum):
    """Why the plan is what it is."""

    PRICE_PLAN = "price_plan"
    NO_PRICES = "no_prices"
    PRICE_GAP = "price_gap"
    BAD_INPUT = "bad_input"


@dataclass(frozen=True, kw_only=True, slots=True)
class GridHold:
    """The site must draw at least ``floor_w``, and at most ``cap_w``, over ``[start, end)``."""

    start: datetime
    end: datetime
    floor_w: float = 0.0
    cap_w: float | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class BuildingStore:
    """The building as the heat store: its indoor temperature now, its weather and its band."""

    indoor_c: float
    outdoor_c: Sequence[float]
    """The outdoor temperature per slot (same length as the slots)."""
    capacity_kwh_per_k: float
    ua_kw_per_k: float
    band_c: tuple[float, float]
    """The indoor temperatures the plan keeps to (soft)."""
    comfort_penalty_per_kh: float = 5.0
    lag_h: float = 0.0
    """Heat the tank and loop hold per kW they deliver (kWh/kW): ``indoor_c`` counts what they
    hold now as the building's, and the air lags that by ``lag_h·Q/C`` while they deliver ``Q``."""


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanInputs:
    """Everything the planner needs; plain values, no Home Assistant."""

    slots: Sequence[PriceSlot]
    """Contiguous all-in prices per kWh, sorted (15-min, hourly or mixed)."""
    demand_kw: Sequence[float]
    """The building's heat demand per slot (same length as ``slots``)."""
    store_c: float
    """The store's temperature now."""
    store: StoreParams
    miner_steps_w: Sequence[Sequence[float]]
    """Per miner, its power steps in W (one step: an on/off-only miner)."""
    min_store_c: float
    """Below this the store cannot heat the building."""
    max_store_c: float
    """The over-temperature limit less its margin."""
    revenue_per_kwh: float
    """Mining revenue per kWh of electricity."""
    heat_value_per_kwh: float
    """What a kWh of heat delivered to the building saves (0 in summer)."""
    heat_dump: bool = False
    """A heat dump can take heat the store cannot hold."""
    site_cap_w: float | None = None
    holds: Sequence[GridHold] = ()
    min_on_s: float = 0.0
    min_off_s: float = 0.0
    start_cap_per_day: int | None = None
    start_cost: float = 0.01
    """What a miner start costs in wear (per start, in the prices' currency): stops chatter."""
    starts_today: int = 0
    """Starts already made today (count against the first day's cap)."""
    running: int = 0
    """Miners running now."""
    running_for_s: float = math.inf
    """How long the count of running miners has been unchanged."""
    terminal_store_c: float | None = None
    comfort_penalty_per_kwh: float = 5.0
    violation_penalty_per_kwh: float = 100.0
    day_tz: tzinfo = UTC
    """Time zone whose midnights reset the start cap."""
    building: BuildingStore | None = None
    """The building as the store (``demand_kw``, ``min_store_c`` and the tank only say the rest)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class PlannedSlot:
    """One slot of the plan; temperatures and stored heat at its end."""

    start: datetime
    end: datetime
    price_per_kwh: float
    power_w: float
    running: int
    store_c: float
    """The store's temperature at the slot's end (indoor, when the building is the store)."""
    stored_heat_kwh: float
    """Heat above ``min_store_c`` (the band's lower edge for the building): what can be drawn."""
    unmet_kwh: float
    dumped_kwh: float
    dump: bool = False
    """The heat dump takes the miners' heat over this slot (or after ``house_share`` of it)."""
    house_share: float = 1.0
    """The share of the slot, from its start, whose heat goes to the building."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Plan:
    """The plan, what it is expected to cost, and why it is a price plan or a comfort plan."""

    slots: tuple[PlannedSlot, ...]
    reason: PlanReason
    detail: str
    electricity_cost: float
    mining_revenue: float
    heat_value: float
    starts: int
    start_cap_met: bool

    @property
    def expected_cost(self) -> float:
        """Electricity cost - mining revenue - value of the heat delivered."""
        return self.electricity_cost - self.mining_revenue - self.heat_value

    @property
    def is_price_plan(self) -> bool:
        """False for a comfort fallback."""
        return self.reason is PlanReason.PRICE_PLAN


def site_levels(miner_steps_w: Sequence[Sequence[float]]) -> list[list[float]]:
    """Per count of running miners, the site powers (W) reachable, thinned to a few levels."""
    reach: list[set[float]] = [{0.0}] + [set() for _ in miner_steps_w]
    for steps in miner_steps_w:
        for count in range(len(reach) - 1, 0, -1):
            reach[count] |= {round(total + step) for total in reach[count - 1] for step in steps}
    levels = []
    for powers in reach:
        ordered = sorted(powers)
        if len(ordered) > MAX_LEVELS_PER_COUNT:
            picks = np.linspace(0, len(ordered) - 1, MAX_LEVELS_PER_COUNT).round().astype(int)
            ordered = [ordered[i] for i in sorted(set(picks.tolist()))]
        levels.append(ordered)
    while len(levels) > 1 and not levels[-1]:
        levels.pop()
    return levels


@dataclass(frozen=True, slots=True)
class _Problem:
    inputs: PlanInputs
    hours: _Array  # (S,)
    net_price: _Array  # (S,) price - revenue
    demand: _Array  # (S,)
    floor_kw: _Array  # (S,)
    cap_kw: _Array  # (S,) the site cap, lower under a grid hold
    powers_kw: _Array  # (N+1, K)
    house_share: _Array  # (K,) share of each level's heat the building gets (the dump the rest)
    grid: _Array  # (G,)
    start_c: float
    outdoor_c: _Array  # (S,) the building's weather
    min_on: int
    min_off: int
    dwell_states: int
    day: npt.NDArray[np.int64]  # (S,) day index for the start cap
    unmet_cost: float
    terminal_cost: float
    comfort_per_kh: float = 0.0
    """What a K·h of the building outside its band costs (``comfort_floor_per_kh``)."""


def plan(inputs: PlanInputs) -> Plan:
    """The site's plan over the price slots; a comfort plan, with the reason, on bad input."""
    problem = _check(inputs)
    if isinstance(problem, Plan):
        return problem
    if (gap := first_gap(inputs.slots)) is not None:
        comfort = _comfort(problem)
        chosen = _solve(comfort, _grid_steps(comfort), 0.0)
        return _result(problem, chosen, PlanReason.PRICE_GAP, f"prices stop at {gap}")
    return _with_start_cap(problem)


def _check(inputs: PlanInputs) -> _Problem | Plan:
    if not inputs.slots:
        return _empty(PlanReason.NO_PRICES, "no price forecast: comfort control")
    numbers = [inputs.store_c, inputs.min_store_c, inputs.max_store_c, inputs.revenue_per_kwh]
    numbers += [inputs.heat_value_per_kwh, inputs.store.capacity_kwh_per_k, inputs.start_cost]
    numbers += [s.price_per_kwh for s in inputs.slots] + list(inputs.demand_kw)
    numbers += [hold.floor_w for hold in inputs.holds] + [inputs.site_cap_w or 0.0]
    numbers += [hold.cap_w for hold in inputs.holds if hold.cap_w is not None]
    steps = [step for miner in inputs.miner_steps_w for step in miner]
    problems = [
        (len(inputs.demand_kw) != len(inputs.slots), "a demand figure per price slot"),
        (not all(math.isfinite(v) for v in numbers), "finite numbers"),
        (inputs.max_store_c <= inputs.min_store_c, "a store range"),
        (inputs.store.capacity_kwh_per_k <= 0, "a positive heat capacity"),
        (not 0 < inputs.store.capture_fraction <= 1, "a capture fraction in (0, 1]"),
        (not all(math.isfinite(v) and v > 0 for v in steps), "positive power steps"),
        (any(not miner for miner in inputs.miner_steps_w), "a power step for every miner"),
        (any(s.end <= s.start for s in inputs.slots), "slots that end after they start"),
        (any(b.start < a.end for a, b in pairwise(inputs.slots)), "slots in order"),
        *_building_problems(inputs),
    ]
    missing = [need for bad, need in problems if bad]
    if missing:
        return _empty(PlanReason.BAD_INPUT, "the planner needs " + ", ".join(missing))
    return _problem(inputs)


def _building_problems(inputs: PlanInputs) -> list[tuple[bool, str]]:
    building = inputs.building
    if building is None:
        return []
    numbers = [building.indoor_c, *building.outdoor_c, *building.band_c]
    numbers += [building.capacity_kwh_per_k, building.ua_kw_per_k, building.comfort_penalty_per_kh]
    numbers += [building.lag_h]
    return [
        (len(building.outdoor_c) != len(inputs.slots), "an outdoor temperature per price slot"),
        (not all(math.isfinite(v) for v in numbers), "finite building figures"),
        (building.lag_h < 0, "a tank and loop lag >= 0"),
        (building.capacity_kwh_per_k <= 0 or building.ua_kw_per_k <= 0, "a building C and UA > 0"),
        (not building.band_c[0] < building.band_c[1], "a comfort band"),
    ]


def _empty(reason: PlanReason, detail: str) -> Plan:
    return Plan(
        slots=(),
        reason=reason,
        detail=detail,
        electricity_cost=0.0,
        mining_revenue=0.0,
        heat_value=0.0,
        starts=0,
        start_cap_met=True,
    )


def _problem(inputs: PlanInputs) -> _Problem:
    slots = inputs.slots
    hours = np.array([(s.end - s.start) / timedelta(hours=1) for s in slots])
    prices = np.array([s.price_per_kwh for s in slots])
    levels = site_levels(inputs.miner_steps_w)
    width = max(len(level) for level in levels)
    powers = np.array([level + [level[-1]] * (width - len(level)) for level in levels]) / 1000
    house_share = np.ones(width)
    if inputs.building is not None and inputs.heat_dump:
        split = np.repeat(powers[:, -1:], len(SPLIT_SHARES), axis=1)
        powers = np.concatenate([powers, powers, split], axis=1)
        house_share = np.concatenate([house_share, np.zeros(width), SPLIT_SHARES])
    floor = np.zeros(len(slots))
    cap = np.full(len(slots), _cap_kw(inputs.site_cap_w))
    for hold in inputs.holds:
        for i, slot in enumerate(slots):
            if slot.start < hold.end and hold.start < slot.end:
                floor[i] = max(floor[i], hold.floor_w / 1000)
                cap[i] = min(cap[i], _cap_kw(hold.cap_w))
    shortest_s = _shortest_s(hours)
    # To the nearest slot: the dispatcher keeps the exact times; a 10-minute minimum must not
    # forbid a whole hour's slot.
    min_on = round(inputs.min_on_s / shortest_s)
    min_off = round(inputs.min_off_s / shortest_s)
    if inputs.building is None:
        start_c = inputs.store_c
        low = min(inputs.min_store_c, start_c)
        high = max(inputs.max_store_c, start_c) + (0 if inputs.heat_dump else _OVERFLOW_HEADROOM_K)
        grid = np.linspace(low, high, GRID_POINTS)
    else:
        start_c = inputs.building.indoor_c
        band_low, band_high = inputs.building.band_c
        low = min(band_low - _BUILDING_BELOW_K, start_c)
        high = max(band_high + _BUILDING_ABOVE_K, start_c)
        grid = np.linspace(low, high, BUILDING_GRID_POINTS)
    first_day = slots[0].start.astimezone(inputs.day_tz).date()
    day = np.array([(s.start.astimezone(inputs.day_tz).date() - first_day).days for s in slots])
    store = inputs.store
    dearest_heat = max(float(np.max(prices)) - inputs.revenue_per_kwh, 0.0) / store.capture_fraction
    demand = np.maximum(np.array(inputs.demand_kw, dtype=float), 0.0)
    outdoor = np.zeros(len(slots))
    if inputs.building is not None:
        tail = _tail(slots, [prices, np.array(inputs.building.outdoor_c, dtype=float)])
        prices, outdoor = np.concatenate([prices, tail[0]]), np.concatenate([outdoor, tail[1]])
        outdoor[: len(slots)] = inputs.building.outdoor_c
        extra = len(tail[0])
        hours = np.concatenate([hours, np.ones(extra)])
        demand = np.concatenate([demand, np.zeros(extra)])
        floor = np.concatenate([floor, np.zeros(extra)])
        cap = np.concatenate([cap, np.full(extra, _cap_kw(inputs.site_cap_w))])
        day = np.concatenate([day, np.full(extra, day[-1])])
    heat_matters = inputs.heat_value_per_kwh > 0 or (inputs.building is None and bool(demand.any()))
    return _Problem(
        inputs=inputs,
        hours=hours,
        net_price=prices - inputs.revenue_per_kwh,
        demand=demand,
        floor_kw=floor,
        cap_kw=cap,
        powers_kw=powers,
        house_share=house_share,
        grid=grid,
        start_c=start_c,
        outdoor_c=outdoor,
        min_on=min_on,
        min_off=min_off,
        dwell_states=max(min_on, min_off, 1) + 1,
        day=day.astype(np.int64),
        unmet_cost=inputs.heat_value_per_kwh + inputs.comfort_penalty_per_kwh,
        comfort_per_kh=comfort_floor_per_kh(inputs.building, dearest_heat),
        terminal_cost=_terminal_cost(inputs, dearest_heat) if heat_matters else 0.0,
    )


def comfort_floor_per_kh(building: BuildingStore | None, dearest_heat: float) -> float:
    """The building's comfort penalty, at least ``COMFORT_HOURS`` of its loss per K at dearest.

    A flat penalty is outbid where heat is dear and the building large: at 0.7 EUR/kWh a 45 kW
    building's hour without heat on a -7 °C night saves ~20 EUR, more than the K·h it costs at
    5 EUR, so the plan let the house go cold for the dear hours (and a site that only just keeps
    up never got it back).
    """
    if building is None:
        return 0.0
    return max(building.comfort_penalty_per_kh, COMFORT_HOURS * building.ua_kw_per_k * dearest_heat)


def _tail(slots: Sequence[PriceSlot], series: list[_Array]) -> list[_Array]:
    """``TAIL_HOURS`` hourly values after the slots, each series repeating its day before."""
    starts = np.array([s.start.timestamp() for s in slots])
    end = slots[-1].end.timestamp()
    at = end + (np.arange(TAIL_HOURS) + 0.5) * 3600
    day_s = 86400.0
    earlier = at - day_s * np.ceil((at - end) / day_s)
    index = np.clip(np.searchsorted(starts, earlier, side="right") - 1, 0, len(slots) - 1)
    return [values[index] for values in series]


def _shortest_s(hours: _Array) -> float:
    """The shortest slot but the first (which may be what is left of one in progress), in s."""
    return float((hours[1:] if len(hours) > 1 else hours).min()) * 3600


def _terminal_cost(inputs: PlanInputs, dearest_heat: float) -> float:
    """What a kWh short at the horizon's end costs."""
    if inputs.building is not None:
        return inputs.heat_value_per_kwh
    return max(dearest_heat, inputs.heat_value_per_kwh) + 1e-3


def _terminal_values(problem: _Problem) -> _Array:
    """The horizon's end: each grid temperature's value of the heat held (G,)."""
    inputs, building = problem.inputs, problem.inputs.building
    if building is not None:
        end_c = float(np.clip(problem.start_c, *building.band_c))
        missing: _Array = np.maximum(end_c - problem.grid, 0.0) * building.capacity_kwh_per_k
        return problem.terminal_cost * missing
    terminal_c = inputs.store_c if inputs.terminal_store_c is None else inputs.terminal_store_c
    terminal_c = min(terminal_c, inputs.max_store_c)
    shortfall = np.maximum(terminal_c - problem.grid, 0.0) * inputs.store.capacity_kwh_per_k
    return problem.terminal_cost * shortfall


def _comfort(problem: _Problem) -> _Problem:
    """The same site with every kWh costing the same: heat when needed, with the least energy."""
    flat = np.ones_like(problem.net_price)
    terminal = 1.0 / problem.inputs.store.capture_fraction + 1e-3
    return replace(problem, net_price=flat, terminal_cost=terminal)


@dataclass(frozen=True, slots=True)
class _Step:
    """One slot from store temperatures, per (count, level): where to, at what cost."""

    t_next: _Array
    cost: _Array
    unmet: _Array
    dumped: _Array
    heat: _Array
    """Heat the building gets (kWh)."""


def _step(problem: _Problem, s: int, t: _Array) -> _Step:
    if problem.inputs.building is not None:
        return _building_step(problem, problem.inputs.building, s, t)
    inputs, store = problem.inputs, problem.inputs.store
    hours, p = problem.hours[s], problem.powers_kw[:, :, None]
    c = store.capacity_kwh_per_k
    t_raw = (
        t
        + (
            store.capture_fraction * p
            - problem.demand[s]
            - store.loss_kw_per_k * (t - store.room_c)
        )
        * hours
        / c
    )
    unmet = np.clip((inputs.min_store_c - t_raw) * c, 0.0, problem.demand[s] * hours)
    t_after = t_raw + unmet / c
    over = np.maximum(t_after - inputs.max_store_c, 0.0) * c
    if inputs.heat_dump:
        dumped, penalised = over, np.zeros_like(over)
        t_next = t_after - over / c
    else:
        dumped, penalised = np.zeros_like(over), over
        t_next = np.minimum(t_after, problem.grid[-1])
    cost = (
        problem.net_price[s] * p * hours
        + problem.unmet_cost * unmet
        + inputs.violation_penalty_per_kwh * (penalised + _grid_violation(problem, s))
    )
    heat = problem.demand[s] * hours - unmet
    return _Step(t_next=t_next, cost=cost, unmet=unmet, dumped=dumped, heat=heat)


def _grid_violation(problem: _Problem, s: int) -> _Array:
    """Energy (kWh) under a grid hold's floor or over the site cap, per (count, level, 1)."""
    p, hours = problem.powers_kw[:, :, None], problem.hours[s]
    under = np.maximum(problem.floor_kw[s] - p, 0.0)
    over = np.maximum(p - problem.cap_kw[s], 0.0)
    violation: _Array = (under + over) * hours
    return violation


def _building_step(problem: _Problem, building: BuildingStore, s: int, t: _Array) -> _Step:
    """The indoor temperature relaxing towards where the slot's heat would hold it."""
    inputs = problem.inputs
    hours, p = problem.hours[s], problem.powers_kw[:, :, None]
    captured = inputs.store.capture_fraction * p
    heat_kw = problem.house_share[None, :, None] * captured
    ua = building.ua_kw_per_k
    # The heat in the tank and loop does not leak through the envelope: the air it lags by does not.
    lag_k = building.lag_h * heat_kw / building.capacity_kwh_per_k
    target = problem.outdoor_c[s] + heat_kw / ua + lag_k
    decay = math.exp(-ua * hours / building.capacity_kwh_per_k)
    after = target + (t - target) * decay
    middle = (t + after) / 2
    low, high = building.band_c
    air_c = middle - MIDDLE_LAG_SHARE * lag_k
    outside = np.maximum(low - air_c, 0.0) + np.maximum(middle - high, 0.0)
    cost = (
        problem.net_price[s] * p * hours
        + problem.comfort_per_kh * hours * outside
        + inputs.violation_penalty_per_kwh * _grid_violation(problem, s)
    )
    if inputs.heat_dump:
        # Heat of no use the building need not take: the dump takes it, ties go to a cooler house.
        cost = cost + _TIE_HEAT_COST * heat_kw * hours
    t_next = np.clip(after, problem.grid[0], problem.grid[-1])
    dumped = (captured - heat_kw) * hours + np.zeros_like(t)
    return _Step(
        t_next=t_next,
        cost=cost,
        unmet=np.zeros_like(t_next),
        dumped=dumped,
        heat=heat_kw * hours + np.zeros_like(t),
    )


def _cap_kw(cap_w: float | None) -> float:
    return math.inf if cap_w is None else cap_w / 1000


def _landing(problem: _Problem, t_next: _Array) -> tuple[npt.NDArray[np.int64], _Array]:
    """Grid points below ``t_next`` and the weights of the ones above, to read values between."""
    grid = problem.grid
    pos = (t_next - grid[0]) / (grid[1] - grid[0])
    below = np.clip(np.floor(pos).astype(np.int64), 0, len(grid) - 2)
    return below, np.clip(pos - below, 0.0, 1.0)


def _arrive(values: _Array, below: npt.NDArray[np.int64], weight: _Array) -> _Array:
    """``values`` (count, dwell, G) read between grid points: (count, dwell, level, T)."""
    counts, dwell, points = values.shape
    offsets = (np.arange(counts * dwell).reshape(counts, dwell, 1, 1)) * points
    flat = offsets + below[:, None]
    ravelled = values.ravel()
    low, high = np.take(ravelled, flat), np.take(ravelled, flat + 1)
    arrived: _Array = low + (high - low) * weight[:, None]
    return arrived


type _GridStep = tuple[_Step, npt.NDArray[np.int64], _Array]


def _solve(
    problem: _Problem, steps: list[_GridStep], start_cost: float
) -> list[tuple[int, int, _Step]]:
    """Backward induction, then the forward pass from the actual state: (count, level, step)."""
    counts, dwell = problem.powers_kw.shape[0], problem.dwell_states
    inputs = problem.inputs
    value = np.tile(_terminal_values(problem), (counts, dwell, 1))
    ups = np.arange(counts)[None, :] - np.arange(counts)[:, None]
    change = np.where(ups > 0, ups * (start_cost + inputs.start_cost + _TIE_START_COST), 0.0)
    np.fill_diagonal(change, np.inf)
    d = np.arange(dwell)
    up_ok = d >= problem.min_off
    down_ok = d >= problem.min_on
    allowed = np.where(ups[None] > 0, up_ok[:, None, None], down_ok[:, None, None])
    change_cost = np.where(allowed, change[None], np.inf)  # (D, N+1 from, N+1 to)
    stay = np.minimum(d + 1, dwell - 1)
    values = [value]
    for step, below, weight in reversed(steps):
        reached = _arrive(value, below, weight)
        best = (reached + step.cost[:, None]).min(axis=2)  # (count, dwell, G)
        changed = (change_cost[:, :, :, None] + best[None, None, :, 1]).min(axis=2)
        value = np.minimum(best[:, stay].transpose(1, 0, 2), changed).transpose(1, 0, 2).copy()
        values.append(value)
    values.reverse()
    return _forward(problem, values, change_cost, stay)


def _grid_steps(problem: _Problem) -> list[_GridStep]:
    """Every slot from every grid temperature: the same for every start cost."""
    steps: list[_GridStep] = []
    for s in range(len(problem.hours)):
        step = _step(problem, s, problem.grid)
        steps.append((step, *_landing(problem, step.t_next)))
    return steps


def _forward(
    problem: _Problem, values: list[_Array], change_cost: _Array, stay: npt.NDArray[np.int64]
) -> list[tuple[int, int, _Step]]:
    inputs = problem.inputs
    counts = problem.powers_kw.shape[0]
    n = min(max(inputs.running, 0), counts - 1)
    held = inputs.running_for_s / _shortest_s(problem.hours)
    d = round(min(max(held, 0.0), problem.dwell_states - 1))
    t = np.array([problem.start_c])
    chosen: list[tuple[int, int, _Step]] = []
    for s in range(len(inputs.slots)):
        step = _step(problem, s, t)
        total = _arrive(values[s + 1], *_landing(problem, step.t_next)) + step.cost[:, None]
        idx = np.arange(counts)
        options = np.where(np.arange(counts) == n, 0.0, change_cost[d, n])
        dwell_to = np.where(np.arange(counts) == n, stay[d], 1)
        scores = total[idx, dwell_to, :, 0] + options[:, None]  # (N+1, K)
        n_next, level = (int(i) for i in np.unravel_index(int(np.argmin(scores)), scores.shape))
        chosen.append((n_next, level, step))
        d = int(dwell_to[n_next])
        n = n_next
        t = step.t_next[n, level]
    return chosen


def _starts_per_day(
    problem: _Problem, chosen: list[tuple[int, int, _Step]]
) -> npt.NDArray[np.int64]:
    running = [min(max(problem.inputs.running, 0), problem.powers_kw.shape[0] - 1)]
    running += [n for n, _, _ in chosen]
    starts = np.maximum(np.diff(running), 0)
    days = problem.day[: len(chosen)]
    per_day = np.bincount(days, weights=starts, minlength=int(days.max()) + 1)
    per_day[0] += problem.inputs.starts_today
    return per_day.astype(np.int64)


def _with_start_cap(problem: _Problem) -> Plan:
    """Price starts until the plan keeps to the cap: bisection on a log scale of start costs."""
    cap = problem.inputs.start_cap_per_day
    steps = _grid_steps(problem)
    chosen = _solve(problem, steps, 0.0)
    if cap is None or _starts_per_day(problem, chosen).max() <= cap:
        return _result(problem, chosen, PlanReason.PRICE_PLAN, "")
    low, high = math.log(_LOWEST_START_COST), math.log(_HIGHEST_START_COST)
    best = _solve(problem, steps, _HIGHEST_START_COST)
    if _starts_per_day(problem, best).max() > cap:
        return _result(problem, best, PlanReason.PRICE_PLAN, f"cannot keep to {cap} starts a day")
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        trial = _solve(problem, steps, math.exp(middle))
        if _starts_per_day(problem, trial).max() <= cap:
            high, best = middle, trial
        else:
            low = middle
    return _result(problem, best, PlanReason.PRICE_PLAN, "")


def _result(
    problem: _Problem, chosen: list[tuple[int, int, _Step]], reason: PlanReason, detail: str
) -> Plan:
    inputs = problem.inputs
    building = inputs.building
    floor_c = inputs.min_store_c if building is None else building.band_c[0]
    capacity = inputs.store.capacity_kwh_per_k if building is None else building.capacity_kwh_per_k
    planned: list[PlannedSlot] = []
    cost = revenue = heat = 0.0
    for s, (n, level, step) in enumerate(chosen):
        slot, power_kw = inputs.slots[s], float(problem.powers_kw[n, level])
        energy = power_kw * float(problem.hours[s])
        unmet = float(step.unmet[n, level, 0])
        store_c = float(step.t_next[n, level, 0])
        cost += slot.price_per_kwh * energy
        revenue += inputs.revenue_per_kwh * energy
        heat += inputs.heat_value_per_kwh * float(step.heat[n, level, 0])
        planned.append(
            PlannedSlot(
                start=slot.start,
                end=slot.end,
                price_per_kwh=slot.price_per_kwh,
                power_w=power_kw * 1000,
                running=n,
                store_c=store_c,
                stored_heat_kwh=max(store_c - floor_c, 0.0) * capacity,
                unmet_kwh=unmet,
                dumped_kwh=float(step.dumped[n, level, 0]),
                dump=bool(problem.house_share[level] < 1) and power_kw > 0,
                house_share=float(problem.house_share[level]),
            )
        )
    per_day = _starts_per_day(problem, chosen)
    cap = inputs.start_cap_per_day
    return Plan(
        slots=tuple(planned),
        reason=reason,
        detail=detail,
        electricity_cost=cost,
        mining_revenue=revenue,
        heat_value=heat,
        starts=int(per_day.sum()) - inputs.starts_today,
        start_cap_met=cap is None or int(per_day.max()) <= cap,
    )
