"""The fault campaign: every fault a site meets, injected end to end, checked for the same things.

Each case sets up a site of two simulated miners (one kept healthy, one the fault may hit), with
the plant sensors, the mempool API and the plant-safety interlocks configured. It polls the site
healthy, injects one fault, polls through it, clears it and polls again; then it asserts that

* no exception escaped (nothing logged with a traceback or as an unhandled error);
* only what the fault affects became unavailable or unknown: the faulted miner's live entities,
  or the site figures that need a failed sensor or the network (checked at every poll for the
  miners' connectivity, and over every entity of the site while the fault lasts);
* the interlocks tripped and cleared as specified (repair issues and the Loop's attribute);
* every energy and money counter equals the integral of what was observable: the simulator's
  own power at each poll where a miner answered, the price the sensor showed, the heat and
  revenue the site showed; so nothing was lost and nothing counted twice, across restarts too.

Time is frozen (``freezer``) and moved by the campaign: the miners' physics run on the same clock,
so a reading is exactly the simulator's truth at that instant. The per-miner deadline is shortened
and, when a poll waits on a hung miner only (for some turns of the event loop), the clock is
moved past it.

``scripts/bench_faults.py`` runs this module and prints the summary: with
``HASHHEAT_FAULT_REPORT=<file>`` every case appends its outcome to the file as a JSON line.
"""

import asyncio
import json
import logging
import math
import os
import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any

import freezegun.api
import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant import loader
from homeassistant.config_entries import SOURCE_DHCP, ConfigSubentryDataWithId
from homeassistant.const import CONF_HOST, STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_test_home_assistant,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.hashheat.const import CONF_MAC, DOMAIN
from custom_components.hashheat.coordinator import HashHeatSiteCoordinator
from custom_components.hashheat.domain.accumulator import DEFAULT_MAX_GAP
from custom_components.hashheat.figures import SiteFigures
from custom_components.hashheat.mempool import HASHRATE_PATH
from custom_components.hashheat.sensor_health import MINER_HEALTH_SENSORS
from custom_components.hashheat.site_control import Interlock
from sim import Fleet, SimulatedMiner

from .helpers.addresses import next_address
from .helpers.climate import CONTROL, call, climate_id, issue
from .helpers.entities import entity_id, miner_value, site_value
from .helpers.flows import dhcp_info
from .helpers.mempool import mock_mempool
from .helpers.miners import FAST_SIM, STEADY_TURNS
from .helpers.site import set_plant, setup_plant_site

REPORT_ENV = "HASHHEAT_FAULT_REPORT"
# The campaign polls every 10 s, under the coordinator's own 15 s schedule: only it polls.
POLL = timedelta(seconds=10)
# The per-miner deadline, shortened. When a poll waits on hung miners only (every other miner
# has answered) for STEADY_TURNS turns of the event loop, the frozen clock moves past it.
DEADLINE_S = 1.0
PAST_S = 0.05  # past the deadline, whatever the float rounding of frozen (Unix) time
GIVE_UP_S = 60.0  # real seconds: a case that waits longer is stuck
WH_TOLERANCE = 1e-6
MONEY_TOLERANCE = 1e-9

LUXOS = ("Antminer S19 XP", "Antminer S19 XP")
AVALON = ("Antminer S19 XP", "Avalon Mini3")  # a LuxOS miner stays healthy, the Avalon fails
WHATSMINER = ("Antminer S19 XP", "Whatsminer M63S")
VNISH = ("Antminer S19 XP", "Antminer S19j Pro VNish 1.3")  # presets and the throttle
BRAIINS = ("Antminer S19 XP", "Antminer S19j Pro BOS+")
FAMILIES = {"Avalon": "avalon", "Whatsminer": "whatsminer", "VNish": "vnish", "BOS+": "braiins"}

# The plant's sensors, as set_plant sets them, and the pump.
RETURN, SUPPLY, FLOW = "sensor.tank_return", "sensor.loop_supply", "sensor.loop_flow"
PRICE, PUMP = "sensor.spot_price", "binary_sensor.loop_pump"
PLANT_SENSORS = (RETURN, SUPPLY, FLOW, PRICE, PUMP)
# The loop temperature is stale after a minute (the shortest the options allow).
OPTIONS = {**CONTROL, "stale_minutes": 1}

