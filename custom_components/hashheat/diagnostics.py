"""Diagnostics for a HashHeat site: configuration, state and what each miner reports raw."""

import asyncio
from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .coordinator import HashHeatConfigEntry, HashHeatSiteCoordinator, MinerTracker
from .miner_client import MinerError

# Pool users carry wallet and worker names; passwords and serials identify the owner.
TO_REDACT = {
    "password",
    "pwd",
    "user",
    "username",
    "worker",
    "serial",
    "serial_number",
    "psu_serial_number",
    "mac",
    "hostname",
    "unique_id",
}


async def _raw(coordinator: HashHeatSiteCoordinator, tracker: MinerTracker) -> dict[str, Any] | str:
    try:
        return await coordinator.async_raw_data(tracker)
    except MinerError as err:
        return f"unreachable: {type(err).__name__}"


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HashHeatConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a site."""
    coordinator = entry.runtime_data
    trackers = list(coordinator.miners.values())
    raw = await asyncio.gather(*(_raw(coordinator, tracker) for tracker in trackers))
    miners = [
        {
            "subentry": tracker.subentry.as_dict(),
            "capabilities": tracker.capabilities.as_dict(),
            "consecutive_failures": tracker.failures,
            "down_since": tracker.down_since.isoformat() if tracker.down_since else None,
            "detected": tracker.client.detected,
            "reading": asdict(reading)
            if (reading := coordinator.data.readings.get(tracker.subentry.subentry_id))
            else None,
            "pyasic_data": raw_data,
        }
        for tracker, raw_data in zip(trackers, raw, strict=True)
    ]
    return async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            "last_update_success": coordinator.last_update_success,
            "ledger": coordinator.ledger.as_dict(),
            "health_and_wear": coordinator.plant_health.as_dict(),
            "network": {
                "last_update_success": coordinator.network.last_update_success,
                "data": asdict(coordinator.network.data) if coordinator.network.data else None,
            }
            if coordinator.network is not None
            else None,
            "miners": miners,
            "plan": coordinator.planner.as_dict(),
        },
        TO_REDACT,
    )
