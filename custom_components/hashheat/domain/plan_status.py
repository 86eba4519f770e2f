"""Whether the price plan runs, why not, and when to make a new one (no Home Assistant).

A plan is re-made at least hourly, when the published prices change (tomorrow's arrive), when the
strategy or the grid hold set changes, and when the site cannot follow it (a miner stopped
answering, a grid hold began or ended, the store is off the plan by a margin): a new plan from
where the site is, never a fight to get back onto the old one. Those re-plans, and retries while
there is no plan, are spaced.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from .dispatch import NO_HOLDS, HoldSchedule
from .plan_reason import Reason
from .plan_session import PlanSession
from .planner import Plan, PlanReason
from .price_forecast import PriceSlot
from .site_model import CONFIDENT_OUTDOOR_SPREAD_K, CONFIDENT_SAMPLES, CONFIDENT_STORE_SWING_K

REPLAN_EVERY_S: Final = 3600.0
RETRY_AFTER_S: Final = 900.0
"""Without a plan, or off it: the earliest next try."""
OFF_PLAN_K: Final = 5.0


class Strategy(StrEnum):
    """How the site's Loop heats: hold the setpoint, or follow the price plan."""

    COMFORT = "comfort"
    PRICE_PLAN = "price_plan"


class PlanState(StrEnum):
    """Whether the plan runs, or why it does not (the plan_active sensor's reason)."""

    ACTIVE = "active"
    STRATEGY_COMFORT = "strategy_comfort"
    LEARNING = "learning"
    CANNOT_LEARN = "cannot_learn"
    NO_PRICES = "no_prices"
    PRICE_GAP = "price_gap"
    BAD_INPUT = "bad_input"


# A price plan that falls back to comfort for these gets a repair issue: they need the user.
NEEDS_REPAIR: Final = frozenset({PlanState.CANNOT_LEARN, PlanState.NO_PRICES, PlanState.PRICE_GAP})

_OUTCOMES: Final = {
    PlanReason.NO_PRICES: PlanState.NO_PRICES,
    PlanReason.PRICE_GAP: PlanState.PRICE_GAP,
    PlanReason.BAD_INPUT: PlanState.BAD_INPUT,
}


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanStatus:
    """The plan's state and, when it does not run, why (the first reason is the main one)."""

    state: PlanState
    reasons: tuple[Reason, ...] = ()

    @property
    def active(self) -> bool:
        """Whether the site follows a price plan."""
        return self.state is PlanState.ACTIVE

    @property
    def needs_repair(self) -> bool:
        """Whether the fallback to comfort is something the user must fix."""
        return self.state in NEEDS_REPAIR

    @property
    def main(self) -> Reason | None:
        """The reason to show first (None: none to give)."""
        return self.reasons[0] if self.reasons else None


def cannot_learn(session: PlanSession) -> bool:
    """The model will not become confident by waiting: no usable readings, or absurd values."""
    model = session.model
    confidence = model.confidence
    if confidence.confident:
        return False
    if model.samples == 0 and model.last_problem is not None:
        return True
    return (
        confidence.samples >= CONFIDENT_SAMPLES
        and confidence.store_swing_k >= CONFIDENT_STORE_SWING_K
        and confidence.outdoor_spread_k >= CONFIDENT_OUTDOOR_SPREAD_K
    )


def plan_status(strategy: Strategy, session: PlanSession, missing: Reason | None) -> PlanStatus:
    """The plan's status after a re-plan; ``missing`` names an input the site could not read."""
    if strategy is Strategy.COMFORT:
        return PlanStatus(state=PlanState.STRATEGY_COMFORT)
    if missing is not None:
        return PlanStatus(state=PlanState.BAD_INPUT, reasons=(missing,))
    if session.last_plan is not None:
        return PlanStatus(state=PlanState.ACTIVE)
    if session.outcome is None:
        learning = PlanState.CANNOT_LEARN if cannot_learn(session) else PlanState.LEARNING
        return PlanStatus(state=learning, reasons=session.comfort_reasons)
    state = _OUTCOMES.get(session.outcome, PlanState.BAD_INPUT)
    return PlanStatus(state=state, reasons=session.comfort_reasons)


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanBasis:
    """What a plan was made from, to tell when the site has moved away from it."""

    at_s: float
    prices: tuple[tuple[datetime, datetime, float], ...]
    strategy: Strategy
    answering: int
    """Miners that answered the poll."""
    held: bool
    """A grid hold held the site."""
    holds: HoldSchedule = NO_HOLDS
    """The grid holds set, also those still to begin."""


def price_key(slots: Sequence[PriceSlot]) -> tuple[tuple[datetime, datetime, float], ...]:
    """The published prices, to compare."""
    return tuple((slot.start, slot.end, slot.price_per_kwh) for slot in slots)


def planned_store_c(price_plan: Plan, start_c: float, now: datetime) -> float | None:
    """Where the plan has the store at ``now`` (linear within a slot); None outside the plan."""
    before = start_c
    for slot in price_plan.slots:
        if slot.start <= now < slot.end:
            share = (now - slot.start) / (slot.end - slot.start)
            return before + share * (slot.store_c - before)
        before = slot.store_c
    return None


def replan_due(
    basis: PlanBasis | None, now: PlanBasis, *, has_plan: bool, off_plan_k: float | None
) -> str | None:
    """Why to plan again now (None: the last plan stands).

    ``off_plan_k`` is how far the store is from where the plan has it now (None: unknown).
    """
    if basis is None:
        return "first plan"
    since = now.at_s - basis.at_s
    at_once = (
        (since >= REPLAN_EVERY_S, "hourly"),
        (now.prices != basis.prices, "prices changed"),
        (now.strategy is not basis.strategy, "strategy changed"),
        (now.holds != basis.holds, "grid hold set or released"),
    )
    spaced = (
        (not has_plan, "no plan yet"),
        (now.answering < basis.answering, "a miner stopped answering"),
        (now.held != basis.held, "grid hold changed"),
        (off_plan_k is not None and abs(off_plan_k) > OFF_PLAN_K, "store off the plan"),
    )
    due = [why for hit, why in at_once if hit]
    if since >= RETRY_AFTER_S:
        due += [why for hit, why in spaced if hit]
    return due[0] if due else None
