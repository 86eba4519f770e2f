"""When the plan is re-made, what the plan_active sensor says, and the plan's costs per day."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.hashheat.domain.dispatch import DispatchSettings, GridHold, HoldSchedule
from custom_components.hashheat.domain.plan_costs import comfort_plan, plan_costs
from custom_components.hashheat.domain.plan_reason import Reason, ReasonCode
from custom_components.hashheat.domain.plan_session import PlanSession, SessionSettings
from custom_components.hashheat.domain.plan_status import (
    OFF_PLAN_K,
    REPLAN_EVERY_S,
    RETRY_AFTER_S,
    PlanBasis,
    PlanState,
    Strategy,
    plan_status,
    planned_store_c,
    price_key,
    replan_due,
)
from custom_components.hashheat.domain.planner import PlanInputs, plan
from custom_components.hashheat.domain.price_forecast import PriceSlot
from custom_components.hashheat.domain.site_model import PlantPrior, SiteModel, StoreParams
from custom_components.hashheat.domain.thermal import Fluid

START = datetime(2026, 1, 5, tzinfo=UTC)
STEPS = [[2000.0, 2750.0, 3500.0]] * 2


def prices(values: list[float], start: datetime = START) -> list[PriceSlot]:
    return [
        PriceSlot(
            start=start + timedelta(hours=h), end=start + timedelta(hours=h + 1), price_per_kwh=p
        )
        for h, p in enumerate(values)
    ]


def basis(at_s: float = 0.0, **changes: object) -> PlanBasis:
    base = PlanBasis(
        at_s=at_s,
        prices=price_key(prices([0.1, 0.2])),
        strategy=Strategy.PRICE_PLAN,
        answering=2,
        held=False,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_first_plan_and_the_hourly_one() -> None:
    assert replan_due(None, basis(), has_plan=False, off_plan_k=None) == "first plan"
    assert replan_due(basis(), basis(REPLAN_EVERY_S - 1), has_plan=True, off_plan_k=0) is None
    assert replan_due(basis(), basis(REPLAN_EVERY_S), has_plan=True, off_plan_k=0) == "hourly"


def test_new_prices_and_a_new_strategy_re_plan_at_once() -> None:
    tomorrow = price_key(prices([0.1, 0.2, 0.3]))
    assert replan_due(basis(), basis(15, prices=tomorrow), has_plan=True, off_plan_k=None) == (
        "prices changed"
    )
    changed = basis(15, strategy=Strategy.COMFORT)
    assert replan_due(basis(), changed, has_plan=True, off_plan_k=None) == "strategy changed"
    ahead = basis(15, holds=HoldSchedule((GridHold(start_s=7200.0, until_s=14400.0),)))
    assert replan_due(basis(), ahead, has_plan=True, off_plan_k=None) == (
        "grid hold set or released"
    )
    assert replan_due(ahead, basis(30), has_plan=True, off_plan_k=None) == (
        "grid hold set or released"
    )


@pytest.mark.parametrize(
    ("now", "has_plan", "off_plan_k", "why"),
    [
        (basis(RETRY_AFTER_S), False, None, "no plan yet"),
        (basis(RETRY_AFTER_S, answering=1), True, None, "a miner stopped answering"),
        (basis(RETRY_AFTER_S, held=True), True, None, "grid hold changed"),
        (basis(RETRY_AFTER_S), True, OFF_PLAN_K + 0.1, "store off the plan"),
        (basis(RETRY_AFTER_S), True, OFF_PLAN_K - 0.1, None),
    ],
)
def test_a_plan_the_site_cannot_follow_is_re_made_not_fought(
    now: PlanBasis, has_plan: bool, off_plan_k: float | None, why: str | None
) -> None:
    assert replan_due(basis(), now, has_plan=has_plan, off_plan_k=off_plan_k) == why
    # ... but not within minutes of the last plan: no re-plan at every poll.
    soon = replace(now, at_s=RETRY_AFTER_S - 1)
    assert replan_due(basis(), soon, has_plan=has_plan, off_plan_k=off_plan_k) is None


def session() -> PlanSession:
    prior = PlantPrior(
        tank_volume_l=600, tank_fluid=Fluid.DIELECTRIC_OIL, miner_power_steps_w=STEPS
    )
    return PlanSession(
        model=SiteModel(prior),
        settings=SessionSettings(miner_steps_w=STEPS, dispatch=DispatchSettings()),
    )


def test_the_status_says_why_there_is_no_plan() -> None:
    fresh = session()
    assert plan_status(Strategy.COMFORT, fresh, None).state is PlanState.STRATEGY_COMFORT
    no_outdoor = Reason(ReasonCode.NO_OUTDOOR_TEMPERATURE)
    bad = plan_status(Strategy.PRICE_PLAN, fresh, no_outdoor)
    assert (bad.state, bad.main) == (PlanState.BAD_INPUT, no_outdoor)
    learning = plan_status(Strategy.PRICE_PLAN, fresh, None)
    assert learning.state is PlanState.LEARNING
    assert not learning.needs_repair
    fresh.model.last_problem = Reason(ReasonCode.NO_HEAT_READINGS)
    fresh.replan(
        prices=prices([0.1, 0.2]),
        outdoor_forecast_c=[0.0, 0.0],
        store_c=45.0,
        now_s=START.timestamp(),
        loop_target_c=40.0,
        revenue_per_kwh=0.0,
    )
    stuck = plan_status(Strategy.PRICE_PLAN, fresh, None)
    assert stuck.state is PlanState.CANNOT_LEARN
    assert stuck.needs_repair
    assert stuck.main == Reason(ReasonCode.NO_HEAT_READINGS)  # first: what to fix


def inputs(values: list[float], start: datetime = START) -> PlanInputs:
    slots = prices(values, start)
    return PlanInputs(
        slots=slots,
        demand_kw=[3.0] * len(slots),
        store_c=45.0,
        store=StoreParams(capacity_kwh_per_k=0.5, capture_fraction=0.95, loss_kw_per_k=0.0),
        miner_steps_w=STEPS,
        min_store_c=40.0,
        max_store_c=60.0,
        revenue_per_kwh=0.05,
        heat_value_per_kwh=0.1,
    )


def test_the_plan_store_between_its_slot_ends() -> None:
    made = plan(inputs([0.1, 0.3, 0.1]))
    first = made.slots[0]
    middle = START + timedelta(minutes=30)
    assert planned_store_c(made, 45.0, middle) == pytest.approx((45.0 + first.store_c) / 2)
    assert planned_store_c(made, 45.0, START + timedelta(hours=5)) is None


def test_the_comfort_baseline_ignores_when_power_is_cheap() -> None:
    cheap_first, cheap_last = inputs([0.01, 0.5, 0.5, 0.5]), inputs([0.5, 0.5, 0.5, 0.01])
    assert [s.power_w for s in comfort_plan(cheap_first).slots] == [
        s.power_w for s in comfort_plan(cheap_last).slots
    ]


def test_a_plan_that_shifts_to_cheap_hours_saves_against_comfort() -> None:
    hourly = [0.02] * 4 + [0.6] * 8 + [0.02] * 4 + [0.6] * 8 + [0.3] * 6
    planned = inputs(hourly, START + timedelta(hours=6))
    made = plan(planned)
    costs = plan_costs(made, planned, START + timedelta(hours=6), UTC)
    assert costs.today.planned is not None
    assert costs.today.comfort is not None
    assert costs.today.saving == pytest.approx(costs.today.comfort - costs.today.planned)
    assert costs.today.saving is not None
    assert costs.today.saving > 0
    assert costs.tomorrow.planned is not None  # the last 6 hours fall on the next day
    short = inputs([0.1, 0.2])
    assert plan_costs(plan(short), short, START, UTC).tomorrow.saving is None
