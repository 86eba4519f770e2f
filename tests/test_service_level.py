"""Service at one poll: grid-hold hours, energy curtailed, heat asked and heat short."""

import pytest

from custom_components.hashheat.domain.service_level import (
    ServiceRates,
    ServiceTracker,
    heat_availability,
    heat_availability_including_grid_holds,
)


def _idle(tracker: ServiceTracker, *, held: bool, power_kw: float) -> ServiceRates:
    return tracker.rates(
        held=held, power_kw=power_kw, heating=False, loop_c=40.0, target_c=45.0, interlocked=False
    )


def test_a_hold_curtails_the_power_before_it_less_what_is_drawn() -> None:
    tracker = ServiceTracker()
    assert _idle(tracker, held=False, power_kw=6.0).curtailed_kw == 0.0
    held = _idle(tracker, held=True, power_kw=1.5)
    assert held.grid_hold_h == 1.0
    assert held.curtailed_kw == pytest.approx(4.5)
    # Drawing more than before the hold curtails nothing; the baseline stays the pre-hold power.
    assert _idle(tracker, held=True, power_kw=7.0).curtailed_kw == 0.0
    assert _idle(tracker, held=True, power_kw=0.0).curtailed_kw == pytest.approx(6.0)
    released = _idle(tracker, held=False, power_kw=3.0)
    assert (released.grid_hold_h, released.curtailed_kw) == (0.0, 0.0)


def test_a_hold_without_power_before_it_curtails_an_unknown_amount() -> None:
    rates = _idle(ServiceTracker(), held=True, power_kw=0.0)
    assert rates == ServiceRates(
        grid_hold_h=1.0,
        curtailed_kw=None,
        heat_asked_h=0.0,
        heat_short_h=0.0,
        held_heat_asked_h=0.0,
        held_heat_short_h=0.0,
    )


@pytest.mark.parametrize(
    ("heating", "loop_c", "interlocked", "asked", "short"),
    [
        (False, 30.0, False, 0.0, 0.0),  # not asked: never short
        (True, 44.5, False, 1.0, 0.0),  # within the 1 K tolerance
        (True, 43.9, False, 1.0, 1.0),  # more than 1 K below target
        (True, 30.0, True, 1.0, 0.0),  # an interlock stops it: not short
        (True, None, False, 1.0, None),  # loop temperature unknown
    ],
)
def test_heat_is_short_when_asked_and_below_target(
    heating: bool, loop_c: float | None, interlocked: bool, asked: float, short: float | None
) -> None:
    rates = ServiceTracker().rates(
        held=False,
        power_kw=3.0,
        heating=heating,
        loop_c=loop_c,
        target_c=45.0,
        interlocked=interlocked,
    )
    assert (rates.heat_asked_h, rates.heat_short_h) == (asked, short)


def test_a_grid_hold_that_keeps_the_loop_cold_is_short_and_counted_as_held() -> None:
    tracker = ServiceTracker()
    rates = tracker.rates(
        held=True, power_kw=0.0, heating=True, loop_c=30.0, target_c=45.0, interlocked=False
    )
    assert (rates.heat_asked_h, rates.heat_short_h) == (1.0, 1.0)
    assert (rates.held_heat_asked_h, rates.held_heat_short_h) == (1.0, 1.0)
    free = tracker.rates(
        held=False, power_kw=3.0, heating=True, loop_c=30.0, target_c=45.0, interlocked=False
    )
    assert (free.heat_short_h, free.held_heat_asked_h, free.held_heat_short_h) == (1.0, 0.0, 0.0)


def test_a_held_poll_with_an_unknown_loop_is_unknown_under_the_hold_too() -> None:
    rates = ServiceTracker().rates(
        held=True, power_kw=0.0, heating=True, loop_c=None, target_c=45.0, interlocked=False
    )
    assert (rates.heat_short_h, rates.held_heat_short_h) == (None, None)


def test_heat_availability_excuses_grid_holds() -> None:
    # 600 h asked, 30 h short; 20 of them under a grid hold that asked 50 h.
    assert heat_availability(600.0, 30.0, 50.0, 20.0) == pytest.approx(1 - 10 / 550)
    assert heat_availability_including_grid_holds(600.0, 30.0) == pytest.approx(0.95)
    assert heat_availability(600.0, 0.0, 0.0, 0.0) == 1.0
    # Asked only under holds: nothing to judge outside them.
    assert heat_availability(50.0, 20.0, 50.0, 20.0) is None
    assert heat_availability(600.0, 30.0, None, None) is None
    assert heat_availability_including_grid_holds(0.0, 0.0) is None
    assert heat_availability_including_grid_holds(None, None) is None
