"""Talk to one miner through pyasic: detect it once, read it with a deadline, fail loudly.

This module knows nothing of Home Assistant. pyasic reports a refused connection as data full of
``None`` and waits up to 100 s on a silent socket, so every call here runs under a deadline and
an answer without any of the requested values counts as "unreachable", never as zero.
"""

import asyncio
import re
from dataclasses import dataclass
from typing import Final

from .pyasic_loader import APIError, BaseMiner, DataOptions, MinerData, get_miner

_MAC_PATTERN: Final = re.compile(r"^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$", re.IGNORECASE)
_NULL_MACS: Final = frozenset({"00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"})

READ_OPTIONS: Final = (
    DataOptions.HASHRATE,
    DataOptions.HASHBOARDS,
    DataOptions.WATTAGE,
)


class MinerError(Exception):
    """Base class for errors talking to a miner."""


class MinerUnreachableError(MinerError):
    """The miner did not answer, or answered nothing usable, within the deadline."""


class MinerNotDetectedError(MinerUnreachableError):
    """Nothing at the address identified itself as a miner pyasic supports."""


@dataclass(frozen=True, kw_only=True, slots=True)
class MinerIdentity:
    """What identifies a miner: stable across polls, read at detection."""

    host: str
    mac: str | None
    make: str | None
    model: str | None
    firmware: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class MinerReading:
    """One poll of a miner's live values; ``None`` where the miner did not report a value."""

    hashrate_ths: float | None
    power_w: float | None


def normalize_mac(value: object) -> str | None:
    """Return a lower-case colon-separated MAC, or None for missing, malformed or null MACs."""
    if not isinstance(value, str) or not _MAC_PATTERN.match(value.strip()):
        return None
    mac = value.strip().lower().replace("-", ":")
    return None if mac in _NULL_MACS else mac


def to_terahash(hashrate: object) -> float | None:
    """Convert a pyasic hashrate to TH/s; None when it is missing or not a hashrate."""
    if hashrate is None:
        return None
    try:
        return float(hashrate.into(hashrate.unit.TH))  # type: ignore[attr-defined]
    except AttributeError, TypeError, ValueError:
        return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def reading_from_data(data: MinerData) -> MinerReading:
    """Turn pyasic's data into a reading; raise if the miner reported nothing at all."""
    reading = MinerReading(
        hashrate_ths=to_terahash(data.hashrate),
        power_w=_number(data.wattage),
    )
    if reading.hashrate_ths is None and reading.power_w is None:
        raise MinerUnreachableError(f"{data.ip} returned no data")
    return reading


class MinerClient:
    """A miner at a host: detected once, then polled with a deadline on every call."""

    def __init__(self, host: str, *, timeout: float, detect_timeout: float) -> None:
        """Create a client; nothing is sent until the first call."""
        self.host = host
        self._timeout = timeout
        self._detect_timeout = detect_timeout
        self._miner: BaseMiner | None = None

    @property
    def detected(self) -> bool:
        """Whether a pyasic miner object is held for this host."""
        return self._miner is not None

    def forget(self) -> None:
        """Drop the detected miner so the next call detects it again."""
        self._miner = None

    async def _ensure_miner(self) -> BaseMiner:
        if self._miner is None:
            try:
                async with asyncio.timeout(self._detect_timeout):
                    miner = await get_miner(self.host)
            except (TimeoutError, OSError) as err:
                raise MinerNotDetectedError(f"{self.host}: detection failed") from err
            if miner is None:
                raise MinerNotDetectedError(f"{self.host}: no supported miner answered")
            self._miner = miner
        return self._miner

    async def identify(self) -> MinerIdentity:
        """Detect the miner and read what identifies it."""
        miner = await self._ensure_miner()
        mac = await self._read_mac(miner)
        return MinerIdentity(
            host=self.host,
            mac=mac,
            make=text_or_none(miner.make),
            model=text_or_none(miner.raw_model),
            firmware=text_or_none(miner.firmware),
        )

    async def read(self) -> MinerReading:
        """Read the live values the entities need."""
        miner = await self._ensure_miner()
        try:
            async with asyncio.timeout(self._timeout):
                data = await miner.get_data(include=list(READ_OPTIONS))
        except (TimeoutError, OSError, APIError) as err:
            raise MinerUnreachableError(f"{self.host}: {type(err).__name__}") from err
        return reading_from_data(data)

    async def _read_mac(self, miner: BaseMiner) -> str | None:
        try:
            async with asyncio.timeout(self._timeout):
                mac = normalize_mac(await miner.get_mac())
                if mac is None:
                    # pyasic 0.79.0's LuxOS backend never returns the MAC it reads
                    # (an early `return None`), so ask the RPC config directly.
                    mac = await _rpc_config_mac(miner)
        except (TimeoutError, OSError, APIError) as err:
            raise MinerUnreachableError(f"{self.host}: {type(err).__name__}") from err
        return mac


async def _rpc_config_mac(miner: BaseMiner) -> str | None:
    config = getattr(getattr(miner, "rpc", None), "config", None)
    if config is None:
        return None
    return mac_from_luxos_config(await config())


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
