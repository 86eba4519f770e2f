"""A site whose entities and diagnostics are the same at every run, for syrupy snapshots.

Deterministic: time is frozen at SNAPSHOT_TIME before the miners start (their uptime and boot
time follow it), the simulator has no noise and fixed seeds, the site and its subentries have
fixed ids, and each miner has the identity (MAC, serial, hostname) of a fixed address, whichever
loopback address it listens on. Regenerate the snapshots with ``scripts/snapshots``.
"""

from datetime import timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentryDataWithId
from homeassistant.const import CONF_HOST, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.hashheat.const import CONF_MAC, DOMAIN, SUBENTRY_MINER
from sim import Fleet, SimulatedMiner
from sim.families import identity_for

from .climate import CONTROL
from .site import poll, set_plant, setup_entry

SNAPSHOT_TIME = "2026-11-26 12:00:00+00:00"
SNAPSHOT_MODELS = ["Antminer S19 XP", "Avalon Mini3"]
SITE_ID = "01JHASHHEATSNAPSHOTSITE000"
PUMP = "binary_sensor.loop_pump"


def pin_identity(miner: SimulatedMiner, number: int) -> None:
    """Give ``miner`` the identity it would have at 127.0.0.``number``."""
    pinned = identity_for(f"127.0.0.{number}", miner.model)
    miner.identity.mac = pinned.mac
    miner.identity.serial = pinned.serial
    miner.identity.hostname = pinned.hostname


def snapshot_site(fleet: Fleet) -> MockConfigEntry:
    """The site of the snapshot tests: the plant with its interlocks, miners titled by number."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Boiler room",
        entry_id=SITE_ID,
        options=CONTROL,
        subentries_data=[
            ConfigSubentryDataWithId(
                subentry_id=f"01JHASHHEATSNAPSHOTMINER{number:02d}",
                data={CONF_HOST: miner.host, CONF_MAC: miner.identity.mac},
                subentry_type=SUBENTRY_MINER,
                title=f"Miner {number}",
                unique_id=miner.identity.mac,
            )
            for number, miner in enumerate(fleet, start=1)
        ],
    )


async def setup_snapshot_site(
    hass: HomeAssistant,
    fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    platforms: list[Platform] | None = None,
) -> MockConfigEntry:
    """Set the site up (with only ``platforms``, if given) and poll it a minute later."""
    hass.config.currency = "EUR"
    set_plant(hass)
    hass.states.async_set(PUMP, "on")
    entry = snapshot_site(fleet)
    if platforms is None:
        await setup_entry(hass, entry)
    else:
        with patch("custom_components.hashheat.PLATFORMS", platforms):
            await setup_entry(hass, entry)
    network = entry.runtime_data.network
    if network is not None:
        await network.async_refresh()
    freezer.tick(timedelta(minutes=1))
    set_plant(hass)
    await poll(hass, entry)
    return entry


async def snapshot_entities(
    hass: HomeAssistant,
    fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """Every entity of ``platform`` of the snapshot site: its registry entry and its state."""
    entry = await setup_snapshot_site(hass, fleet, freezer, [platform])
    await snapshot_platform(hass, er.async_get(hass), snapshot, entry.entry_id)
