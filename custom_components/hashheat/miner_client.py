"""Talk to one miner through pyasic: detect it once, read it with a deadline, fail loudly.

This module knows nothing of Home Assistant. pyasic reports a refused connection as data full of
``None`` (or raises, depending on the call), waits up to 100 s on a silent socket, and raises
assorted exceptions on garbage (KeyError, UnicodeDecodeError, ...). Every call here runs under a
deadline, and every failure becomes a :class:`MinerError`.
"""

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, Final

from aiohttp import ClientSession

from .api_commands import remember_commands
from .boser import BoserChannel, boser_immersion, runs_boser, set_boser_immersion
from .capabilities import (
    MinerCapabilities,
    PowerControl,
    PowerStep,
    capabilities_of,
    preset_steps,
)
from .miner_data import EmptyReadingError, MinerReading, reading_from_data
from .pyasic_loader import (
    APIError,
    BaseMiner,
    BOSerWebAPI,
    DataOptions,
    GRPCError,
    MinerData,
    ProtocolError,
    StreamTerminatedError,
    VNishWebAPI,
    get_miner,
)
from .refusals import RefusalWatch, grpc_denied, speaks_v3
from .vnish import (
    VNishTransport,
    runs_vnish,
    set_vnish_preset,
    set_vnish_throttled,
    throttle_setting,
    vnish_presets,
    vnish_throttles,
)
from .whatsminer import count_boards_as_pyasic_reads

MAX_TEXT_LENGTH: Final = 64
# Anything but letters, digits, spaces and plain punctuation: no <>[]`*|\{}~, no controls.
_MARKUP: Final = re.compile(r"[^\w .,:;'\"!?#%&+=/()@$^-]")
_MAC_PATTERN: Final = re.compile(r"^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$", re.IGNORECASE)
_NULL_MACS: Final = frozenset({"00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"})

# Only what the entities show: pyasic then sends one multicommand instead of dozens of calls.
READ_OPTIONS: Final = (
    DataOptions.HASHRATE,
    DataOptions.EXPECTED_HASHRATE,
    DataOptions.HASHBOARDS,
    DataOptions.WATTAGE,
    DataOptions.WATTAGE_LIMIT,
    DataOptions.FANS,
    DataOptions.UPTIME,
    DataOptions.POOLS,
    DataOptions.ERRORS,
)
# pyasic fails a whole read when one part of a reply does not parse ("Failed to call <part>"): a
# pool URL whose port is not a number, more hashboards than pyasic's table has for the model, a
# fan or error list of another firmware release. These parts are only shown (an unknown value is
# safe), so the rest is read without the part that failed; power, hashrate, the limit and the
# uptime, which control relies on, are never left out.
READ_SHOWN_ONLY: Final = frozenset(
    {
        DataOptions.EXPECTED_HASHRATE,
        DataOptions.HASHBOARDS,
        DataOptions.FANS,
        DataOptions.POOLS,
        DataOptions.ERRORS,
    }
)
UNREAD_RETRY_READS: Final = 40  # 10 minutes of 15 s polls
_FAILED_PART: Final = re.compile(r"Failed to call (\w+) on ")

# What pyasic raises on refused, reset, garbled or truncated replies besides its own APIError.
_TRANSPORT_ERRORS: Final = (
    TimeoutError,
    OSError,
    EOFError,  # asyncio.IncompleteReadError: a length-prefixed reply cut short (Whatsminer v3)
    APIError,
    GRPCError,  # Braiins OS+: pyasic lets a failed login through as it is
    StreamTerminatedError,
    ProtocolError,
    LookupError,
    ValueError,  # includes UnicodeDecodeError and JSON errors
    TypeError,
    AttributeError,
)
_SESSION_ERROR: Final = re.compile(r"session", re.IGNORECASE)
_ACCESS_ERROR: Final = re.compile(
    r"access denied|unauthori[sz]ed|forbidden|invalid password|could not authenticate"
    r"|\b401\b|\b403\b",
    re.IGNORECASE,
)


class MinerError(Exception):
    """Base class for errors talking to a miner."""


class MinerUnreachableError(MinerError):
    """The miner did not answer, or answered nothing usable, within the deadline."""


class MinerNotDetectedError(MinerUnreachableError):
    """Nothing at the address identified itself as a miner pyasic supports."""


class MinerCommandError(MinerError):
    """The miner answered but did not do what it was asked."""


