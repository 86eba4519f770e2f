"""The site's thermal model, learned on site: the heat store and the building's heat demand.

The store (immersion tank and loop) is one temperature ``T`` with heat capacity ``C`` (kWh/K)::

    C · dT/dt = f · P - Q - L · (T - T_ref)

``P`` the miners' electrical power, ``f`` the share of it captured, ``Q`` the heat delivered to
the loop and ``L`` the store's losses to the plant room (at ``T_ref``). Over one sample
(``sample_s`` of polls, energies integrated by the trapezoid rule, cut short where the power
switches between two polls) this is linear in
``(f, C, L)``: ``Q = f · P - C · ΔT/Δt - L · (T - T_ref)``, fitted by recursive least squares
started from the prior (a Bayesian prior: unexcited directions stay at it). The building's demand
is ``a + b · (T_set - T_out)`` kW, clipped at 0, fitted the same way from the loop heat.

A learned value outside what a site can have is not used: the model keeps the prior for that part
and says why. Until it has seen enough (``Confidence``), the planner should not be trusted with it.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from .plan_reason import Reason, ReasonCode, outside, seen
from .stored import is_finite_number
from .thermal import FLUIDS, Fluid

_WATER: Final = FLUIDS[Fluid.WATER]
_J_PER_KWH: Final = 3.6e6
ROOM_C: Final = 20.0
"""Plant-room temperature the store's losses are counted from."""

_CAPTURE_SIGMA: Final = 0.2
_CAPACITY_REL_SIGMA: Final = 0.5
_LOSS_SIGMA_KW_PER_K: Final = 0.02
_DEMAND_A_SIGMA_KW: Final = 2.0
_DEMAND_B_REL_SIGMA: Final = 1.0
_NOISE_KW: Final = 0.3
_FORGETTING: Final = 0.999
_READING_C: Final = (-60.0, 130.0)
_MIN_DEMAND_DRIVE_K: Final = 1.0
# Between two polls either side of a switch the power is not known (when did it change, how fast
# did it ramp): a sample ends before such an interval and the next starts after it.
_SWITCH_FRACTION: Final = 0.1
_SHORTEST_SAMPLE: Final = 1 / 3
_CAPTURE_BOUNDS: Final = (0.3, 1.1)
_LOSS_BOUNDS_KW_PER_K: Final = (-0.02, 0.2)
_CAPACITY_FACTOR: Final = 4.0
_DEMAND_SLOPE_FACTOR: Final = 5.0

CONFIDENT_SAMPLES: Final = 48
CONFIDENT_STORE_SWING_K: Final = 5.0
CONFIDENT_OUTDOOR_SPREAD_K: Final = 3.0


@dataclass(frozen=True, kw_only=True, slots=True)
class PlantPrior:
    """What the configuration says about the plant, before any reading."""

    tank_volume_l: float
    tank_fluid: Fluid
    loop_volume_l: float = 0.0
    miner_power_steps_w: Sequence[Sequence[float]]
    """Per miner, its power steps (one step: an on/off-only miner)."""
    capture_fraction: float = 0.95
    indoor_setpoint_c: float = 20.0
    design_outdoor_c: float = -10.0
    """Outdoor temperature at which the miners at full power just cover the building."""

    @property
    def capacity_kwh_per_k(self) -> float:
        """Heat capacity of the tank fluid plus the loop water."""
        return self.tank_capacity_kwh_per_k + self.loop_capacity_kwh_per_k

    @property
    def tank_capacity_kwh_per_k(self) -> float:
        """Heat capacity of the tank fluid."""
        tank = FLUIDS[self.tank_fluid]
        joules = self.tank_volume_l / 1000 * tank.density_kg_per_m3 * tank.specific_heat_j_per_kg_k
        return joules / _J_PER_KWH

    @property
    def loop_capacity_kwh_per_k(self) -> float:
        """Heat capacity of the loop water."""
        water = _WATER.density_kg_per_m3 * _WATER.specific_heat_j_per_kg_k
        return self.loop_volume_l / 1000 * water / _J_PER_KWH

    @property
    def max_power_kw(self) -> float:
        """All miners at their highest step."""
        return sum(max(steps, default=0.0) for steps in self.miner_power_steps_w) / 1000

    @property
    def demand_slope_kw_per_k(self) -> float:
        """Design load (the captured full power) over the design temperature difference."""
        drive = max(self.indoor_setpoint_c - self.design_outdoor_c, 1.0)
        return self.capture_fraction * self.max_power_kw / drive