ENERGY = ("site", "healthy", "faulted", "heat")  # Wh
MONEY = ("cost", "revenue")  # EUR
# A miner's entities that stay available while it does not answer.
ALWAYS_AVAILABLE = {
    "electricity_energy",
    "heat_energy",
    "revenue",
    "connectivity",
    "climate",
    *(description.key for description in MINER_HEALTH_SENSORS),
}
# Ratios of two counters: known or not depending on the amounts counted so far.
# Ratios whose known-ness follows the plant rather than the fault: those of the totals, and the
# measured capture fraction, unknown whenever no miner mines (the loop's heat is then the tank's).
RATIOS_OF_TOTALS = {"economic_cop", "net_cost_of_heat", "energy_reuse_factor", "capture_fraction"}
ESCAPED = re.compile(
    r"Traceback|Error doing job|Exception in|Unexpected error|never retrieved|Unhandled",
    re.IGNORECASE,
)


def _real_seconds() -> float:
    """Real time (looked up at each call: freezegun replaces module-level copies)."""
    seconds: float = freezegun.api.real_perf_counter()
    return seconds


SIM = {**FAST_SIM, "web_port": 80}


def number(text: str | None) -> float | None:
    """A finite number from a state, or None."""
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass(kw_only=True, slots=True)
class Integral:
    """What a counter must show: trapezoids between consecutive observed samples of one run.

    A sample without a value (not observable) or a gap longer than the counters' maximum ends the
    run, and so does a restart; counting resumes from the next sample.
    """

    total: float = 0.0
    last: tuple[datetime, float] | None = None

    def sample(self, time: datetime, rate_per_hour: float | None) -> None:
        """Add one poll's observed rate."""
        if rate_per_hour is None:
            self.last = None
            return
        if self.last is not None and timedelta(0) < time - self.last[0] <= DEFAULT_MAX_GAP:
            hours = (time - self.last[0]).total_seconds() / 3600
            self.total += (self.last[1] + rate_per_hour) / 2 * hours
        self.last = (time, rate_per_hour)


