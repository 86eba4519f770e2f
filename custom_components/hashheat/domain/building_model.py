"""The building as a heat store, learned on site from an indoor temperature sensor.

One indoor temperature ``T`` with heat capacity ``C`` (kWh/K), losing ``UA·(T - T_out)``::

    C · dT/dt = Q - UA · (T - T_out)

``Q`` the heat the loop gives the building: the metered loop heat less what the loop water itself
takes (its configured volume). The fit is on hourly means (a single reading's noise would swamp a
few tenths of a kelvin an hour): the difference of two consecutive hours' mean indoor temperatures
is exactly ``∫ (Q - UA·(T - T_out)) · w dt / C`` with ``w`` the triangle rising over the first hour
and falling over the second, linear in ``(1/C, UA/C)``; fitted by recursive least squares from a
prior: ``UA`` the captured full power over the design temperature difference, ``C`` that times a
typical time constant.
Hours with the heat dump on teach nothing (the dumped heat never reaches the building).
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from .plan_reason import Reason, ReasonCode, outside, seen
from .site_model import PlantPrior, Rls, count_from, range_from, widen

_J_PER_KWH: Final = 3.6e6
_WATER_KJ_PER_L_K: Final = 4.18
PRIOR_TIME_CONSTANT_H: Final = 30.0
"""A medium-weight house (ISO 13790 "medium": 165 kJ/m²K over its floor)."""
_REL_SIGMA: Final = 0.5
_NOISE_K: Final = 0.02
_FORGETTING: Final = 0.9995
_BOUNDS_FACTOR: Final = 4.0
CONFIDENT_HOURS: Final = 24
CONFIDENT_INDOOR_SWING_K: Final = 0.5
_INDOOR_C: Final = (0.0, 40.0)


@dataclass(frozen=True, kw_only=True, slots=True)
class BuildingParams:
    """The building as the planner uses it."""

    capacity_kwh_per_k: float
    ua_kw_per_k: float

    @property
    def time_constant_h(self) -> float:
        """How long the building takes to lose 63 % of its lead over the outdoors."""
        return self.capacity_kwh_per_k / self.ua_kw_per_k


@dataclass(slots=True)
class _Hour:
    """One hour's integrals (h): plain, and weighted rising from 0 at its start to 1 at its end."""

    start_s: float
    last_s: float
    seconds: float = 0.0
    indoor_kh: float = 0.0
    return_kh: float = 0.0
    heat_kwh: float = 0.0
    heat_rising: float = 0.0
    drive_kh: float = 0.0
    drive_rising: float = 0.0
    returns: bool = True

    def add(
        self, dt_s: float, at_s: float, indoor_c: float, drive_k: float, heat_kw: float
    ) -> None:
        """The interval of ``dt_s`` up to ``at_s``."""
        hours = dt_s / 3600
        rising = (at_s - dt_s / 2 - self.start_s) / 3600
        self.seconds += dt_s
        self.indoor_kh += hours * indoor_c
        self.heat_kwh += hours * heat_kw
        self.heat_rising += hours * heat_kw * rising
        self.drive_kh += hours * drive_k
        self.drive_rising += hours * drive_k * rising
        self.last_s = at_s


