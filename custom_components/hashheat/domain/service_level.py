"""What a site's service looked like at one poll: grid holds, curtailment, heat asked and short.

Rates per hour for the ledger: 1.0 h/h while a state holds (hours), kW for energy. Energy
curtailed is the site's power just before the hold began less the power it draws under the hold,
floored at 0. Heat is short while the loop heats, no interlock stops it and the loop is more than
``SHORT_TOLERANCE_K`` below its target.

The hours heat was asked and short under a grid hold are counted apart as well: a utility's
availability figure excuses what the grid operator asked for, so heat availability leaves them
out, and the figure including them is kept under its own name.
"""

from dataclasses import dataclass
from typing import Final

SHORT_TOLERANCE_K: Final = 1.0


@dataclass(frozen=True, kw_only=True, slots=True)
class ServiceRates:
    """One poll's service, as rates per hour (None: not known at this poll)."""

    grid_hold_h: float | None
    curtailed_kw: float | None
    heat_asked_h: float | None
    heat_short_h: float | None
    held_heat_asked_h: float | None
    held_heat_short_h: float | None


UNKNOWN: Final = ServiceRates(
    grid_hold_h=None,
    curtailed_kw=None,
    heat_asked_h=None,
    heat_short_h=None,
    held_heat_asked_h=None,
    held_heat_short_h=None,
)


@dataclass(kw_only=True, slots=True)
class ServiceTracker:
    """Remembers the site's power before a hold, to say what the hold curtailed."""

    before_hold_kw: float | None = None

    def rates(  # noqa: PLR0913
        self,
        *,
        held: bool,
        power_kw: float | None,
        heating: bool,
        loop_c: float | None,
        target_c: float,
        interlocked: bool,
    ) -> ServiceRates:
        """This poll's rates; a hold restored across a restart has no power before it."""
        curtailed: float | None = 0.0
        if not held:
            self.before_hold_kw = power_kw
        elif self.before_hold_kw is None or power_kw is None:
            curtailed = None
        else:
            curtailed = max(0.0, self.before_hold_kw - power_kw)
        short: float | None = 0.0
        if heating and not interlocked:
            short = None if loop_c is None else float(loop_c < target_c - SHORT_TOLERANCE_K)
        asked = float(heating)
        return ServiceRates(
            grid_hold_h=float(held),
            curtailed_kw=curtailed,
            heat_asked_h=asked,
            heat_short_h=short,
            held_heat_asked_h=asked if held else 0.0,
            held_heat_short_h=short if held else 0.0,
        )


def _share_delivered(asked_hours: float, short_hours: float) -> float | None:
    if asked_hours <= 0:
        return None
    return min(1.0, max(0.0, 1 - short_hours / asked_hours))


def heat_availability_including_grid_holds(
    asked_hours: float | None, short_hours: float | None
) -> float | None:
    """The share of all hours heat was asked that the site delivered it (None: never asked)."""
    if asked_hours is None or short_hours is None:
        return None
    return _share_delivered(asked_hours, short_hours)


def heat_availability(
    asked_hours: float | None,
    short_hours: float | None,
    held_asked_hours: float | None,
    held_short_hours: float | None,
) -> float | None:
    """The share of the hours heat was asked outside grid holds that the site delivered it.

    What the grid operator asked for is excused: hours under a hold count neither as asked nor
    as short. None when heat was never asked outside a hold, or the hold hours are not known.
    """
    if (
        asked_hours is None
        or short_hours is None
        or held_asked_hours is None
        or held_short_hours is None
    ):
        return None
    return _share_delivered(asked_hours - held_asked_hours, short_hours - held_short_hours)
