"""Drive a site's miners through its dispatcher, behind the plant-safety interlocks.

Runs after each poll of the site coordinator: reads the plant (loop temperature, pump), raises
and clears the interlocks' repair issues, asks the dispatcher (``domain.dispatch``) what every
miner should do, and sends what changed. Interlocks win over every mode, preset, cap, hold and
command: an over-temperature of the loop or of a miner's fluid, or a stopped pump, stops every
miner at once; a missing or stale loop temperature applies the configured fallback (stop, or hold
the lead miner at its lowest setting).
"""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util

from .capabilities import MinerCapabilities, PowerControl
from .commands import CommandTarget, async_send, waiting_after_refusal
from .const import (
    DEFAULT_ON_OFF_POWER_W,
    DEFAULT_TARGET_TEMPERATURE,
    DOMAIN,
    LOGGER,
    SensorFallback,
)
from .domain.control import LoopController, MinerCommand, MinerSpec
from .domain.dispatch import (
    NO_HOLDS,
    Dispatcher,
    HoldSchedule,
    Intents,
    Layer,
    MinerMode,
    MinerSnapshot,
    PlanStep,
    Preset,
    Snapshot,
)
from .domain.protection import Protection
from .figures import PlantInputs
from .issues import Repair, clear_issue, raise_issue
from .miner_client import MinerClient
from .miner_data import MinerReading
from .settings import SiteSettings

# An over-temperature clears this far below the limit, so miners do not restart at its edge.
OVER_TEMPERATURE_CLEAR_K = 2.0
# A power limit a miner reports above what it was sent is sent again at once, and again for the
# same reported value only after this long.
RESEND_AFTER = timedelta(minutes=5)


class Interlock(StrEnum):
    """Plant-safety conditions that override control."""

    OVER_TEMPERATURE = "over_temperature"
    SENSOR = "sensor"
    PUMP = "pump"

    def watched(self, settings: SiteSettings) -> bool:
        """Whether this interlock can trip on a site with these settings."""
        match self:
            case Interlock.OVER_TEMPERATURE:
                return settings.guards_plant
            case Interlock.SENSOR:
                return settings.plant.return_temperature_entity is not None
            case Interlock.PUMP:
                return settings.safety.pump_entity is not None


@dataclass(kw_only=True, slots=True)
class ControlState:
    """What the user asked of the site's climate entity (restored after a restart)."""

    heating: bool = False
    target_c: float = DEFAULT_TARGET_TEMPERATURE
    preset: Preset = Preset.COMFORT
    power_cap_w: float | None = None
    miner_modes: dict[str, MinerMode] = field(default_factory=dict)
    holds: HoldSchedule = NO_HOLDS  # the one in force and those announced ahead
    plan: PlanStep | None = None  # the price plan's slot, while the plan is the strategy

    def intents(self, now_s: float) -> Intents:
        """What the dispatcher is asked now."""
        return Intents(
            heating=self.heating,
            target_c=self.target_c,
            preset=self.preset,
            power_cap_w=self.power_cap_w,
            miner_modes=dict(self.miner_modes),
            hold=self.holds.in_force(now_s),
            plan=self.plan,
        )