@dataclass(kw_only=True)
class Rig:
    """A site under test: its miners, its plant sensors, the clock, and the expected counters."""

    hass: HomeAssistant
    entry: MockConfigEntry
    freezer: FrozenDateTimeFactory
    healthy: SimulatedMiner
    faulted: SimulatedMiner
    mempool: AiohttpClientMocker
    stack: AsyncExitStack
    sensors: dict[str, tuple[str, dict[str, Any]]]  # each plant sensor's state and attributes
    stale: set[str] = field(default_factory=set)  # sensors that stopped reporting
    away: set[SimulatedMiner] = field(default_factory=set)  # miners that left their address
    expected: dict[str, Integral] = field(default_factory=dict)
    polls: int = 0
    setups: int = 0  # how many times the site was set up (a first start, then restarts)
    coordinator: HashHeatSiteCoordinator | None = None
    notes: dict[str, Any] = field(default_factory=dict)  # what a case keeps to check later

    # ----------------------------------------------------------------- the plant's sensors

    def set_sensor(self, entity: str, state: str) -> None:
        """A plant sensor reports a new state."""
        self.sensors[entity] = (state, self.sensors[entity][1])
        self.hass.states.async_set(entity, state, self.sensors[entity][1])

    def _report_sensors(self) -> None:
        """Sensors report at every poll (unchanged values too), except those gone stale."""
        for entity, (state, attributes) in self.sensors.items():
            if entity not in self.stale:
                self.hass.states.async_set(entity, state, attributes, force_update=True)

    # ---------------------------------------------------------------------- the miners

    def configured_host(self, miner: SimulatedMiner) -> str:
        """Where the site looks for a miner."""
        (subentry,) = (
            s for s in self.entry.subentries.values() if s.data[CONF_MAC] == miner.identity.mac
        )
        host: str = subentry.data[CONF_HOST]
        return host

    def answers(self, miner: SimulatedMiner) -> bool:
        """Whether a miner answers a poll now, from the simulator's side."""
        faults = miner.faults
        return not (
            faults.offline
            or faults.hang
            or faults.garbage
            or faults.truncated
            or miner in self.away
            or not miner.state.is_reachable
            or self.configured_host(miner) != miner.host
        )

    def truth(self) -> dict[str, float | None]:
        """What each miner draws now (W), where it answers."""
        return {
            name: miner.state.snapshot().watts if self.answers(miner) else None
            for name, miner in (("healthy", self.healthy), ("faulted", self.faulted))
        }

    # ----------------------------------------------------------------------- the clock

    def waiting_on_hung(self, asked: dict[SimulatedMiner, int]) -> bool:
        """Whether the site waits on hung miners only: every miner was asked since the request
        counts ``asked``, the hung ones have not answered and all others have.
        """
        miners = (self.healthy, self.faulted)
        return (
            any(m.faults.hang for m in miners)
            and all(m.requests > asked[m] for m in miners)
            and all(bool(m.open_connections) == m.faults.hang for m in miners)
        )

    def requests(self) -> dict[SimulatedMiner, int]:
        """How many requests each miner has read so far."""
        return {miner: miner.requests for miner in (self.healthy, self.faulted)}

    async def drive[T](
        self, awaitable: Awaitable[T], asked: dict[SimulatedMiner, int] | None = None
    ) -> T:
        """Await; when it waits on a hung miner, move the frozen clock past the deadline.

        ``asked``: the miners' request counts when what is awaited started (default: now). The
        clock moves again only for a new request to a hung miner, never after the poll's time
        stamp (a hung miner's connections may stay open after it was given up on).
        """
        task = asyncio.ensure_future(awaitable)
        asked = dict(asked or self.requests())
        stuck = 0
        give_up = _real_seconds() + GIVE_UP_S
        while not task.done():
            await asyncio.sleep(0)
            assert _real_seconds() < give_up, f"{awaitable} never finished"
            stuck = stuck + 1 if self.waiting_on_hung(asked) else 0
            if stuck > STEADY_TURNS:
                self.freezer.tick(DEADLINE_S + PAST_S)
                asked |= {m: m.requests for m in asked if m.faults.hang}
                stuck = 0
        return task.result()

    async def tick(self, delta: timedelta = POLL) -> dict[str, float | None]:
        """Move time on, let the simulator catch up, the sensors report; the miners' truth."""
        self.freezer.tick(delta)
        for _ in range(3):  # the simulated miners reopen sockets on their own timers
            await asyncio.sleep(0)
        self._report_sensors()
        return self.truth()

    # ----------------------------------------------------------------------- the polls

    async def poll(self, count: int = 1) -> None:
        """Poll the site ``count`` times, one poll interval apart."""
        for _ in range(count):
            self.check_restart()
            truth = await self.tick()
            await self.drive(self.entry.runtime_data.async_refresh())
            await self.drive(self.hass.async_block_till_done())
            self.record(truth)

    def record(self, truth: dict[str, float | None]) -> None:
        """Add what this poll observed to the expected counters, and check connectivity."""
        self.sample(self.rates(truth))
        for name, miner in (("healthy", self.healthy), ("faulted", self.faulted)):
            connected = self.hass.states.get(
                entity_id(self.hass, "binary_sensor", miner, "connectivity")
            )
            assert connected is not None
            assert connected.state == (STATE_ON if truth[name] is not None else STATE_OFF), (
                f"poll {self.polls}: {name} miner answered {truth[name] is not None}"
            )

    def sample(self, rates: dict[str, float | None]) -> None:
        """Add one poll's rates to the expected counters."""
        self.polls += 1
        now = dt_util.utcnow()
        for name, rate in rates.items():
            self.expected[name].sample(now, rate)

    def rates(
        self,
        truth: dict[str, float | None],
        figures: SiteFigures | None = None,
    ) -> dict[str, float | None]:
        """The counters' rates this poll: W for energy, EUR per hour for money.

        Heat and revenue are the site's figures as its sensors show them (or as ``figures``
        has them, for a poll whose entities are gone).
        """
        present = [watts for watts in truth.values() if watts is not None]
        site_w = sum(present) if present else None
        price = number(self.sensors[PRICE][0])
        if figures is None:
            revenue_per_day = number(str(site_value(self.hass, self.entry, "revenue_rate")))
            heat_w = number(str(site_value(self.hass, self.entry, "heat_power")))
        else:
            revenue_per_day, heat_w = figures.revenue_per_day, figures.heat_w
        return {
            "site": site_w,
            "healthy": truth["healthy"],
            "faulted": truth["faulted"],
            # The loop's heat covers every miner: it counts only while all of them answer.
            "heat": heat_w if len(present) == len(truth) else None,
            "cost": site_w / 1000 * price / 1000
            if site_w is not None and price is not None
            else None,
            "revenue": revenue_per_day / 24 if revenue_per_day is not None else None,
        }

    def recorded(self) -> dict[str, float]:
        """What the counters show."""
        hass, entry = self.hass, self.entry
        return {
            "site": float(site_value(hass, entry, "electricity_energy")) * 1000,
            "healthy": float(miner_value(hass, self.healthy, "electricity_energy")) * 1000,
            "faulted": float(miner_value(hass, self.faulted, "electricity_energy")) * 1000,
            "heat": float(site_value(hass, entry, "heat_energy")) * 1000,
            "cost": float(site_value(hass, entry, "electricity_cost")),
            "revenue": float(site_value(hass, entry, "revenue")),
        }

    def start_counting(self) -> None:
        """Expect the counters to go on from what they show now."""
        self.coordinator = self.entry.runtime_data
        self.expected = {name: Integral(total=total) for name, total in self.recorded().items()}
        self.notes["counted_from"] = self.recorded()
        self.notes["unknown before"] = self.unknown_site_figures()
        self.notes["healthy sensors"] = {
            entity: state for entity, (state, _) in self.sensors.items()
        }
        self.restarted()

    def restarted(self) -> None:
        """The site was set up afresh: its first poll (just now) starts a new run."""
        self.setups += 1
        self.coordinator = self.entry.runtime_data
        now, truth = dt_util.utcnow(), self.truth()
        for name, rate in self.rates(truth).items():
            self.expected[name].last = None
            self.expected[name].sample(now, rate)

    def check_restart(self) -> None:
        """Notice a reload the campaign did not ask for (a changed address reloads the site)."""
        if self.entry.runtime_data is not self.coordinator:
            self.restarted()

    # --------------------------------------------------------------------- assertions

    def mismatch(self) -> dict[str, float]:
        """Expected minus recorded, per counter (positive: lost; negative: counted twice)."""
        recorded = self.recorded()
        return {name: self.expected[name].total - recorded[name] for name in (*ENERGY, *MONEY)}

    def unknown_site_figures(self) -> set[str]:
        """The site's entities (keys) whose state is unknown."""
        registry = er.async_get(self.hass)
        return {
            entry.unique_id.removeprefix(f"{self.entry.entry_id}_")
            for entry in er.async_entries_for_config_entry(registry, self.entry.entry_id)
            if entry.config_subentry_id is None
            and (state := self.hass.states.get(entry.entity_id)) is not None
            and state.state == STATE_UNKNOWN
        }

    def assert_affected(self, *, down: bool, unknown: tuple[str, ...]) -> None:
        """Only the faulted miner's live entities (if ``down``) are unavailable, and exactly the
        site figures in ``unknown`` became unknown.
        """
        registry = er.async_get(self.hass)
        (faulted_subentry,) = (
            s.subentry_id
            for s in self.entry.subentries.values()
            if s.data[CONF_MAC] == self.faulted.identity.mac
        )
        expected, unavailable = set(), set()
        for entry in er.async_entries_for_config_entry(registry, self.entry.entry_id):
            if (state := self.hass.states.get(entry.entity_id)) is None:
                continue  # disabled by default
            key = entry.unique_id.split("_", 1)[1]
            if (
                down
                and entry.config_subentry_id == faulted_subentry
                and key not in ALWAYS_AVAILABLE
            ):
                expected.add(entry.entity_id)
            if state.state == STATE_UNAVAILABLE:
                unavailable.add(entry.entity_id)
        assert unavailable == expected
        changed = self.unknown_site_figures() ^ self.notes["unknown before"]
        assert changed - RATIOS_OF_TOTALS == set(unknown) - RATIOS_OF_TOTALS

    def assert_interlocks(self, active: frozenset[Interlock]) -> None:
        """Exactly these interlocks hold the miners, each with its repair issue."""
        loop = self.hass.states.get(climate_id(self.hass, self.entry))
        assert loop is not None
        assert set(loop.attributes["interlocks"]) == set(active)
        for interlock in Interlock:
            assert (issue(self.hass, self.entry, interlock) is not None) == (interlock in active)