@dataclass(slots=True)
class BuildingModel:
    """The learned building of one site; feed it every poll with :meth:`observe`."""

    prior: PlantPrior
    window_s: float = 3600.0
    max_gap_s: float = 900.0
    fit: Rls = field(init=False)
    hours: int = 0
    indoor_range_c: tuple[float, float] | None = None
    _open: _Hour | None = field(default=None, init=False)
    _previous: _Hour | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        """Start from the prior."""
        self.fit = self._prior_fit()

    def prior_params(self) -> BuildingParams:
        """UA from the design load; C from a typical time constant."""
        ua = self.prior.demand_slope_kw_per_k
        return BuildingParams(capacity_kwh_per_k=ua * PRIOR_TIME_CONSTANT_H, ua_kw_per_k=ua)

    def _prior_fit(self) -> Rls:
        params = self.prior_params()
        theta = np.array([1 / params.capacity_kwh_per_k, 1 / params.time_constant_h])
        sigma = _REL_SIGMA * theta / _NOISE_K
        return Rls(theta, np.diag(sigma**2), _FORGETTING)

    @property
    def loop_kwh_per_k(self) -> float:
        """The loop water's heat capacity, as configured."""
        return self.prior.loop_volume_l * _WATER_KJ_PER_L_K / 3600

    def observe(
        self,
        *,
        at_s: float,
        indoor_c: float,
        outdoor_c: float,
        heat_w: float,
        return_c: float | None,
    ) -> None:
        """One poll's readings (none with the heat dump on: call :meth:`interrupt`)."""
        values = (at_s, indoor_c, outdoor_c, heat_w)
        low, high = _INDOOR_C
        if not all(math.isfinite(v) for v in values) or not low <= indoor_c <= high:
            self.interrupt()
            return
        hour = self._open
        if hour is None or not 0 < at_s - hour.last_s <= self.max_gap_s:
            self.interrupt()
            self._open = _Hour(start_s=at_s, last_s=at_s)
            return
        dt = at_s - hour.last_s
        hour.add(dt, at_s, indoor_c, indoor_c - outdoor_c, heat_w / 1000)
        if return_c is None or not math.isfinite(return_c):
            hour.returns = False
        else:
            hour.return_kh += dt / 3600 * return_c
        if hour.seconds >= self.window_s:
            self._close(hour)
            self._open = _Hour(start_s=at_s, last_s=at_s)

    def interrupt(self) -> None:
        """Readings the building cannot be learned from: start the hours again."""
        self._open, self._previous = None, None

    def _close(self, hour: _Hour) -> None:
        before, self._previous = self._previous, hour
        if before is None:
            return
        width_h = hour.seconds / 3600
        indoor_c = hour.indoor_kh / width_h
        rise_k = indoor_c - before.indoor_kh / (before.seconds / 3600)
        heat_kwh = before.heat_rising + hour.heat_kwh - hour.heat_rising
        if hour.returns and before.returns:
            loop_k = (hour.return_kh - before.return_kh) / width_h
            heat_kwh -= self.loop_kwh_per_k * loop_k
        drive_kh = before.drive_rising + hour.drive_kh - hour.drive_rising
        self.fit.update(np.array([heat_kwh, -drive_kh]), rise_k)
        self.hours += 1
        self.indoor_range_c = widen(self.indoor_range_c, indoor_c)

    def _learned(self) -> BuildingParams | None:
        inverse_c, inverse_tau = (float(v) for v in self.fit.theta)
        if inverse_c <= 0 or inverse_tau <= 0:
            return None
        return BuildingParams(capacity_kwh_per_k=1 / inverse_c, ua_kw_per_k=inverse_tau / inverse_c)

    def rejection(self) -> Reason | None:
        """Why the learned values are not a building's (None: they are)."""
        prior, learned = self.prior_params(), self._learned()
        if learned is None:
            return Reason(ReasonCode.BUILDING_UNPHYSICAL)
        for code, value, typical in (
            (ReasonCode.BUILDING_CAPACITY, learned.capacity_kwh_per_k, prior.capacity_kwh_per_k),
            (ReasonCode.BUILDING_LOSS, learned.ua_kw_per_k, prior.ua_kw_per_k),
        ):
            low, high = typical / _BOUNDS_FACTOR, typical * _BOUNDS_FACTOR
            if not low <= value <= high:
                return outside(code, value, low, high, 3)
        return None

    @property
    def params(self) -> BuildingParams:
        """The building as learned, or the prior's when the learned values are absurd."""
        learned = self._learned()
        return self.prior_params() if learned is None or self.rejection() else learned

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """Why the building is not yet to be planned with (empty: it is)."""
        reasons = [r for r in (self.rejection(),) if r]
        if self.hours < CONFIDENT_HOURS:
            reasons.append(seen(ReasonCode.INDOOR_HOURS, self.hours, CONFIDENT_HOURS))
        low, high = self.indoor_range_c or (0.0, 0.0)
        if high - low < CONFIDENT_INDOOR_SWING_K:
            reasons.append(seen(ReasonCode.INDOOR_SWING, high - low, CONFIDENT_INDOOR_SWING_K))
        return tuple(reasons)

    def as_dict(self) -> dict[str, Any]:
        """What to save across a restart."""
        return {
            "fit": self.fit.as_dict(),
            "hours": self.hours,
            "indoor_range_c": list(self.indoor_range_c) if self.indoor_range_c else None,
        }

    @classmethod
    def from_dict(cls, prior: PlantPrior, data: Mapping[str, Any]) -> BuildingModel:
        """The saved model; a damaged one starts again from the prior."""
        model = cls(prior)
        fit = Rls.from_dict(data.get("fit"), 2, _FORGETTING)
        if fit is not None:
            model.fit = fit
            model.hours = count_from(data.get("hours"))
            model.indoor_range_c = range_from(data.get("indoor_range_c"))
        return model
