"""Site-wide actions: a grid hold (demand response) on a site, its release, and the price plan.

``pause_site`` sets a hold that wins over every mode but plant safety: from ``start`` (default:
now) the site draws at most ``power_floor_w`` (0, the default: its miners stop) until
``resume_site`` or the ``duration`` ends. A hold announced ahead is known to the price plan, which
heats the store before it. The hold, also one still to begin, survives a restart of Home
Assistant; ``resume_site`` releases or cancels it. Miners stop as their minimum on time allows
and come back staged, within their protection times, when the hold ends. ``get_plan`` returns the
site's price plan (response data): its strategy, status, slots and expected costs.

``report`` answers with a site's report over a month, a year or a range of days (see
:mod:`.report`), and can export it.
"""

from datetime import datetime, timedelta
from typing import Final

import probatio
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonValueType

from .const import DOMAIN, LOGGER, MINER_TIMEOUT_SECONDS
from .coordinator import HashHeatConfigEntry
from .domain.dispatch import GridHold
from .domain.plan_costs import DayCosts
from .domain.report import PeriodKind
from .plan_runner import plan_slots
from .report import async_site_report

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_DURATION = "duration"
ATTR_POWER_FLOOR_W = "power_floor_w"
ATTR_REASON = "reason"
ATTR_START = "start"
# A start this little before the call is now: a template's now() renders just before it.
START_GRACE: Final = timedelta(minutes=1)
SERVICE_PAUSE_SITE = "pause_site"
SERVICE_RESUME_SITE = "resume_site"
SERVICE_GET_PLAN = "get_plan"
SERVICE_REPORT = "report"
ATTR_PERIOD = "period"
ATTR_DATE = "date"
ATTR_END_DATE = "end_date"
ATTR_EXPORT_FOLDER = "export_folder"
ATTR_HEAT_METERS = "heat_meters"

SITE_SCHEMA = probatio.Schema({probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string})
PAUSE_SCHEMA = SITE_SCHEMA.extend(
    {
        probatio.Optional(ATTR_START): cv.datetime,
        probatio.Optional(ATTR_DURATION): cv.time_period,
        probatio.Optional(ATTR_POWER_FLOOR_W, default=0): probatio.All(
            probatio.Coerce(float), probatio.Range(min=0, max=10_000_000)
        ),
        probatio.Optional(ATTR_REASON, default=""): probatio.All(
            cv.string, probatio.Length(max=255)
        ),
    }
)

REPORT_SCHEMA = SITE_SCHEMA.extend(
    {
        probatio.Required(ATTR_PERIOD): probatio.In([kind.value for kind in PeriodKind]),
        probatio.Optional(ATTR_DATE): cv.date,
        probatio.Optional(ATTR_END_DATE): cv.date,
        probatio.Optional(ATTR_EXPORT_FOLDER): probatio.All(cv.string, probatio.Length(max=255)),
        probatio.Optional(ATTR_HEAT_METERS): cv.entity_ids,
    }
)


def _loaded_site(hass: HomeAssistant, entry_id: str) -> HashHeatConfigEntry:
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="site_not_found",
            translation_placeholders={"entry_id": entry_id},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="site_not_loaded",
            translation_placeholders={"site": entry.title},
        )
    site: HashHeatConfigEntry = entry
    return site


def _hold_start(call: ServiceCall) -> datetime | None:
    """When the hold asked begins (None: now); a time without a zone is Home Assistant's."""
    start: datetime | None = call.data.get(ATTR_START)
    if start is None:
        return None
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt_util.get_default_time_zone())
    if start < dt_util.utcnow() - START_GRACE:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="hold_start_past",
            translation_placeholders={"start": dt_util.as_local(start).isoformat()},
        )
    return start


def _hold(call: ServiceCall) -> GridHold:
    """The grid hold ``pause_site`` asks for."""
    duration: timedelta | None = call.data.get(ATTR_DURATION)
    if duration is not None and duration <= timedelta(0):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="hold_duration_invalid",
            translation_placeholders={"duration": str(duration)},
        )
    start = _hold_start(call)
    begins = start or dt_util.utcnow()
    return GridHold(
        floor_w=call.data[ATTR_POWER_FLOOR_W],
        until_s=(begins + duration).timestamp() if duration is not None else None,
        reason=call.data[ATTR_REASON],
        start_s=start.timestamp() if start is not None else None,
    )


async def _pause_site(call: ServiceCall) -> None:
    site = _loaded_site(call.hass, call.data[ATTR_CONFIG_ENTRY_ID])
    coordinator = site.runtime_data
    await coordinator.async_set_hold(_hold(call))
    # The poll waits for commands a few seconds only; the caller is told what did not take.
    await coordinator.control.async_settle(MINER_TIMEOUT_SECONDS)
    if failed := coordinator.control.failing:
        # The hold stands and is sent again at every poll; the caller learns it did not take yet.
        LOGGER.warning("pause_site of site %s: not taken yet by %s", site.title, sorted(failed))
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="site_command_failed",
            translation_placeholders={
                "site": site.title,
                "failed": str(len(failed)),
                "total": str(len(coordinator.miners)),
            },
        )


async def _resume_site(call: ServiceCall) -> None:
    site = _loaded_site(call.hass, call.data[ATTR_CONFIG_ENTRY_ID])
    await site.runtime_data.async_set_hold(None)


def _day(costs: DayCosts | None) -> JsonValueType:
    if costs is None:
        return {"expected_cost": None, "comfort_cost": None, "saving": None}
    return {"expected_cost": costs.planned, "comfort_cost": costs.comfort, "saving": costs.saving}


async def _get_plan(call: ServiceCall) -> ServiceResponse:
    site = _loaded_site(call.hass, call.data[ATTR_CONFIG_ENTRY_ID])
    planner = site.runtime_data.planner
    made, costs = planner.plan, planner.costs
    return {
        "strategy": planner.strategy.value,
        "active": planner.status.active,
        "reason": planner.status.state.value,
        "detail": main.code.value if (main := planner.status.main) else None,
        "detail_figures": dict(main.figures) if main else {},
        "slots": [*plan_slots(made)] if made is not None else [],
        "today": _day(costs.today if costs else None),
        "tomorrow": _day(costs.tomorrow if costs else None),
    }


async def _report(call: ServiceCall) -> ServiceResponse:
    site = _loaded_site(call.hass, call.data[ATTR_CONFIG_ENTRY_ID])
    return await async_site_report(
        call.hass,
        site,
        kind=PeriodKind(call.data[ATTR_PERIOD]),
        day=call.data.get(ATTR_DATE),
        end_day=call.data.get(ATTR_END_DATE),
        export_folder=call.data.get(ATTR_EXPORT_FOLDER),
        heat_meters=call.data.get(ATTR_HEAT_METERS),
    )


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (once, for all sites)."""
    hass.services.async_register(DOMAIN, SERVICE_PAUSE_SITE, _pause_site, schema=PAUSE_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_RESUME_SITE, _resume_site, schema=SITE_SCHEMA)
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_PLAN,
        _get_plan,
        schema=SITE_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_REPORT,
        _report,
        schema=REPORT_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