@asynccontextmanager
async def running_rig(
    hass: HomeAssistant,
    fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    mempool: AiohttpClientMocker,
    *,
    heating: bool,
) -> AsyncIterator[Rig]:
    """Set the site up (heating flat out if asked) and start counting."""
    set_plant(hass)
    hass.states.async_set(PUMP, STATE_ON)
    async with AsyncExitStack() as stack:
        entry = await setup_plant_site(hass, list(fleet.miners), OPTIONS)
        healthy, faulted = fleet.miners
        rig = Rig(
            hass=hass,
            entry=entry,
            freezer=freezer,
            healthy=healthy,
            faulted=faulted,
            mempool=mempool,
            stack=stack,
            sensors={
                entity: (state.state, dict(state.attributes))
                for entity in PLANT_SENSORS
                if (state := hass.states.get(entity)) is not None
            },
        )
        if heating:
            loop = climate_id(hass, entry)
            await call(hass, "set_preset_mode", loop, preset_mode="boost")
            await call(hass, "turn_on", loop)
        # Let requested refreshes run now (the debouncer holds the last one for 10 s).
        await rig.tick(timedelta(seconds=11))
        async_fire_time_changed(hass)
        await entry.runtime_data.async_refresh()  # counting starts at a poll
        await hass.async_block_till_done()
        rig.start_counting()
        yield rig