class MinerAccessDeniedError(MinerCommandError):
    """The miner refused the command for lack of access (API access level or credentials)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class MinerIdentity:
    """What identifies a miner: stable across polls, read at detection."""

    host: str
    mac: str | None
    serial: str | None
    make: str | None
    model: str | None
    firmware: str | None
    firmware_version: str | None


def normalize_mac(value: object) -> str | None:
    """Return a lower-case colon-separated MAC, or None for missing, malformed or null MACs."""
    if not isinstance(value, str) or not _MAC_PATTERN.match(value.strip()):
        return None
    mac = value.strip().lower().replace("-", ":")
    return None if mac in _NULL_MACS else mac


def mac_from_luxos_config(reply: object) -> str | None:
    """Return the valid MAC of a LuxOS ``config`` reply (``CONFIG[0].MACAddr``), if any."""
    try:
        return normalize_mac(reply["CONFIG"][0]["MACAddr"])  # type: ignore[index]
    except LookupError, TypeError:
        return None


def text_or_none(value: object) -> str | None:
    """Return a stripped string, or None for None and blank values."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def display_text(value: object) -> str | None:
    """Return what a miner says about itself as plain text, or None for None and blank values.

    Its make, model and firmware end up in device names, titles and repair issues, which the
    frontend renders as Markdown: characters that make markup (HTML tags, links, emphasis,
    code) and control characters are dropped, whitespace is collapsed, the length bounded.
    """
    if value is None:
        return None
    text = " ".join(_MARKUP.sub("", " ".join(str(value).split())).split())
    return text[:MAX_TEXT_LENGTH].rstrip() or None