class SiteControl:
    """The site's loop controller, its interlocks and the commands it sends to the miners."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        settings: SiteSettings,
        miners: Mapping[str, CommandTarget],
    ) -> None:
        """Hold the miners; the dispatcher learns them from their capabilities when known."""
        self.hass = hass
        self._entry_id = entry_id
        self.settings = settings
        self.state = ControlState()
        self.dispatcher = Dispatcher(settings.dispatch)
        self._miners = miners
        self._capabilities: dict[str, MinerCapabilities] = {}
        self._built_with_readings = False
        self._build({})
        self.active: set[Interlock] = set()
        self.temperature_c: float | None = None
        self.running: set[str] = set()
        self.layers: dict[str, Layer] = {}
        self._applied: dict[str, tuple[bool, float | None]] = {}
        # The highest power limit each miner may report for the last limit sent to it, and the
        # reported limit a re-send was last made for, and when.
        self._limits: dict[str, float] = {}
        self._resent: dict[str, tuple[float | None, datetime]] = {}
        self._failing: set[str] = set()  # miners whose last command failed (logged once)
        # One sender per miner, never two commands in flight to it: the latest wanted is next.
        self._sending: dict[str, asyncio.Task[None]] = {}
        self._wanted: dict[str, MinerCommand] = {}
        # When a miner last refused a command for its password (or API access): see
        # waiting_after_refusal, as for its reads.
        self._denied_at: dict[str, datetime] = {}

    def restore(self, saved: Mapping[str, Any] | None, now: datetime) -> None:
        """Take back the grid hold (also one still to begin) and the protection records."""
        saved = saved or {}
        self.dispatcher = Dispatcher(
            self.dispatcher.settings,
            Protection.from_dict(self.dispatcher.settings.protection, saved.get("protection")),
        )
        self._build({})
        self.dispatcher.restore_held_powers(saved.get("held_powers"))
        # Saved before schedules: one hold under "hold".
        self.state.holds = HoldSchedule.from_saved(
            saved.get("holds", saved.get("hold")), now.timestamp()
        )

    def as_dict(self) -> dict[str, Any]:
        """The grid holds, what they give back and the protection records, across a restart."""
        return {
            "holds": self.state.holds.as_list(),
            "held_powers": self.dispatcher.held_powers(),
            "protection": self.dispatcher.protection.as_dict(),
        }

    @property
    def controller(self) -> LoopController:
        """The loop controller of the miners in auto mode."""
        return self.dispatcher.controller

    @property
    def failing(self) -> frozenset[str]:
        """Miners whose last command did not take (sent again at every poll) or is unanswered."""
        return frozenset(self._failing) | self.commands_under_way

    @property
    def commands_under_way(self) -> frozenset[str]:
        """Miners a command is being sent to (or waits for the one before it)."""
        return frozenset(m for m, task in self._sending.items() if not task.done())

    def _senders_at_work(self) -> list[asyncio.Task[None]]:
        return [task for task in self._sending.values() if not task.done()]

    def _refuse_while_held(self, miner_id: str, now: datetime) -> None:
        """A grid hold wins over a hand on a miner's controls."""
        if self.hold_active(now):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="grid_hold_active",
                translation_placeholders={"miner": self._miners[miner_id].subentry.title},
            )

    async def async_start_by_hand(self, miner_id: str, now: datetime) -> None:
        """Start a miner from its switch, unless a grid hold or its protection times forbid it."""
        miner = self._miners[miner_id]
        self._refuse_while_held(miner_id, now)
        protection, now_s = self.dispatcher.protection, now.timestamp()
        if left := self._protected(miner_id, protection.start_allowed_at(miner_id, now_s), now_s):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="miner_protected",
                translation_placeholders=left,
            )
        await async_send(self.hass, miner, MinerClient.resume)
        protection.start(miner_id, now_s)
        self.running.add(miner_id)

    def _protected(self, miner_id: str, at_s: float, now_s: float) -> dict[str, str]:
        """The placeholders of a refusal by the protection times until ``at_s`` (none: allowed).

        A start or stop by hand waits for the miner's protection times, as the loop's do.
        """
        if at_s <= now_s:
            return {}
        return {
            "miner": self._miners[miner_id].subentry.title,
            "minutes": str(max(1, round((at_s - now_s) / 60))),
        }

    async def async_set_power_limit_by_hand(
        self, miner_id: str, watts: float, now: datetime
    ) -> None:
        """Set a miner's power limit from its number, unless a grid hold holds the site."""
        self._refuse_while_held(miner_id, now)
        capabilities = self._miners[miner_id].capabilities
        await async_send(
            self.hass,
            self._miners[miner_id],
            lambda client: client.set_power_limit(capabilities, watts),
        )

    async def async_stop_by_hand(self, miner_id: str, now: datetime) -> None:
        """Stop a miner from its switch, unless inside its minimum on time (only safety may)."""
        protection, now_s = self.dispatcher.protection, now.timestamp()
        if left := self._protected(miner_id, protection.stop_allowed_at(miner_id, now_s), now_s):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="miner_protected_running",
                translation_placeholders=left,
            )
        await async_send(self.hass, self._miners[miner_id], MinerClient.pause)
        protection.stop(miner_id, now_s)
        self.running.discard(miner_id)

    def set_loop(
        self,
        *,
        heating: bool | None = None,
        target_c: float | None = None,
        preset: Preset | None = None,
    ) -> None:
        """Change what the loop is asked; boost only toward a target under the ceiling."""
        state = self.state
        new_target = state.target_c if target_c is None else target_c
        if (preset or state.preset) is Preset.BOOST and new_target >= self.ceiling_c:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="boost_target_too_high",
                translation_placeholders={"ceiling": f"{self.ceiling_c:g}"},
            )
        if heating is not None:
            state.heating = heating
        state.target_c = new_target
        if preset is not None:
            state.preset = preset

    def set_power_cap(self, cap_w: float | None) -> None:
        """Cap the site's power; None, or the site's full power or more, removes the cap."""
        full = self.controller.max_power_w
        self.state.power_cap_w = None if cap_w is None or cap_w >= full else max(0.0, cap_w)

    @property
    def ceiling_c(self) -> float:
        """The highest target boost and manual heat drive toward."""
        return self.dispatcher.settings.ceiling_c

    def hold_active(self, now: datetime) -> bool:
        """Whether a grid hold holds the site now."""
        return self.state.holds.in_force(now.timestamp()) is not None

    def _interlocks(
        self, inputs: PlantInputs, readings: Mapping[str, MinerReading]
    ) -> set[Interlock]:
        active: set[Interlock] = set()
        if not self.settings.guards_plant:
            # A site without plant sensors is only monitored: HashHeat does not stop its miners.
            return active
        hottest = max(
            (r.fluid_outlet_temp_c for r in readings.values() if r.fluid_outlet_temp_c is not None),
            default=None,
        )
        limit = self.settings.safety.over_temperature_c
        if Interlock.OVER_TEMPERATURE in self.active:
            limit -= OVER_TEMPERATURE_CLEAR_K  # clears only once clearly below the limit
        loop_c = inputs.loop_c
        if (loop_c is not None and loop_c > limit) or (hottest is not None and hottest > limit):
            active.add(Interlock.OVER_TEMPERATURE)
        if loop_c is None and Interlock.SENSOR.watched(self.settings):
            active.add(Interlock.SENSOR)
        if inputs.pump_running is False:
            active.add(Interlock.PUMP)
        return active

    def _report(self, active: set[Interlock]) -> None:
        for interlock in Interlock:
            repair = Repair(f"interlock_{interlock}")
            if interlock in active and interlock not in self.active:
                LOGGER.warning("Interlock %s tripped: miners curtailed", interlock)
                raise_issue(
                    self.hass,
                    Repair(f"interlock_{interlock}"),
                    self._entry_id,
                    {
                        "limit": f"{self.settings.safety.over_temperature_c:g}",
                        "sensor": self.settings.plant.return_temperature_entity or "-",
                        "pump": self.settings.safety.pump_entity or "-",
                    },
                )
            elif interlock not in active and interlock in self.active:
                LOGGER.info("Interlock %s cleared", interlock)
                clear_issue(self.hass, repair, self._entry_id)
        self.active = active

    def _build(self, readings: Mapping[str, MinerReading]) -> None:
        """Tell the dispatcher the miners as their capabilities are now."""
        self._capabilities = {
            miner_id: miner.capabilities for miner_id, miner in self._miners.items()
        }
        self.dispatcher.set_miners(
            {
                miner_id: miner_spec(miner_id, caps, readings.get(miner_id))
                for miner_id, caps in self._capabilities.items()
            }
        )
        self._built_with_readings = bool(readings)

    @property
    def running_under_control(self) -> bool:
        """Whether a miner the loop controller drives is running."""
        return bool(self.running & set(self.dispatcher.controlled(self.state.miner_modes)))

    def _sync(self, readings: Mapping[str, MinerReading], now: datetime) -> None:
        """Believe the miners over our own records: they may be switched by hand or reboot."""
        for miner_id, reading in readings.items():
            if miner_id not in self._miners or reading.is_mining is None:
                continue
            if reading.is_mining:
                self.running.add(miner_id)
            else:
                self.running.discard(miner_id)
            applied = self._applied.get(miner_id)
            if applied is None:
                continue
            if applied[0] != reading.is_mining:
                del self._applied[miner_id]  # what we sent did not stick: send it again
            elif applied[1] is not None and _raised(self._limits.get(miner_id), reading):
                # Raised by a hand on the miner: sent again. Firmware that reports what it was sent
                # above it would have it sent every poll, a retune each: once per value a while.
                reported, last = reading.power_limit_w, self._resent.get(miner_id)
                if last is None or last[0] != reported or now - last[1] >= RESEND_AFTER:
                    self._resent[miner_id] = (reported, now)
                    del self._applied[miner_id]

    def commands(
        self, now: datetime, readings: Mapping[str, MinerReading], inputs: PlantInputs
    ) -> list[MinerCommand] | None:
        """Decide what every miner should do now, from this poll's readings and plant inputs.

        None leaves the miners alone.
        """
        if any(
            miner.capabilities != self._capabilities[m] for m, miner in self._miners.items()
        ) or (readings and not self._built_with_readings):
            # Capabilities read or changed, or the first readings (efficiency-ordered staging).
            self._build(readings)
        self._sync(readings, now)
        self.temperature_c = inputs.loop_c
        active = self._interlocks(inputs, readings)
        self._report(active)
        holds = self.state.holds.pruned(now.timestamp())
        if holds != self.state.holds:
            LOGGER.info("Grid hold of site %s ended", self._entry_id)
            self.state.holds = holds
        decision = self.dispatcher.decide(
            self.state.intents(now.timestamp()),
            Snapshot(
                miners={
                    miner_id: MinerSnapshot(
                        mining=reading.is_mining,
                        power_w=reading.power_limit_w or reading.power_w,
                        uptime_s=reading.uptime_s,
                        # What the over-temperature interlock watches, boost's ceiling watches.
                        fluid_c=reading.fluid_outlet_temp_c if self.settings.guards_plant else None,
                    )
                    for miner_id, reading in readings.items()
                },
                loop_c=inputs.loop_c,
                safety_stop=bool({Interlock.OVER_TEMPERATURE, Interlock.PUMP} & active),
                blind=Interlock.SENSOR in active,
                hold_minimum_when_blind=self.settings.safety.fallback is SensorFallback.MINIMUM,
            ),
            now.timestamp(),
        )
        self.layers = decision.layers
        return decision.commands or None

    async def async_apply(self, commands: list[MinerCommand], patience: float | None) -> None:
        """Send what changed, to all miners at once; wait ``patience`` seconds (None: until done).

        Each miner's commands run in the background, one at a time, as its reads do: one that
        hangs holds back neither the others nor the poll. A command to a miner still busy with
        the last one waits for it, and only the latest wanted is sent. A miner that fails is
        retried at the next poll.
        """
        now = dt_util.utcnow()
        commands = [
            command
            for command in commands
            if not waiting_after_refusal(self._denied_at.get(command.miner_id), now)
        ]
        for command in commands:
            miner_id = command.miner_id
            self._wanted[miner_id] = command
            if (task := self._sending.get(miner_id)) is None or task.done():
                self._sending[miner_id] = self.hass.async_create_background_task(
                    self._send(miner_id),
                    f"{DOMAIN}_command_{self._miners[miner_id].client.host}",
                )
        tasks = {self._sending[command.miner_id] for command in commands}
        if tasks and (patience is None or patience > 0):
            await asyncio.wait(tasks, timeout=patience)
        for task in tasks:
            if task.done() and not task.cancelled():
                task.result()  # an unexpected error fails the poll

    async def async_settle(self, patience: float) -> None:
        """Wait up to ``patience`` seconds for the commands under way (an action's answer)."""
        if sending := self._senders_at_work():
            await asyncio.wait(sending, timeout=patience)

    async def async_stop(self) -> None:
        """The site unloads: commands still under way or waiting are dropped, not sent later.

        A command sent after the unload would race the reloaded site's own (a stale start
        landing after its interlock stop) through a client that is about to close.
        """
        self._wanted.clear()
        if sending := self._senders_at_work():
            for task in sending:
                task.cancel()
            await asyncio.wait(sending)
        self._sending.clear()

    async def _send(self, miner_id: str) -> None:
        while (command := self._wanted.pop(miner_id, None)) is not None:
            await self._apply(command)

    async def _apply(self, command: MinerCommand) -> None:
        miner = self._miners[command.miner_id]
        wanted = (command.run, command.power_w)
        if self._applied.get(command.miner_id) == wanted:
            return
        try:
            if command.run and command.miner_id not in self.running:
                await async_send(self.hass, miner, MinerClient.resume)
                self.running.add(command.miner_id)
            elif not command.run and command.miner_id in self.running:
                await async_send(self.hass, miner, MinerClient.pause)
                self.running.discard(command.miner_id)
            if command.run and command.power_w is not None:
                capabilities, power_w = self._capabilities[command.miner_id], command.power_w

                async def set_limit(client: MinerClient) -> None:
                    nominal = await client.set_power_limit(capabilities, power_w)
                    self._limits[command.miner_id] = max(power_w, nominal)

                await async_send(self.hass, miner, set_limit)
        except HomeAssistantError as err:  # one miner's failure must not stop the others
            if err.translation_key == "access_denied":
                self._denied_at[command.miner_id] = dt_util.utcnow()
            if command.miner_id in self._failing:
                LOGGER.debug("Miner %s still does not take the command: %s", miner.client.host, err)
            else:
                self._failing.add(command.miner_id)
                LOGGER.warning(
                    "Miner %s did not take the command (retried at each poll): %s",
                    miner.client.host,
                    err,
                )
            return
        self._denied_at.pop(command.miner_id, None)
        if command.miner_id in self._failing:
            self._failing.discard(command.miner_id)
            LOGGER.info("Miner %s takes commands again", miner.client.host)
        self._applied[command.miner_id] = wanted


