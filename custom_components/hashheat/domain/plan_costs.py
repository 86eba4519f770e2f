"""What a price plan is expected to cost per local day, and what it saves over comfort control.

The baseline is the planner's own comfort plan over the same slots: the same site, demand and
store, planned as if every kWh cost the same (heat when needed, with the least energy; no
shifting to cheap hours), then costed at the real prices, as the constant setpoint would be.
The cost of a slot is its electricity at the all-in price less the mining revenue it earns.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from typing import Final

from .planner import Plan, PlanInputs, PlannedSlot, plan
from .price_forecast import PriceSlot

_FLAT_NET_PER_KWH: Final = 1.0


@dataclass(frozen=True, kw_only=True, slots=True)
class DayCosts:
    """One local day's expected net cost, planned and under comfort control.

    None where no slot of the plan falls on that day.
    """

    planned: float | None
    comfort: float | None

    @property
    def saving(self) -> float | None:
        """What the plan saves over comfort control (negative: it costs more)."""
        if self.planned is None or self.comfort is None:
            return None
        return self.comfort - self.planned


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanCosts:
    """The plan's expected net cost today and tomorrow, each with comfort control's."""

    today: DayCosts
    tomorrow: DayCosts


def comfort_plan(inputs: PlanInputs) -> Plan:
    """The planner's comfort plan: the same inputs with one flat price for every slot."""
    flat = inputs.revenue_per_kwh + _FLAT_NET_PER_KWH
    slots = [replace(slot, price_per_kwh=flat) for slot in inputs.slots]
    return plan(replace(inputs, slots=slots))


def _net_cost(planned: PlannedSlot, price: PriceSlot, revenue_per_kwh: float) -> float:
    hours = (planned.end - planned.start) / timedelta(hours=1)
    return planned.power_w / 1000 * hours * (price.price_per_kwh - revenue_per_kwh)


def _day_cost(
    slots: Iterable[PlannedSlot], inputs: PlanInputs, day: date, zone: tzinfo
) -> float | None:
    prices = {slot.start: slot for slot in inputs.slots}
    costs = [
        _net_cost(slot, prices[slot.start], inputs.revenue_per_kwh)
        for slot in slots
        if slot.start.astimezone(zone).date() == day and slot.start in prices
    ]
    return sum(costs) if costs else None


def plan_costs(price_plan: Plan, inputs: PlanInputs, now: datetime, zone: tzinfo) -> PlanCosts:
    """Today's (from the plan's start) and tomorrow's expected net cost, plan and comfort."""
    comfort = comfort_plan(inputs)
    today = now.astimezone(zone).date()
    days = (today, today + timedelta(days=1))
    today_costs, tomorrow_costs = (
        DayCosts(
            planned=_day_cost(price_plan.slots, inputs, day, zone),
            comfort=_day_cost(comfort.slots, inputs, day, zone),
        )
        for day in days
    )
    return PlanCosts(today=today_costs, tomorrow=tomorrow_costs)
