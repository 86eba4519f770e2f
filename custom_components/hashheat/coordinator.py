"""The site coordinator: polls every miner of a heating loop concurrently, each in isolation."""

import asyncio
import contextlib
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, override

from aiohttp import ClientSession, TCPConnector
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigSubentry,
    ConfigSubentryDataWithId,
)
from homeassistant.const import CONF_HOST, CONF_PASSWORD
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .capabilities import MinerCapabilities
from .commands import MinerCommand, async_send, waiting_after_refusal
from .const import (
    CAPABILITIES_INTERVAL,
    CAPABILITIES_RECHECK,
    CONF_CAPABILITIES,
    CONF_MAC,
    CONF_SERIAL,
    DETECT_TIMEOUT_SECONDS,
    DOMAIN,
    IDENTIFY_DURATION,
    LEDGER_SAVE_DELAY_SECONDS,
    LISTENER_SLICE,
    LOGGER,
    MAX_CONCURRENT_POLLS,
    MINER_TIMEOUT_SECONDS,
    NETWORK_INTERVAL,
    POLL_WAIT_SECONDS,
    REAUTH_MINER,
    REDETECT_AFTER_FAILURES,
    SCAN_INTERVAL,
    SUBENTRY_MINER,
    UNREACHABLE_REPAIR_AFTER,
)
from .domain.all_in import all_in_slots
from .domain.bitcoin import NetworkStats
from .domain.dispatch import NO_HOLDS, GridHold, MinerMode, PlanStep, Preset
from .domain.ledger import STORAGE_VERSION, Ledger
from .domain.plan_status import Strategy
from .domain.price_forecast import PriceSlot
from .domain.price_units import PriceUnitProblem
from .domain.service_level import ServiceTracker
from .figures import PlantInputs, SiteFigures, compute_figures
from .issues import Repair, clear_access_denied, clear_issue, is_open, raise_issue
from .mempool import MempoolError, fetch_network_stats
from .miner_client import MinerAccessDeniedError, MinerClient, MinerError
from .miner_data import MinerReading
from .plan_runner import PlanPoll, SitePlanner, miner_power_steps
from .plant_health import PlantHealth
from .plant_inputs import MeterTracker, read_plant_inputs
from .price_source import PriceReader, PriceReading
from .settings import SiteSettings
from .site_control import SiteControl

type HashHeatConfigEntry = ConfigEntry[HashHeatSiteCoordinator]

