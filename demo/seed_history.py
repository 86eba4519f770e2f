"""Give a new demo site a past: simulated demo history in the recorder's long-term statistics.

Run once, when the demo creates its site: the weeks before now (see :mod:`demo.history`) are
imported as hourly statistics of the site's own sensors (found by their unique ids) and of the
loop's supply temperature, through the recorder's ``recorder/import_statistics`` command, as a
user importing old meter data would.
"""

from datetime import UTC, datetime
from functools import partial
from typing import Any, Final
from zoneinfo import ZoneInfo

import aiohttp

from demo.ha_api import HaApi
from demo.history import (
    CHIP_RISE,
    COUNTERS,
    MEANS,
    SUPPLY,
    SUPPLY_STATISTIC,
    HistoryHour,
    Statistic,
    chip_rise_statistics,
    simulate,
    statistics,
)
from demo.settings import DemoSettings
from demo.site_setup import SUPPLY_SENSOR
from demo.waiting import wait_until
from demo.ws import ws_command

__all__ = ["HISTORY_DAYS", "import_command", "seed_history"]

# About four months: the Report view's monthly bars and a report per past month.
HISTORY_DAYS: Final = 120
RECORDED_TIMEOUT_S: Final = 300.0


def import_command(
    statistic_id: str, statistic: Statistic, rows: list[dict[str, float | str]]
) -> dict[str, Any]:
    """The websocket command that imports ``rows`` as the statistics of ``statistic_id``."""
    return {
        "type": "recorder/import_statistics",
        "metadata": {
            "has_sum": statistic.has_sum,
            "mean_type": 0 if statistic.has_sum else 1,
            "name": None,
            "source": "recorder",
            "statistic_id": statistic_id,
            "unit_class": statistic.unit_class,
            "unit_of_measurement": statistic.unit,
        },
        "stats": rows,
    }


async def seed_history(
    session: aiohttp.ClientSession, api: HaApi, settings: DemoSettings, entry_id: str
) -> int:
    """Import the simulated history of the site ``entry_id``; the number of hours imported."""
    registry = await ws_command(
        session, api.url, api.token, {"type": "config/entity_registry/list"}
    )
    entity_ids = {
        str(entity["unique_id"]): str(entity["entity_id"])
        for entity in registry
        if entity.get("platform") == "hashheat"
    }
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    hours = simulate(end, HISTORY_DAYS, ZoneInfo(settings.time_zone))
    targets = [
        (entity_ids.get(f"{entry_id}_{key}"), key, statistic)
        for key, statistic in (*COUNTERS.items(), *MEANS.items())
    ]
    targets.append((SUPPLY_SENSOR, SUPPLY, SUPPLY_STATISTIC))
    imported: list[str] = []
    for statistic_id, key, statistic in targets:
        if statistic_id is not None:
            command = import_command(statistic_id, statistic, statistics(hours, key))
            await ws_command(session, api.url, api.token, command)
            imported.append(statistic_id)
    imported += await _seed_chip_rises(
        session, api, registry=registry, entry_id=entry_id, hours=hours
    )
    # The recorder imports in its own thread, one statistic after another: the history is there
    # once the last one sent can be read back (on a busy machine that takes tens of seconds).
    await wait_until(
        "the simulated history in the recorder",
        partial(_recorded, session, api, imported[-1], hours[0].start, end),
        timeout=RECORDED_TIMEOUT_S,
    )
    return len(hours)


async def _recorded(
    session: aiohttp.ClientSession, api: HaApi, statistic_id: str, start: datetime, end: datetime
) -> bool | None:
    """True once the recorder has ``statistic_id``'s statistics from ``start``, else None."""
    found = await ws_command(
        session,
        api.url,
        api.token,
        {
            "type": "recorder/statistics_during_period",
            "start_time": start.isoformat(),
            "end_time": end.isoformat(),
            "statistic_ids": [statistic_id],
            "period": "day",
            "types": ["mean", "change"],
        },
    )
    return True if isinstance(found, dict) and found.get(statistic_id) else None


async def _seed_chip_rises(
    session: aiohttp.ClientSession,
    api: HaApi,
    *,
    registry: list[dict[str, Any]],
    entry_id: str,
    hours: list[HistoryHour],
) -> list[str]:
    """Each miner's chip rise: flat (a healthy plant's) at the level the miner shows now.

    Returns the statistic ids imported.
    """
    imported: list[str] = []
    for entity in registry:
        unique_id = str(entity["unique_id"])
        if entity.get("config_entry_id") != entry_id or not unique_id.endswith("_chip_rise"):
            continue
        entity_id = str(entity["entity_id"])
        rise = await wait_until(
            f"{entity_id} has a value", partial(api.numeric_state, entity_id), timeout=60
        )
        command = import_command(entity_id, CHIP_RISE, chip_rise_statistics(hours, rise))
        await ws_command(session, api.url, api.token, command)
        imported.append(entity_id)
    return imported