# ----------------------------------------------------------------------------- the faults

type Step = Callable[[Rig], Awaitable[None]]


async def nothing(rig: Rig) -> None:
    """No action."""


def miner_fault(name: str, value: bool) -> Step:
    """Switch one of the simulator's fault switches on the faulted miner."""

    async def step(rig: Rig) -> None:
        setattr(rig.faulted.faults, name, value)

    return step


def sensor(entity: str, state: str) -> Step:
    """A plant sensor reports a new state."""

    async def step(rig: Rig) -> None:
        rig.set_sensor(entity, state)

    return step


def restore(entity: str) -> Step:
    """A plant sensor reports its healthy state again."""

    async def step(rig: Rig) -> None:
        rig.set_sensor(entity, rig.notes["healthy sensors"][entity])

    return step


def stale(entity: str, stops: bool) -> Step:
    """A plant sensor stops reporting (or reports again)."""

    async def step(rig: Rig) -> None:
        (rig.stale.add if stops else rig.stale.discard)(entity)

    return step


def steps(*actions: Step) -> Step:
    """Several steps in order."""

    async def step(rig: Rig) -> None:
        for action in actions:
            await action(rig)

    return step


def network(answer: dict[str, Any] | None) -> Step:
    """The mempool API answers the hashrate endpoint with ``answer`` (None: healthy again)."""

    async def step(rig: Rig) -> None:
        rig.mempool.clear_requests()  # type: ignore[no-untyped-call]
        mock_mempool(rig.mempool, {HASHRATE_PATH: answer} if answer is not None else None)
        coordinator = rig.entry.runtime_data.network
        assert coordinator is not None
        await coordinator.async_refresh()
        assert coordinator.last_update_success is (answer is None)

    return step


async def both_stopped(rig: Rig) -> None:
    """The interlock stopped every miner."""
    assert rig.healthy.state.is_sleeping
    assert rig.faulted.state.is_sleeping


async def refused_stop(rig: Rig) -> None:
    """The interlock stopped the miner that obeys; the other refuses and keeps running."""
    assert rig.healthy.state.is_sleeping
    assert not rig.faulted.state.is_sleeping


async def reboot_on_command(rig: Rig) -> None:
    """The next command reboots the miner (for 15 s) before it acts on it."""
    rig.faulted.state.reboot_seconds = 15.0
    rig.faulted.faults.reboot_on_command = True


async def rebooted(rig: Rig) -> None:
    """The miner rebooted instead of stopping; once back, the interlock stopped it."""
    assert rig.faulted.state.snapshot().uptime_seconds < 60
    await both_stopped(rig)


def fluid_temperature(celsius: float) -> Step:
    """The immersion fluid around the faulted miner reaches a temperature."""

    async def step(rig: Rig) -> None:
        rig.faulted.fluid_temp_c = celsius

    return step


async def expire_session(rig: Rig) -> None:
    """The LuxOS session the integration holds expires."""
    rig.faulted.expire_session()


def miner_device(rig: Rig) -> dr.DeviceEntry:
    """The faulted miner's device."""
    device = dr.async_get(rig.hass).async_get_device_by_connection(
        (dr.CONNECTION_NETWORK_MAC, rig.faulted.identity.mac), rig.entry.entry_id
    )
    assert device is not None
    return device


async def move_address(rig: Rig) -> None:
    """The miner comes back on another address; DHCP discovery tells the site where."""
    old = rig.faulted
    rig.notes["device"] = miner_device(rig).id
    rig.notes["power"] = entity_id(rig.hass, "sensor", old, "power")
    await old.stop()
    rig.away.add(old)
    moved = SimulatedMiner(next_address(), model=old.model, **SIM)
    moved.identity.mac = old.identity.mac
    await rig.stack.enter_async_context(moved)
    await rig.poll()  # still looked for at the old address
    rig.faulted = moved
    result = await rig.hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info(moved)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    await rig.drive(rig.hass.async_block_till_done())  # the site reloads with the new address
    assert rig.configured_host(moved) == moved.host


async def same_device(rig: Rig) -> None:
    """The moved miner kept its device."""
    assert miner_device(rig).id == rig.notes["device"]
    assert entity_id(rig.hass, "sensor", rig.faulted, "power") == rig.notes["power"]


