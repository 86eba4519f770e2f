"""A site's diagnostics, as a snapshot (scripts/snapshots)."""

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.types import PropertyName, PropertyPath

from sim import Fleet

from .helpers.snapshots import setup_snapshot_site


def volatile(prop: PropertyName, path: PropertyPath) -> bool:
    """Where a miner listens (a fresh loopback address per test run) and when pyasic read it
    (pyasic stamps its data with the real time, not the test's).
    """
    within = {name for name, _ in path}
    return prop in {"host", "ip"} or (prop in {"datetime", "timestamp"} and "pyasic_data" in within)


async def test_diagnostics(
    hass: HomeAssistant,
    snapshot_fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    entry = await setup_snapshot_site(hass, snapshot_fleet, freezer)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics == snapshot(exclude=volatile)