class MinerClient:
    """A miner at a host: detected once, then polled and commanded with a deadline per call."""

    def __init__(  # noqa: PLR0913 - keyword-only
        self,
        host: str,
        *,
        timeout: float,
        detect_timeout: float,
        miner: BaseMiner | None = None,
        password: str | None = None,
        http: ClientSession | None = None,
    ) -> None:
        """Create a client (with a miner pyasic already detected, if any); nothing is sent yet.

        ``password`` replaces pyasic's default for firmware that needs one (web, RPC, SSH).
        ``http``: a session for the HTTP requests pyasic would open a client for each of (VNish).
        """
        self.host = host
        self._timeout = timeout
        self._detect_timeout = detect_timeout
        self._password = password
        self._http = http
        self._refusals = RefusalWatch()
        # The parts of a read pyasic could not parse (see READ_SHOWN_ONLY), left out until
        # UNREAD_RETRY_READS reads later or the next detection.
        self._unread: set[DataOptions] = set()
        self._reads = 0
        self._channel: BoserChannel | None = None
        self._vnish: VNishTransport | None = None
        self._miner = None if miner is None else self._with_password(miner)
        # One command at a time per miner: firmware mishandles overlapping writes.
        self._command_lock = asyncio.Lock()

    @property
    def detected(self) -> bool:
        """Whether a pyasic miner object is held for this host."""
        return self._miner is not None

    def forget(self) -> None:
        """Drop the detected miner so the next call detects it again."""
        self.close()
        self._miner = None
        self._unread.clear()

    def close(self) -> None:
        """Close a connection kept to the miner (Braiins OS+ gRPC), if any."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None

    async def _ensure_miner(self) -> BaseMiner:
        if self._miner is None:
            try:
                async with asyncio.timeout(self._detect_timeout):
                    miner = await get_miner(self.host)
            except _TRANSPORT_ERRORS as err:
                raise MinerNotDetectedError(f"{self.host}: detection failed") from err
            if miner is None:
                raise MinerNotDetectedError(f"{self.host}: no supported miner answered")
            self._miner = self._with_password(miner)
        return self._miner

    def _with_password(self, miner: BaseMiner) -> BaseMiner:
        if self._password:
            for api in (miner.rpc, miner.web, miner.ssh):
                if api is not None and hasattr(api, "pwd"):
                    api.pwd = self._password
        if isinstance(miner.web, BOSerWebAPI):
            self._channel = BoserChannel(miner.web)
            self._channel.attach()
        if isinstance(miner.web, VNishWebAPI):
            self._vnish = VNishTransport(miner.web, self._http)
            self._vnish.attach()
        self._refusals.watch(miner.rpc, miner.web)
        count_boards_as_pyasic_reads(miner.rpc)
        remember_commands(miner.rpc, miner.web)
        return miner

    @property
    def logs_in(self) -> bool:
        """Whether the detected firmware checks a password (VNish, Braiins OS+, Whatsminer v3).

        LuxOS and Avalon refuse only by their API's access level.
        """
        miner = self._miner
        return miner is not None and (
            isinstance(miner.web, (BOSerWebAPI, VNishWebAPI)) or speaks_v3(miner)
        )

    def _vnish_transport(self) -> VNishTransport:
        """The detected VNish miner's transport (a command to any other firmware is a bug)."""
        if self._vnish is None:
            raise MinerCommandError(f"{self.host}: not a VNish miner")
        return self._vnish

    async def _call[T](self, action: Callable[[BaseMiner], Awaitable[T]]) -> T:
        miner = await self._ensure_miner()
        try:
            async with asyncio.timeout(self._timeout):
                return await action(miner)
        except _TRANSPORT_ERRORS as err:
            if _denied(err):
                raise MinerAccessDeniedError(f"{self.host}: {err}") from err
            raise MinerUnreachableError(f"{self.host}: {type(err).__name__}: {err}") from err

    async def identify(self) -> MinerIdentity:
        """Detect the miner and read what identifies it."""

        async def read_identity(miner: BaseMiner) -> MinerIdentity:
            mac = normalize_mac(await miner.get_mac())
            if mac is None:
                # pyasic 0.79.0's LuxOS backend never returns the MAC it reads (an early
                # `return None`), so ask the RPC config directly.
                mac = await _rpc_config_mac(miner)
            return MinerIdentity(
                host=self.host,
                mac=mac,
                serial=text_or_none(await miner.get_serial_number()),
                make=display_text(miner.make),
                model=display_text(miner.raw_model),
                firmware=display_text(miner.firmware),
                firmware_version=display_text(await miner.get_fw_ver()),
            )

        return await self._call(read_identity)

    async def read(self) -> MinerReading:
        """Read the live values the entities need."""
        self._reads += 1
        if self._reads % UNREAD_RETRY_READS == 0:
            self._unread.clear()  # a firmware update may have fixed them
        while True:
            include: list[str | DataOptions] = [
                part for part in READ_OPTIONS if part not in self._unread
            ]
            try:
                data = await self._read_parts(include)
                break
            except MinerUnreachableError as err:
                if (part := _unparsed_part(err)) is None or part in self._unread:
                    raise
                self._unread.add(part)
        try:
            reading = reading_from_data(data, fluid_temps=not speaks_v3(self._miner))
        except EmptyReadingError as err:
            raise MinerUnreachableError(str(err)) from err
        if self._unread:
            reading = _without_unread(reading, frozenset(self._unread))
        if self._vnish is not None:
            reading = _with_vnish_summary(reading, self._vnish)
        return reading

    async def _read_parts(self, include: list[str | DataOptions]) -> MinerData:
        return await self._call(lambda miner: miner.get_data(include=include))

    async def raw_data(self) -> dict[str, Any]:
        """Everything pyasic reads from the miner, for diagnostics."""
        data = await self._call(lambda miner: miner.get_data())
        raw: dict[str, Any] = data.as_dict()
        return raw

    async def check_write_access(self) -> None:
        """Prove the password where the firmware checks it only on writes (Whatsminer API v3).

        Its reads answer anyone, so the one proof is a write: the fault light set to automatic
        where it already is, a no-op whose token the firmware still checks. A light someone set
        blinking is left alone, and the password then goes unchecked until the next command.
        Other firmware checks the password on the reads already made.
        """

        async def check(miner: BaseMiner) -> None:
            if not speaks_v3(miner):
                return
            info = await miner.rpc.get_device_info()  # type: ignore[union-attr]
            if info.get("msg", {}).get("system", {}).get("ledstatus") == "auto":
                await miner.rpc.set_system_led()  # type: ignore[union-attr]

        await self._call(check)

    async def capabilities(self) -> MinerCapabilities:
        """Read what the firmware can do (its presets come from its configuration)."""

        async def read_capabilities(miner: BaseMiner) -> MinerCapabilities:
            presets: tuple[PowerStep, ...] = ()
            throttles = False
            if runs_vnish(miner):
                presets = await vnish_presets(miner)
                throttles = await vnish_throttles(miner)
            elif miner.supports_presets:
                config = await miner.get_config()
                presets = preset_steps(getattr(config.mining_mode, "available_presets", ()))
            return capabilities_of(miner, presets, throttles=throttles)

        return await self._call(read_capabilities)

    async def set_power_limit(self, capabilities: MinerCapabilities, watts: float) -> int:
        """Apply the setting a power limit of ``watts`` gives; return its nominal power."""
        step = capabilities.step_for(watts)
        if step is None:
            raise MinerCommandError(f"{self.host}: this firmware cannot limit power")
        if capabilities.power_control is PowerControl.LEVELS:
            await self._command("worklevel", lambda miner: _set_work_level(miner, step.key))
        elif capabilities.power_control is PowerControl.THROTTLE:
            preset, percent = throttle_setting(capabilities.power_steps, step.watts)
            await self._command(
                "throttle",
                lambda miner: set_vnish_throttled(miner, self._vnish_transport(), preset, percent),
            )
            return preset.watts * percent // 100
        else:
            # pyasic picks the highest preset at or below the watts (the step we chose), or
            # sends the exact watts.
            await self._command(
                "set_power_limit",
                lambda miner: (
                    set_vnish_preset(miner, step.watts)
                    if runs_vnish(miner)
                    else miner.set_power_limit(step.watts)
                ),
            )
        return step.watts

    async def immersion_mode(self) -> bool | None:
        """Whether the cooling is in immersion mode (Braiins OS+); None for other firmware."""

        async def read_mode(miner: BaseMiner) -> bool | None:
            return await boser_immersion(miner) if runs_boser(miner) else None

        return await self._call(read_mode)

    async def set_immersion_mode(self, enable: bool) -> None:
        """Switch the cooling's immersion mode (Braiins OS+) on or off."""
        await self._command("immersion_mode", lambda miner: set_boser_immersion(miner, enable))

    async def pause(self) -> None:
        """Stop hashing (the miner stays reachable and draws standby power)."""
        await self._command("stop_mining", lambda miner: miner.stop_mining())

    async def resume(self) -> None:
        """Resume hashing."""
        await self._command("resume_mining", lambda miner: miner.resume_mining())

    async def reboot(self) -> None:
        """Reboot the miner's controller."""
        await self._command("reboot", lambda miner: miner.reboot())

    async def restart_backend(self) -> None:
        """Restart the mining process without rebooting."""
        await self._command("restart_backend", lambda miner: miner.restart_backend())

    async def identify_blink(self, on: bool) -> None:
        """Switch the fault light (blinking) on or off."""
        await self._command(
            "fault_light", lambda miner: miner.fault_light_on() if on else miner.fault_light_off()
        )

    async def _command(self, name: str, action: Callable[[BaseMiner], Awaitable[bool]]) -> None:
        """Run a write, renewing a stale firmware session and retrying once."""
        async with self._command_lock:
            for attempt in range(2):
                self._refusals.reset()
                try:
                    accepted = await self._call(action)
                except MinerUnreachableError as err:
                    if attempt == 0 and self._renew_session(err):
                        continue
                    raise
                if accepted:
                    return
                if self._refusals.denied is not None:
                    raise MinerAccessDeniedError(f"{self.host}: {self._refusals.denied}")
                if attempt == 0 and self._renew_session(None):
                    continue
                raise MinerCommandError(f"{self.host}: {name} was refused")

    def _renew_session(self, err: Exception | None) -> bool:
        """Drop a cached firmware session (LuxOS) so the retry logs on afresh."""
        rpc = getattr(self._miner, "rpc", None)
        if getattr(rpc, "session_token", None) is None:
            return False
        if err is not None and not _SESSION_ERROR.search(str(err.__cause__ or err)):
            return False
        rpc.session_token = None  # type: ignore[union-attr]
        return True