async def reload_mid_poll(rig: Rig) -> None:
    """The site is reloaded while a poll waits on a hung miner, which answers again after."""
    rig.faulted.faults.hang = True
    truth = await rig.tick()
    old = rig.entry.runtime_data
    asked = rig.requests()
    in_flight = asyncio.ensure_future(old.async_refresh())
    while not rig.waiting_on_hung(asked):  # noqa: ASYNC110 - the healthy miner has answered
        await asyncio.sleep(0)
    reload = asyncio.ensure_future(rig.hass.config_entries.async_reload(rig.entry.entry_id))
    await rig.drive(in_flight, asked)
    # Before the new setup asks (its requests need the loop to turn): it finds both miners.
    rig.faulted.faults.hang = False
    assert old.data.figures is not None
    rig.sample(rig.rates(truth, old.data.figures))  # its entities are being removed
    assert await reload
    rig.restarted()


async def restart_home_assistant(rig: Rig) -> None:
    """Home Assistant stops between two polls and starts again half a minute later."""
    await rig.tick(timedelta(seconds=4))
    before = rig.recorded()
    entry, hass = rig.entry, rig.hass
    await rig.drive(hass.async_stop())
    rig.freezer.tick(timedelta(seconds=30))
    hass = await rig.stack.enter_async_context(async_test_home_assistant())
    rig.stack.push_async_callback(hass.async_stop, force=True)
    hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # custom integrations, as at the first start
    hass.config.currency = "EUR"
    rig.hass = hass
    rig.entry = MockConfigEntry(
        domain=DOMAIN,
        entry_id=entry.entry_id,
        title=entry.title,
        options=dict(entry.options),
        subentries_data=[
            ConfigSubentryDataWithId(
                data=dict(subentry.data),
                subentry_id=subentry.subentry_id,
                subentry_type=subentry.subentry_type,
                title=subentry.title,
                unique_id=subentry.unique_id,
            )
            for subentry in entry.subentries.values()
        ],
    )
    rig.entry.add_to_hass(hass)
    await rig.tick(timedelta(0))  # the plant's sensors report to the new instance
    assert await rig.drive(hass.config_entries.async_setup(rig.entry.entry_id))
    await rig.drive(hass.async_block_till_done())
    rig.stack.push_async_callback(hass.config_entries.async_unload, rig.entry.entry_id)
    assert rig.recorded() == before  # restored, and the downtime added nothing
    rig.restarted()


@dataclass(frozen=True, kw_only=True)
class Fault:
    """One fault: how to inject and clear it, and what it may affect."""

    kind: str
    inject: Step
    clear: Step = nothing
    models: tuple[str, str] = LUXOS
    polls: int = 4  # polls while the fault lasts
    down: bool = False  # the faulted miner's live entities are unavailable
    unknown: tuple[str, ...] = ()  # site figures unknown while the fault lasts
    interlocks: frozenset[Interlock] = frozenset()
    heating: bool = False  # the Loop heats flat out (boost)
    check: Step = nothing  # more to check while the fault lasts

    @property
    def family(self) -> str:
        """The faulted miner's firmware."""
        return next((f for word, f in FAMILIES.items() if word in self.models[1]), "luxos")


def _miner_faults() -> list[Fault]:
    faults = []
    for models in (LUXOS, AVALON, WHATSMINER, VNISH, BRAIINS):
        # Four polls: the third failure has the miner detected afresh at the fourth. A hung
        # miner is given three: pyasic's detection swallows the deadline's cancellation and
        # waits on its own timeouts, which the frozen clock would have to be moved through.
        for name, kind, polls in (
            ("offline", "miner.refuses_connection", 4),
            ("hang", "miner.hangs", 3),
            ("garbage", "miner.sends_garbage", 4),
            ("truncated", "miner.truncates_replies", 4),
        ):
            faults.append(
                Fault(
                    kind=kind,
                    models=models,
                    inject=miner_fault(name, True),
                    clear=miner_fault(name, False),
                    polls=polls,
                    down=True,
                    unknown=("capture_fraction",),
                )
            )
        faults += [
            Fault(
                kind="miner.rejects_privileged_commands",
                models=models,
                inject=steps(miner_fault("refuse_privileged", True), sensor(PUMP, STATE_OFF)),
                clear=steps(miner_fault("refuse_privileged", False), restore(PUMP)),
                interlocks=frozenset({Interlock.PUMP}),
                check=refused_stop,
            ),
            Fault(
                kind="miner.reboots_mid_command",
                models=models,
                inject=steps(reboot_on_command, sensor(PUMP, STATE_OFF)),
                clear=restore(PUMP),
                interlocks=frozenset({Interlock.PUMP}),
                check=rebooted,
            ),
            Fault(
                kind="miner.changes_address",
                models=models,
                inject=move_address,
                check=same_device,
            ),
        ]
    faults.append(
        Fault(
            kind="miner.fluid_temperature_jumps",  # an Avalon reports its fluid's temperature
            models=AVALON,
            inject=fluid_temperature(70.0),
            clear=fluid_temperature(40.0),
            interlocks=frozenset({Interlock.OVER_TEMPERATURE}),
            check=both_stopped,
        )
    )
    faults.append(
        Fault(
            kind="miner.session_expires",
            inject=steps(expire_session, sensor(PUMP, STATE_OFF)),
            clear=restore(PUMP),
            interlocks=frozenset({Interlock.PUMP}),
            check=both_stopped,
        )
    )
    return faults


