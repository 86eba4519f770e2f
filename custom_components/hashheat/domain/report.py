"""A site's report over a period: its counters' totals, the ratios made of them, the EED fields.

Built from what the counters added over the period (Home Assistant's long-term statistics hold
that for any past period), so no store of its own is needed. The fields of the EU Energy
Efficiency Directive's data centre reporting (Delegated Regulation (EU) 2024/1364) are marked
"not for billing" unless the heat comes from a heat meter (MID MI-004).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from itertools import pairwise
from typing import Any, Final

from .economics import energy_reuse_factor, net_cost_of_heat_per_mwh
from .service_level import heat_availability, heat_availability_including_grid_holds

METER_METHOD: Final = "meter"


class PeriodKind(StrEnum):
    """What a report covers."""

    MONTH = "month"
    YEAR = "year"
    RANGE = "range"


class PeriodError(ValueError):
    """A period that cannot be reported: it starts in the future, or ends before it starts."""

    def __init__(self, *, in_future: bool) -> None:
        """Say which."""
        super().__init__("starts in the future" if in_future else "ends before it starts")
        self.in_future = in_future


def report_period(
    kind: PeriodKind,
    *,
    day: date,
    end_day: date | None,
    zone: tzinfo,
    now: datetime,
) -> tuple[datetime, datetime]:
    """The period's start and end (end exclusive, at most ``now``), midnights in ``zone``.

    ``day`` names the month or year (any day in it) or starts a range ending on ``end_day``
    (inclusive). Raises PeriodError for a period that starts in the future or ends before it
    starts.
    """
    if kind is PeriodKind.MONTH:
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1)
    elif kind is PeriodKind.YEAR:
        first, last = day.replace(month=1, day=1), day.replace(year=day.year + 1, month=1, day=1)
    else:
        if end_day is None or end_day < day:
            raise PeriodError(in_future=False)
        first, last = day, end_day + timedelta(days=1)
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last, time(), zone)
    if start >= now:
        raise PeriodError(in_future=True)
    return start, min(end, now)


@dataclass(frozen=True, kw_only=True, slots=True)
class PeriodTotals:
    """What each counter added over the period (None: no statistics for it)."""

    electricity_kwh: float | None
    heat_kwh: float | None
    electricity_cost: float | None
    revenue: float | None
    heat_value: float | None
    co2_avoided_kg: float | None
    starts: float | None
    thermal_cycles: float | None
    running_hours: float | None
    hot_hours: float | None
    grid_hold_hours: float | None
    curtailed_kwh: float | None
    heat_asked_hours: float | None
    heat_short_hours: float | None
    held_heat_asked_hours: float | None
    held_heat_short_hours: float | None

    @property
    def empty(self) -> bool:
        """No counter has statistics in the period."""
        return all(getattr(self, name) is None for name in self.__dataclass_fields__)


@dataclass(frozen=True, kw_only=True, slots=True)
class SiteFacts:
    """What a report says of the site beyond its counters."""

    site: str
    currency: str
    heat_method: str
    installed_power_kw: float | None
    average_supply_c: float | None  # the loop's supply over the period, where recorded


def _ratio(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def build_report(
    totals: PeriodTotals, facts: SiteFacts, start: datetime, end: datetime
) -> dict[str, Any]:
    """The report as an action's response (and its export)."""
    electricity, heat = totals.electricity_kwh, totals.heat_kwh
    erf = (
        energy_reuse_factor(heat_reused_kwh=heat, electricity_kwh=electricity)
        if heat is not None and electricity is not None
        else None
    )
    net = (
        net_cost_of_heat_per_mwh(
            electricity_cost=totals.electricity_cost, revenue=totals.revenue, heat_kwh=heat
        )
        if totals.electricity_cost is not None and totals.revenue is not None and heat is not None
        else None
    )
    billing = facts.heat_method == METER_METHOD
    return {
        "site": facts.site,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "currency": facts.currency,
        "electricity_kwh": electricity,
        "heat_kwh": heat,
        "heat_measurement": facts.heat_method,
        "for_billing": billing,
        "energy_reuse_factor": _ratio(erf),
        "average_heat_delivery_temperature_c": _ratio(facts.average_supply_c, 1),
        "mining_revenue": totals.revenue,
        "electricity_cost": totals.electricity_cost,
        "heat_value": totals.heat_value,
        "net_cost_of_heat_per_mwh": _ratio(net, 2),
        "co2_avoided_kg": totals.co2_avoided_kg,
        "starts": totals.starts,
        "thermal_cycles": totals.thermal_cycles,
        "running_hours": totals.running_hours,
        "hours_above_chip_limit": totals.hot_hours,
        "grid_hold_hours": totals.grid_hold_hours,
        "energy_curtailed_kwh": totals.curtailed_kwh,
        "heat_asked_hours": totals.heat_asked_hours,
        "heat_short_hours": totals.heat_short_hours,
        "heat_asked_hours_under_grid_hold": totals.held_heat_asked_hours,
        "heat_short_hours_under_grid_hold": totals.held_heat_short_hours,
        "heat_availability": _ratio(
            heat_availability(
                totals.heat_asked_hours,
                totals.heat_short_hours,
                totals.held_heat_asked_hours,
                totals.held_heat_short_hours,
            ),
            4,
        ),
        "heat_availability_including_grid_holds": _ratio(
            heat_availability_including_grid_holds(
                totals.heat_asked_hours, totals.heat_short_hours
            ),
            4,
        ),
        "eed": {
            "installed_power_kw": facts.installed_power_kw,
            "energy_consumed_kwh": electricity,
            "waste_heat_reused_kwh": heat,
            "average_waste_heat_temperature_c": _ratio(facts.average_supply_c, 1),
            "energy_reuse_factor": _ratio(erf),
            "basis": "heat meter (MID MI-004)" if billing else "not for billing",
        },
    }