def _raised(sent_w: float | None, reading: MinerReading) -> bool:
    """Whether a miner reports a power limit above the one sent (raised by hand or elsewhere).

    Firmware applies the setting at or below what is asked, so only a higher one is foreign.
    """
    reported = reading.power_limit_w
    return sent_w is not None and reported is not None and reported > sent_w + 1.0


def miner_spec(
    miner_id: str, capabilities: MinerCapabilities, reading: MinerReading | None
) -> MinerSpec:
    """What the controller needs of a miner, from its capabilities and last reading."""
    efficiency = reading.efficiency_jth if reading is not None else None
    if capabilities.power_control is not PowerControl.NONE and capabilities.power_steps:
        return MinerSpec(
            miner_id=miner_id,
            modulating=True,
            min_power_w=float(capabilities.min_power_w or 0),
            max_power_w=float(capabilities.max_power_w or 0),
            efficiency_jth=efficiency,
        )
    nominal = (reading.power_limit_w or reading.power_w) if reading is not None else None
    power = nominal if nominal and nominal > 100 else DEFAULT_ON_OFF_POWER_W  # noqa: PLR2004
    return MinerSpec(
        miner_id=miner_id,
        modulating=False,
        min_power_w=power,
        max_power_w=power,
        efficiency_jth=efficiency,
    )