HEAT = ("heat_power", "capture_fraction")
PLANT_FAULTS = [
    # The loop (return) temperature: the sensor interlock applies the fallback (stop).
    *(
        Fault(
            kind=f"loop_temperature.{name}",
            inject=sensor(RETURN, state),
            clear=restore(RETURN),
            unknown=HEAT,
            interlocks=frozenset({Interlock.SENSOR}),
            heating=True,
            check=both_stopped,
        )
        for name, state in (("unavailable", STATE_UNAVAILABLE), ("non_numeric", "warm"))
    ),
    Fault(
        kind="loop_temperature.stale",
        inject=stale(RETURN, True),
        clear=stale(RETURN, False),
        polls=8,
        interlocks=frozenset({Interlock.SENSOR}),
        heating=True,
        check=both_stopped,
    ),
    Fault(
        kind="loop_temperature.jumps",
        inject=sensor(RETURN, "95.0"),
        clear=restore(RETURN),
        interlocks=frozenset({Interlock.OVER_TEMPERATURE}),
        heating=True,
        check=both_stopped,
    ),
    Fault(
        kind="supply_temperature.unavailable",
        inject=sensor(SUPPLY, STATE_UNAVAILABLE),
        clear=restore(SUPPLY),
        unknown=HEAT,
    ),
    Fault(kind="supply_temperature.jumps", inject=sensor(SUPPLY, "80.0"), clear=restore(SUPPLY)),
    # The flow meter: heat is unknown (not invented) while it is unusable.
    Fault(
        kind="flow.unavailable",
        inject=sensor(FLOW, STATE_UNAVAILABLE),
        clear=restore(FLOW),
        unknown=HEAT,
    ),
    Fault(kind="flow.non_numeric", inject=sensor(FLOW, "n/a"), clear=restore(FLOW), unknown=HEAT),
    Fault(kind="flow.stale", inject=stale(FLOW, True), clear=stale(FLOW, False), polls=8),
    Fault(kind="flow.jumps", inject=sensor(FLOW, "42.0"), clear=restore(FLOW)),
    # The pump: no mining without circulation.
    *(
        Fault(
            kind=f"pump.{name}",
            inject=sensor(PUMP, state),
            clear=restore(PUMP),
            interlocks=frozenset({Interlock.PUMP}),
            check=both_stopped,
        )
        for name, state in (("off", STATE_OFF), ("unavailable", STATE_UNAVAILABLE))
    ),
    # The electricity price: its cost pauses while it is unusable; a stale price holds.
    *(
        Fault(
            kind=f"price.{name}",
            inject=sensor(PRICE, state),
            clear=restore(PRICE),
            unknown=("spot_price", "electricity_price", "above_breakeven"),
        )
        for name, state in (("unavailable", STATE_UNAVAILABLE), ("non_numeric", "cheap"))
    ),
    Fault(kind="price.stale", inject=stale(PRICE, True), clear=stale(PRICE, False), polls=8),
    Fault(kind="price.jumps", inject=sensor(PRICE, "4000.0"), clear=restore(PRICE)),
]
NETWORK_FAULTS = [
    Fault(
        kind=f"network.{name}",
        inject=network(answer),
        clear=network(None),
        unknown=("btc_per_day", "revenue_rate", "breakeven_price", "above_breakeven"),
    )
    for name, answer in (
        ("timeout", {"exc": TimeoutError()}),
        ("http_error", {"status": HTTPStatus.INTERNAL_SERVER_ERROR}),
        ("malformed_json", {"text": "{not json"}),
        ("wrong_shape", {"json": ["not", "an", "object"]}),
    )
]
RESTARTS = [
    Fault(kind="home_assistant.reloads_mid_poll", inject=reload_mid_poll),
    Fault(kind="home_assistant.restarts", inject=restart_home_assistant),
]
FAULTS = [*_miner_faults(), *PLANT_FAULTS, *NETWORK_FAULTS, *RESTARTS]