@dataclass(frozen=True, kw_only=True, slots=True)
class MeteredHeat:
    """A building's heat over the period, as its sub-meter's statistics give it."""

    building: str
    kwh: float
    resets: int = 0
    """Times the meter's reading fell while its recorded total went on (a reset or a swap)."""


def meter_resets(readings: Sequence[tuple[float | None, float | None]]) -> int:
    """How often a meter's hourly ``(state, sum)`` shows its reading fall while the sum goes on.

    The recorder takes a total_increasing meter whose reading falls for a reset and carries its
    sum on, so a meter run back or swapped adds no negative heat: this says it happened.
    """
    known = [(state, total) for state, total in readings if state is not None and total is not None]
    return sum(
        1
        for (state, total), (next_state, next_total) in pairwise(known)
        if next_state < state and next_total >= total
    )


def split_by_building(
    totals: PeriodTotals, metered: Mapping[str, MeteredHeat]
) -> list[dict[str, Any]]:
    """Each building's metered heat, its share of all metered heat, and cost and revenue by it.

    The shares add up to 1 and the buildings' cost and revenue to the site's; heat the sub-meters
    did not see (pipe losses) is the site's heat less theirs. No metered heat: no shares.
    """
    all_kwh = sum(heat.kwh for heat in metered.values())
    rows = []
    for meter, heat in metered.items():
        share = heat.kwh / all_kwh if all_kwh > 0 else None
        rows.append(
            {
                "building": heat.building,
                "heat_meter": meter,
                "heat_kwh": heat.kwh,
                "heat_share": share,
                "electricity_cost": _share(totals.electricity_cost, share),
                "mining_revenue": _share(totals.revenue, share),
                "net_cost": _share(
                    None
                    if totals.electricity_cost is None or totals.revenue is None
                    else totals.electricity_cost - totals.revenue,
                    share,
                ),
                "meter_resets": heat.resets,
            }
        )
    return rows


def _share(value: float | None, share: float | None) -> float | None:
    return None if value is None or share is None else value * share