# The entity (platform, key) each control of MinerCapabilities.lost_since is shown as.
CONTROL_ENTITY_KEYS = {
    "power_limit": "power_limit_control",
    "can_pause": "mining",
    "can_reboot": "reboot",
    "can_restart_backend": "restart_backend",
    "can_identify": "identify",
    "can_set_immersion": "immersion_mode",
}
CONTROL_PLATFORMS = {
    "power_limit": "number",
    "can_pause": "switch",
    "can_reboot": "button",
    "can_restart_backend": "button",
    "can_identify": "button",
    "can_set_immersion": "switch",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class SiteData:
    """One poll of a site: readings of the miners that answered, and the site's figures."""

    readings: dict[str, MinerReading] = field(default_factory=dict)
    figures: SiteFigures | None = None
    spot_slots: list[PriceSlot] = field(default_factory=list)  # as the price source publishes
    all_in_slots: list[PriceSlot] = field(default_factory=list)  # price_slots with fees and VAT
    prices_known_until: datetime | None = None  # the end of the price forecast


class NetworkCoordinator(DataUpdateCoordinator[NetworkStats]):
    """Bitcoin network data for a site's revenue, from a mempool-compatible API."""

    config_entry: HashHeatConfigEntry

    def __init__(self, hass: HomeAssistant, entry: HashHeatConfigEntry, base_url: str) -> None:
        """Fetch through Home Assistant's shared HTTP session."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN}_network_{entry.title}",
            update_interval=NETWORK_INTERVAL,
        )
        self.base_url = base_url
        self._session = async_get_clientsession(hass)

    @override
    async def _async_update_data(self) -> NetworkStats:
        try:
            return await fetch_network_stats(
                self._session, base_url=self.base_url, currency=self.hass.config.currency
            )
        except (MempoolError, ValueError) as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="network_unavailable",
                translation_placeholders={"url": self.base_url, "error": str(err)},
            ) from err

    @property
    def current(self) -> NetworkStats | None:
        """The network data, while the source answers; revenue is unknown otherwise."""
        return self.data if self.last_update_success else None


@dataclass(kw_only=True, slots=True)
class MinerTracker:
    """Per-miner bookkeeping between polls."""

    subentry: ConfigSubentry
    client: MinerClient
    capabilities: MinerCapabilities
    # The subentry as the site was built with it (Home Assistant updates ``subentry`` in place).
    built_from: ConfigSubentryDataWithId
    failures: int = 0
    down_since: datetime | None = None
    capabilities_read: datetime | None = None
    unconfirmed: MinerCapabilities | None = None
    reading: MinerReading | None = None  # what its last finished read gave (None: it failed)
    read: asyncio.Task[None] | None = None  # its last read, possibly still under way
    read_denied: bool = False  # its firmware refused a read for lack of the right password
    denied_at: datetime | None = None  # when it last did
    immersion: bool | None = None  # its cooling's immersion mode, where the firmware has one


class HashHeatSiteCoordinator(DataUpdateCoordinator[SiteData]):
    """Poll all miners of one site with a concurrency bound and a deadline per miner."""

    config_entry: HashHeatConfigEntry

    def __init__(self, hass: HomeAssistant, entry: HashHeatConfigEntry) -> None:
        """Create one client per miner subentry; detection happens on the first poll."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN}_{entry.title}",
            update_interval=SCAN_INTERVAL,
        )
        # The miners' HTTP requests (VNish): a session of the site's, closed when it unloads.
        # Home Assistant's shared one is for the internet. As with pyasic, no connection is kept
        # between requests, so a miner closing an idle one can never fail a poll.
        self._miner_http = ClientSession(connector=TCPConnector(force_close=True))
        self.miners: dict[str, MinerTracker] = {
            subentry.subentry_id: MinerTracker(
                subentry=subentry,
                client=MinerClient(
                    subentry.data[CONF_HOST],
                    timeout=MINER_TIMEOUT_SECONDS,
                    detect_timeout=DETECT_TIMEOUT_SECONDS,
                    password=subentry.data.get(CONF_PASSWORD),
                    http=self._miner_http,
                ),
                capabilities=MinerCapabilities.from_dict(subentry.data.get(CONF_CAPABILITIES)),
                built_from=subentry.as_dict(),
            )
            for subentry in entry.get_subentries_of_type(SUBENTRY_MINER)
        }
        # What else the site is built from (see runs_with).
        self._built_from = (entry.title, dict(entry.options))
        self._semaphore = asyncio.Semaphore(MAX_CONCURRENT_POLLS)
        # One poll at a time; shutdown waits for the one under way, so its interval is counted
        # and saved, and nothing touches the counters after the final save.
        self._polling = asyncio.Lock()
        self.settings = SiteSettings.from_options(entry.options)
        self.network: NetworkCoordinator | None = (
            NetworkCoordinator(hass, entry, self.settings.plant.mempool_url)
            if self.settings.plant.revenue_source.needs_network
            else None
        )
        self.ledger = Ledger()
        # The counters; the grid hold with what hardware protection knows (starts, last stops).
        self._store, self._control_store, health_store = site_stores(hass, entry.entry_id)
        self.plant_health = PlantHealth(
            health_store,
            self.settings.health,
            max_starts_per_day=self.settings.dispatch.protection.max_starts_per_day,
        )
        self._meter = MeterTracker()
        self._save_armed = False
        self._blinking: dict[str, CALLBACK_TYPE] = {}
        self._prices = PriceReader(hass, self.settings.plant.price_entity)
        self._notifying: asyncio.Task[None] | None = None
        self.control = SiteControl(hass, entry.entry_id, self.settings, self.miners)
        self._service = ServiceTracker()
        self.planner = SitePlanner(hass, entry.entry_id, entry.title, self.settings)

    def runs_with(self, entry: HashHeatConfigEntry) -> bool:
        """Whether the site runs with the entry's title, options and miners as they are now."""
        miners = {s.subentry_id: s.as_dict() for s in entry.get_subentries_of_type(SUBENTRY_MINER)}
        return (entry.title, dict(entry.options)) == self._built_from and miners == {
            miner_id: tracker.built_from for miner_id, tracker in self.miners.items()
        }

    async def async_load_ledger(self) -> None:
        """Restore the counters, the grid hold and the protection saved before the last stop."""
        self.ledger = Ledger.from_dict(await self._store.async_load())
        self.ledger.forget_miners_except(set(self.miners))
        await self.plant_health.async_load(set(self.miners))
        self.control.restore(await self._control_store.async_load(), dt_util.utcnow())
        await self.planner.async_load()

    async def async_set_hold(self, hold: GridHold | None) -> None:
        """Hold the site under a power floor, now or from its start (None: release all holds).

        A hold from now replaces the one in force, a hold ahead joins those announced (see
        :class:`HoldSchedule`). The holds are stored and acted on now; the price plan is made
        again with them.
        """
        state = self.control.state
        now_s = dt_util.utcnow().timestamp()
        state.holds = NO_HOLDS if hold is None else state.holds.with_hold(hold, now_s)
        await self._control_store.async_save(self.control.as_dict())
        if hold is None:
            LOGGER.info("Grid holds of site %s released", self.config_entry.title)
        else:
            LOGGER.info(
                "Grid hold of site %s: at most %s W from %s until %s",
                self.config_entry.title,
                hold.floor_w,
                "now" if hold.start_s is None else dt_util.utc_from_timestamp(hold.start_s),
                "released" if hold.until_s is None else dt_util.utc_from_timestamp(hold.until_s),
            )
        await self.async_refresh()

    async def async_save_ledger(self) -> None:
        """Write the counters, the hold and the protection records now (on unload)."""
        await self._store.async_save(self.ledger.as_dict())
        await self._control_store.async_save(self.control.as_dict())
        await self.planner.async_save()
        await self.plant_health.async_save()

    def _schedule_save(self) -> None:
        # Store.async_delay_save restarts its delay on every call; polls come every 15 s, so
        # arm it once and let the write itself re-arm it (a final write also runs at shutdown).
        if not self._save_armed:
            self._save_armed = True
            self._store.async_delay_save(self._ledger_to_save, LEDGER_SAVE_DELAY_SECONDS)

    def _ledger_to_save(self) -> dict[str, Any]:
        self._save_armed = False
        # The protection records change with the counters: they are saved on the same beat.
        self._control_store.async_delay_save(self.control.as_dict)
        self.plant_health.schedule_save(0)
        return self.ledger.as_dict()

    @override
    async def async_shutdown(self) -> None:
        """Stop polling, let a poll under way finish, switch off blinking lights, save counters."""
        await super().async_shutdown()
        async with self._polling:
            await self._finish()

    async def _finish(self) -> None:
        if reads := [t.read for t in self.miners.values() if t.read and not t.read.done()]:
            for read in reads:
                read.cancel()
            await asyncio.wait(reads)
        await self.control.async_stop()
        for miner_id, cancel in list(self._blinking.items()):
            cancel()
            with contextlib.suppress(MinerError):
                await self.miners[miner_id].client.identify_blink(on=False)
        self._blinking.clear()
        for tracker in self.miners.values():
            tracker.client.close()
        await self._miner_http.close()
        await self.async_save_ledger()

    @callback
    @override
    def async_update_listeners(self) -> None:
        """Tell the entities of new data; a large site in slices, letting the event loop run."""
        if len(self._listeners) <= LISTENER_SLICE:
            super().async_update_listeners()
            return
        if self._notifying is not None:
            self._notifying.cancel()  # the entities read the newest data anyway
        self._notifying = self.config_entry.async_create_task(
            self.hass,
            self._async_notify_in_slices(list(self._listeners.items())),
            f"{DOMAIN}_notify_entities",
        )

    async def _async_notify_in_slices(
        self, listeners: list[tuple[int, tuple[CALLBACK_TYPE, object | None]]]
    ) -> None:
        for start in range(0, len(listeners), LISTENER_SLICE):
            if start:
                await asyncio.sleep(0)
            for listener_id, (update_callback, _) in listeners[start : start + LISTENER_SLICE]:
                if listener_id not in self._listeners:
                    continue  # its entity went away in the meantime
                try:
                    update_callback()
                except Exception:
                    self.logger.exception("Unexpected error updating listener %s", update_callback)

    @override
    async def _async_update_data(self) -> SiteData:
        started = self.hass.loop.time()
        try:
            async with self._polling:
                return await self._poll_site()
        finally:
            # The next poll is due an interval after this one started, not after it ended. Home
            # Assistant schedules it at the whole second the poll ends, plus a fixed offset.
            late = int(self.hass.loop.time()) - int(started)
            self.update_interval = max(SCAN_INTERVAL - timedelta(seconds=late), timedelta(0))

    async def _poll_site(self) -> SiteData:
        # The first poll waits for every miner: there is no earlier reading to show instead.
        patience = POLL_WAIT_SECONDS if self.data is not None else None
        deadline = None if patience is None else self.hass.loop.time() + patience
        await asyncio.gather(*(self._ask(tracker, patience) for tracker in self.miners.values()))
        self._ask_for_password()
        polled = {miner_id: tracker.reading for miner_id, tracker in self.miners.items()}
        now = dt_util.utcnow()
        prices = await self._prices.async_read(now)
        self._report_price(prices)  # also while every miner is down
        if self.miners and not any(polled.values()):
            self.ledger.record_gap(now)
            self.plant_health.record(now, polled, None, None)
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="site_unreachable",
                translation_placeholders={"site": self.config_entry.title},
            )
        inputs = read_plant_inputs(
            self.hass, self.settings, self._meter, now, price_per_kwh=prices.current_per_kwh
        )
        zone = dt_util.get_default_time_zone()
        figures = compute_figures(
            polled,
            self.settings.plant,
            inputs,
            self.network.current if self.network is not None else None,
            now=now,
            zone=zone,
        )
        service = self._service.rates(
            held=self.control.hold_active(now),
            power_kw=figures.rates.power_kw,
            heating=self.control.state.heating,
            loop_c=inputs.loop_c,
            target_c=self.control.state.target_c,
            interlocked=bool(self.control.active),
        )
        self.ledger.record(now, figures.rates, figures.miner_rates, service)
        # At hundreds of miners each part below takes milliseconds: other work runs in between.
        await asyncio.sleep(0)
        self.plant_health.record(now, polled, inputs, figures)
        await asyncio.sleep(0)
        self.plant_health.report_repairs(
            self.hass, self.config_entry.entry_id, self.config_entry.title
        )
        self._schedule_save()
        readings = {miner_id: r for miner_id, r in polled.items() if r is not None}
        all_in = all_in_slots(prices.slots, self.settings.plant.tariff, zone)
        self.control.state.plan = await self._plan(now, polled, inputs, figures, all_in)
        if (commands := self.control.commands(now, readings, inputs)) is not None:
            # Commands wait only for what is left of the poll's patience: a miner that hangs on
            # one holds back neither the publication nor the next poll.
            left = None if deadline is None else max(0.0, deadline - self.hass.loop.time())
            await self.control.async_apply(commands, left)
        return SiteData(
            readings=readings,
            figures=figures,
            spot_slots=prices.slots,
            all_in_slots=all_in,
            prices_known_until=prices.known_until,
        )

    async def _plan(
        self,
        now: datetime,
        polled: dict[str, MinerReading | None],
        inputs: PlantInputs,
        figures: SiteFigures,
        prices: list[PriceSlot],
    ) -> PlanStep | None:
        """The price plan's slot for the dispatcher (None: comfort control)."""
        control = self.control
        dispatcher = control.dispatcher
        controlled = dispatcher.controlled(control.state.miner_modes)
        return await self.planner.async_update(
            PlanPoll(
                now=now,
                readings=polled,
                inputs=inputs,
                figures=figures,
                prices=prices,
                steps=miner_power_steps(
                    {m: self.miners[m].capabilities for m in controlled},
                    {m: dispatcher.specs[m] for m in controlled if m in dispatcher.specs},
                ),
                target_c=control.state.target_c,
                held=control.hold_active(now),
                holds=control.state.holds,
            )
        )

    def _report_price(self, prices: PriceReading) -> None:
        """No price, and why: a forecast that stopped covering now, or a unit it cannot use."""
        entry = self.config_entry
        mismatch = prices.unit_mismatch
        if mismatch is not None and mismatch.problem is PriceUnitProblem.CURRENCY:
            raise_issue(
                self.hass,
                Repair.PRICE_CURRENCY,
                entry.entry_id,
                {
                    "site": entry.title,
                    "entity": mismatch.entity_id,
                    "unit": mismatch.unit,
                    "currency": mismatch.currency,
                },
            )
        else:
            clear_issue(self.hass, Repair.PRICE_CURRENCY, entry.entry_id)
        if mismatch is not None and mismatch.problem is PriceUnitProblem.UNIT:
            raise_issue(
                self.hass,
                Repair.PRICE_UNIT,
                entry.entry_id,
                {
                    "site": entry.title,
                    "entity": mismatch.entity_id,
                    "unit": mismatch.unit,
                    "currency": mismatch.currency,
                },
            )
        else:
            clear_issue(self.hass, Repair.PRICE_UNIT, entry.entry_id)
        if not prices.forecast_stale:
            clear_issue(self.hass, Repair.PRICE_FORECAST_STALE, entry.entry_id)
            return
        raise_issue(
            self.hass,
            Repair.PRICE_FORECAST_STALE,
            entry.entry_id,
            {"site": entry.title, "entity": self.settings.plant.price_entity or "-"},
        )

    async def async_raw_data(self, tracker: MinerTracker) -> dict[str, Any]:
        """Everything pyasic reads from a miner (diagnostics), within the polls' bound."""
        async with self._semaphore:
            return await tracker.client.raw_data()

    def _ask_for_password(self) -> None:
        """A miner refuses its password: the site's reauthentication asks for it.

        Only firmware with a password: a LuxOS or Avalon refusing for its API's access level has
        the access-denied repair, which says where to allow it.

        Never ConfigEntryAuthFailed, which would stop the whole site and its interlocks for one
        miner. Home Assistant runs one reauthentication per site at a time: with several miners
        refusing, the poll after one is fixed starts it for the next.
        """
        for miner_id, tracker in self.miners.items():
            if tracker.client.logs_in and is_open(self.hass, Repair.ACCESS_DENIED, miner_id):
                self.config_entry.async_start_reauth(self.hass, data={REAUTH_MINER: miner_id})
                return

    async def _ask(self, tracker: MinerTracker, patience: float | None) -> None:
        """Read a miner (unless its last read is still under way); wait ``patience`` seconds."""
        if _waiting_for_password(tracker, dt_util.utcnow()):
            tracker.reading = None
            return
        if tracker.read is None or tracker.read.done():
            await self._semaphore.acquire()  # released by the read, however it ends
            # Not tied to the entry: an unload lets the poll under way have its answers.
            tracker.read = self.hass.async_create_background_task(
                self._read(tracker), f"{DOMAIN}_read_{tracker.client.host}"
            )
        read = tracker.read
        await asyncio.wait((read,), timeout=patience)
        if read.done() and not read.cancelled():
            read.result()  # an unexpected error fails the poll

    async def _read(self, tracker: MinerTracker) -> None:
        try:
            tracker.reading = await self._poll(tracker)
        except asyncio.CancelledError:
            tracker.reading = None  # given up (the site stops): it did not answer
            raise
        finally:
            self._semaphore.release()

    async def _poll(self, tracker: MinerTracker) -> MinerReading | None:
        try:
            reading = await tracker.client.read()
        except MinerError as err:
            self._record_failure(tracker, err)
            return None
        try:
            await self._refresh_capabilities(tracker)
        except MinerError as err:
            # The reading stands; try the slow-changing configuration again later.
            LOGGER.debug("Miner %s: capabilities not read: %s", tracker.subentry.title, err)
        self._record_success(tracker)
        return reading

    async def _refresh_capabilities(self, tracker: MinerTracker) -> None:
        now = dt_util.utcnow()
        due = tracker.capabilities_read is None or (
            now - tracker.capabilities_read >= CAPABILITIES_INTERVAL
        )
        if not due:
            return
        tracker.capabilities_read = now
        capabilities = await tracker.client.capabilities()
        if capabilities.can_set_immersion:
            self._show_cooling(tracker, await tracker.client.immersion_mode())
        if capabilities == tracker.capabilities:
            tracker.unconfirmed = None
            return
        # A reply with parts missing can look like lost controls: adopt a change only when two
        # reads in a row agree (or when nothing was stored yet).
        if CONF_CAPABILITIES in tracker.subentry.data and capabilities != tracker.unconfirmed:
            tracker.unconfirmed = capabilities
            tracker.capabilities_read = now - CAPABILITIES_INTERVAL + CAPABILITIES_RECHECK
            return
        tracker.unconfirmed = None
        self._report_lost_controls(tracker, capabilities.lost_since(tracker.capabilities))
        tracker.capabilities = capabilities
        LOGGER.info("Miner %s capabilities changed: %s", tracker.subentry.title, capabilities)
        # Stored with the miner. The site runs with them already: storing them is no change to
        # rebuild it for, but a site already running rebuilds its entities to match them.
        stored = capabilities.as_dict()
        tracker.built_from["data"] = {**tracker.built_from["data"], CONF_CAPABILITIES: stored}
        entry = self.config_entry
        self.hass.config_entries.async_update_subentry(
            entry, tracker.subentry, data={**tracker.subentry.data, CONF_CAPABILITIES: stored}
        )
        if entry.state is ConfigEntryState.LOADED:
            self.hass.config_entries.async_schedule_reload(entry.entry_id)

    def _show_cooling(self, tracker: MinerTracker, immersion: bool | None) -> None:
        """A miner in a fan mode faults on the fans it lacks in a tank (or on a hydro plate)."""
        tracker.immersion = immersion
        subentry_id = tracker.subentry.subentry_id
        if immersion is False:
            raise_issue(self.hass, Repair.FAN_MODE, subentry_id, {"miner": tracker.subentry.title})
        else:
            clear_issue(self.hass, Repair.FAN_MODE, subentry_id)

    async def async_set_immersion(self, miner_id: str, enable: bool) -> None:
        """Switch a miner's cooling to immersion mode (or back to its fan mode)."""
        tracker = self.miners[miner_id]

        async def switch() -> None:
            await async_send(self.hass, tracker, lambda client: client.set_immersion_mode(enable))
            self._show_cooling(tracker, enable)

        await self._then_refresh(switch())

    def _report_lost_controls(self, tracker: MinerTracker, lost: list[str]) -> None:
        """A firmware change took away controls the user had: say so (the entities go)."""
        subentry_id = tracker.subentry.subentry_id
        if not lost:
            clear_issue(self.hass, Repair.CAPABILITIES_LOST, subentry_id)
            return
        LOGGER.warning("Miner %s can no longer: %s", tracker.subentry.title, ", ".join(lost))
        registry = er.async_get(self.hass)
        for control in lost:
            unique_id = f"{miner_device_key(tracker)}_{CONTROL_ENTITY_KEYS[control]}"
            platform = CONTROL_PLATFORMS[control]
            if entity_id := registry.async_get_entity_id(platform, DOMAIN, unique_id):
                registry.async_remove(entity_id)
        raise_issue(
            self.hass,
            Repair.CAPABILITIES_LOST,
            subentry_id,
            {"miner": tracker.subentry.title, "lost": ", ".join(lost)},
        )

    def _record_failure(self, tracker: MinerTracker, err: MinerError) -> None:
        now = dt_util.utcnow()
        if isinstance(err, MinerAccessDeniedError):
            self._record_denied(tracker, now, err)
            return
        tracker.failures += 1
        if tracker.failures >= REDETECT_AFTER_FAILURES:
            tracker.client.forget()
            tracker.capabilities_read = None
        if tracker.down_since is None:
            tracker.down_since = now
            LOGGER.warning("Miner %s is unreachable: %s", tracker.subentry.title, err)
        elif now - tracker.down_since >= UNREACHABLE_REPAIR_AFTER and not is_open(
            self.hass, Repair.ACCESS_DENIED, tracker.subentry.subentry_id
        ):
            # A miner refusing its password is not called unreachable as well: it needs the one fix.
            raise_issue(
                self.hass,
                Repair.MINER_UNREACHABLE,
                tracker.subentry.subentry_id,
                {
                    "miner": tracker.subentry.title,
                    "host": tracker.client.host,
                    "since": tracker.down_since.isoformat(timespec="minutes"),
                },
            )

    def _record_denied(self, tracker: MinerTracker, now: datetime, err: MinerError) -> None:
        """Firmware that wants the password to be read at all (VNish, Braiins OS+) refused it.

        The miner answers, as the firmware detected: it is neither unreachable nor detected
        again. It is asked again only every ACCESS_DENIED_RETRY (see _waiting_for_password).
        """
        tracker.denied_at = now
        subentry_id = tracker.subentry.subentry_id
        if not tracker.read_denied:
            tracker.read_denied = True
            LOGGER.warning("Miner %s refuses its password: %s", tracker.subentry.title, err)
            raise_issue(
                self.hass, Repair.ACCESS_DENIED, subentry_id, {"miner": tracker.subentry.title}
            )
        if tracker.down_since is not None:
            tracker.down_since = None
            clear_issue(self.hass, Repair.MINER_UNREACHABLE, subentry_id)

    def _record_success(self, tracker: MinerTracker) -> None:
        tracker.failures = 0
        if tracker.read_denied:
            tracker.read_denied = False
            clear_access_denied(self.hass, tracker.subentry.subentry_id)
        if tracker.down_since is not None:
            tracker.down_since = None
            LOGGER.info("Miner %s is reachable again", tracker.subentry.title)
            clear_issue(self.hass, Repair.MINER_UNREACHABLE, tracker.subentry.subentry_id)

    async def async_command(self, miner_id: str, command: MinerCommand) -> None:
        """Run a command on one miner, then poll so entities show what the miner applied."""
        await self._then_refresh(async_send(self.hass, self.miners[miner_id], command))

    async def async_start_miner(self, miner_id: str) -> None:
        """Start a miner by hand, within the grid hold and its protection times."""
        await self._then_refresh(self.control.async_start_by_hand(miner_id, dt_util.utcnow()))

    async def async_set_power_limit(self, miner_id: str, watts: float) -> None:
        """Set a miner's power limit by hand, unless a grid hold holds the site."""
        await self._then_refresh(
            self.control.async_set_power_limit_by_hand(miner_id, watts, dt_util.utcnow())
        )

    async def async_stop_miner(self, miner_id: str) -> None:
        """Stop a miner by hand."""
        await self._then_refresh(self.control.async_stop_by_hand(miner_id, dt_util.utcnow()))

    async def async_set_loop(
        self,
        *,
        heating: bool | None = None,
        target_c: float | None = None,
        preset: Preset | None = None,
    ) -> None:
        """Change what the loop is asked, show it at once, and act at the next poll."""
        self.control.set_loop(heating=heating, target_c=target_c, preset=preset)
        await self._show_then_refresh()

    async def async_set_power_cap(self, cap_w: float | None) -> None:
        """Cap the site's power (None: no cap)."""
        self.control.set_power_cap(cap_w)
        await self._show_then_refresh()

    async def async_set_miner_mode(self, miner_id: str, mode: MinerMode) -> None:
        """Hand a miner to the loop, run it flat out, or stop it."""
        self.control.state.miner_modes[miner_id] = mode
        await self._show_then_refresh()

    async def async_set_strategy(self, strategy: Strategy) -> None:
        """Hold the setpoint or follow the price plan; re-plans and acts at once."""
        self.planner.strategy = strategy
        await self._show_then_refresh()

    def restore_intents(
        self,
        *,
        loop: tuple[bool, float, Preset] | None = None,
        power_cap_w: float | None = None,
        miner_mode: tuple[str, MinerMode] | None = None,
        strategy: Strategy | None = None,
    ) -> None:
        """Take back what the user asked before a restart (restored entity states)."""
        if strategy is not None:
            self.planner.strategy = strategy
        state = self.control.state
        if loop is not None:
            state.heating, state.target_c, state.preset = loop
        if power_cap_w is not None:
            self.control.set_power_cap(power_cap_w)
        if miner_mode is not None:
            state.miner_modes[miner_mode[0]] = miner_mode[1]

    async def _show_then_refresh(self) -> None:
        self.async_update_listeners()
        await self.async_request_refresh()

    async def _then_refresh(self, action: Awaitable[None]) -> None:
        """Run ``action``, then poll (also when it failed) so entities show what the miner did."""
        try:
            await action
        finally:
            await self.async_request_refresh()

    async def async_identify(self, miner_id: str) -> None:
        """Blink the miner's fault light for a while so someone at the tank can find it."""
        await self.async_command(miner_id, lambda client: client.identify_blink(on=True))

        async def _stop_blinking(_now: datetime) -> None:
            self._blinking.pop(miner_id, None)
            with contextlib.suppress(HomeAssistantError):
                await self.async_command(miner_id, lambda client: client.identify_blink(on=False))

        if (previous := self._blinking.pop(miner_id, None)) is not None:
            previous()
        self._blinking[miner_id] = async_call_later(self.hass, IDENTIFY_DURATION, _stop_blinking)


def _waiting_for_password(tracker: MinerTracker, now: datetime) -> bool:
    """Whether a miner that refused its password is left alone for now.

    A new password (the repair's or the reauthentication's) rebuilds the site, whose new tracker
    tries it at once.
    """
    return tracker.read_denied and waiting_after_refusal(tracker.denied_at, now)


def site_stores(
    hass: HomeAssistant, entry_id: str
) -> tuple[Store[dict[str, Any]], Store[dict[str, Any]], Store[dict[str, Any]]]:
    """A site's stores: counters; grid hold and protection; health baselines and wear."""
    return (
        Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.ledger"),
        Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.control"),
        Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.health"),
    )


def miner_device_key(tracker: MinerTracker) -> str:
    """The miner's stable identity: serial, else a valid MAC, else the subentry id made at setup."""
    data = tracker.subentry.data
    return data.get(CONF_SERIAL) or data.get(CONF_MAC) or tracker.subentry.subentry_id