@dataclass(frozen=True, kw_only=True, slots=True)
class StoreParams:
    """The store as the planner uses it."""

    capacity_kwh_per_k: float
    capture_fraction: float
    loss_kw_per_k: float
    room_c: float = ROOM_C


@dataclass(frozen=True, kw_only=True, slots=True)
class SiteReading:
    """One poll: ``store_c`` is the tank (or, without a tank sensor, the return) temperature.

    ``heat_w`` is the heat delivered to the loop (None without a heat meter: the store cannot be
    learned then); ``at_s`` any monotonic clock in seconds.
    """

    at_s: float
    store_c: float
    power_w: float
    heat_w: float | None
    outdoor_c: float


@dataclass(frozen=True, kw_only=True, slots=True)
class Confidence:
    """How much the fit has seen, and why it is not yet to be trusted (empty when it is)."""

    samples: int
    store_swing_k: float
    outdoor_spread_k: float
    residual_kw: float
    reasons: tuple[Reason, ...]

    @property
    def confident(self) -> bool:
        """Enough varied data and no rejected value."""
        return not self.reasons


@dataclass(slots=True)
class Rls:
    """Recursive least squares with exponential forgetting, started from a prior."""

    theta: npt.NDArray[np.float64]
    cov: npt.NDArray[np.float64]
    forgetting: float = _FORGETTING

    def update(self, x: npt.NDArray[np.float64], y: float) -> float:
        """One recursive least-squares step; returns the prior residual."""
        residual = y - float(x @ self.theta)
        px = self.cov @ x
        gain = px / (self.forgetting + float(x @ px))
        self.theta = self.theta + gain * residual
        self.cov = (self.cov - np.outer(gain, px)) / self.forgetting
        return residual

    def as_dict(self) -> dict[str, Any]:
        """The fit, to save."""
        return {"theta": self.theta.tolist(), "cov": self.cov.tolist()}

    @classmethod
    def from_dict(cls, data: object, size: int, forgetting: float = _FORGETTING) -> Rls | None:
        """A saved fit of ``size`` parameters, or None when it is damaged."""
        if not isinstance(data, Mapping):
            return None
        theta, cov = data.get("theta"), data.get("cov")
        if not (
            isinstance(theta, list) and len(theta) == size and all(map(is_finite_number, theta))
        ):
            return None
        if not (isinstance(cov, list) and len(cov) == size):
            return None
        rows = [row for row in cov if isinstance(row, list) and len(row) == size]
        if len(rows) != size or not all(is_finite_number(v) for row in rows for v in row):
            return None
        return cls(np.array(theta, dtype=float), np.array(rows, dtype=float), forgetting)


@dataclass(slots=True)
class _Sample:
    start_s: float
    start_c: float
    last: SiteReading
    seconds: float = 0.0
    electrical_kj: float = 0.0
    heat_kj: float = 0.0
    store_ks: float = 0.0
    outdoor_ks: float = 0.0
    metered: bool = True


