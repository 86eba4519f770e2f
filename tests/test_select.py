"""The strategy select of a site, as a snapshot (scripts/snapshots)."""

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from syrupy.assertion import SnapshotAssertion

from sim import Fleet

from .helpers.snapshots import snapshot_entities


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_select_entities(
    hass: HomeAssistant,
    snapshot_fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
) -> None:
    await snapshot_entities(hass, snapshot_fleet, freezer, snapshot, Platform.SELECT)
