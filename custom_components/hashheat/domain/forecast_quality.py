"""What is wrong with a price forecast, and until when it is known, as plain data.

The parsers drop malformed and overlapping entries (the slot kept notes an overlap); a forecast
joined from several entities or action calls, or built by hand, may still have holes or shared
time, and any forecast goes stale when its integration stops updating. Only the slots from now
on count: yesterday's gap changes no decision.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum

from .price_forecast import PriceSlot, current_slot, slots_ahead


class ForecastProblem(StrEnum):
    """A reason not to trust a forecast's figures (rank, cheap hours) as they are."""

    EMPTY = "empty"  # no slot at all
    NOT_COVERING_NOW = "not_covering_now"  # no slot contains now: stale, or not yet begun
    GAP = "gap"  # time between two slots from now on that no slot covers
    OVERLAP = "overlap"  # two slots from now on that share time


def _ahead(slots: Iterable[PriceSlot], now: datetime) -> list[tuple[datetime, datetime]]:
    """The intervals (in UTC) of the slots that end after now, by start."""
    return sorted(
        (slot.start.astimezone(UTC), slot.end.astimezone(UTC)) for slot in slots_ahead(slots, now)
    )


def forecast_problems(slots: Iterable[PriceSlot], now: datetime) -> frozenset[ForecastProblem]:
    """The problems of a forecast at ``now``; empty when it is fit to use.

    An empty forecast is only ``EMPTY``. A gap or an overlap counts from the slot covering now
    (or the first one ahead) on.
    """
    slots = list(slots)
    if not slots:
        return frozenset({ForecastProblem.EMPTY})
    problems: set[ForecastProblem] = set()
    if current_slot(slots, now) is None:
        problems.add(ForecastProblem.NOT_COVERING_NOW)
    covered_until: datetime | None = None
    for start, end in _ahead(slots, now):
        if covered_until is not None and start > covered_until:
            problems.add(ForecastProblem.GAP)
        elif covered_until is not None and start < covered_until:
            problems.add(ForecastProblem.OVERLAP)
        covered_until = end if covered_until is None else max(covered_until, end)
    if any(slot.overlapped_until is not None and slot.overlapped_until > now for slot in slots):
        problems.add(ForecastProblem.OVERLAP)  # the parsers dropped what overlapped
    return frozenset(problems)


def known_until(slots: Iterable[PriceSlot], now: datetime) -> datetime | None:
    """The end (in UTC) of the slots that follow one another without a gap from now on.

    None when no slot covers now. Tomorrow's prices not yet published: the end of today.
    """
    slots = list(slots)
    current = current_slot(slots, now)
    if current is None:
        return None
    until = current.end.astimezone(UTC)
    for start, end in _ahead(slots, now):
        if start > until:
            break
        until = max(until, end)
    return until