def repeated(caplog: pytest.LogCaptureFixture, setups: int) -> list[str]:
    """HashHeat's warnings logged more than once per setup of the site (at every poll)."""
    counts = Counter(
        str(record.msg)
        for record in caplog.records
        if record.name.startswith("custom_components.hashheat")
        and record.levelno >= logging.WARNING
    )
    return [message for message, count in counts.items() if count > setups]


def escaped(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records of exceptions that escaped (tracebacks, unhandled errors)."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING
        and (record.exc_info or ESCAPED.search(record.getMessage()))
    ]


@pytest.fixture
def outcome(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """One case's outcome, appended to the campaign's report when one is asked for."""
    result: dict[str, Any] = {"case": request.node.name, "passed": False}
    yield result
    if path := os.environ.get(REPORT_ENV):
        with Path(path).open("a", encoding="utf-8") as report:
            report.write(json.dumps(result) + "\n")


@pytest.fixture
async def rig(
    hass: HomeAssistant,
    fleet: Fleet,
    freezer: FrozenDateTimeFactory,
    mempool_api: AiohttpClientMocker,
    fault: Fault,
) -> AsyncIterator[Rig]:
    """The site of a case (its two miners: the first stays healthy), counting."""
    async with running_rig(hass, fleet, freezer, mempool_api, heating=fault.heating) as rig:
        yield rig


@pytest.fixture(autouse=True)
def short_deadlines(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hung miner is given up on after a second (of the frozen clock)."""
    monkeypatch.setattr("custom_components.hashheat.coordinator.MINER_TIMEOUT_SECONDS", DEADLINE_S)
    monkeypatch.setattr("custom_components.hashheat.coordinator.DETECT_TIMEOUT_SECONDS", DEADLINE_S)


async def run_case(rig: Rig, fault: Fault) -> None:
    """Healthy, faulted, cleared: with the checks of while the fault lasts and after."""
    await rig.poll(3)
    await fault.inject(rig)
    await rig.poll(fault.polls)
    rig.assert_affected(down=fault.down, unknown=fault.unknown)
    rig.assert_interlocks(fault.interlocks)
    await fault.check(rig)
    await fault.clear(rig)
    await rig.poll(3)
    rig.assert_affected(down=False, unknown=())
    rig.assert_interlocks(frozenset())
    # Whatever happened, the counters survive a restart as they are.
    before = rig.recorded()
    assert await rig.drive(rig.hass.config_entries.async_reload(rig.entry.entry_id))
    assert rig.recorded() == before
    rig.restarted()
    await rig.poll()


def finish(
    rig: Rig, caplog: pytest.LogCaptureFixture, outcome: dict[str, Any], kind: str, family: str
) -> None:
    """Fill the report and assert the counters and the log."""
    mismatch = rig.mismatch()
    errors = escaped(caplog)
    outcome.update(
        kind=kind,
        family=family,
        polls=rig.polls,
        exceptions=len(errors),
        wh_counted=rig.expected["site"].total - rig.notes["counted_from"]["site"],
        wh_lost=sum(max(0.0, mismatch[name]) for name in ENERGY),
        wh_double=sum(max(0.0, -mismatch[name]) for name in ENERGY),
        money_error=sum(abs(mismatch[name]) for name in MONEY),
    )
    assert errors == []
    assert repeated(caplog, rig.setups) == []
    for name in ENERGY:
        assert abs(mismatch[name]) < WH_TOLERANCE, (name, mismatch)
    for name in MONEY:
        assert abs(mismatch[name]) < MONEY_TOLERANCE, (name, mismatch)
    outcome["passed"] = True


@pytest.mark.parametrize(
    ("fault", "fleet"),
    [
        pytest.param(fault, list(fault.models), id=f"{fault.kind}-{fault.family}")
        for fault in FAULTS
    ],
    indirect=["fleet"],
)
async def test_fault(
    rig: Rig, fault: Fault, caplog: pytest.LogCaptureFixture, outcome: dict[str, Any]
) -> None:
    await run_case(rig, fault)
    finish(rig, caplog, outcome, fault.kind, fault.family)