def _with_vnish_summary(reading: MinerReading, vnish: VNishTransport) -> MinerReading:
    """A VNish reading with what pyasic misses in the same summary: its power and throttle."""
    if vnish.consumption_w is not None:
        reading = replace(reading, power_w=vnish.consumption_w)
    percent = vnish.throttle
    if percent is not None and reading.power_limit_w is not None:
        # pyasic reports the preset; the throttle scales what it draws
        reading = replace(reading, power_limit_w=reading.power_limit_w * percent // 100)
    return reading


def _without_unread(reading: MinerReading, unread: frozenset[DataOptions]) -> MinerReading:
    """A reading that shows what was left out as unknown (pyasic fills in defaults for it)."""
    if DataOptions.HASHBOARDS in unread:
        reading = replace(reading, hashboards_expected=None, hashboards_working=None)
    if DataOptions.ERRORS in unread:
        reading = replace(reading, error_count=None)
    return replace(reading, unread=tuple(sorted(str(part) for part in unread)))


def _unparsed_part(err: MinerUnreachableError) -> DataOptions | None:
    """The part of a read pyasic could not parse, when it is one that is only shown."""
    cause = err.__cause__
    if not isinstance(cause, APIError) or (found := _FAILED_PART.search(str(cause))) is None:
        return None
    return next((option for option in READ_SHOWN_ONLY if str(option) == found.group(1)), None)


def _denied(err: BaseException) -> bool:
    """Whether ``err`` is a refusal for lack of access (pyasic's message, or a gRPC status)."""
    return bool(isinstance(err, APIError) and _ACCESS_ERROR.search(str(err))) or grpc_denied(err)


async def _set_work_level(miner: BaseMiner, level: str) -> bool:
    """Send an Avalon work level as the firmware takes it (pyasic's own mapping cannot)."""
    reply = await miner.rpc.ascset(0, "worklevel,set", level)  # type: ignore[union-attr]
    return bool(reply["STATUS"][0]["Msg"] == "ASC 0 set OK")


async def _rpc_config_mac(miner: BaseMiner) -> str | None:
    config = getattr(getattr(miner, "rpc", None), "config", None)
    if config is None:
        return None
    return mac_from_luxos_config(await config())