@dataclass(slots=True)
class SiteModel:
    """The learned model of one site; feed it every poll with :meth:`observe`."""

    prior: PlantPrior
    sample_s: float = 900.0
    max_gap_s: float = 900.0
    store: Rls = field(init=False)
    demand: Rls = field(init=False)
    samples: int = 0
    demand_samples: int = 0
    store_range_c: tuple[float, float] | None = None
    outdoor_range_c: tuple[float, float] | None = None
    residual_sq_kw2: float = 0.0
    last_problem: Reason | None = None
    _open: _Sample | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        """Start from the prior."""
        self.store, self.demand = self._prior_store(), self._prior_demand()

    def _prior_store(self) -> Rls:
        c0 = self.prior.capacity_kwh_per_k
        theta = np.array([self.prior.capture_fraction, c0, 0.0])
        sigma = np.array([_CAPTURE_SIGMA, _CAPACITY_REL_SIGMA * c0, _LOSS_SIGMA_KW_PER_K])
        return Rls(theta, np.diag((sigma / _NOISE_KW) ** 2))

    def _prior_demand(self) -> Rls:
        b0 = self.prior.demand_slope_kw_per_k
        theta = np.array([0.0, b0])
        sigma = np.array([_DEMAND_A_SIGMA_KW, _DEMAND_B_REL_SIGMA * b0])
        return Rls(theta, np.diag((sigma / _NOISE_KW) ** 2))

    # ------------------------------------------------------------------ learning

    def observe(self, reading: SiteReading) -> None:
        """Take one poll's readings; a finished sample updates the fit."""
        problem = self._reading_problem(reading)
        if problem is not None:
            self.last_problem = problem
            self._open = None
            return
        sample = self._open
        if sample is None or not 0 < reading.at_s - sample.last.at_s <= self.max_gap_s:
            self._open = _Sample(start_s=reading.at_s, start_c=reading.store_c, last=reading)
            return
        prev, dt = sample.last, reading.at_s - sample.last.at_s
        if abs(reading.power_w - prev.power_w) > _SWITCH_FRACTION * 1000 * self.prior.max_power_kw:
            if sample.seconds >= self.sample_s * _SHORTEST_SAMPLE:
                self._learn(sample)
            self._open = _Sample(start_s=reading.at_s, start_c=reading.store_c, last=reading)
            return
        sample.seconds += dt
        sample.electrical_kj += dt * (prev.power_w + reading.power_w) / 2000
        if prev.heat_w is None or reading.heat_w is None:
            sample.metered = False
        else:
            sample.heat_kj += dt * (prev.heat_w + reading.heat_w) / 2000
        sample.store_ks += dt * (prev.store_c + reading.store_c) / 2
        sample.outdoor_ks += dt * (prev.outdoor_c + reading.outdoor_c) / 2
        sample.last = reading
        if sample.seconds >= self.sample_s:
            self._learn(sample)
            self._open = _Sample(start_s=reading.at_s, start_c=reading.store_c, last=reading)

    def _reading_problem(self, reading: SiteReading) -> Reason | None:
        values = (reading.at_s, reading.store_c, reading.power_w, reading.outdoor_c)
        if not all(math.isfinite(v) for v in values) or (
            reading.heat_w is not None and not math.isfinite(reading.heat_w)
        ):
            return Reason(ReasonCode.READING_NOT_FINITE)
        low, high = _READING_C
        if not (low <= reading.store_c <= high and low <= reading.outdoor_c <= high):
            return Reason(
                ReasonCode.TEMPERATURE_OUT_OF_RANGE, {"low": f"{low:g}", "high": f"{high:g}"}
            )
        if not 0 <= reading.power_w <= 2000 * self.prior.max_power_kw + 1000:
            return Reason(ReasonCode.POWER_OUT_OF_RANGE, {"power": f"{reading.power_w:g}"})
        return None

    def _learn(self, sample: _Sample) -> None:
        hours = sample.seconds / 3600
        store_c = sample.store_ks / sample.seconds
        outdoor_c = sample.outdoor_ks / sample.seconds
        if not sample.metered:
            self.last_problem = Reason(ReasonCode.NO_HEAT_READINGS)
            return
        heat_kw = sample.heat_kj / sample.seconds
        x = np.array(
            [
                sample.electrical_kj / sample.seconds,
                -(sample.last.store_c - sample.start_c) / hours,
                -(store_c - ROOM_C),
            ]
        )
        residual = self.store.update(x, heat_kw)
        self.residual_sq_kw2 += (residual**2 - self.residual_sq_kw2) / min(self.samples + 1, 96)
        self.samples += 1
        self.store_range_c = widen(self.store_range_c, sample.last.store_c)
        drive = self.prior.indoor_setpoint_c - outdoor_c
        if drive >= _MIN_DEMAND_DRIVE_K:
            self.demand.update(np.array([1.0, drive]), heat_kw)
            self.demand_samples += 1
            self.outdoor_range_c = widen(self.outdoor_range_c, outdoor_c)

    # ------------------------------------------------------------------ results

    def _store_rejection(self) -> Reason | None:
        capture, capacity, loss = (float(v) for v in self.store.theta)
        c0 = self.prior.capacity_kwh_per_k
        low, high = _CAPTURE_BOUNDS
        if not low <= capture <= high:
            return outside(ReasonCode.CAPTURE_FRACTION, capture, low, high, 2)
        low, high = c0 / _CAPACITY_FACTOR, c0 * _CAPACITY_FACTOR
        if not low <= capacity <= high:
            return outside(ReasonCode.STORE_CAPACITY, capacity, low, high, 3)
        low, high = _LOSS_BOUNDS_KW_PER_K
        if not low <= loss <= high:
            return outside(ReasonCode.STORE_LOSS, loss, low, high, 3)
        return None

    def _demand_rejection(self) -> Reason | None:
        a, b = (float(v) for v in self.demand.theta)
        b0, top = self.prior.demand_slope_kw_per_k, max(self.prior.max_power_kw, 1.0)
        if not 0 <= b <= _DEMAND_SLOPE_FACTOR * b0:
            return outside(ReasonCode.DEMAND_SLOPE, b, 0.0, _DEMAND_SLOPE_FACTOR * b0, 3)
        if not -top <= a <= top:
            return outside(ReasonCode.DEMAND_OFFSET, a, -top, top, 2)
        return None

    @property
    def store_params(self) -> StoreParams:
        """The store as learned, or the prior's when the learned values are absurd."""
        source = self._prior_store() if self._store_rejection() else self.store
        capture, capacity, loss = (float(v) for v in source.theta)
        return StoreParams(
            capacity_kwh_per_k=capacity,
            capture_fraction=min(capture, 1.0),
            loss_kw_per_k=max(loss, 0.0),
        )

    @property
    def demand_coefficients(self) -> tuple[float, float]:
        """``(a kW, b kW/K)`` as learned, or the prior's when the learned values are absurd."""
        source = self._prior_demand() if self._demand_rejection() else self.demand
        a, b = (float(v) for v in source.theta)
        return a, b

    def demand_kw(self, outdoor_c: float) -> float:
        """The building's heat demand at an outdoor temperature, never negative."""
        a, b = self.demand_coefficients
        return max(0.0, a + b * (self.prior.indoor_setpoint_c - outdoor_c))

    @property
    def confidence(self) -> Confidence:
        """How far to trust the fit, with the reasons not to."""
        reasons = [r for r in (self._store_rejection(), self._demand_rejection()) if r]
        if self.samples < CONFIDENT_SAMPLES:
            reasons.append(seen(ReasonCode.SAMPLES, self.samples, CONFIDENT_SAMPLES))
        swing = _spread(self.store_range_c)
        if swing < CONFIDENT_STORE_SWING_K:
            reasons.append(seen(ReasonCode.STORE_SWING, swing, CONFIDENT_STORE_SWING_K))
        spread = _spread(self.outdoor_range_c)
        if spread < CONFIDENT_OUTDOOR_SPREAD_K:
            reasons.append(seen(ReasonCode.OUTDOOR_SPREAD, spread, CONFIDENT_OUTDOOR_SPREAD_K))
        if self.last_problem and self.samples == 0:
            reasons.insert(0, self.last_problem)  # what keeps it from learning at all comes first
        return Confidence(
            samples=self.samples,
            store_swing_k=swing,
            outdoor_spread_k=spread,
            residual_kw=math.sqrt(self.residual_sq_kw2),
            reasons=tuple(reasons),
        )

    # ------------------------------------------------------------------ storage

    def as_dict(self) -> dict[str, Any]:
        """What to save across a restart (the open sample is not saved)."""
        return {
            "store": self.store.as_dict(),
            "demand": self.demand.as_dict(),
            "samples": self.samples,
            "demand_samples": self.demand_samples,
            "store_range_c": list(self.store_range_c) if self.store_range_c else None,
            "outdoor_range_c": list(self.outdoor_range_c) if self.outdoor_range_c else None,
            "residual_sq_kw2": self.residual_sq_kw2,
        }

    @classmethod
    def from_dict(cls, prior: PlantPrior, data: Mapping[str, Any]) -> SiteModel:
        """The saved model; damaged parts start again from the prior."""
        model = cls(prior)
        store = Rls.from_dict(data.get("store"), 3)
        demand = Rls.from_dict(data.get("demand"), 2)
        if store is not None:
            model.store = store
            model.samples = count_from(data.get("samples"))
            model.store_range_c = range_from(data.get("store_range_c"))
            residual = data.get("residual_sq_kw2")
            model.residual_sq_kw2 = float(residual) if is_finite_number(residual) else 0.0
        if demand is not None:
            model.demand = demand
            model.demand_samples = count_from(data.get("demand_samples"))
            model.outdoor_range_c = range_from(data.get("outdoor_range_c"))
        return model


def widen(span: tuple[float, float] | None, value: float) -> tuple[float, float]:
    """The span stretched to take in ``value``."""
    return (value, value) if span is None else (min(span[0], value), max(span[1], value))


def _spread(span: tuple[float, float] | None) -> float:
    return 0.0 if span is None else span[1] - span[0]


def count_from(value: object) -> int:
    """A stored count, or 0 when it is not one."""
    return int(value) if is_finite_number(value) and value >= 0 else 0


def range_from(value: object) -> tuple[float, float] | None:
    """A stored ``[low, high]``, or None when it is not one."""
    if not isinstance(value, list) or not all(map(is_finite_number, value)):
        return None
    match value:
        case [low, high] if low <= high:
            return float(low), float(high)
    return None
