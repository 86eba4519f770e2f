"""Binary sensors: a miner's connectivity and problem; a site's prices and interlocks."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .coordinator import HashHeatConfigEntry
from .domain.dispatch import GridHold, HoldSchedule
from .domain.plan_status import PlanStatus
from .domain.price_forecast import above, is_cheap_now
from .entity import (
    HashHeatMinerEntity,
    HashHeatSiteEntity,
    MinerEntityDescription,
    SiteEntityDescription,
    add_miner_entities,
    add_site_entities,
    has_price_source,
)
from .site_control import Interlock
from .view import SiteView

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class MinerBinarySensorDescription(BinarySensorEntityDescription, MinerEntityDescription):
    """Describes a yes/no state of a miner."""


CONNECTIVITY = MinerBinarySensorDescription(
    key="connectivity",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)
PROBLEM = MinerBinarySensorDescription(
    key="problem",
    device_class=BinarySensorDeviceClass.PROBLEM,
)


@dataclass(frozen=True, kw_only=True)
class SiteBinarySensorDescription(BinarySensorEntityDescription, SiteEntityDescription):
    """Describes a yes/no figure of the site."""

    value_fn: Callable[[SiteView], bool | None]
    attributes_fn: Callable[[SiteView], dict[str, Any]] | None = None


SITE_BINARY_SENSORS: tuple[SiteBinarySensorDescription, ...] = (
    SiteBinarySensorDescription(
        key="cheap_now",
        translation_key="cheap_now",
        value_fn=lambda view: is_cheap_now(view.price_slots, dt_util.utcnow(), view.cheap_hours),
    ),
    SiteBinarySensorDescription(
        key="grid_hold",
        translation_key="grid_hold",
        value_fn=lambda view: view.grid_holds.in_force(dt_util.utcnow().timestamp()) is not None,
        attributes_fn=lambda view: _hold_attributes(view.grid_holds),
    ),
    SiteBinarySensorDescription(
        key="above_breakeven",
        translation_key="above_breakeven",
        value_fn=lambda view: above(
            view.figures.price_per_kwh if view.figures else None,
            view.figures.breakeven_price_per_kwh if view.figures else None,
        ),
    ),
)


PLAN_ACTIVE = SiteBinarySensorDescription(
    key="plan_active",
    translation_key="plan_active",
    value_fn=lambda view: view.plan.status.active,
    attributes_fn=lambda view: _plan_attributes(view.plan.status),
    exists_fn=has_price_source,
)


def _plan_attributes(status: PlanStatus) -> dict[str, Any]:
    """Why the plan does not run: state and main reason as codes, the reason's figures beside.

    Home Assistant translates an attribute's values (strings.json), but fills no placeholders
    into them: the figures are an attribute of their own.
    """
    main = status.main
    return {
        "reason": None if status.active else status.state.value,
        "detail": main.code.value if main else None,
        "detail_figures": dict(main.figures) if main and main.figures else None,
    }


def _hold_attributes(holds: HoldSchedule) -> dict[str, Any]:
    """The floor, start, end and reason of the hold in force, else of the next; all those ahead."""
    now_s = dt_util.utcnow().timestamp()
    ahead = holds.ahead(now_s)
    hold = holds.in_force(now_s) or next(iter(ahead), None)
    return {
        **_hold_figures(hold),
        "scheduled": [_hold_figures(h) for h in ahead],
    }


def _hold_figures(hold: GridHold | None) -> dict[str, Any]:
    return {
        "power_floor_w": hold.floor_w if hold else None,
        "start": _iso(hold.start_s if hold else None),
        "until": _iso(hold.until_s if hold else None),
        "reason": hold.reason or None if hold else None,
    }


def _iso(at_s: float | None) -> str | None:
    return None if at_s is None else dt_util.utc_from_timestamp(at_s).isoformat()


def _interlock_description(interlock: Interlock) -> SiteBinarySensorDescription:
    return SiteBinarySensorDescription(
        key=f"interlock_{interlock}",
        translation_key=f"interlock_{interlock}",
        device_class=BinarySensorDeviceClass.SAFETY,
        value_fn=lambda view: interlock in view.interlocks,
        exists_fn=interlock.watched,
    )


INTERLOCK_BINARY_SENSORS = tuple(_interlock_description(interlock) for interlock in Interlock)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HashHeatConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the site's price and interlock sensors, and connectivity and problem per miner."""
    add_site_entities(
        entry,
        async_add_entities,
        (*SITE_BINARY_SENSORS, *INTERLOCK_BINARY_SENSORS, PLAN_ACTIVE),
        SiteBinarySensor,
    )
    add_miner_entities(entry, async_add_entities, (CONNECTIVITY,), MinerConnectivitySensor)
    add_miner_entities(entry, async_add_entities, (PROBLEM,), MinerProblemSensor)


class MinerConnectivitySensor(HashHeatMinerEntity, BinarySensorEntity):
    """On while the miner answers; never unavailable itself, so an outage shows as 'off'."""

    @property
    def available(self) -> bool:
        """Always available: its state is the answer to 'is the miner reachable'."""
        return True

    @property
    def is_on(self) -> bool:
        """Whether the miner answered the last poll."""
        return self.coordinator.last_update_success and self.reading is not None


class MinerProblemSensor(HashHeatMinerEntity, BinarySensorEntity):
    """On when the miner reports errors or hashboards are missing or idle."""

    @property
    def is_on(self) -> bool | None:
        """Whether the miner has a problem."""
        reading = self.reading
        return None if reading is None else reading.has_problem


class SiteBinarySensor(HashHeatSiteEntity, BinarySensorEntity):
    """A yes/no figure of the site: cheap now, price above breakeven."""

    entity_description: SiteBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """The figure now."""
        return self.entity_description.value_fn(self.site)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Details of the figure, where it has any (a grid hold's floor and end)."""
        attributes_fn = self.entity_description.attributes_fn
        return attributes_fn(self.site) if attributes_fn else None
